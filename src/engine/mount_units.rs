//! The mount units systemd has for the paths a unit needs. systemd makes a
//! mount unit of every mount point in /proc/self/mountinfo, and orders a
//! unit after those at or above each path of its `RequiresMountsFor=`
//! (its `WorkingDirectory=` included). runr runs no mount units, but
//! `show` names the same ones in `After=`.

use std::collections::BTreeSet;

use crate::config::model::Unit;
use crate::syntax::specifier::unit_name_path_escape;

/// `RequiresMountsFor=` as systemd shows it: the unit's own paths, then the
/// service's `WorkingDirectory=` (unless it is `~` or may be missing).
pub fn required_mount_paths(unit: &Unit) -> Vec<String> {
    let mut paths = unit.unit.requires_mounts_for.clone();
    if let Some(service) = unit.service()
        && let Some(dir) = &service.working_directory
        && dir != "~"
        && !service.working_directory_missing_ok
        && !paths.contains(dir)
    {
        paths.push(dir.clone());
    }
    paths
}

/// The mount units for `paths`, each once: for every path, the mount
/// points from `/` down to the path itself.
pub fn mount_units_for(paths: &[String], mount_points: &BTreeSet<String>) -> Vec<String> {
    let mut units = Vec::new();
    for path in paths {
        for prefix in prefixes(path) {
            if !mount_points.contains(&prefix) {
                continue;
            }
            if let Ok(escaped) = unit_name_path_escape(&prefix) {
                let unit = format!("{escaped}.mount");
                if !units.contains(&unit) {
                    units.push(unit);
                }
            }
        }
    }
    units
}

/// `/`, `/a`, `/a/b` for `/a/b`.
fn prefixes(path: &str) -> Vec<String> {
    let mut out = vec!["/".to_string()];
    let mut current = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        current.push('/');
        current.push_str(part);
        out.push(current.clone());
    }
    out
}

/// The mount points of this process's mount namespace.
pub fn read_mount_points() -> BTreeSet<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .map(|text| mount_points(&text))
        .unwrap_or_default()
}

/// The fifth field of each mountinfo line, its octal escapes (`\040` for
/// a space) undone.
fn mount_points(mountinfo: &str) -> BTreeSet<String> {
    mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape_octal)
        .collect()
}

fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        let code = digits
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)))
            .and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok());
        match code {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 0:21 / / rw,relatime - overlay overlay rw
23 22 0:22 / /tmp rw,nosuid - tmpfs tmpfs rw
24 22 0:23 / /run rw - tmpfs tmpfs rw
25 22 0:24 / /srv/my\\040data rw - ext4 /dev/sdb1 rw
";

    #[test]
    fn mount_points_are_read_with_their_escapes_undone() {
        let points = mount_points(MOUNTINFO);
        assert_eq!(
            points.into_iter().collect::<Vec<_>>(),
            ["/", "/run", "/srv/my data", "/tmp"]
        );
    }

    #[test]
    fn each_mount_point_at_or_above_a_path_counts_once() {
        let points = mount_points(MOUNTINFO);
        let paths = vec![
            "/tmp".to_string(),
            "/tmp/x/y".to_string(),
            "/var/lib".to_string(),
        ];
        assert_eq!(mount_units_for(&paths, &points), ["-.mount", "tmp.mount"]);
        assert_eq!(
            mount_units_for(&["/srv/my data/db".to_string()], &points),
            ["-.mount", "srv-my\\x20data.mount"]
        );
        assert!(mount_units_for(&[], &points).is_empty());
    }
}

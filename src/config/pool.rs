//! `.cgroup` pool files: a cgroup v2 group that services join with
//! `Cgroup=NAME` in [Service]. The file `NAME.cgroup` lives in the unit
//! search path and reads like a unit file:
//!
//! ```ini
//! [Unit]
//! Description=Database pool
//!
//! [Cgroup]
//! MemoryMax=4G                      # bytes (K/M/G/T suffixes), a percentage of RAM, or infinity -> memory.max
//! MemoryHigh=3G                     # same grammar -> memory.high
//! CPUQuota=150%                     # share of one CPU per period -> cpu.max
//! CPUMax=50000 100000               # cpu.max written as is ("max" or QUOTA, optional PERIOD); wins over CPUQuota=
//! CPUWeight=200                     # 1..10000 -> cpu.weight
//! IOWeight=100                      # 1..10000 -> io.weight
//! IOReadBandwidthMax=/var/lib 50M   # PATH BYTES: the device holding PATH -> io.max rbps
//! IOWriteBandwidthMax=/var/lib 20M  # -> io.max wbps
//! TasksMax=512                      # a number or infinity -> pids.max
//! ```
//!
//! Names follow systemd.resource-control(5). Each assignment of the
//! bandwidth keys adds one device; an empty assignment clears the list.

use std::path::Path;

use super::diagnostics::Diagnostic;
use super::settings::{self, Fatal, Setting, Sink};
use super::values;
use crate::syntax::unit_file::{self, Item};

/// A byte limit: a number of bytes, a share of physical memory, or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MemoryLimit {
    Bytes(u64),
    /// Per mille of physical memory, as systemd keeps percentages.
    Permille(u32),
    Infinity,
}

/// One `IORead/WriteBandwidthMax=` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceBandwidth {
    pub path: String,
    pub bytes_per_second: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pool {
    pub name: String,
    pub description: Option<String>,
    pub memory_max: Option<MemoryLimit>,
    pub memory_high: Option<MemoryLimit>,
    /// `CPUQuota=` in per mille of one CPU (150% is 1500).
    pub cpu_quota_permille: Option<u32>,
    /// `CPUMax=` as written (`max`, or `QUOTA [PERIOD]` in microseconds).
    pub cpu_max: Option<String>,
    pub cpu_weight: Option<u32>,
    pub io_weight: Option<u32>,
    pub io_read_bandwidth_max: Vec<DeviceBandwidth>,
    pub io_write_bandwidth_max: Vec<DeviceBandwidth>,
    /// `None` inside `Some` is infinity.
    pub tasks_max: Option<Option<u64>>,
}

/// Parses a pool file; `name` is the file name without `.cgroup`.
pub fn parse_pool(name: &str, path: &Path, text: &str) -> (Pool, Vec<Diagnostic>) {
    let file = unit_file::parse(text);
    let mut pool = Pool {
        name: name.to_string(),
        ..Pool::default()
    };
    let mut out = Vec::new();
    let known: Vec<bool> = file
        .sections
        .iter()
        .map(|s| matches!(s.name.as_str(), "Unit" | "Cgroup"))
        .collect();
    let mut sink = Sink {
        path,
        out: &mut out,
    };
    for item in file.items() {
        match item {
            Item::SectionHeader { index, section } => {
                if !known[index] && !section.name.starts_with("X-") {
                    sink.warn(
                        section.line,
                        format!("Unknown section '{}'. Ignoring.", section.name),
                    );
                }
            }
            Item::Diagnostic(d) => {
                if d.section.is_some_and(|i| !known[i]) && d.is_silenced_in_ignored_section() {
                    continue;
                }
                sink.warn(d.line, d.to_string());
                if d.is_fatal() {
                    break;
                }
            }
            Item::Entry {
                section_index,
                section,
                entry,
            } => {
                if !known[section_index] {
                    continue;
                }
                let s = Setting {
                    section: &section.name,
                    key: &entry.key,
                    value: &entry.value,
                    line: entry.line,
                };
                if !apply_pool_key(&mut pool, &s, &mut sink) && !entry.key.starts_with("X-") {
                    sink.warn(
                        entry.line,
                        format!(
                            "Unknown key '{}' in section [{}], ignoring.",
                            entry.key, section.name
                        ),
                    );
                }
            }
        }
    }
    (pool, out)
}

/// Applies one key; false if the key is unknown.
fn apply_pool_key(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> bool {
    let _: Result<(), Fatal> = match (s.section, s.key) {
        ("Unit", "Description") => settings::set_string(&mut pool.description, s),
        ("Cgroup", "MemoryMax") => set_memory(&mut pool.memory_max, s, sink),
        ("Cgroup", "MemoryHigh") => set_memory(&mut pool.memory_high, s, sink),
        ("Cgroup", "CPUQuota") => set_cpu_quota(pool, s, sink),
        ("Cgroup", "CPUMax") => set_cpu_max(pool, s, sink),
        ("Cgroup", "CPUWeight") => set_weight(&mut pool.cpu_weight, "CPU weight", s, sink),
        ("Cgroup", "IOWeight") => set_weight(&mut pool.io_weight, "IO weight", s, sink),
        ("Cgroup", "IOReadBandwidthMax") => add_bandwidth(&mut pool.io_read_bandwidth_max, s, sink),
        ("Cgroup", "IOWriteBandwidthMax") => {
            add_bandwidth(&mut pool.io_write_bandwidth_max, s, sink)
        }
        ("Cgroup", "TasksMax") => set_tasks_max(pool, s, sink),
        _ => return false,
    };
    true
}

fn parse_memory(value: &str) -> Option<MemoryLimit> {
    if value == "infinity" {
        return Some(MemoryLimit::Infinity);
    }
    if let Some(pct) = value.strip_suffix('%') {
        let permille = parse_permille(pct)?;
        return (permille <= 1000).then_some(MemoryLimit::Permille(permille));
    }
    values::parse_size_iec(value).ok().map(MemoryLimit::Bytes)
}

/// `12.5` -> 125 (per mille), at most one decimal.
fn parse_permille(pct: &str) -> Option<u32> {
    let (whole, tenth) = match pct.split_once('.') {
        Some((w, t)) if t.len() == 1 => (w, t),
        Some(_) => return None,
        None => (pct, "0"),
    };
    let whole: u32 = whole.parse().ok()?;
    let tenth: u32 = tenth.parse().ok()?;
    whole.checked_mul(10)?.checked_add(tenth)
}

fn set_memory(target: &mut Option<MemoryLimit>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *target = None;
        return Ok(());
    }
    match parse_memory(s.value) {
        Some(limit) => *target = Some(limit),
        None => sink.warn(
            s.line,
            format!(
                "Invalid memory limit '{}', ignoring: Invalid argument",
                s.value
            ),
        ),
    }
    Ok(())
}

fn set_cpu_quota(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        pool.cpu_quota_permille = None;
        return Ok(());
    }
    match s
        .value
        .strip_suffix('%')
        .and_then(parse_permille)
        .filter(|p| *p > 0)
    {
        Some(p) => pool.cpu_quota_permille = Some(p),
        None => sink.warn(
            s.line,
            format!("Invalid CPU quota '{}', ignoring.", s.value),
        ),
    }
    Ok(())
}

fn set_cpu_max(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let words: Vec<&str> = s.value.split_whitespace().collect();
    let quota_ok = |w: &str| w == "max" || w.parse::<u64>().is_ok_and(|n| n > 0);
    let period_ok = |w: &str| {
        w.parse::<u64>()
            .is_ok_and(|n| (1000..=1_000_000).contains(&n))
    };
    let valid = match words.as_slice() {
        [] => {
            pool.cpu_max = None;
            return Ok(());
        }
        [q] => quota_ok(q),
        [q, p] => quota_ok(q) && period_ok(p),
        _ => false,
    };
    if valid {
        pool.cpu_max = Some(words.join(" "));
    } else {
        sink.warn(
            s.line,
            format!("Invalid CPU maximum '{}', ignoring.", s.value),
        );
    }
    Ok(())
}

fn set_weight(
    target: &mut Option<u32>,
    what: &str,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *target = None;
        return Ok(());
    }
    match s.value.parse::<u32>() {
        Ok(w) if (1..=10_000).contains(&w) => *target = Some(w),
        _ => sink.warn(s.line, format!("Invalid {what}, ignoring: {}", s.value)),
    }
    Ok(())
}

/// `PATH BYTES`: the path must be absolute; BYTES a size or `infinity`.
fn add_bandwidth(
    list: &mut Vec<DeviceBandwidth>,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.value.is_empty() {
        list.clear();
        return Ok(());
    }
    let Some((path, limit)) = s.value.split_once([' ', '\t']) else {
        sink.warn(
            s.line,
            format!("Invalid device node or rate '{}', ignoring.", s.value),
        );
        return Ok(());
    };
    let Some(path) = settings::absolute_path(s, path, false, sink)? else {
        return Ok(());
    };
    match settings::size_or_infinity(limit.trim()) {
        Ok(bytes_per_second) => list.push(DeviceBandwidth {
            path,
            bytes_per_second,
        }),
        Err(_) => sink.warn(
            s.line,
            format!("Invalid rate '{}', ignoring.", limit.trim()),
        ),
    }
    Ok(())
}

fn set_tasks_max(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        pool.tasks_max = None;
        return Ok(());
    }
    if s.value == "infinity" {
        pool.tasks_max = Some(None);
        return Ok(());
    }
    match s.value.parse::<u64>() {
        Ok(n) if n > 0 => pool.tasks_max = Some(Some(n)),
        _ => sink.warn(
            s.line,
            format!(
                "Invalid maximum tasks value '{}', ignoring: Invalid argument",
                s.value
            ),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Pool, Vec<String>) {
        let (pool, diags) = parse_pool("db", Path::new("/etc/runr/db.cgroup"), text);
        (pool, diags.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn full_pool() {
        let (pool, msgs) = parse(
            "[Unit]\nDescription=Database\n[Cgroup]\nMemoryMax=4G\nMemoryHigh=50%\nCPUQuota=150%\nCPUWeight=200\n\
             IOReadBandwidthMax=/var/lib 50M\nIOWriteBandwidthMax=/var/lib infinity\nTasksMax=512\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.description.as_deref(), Some("Database"));
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(4 << 30)));
        assert_eq!(pool.memory_high, Some(MemoryLimit::Permille(500)));
        assert_eq!(pool.cpu_quota_permille, Some(1500));
        assert_eq!(pool.cpu_weight, Some(200));
        assert_eq!(
            pool.io_read_bandwidth_max,
            vec![DeviceBandwidth {
                path: "/var/lib".into(),
                bytes_per_second: Some(50 << 20)
            }]
        );
        assert_eq!(pool.io_write_bandwidth_max[0].bytes_per_second, None);
        assert_eq!(pool.tasks_max, Some(Some(512)));
    }

    #[test]
    fn cpu_max_raw() {
        let (pool, msgs) = parse("[Cgroup]\nCPUMax=50000 100000\n");
        assert!(msgs.is_empty());
        assert_eq!(pool.cpu_max.as_deref(), Some("50000 100000"));
        let (_, msgs) = parse("[Cgroup]\nCPUMax=lots\n");
        assert_eq!(
            msgs,
            vec!["/etc/runr/db.cgroup:2: Invalid CPU maximum 'lots', ignoring."]
        );
    }

    #[test]
    fn bad_values_and_unknowns() {
        let (pool, msgs) = parse(
            "[Cgroup]\nMemoryMax=lots\nCPUQuota=fast\nIOReadBandwidthMax=relative 5M\nFoo=1\n[Service]\nX=1\n",
        );
        assert_eq!(pool.memory_max, None);
        assert_eq!(
            msgs,
            vec![
                "/etc/runr/db.cgroup:2: Invalid memory limit 'lots', ignoring: Invalid argument",
                "/etc/runr/db.cgroup:3: Invalid CPU quota 'fast', ignoring.",
                "/etc/runr/db.cgroup:4: IOReadBandwidthMax= path is not absolute, ignoring: relative",
                "/etc/runr/db.cgroup:5: Unknown key 'Foo' in section [Cgroup], ignoring.",
                "/etc/runr/db.cgroup:6: Unknown section 'Service'. Ignoring.",
            ]
        );
    }
}

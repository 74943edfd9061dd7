//! A control group per service, as systemd gives each unit one, where runr
//! runs as PID 1 (or is told where its subtree is): the service's processes
//! all land in `/system.slice/NAME` however they fork or detach, so a stop
//! with KillMode=control-group reaches every one of them, and `status`
//! lists them. Elsewhere services run in runr's own group and process
//! groups stand in for control groups.

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// The subtree the services' groups go in.
#[derive(Debug, Clone)]
pub struct UnitGroups {
    base: PathBuf,
}

impl UnitGroups {
    /// Where runr is PID 1 with a writable cgroup v2 hierarchy, or
    /// `$RUNR_CGROUP_ROOT` names a subtree: there. None elsewhere.
    pub fn detect(is_pid1: bool) -> Option<UnitGroups> {
        let explicit = std::env::var_os(super::ROOT_ENV).is_some_and(|v| !v.is_empty());
        if !is_pid1 && !explicit {
            return None;
        }
        let location = super::Location::detect().ok()?;
        let groups = UnitGroups::at(location.units);
        fs::create_dir_all(groups.base.join("system.slice")).ok()?;
        Some(groups)
    }

    pub fn at(base: PathBuf) -> UnitGroups {
        UnitGroups { base }
    }

    /// The directory of a control group path such as
    /// `/system.slice/a.service`.
    pub fn dir(&self, group: &str) -> PathBuf {
        self.base.join(group.trim_start_matches('/'))
    }

    /// Creates the group (and its slices) and opens its `cgroup.procs` for
    /// the child to write itself into before it runs anything.
    pub fn prepare(&self, group: &str) -> io::Result<(PathBuf, OwnedFd)> {
        let dir = self.dir(group);
        fs::create_dir_all(&dir)?;
        let procs = super::open_procs(&dir)?;
        Ok((dir, procs))
    }

    /// The processes in the group, none if it does not exist.
    pub fn pids(&self, group: &str) -> Vec<Pid> {
        read_pids(&self.dir(group))
    }

    /// Sends `signal` to every process in the group; true if one got it.
    pub fn kill(&self, group: &str, signal: Signal) -> bool {
        let mut any = false;
        for pid in self.pids(group) {
            any |= kill(pid, signal).is_ok();
        }
        any
    }

    /// Removes the group once it is empty, and the slice of an instance
    /// when that is empty too (systemd's unit_prune_cgroup()).
    pub fn remove(&self, group: &str) {
        let dir = self.dir(group);
        if fs::remove_dir(&dir).is_err() {
            return;
        }
        let slice = dir.parent().filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("system-"))
        });
        if let Some(slice) = slice {
            let _ = fs::remove_dir(slice);
        }
    }

    /// At exit: `system.slice` goes, once its services' groups are gone.
    pub fn remove_slice(&self) {
        let _ = fs::remove_dir(self.base.join("system.slice"));
    }
}

/// systemd's control group path of a service: `/system.slice/NAME`, or in
/// its template's slice for an instance
/// (`/system.slice/system-foo\x2dbar.slice/foo-bar@x.service`).
pub fn control_group_path(unit_name: &str) -> String {
    let instance_of = unit_name
        .split_once('@')
        .filter(|(_, rest)| rest.split('.').next().is_some_and(|i| !i.is_empty()));
    match instance_of {
        Some((prefix, _)) => format!(
            "/system.slice/system-{}.slice/{unit_name}",
            prefix.replace('-', "\\x2d")
        ),
        None => format!("/system.slice/{unit_name}"),
    }
}

/// The PIDs of `cgroup.procs`. A process of another PID namespace that
/// shares the group is listed as 0, which is no process of ours: kill(0)
/// would signal runr's own process group.
fn read_pids(dir: &Path) -> Vec<Pid> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().parse::<i32>().ok())
        .filter(|pid| *pid > 0)
        .map(Pid::from_raw)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_path_is_placed_under_the_base() {
        let groups = UnitGroups::at(PathBuf::from("/sys/fs/cgroup/runr"));
        assert_eq!(
            groups.dir("/system.slice/system-a\\x2db.slice/a-b@x.service"),
            PathBuf::from("/sys/fs/cgroup/runr/system.slice/system-a\\x2db.slice/a-b@x.service")
        );
    }

    #[test]
    fn services_and_instances_have_systemds_paths() {
        assert_eq!(control_group_path("a.service"), "/system.slice/a.service");
        assert_eq!(
            control_group_path("demo-greet@world.service"),
            "/system.slice/system-demo\\x2dgreet.slice/demo-greet@world.service"
        );
        assert_eq!(control_group_path("t@.service"), "/system.slice/t@.service");
    }

    #[test]
    fn processes_of_other_pid_namespaces_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let group = dir.path().join("system.slice/x.service");
        fs::create_dir_all(&group).unwrap();
        fs::write(group.join("cgroup.procs"), "0\n42\n0\n43\n").unwrap();
        let groups = UnitGroups::at(dir.path().to_path_buf());
        assert_eq!(
            groups.pids("/system.slice/x.service"),
            [Pid::from_raw(42), Pid::from_raw(43)]
        );
    }

    #[test]
    fn a_missing_group_has_no_processes_and_kills_none() {
        let dir = tempfile::tempdir().unwrap();
        let groups = UnitGroups::at(dir.path().to_path_buf());
        assert!(groups.pids("/system.slice/x.service").is_empty());
        assert!(!groups.kill("/system.slice/x.service", Signal::SIGTERM));
    }
}

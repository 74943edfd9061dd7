//! cgroup v2 pools: the `.cgroup` files services join with `Cgroup=NAME`.
//!
//! runr's subtree is its own cgroup (in a container with a cgroup
//! namespace, the namespace's root), or `$RUNR_CGROUP_ROOT` when set. Each
//! pool is the child `pool-NAME` of it. cgroup v2 lets a group hand
//! controllers to its children only while it holds no process itself
//! ("no internal processes"), so before enabling controllers in the
//! subtree's `cgroup.subtree_control` runr moves itself into the leaf
//! `supervisor` (services outside pools stay there with it).
//!
//! A service joins its pool between fork and exec: the pool's
//! `cgroup.procs` is opened before the fork and the child writes "0" (the
//! writer itself) to it, so no instruction of the service ever runs
//! outside the pool.
//!
//! Where cgroup v2 or a controller is missing, the supervisor's log says
//! so once and services run without that limit.

pub mod files;
pub mod unit_groups;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::config::pool::{Pool, parse_pool};
use crate::control::types::PoolMetrics;

/// Overrides where runr's subtree lives (an existing or creatable directory
/// inside a cgroup2 file system); for delegated subtrees and tests.
pub const ROOT_ENV: &str = "RUNR_CGROUP_ROOT";

/// The controllers a pool can use, in the order they are enabled.
const CONTROLLERS: [&str; 4] = ["memory", "cpu", "io", "pids"];

/// Where runr's subtree is.
#[derive(Debug, Clone)]
pub struct Location {
    /// The directory whose children are the pools.
    pub base: PathBuf,
    /// runr's own process lives in `base` and must move to a leaf before
    /// controllers can be enabled.
    pub move_self: bool,
    /// The sysfs root, for resolving block devices.
    pub sysfs: PathBuf,
}

impl Location {
    /// Finds the cgroup2 mount and runr's own group; Err says why none.
    pub fn detect() -> Result<Location, String> {
        let sysfs = PathBuf::from("/sys");
        if let Some(root) = std::env::var_os(ROOT_ENV).filter(|v| !v.is_empty()) {
            return Ok(Location {
                base: root.into(),
                move_self: false,
                sysfs,
            });
        }
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mount = files::parse_cgroup2_mount(&mountinfo)
            .ok_or_else(|| "cgroup v2 is not mounted".to_string())?;
        let own = fs::read_to_string("/proc/self/cgroup")
            .ok()
            .and_then(|text| files::parse_own_cgroup(&text))
            .ok_or_else(|| "this process has no cgroup v2 group".to_string())?;
        let relative = own.trim_start_matches('/');
        let base = Path::new(&mount).join(relative);
        Ok(Location {
            // The root group may hold processes and children with
            // controllers; any other must not.
            move_self: !relative.is_empty(),
            base,
            sysfs,
        })
    }
}

/// The controllers usable in runr's subtree, once set up.
#[derive(Debug, Clone, Default)]
struct Controllers {
    available: BTreeSet<String>,
    enabled: BTreeSet<String>,
}

pub struct Pools {
    location: Result<Location, String>,
    /// None until the subtree is set up; Some(None) if that failed.
    controllers: Option<Option<Controllers>>,
    /// The pools created, with the settings last written.
    created: BTreeMap<String, Pool>,
    /// Notes already logged (each is said once).
    noted: BTreeSet<String>,
    physical_memory: u64,
}

impl Pools {
    pub fn detect() -> Self {
        Pools::at(Location::detect())
    }

    pub fn at(location: Result<Location, String>) -> Self {
        Pools {
            location,
            controllers: None,
            created: BTreeMap::new(),
            noted: BTreeSet::new(),
            physical_memory: physical_memory(),
        }
    }

    /// Logs `message` unless a note with the same key was logged before.
    pub fn note(&mut self, key: &str, message: String, log: &mut dyn FnMut(&str)) {
        if self.noted.insert(key.to_string()) {
            log(&message);
        }
    }

    /// Sets up runr's subtree once: moves runr into its leaf where needed
    /// and enables every controller pools can use that the parent offers.
    pub fn set_up(&mut self, log: &mut dyn FnMut(&str)) {
        if self.controllers.is_some() {
            return;
        }
        let location = match &self.location {
            Ok(location) => location.clone(),
            Err(why) => {
                let message = format!(
                    "cgroup: {why}; pools are not applied, services run without their limits."
                );
                self.note("unavailable", message, log);
                self.controllers = Some(None);
                return;
            }
        };
        match set_up_subtree(&location) {
            Ok((controllers, problems)) => {
                for problem in problems {
                    self.note(&problem.clone(), format!("cgroup: {problem}"), log);
                }
                self.controllers = Some(Some(controllers));
            }
            Err(e) => {
                let message = format!(
                    "cgroup: cannot use {}: {e}; pools are not applied, services run without their limits.",
                    location.base.display()
                );
                self.note("unavailable", message, log);
                self.controllers = Some(None);
            }
        }
    }

    /// Creates (or updates) the pool's group and writes its limits; returns
    /// the group's path and its `cgroup.procs` opened for the child to
    /// write itself into, or None when the service runs outside (the
    /// reason logged once).
    pub fn prepare(
        &mut self,
        pool: &Pool,
        log: &mut dyn FnMut(&str),
    ) -> Option<(PathBuf, OwnedFd)> {
        self.set_up(log);
        let controllers = self.controllers.clone().flatten()?;
        let location = self.location.as_ref().ok()?.clone();
        for controller in files::needed_controllers(pool) {
            if !controllers.enabled.contains(controller) {
                let why = if controllers.available.contains(controller) {
                    "could not be enabled"
                } else {
                    "is not available"
                };
                let message = format!(
                    "cgroup: the {controller} controller {why} in {}; the {} of pool {} are not applied (and of any other pool).",
                    location.base.display(),
                    settings_of(controller),
                    pool.name
                );
                self.note(controller, message, log);
            }
        }
        let dir = pool_dir(&location.base, &pool.name);
        if let Err(e) = fs::create_dir(&dir)
            && e.kind() != io::ErrorKind::AlreadyExists
        {
            self.note(
                &format!("mkdir {}", pool.name),
                format!(
                    "cgroup: cannot create {}: {e}; its services run outside it.",
                    dir.display()
                ),
                log,
            );
            return None;
        }
        if self.created.get(&pool.name) != Some(pool) {
            for problem in write_limits(
                &dir,
                pool,
                &controllers.enabled,
                &location.sysfs,
                self.physical_memory,
            ) {
                log(&format!("cgroup: pool {}: {problem}", pool.name));
            }
            self.created.insert(pool.name.clone(), pool.clone());
        }
        match open_procs(&dir) {
            Ok(fd) => Some((dir, fd)),
            Err(e) => {
                self.note(
                    &format!("procs {}", pool.name),
                    format!(
                        "cgroup: cannot open {}/cgroup.procs: {e}; its services run outside it.",
                        dir.display()
                    ),
                    log,
                );
                None
            }
        }
    }

    /// Memory and CPU of every pool created; None where the kernel does
    /// not account it (no memory controller, say).
    pub fn metrics(&self) -> Vec<PoolMetrics> {
        let Ok(location) = &self.location else {
            return Vec::new();
        };
        self.created
            .keys()
            .map(|name| {
                let dir = pool_dir(&location.base, name);
                let read = |file: &str| fs::read_to_string(dir.join(file)).ok();
                PoolMetrics {
                    name: name.clone(),
                    memory_bytes: read("memory.current")
                        .and_then(|t| files::parse_memory_current(&t)),
                    cpu_usage_seconds: read("cpu.stat")
                        .and_then(|t| files::parse_cpu_usage_usec(&t))
                        .map(|usec| usec as f64 / 1e6),
                }
            })
            .collect()
    }

    /// Removes the pools' groups once they are empty (at shutdown).
    pub fn remove_created(&self) {
        if let Ok(location) = &self.location {
            for name in self.created.keys() {
                let _ = fs::remove_dir(pool_dir(&location.base, name));
            }
        }
    }
}

/// A group's `cgroup.procs`, opened before a fork for the child to write
/// itself into (close-on-exec: the service never sees it).
pub fn open_procs(dir: &Path) -> io::Result<OwnedFd> {
    OpenOptions::new()
        .write(true)
        .custom_flags(nix::libc::O_CLOEXEC)
        .open(dir.join("cgroup.procs"))
        .map(OwnedFd::from)
}

/// `<base>/pool-NAME`.
pub fn pool_dir(base: &Path, name: &str) -> PathBuf {
    base.join(format!("pool-{name}"))
}

/// The pool settings a controller carries, for the note when it is missing.
fn settings_of(controller: &str) -> &'static str {
    match controller {
        "memory" => "MemoryMax=/MemoryHigh=",
        "cpu" => "CPUQuota=/CPUMax=/CPUWeight=",
        "io" => "IOWeight=/IOMax=/IO*BandwidthMax=",
        _ => "TasksMax=",
    }
}

/// Moves runr into `<base>/supervisor` where needed, then enables the
/// controllers; returns what is usable and the problems met on the way.
fn set_up_subtree(location: &Location) -> io::Result<(Controllers, Vec<String>)> {
    let base = &location.base;
    if !base.is_dir() {
        fs::create_dir(base)?;
    }
    let available = files::parse_controllers(&fs::read_to_string(base.join("cgroup.controllers"))?);
    let mut enabled = files::parse_controllers(
        &fs::read_to_string(base.join("cgroup.subtree_control")).unwrap_or_default(),
    );
    let mut problems = Vec::new();
    let wanted: Vec<&str> = CONTROLLERS
        .into_iter()
        .filter(|c| available.contains(*c) && !enabled.contains(*c))
        .collect();
    if wanted.is_empty() {
        return Ok((Controllers { available, enabled }, problems));
    }
    if location.move_self {
        let leaf = base.join("supervisor");
        if let Err(e) = fs::create_dir(&leaf)
            && e.kind() != io::ErrorKind::AlreadyExists
        {
            problems.push(format!("cannot create {}: {e}", leaf.display()));
        }
        if let Err(e) = write_file(&leaf.join("cgroup.procs"), &std::process::id().to_string()) {
            problems.push(format!(
                "cannot move the supervisor into {}: {e}",
                leaf.display()
            ));
        }
    }
    for controller in wanted {
        match write_file(
            &base.join("cgroup.subtree_control"),
            &format!("+{controller}"),
        ) {
            Ok(()) => {
                enabled.insert(controller.to_string());
            }
            Err(e) => problems.push(format!(
                "cannot enable the {controller} controller in {}: {e}",
                base.display()
            )),
        }
    }
    Ok((Controllers { available, enabled }, problems))
}

/// Writes the pool's limits for the controllers enabled; returns problems.
fn write_limits(
    dir: &Path,
    pool: &Pool,
    enabled: &BTreeSet<String>,
    sysfs: &Path,
    physical_memory: u64,
) -> Vec<String> {
    let on = |c: &str| enabled.contains(c);
    let mut writes: Vec<(&str, String)> = Vec::new();
    if on("memory") {
        writes.push((
            "memory.max",
            files::memory_value(pool.memory_max, physical_memory),
        ));
        writes.push((
            "memory.high",
            files::memory_value(pool.memory_high, physical_memory),
        ));
    }
    if on("cpu") {
        writes.push(("cpu.max", files::cpu_max_value(pool)));
        writes.push(("cpu.weight", pool.cpu_weight.unwrap_or(100).to_string()));
    }
    if on("pids") {
        writes.push(("pids.max", files::pids_max_value(pool.tasks_max)));
    }
    let mut problems = Vec::new();
    if on("io") {
        writes.push((
            "io.weight",
            format!("default {}", pool.io_weight.unwrap_or(100)),
        ));
        let resolve = |path: &Path| files::resolve_block_device(path, sysfs);
        let (lines, errors) = files::io_max_lines(pool, &resolve);
        problems.extend(errors);
        writes.extend(lines.into_iter().map(|line| ("io.max", line)));
    }
    for (file, value) in writes {
        if let Err(e) = write_file(&dir.join(file), &value) {
            problems.push(format!("cannot write '{value}' to {file}: {e}"));
        }
    }
    problems
}

/// One write(2) of the whole value, as cgroup files want.
fn write_file(path: &Path, value: &str) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(value.as_bytes())
}

fn physical_memory() -> u64 {
    use nix::unistd::{SysconfVar, sysconf};
    let pages = sysconf(SysconfVar::_PHYS_PAGES).ok().flatten().unwrap_or(0);
    let size = sysconf(SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096);
    u64::try_from(pages)
        .unwrap_or(0)
        .saturating_mul(u64::try_from(size).unwrap_or(4096))
}

/// Loads the pool `name` and prepares its group (see [`Pools::prepare`]);
/// a missing or unreadable pool file is said once and the service runs
/// outside any pool.
pub fn join_pool(
    pools: &mut Pools,
    dirs: &[PathBuf],
    name: &str,
    log: &mut dyn FnMut(&str),
) -> Option<(PathBuf, OwnedFd)> {
    match load_pool(dirs, name) {
        Ok((pool, diagnostics)) => {
            for line in diagnostics {
                pools.note(&line.clone(), line, log);
            }
            pools.prepare(&pool, log)
        }
        Err(why) => {
            let message = format!("cgroup: {why}; its services run outside any pool.");
            pools.note(&format!("missing {name}"), message, log);
            None
        }
    }
}

/// The pool file `NAME.cgroup` from the first directory of the search path
/// that has one, with its diagnostics as lines.
pub fn load_pool(dirs: &[PathBuf], name: &str) -> Result<(Pool, Vec<String>), String> {
    let file_name = format!("{name}.cgroup");
    for dir in dirs {
        let path = dir.join(&file_name);
        match fs::read_to_string(&path) {
            Ok(text) => {
                let (pool, diagnostics) = parse_pool(name, &path, &text);
                return Ok((pool, diagnostics.iter().map(ToString::to_string).collect()));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("Failed to read {}: {e}", path.display())),
        }
    }
    Err(format!("Pool {file_name} not found"))
}

/// Resident set size of a process in bytes (/proc/PID/statm).
pub fn resident_bytes(pid: i32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages = files::parse_statm_resident_pages(&text)?;
    let size = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096);
    Some(pages.saturating_mul(u64::try_from(size).unwrap_or(4096)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::pool::{CpuMax, MemoryLimit};

    /// A temp dir standing in for runr's subtree in /sys/fs/cgroup.
    fn fake(controllers: &str) -> (tempfile::TempDir, Pools) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("cgroup.controllers"), controllers).unwrap();
        fs::write(dir.path().join("cgroup.subtree_control"), "").unwrap();
        let location = Location {
            base: dir.path().to_path_buf(),
            move_self: false,
            sysfs: dir.path().join("sys"),
        };
        (dir, Pools::at(Ok(location)))
    }

    fn db() -> Pool {
        Pool {
            name: "db".into(),
            memory_max: Some(MemoryLimit::Bytes(1 << 30)),
            cpu_max: Some(CpuMax::Permille(500)),
            tasks_max: Some(Some(64)),
            ..Pool::default()
        }
    }

    #[test]
    fn writes_limits_of_enabled_controllers_and_notes_the_rest_once() {
        let (dir, mut pools) = fake("cpu io memory\n");
        // The kernel gives a new group its cgroup.procs; the fake needs one.
        fs::create_dir(dir.path().join("pool-db")).unwrap();
        fs::write(dir.path().join("pool-db/cgroup.procs"), "").unwrap();
        let mut log = Vec::new();
        let fd = pools.prepare(&db(), &mut |m| log.push(m.to_string()));
        assert!(fd.is_some());
        let pool = dir.path().join("pool-db");
        let read = |f: &str| fs::read_to_string(pool.join(f)).unwrap();
        assert_eq!(read("memory.max"), "1073741824");
        assert_eq!(read("memory.high"), "max");
        assert_eq!(read("cpu.max"), "50000 100000");
        assert!(!pool.join("pids.max").exists());
        // The fake file holds the last controller written.
        assert_eq!(
            fs::read_to_string(dir.path().join("cgroup.subtree_control")).unwrap(),
            "+io"
        );
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(
            log[0].starts_with("cgroup: the pids controller is not available in "),
            "{log:?}"
        );
        pools.prepare(&db(), &mut |m| log.push(m.to_string()));
        assert_eq!(log.len(), 1, "said once: {log:?}");
    }

    #[test]
    fn missing_cgroup_v2_is_said_once_and_nothing_is_joined() {
        let mut pools = Pools::at(Err("cgroup v2 is not mounted".into()));
        let mut log = Vec::new();
        assert!(
            pools
                .prepare(&db(), &mut |m| log.push(m.to_string()))
                .is_none()
        );
        assert!(
            pools
                .prepare(&db(), &mut |m| log.push(m.to_string()))
                .is_none()
        );
        assert_eq!(
            log,
            [
                "cgroup: cgroup v2 is not mounted; pools are not applied, services run without their limits."
            ]
        );
        assert!(pools.metrics().is_empty());
    }

    #[test]
    fn metrics_read_what_the_kernel_accounts() {
        let (dir, mut pools) = fake("cpu\n");
        pools.prepare(&db(), &mut |_| {});
        let pool = dir.path().join("pool-db");
        fs::write(pool.join("cpu.stat"), "usage_usec 2500000\nuser_usec 1\n").unwrap();
        let metrics = pools.metrics();
        assert_eq!(
            metrics,
            [PoolMetrics {
                name: "db".into(),
                memory_bytes: None,
                cpu_usage_seconds: Some(2.5),
            }]
        );
        fs::write(pool.join("memory.current"), "4096\n").unwrap();
        assert_eq!(pools.metrics()[0].memory_bytes, Some(4096));
    }

    #[test]
    fn pool_files_come_from_the_search_path() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        fs::write(
            b.path().join("db.cgroup"),
            "[Cgroup]\nMemoryMax=1G\nBogus=1\n",
        )
        .unwrap();
        let dirs = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        let (pool, diagnostics) = load_pool(&dirs, "db").unwrap();
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(1 << 30)));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(
            load_pool(&dirs, "web").unwrap_err(),
            "Pool web.cgroup not found"
        );
    }
}

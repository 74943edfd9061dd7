//! cgroup v2 pools: the `.cgroup` files services join with `Cgroup=`.
//!
//! The cgroup root is the cgroup2 mount (in a container with its own
//! cgroup namespace, the namespace's root: `/sys/fs/cgroup`), or
//! `$RUNR_CGROUP_ROOT` when that is set (a delegated subtree). A pool's
//! group is `<root>/NAME`, or its `Path=`: a path under `/sys/fs/cgroup`
//! is taken below the root, so with `RUNR_CGROUP_ROOT=/x` the path
//! `/sys/fs/cgroup/a` is `/x/a`; a path already under the root is taken as
//! it is; any other is refused. `Cgroup=` names a pool, or a group by its
//! path (the directory or its `cgroup.procs`): the pool whose group is
//! there, else a shared group without limits, made on demand.
//!
//! cgroup v2 lets a group hand controllers to its children only while it
//! holds no process itself ("no internal processes"; the hierarchy's real
//! root is exempt), so when runr's own process is in the root, it moves
//! into the leaf `<root>/supervisor` before enabling controllers in the
//! root's `cgroup.subtree_control`. The services' own groups are in
//! `system.slice` next to it (see `unit_groups`); no pool can take either
//! name. A nested `Path=` gets the controllers enabled in each group
//! above it.
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

use crate::config::pool::{self, CgroupTarget, Pool, parse_pool};
use crate::control::types::PoolMetrics;

/// Overrides where the cgroup root is (an existing or creatable directory
/// inside a cgroup2 file system); for delegated subtrees and tests.
pub const ROOT_ENV: &str = "RUNR_CGROUP_ROOT";

/// The controllers a pool can use, in the order they are enabled.
const CONTROLLERS: [&str; 4] = ["memory", "cpu", "io", "pids"];

/// The leaf runr moves itself into when it is in the root.
const SUPERVISOR_LEAF: &str = "supervisor";

/// Where the groups go.
#[derive(Debug, Clone)]
pub struct Location {
    /// The cgroup root: pools are named below it.
    pub root: PathBuf,
    /// Where the services' own groups (`system.slice`) go: the root with
    /// `$RUNR_CGROUP_ROOT`, else runr's own group.
    pub units: PathBuf,
    /// runr's own process is in `root`, which is not the hierarchy's real
    /// root, and must move to a leaf before controllers can be enabled.
    pub move_self: bool,
    /// The sysfs root, for resolving block devices.
    pub sysfs: PathBuf,
}

impl Location {
    /// Finds the cgroup root and runr's own group; Err says why none.
    pub fn detect() -> Result<Location, String> {
        let sysfs = PathBuf::from("/sys");
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let mount = files::parse_cgroup2_mount(&mountinfo);
        let own = fs::read_to_string("/proc/self/cgroup")
            .ok()
            .and_then(|text| files::parse_own_cgroup(&text));
        let own_dir = match (&mount, &own) {
            (Some(mount), Some(own)) => Some(Path::new(mount).join(own.trim_start_matches('/'))),
            _ => None,
        };
        if let Some(root) = std::env::var_os(ROOT_ENV).filter(|v| !v.is_empty()) {
            let root = PathBuf::from(root);
            return Ok(Location {
                move_self: own_dir.is_some_and(|own| must_leave(&own, &root)),
                units: root.clone(),
                root,
                sysfs,
            });
        }
        let mount = mount.ok_or_else(|| "cgroup v2 is not mounted".to_string())?;
        let own_dir = own_dir.ok_or_else(|| "this process has no cgroup v2 group".to_string())?;
        let root = PathBuf::from(mount);
        Ok(Location {
            move_self: must_leave(&own_dir, &root),
            root,
            units: own_dir,
            sysfs,
        })
    }

    /// The directory of a group named by its path: a path under the root as
    /// it is, one under `/sys/fs/cgroup` below the root; Err says why not
    /// (elsewhere, the root itself, or one of runr's own groups).
    pub fn group_dir(&self, path: &str) -> Result<PathBuf, String> {
        let relative = match Path::new(path).strip_prefix(&self.root) {
            Ok(rest) => rest.to_string_lossy().into_owned(),
            Err(_) => match pool::below_cgroup_mount(path) {
                Some(rest) => rest.to_string(),
                None => {
                    return Err(format!(
                        "{path} is not in the cgroup hierarchy at {}",
                        self.root.display()
                    ));
                }
            },
        };
        pool::check_relative_group(&relative)?;
        let dir = self.root.join(&relative);
        if dir.starts_with(self.units.join("system.slice")) {
            return Err("the services' own groups are there".into());
        }
        Ok(dir)
    }

    /// The directory of a pool's group: its `Path=`, else `<root>/NAME`.
    pub fn pool_dir(&self, pool: &Pool) -> Result<PathBuf, String> {
        match &pool.path {
            Some(path) => self.group_dir(path),
            None => {
                pool::check_pool_name(&pool.name)?;
                Ok(self.root.join(&pool.name))
            }
        }
    }
}

/// True when runr's group `own` is `root` and that is not the hierarchy's
/// real root (only a non-root group has `cgroup.type`): then runr has to
/// leave it before controllers can be enabled for its children.
fn must_leave(own: &Path, root: &Path) -> bool {
    let same = match (fs::canonicalize(own), fs::canonicalize(root)) {
        (Ok(a), Ok(b)) => a == b,
        _ => own == root,
    };
    same && root.join("cgroup.type").exists()
}

/// The controllers usable in the root, once set up.
#[derive(Debug, Clone, Default)]
struct Controllers {
    available: BTreeSet<String>,
    enabled: BTreeSet<String>,
}

pub struct Pools {
    location: Result<Location, String>,
    /// None until the root is set up; Some(None) if that failed.
    controllers: Option<Option<Controllers>>,
    /// The groups prepared, by directory, with the settings last written
    /// and whether they come from a pool file (a shared group without one
    /// gets no limits written).
    created: BTreeMap<PathBuf, (Pool, bool)>,
    /// The groups runr made itself, in the order made.
    made: Vec<PathBuf>,
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
            made: Vec::new(),
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

    /// Sets up the root once: moves runr into its leaf where needed and
    /// enables every controller pools can use that the parent offers.
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
        match set_up_root(&location) {
            Ok((controllers, problems)) => {
                for problem in problems {
                    self.note(&problem.clone(), format!("cgroup: {problem}"), log);
                }
                self.controllers = Some(Some(controllers));
            }
            Err(e) => {
                let message = format!(
                    "cgroup: cannot use {}: {e}; pools are not applied, services run without their limits.",
                    location.root.display()
                );
                self.note("unavailable", message, log);
                self.controllers = Some(None);
            }
        }
    }

    /// The location, once the root is set up and usable.
    fn usable(&mut self, log: &mut dyn FnMut(&str)) -> Option<(Location, Controllers)> {
        self.set_up(log);
        let controllers = self.controllers.clone().flatten()?;
        let location = self.location.as_ref().ok()?.clone();
        Some((location, controllers))
    }

    /// Creates (or updates) the pool's group and, for a pool from a file,
    /// writes its limits; returns the group's path and its `cgroup.procs`
    /// opened for the child to write itself into, or None when the service
    /// runs outside (the reason logged once).
    pub fn prepare(
        &mut self,
        pool: &Pool,
        from_file: bool,
        log: &mut dyn FnMut(&str),
    ) -> Option<(PathBuf, OwnedFd)> {
        let (location, controllers) = self.usable(log)?;
        let dir = match location.pool_dir(pool) {
            Ok(dir) => dir,
            Err(why) => {
                self.note(
                    &format!("dir {}", pool.name),
                    format!(
                        "cgroup: pool {} cannot have that group ({why}); its services run outside it.",
                        pool.name
                    ),
                    log,
                );
                return None;
            }
        };
        let needed = if from_file {
            files::needed_controllers(pool)
        } else {
            BTreeSet::new()
        };
        for controller in needed {
            if !controllers.enabled.contains(controller) {
                let why = if controllers.available.contains(controller) {
                    "could not be enabled"
                } else {
                    "is not available"
                };
                let message = format!(
                    "cgroup: the {controller} controller {why} in {}; the {} of pool {} are not applied (and of any other pool).",
                    location.root.display(),
                    settings_of(controller),
                    pool.name
                );
                self.note(controller, message, log);
            }
        }
        let changed = self.created.get(&dir) != Some(&(pool.clone(), from_file));
        let enable: &BTreeSet<String> = if from_file && changed {
            &controllers.enabled
        } else {
            &BTreeSet::new()
        };
        if let Err((group, e)) = self.make_group(&location.root, &dir, enable, log) {
            self.note(
                &format!("mkdir {}", dir.display()),
                format!(
                    "cgroup: cannot create {}: {e}; the services of pool {} run outside it.",
                    group.display(),
                    pool.name
                ),
                log,
            );
            return None;
        }
        if changed {
            if from_file {
                for problem in write_limits(
                    &dir,
                    pool,
                    &controllers.enabled,
                    &location.sysfs,
                    self.physical_memory,
                ) {
                    log(&format!("cgroup: pool {}: {problem}", pool.name));
                }
            }
            self.created.insert(dir.clone(), (pool.clone(), from_file));
        }
        match open_procs(&dir) {
            Ok(fd) => Some((dir, fd)),
            Err(e) => {
                self.note(
                    &format!("procs {}", dir.display()),
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

    /// Makes `dir` and the groups between it and `root` that are missing;
    /// in those between, enables the controllers of `enable` (problems are
    /// noted). Err names the group that could not be made.
    fn make_group(
        &mut self,
        root: &Path,
        dir: &Path,
        enable: &BTreeSet<String>,
        log: &mut dyn FnMut(&str),
    ) -> Result<(), (PathBuf, io::Error)> {
        let relative = dir.strip_prefix(root).unwrap_or(dir);
        let mut group = root.to_path_buf();
        let mut parents = Vec::new();
        for component in relative.components() {
            if group != root {
                parents.push(group.clone());
            }
            group.push(component);
            match fs::create_dir(&group) {
                Ok(()) => self.made.push(group.clone()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err((group, e)),
            }
        }
        for parent in parents {
            for controller in enable {
                if let Err(e) = write_file(
                    &parent.join("cgroup.subtree_control"),
                    &format!("+{controller}"),
                ) {
                    let message = format!(
                        "cgroup: cannot enable the {controller} controller in {}: {e}",
                        parent.display()
                    );
                    self.note(&message.clone(), message, log);
                }
            }
        }
        Ok(())
    }

    /// Memory and CPU of every group prepared; None where the kernel does
    /// not account it (no memory controller, say).
    pub fn metrics(&self) -> Vec<PoolMetrics> {
        self.created
            .iter()
            .map(|(dir, (pool, _))| {
                let read = |file: &str| fs::read_to_string(dir.join(file)).ok();
                PoolMetrics {
                    name: pool.name.clone(),
                    memory_bytes: read("memory.current")
                        .and_then(|t| files::parse_memory_current(&t)),
                    cpu_usage_seconds: read("cpu.stat")
                        .and_then(|t| files::parse_cpu_usage_usec(&t))
                        .map(|usec| usec as f64 / 1e6),
                }
            })
            .collect()
    }

    /// Removes, once they are empty (at shutdown), the groups of the pool
    /// files and every group runr made, deepest first.
    pub fn remove_created(&self) {
        for (dir, (_, from_file)) in self.created.iter().rev() {
            if *from_file {
                let _ = fs::remove_dir(dir);
            }
        }
        for dir in self.made.iter().rev() {
            let _ = fs::remove_dir(dir);
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

/// The pool settings a controller carries, for the note when it is missing.
fn settings_of(controller: &str) -> &'static str {
    match controller {
        "memory" => "MemoryMax=/MemoryHigh=",
        "cpu" => "CpuMax=/CPUWeight=",
        "io" => "IOWeight=/IOMax=",
        _ => "TasksMax=",
    }
}

/// Moves runr into `<root>/supervisor` where needed, then enables the
/// controllers; returns what is usable and the problems met on the way.
fn set_up_root(location: &Location) -> io::Result<(Controllers, Vec<String>)> {
    let root = &location.root;
    if !root.is_dir() {
        fs::create_dir(root)?;
    }
    let available = files::parse_controllers(&fs::read_to_string(root.join("cgroup.controllers"))?);
    let mut enabled = files::parse_controllers(
        &fs::read_to_string(root.join("cgroup.subtree_control")).unwrap_or_default(),
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
        let leaf = root.join(SUPERVISOR_LEAF);
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
            &root.join("cgroup.subtree_control"),
            &format!("+{controller}"),
        ) {
            Ok(()) => {
                enabled.insert(controller.to_string());
            }
            Err(e) => problems.push(format!(
                "cannot enable the {controller} controller in {}: {e}",
                root.display()
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

/// A pool file of the search path, parsed.
#[derive(Debug, Clone)]
pub struct PoolFile {
    pub path: PathBuf,
    pub pool: Pool,
    /// Its diagnostics, as lines.
    pub diagnostics: Vec<String>,
}

/// Every `*.cgroup` file of the search path in its order, each directory's
/// by name; a name found in an earlier directory hides the same name in
/// later ones. The second list says which files could not be read.
pub fn load_pools(dirs: &[PathBuf]) -> (Vec<PoolFile>, Vec<String>) {
    let mut seen = BTreeSet::new();
    let mut pools = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| {
                n.strip_suffix(".cgroup")
                    .is_some_and(|stem| !stem.is_empty())
            })
            .collect();
        names.sort();
        for file_name in names {
            if !seen.insert(file_name.clone()) {
                continue;
            }
            let path = dir.join(&file_name);
            let stem = file_name.trim_end_matches(".cgroup");
            match fs::read_to_string(&path) {
                Ok(text) => {
                    let (pool, diagnostics) = parse_pool(stem, &path, &text);
                    pools.push(PoolFile {
                        path,
                        pool,
                        diagnostics: diagnostics.iter().map(ToString::to_string).collect(),
                    });
                }
                Err(e) => errors.push(format!("Failed to read {}: {e}", path.display())),
            }
        }
    }
    (pools, errors)
}

/// What a `Cgroup=` value joins: a pool file, or a shared group without
/// one (a pool with no limits), or nothing (Err says why).
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The pool of `files[index]`; `others` are the other files that
    /// define the same pool name or group.
    File {
        index: usize,
        others: Vec<usize>,
    },
    Shared(Pool),
}

/// Picks what `target` names among `files`: the first pool of that name,
/// or the first whose group is at that path, else for a path a shared
/// group.
pub fn choose(
    location: &Location,
    files: &[PoolFile],
    target: &CgroupTarget,
) -> Result<Choice, String> {
    let dir_of = |f: &PoolFile| location.pool_dir(&f.pool).ok();
    let found = match target {
        CgroupTarget::Pool(name) => files.iter().position(|f| f.pool.name == *name),
        CgroupTarget::Group(path) => {
            let dir = location.group_dir(path)?;
            match files.iter().position(|f| dir_of(f).as_ref() == Some(&dir)) {
                Some(index) => Some(index),
                None => {
                    let name = dir
                        .strip_prefix(&location.root)
                        .map_or_else(|_| path.clone(), |r| r.display().to_string());
                    return Ok(Choice::Shared(Pool {
                        name,
                        path: Some(dir.display().to_string()),
                        ..Pool::default()
                    }));
                }
            }
        }
    };
    let Some(index) = found else {
        let CgroupTarget::Pool(name) = target else {
            unreachable!("a path always finds a group")
        };
        return Err(format!(
            "Pool {name} not found (no {name}.cgroup, and no pool file says Name={name})"
        ));
    };
    let chosen = &files[index];
    let dir = dir_of(chosen);
    let others = (0..files.len())
        .filter(|&i| i != index)
        .filter(|&i| {
            files[i].pool.name == chosen.pool.name || (dir.is_some() && dir_of(&files[i]) == dir)
        })
        .collect();
    Ok(Choice::File { index, others })
}

/// Joins what a `Cgroup=` value names (see [`choose`]) and prepares its
/// group (see [`Pools::prepare`]). A pool name no file defines, or a value
/// that names no usable group, is said once and the service runs outside
/// any pool; a shared group without a pool file is said once too.
pub fn join_pool(
    pools: &mut Pools,
    dirs: &[PathBuf],
    value: &str,
    log: &mut dyn FnMut(&str),
) -> Option<(PathBuf, OwnedFd)> {
    let target = match pool::parse_cgroup_target(value) {
        Ok(target) => target,
        Err(why) => {
            let message = format!(
                "cgroup: Cgroup={value} names no group ({why}); its services run outside any pool."
            );
            pools.note(&format!("target {value}"), message, log);
            return None;
        }
    };
    let (location, _) = pools.usable(log)?;
    let (files, errors) = load_pools(dirs);
    for error in errors {
        pools.note(&error.clone(), format!("cgroup: {error}"), log);
    }
    match choose(&location, &files, &target) {
        Ok(Choice::File { index, others }) => {
            let chosen = &files[index];
            for line in &chosen.diagnostics {
                pools.note(&line.clone(), line.clone(), log);
            }
            for other in others {
                let message = format!(
                    "cgroup: {} and {} define the same pool or group; {} is used.",
                    chosen.path.display(),
                    files[other].path.display(),
                    chosen.path.display()
                );
                pools.note(&message.clone(), message, log);
            }
            pools.prepare(&chosen.pool, true, log)
        }
        Ok(Choice::Shared(pool)) => {
            let dir = pool.path.clone().unwrap_or_default();
            pools.note(
                &format!("shared {dir}"),
                format!("cgroup: no pool file sets limits for {dir}; its services join it without limits."),
                log,
            );
            pools.prepare(&pool, false, log)
        }
        Err(why) => {
            let message = format!("cgroup: {why}; its services run outside any pool.");
            pools.note(&format!("missing {value}"), message, log);
            None
        }
    }
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

    /// A temp dir standing in for the cgroup root.
    fn fake(controllers: &str) -> (tempfile::TempDir, Pools) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("cgroup.controllers"), controllers).unwrap();
        fs::write(dir.path().join("cgroup.subtree_control"), "").unwrap();
        let location = at(dir.path());
        (dir, Pools::at(Ok(location)))
    }

    fn at(root: &Path) -> Location {
        Location {
            root: root.to_path_buf(),
            units: root.to_path_buf(),
            move_self: false,
            sysfs: root.join("sys"),
        }
    }

    /// The kernel gives a new group its cgroup.procs; a fake group needs
    /// one made.
    fn fake_group(dir: &Path) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("cgroup.procs"), "").unwrap();
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
        fake_group(&dir.path().join("db"));
        let mut log = Vec::new();
        let fd = pools.prepare(&db(), true, &mut |m| log.push(m.to_string()));
        assert_eq!(fd.map(|(d, _)| d), Some(dir.path().join("db")));
        let pool = dir.path().join("db");
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
        pools.prepare(&db(), true, &mut |m| log.push(m.to_string()));
        assert_eq!(log.len(), 1, "said once: {log:?}");
    }

    #[test]
    fn a_shared_group_gets_no_limits_and_no_controller_notes() {
        let (dir, mut pools) = fake("cpu\n");
        let group = dir.path().join("shared");
        fake_group(&group);
        fs::write(group.join("cpu.max"), "10000 100000").unwrap();
        let shared = Pool {
            name: "shared".into(),
            path: Some(group.display().to_string()),
            ..Pool::default()
        };
        let mut log = Vec::new();
        assert!(
            pools
                .prepare(&shared, false, &mut |m| log.push(m.to_string()))
                .is_some()
        );
        assert!(log.is_empty(), "{log:?}");
        assert_eq!(
            fs::read_to_string(group.join("cpu.max")).unwrap(),
            "10000 100000",
            "what another wrote stays"
        );
    }

    #[test]
    fn a_nested_path_gets_its_parents_with_controllers_and_they_go_at_exit() {
        let (dir, mut pools) = fake("cpu memory\n");
        let pool = Pool {
            name: "primary".into(),
            path: Some("/sys/fs/cgroup/db/primary".into()),
            cpu_max: Some(CpuMax::Raw("max".into())),
            ..Pool::default()
        };
        let mut log = Vec::new();
        // No cgroup.procs in a fake group: the join fails, the groups are made.
        assert!(
            pools
                .prepare(&pool, true, &mut |m| log.push(m.to_string()))
                .is_none()
        );
        let parent = dir.path().join("db");
        assert_eq!(
            fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap(),
            "+memory",
            "the last controller written to the group between"
        );
        assert_eq!(
            fs::read_to_string(parent.join("primary/cpu.max")).unwrap(),
            "max"
        );
        assert!(log.iter().any(|l| l.contains("cannot open")), "{log:?}");
        // A shared group deeper down: made, and removed at exit.
        let shared = Pool {
            name: "x/y".into(),
            path: Some(dir.path().join("x/y").display().to_string()),
            ..Pool::default()
        };
        pools.prepare(&shared, false, &mut |_| {});
        assert!(dir.path().join("x/y").is_dir());
        assert!(
            !dir.path().join("x/cgroup.subtree_control").exists(),
            "no controllers for a group without limits"
        );
        pools.remove_created();
        assert!(!dir.path().join("x").exists());
    }

    #[test]
    fn missing_cgroup_v2_is_said_once_and_nothing_is_joined() {
        let mut pools = Pools::at(Err("cgroup v2 is not mounted".into()));
        let mut log = Vec::new();
        assert!(
            pools
                .prepare(&db(), true, &mut |m| log.push(m.to_string()))
                .is_none()
        );
        assert!(
            join_pool(&mut pools, &[], "/sys/fs/cgroup/db", &mut |m| log
                .push(m.to_string()))
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
        pools.prepare(&db(), true, &mut |_| {});
        let pool = dir.path().join("db");
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
    fn group_paths_are_placed_below_the_root() {
        let root = Location {
            root: "/sys/fs/cgroup".into(),
            ..at(Path::new("/sys/fs/cgroup"))
        };
        assert_eq!(
            root.group_dir("/sys/fs/cgroup/pg-pool"),
            Ok("/sys/fs/cgroup/pg-pool".into())
        );
        let delegated = at(Path::new("/sys/fs/cgroup/unified/test"));
        for (path, dir) in [
            (
                "/sys/fs/cgroup/pg-pool",
                "/sys/fs/cgroup/unified/test/pg-pool",
            ),
            ("/sys/fs/cgroup/a/b", "/sys/fs/cgroup/unified/test/a/b"),
            (
                "/sys/fs/cgroup/unified/test/x",
                "/sys/fs/cgroup/unified/test/x",
            ),
        ] {
            assert_eq!(delegated.group_dir(path), Ok(PathBuf::from(dir)), "{path}");
        }
        for (path, why) in [
            ("/sys/fs/cgroup/unified/test", "the cgroup root itself"),
            ("/sys/fs/cgroup", "the cgroup root itself"),
            ("/sys/fs/cgroup/supervisor", "the supervisor's own group"),
            (
                "/sys/fs/cgroup/unified/test/system.slice/a.service",
                "the services' own groups are there",
            ),
            (
                "/srv/x",
                "/srv/x is not in the cgroup hierarchy at /sys/fs/cgroup/unified/test",
            ),
        ] {
            assert_eq!(delegated.group_dir(path), Err(why.to_string()), "{path}");
        }
        // Without RUNR_CGROUP_ROOT the services' groups are in runr's own
        // group, which may be below the root.
        let own = Location {
            units: "/sys/fs/cgroup/docker/abc".into(),
            ..root.clone()
        };
        assert_eq!(
            own.group_dir("/sys/fs/cgroup/docker/abc/system.slice/x"),
            Err("the services' own groups are there".into())
        );
        let named = |name: &str, path: Option<&str>| Pool {
            name: name.into(),
            path: path.map(str::to_string),
            ..Pool::default()
        };
        assert_eq!(
            delegated.pool_dir(&named("pg-pool", None)),
            Ok("/sys/fs/cgroup/unified/test/pg-pool".into())
        );
        assert_eq!(
            delegated.pool_dir(&named("pg-pool", Some("/sys/fs/cgroup/custom-name"))),
            Ok("/sys/fs/cgroup/unified/test/custom-name".into())
        );
        assert_eq!(
            delegated.pool_dir(&named("system.slice", None)),
            Err("the services' own groups are there".into())
        );
    }

    #[test]
    fn runr_leaves_the_root_only_where_the_root_is_a_group_of_its_own() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert!(!must_leave(a.path(), a.path()), "the hierarchy's real root");
        fs::write(a.path().join("cgroup.type"), "domain\n").unwrap();
        assert!(must_leave(a.path(), a.path()), "a namespace's root");
        assert!(!must_leave(b.path(), a.path()), "runr is elsewhere");
    }

    fn write_pools(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
    }

    #[test]
    fn pool_files_come_from_the_search_path() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_pools(
            a.path(),
            &[("web.cgroup", "[Cgroup]\nName=front\n"), ("x.service", "")],
        );
        write_pools(
            b.path(),
            &[
                ("db.cgroup", "[Cgroup]\nMemoryMax=1G\nBogus=1\n"),
                ("web.cgroup", "[Cgroup]\nMemoryMax=2G\n"),
                (".cgroup", ""),
            ],
        );
        let dirs = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        let (files, errors) = load_pools(&dirs);
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<_> = files.iter().map(|f| f.pool.name.as_str()).collect();
        assert_eq!(names, ["front", "db"], "a's web.cgroup hides b's");
        assert_eq!(files[1].pool.memory_max, Some(MemoryLimit::Bytes(1 << 30)));
        assert_eq!(files[1].diagnostics.len(), 1);
        assert_eq!(files[1].path, b.path().join("db.cgroup"));
    }

    #[test]
    fn cgroup_values_choose_a_pool_or_a_shared_group() {
        use crate::config::pool::parse_cgroup_target;
        let units = tempfile::tempdir().unwrap();
        write_pools(
            units.path(),
            &[
                ("pg-pool.cgroup", "[Cgroup]\nName=pg-pool\nMemoryMax=8G\n"),
                ("batch.cgroup", "[Cgroup]\nCpuMax=50%\n"),
                (
                    "custom.cgroup",
                    "[Cgroup]\nPath=/sys/fs/cgroup/custom-name\n",
                ),
            ],
        );
        let (files, _) = load_pools(&[units.path().to_path_buf()]);
        let location = at(Path::new("/cg/root"));
        let chosen = |value: &str| -> Result<String, String> {
            let target = parse_cgroup_target(value)?;
            match choose(&location, &files, &target)? {
                Choice::File { index, others } => {
                    assert!(others.is_empty());
                    Ok(files[index]
                        .path
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned())
                }
                Choice::Shared(pool) => Ok(format!(
                    "shared {} at {}",
                    pool.name,
                    location.pool_dir(&pool).unwrap().display()
                )),
            }
        };
        for (value, want) in [
            ("pg-pool", "pg-pool.cgroup"),
            ("batch", "batch.cgroup"),
            ("custom", "custom.cgroup"),
            ("/sys/fs/cgroup/pg-pool", "pg-pool.cgroup"),
            ("/sys/fs/cgroup/pg-pool/cgroup.procs", "pg-pool.cgroup"),
            ("/cg/root/pg-pool/cgroup.procs", "pg-pool.cgroup"),
            ("/sys/fs/cgroup/batch/", "batch.cgroup"),
            ("/sys/fs/cgroup/custom-name", "custom.cgroup"),
            ("/sys/fs/cgroup/custom-name/cgroup.procs", "custom.cgroup"),
            ("/sys/fs/cgroup/logs", "shared logs at /cg/root/logs"),
            (
                "/sys/fs/cgroup/logs/cgroup.procs",
                "shared logs at /cg/root/logs",
            ),
            ("/cg/root/a/b", "shared a/b at /cg/root/a/b"),
        ] {
            assert_eq!(chosen(value), Ok(want.to_string()), "{value}");
        }
        assert_eq!(
            chosen("custom-name"),
            Err("Pool custom-name not found (no custom-name.cgroup, and no pool file says Name=custom-name)".into())
        );
        assert_eq!(
            chosen("/srv/db"),
            Err("/srv/db is not in the cgroup hierarchy at /cg/root".into())
        );
    }

    #[test]
    fn two_files_for_one_pool_the_first_is_used_and_the_other_named() {
        let units = tempfile::tempdir().unwrap();
        write_pools(
            units.path(),
            &[
                ("a.cgroup", "[Cgroup]\nName=db\n"),
                ("b.cgroup", "[Cgroup]\nPath=/sys/fs/cgroup/db\n"),
                ("db.cgroup", ""),
            ],
        );
        let (files, _) = load_pools(&[units.path().to_path_buf()]);
        let location = at(Path::new("/cg"));
        let target = CgroupTarget::Group("/sys/fs/cgroup/db".into());
        assert_eq!(
            choose(&location, &files, &target),
            Ok(Choice::File {
                index: 0,
                others: vec![1, 2]
            })
        );
    }

    #[test]
    fn joining_by_each_form_lands_in_the_same_group() {
        let (root, mut pools) = fake("\n");
        let units = tempfile::tempdir().unwrap();
        write_pools(
            units.path(),
            &[(
                "pg.cgroup",
                "[Cgroup]\nName=pg-pool   # the group\nMemoryMax=8G\n",
            )],
        );
        fake_group(&root.path().join("pg-pool"));
        fake_group(&root.path().join("logs"));
        let dirs = [units.path().to_path_buf()];
        let mut log = Vec::new();
        for value in [
            "pg-pool",
            "/sys/fs/cgroup/pg-pool",
            "/sys/fs/cgroup/pg-pool/cgroup.procs",
        ] {
            let joined = join_pool(&mut pools, &dirs, value, &mut |m| log.push(m.to_string()));
            assert_eq!(
                joined.map(|(dir, _)| dir),
                Some(root.path().join("pg-pool")),
                "{value}"
            );
        }
        assert_eq!(
            log,
            [format!(
                "cgroup: the memory controller is not available in {}; the MemoryMax=/MemoryHigh= of pool pg-pool are not applied (and of any other pool).",
                root.path().display()
            )]
        );
        log.clear();
        for _ in 0..2 {
            let joined = join_pool(
                &mut pools,
                &dirs,
                "/sys/fs/cgroup/logs/cgroup.procs",
                &mut |m| log.push(m.to_string()),
            );
            assert_eq!(joined.map(|(dir, _)| dir), Some(root.path().join("logs")));
        }
        for value in ["nosuch", "nosuch", "/sys/fs/cgroup/system.slice"] {
            assert!(
                join_pool(&mut pools, &dirs, value, &mut |m| log.push(m.to_string())).is_none()
            );
        }
        assert_eq!(
            log,
            [
                format!(
                    "cgroup: no pool file sets limits for {}; its services join it without limits.",
                    root.path().join("logs").display()
                ),
                "cgroup: Pool nosuch not found (no nosuch.cgroup, and no pool file says Name=nosuch); its services run outside any pool.".to_string(),
                "cgroup: Cgroup=/sys/fs/cgroup/system.slice names no group (the services' own groups are there); its services run outside any pool.".to_string(),
            ]
        );
        let names: Vec<_> = pools.metrics().into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["logs", "pg-pool"]);
    }
}

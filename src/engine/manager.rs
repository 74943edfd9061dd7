//! The units the supervisor knows, their runtimes, and the jobs that start
//! and stop them in dependency order (a small form of systemd's
//! transactions): a start waits for the starts of what it is ordered
//! After=, a stop for the stops of what is ordered After= it.

use std::collections::{BTreeMap, BTreeSet};

use nix::unistd::Pid;

use super::boot::service_plan;
use super::exit_status::ExitStatus;
use super::service::{Executor, JobKind, JobOutcome, ServiceRuntime};
use super::state::ActiveState;
use crate::config::loader::{Loader, Units};
use crate::config::model::{DependencyKind, LoadState, Unit, UnitBody, UnitType};
use crate::syntax::Usec;

/// Targets every systemd user expects to exist, with systemd's
/// descriptions; where no unit file is installed, runr provides them.
pub const WELL_KNOWN_TARGETS: &[(&str, &str)] = &[
    ("multi-user.target", "Multi-User System"),
    ("basic.target", "Basic System"),
    ("sysinit.target", "System Initialization"),
    ("local-fs.target", "Local File Systems"),
    ("local-fs-pre.target", "Preparation for Local File Systems"),
    ("remote-fs.target", "Remote File Systems"),
    ("network.target", "Network"),
    ("network-online.target", "Network is Online"),
    ("network-pre.target", "Preparation for Network"),
    ("nss-lookup.target", "Host and Network Name Lookups"),
    ("nss-user-lookup.target", "User and Group Name Lookups"),
    ("paths.target", "Path Units"),
    ("slices.target", "Slice Units"),
    ("sockets.target", "Socket Units"),
    ("swap.target", "Swaps"),
    ("time-sync.target", "System Time Synchronized"),
    ("timers.target", "Timer Units"),
    ("getty.target", "Login Prompts"),
    ("graphical.target", "Graphical Interface"),
    ("rescue.target", "Rescue Mode"),
    ("shutdown.target", "System Shutdown"),
    ("emergency.target", "Emergency Mode"),
];

fn is_well_known_target(name: &str) -> bool {
    WELL_KNOWN_TARGETS.iter().any(|(n, _)| *n == name)
}

/// A unit's life in the supervisor.
pub enum UnitRuntime {
    Service(Box<ServiceRuntime>),
    /// Targets (and unit types runr does not run) are active or not.
    Passive {
        active: bool,
    },
}

impl UnitRuntime {
    pub fn active_state(&self) -> ActiveState {
        match self {
            UnitRuntime::Service(s) => s.active_state(),
            UnitRuntime::Passive { active: true } => ActiveState::Active,
            UnitRuntime::Passive { active: false } => ActiveState::Inactive,
        }
    }

    fn has_running_job(&self) -> bool {
        matches!(self, UnitRuntime::Service(s) if s.job.is_some())
    }
}

pub struct Manager {
    loader: Loader,
    pub units: Units,
    pub runtimes: BTreeMap<String, UnitRuntime>,
    /// Jobs waiting for their ordering dependencies, in the order queued.
    queued: Vec<(String, JobKind)>,
    /// Units whose last start job failed (their dependents' jobs fail).
    failed_starts: BTreeSet<String>,
}

impl Manager {
    pub fn new(loader: Loader) -> Self {
        let units = loader.load_all();
        Manager {
            loader,
            units,
            runtimes: BTreeMap::new(),
            queued: Vec::new(),
            failed_starts: BTreeSet::new(),
        }
    }

    /// The unit by name or alias, loading it on first use (instances of
    /// templates are loaded when asked for).
    pub fn unit(&mut self, name: &str) -> Option<&Unit> {
        if self.units.get(name).is_none() {
            let unit = self.loader.load_unit(name);
            if unit.load_state == LoadState::NotFound && !is_well_known_target(name) {
                return None;
            }
            self.units.by_name.insert(unit.name.clone(), unit);
        }
        self.units.get(name)
    }

    fn canonical_name(&mut self, name: &str) -> Option<String> {
        self.unit(name).map(|u| u.name.clone())
    }

    /// What systemd starts at boot: default.target (multi-user.target when
    /// no default.target is installed) and, runr's addition, every service
    /// with Autostart=yes.
    pub fn boot_units(&mut self) -> Vec<String> {
        let default = match self.unit("default.target") {
            Some(unit) if unit.load_state == LoadState::Loaded => unit.name.clone(),
            _ => "multi-user.target".to_string(),
        };
        let mut names = vec![default];
        let autostart = self
            .units
            .by_name
            .values()
            .filter(|u| u.service().is_some_and(|s| s.autostart == Some(true)));
        names.extend(autostart.map(|u| u.name.clone()));
        names
    }

    /// A start job for `name` and for what it requires or wants,
    /// transitively. Returns the units that got a job.
    pub fn enqueue_start(&mut self, name: &str) -> Vec<String> {
        let mut added = Vec::new();
        let mut todo = vec![name.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(next) = todo.pop() {
            let Some(canonical) = self.canonical_name(&next) else {
                continue;
            };
            if !seen.insert(canonical.clone()) {
                continue;
            }
            let Some(unit) = self.units.get(&canonical).cloned() else {
                continue;
            };
            if unit.load_state != LoadState::Loaded && !is_well_known_target(&canonical) {
                continue;
            }
            if is_part_of_systemd(&unit) {
                // Journald, udev, tmpfiles and the like are systemd's own
                // machinery; runr is the manager here and does their job.
                continue;
            }
            todo.extend(pulled_in(&unit));
            let already = self
                .queued
                .iter()
                .any(|(n, k)| n == &canonical && *k == JobKind::Start);
            let active = self
                .runtimes
                .get(&canonical)
                .is_some_and(|r| r.active_state().is_active_or_reloading());
            if !already && !active {
                self.queued.retain(|(n, _)| n != &canonical);
                self.queued.push((canonical.clone(), JobKind::Start));
                self.failed_starts.remove(&canonical);
                added.push(canonical);
            }
        }
        added
    }

    /// A stop job for `name` and for the units that require it, are bound
    /// to it or are part of it.
    pub fn enqueue_stop(&mut self, name: &str) {
        let Some(canonical) = self.canonical_name(name) else {
            return;
        };
        let mut todo = vec![canonical];
        let mut seen = BTreeSet::new();
        while let Some(next) = todo.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            for (other, unit) in &self.units.by_name {
                let depends = [
                    DependencyKind::Requires,
                    DependencyKind::BindsTo,
                    DependencyKind::PartOf,
                ]
                .iter()
                .any(|kind| unit.unit.dependencies_of(*kind).any(|d| d == next));
                if depends {
                    todo.push(other.clone());
                }
            }
            self.queued.retain(|(n, _)| n != &next);
            self.queued.push((next, JobKind::Stop));
        }
    }

    /// Stops everything that runs, dependents first.
    pub fn enqueue_shutdown(&mut self) {
        let active: Vec<String> = self
            .runtimes
            .iter()
            .filter(|(_, r)| !r.active_state().is_inactive_or_failed())
            .map(|(n, _)| n.clone())
            .collect();
        self.queued.retain(|(_, kind)| *kind == JobKind::Stop);
        for name in active {
            self.queued.retain(|(n, _)| n != &name);
            self.queued.push((name, JobKind::Stop));
        }
    }

    /// Is `a` ordered after `b`? Explicitly (a has After=b, b has
    /// Before=a), or by systemd's default dependencies: a target is ordered
    /// after what it wants or requires, and a service after basic.target.
    fn ordered_after(&self, a: &str, b: &str) -> bool {
        let (Some(unit_a), unit_b) = (self.units.get(a), self.units.get(b)) else {
            return false;
        };
        let after = unit_a
            .unit
            .dependencies_of(DependencyKind::After)
            .any(|d| d == b);
        let before = unit_b.is_some_and(|u| {
            u.unit
                .dependencies_of(DependencyKind::Before)
                .any(|d| d == a)
        });
        let target_after_wanted = is_target(unit_a)
            && unit_b.is_none_or(|u| u.unit.default_dependencies)
            && pulled_in(unit_a).iter().any(|d| d == b);
        let service_after_basic = unit_a.service().is_some()
            && unit_a.unit.default_dependencies
            && matches!(b, "basic.target" | "sysinit.target");
        after || before || target_after_wanted || service_after_basic
    }

    /// Does some other unit with a job in progress or queued have to finish
    /// first?
    fn must_wait(&self, name: &str, kind: JobKind) -> bool {
        let pending = self.queued.iter().map(|(n, k)| (n.as_str(), *k)).chain(
            self.runtimes
                .iter()
                .filter(|(_, r)| r.has_running_job())
                .map(|(n, r)| {
                    let kind = match r {
                        UnitRuntime::Service(s) => s.job.unwrap_or(JobKind::Start),
                        UnitRuntime::Passive { .. } => JobKind::Start,
                    };
                    (n.as_str(), kind)
                }),
        );
        for (other, other_kind) in pending {
            if other == name {
                continue;
            }
            let blocks = match (kind, other_kind) {
                (JobKind::Stop, JobKind::Stop) => self.ordered_after(other, name),
                (_, JobKind::Stop) => false,
                (JobKind::Stop, _) => false,
                _ => self.ordered_after(name, other),
            };
            if blocks {
                return true;
            }
        }
        false
    }

    /// The required units (ordered before it) whose start failed.
    fn failed_requirement(&self, name: &str) -> bool {
        let Some(unit) = self.units.get(name) else {
            return false;
        };
        [
            DependencyKind::Requires,
            DependencyKind::BindsTo,
            DependencyKind::Requisite,
        ]
        .iter()
        .any(|kind| {
            unit.unit
                .dependencies_of(*kind)
                .any(|d| self.failed_starts.contains(d) && self.ordered_after(name, d))
        })
    }

    /// Runs every queued job whose ordering allows it; repeats until no
    /// job can move.
    pub fn dispatch(&mut self, ex: &mut dyn Executor) {
        loop {
            self.collect_finished_jobs();
            let runnable = self
                .queued
                .iter()
                .position(|(name, kind)| !self.must_wait(name, *kind));
            let Some(index) = runnable else { return };
            let (name, kind) = self.queued.remove(index);
            self.run_job(ex, &name, kind);
        }
    }

    fn run_job(&mut self, ex: &mut dyn Executor, name: &str, kind: JobKind) {
        if kind == JobKind::Start && self.failed_requirement(name) {
            let description = self.description(name);
            ex.log(name, &format!("Dependency failed for {description}."));
            ex.log(
                name,
                &format!("{name}: Job {name}/start failed with result 'dependency'."),
            );
            self.failed_starts.insert(name.to_string());
            return;
        }
        let Some(unit) = self.units.get(name).cloned() else {
            return;
        };
        let runtime =
            self.runtimes
                .entry(name.to_string())
                .or_insert_with(|| match service_plan(&unit) {
                    Some(plan) => UnitRuntime::Service(Box::new(ServiceRuntime::new(plan))),
                    None => UnitRuntime::Passive { active: false },
                });
        match (runtime, kind) {
            (UnitRuntime::Service(service), JobKind::Start) => {
                // A changed unit file takes effect at the next start.
                if service.active_state().is_inactive_or_failed() {
                    if let Some(plan) = service_plan(&unit) {
                        service.plan = plan;
                    }
                }
                service.start(ex);
            }
            (UnitRuntime::Service(service), JobKind::Stop) => {
                service.stop(ex);
            }
            (UnitRuntime::Service(service), JobKind::Reload) => {
                service.reload(ex);
            }
            (UnitRuntime::Passive { active }, JobKind::Start) => {
                if !*active && is_target(&unit) {
                    ex.log(name, &format!("Reached target {}.", description_of(&unit)));
                }
                *active = true;
            }
            (UnitRuntime::Passive { active }, JobKind::Stop) => {
                if *active && is_target(&unit) {
                    ex.log(name, &format!("Stopped target {}.", description_of(&unit)));
                }
                *active = false;
            }
            (UnitRuntime::Passive { .. }, JobKind::Reload) => {}
        }
        self.collect_finished_jobs();
    }

    fn collect_finished_jobs(&mut self) {
        for (name, runtime) in &mut self.runtimes {
            if let UnitRuntime::Service(service) = runtime {
                for (kind, outcome) in service.finished_jobs.drain(..) {
                    if kind == JobKind::Start
                        && matches!(outcome, JobOutcome::Failed | JobOutcome::Assert)
                    {
                        self.failed_starts.insert(name.clone());
                    }
                }
            }
        }
    }

    fn description(&self, name: &str) -> String {
        self.units
            .get(name)
            .map(description_of)
            .unwrap_or_else(|| name.to_string())
    }

    pub fn services_mut(&mut self) -> impl Iterator<Item = &mut ServiceRuntime> {
        self.runtimes.values_mut().filter_map(|r| match r {
            UnitRuntime::Service(s) => Some(s.as_mut()),
            UnitRuntime::Passive { .. } => None,
        })
    }

    /// A child was reaped: its service learns of it, or, for an orphan,
    /// every service checks whether its process groups emptied.
    pub fn on_process_exit(&mut self, ex: &mut dyn Executor, pid: Pid, status: ExitStatus) {
        let mut owned = false;
        for service in self.services_mut() {
            if service.on_process_exit(ex, pid, status) {
                owned = true;
                break;
            }
        }
        if !owned {
            for service in self.services_mut() {
                service.on_orphan_exit(ex);
            }
        }
    }

    pub fn next_deadline(&self) -> Option<Usec> {
        self.runtimes
            .values()
            .filter_map(|r| match r {
                UnitRuntime::Service(s) => s.next_wakeup(),
                UnitRuntime::Passive { .. } => None,
            })
            .min()
    }

    pub fn on_deadlines(&mut self, ex: &mut dyn Executor, now: Usec) {
        for service in self.services_mut() {
            if service.next_wakeup().is_some_and(|d| d <= now) {
                service.on_timeout(ex);
            }
        }
    }

    /// Nothing runs and no job waits.
    pub fn is_idle_and_down(&self) -> bool {
        self.queued.is_empty()
            && self
                .runtimes
                .values()
                .all(|r| r.active_state().is_inactive_or_failed() && !r.has_running_job())
    }
}

fn is_target(unit: &Unit) -> bool {
    unit.unit_type == UnitType::Target || unit.name.ends_with(".target")
}

/// A service whose program belongs to systemd itself.
fn is_part_of_systemd(unit: &Unit) -> bool {
    let Some(command) = unit.service().and_then(|s| s.exec.start.first()) else {
        return false;
    };
    let path = std::path::Path::new(&command.path);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    path.starts_with("/lib/systemd")
        || path.starts_with("/usr/lib/systemd")
        || file_name.starts_with("systemd-")
        || matches!(file_name.as_ref(), "systemctl" | "journalctl" | "udevadm")
}

fn description_of(unit: &Unit) -> String {
    if let Some(description) = &unit.unit.description {
        return description.clone();
    }
    match WELL_KNOWN_TARGETS.iter().find(|(n, _)| *n == unit.name) {
        Some((_, description)) => description.to_string(),
        None => unit.name.clone(),
    }
}

/// What a start of `unit` pulls in: Requires=, Wants=, BindsTo= and the
/// `.wants/`/`.requires/` symlinks.
fn pulled_in(unit: &Unit) -> Vec<String> {
    let mut names: Vec<String> = [
        DependencyKind::Requires,
        DependencyKind::Wants,
        DependencyKind::BindsTo,
    ]
    .iter()
    .flat_map(|kind| {
        unit.unit
            .dependencies_of(*kind)
            .map(String::from)
            .collect::<Vec<_>>()
    })
    .collect();
    names.extend(unit.wants_from_symlinks.iter().cloned());
    names.extend(unit.requires_from_symlinks.iter().cloned());
    if matches!(unit.body, UnitBody::Target) && unit.name == "multi-user.target" {
        names.push("basic.target".into());
    }
    names
}

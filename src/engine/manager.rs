//! The units the supervisor knows, their runtimes, and the jobs that start
//! and stop them in dependency order (a small form of systemd's
//! transactions): a start waits for the starts of what it is ordered
//! After=, a stop for the stops of what is ordered After= it.

use std::collections::{BTreeMap, BTreeSet};

use nix::unistd::Pid;

use super::boot::service_plan;
use super::exit_status::ExitStatus;
use super::job_message::unit_status;
use super::plan::RestartPolicy;
use super::service::{
    DualTimestamp, Executor, JobKind, JobOutcome, RequestOutcome, ServiceRuntime, UnitTimestamps,
};
use super::spawn::{SharedFd, StdioTarget};
use super::state::{ActiveState, ServiceState};
use super::timer::{TimerHost, TimerRuntime, timer_plan};
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

/// How a transient service ended: what `systemd-run --wait` reports and
/// what a background task records. Taken when the unit went down, before it
/// is collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransientEnd {
    pub unit: String,
    /// `Result=`: success, exit-code, signal, timeout, ...
    pub result: &'static str,
    /// The last main process and how it ended.
    pub main_exit: Option<(Pid, ExitStatus)>,
    /// Left the inactive state, entered it again (monotonic usec).
    pub inactive_exit_monotonic: Usec,
    pub inactive_enter_monotonic: Usec,
    /// Entered the inactive state (realtime usec).
    pub inactive_enter_realtime: Usec,
    /// CPU time of the last main process, where it was reaped here.
    pub cpu_usec: Option<Usec>,
}

/// A unit's life in the supervisor.
pub enum UnitRuntime {
    Service(Box<ServiceRuntime>),
    Timer(Box<TimerRuntime>),
    /// Targets (and unit types runr does not run) are active or not.
    Passive(PassiveState),
}

/// A unit that is active or not, with nothing to run.
#[derive(Debug, Default)]
pub struct PassiveState {
    pub active: bool,
    pub timestamps: UnitTimestamps,
    /// The current or last activation's ID ("" before the first).
    pub invocation_id: String,
}

impl PassiveState {
    fn set_active(&mut self, active: bool, ex: &mut dyn Executor) {
        let state = |active| {
            if active {
                ActiveState::Active
            } else {
                ActiveState::Inactive
            }
        };
        if self.active != active {
            let now = DualTimestamp {
                realtime: ex.realtime(),
                monotonic: ex.now(),
            };
            self.timestamps
                .record(state(self.active), state(active), now);
            if active {
                self.invocation_id = ex.new_invocation_id();
            }
        }
        self.active = active;
    }
}

impl UnitRuntime {
    pub fn active_state(&self) -> ActiveState {
        match self {
            UnitRuntime::Service(s) => s.active_state(),
            UnitRuntime::Timer(t) => t.active_state(),
            UnitRuntime::Passive(p) if p.active => ActiveState::Active,
            UnitRuntime::Passive(_) => ActiveState::Inactive,
        }
    }

    fn has_running_job(&self) -> bool {
        matches!(self, UnitRuntime::Service(s) if s.job.is_some())
    }
}

/// How a job ended, in systemd's words (done, failed, canceled,
/// dependency, ...), for the clients waiting on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobResult {
    pub unit: String,
    pub kind: JobKind,
    pub result: &'static str,
}

pub struct Manager {
    loader: Loader,
    pub units: Units,
    pub runtimes: BTreeMap<String, UnitRuntime>,
    /// Jobs waiting for their ordering dependencies, in the order queued.
    queued: Vec<(String, JobKind)>,
    /// Units whose last start job failed (their dependents' jobs fail).
    failed_starts: BTreeSet<String>,
    /// Units to start again once their stop job is done (a restart).
    restart_after_stop: BTreeSet<String>,
    /// Jobs that ended since the caller last drained this.
    pub job_results: Vec<JobResult>,
    /// Randomness, stamps and machine identity for the timers.
    pub timer_host: Box<dyn TimerHost>,
    /// Units created at run time (systemd-run, background tasks), with
    /// whether a failed run is forgotten too (CollectMode=inactive-or-failed).
    pub transient: BTreeMap<String, bool>,
    /// Transient services that went down since the caller last drained this.
    pub transient_ends: Vec<TransientEnd>,
    /// Descriptors a client handed over for a transient service's stdin,
    /// stdout and stderr (`systemd-run --pipe`), used at each of its starts.
    transient_stdio: BTreeMap<String, [SharedFd; 3]>,
    /// The N of the last `run-uN` name given out.
    last_run_number: u64,
    /// The unit-file text of each transient unit (`systemctl cat`).
    pub transient_texts: BTreeMap<String, String>,
    /// A service with runr's Restart=halt went down: the pod stops. Holds
    /// the unit and how its main process ended.
    pub halt: Option<(String, Option<super::exit_status::ExitStatus>)>,
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
            restart_after_stop: BTreeSet::new(),
            job_results: Vec::new(),
            timer_host: Box::new(super::manager_timers::SystemTimerHost::new()),
            halt: None,
            transient: BTreeMap::new(),
            transient_ends: Vec::new(),
            transient_stdio: BTreeMap::new(),
            last_run_number: 0,
            transient_texts: BTreeMap::new(),
        }
    }

    /// daemon-reload: read the unit files again. Running units keep their
    /// processes and a changed file takes effect at the unit's next start;
    /// units that are gone are stopped, new units that boot would start
    /// (enabled, or Autostart=) start, and failed units that would restart
    /// (Restart=always, on-failure) start again.
    pub fn reload_unit_files(&mut self) {
        // What has run (or runs) is known; a unit read by an earlier
        // `systemctl daemon-reload` that never started is still new.
        let known_before: BTreeSet<String> = self.runtimes.keys().cloned().collect();
        self.reread_unit_files();
        self.apply_reload(&known_before);
    }

    /// The reload of `systemctl enable`, `disable`, `mask` ... as systemd
    /// does it: the unit files are read again, and nothing starts or stops.
    pub fn reread_unit_files(&mut self) {
        // systemd keeps, across a reload, how the main process ended but
        // not the runs of commands that are over (status drops their
        // Process: lines).
        for service in self.services_mut() {
            service.exec_runs.retain(|_, run| run.exit.is_none());
        }
        self.loader = Loader::new(self.loader.search_path().clone());
        let transient: Vec<Box<Unit>> = self
            .transient
            .keys()
            .filter_map(|name| self.units.by_name.get(name).cloned())
            .collect();
        self.units = self.loader.load_all();
        for unit in transient {
            self.units.by_name.insert(unit.name.clone(), unit);
        }
    }

    /// What runr's daemon-reload does besides reading the files.
    fn apply_reload(&mut self, known_before: &BTreeSet<String>) {
        // Units loaded on demand (instances, the well-known targets) are
        // loaded again; a running unit whose file is gone is stopped.
        let not_indexed: Vec<String> = self
            .runtimes
            .keys()
            .filter(|name| self.units.get(name).is_none())
            .cloned()
            .collect();
        for name in not_indexed {
            let running = self
                .runtimes
                .get(&name)
                .is_some_and(|r| !r.active_state().is_inactive_or_failed());
            if self.unit(&name).is_none() && running {
                self.queued.retain(|(n, _)| *n != name);
                self.queued.push((name, JobKind::Stop));
            }
        }
        let restartable: Vec<String> = self
            .runtimes
            .iter()
            .filter_map(|(name, r)| match r {
                UnitRuntime::Service(s)
                    if s.active_state() == ActiveState::Failed
                        && matches!(
                            s.plan.restart,
                            RestartPolicy::Always | RestartPolicy::OnFailure
                        ) =>
                {
                    Some(name.clone())
                }
                _ => None,
            })
            .collect();
        // Only units the reload brought in start: an enabled unit that was
        // known before (stopped or failed on purpose) stays as it is.
        let mut starting: Vec<String> = Vec::new();
        for boot_unit in self.boot_units() {
            for name in self.start_closure(&boot_unit) {
                if !known_before.contains(&name) && !starting.contains(&name) {
                    starting.push(name);
                }
            }
        }
        for name in starting.into_iter().chain(restartable) {
            self.enqueue_start(&name);
        }
    }

    /// Creates a transient unit from unit-file text and starts it. Refused
    /// when a unit of that name exists or the text does not load.
    pub fn start_transient(
        &mut self,
        name: &str,
        text: &str,
        collect_failed: bool,
    ) -> Result<(), String> {
        self.add_transient(name, text, collect_failed)?;
        self.enqueue_start(name);
        Ok(())
    }

    /// Creates a transient unit without starting it (the service of a
    /// transient timer).
    pub fn add_transient(
        &mut self,
        name: &str,
        text: &str,
        collect_failed: bool,
    ) -> Result<(), String> {
        if self.unit(name).is_some() {
            return Err(format!(
                "Unit {name} was already loaded or has a fragment file."
            ));
        }
        let unit = self.loader.load_transient(name, text);
        if unit.load_state != LoadState::Loaded {
            let reason = unit
                .diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(format!("Unit {name} has a bad unit file setting: {reason}"));
        }
        self.units.by_name.insert(name.to_string(), Box::new(unit));
        self.transient.insert(name.to_string(), collect_failed);
        self.transient_texts
            .insert(name.to_string(), text.to_string());
        Ok(())
    }

    /// A reaped process used this much CPU: counted for the service whose
    /// main or control process it was.
    pub fn note_process_cpu(&mut self, pid: Pid, cpu_usec: Usec) {
        for service in self.services_mut() {
            let owned = service.main_pid == Some(pid) || service.control_pid == Some(pid);
            if owned && let Some(used) = service.reaped_cpu_usec.as_mut() {
                *used += cpu_usec;
            }
        }
    }

    /// Forgets a transient unit that was never started (its caller went
    /// away); a client waiting for its end hears 'resources'.
    pub fn abandon_transient(&mut self, name: &str) {
        if self.transient.remove(name).is_none() {
            return;
        }
        self.transient_stdio.remove(name);
        self.transient_texts.remove(name);
        self.runtimes.remove(name);
        self.units.by_name.remove(name);
        self.job_results.push(JobResult {
            unit: name.to_string(),
            kind: JobKind::Start,
            result: "failed",
        });
        self.transient_ends.push(TransientEnd {
            unit: name.to_string(),
            result: "resources",
            main_exit: None,
            inactive_exit_monotonic: 0,
            inactive_enter_monotonic: 0,
            inactive_enter_realtime: 0,
            cpu_usec: None,
        });
    }

    /// Gives a transient service the caller's stdin, stdout and stderr.
    pub fn set_transient_stdio(&mut self, name: &str, fds: [SharedFd; 3]) {
        self.transient_stdio.insert(name.to_string(), fds);
    }

    /// A free `run-uN` name, as systemd-run makes one when not given
    /// `--unit=`; `suffixes` are the unit types that must all be free.
    pub fn next_run_name(&mut self, suffixes: &[&str]) -> String {
        loop {
            self.last_run_number += 1;
            let stem = format!("run-u{}", self.last_run_number);
            let taken = suffixes
                .iter()
                .any(|suffix| self.unit(&format!("{stem}.{suffix}")).is_some());
            if !taken {
                return stem;
            }
        }
    }

    /// A transient service that went down: keep how, before it is collected.
    fn record_transient_end(&mut self, name: &str) {
        if !self.transient.contains_key(name) {
            return;
        }
        // The caller's descriptors are for one run: let them go, so the
        // caller sees its streams close even if the unit stays loaded.
        self.transient_stdio.remove(name);
        let Some(UnitRuntime::Service(service)) = self.runtimes.get_mut(name) else {
            return;
        };
        for target in [
            &mut service.plan.exec.stdin,
            &mut service.plan.exec.stdout,
            &mut service.plan.exec.stderr,
        ] {
            if matches!(target, StdioTarget::Fd(_)) {
                *target = StdioTarget::Null;
            }
        }
        let service = &*service;
        self.transient_ends.push(TransientEnd {
            cpu_usec: service.reaped_cpu_usec,
            unit: name.to_string(),
            result: service.result.as_str(),
            main_exit: service.main_exit,
            inactive_exit_monotonic: service.timestamps.inactive_exit.monotonic,
            inactive_enter_monotonic: service.timestamps.inactive_enter.monotonic,
            inactive_enter_realtime: service.timestamps.inactive_enter.realtime,
        });
    }

    /// Forgets transient units that are done: inactive, or failed when
    /// they were started with --collect, and with no job left.
    fn collect_transient(&mut self) {
        let done: Vec<String> = self
            .transient
            .iter()
            .filter(|(name, collect_failed)| {
                let queued = self.queued.iter().any(|(n, _)| n == *name);
                let finished = self.runtimes.get(*name).is_some_and(|r| match r.active_state() {
                    ActiveState::Inactive => true,
                    ActiveState::Failed => **collect_failed,
                    _ => false,
                } && !r.has_running_job());
                finished && !queued
            })
            .map(|(name, _)| name.clone())
            .collect();
        for name in done {
            self.transient.remove(&name);
            self.transient_stdio.remove(&name);
            self.transient_texts.remove(&name);
            self.runtimes.remove(&name);
            self.units.by_name.remove(&name);
        }
    }

    /// The unit a client names (see [`Manager::resolve`]), or what the
    /// loader says of a name it cannot find (for `show`, which answers
    /// LoadState=not-found).
    pub fn unit_or_not_found(&mut self, name: &str) -> Unit {
        match self.resolve(name).and_then(|n| self.units.get(&n)) {
            Some(unit) => unit.clone(),
            None => self.loader.load_unit(name),
        }
    }

    /// What other units say of `name`: WantedBy=, RequiredBy=, PartOf's
    /// ConsistsOf=, BindsTo's BoundBy=, Before=/After= seen from the other
    /// side, keyed by the property that shows them.
    pub fn reverse_dependencies(&self, name: &str) -> BTreeMap<String, Vec<String>> {
        let mut reverse: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let wanted_defaults = self
            .units
            .get(name)
            .is_some_and(|u| u.unit.default_dependencies);
        for (other, unit) in &self.units.by_name {
            let mut add = |property: &str| {
                let list = reverse.entry(property.to_string()).or_default();
                if !list.contains(other) {
                    list.push(other.clone());
                }
            };
            if unit.wants_from_symlinks.iter().any(|w| w == name)
                || unit
                    .unit
                    .dependencies_of(DependencyKind::Wants)
                    .any(|d| d == name)
            {
                add("WantedBy");
            }
            if unit.requires_from_symlinks.iter().any(|w| w == name)
                || unit
                    .unit
                    .dependencies_of(DependencyKind::Requires)
                    .any(|d| d == name)
            {
                add("RequiredBy");
            }
            if unit
                .unit
                .dependencies_of(DependencyKind::PartOf)
                .any(|d| d == name)
            {
                add("ConsistsOf");
            }
            if unit
                .unit
                .dependencies_of(DependencyKind::BindsTo)
                .any(|d| d == name)
            {
                add("BoundBy");
            }
            if unit
                .unit
                .dependencies_of(DependencyKind::Before)
                .any(|d| d == name)
            {
                add("After");
            }
            // A target is ordered after what it pulls in (systemd's default
            // target dependencies), unless either side opted out.
            let target_after_wanted = is_target(unit)
                && unit.unit.default_dependencies
                && wanted_defaults
                && pulled_in(unit).iter().any(|d| d == name);
            if target_after_wanted
                || unit
                    .unit
                    .dependencies_of(DependencyKind::After)
                    .any(|d| d == name)
            {
                add("Before");
            }
        }
        reverse
    }

    /// Where to read units from.
    pub fn search_path(&self) -> &crate::config::search_path::SearchPath {
        self.loader.search_path()
    }

    /// The canonical name of the unit a client names, if it exists (a
    /// file, an alias, an instance of a template, or a well-known target),
    /// loaded as systemd loads a unit on demand: a unit systemd keeps
    /// loaded (see [`Manager::is_kept`]) is as it was read, changed files
    /// or not (`NeedDaemonReload=yes` says so); any other is read afresh
    /// if its files changed, and is gone if they are.
    pub fn resolve(&mut self, name: &str) -> Option<String> {
        let Some(canonical) = self.units.get(name).map(|u| u.name.clone()) else {
            return self.canonical_name(name);
        };
        if self.is_kept(&canonical) {
            return Some(canonical);
        }
        self.loader.refresh_if_stale();
        let changed = self
            .units
            .get(&canonical)
            .is_some_and(|unit| self.loader.need_reload(unit));
        if changed {
            return self.load_again(&canonical);
        }
        Some(canonical)
    }

    /// Whether systemd would hold the unit in memory, and so not read it
    /// again before a daemon-reload: it runs or has run and is not
    /// collected, it is transient, or a unit held so refers to it.
    pub fn is_kept(&self, name: &str) -> bool {
        self.runtimes.contains_key(name)
            || self.transient.contains_key(name)
            || self.loaded_units().contains(name)
    }

    /// `NeedDaemonReload=`: the unit's files changed on disk since it was
    /// read. A transient unit has none.
    pub fn need_daemon_reload(&self, unit: &Unit) -> bool {
        !self.transient.contains_key(&unit.name) && self.loader.need_reload(unit)
    }

    /// Reads a unit's files again, in place of what was read before, and
    /// returns its name; None (and the unit forgotten) when no file is
    /// left.
    fn load_again(&mut self, name: &str) -> Option<String> {
        let fresh = self.loader.load_unit(name);
        self.units.aliases.retain(|_, unit| unit != name);
        self.units.by_name.remove(name);
        if fresh.load_state == LoadState::NotFound && !is_well_known_target(name) {
            return None;
        }
        for alias in &fresh.aliases {
            self.units.aliases.insert(alias.clone(), fresh.name.clone());
        }
        for alias in &fresh.install.alias {
            self.units
                .aliases
                .entry(alias.clone())
                .or_insert_with(|| fresh.name.clone());
        }
        let canonical = fresh.name.clone();
        self.units
            .by_name
            .insert(canonical.clone(), Box::new(fresh));
        Some(canonical)
    }

    /// A restart job: stop the unit and what requires it, is bound to it or
    /// is part of it, then start again those that were running; a unit that
    /// is not running is simply started.
    pub fn enqueue_restart(&mut self, name: &str) {
        let Some(canonical) = self.canonical_name(name) else {
            return;
        };
        let running = |m: &Self, n: &str| {
            m.runtimes
                .get(n)
                .is_some_and(|r| !r.active_state().is_inactive_or_failed())
        };
        if !running(self, &canonical) {
            self.enqueue_start(&canonical);
            return;
        }
        for unit in self.stop_closure(&canonical) {
            if unit == canonical || running(self, &unit) {
                self.queued.retain(|(n, _)| n != &unit);
                self.queued.push((unit.clone(), JobKind::Stop));
                self.restart_after_stop.insert(unit);
            }
        }
    }

    /// A reload job for a running unit.
    pub fn enqueue_reload(&mut self, name: &str) {
        let Some(canonical) = self.canonical_name(name) else {
            return;
        };
        self.queued.retain(|(n, _)| n != &canonical);
        self.queued.push((canonical, JobKind::Reload));
    }

    /// The unit by name or alias, loading it on first use (instances of
    /// templates are loaded when asked for). A name not known yet is
    /// looked up afresh: with the directories read again if one changed,
    /// a unit file written since boot (or since the name was last asked
    /// for) is found without a daemon-reload, as systemd finds it.
    pub fn unit(&mut self, name: &str) -> Option<&Unit> {
        if self.units.get(name).is_none() {
            self.loader.refresh_if_stale();
            let unit = self.loader.load_unit(name);
            if unit.load_state == LoadState::NotFound && !is_well_known_target(name) {
                return None;
            }
            self.units.by_name.insert(unit.name.clone(), Box::new(unit));
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
        let autostart = self.units.by_name.values().filter(|u| {
            u.service().is_some_and(|s| s.autostart == Some(true))
                || u.timer().is_some_and(|t| t.autostart == Some(true))
        });
        names.extend(autostart.map(|u| u.name.clone()));
        names
    }

    /// A start job for `name` and for what it requires or wants,
    /// transitively. Returns the units that got a job.
    pub fn enqueue_start(&mut self, name: &str) -> Vec<String> {
        let mut added = Vec::new();
        for canonical in self.start_closure(name) {
            if let Some(unit) = self.units.get(&canonical).cloned() {
                self.stop_conflicting(&canonical, &unit);
            }
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

    /// `name` and what it requires or wants, transitively: the units a
    /// start of `name` pulls in, by canonical name.
    fn start_closure(&mut self, name: &str) -> Vec<String> {
        let mut closure = Vec::new();
        let mut todo = vec![name.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(next) = todo.pop() {
            let Some(canonical) = self.canonical_name(&next) else {
                continue;
            };
            if !seen.insert(canonical.clone()) {
                continue;
            }
            let Some(unit) = self.units.get(&canonical) else {
                continue;
            };
            if unit.load_state != LoadState::Loaded && !is_well_known_target(&canonical) {
                continue;
            }
            if is_part_of_systemd(unit) {
                // Journald, udev, tmpfiles and the like are systemd's own
                // machinery; runr is the manager here and does their job.
                continue;
            }
            todo.extend(pulled_in(unit));
            closure.push(canonical);
        }
        closure
    }

    /// A stop job for `name` and for the units that require it, are bound
    /// to it or are part of it.
    pub fn enqueue_stop(&mut self, name: &str) {
        let Some(canonical) = self.canonical_name(name) else {
            return;
        };
        for unit in self.stop_closure(&canonical) {
            self.queued.retain(|(n, _)| n != &unit);
            self.queued.push((unit, JobKind::Stop));
        }
    }

    /// `name` and, transitively, what requires it, is bound to it or is
    /// part of it: what a stop (or restart) of `name` takes along.
    fn stop_closure(&self, name: &str) -> Vec<String> {
        let mut closure = Vec::new();
        let mut todo = vec![name.to_string()];
        while let Some(next) = todo.pop() {
            if closure.contains(&next) {
                continue;
            }
            let kinds = [
                DependencyKind::Requires,
                DependencyKind::BindsTo,
                DependencyKind::PartOf,
            ];
            todo.extend(self.dependents_of(&next, &kinds));
            closure.push(next);
        }
        closure
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

    /// Must the job (`name`, `kind`) wait for the job (`other`, `other_kind`)?
    /// Starts wait for the starts of what they are ordered after; stops for
    /// the stops of what is ordered after them.
    fn blocks(&self, name: &str, kind: JobKind, other: &str, other_kind: JobKind) -> bool {
        match (kind, other_kind) {
            (JobKind::Stop, JobKind::Stop) => self.ordered_after(other, name),
            (_, JobKind::Stop) | (JobKind::Stop, _) => false,
            _ => self.ordered_after(name, other),
        }
    }

    /// Does some other unit with a job in progress or queued have to finish
    /// first?
    fn must_wait(&self, name: &str, kind: JobKind) -> bool {
        let queued = self.queued.iter().map(|(n, k)| (n.as_str(), *k));
        let running = self
            .runtimes
            .iter()
            .filter(|(_, r)| r.has_running_job())
            .map(|(n, r)| {
                let kind = match r {
                    UnitRuntime::Service(s) => s.job.unwrap_or(JobKind::Start),
                    UnitRuntime::Timer(_) | UnitRuntime::Passive(_) => JobKind::Start,
                };
                (n.as_str(), kind)
            });
        queued
            .chain(running)
            .any(|(other, other_kind)| other != name && self.blocks(name, kind, other, other_kind))
    }

    /// A requirement failed: a unit it Requires=/BindsTo= (and is ordered
    /// after) failed to start, or a Requisite= is not active.
    fn failed_requirement(&self, name: &str) -> bool {
        let Some(unit) = self.units.get(name) else {
            return false;
        };
        let failed_start = [DependencyKind::Requires, DependencyKind::BindsTo]
            .iter()
            .any(|kind| {
                unit.unit
                    .dependencies_of(*kind)
                    .any(|d| self.failed_starts.contains(d) && self.ordered_after(name, d))
            });
        let requisite_down = unit
            .unit
            .dependencies_of(DependencyKind::Requisite)
            .any(|d| {
                !self
                    .runtimes
                    .get(d)
                    .is_some_and(|r| r.active_state().is_active_or_reloading())
            });
        failed_start || requisite_down
    }

    pub fn dispatch(&mut self, ex: &mut dyn Executor) {
        loop {
            self.collect_finished_jobs();
            self.sync_timers(ex);
            let runnable = self
                .queued
                .iter()
                .position(|(name, kind)| !self.must_wait(name, *kind));
            let Some(index) = runnable else {
                if self.break_ordering_cycle(ex) {
                    continue;
                }
                self.collect_transient();
                return;
            };
            let (name, kind) = self.queued.remove(index);
            self.run_job(ex, &name, kind);
        }
    }

    /// Queued jobs that only wait for one another, with no job running to
    /// end the wait, form an ordering cycle: like systemd, delete one job of
    /// the cycle (one pulled in by Wants= where there is one) and go on.
    fn break_ordering_cycle(&mut self, ex: &mut dyn Executor) -> bool {
        let anything_running = self.runtimes.values().any(|r| r.has_running_job());
        if self.queued.is_empty() || anything_running {
            return false;
        }
        let Some(cycle) = self.find_cycle() else {
            return false;
        };
        let (start, start_kind) = cycle[0].clone();
        let verb = |k: JobKind| match k {
            JobKind::Start => "start",
            JobKind::Stop => "stop",
            JobKind::Reload => "reload",
        };
        ex.log(
            &start,
            &format!(
                "{start}: Found ordering cycle on {}/{}",
                cycle[1].0,
                verb(cycle[1].1)
            ),
        );
        for (unit, kind) in cycle.iter().skip(1) {
            ex.log(
                &start,
                &format!("{start}: Found dependency on {unit}/{}", verb(*kind)),
            );
        }
        let (victim, victim_kind) = cycle.last().cloned().unwrap_or_else(|| cycle[0].clone());
        ex.log(
            &start,
            &format!(
                "{start}: Job {victim}/{} deleted to break ordering cycle starting with {start}/{}",
                verb(victim_kind),
                verb(start_kind)
            ),
        );
        self.queued
            .retain(|(n, k)| !(*n == victim && *k == victim_kind));
        true
    }

    /// A cycle of queued jobs, each waiting for the next, if there is one.
    fn find_cycle(&self) -> Option<Vec<(String, JobKind)>> {
        let (first, first_kind) = self.queued.first()?.clone();
        let mut path: Vec<(String, JobKind)> = vec![(first, first_kind)];
        loop {
            let (current, kind) = path.last()?.clone();
            let next = self.queued.iter().find(|(other, other_kind)| {
                *other != current && self.blocks(&current, kind, other, *other_kind)
            })?;
            if let Some(at) = path.iter().position(|p| p == next) {
                let mut cycle = path.split_off(at);
                cycle.push(next.clone());
                return Some(cycle);
            }
            path.push(next.clone());
        }
    }

    fn run_job(&mut self, ex: &mut dyn Executor, name: &str, kind: JobKind) {
        if kind == JobKind::Start && self.failed_requirement(name) {
            let unit = unit_status(name, &self.description(name));
            ex.log(name, &format!("Dependency failed for {unit}."));
            ex.log(
                name,
                &format!("{name}: Job {name}/start failed with result 'dependency'."),
            );
            self.failed_starts.insert(name.to_string());
            self.job_results.push(JobResult {
                unit: name.to_string(),
                kind,
                result: "dependency",
            });
            return;
        }
        let Some(unit) = self.unit(name).cloned() else {
            // The unit file is gone: the runtime still knows how to stop it.
            match self.runtimes.get_mut(name) {
                Some(UnitRuntime::Service(service)) if kind == JobKind::Stop => {
                    service.stop(ex);
                }
                Some(UnitRuntime::Passive(passive)) if kind == JobKind::Stop => {
                    passive.set_active(false, ex);
                    self.job_results.push(JobResult {
                        unit: name.to_string(),
                        kind,
                        result: "done",
                    });
                }
                _ => {}
            }
            return;
        };
        let runtime = self.runtimes.entry(name.to_string()).or_insert_with(|| {
            match (service_plan(&unit), timer_plan(&unit)) {
                (Some(plan), _) => UnitRuntime::Service(Box::new(ServiceRuntime::new(plan))),
                (None, Some(plan)) => UnitRuntime::Timer(Box::new(TimerRuntime::new(plan))),
                (None, None) => UnitRuntime::Passive(PassiveState::default()),
            }
        });
        if matches!(runtime, UnitRuntime::Timer(_)) {
            self.run_timer_job(ex, name, kind);
            self.collect_finished_jobs();
            return;
        }
        match (runtime, kind) {
            (UnitRuntime::Service(service), JobKind::Start) => {
                // A changed unit file takes effect at the next start.
                if service.active_state().is_inactive_or_failed() {
                    if let Some(plan) = service_plan(&unit) {
                        service.plan = plan;
                    }
                    if let Some([stdin, stdout, stderr]) = self.transient_stdio.get(name) {
                        service.plan.exec.stdin = StdioTarget::Fd(stdin.clone());
                        service.plan.exec.stdout = StdioTarget::Fd(stdout.clone());
                        service.plan.exec.stderr = StdioTarget::Fd(stderr.clone());
                    }
                }
                if service.start(ex) == RequestOutcome::AlreadyDone {
                    self.job_results.push(JobResult {
                        unit: name.to_string(),
                        kind,
                        result: "done",
                    });
                }
            }
            (UnitRuntime::Service(service), JobKind::Stop) => {
                service.stop(ex);
            }
            (UnitRuntime::Service(service), JobKind::Reload) => {
                let outcome = service.reload(ex);
                if outcome != RequestOutcome::Accepted {
                    self.job_results.push(JobResult {
                        unit: name.to_string(),
                        kind,
                        result: "failed",
                    });
                }
            }
            (UnitRuntime::Passive(passive), JobKind::Start) => {
                // Active first, then the message: status shows the log from
                // the activation on.
                let was_active = passive.active;
                passive.set_active(true, ex);
                if !was_active && is_target(&unit) {
                    let target = unit_status(name, &description_of(&unit));
                    ex.log(name, &format!("Reached target {target}."));
                }
                self.job_results.push(JobResult {
                    unit: name.to_string(),
                    kind,
                    result: "done",
                });
            }
            (UnitRuntime::Passive(passive), JobKind::Stop) => {
                if passive.active && is_target(&unit) {
                    let target = unit_status(name, &description_of(&unit));
                    ex.log(name, &format!("Stopped target {target}."));
                }
                passive.set_active(false, ex);
                self.job_results.push(JobResult {
                    unit: name.to_string(),
                    kind,
                    result: "done",
                });
            }
            (UnitRuntime::Timer(_), _) => {}
            (UnitRuntime::Passive(_), JobKind::Reload) => {
                self.job_results.push(JobResult {
                    unit: name.to_string(),
                    kind,
                    result: "done",
                });
            }
        }
        self.collect_finished_jobs();
    }

    /// Takes in what the services did since the last look: ended jobs
    /// (for waiting clients, failed requirements and restarts) and units
    /// that went down (for the units bound to them).
    fn collect_finished_jobs(&mut self) {
        let mut restarts = Vec::new();
        let mut went_down = Vec::new();
        // Starts that a condition skipped or an assert failed: the unit
        // never left "inactive", and systemd unloads it if nothing refers
        // to it, forgetting the check.
        let mut never_ran = Vec::new();
        for (name, runtime) in &mut self.runtimes {
            let UnitRuntime::Service(service) = runtime else {
                continue;
            };
            for (kind, outcome) in service.finished_jobs.drain(..) {
                if kind == JobKind::Start
                    && matches!(outcome, JobOutcome::Failed | JobOutcome::Assert)
                {
                    self.failed_starts.insert(name.clone());
                }
                if kind == JobKind::Stop && self.restart_after_stop.remove(name) {
                    restarts.push(name.clone());
                }
                if kind == JobKind::Start
                    && matches!(outcome, JobOutcome::Skipped | JobOutcome::Assert)
                {
                    never_ran.push(name.clone());
                }
                let result = match outcome {
                    JobOutcome::Done => "done",
                    JobOutcome::Failed => "failed",
                    JobOutcome::Canceled => "canceled",
                    JobOutcome::Skipped => "skipped",
                    JobOutcome::Assert => "assert",
                };
                self.job_results.push(JobResult {
                    unit: name.clone(),
                    kind,
                    result,
                });
            }
            for (old, new) in service.transitions.drain(..) {
                if !old.active_state().is_inactive_or_failed()
                    && new.active_state().is_inactive_or_failed()
                {
                    went_down.push(name.clone());
                }
            }
            if service.halt_requested.take().is_some() && self.halt.is_none() {
                self.halt = Some((name.clone(), service.main_exit.map(|(_, status)| status)));
            }
        }
        for name in restarts {
            self.enqueue_start(&name);
        }
        for name in &went_down {
            self.record_transient_end(name);
        }
        for name in went_down.iter().chain(&never_ran) {
            if self.may_collect(name) {
                self.runtimes.remove(name);
            }
        }
        for name in went_down {
            // BindsTo=: a unit bound to one that stopped, for whatever
            // reason, stops too.
            for dependent in self.dependents_of(&name, &[DependencyKind::BindsTo]) {
                let active = self
                    .runtimes
                    .get(&dependent)
                    .is_some_and(|r| !r.active_state().is_inactive_or_failed());
                let stopping = self
                    .queued
                    .iter()
                    .any(|(n, k)| *n == dependent && *k == JobKind::Stop);
                if active && !stopping {
                    self.queued.push((dependent, JobKind::Stop));
                }
            }
        }
    }

    /// `systemctl reset-failed`: the service forgets its failure and its
    /// past starts; then, like one that ended well, it is unloaded if
    /// nothing refers to it (`status` shows no "since" and no `Duration:`,
    /// `show` no timestamps), and kept with its last run if something does.
    pub fn reset_failed(&mut self, name: &str) {
        if let Some(UnitRuntime::Service(service)) = self.runtimes.get_mut(name) {
            service.reset_failed();
        }
        if self.may_collect(name) {
            self.runtimes.remove(name);
        }
    }

    /// systemd unloads a service that ended well and that nothing refers
    /// to, forgetting its last run: `status` then shows it as never run.
    /// Transient units have their own rule (collect_transient).
    fn may_collect(&self, name: &str) -> bool {
        let ended_well = matches!(
            self.runtimes.get(name),
            Some(UnitRuntime::Service(s)) if s.state == ServiceState::Dead && s.job.is_none()
        );
        ended_well
            && !self.transient.contains_key(name)
            && !self.queued.iter().any(|(n, _)| n == name)
            && !self.restart_after_stop.contains(name)
            && !self.is_referenced(name)
    }

    /// The units systemd would have loaded: those with a state (running,
    /// failed, or ended and still referenced), and what they refer to,
    /// transitively. `list-units` lists these, not every unit file.
    pub fn loaded_units(&self) -> BTreeSet<String> {
        let mut loaded = BTreeSet::new();
        let mut todo: Vec<String> = self.runtimes.keys().cloned().collect();
        todo.extend(
            self.units
                .by_name
                .values()
                .filter(|u| u.service().is_some_and(|s| s.autostart == Some(true)))
                .map(|u| u.name.clone()),
        );
        while let Some(name) = todo.pop() {
            let Some(unit) = self.units.get(&name) else {
                continue;
            };
            if !loaded.insert(unit.name.clone()) {
                continue;
            }
            todo.extend(references_of(unit));
        }
        loaded
    }

    /// Whether another unit pulls `name` in, conflicts with it, is part of
    /// it, triggers it or handles its failure, or `name` starts at boot by
    /// Autostart=: what keeps systemd from unloading a unit.
    fn is_referenced(&self, name: &str) -> bool {
        let Some(unit) = self.units.get(name) else {
            return false;
        };
        if unit.service().is_some_and(|s| s.autostart == Some(true)) {
            return true;
        }
        let names: Vec<&str> = std::iter::once(unit.name.as_str())
            .chain(unit.aliases.iter().map(String::as_str))
            .collect();
        let refers = |other: &Unit| {
            references_of(other)
                .iter()
                .any(|n| names.contains(&n.as_str()))
        };
        self.units
            .by_name
            .values()
            .filter(|other| other.name != unit.name && other.load_state == LoadState::Loaded)
            .any(|other| refers(other))
    }

    /// Conflicts= (either way round): starting `name` stops the other.
    fn stop_conflicting(&mut self, name: &str, unit: &Unit) {
        let mut conflicting: Vec<String> = unit
            .unit
            .dependencies_of(DependencyKind::Conflicts)
            .map(String::from)
            .collect();
        conflicting.extend(self.dependents_of(name, &[DependencyKind::Conflicts]));
        for other in conflicting {
            let running = self
                .runtimes
                .get(&other)
                .is_some_and(|r| !r.active_state().is_inactive_or_failed());
            let queued_start = self
                .queued
                .iter()
                .any(|(n, k)| *n == other && *k == JobKind::Start);
            if running || queued_start {
                self.queued.retain(|(n, _)| *n != other);
                self.queued.push((other, JobKind::Stop));
            }
        }
    }

    /// The units that point at `name` with one of `kinds`.
    fn dependents_of(&self, name: &str, kinds: &[DependencyKind]) -> Vec<String> {
        self.units
            .by_name
            .iter()
            .filter(|(_, unit)| {
                kinds
                    .iter()
                    .any(|kind| unit.unit.dependencies_of(*kind).any(|d| d == name))
            })
            .map(|(other, _)| other.clone())
            .collect()
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
            UnitRuntime::Timer(_) | UnitRuntime::Passive(_) => None,
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

    /// Services with MaxMemoryRSS= and a main process: (name, PID, limit).
    /// The limit is the loaded unit file's, so a daemon-reload changes it
    /// at once (transient units keep their plan's).
    pub fn memory_limited(&self) -> Vec<(String, Pid, u64)> {
        let services = self.runtimes.iter().filter_map(|(name, r)| match r {
            UnitRuntime::Service(s) => Some((name, s)),
            _ => None,
        });
        services
            .filter_map(|(name, s)| {
                let limit = match self.units.get(name).and_then(|u| u.service()) {
                    Some(service) => service.max_memory_rss.filter(|n| *n > 0),
                    None => s.plan.max_memory_rss,
                };
                Some((name.clone(), s.main_pid?, limit?))
            })
            .collect()
    }

    /// The PID file `name` waits for may have appeared (its watch fired).
    pub fn on_pid_file_changed(&mut self, ex: &mut dyn Executor, name: &str) {
        if let Some(UnitRuntime::Service(s)) = self.runtimes.get_mut(name) {
            s.on_pid_file_changed(ex);
        }
    }

    pub fn on_memory_exceeded(&mut self, ex: &mut dyn Executor, name: &str, rss: u64, limit: u64) {
        if let Some(UnitRuntime::Service(s)) = self.runtimes.get_mut(name) {
            s.on_memory_exceeded(ex, rss, limit);
        }
    }

    pub fn next_deadline(&self) -> Option<Usec> {
        let services = self
            .runtimes
            .values()
            .filter_map(|r| match r {
                UnitRuntime::Service(s) => s.next_wakeup(),
                UnitRuntime::Timer(_) | UnitRuntime::Passive(_) => None,
            })
            .min();
        [services, self.timer_wakeup()].into_iter().flatten().min()
    }

    pub fn on_deadlines(&mut self, ex: &mut dyn Executor, now: Usec) {
        for service in self.services_mut() {
            if service.next_wakeup().is_some_and(|d| d <= now) {
                service.on_timeout(ex);
            }
        }
        self.on_timer_deadlines(ex);
    }

    /// A job for `name` is queued, or one is under way.
    pub(super) fn job_pending(&self, name: &str) -> bool {
        self.queued.iter().any(|(n, _)| n == name)
            || self.runtimes.get(name).is_some_and(|r| r.has_running_job())
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

/// The units `unit` refers to in a way that keeps them loaded: what it
/// pulls in, requires to be up, upholds, is part of, conflicts with, hands
/// its success or failure to, or triggers.
fn references_of(unit: &Unit) -> Vec<String> {
    let kinds = [
        DependencyKind::Requisite,
        DependencyKind::Upholds,
        DependencyKind::PartOf,
        DependencyKind::Conflicts,
        DependencyKind::OnSuccess,
        DependencyKind::OnFailure,
    ];
    let declared = kinds
        .iter()
        .flat_map(|kind| unit.unit.dependencies_of(*kind).map(String::from));
    let triggered = unit
        .timer()
        .and_then(|t| crate::config::timer::triggered_unit(t, &unit.name));
    pulled_in(unit)
        .into_iter()
        .chain(declared)
        .chain(triggered)
        .collect()
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
    if unit.name == "basic.target" {
        // systemd's basic.target wants timers.target, which the enabled
        // timers' [Install] WantedBy= links hang off.
        names.push("timers.target".into());
    }
    names
}

#[cfg(test)]
#[path = "manager_tests.rs"]
mod tests;

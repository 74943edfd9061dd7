//! The control API's backend: requests become jobs of the manager, and the
//! answers read the manager's state. The event loop and the API share one
//! [`Core`] through `Rc<RefCell<..>>` (the daemon is single-threaded); no
//! borrow is held across an `.await`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use tokio::sync::Notify;

use super::background::{BackgroundTasks, new_record, new_uuid, state_dir_from_env};
use super::executor::{ProcessExecutor, monotonic_now};
use super::manager::{JobResult, Manager, UnitRuntime};
use super::service::Executor;
use super::service::{JobKind, KillRefusal, ServiceRuntime};
use super::state::ActiveState;
use crate::config::model::{LoadState, Unit};
use crate::control::backend::{ApiBackend, ApiError, ApiResult, NO_SCHEDULED_SHUTDOWN};
use crate::control::types::{
    ActionAccepted, ActionId, ActionState, ActionStatus, BackgroundRunRequest, BackgroundTask,
    DaemonInfo, KillWhom, LogQuery, LogReply, LogSource, MetricsSnapshot, Property, PropertyQuery,
    Readiness, ServiceAction, ServiceStatus, ShutdownPlan, TaskState, TimerAction, TimerStatus,
    Timestamp, TransientEnd, TransientRequest, TransientStarted, UnitFileAction, UnitFileText,
    UnitFiles, UnitMetrics, UnitReadiness, UnitSummary,
};
use crate::syntax::Usec;
use crate::syntax::timestamp::now_realtime;

/// Everything the event loop and the API act on.
pub struct Core {
    pub manager: Manager,
    pub ex: ProcessExecutor,
    pub actions: Actions,
    /// The units started at boot, which `/readyz` weighs by default.
    pub boot_units: Vec<String>,
    pub started_realtime: Usec,
    pub started_monotonic: Usec,
    /// Background tasks and their records on disk.
    pub background: BackgroundTasks,
    /// Transient services whose end a client waits for (`systemd-run
    /// --wait`), and the ends kept until that client has read them.
    pub transient_end_wanted: BTreeSet<String>,
    pub transient_ends_kept: BTreeMap<String, TransientEnd>,
    /// Where the log pipeline keeps the journal (the log routes read it).
    pub journal_directory: Option<std::path::PathBuf>,
    /// `UnitFileState=` answers, kept while the unit directories are as
    /// they were.
    pub unit_file_states: super::unit_file_cache::UnitFileStateCache,
    /// `systemctl poweroff` and the rest, now or scheduled (`shutdown +5`).
    pub shutdown: super::power::ShutdownState,
    /// utmp and wtmp, where runr keeps them (as PID 1, or under
    /// `RUNR_ROOT`); None where it does not.
    pub utmp: Option<super::utmp::Files>,
}

/// How many transient ends are kept for clients that never came back.
const TRANSIENT_ENDS_KEPT: usize = 1024;

impl Core {
    pub fn new(manager: Manager, ex: ProcessExecutor) -> Self {
        Core {
            manager,
            ex,
            actions: Actions::default(),
            boot_units: Vec::new(),
            started_realtime: now_realtime(),
            started_monotonic: monotonic_now(),
            background: BackgroundTasks::new(state_dir_from_env()),
            transient_end_wanted: BTreeSet::new(),
            transient_ends_kept: BTreeMap::new(),
            journal_directory: None,
            unit_file_states: Default::default(),
            shutdown: Default::default(),
            utmp: None,
        }
    }

    /// Runs what can run, and settles the actions whose jobs ended.
    pub fn settle(&mut self) {
        self.manager.dispatch(&mut self.ex);
        let mut runlevel_target_reached = false;
        for result in self.manager.job_results.drain(..) {
            runlevel_target_reached |= result.kind == JobKind::Start
                && result.result == "done"
                && super::utmp::is_runlevel_target(&result.unit);
            self.actions.job_ended(&result);
        }
        if runlevel_target_reached {
            self.record_runlevel();
        }
        let ends: Vec<_> = self.manager.transient_ends.drain(..).collect();
        for end in ends {
            if let Some(id) = self.background.unit_ended(&end)
                && let Err(message) = self.background.persist(&id)
            {
                self.ex.log(&end.unit, &message);
            }
            if self.transient_end_wanted.remove(&end.unit) {
                if self.transient_ends_kept.len() >= TRANSIENT_ENDS_KEPT {
                    self.transient_ends_kept.pop_first();
                }
                self.transient_ends_kept
                    .insert(end.unit.clone(), transient_end_reply(&end));
            }
        }
    }
}

impl Core {
    /// What systemd-update-utmp-runlevel.service does once
    /// graphical.target, multi-user.target or rescue.target is reached:
    /// the runlevel the active targets make goes to utmp and wtmp, with
    /// the one it replaces as the previous runlevel.
    fn record_runlevel(&mut self) {
        let Some(files) = &self.utmp else {
            return;
        };
        let runtimes = &self.manager.runtimes;
        let level = super::utmp::runlevel_of(|target| {
            runtimes
                .get(target)
                .is_some_and(|r| r.active_state().is_active_or_reloading())
        });
        if level == 0 {
            return;
        }
        if let Err(e) = files.put_runlevel(level, now_realtime()) {
            let message = format!("Failed to write utmp record: {}", super::errno_text(&e));
            self.ex.log("", &message);
        }
    }
}

/// The API's view of a transient service's end.
fn transient_end_reply(end: &super::manager::TransientEnd) -> TransientEnd {
    let runtime = (end.inactive_exit_monotonic != 0
        && end.inactive_enter_monotonic > end.inactive_exit_monotonic)
        .then(|| end.inactive_enter_monotonic - end.inactive_exit_monotonic);
    TransientEnd {
        unit: end.unit.clone(),
        ended: true,
        result: end.result.to_string(),
        exit_code: end
            .main_exit
            .map(|(_, status)| status.code_word().to_string()),
        exit_status: end.main_exit.map(|(_, status)| status.status()),
        runtime_usec: runtime,
        cpu_usec: end.cpu_usec,
    }
}

/// Reads the background tasks' records at startup and watches the tasks
/// that still run (see [`super::background`]).
pub fn resume_background_tasks(core: &Rc<RefCell<Core>>, changed: &Rc<Notify>) {
    let (adopted, messages) = core.borrow_mut().background.resume();
    {
        let mut core = core.borrow_mut();
        for message in messages {
            core.ex.log("", &message);
        }
    }
    for task in adopted {
        watch_adopted_task(core.clone(), changed.clone(), task.id, task.handle);
    }
}

/// Waits for a task found again after a restart to exit (its pidfd turns
/// readable), then records that it did.
fn watch_adopted_task(
    core: Rc<RefCell<Core>>,
    changed: Rc<Notify>,
    id: String,
    handle: super::pidfd::ProcessHandle,
) {
    tokio::task::spawn_local(async move {
        let outcome = handle.exited().await;
        let mut core = core.borrow_mut();
        if let Err(e) = outcome {
            let message = format!(
                "Cannot watch background task {id}: {}",
                super::errno_text(&e)
            );
            core.ex.log("", &message);
            return;
        }
        core.background.adopted_exited(&id);
        if let Err(message) = core.background.persist(&id) {
            core.ex.log("", &message);
        }
        drop(core);
        changed.notify_waiters();
    });
}

/// The writes clients asked for, and how they ended.
#[derive(Default)]
pub struct Actions {
    next_id: ActionId,
    items: BTreeMap<ActionId, PendingAction>,
}

struct PendingAction {
    status: ActionStatus,
    /// The job whose end finishes the action.
    awaits: Option<(String, JobKind)>,
}

/// How many finished actions are remembered for late pollers.
const FINISHED_ACTIONS_KEPT: usize = 1024;

impl Actions {
    fn add(&mut self, unit: &str, verb: &str, awaits: Option<(String, JobKind)>) -> ActionAccepted {
        self.next_id += 1;
        let id = self.next_id;
        let now = Timestamp::now();
        let mut status = ActionStatus {
            action_id: id,
            unit: unit.to_string(),
            verb: verb.to_string(),
            state: ActionState::Pending,
            result: None,
            accepted_at: now,
            finished_at: None,
            message: None,
        };
        if awaits.is_none() {
            status.state = ActionState::Finished;
            status.result = Some("done".into());
            status.finished_at = Some(now);
        }
        self.items.insert(id, PendingAction { status, awaits });
        self.forget_old();
        ActionAccepted {
            action_id: id,
            accepted_at: now,
        }
    }

    fn forget_old(&mut self) {
        while self.items.len() > FINISHED_ACTIONS_KEPT {
            let oldest_finished = self
                .items
                .iter()
                .find(|(_, a)| a.status.is_finished())
                .map(|(id, _)| *id);
            match oldest_finished {
                Some(id) => self.items.remove(&id),
                None => break,
            };
        }
    }

    fn job_ended(&mut self, ended: &JobResult) {
        for action in self.items.values_mut() {
            let matches = action
                .awaits
                .as_ref()
                .is_some_and(|(unit, kind)| *unit == ended.unit && *kind == ended.kind);
            if matches && !action.status.is_finished() {
                action.awaits = None;
                action.status.state = ActionState::Finished;
                action.status.result = Some(ended.result.to_string());
                action.status.finished_at = Some(Timestamp::now());
                if ended.result != "done" {
                    action.status.message =
                        Some(job_failure_message(&ended.unit, ended.kind, ended.result));
                }
            }
        }
    }

    fn status(&self, id: ActionId) -> Option<ActionStatus> {
        self.items.get(&id).map(|a| a.status.clone())
    }
}

/// systemctl's words for a job that did not end well.
fn job_failure_message(unit: &str, kind: JobKind, result: &str) -> String {
    let verb = match kind {
        JobKind::Start => "start",
        JobKind::Stop => "stop",
        JobKind::Reload => "reload",
    };
    format!("Job for {unit} failed ({verb}: {result})")
}

/// The first line of a transient unit's file, as systemd writes it.
const TRANSIENT_FILE_HEADER: &str =
    "# This is a transient unit file, created programmatically via the systemd API. Do not edit.\n";

/// Lines a slow follower of the logs may be behind by before it loses some.
const LOG_FOLLOW_QUEUE: usize = 1024;

/// The kill timeout of a task that does not give one, as systemd's
/// DefaultTimeoutStopSec=.
const DEFAULT_KILL_TIMEOUT_SECS: u64 = 90;

/// The API, backed by the engine.
pub struct EngineBackend {
    core: Rc<RefCell<Core>>,
    /// Wakes the event loop after a request changed something.
    wake_loop: Rc<Notify>,
    /// Fired by the event loop after every event, for action waiters.
    changed: Rc<Notify>,
}

impl EngineBackend {
    pub fn new(core: Rc<RefCell<Core>>, wake_loop: Rc<Notify>, changed: Rc<Notify>) -> Self {
        EngineBackend {
            core,
            wake_loop,
            changed,
        }
    }

    /// Completes a name the way systemctl does (`db` -> `db.service`) and
    /// checks that the unit exists.
    fn resolve(&self, core: &mut Core, name: &str) -> ApiResult<String> {
        let full = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.service")
        };
        match core.manager.resolve(&full) {
            Some(canonical) => Ok(canonical),
            None => Err(ApiError::no_such_unit(&full)),
        }
    }

    fn after_change(&self) {
        self.wake_loop.notify_one();
        self.changed.notify_waiters();
    }
}

fn sub_state_of(runtime: Option<&UnitRuntime>) -> String {
    match runtime {
        Some(UnitRuntime::Service(s)) => s.state.as_str().to_string(),
        Some(UnitRuntime::Timer(t)) => t.state.as_str().to_string(),
        Some(UnitRuntime::Passive(p)) if p.active => "active".into(),
        _ => "dead".into(),
    }
}

fn summary(unit: &Unit, runtime: Option<&UnitRuntime>) -> UnitSummary {
    UnitSummary {
        name: unit.name.clone(),
        description: unit
            .unit
            .description
            .clone()
            .unwrap_or_else(|| unit.name.clone()),
        load_state: unit.load_state.name().to_string(),
        active_state: runtime
            .map(|r| r.active_state())
            .unwrap_or(ActiveState::Inactive),
        sub_state: sub_state_of(runtime),
        unit_file_state: None,
    }
}

/// `UnitFileState=` and `UnitFilePreset=` of a unit with a file (loaded
/// or masked), read from the unit files as `systemctl is-enabled` reads
/// them; empty for a unit that was not found.
fn unit_file_state(
    manager: &Manager,
    cache: &mut super::unit_file_cache::UnitFileStateCache,
    unit: &Unit,
) -> (String, String) {
    use crate::config::enablement::{InstallPaths, Installer, UnitFileState};
    if !matches!(unit.load_state, LoadState::Loaded | LoadState::Masked) {
        return (String::new(), String::new());
    }
    let paths = InstallPaths::from_search_path(manager.search_path().clone(), None);
    let dirs: Vec<std::path::PathBuf> = paths
        .search
        .iter()
        .chain(&paths.preset_dirs)
        .map(|d| paths.host(d))
        .collect();
    cache.get(&dirs, &unit.name, || {
        let installer = Installer::new(paths);
        match installer.state(&unit.name) {
            Ok(state) => (
                state.as_str().to_string(),
                installer.preset(&unit.name).as_str().to_string(),
            ),
            // A unit read from a file that cannot be looked up now (it
            // was removed after the unit was loaded) is `bad`.
            Err(_) if unit.fragment_path.is_some() => (
                UnitFileState::Bad.as_str().to_string(),
                installer.preset(&unit.name).as_str().to_string(),
            ),
            Err(_) => (String::new(), String::new()),
        }
    })
}

fn service_status(name: &str, description: &str, service: &ServiceRuntime) -> ServiceStatus {
    let since = service.timestamps.state_change.realtime;
    ServiceStatus {
        name: name.to_string(),
        description: description.to_string(),
        state: service.active_state(),
        sub_state: service.state.as_str().to_string(),
        result: service.result.as_str().to_string(),
        restarts: service.n_restarts,
        pid: service.main_pid.map(|p| p.as_raw() as u32),
        last_exit_status: service.main_exit.map(|(_, status)| match status {
            super::exit_status::ExitStatus::Exited(n) => n,
            super::exit_status::ExitStatus::Killed(n)
            | super::exit_status::ExitStatus::Dumped(n) => 128 + n,
        }),
        since: (since != 0).then_some(Timestamp(since)),
        unit_file_state: None,
        status_text: service.status_text.clone(),
    }
}

fn timer_status(unit: &Unit, runtime: Option<&UnitRuntime>) -> TimerStatus {
    let timer = match runtime {
        Some(UnitRuntime::Timer(t)) => Some(t.as_ref()),
        _ => None,
    };
    let target = unit
        .timer()
        .and_then(|t| crate::config::timer::triggered_unit(t, &unit.name))
        .unwrap_or_default();
    let last_trigger = timer.map(|t| t.last_trigger.realtime).filter(|t| *t != 0);
    TimerStatus {
        name: unit.name.clone(),
        description: unit
            .unit
            .description
            .clone()
            .unwrap_or_else(|| unit.name.clone()),
        state: runtime
            .map(|r| r.active_state())
            .unwrap_or(ActiveState::Inactive),
        sub_state: sub_state_of(runtime),
        unit: timer.map(|t| t.plan.unit.clone()).unwrap_or(target),
        next_elapse: timer.and_then(next_elapse_realtime).map(Timestamp),
        last_trigger: last_trigger.map(Timestamp),
        unit_file_state: None,
        loaded: true,
    }
}

/// The next elapse on the wall clock, as `list-timers` shows it: a
/// monotonic elapse is mapped through the timer's last clock reading, and
/// the earlier of the two wins.
fn next_elapse_realtime(timer: &super::timer::TimerRuntime) -> Option<Usec> {
    let realtime = timer.next_elapse_usec_realtime();
    let monotonic = timer.next_elapse_usec_monotonic().map(|t| {
        let clock = timer.clock;
        (clock.realtime + t).saturating_sub(clock.monotonic)
    });
    match (realtime, monotonic) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Resident set size and CPU time of this process.
fn own_usage() -> (u64, u64) {
    let page = 4096u64;
    let rss = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|pages| pages * page)
        .unwrap_or(0);
    let cpu = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map(|u| {
            let to_usec =
                |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
            to_usec(u.user_time()) + to_usec(u.system_time())
        })
        .unwrap_or(0);
    (rss, cpu)
}

impl EngineBackend {
    /// `systemd-run --pipe`: once the client has sent its stdin, stdout and
    /// stderr (after it read the answer and said "Running as unit"), the
    /// service starts with them. Without them it never starts, and a
    /// waiting client learns that it ended with result 'resources'.
    fn start_with_callers_stdio(&self, unit: String, path: String) {
        let core = self.core.clone();
        let wake_loop = self.wake_loop.clone();
        let changed = self.changed.clone();
        tokio::task::spawn_local(async move {
            let received = receive_stdio(&path).await;
            {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                match received {
                    Ok(fds) => {
                        core.manager.set_transient_stdio(&unit, fds);
                        core.manager.enqueue_start(&unit);
                    }
                    Err(e) => {
                        core.ex.log(&unit, &format!("{unit}: {}", e.message));
                        core.manager.abandon_transient(&unit);
                    }
                }
                core.settle();
            }
            wake_loop.notify_one();
            changed.notify_waiters();
        });
    }

    /// SIGKILL for a task found again after a restart, if it has not
    /// exited `seconds` after its SIGTERM.
    fn kill_adopted_later(&self, id: String, seconds: u64) {
        let core = self.core.clone();
        tokio::task::spawn_local(async move {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
            let core = core.borrow();
            let still_running = core
                .background
                .get(&id)
                .is_some_and(|t| t.state.is_running());
            if let (true, Some(handle)) = (still_running, core.background.adopted_handle(&id)) {
                let _ = handle.signal(nix::sys::signal::Signal::SIGKILL);
                if let Some(pid) = core.background.get(&id).and_then(|t| t.pid) {
                    kill_group(pid, nix::sys::signal::Signal::SIGKILL);
                }
            }
        });
    }
}

/// The service's and the timer's names: as asked, or `run-uN`.
fn transient_names(core: &mut Core, request: &TransientRequest) -> (String, String) {
    let stem = match &request.name {
        Some(name) => name.strip_suffix(".service").unwrap_or(name).to_string(),
        None => {
            let suffixes: &[&str] = if request.timer_text.is_some() {
                &["service", "timer"]
            } else {
                &["service"]
            };
            core.manager.next_run_name(suffixes)
        }
    };
    (format!("{stem}.service"), format!("{stem}.timer"))
}

fn task_unit(core: &Core, id: &str) -> String {
    core.background
        .get(id)
        .map(|t| t.unit.clone())
        .unwrap_or_default()
}

fn record_pid(core: &Core, id: &str) -> Option<u32> {
    core.background.get(id).and_then(|t| t.pid)
}

/// SIGTERM to a task found again after a restart: to the process through
/// its pidfd, then to its process group (it led one, as every command the
/// supervisor starts does), as KillMode=control-group would.
fn terminate_adopted(handle: &super::pidfd::ProcessHandle, pid: Option<u32>) {
    if handle.signal(nix::sys::signal::Signal::SIGTERM).is_ok()
        && let Some(pid) = pid
    {
        kill_group(pid, nix::sys::signal::Signal::SIGTERM);
    }
}

fn kill_group(pid: u32, signal: nix::sys::signal::Signal) {
    if let Ok(raw) = i32::try_from(pid) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(raw), signal);
    }
}

/// `systemd-run --pipe`: connects to the client's socket and takes the
/// three descriptors it sends (SCM_RIGHTS) as the service's stdin, stdout
/// and stderr.
async fn receive_stdio(path: &str) -> ApiResult<[super::spawn::SharedFd; 3]> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::bad_request(format!(
            "cannot take the caller's stdio from {path}: {what}: {e}"
        ))
    };
    let stream = tokio::net::UnixStream::connect(path)
        .await
        .map_err(|e| failed("connect", &super::errno_text(&e)))?;
    let wait = std::time::Duration::from_secs(10);
    let fds = tokio::time::timeout(wait, async {
        loop {
            stream.readable().await?;
            match stream.try_io(tokio::io::Interest::READABLE, || {
                crate::control::stdio_pass::receive_fds(&stream)
            }) {
                Ok(fds) => return Ok(fds),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
    })
    .await
    .map_err(|_| failed("receive", &"no descriptors within 10 s"))?
    .map_err(|e| failed("receive", &super::errno_text(&e)))?;
    let [stdin, stdout, stderr] = fds;
    let shared = |fd| super::spawn::SharedFd(std::sync::Arc::new(fd));
    Ok([shared(stdin), shared(stdout), shared(stderr)])
}

impl ApiBackend for EngineBackend {
    async fn daemon_info(&self) -> ApiResult<DaemonInfo> {
        let core = self.core.borrow();
        let (rss, cpu) = own_usage();
        Ok(DaemonInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            started_at: Timestamp(core.started_realtime),
            uptime_usec: monotonic_now().saturating_sub(core.started_monotonic),
            memory_rss_bytes: rss,
            cpu_usec: cpu,
        })
    }

    async fn manager_properties(&self, query: &PropertyQuery) -> ApiResult<Vec<Property>> {
        let core = self.core.borrow();
        let failed = core
            .manager
            .runtimes
            .values()
            .any(|r| r.active_state() == ActiveState::Failed);
        let virtualization = match super::conditions::detect_virtualization() {
            super::conditions::Virtualization::None => String::new(),
            super::conditions::Virtualization::Container(id)
            | super::conditions::Virtualization::Vm(id) => id,
        };
        let defaults = super::plan::ServicePlan::new("");
        let timespan = |usec| crate::syntax::timespan::format_timespan(usec, 1);
        // In the order of systemd's Manager interface, which `show` keeps.
        let lines = [
            ("Version", "252".to_string()),
            ("Virtualization", virtualization),
            (
                "SystemState",
                if failed { "degraded" } else { "running" }.to_string(),
            ),
            (
                "DefaultTimeoutStartUSec",
                timespan(defaults.timeout_start_usec),
            ),
            (
                "DefaultTimeoutStopUSec",
                timespan(defaults.timeout_stop_usec),
            ),
        ];
        let wanted = super::properties::wanted_names(query);
        Ok(lines
            .into_iter()
            .filter(|(name, _)| super::properties::is_wanted(wanted.as_ref(), name))
            .map(|(name, value)| Property {
                name: name.into(),
                value,
            })
            .collect())
    }

    async fn daemon_reload(&self, files_only: bool) -> ApiResult<ActionAccepted> {
        let accepted = {
            let mut core = self.core.borrow_mut();
            if files_only {
                core.manager.reread_unit_files();
            } else {
                core.manager.reload_unit_files();
            }
            core.actions.add("", "daemon-reload", None)
        };
        self.after_change();
        Ok(accepted)
    }

    async fn shutdown(&self, plan: ShutdownPlan) -> ApiResult<ShutdownPlan> {
        let accepted = self
            .core
            .borrow_mut()
            .shutdown
            .request(plan, now_realtime());
        self.after_change();
        Ok(accepted)
    }

    async fn scheduled_shutdown(&self) -> ApiResult<ShutdownPlan> {
        let core = self.core.borrow();
        core.shutdown
            .scheduled()
            .cloned()
            .ok_or_else(|| ApiError::not_found(NO_SCHEDULED_SHUTDOWN))
    }

    async fn cancel_shutdown(&self) -> ApiResult<ShutdownPlan> {
        let cancelled = self.core.borrow_mut().shutdown.cancel();
        self.after_change();
        match cancelled {
            Ok(Some(plan)) => Ok(plan),
            Ok(None) => Err(ApiError::not_found(NO_SCHEDULED_SHUTDOWN)),
            Err(plan) => Err(ApiError::conflict(format!(
                "The {} scheduled is under way and cannot be cancelled.",
                plan.action.as_str()
            ))),
        }
    }

    async fn list_units(&self) -> ApiResult<Vec<UnitSummary>> {
        let core = self.core.borrow();
        let loaded = core.manager.loaded_units();
        Ok(core
            .manager
            .units
            .by_name
            .values()
            .filter(|u| loaded.contains(&u.name))
            .map(|u| summary(u, core.manager.runtimes.get(&u.name)))
            .collect())
    }

    async fn unit(&self, name: &str) -> ApiResult<UnitSummary> {
        let mut core = self.core.borrow_mut();
        let name = self.resolve(&mut core, name)?;
        let unit = core
            .manager
            .units
            .get(&name)
            .cloned()
            .ok_or_else(|| ApiError::no_such_unit(&name))?;
        Ok(summary(&unit, core.manager.runtimes.get(&name)))
    }

    async fn unit_properties(&self, name: &str, query: &PropertyQuery) -> ApiResult<Vec<Property>> {
        let mut core = self.core.borrow_mut();
        let full = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.service")
        };
        // `show` of a unit that does not exist is not an error: systemd
        // answers with LoadState=not-found and the rest of its properties.
        let unit = core.manager.unit_or_not_found(&full);
        let lines = {
            let core = &mut *core;
            let manager = &core.manager;
            let runtime = manager.runtimes.get(&unit.name);
            let wanted = super::properties::wanted_names(query);
            let wants = |name: &str| super::properties::is_wanted(wanted.as_ref(), name);
            let mut extra_dependencies =
                super::properties::implicit_dependencies(&unit, wants("After"));
            for (kind, names) in manager.reverse_dependencies(&unit.name) {
                extra_dependencies.entry(kind).or_default().extend(names);
            }
            for timer in manager.timers_triggering(&unit.name) {
                for kind in ["TriggeredBy", "After"] {
                    extra_dependencies
                        .entry(kind.to_string())
                        .or_default()
                        .push(timer.clone());
                }
            }
            let (unit_file_state, unit_file_preset) =
                if wants("UnitFileState") || wants("UnitFilePreset") {
                    unit_file_state(manager, &mut core.unit_file_states, &unit)
                } else {
                    Default::default()
                };
            let ctx = super::properties::PropertyContext {
                aliases: unit.aliases.clone(),
                extra_dependencies,
                unit_file_state,
                unit_file_preset,
                service: match runtime {
                    Some(UnitRuntime::Service(service)) => Some(service.as_ref()),
                    _ => None,
                },
                passive: match runtime {
                    Some(UnitRuntime::Passive(passive)) => {
                        Some(super::properties::PassiveRuntime {
                            active: passive.active,
                            timestamps: passive.timestamps,
                            invocation_id: passive.invocation_id.clone(),
                        })
                    }
                    // A timer's run, as far as the unit's common part shows it.
                    Some(UnitRuntime::Timer(timer)) => Some(super::properties::PassiveRuntime {
                        active: timer.active_state() == ActiveState::Active,
                        timestamps: timer.timestamps,
                        invocation_id: timer.invocation_id.clone(),
                    }),
                    _ => None,
                },
                timer: match runtime {
                    Some(UnitRuntime::Timer(timer)) => Some(super::properties::TimerRuntime {
                        next_elapse: timer.next_elapse_usec_realtime(),
                        next_elapse_monotonic: timer.next_elapse_usec_monotonic(),
                        last_trigger: timer.last_trigger,
                        calendar: timer.timers_calendar(),
                        monotonic: timer.timers_monotonic(),
                        sub_state: Some(timer.state.as_str().to_string()),
                        active_state: Some(timer.active_state()),
                        result: timer.result.as_str().to_string(),
                    }),
                    _ => None,
                },
                // A unit systemd would load only for this query has had
                // no state change yet.
                loaded_at: manager.loaded_units().contains(&unit.name).then_some(
                    super::service::DualTimestamp {
                        realtime: core.started_realtime,
                        monotonic: core.started_monotonic,
                    },
                ),
                transient: manager.transient_texts.contains_key(&unit.name),
                need_daemon_reload: wants("NeedDaemonReload") && manager.need_daemon_reload(&unit),
                wanted: wanted.as_ref(),
            };
            super::properties::unit_properties(&unit, &ctx)
        };
        Ok(super::properties::select(lines, query))
    }

    async fn unit_files(&self, name: &str) -> ApiResult<UnitFiles> {
        let mut core = self.core.borrow_mut();
        let name = self.resolve(&mut core, name)?;
        let unit = core
            .manager
            .units
            .get(&name)
            .cloned()
            .ok_or_else(|| ApiError::no_such_unit(&name))?;
        let mut files = Vec::new();
        if let Some(text) = core.manager.transient_texts.get(&name) {
            files.push(UnitFileText {
                path: format!("/run/systemd/transient/{name}"),
                text: format!("{TRANSIENT_FILE_HEADER}{text}"),
            });
        }
        for path in unit.fragment_path.iter().chain(unit.dropin_paths.iter()) {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ApiError::internal(format!(
                    "{}: {}",
                    path.display(),
                    crate::engine::errno_text(&e)
                ))
            })?;
            files.push(UnitFileText {
                path: path.display().to_string(),
                text,
            });
        }
        Ok(UnitFiles { name, files })
    }

    async fn unit_file_action(
        &self,
        name: &str,
        action: UnitFileAction,
    ) -> ApiResult<ActionAccepted> {
        use crate::config::enablement::{InstallPaths, Installer};
        let full = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.service")
        };
        let accepted = {
            let mut core = self.core.borrow_mut();
            // The links go where systemctl puts them: the same files and the
            // same library as `systemctl enable` without a daemon.
            let paths = InstallPaths::from_search_path(core.manager.search_path().clone(), None);
            let installer = Installer::new(paths);
            let names = std::slice::from_ref(&full);
            let (verb, outcome, now) = match action {
                UnitFileAction::Enable { now } => {
                    ("enable", installer.enable(names, false, false), now)
                }
                UnitFileAction::Disable { now } => {
                    ("disable", installer.disable(names, false, false), now)
                }
            };
            if outcome.failed {
                let message = outcome
                    .problems
                    .first()
                    .map(|p| p.online_text(verb))
                    .unwrap_or_else(|| format!("Failed to {verb} unit {full}"));
                return Err(ApiError::bad_request(message));
            }
            // As systemctl's reload after a change of links: the files
            // are read again, and nothing starts or stops.
            if !outcome.changes.is_empty() {
                core.manager.reread_unit_files();
            }
            if !now {
                core.actions.add(&full, verb, None)
            } else {
                let name = self.resolve(&mut core, &full)?;
                let accepted = if verb == "enable" {
                    let queued = core.manager.enqueue_start(&name);
                    if !queued.contains(&name) && super::utmp::is_runlevel_target(&name) {
                        // Already reached: systemd-update-utmp-runlevel runs
                        // again all the same (the target wants it).
                        core.record_runlevel();
                    }
                    let awaits = queued
                        .contains(&name)
                        .then(|| (name.clone(), JobKind::Start));
                    core.actions.add(&name, verb, awaits)
                } else {
                    core.manager.enqueue_stop(&name);
                    core.actions
                        .add(&name, verb, Some((name.clone(), JobKind::Stop)))
                };
                core.settle();
                accepted
            }
        };
        self.after_change();
        Ok(accepted)
    }

    async fn reset_failed(&self, name: &str) -> ApiResult<ActionAccepted> {
        let accepted = {
            let mut core = self.core.borrow_mut();
            let name = self.resolve(&mut core, name)?;
            core.manager.reset_failed(&name);
            core.actions.add(&name, "reset-failed", None)
        };
        self.after_change();
        Ok(accepted)
    }

    async fn service_statuses(&self) -> ApiResult<Vec<ServiceStatus>> {
        let core = self.core.borrow();
        let mut statuses = Vec::new();
        for unit in core.manager.units.by_name.values() {
            if unit.service().is_none() || unit.load_state != LoadState::Loaded {
                continue;
            }
            let description = unit
                .unit
                .description
                .clone()
                .unwrap_or_else(|| unit.name.clone());
            match core.manager.runtimes.get(&unit.name) {
                Some(UnitRuntime::Service(service)) => {
                    statuses.push(service_status(&unit.name, &description, service))
                }
                _ => statuses.push(ServiceStatus {
                    name: unit.name.clone(),
                    description,
                    state: ActiveState::Inactive,
                    sub_state: "dead".into(),
                    result: "success".into(),
                    restarts: 0,
                    pid: None,
                    last_exit_status: None,
                    since: None,
                    unit_file_state: None,
                    status_text: None,
                }),
            }
        }
        Ok(statuses)
    }

    async fn service_action(&self, name: &str, action: ServiceAction) -> ApiResult<ActionAccepted> {
        let accepted = {
            let mut core = self.core.borrow_mut();
            let name = self.resolve(&mut core, name)?;
            if core
                .manager
                .units
                .get(&name)
                .is_some_and(|u| u.load_state == LoadState::Masked)
            {
                return Err(ApiError::conflict(format!("Unit {name} is masked.")));
            }
            let active = core
                .manager
                .runtimes
                .get(&name)
                .map(|r| r.active_state())
                .unwrap_or(ActiveState::Inactive);
            let accepted = match action {
                ServiceAction::Start(options) => {
                    if active.is_active_or_reloading() && !options.idempotent {
                        return Err(ApiError::conflict(format!("{name} is already active")));
                    }
                    let queued = core.manager.enqueue_start(&name);
                    if !queued.contains(&name) && super::utmp::is_runlevel_target(&name) {
                        // Already reached: systemd-update-utmp-runlevel runs
                        // again all the same (the target wants it).
                        core.record_runlevel();
                    }
                    let awaits = queued
                        .contains(&name)
                        .then(|| (name.clone(), JobKind::Start));
                    core.actions.add(&name, "start", awaits)
                }
                ServiceAction::Stop(_) => {
                    core.manager.enqueue_stop(&name);
                    core.actions
                        .add(&name, "stop", Some((name.clone(), JobKind::Stop)))
                }
                ServiceAction::Restart(_) => {
                    core.manager.enqueue_restart(&name);
                    core.actions
                        .add(&name, "restart", Some((name.clone(), JobKind::Start)))
                }
                ServiceAction::Reload => {
                    let reloadable = core
                        .manager
                        .units
                        .get(&name)
                        .and_then(|u| u.service())
                        .is_some_and(|s| !s.exec.reload.is_empty());
                    if !reloadable {
                        return Err(ApiError::bad_request(format!(
                            "Job type reload is not applicable for unit {name}."
                        )));
                    }
                    if !active.is_active_or_reloading() {
                        return Err(ApiError::conflict(format!(
                            "Unit {name} cannot be reloaded because it is inactive."
                        )));
                    }
                    core.manager.enqueue_reload(&name);
                    core.actions
                        .add(&name, "reload", Some((name.clone(), JobKind::Reload)))
                }
                ServiceAction::Kill { signal, whom } => {
                    let core = &mut *core;
                    match core.manager.runtimes.get_mut(&name) {
                        Some(UnitRuntime::Service(service)) => service
                            .kill_on_request(&mut core.ex, whom, signal)
                            .map_err(|refusal| ApiError::conflict(refusal.to_string()))?,
                        // Never started: nothing runs, which only a request
                        // for the main or control process minds.
                        _ => match whom {
                            KillWhom::Main => {
                                return Err(ApiError::conflict(
                                    KillRefusal::NoMainProcess.to_string(),
                                ));
                            }
                            KillWhom::Control => {
                                return Err(ApiError::conflict(
                                    KillRefusal::NoControlProcess.to_string(),
                                ));
                            }
                            KillWhom::All => {}
                        },
                    }
                    core.actions.add(&name, "kill", None)
                }
            };
            core.settle();
            accepted
        };
        self.after_change();
        Ok(accepted)
    }

    async fn timer_statuses(&self) -> ApiResult<Vec<TimerStatus>> {
        let core = self.core.borrow();
        let loaded = core.manager.loaded_units();
        Ok(core
            .manager
            .units
            .by_name
            .values()
            .filter(|u| u.timer().is_some() && u.load_state == LoadState::Loaded)
            .map(|unit| TimerStatus {
                loaded: loaded.contains(&unit.name),
                ..timer_status(unit, core.manager.runtimes.get(&unit.name))
            })
            .collect())
    }

    async fn timer_action(&self, name: &str, action: TimerAction) -> ApiResult<ActionAccepted> {
        let accepted = {
            let mut core = self.core.borrow_mut();
            let full = if name.contains('.') {
                name.to_string()
            } else {
                format!("{name}.timer")
            };
            let name = self.resolve(&mut core, &full)?;
            let unit = core.manager.units.get(&name);
            if unit.is_some_and(|u| u.load_state == LoadState::Masked) {
                return Err(ApiError::conflict(format!("Unit {name} is masked.")));
            }
            if unit.is_none_or(|u| u.timer().is_none()) {
                return Err(ApiError::bad_request(format!("{name} is not a timer")));
            }
            let accepted = match action {
                TimerAction::Start => {
                    let queued = core.manager.enqueue_start(&name);
                    if !queued.contains(&name) && super::utmp::is_runlevel_target(&name) {
                        // Already reached: systemd-update-utmp-runlevel runs
                        // again all the same (the target wants it).
                        core.record_runlevel();
                    }
                    let awaits = queued
                        .contains(&name)
                        .then(|| (name.clone(), JobKind::Start));
                    core.actions.add(&name, "start", awaits)
                }
                TimerAction::Stop => {
                    core.manager.enqueue_stop(&name);
                    core.actions
                        .add(&name, "stop", Some((name.clone(), JobKind::Stop)))
                }
                TimerAction::Enable { .. } | TimerAction::Disable { .. } => {
                    return Err(ApiError::unavailable(format!(
                        "{name}: enabling and disabling units is done on the unit files (systemctl enable/disable)"
                    )));
                }
            };
            core.settle();
            accepted
        };
        self.after_change();
        Ok(accepted)
    }

    async fn action_status(&self, id: ActionId) -> ApiResult<ActionStatus> {
        self.core
            .borrow()
            .actions
            .status(id)
            .ok_or_else(|| ApiError::not_found(format!("no action {id}")))
    }

    async fn action_finished(&self, id: ActionId) -> ApiResult<ActionStatus> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let status = self.action_status(id).await?;
            if status.is_finished() {
                return Ok(status);
            }
            changed.await;
        }
    }

    async fn logs(&self, query: &LogQuery) -> ApiResult<LogReply> {
        let (directory, units) = {
            let mut core = self.core.borrow_mut();
            let units = match &query.source {
                LogSource::Units(units) => {
                    let mut names = Vec::new();
                    for unit in units {
                        // A unit that is gone (a collected transient) still has its lines.
                        names.push(self.resolve(&mut core, unit).unwrap_or_else(|_| {
                            if unit.contains('.') {
                                unit.clone()
                            } else {
                                format!("{unit}.service")
                            }
                        }));
                    }
                    names
                }
                // A task's lines are its unit's lines.
                LogSource::Task(id) => {
                    let id = core.background.resolve(id)?;
                    vec![task_unit(&core, &id)]
                }
            };
            let directory = core
                .journal_directory
                .clone()
                .ok_or_else(|| ApiError::unavailable("the journal is not kept"))?;
            (directory, units)
        };
        let backlog_query = (
            directory.clone(),
            units.clone(),
            query.lines,
            query.since.map(|t| t.as_usec()),
            query.until.map(|t| t.as_usec()),
        );
        let (records, cursor) = tokio::task::spawn_blocking(move || {
            let (dir, units, lines, since, until) = backlog_query;
            crate::logs::query::read_backlog(&dir, &units, lines, since, until)
        })
        .await
        .map_err(|e| ApiError::internal(format!("cannot read the journal: {e}")))?
        .map_err(|e| {
            ApiError::internal(format!(
                "cannot read the journal in {}: {}",
                directory.display(),
                super::errno_text(&e)
            ))
        })?;
        let backlog = records.iter().map(crate::logs::query::log_entry).collect();
        let live = query.follow.then(|| {
            let (sender, receiver) = tokio::sync::mpsc::channel(LOG_FOLLOW_QUEUE);
            tokio::task::spawn_local(async move {
                let _ = crate::logs::query::follow_store(&directory, &units, cursor, sender).await;
            });
            receiver
        });
        Ok(LogReply { backlog, live })
    }

    async fn background_run(&self, request: BackgroundRunRequest) -> ApiResult<BackgroundTask> {
        let task = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            let id = new_uuid().map_err(|e| {
                ApiError::internal(format!("cannot make a task id: {}", super::errno_text(&e)))
            })?;
            let record = new_record(id.clone(), &request);
            core.manager
                .start_transient(&record.unit, &record.unit_text(), true)
                .map_err(ApiError::bad_request)?;
            core.background.insert(record);
            core.settle();
            let pid = match core.manager.runtimes.get(&task_unit(core, &id)) {
                Some(UnitRuntime::Service(s)) => s.main_pid,
                _ => None,
            };
            if let Some(record) = core.background.get_mut(&id)
                && let Some(pid) = pid.filter(|_| record.state.is_running())
            {
                let pid = pid.as_raw().unsigned_abs();
                record.pid = Some(pid);
                record.start_time = super::pidfd::process_start_time(pid);
            }
            if let Err(message) = core.background.persist(&id) {
                core.ex.log(&task_unit(core, &id), &message);
            }
            core.background
                .get(&id)
                .map(|r| r.to_api())
                .ok_or_else(|| ApiError::internal("the task vanished"))?
        };
        self.after_change();
        Ok(task)
    }

    async fn background_list(&self) -> ApiResult<Vec<BackgroundTask>> {
        let core = self.core.borrow();
        Ok(core.background.list().iter().map(|r| r.to_api()).collect())
    }

    async fn background_status(&self, id: &str) -> ApiResult<BackgroundTask> {
        let core = self.core.borrow();
        let id = core.background.resolve(id)?;
        core.background
            .get(&id)
            .map(|r| r.to_api())
            .ok_or_else(|| ApiError::not_found(format!("no background task {id}")))
    }

    async fn background_stop(&self, id: &str) -> ApiResult<BackgroundTask> {
        let task = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            let id = core.background.resolve(id)?;
            let Some(record) = core.background.get_mut(&id) else {
                return Err(ApiError::not_found(format!("no background task {id}")));
            };
            if record.state.is_running() {
                record.stop_requested = true;
                record.state = TaskState::Stopping;
                let unit = record.unit.clone();
                let kill_timeout = record.kill_timeout.unwrap_or(DEFAULT_KILL_TIMEOUT_SECS);
                if core.manager.transient.contains_key(&unit) {
                    // Ours: the unit's stop sends SIGTERM, and SIGKILL
                    // after its TimeoutStopSec=.
                    core.manager.enqueue_stop(&unit);
                    core.settle();
                } else if let Some(handle) = core.background.adopted_handle(&id) {
                    terminate_adopted(handle, record_pid(core, &id));
                    self.kill_adopted_later(id.clone(), kill_timeout);
                }
                if let Err(message) = core.background.persist(&id) {
                    core.ex.log(&unit, &message);
                }
            }
            core.background
                .get(&id)
                .map(|r| r.to_api())
                .ok_or_else(|| ApiError::not_found(format!("no background task {id}")))?
        };
        self.after_change();
        Ok(task)
    }

    async fn background_remove(&self, id: &str) -> ApiResult<BackgroundTask> {
        let mut core = self.core.borrow_mut();
        let id = core.background.resolve(id)?;
        core.background.remove(&id).map(|r| r.to_api())
    }

    async fn transient_start(&self, request: TransientRequest) -> ApiResult<TransientStarted> {
        let started = {
            let mut core = self.core.borrow_mut();
            let core = &mut *core;
            let timer_wanted = request.timer_text.is_some();
            let (service, timer) = transient_names(core, &request);
            let accepted = match &request.timer_text {
                Some(timer_text) => {
                    if core.manager.unit(&service).is_some() {
                        return Err(ApiError::conflict(format!(
                            "Unit {service} was already loaded or has a fragment file."
                        )));
                    }
                    core.manager
                        .start_transient(&timer, timer_text, request.collect)
                        .map_err(ApiError::conflict)?;
                    if let Err(e) =
                        core.manager
                            .add_transient(&service, &request.service_text, request.collect)
                    {
                        return Err(ApiError::conflict(e));
                    }
                    core.actions
                        .add(&timer, "start", Some((timer.clone(), JobKind::Start)))
                }
                None => {
                    core.manager
                        .add_transient(&service, &request.service_text, request.collect)
                        .map_err(ApiError::conflict)?;
                    // With the caller's stdio, the start waits for the
                    // descriptors (see `start_with_callers_stdio`).
                    if request.stdio_socket.is_none() {
                        core.manager.enqueue_start(&service);
                    }
                    core.actions
                        .add(&service, "start", Some((service.clone(), JobKind::Start)))
                }
            };
            if request.keep_end {
                core.transient_end_wanted.insert(service.clone());
            }
            core.settle();
            TransientStarted {
                unit: service,
                timer: timer_wanted.then_some(timer),
                action_id: accepted.action_id,
                accepted_at: accepted.accepted_at,
            }
        };
        if let Some(path) = request.stdio_socket {
            self.start_with_callers_stdio(started.unit.clone(), path);
        }
        self.after_change();
        Ok(started)
    }

    async fn transient_end(&self, name: &str) -> ApiResult<TransientEnd> {
        let mut core = self.core.borrow_mut();
        if let Some(end) = core.transient_ends_kept.remove(name) {
            return Ok(end);
        }
        let running = core.manager.transient.contains_key(name)
            && core
                .manager
                .runtimes
                .get(name)
                .is_some_and(|r| !r.active_state().is_inactive_or_failed());
        let pending = core.transient_end_wanted.contains(name);
        if running || pending {
            return Ok(TransientEnd {
                unit: name.to_string(),
                ended: false,
                ..TransientEnd::default()
            });
        }
        Err(ApiError::no_such_unit(name))
    }

    async fn transient_ended(&self, name: &str) -> ApiResult<TransientEnd> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let end = self.transient_end(name).await?;
            if end.ended {
                return Ok(end);
            }
            changed.await;
        }
    }

    async fn readiness(&self, units: &[String]) -> ApiResult<Readiness> {
        let mut core = self.core.borrow_mut();
        let names: Vec<String> = if units.is_empty() {
            core.boot_units.clone()
        } else {
            let mut names = Vec::new();
            for unit in units {
                names.push(self.resolve(&mut core, unit)?);
            }
            names
        };
        let weighed: Vec<UnitReadiness> = names
            .iter()
            .map(|name| {
                let runtime = core.manager.runtimes.get(name);
                let state = runtime.map(|r| r.active_state()).unwrap_or(ActiveState::Inactive);
                // A oneshot that finished cleanly counts as ready.
                let finished = matches!(runtime, Some(UnitRuntime::Service(s)) if s.state == super::state::ServiceState::Dead && s.result == super::state::ServiceResult::Success && s.timestamps.inactive_exit.monotonic != 0);
                UnitReadiness { name: name.clone(), state, ready: state == ActiveState::Active || finished }
            })
            .collect();
        Ok(Readiness {
            ready: weighed.iter().all(|u| u.ready),
            units: weighed,
        })
    }

    async fn metrics(&self) -> ApiResult<MetricsSnapshot> {
        let core = self.core.borrow();
        let now = monotonic_now();
        let units = core
            .manager
            .runtimes
            .iter()
            .map(|(name, runtime)| {
                let (restarts, last_exit, uptime) = match runtime {
                    UnitRuntime::Service(s) => (
                        u64::from(s.n_restarts),
                        service_status(name, "", s).last_exit_status,
                        s.active_state().is_active_or_reloading().then(|| {
                            now.saturating_sub(s.timestamps.active_enter.monotonic) as f64 / 1e6
                        }),
                    ),
                    UnitRuntime::Timer(_) | UnitRuntime::Passive(_) => (0, None, None),
                };
                UnitMetrics {
                    name: name.clone(),
                    state: runtime.active_state(),
                    restarts,
                    last_exit_status: last_exit,
                    uptime_seconds: uptime,
                    log_lines_written: 0,
                    log_lines_dropped: 0,
                }
            })
            .collect();
        Ok(MetricsSnapshot {
            units,
            pools: core.ex.pools.metrics(),
        })
    }
}

//! One service's state machine, after systemd's service.c: the phases
//! (start-pre, start, start-post, running, stop, stop-sigterm, ...), what
//! ends each one (a process exits, a timeout fires), the result, and the
//! restart decision. It does no I/O itself: processes, signals, PID files
//! and log lines go through an [`Executor`], so the machine is tested with
//! a recording executor and run for real by the supervisor.

use std::collections::VecDeque;
use std::io;

use nix::sys::signal::Signal;
use nix::unistd::Pid;

use super::conditions::{self, ConditionRecord};
use super::exit_status::ExitStatus;
use super::job_message::unit_status;
use super::notify::{NotifyMessage, NotifyState, WatchdogRequest};
use super::plan::{
    Condition, ExitStatusSet, KillMode, NotifyAccess, RestartPolicy, RuntimeDirectoryPreserve,
    ServicePlan, ServiceType,
};
use super::spawn::SpawnFailure;
use super::state::{ActiveState, ServiceResult, ServiceState};
use crate::syntax::exec::ExecCommand;
use crate::syntax::{USEC_INFINITY, Usec};

/// What the supervisor can tell about a running process (from /proc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    pub parent: Pid,
    /// The session it belongs to: the command runr started that it
    /// descends from, unless it made a session of its own.
    pub session: Pid,
    pub zombie: bool,
    /// Its command name (comm).
    pub name: String,
}

/// Which of a service's processes a command becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessRole {
    Main,
    Control,
}

/// The effects the machine asks for.
pub trait Executor {
    /// Starts `command` for the service; `env` adds what the phase sets
    /// ($MAINPID, $SERVICE_RESULT, ...), `files` what its EnvironmentFile=
    /// files assign (read by [`Executor::load_environment_files`]).
    /// `restarts` is the service's restart count (`NRestarts=`) at this
    /// start: the lines the process writes carry it (`Prefix=%R`).
    fn spawn(
        &mut self,
        plan: &ServicePlan,
        role: ProcessRole,
        command: &ExecCommand,
        env: &[(String, String)],
        files: &[(String, String)],
        restarts: u32,
    ) -> io::Result<Pid>;
    /// Reads the service's EnvironmentFile= files, in order, before a
    /// command is forked (as systemd's manager does): an error when one
    /// that is not optional (`-`) cannot be read.
    fn load_environment_files(&mut self, plan: &ServicePlan) -> io::Result<Vec<(String, String)>> {
        let _ = plan;
        Ok(Vec::new())
    }
    /// Sends `signal` to `pid`, or to the process group `pid` leads when
    /// `group`; true if some process received it.
    fn kill(&mut self, pid: Pid, signal: Signal, group: bool) -> bool;
    /// Whether any process is left in the process group `pgid` leads.
    fn group_alive(&mut self, pgid: Pid) -> bool;
    /// Sends `signal` to every process in the unit's control group, where
    /// it has one; true if some process received it.
    fn kill_unit_group(&mut self, _unit: &str, _signal: Signal) -> bool {
        false
    }
    /// Sends `signal` to `pid` alone, saying why not when it cannot.
    fn signal_process(&mut self, pid: Pid, signal: Signal) -> nix::Result<()> {
        if self.kill(pid, signal, false) {
            Ok(())
        } else {
            Err(nix::errno::Errno::ESRCH)
        }
    }
    /// The processes of the unit: those of its control group where it has
    /// one, else those of `sessions` (the sessions its commands lead).
    fn unit_processes(&mut self, _unit: &str, _sessions: &[Pid]) -> Vec<Pid> {
        Vec::new()
    }
    /// Whether the unit's control group, where it has one, holds a process.
    fn unit_group_populated(&mut self, _unit: &str) -> bool {
        false
    }
    /// The unit is down: its control group goes, once empty.
    fn release_unit_group(&mut self, _unit: &str) {}
    /// The PID a forking daemon wrote into the first line of its PID file.
    fn read_pid_file(&mut self, path: &str) -> Result<Pid, PidFileError>;
    /// Watches for `path` (the PID file of `unit`) to appear or change, as
    /// systemd's path_spec_watch(): the file's directory, or the nearest
    /// ancestor that exists while the directory does not. The supervisor
    /// then calls `on_pid_file_changed` of the unit's service. A second
    /// call replaces the unit's watch.
    fn watch_pid_file(&mut self, unit: &str, path: &str) -> io::Result<()> {
        let _ = (unit, path);
        Ok(())
    }
    /// Ends the watch of `unit`'s PID file, if any.
    fn unwatch_pid_file(&mut self, unit: &str) {
        let _ = unit;
    }
    /// A message of the supervisor about this unit (journal and status).
    fn log(&mut self, unit: &str, message: &str);
    /// CLOCK_MONOTONIC, in microseconds.
    fn now(&self) -> Usec;
    /// CLOCK_REALTIME, in microseconds since the epoch.
    fn realtime(&self) -> Usec;
    /// A fresh `$INVOCATION_ID`: 128 random bits in 32 hex digits.
    fn new_invocation_id(&mut self) -> String;
    /// A run of `unit` with this `$INVOCATION_ID` begins (the journal tags
    /// the supervisor's messages about it with the ID).
    fn begin_invocation(&mut self, _unit: &str, _invocation_id: &str) {}
    /// While `hold` is true, what new processes write waits to be read;
    /// false lets it be read, after the messages logged meanwhile.
    fn hold_output(&mut self, _hold: bool) {}
    /// The path of `$NOTIFY_SOCKET`, when the supervisor has one.
    fn notify_socket(&self) -> Option<String> {
        None
    }
    /// What /proc says of a process; None when it does not exist.
    fn process_info(&mut self, pid: Pid) -> Option<ProcessInfo> {
        let _ = pid;
        None
    }
    /// The supervisor's own PID.
    fn supervisor_pid(&self) -> Pid {
        Pid::this()
    }
    /// Answers one Condition*=/Assert*= (before negation) on this host.
    fn test_condition(&mut self, condition: &Condition) -> io::Result<bool> {
        let _ = condition;
        Ok(true)
    }
    /// Removes the service's RuntimeDirectory= directories.
    fn remove_runtime_directories(&mut self, plan: &ServicePlan) {
        let _ = plan;
    }
}

/// Why a PID file gave no PID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PidFileError {
    /// It could not be opened; the errno's text ("No such file or
    /// directory").
    Open(String),
    /// Its first line is not a PID; the errno's text ("Invalid argument").
    Parse(String),
}

/// Why a command of the service did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SpawnError {
    /// It was forked and failed to become the command (or could not be
    /// forked): it counts as a process that exited with this status.
    Exited(ExitStatus),
    /// The manager could not prepare it (an EnvironmentFile= that cannot
    /// be read): nothing ran, and the phase fails with `resources`. The
    /// errno's text.
    Resources(String),
}

/// A moment on both clocks, as systemd keeps its unit timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DualTimestamp {
    pub realtime: Usec,
    pub monotonic: Usec,
}

/// When the unit last changed state, entered and left activity
/// (`StateChangeTimestamp=`, `ActiveEnterTimestamp=`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitTimestamps {
    pub state_change: DualTimestamp,
    pub inactive_exit: DualTimestamp,
    pub active_enter: DualTimestamp,
    pub active_exit: DualTimestamp,
    pub inactive_enter: DualTimestamp,
}

impl UnitTimestamps {
    /// systemd's unit_notify() bookkeeping of when activity began and ended.
    pub fn record(&mut self, old: ActiveState, new: ActiveState, now: DualTimestamp) {
        self.state_change = now;
        if old.is_inactive_or_failed() && !new.is_inactive_or_failed() {
            self.inactive_exit = now;
        } else if !old.is_inactive_or_failed() && new.is_inactive_or_failed() {
            self.inactive_enter = now;
        }
        if !old.is_active_or_reloading() && new.is_active_or_reloading() {
            self.active_enter = now;
        } else if old.is_active_or_reloading() && !new.is_active_or_reloading() {
            self.active_exit = now;
        }
    }
}

/// What a request to the service led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The request was carried out (or is under way).
    Accepted,
    /// Nothing to do: already in the asked-for state.
    AlreadyDone,
    /// StartLimitBurst= starts within StartLimitIntervalSec=.
    StartLimitHit,
    /// The service has no ExecReload= and cannot reload.
    NotReloadable,
    /// The service is not active, so it cannot reload.
    NotActive,
}

/// The job a client waits for, as systemd's job types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Start,
    Stop,
    Reload,
}

/// How a job ended (systemd's JobResult words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    Failed,
    Canceled,
    /// A start whose Condition*= failed: nothing ran, nothing failed.
    Skipped,
    /// A start whose Assert*= failed.
    Assert,
}

#[derive(Debug, Clone)]
pub struct ServiceRuntime {
    pub plan: ServicePlan,
    pub state: ServiceState,
    pub result: ServiceResult,
    pub reload_result: ServiceResult,
    pub main_pid: Option<Pid>,
    pub control_pid: Option<Pid>,
    /// Process groups this run started (each command leads its own), the
    /// stand-in for a control group when KillMode=control-group.
    groups: Vec<Pid>,
    /// Commands left in the current phase.
    queue: VecDeque<ExecCommand>,
    /// The command the main or control process is running.
    current: Option<(ProcessRole, ExecCommand)>,
    /// When the current phase times out (monotonic usec).
    pub deadline: Option<Usec>,
    pub n_restarts: u32,
    start_attempts: VecDeque<Usec>,
    /// An explicit stop: no automatic restart afterwards.
    forbid_restart: bool,
    /// The job a client is waiting for, and how it ended once it has.
    pub job: Option<JobKind>,
    pub finished_jobs: Vec<(JobKind, JobOutcome)>,
    pub main_exit: Option<(Pid, ExitStatus)>,
    pub control_exit: Option<(Pid, ExitStatus)>,
    /// Every state change since the caller last drained it.
    pub transitions: Vec<(ServiceState, ServiceState)>,
    pub timestamps: UnitTimestamps,
    /// When the current or last main process started and exited.
    pub main_start: DualTimestamp,
    pub main_exit_time: DualTimestamp,
    /// `$INVOCATION_ID` of the current or last run ("" before the first).
    pub invocation_id: String,
    /// The clocks as read at the start of the event being handled.
    clock: DualTimestamp,
    /// The last check of Condition*= and of Assert*=.
    pub condition: ConditionRecord,
    pub assert: ConditionRecord,
    /// `STATUS=` and `ERRNO=` of the last notification that had them.
    pub status_text: Option<String>,
    pub status_errno: i32,
    /// When the watchdog fires unless pinged (monotonic usec).
    pub watchdog_deadline: Option<Usec>,
    /// The last `WATCHDOG=1` (or the watchdog's start).
    pub watchdog_timestamp: DualTimestamp,
    /// `WATCHDOG_USEC=` sent by the service, replacing WatchdogSec=.
    pub watchdog_override_usec: Option<Usec>,
    /// The process group ExecStart='s process leads (`$PGID`).
    start_group: Option<Pid>,
    /// The last process started for this run (`$LAST_PID`).
    last_pid: Option<Pid>,
    /// Why a command could not be started, to be logged.
    spawn_failure_log: Vec<String>,
    /// A start requested while stopping, begun once the stop is done.
    start_queued_behind_stop: bool,
    /// Restart=halt: the service went down on its own; the manager stops
    /// the pod.
    pub halt_requested: Option<()>,
    /// CPU time of the processes of the current or last run that have been
    /// reaped; None before the first start.
    pub reaped_cpu_usec: Option<Usec>,
    /// What each command of the current or last run did, by its list
    /// (`ExecStart`, ...) and place in it: systemd's exec status.
    pub exec_runs: ExecRuns,
    /// A forking service waits for its PID file to appear (systemd's
    /// pid_file_pathspec): the executor watches it.
    pid_file_watched: bool,
    /// The run ended without a restart: the next start that passes the
    /// start limit counts restarts from 0 again (systemd's
    /// flush_n_restarts), so that `NRestarts=` can be read meanwhile.
    flush_n_restarts: bool,
    /// The EnvironmentFile= assignments read for the command about to be
    /// started, by the phase that read them before it changed state.
    prepared_files: Option<Vec<(String, String)>>,
    /// "Starting ..." is due once the first command is forked (systemd
    /// says it only for a start still under way once the unit's start
    /// returns: not for one that failed before anything ran).
    starting_message_pending: bool,
}

/// The runs of a service's commands by (list, place), in key order: a
/// service has a handful of commands.
pub type ExecRuns = crate::config::sorted_map::SortedMap<(&'static str, usize), ExecRun>;

/// One run of a command: its process, when it started and ended, how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExecRun {
    pub pid: i32,
    pub start: Usec,
    pub stop: Usec,
    pub exit: Option<ExitStatus>,
}

impl ServiceRuntime {
    pub fn new(plan: ServicePlan) -> Self {
        ServiceRuntime {
            plan,
            state: ServiceState::Dead,
            result: ServiceResult::Success,
            reload_result: ServiceResult::Success,
            main_pid: None,
            control_pid: None,
            groups: Vec::new(),
            queue: VecDeque::new(),
            current: None,
            deadline: None,
            n_restarts: 0,
            start_attempts: VecDeque::new(),
            forbid_restart: false,
            job: None,
            finished_jobs: Vec::new(),
            main_exit: None,
            control_exit: None,
            transitions: Vec::new(),
            timestamps: UnitTimestamps::default(),
            main_start: DualTimestamp::default(),
            main_exit_time: DualTimestamp::default(),
            invocation_id: String::new(),
            clock: DualTimestamp::default(),
            condition: ConditionRecord::default(),
            assert: ConditionRecord::default(),
            status_text: None,
            status_errno: 0,
            watchdog_deadline: None,
            watchdog_timestamp: DualTimestamp::default(),
            watchdog_override_usec: None,
            start_group: None,
            last_pid: None,
            spawn_failure_log: Vec::new(),
            start_queued_behind_stop: false,
            halt_requested: None,
            reaped_cpu_usec: None,
            exec_runs: ExecRuns::default(),
            pid_file_watched: false,
            flush_n_restarts: false,
            prepared_files: None,
            starting_message_pending: false,
        }
    }

    /// The earliest moment the service needs `on_timeout`: its phase's
    /// deadline or its watchdog's.
    pub fn next_wakeup(&self) -> Option<Usec> {
        match (self.deadline, self.watchdog_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the process group (or session) `pgid` is one this run
    /// started.
    pub fn owns_process_group(&self, pgid: Pid) -> bool {
        self.groups.contains(&pgid)
    }

    /// Reads the clocks once per event, so that every change the event
    /// causes carries the same time.
    fn tick(&mut self, ex: &dyn Executor) {
        self.clock = DualTimestamp {
            realtime: ex.realtime(),
            monotonic: ex.now(),
        };
    }

    /// Reads the clocks for a step that must come strictly after the
    /// messages just logged, which carry the same monotonic clock to the
    /// microsecond: waits out the current microsecond. A clock that does
    /// not move (a test's) ends the wait after a thousand reads.
    fn tick_after_logged(&mut self, ex: &dyn Executor) {
        let logged = ex.now();
        for _ in 0..1000 {
            self.tick(ex);
            if self.clock.monotonic > logged {
                break;
            }
        }
    }

    pub fn active_state(&self) -> ActiveState {
        self.state.active_state()
    }

    fn set_state(&mut self, state: ServiceState) {
        let old = self.state;
        self.state = state;
        if old != state {
            self.transitions.push((old, state));
            self.record_timestamps(old.active_state(), state.active_state());
        }
        if !matches!(
            state,
            ServiceState::StartPre
                | ServiceState::Start
                | ServiceState::StartPost
                | ServiceState::Reload
                | ServiceState::Stop
                | ServiceState::StopWatchdog
                | ServiceState::StopSigterm
                | ServiceState::StopSigkill
                | ServiceState::StopPost
                | ServiceState::FinalWatchdog
                | ServiceState::FinalSigterm
                | ServiceState::FinalSigkill
                | ServiceState::AutoRestart
                | ServiceState::Running
        ) {
            self.deadline = None;
        }
        if !matches!(
            state,
            ServiceState::StartPost | ServiceState::Running | ServiceState::Reload
        ) {
            self.watchdog_deadline = None;
        }
    }

    fn record_timestamps(&mut self, old: ActiveState, new: ActiveState) {
        self.timestamps.record(old, new, self.clock);
    }

    fn set_result(&mut self, f: ServiceResult) {
        if self.result == ServiceResult::Success {
            self.result = f;
        }
    }

    fn arm(&mut self, ex: &dyn Executor, usec: Usec) {
        self.deadline = if usec == 0 || usec == USEC_INFINITY {
            None
        } else {
            Some(ex.now().saturating_add(usec))
        };
    }

    /// A message systemd logs with the unit's name in front (log_unit_*).
    fn unit_log(&self, ex: &mut dyn Executor, message: &str) {
        ex.log(&self.plan.name, &format!("{}: {message}", self.plan.name));
    }

    /// A job's status message ("Started demo.service - Demo."), logged
    /// without the name in front.
    fn job_log(&self, ex: &mut dyn Executor, message: &str) {
        ex.log(&self.plan.name, message);
    }

    /// The unit as job messages name it (`demo.service - Demo`).
    fn status_name(&self) -> String {
        unit_status(&self.plan.name, &self.plan.description)
    }

    /// Does a start complete within the request, the service active before
    /// the start job is looked at again? systemd logs "Starting ..." only
    /// for a start still pending then (job_perform_on_unit): a simple or
    /// idle service without ExecStartPre=/ExecStartPost= is up as soon as
    /// it is forked; every other start waits for a process or READY=1
    /// (Type=exec waits for the execve() to be confirmed).
    fn start_completes_at_once(&self) -> bool {
        let commands = &self.plan.commands;
        if !commands.start_pre.is_empty() || !commands.start_post.is_empty() {
            return false;
        }
        match self.plan.service_type {
            ServiceType::Simple | ServiceType::Idle => true,
            ServiceType::Oneshot => commands.start.is_empty(),
            _ => false,
        }
    }

    fn finish_job(&mut self, ex: &mut dyn Executor, outcome: JobOutcome) {
        let Some(kind) = self.job.take() else { return };
        let unit = self.status_name();
        let message = match (kind, outcome) {
            // systemd says "Finished" for every oneshot (service_finished_job).
            (JobKind::Start, JobOutcome::Done)
                if self.plan.service_type == ServiceType::Oneshot =>
            {
                format!("Finished {unit}.")
            }
            (JobKind::Start, JobOutcome::Done) => format!("Started {unit}."),
            (JobKind::Start, JobOutcome::Failed) => format!("Failed to start {unit}."),
            (JobKind::Stop, JobOutcome::Done) => format!("Stopped {unit}."),
            (JobKind::Stop, JobOutcome::Failed) => format!("Stopped {unit} with error."),
            (JobKind::Reload, JobOutcome::Done) => format!("Reloaded {unit}."),
            (JobKind::Reload, JobOutcome::Failed) => format!("Reload failed for {unit}."),
            (_, JobOutcome::Assert) => format!("Assertion failed for {unit}."),
            // The skip was told when the conditions were checked.
            (_, JobOutcome::Canceled | JobOutcome::Skipped) => String::new(),
        };
        if !message.is_empty() {
            self.job_log(ex, &message);
        }
        self.finished_jobs.push((kind, outcome));
    }

    /// Pending jobs end when the service reaches a state that settles them
    /// (job_finish_and_invalidate on unit_notify in systemd).
    fn settle_job(&mut self, ex: &mut dyn Executor) {
        let outcome = match (self.job, self.state) {
            (Some(JobKind::Start), ServiceState::Running | ServiceState::Exited) => {
                Some(JobOutcome::Done)
            }
            (Some(JobKind::Start), ServiceState::Dead) if self.result == ServiceResult::Success => {
                Some(JobOutcome::Done)
            }
            (Some(JobKind::Start), ServiceState::Failed | ServiceState::Dead) => {
                Some(JobOutcome::Failed)
            }
            (Some(JobKind::Start), ServiceState::AutoRestart) => Some(JobOutcome::Failed),
            (Some(JobKind::Stop), ServiceState::Dead | ServiceState::Failed) => {
                Some(JobOutcome::Done)
            }
            (Some(JobKind::Reload), ServiceState::Running | ServiceState::Exited) => {
                Some(if self.reload_result == ServiceResult::Success {
                    JobOutcome::Done
                } else {
                    JobOutcome::Failed
                })
            }
            (Some(JobKind::Reload), s) if s.active_state().is_inactive_or_failed() => {
                Some(JobOutcome::Failed)
            }
            _ => None,
        };
        if let Some(outcome) = outcome {
            self.finish_job(ex, outcome);
        }
    }

    // ---- requests ---------------------------------------------------------

    /// `systemctl start`: begins the start unless the service is active or
    /// on its way up already.
    pub fn start(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        // A start right after a stop (`systemctl restart`) begins after
        // the stop's messages.
        self.tick_after_logged(ex);
        match self.state.active_state() {
            ActiveState::Active | ActiveState::Reloading => return RequestOutcome::AlreadyDone,
            ActiveState::Activating if self.state != ServiceState::AutoRestart => {
                self.job.get_or_insert(JobKind::Start);
                return RequestOutcome::Accepted;
            }
            _ => {}
        }
        if let Some(old) = self.job.replace(JobKind::Start)
            && old != JobKind::Start
        {
            self.finished_jobs.push((old, JobOutcome::Canceled));
        }
        if self.state.active_state() == ActiveState::Deactivating {
            // systemd queues the start behind the stop; the stop's end
            // (enter_dead) picks the job up.
            self.start_queued_behind_stop = true;
            return RequestOutcome::Accepted;
        }
        if self.state == ServiceState::AutoRestart {
            // Still activating: systemd does not check conditions again.
            return self.begin_start(ex);
        }
        self.begin_start_job(ex)
    }

    /// A start job runs (systemd's unit_start): conditions first, then
    /// asserts, then the start itself.
    fn begin_start_job(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        if !self.check_conditions(ex) {
            self.finish_job(ex, JobOutcome::Skipped);
            return RequestOutcome::Accepted;
        }
        if !self.check_asserts(ex) {
            self.unit_log(ex, "Starting requested but asserts failed.");
            self.finish_job(ex, JobOutcome::Assert);
            return RequestOutcome::Accepted;
        }
        self.begin_start(ex)
    }

    /// Checks a Condition*= or Assert*= list, logging the checks that could
    /// not be made as systemd does.
    fn check_list(
        &mut self,
        ex: &mut dyn Executor,
        prefix: &str,
        asserts: bool,
    ) -> ConditionRecord {
        let list = if asserts {
            self.plan.asserts.clone()
        } else {
            self.plan.conditions.clone()
        };
        let mut errors = Vec::new();
        let (result, checks) = conditions::check_list(&list, |c| {
            let answer = ex.test_condition(c);
            if let Err(e) = &answer {
                errors.push(format!(
                    "Couldn't determine result for {}, assuming failed: {}",
                    conditions::describe(prefix, c),
                    crate::engine::errno_text(e)
                ));
            }
            answer
        });
        for message in errors {
            self.unit_log(ex, &message);
        }
        ConditionRecord {
            result,
            timestamp: self.clock,
            checks,
        }
    }

    /// Condition*=: false (and the skip logged) when the start is skipped.
    fn check_conditions(&mut self, ex: &mut dyn Executor) -> bool {
        self.condition = self.check_list(ex, "Condition", false);
        if self.condition.result {
            return true;
        }
        let unit = self.status_name();
        let message = match self.condition.failed_regular() {
            Some(c) => format!(
                "{unit} was skipped because of an unmet condition check (Condition{}={}{}).",
                c.kind,
                if c.negate { "!" } else { "" },
                c.value
            ),
            None => {
                format!("{unit} was skipped because no trigger condition checks were met.")
            }
        };
        self.job_log(ex, &message);
        false
    }

    fn check_asserts(&mut self, ex: &mut dyn Executor) -> bool {
        self.assert = self.check_list(ex, "Assert", true);
        self.assert.result
    }

    fn begin_start(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        if !self.pass_start_limit(ex) {
            // systemd's service_test_start_limit(): the unit goes dead
            // without a restart, its result `start-limit-hit` only where
            // no failure is on record yet: the last run of a crash loop
            // keeps its own (`exit-code`, `signal` ...).
            self.unit_log(ex, "Start request repeated too quickly.");
            self.set_result(ServiceResult::StartLimitHit);
            self.unit_log(ex, &format!("Failed with result '{}'.", self.result));
            self.flush_n_restarts = true;
            self.set_state(ServiceState::Failed);
            self.job = Some(JobKind::Start);
            self.finish_job(ex, JobOutcome::Failed);
            return RequestOutcome::StartLimitHit;
        }
        if std::mem::take(&mut self.flush_n_restarts) {
            self.n_restarts = 0;
        }
        self.invocation_id = ex.new_invocation_id();
        ex.begin_invocation(&self.plan.name, &self.invocation_id);
        self.reaped_cpu_usec = Some(0);
        self.exec_runs.clear();
        self.main_start = DualTimestamp::default();
        self.main_exit_time = DualTimestamp::default();
        let at_once = self.start_completes_at_once();
        self.starting_message_pending = !at_once && self.job == Some(JobKind::Start);
        self.start_queued_behind_stop = false;
        self.status_text = None;
        self.status_errno = 0;
        self.watchdog_override_usec = None;
        self.start_group = None;
        self.last_pid = None;
        self.result = ServiceResult::Success;
        self.reload_result = ServiceResult::Success;
        self.forbid_restart = false;
        self.main_exit = None;
        self.control_exit = None;
        self.main_pid = None;
        self.control_pid = None;
        self.groups.clear();
        // A start that completes at once says "Started" after the fork, as
        // systemd does; what the new process writes is held back until
        // then, so that the journal shows the report first, as systemd's
        // does (it reports before the child gets to run).
        ex.hold_output(at_once);
        self.enter_start_pre(ex);
        // A start that forked nothing and is still under way says so now.
        if self.job == Some(JobKind::Start) {
            self.log_starting(ex);
        }
        self.starting_message_pending = false;
        ex.hold_output(false);
        RequestOutcome::Accepted
    }

    /// "Starting ...", once, when it is due.
    fn log_starting(&mut self, ex: &mut dyn Executor) {
        if std::mem::take(&mut self.starting_message_pending) {
            let unit = self.status_name();
            self.job_log(ex, &format!("Starting {unit}..."));
        }
    }

    /// StartLimitIntervalSec=/StartLimitBurst=: true if this start may go on.
    fn pass_start_limit(&mut self, ex: &dyn Executor) -> bool {
        let interval = self.plan.start_limit_interval_usec;
        let burst = self.plan.start_limit_burst;
        if interval == 0 || burst == 0 {
            return true;
        }
        let now = ex.now();
        while self
            .start_attempts
            .front()
            .is_some_and(|t| now.saturating_sub(*t) >= interval)
        {
            self.start_attempts.pop_front();
        }
        if self.start_attempts.len() >= burst as usize {
            return false;
        }
        self.start_attempts.push_back(now);
        true
    }

    /// Forgets past starts and a failure, as `systemctl reset-failed` does.
    pub fn reset_failed(&mut self) {
        self.start_attempts.clear();
        if self.state == ServiceState::Failed {
            self.set_state(ServiceState::Dead);
        }
        self.result = ServiceResult::Success;
        self.reload_result = ServiceResult::Success;
        // As systemd's service_reset_failed(): the restart counter too.
        self.n_restarts = 0;
        self.flush_n_restarts = false;
    }

    /// `systemctl stop`.
    pub fn stop(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        self.tick(ex);
        self.forbid_restart = true;
        self.start_queued_behind_stop = false;
        if self.job == Some(JobKind::Stop) {
            // A stop is already under way; this request joins it.
            return RequestOutcome::Accepted;
        }
        if let Some(old) = self.job.replace(JobKind::Stop)
            && old != JobKind::Stop
        {
            self.finished_jobs.push((old, JobOutcome::Canceled));
        }
        // systemd's service_stop() reports whether it set a stop going; an
        // auto-restart cancelled or a stop already under way is no news.
        let mut began = false;
        let outcome = match self.state {
            ServiceState::Dead | ServiceState::Failed => {
                self.job = None;
                self.finished_jobs.push((JobKind::Stop, JobOutcome::Done));
                RequestOutcome::AlreadyDone
            }
            ServiceState::AutoRestart => {
                self.set_state(ServiceState::Dead);
                self.settle_job(ex);
                RequestOutcome::Accepted
            }
            ServiceState::StartPre
            | ServiceState::Start
            | ServiceState::StartPost
            | ServiceState::Reload => {
                began = true;
                self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Success);
                RequestOutcome::Accepted
            }
            ServiceState::Running | ServiceState::Exited => {
                began = true;
                self.enter_stop(ex, ServiceResult::Success);
                RequestOutcome::Accepted
            }
            // Already stopping: the job completes with the stop under way.
            _ => RequestOutcome::Accepted,
        };
        // As systemd (job_perform_on_unit), "Stopping ..." only for a stop
        // begun and still under way: one with nothing left to stop says
        // "Stopped" alone.
        if began && self.job == Some(JobKind::Stop) {
            let unit = self.status_name();
            self.job_log(ex, &format!("Stopping {unit}..."));
        }
        outcome
    }

    /// `systemctl reload`: runs ExecReload= while the service stays up.
    pub fn reload(&mut self, ex: &mut dyn Executor) -> RequestOutcome {
        self.tick(ex);
        if self.plan.commands.reload.is_empty() {
            return RequestOutcome::NotReloadable;
        }
        if !matches!(self.state, ServiceState::Running | ServiceState::Exited) {
            return RequestOutcome::NotActive;
        }
        self.job = Some(JobKind::Reload);
        let unit = self.status_name();
        self.job_log(ex, &format!("Reloading {unit}..."));
        self.reload_result = ServiceResult::Success;
        if !self.prepare_spawn(ex, "reload") {
            self.reload_result = ServiceResult::Resources;
            self.enter_running(ex, ServiceResult::Success);
            return RequestOutcome::Accepted;
        }
        self.queue = self.plan.commands.reload.iter().cloned().collect();
        self.set_state(ServiceState::Reload);
        self.arm(ex, self.plan.timeout_start_usec);
        if !self.run_next_control(ex) {
            self.enter_running(ex, ServiceResult::Success);
        }
        RequestOutcome::Accepted
    }

    // ---- phases -----------------------------------------------------------

    /// What the phase adds to a command's environment. Besides systemd's
    /// variables, runr sets two of its own:
    /// - `$PGID`: the process group that ExecStart='s process leads (every
    ///   command runr starts leads its own group and session). A daemon
    ///   forked by ExecStart= stays in it, so `kill -- -$PGID` reaches the
    ///   service even when its main PID is not known (Type=forking without
    ///   PIDFile=). Set for the commands that run after ExecStart= started
    ///   (ExecStartPost=, ExecReload=, ExecStop=, ExecStopPost=).
    /// - `$LAST_PID`: the PID of the process runr started for this run of
    ///   the service just before this command (the previous ExecStartPre=,
    ///   the ExecStart= process for an ExecStartPost=, ...). Not set for the
    ///   first command of a run.
    fn phase_env(&self, ex: &dyn Executor) -> Vec<(String, String)> {
        let mut env = vec![("INVOCATION_ID".to_string(), self.invocation_id.clone())];
        if let Some(pid) = self.main_pid {
            env.push(("MAINPID".to_string(), pid.to_string()));
        }
        // ExecStart= runs in `start`; everything else is a control command.
        let exec_start = self.state == ServiceState::Start;
        let notify = if exec_start {
            self.plan.notify_access != NotifyAccess::None
        } else {
            matches!(
                self.plan.notify_access,
                NotifyAccess::Exec | NotifyAccess::All
            )
        };
        if let Some(socket) = ex.notify_socket().filter(|_| notify) {
            env.push(("NOTIFY_SOCKET".to_string(), socket));
        }
        // `$WATCHDOG_USEC` for ExecStart=. systemd also sets `$WATCHDOG_PID`
        // to the child's own PID, which is only known after the fork; it is
        // left out (sd_watchdog_enabled() accepts its absence).
        let watchdog = self.watchdog_usec();
        if exec_start && watchdog > 0 && watchdog != USEC_INFINITY {
            env.push(("WATCHDOG_USEC".to_string(), watchdog.to_string()));
        }
        if let Some(group) = self.start_group.filter(|_| !exec_start) {
            env.push(("PGID".to_string(), group.to_string()));
        }
        if let Some(pid) = self.last_pid {
            env.push(("LAST_PID".to_string(), pid.to_string()));
        }
        if matches!(self.state, ServiceState::StopPost | ServiceState::Stop) {
            env.push((
                "SERVICE_RESULT".to_string(),
                self.result.as_str().to_string(),
            ));
            if let Some((_, status)) = self.main_exit {
                env.push(("EXIT_CODE".to_string(), status.code_word().to_string()));
                let text = match status {
                    ExitStatus::Exited(n) => n.to_string(),
                    ExitStatus::Killed(n) | ExitStatus::Dumped(n) => ExitStatus::Killed(n)
                        .status_text()
                        .split('/')
                        .nth(1)
                        .unwrap_or_default()
                        .to_string(),
                };
                env.push(("EXIT_STATUS".to_string(), text));
            }
        }
        env
    }

    /// Reads the EnvironmentFile= files for the next command, as systemd's
    /// manager does before it forks; logs systemd's two lines when one
    /// cannot be read (`task` names the phase: "Failed to run 'start'
    /// task: ..."). A phase calls this before it changes state: a command
    /// that never ran leaves the unit where it was.
    fn prepare_spawn(&mut self, ex: &mut dyn Executor, task: &str) -> bool {
        match self.load_environment_files(ex) {
            Ok(files) => {
                self.prepared_files = Some(files);
                true
            }
            Err(reason) => {
                self.unit_log(ex, &format!("Failed to run '{task}' task: {reason}"));
                false
            }
        }
    }

    /// The EnvironmentFile= assignments, or why they could not be read
    /// (logged as systemd logs it).
    fn load_environment_files(
        &mut self,
        ex: &mut dyn Executor,
    ) -> Result<Vec<(String, String)>, String> {
        ex.load_environment_files(&self.plan).map_err(|e| {
            let reason = crate::engine::errno_text(&e);
            self.unit_log(ex, &format!("Failed to load environment files: {reason}"));
            reason
        })
    }

    /// Starts a command; a command that cannot be started counts as one
    /// that exited with 203/EXEC, as a forked child failing execve() does.
    /// One the manager cannot prepare is [`SpawnError::Resources`].
    fn spawn(
        &mut self,
        ex: &mut dyn Executor,
        role: ProcessRole,
        command: ExecCommand,
    ) -> Result<Pid, SpawnError> {
        let files = match self.prepared_files.take() {
            Some(files) => files,
            None => match self.load_environment_files(ex) {
                Ok(files) => files,
                Err(reason) => return Err(SpawnError::Resources(reason)),
            },
        };
        self.log_starting(ex);
        let env = self.phase_env(ex);
        let result = ex.spawn(&self.plan, role, &command, &env, &files, self.n_restarts);
        self.current = Some((role, command.clone()));
        if let Some(place) = self.command_place() {
            let run = ExecRun {
                pid: result.as_ref().map_or(0, |pid| pid.as_raw()),
                start: self.clock.realtime,
                ..ExecRun::default()
            };
            self.exec_runs.insert(place, run);
        }
        let outcome = match result {
            Ok(pid) => {
                self.groups.push(pid);
                self.last_pid = Some(pid);
                if self.state == ServiceState::Start && self.start_group.is_none() {
                    self.start_group = Some(pid);
                }
                match role {
                    ProcessRole::Main => {
                        self.main_pid = Some(pid);
                        self.main_start = self.clock;
                    }
                    ProcessRole::Control => self.control_pid = Some(pid),
                }
                Ok(pid)
            }
            Err(e) => {
                // systemd's child logs why it could not become the command
                // and exits with the step's status; this is that exit.
                let failure = SpawnFailure::from_io(&e).cloned().unwrap_or_else(|| {
                    SpawnFailure::new(
                        super::spawn::SetupStep::Execute,
                        e.raw_os_error().unwrap_or(nix::libc::EIO),
                        format!(
                            "Failed to execute {}: {}",
                            command.path,
                            crate::engine::errno_text(&e)
                        ),
                    )
                });
                // Logged by the caller once the job has said what it says
                // first (systemd's child writes them after the fork).
                self.spawn_failure_log.push(failure.message.clone());
                if failure.skipped {
                    Err(ExitStatus::Exited(0))
                } else {
                    self.spawn_failure_log.push(format!(
                        "Failed at step {} spawning {}: {}",
                        failure.step_name(),
                        command.path,
                        failure.reason()
                    ));
                    Err(ExitStatus::Exited(failure.step.exit_status()))
                }
            }
        };
        if let Err(status) = outcome {
            // The attempt took its time, as systemd's forked child does:
            // what follows (the end of a start that failed) comes after.
            self.tick(ex);
            self.record_command_exit(None, status);
        }
        outcome.map_err(SpawnError::Exited)
    }

    /// Which list the command being started belongs to, and its place in
    /// it: the phase says the list, what is left of the phase the place.
    fn command_place(&self) -> Option<(&'static str, usize)> {
        let c = &self.plan.commands;
        let (key, list) = match self.state {
            ServiceState::StartPre => ("ExecStartPre", &c.start_pre),
            ServiceState::Start => ("ExecStart", &c.start),
            ServiceState::StartPost => ("ExecStartPost", &c.start_post),
            ServiceState::Reload => ("ExecReload", &c.reload),
            ServiceState::Stop => ("ExecStop", &c.stop),
            ServiceState::StopPost => ("ExecStopPost", &c.stop_post),
            _ => return None,
        };
        list.len()
            .checked_sub(self.queue.len() + 1)
            .map(|i| (key, i))
    }

    /// A process of a command ended (or the command could not start):
    /// its run gets its end.
    fn record_command_exit(&mut self, pid: Option<Pid>, status: ExitStatus) {
        let pid = pid.map_or(0, |p| p.as_raw());
        let now = self.clock.realtime;
        if let Some(run) = self
            .exec_runs
            .values_mut()
            .rev()
            .find(|r| r.pid == pid && r.exit.is_none())
        {
            run.stop = now;
            run.exit = Some(status);
        }
    }

    /// Logs why the last command could not be started.
    fn flush_spawn_failure_log(&mut self, ex: &mut dyn Executor) {
        for line in std::mem::take(&mut self.spawn_failure_log) {
            self.unit_log(ex, &line);
        }
    }

    /// Runs the next queued command as the control process. Returns false
    /// when the phase has no commands left.
    fn run_next_control(&mut self, ex: &mut dyn Executor) -> bool {
        let Some(command) = self.queue.pop_front() else {
            return false;
        };
        match self.spawn(ex, ProcessRole::Control, command) {
            Ok(_) => {}
            Err(SpawnError::Exited(status)) => {
                self.flush_spawn_failure_log(ex);
                self.on_control_exit(ex, None, status);
            }
            Err(SpawnError::Resources(reason)) => {
                // The first command of a phase was prepared before the
                // phase began; this is a later one (service_run_next_control).
                self.unit_log(ex, &format!("Failed to run next control task: {reason}"));
                self.queue.clear();
                self.current = None;
                let f = ServiceResult::Resources;
                match self.state {
                    ServiceState::StartPre | ServiceState::StartPost | ServiceState::Stop => {
                        self.enter_signal(ex, ServiceState::StopSigterm, f)
                    }
                    ServiceState::StopPost => self.enter_dead(ex, f, true),
                    ServiceState::Reload => {
                        self.reload_result = f;
                        self.enter_running(ex, ServiceResult::Success);
                    }
                    _ => self.enter_stop(ex, f),
                }
            }
        }
        true
    }

    fn enter_start_pre(&mut self, ex: &mut dyn Executor) {
        self.queue = self.plan.commands.start_pre.iter().cloned().collect();
        if self.queue.is_empty() {
            self.enter_start(ex);
            return;
        }
        if !self.prepare_spawn(ex, "start-pre") {
            self.queue.clear();
            self.enter_dead(ex, ServiceResult::Resources, true);
            return;
        }
        self.set_state(ServiceState::StartPre);
        self.arm(ex, self.plan.timeout_start_usec);
        self.run_next_control(ex);
    }

    fn enter_start(&mut self, ex: &mut dyn Executor) {
        let mut commands: VecDeque<ExecCommand> =
            self.plan.commands.start.iter().cloned().collect();
        let Some(first) = commands.pop_front() else {
            // Only oneshot services may go without ExecStart= (the loader
            // refuses the others).
            self.enter_start_post(ex);
            return;
        };
        if !self.prepare_spawn(ex, "start") {
            self.queue.clear();
            self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Resources);
            return;
        }
        self.queue = commands;
        let forking = self.plan.service_type == ServiceType::Forking;
        let role = if forking {
            ProcessRole::Control
        } else {
            ProcessRole::Main
        };
        self.set_state(ServiceState::Start);
        self.arm(ex, self.plan.timeout_start_usec);
        let spawned = self.spawn(ex, role, first).map_err(|e| match e {
            SpawnError::Exited(status) => status,
            // Prepared above: the files were read.
            SpawnError::Resources(_) => ExitStatus::Exited(1),
        });
        if spawned.is_err()
            && matches!(
                self.plan.service_type,
                ServiceType::Simple | ServiceType::Idle
            )
            && role == ProcessRole::Main
        {
            // "Started" comes first: for systemd the fork has succeeded.
        } else {
            self.flush_spawn_failure_log(ex);
        }
        match (spawned, self.plan.service_type) {
            (Err(status), _) if role == ProcessRole::Control => {
                self.on_control_exit(ex, None, status)
            }
            (Err(status), ServiceType::Exec) => {
                self.main_exit = Some((Pid::from_raw(0), status));
                self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::ExitCode);
            }
            (Err(status), ServiceType::Simple | ServiceType::Idle) => {
                // The start itself succeeds; the main process "exits" at once.
                self.set_state(ServiceState::Running);
                self.settle_job(ex);
                self.flush_spawn_failure_log(ex);
                self.on_main_exit(ex, None, status);
            }
            (Err(status), _) => self.on_main_exit(ex, None, status),
            (Ok(_), ServiceType::Simple | ServiceType::Exec | ServiceType::Idle) => {
                self.enter_start_post(ex)
            }
            // oneshot, notify, forking: wait in `start` for the process
            // (or READY=1) to say the service is up.
            (Ok(_), _) => {}
        }
    }

    fn enter_start_post(&mut self, ex: &mut dyn Executor) {
        self.reset_watchdog();
        self.queue = self.plan.commands.start_post.iter().cloned().collect();
        if self.queue.is_empty() {
            self.enter_running(ex, ServiceResult::Success);
            return;
        }
        if !self.prepare_spawn(ex, "start-post") {
            self.queue.clear();
            self.enter_stop(ex, ServiceResult::Resources);
            return;
        }
        self.set_state(ServiceState::StartPost);
        self.arm(ex, self.plan.timeout_start_usec);
        self.run_next_control(ex);
    }

    /// Is the service still "up": its main process alive, or (forking
    /// without a known main PID) some process of its groups.
    fn is_good(&mut self, ex: &mut dyn Executor) -> bool {
        if self.main_pid.is_some() {
            return true;
        }
        self.plan.service_type == ServiceType::Forking && self.groups_alive(ex)
    }

    /// CPU time this run has used: its reaped processes and its live main
    /// and control processes. None before the first start.
    pub fn cpu_usage_usec(&self) -> Option<Usec> {
        let reaped = self.reaped_cpu_usec?;
        let pids: Vec<Pid> = self.main_pid.into_iter().chain(self.control_pid).collect();
        Some(reaped + super::cpu_usage::live_usage_usec(&pids))
    }

    fn groups_alive(&mut self, ex: &mut dyn Executor) -> bool {
        self.groups.retain(|g| ex.group_alive(*g));
        let whole_group = matches!(
            self.plan.kill_mode,
            KillMode::ControlGroup | KillMode::Mixed
        );
        !self.groups.is_empty() || (whole_group && ex.unit_group_populated(&self.plan.name))
    }

    fn enter_running(&mut self, ex: &mut dyn Executor, f: ServiceResult) {
        self.unwatch_pid_file(ex);
        self.set_result(f);
        self.control_pid = None;
        if self.result != ServiceResult::Success {
            self.enter_signal(ex, ServiceState::StopSigterm, f);
        } else if self.is_good(ex) {
            self.set_state(ServiceState::Running);
            self.arm(ex, self.plan.runtime_max_usec);
            self.settle_job(ex);
        } else if self.plan.remain_after_exit {
            self.set_state(ServiceState::Exited);
            self.settle_job(ex);
        } else {
            self.enter_stop(ex, ServiceResult::Success);
        }
    }

    fn enter_stop(&mut self, ex: &mut dyn Executor, f: ServiceResult) {
        self.unwatch_pid_file(ex);
        self.set_result(f);
        self.queue = self.plan.commands.stop.iter().cloned().collect();
        if self.queue.is_empty() {
            self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Success);
            return;
        }
        if !self.prepare_spawn(ex, "stop") {
            self.queue.clear();
            self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Resources);
            return;
        }
        self.set_state(ServiceState::Stop);
        self.arm(ex, self.plan.timeout_stop_usec);
        self.run_next_control(ex);
    }

    /// Signals what is left of the service (per KillMode=) and waits for
    /// it to go; moves on at once when nothing was left.
    fn enter_signal(&mut self, ex: &mut dyn Executor, state: ServiceState, f: ServiceResult) {
        self.unwatch_pid_file(ex);
        self.set_result(f);
        let signal = match state {
            ServiceState::StopWatchdog | ServiceState::FinalWatchdog => self.plan.watchdog_signal,
            ServiceState::StopSigterm | ServiceState::FinalSigterm => self.plan.kill_signal,
            ServiceState::StopSigkill => Signal::SIGKILL,
            _ => self.plan.final_kill_signal,
        };
        let waiting = self.kill_processes(ex, signal, state);
        if waiting {
            self.set_state(state);
            let watchdog = matches!(
                state,
                ServiceState::StopWatchdog | ServiceState::FinalWatchdog
            );
            self.arm(
                ex,
                if watchdog {
                    self.plan.timeout_abort_usec
                } else {
                    self.plan.timeout_stop_usec
                },
            );
            return;
        }
        match state {
            ServiceState::StopWatchdog | ServiceState::StopSigterm if self.plan.send_sigkill => {
                self.enter_signal(ex, ServiceState::StopSigkill, ServiceResult::Success)
            }
            ServiceState::StopWatchdog | ServiceState::StopSigterm | ServiceState::StopSigkill => {
                self.enter_stop_post(ex, ServiceResult::Success)
            }
            ServiceState::FinalWatchdog | ServiceState::FinalSigterm if self.plan.send_sigkill => {
                self.enter_signal(ex, ServiceState::FinalSigkill, ServiceResult::Success)
            }
            _ => self.enter_dead(ex, ServiceResult::Success, true),
        }
    }

    /// unit_kill_context(): true when some process got the signal and its
    /// exit has to be awaited.
    fn kill_processes(
        &mut self,
        ex: &mut dyn Executor,
        signal: Signal,
        state: ServiceState,
    ) -> bool {
        let sigkill = signal == Signal::SIGKILL;
        if self.plan.kill_mode == KillMode::None {
            // runr's KillMode=none sends no SIGTERM but waits, up to
            // TimeoutStopSec=, while something of the service runs (its
            // ExecStop= asked it to go), and then SIGKILLs it all.
            if !self.plan.kill_none_sends_final_sigkill {
                return false;
            }
            if !sigkill {
                return [self.main_pid, self.control_pid]
                    .into_iter()
                    .flatten()
                    .any(|pid| ex.process_info(pid).is_some());
            }
        }
        let mut waiting = false;
        // systemd names the processes it kills unless it is a plain
        // SIGTERM-style request (unit_kill_context's log_kill).
        let noteworthy = !matches!(
            state,
            ServiceState::StopSigterm | ServiceState::FinalSigterm
        ) || matches!(signal, Signal::SIGKILL | Signal::SIGABRT);
        for pid in [self.main_pid, self.control_pid].into_iter().flatten() {
            if noteworthy {
                let name = ex
                    .process_info(pid)
                    .map_or_else(|| "n/a".to_string(), |p| p.name);
                self.unit_log(
                    ex,
                    &format!(
                        "Killing process {pid} ({name}) with signal {}.",
                        signal.as_str()
                    ),
                );
            }
            if ex.kill(pid, signal, false) {
                waiting = true;
                if !sigkill && signal != Signal::SIGCONT {
                    ex.kill(pid, Signal::SIGCONT, false);
                }
                if self.plan.send_sighup
                    && matches!(
                        state,
                        ServiceState::StopSigterm | ServiceState::FinalSigterm
                    )
                {
                    ex.kill(pid, Signal::SIGHUP, false);
                }
            }
        }
        let whole_group = match self.plan.kill_mode {
            KillMode::ControlGroup => true,
            // None gets here only for runr's final SIGKILL.
            KillMode::Mixed | KillMode::None => sigkill,
            KillMode::Process => false,
        };
        if whole_group {
            let groups = self.groups.clone();
            self.groups.clear();
            for group in groups {
                if ex.kill(group, signal, true) {
                    self.groups.push(group);
                    waiting = true;
                    if !sigkill {
                        ex.kill(group, Signal::SIGCONT, true);
                    }
                }
            }
            // What left the process groups (setsid(), a double fork) is
            // still in the control group.
            if ex.kill_unit_group(&self.plan.name, signal) {
                waiting = true;
                if !sigkill {
                    ex.kill_unit_group(&self.plan.name, Signal::SIGCONT);
                }
            }
        }
        waiting
    }

    fn enter_stop_post(&mut self, ex: &mut dyn Executor, f: ServiceResult) {
        self.unwatch_pid_file(ex);
        self.set_result(f);
        self.queue = self.plan.commands.stop_post.iter().cloned().collect();
        if self.queue.is_empty() {
            self.enter_signal(ex, ServiceState::FinalSigterm, ServiceResult::Success);
            return;
        }
        if !self.prepare_spawn(ex, "stop-post") {
            self.queue.clear();
            self.enter_signal(ex, ServiceState::FinalSigterm, ServiceResult::Resources);
            return;
        }
        self.set_state(ServiceState::StopPost);
        self.arm(ex, self.plan.timeout_stop_usec);
        self.run_next_control(ex);
    }

    fn enter_dead(&mut self, ex: &mut dyn Executor, f: ServiceResult, allow_restart: bool) {
        self.unwatch_pid_file(ex);
        self.set_result(f);
        if self.result == ServiceResult::Success {
            self.unit_log(ex, "Deactivated successfully.");
        } else {
            self.unit_log(ex, &format!("Failed with result '{}'.", self.result));
        }
        self.main_pid = None;
        self.control_pid = None;
        self.current = None;
        self.queue.clear();
        ex.release_unit_group(&self.plan.name);
        let end = if self.result == ServiceResult::Success {
            ServiceState::Dead
        } else {
            ServiceState::Failed
        };
        let will_restart = allow_restart && self.shall_restart();
        let preserve = self
            .plan
            .exec
            .directories
            .runtime_preserve
            .unwrap_or(RuntimeDirectoryPreserve::No);
        let remove = match preserve {
            RuntimeDirectoryPreserve::No => true,
            RuntimeDirectoryPreserve::Restart => !will_restart,
            RuntimeDirectoryPreserve::Yes => false,
        };
        if remove && !self.plan.exec.directories.runtime.is_empty() {
            ex.remove_runtime_directories(&self.plan);
        }
        if will_restart {
            // The state changes after the messages above, as systemd's
            // service_enter_dead() logs before it sets the state: status
            // shows the log from the restart's activation on.
            self.tick_after_logged(ex);
            self.set_state(end);
            self.set_state(ServiceState::AutoRestart);
            self.arm(ex, self.plan.restart_usec.max(1));
            // A start job waiting on this run failed; the restart is new.
            self.settle_job(ex);
            return;
        }
        if allow_restart && !self.forbid_restart && self.plan.restart == RestartPolicy::Halt {
            self.halt_requested = Some(());
        }
        // No restart: the counter is kept for `show` and starts over at the
        // next start.
        self.flush_n_restarts = true;
        self.forbid_restart = false;
        self.set_state(end);
        if self.job == Some(JobKind::Start)
            && self.result == ServiceResult::Success
            && self.plan.remain_after_exit
        {
            self.settle_job(ex);
        } else if self.job == Some(JobKind::Start) && self.start_queued_behind_stop {
            // `start` arrived while stopping: begin it now.
            self.start_queued_behind_stop = false;
            self.begin_start_job(ex);
        } else {
            self.settle_job(ex);
        }
    }

    /// Ends the wait for the PID file, where there is one.
    fn unwatch_pid_file(&mut self, ex: &mut dyn Executor) {
        if std::mem::take(&mut self.pid_file_watched) {
            ex.unwatch_pid_file(&self.plan.name);
        }
    }

    fn shall_restart(&self) -> bool {
        if self.forbid_restart || self.result == ServiceResult::StartLimitHit {
            return false;
        }
        let main_status = self.main_exit.map(|(_, s)| s);
        let matches = |set: &ExitStatusSet| {
            main_status.is_some_and(|s| match s {
                ExitStatus::Exited(n) => u8::try_from(n).is_ok_and(|n| set.statuses.contains(&n)),
                ExitStatus::Killed(n) | ExitStatus::Dumped(n) => set.signals.contains(&n),
            })
        };
        if matches(&self.plan.restart_prevent_exit_status) {
            return false;
        }
        if matches(&self.plan.restart_force_exit_status) {
            return true;
        }
        let r = self.result;
        match self.plan.restart {
            RestartPolicy::No => false,
            RestartPolicy::Always => true,
            RestartPolicy::OnSuccess => r == ServiceResult::Success,
            RestartPolicy::OnFailure => r != ServiceResult::Success,
            RestartPolicy::OnAbnormal => {
                !matches!(r, ServiceResult::Success | ServiceResult::ExitCode)
            }
            RestartPolicy::OnWatchdog => r == ServiceResult::Watchdog,
            RestartPolicy::OnAbort => matches!(r, ServiceResult::Signal | ServiceResult::CoreDump),
            RestartPolicy::Halt => false,
        }
    }
}

// What happens to a service: exits, timeouts, notifications, kill requests.
#[path = "service_events.rs"]
mod events;
#[path = "service_kill.rs"]
mod kill;
#[path = "service_notify.rs"]
mod notify;
pub use kill::KillRefusal;

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;

//! The request and response bodies of the control API. The server, the
//! native CLI and the systemd faces all use these types, so what the daemon
//! writes is exactly what a client reads.
//!
//! Conventions on the wire: timestamps are RFC 3339 strings in UTC with
//! microseconds (`2024-01-15T11:00:00.123456Z`), held in Rust as
//! microseconds since the epoch; durations are numbers with their unit in
//! the field name (`uptime_usec`, `timeout`: seconds, as runr's API has it).
//! Optional request fields may be left out; an empty POST body means "all
//! defaults".

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::state::ActiveState;
use crate::syntax::Usec;

/// The number a write is known by until it has finished (like a systemd job id).
pub type ActionId = u64;

/// A wall-clock instant, microseconds since the Unix epoch; RFC 3339 on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub Usec);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(crate::syntax::timestamp::now_realtime())
    }

    pub fn as_usec(self) -> Usec {
        self.0
    }

    /// Reads what `Display` writes (RFC 3339, any offset), or `@USEC`.
    pub fn parse(text: &str) -> Option<Timestamp> {
        if let Some(raw) = text.strip_prefix('@') {
            return raw.parse().ok().map(Timestamp);
        }
        let t: jiff::Timestamp = text.parse().ok()?;
        u64::try_from(t.as_microsecond()).ok().map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = i64::try_from(self.0).unwrap_or(i64::MAX);
        match jiff::Timestamp::from_microsecond(micros) {
            Ok(t) => write!(f, "{t:.6}"),
            // Past jiff's range (year 9999): say so rather than print a wrong date.
            Err(_) => write!(f, "@{}", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid timestamp '{text}'")))
    }
}

/// `ActiveState=` as its systemd word (`active`, `failed`, ...).
mod active_state_word {
    use super::*;

    const ALL: [ActiveState; 6] = [
        ActiveState::Active,
        ActiveState::Reloading,
        ActiveState::Inactive,
        ActiveState::Failed,
        ActiveState::Activating,
        ActiveState::Deactivating,
    ];

    pub fn serialize<S: Serializer>(state: &ActiveState, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(state.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ActiveState, D::Error> {
        let word = String::deserialize(d)?;
        ALL.into_iter()
            .find(|s| s.as_str() == word)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown active state '{word}'")))
    }
}

/// `GET /api/v1/daemon/info`: the supervisor itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonInfo {
    pub version: String,
    pub pid: u32,
    pub started_at: Timestamp,
    pub uptime_usec: u64,
    /// Resident set size of the supervisor process.
    pub memory_rss_bytes: u64,
    /// User plus system CPU time the supervisor has used.
    pub cpu_usec: u64,
}

/// One row of `GET /api/v1/units` (the columns of `systemctl list-units`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSummary {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `loaded`, `not-found`, `bad-setting`, `error`, `masked`.
    pub load_state: String,
    #[serde(with = "active_state_word")]
    pub active_state: ActiveState,
    pub sub_state: String,
    /// `enabled`, `disabled`, `static`, `masked`, ...; absent where unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_file_state: Option<String>,
}

/// One element of `GET /api/v1/services/statuses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "active_state_word")]
    pub state: ActiveState,
    /// The service's `SubState=` word (`running`, `auto-restart`, ...).
    pub sub_state: String,
    /// The service's `Result=` word (`success`, `exit-code`, ...).
    #[serde(default)]
    pub result: String,
    /// Automatic restarts since the supervisor started (`NRestarts=`).
    #[serde(default)]
    pub restarts: u32,
    /// The main process, while there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The exit code (or 128+signal) of the last main process that ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_exit_status: Option<i32>,
    /// When the service entered its current active state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_file_state: Option<String>,
    /// What the service last said with sd_notify's `STATUS=` (kept until
    /// its next start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_text: Option<String>,
}

/// One element of `GET /api/v1/timers/statuses` (`systemctl list-timers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerStatus {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "active_state_word")]
    pub state: ActiveState,
    /// `waiting`, `running`, `elapsed`, `dead`, `failed`.
    pub sub_state: String,
    /// The unit the timer activates.
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_elapse: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_trigger: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_file_state: Option<String>,
    /// Whether systemd would hold the timer loaded (running, or referred
    /// to): `systemctl list-timers` lists only those.
    #[serde(default = "yes")]
    pub loaded: bool,
}

fn yes() -> bool {
    true
}

/// Body of `POST /api/v1/services/{name}/start`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StartOptions {
    /// Starting a service that is already active is a success (nothing is
    /// done) rather than a 409 Conflict.
    pub idempotent: bool,
}

/// Body of `POST /api/v1/services/{name}/stop` and `.../restart`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StopOptions {
    /// Seconds to wait for the service to stop before killing it; the unit's
    /// own `TimeoutStopSec=` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Skip the graceful stop: SIGKILL at once.
    pub force: bool,
}

/// Which processes of a service `kill` signals (`systemctl --kill-whom=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KillWhom {
    Main,
    Control,
    #[default]
    All,
}

/// Body of `POST /api/v1/services/{name}/kill`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillOptions {
    /// A signal name (`SIGHUP`, `HUP`) or number (`"1"`).
    pub signal: String,
    #[serde(default)]
    pub whom: KillWhom,
}

/// Body of the timer verbs and of `enable`/`disable`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NowOption {
    /// With enable: also start; with disable: also stop.
    pub now: bool,
}

/// How the manager ends: systemctl's `poweroff`, `reboot`, `halt`,
/// `kexec` and `exit`. In a container all of them stop the pod; what
/// differs is how PID 1 ends (see `engine::power`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShutdownAction {
    Poweroff,
    Reboot,
    Halt,
    Kexec,
    Exit,
}

impl ShutdownAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ShutdownAction::Poweroff => "poweroff",
            ShutdownAction::Reboot => "reboot",
            ShutdownAction::Halt => "halt",
            ShutdownAction::Kexec => "kexec",
            ShutdownAction::Exit => "exit",
        }
    }
}

/// `POST /api/v1/daemon/shutdown`, and what the shutdown routes answer:
/// the pod stops (every unit, dependents first) and PID 1 ends, now or at
/// `when`. A shutdown at a time replaces the one scheduled before, as
/// logind's `ScheduleShutdown` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShutdownPlan {
    pub action: ShutdownAction,
    /// The exit status of `exit` (`systemctl exit 42`); the others end
    /// PID 1 as the kernel ends it (see the README).
    #[serde(default)]
    pub exit_code: u8,
    /// When to shut down; absent: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Timestamp>,
    /// `shutdown -k`: when the time comes, nothing happens.
    #[serde(default)]
    pub dry_run: bool,
    /// `systemctl poweroff -f`, `poweroff -f`: end at once, without
    /// stopping the units one by one (their processes are killed).
    #[serde(default)]
    pub force: bool,
}

/// What is asked of a service. The signal of `Kill` is already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceAction {
    Start(StartOptions),
    Stop(StopOptions),
    Restart(StopOptions),
    Reload,
    Kill {
        signal: nix::sys::signal::Signal,
        whom: KillWhom,
    },
}

/// What is asked of a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    Start,
    Stop,
    Enable { now: bool },
    Disable { now: bool },
}

/// Enablement of any unit (`systemctl enable|disable [--now]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitFileAction {
    Enable { now: bool },
    Disable { now: bool },
}

/// The answer to every write: it was accepted; its outcome comes later
/// from `GET /api/v1/actions/{action_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionAccepted {
    pub action_id: ActionId,
    pub accepted_at: Timestamp,
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionState {
    Pending,
    Finished,
}

/// `GET /api/v1/actions/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionStatus {
    pub action_id: ActionId,
    /// The unit acted on; empty for daemon-reload.
    #[serde(default)]
    pub unit: String,
    /// `start`, `stop`, `restart`, `reload`, `kill`, `enable`, `disable`, `daemon-reload`.
    pub verb: String,
    pub state: ActionState,
    /// systemd's job result once finished: `done`, `failed`, `timeout`,
    /// `canceled`, `dependency`, `skipped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    pub accepted_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    /// One line saying what went wrong, where something did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ActionStatus {
    pub fn is_finished(&self) -> bool {
        self.state == ActionState::Finished
    }
}

/// Query of `GET /api/v1/units/{name}/properties`: which properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyQuery {
    /// Only these (`systemctl show -p`); every property when empty.
    pub names: Vec<String>,
    /// Also properties that are empty or unset (`systemctl show --all`).
    pub all: bool,
}

/// One `Name=value` line of `systemctl show`, in systemd's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

/// `GET /api/v1/units/{name}/files`: what `systemctl cat` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFiles {
    pub name: String,
    /// The fragment first, then the drop-ins in the order they apply.
    pub files: Vec<UnitFileText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitFileText {
    pub path: String,
    pub text: String,
}

/// Whose log lines to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSource {
    /// Every unit when the list is empty (`journalctl` without `-u`).
    Units(Vec<String>),
    /// One background task, by UUID or a unique prefix of it.
    Task(String),
}

/// `GET /api/v1/logs?unit=..&lines=..&follow=..` and `.../background/{id}/log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub source: LogSource,
    /// The last N lines; every line kept when absent.
    pub lines: Option<u64>,
    /// Keep the response open and stream new lines as they are written.
    pub follow: bool,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl LogQuery {
    pub fn units(units: Vec<String>) -> Self {
        LogQuery {
            source: LogSource::Units(units),
            lines: None,
            follow: false,
            since: None,
            until: None,
        }
    }

    pub fn task(id: impl Into<String>) -> Self {
        LogQuery {
            source: LogSource::Task(id.into()),
            lines: None,
            follow: false,
            since: None,
            until: None,
        }
    }
}

/// Which stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogStream {
    Stdout,
    Stderr,
    Syslog,
    /// The supervisor's own messages about the unit ("Started ...").
    Supervisor,
}

/// One structured log record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub time: Timestamp,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// syslog priority, 0 (emerg) to 7 (debug).
    pub priority: u8,
    pub stream: LogStream,
    pub message: String,
}

/// What the backend hands back for a log query: the lines kept, and for a
/// follow, a channel of the lines still to come. The channel is bounded so a
/// slow reader can never hold up the log pipeline: the pipeline should drop
/// (and count) lines for a reader whose channel is full. Dropping the
/// receiver, which happens when the client goes away, ends the follow.
#[derive(Debug)]
pub struct LogReply {
    pub backlog: Vec<LogEntry>,
    pub live: Option<tokio::sync::mpsc::Receiver<LogEntry>>,
}

/// Body of `POST /api/v1/background` (`runr background run`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundRunRequest {
    /// The program and its arguments; the first word must not be empty.
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Seconds between SIGTERM and SIGKILL on stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Where a background task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    Running,
    /// Asked to stop; SIGTERM sent, SIGKILL pending.
    Stopping,
    /// Ended on its own with exit code 0.
    Succeeded,
    /// Ended with a non-zero exit code or a signal.
    Failed,
    /// Ended because it was stopped.
    Stopped,
    /// Ended while the supervisor was down: how is not known.
    Lost,
    /// Ended under a supervisor that found it again after a restart and so
    /// is not its parent: it is known to have exited, not with what status
    /// (shown as "exited (status unknown)").
    Exited,
}

impl TaskState {
    /// Still has a process.
    pub fn is_running(self) -> bool {
        matches!(self, TaskState::Running | TaskState::Stopping)
    }
}

/// A background task (`runr background status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundTask {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub command: Vec<String>,
    pub state: TaskState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The signal name that ended it (`SIGKILL`), where one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
}

impl BackgroundTask {
    /// The transient service unit the task runs as:
    /// `runr-task-<first 8 hex digits of the UUID>.service`.
    pub fn unit_name(&self) -> String {
        task_unit_name(&self.id)
    }
}

/// The unit name of the task with this UUID.
pub fn task_unit_name(id: &str) -> String {
    let short: String = id.chars().filter(|c| *c != '-').take(8).collect();
    format!("runr-task-{short}.service")
}

/// Body of `POST /api/v1/transient` (`systemd-run`): unit-file text for a
/// transient service and, with `--on-*=`, the timer that triggers it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransientRequest {
    /// The service's full name (`x.service`); the daemon picks
    /// `run-uN.service` when absent (and `run-uN.timer` for the timer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The service's unit-file text.
    pub service_text: String,
    /// The timer's unit-file text: the timer is started, the service only loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer_text: Option<String>,
    /// Forget a failed run too (`--collect`, CollectMode=inactive-or-failed).
    #[serde(default)]
    pub collect: bool,
    /// Keep the service's final status after it is collected, until read
    /// once from `GET /api/v1/transient/{name}/end` (`--wait`).
    #[serde(default)]
    pub keep_end: bool,
    /// `--pipe`: a unix socket of the client's on which the daemon receives
    /// the client's stdin, stdout and stderr (SCM_RIGHTS) for the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdio_socket: Option<String>,
}

/// The answer to `POST /api/v1/transient`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransientStarted {
    /// The service unit.
    pub unit: String,
    /// The timer unit, when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer: Option<String>,
    /// The start job of the service (or of the timer).
    pub action_id: ActionId,
    pub accepted_at: Timestamp,
}

/// `GET /api/v1/transient/{name}/end?wait=SECS`: how a transient service
/// ended, what `systemd-run --wait` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransientEnd {
    pub unit: String,
    /// False while the service has not ended yet.
    pub ended: bool,
    /// systemd's `Result=` word (`success`, `exit-code`, `signal`, ...).
    #[serde(default)]
    pub result: String,
    /// How the main process ended: `exited`, `killed`, `dumped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<String>,
    /// The exit status or the signal number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
    /// From leaving the inactive state to entering it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_usec: Option<u64>,
    /// CPU time of the main process, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_usec: Option<u64>,
}

/// `GET /readyz`: 200 when ready, 503 otherwise, the same body either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub ready: bool,
    /// The units weighed: those asked for, or every autostarted one.
    pub units: Vec<UnitReadiness>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitReadiness {
    pub name: String,
    #[serde(with = "active_state_word")]
    pub state: ActiveState,
    pub ready: bool,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

/// The numbers behind `GET /metrics`; the server formats them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsSnapshot {
    pub units: Vec<UnitMetrics>,
    pub pools: Vec<PoolMetrics>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitMetrics {
    pub name: String,
    pub state: ActiveState,
    pub restarts: u64,
    pub last_exit_status: Option<i32>,
    /// Seconds since the unit became active; None while it is not.
    pub uptime_seconds: Option<f64>,
    pub log_lines_written: u64,
    pub log_lines_dropped: u64,
}

/// A cgroup pool; a figure is None where cgroups do not provide it.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolMetrics {
    pub name: String,
    pub memory_bytes: Option<u64>,
    pub cpu_usage_seconds: Option<f64>,
}

/// Every error body: `{"error": "one line naming the unit or argument"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_travel_as_rfc3339_and_come_back_exact() {
        let t = Timestamp(1_705_320_000_123_456);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2024-01-15T12:00:00.123456Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(
            serde_json::from_str::<Timestamp>("\"2024-01-15T13:00:00+01:00\"")
                .unwrap()
                .0,
            1_705_320_000_000_000
        );
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("\"1969-12-31T23:59:59Z\"").is_err());
    }

    #[test]
    fn timestamps_past_year_9999_print_as_raw_microseconds() {
        let t = Timestamp(u64::MAX);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn active_states_travel_as_systemd_words() {
        let row = UnitReadiness {
            name: "a.service".into(),
            state: ActiveState::Deactivating,
            ready: false,
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"{"name":"a.service","state":"deactivating","ready":false}"#
        );
        assert_eq!(serde_json::from_str::<UnitReadiness>(&json).unwrap(), row);
        assert!(
            serde_json::from_str::<UnitReadiness>(r#"{"name":"a","state":"up","ready":true}"#)
                .is_err()
        );
    }

    #[test]
    fn request_bodies_default_when_fields_are_left_out() {
        assert_eq!(
            serde_json::from_str::<StopOptions>("{}").unwrap(),
            StopOptions::default()
        );
        assert_eq!(
            serde_json::from_str::<StopOptions>(r#"{"timeout":5,"force":true}"#).unwrap(),
            StopOptions {
                timeout: Some(5),
                force: true
            }
        );
        assert!(serde_json::from_str::<StopOptions>(r#"{"timout":5}"#).is_err());
        let kill: KillOptions = serde_json::from_str(r#"{"signal":"HUP"}"#).unwrap();
        assert_eq!(kill.whom, KillWhom::All);
    }

    #[test]
    fn service_status_leaves_out_what_is_unknown() {
        let s = ServiceStatus {
            name: "db.service".into(),
            description: String::new(),
            state: ActiveState::Inactive,
            sub_state: "dead".into(),
            result: "success".into(),
            restarts: 0,
            pid: None,
            last_exit_status: None,
            since: None,
            unit_file_state: None,
            status_text: None,
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("pid"), "{json}");
        assert_eq!(serde_json::from_str::<ServiceStatus>(&json).unwrap(), s);
    }
}

//! Background tasks (`runr background run`): each is a transient service
//! unit, `runr-task-<8 hex>.service`, plus a record on disk that outlives
//! the supervisor. The records live in one directory (default
//! /var/lib/runr/background, or `$RUNR_BACKGROUND_DIR`, or `background/`
//! in `$RUNR_STATE_DIRECTORY`), one JSON file per
//! task, `<uuid>.json`, replaced atomically (write a temporary file, then
//! rename it over the old one) on every change.
//!
//! After a restart of the supervisor, a task recorded as running is looked
//! for again: the same PID with the same start time (field 22 of
//! /proc/PID/stat; a reused PID has a later one). One found is watched with
//! a pidfd, which reports its exit although it is no longer our child (so
//! its exit status cannot be known: state `exited`); one not found ended
//! while the supervisor was down (state `lost`).

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::exit_status::ExitStatus;
use super::manager::TransientEnd;
use super::pidfd::{ProcessHandle, process_start_time};
use super::transient::{environment_assignment, exec_line, plain_value};
use crate::control::backend::ApiError;
use crate::control::types::{BackgroundRunRequest, BackgroundTask, TaskState, Timestamp};

/// Where the records go unless `$RUNR_BACKGROUND_DIR` says otherwise.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/runr/background";
pub const STATE_DIR_ENV: &str = "RUNR_BACKGROUND_DIR";

/// The state directory this supervisor uses: `$RUNR_BACKGROUND_DIR`, else
/// `background/` in `$RUNR_STATE_DIRECTORY` (where the timers keep their
/// stamps), else /var/lib/runr/background.
pub fn state_dir_from_env() -> PathBuf {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set(STATE_DIR_ENV) {
        return PathBuf::from(dir);
    }
    match set(super::manager_timers::STATE_DIRECTORY_ENV) {
        Some(state) => PathBuf::from(state).join("background"),
        None => PathBuf::from(DEFAULT_STATE_DIR),
    }
}

/// What is kept on disk about one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub unit: String,
    pub command: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Seconds from SIGTERM to SIGKILL on stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kill_timeout: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The process's start time in clock ticks since boot (/proc/PID/stat
    /// field 22): with the PID, it tells the task from a later process
    /// that got the same PID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u64>,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    pub state: TaskState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// A stop was asked for: the end is `stopped`, not `failed`.
    #[serde(default)]
    pub stop_requested: bool,
}

impl TaskRecord {
    pub fn to_api(&self) -> BackgroundTask {
        BackgroundTask {
            id: self.id.clone(),
            name: self.name.clone(),
            command: self.command.clone(),
            state: self.state,
            pid: self.pid.filter(|_| self.state.is_running()),
            started_at: self.started_at,
            finished_at: self.ended_at,
            exit_code: self.exit_code,
            signal: self.signal.clone(),
        }
    }

    /// The transient unit's text: the command, its environment and the
    /// kill timeout (SIGTERM, then SIGKILL that many seconds later).
    pub fn unit_text(&self) -> String {
        let description = self.name.clone().unwrap_or_else(|| self.command.join(" "));
        let mut text = format!(
            "[Unit]\nDescription={}\n\n[Service]\nExecStart={}\nKillSignal=SIGTERM\nSendSIGKILL=yes\n",
            plain_value(&description),
            exec_line(&self.command)
        );
        for (name, value) in &self.env {
            text.push_str(&format!(
                "Environment={}\n",
                environment_assignment(name, value)
            ));
        }
        if let Some(seconds) = self.kill_timeout {
            text.push_str(&format!("TimeoutStopSec={seconds}s\n"));
        }
        text
    }

    /// Takes in how the unit ended.
    fn ended(&mut self, end: &TransientEnd) {
        self.ended_at = Some(if end.inactive_enter_realtime != 0 {
            Timestamp(end.inactive_enter_realtime)
        } else {
            Timestamp::now()
        });
        let (code, signal) = match end.main_exit.map(|(_, status)| status) {
            Some(ExitStatus::Exited(n)) => (Some(n), None),
            Some(ExitStatus::Killed(n) | ExitStatus::Dumped(n)) => (None, signal_name(n)),
            None => (None, None),
        };
        self.exit_code = code;
        self.signal = signal;
        self.state = if self.stop_requested {
            TaskState::Stopped
        } else if end.result == "success" {
            TaskState::Succeeded
        } else {
            TaskState::Failed
        };
    }
}

fn signal_name(number: i32) -> Option<String> {
    nix::sys::signal::Signal::try_from(number)
        .ok()
        .map(|s| s.as_str().to_string())
}

/// A new random (version 4) UUID, from the kernel's random source.
pub fn new_uuid() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    let mut filled = 0;
    while filled < bytes.len() {
        // SAFETY: getrandom writes at most the given length into the buffer.
        let n = unsafe {
            nix::libc::getrandom(bytes[filled..].as_mut_ptr().cast(), bytes.len() - filled, 0)
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += n.unsigned_abs();
    }
    Ok(format_uuid(bytes))
}

fn format_uuid(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Writes `record` as `<dir>/<id>.json`, atomically.
pub fn save(dir: &Path, record: &TaskRecord) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
    let final_path = dir.join(format!("{}.json", record.id));
    let temporary = dir.join(format!(".{}.json.tmp", record.id));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&json)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    std::fs::rename(&temporary, &final_path)
}

/// Every record in `dir`, and a message for each file that is not one.
pub fn load_all(dir: &Path) -> (Vec<TaskRecord>, Vec<String>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (records, problems);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_record = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".json") && !n.starts_with('.'));
        if !is_record {
            continue;
        }
        match std::fs::read(&path)
            .map_err(|e| super::errno_text(&e))
            .and_then(|bytes| {
                serde_json::from_slice::<TaskRecord>(&bytes).map_err(|e| e.to_string())
            }) {
            Ok(record) => records.push(record),
            Err(e) => problems.push(format!(
                "{}: not a background task record, ignored: {e}",
                path.display()
            )),
        }
    }
    (records, problems)
}

/// The tasks this supervisor knows, by UUID.
pub struct BackgroundTasks {
    dir: PathBuf,
    tasks: BTreeMap<String, TaskRecord>,
    /// pidfds of the tasks found again after a restart, for stop.
    adopted: BTreeMap<String, ProcessHandle>,
}

/// A task found running again after a restart: watch `handle` for its exit.
pub struct Adopted {
    pub id: String,
    pub handle: ProcessHandle,
}

impl BackgroundTasks {
    pub fn new(dir: PathBuf) -> Self {
        BackgroundTasks {
            dir,
            tasks: BTreeMap::new(),
            adopted: BTreeMap::new(),
        }
    }

    /// Reads the records and looks for the tasks that were running: the
    /// ones found are returned for watching, the others are marked lost.
    /// Messages for the supervisor's log come back too.
    pub fn resume(&mut self) -> (Vec<Adopted>, Vec<String>) {
        let (records, mut messages) = load_all(&self.dir);
        let mut adopted = Vec::new();
        for mut record in records {
            if record.state.is_running() {
                match find_again(&record) {
                    Some((watch, signal)) => {
                        messages.push(format!(
                            "Background task {} ({}) found running again as PID {}.",
                            record.id,
                            record.unit,
                            record.pid.unwrap_or(0)
                        ));
                        self.adopted.insert(record.id.clone(), signal);
                        adopted.push(Adopted {
                            id: record.id.clone(),
                            handle: watch,
                        });
                    }
                    None => {
                        record.state = TaskState::Lost;
                        messages.push(format!(
                            "Background task {} ({}) ended while the supervisor was down.",
                            record.id, record.unit
                        ));
                        if let Err(e) = save(&self.dir, &record) {
                            messages.push(self.save_failed(&record.id, &e));
                        }
                    }
                }
            }
            self.tasks.insert(record.id.clone(), record);
        }
        (adopted, messages)
    }

    fn save_failed(&self, id: &str, e: &io::Error) -> String {
        format!(
            "Cannot write the record of background task {id} in {}: {}",
            self.dir.display(),
            super::errno_text(e)
        )
    }

    /// Writes the record of `id`; a failure is returned as a log message.
    pub fn persist(&self, id: &str) -> Result<(), String> {
        match self.tasks.get(id) {
            Some(record) => save(&self.dir, record).map_err(|e| self.save_failed(id, &e)),
            None => Ok(()),
        }
    }

    pub fn insert(&mut self, record: TaskRecord) {
        self.tasks.insert(record.id.clone(), record);
    }

    pub fn get(&self, id: &str) -> Option<&TaskRecord> {
        self.tasks.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut TaskRecord> {
        self.tasks.get_mut(id)
    }

    /// Every task, oldest first.
    pub fn list(&self) -> Vec<&TaskRecord> {
        let mut all: Vec<&TaskRecord> = self.tasks.values().collect();
        all.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
        all
    }

    /// The UUID of the one task `prefix` names: the whole UUID, or a
    /// prefix of exactly one.
    pub fn resolve(&self, prefix: &str) -> Result<String, ApiError> {
        if prefix.is_empty() {
            return Err(ApiError::bad_request("an empty task id names no task"));
        }
        if self.tasks.contains_key(prefix) {
            return Ok(prefix.to_string());
        }
        let matching: Vec<&String> = self
            .tasks
            .keys()
            .filter(|id| id.starts_with(prefix))
            .collect();
        match matching.as_slice() {
            [] => Err(ApiError::not_found(format!("no background task {prefix}"))),
            [one] => Ok((*one).clone()),
            many => Err(ApiError::bad_request(format!(
                "task id prefix '{prefix}' is ambiguous: it matches {}",
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// The task that runs as `unit`, if any.
    pub fn by_unit(&self, unit: &str) -> Option<String> {
        self.tasks
            .values()
            .find(|t| t.unit == unit && t.state.is_running())
            .map(|t| t.id.clone())
    }

    /// A task's unit went down: record how. Returns the task's id.
    pub fn unit_ended(&mut self, end: &TransientEnd) -> Option<String> {
        let id = self.by_unit(&end.unit)?;
        let record = self.tasks.get_mut(&id)?;
        record.ended(end);
        Some(id)
    }

    /// A task found again after a restart has exited; how is not known.
    pub fn adopted_exited(&mut self, id: &str) {
        self.adopted.remove(id);
        if let Some(record) = self.tasks.get_mut(id) {
            record.ended_at = Some(Timestamp::now());
            record.state = if record.stop_requested {
                TaskState::Stopped
            } else {
                TaskState::Exited
            };
        }
    }

    /// The pidfd of a task found again after a restart.
    pub fn adopted_handle(&self, id: &str) -> Option<&ProcessHandle> {
        self.adopted.get(id)
    }

    /// Forgets an ended task and deletes its record.
    pub fn remove(&mut self, id: &str) -> Result<TaskRecord, ApiError> {
        let record = self
            .tasks
            .get(id)
            .ok_or_else(|| ApiError::not_found(format!("no background task {id}")))?;
        if record.state.is_running() {
            return Err(ApiError::conflict(format!(
                "background task {id} is still running: stop it first"
            )));
        }
        let path = self.dir.join(format!("{id}.json"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ApiError::internal(format!(
                    "{}: {}",
                    path.display(),
                    super::errno_text(&e)
                )));
            }
        }
        self.tasks
            .remove(id)
            .ok_or_else(|| ApiError::not_found(format!("no background task {id}")))
    }
}

/// The task's process, if it still runs: a pidfd to watch and one to
/// signal, opened before the start time is compared, so that the PID
/// cannot be reused between the check and the watch.
fn find_again(record: &TaskRecord) -> Option<(ProcessHandle, ProcessHandle)> {
    let pid = record.pid?;
    let expected = record.start_time?;
    let watch = ProcessHandle::open(pid).ok()?;
    let signal = ProcessHandle::open(pid).ok()?;
    (process_start_time(pid)? == expected).then_some((watch, signal))
}

/// A new record for a request; the PID comes once the unit started.
pub fn new_record(id: String, request: &BackgroundRunRequest) -> TaskRecord {
    let unit = crate::control::types::task_unit_name(&id);
    TaskRecord {
        id,
        name: request.name.clone(),
        unit,
        command: request.command.clone(),
        env: request.env.clone(),
        kill_timeout: request.kill_timeout,
        pid: None,
        start_time: None,
        started_at: Timestamp::now(),
        ended_at: None,
        state: TaskState::Running,
        exit_code: None,
        signal: None,
        stop_requested: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> TaskRecord {
        let request = BackgroundRunRequest {
            command: vec!["/bin/sleep".into(), "5".into()],
            env: BTreeMap::from([("A".to_string(), "1 2".to_string())]),
            kill_timeout: Some(3),
            name: Some("nap".into()),
        };
        new_record(id.to_string(), &request)
    }

    #[test]
    fn uuids_are_version_4_and_name_their_unit() {
        let id = new_uuid().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        assert_ne!(id, new_uuid().unwrap());
        let r = record(&id);
        assert_eq!(r.unit, format!("runr-task-{}.service", &id[..8]));
    }

    #[test]
    fn the_unit_text_loads_with_command_environment_and_timeout() {
        let r = record("0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10");
        let text = r.unit_text();
        let loader =
            crate::config::loader::Loader::new(crate::config::search_path::SearchPath::new(Vec::<
                PathBuf,
            >::new(
            )));
        let unit = loader.load_transient(&r.unit, &text);
        assert!(
            unit.diagnostics.is_empty(),
            "{text}\n{:?}",
            unit.diagnostics
        );
        assert_eq!(unit.unit.description.as_deref(), Some("nap"));
        let service = unit.service().unwrap();
        assert_eq!(service.environment, vec![("A".into(), "1 2".into())]);
        assert_eq!(service.timespans.get("TimeoutStopSec"), Some(&3_000_000));
    }

    #[test]
    fn records_survive_a_round_trip_through_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let r = record("0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10");
        save(dir.path(), &r).unwrap();
        std::fs::write(dir.path().join("junk.json"), "{").unwrap();
        let (records, problems) = load_all(dir.path());
        assert_eq!(records, vec![r]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn prefixes_name_one_task_or_say_why_not() {
        let mut tasks = BackgroundTasks::new(PathBuf::from("/nonexistent"));
        tasks.insert(record("abc11111-0000-4000-8000-000000000000"));
        tasks.insert(record("abc22222-0000-4000-8000-000000000000"));
        assert_eq!(
            tasks.resolve("abc1").unwrap(),
            "abc11111-0000-4000-8000-000000000000"
        );
        let ambiguous = tasks.resolve("abc").unwrap_err();
        assert_eq!(ambiguous.kind.status(), 400);
        assert!(ambiguous.message.contains("ambiguous"), "{ambiguous}");
        assert_eq!(tasks.resolve("ff").unwrap_err().kind.status(), 404);
        assert_eq!(tasks.resolve("").unwrap_err().kind.status(), 400);
    }

    #[test]
    fn a_record_of_a_dead_process_is_lost_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = record("0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10");
        // This process, but with a start time it never had: a reused PID.
        r.pid = Some(std::process::id());
        r.start_time = Some(1);
        save(dir.path(), &r).unwrap();
        let mut tasks = BackgroundTasks::new(dir.path().to_path_buf());
        let (adopted, messages) = tasks.resume();
        assert!(adopted.is_empty());
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(tasks.get(&r.id).unwrap().state, TaskState::Lost);
        let (on_disk, _) = load_all(dir.path());
        assert_eq!(on_disk[0].state, TaskState::Lost);
    }

    #[test]
    fn a_record_of_a_live_process_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = record("0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10");
        r.pid = Some(std::process::id());
        r.start_time = process_start_time(std::process::id());
        save(dir.path(), &r).unwrap();
        let mut tasks = BackgroundTasks::new(dir.path().to_path_buf());
        let (adopted, _) = tasks.resume();
        assert_eq!(adopted.len(), 1);
        assert!(tasks.adopted_handle(&r.id).is_some());
        tasks.adopted_exited(&r.id);
        assert_eq!(tasks.get(&r.id).unwrap().state, TaskState::Exited);
    }
}

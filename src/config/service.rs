//! The [Service] section (systemd.service(5), systemd.exec(5),
//! systemd.kill(5)) as far as a container supervisor acts on it, runr's own
//! [Service] keys, and runr's [Log] section.
//!
//! runr's keys in [Service]:
//! - `Cgroup=`: run the service in a cgroup pool (see `pool`), named by
//!   the pool's name (`Cgroup=pg-pool`), its group's directory
//!   (`Cgroup=/sys/fs/cgroup/pg-pool`) or that group's `cgroup.procs`
//!   (`Cgroup=/sys/fs/cgroup/pg-pool/cgroup.procs`). `CgroupProcPidsFile=`
//!   is the same key.
//! - `Autostart=BOOL`: start with the supervisor even when nothing wants it.
//! - `MaxMemoryRSS=BYTES`: restart the service when its resident set grows
//!   past this (suffixes K, M, G, T, P, E, base 1024; `infinity`).
//!
//! runr's [Log] section, for the service's stdout and stderr (what the
//! pipeline makes of it: `crate::logs::unit_options`):
//! - `Directory=PATH`: where the service's log file goes (absolute).
//! - `Sink=stdout|none`: mirror the lines to the supervisor's stdout, or
//!   not; the file is written either way when a directory is known
//!   (`both` is read as `stdout`, `file` as `none`).
//! - `Prefix=TEMPLATE`: what goes before each line, with placeholders
//!   (`crate::logs::prefix`); `PrefixSink=TEMPLATE` and
//!   `PrefixFile=TEMPLATE` replace it for the console and for the file.
//!   An empty value resets the key; double quotes keep trailing blanks.
//! - `FileSize=BYTES`, `FileCount=N`: rotate at a size, keep N files.
//! - `RotateEvery=TIMESPAN`, `MaxAge=TIMESPAN`: rotate by age, delete older.
//! - `Compress=BOOL`: gzip rotated files.
//!
//! The section is taken as written: no unit specifiers are expanded in it.
//! A bad value is ignored with a warning that names the key.

use std::collections::BTreeMap;

use super::known_keys::{self, SERVICE_KEYS};
use super::model::named_enum;
use super::settings::{self, Applied, Fatal, Setting, Sink, TimespanMessage};
use super::values::{self, UserNameCheck};
use crate::config::diagnostics::Level;
use crate::syntax::Usec;
use crate::syntax::environment::{self, EnvironmentFileEntry, EnvironmentFileSetting};
use crate::syntax::exec::{self, ExecCommand};
use crate::syntax::specifier::SpecifierContext;

named_enum!(
    /// `Type=`.
    ServiceType {
        Simple => "simple",
        Exec => "exec",
        Forking => "forking",
        Oneshot => "oneshot",
        Dbus => "dbus",
        Notify => "notify",
        Idle => "idle",
    }
);

named_enum!(
    /// `ExitType=`.
    ExitType {
        Main => "main",
        Cgroup => "cgroup",
    }
);

named_enum!(
    /// `Restart=`.
    Restart {
        No => "no",
        OnSuccess => "on-success",
        OnFailure => "on-failure",
        OnAbnormal => "on-abnormal",
        OnWatchdog => "on-watchdog",
        OnAbort => "on-abort",
        Always => "always",
        // runr's own: when the service goes down on its own, stop the pod.
        Halt => "halt",
    }
);

named_enum!(
    /// `KillMode=`.
    KillMode {
        ControlGroup => "control-group",
        Process => "process",
        Mixed => "mixed",
        None => "none",
    }
);

named_enum!(
    /// `NotifyAccess=`.
    NotifyAccess {
        None => "none",
        Main => "main",
        Exec => "exec",
        All => "all",
    }
);

named_enum!(
    /// `OOMPolicy=`.
    OomPolicy {
        Continue => "continue",
        Stop => "stop",
        Kill => "kill",
    }
);

named_enum!(
    /// `LogLevelMax=`, `SyslogLevel=`.
    LogLevel {
        Emerg => "emerg",
        Alert => "alert",
        Crit => "crit",
        Err => "err",
        Warning => "warning",
        Notice => "notice",
        Info => "info",
        Debug => "debug",
    }
);

named_enum!(
    /// runr's `[Log] Sink=`: whether the lines are mirrored to the
    /// supervisor's stdout.
    LogSink {
        Stdout => "stdout",
        None => "none",
    }
);

impl LogSink {
    /// A `Sink=` value: `stdout`, `none`, and the older `both` (read as
    /// `stdout`) and `file` (read as `none`).
    pub fn parse(value: &str) -> Option<LogSink> {
        match value {
            "both" => Some(LogSink::Stdout),
            "file" => Some(LogSink::None),
            _ => LogSink::from_name(value),
        }
    }
}

/// `StandardInput=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdInput {
    Null,
    Tty,
    TtyForce,
    TtyFail,
    Socket,
    Data,
    Fd(String),
    File(String),
}

/// `StandardOutput=`, `StandardError=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdOutput {
    Inherit,
    Null,
    Tty,
    Journal,
    Kmsg,
    JournalAndConsole,
    KmsgAndConsole,
    Socket,
    Fd(String),
    File(String),
    Append(String),
    Truncate(String),
}

/// A set of exit codes and signals (`SuccessExitStatus=` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExitStatusSet {
    pub statuses: Vec<u8>,
    pub signals: Vec<i32>,
}

/// One `Limit*=` value: soft and hard, `None` meaning infinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceLimit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// The command lists of a service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecLines {
    pub condition: Vec<ExecCommand>,
    pub start_pre: Vec<ExecCommand>,
    pub start: Vec<ExecCommand>,
    pub start_post: Vec<ExecCommand>,
    pub reload: Vec<ExecCommand>,
    pub stop: Vec<ExecCommand>,
    pub stop_post: Vec<ExecCommand>,
}

impl ExecLines {
    fn list_mut(&mut self, key: &str) -> Option<&mut Vec<ExecCommand>> {
        Some(match key {
            "ExecCondition" => &mut self.condition,
            "ExecStartPre" => &mut self.start_pre,
            "ExecStart" => &mut self.start,
            "ExecStartPost" => &mut self.start_post,
            "ExecReload" => &mut self.reload,
            "ExecStop" => &mut self.stop,
            "ExecStopPost" => &mut self.stop_post,
            _ => return None,
        })
    }

    /// Every list with its key, in the order systemd runs them.
    pub fn all(&self) -> [(&'static str, &Vec<ExecCommand>); 7] {
        [
            ("ExecCondition", &self.condition),
            ("ExecStartPre", &self.start_pre),
            ("ExecStart", &self.start),
            ("ExecStartPost", &self.start_post),
            ("ExecReload", &self.reload),
            ("ExecStop", &self.stop),
            ("ExecStopPost", &self.stop_post),
        ]
    }
}

named_enum!(
    /// `RuntimeDirectoryPreserve=` (booleans stand for yes and no).
    RuntimeDirectoryPreserve {
        No => "no",
        Yes => "yes",
        Restart => "restart",
    }
);

impl RuntimeDirectoryPreserve {
    pub fn parse(value: &str) -> Option<Self> {
        match values::parse_boolean(value) {
            Some(true) => Some(RuntimeDirectoryPreserve::Yes),
            Some(false) => Some(RuntimeDirectoryPreserve::No),
            None => Self::from_name(value),
        }
    }
}

/// `RuntimeDirectory=` and its siblings, with their modes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecDirectories {
    pub runtime: Vec<String>,
    pub state: Vec<String>,
    pub cache: Vec<String>,
    pub logs: Vec<String>,
    pub configuration: Vec<String>,
    pub runtime_mode: Option<u32>,
    pub state_mode: Option<u32>,
    pub cache_mode: Option<u32>,
    pub logs_mode: Option<u32>,
    pub configuration_mode: Option<u32>,
    pub runtime_preserve: Option<RuntimeDirectoryPreserve>,
}

/// runr's [Log] section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSettings {
    pub directory: Option<String>,
    pub sink: Option<LogSink>,
    /// `Prefix=`, as written (in its quotes, if any).
    pub prefix: Option<String>,
    /// `PrefixSink=`: the console's template instead of `Prefix=`.
    pub prefix_sink: Option<String>,
    /// `PrefixFile=`: the log file's template instead of `Prefix=`.
    pub prefix_file: Option<String>,
    pub file_size: Option<u64>,
    pub file_count: Option<u32>,
    /// `RotateEvery=`.
    pub rotate_every: Option<Usec>,
    /// `MaxAge=`.
    pub max_age: Option<Usec>,
    pub compress: Option<bool>,
}

impl LogSettings {
    /// Whether a prefix shows which stream a line came from (`%S`), so
    /// that stdout and stderr must stay two streams.
    pub fn tells_streams_apart(&self) -> bool {
        [&self.prefix, &self.prefix_sink, &self.prefix_file]
            .into_iter()
            .flatten()
            .any(|template| {
                let mut chars = template.chars();
                while let Some(c) = chars.next() {
                    if c == '%' && chars.next() == Some('S') {
                        return true;
                    }
                }
                false
            })
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Service {
    pub service_type: Option<ServiceType>,
    pub exit_type: Option<ExitType>,
    pub exec: ExecLines,
    pub pid_file: Option<String>,
    pub remain_after_exit: bool,
    pub guess_main_pid: Option<bool>,
    pub restart: Option<Restart>,
    /// Time spans by key (`RestartSec`, `TimeoutStartSec`, `TimeoutStopSec`,
    /// `TimeoutAbortSec`, `RuntimeMaxSec`, `WatchdogSec`, ...), in
    /// microseconds; `TimeoutSec=` sets both start and stop. The last
    /// assignment wins.
    pub timespans: Timespans,
    pub kill_mode: Option<KillMode>,
    pub kill_signal: Option<i32>,
    pub restart_kill_signal: Option<i32>,
    pub final_kill_signal: Option<i32>,
    pub watchdog_signal: Option<i32>,
    pub send_sigkill: Option<bool>,
    pub send_sighup: Option<bool>,
    pub success_exit_status: ExitStatusSet,
    pub restart_prevent_exit_status: ExitStatusSet,
    pub restart_force_exit_status: ExitStatusSet,
    pub notify_access: Option<NotifyAccess>,
    pub oom_policy: Option<OomPolicy>,
    pub bus_name: Option<String>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub supplementary_groups: Vec<String>,
    pub dynamic_user: Option<bool>,
    pub working_directory: Option<String>,
    /// `WorkingDirectory=-PATH`: a missing directory is not an error.
    pub working_directory_missing_ok: bool,
    pub root_directory: Option<String>,
    /// `Environment=` assignments in order (a later one of the same name
    /// wins when the environment is built); an empty line resets the list.
    pub environment: Vec<(String, String)>,
    /// `EnvironmentFile=` entries in order.
    pub environment_files: Vec<EnvironmentFileEntry>,
    pub pass_environment: Vec<String>,
    pub unset_environment: Vec<String>,
    pub umask: Option<u32>,
    pub nice: Option<i32>,
    /// `LimitNOFILE=` etc., by the name after `Limit`.
    pub limits: BTreeMap<String, ResourceLimit>,
    pub capability_bounding_set: Vec<String>,
    pub ambient_capabilities: Vec<String>,
    pub no_new_privileges: Option<bool>,
    pub standard_input: Option<StdInput>,
    pub standard_output: Option<StdOutput>,
    pub standard_error: Option<StdOutput>,
    pub syslog_identifier: Option<String>,
    pub syslog_level_prefix: Option<bool>,
    pub log_level_max: Option<LogLevel>,
    pub directories: ExecDirectories,
    pub pam_name: Option<String>,
    // runr's own settings.
    pub cgroup: Option<String>,
    pub autostart: Option<bool>,
    /// `None` when unset or `infinity`.
    pub max_memory_rss: Option<u64>,
    pub log: LogSettings,
    // Set by runr's dialect (config/dialect.rs), never by a key.
    /// Only SIGTERM is a clean death: SIGHUP, SIGINT and SIGPIPE count as
    /// failures, which `Restart=on-failure` restarts.
    pub only_sigterm_is_clean: bool,
    /// `KillMode=none` sends no SIGTERM but still SIGKILLs what is left
    /// once `TimeoutStopSec=` has passed.
    pub kill_none_sends_final_sigkill: bool,
}

/// Time spans by key (`RestartSec`, ...): a service sets one or two.
pub type Timespans = super::sorted_map::SortedMap<String, Usec>;

impl Service {
    /// The effective `Type=` (systemd's default is `simple`).
    pub fn effective_type(&self) -> ServiceType {
        self.service_type.unwrap_or(ServiceType::Simple)
    }

    /// A time-span setting, if set.
    pub fn timespan(&self, key: &str) -> Option<Usec> {
        self.timespans.get(key).copied()
    }
}

/// The time-span keys of [Service] runr models, with the message systemd
/// gives for a bad value of each.
fn service_timespan_message(key: &str) -> Option<TimespanMessage> {
    Some(match key {
        "RestartSec"
        | "RuntimeMaxSec"
        | "RuntimeRandomizedExtraSec"
        | "WatchdogSec"
        | "TimeoutCleanSec" => TimespanMessage::Sec,
        "TimeoutSec" | "TimeoutStartSec" => TimespanMessage::Parameter,
        "TimeoutStopSec" => TimespanMessage::Time,
        "TimeoutAbortSec" => TimespanMessage::Setting,
        _ => return None,
    })
}

fn set_service_timespan(
    svc: &mut Service,
    message: TimespanMessage,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.key == "TimeoutAbortSec" && s.value.is_empty() {
        svc.timespans.remove(s.key);
        return Ok(());
    }
    let mut value = None;
    settings::set_timespan(&mut value, message, s, sink)?;
    let Some(mut usec) = value else { return Ok(()) };
    // Zero means "no timeout" for these (parse_sec_fix_0).
    if matches!(s.key, "TimeoutSec" | "TimeoutStartSec" | "TimeoutStopSec") && usec == 0 {
        usec = crate::syntax::USEC_INFINITY;
    }
    if s.key == "TimeoutSec" {
        svc.timespans.insert("TimeoutStartSec".to_string(), usec);
        svc.timespans.insert("TimeoutStopSec".to_string(), usec);
    }
    svc.timespans.insert(s.key.to_string(), usec);
    Ok(())
}

/// `Exec*=`: one or more command lines (`;`-separated); empty resets.
fn set_exec(
    list: &mut Vec<ExecCommand>,
    specifiers: &SpecifierContext,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let setting = exec::parse_exec_setting(s.value, Some(specifiers));
    if setting.reset {
        list.clear();
    }
    list.extend(setting.commands);
    for d in &setting.diagnostics {
        match d.level() {
            exec::Level::Warning => sink.warn(s.line, d.to_string()),
            exec::Level::Error => sink.error(s.line, d.to_string()),
        }
    }
    if setting.fatal { Err(Fatal) } else { Ok(()) }
}

/// `Environment=`: quoted `NAME=VALUE` words; empty resets.
fn set_environment(
    svc: &mut Service,
    specifiers: &SpecifierContext,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let parsed = environment::parse_environment_setting(s.value, Some(specifiers));
    if parsed.reset {
        svc.environment.clear();
    }
    for message in &parsed.diagnostics {
        sink.warn(s.line, message.to_string());
    }
    for (name, value) in parsed.assignments {
        environment::env_replace(&mut svc.environment, &name, &value);
    }
    Ok(())
}

fn set_environment_file(
    svc: &mut Service,
    specifiers: &SpecifierContext,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    match environment::parse_environment_file_value(s.value, Some(specifiers)) {
        EnvironmentFileSetting::Reset => svc.environment_files.clear(),
        EnvironmentFileSetting::Add(entry) => svc.environment_files.push(entry),
        EnvironmentFileSetting::Ignored(message) => sink.warn(s.line, message.to_string()),
    }
    Ok(())
}

/// `PassEnvironment=`, `UnsetEnvironment=`.
fn set_name_list(
    list: &mut Vec<String>,
    parsed: environment::NameListSetting,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if parsed.reset {
        list.clear();
    }
    for message in &parsed.diagnostics {
        sink.warn(s.line, message.to_string());
    }
    for name in parsed.entries {
        if !list.contains(&name) {
            list.push(name);
        }
    }
    Ok(())
}

pub fn apply_service_key(
    svc: &mut Service,
    specifiers: &SpecifierContext,
    s: &Setting,
    sink: &mut Sink,
) -> Applied {
    if let Some(list) = svc.exec.list_mut(s.key) {
        return set_exec(list, specifiers, s, sink).into();
    }
    if let Some(message) = service_timespan_message(s.key) {
        return set_service_timespan(svc, message, s, sink).into();
    }
    if let Some(resource) = s
        .key
        .strip_prefix("Limit")
        .filter(|_| known_keys::lookup(SERVICE_KEYS, s.key).is_some())
    {
        return set_limit(svc, resource, s, sink).into();
    }
    let result = match s.key {
        "Type" => settings::set_named(
            &mut svc.service_type,
            ServiceType::from_name,
            "Failed to parse service type",
            s,
            sink,
        ),
        "ExitType" => settings::set_named(
            &mut svc.exit_type,
            ExitType::from_name,
            "Failed to parse service exit type",
            s,
            sink,
        ),
        "Restart" => settings::set_named(
            &mut svc.restart,
            Restart::from_name,
            "Failed to parse service restart specifier",
            s,
            sink,
        ),
        "NotifyAccess" => settings::set_named(
            &mut svc.notify_access,
            NotifyAccess::from_name,
            "Failed to parse notify access specifier",
            s,
            sink,
        ),
        "OOMPolicy" => settings::set_named(
            &mut svc.oom_policy,
            OomPolicy::from_name,
            "Failed to parse OOM policy",
            s,
            sink,
        ),
        "KillMode" => set_kill_mode(svc, s, sink),
        "KillSignal" => settings::set_signal(&mut svc.kill_signal, s, sink),
        "RestartKillSignal" => settings::set_signal(&mut svc.restart_kill_signal, s, sink),
        "FinalKillSignal" => settings::set_signal(&mut svc.final_kill_signal, s, sink),
        "WatchdogSignal" => settings::set_signal(&mut svc.watchdog_signal, s, sink),
        "SendSIGKILL" => settings::set_optional_boolean(&mut svc.send_sigkill, s, sink),
        "SendSIGHUP" => settings::set_optional_boolean(&mut svc.send_sighup, s, sink),
        "RemainAfterExit" => settings::set_boolean(&mut svc.remain_after_exit, s, sink),
        "GuessMainPID" => settings::set_optional_boolean(&mut svc.guess_main_pid, s, sink),
        "SuccessExitStatus" => set_exit_statuses(&mut svc.success_exit_status, s, sink),
        "RestartPreventExitStatus" => {
            set_exit_statuses(&mut svc.restart_prevent_exit_status, s, sink)
        }
        "RestartForceExitStatus" => set_exit_statuses(&mut svc.restart_force_exit_status, s, sink),
        "PIDFile" => set_pid_file(svc, s, sink),
        "BusName" => settings::set_string(&mut svc.bus_name, s),
        "User" => {
            if s.value == "nobody" {
                // systemd's warning: files owned by nobody are anybody's.
                sink.notice(s.line, "Special user nobody configured, this is not safe!");
            }
            set_user_or_group(&mut svc.user, s, sink)
        }
        "Group" => set_user_or_group(&mut svc.group, s, sink),
        "SupplementaryGroups" => set_supplementary_groups(svc, s, sink),
        "DynamicUser" => settings::set_optional_boolean(&mut svc.dynamic_user, s, sink),
        "WorkingDirectory" => set_working_directory(svc, s, sink),
        "RootDirectory" => {
            svc.root_directory = if s.value.is_empty() {
                None
            } else {
                settings::absolute_path(s, s.value, false, sink)
                    .ok()
                    .flatten()
            };
            Ok(())
        }
        "Environment" => set_environment(svc, specifiers, s, sink),
        "EnvironmentFile" => set_environment_file(svc, specifiers, s, sink),
        "PassEnvironment" => set_name_list(
            &mut svc.pass_environment,
            environment::parse_pass_environment(s.value, Some(specifiers)),
            s,
            sink,
        ),
        "UnsetEnvironment" => set_name_list(
            &mut svc.unset_environment,
            environment::parse_unset_environment(s.value, Some(specifiers)),
            s,
            sink,
        ),
        "UMask" => settings::set_mode(&mut svc.umask, s, sink),
        "Nice" => set_nice(svc, s, sink),
        "CapabilityBoundingSet" => {
            settings::extend_words(&mut svc.capability_bounding_set, s, sink)
        }
        "AmbientCapabilities" => settings::extend_words(&mut svc.ambient_capabilities, s, sink),
        "NoNewPrivileges" => settings::set_optional_boolean(&mut svc.no_new_privileges, s, sink),
        "StandardInput" => set_std_input(svc, s, sink),
        "StandardOutput" => set_std_output(&mut svc.standard_output, s, sink),
        "StandardError" => set_std_output(&mut svc.standard_error, s, sink),
        "SyslogIdentifier" => settings::set_string(&mut svc.syslog_identifier, s),
        "SyslogLevelPrefix" => {
            settings::set_optional_boolean(&mut svc.syslog_level_prefix, s, sink)
        }
        "LogLevelMax" => set_log_level(&mut svc.log_level_max, s, sink),
        "PAMName" => settings::set_string(&mut svc.pam_name, s),
        "RuntimeDirectory" => set_directories(&mut svc.directories.runtime, s, sink),
        "StateDirectory" => set_directories(&mut svc.directories.state, s, sink),
        "CacheDirectory" => set_directories(&mut svc.directories.cache, s, sink),
        "LogsDirectory" => set_directories(&mut svc.directories.logs, s, sink),
        "ConfigurationDirectory" => set_directories(&mut svc.directories.configuration, s, sink),
        "RuntimeDirectoryMode" => settings::set_mode(&mut svc.directories.runtime_mode, s, sink),
        "StateDirectoryMode" => settings::set_mode(&mut svc.directories.state_mode, s, sink),
        "CacheDirectoryMode" => settings::set_mode(&mut svc.directories.cache_mode, s, sink),
        "LogsDirectoryMode" => settings::set_mode(&mut svc.directories.logs_mode, s, sink),
        "ConfigurationDirectoryMode" => {
            settings::set_mode(&mut svc.directories.configuration_mode, s, sink)
        }
        "RuntimeDirectoryPreserve" => settings::set_named(
            &mut svc.directories.runtime_preserve,
            RuntimeDirectoryPreserve::parse,
            "Failed to parse runtime directory preserve mode",
            s,
            sink,
        ),
        "Cgroup" | "CgroupProcPidsFile" => set_cgroup(svc, s, sink),
        "Autostart" => settings::set_optional_boolean(&mut svc.autostart, s, sink),
        "MaxMemoryRSS" => set_max_memory_rss(svc, s, sink),
        _ => match known_keys::lookup(SERVICE_KEYS, s.key) {
            Some(kind) => settings::check_generic(kind, s, sink),
            None => return Applied::UnknownKey,
        },
    };
    result.into()
}

/// runr's [Log] section. A bad value is ignored with
/// `Failed to parse KEY= setting, ignoring: VALUE`.
pub fn apply_log_key(log: &mut LogSettings, s: &Setting, sink: &mut Sink) -> Applied {
    fn parsed<T, E>(target: &mut Option<T>, value: Result<T, E>, s: &Setting, sink: &mut Sink) {
        match value {
            Ok(v) => *target = Some(v),
            Err(_) => sink.warn(
                s.line,
                format!("Failed to parse {}= setting, ignoring: {}", s.key, s.value),
            ),
        }
    }
    match s.key {
        "Directory" if s.value.is_empty() => log.directory = None,
        "Directory" => {
            // A relative path is reported (naming the key) and ignored.
            if let Ok(Some(path)) = settings::absolute_path(s, s.value, false, sink) {
                log.directory = Some(path);
            }
        }
        "Sink" => parsed(&mut log.sink, LogSink::parse(s.value).ok_or(()), s, sink),
        "Prefix" => log.prefix = (!s.value.is_empty()).then(|| s.value.to_string()),
        "PrefixSink" => log.prefix_sink = (!s.value.is_empty()).then(|| s.value.to_string()),
        "PrefixFile" => log.prefix_file = (!s.value.is_empty()).then(|| s.value.to_string()),
        "FileSize" => parsed(&mut log.file_size, values::parse_size_iec(s.value), s, sink),
        "FileCount" => parsed(
            &mut log.file_count,
            values::parse_unsigned(s.value),
            s,
            sink,
        ),
        "RotateEvery" => parsed(
            &mut log.rotate_every,
            crate::syntax::timespan::parse_timespan(s.value),
            s,
            sink,
        ),
        "MaxAge" => parsed(
            &mut log.max_age,
            crate::syntax::timespan::parse_timespan(s.value),
            s,
            sink,
        ),
        "Compress" => parsed(
            &mut log.compress,
            values::parse_boolean(s.value).ok_or(()),
            s,
            sink,
        ),
        _ => return Applied::UnknownKey,
    }
    Applied::Done
}

fn set_kill_mode(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.kill_mode = Some(KillMode::ControlGroup);
        return Ok(());
    }
    let Some(mode) = KillMode::from_name(s.value) else {
        sink.ignoring(s, "Failed to parse kill mode specification");
        return Ok(());
    };
    if mode == KillMode::None {
        sink.warn(
            s.line,
            "Unit uses KillMode=none. This is unsafe, as it disables systemd's process lifecycle management for the \
             service. Please update the service to use a safer KillMode=, such as 'mixed' or 'control-group'. Support \
             for KillMode=none is deprecated and will eventually be removed.",
        );
    }
    svc.kill_mode = Some(mode);
    Ok(())
}

/// `config_parse_set_status`: exit codes (numbers or systemd's names) and
/// signals; bad words are reported one by one; empty resets.
fn set_exit_statuses(set: &mut ExitStatusSet, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *set = ExitStatusSet::default();
        return Ok(());
    }
    let Some(words) = values::split_words(s.value) else {
        sink.warn(
            s.line,
            format!(
                "Failed to parse {}={}, ignoring: Invalid argument",
                s.key, s.value
            ),
        );
        return Ok(());
    };
    for word in words {
        if let Ok(code) = values::parse_exit_status(&word) {
            if !set.statuses.contains(&code) {
                set.statuses.push(code);
            }
        } else if let Ok(signal) = values::parse_signal(&word) {
            if !set.signals.contains(&signal) {
                set.signals.push(signal);
            }
        } else {
            sink.warn(s.line, format!("Failed to parse value, ignoring: {word}"));
        }
    }
    Ok(())
}

fn set_pid_file(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.pid_file = None;
        return Ok(());
    }
    // A relative path is taken below /run.
    let absolute = if s.value.starts_with('/') {
        s.value.to_string()
    } else {
        format!("/run/{}", s.value)
    };
    let Some(mut path) = settings::absolute_path(s, &absolute, false, sink)? else {
        return Ok(());
    };
    if let Some(rest) = path.strip_prefix("/var/run/") {
        let updated = format!("/run/{rest}");
        sink.out.push(crate::config::diagnostics::Diagnostic::at_line(
            sink.path,
            s.line,
            Level::Notice,
            format!(
                "{}= references a path below legacy directory /var/run/, updating {path} \u{2192} {updated}; please \
                 update the unit file accordingly.",
                s.key
            ),
        ));
        path = updated;
    }
    svc.pid_file = Some(path);
    Ok(())
}

/// `User=`, `Group=`: a name or numeric ID; an invalid one is fatal.
fn set_user_or_group(
    target: &mut Option<String>,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *target = None;
        return Ok(());
    }
    check_user_name(s.value, s, sink)?;
    *target = Some(s.value.to_string());
    Ok(())
}

fn check_user_name(name: &str, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match values::check_user_group_name(name) {
        UserNameCheck::Valid => Ok(()),
        UserNameCheck::ValidButNotStrict => {
            sink.plain(
                Level::Notice,
                format!("Accepting user/group name '{name}', which does not match strict user/group name rules."),
            );
            Ok(())
        }
        UserNameCheck::Invalid => {
            sink.error(
                s.line,
                format!("Invalid user/group name or numeric ID: {name}"),
            );
            Err(Fatal)
        }
    }
}

fn set_supplementary_groups(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.supplementary_groups.clear();
        return Ok(());
    }
    let Some(words) = values::split_words(s.value) else {
        sink.error(s.line, format!("Invalid syntax: {}", s.value));
        return Err(Fatal);
    };
    for word in words {
        check_user_name(&word, s, sink)?;
        svc.supplementary_groups.push(word);
    }
    Ok(())
}

/// `WorkingDirectory=`: `~`, or an absolute path; `-` first makes a bad or
/// missing one harmless, otherwise a bad path is fatal.
fn set_working_directory(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.working_directory = None;
        svc.working_directory_missing_ok = false;
        return Ok(());
    }
    let (missing_ok, path) = match s.value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.value),
    };
    if path == "~" {
        svc.working_directory = Some("~".to_string());
    } else {
        match settings::absolute_path(s, path, !missing_ok, sink)? {
            Some(p) => svc.working_directory = Some(p),
            None => return Ok(()),
        }
    }
    svc.working_directory_missing_ok = missing_ok;
    Ok(())
}

fn set_nice(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.nice = None;
        return Ok(());
    }
    match values::parse_nice(s.value) {
        Ok(n) => svc.nice = Some(n),
        Err(values::NumberError::OutOfRange) => sink.ignoring(s, "Nice priority out of range"),
        Err(e) => sink.warn(
            s.line,
            format!(
                "Failed to parse nice priority '{}', ignoring: {}",
                s.value,
                e.text()
            ),
        ),
    }
    Ok(())
}

/// Resources whose limits are sizes in bytes (suffixes allowed).
const BYTE_LIMITS: &[&str] = &[
    "FSIZE", "DATA", "STACK", "CORE", "RSS", "AS", "MEMLOCK", "MSGQUEUE",
];

/// `Limit*=`: `VALUE` or `SOFT:HARD`, each a number (a size for byte
/// limits) or `infinity`.
fn set_limit(svc: &mut Service, resource: &str, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let parse_one = |v: &str| -> Option<Option<u64>> {
        if v == "infinity" {
            return Some(None);
        }
        if BYTE_LIMITS.contains(&resource) {
            values::parse_size_iec(v).ok().map(Some)
        } else {
            v.parse::<u64>().ok().map(Some)
        }
    };
    let parsed = match s.value.split_once(':') {
        Some((soft, hard)) => parse_one(soft).zip(parse_one(hard)),
        None => parse_one(s.value).map(|v| (v, v)),
    };
    match parsed {
        Some((soft, hard)) if soft.unwrap_or(u64::MAX) > hard.unwrap_or(u64::MAX) => {
            sink.ignoring(s, "Soft resource limit chosen higher than hard limit");
        }
        Some((soft, hard)) => {
            svc.limits
                .insert(resource.to_string(), ResourceLimit { soft, hard });
        }
        None => sink.ignoring(s, "Failed to parse resource value"),
    }
    Ok(())
}

fn set_std_input(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let v = s.value;
    let input = if let Some(name) = v.strip_prefix("fd:") {
        StdInput::Fd(name.to_string())
    } else if let Some(path) = v.strip_prefix("file:") {
        match settings::absolute_path(s, path, true, sink).ok().flatten() {
            Some(p) => StdInput::File(p),
            None => return Ok(()),
        }
    } else {
        match v {
            "null" => StdInput::Null,
            "tty" => StdInput::Tty,
            "tty-force" => StdInput::TtyForce,
            "tty-fail" => StdInput::TtyFail,
            "socket" => StdInput::Socket,
            "data" => StdInput::Data,
            _ => {
                sink.ignoring(s, "Failed to parse input specifier");
                return Ok(());
            }
        }
    };
    svc.standard_input = Some(input);
    Ok(())
}

fn set_std_output(
    target: &mut Option<StdOutput>,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let v = s.value;
    // systemd words a bad path here as if it were fatal, yet goes on.
    let file = |path: &str, sink: &mut Sink| {
        Ok::<_, Fatal>(settings::absolute_path(s, path, true, sink).ok().flatten())
    };
    let output = if let Some(name) = v.strip_prefix("fd:") {
        StdOutput::Fd(name.to_string())
    } else if let Some(path) = v.strip_prefix("file:") {
        match file(path, sink)? {
            Some(p) => StdOutput::File(p),
            None => return Ok(()),
        }
    } else if let Some(path) = v.strip_prefix("append:") {
        match file(path, sink)? {
            Some(p) => StdOutput::Append(p),
            None => return Ok(()),
        }
    } else if let Some(path) = v.strip_prefix("truncate:") {
        match file(path, sink)? {
            Some(p) => StdOutput::Truncate(p),
            None => return Ok(()),
        }
    } else {
        let (output, replacement) = match v {
            "inherit" => (StdOutput::Inherit, None),
            "null" => (StdOutput::Null, None),
            "tty" => (StdOutput::Tty, None),
            "journal" => (StdOutput::Journal, None),
            "kmsg" => (StdOutput::Kmsg, None),
            "journal+console" => (StdOutput::JournalAndConsole, None),
            "kmsg+console" => (StdOutput::KmsgAndConsole, None),
            "socket" => (StdOutput::Socket, None),
            "syslog" => (StdOutput::Journal, Some("journal")),
            "syslog+console" => (StdOutput::JournalAndConsole, Some("journal+console")),
            _ => {
                sink.ignoring(s, "Failed to parse output specifier");
                return Ok(());
            }
        };
        if let Some(new) = replacement {
            sink.out.push(crate::config::diagnostics::Diagnostic::at_line(
                sink.path,
                s.line,
                Level::Notice,
                format!(
                    "Standard output type {v} is obsolete, automatically updating to {new}. Please update your unit \
                     file, and consider removing the setting altogether."
                ),
            ));
        }
        output
    };
    *target = Some(output);
    Ok(())
}

/// `log_level_from_string()`: a name or 0..=7.
fn set_log_level(target: &mut Option<LogLevel>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let by_number = values::parse_c_unsigned(s.value, values::Radix::Decimal, true, 7)
        .ok()
        .and_then(|n| LogLevel::ALL.get(n as usize).copied());
    match LogLevel::from_name(s.value).or(by_number) {
        Some(level) => *target = Some(level),
        None => sink.ignoring(s, "Failed to parse log level"),
    }
    Ok(())
}

/// `RuntimeDirectory=` etc.: relative paths, blank-separated; an empty
/// assignment resets. (The `SOURCE:DEST` form is kept whole.)
fn set_directories(list: &mut Vec<String>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        list.clear();
        return Ok(());
    }
    let Some(words) = values::split_words(s.value) else {
        sink.warn(s.line, format!("Invalid syntax, ignoring: {}", s.value));
        return Ok(());
    };
    for word in words {
        let source = word.split_once(':').map_or(word.as_str(), |(src, _)| src);
        if source.starts_with('/') {
            sink.error(
                s.line,
                format!("{}= path is absolute, ignoring: {}", s.key, source),
            );
            continue;
        }
        let simplified = values::simplify_path(source);
        if simplified.split('/').any(|c| c == "..") || simplified == "." {
            sink.error(
                s.line,
                format!(
                    "{}= path is not normalized, ignoring: {}",
                    s.key, simplified
                ),
            );
            continue;
        }
        list.push(word.clone());
    }
    Ok(())
}

/// `Cgroup=`: a pool name or a group's path, kept as written; empty clears.
fn set_cgroup(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        svc.cgroup = None;
        return Ok(());
    }
    match super::pool::parse_cgroup_target(s.value) {
        Ok(_) => svc.cgroup = Some(s.value.to_string()),
        Err(why) => sink.warn(
            s.line,
            format!("Invalid {}= value '{}' ({why}), ignoring.", s.key, s.value),
        ),
    }
    Ok(())
}

fn set_max_memory_rss(svc: &mut Service, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match settings::size_or_infinity(s.value) {
        Ok(v) => svc.max_memory_rss = v,
        Err(e) => sink.warn(
            s.line,
            format!(
                "Failed to parse size value '{}', ignoring: {}",
                s.value,
                e.text()
            ),
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_prefix_with_the_stream_tells_the_streams_apart() {
        let with = |prefix: &str| LogSettings {
            prefix_file: Some(prefix.to_string()),
            ..LogSettings::default()
        };
        assert!(!LogSettings::default().tells_streams_apart());
        assert!(with("[%T %S]").tells_streams_apart());
        assert!(!with("[%T %s pid=%p]").tells_streams_apart());
        assert!(!with("100%%S").tells_streams_apart());
    }
    use std::path::Path;

    fn apply_all(lines: &[(&str, &str)]) -> (Service, Vec<String>, Vec<Applied>) {
        let mut svc = Service::default();
        let mut out = Vec::new();
        let mut applied = Vec::new();
        let mut sink = Sink {
            path: Path::new("/u.service"),
            out: &mut out,
        };
        for (i, (key, value)) in lines.iter().enumerate() {
            let s = Setting {
                section: "Service",
                key,
                value,
                line: i as u32 + 1,
            };
            let specifiers = SpecifierContext::for_system_unit("u.service");
            applied.push(apply_service_key(&mut svc, &specifiers, &s, &mut sink));
        }
        (svc, out.iter().map(|d| d.to_string()).collect(), applied)
    }

    #[test]
    fn enums_and_their_messages() {
        let (svc, msgs, _) = apply_all(&[
            ("Type", "notify"),
            ("Restart", "sometimes"),
            ("Type", "weird"),
        ]);
        assert_eq!(svc.service_type, Some(ServiceType::Notify));
        assert_eq!(
            msgs,
            vec![
                "/u.service:2: Failed to parse service restart specifier, ignoring: sometimes",
                "/u.service:3: Failed to parse service type, ignoring: weird",
            ]
        );
    }

    #[test]
    fn empty_exec_assignment_resets_the_list() {
        let (svc, _, _) = apply_all(&[
            ("ExecStart", "/bin/a"),
            ("ExecStart", ""),
            ("ExecStart", "/bin/b"),
        ]);
        assert_eq!(
            svc.exec
                .start
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>(),
            vec!["/bin/b"]
        );
    }

    #[test]
    fn exec_lines_are_parsed_with_their_prefixes_and_errors() {
        let (svc, msgs, applied) = apply_all(&[
            ("ExecStart", "-/bin/echo \"a b\" c"),
            ("ExecStop", "/bin/x 'open"),
        ]);
        assert!(svc.exec.start[0].ignore_failure);
        assert_eq!(svc.exec.start[0].argv, vec!["/bin/echo", "a b", "c"]);
        assert_eq!(
            msgs,
            vec!["/u.service:2: Unbalanced quoting, ignoring: \"/bin/x 'open\""]
        );
        assert_eq!(applied, vec![Applied::Done, Applied::Fatal]);
    }

    #[test]
    fn a_time_span_set_again_replaces_and_an_empty_abort_removes() {
        let (svc, _, _) = apply_all(&[
            ("TimeoutAbortSec", "3s"),
            ("RestartSec", "1s"),
            ("TimeoutSec", "7s"),
            ("RestartSec", "2s"),
            ("TimeoutStartSec", "4s"),
            ("TimeoutAbortSec", ""),
        ]);
        assert_eq!(svc.timespan("RestartSec"), Some(2_000_000));
        assert_eq!(svc.timespan("TimeoutStartSec"), Some(4_000_000));
        assert_eq!(svc.timespan("TimeoutStopSec"), Some(7_000_000));
        assert_eq!(svc.timespan("TimeoutSec"), Some(7_000_000));
        assert_eq!(svc.timespan("TimeoutAbortSec"), None);
        assert_eq!(svc.timespan("WatchdogSec"), None);
    }

    #[test]
    fn time_spans() {
        let (svc, msgs, _) = apply_all(&[
            ("RestartSec", "1min 30s"),
            ("TimeoutSec", "0"),
            ("TimeoutStartSec", "5x"),
            ("WatchdogSec", "soon"),
        ]);
        assert_eq!(svc.timespan("RestartSec"), Some(90_000_000));
        assert_eq!(
            svc.timespan("TimeoutStopSec"),
            Some(crate::syntax::USEC_INFINITY)
        );
        assert_eq!(
            msgs,
            vec![
                "/u.service:3: Failed to parse TimeoutStartSec= parameter, ignoring: 5x",
                "/u.service:4: Failed to parse sec value, ignoring: soon",
            ]
        );
    }

    #[test]
    fn environment() {
        let (svc, msgs, _) = apply_all(&[
            ("Environment", "A=1 \"B=two words\""),
            ("Environment", "A=3 bad"),
            ("EnvironmentFile", "-/etc/default/x"),
        ]);
        assert_eq!(
            svc.environment,
            vec![
                ("A".to_string(), "3".to_string()),
                ("B".to_string(), "two words".to_string())
            ]
        );
        assert_eq!(
            msgs,
            vec!["/u.service:2: Invalid environment assignment, ignoring: bad"]
        );
        assert!(svc.environment_files[0].optional);
    }

    #[test]
    fn exit_statuses_and_signals() {
        let (svc, msgs, _) = apply_all(&[("SuccessExitStatus", "1 SIGTERM NOTINSTALLED 300 FOO")]);
        assert_eq!(svc.success_exit_status.statuses, vec![1, 5]);
        assert_eq!(svc.success_exit_status.signals, vec![15]);
        assert_eq!(
            msgs,
            vec![
                "/u.service:1: Failed to parse value, ignoring: 300",
                "/u.service:1: Failed to parse value, ignoring: FOO"
            ]
        );
    }

    #[test]
    fn working_directory_must_be_absolute_unless_dashed() {
        let (_, msgs, applied) = apply_all(&[("WorkingDirectory", "relative")]);
        assert_eq!(
            msgs,
            vec!["/u.service:1: WorkingDirectory= path is not absolute: relative"]
        );
        assert_eq!(applied, vec![Applied::Fatal]);
        let (_, msgs, applied) = apply_all(&[("WorkingDirectory", "-relative")]);
        assert_eq!(
            msgs,
            vec!["/u.service:1: WorkingDirectory= path is not absolute, ignoring: relative"]
        );
        assert_eq!(applied, vec![Applied::Done]);
    }

    #[test]
    fn user_names() {
        let (svc, msgs, applied) = apply_all(&[("User", "bad user")]);
        assert_eq!(svc.user.as_deref(), Some("bad user"));
        assert_eq!(
            msgs,
            vec![
                "Accepting user/group name 'bad user', which does not match strict user/group name rules."
            ]
        );
        assert_eq!(applied, vec![Applied::Done]);
        let (_, msgs, applied) = apply_all(&[("Group", "a:b")]);
        assert_eq!(
            msgs,
            vec!["/u.service:1: Invalid user/group name or numeric ID: a:b"]
        );
        assert_eq!(applied, vec![Applied::Fatal]);
    }

    #[test]
    fn limits() {
        let (svc, msgs, _) = apply_all(&[
            ("LimitNOFILE", "1024:4096"),
            ("LimitCORE", "infinity"),
            ("LimitNOFILE", "abc"),
            ("LimitNPROC", "10:5"),
        ]);
        assert_eq!(
            svc.limits["NOFILE"],
            ResourceLimit {
                soft: Some(1024),
                hard: Some(4096)
            }
        );
        assert_eq!(
            svc.limits["CORE"],
            ResourceLimit {
                soft: None,
                hard: None
            }
        );
        assert_eq!(
            msgs,
            vec![
                "/u.service:3: Failed to parse resource value, ignoring: abc",
                "/u.service:4: Soft resource limit chosen higher than hard limit, ignoring: 10:5",
            ]
        );
    }

    #[test]
    fn runr_keys() {
        let (svc, msgs, _) = apply_all(&[
            ("Cgroup", "db"),
            ("Autostart", "yes"),
            ("MaxMemoryRSS", "512M"),
        ]);
        assert!(msgs.is_empty());
        assert_eq!(svc.cgroup.as_deref(), Some("db"));
        assert_eq!(svc.autostart, Some(true));
        assert_eq!(svc.max_memory_rss, Some(512 << 20));
    }

    #[test]
    fn cgroup_takes_a_pool_name_a_group_or_its_procs_file() {
        for value in [
            "pg-pool",
            "/sys/fs/cgroup/pg-pool",
            "/sys/fs/cgroup/pg-pool/cgroup.procs",
        ] {
            for key in ["Cgroup", "CgroupProcPidsFile"] {
                let (svc, msgs, applied) = apply_all(&[(key, value)]);
                assert!(msgs.is_empty(), "{key}={value}: {msgs:?}");
                assert_eq!(applied, [Applied::Done]);
                assert_eq!(svc.cgroup.as_deref(), Some(value), "{key}={value}");
            }
        }
        // The alias is the same key: the last one wins, an empty one clears.
        let (svc, _, _) = apply_all(&[("Cgroup", "a"), ("CgroupProcPidsFile", "b")]);
        assert_eq!(svc.cgroup.as_deref(), Some("b"));
        let (svc, _, _) = apply_all(&[("CgroupProcPidsFile", "a"), ("Cgroup", "")]);
        assert_eq!(svc.cgroup, None);
    }

    #[test]
    fn bad_cgroup_values_are_ignored_with_the_key_named() {
        let (svc, msgs, _) = apply_all(&[
            ("Cgroup", "db"),
            ("Cgroup", "a/b"),
            (
                "CgroupProcPidsFile",
                "/sys/fs/cgroup/supervisor/cgroup.procs",
            ),
            (
                "Cgroup",
                "/sys/fs/cgroup/db/cgroup.procs  # join shared cgroup",
            ),
            ("Cgroup", "system.slice"),
        ]);
        assert_eq!(svc.cgroup.as_deref(), Some("db"));
        assert_eq!(
            msgs,
            [
                "/u.service:2: Invalid Cgroup= value 'a/b' (a pool name is one path component), ignoring.",
                "/u.service:3: Invalid CgroupProcPidsFile= value '/sys/fs/cgroup/supervisor/cgroup.procs' (the supervisor's own group), ignoring.",
                "/u.service:4: Invalid Cgroup= value '/sys/fs/cgroup/db/cgroup.procs  # join shared cgroup' (holds a blank; in a unit file a comment goes on a line of its own), ignoring.",
                "/u.service:5: Invalid Cgroup= value 'system.slice' (the services' own groups are there), ignoring.",
            ]
        );
    }

    #[test]
    fn known_but_unmodelled_keys_are_checked_generically() {
        let (_, msgs, applied) = apply_all(&[
            ("PrivateTmp", "perhaps"),
            ("ProtectSystem", "strict"),
            ("Bogus", "1"),
        ]);
        assert_eq!(
            msgs,
            vec!["/u.service:1: Failed to parse boolean value, ignoring: perhaps"]
        );
        assert_eq!(
            applied,
            vec![Applied::Done, Applied::Done, Applied::UnknownKey]
        );
    }

    #[test]
    fn outputs() {
        let (svc, msgs, _) = apply_all(&[
            ("StandardOutput", "append:/var/log/x.log"),
            ("StandardError", "bogus"),
        ]);
        assert_eq!(
            svc.standard_output,
            Some(StdOutput::Append("/var/log/x.log".into()))
        );
        assert_eq!(
            msgs,
            vec!["/u.service:2: Failed to parse output specifier, ignoring: bogus"]
        );
    }

    /// Applies `[Log]` lines (line numbers from 1) to fresh settings.
    fn apply_log(lines: &[(&str, &str)]) -> (LogSettings, Vec<String>) {
        let mut log = LogSettings::default();
        let mut out = Vec::new();
        let mut sink = Sink {
            path: Path::new("/u.service"),
            out: &mut out,
        };
        for (n, (key, value)) in lines.iter().enumerate() {
            let applied = apply_log_key(
                &mut log,
                &Setting {
                    section: "Log",
                    key,
                    value,
                    line: n as u32 + 1,
                },
                &mut sink,
            );
            assert_eq!(applied, Applied::Done, "{key}");
        }
        (log, out.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn log_section_of_the_readme() {
        let (log, msgs) = apply_log(&[
            ("Directory", "/var/log/postgresql"),
            ("Sink", "stdout"),
            ("FileSize", "100M"),
            ("FileCount", "7"),
            ("RotateEvery", "24h"),
            ("Prefix", "[%T %s]"),
            ("PrefixSink", "[%T %s pid=%p]"),
            ("PrefixFile", "[%d %T]"),
            ("MaxAge", "7d"),
            ("Compress", "yes"),
        ]);
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            log,
            LogSettings {
                directory: Some("/var/log/postgresql".into()),
                sink: Some(LogSink::Stdout),
                prefix: Some("[%T %s]".into()),
                prefix_sink: Some("[%T %s pid=%p]".into()),
                prefix_file: Some("[%d %T]".into()),
                file_size: Some(100 << 20),
                file_count: Some(7),
                rotate_every: Some(24 * 3600 * 1_000_000),
                max_age: Some(7 * 24 * 3600 * 1_000_000),
                compress: Some(true),
            }
        );
    }

    #[test]
    fn log_sink_values_and_their_aliases() {
        for (value, sink) in [
            ("stdout", LogSink::Stdout),
            ("none", LogSink::None),
            ("both", LogSink::Stdout),
            ("file", LogSink::None),
        ] {
            let (log, msgs) = apply_log(&[("Sink", value)]);
            assert!(msgs.is_empty(), "{msgs:?}");
            assert_eq!(log.sink, Some(sink), "{value}");
        }
        let (log, msgs) = apply_log(&[("Sink", "none"), ("Sink", "journal")]);
        assert_eq!(log.sink, Some(LogSink::None));
        assert_eq!(
            msgs,
            vec!["/u.service:2: Failed to parse Sink= setting, ignoring: journal"]
        );
    }

    #[test]
    fn log_prefixes_are_kept_as_written_and_reset_by_an_empty_value() {
        let (log, msgs) = apply_log(&[
            ("Prefix", "\"%s: \""),
            ("PrefixSink", "%R|"),
            ("PrefixFile", "100%% %x"),
        ]);
        assert!(msgs.is_empty());
        assert_eq!(log.prefix.as_deref(), Some("\"%s: \""));
        assert_eq!(log.prefix_sink.as_deref(), Some("%R|"));
        assert_eq!(log.prefix_file.as_deref(), Some("100%% %x"));
        let (log, _) = apply_log(&[
            ("Prefix", "a"),
            ("PrefixSink", "b"),
            ("PrefixFile", "c"),
            ("Prefix", ""),
            ("PrefixSink", ""),
            ("PrefixFile", ""),
        ]);
        assert_eq!(
            (log.prefix, log.prefix_sink, log.prefix_file),
            (None, None, None)
        );
    }

    #[test]
    fn log_directory_must_be_absolute() {
        let (log, msgs) = apply_log(&[("Directory", "/logs"), ("Directory", "logs")]);
        assert_eq!(log.directory.as_deref(), Some("/logs"));
        assert_eq!(
            msgs,
            vec!["/u.service:2: Directory= path is not absolute, ignoring: logs"]
        );
        let (log, msgs) = apply_log(&[("Directory", "/logs"), ("Directory", "")]);
        assert_eq!(log.directory, None);
        assert!(msgs.is_empty());
    }

    #[test]
    fn bad_log_values_are_ignored_naming_the_key() {
        let (log, msgs) = apply_log(&[
            ("FileSize", "1M"),
            ("FileCount", "3"),
            ("RotateEvery", "1h"),
            ("MaxAge", "2d"),
            ("Compress", "no"),
            ("FileSize", "big"),
            ("FileCount", "-1"),
            ("RotateEvery", "daily"),
            ("MaxAge", "old"),
            ("Compress", "gzip"),
        ]);
        assert_eq!(
            msgs,
            vec![
                "/u.service:6: Failed to parse FileSize= setting, ignoring: big",
                "/u.service:7: Failed to parse FileCount= setting, ignoring: -1",
                "/u.service:8: Failed to parse RotateEvery= setting, ignoring: daily",
                "/u.service:9: Failed to parse MaxAge= setting, ignoring: old",
                "/u.service:10: Failed to parse Compress= setting, ignoring: gzip",
            ]
        );
        assert_eq!(log.file_size, Some(1 << 20));
        assert_eq!(log.file_count, Some(3));
        assert_eq!(log.rotate_every, Some(3600 * 1_000_000));
        assert_eq!(log.max_age, Some(2 * 24 * 3600 * 1_000_000));
        assert_eq!(log.compress, Some(false));
    }

    #[test]
    fn unknown_log_keys_are_left_to_the_caller() {
        let mut log = LogSettings::default();
        let mut out = Vec::new();
        let mut sink = Sink {
            path: Path::new("/u.service"),
            out: &mut out,
        };
        let applied = apply_log_key(
            &mut log,
            &Setting {
                section: "Log",
                key: "Bogus",
                value: "1",
                line: 1,
            },
            &mut sink,
        );
        assert_eq!(applied, Applied::UnknownKey);
    }
}

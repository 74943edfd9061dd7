//! What `systemctl show UNIT` prints: every property systemd 252 has for a
//! service, a timer or a target, in its order, formatted its way
//! (timestamps `Sat 2026-11-21 17:01:21 UTC`, time spans `1min 30s`,
//! booleans `yes`/`no`, lists space-separated, `Exec*={ path=... ; ... }`).
//!
//! The order and the values of what nothing sets come from captures of
//! real systemd (property_table.rs); what the unit file or the run decides is
//! computed here. `show` without `--all` leaves out the properties that are
//! empty (and a few that systemd never prints without `--all`), which is why
//! a loaded unit never shows an empty `LoadError=`.

use std::collections::{BTreeMap, BTreeSet};

use super::conditions::ConditionRecord;
use super::exit_status::ExitStatus;
use super::property_table::{self, Default as TableDefault};
use super::service::{DualTimestamp, ExecRun, ServiceRuntime, UnitTimestamps};
use super::state::ActiveState;
use crate::config::model::{DependencyKind, LoadState, Unit, UnitBody, UnitType};
use crate::config::service::{Service, ServiceType, StdInput, StdOutput};
use crate::control::types::{Property, PropertyQuery};
use crate::syntax::exec::ExecCommand;
use crate::syntax::shell_quote::shell_maybe_quote;
use crate::syntax::specifier::{SpecifierContext, expand_specifiers};
use crate::syntax::timespan::format_timespan;
use crate::syntax::timestamp::format_timestamp;
use crate::syntax::{USEC_INFINITY, Usec};

const USEC_PER_MSEC: Usec = 1_000;
const USEC_PER_SEC: Usec = 1_000_000;

/// One `Name=value` line, and whether `show` without `--all` skips it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyLine {
    pub name: String,
    pub value: String,
    pub hidden: bool,
}

/// The state of a unit that has no service runtime (a target, a timer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassiveRuntime {
    pub active: bool,
    pub timestamps: UnitTimestamps,
    /// The current or last activation's ID ("" before the first).
    pub invocation_id: String,
}

/// A timer's schedule as the engine knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimerRuntime {
    /// The next elapse on the wall clock, if any.
    pub next_elapse: Option<Usec>,
    /// The next elapse on CLOCK_MONOTONIC, if any.
    pub next_elapse_monotonic: Option<Usec>,
    pub last_trigger: DualTimestamp,
    /// Each `OnCalendar=`, normalized, with its `next_elapse=`, in file order.
    pub calendar: Vec<(String, Option<Usec>)>,
    /// Each span trigger (`OnBootUSec`, ...), its span and next elapse
    /// (CLOCK_MONOTONIC), in file order.
    pub monotonic: Vec<(&'static str, Usec, Option<Usec>)>,
    /// `waiting`, `running`, `elapsed`, `dead`.
    pub sub_state: Option<String>,
    /// `ActiveState=` (a failed timer is `failed`, which a passive unit
    /// cannot say).
    pub active_state: Option<ActiveState>,
    /// `Result=` (`success` where empty).
    pub result: String,
}

/// What the unit's own file cannot tell: its other names, the dependencies
/// other units or systemd's defaults add, its enablement, its run.
#[derive(Debug, Clone, Default)]
pub struct PropertyContext<'a> {
    /// Aliases besides the unit's own name (`Names=`).
    pub aliases: Vec<String>,
    /// Dependency words to add after the unit's own ones, by property
    /// (`WantedBy`, `Before`, `Requires`, ...).
    pub extra_dependencies: BTreeMap<String, Vec<String>>,
    /// `UnitFileState=`, `UnitFilePreset=` (empty where systemd has none).
    pub unit_file_state: String,
    pub unit_file_preset: String,
    pub service: Option<&'a ServiceRuntime>,
    pub passive: Option<PassiveRuntime>,
    pub timer: Option<TimerRuntime>,
    /// When the manager loaded the unit, for a unit that has not changed
    /// state since (systemd's `StateChangeTimestamp=` of a unit loaded at boot).
    pub loaded_at: Option<DualTimestamp>,
    /// Made through the API (`systemd-run`), not read from a unit file:
    /// its file is the one systemd writes under /run/systemd/transient.
    pub transient: bool,
    /// The unit's files changed on disk since they were read
    /// (`NeedDaemonReload=`).
    pub need_daemon_reload: bool,
    /// The properties asked for (`show -p`, `status`): the others are
    /// left out rather than worked out. None: all of them.
    pub wanted: Option<&'a BTreeSet<String>>,
}

impl PropertyContext<'_> {
    /// Whether the query needs `name`'s real value.
    pub fn wants(&self, name: &str) -> bool {
        is_wanted(self.wanted, name)
    }
}

/// The properties a query names; None when it names none (all of them).
pub fn wanted_names(query: &PropertyQuery) -> Option<BTreeSet<String>> {
    (!query.names.is_empty()).then(|| query.names.iter().cloned().collect())
}

/// Whether `name` is among `wanted` (None: every name is).
pub fn is_wanted(wanted: Option<&BTreeSet<String>>, name: &str) -> bool {
    wanted.is_none_or(|w| w.contains(name))
}

/// The full property list of a unit, hidden ones included (`--all`).
pub fn unit_properties(unit: &Unit, ctx: &PropertyContext<'_>) -> Vec<PropertyLine> {
    let mut lines = Vec::new();
    if matches!(unit.load_state, LoadState::NotFound | LoadState::Masked) {
        // systemd still shows a service's properties for a unit it could
        // not find or that is masked, without the defaults a loaded unit
        // gets.
        if unit.unit_type == UnitType::Service {
            push_service(&mut lines, unit, None, ctx);
        }
    } else {
        match &unit.body {
            UnitBody::Service(service) => push_service(&mut lines, unit, Some(service), ctx),
            UnitBody::Timer(_) => push_timer(&mut lines, unit, ctx),
            UnitBody::Target | UnitBody::Other => {}
        }
    }
    push_common(&mut lines, unit, ctx);
    lines
}

/// What `show` prints of `lines` for a query: the named properties (even
/// empty ones) in systemd's order, or all that are not hidden, or with
/// `--all` every one.
pub fn select(lines: Vec<PropertyLine>, query: &PropertyQuery) -> Vec<Property> {
    let wanted = wanted_names(query);
    lines
        .into_iter()
        .filter(|l| match &wanted {
            None => query.all || !l.hidden,
            Some(_) => is_wanted(wanted.as_ref(), &l.name),
        })
        .map(|l| Property {
            name: l.name,
            value: l.value,
        })
        .collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn timespan(t: Usec) -> String {
    format_timespan(t, 0)
}

fn timestamp(t: Usec) -> String {
    format_timestamp(t).unwrap_or_default()
}

/// Copies the table's rows, with `compute` deciding any value it knows.
fn push_table(
    lines: &mut Vec<PropertyLine>,
    table: &[TableDefault],
    ctx: &PropertyContext<'_>,
    mut compute: impl FnMut(&str) -> Option<String>,
    mut after: impl FnMut(&str, &mut Vec<PropertyLine>),
) {
    for row in table {
        if !ctx.wants(row.name) {
            after(row.name, lines);
            continue;
        }
        match compute(row.name) {
            Some(value) => lines.push(PropertyLine {
                name: row.name.to_string(),
                hidden: value.is_empty(),
                value,
            }),
            None => lines.push(PropertyLine {
                name: row.name.to_string(),
                value: row.value.to_string(),
                hidden: row.hidden,
            }),
        }
        after(row.name, lines);
    }
}

fn push_service(
    lines: &mut Vec<PropertyLine>,
    unit: &Unit,
    service: Option<&Service>,
    ctx: &PropertyContext<'_>,
) {
    let run = ctx.service;
    let compute = |name: &str| service_value(name, unit, service, run);
    let after = |name: &str, lines: &mut Vec<PropertyLine>| match (name, service) {
        ("ExecMainStatus", Some(service)) => push_exec_lines(lines, service, run),
        ("Environment", Some(service)) if ctx.wants("EnvironmentFiles") => {
            push_environment_files(lines, service)
        }
        _ => {}
    };
    push_table(lines, property_table::SERVICE, ctx, compute, after);
}

/// The value of a [Service] property, where it is not the table's.
fn service_value(
    name: &str,
    unit: &Unit,
    service: Option<&Service>,
    run: Option<&ServiceRuntime>,
) -> Option<String> {
    let Some(s) = service else {
        return not_found_service_value(name);
    };
    let span = |key: &str, default: Usec| timespan(s.timespan(key).unwrap_or(default));
    let default_stop = s.timespan("TimeoutStopSec").unwrap_or(90 * USEC_PER_SEC);
    let main_exit = run.and_then(|r| r.main_exit.map(|(_, status)| status));
    Some(match name {
        "Type" => s.effective_type().name().to_string(),
        "ExitType" => s.exit_type.map_or("main", |t| t.name()).to_string(),
        "Restart" => s.restart.map_or("no", |r| r.name()).to_string(),
        "PIDFile" => s.pid_file.clone().unwrap_or_default(),
        "NotifyAccess" => match s.notify_access {
            Some(n) => n.name().to_string(),
            None if s.effective_type() == ServiceType::Notify => "main".to_string(),
            None => "none".to_string(),
        },
        "RestartUSec" => span("RestartSec", 100 * USEC_PER_MSEC),
        "TimeoutStartUSec" => {
            let default = if s.effective_type() == ServiceType::Oneshot {
                USEC_INFINITY
            } else {
                90 * USEC_PER_SEC
            };
            span("TimeoutStartSec", default)
        }
        "TimeoutStopUSec" => timespan(default_stop),
        "TimeoutAbortUSec" => span("TimeoutAbortSec", default_stop),
        "RuntimeMaxUSec" => span("RuntimeMaxSec", USEC_INFINITY),
        // systemd arms the watchdog from the setting when a run starts;
        // before the first run it reads "infinity".
        "WatchdogUSec" if run.is_none_or(|r| r.invocation_id.is_empty()) => timespan(USEC_INFINITY),
        "WatchdogUSec" => span("WatchdogSec", 0),
        "RemainAfterExit" => yes_no(s.remain_after_exit),
        "GuessMainPID" => yes_no(s.guess_main_pid.unwrap_or(true)),
        "MainPID" => pid_text(run.and_then(|r| r.main_pid.map(|p| p.as_raw()))),
        "ControlPID" => pid_text(run.and_then(|r| r.control_pid.map(|p| p.as_raw()))),
        "Result" => run.map_or("success", |r| r.result.as_str()).to_string(),
        "ReloadResult" => run
            .map_or("success", |r| r.reload_result.as_str())
            .to_string(),
        "NRestarts" => run.map_or(0, |r| r.n_restarts).to_string(),
        // sd_notify's STATUS= and ERRNO=, kept until the next start.
        "StatusText" => run.and_then(|r| r.status_text.clone()).unwrap_or_default(),
        "StatusErrno" => run.map_or(0, |r| r.status_errno).to_string(),
        "OOMPolicy" => s.oom_policy.map_or("stop", |p| p.name()).to_string(),
        "BusName" => s.bus_name.clone().unwrap_or_default(),
        "ExecMainStartTimestamp" => timestamp(run.map_or(0, |r| r.main_start.realtime)),
        "ExecMainStartTimestampMonotonic" => run.map_or(0, |r| r.main_start.monotonic).to_string(),
        "ExecMainExitTimestamp" => timestamp(run.map_or(0, |r| r.main_exit_time.realtime)),
        "ExecMainExitTimestampMonotonic" => {
            run.map_or(0, |r| r.main_exit_time.monotonic).to_string()
        }
        "ExecMainPID" => pid_text(run.and_then(|r| {
            r.main_pid
                .or(r.main_exit.map(|(pid, _)| pid))
                .map(|p| p.as_raw())
        })),
        "ExecMainCode" => main_exit.map_or(0, code_number).to_string(),
        "ExecMainStatus" => main_exit.map_or(0, |e| e.status()).to_string(),
        "Slice" => slice_of(unit),
        "ControlGroup" => match run {
            Some(r) if r.main_pid.is_some() || r.control_pid.is_some() => control_group_of(unit),
            _ => String::new(),
        },
        "ControlGroupId" => "0".to_string(),
        "CPUUsageNSec" => match run.and_then(ServiceRuntime::cpu_usage_usec) {
            Some(usec) => (usec * 1_000).to_string(),
            None => "[not set]".to_string(),
        },
        "Environment" => environment_words(&s.environment),
        "PassEnvironment" => quoted_words(&s.pass_environment),
        "UnsetEnvironment" => quoted_words(&s.unset_environment),
        "UMask" => format!("{:04o}", s.umask.unwrap_or(0o022)),
        "Nice" => s.nice.unwrap_or(0).to_string(),
        "WorkingDirectory" => match &s.working_directory {
            Some(dir) if s.working_directory_missing_ok => format!("!{dir}"),
            Some(dir) => dir.clone(),
            None => String::new(),
        },
        "RootDirectory" => s.root_directory.clone().unwrap_or_default(),
        "StandardInput" => std_input_name(s.standard_input.as_ref()),
        "StandardOutput" => std_output_name(s.standard_output.as_ref(), "journal"),
        "StandardError" => std_output_name(s.standard_error.as_ref(), "inherit"),
        "SyslogIdentifier" => s.syslog_identifier.clone().unwrap_or_default(),
        "SyslogLevelPrefix" => yes_no(s.syslog_level_prefix.unwrap_or(true)),
        "LogLevelMax" => s.log_level_max.map_or(-1, |l| l as i32).to_string(),
        "User" => s.user.clone().unwrap_or_default(),
        "Group" => s.group.clone().unwrap_or_default(),
        "SupplementaryGroups" => s.supplementary_groups.join(" "),
        "PAMName" => s.pam_name.clone().unwrap_or_default(),
        "DynamicUser" => yes_no(s.dynamic_user.unwrap_or(false)),
        "NoNewPrivileges" => yes_no(s.no_new_privileges.unwrap_or(false)),
        "AmbientCapabilities" => s.ambient_capabilities.join(" "),
        "RuntimeDirectory" => s.directories.runtime.join(" "),
        "StateDirectory" => s.directories.state.join(" "),
        "CacheDirectory" => s.directories.cache.join(" "),
        "LogsDirectory" => s.directories.logs.join(" "),
        "ConfigurationDirectory" => s.directories.configuration.join(" "),
        "KillMode" => s
            .kill_mode
            .map_or("control-group", |k| k.name())
            .to_string(),
        "KillSignal" => s.kill_signal.unwrap_or(15).to_string(),
        "RestartKillSignal" => s
            .restart_kill_signal
            .or(s.kill_signal)
            .unwrap_or(15)
            .to_string(),
        "FinalKillSignal" => s.final_kill_signal.unwrap_or(9).to_string(),
        "SendSIGKILL" => yes_no(s.send_sigkill.unwrap_or(true)),
        "SendSIGHUP" => yes_no(s.send_sighup.unwrap_or(false)),
        "WatchdogSignal" => s.watchdog_signal.unwrap_or(6).to_string(),
        _ if name.starts_with("Limit") => return own_limit(s, name),
        _ => return None,
    })
}

/// `LimitNOFILE=`, `LimitNOFILESoft=` ... of a unit that sets the limit:
/// what the file asks for, as systemd shows it, even where a container's
/// hard limit lets the service have less (see spawn.rs).
fn own_limit(s: &Service, name: &str) -> Option<String> {
    let resource = name.strip_prefix("Limit")?;
    let (resource, soft) = match resource.strip_suffix("Soft") {
        Some(resource) => (resource, true),
        None => (resource, false),
    };
    let limit = s.limits.get(resource)?;
    let value = if soft { limit.soft } else { limit.hard };
    Some(value.map_or_else(|| "infinity".to_string(), |n| n.to_string()))
}

/// A unit systemd could not find still has a service's properties, with
/// nothing loaded into them.
fn not_found_service_value(name: &str) -> Option<String> {
    // No limit of its own: systemd reports its own process's.
    let (soft, hard) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .unwrap_or((u64::MAX, u64::MAX));
    let limit = |n: u64| {
        if n == u64::MAX {
            "infinity".to_string()
        } else {
            n.to_string()
        }
    };
    Some(
        match name {
            "Type" | "OOMPolicy" | "ExecMainStartTimestamp" | "Slice" | "ControlGroup" => "",
            "WatchdogUSec" => "infinity",
            "MainPID" | "ExecMainPID" | "ExecMainStartTimestampMonotonic" | "ControlGroupId" => "0",
            "CPUUsageNSec" => "[not set]",
            "LimitNOFILE" => return Some(limit(hard)),
            "LimitNOFILESoft" => return Some(limit(soft)),
            "StandardOutput" => "inherit",
            _ => return None,
        }
        .to_string(),
    )
}

fn pid_text(pid: Option<i32>) -> String {
    pid.unwrap_or(0).to_string()
}

/// systemd's `ExecMainCode=`: the `si_code` of the exit (CLD_EXITED 1,
/// CLD_KILLED 2, CLD_DUMPED 3).
fn code_number(status: ExitStatus) -> i32 {
    match status {
        ExitStatus::Exited(_) => 1,
        ExitStatus::Killed(_) => 2,
        ExitStatus::Dumped(_) => 3,
    }
}

/// `system.slice`, or for an instance `system-<template prefix>.slice`
/// with systemd's escaping of `-` as `\x2d`.
fn slice_of(unit: &Unit) -> String {
    match instance_slice(unit) {
        Some(slice) => slice,
        None => "system.slice".to_string(),
    }
}

fn instance_slice(unit: &Unit) -> Option<String> {
    let (prefix, _) = unit.name.split_once('@')?;
    unit.instance()?;
    Some(format!("system-{}.slice", prefix.replace('-', "\\x2d")))
}

fn control_group_of(unit: &Unit) -> String {
    crate::cgroup::unit_groups::control_group_path(&unit.name)
}

/// `Environment=` as systemd prints it: each assignment in the order the
/// unit's lines left them, quoted as a shell word where it needs it.
fn environment_words(env: &[(String, String)]) -> String {
    env.iter()
        .map(|(k, v)| shell_maybe_quote(&format!("{k}={v}")).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A list property as `show` prints it: the words, each quoted where a
/// shell needs it.
fn quoted_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_maybe_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `EnvironmentFiles=`, one line per file (`/etc/x (ignore_errors=yes)`
/// for a `-` one), after `Environment=`; none at all without files, even
/// with `--all`.
fn push_environment_files(lines: &mut Vec<PropertyLine>, service: &Service) {
    for file in &service.environment_files {
        lines.push(PropertyLine {
            name: "EnvironmentFiles".to_string(),
            value: format!("{} (ignore_errors={})", file.path, yes_no(file.optional)),
            hidden: false,
        });
    }
}

fn std_input_name(input: Option<&StdInput>) -> String {
    match input {
        None | Some(StdInput::Null) => "null",
        Some(StdInput::Tty) => "tty",
        Some(StdInput::TtyForce) => "tty-force",
        Some(StdInput::TtyFail) => "tty-fail",
        Some(StdInput::Socket) => "socket",
        Some(StdInput::Data) => "data",
        Some(StdInput::Fd(_)) => "fd",
        Some(StdInput::File(_)) => "file",
    }
    .to_string()
}

fn std_output_name(output: Option<&StdOutput>, default: &str) -> String {
    match output {
        None => default,
        Some(StdOutput::Inherit) => "inherit",
        Some(StdOutput::Null) => "null",
        Some(StdOutput::Tty) => "tty",
        Some(StdOutput::Journal) => "journal",
        Some(StdOutput::Kmsg) => "kmsg",
        Some(StdOutput::JournalAndConsole) => "journal+console",
        Some(StdOutput::KmsgAndConsole) => "kmsg+console",
        Some(StdOutput::Socket) => "socket",
        Some(StdOutput::Fd(_)) => "fd",
        Some(StdOutput::File(_)) => "file",
        Some(StdOutput::Append(_)) => "append",
        Some(StdOutput::Truncate(_)) => "truncate",
    }
    .to_string()
}

/// `ExecStart=` and `ExecStartEx=` (and the other lists that are set),
/// each `{ ... }` per command, after `ExecMainStatus=`.
fn push_exec_lines(lines: &mut Vec<PropertyLine>, service: &Service, run: Option<&ServiceRuntime>) {
    for (key, commands) in service.exec.all() {
        if commands.is_empty() {
            continue;
        }
        let runs: Vec<ExecRun> = (0..commands.len())
            .map(|i| {
                run.and_then(|r| r.exec_runs.get(&(key, i)).copied())
                    .unwrap_or_default()
            })
            .collect();
        for extended in [false, true] {
            let value = commands
                .iter()
                .zip(&runs)
                .map(|(cmd, run)| exec_entry(cmd, run, extended))
                .collect::<Vec<_>>()
                .join(" ; ");
            let name = if extended {
                format!("{key}Ex")
            } else {
                key.to_string()
            };
            lines.push(PropertyLine {
                name,
                value,
                hidden: false,
            });
        }
    }
}

/// `{ path=/bin/sleep ; argv[]=/bin/sleep infinity ; ignore_errors=no ;
/// start_time=[...] ; stop_time=[n/a] ; pid=340 ; code=(null) ; status=0/0 }`
fn exec_entry(cmd: &ExecCommand, run: &ExecRun, extended: bool) -> String {
    let flags = if extended {
        format!("flags={}", exec_flags(cmd))
    } else {
        format!("ignore_errors={}", yes_no(cmd.ignore_failure))
    };
    let time = |t: Usec| format_timestamp(t).unwrap_or_else(|| "n/a".to_string());
    let (code, status) = match run.exit {
        None => ("(null)".to_string(), "0/0".to_string()),
        Some(ExitStatus::Exited(n)) => ("exited".to_string(), n.to_string()),
        Some(e) => (e.code_word().to_string(), e.status_text()),
    };
    format!(
        "{{ path={} ; argv[]={} ; {flags} ; start_time=[{}] ; stop_time=[{}] ; pid={} ; code={code} ; status={status} }}",
        cmd.path,
        cmd.argv.join(" "),
        time(run.start),
        time(run.stop),
        run.pid,
    )
}

/// The `flags=` of `Exec*Ex=`: the command's prefixes as words.
fn exec_flags(cmd: &ExecCommand) -> String {
    let mut flags = Vec::new();
    if cmd.ignore_failure {
        flags.push("ignore-failure");
    }
    if cmd.privileged {
        flags.push("privileged");
    }
    if cmd.no_setuid {
        flags.push("no-setuid");
    }
    if cmd.ambient {
        flags.push("ambient");
    }
    if cmd.no_env_expand {
        flags.push("no-env-expand");
    }
    flags.join(" ")
}

fn push_timer(lines: &mut Vec<PropertyLine>, unit: &Unit, ctx: &PropertyContext<'_>) {
    let Some(timer) = unit.timer() else { return };
    let run = ctx.timer.clone().unwrap_or_default();
    let calendar = if ctx.timer.is_some() {
        run.calendar.clone()
    } else {
        configured_calendar(timer)
    };
    for row in property_table::TIMER {
        // Arrays of structs: one line per element, none when empty (also
        // with --all), as systemctl prints them.
        let elements: Option<Vec<String>> = match row.name {
            "TimersMonotonic" => Some(
                run.monotonic
                    .iter()
                    .map(|(base, span, next)| {
                        format!(
                            "{{ {base}={} ; next_elapse={} }}",
                            timespan(*span),
                            timespan(next.unwrap_or(0))
                        )
                    })
                    .collect(),
            ),
            "TimersCalendar" => Some(
                calendar
                    .iter()
                    .map(|(spec, next)| {
                        format!(
                            "{{ OnCalendar={spec} ; next_elapse={} }}",
                            format_timestamp(next.unwrap_or(0))
                                .unwrap_or_else(|| "n/a".to_string())
                        )
                    })
                    .collect(),
            ),
            _ => None,
        };
        if let Some(elements) = elements {
            lines.extend(elements.into_iter().map(|value| PropertyLine {
                name: row.name.to_string(),
                value,
                hidden: false,
            }));
            continue;
        }
        let value = match row.name {
            "Unit" => crate::config::timer::triggered_unit(timer, &unit.name).unwrap_or_default(),
            "OnClockChange" => yes_no(timer.on_clock_change),
            "OnTimezoneChange" => yes_no(timer.on_timezone_change),
            "NextElapseUSecRealtime" => timestamp(run.next_elapse.unwrap_or(0)),
            // systemctl prints every other `*USec*` number as a time span.
            "NextElapseUSecMonotonic" => timespan(run.next_elapse_monotonic.unwrap_or(0)),
            "LastTriggerUSec" => timestamp(run.last_trigger.realtime),
            "LastTriggerUSecMonotonic" => timespan(run.last_trigger.monotonic),
            "Result" if !run.result.is_empty() => run.result.clone(),
            "AccuracyUSec" => timespan(timer.accuracy.unwrap_or(60 * USEC_PER_SEC)),
            "RandomizedDelayUSec" => timespan(timer.randomized_delay.unwrap_or(0)),
            "FixedRandomDelay" => yes_no(timer.fixed_random_delay),
            "Persistent" => yes_no(timer.persistent),
            "WakeSystem" => yes_no(timer.wake_system),
            "RemainAfterElapse" => yes_no(timer.remain_after_elapse()),
            _ => row.value.to_string(),
        };
        lines.push(PropertyLine {
            name: row.name.to_string(),
            hidden: value.is_empty(),
            value,
        });
    }
}

/// The `OnCalendar=` expressions of a timer the engine does not run:
/// normalized where they parse, with no next elapse.
fn configured_calendar(timer: &crate::config::timer::Timer) -> Vec<(String, Option<Usec>)> {
    timer
        .triggers
        .iter()
        .filter(|t| t.base == crate::config::timer::TimerBase::Calendar)
        .map(|t| {
            let spec = crate::syntax::calendar::parse_calendar(&t.text)
                .map(|c| c.to_string())
                .unwrap_or_else(|_| t.text.clone());
            (spec, None)
        })
        .collect()
}

/// The dependency properties in systemd's order, with the [Unit] kind each
/// one is read from, if any.
const DEPENDENCY_PROPERTIES: &[(&str, Option<DependencyKind>)] = &[
    ("Requires", Some(DependencyKind::Requires)),
    ("Requisite", Some(DependencyKind::Requisite)),
    ("Wants", Some(DependencyKind::Wants)),
    ("BindsTo", Some(DependencyKind::BindsTo)),
    ("PartOf", Some(DependencyKind::PartOf)),
    ("Upholds", Some(DependencyKind::Upholds)),
    ("RequiredBy", None),
    ("RequisiteOf", None),
    ("WantedBy", None),
    ("BoundBy", None),
    ("UpheldBy", None),
    ("ConsistsOf", None),
    ("Conflicts", Some(DependencyKind::Conflicts)),
    ("ConflictedBy", None),
    ("Before", Some(DependencyKind::Before)),
    ("After", Some(DependencyKind::After)),
    ("OnSuccess", Some(DependencyKind::OnSuccess)),
    ("OnSuccessOf", None),
    ("OnFailure", Some(DependencyKind::OnFailure)),
    ("OnFailureOf", None),
    ("Triggers", None),
    ("TriggeredBy", None),
    (
        "PropagatesReloadTo",
        Some(DependencyKind::PropagatesReloadTo),
    ),
    (
        "ReloadPropagatedFrom",
        Some(DependencyKind::ReloadPropagatedFrom),
    ),
    ("PropagatesStopTo", Some(DependencyKind::PropagatesStopTo)),
    (
        "StopPropagatedFrom",
        Some(DependencyKind::StopPropagatedFrom),
    ),
    ("JoinsNamespaceOf", Some(DependencyKind::JoinsNamespaceOf)),
];

/// The words of one dependency property: the unit's own, then the
/// context's, each once, quoted where systemd quotes (`\x2d` escapes).
fn dependency_words(unit: &Unit, ctx: &PropertyContext<'_>, name: &str) -> Option<String> {
    let kind = DEPENDENCY_PROPERTIES.iter().find(|(n, _)| *n == name)?.1;
    let mut words: Vec<String> = Vec::new();
    let mut add = |w: &str| {
        if !words.iter().any(|x| x == w) {
            words.push(w.to_string());
        }
    };
    if let Some(kind) = kind {
        unit.unit.dependencies_of(kind).for_each(&mut add);
        match kind {
            DependencyKind::Wants => unit.wants_from_symlinks.iter().for_each(|w| add(w)),
            DependencyKind::Requires => unit.requires_from_symlinks.iter().for_each(|w| add(w)),
            _ => {}
        }
    }
    if let Some(extra) = ctx.extra_dependencies.get(name) {
        extra.iter().for_each(|w| add(w));
    }
    Some(
        words
            .iter()
            .map(|w| dependency_word(w))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// systemd prints list elements that hold a backslash in C-style quotes.
fn dependency_word(word: &str) -> String {
    if word.contains('\\') {
        format!("\"{}\"", word.replace('\\', "\\\\"))
    } else {
        word.to_string()
    }
}

fn push_common(lines: &mut Vec<PropertyLine>, unit: &Unit, ctx: &PropertyContext<'_>) {
    let loaded = unit.load_state == LoadState::Loaded;
    let service = ctx.service;
    let mut timestamps = service
        .map(|s| s.timestamps)
        .or(ctx.passive.as_ref().map(|p| p.timestamps))
        .unwrap_or_default();
    if timestamps.state_change == DualTimestamp::default() {
        timestamps.state_change = ctx.loaded_at.unwrap_or_default();
    }
    // Conditions are checked when a start begins; never started, never checked.
    let checked = timestamps.inactive_exit != DualTimestamp::default();
    let active = match (service, &ctx.passive) {
        (Some(s), _) => s.active_state(),
        (None, Some(p)) if p.active => ActiveState::Active,
        _ => ActiveState::Inactive,
    };
    // A timer can be failed, which a passive unit cannot say.
    let active = match (service, ctx.timer.as_ref().and_then(|t| t.active_state)) {
        (None, Some(state)) => state,
        _ => active,
    };
    let sub_state = match (service, &ctx.timer, &ctx.passive) {
        (Some(s), _, _) => s.state.as_str().to_string(),
        (None, Some(t), _) if t.sub_state.is_some() => t.sub_state.clone().unwrap_or_default(),
        (None, _, Some(p)) if p.active => "active".to_string(),
        _ => "dead".to_string(),
    };
    let is_service = unit.unit_type == UnitType::Service;
    let compute = |name: &str| {
        if let Some(words) = dependency_words(unit, ctx, name) {
            return Some(words);
        }
        let dual = |t: DualTimestamp, monotonic: bool| {
            if monotonic {
                t.monotonic.to_string()
            } else {
                timestamp(t.realtime)
            }
        };
        let stamp = |field: &str| -> Option<DualTimestamp> {
            Some(match field {
                "StateChange" => timestamps.state_change,
                "InactiveExit" => timestamps.inactive_exit,
                "ActiveEnter" => timestamps.active_enter,
                "ActiveExit" => timestamps.active_exit,
                "InactiveEnter" => timestamps.inactive_enter,
                prefix @ ("Condition" | "Assert") => condition_check(service, prefix)
                    .map_or(timestamps.inactive_exit, |r| r.timestamp),
                _ => return None,
            })
        };
        if let Some(t) = name.strip_suffix("TimestampMonotonic").and_then(stamp) {
            return Some(dual(t, true));
        }
        if let Some(t) = name.strip_suffix("Timestamp").and_then(stamp) {
            return Some(dual(t, false));
        }
        Some(match name {
            "Id" => unit.name.clone(),
            "Names" => {
                let mut names = vec![unit.name.clone()];
                names.extend(ctx.aliases.iter().cloned());
                names.join(" ")
            }
            "RequiresMountsFor" => super::mount_units::required_mount_paths(unit).join(" "),
            "Documentation" => unit
                .unit
                .documentation
                .iter()
                .map(|d| format!("\"{d}\""))
                .collect::<Vec<_>>()
                .join(" "),
            "Description" => description(unit),
            "LoadState" => unit.load_state.name().to_string(),
            "ActiveState" => active.as_str().to_string(),
            "SubState" => sub_state.clone(),
            "FragmentPath" => match &unit.fragment_path {
                Some(path) => path.display().to_string(),
                None if ctx.transient => format!("{TRANSIENT_DIR}/{}", unit.name),
                None => String::new(),
            },
            "SourcePath" => unit.unit.source_path.clone().unwrap_or_default(),
            "DropInPaths" => unit
                .dropin_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            "UnitFileState" if ctx.transient && ctx.unit_file_state.is_empty() => {
                "transient".to_string()
            }
            "UnitFileState" => ctx.unit_file_state.clone(),
            "Transient" => yes_no(ctx.transient),
            "NeedDaemonReload" => yes_no(ctx.need_daemon_reload),
            "UnitFilePreset" => ctx.unit_file_preset.clone(),
            "CanStart" => yes_no(loaded && !unit.unit.refuse_manual_start),
            "CanStop" => yes_no(!unit.unit.refuse_manual_stop),
            "CanReload" => yes_no(unit.service().is_some_and(|s| !s.exec.reload.is_empty())),
            "CanIsolate" => yes_no(loaded && unit.unit.allow_isolate),
            "CanFreeze" => yes_no(is_service),
            "StopWhenUnneeded" => yes_no(unit.unit.stop_when_unneeded),
            "RefuseManualStart" => yes_no(unit.unit.refuse_manual_start),
            "RefuseManualStop" => yes_no(unit.unit.refuse_manual_stop),
            "AllowIsolate" => yes_no(unit.unit.allow_isolate),
            "DefaultDependencies" => yes_no(unit.unit.default_dependencies),
            "OnSuccessJobMode" => unit
                .unit
                .on_success_job_mode
                .map_or("fail", |m| m.name())
                .to_string(),
            "OnFailureJobMode" => unit
                .unit
                .on_failure_job_mode
                .map_or("replace", |m| m.name())
                .to_string(),
            result @ ("ConditionResult" | "AssertResult") => {
                let prefix = result.trim_end_matches("Result");
                yes_no(condition_check(service, prefix).map_or(checked, |r| r.result))
            }
            "IgnoreOnIsolate" => yes_no(unit.unit.ignore_on_isolate),
            "JobTimeoutUSec" => timespan(unit.unit.job_timeout.unwrap_or(USEC_INFINITY)),
            "StartLimitIntervalUSec" => {
                timespan(unit.unit.start_limit_interval.unwrap_or(10 * USEC_PER_SEC))
            }
            "StartLimitBurst" => unit.unit.start_limit_burst.unwrap_or(5).to_string(),
            "StartLimitAction" => unit
                .unit
                .start_limit_action
                .map_or("none", |a| a.name())
                .to_string(),
            "FailureAction" => unit.unit.failure_action.name().to_string(),
            "SuccessAction" => unit.unit.success_action.name().to_string(),
            "InvocationID" => service
                .map(|s| s.invocation_id.clone())
                .or(ctx.passive.as_ref().map(|p| p.invocation_id.clone()))
                .unwrap_or_default(),
            "CollectMode" => unit
                .unit
                .collect_mode
                .map_or("inactive", |m| m.name())
                .to_string(),
            // Never an empty LoadError= on a loaded unit (Ansible fails on one).
            "LoadError" => load_error(unit),
            _ => return None,
        })
    };
    push_table(lines, property_table::UNIT, ctx, compute, |_, _| {});
    carry_condition_checks(lines, service);
}

/// The last check of a service's conditions (`Condition`) or asserts
/// (`Assert`); a unit without a service runtime has none, and then a start
/// checks them right before it leaves "inactive".
fn condition_check<'a>(
    service: Option<&'a ServiceRuntime>,
    prefix: &str,
) -> Option<&'a ConditionRecord> {
    let service = service?;
    Some(if prefix == "Condition" {
        &service.condition
    } else {
        &service.assert
    })
}

/// `Conditions=` and `Asserts=` carry each check of the last start to
/// `status`, which names those not met; they stay hidden, and `show`
/// prints them as `[unprintable]` as systemctl does.
fn carry_condition_checks(lines: &mut [PropertyLine], service: Option<&ServiceRuntime>) {
    for (name, prefix) in [("Conditions", "Condition"), ("Asserts", "Assert")] {
        let Some(record) = condition_check(service, prefix) else {
            continue;
        };
        if record.timestamp == DualTimestamp::default() {
            continue;
        }
        if let Some(line) = lines.iter_mut().find(|l| l.name == name) {
            line.value = record.to_property(prefix);
        }
    }
}

/// Where systemd writes the unit files of transient units.
pub const TRANSIENT_DIR: &str = "/run/systemd/transient";

/// `Description=` with its specifiers (`%i`) expanded; the name when unset.
fn description(unit: &Unit) -> String {
    let Some(text) = &unit.unit.description else {
        return unit.name.clone();
    };
    let ctx = SpecifierContext::for_system_unit(&unit.name);
    expand_specifiers(text, &ctx).unwrap_or_else(|_| text.clone())
}

/// `LoadError=` for a unit that did not load: systemd's D-Bus error name
/// and message.
fn load_error(unit: &Unit) -> String {
    match &unit.load_state {
        LoadState::NotFound => format!(
            "org.freedesktop.systemd1.NoSuchUnit \"Unit {} not found.\"",
            unit.name
        ),
        LoadState::Masked => format!(
            "org.freedesktop.systemd1.UnitMasked \"Unit {} is masked.\"",
            unit.name
        ),
        LoadState::BadSetting => format!(
            "org.freedesktop.systemd1.BadUnitSetting \"Unit {} has a bad unit file setting.\"",
            unit.name
        ),
        LoadState::Error(text) => format!(
            "org.freedesktop.DBus.Error.Failed \"Unit {} failed to load properly, please adjust/correct and reload service manager: {text}\"",
            unit.name
        ),
        LoadState::Loaded => String::new(),
    }
}

/// The dependencies systemd adds to a unit of its own accord: a service's
/// slice, journal socket and default dependencies; a target's ordering
/// after what it wants or requires. With `mounts`, also the mount units of
/// `RequiresMountsFor=` in `After=`, which reads the mount table: a query
/// that does not show `After=` goes without.
pub fn implicit_dependencies(unit: &Unit, mounts: bool) -> BTreeMap<String, Vec<String>> {
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |key: &str, word: String| deps.entry(key.to_string()).or_default().push(word);
    if unit.load_state != LoadState::Loaded {
        return deps;
    }
    let mount_paths = super::mount_units::required_mount_paths(unit);
    if mounts && !mount_paths.is_empty() {
        let points = super::mount_units::read_mount_points();
        for mount in super::mount_units::mount_units_for(&mount_paths, &points) {
            add("After", mount);
        }
    }
    if unit.unit_type == UnitType::Target {
        if unit.unit.default_dependencies {
            let pulled = [
                DependencyKind::Wants,
                DependencyKind::Requires,
                DependencyKind::BindsTo,
            ];
            for kind in pulled {
                unit.unit
                    .dependencies_of(kind)
                    .for_each(|w| add("After", w.to_string()));
            }
            unit.wants_from_symlinks
                .iter()
                .for_each(|w| add("After", w.clone()));
            add("Conflicts", "shutdown.target".to_string());
            add("Before", "shutdown.target".to_string());
        }
        return deps;
    }
    if let Some(timer) = unit.timer() {
        timer_dependencies(unit, timer, &mut add);
        return deps;
    }
    let Some(service) = unit.service() else {
        return deps;
    };
    let slice = slice_of(unit);
    add("Requires", slice.clone());
    add("After", slice);
    let journal = matches!(
        service.standard_output,
        None | Some(StdOutput::Journal) | Some(StdOutput::JournalAndConsole)
    );
    if journal {
        add("After", "systemd-journald.socket".to_string());
    }
    if unit.unit.default_dependencies {
        add("Requires", "sysinit.target".to_string());
        add("After", "sysinit.target".to_string());
        add("After", "basic.target".to_string());
        add("Conflicts", "shutdown.target".to_string());
        add("Before", "shutdown.target".to_string());
    }
    deps
}

/// A timer's: it triggers its unit and is ordered before it; with default
/// dependencies it comes after sysinit.target (and, with a calendar
/// trigger, after the clock is set and synchronized), before
/// timers.target, and stops at shutdown (systemd's timer.c).
fn timer_dependencies(
    unit: &Unit,
    timer: &crate::config::timer::Timer,
    add: &mut impl FnMut(&str, String),
) {
    if let Some(target) = crate::config::timer::triggered_unit(timer, &unit.name) {
        add("Before", target.clone());
        add("Triggers", target);
    }
    if !unit.unit.default_dependencies {
        return;
    }
    add("Before", "timers.target".to_string());
    add("Requires", "sysinit.target".to_string());
    add("After", "sysinit.target".to_string());
    let calendar = timer
        .triggers
        .iter()
        .any(|t| t.base == crate::config::timer::TimerBase::Calendar);
    if calendar {
        add("After", "time-sync.target".to_string());
        add("After", "time-set.target".to_string());
    }
    add("Conflicts", "shutdown.target".to_string());
    add("Before", "shutdown.target".to_string());
}

#[cfg(test)]
#[path = "properties_tests.rs"]
mod tests;

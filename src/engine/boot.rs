//! From a loaded unit to the engine's plan: systemd's defaults filled in,
//! the exec context resolved into what `spawn` needs.

use std::path::PathBuf;

use nix::sys::resource::Resource;
use nix::sys::signal::Signal;

use super::capabilities;
use super::plan::{ExecContext, NotifyAccess, ServicePlan, ServiceType, WorkingDirectory};
use super::spawn::StdioTarget;
use crate::config::model::Unit;
use crate::config::service::{Service, StdInput, StdOutput};

/// The plan for a service unit; None for other unit types.
pub fn service_plan(unit: &Unit) -> Option<ServicePlan> {
    let service = unit.service()?;
    let mut plan = ServicePlan::new(&unit.name);
    plan.description = unit
        .unit
        .description
        .clone()
        .unwrap_or_else(|| unit.name.clone());
    plan.service_type = match service.effective_type() {
        // No D-Bus here: a bus service is up once started, like simple.
        ServiceType::Dbus => ServiceType::Simple,
        other => other,
    };
    plan.commands.start_pre = service.exec.start_pre.clone();
    plan.commands.start = service.exec.start.clone();
    plan.commands.start_post = service.exec.start_post.clone();
    plan.commands.reload = service.exec.reload.clone();
    plan.commands.stop = service.exec.stop.clone();
    plan.commands.stop_post = service.exec.stop_post.clone();
    plan.exec = exec_context(service);
    plan.remain_after_exit = service.remain_after_exit;
    plan.pid_file = service.pid_file.clone();
    if let Some(restart) = service.restart {
        plan.restart = restart;
    }
    let timespan = |key: &str, default: u64| service.timespan(key).unwrap_or(default);
    plan.restart_usec = timespan("RestartSec", plan.restart_usec);
    plan.timeout_start_usec = timespan("TimeoutStartSec", plan.timeout_start_usec);
    plan.timeout_stop_usec = timespan("TimeoutStopSec", plan.timeout_stop_usec);
    plan.runtime_max_usec = timespan("RuntimeMaxSec", plan.runtime_max_usec);
    plan.watchdog_usec = timespan("WatchdogSec", 0);
    plan.timeout_abort_usec = timespan("TimeoutAbortSec", plan.timeout_stop_usec);
    // systemd's service_add_extras(): a notify service, or one with a
    // watchdog, listens to its main process unless told otherwise (an
    // explicit `none` cannot be told from unset there either).
    plan.notify_access = match service.notify_access {
        Some(access) if access != NotifyAccess::None => access,
        _ if plan.service_type == ServiceType::Notify || plan.watchdog_usec > 0 => {
            NotifyAccess::Main
        }
        _ => NotifyAccess::None,
    };
    plan.conditions = unit.unit.conditions.clone();
    plan.asserts = unit.unit.asserts.clone();
    if plan.service_type == ServiceType::Oneshot && service.timespan("TimeoutStartSec").is_none() {
        // Oneshot services wait for their commands without a start timeout.
        plan.timeout_start_usec = crate::syntax::USEC_INFINITY;
    }
    if let Some(mode) = service.kill_mode {
        plan.kill_mode = mode;
    }
    let signal = |n: Option<i32>, default: Signal| {
        n.and_then(|n| Signal::try_from(n).ok()).unwrap_or(default)
    };
    plan.kill_signal = signal(service.kill_signal, Signal::SIGTERM);
    plan.final_kill_signal = signal(service.final_kill_signal, Signal::SIGKILL);
    plan.watchdog_signal = signal(service.watchdog_signal, Signal::SIGABRT);
    plan.send_sigkill = service.send_sigkill.unwrap_or(true);
    plan.send_sighup = service.send_sighup.unwrap_or(false);
    plan.kill_none_sends_final_sigkill = service.kill_none_sends_final_sigkill;
    plan.only_sigterm_is_clean = service.only_sigterm_is_clean;
    plan.success_exit_status = service.success_exit_status.clone();
    plan.restart_prevent_exit_status = service.restart_prevent_exit_status.clone();
    plan.restart_force_exit_status = service.restart_force_exit_status.clone();
    if let Some(interval) = unit.unit.start_limit_interval {
        plan.start_limit_interval_usec = interval;
    }
    if let Some(burst) = unit.unit.start_limit_burst {
        plan.start_limit_burst = burst;
    }
    plan.cgroup = service.cgroup.clone().filter(|name| !name.is_empty());
    plan.max_memory_rss = service.max_memory_rss.filter(|bytes| *bytes > 0);
    Some(plan)
}

fn exec_context(service: &Service) -> ExecContext {
    let mut exec = ExecContext {
        environment: service.environment.clone(),
        environment_files: service
            .environment_files
            .iter()
            .map(|entry| (PathBuf::from(&entry.path), entry.optional))
            .collect(),
        pass_environment: service.pass_environment.clone(),
        unset_environment: service.unset_environment.clone(),
        user: service.user.clone(),
        group: service.group.clone(),
        supplementary_groups: service.supplementary_groups.clone(),
        nice: service.nice,
        no_new_privileges: service.no_new_privileges.unwrap_or(false),
        syslog_identifier: service.syslog_identifier.clone(),
        log: crate::logs::unit_options::UnitLogOptions::from_service(service),
        bounding_set: capabilities::parse_set(&service.capability_bounding_set),
        ambient_capabilities: capabilities::parse_set(&service.ambient_capabilities).unwrap_or(0),
        directories: service.directories.clone(),
        ..ExecContext::default()
    };
    if let Some(umask) = service.umask {
        exec.umask = umask;
    }
    exec.working_directory = service
        .working_directory
        .as_ref()
        .map(|dir| WorkingDirectory {
            path: (dir != "~").then(|| PathBuf::from(dir)),
            home: dir == "~",
            optional: service.working_directory_missing_ok,
        });
    exec.limits = service
        .limits
        .iter()
        .filter_map(|(name, limit)| {
            let resource = resource_named(name)?;
            let unlimited = nix::libc::RLIM_INFINITY;
            Some((
                resource,
                limit.soft.unwrap_or(unlimited),
                limit.hard.unwrap_or(unlimited),
            ))
        })
        .collect();
    exec.stdin = match &service.standard_input {
        Some(StdInput::File(path)) => StdioTarget::File {
            path: path.into(),
            append: false,
        },
        _ => StdioTarget::Null,
    };
    exec.stdout = output_target(service.standard_output.as_ref(), StdioTarget::Pipe);
    // StandardError= defaults to where StandardOutput= goes.
    exec.stderr = output_target(service.standard_error.as_ref(), exec.stdout.clone());
    // Both to the journal: one stream, as systemd's one socket, so that
    // lines keep the order they were written in; two only where [Log]
    // tells them apart (%S).
    if exec.stdout == StdioTarget::Pipe
        && exec.stderr == StdioTarget::Pipe
        && !exec.log.log.tells_streams_apart()
    {
        exec.stderr = StdioTarget::SameAsStdout;
    }
    exec
}

fn output_target(setting: Option<&StdOutput>, default: StdioTarget) -> StdioTarget {
    match setting {
        None => default,
        Some(StdOutput::Null) => StdioTarget::Null,
        Some(StdOutput::Inherit | StdOutput::Tty) => StdioTarget::Inherit,
        Some(StdOutput::File(path) | StdOutput::Truncate(path)) => StdioTarget::File {
            path: path.into(),
            append: false,
        },
        Some(StdOutput::Append(path)) => StdioTarget::File {
            path: path.into(),
            append: true,
        },
        Some(_) => StdioTarget::Pipe,
    }
}

/// The resource of a `Limit*=` key (the part after "Limit").
fn resource_named(name: &str) -> Option<Resource> {
    Some(match name {
        "CPU" => Resource::RLIMIT_CPU,
        "FSIZE" => Resource::RLIMIT_FSIZE,
        "DATA" => Resource::RLIMIT_DATA,
        "STACK" => Resource::RLIMIT_STACK,
        "CORE" => Resource::RLIMIT_CORE,
        "RSS" => Resource::RLIMIT_RSS,
        "NOFILE" => Resource::RLIMIT_NOFILE,
        "AS" => Resource::RLIMIT_AS,
        "NPROC" => Resource::RLIMIT_NPROC,
        "MEMLOCK" => Resource::RLIMIT_MEMLOCK,
        "LOCKS" => Resource::RLIMIT_LOCKS,
        "SIGPENDING" => Resource::RLIMIT_SIGPENDING,
        "MSGQUEUE" => Resource::RLIMIT_MSGQUEUE,
        "NICE" => Resource::RLIMIT_NICE,
        "RTPRIO" => Resource::RLIMIT_RTPRIO,
        "RTTIME" => Resource::RLIMIT_RTTIME,
        _ => return None,
    })
}

//! The event loop: children exiting (SIGCHLD), phase deadlines, requests
//! on the control API, and the signals that ask PID 1 to shut down.
//! Nothing here polls; the loop sleeps until the kernel, the next deadline
//! or a request wakes it.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;

use super::api::{Core, EngineBackend};
use super::clock_watch::{RealtimeClockWatch, TimezoneWatch};
use super::directories::Roots;
use super::executor::{LogSink, ProcessExecutor};
use super::manager::Manager;
use super::notify::{self, NotifySocket};
use super::power::SupervisorEnd;
use super::reaper::{become_subreaper, reap_exited_with_usage};
use crate::control::server::{ControlServer, ServerConfig};
use crate::syntax::timestamp::now_realtime;

/// Starts the boot units, serves the control API, supervises until SIGTERM
/// or SIGINT (or a Restart=halt service going down, or `systemctl
/// poweroff`, `reboot`, `halt`, `kexec`, `exit`, now or at the time
/// `shutdown` gave), then stops everything (dependents first) and returns
/// how the supervisor ends once all of it is down: exit status 0 after
/// SIGTERM/SIGINT; after a halt, the halting service's exit code if it was
/// not 0, 128+N if signal N killed it, else 1; `systemctl exit CODE`'s
/// code; for the others, the power action PID 1 then asks of the kernel
/// (`power::end`). A forced shutdown (`poweroff -f`) ends at once,
/// killing what runs.
///
/// SIGHUP reloads the unit files (as `systemctl daemon-reload`); SIGUSR2
/// writes the state of every unit to the supervisor's log.
pub fn run(
    manager: Manager,
    sink: Rc<dyn LogSink>,
    api: ServerConfig,
) -> anyhow::Result<SupervisorEnd> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, supervise(manager, sink, api))
}

async fn supervise(
    manager: Manager,
    sink: Rc<dyn LogSink>,
    api: ServerConfig,
) -> anyhow::Result<SupervisorEnd> {
    let mut sigchld = signal(SignalKind::child())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigusr1 = signal(SignalKind::user_defined1())?;
    let mut sigusr2 = signal(SignalKind::user_defined2())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    if let Err(e) = become_subreaper() {
        sink.supervisor_message(
            "",
            &format!("Failed to become a subreaper, orphans escape: {e}"),
        );
    }
    for diagnostic in &manager.units.diagnostics {
        // A unit file's diagnostic belongs to the unit's journal, as
        // systemd's does (status and `journalctl -u` show it).
        let unit = diagnostic.unit_name().unwrap_or_default();
        sink.supervisor_message(&unit, &diagnostic.to_string());
    }
    let mut ex = ProcessExecutor::new(sink.clone());
    ex.pool_dirs = manager.search_path().dirs.clone();
    ex.unit_groups = crate::cgroup::unit_groups::UnitGroups::detect(std::process::id() == 1);
    let uses_pools = manager
        .units
        .by_name
        .values()
        .any(|u| u.service().is_some_and(|s| s.cgroup.is_some()));
    if uses_pools {
        // Before any service starts: runr moves into its leaf while it is
        // still alone in its group.
        ex.pools
            .set_up(&mut |message| sink.supervisor_message("", message));
    }
    let notify_socket = bind_notify_socket(&sink, &mut ex);
    let epoch = tokio::time::Instant::from_std(ex.epoch());
    let mut core = Core::new(manager, ex);
    core.journal_directory = sink.journal_directory();
    core.utmp = utmp_files();
    if let Some(files) = &core.utmp
        && let Err(e) = files.put_boot(core.started_realtime)
    {
        let message = format!("Failed to write utmp record: {}", super::errno_text(&e));
        sink.supervisor_message("", &message);
    }
    let core = Rc::new(RefCell::new(core));
    let wake_loop = Rc::new(Notify::new());
    let changed = Rc::new(Notify::new());

    let server = ControlServer::bind(&api)?;
    let backend = Rc::new(EngineBackend::new(
        core.clone(),
        wake_loop.clone(),
        changed.clone(),
    ));
    let mut server_task = tokio::task::spawn_local(server.serve(backend.clone()));
    super::api::resume_background_tasks(&core, &changed);

    {
        let mut core = core.borrow_mut();
        let boot = core.manager.boot_units();
        for name in &boot {
            core.manager.enqueue_start(name);
        }
        core.boot_units = boot;
    }
    // Calendar timers follow the wall clock when it is set or the zone changes.
    let mut clock_watch = RealtimeClockWatch::new()
        .inspect_err(|e| sink.supervisor_message("", &format!("Failed to watch the realtime clock, calendar timers will not follow clock changes: {e}")))
        .ok();
    let mut zone_watch = TimezoneWatch::new().ok();
    crate::syntax::timestamp::trust_kept_zone(zone_watch.is_some());
    let mut shutting_down = false;
    let mut end = SupervisorEnd::Exit(0);
    // A shutdown asked over the API ends with "Shutting down.", as systemd's.
    let mut asked_to_shut_down = false;
    let mut memory_check: Option<tokio::time::Interval> = None;
    // What start-up ran deeper than the loop is not needed again.
    super::main_stack::release_below_current_frame();
    loop {
        let (deadline, pid_files) = {
            let mut core = core.borrow_mut();
            let core = &mut *core;
            // Notifications first, as systemd ranks them above SIGCHLD: a
            // READY=1 sent just before exiting counts.
            while let Some(d) = notify_socket.as_ref().and_then(|s| s.try_recv()) {
                notify::dispatch(&mut core.manager, &mut core.ex, &d);
            }
            for reaped in reap_exited_with_usage() {
                core.manager.note_process_cpu(reaped.pid, reaped.cpu_usec);
                core.manager
                    .on_process_exit(&mut core.ex, reaped.pid, reaped.status);
            }
            core.settle();
            if let Some((unit, status)) = core.manager.halt.take().filter(|_| !shutting_down) {
                sink.supervisor_message(&unit, &format!("{unit}: Restart=halt, stopping the pod."));
                end = SupervisorEnd::Exit(halt_exit_status(status));
                shutting_down = true;
                core.manager.enqueue_shutdown();
                core.settle();
            }
            core.shutdown.fire_due(now_realtime());
            if let Some(plan) = core.shutdown.take_due() {
                end = SupervisorEnd::of(&plan);
                asked_to_shut_down = true;
                if plan.force {
                    kill_everything(core);
                    break;
                }
                if !shutting_down {
                    shutting_down = true;
                    core.manager.enqueue_shutdown();
                    core.settle();
                }
            }
            if shutting_down && core.manager.is_idle_and_down() {
                if asked_to_shut_down {
                    sink.supervisor_message("", "Shutting down.");
                }
                break;
            }
            arm_memory_check(&mut memory_check, !core.manager.memory_limited().is_empty());
            let shutdown_at = core
                .shutdown
                .deadline_realtime()
                .map(|when| super::executor::monotonic_now() + when.saturating_sub(now_realtime()));
            let deadline = match (core.manager.next_deadline(), shutdown_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            (deadline, core.ex.pid_file_watch())
        };
        changed.notify_waiters();
        let sleep = async {
            match deadline {
                Some(usec) => tokio::time::sleep_until(epoch + Duration::from_micros(usec)).await,
                None => std::future::pending().await,
            }
        };
        let notification = async {
            match &notify_socket {
                Some(socket) => socket.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sigchld.recv() => {}
            Ok(d) = notification => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                notify::dispatch(&mut core.manager, &mut core.ex, &d);
            }
            _ = wake_loop.notified() => {}
            changed = pid_files_changed(pid_files.as_deref()) => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                match changed {
                    Ok(units) => {
                        for unit in units {
                            core.manager.on_pid_file_changed(&mut core.ex, &unit);
                        }
                    }
                    Err(e) => sink.supervisor_message("", &format!("Failed to read the PID file watches: {e}")),
                }
            }
            _ = memory_tick(&mut memory_check) => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                check_memory(&mut core.manager, &mut core.ex);
            }
            _ = sleep => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                let now = super::executor::monotonic_now();
                core.manager.on_deadlines(&mut core.ex, now);
            }
            changed = watch_clock(&mut clock_watch) => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                match changed {
                    Ok(()) => core.manager.on_clock_change(&mut core.ex),
                    Err(_) => clock_watch = None,
                }
            }
            changed = watch_zone(&mut zone_watch) => {
                let mut core = core.borrow_mut();
                let core = &mut *core;
                match changed {
                    Ok(()) => {
                        crate::syntax::timestamp::forget_kept_zone();
                        core.manager.on_timezone_change(&mut core.ex)
                    }
                    Err(_) => {
                        crate::syntax::timestamp::trust_kept_zone(false);
                        zone_watch = None
                    }
                }
            }
            _ = sigterm.recv(), if !shutting_down => {
                shutting_down = true;
                core.borrow_mut().manager.enqueue_shutdown();
            }
            _ = sigint.recv(), if !shutting_down => {
                shutting_down = true;
                core.borrow_mut().manager.enqueue_shutdown();
            }
            _ = sighup.recv() => {
                // As `runr daemon-reload`: new units start, failed ones
                // that would restart start again.
                sink.supervisor_message("", "Reloading unit files (SIGHUP).");
                core.borrow_mut().manager.reload_unit_files();
            }
            _ = sigusr1.recv() => {
                // systemd reconnects to its bus; runr's bus is its control
                // API: bound afresh, a socket file removed by mistake is back.
                sink.supervisor_message("", "Binding the control API again (SIGUSR1).");
                server_task.abort();
                let _ = (&mut server_task).await;
                match ControlServer::bind(&api) {
                    Ok(server) => server_task = tokio::task::spawn_local(server.serve(backend.clone())),
                    Err(e) => sink.supervisor_message("", &format!("Failed to bind the control API: {e}")),
                }
            }
            _ = sigusr2.recv() => {
                for line in state_dump(&core.borrow().manager) {
                    sink.supervisor_message("", &line);
                }
            }
        }
    }
    changed.notify_waiters();
    if let Some(files) = &core.borrow().utmp
        && let Err(e) = files.put_shutdown(now_realtime())
    {
        let message = format!("Failed to write utmp record: {}", super::errno_text(&e));
        sink.supervisor_message("", &message);
    }
    core.borrow().ex.pools.remove_created();
    if let Some(groups) = &core.borrow().ex.unit_groups {
        groups.remove_slice();
    }
    server_task.abort();
    let _ = std::fs::remove_file(&api.socket_path);
    Ok(end)
}

/// Where the supervisor keeps utmp and wtmp: as PID 1 the system's, under
/// `RUNR_ROOT` that root's; an ordinary process on a host leaves the
/// host's own alone.
fn utmp_files() -> Option<super::utmp::Files> {
    let roots = Roots::from_env();
    let moved = std::env::var_os(super::directories::ROOT_ENV).is_some_and(|v| !v.is_empty());
    (std::process::id() == 1 || moved).then(|| super::utmp::Files::under(&roots.prefix))
}

/// A forced shutdown: every process of every unit gets SIGKILL now (as
/// PID 1 the kernel would end them anyway, an ordinary supervisor must).
fn kill_everything(core: &mut Core) {
    use super::service::Executor;
    let signal = nix::sys::signal::Signal::SIGKILL;
    let names: Vec<String> = core.manager.runtimes.keys().cloned().collect();
    for name in names {
        let pids: Vec<_> = match core.manager.runtimes.get(&name) {
            Some(super::manager::UnitRuntime::Service(s)) => {
                s.main_pid.into_iter().chain(s.control_pid).collect()
            }
            _ => continue,
        };
        for pid in pids {
            core.ex.kill(pid, signal, false);
            core.ex.kill(pid, signal, true);
        }
        core.ex.kill_unit_group(&name, signal);
    }
}

fn halt_exit_status(status: Option<super::exit_status::ExitStatus>) -> u8 {
    use super::exit_status::ExitStatus;
    match status {
        Some(ExitStatus::Exited(code)) if code != 0 => u8::try_from(code).unwrap_or(1),
        Some(ExitStatus::Killed(signal) | ExitStatus::Dumped(signal)) => {
            u8::try_from(128 + signal).unwrap_or(1)
        }
        _ => 1,
    }
}

/// One line per unit that has run: `name: active (running), main PID 42`.
fn state_dump(manager: &Manager) -> Vec<String> {
    manager
        .runtimes
        .iter()
        .map(|(name, runtime)| match runtime {
            super::manager::UnitRuntime::Service(s) => {
                let pid = s
                    .main_pid
                    .map(|p| format!(", main PID {p}"))
                    .unwrap_or_default();
                format!("{name}: {} ({}){pid}", s.active_state(), s.state)
            }
            other => format!("{name}: {}", other.active_state()),
        })
        .collect()
}

/// How often the resident set of services with MaxMemoryRSS= is read.
const MEMORY_CHECK_PERIOD: Duration = Duration::from_secs(2);

/// MaxMemoryRSS= is the one place runr samples instead of waiting for the
/// kernel: a process's resident set has no notification of its own (a
/// memory cgroup's memory.events has, but that needs the memory controller
/// and a group per service, which containers often lack). The interval
/// exists only while a service with MaxMemoryRSS= runs, so an idle pod
/// without one still has no wakeups at all.
fn arm_memory_check(check: &mut Option<tokio::time::Interval>, wanted: bool) {
    match (wanted, check.is_some()) {
        (true, false) => {
            let start = tokio::time::Instant::now() + MEMORY_CHECK_PERIOD;
            let mut interval = tokio::time::interval_at(start, MEMORY_CHECK_PERIOD);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            *check = Some(interval);
        }
        (false, true) => *check = None,
        _ => {}
    }
}

async fn memory_tick(check: &mut Option<tokio::time::Interval>) {
    match check {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Reads the resident set of each main process with a MaxMemoryRSS= limit
/// and stops the services over it.
fn check_memory(manager: &mut Manager, ex: &mut ProcessExecutor) {
    for (name, pid, limit) in manager.memory_limited() {
        if let Some(rss) = crate::cgroup::resident_bytes(pid.as_raw())
            && rss > limit
        {
            manager.on_memory_exceeded(ex, &name, rss, limit);
        }
    }
}

/// The units whose PID files may have appeared; never, without watches.
async fn pid_files_changed(
    watch: Option<&super::pid_file_watch::PidFileWatch>,
) -> std::io::Result<Vec<String>> {
    match watch {
        Some(watch) => watch.changed().await,
        None => std::future::pending().await,
    }
}

async fn watch_clock(watch: &mut Option<RealtimeClockWatch>) -> std::io::Result<()> {
    match watch {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

async fn watch_zone(watch: &mut Option<TimezoneWatch>) -> std::io::Result<()> {
    match watch {
        Some(w) => w.changed().await,
        None => std::future::pending().await,
    }
}

/// Where the control API listens unless told otherwise.
pub fn default_socket_path() -> std::path::PathBuf {
    std::env::var_os(crate::control::client::SOCKET_ENV)
        .map(Into::into)
        .unwrap_or_else(|| crate::control::server::DEFAULT_SOCKET_PATH.into())
}

/// The `$NOTIFY_SOCKET` of the services; without one (the runtime
/// directory is not writable) the supervisor runs on, and Type=notify
/// services time out as they would with no listener.
fn bind_notify_socket(sink: &Rc<dyn LogSink>, ex: &mut ProcessExecutor) -> Option<NotifySocket> {
    let dir = Roots::from_env().runtime_directory();
    match NotifySocket::bind(&dir) {
        Ok(socket) => {
            ex.set_notify_socket(socket.path());
            Some(socket)
        }
        Err(e) => {
            sink.supervisor_message("", &format!("Failed to allocate notification socket: {e}"));
            None
        }
    }
}

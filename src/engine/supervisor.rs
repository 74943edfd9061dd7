//! The event loop: children exiting (SIGCHLD), phase deadlines, and the
//! signals that ask PID 1 to shut down. Nothing here polls; the loop
//! sleeps until the kernel or the next deadline wakes it.

use std::io;
use std::rc::Rc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

use super::directories::Roots;
use super::executor::{LogSink, ProcessExecutor};
use super::manager::Manager;
use super::notify::{self, NotifySocket};
use super::reaper::{become_subreaper, reap_exited};
use super::service::Executor;

/// Starts the boot units, supervises until SIGTERM or SIGINT, then stops
/// everything (dependents first) and returns once all of it is down.
pub fn run(manager: Manager, sink: Rc<dyn LogSink>) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, supervise(manager, sink))
}

async fn supervise(mut manager: Manager, sink: Rc<dyn LogSink>) -> io::Result<()> {
    let mut sigchld = signal(SignalKind::child())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    if let Err(e) = become_subreaper() {
        sink.supervisor_message(
            "",
            &format!("Failed to become a subreaper, orphans escape: {e}"),
        );
    }
    for diagnostic in &manager.units.diagnostics {
        sink.supervisor_message("", &diagnostic.to_string());
    }
    let mut ex = ProcessExecutor::new(sink.clone());
    let notify_socket = bind_notify_socket(&sink, &mut ex);
    let epoch = tokio::time::Instant::from_std(ex.epoch());
    for name in manager.boot_units() {
        manager.enqueue_start(&name);
    }
    let mut shutting_down = false;
    loop {
        // Notifications first, as systemd ranks them above SIGCHLD: a
        // READY=1 sent just before exiting counts.
        while let Some(d) = notify_socket.as_ref().and_then(|s| s.try_recv()) {
            notify::dispatch(&mut manager, &mut ex, &d);
        }
        for (pid, status) in reap_exited() {
            manager.on_process_exit(&mut ex, pid, status);
        }
        manager.dispatch(&mut ex);
        if shutting_down && manager.is_idle_and_down() {
            return Ok(());
        }
        let deadline = manager.next_deadline();
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
            Ok(d) = notification => notify::dispatch(&mut manager, &mut ex, &d),
            _ = sleep => {
                let now = ex.now();
                manager.on_deadlines(&mut ex, now);
            }
            _ = sigterm.recv(), if !shutting_down => {
                shutting_down = true;
                manager.enqueue_shutdown();
            }
            _ = sigint.recv(), if !shutting_down => {
                shutting_down = true;
                manager.enqueue_shutdown();
            }
        }
    }
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

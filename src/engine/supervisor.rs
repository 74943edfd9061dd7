//! The event loop: children exiting (SIGCHLD), phase deadlines, and the
//! signals that ask PID 1 to shut down. Nothing here polls; the loop
//! sleeps until the kernel or the next deadline wakes it.

use std::io;
use std::rc::Rc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

use super::executor::{LogSink, ProcessExecutor};
use super::plan::ServicePlan;
use super::reaper::{become_subreaper, reap_exited};
use super::service::{Executor, ServiceRuntime};

/// Runs the services until SIGTERM or SIGINT, then stops them in reverse
/// order and returns once every one of them is down.
pub fn run(plans: Vec<ServicePlan>, sink: Rc<dyn LogSink>) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, supervise(plans, sink))
}

async fn supervise(plans: Vec<ServicePlan>, sink: Rc<dyn LogSink>) -> io::Result<()> {
    let mut sigchld = signal(SignalKind::child())?;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    if let Err(e) = become_subreaper() {
        sink.supervisor_message("", &format!("Failed to become a subreaper, orphans escape: {e}"));
    }
    let mut ex = ProcessExecutor::new(sink.clone());
    let started = tokio::time::Instant::from_std(ex.epoch());
    let mut services: Vec<ServiceRuntime> = plans.into_iter().map(ServiceRuntime::new).collect();
    for service in &mut services {
        service.start(&mut ex);
    }
    let mut shutting_down = false;
    loop {
        for (pid, status) in reap_exited() {
            let owner = services.iter_mut().position(|s| s.main_pid == Some(pid) || s.control_pid == Some(pid));
            match owner {
                Some(i) => {
                    services[i].on_process_exit(&mut ex, pid, status);
                }
                None => services.iter_mut().for_each(|s| s.on_orphan_exit(&mut ex)),
            }
        }
        if shutting_down && services.iter().all(|s| s.active_state().is_inactive_or_failed()) {
            return Ok(());
        }
        let deadline = services.iter().filter_map(|s| s.deadline).min();
        let sleep = async {
            match deadline {
                Some(usec) => tokio::time::sleep_until(started + Duration::from_micros(usec)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sigchld.recv() => {}
            _ = sleep => {
                let now = ex.now();
                for service in &mut services {
                    if service.deadline.is_some_and(|d| d <= now) {
                        service.on_timeout(&mut ex);
                    }
                }
            }
            _ = sigterm.recv() => shutting_down = begin_shutdown(&mut services, &mut ex),
            _ = sigint.recv() => shutting_down = begin_shutdown(&mut services, &mut ex),
        }
    }
}

fn begin_shutdown(services: &mut [ServiceRuntime], ex: &mut ProcessExecutor) -> bool {
    for service in services.iter_mut().rev() {
        service.stop(ex);
    }
    true
}

//! `systemctl kill`: a signal sent to a service's processes on request,
//! logged as systemd 252's unit_kill_common() logs it, without changing
//! the service's state (what the signal does, the processes' exits tell).

use std::collections::BTreeSet;

use super::*;
use crate::control::types::KillWhom;

/// Why a kill request was refused (systemd's D-Bus errors for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KillRefusal {
    /// `--kill-whom=main` with no main process.
    NoMainProcess,
    /// `--kill-whom=control` with no control process.
    NoControlProcess,
    /// kill(2) failed for the main or control process (the message says
    /// which and why).
    Failed(String),
}

impl std::fmt::Display for KillRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KillRefusal::NoMainProcess => f.write_str("No main process to kill"),
            KillRefusal::NoControlProcess => f.write_str("No control process to kill"),
            KillRefusal::Failed(message) => f.write_str(message),
        }
    }
}

impl ServiceRuntime {
    /// Sends `signal` to the processes `whom` names: the control process,
    /// then the main process, then (for `all`) every other process of the
    /// service, each named in the log ("Sent signal SIGHUP to main process
    /// 42 (sleep) on client request.", "Sending signal SIGTERM to process
    /// 43 (sleep) on client request.").
    pub fn kill_on_request(
        &mut self,
        ex: &mut dyn Executor,
        whom: KillWhom,
        signal: Signal,
    ) -> Result<(), KillRefusal> {
        let (main, control) = (self.main_pid, self.control_pid);
        match whom {
            KillWhom::Main if main.is_none() => return Err(KillRefusal::NoMainProcess),
            KillWhom::Control if control.is_none() => return Err(KillRefusal::NoControlProcess),
            _ => {}
        }
        let name = signal.as_str();
        let mut refusal = None;
        let named = [
            (
                control,
                "control",
                matches!(whom, KillWhom::Control | KillWhom::All),
            ),
            (main, "main", matches!(whom, KillWhom::Main | KillWhom::All)),
        ];
        for (pid, role, wanted) in named {
            let Some(pid) = pid.filter(|_| wanted) else {
                continue;
            };
            let comm = self.comm_of(ex, pid);
            match ex.signal_process(pid, signal) {
                Ok(()) => self.unit_log(
                    ex,
                    &format!(
                        "Sent signal {name} to {role} process {pid} ({comm}) on client request."
                    ),
                ),
                Err(errno) => {
                    let why = crate::engine::errno_text(&std::io::Error::from(errno));
                    self.unit_log(
                        ex,
                        &format!("Failed to send signal {name} to {role} process {pid} ({comm}) on client request: {why}"),
                    );
                    refusal.get_or_insert(KillRefusal::Failed(format!(
                        "Failed to send signal {name} to {role} process {pid} ({comm}): {why}"
                    )));
                }
            }
        }
        if whom == KillWhom::All {
            self.kill_the_others(ex, signal, &[main, control]);
        }
        refusal.map_or(Ok(()), Err)
    }

    /// The rest of the service (systemd's cg_kill_recursive() with the main
    /// and control processes left out): read again until no process is new,
    /// so that what forks meanwhile gets the signal too.
    fn kill_the_others(&mut self, ex: &mut dyn Executor, signal: Signal, skip: &[Option<Pid>]) {
        let mut done: BTreeSet<Pid> = skip.iter().flatten().copied().collect();
        loop {
            let groups = self.groups.clone();
            let fresh: Vec<Pid> = ex
                .unit_processes(&self.plan.name, &groups)
                .into_iter()
                .filter(|pid| !done.contains(pid))
                .collect();
            if fresh.is_empty() {
                return;
            }
            for pid in fresh {
                done.insert(pid);
                let comm = self.comm_of(ex, pid);
                self.unit_log(
                    ex,
                    &format!(
                        "Sending signal {} to process {pid} ({comm}) on client request.",
                        signal.as_str()
                    ),
                );
                let _ = ex.signal_process(pid, signal);
            }
        }
    }

    /// A process's command name, or systemd's `n/a`.
    fn comm_of(&self, ex: &mut dyn Executor, pid: Pid) -> String {
        ex.process_info(pid)
            .map_or_else(|| "n/a".to_string(), |p| p.name)
    }
}

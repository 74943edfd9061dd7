//! sd_notify messages and the watchdog of a service.

use super::*;

/// The longest `STATUS=` systemd keeps.
const STATUS_TEXT_MAX: usize = 16 * 1024;

impl ServiceRuntime {
    pub(super) fn watchdog_usec(&self) -> Usec {
        self.watchdog_override_usec
            .unwrap_or(self.plan.watchdog_usec)
    }

    /// Restarts the watchdog's countdown from now (systemd's
    /// service_reset_watchdog).
    pub(super) fn reset_watchdog(&mut self) {
        self.watchdog_timestamp = self.clock;
        let usec = self.watchdog_usec();
        self.watchdog_deadline = (usec > 0 && usec != USEC_INFINITY)
            .then(|| self.watchdog_timestamp.monotonic.saturating_add(usec));
    }

    pub(super) fn on_watchdog_timeout(&mut self, ex: &mut dyn Executor) {
        let limit = crate::syntax::timespan::format_timespan(self.watchdog_usec(), 1_000_000);
        self.unit_log(ex, &format!("Watchdog timeout (limit {limit})!"));
        self.enter_signal(ex, ServiceState::StopWatchdog, ServiceResult::Watchdog);
    }

    /// NotifyAccess=: may `pid` send? Logs systemd's warning when not.
    pub(super) fn notify_allowed(&mut self, ex: &mut dyn Executor, pid: Pid) -> bool {
        let (main, control) = (self.main_pid, self.control_pid);
        let prefix = format!("Got notification message from PID {pid}, but reception");
        let refusal = match self.plan.notify_access {
            NotifyAccess::All => None,
            NotifyAccess::None => Some(format!("{prefix} is disabled.")),
            NotifyAccess::Main if main == Some(pid) => None,
            NotifyAccess::Main => Some(match main {
                Some(m) => format!("{prefix} only permitted for main PID {m}"),
                None => {
                    format!("{prefix} only permitted for main PID which is currently not known")
                }
            }),
            NotifyAccess::Exec if main == Some(pid) || control == Some(pid) => None,
            NotifyAccess::Exec => Some(match (main, control) {
                (Some(m), Some(c)) => {
                    format!("{prefix} only permitted for main PID {m} and control PID {c}")
                }
                (Some(m), None) => format!("{prefix} only permitted for main PID {m}"),
                (None, Some(c)) => format!("{prefix} only permitted for control PID {c}"),
                (None, None) => format!(
                    "{prefix} only permitted for main PID and control PID which are currently not known"
                ),
            }),
        };
        match refusal {
            Some(message) => {
                self.unit_log(ex, &message);
                false
            }
            None => true,
        }
    }

    /// A notification from `pid` (credentials `uid`), already routed to this
    /// service (systemd's service_notify_message).
    pub fn on_notify(
        &mut self,
        ex: &mut dyn Executor,
        pid: Pid,
        uid: u32,
        message: &NotifyMessage,
    ) {
        self.tick(ex);
        if !self.notify_allowed(ex, pid) {
            return;
        }
        if let Some(value) = &message.main_pid
            && matches!(
                self.state,
                ServiceState::Start | ServiceState::StartPost | ServiceState::Running
            )
        {
            self.notify_main_pid(ex, value, uid);
        }
        match message.state {
            Some(NotifyState::Ready) => {
                if self.plan.service_type == ServiceType::Notify
                    && self.state == ServiceState::Start
                {
                    self.enter_start_post(ex);
                } else if self.state == ServiceState::Reload && self.control_pid.is_none() {
                    self.enter_running(ex, ServiceResult::Success);
                }
            }
            Some(NotifyState::Reloading) if self.state == ServiceState::Running => {
                self.set_state(ServiceState::Reload);
                self.arm(ex, self.plan.timeout_start_usec);
            }
            Some(NotifyState::Stopping) if self.state == ServiceState::Running => {
                // As if it had been sent SIGTERM: wait for it to go.
                self.set_state(ServiceState::StopSigterm);
                self.arm(ex, self.plan.timeout_stop_usec);
            }
            _ => {}
        }
        if let Some(status) = &message.status {
            if status.len() > STATUS_TEXT_MAX {
                self.unit_log(
                    ex,
                    &format!(
                        "Status message overly long ({} > {STATUS_TEXT_MAX}), ignoring.",
                        status.len()
                    ),
                );
            } else {
                self.status_text = (!status.is_empty()).then(|| status.clone());
            }
        }
        if let Some(value) = &message.errno {
            match value.parse::<i32>() {
                Ok(n) if (0..4096).contains(&n) => self.status_errno = n,
                Ok(_) => self.unit_log(
                    ex,
                    &format!("Failed to parse ERRNO= field value '{value}' in notification message: Numerical result out of range"),
                ),
                Err(_) => self.unit_log(
                    ex,
                    &format!("Failed to parse ERRNO= field value '{value}' in notification message: Invalid argument"),
                ),
            }
        }
        if let Some(value) = &message.extend_timeout_usec {
            match value.parse::<Usec>() {
                Ok(usec) => {
                    let expire = self.clock.monotonic.saturating_add(usec);
                    if self.deadline.is_some_and(|d| d < expire) {
                        self.deadline = Some(expire);
                    }
                }
                Err(_) => {
                    self.unit_log(ex, &format!("Failed to parse EXTEND_TIMEOUT_USEC={value}"))
                }
            }
        }
        match message.watchdog {
            Some(WatchdogRequest::Ping) => self.reset_watchdog(),
            Some(WatchdogRequest::Trigger) => {
                let last = self.status_text.clone().unwrap_or_else(|| "<unset>".into());
                self.unit_log(ex, &format!("Watchdog request (last status: {last})!"));
                self.enter_signal(ex, ServiceState::StopWatchdog, ServiceResult::Watchdog);
                return;
            }
            Some(WatchdogRequest::Invalid) => {
                self.unit_log(ex, "Passed WATCHDOG= field is invalid, ignoring.")
            }
            None => {}
        }
        if let Some(value) = &message.watchdog_usec {
            match value.parse::<Usec>() {
                Ok(usec) => {
                    self.watchdog_override_usec = Some(usec);
                    self.reset_watchdog();
                }
                Err(_) => self.unit_log(ex, &format!("Failed to parse WATCHDOG_USEC={value}")),
            }
        }
    }

    /// `MAINPID=`: a new main process, if it is a suitable one (systemd's
    /// service_is_suitable_main_pid; a process outside the service is taken
    /// only from a privileged sender).
    pub(super) fn notify_main_pid(&mut self, ex: &mut dyn Executor, value: &str, uid: u32) {
        let Some(new) = value
            .parse::<i32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Pid::from_raw)
        else {
            self.unit_log(
                ex,
                &format!(
                    "Failed to parse MAINPID= field in notification message, ignoring: {value}"
                ),
            );
            return;
        };
        if self.main_pid == Some(new) {
            return;
        }
        if new == ex.supervisor_pid() {
            self.unit_log(ex, &format!("New main PID {new} is the manager, refusing."));
            return;
        }
        if self.control_pid == Some(new) {
            self.unit_log(
                ex,
                &format!("New main PID {new} is the control process, refusing."),
            );
            return;
        }
        let Some(info) = ex.process_info(new).filter(|i| !i.zombie) else {
            self.unit_log(
                ex,
                &format!("New main PID {new} does not exist or is a zombie."),
            );
            return;
        };
        let ours = self.groups.contains(&info.session);
        if !ours && uid != 0 {
            return;
        }
        if !self.groups.contains(&info.session) {
            self.groups.push(info.session);
        }
        if info.parent != ex.supervisor_pid() {
            self.unit_log(
                ex,
                &format!("Supervising process {new} which is not our child. We'll most likely not notice when it exits."),
            );
        }
        self.main_pid = Some(new);
        self.main_start = self.clock;
    }
}

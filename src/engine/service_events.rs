//! A service's reactions to what happens to it: a process exits, a
//! deadline passes, the memory limit is crossed.

use super::*;

impl ServiceRuntime {
    // ---- events -----------------------------------------------------------

    /// A child of the service was reaped. Returns false when the PID is
    /// not one of this service's main or control processes.
    pub fn on_process_exit(&mut self, ex: &mut dyn Executor, pid: Pid, status: ExitStatus) -> bool {
        self.tick(ex);
        if self.main_pid == Some(pid) || self.control_pid == Some(pid) {
            self.record_command_exit(Some(pid), status);
        }
        if self.main_pid == Some(pid) {
            self.on_main_exit(ex, Some(pid), status);
            true
        } else if self.control_pid == Some(pid) {
            self.on_control_exit(ex, Some(pid), status);
            true
        } else {
            false
        }
    }

    /// Some process outside the known PIDs ended: if the service waits for
    /// its process groups to empty, check them.
    pub fn on_orphan_exit(&mut self, ex: &mut dyn Executor) {
        self.tick(ex);
        let waiting_for_groups = matches!(
            self.state,
            ServiceState::StopWatchdog
                | ServiceState::StopSigterm
                | ServiceState::StopSigkill
                | ServiceState::FinalWatchdog
                | ServiceState::FinalSigterm
                | ServiceState::FinalSigkill
        ) || (self.state == ServiceState::Running
            && self.main_pid.is_none())
            || (self.pid_file_watched
                && matches!(self.state, ServiceState::Start | ServiceState::StartPost));
        if !waiting_for_groups || self.main_pid.is_some() || self.control_pid.is_some() {
            return;
        }
        if self.groups_alive(ex) {
            return;
        }
        match self.state {
            ServiceState::StopWatchdog | ServiceState::StopSigterm | ServiceState::StopSigkill => {
                self.enter_stop_post(ex, ServiceResult::Success)
            }
            ServiceState::FinalWatchdog
            | ServiceState::FinalSigterm
            | ServiceState::FinalSigkill => self.enter_dead(ex, ServiceResult::Success, true),
            ServiceState::Start | ServiceState::StartPost => {
                // Waiting for the PID file, and nothing of the service is
                // left to write it (service_notify_cgroup_empty_event).
                self.unit_log(ex, "Daemon never wrote its PID file. Failing.");
                self.unwatch_pid_file(ex);
                if self.state == ServiceState::Start {
                    self.enter_stop_post(ex, ServiceResult::Protocol);
                } else {
                    self.enter_stop(ex, ServiceResult::Protocol);
                }
            }
            _ => self.enter_stop(ex, ServiceResult::Success),
        }
    }

    /// The PID file of a service that waits for it may have appeared or
    /// changed (the executor's watch saw its directory change): read it
    /// again, and watch again where it still gives no PID (a directory on
    /// its path may have been created meanwhile).
    pub fn on_pid_file_changed(&mut self, ex: &mut dyn Executor) {
        if !self.pid_file_watched
            || !matches!(self.state, ServiceState::Start | ServiceState::StartPost)
        {
            return;
        }
        self.tick(ex);
        if self.retry_pid_file(ex) {
            return;
        }
        // Watched again (a directory on the way may have appeared), and
        // read once more: what changed before the watch was set is not
        // reported.
        let Some(path) = self.plan.pid_file.clone() else {
            return;
        };
        if self.watch_pid_file(ex, &path) {
            self.retry_pid_file(ex);
        } else {
            self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Resources);
        }
    }

    /// Reads the PID file into the main PID (systemd's
    /// service_load_pid_file): false when it gives none, said at
    /// `may_warn` (info; systemd's debug otherwise, which is not logged).
    fn load_pid_file(&mut self, ex: &mut dyn Executor, path: &str, may_warn: bool) -> bool {
        let (pid, info) = match self.suitable_pid_in_file(ex, path) {
            Ok(Some(found)) => found,
            Ok(None) => return true,
            Err(message) => {
                if may_warn {
                    self.unit_log(ex, &message);
                }
                return false;
            }
        };
        if info.parent != ex.supervisor_pid() {
            self.unit_log(
                ex,
                &format!("Supervising process {pid} which is not our child. We'll most likely not notice when it exits."),
            );
        }
        if !self.groups.contains(&info.session) {
            self.groups.push(info.session);
        }
        self.main_pid = Some(pid);
        self.main_start = self.clock;
        true
    }

    /// The PID in the file, if it may be the main process
    /// (service_is_suitable_main_pid); None when it is the main PID
    /// already; else what systemd says of it.
    fn suitable_pid_in_file(
        &mut self,
        ex: &mut dyn Executor,
        path: &str,
    ) -> Result<Option<(Pid, ProcessInfo)>, String> {
        let state = self.state;
        let pid = ex.read_pid_file(path).map_err(|e| match e {
            PidFileError::Open(reason) => {
                format!("Can't open PID file {path} (yet?) after {state}: {reason}")
            }
            PidFileError::Parse(reason) => {
                format!("Failed to parse PID from file {path}: {reason}")
            }
        })?;
        if self.main_pid == Some(pid) {
            return Ok(None);
        }
        if pid == ex.supervisor_pid() {
            return Err(format!("New main PID {pid} is the manager, refusing."));
        }
        if self.control_pid == Some(pid) {
            return Err(format!(
                "New main PID {pid} is the control process, refusing."
            ));
        }
        match ex.process_info(pid).filter(|i| !i.zombie) {
            Some(info) => Ok(Some((pid, info))),
            None => Err(format!("New main PID {pid} does not exist or is a zombie.")),
        }
    }

    /// The PID file gave no PID after the start command: watch for it
    /// (systemd's service_demand_pid_file). Returns false when the watch
    /// could not be set.
    fn demand_pid_file(&mut self, ex: &mut dyn Executor, path: &str) -> bool {
        if !self.watch_pid_file(ex, path) {
            return false;
        }
        self.retry_pid_file(ex);
        true
    }

    /// Sets (or renews) the watch; the file may have appeared just before
    /// it was set, so a caller reads it once more afterwards.
    fn watch_pid_file(&mut self, ex: &mut dyn Executor, path: &str) -> bool {
        match ex.watch_pid_file(&self.plan.name, path) {
            Ok(()) => {
                self.pid_file_watched = true;
                true
            }
            Err(e) => {
                self.unit_log(
                    ex,
                    &format!(
                        "Failed to set a watch for PID file {path}: {}",
                        crate::engine::errno_text(&e)
                    ),
                );
                self.unwatch_pid_file(ex);
                false
            }
        }
    }

    /// Reads the watched PID file; once it names the daemon, the service
    /// is running (systemd's service_retry_pid_file).
    fn retry_pid_file(&mut self, ex: &mut dyn Executor) -> bool {
        let Some(path) = self.plan.pid_file.clone() else {
            return false;
        };
        if !self.load_pid_file(ex, &path, false) {
            return false;
        }
        self.unwatch_pid_file(ex);
        self.enter_running(ex, ServiceResult::Success);
        true
    }

    pub(super) fn is_clean_exit(&self, status: ExitStatus, daemon: bool) -> bool {
        match status {
            ExitStatus::Exited(0) => true,
            ExitStatus::Exited(n) => {
                u8::try_from(n).is_ok_and(|n| self.plan.success_exit_status.statuses.contains(&n))
            }
            ExitStatus::Killed(n) => {
                let clean: &[Signal] = if self.plan.only_sigterm_is_clean {
                    &[Signal::SIGTERM]
                } else {
                    &[
                        Signal::SIGHUP,
                        Signal::SIGINT,
                        Signal::SIGTERM,
                        Signal::SIGPIPE,
                    ]
                };
                let clean_signal = daemon && clean.iter().any(|s| *s as i32 == n);
                clean_signal || self.plan.success_exit_status.signals.contains(&n)
            }
            ExitStatus::Dumped(_) => false,
        }
    }

    pub(super) fn result_of(status: ExitStatus) -> ServiceResult {
        match status {
            ExitStatus::Exited(_) => ServiceResult::ExitCode,
            ExitStatus::Killed(_) => ServiceResult::Signal,
            ExitStatus::Dumped(_) => ServiceResult::CoreDump,
        }
    }

    pub(super) fn on_main_exit(&mut self, ex: &mut dyn Executor, pid: Option<Pid>, status: ExitStatus) {
        let oneshot = self.plan.service_type == ServiceType::Oneshot;
        let mut f = if self.is_clean_exit(status, !oneshot) {
            ServiceResult::Success
        } else {
            Self::result_of(status)
        };
        let ignore = matches!(&self.current, Some((ProcessRole::Main, c)) if c.ignore_failure);
        self.main_exit = Some((pid.unwrap_or(Pid::from_raw(0)), status));
        self.main_exit_time = self.clock;
        self.main_pid = None;
        // A failure the `-` prefix ignores is a success, and systemd logs
        // a successful exit at debug level only.
        if ignore {
            f = ServiceResult::Success;
        }
        if f != ServiceResult::Success {
            self.unit_log(
                ex,
                &format!(
                    "Main process exited, code={}, status={}",
                    status.code_word(),
                    status.status_text()
                ),
            );
        }
        if oneshot
            && f == ServiceResult::Success
            && self.state == ServiceState::Start
            && let Some(next) = self.queue.pop_front()
        {
            match self.spawn(ex, ProcessRole::Main, next) {
                Ok(_) => {}
                Err(SpawnError::Exited(status)) => {
                    self.flush_spawn_failure_log(ex);
                    self.on_main_exit(ex, None, status);
                }
                Err(SpawnError::Resources(reason)) => {
                    self.unit_log(ex, &format!("Failed to run next main task: {reason}"));
                    self.queue.clear();
                    self.current = None;
                    self.enter_stop(ex, ServiceResult::Resources);
                }
            }
            return;
        }
        self.current = None;
        let state = self.state;
        match state {
            ServiceState::StartPost | ServiceState::Reload | ServiceState::Stop => {
                // The running control process decides what comes next.
                self.set_result(f);
            }
            ServiceState::Start if oneshot => {
                if f == ServiceResult::Success {
                    self.enter_start_post(ex);
                } else {
                    self.enter_signal(ex, ServiceState::StopSigterm, f);
                }
            }
            ServiceState::Start if self.plan.service_type == ServiceType::Notify => {
                // It left before saying READY=1.
                let f = if f == ServiceResult::Success {
                    ServiceResult::Protocol
                } else {
                    f
                };
                self.enter_signal(ex, ServiceState::StopSigterm, f);
            }
            ServiceState::Start | ServiceState::Running => self.enter_running(ex, f),
            ServiceState::StopWatchdog | ServiceState::StopSigterm | ServiceState::StopSigkill => {
                self.set_result(f);
                if self.control_pid.is_none() && !self.groups_alive(ex) {
                    self.enter_stop_post(ex, ServiceResult::Success);
                }
            }
            ServiceState::FinalWatchdog
            | ServiceState::FinalSigterm
            | ServiceState::FinalSigkill
                if self.control_pid.is_none() && !self.groups_alive(ex) =>
            {
                self.enter_dead(ex, f, true);
            }
            _ => {}
        }
    }

    pub(super) fn on_control_exit(&mut self, ex: &mut dyn Executor, pid: Option<Pid>, status: ExitStatus) {
        let mut f = if self.is_clean_exit(status, false) {
            ServiceResult::Success
        } else {
            Self::result_of(status)
        };
        let ignore = matches!(&self.current, Some((ProcessRole::Control, c)) if c.ignore_failure);
        self.control_exit = Some((pid.unwrap_or(Pid::from_raw(0)), status));
        self.control_pid = None;
        if ignore {
            f = ServiceResult::Success;
        }
        if f != ServiceResult::Success {
            self.unit_log(
                ex,
                &format!(
                    "Control process exited, code={}, status={}",
                    status.code_word(),
                    status.status_text()
                ),
            );
        }
        if f == ServiceResult::Success && !self.queue.is_empty() {
            self.run_next_control(ex);
            return;
        }
        self.current = None;
        self.queue.clear();
        let state = self.state;
        match state {
            ServiceState::StartPre => {
                if f == ServiceResult::Success {
                    self.enter_start(ex);
                } else {
                    self.enter_signal(ex, ServiceState::StopSigterm, f);
                }
            }
            ServiceState::Start => {
                // Forking: the parent has exited; its daemon is the service.
                if f != ServiceResult::Success {
                    self.enter_signal(ex, ServiceState::StopSigterm, f);
                    return;
                }
                if let Some(path) = self.plan.pid_file.clone() {
                    // An ExecStartPost= may write the PID file: then its
                    // absence now is no news.
                    let has_start_post = !self.plan.commands.start_post.is_empty();
                    if !self.load_pid_file(ex, &path, !has_start_post) && !has_start_post {
                        // Wait for it, unless nothing is left to write it.
                        let watching = self.demand_pid_file(ex, &path);
                        if self.state == ServiceState::Start
                            && (!watching || !self.groups_alive(ex))
                        {
                            self.enter_signal(
                                ex,
                                ServiceState::StopSigterm,
                                ServiceResult::Protocol,
                            );
                        }
                        return;
                    }
                }
                self.enter_start_post(ex);
            }
            ServiceState::StartPost => {
                if f != ServiceResult::Success {
                    self.enter_signal(ex, ServiceState::StopSigterm, f);
                    return;
                }
                if let Some(path) = self.plan.pid_file.clone().filter(|_| {
                    self.plan.service_type == ServiceType::Forking && self.main_pid.is_none()
                }) && !self.load_pid_file(ex, &path, true)
                {
                    let watching = self.demand_pid_file(ex, &path);
                    if self.state == ServiceState::StartPost
                        && (!watching || !self.groups_alive(ex))
                    {
                        self.enter_stop(ex, ServiceResult::Protocol);
                    }
                    return;
                }
                self.enter_running(ex, ServiceResult::Success);
            }
            ServiceState::Reload => {
                self.reload_result = f;
                self.enter_running(ex, ServiceResult::Success);
            }
            ServiceState::Stop => self.enter_signal(ex, ServiceState::StopSigterm, f),
            ServiceState::StopWatchdog | ServiceState::StopSigterm | ServiceState::StopSigkill => {
                self.set_result(f);
                if self.main_pid.is_none() && !self.groups_alive(ex) {
                    self.enter_stop_post(ex, ServiceResult::Success);
                }
            }
            ServiceState::StopPost => self.enter_signal(ex, ServiceState::FinalSigterm, f),
            ServiceState::FinalWatchdog
            | ServiceState::FinalSigterm
            | ServiceState::FinalSigkill
                if self.main_pid.is_none() && !self.groups_alive(ex) =>
            {
                self.enter_dead(ex, f, true);
            }
            _ => {}
        }
    }

    /// runr's MaxMemoryRSS=: the main process's resident set is `rss`
    /// bytes, over `limit` (the unit file's value now: a daemon-reload
    /// applies it at once). Handled as systemd handles a kernel OOM kill
    /// under OOMPolicy=stop: the process gets SIGKILL, the rest of the
    /// service is stopped, and the result is `oom-kill` (which
    /// Restart=on-failure, on-abnormal and always restart).
    pub fn on_memory_exceeded(&mut self, ex: &mut dyn Executor, rss: u64, limit: u64) {
        self.tick(ex);
        let Some(pid) = self.main_pid else {
            return;
        };
        let running = matches!(
            self.state,
            ServiceState::Start
                | ServiceState::StartPost
                | ServiceState::Running
                | ServiceState::Reload
        );
        if !running || rss <= limit {
            return;
        }
        self.unit_log(
            ex,
            &format!("Main process {pid} uses {rss} bytes of memory, over MaxMemoryRSS={limit}; killing it."),
        );
        ex.kill(pid, Signal::SIGKILL, false);
        self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::OomKill);
    }

    /// The phase's deadline (or the watchdog's) has passed.
    pub fn on_timeout(&mut self, ex: &mut dyn Executor) {
        self.tick(ex);
        if self
            .watchdog_deadline
            .is_some_and(|d| d <= self.clock.monotonic)
        {
            self.watchdog_deadline = None;
            self.on_watchdog_timeout(ex);
            return;
        }
        self.deadline = None;
        match self.state {
            ServiceState::StartPre | ServiceState::Start | ServiceState::StartPost => {
                // systemd 252 names the state: "start operation timed out".
                let message = format!("{} operation timed out. Terminating.", self.state);
                self.unit_log(ex, &message);
                self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Timeout);
            }
            ServiceState::Running => {
                self.unit_log(ex, "Service reached runtime time limit. Stopping.");
                self.enter_stop(ex, ServiceResult::Timeout);
            }
            ServiceState::Reload => {
                self.unit_log(ex, "Reload operation timed out. Killing reload process.");
                if let Some(pid) = self.control_pid {
                    ex.kill(pid, Signal::SIGKILL, false);
                }
                self.reload_result = ServiceResult::Timeout;
                self.enter_running(ex, ServiceResult::Success);
            }
            ServiceState::Stop => {
                self.unit_log(ex, "Stopping timed out. Terminating.");
                self.enter_signal(ex, ServiceState::StopSigterm, ServiceResult::Timeout);
            }
            ServiceState::StopWatchdog if self.plan.send_sigkill => {
                self.unit_log(ex, "State 'stop-watchdog' timed out. Killing.");
                self.enter_signal(ex, ServiceState::StopSigkill, ServiceResult::Timeout);
            }
            ServiceState::StopWatchdog => {
                self.unit_log(ex, "State 'stop-watchdog' timed out. Skipping SIGKILL.");
                self.enter_stop_post(ex, ServiceResult::Timeout);
            }
            ServiceState::StopSigterm if self.plan.send_sigkill => {
                self.unit_log(ex, "State 'stop-sigterm' timed out. Killing.");
                self.enter_signal(ex, ServiceState::StopSigkill, ServiceResult::Timeout);
            }
            ServiceState::StopSigterm => {
                self.unit_log(ex, "State 'stop-sigterm' timed out. Skipping SIGKILL.");
                self.enter_stop_post(ex, ServiceResult::Timeout);
            }
            ServiceState::StopSigkill => {
                self.unit_log(ex, "Processes still around after SIGKILL. Ignoring.");
                self.enter_stop_post(ex, ServiceResult::Timeout);
            }
            ServiceState::StopPost => {
                self.unit_log(ex, "State 'stop-post' timed out. Terminating.");
                self.enter_signal(ex, ServiceState::FinalSigterm, ServiceResult::Timeout);
            }
            ServiceState::FinalSigterm if self.plan.send_sigkill => {
                self.unit_log(ex, "State 'final-sigterm' timed out. Killing.");
                self.enter_signal(ex, ServiceState::FinalSigkill, ServiceResult::Timeout);
            }
            ServiceState::FinalSigterm => {
                self.unit_log(
                    ex,
                    "State 'final-sigterm' timed out. Skipping SIGKILL. Entering failed mode.",
                );
                self.enter_dead(ex, ServiceResult::Timeout, false);
            }
            ServiceState::FinalSigkill => {
                self.unit_log(
                    ex,
                    "Processes still around after final SIGKILL. Entering failed mode.",
                );
                self.enter_dead(ex, ServiceResult::Timeout, true);
            }
            ServiceState::AutoRestart => {
                self.n_restarts += 1;
                self.unit_log(
                    ex,
                    &format!(
                        "Scheduled restart job, restart counter is at {}.",
                        self.n_restarts
                    ),
                );
                // systemd's restart job: its stop half ends at once
                // ("Stopped"), then it becomes a start job.
                self.set_state(ServiceState::Dead);
                let unit = self.status_name();
                self.job_log(ex, &format!("Stopped {unit}."));
                // The start half is systemd's next job: it begins after the
                // messages above (status shows the log from its start on).
                self.tick_after_logged(ex);
                self.job = Some(JobKind::Start);
                self.begin_start(ex);
            }
            _ => {}
        }
    }
}

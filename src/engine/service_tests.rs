use std::collections::BTreeSet;

use super::*;
use crate::control::types::KillWhom;
use crate::engine::plan::ServiceCommands;

#[test]
fn exec_runs_keep_key_order_and_replace_a_place_run_again() {
    let run = |pid| ExecRun {
        pid,
        ..ExecRun::default()
    };
    let mut runs = ExecRuns::default();
    runs.insert(("ExecStartPre", 1), run(3));
    runs.insert(("ExecStart", 0), run(1));
    runs.insert(("ExecStartPre", 0), run(2));
    runs.insert(("ExecReload", 0), run(4));
    runs.insert(("ExecStart", 0), run(5));
    let pids: Vec<i32> = runs.values_mut().map(|r| r.pid).collect();
    // As a BTreeMap orders (&str, usize): ExecReload < ExecStart < ExecStartPre.
    assert_eq!(pids, vec![4, 5, 2, 3]);
    assert_eq!(runs.get(&("ExecStartPre", 1)).map(|r| r.pid), Some(3));
    assert_eq!(runs.get(&("ExecStop", 0)), None);
    runs.retain(|(key, _), _| *key != "ExecStartPre");
    let pids: Vec<i32> = runs.values_mut().rev().map(|r| r.pid).collect();
    assert_eq!(pids, vec![5, 4]);
    runs.clear();
    assert_eq!(runs.get(&("ExecStart", 0)), None);
}

/// A started command: its role, its command line, its phase variables.
type Started = (ProcessRole, String, Vec<(String, String)>);

/// Hands out PIDs from 100 on, remembers what was asked, and treats a
/// PID as alive until the test reports its exit.
#[derive(Default)]
struct Recorder {
    next_pid: i32,
    now: Usec,
    spawned: Vec<Started>,
    /// The restart count each spawn was given.
    restarts: Vec<u32>,
    signals: Vec<(i32, Signal, bool)>,
    alive: BTreeSet<i32>,
    log: Vec<String>,
    missing_programs: Vec<String>,
    pid_file: Option<i32>,
    /// Conditions (by value) that do not hold on this pretend host.
    false_conditions: Vec<String>,
    /// Commands whose setup fails, with the failure.
    failing_setup: Vec<(String, SpawnFailure)>,
    /// Processes outside the service, by PID: their session.
    foreign: Vec<(i32, i32)>,
    runtime_directories_removed: usize,
    /// The PID files being waited for, as "UNIT PATH".
    pid_file_watches: Vec<String>,
    /// EnvironmentFile= cannot be read.
    unreadable_environment_file: bool,
}

impl Executor for Recorder {
    fn spawn(
        &mut self,
        _: &ServicePlan,
        role: ProcessRole,
        c: &ExecCommand,
        env: &[(String, String)],
        _files: &[(String, String)],
        restarts: u32,
    ) -> io::Result<Pid> {
        self.restarts.push(restarts);
        if self.missing_programs.contains(&c.path) {
            return Err(io::Error::from_raw_os_error(nix::libc::ENOENT));
        }
        if let Some((_, f)) = self.failing_setup.iter().find(|(p, _)| *p == c.path) {
            return Err(f.clone().into_io());
        }
        self.next_pid = self.next_pid.max(99) + 1;
        self.spawned.push((role, c.argv.join(" "), env.to_vec()));
        self.alive.insert(self.next_pid);
        Ok(Pid::from_raw(self.next_pid))
    }
    fn kill(&mut self, pid: Pid, signal: Signal, group: bool) -> bool {
        self.signals.push((pid.as_raw(), signal, group));
        self.alive.contains(&pid.as_raw())
    }
    fn group_alive(&mut self, pgid: Pid) -> bool {
        self.alive.contains(&pgid.as_raw())
    }
    fn read_pid_file(&mut self, _: &str) -> Result<Pid, PidFileError> {
        self.pid_file
            .map(Pid::from_raw)
            .ok_or_else(|| PidFileError::Open("No such file or directory".into()))
    }
    fn watch_pid_file(&mut self, unit: &str, path: &str) -> io::Result<()> {
        self.pid_file_watches.push(format!("{unit} {path}"));
        Ok(())
    }
    fn unwatch_pid_file(&mut self, unit: &str) {
        self.pid_file_watches
            .retain(|w| !w.starts_with(&format!("{unit} ")));
    }
    fn load_environment_files(&mut self, _: &ServicePlan) -> io::Result<Vec<(String, String)>> {
        match self.unreadable_environment_file {
            true => Err(io::Error::from_raw_os_error(nix::libc::ENOENT)),
            false => Ok(Vec::new()),
        }
    }
    fn log(&mut self, unit: &str, message: &str) {
        let _ = unit;
        self.log.push(message.to_string());
    }
    fn now(&self) -> Usec {
        self.now
    }
    fn realtime(&self) -> Usec {
        1_700_000_000_000_000 + self.now
    }
    fn new_invocation_id(&mut self) -> String {
        format!("{:032x}", self.spawned.len())
    }
    fn notify_socket(&self) -> Option<String> {
        Some("/run/runr/notify".into())
    }
    fn process_info(&mut self, pid: Pid) -> Option<ProcessInfo> {
        let raw = pid.as_raw();
        let session = match self.foreign.iter().find(|(p, _)| *p == raw) {
            Some((_, session)) => *session,
            None if self.alive.contains(&raw) => raw,
            None => return None,
        };
        Some(ProcessInfo {
            parent: Pid::from_raw(1),
            session: Pid::from_raw(session),
            zombie: false,
            name: "server".into(),
        })
    }
    fn supervisor_pid(&self) -> Pid {
        Pid::from_raw(1)
    }
    fn unit_processes(&mut self, _: &str, sessions: &[Pid]) -> Vec<Pid> {
        let pids: BTreeSet<i32> = self
            .alive
            .iter()
            .copied()
            .chain(self.foreign.iter().map(|(pid, _)| *pid))
            .collect();
        pids.into_iter()
            .map(Pid::from_raw)
            .filter(|pid| {
                self.process_info(*pid)
                    .is_some_and(|p| sessions.contains(&p.session))
            })
            .collect()
    }
    fn test_condition(&mut self, c: &Condition) -> io::Result<bool> {
        if c.value == "error" {
            return Err(io::Error::from_raw_os_error(nix::libc::EINVAL));
        }
        Ok(!self.false_conditions.contains(&c.value))
    }
    fn remove_runtime_directories(&mut self, _: &ServicePlan) {
        self.runtime_directories_removed += 1;
    }
}

fn condition(kind: &str, value: &str, trigger: bool, negate: bool) -> Condition {
    Condition {
        kind: kind.into(),
        trigger,
        negate,
        value: value.into(),
    }
}

fn env_of<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn notify(s: &mut ServiceRuntime, ex: &mut Recorder, pid: i32, text: &str) {
    s.on_notify(ex, Pid::from_raw(pid), 0, &NotifyMessage::parse(text));
}

fn cmd(line: &str) -> ExecCommand {
    let ignore_failure = line.starts_with('-');
    let argv: Vec<String> = line
        .trim_start_matches('-')
        .split(' ')
        .map(String::from)
        .collect();
    ExecCommand {
        path: argv[0].clone(),
        argv,
        ignore_failure,
        no_argv0: false,
        no_env_expand: false,
        privileged: false,
        no_setuid: false,
        ambient: false,
    }
}

fn plan(kind: ServiceType, start: &[&str]) -> ServicePlan {
    let mut plan = ServicePlan::new("demo.service");
    plan.description = "Demo".into();
    plan.service_type = kind;
    plan.commands = ServiceCommands {
        start: start.iter().map(|c| cmd(c)).collect(),
        ..Default::default()
    };
    plan
}

fn exit(s: &mut ServiceRuntime, ex: &mut Recorder, pid: i32, status: ExitStatus) {
    ex.alive.remove(&pid);
    assert!(
        s.on_process_exit(ex, Pid::from_raw(pid), status),
        "pid {pid} is not the service's"
    );
}

#[test]
fn simple_service_runs_then_fails_with_exit_code() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/bin/server --port 1"]));
    assert_eq!(s.start(&mut ex), RequestOutcome::Accepted);
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.main_pid, Some(Pid::from_raw(100)));
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Done)]);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(3));
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.result, ServiceResult::ExitCode);
    assert_eq!(
        ex.log,
        vec![
            "Started demo.service - Demo.",
            "demo.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED",
            "demo.service: Failed with result 'exit-code'.",
        ]
    );
}

#[test]
fn restart_on_failure_waits_restart_sec_then_starts_again() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.restart = RestartPolicy::OnFailure;
    p.restart_usec = 2_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    ex.now = 5_000_000;
    exit(&mut s, &mut ex, 100, ExitStatus::Killed(9));
    assert_eq!(s.state, ServiceState::AutoRestart);
    assert_eq!(s.result, ServiceResult::Signal);
    assert_eq!(s.deadline, Some(7_000_000));
    assert!(
        s.transitions
            .contains(&(ServiceState::Running, ServiceState::Failed))
    );
    ex.now = 7_000_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.n_restarts, 1);
    assert_eq!(s.main_pid, Some(Pid::from_raw(101)));
    // The first run's process had count 0, the restarted one 1.
    assert_eq!(ex.restarts, vec![0, 1]);
    assert_eq!(
        ex.log,
        vec![
            "Started demo.service - Demo.",
            "demo.service: Main process exited, code=killed, status=9/KILL",
            "demo.service: Failed with result 'signal'.",
            "demo.service: Scheduled restart job, restart counter is at 1.",
            "Stopped demo.service - Demo.",
            "Started demo.service - Demo.",
        ]
    );
}

#[test]
fn a_pending_start_says_starting_first() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Notify, &["/bin/server"]));
    s.start(&mut ex);
    assert_eq!(ex.log, vec!["Starting demo.service - Demo..."]);
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.commands.start_pre = vec![cmd("/bin/prepare")];
    let mut s = ServiceRuntime::new(p);
    ex.log.clear();
    s.start(&mut ex);
    assert_eq!(ex.log, vec!["Starting demo.service - Demo..."]);
    exit(&mut s, &mut ex, 101, ExitStatus::Exited(0));
    assert_eq!(
        ex.log,
        vec![
            "Starting demo.service - Demo...",
            "Started demo.service - Demo."
        ]
    );
}

#[test]
fn a_unit_without_description_is_named_by_its_name() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.description = "demo.service".into();
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(ex.log, vec!["Started demo.service."]);
}

#[test]
fn sigterm_is_a_clean_exit_for_a_daemon_and_stops_restart() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.restart = RestartPolicy::Always;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    s.finished_jobs.clear();
    assert_eq!(s.stop(&mut ex), RequestOutcome::Accepted);
    assert_eq!(s.state, ServiceState::StopSigterm);
    assert!(ex.signals.contains(&(100, Signal::SIGTERM, false)));
    assert!(
        ex.signals.contains(&(100, Signal::SIGTERM, true)),
        "control-group mode signals the group"
    );
    exit(&mut s, &mut ex, 100, ExitStatus::Killed(15));
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(s.result, ServiceResult::Success);
    assert_eq!(s.finished_jobs, vec![(JobKind::Stop, JobOutcome::Done)]);
    assert_eq!(
        ex.log,
        vec![
            "Started demo.service - Demo.",
            "Stopping demo.service - Demo...",
            "demo.service: Deactivated successfully.",
            "Stopped demo.service - Demo.",
        ]
    );
}

#[test]
fn a_stop_with_nothing_left_to_stop_says_stopped_alone() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Oneshot, &["/bin/step"]);
    p.remain_after_exit = true;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Exited);
    ex.log.clear();
    assert_eq!(s.stop(&mut ex), RequestOutcome::Accepted);
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(
        ex.log,
        vec![
            "demo.service: Deactivated successfully.",
            "Stopped demo.service - Demo.",
        ]
    );
}

#[test]
fn stop_timeout_escalates_to_sigkill() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/stubborn"]);
    p.timeout_stop_usec = 1_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    s.stop(&mut ex);
    assert_eq!(s.deadline, Some(1_000_000));
    ex.now = 1_000_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.state, ServiceState::StopSigkill);
    assert!(ex.signals.contains(&(100, Signal::SIGKILL, false)));
    exit(&mut s, &mut ex, 100, ExitStatus::Killed(9));
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.result, ServiceResult::Timeout);
}

#[test]
fn oneshot_runs_its_commands_in_turn_and_remains() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Oneshot, &["/bin/step one", "/bin/step two"]);
    p.remain_after_exit = true;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Start);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Start);
    assert_eq!(ex.spawned[1].1, "/bin/step two");
    exit(&mut s, &mut ex, 101, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Exited);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Done)]);
    assert_eq!(
        ex.log,
        vec![
            "Starting demo.service - Demo...",
            "Finished demo.service - Demo.",
        ]
    );
}

#[test]
fn oneshot_without_remain_finishes_dead() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Oneshot, &["/bin/true"]));
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Done)]);
    assert_eq!(
        ex.log,
        vec![
            "Starting demo.service - Demo...",
            "demo.service: Deactivated successfully.",
            "Finished demo.service - Demo.",
        ]
    );
}

#[test]
fn failing_start_pre_fails_the_start_unless_prefixed_with_dash() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.commands.start_pre = vec![cmd("/bin/check")];
    let mut s = ServiceRuntime::new(p.clone());
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::StartPre);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Failed)]);

    let mut ex = Recorder::default();
    p.commands.start_pre = vec![cmd("-/bin/check")];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
    assert_eq!(s.state, ServiceState::Running);
}

#[test]
fn missing_program_fails_like_exec_status_203() {
    let mut ex = Recorder {
        missing_programs: vec!["/nonexistent".into()],
        ..Default::default()
    };
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/nonexistent"]));
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.main_exit.map(|(_, st)| st), Some(ExitStatus::Exited(203)));
    assert!(
        ex.log.iter().any(|l| l.ends_with("status=203/EXEC")),
        "{:?}",
        ex.log
    );
}

#[test]
fn stop_commands_see_mainpid_and_stop_post_sees_the_result() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.commands.stop = vec![cmd("/bin/ctl stop")];
    p.commands.stop_post = vec![cmd("/bin/cleanup")];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    s.stop(&mut ex);
    assert_eq!(s.state, ServiceState::Stop);
    assert!(ex.spawned[1].2.contains(&("MAINPID".into(), "100".into())));
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    exit(&mut s, &mut ex, 101, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::StopPost);
    assert!(
        ex.spawned[2]
            .2
            .contains(&("SERVICE_RESULT".into(), "success".into()))
    );
    exit(&mut s, &mut ex, 102, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Dead);
}

#[test]
fn forking_service_takes_its_main_pid_from_the_pid_file() {
    let mut ex = Recorder {
        pid_file: Some(4242),
        ..Default::default()
    };
    ex.alive.insert(4242);
    let mut p = plan(ServiceType::Forking, &["/usr/sbin/daemon"]);
    p.pid_file = Some("/run/daemon.pid".into());
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.control_pid, Some(Pid::from_raw(100)));
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.main_pid, Some(Pid::from_raw(4242)));
    assert!(ex.pid_file_watches.is_empty());
}

/// A forking service whose start command has exited, its daemon (PID 100's
/// group) still there, with no PID file yet.
fn forking_waiting_for_its_pid_file(ex: &mut Recorder) -> ServiceRuntime {
    let mut p = plan(ServiceType::Forking, &["/usr/sbin/daemon"]);
    p.pid_file = Some("/run/daemon.pid".into());
    p.timeout_start_usec = 2_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(ex);
    ex.alive.insert(100);
    s.on_process_exit(ex, Pid::from_raw(100), ExitStatus::Exited(0));
    s
}

#[test]
fn a_forking_service_waits_for_a_pid_file_that_comes_late() {
    let mut ex = Recorder::default();
    let mut s = forking_waiting_for_its_pid_file(&mut ex);
    assert_eq!(s.state, ServiceState::Start);
    assert_eq!(ex.pid_file_watches, ["demo.service /run/daemon.pid"]);
    assert_eq!(
        ex.log,
        [
            "Starting demo.service - Demo...",
            "demo.service: Can't open PID file /run/daemon.pid (yet?) after start: No such file or directory",
        ]
    );
    // A change that does not give a PID yet is waited out quietly.
    s.on_pid_file_changed(&mut ex);
    assert_eq!(s.state, ServiceState::Start);
    assert_eq!(ex.log.len(), 2);
    ex.pid_file = Some(4242);
    ex.alive.insert(4242);
    s.on_pid_file_changed(&mut ex);
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.main_pid, Some(Pid::from_raw(4242)));
    assert!(ex.pid_file_watches.is_empty());
    assert_eq!(ex.log.last().unwrap(), "Started demo.service - Demo.");
}

#[test]
fn a_pid_file_that_never_comes_times_the_start_out() {
    let mut ex = Recorder::default();
    let mut s = forking_waiting_for_its_pid_file(&mut ex);
    ex.now += 2_000_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.result, ServiceResult::Timeout);
    assert!(ex.pid_file_watches.is_empty());
    assert!(
        ex.log
            .contains(&"demo.service: start operation timed out. Terminating.".to_string())
    );
}

#[test]
fn a_daemon_gone_without_its_pid_file_fails_the_start() {
    let mut ex = Recorder::default();
    let mut s = forking_waiting_for_its_pid_file(&mut ex);
    ex.alive.remove(&100);
    s.on_orphan_exit(&mut ex);
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.result, ServiceResult::Protocol);
    assert!(ex.pid_file_watches.is_empty());
    assert_eq!(
        &ex.log[2..],
        [
            "demo.service: Daemon never wrote its PID file. Failing.",
            "demo.service: Failed with result 'protocol'.",
            "Failed to start demo.service - Demo.",
        ]
    );
}

#[test]
fn nothing_left_after_the_start_command_fails_the_start_at_once() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Forking, &["/usr/sbin/daemon"]);
    p.pid_file = Some("/run/daemon.pid".into());
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.result, ServiceResult::Protocol);
    assert!(ex.pid_file_watches.is_empty());
}

#[test]
fn an_environment_file_that_cannot_be_read_fails_the_start_with_resources() {
    let mut ex = Recorder {
        unreadable_environment_file: true,
        ..Default::default()
    };
    let mut s = ServiceRuntime::new(plan(ServiceType::Oneshot, &["/bin/true"]));
    s.start(&mut ex);
    assert!(ex.spawned.is_empty());
    assert_eq!(
        (s.state, s.result),
        (ServiceState::Failed, ServiceResult::Resources)
    );
    // Nothing ran: no "Starting", and the unit never left inactivity.
    assert_eq!(
        ex.log,
        [
            "demo.service: Failed to load environment files: No such file or directory",
            "demo.service: Failed to run 'start' task: No such file or directory",
            "demo.service: Failed with result 'resources'.",
            "Failed to start demo.service - Demo.",
        ]
    );
    assert_eq!(s.timestamps.inactive_exit, DualTimestamp::default());
}

#[test]
fn a_failure_the_dash_prefix_ignores_is_not_logged() {
    let mut ex = Recorder::default();
    let mut c = cmd("/bin/false");
    c.ignore_failure = true;
    let mut p = plan(ServiceType::Oneshot, &[]);
    p.commands.start = vec![c];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
    assert_eq!(s.result, ServiceResult::Success);
    assert_eq!(
        ex.log,
        [
            "Starting demo.service - Demo...",
            "demo.service: Deactivated successfully.",
            "Finished demo.service - Demo.",
        ]
    );
}

#[test]
fn start_limit_stops_a_restart_loop() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/crash"]);
    p.restart = RestartPolicy::Always;
    p.restart_usec = 100_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    for _ in 0..5 {
        let pid = s.main_pid.unwrap().as_raw();
        exit(&mut s, &mut ex, pid, ExitStatus::Exited(1));
        if s.state != ServiceState::AutoRestart {
            break;
        }
        ex.now += 100_000;
        s.on_timeout(&mut ex);
    }
    assert_eq!(s.state, ServiceState::Failed);
    // As systemd 252: the refused start keeps the result of the last run.
    assert_eq!(s.result, ServiceResult::ExitCode);
    let tail = &ex.log[ex.log.len() - 3..];
    assert_eq!(
        tail,
        [
            "demo.service: Start request repeated too quickly.",
            "demo.service: Failed with result 'exit-code'.",
            "Failed to start demo.service - Demo.",
        ]
    );
    assert_eq!(s.n_restarts, 5);
}

#[test]
fn a_restart_loop_of_clean_exits_ends_with_start_limit_hit() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/true"]);
    p.restart = RestartPolicy::Always;
    p.restart_usec = 100_000;
    p.start_limit_burst = 2;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    for _ in 0..3 {
        let pid = s.main_pid.unwrap().as_raw();
        exit(&mut s, &mut ex, pid, ExitStatus::Exited(0));
        ex.now += 100_000;
        s.on_timeout(&mut ex);
        if s.state != ServiceState::Running {
            break;
        }
    }
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.result, ServiceResult::StartLimitHit);
    assert!(
        ex.log
            .contains(&"demo.service: Failed with result 'start-limit-hit'.".to_string())
    );
    // The counter stays for show, and reset-failed clears it.
    assert_eq!(s.n_restarts, 2);
    s.reset_failed();
    assert_eq!((s.n_restarts, s.state), (0, ServiceState::Dead));
}

#[test]
fn a_manual_start_after_a_run_without_restart_counts_restarts_from_zero() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/crash"]);
    p.restart = RestartPolicy::OnFailure;
    p.restart_usec = 100_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
    ex.now += 100_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.n_restarts, 1);
    // A clean exit: no restart; the counter is still there to be read.
    exit(&mut s, &mut ex, 101, ExitStatus::Exited(0));
    assert_eq!((s.state, s.n_restarts), (ServiceState::Dead, 1));
    ex.now += 20_000_000;
    s.start(&mut ex);
    assert_eq!(s.n_restarts, 0);
}

#[test]
fn restart_prevent_exit_status_wins_over_always() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.restart = RestartPolicy::Always;
    p.restart_prevent_exit_status.statuses.push(42);
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(42));
    assert_eq!(s.state, ServiceState::Failed);
}

#[test]
fn a_failed_condition_skips_the_start_and_the_job_is_done() {
    let mut ex = Recorder {
        false_conditions: vec!["/nonexistent".into()],
        ..Default::default()
    };
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.conditions = vec![
        condition("PathExists", "/etc", false, false),
        condition("PathExists", "/nonexistent", false, false),
        condition("PathIsDirectory", "/etc", false, false),
    ];
    let mut s = ServiceRuntime::new(p);
    ex.now = 5;
    assert_eq!(s.start(&mut ex), RequestOutcome::Accepted);
    assert_eq!(s.state, ServiceState::Dead);
    assert!(ex.spawned.is_empty());
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Skipped)]);
    assert_eq!(
        ex.log,
        vec![
            "demo.service - Demo was skipped because of an unmet condition check (ConditionPathExists=/nonexistent)."
        ]
    );
    assert!(!s.condition.result);
    assert_eq!(s.condition.timestamp.monotonic, 5);
    let states: Vec<_> = s.condition.checks.iter().map(|(_, st)| *st).collect();
    use crate::engine::conditions::ConditionState::*;
    // Checked from the last line up, as systemd does.
    assert_eq!(states, [Untested, Failed, Succeeded]);
}

#[test]
fn only_triggering_conditions_failing_has_its_own_message() {
    let mut ex = Recorder {
        false_conditions: vec!["/a".into(), "/b".into()],
        ..Default::default()
    };
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.conditions = vec![
        condition("PathExists", "/a", true, false),
        condition("PathExists", "/b", true, false),
    ];
    let mut s = ServiceRuntime::new(p.clone());
    s.start(&mut ex);
    assert_eq!(
        ex.log,
        vec!["demo.service - Demo was skipped because no trigger condition checks were met."]
    );
    // One trigger holding is enough; negation turns a false one true.
    p.conditions[1].negate = true;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Running);
    assert!(s.condition.result);
}

#[test]
fn a_condition_that_cannot_be_checked_fails_with_a_note() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.conditions = vec![condition("Memory", "error", false, true)];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(
        ex.log[0],
        "demo.service: Couldn't determine result for ConditionMemory=!error, assuming failed: Invalid argument"
    );
}

#[test]
fn a_failed_assert_fails_the_job_but_not_the_unit() {
    let mut ex = Recorder {
        false_conditions: vec!["/etc".into()],
        ..Default::default()
    };
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.asserts = vec![condition("PathExists", "/etc", false, false)];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(s.result, ServiceResult::Success);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Assert)]);
    assert!(s.condition.result, "conditions held");
    assert!(!s.assert.result);
    assert_eq!(
        ex.log,
        vec![
            "demo.service: Starting requested but asserts failed.",
            "Assertion failed for demo.service - Demo.",
        ]
    );
}

#[test]
fn conditions_are_not_checked_again_for_an_automatic_restart() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.restart = RestartPolicy::Always;
    p.conditions = vec![condition("PathExists", "/flag", false, false)];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    ex.false_conditions.push("/flag".into());
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
    assert_eq!(s.state, ServiceState::AutoRestart);
    ex.now = 1_000_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.state, ServiceState::Running, "{:?}", ex.log);
}

#[test]
fn setup_step_failures_exit_with_systemds_status() {
    let mut ex = Recorder {
        failing_setup: vec![(
            "/bin/server".into(),
            SpawnFailure::new(
                super::super::spawn::SetupStep::ResolveUser,
                nix::libc::ESRCH,
                "Failed to determine user credentials: No such process",
            ),
        )],
        ..Default::default()
    };
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/bin/server"]));
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.main_exit.map(|(_, st)| st), Some(ExitStatus::Exited(217)));
    assert_eq!(
        ex.log,
        vec![
            "Started demo.service - Demo.",
            "demo.service: Failed to determine user credentials: No such process",
            "demo.service: Failed at step USER spawning /bin/server: No such process",
            "demo.service: Main process exited, code=exited, status=217/USER",
            "demo.service: Failed with result 'exit-code'.",
        ]
    );
}

#[test]
fn a_missing_dash_command_is_skipped_as_a_success() {
    let mut failure = SpawnFailure::new(
        super::super::spawn::SetupStep::Locate,
        nix::libc::ENOENT,
        "Executable /opt/x missing, skipping: No such file or directory",
    );
    failure.skipped = true;
    let mut ex = Recorder {
        failing_setup: vec![("/opt/x".into(), failure)],
        ..Default::default()
    };
    let mut s = ServiceRuntime::new(plan(ServiceType::Oneshot, &["-/opt/x"]));
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Done)]);
    assert!(
        !ex.log.iter().any(|l| l.contains("Failed at step")),
        "{:?}",
        ex.log
    );
}

#[test]
fn exec_fails_the_start_where_simple_has_started() {
    for (kind, outcome) in [
        (ServiceType::Exec, JobOutcome::Failed),
        (ServiceType::Simple, JobOutcome::Done),
    ] {
        let mut ex = Recorder {
            missing_programs: vec!["/nonexistent".into()],
            ..Default::default()
        };
        let mut s = ServiceRuntime::new(plan(kind, &["/nonexistent"]));
        s.start(&mut ex);
        assert_eq!(s.finished_jobs, vec![(JobKind::Start, outcome)], "{kind:?}");
        assert_eq!(s.state, ServiceState::Failed);
    }
}

#[test]
fn notify_socket_goes_to_the_main_process_only_by_default() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    p.commands.start_pre = vec![cmd("/bin/prepare")];
    let mut s = ServiceRuntime::new(p.clone());
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(env_of(&ex.spawned[0].2, "NOTIFY_SOCKET"), None);
    assert_eq!(
        env_of(&ex.spawned[1].2, "NOTIFY_SOCKET"),
        Some("/run/runr/notify")
    );
    p.notify_access = NotifyAccess::All;
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(
        env_of(&ex.spawned[0].2, "NOTIFY_SOCKET"),
        Some("/run/runr/notify")
    );
}

#[test]
fn ready_completes_the_start_and_status_is_kept() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.state, ServiceState::Start);
    assert!(s.finished_jobs.is_empty());
    notify(&mut s, &mut ex, 100, "READY=1\nSTATUS=Serving\nERRNO=5");
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Done)]);
    assert_eq!(s.status_text.as_deref(), Some("Serving"));
    assert_eq!(s.status_errno, 5);
    notify(&mut s, &mut ex, 100, "STATUS=");
    assert_eq!(s.status_text, None);
}

#[test]
fn notifications_from_others_are_refused_with_systemds_warning() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    let mut s = ServiceRuntime::new(p.clone());
    s.start(&mut ex);
    notify(&mut s, &mut ex, 4242, "READY=1");
    assert_eq!(s.state, ServiceState::Start);
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Got notification message from PID 4242, but reception only permitted for main PID 100"
    );
    p.notify_access = NotifyAccess::None;
    let mut s = ServiceRuntime::new(p.clone());
    s.start(&mut ex);
    notify(&mut s, &mut ex, 101, "READY=1");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Got notification message from PID 101, but reception is disabled."
    );
    p.notify_access = NotifyAccess::Exec;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    notify(&mut s, &mut ex, 7, "READY=1");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Got notification message from PID 7, but reception only permitted for main PID 102"
    );
}

#[test]
fn a_notify_service_leaving_before_ready_is_a_protocol_failure() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Notify, &["/bin/server"]));
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.result, ServiceResult::Protocol);
}

#[test]
fn reloading_and_stopping_come_from_the_service() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    p.timeout_stop_usec = 3_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    notify(&mut s, &mut ex, 100, "READY=1");
    notify(&mut s, &mut ex, 100, "RELOADING=1");
    assert_eq!(s.state, ServiceState::Reload);
    notify(&mut s, &mut ex, 100, "READY=1");
    assert_eq!(s.state, ServiceState::Running);
    notify(&mut s, &mut ex, 100, "STOPPING=1");
    assert_eq!(s.state, ServiceState::StopSigterm);
    assert_eq!(s.deadline, Some(3_000_000));
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Dead);
    assert_eq!(s.result, ServiceResult::Success);
}

#[test]
fn mainpid_moves_the_main_process_within_the_service() {
    let mut ex = Recorder {
        foreign: vec![(555, 100), (777, 777)],
        ..Default::default()
    };
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::All;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    notify(&mut s, &mut ex, 100, "MAINPID=abc");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Failed to parse MAINPID= field in notification message, ignoring: abc"
    );
    notify(&mut s, &mut ex, 100, "MAINPID=1");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: New main PID 1 is the manager, refusing."
    );
    notify(&mut s, &mut ex, 100, "MAINPID=999");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: New main PID 999 does not exist or is a zombie."
    );
    // Outside the service: only a privileged sender may move it there.
    s.on_notify(
        &mut ex,
        Pid::from_raw(100),
        1000,
        &NotifyMessage::parse("MAINPID=777"),
    );
    assert_eq!(s.main_pid, Some(Pid::from_raw(100)));
    notify(&mut s, &mut ex, 100, "MAINPID=555\nREADY=1");
    assert_eq!(s.main_pid, Some(Pid::from_raw(555)));
    assert_eq!(s.state, ServiceState::Running);
}

#[test]
fn extend_timeout_pushes_the_start_deadline_out() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    p.timeout_start_usec = 1_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(s.deadline, Some(1_000_000));
    ex.now = 500_000;
    notify(&mut s, &mut ex, 100, "EXTEND_TIMEOUT_USEC=2000000");
    assert_eq!(s.deadline, Some(2_500_000));
    notify(&mut s, &mut ex, 100, "EXTEND_TIMEOUT_USEC=10");
    assert_eq!(s.deadline, Some(2_500_000), "never shortened");
    notify(&mut s, &mut ex, 100, "EXTEND_TIMEOUT_USEC=x");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Failed to parse EXTEND_TIMEOUT_USEC=x"
    );
}

#[test]
fn a_silent_watchdog_aborts_the_service_and_restarts_it_on_watchdog() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    p.watchdog_usec = 2_000_000;
    p.restart = RestartPolicy::OnWatchdog;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(env_of(&ex.spawned[0].2, "WATCHDOG_USEC"), Some("2000000"));
    ex.now = 1_000_000;
    notify(&mut s, &mut ex, 100, "READY=1");
    assert_eq!(s.watchdog_deadline, Some(3_000_000));
    ex.now = 2_500_000;
    notify(&mut s, &mut ex, 100, "WATCHDOG=1");
    assert_eq!(s.watchdog_deadline, Some(4_500_000));
    assert_eq!(s.next_wakeup(), Some(4_500_000));
    ex.now = 4_500_000;
    s.on_timeout(&mut ex);
    assert_eq!(s.state, ServiceState::StopWatchdog);
    assert!(ex.signals.contains(&(100, Signal::SIGABRT, false)));
    assert!(
        ex.log
            .contains(&"demo.service: Watchdog timeout (limit 2s)!".to_string())
    );
    assert!(ex.log.contains(
        &"demo.service: Killing process 100 (server) with signal SIGABRT.".to_string()
    ));
    exit(&mut s, &mut ex, 100, ExitStatus::Dumped(6));
    assert_eq!(s.state, ServiceState::AutoRestart);
    assert_eq!(s.result, ServiceResult::Watchdog);
    assert!(
        ex.log
            .contains(&"demo.service: Failed with result 'watchdog'.".to_string())
    );
}

#[test]
fn watchdog_trigger_and_override() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.notify_access = NotifyAccess::Main;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    notify(&mut s, &mut ex, 100, "READY=1\nSTATUS=Busy");
    assert_eq!(s.watchdog_deadline, None, "no WatchdogSec=");
    notify(&mut s, &mut ex, 100, "WATCHDOG_USEC=1000000");
    assert_eq!(s.watchdog_deadline, Some(1_000_000));
    notify(&mut s, &mut ex, 100, "WATCHDOG=yes");
    assert_eq!(
        ex.log.last().unwrap(),
        "demo.service: Passed WATCHDOG= field is invalid, ignoring."
    );
    notify(&mut s, &mut ex, 100, "WATCHDOG=trigger");
    assert!(
        ex.log
            .contains(&"demo.service: Watchdog request (last status: Busy)!".to_string())
    );
    assert_eq!(s.state, ServiceState::StopWatchdog);
    assert_eq!(s.result, ServiceResult::Watchdog);
}

#[test]
fn pgid_and_last_pid_reach_the_later_commands() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Forking, &["/usr/sbin/daemon"]);
    p.commands.start_pre = vec![cmd("/bin/prepare")];
    p.commands.start_post = vec![cmd("/bin/check")];
    p.commands.stop = vec![cmd("/bin/ctl stop")];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    ex.alive.insert(101);
    exit(&mut s, &mut ex, 101, ExitStatus::Exited(0));
    ex.alive.insert(101);
    let env = |i: usize| ex.spawned[i].2.clone();
    assert_eq!(env_of(&env(0), "LAST_PID"), None);
    assert_eq!(env_of(&env(0), "PGID"), None);
    assert_eq!(env_of(&env(1), "LAST_PID"), Some("100"));
    assert_eq!(env_of(&env(1), "PGID"), None, "not for ExecStart= itself");
    assert_eq!(env_of(&env(2), "LAST_PID"), Some("101"));
    assert_eq!(env_of(&env(2), "PGID"), Some("101"));
    exit(&mut s, &mut ex, 102, ExitStatus::Exited(0));
    assert_eq!(s.state, ServiceState::Running);
    s.stop(&mut ex);
    assert_eq!(env_of(&ex.spawned[3].2, "PGID"), Some("101"));
    assert_eq!(env_of(&ex.spawned[3].2, "LAST_PID"), Some("102"));
}

#[test]
fn runtime_directories_go_unless_preserved() {
    for (preserve, restart, removed) in [
        (None, RestartPolicy::No, 1),
        (Some(RuntimeDirectoryPreserve::Yes), RestartPolicy::No, 0),
        (
            Some(RuntimeDirectoryPreserve::Restart),
            RestartPolicy::Always,
            0,
        ),
        (
            Some(RuntimeDirectoryPreserve::Restart),
            RestartPolicy::No,
            1,
        ),
    ] {
        let mut ex = Recorder::default();
        let mut p = plan(ServiceType::Simple, &["/bin/server"]);
        p.exec.directories.runtime = vec!["demo".into()];
        p.exec.directories.runtime_preserve = preserve;
        p.restart = restart;
        let mut s = ServiceRuntime::new(p);
        s.start(&mut ex);
        exit(&mut s, &mut ex, 100, ExitStatus::Exited(1));
        assert_eq!(
            ex.runtime_directories_removed, removed,
            "{preserve:?} {restart:?}"
        );
    }
}

#[test]
fn a_start_during_a_stop_runs_once_the_stop_is_done() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/bin/server"]));
    s.start(&mut ex);
    s.stop(&mut ex);
    assert_eq!(s.state, ServiceState::StopSigterm);
    s.start(&mut ex);
    s.transitions.clear();
    exit(&mut s, &mut ex, 100, ExitStatus::Killed(15));
    assert_eq!(s.state, ServiceState::Running);
    assert_eq!(s.main_pid, Some(Pid::from_raw(101)));
}

#[test]
fn a_start_that_times_out_is_not_begun_again() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Notify, &["/bin/server"]);
    p.timeout_start_usec = 1_000_000;
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    // What the manager does between events.
    s.transitions.clear();
    ex.now = 1_000_000;
    s.on_timeout(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Killed(15));
    assert_eq!(s.state, ServiceState::Failed);
    assert_eq!(s.finished_jobs, vec![(JobKind::Start, JobOutcome::Failed)]);
    assert_eq!(ex.spawned.len(), 1);
}

#[test]
fn kill_names_each_process_it_signals_and_leaves_the_state_alone() {
    let mut ex = Recorder {
        // A child of the main process, in its session.
        foreign: vec![(150, 100)],
        ..Recorder::default()
    };
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/bin/server"]));
    s.start(&mut ex);
    ex.log.clear();
    assert_eq!(
        s.kill_on_request(&mut ex, KillWhom::All, Signal::SIGHUP),
        Ok(())
    );
    assert_eq!(
        ex.log,
        [
            "demo.service: Sent signal SIGHUP to main process 100 (server) on client request.",
            "demo.service: Sending signal SIGHUP to process 150 (server) on client request.",
        ]
    );
    assert_eq!(
        ex.signals,
        [(100, Signal::SIGHUP, false), (150, Signal::SIGHUP, false)]
    );
    assert_eq!(s.state, ServiceState::Running);
    ex.log.clear();
    assert_eq!(
        s.kill_on_request(&mut ex, KillWhom::Main, Signal::SIGTERM),
        Ok(())
    );
    assert_eq!(
        ex.log,
        ["demo.service: Sent signal SIGTERM to main process 100 (server) on client request."]
    );
    assert_eq!(
        s.kill_on_request(&mut ex, KillWhom::Control, Signal::SIGTERM),
        Err(KillRefusal::NoControlProcess)
    );
    assert_eq!(
        KillRefusal::NoControlProcess.to_string(),
        "No control process to kill"
    );
}

#[test]
fn kill_of_a_service_that_is_down() {
    let mut ex = Recorder::default();
    let mut s = ServiceRuntime::new(plan(ServiceType::Simple, &["/bin/server"]));
    s.start(&mut ex);
    exit(&mut s, &mut ex, 100, ExitStatus::Exited(0));
    ex.log.clear();
    ex.signals.clear();
    assert_eq!(
        s.kill_on_request(&mut ex, KillWhom::Main, Signal::SIGHUP),
        Err(KillRefusal::NoMainProcess)
    );
    assert_eq!(
        KillRefusal::NoMainProcess.to_string(),
        "No main process to kill"
    );
    // Nothing to signal is no failure when all are asked for.
    assert_eq!(
        s.kill_on_request(&mut ex, KillWhom::All, Signal::SIGHUP),
        Ok(())
    );
    assert!(ex.log.is_empty() && ex.signals.is_empty(), "{:?}", ex.log);
}

#[test]
fn kill_of_the_control_process_comes_first() {
    let mut ex = Recorder::default();
    let mut p = plan(ServiceType::Simple, &["/bin/server"]);
    p.commands.start_post = vec![cmd("/bin/post")];
    let mut s = ServiceRuntime::new(p);
    s.start(&mut ex);
    assert_eq!(
        (s.main_pid, s.control_pid),
        (Some(Pid::from_raw(100)), Some(Pid::from_raw(101)))
    );
    ex.log.clear();
    s.kill_on_request(&mut ex, KillWhom::All, Signal::SIGTERM)
        .unwrap();
    assert_eq!(
        ex.log,
        [
            "demo.service: Sent signal SIGTERM to control process 101 (server) on client request.",
            "demo.service: Sent signal SIGTERM to main process 100 (server) on client request.",
        ]
    );
    ex.log.clear();
    s.kill_on_request(&mut ex, KillWhom::Control, Signal::SIGTERM)
        .unwrap();
    assert_eq!(
        ex.log,
        ["demo.service: Sent signal SIGTERM to control process 101 (server) on client request."]
    );
}

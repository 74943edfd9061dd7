//! The real [`Executor`]: starts processes, signals them, reads PID files,
//! and hands the supervisor's messages and the services' output to the
//! log sink.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Instant;

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::{Group, Pid, User};

use super::conditions;
use super::directories::{self, Roots};
use super::pid_file_watch::PidFileWatch;
use super::plan::{Condition, ExecContext, ServicePlan};
use super::service::{Executor, PidFileError, ProcessInfo, ProcessRole};
use super::spawn::{ProcessPlan, SetupStep, SpawnFailure, spawn};
use crate::syntax::Usec;
use crate::syntax::environment::{self, EnvironmentLayers};
use crate::syntax::exec::ExecCommand;

/// systemd's PATH for system services.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Where lines go: the supervisor's own messages and each line a service
/// writes on stdout or stderr.
pub trait LogSink {
    fn supervisor_message(&self, unit: &str, message: &str);
    /// A new run of `unit` begins: the supervisor's messages about it from
    /// now on belong to this `$INVOCATION_ID`, even before its first
    /// process's output is attached.
    fn begin_invocation(&self, _unit: &str, _invocation_id: &str) {}
    /// While `hold` is true, pipes given to `attach_output` wait; false
    /// attaches them, after every message sent meanwhile.
    fn hold_output(&self, _hold: bool) {}
    /// Takes the read end of a service's stdout or stderr pipe.
    fn attach_output(&self, source: &OutputSource<'_>, fd: OwnedFd);
    /// The journal directory the records go to, where there is one (the
    /// control API's log routes read it).
    fn journal_directory(&self) -> Option<std::path::PathBuf> {
        None
    }
}

/// Whose output a pipe carries.
#[derive(Debug, Clone, Copy)]
pub struct OutputSource<'a> {
    pub unit: &'a str,
    /// `SyslogIdentifier=`, or the program's file name.
    pub identifier: &'a str,
    pub pid: Pid,
    pub stream: OutputStream,
    /// `$INVOCATION_ID` of the run (32 hex digits, or empty).
    pub invocation_id: &'a str,
    /// The service's restart count (`NRestarts=`) when the process was
    /// started.
    pub restarts: u32,
    pub options: &'a crate::logs::unit_options::UnitLogOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

pub struct ProcessExecutor {
    sink: Rc<dyn LogSink>,
    /// Environment the supervisor itself was given, for PassEnvironment=
    /// and ConditionEnvironment=.
    own_environment: HashMap<String, String>,
    /// Where RuntimeDirectory= and its siblings go.
    roots: Roots,
    /// `$NOTIFY_SOCKET` for the services that get it.
    notify_socket: Option<String>,
    /// The cgroup pools services join with Cgroup=.
    pub pools: crate::cgroup::Pools,
    /// Where `.cgroup` pool files are looked for (the unit search path).
    pub pool_dirs: Vec<PathBuf>,
    /// A control group per service, where runr can make them.
    pub unit_groups: Option<crate::cgroup::unit_groups::UnitGroups>,
    /// The watches of PID files that forking services wait for, made at
    /// the first such wait.
    pid_files: Option<Rc<PidFileWatch>>,
}

impl ProcessExecutor {
    pub fn new(sink: Rc<dyn LogSink>) -> Self {
        ProcessExecutor {
            sink,
            own_environment: std::env::vars().collect(),
            roots: Roots::from_env(),
            notify_socket: None,
            pools: crate::cgroup::Pools::detect(),
            pool_dirs: Vec::new(),
            unit_groups: None,
            pid_files: None,
        }
    }

    /// The PID file watches, for the supervisor's loop to await.
    pub fn pid_file_watch(&self) -> Option<Rc<PidFileWatch>> {
        self.pid_files.clone()
    }

    /// The path services get as `$NOTIFY_SOCKET`.
    pub fn set_notify_socket(&mut self, path: &Path) {
        self.notify_socket = Some(path.to_string_lossy().into_owned());
    }

    /// The instant of CLOCK_MONOTONIC's zero, which `now()` counts from
    /// (std's Instant runs on CLOCK_MONOTONIC on Linux).
    pub fn epoch(&self) -> Instant {
        let now = Instant::now();
        now.checked_sub(std::time::Duration::from_micros(monotonic_now()))
            .unwrap_or(now)
    }
}

/// CLOCK_MONOTONIC in microseconds, the clock of systemd's `*Monotonic=`
/// properties and of every deadline.
pub fn monotonic_now() -> Usec {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .map(|t| t.tv_sec() as Usec * 1_000_000 + t.tv_nsec() as Usec / 1_000)
        .unwrap_or(0)
}

/// The uid, gid and supplementary groups of User=/Group=, and the
/// variables systemd sets for a user.
struct Credentials {
    uid: u32,
    gid: u32,
    groups: Vec<u32>,
    env: Vec<(String, String)>,
    home: PathBuf,
}

fn resolve_credentials(exec: &ExecContext) -> io::Result<Option<Credentials>> {
    let Some(name) = &exec.user else {
        if let Some(group) = &exec.group {
            let gid = lookup_group(group)?;
            return Ok(Some(Credentials {
                uid: 0,
                gid,
                groups: vec![],
                env: vec![],
                home: "/root".into(),
            }));
        }
        return Ok(None);
    };
    let user = match name.parse::<u32>() {
        Ok(uid) => User::from_uid(uid.into()),
        Err(_) => User::from_name(name),
    }
    .map_err(|e| credentials_failure(SetupStep::ResolveUser, e as i32))?
    .ok_or_else(|| credentials_failure(SetupStep::ResolveUser, nix::libc::ESRCH))?;
    let gid = match &exec.group {
        Some(group) => lookup_group(group)?,
        None => user.gid.as_raw(),
    };
    let mut groups = vec![gid];
    // Supplementary groups from /etc/group, as initgroups() would give.
    if let Ok(text) = std::fs::read_to_string("/etc/group") {
        for line in text.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() == 4
                && fields[3].split(',').any(|m| m == user.name)
                && let Ok(g) = fields[2].parse::<u32>()
                && !groups.contains(&g)
            {
                groups.push(g);
            }
        }
    }
    for extra in &exec.supplementary_groups {
        let g = lookup_group(extra)?;
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let shell = user.shell.to_string_lossy().into_owned();
    let env = vec![
        ("HOME".to_string(), user.dir.to_string_lossy().into_owned()),
        ("LOGNAME".to_string(), user.name.clone()),
        ("USER".to_string(), user.name.clone()),
        ("SHELL".to_string(), shell),
    ];
    Ok(Some(Credentials {
        uid: user.uid.as_raw(),
        gid,
        groups,
        env,
        home: user.dir,
    }))
}

fn lookup_group(name: &str) -> io::Result<u32> {
    if let Ok(gid) = name.parse::<u32>() {
        return Ok(gid);
    }
    Group::from_name(name)
        .map_err(|e| credentials_failure(SetupStep::ResolveGroup, e as i32))?
        .map(|g| g.gid.as_raw())
        .ok_or_else(|| credentials_failure(SetupStep::ResolveGroup, nix::libc::ESRCH))
}

/// An unknown user or group: systemd's child fails at step USER or GROUP
/// with "No such process".
fn credentials_failure(step: SetupStep, errno: i32) -> io::Error {
    let what = if step == SetupStep::ResolveUser {
        "user"
    } else {
        "group"
    };
    let reason = nix::errno::Errno::from_raw(errno).desc();
    SpawnFailure::new(
        step,
        errno,
        format!("Failed to determine {what} credentials: {reason}"),
    )
    .into_io()
}

/// systemd's check before the fork that the executable is there: a `-`
/// command without one is skipped as a success.
fn locate(program: &Path, ignore_failure: bool) -> io::Result<()> {
    if let Err(e) = std::fs::metadata(program) {
        let errno = e.raw_os_error().unwrap_or(nix::libc::ENOENT);
        let reason = nix::errno::Errno::from_raw(errno).desc();
        let mut failure = if ignore_failure {
            SpawnFailure::new(
                SetupStep::Locate,
                errno,
                format!(
                    "Executable {} missing, skipping: {reason}",
                    program.display()
                ),
            )
        } else {
            SpawnFailure::new(
                SetupStep::Locate,
                errno,
                format!(
                    "Failed to locate executable {}: {reason}",
                    program.display()
                ),
            )
        };
        failure.skipped = ignore_failure;
        return Err(failure.into_io());
    }
    Ok(())
}

/// /proc/PID/stat: "PID (comm) STATE PPID PGRP SESSION ...".
fn read_process_info(pid: Pid) -> Option<ProcessInfo> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = stat.get(close + 2..)?.split(' ').collect();
    Some(ProcessInfo {
        zombie: fields.first() == Some(&"Z"),
        parent: Pid::from_raw(fields.get(1)?.parse().ok()?),
        session: Pid::from_raw(fields.get(3)?.parse().ok()?),
        name,
    })
}

/// Finds a plain command name on systemd's fixed PATH.
fn resolve_program(path: &str) -> PathBuf {
    if path.contains('/') {
        return PathBuf::from(path);
    }
    DEFAULT_PATH
        .split(':')
        .map(|dir| Path::new(dir).join(path))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from(path))
}

impl ProcessExecutor {
    /// The environment of one command, merged in systemd's order: its own
    /// variables (PATH, the user's, the phase's $MAINPID ...),
    /// PassEnvironment=, Environment=, EnvironmentFile= (`files`, read
    /// before the fork), then UnsetEnvironment=.
    fn environment(
        &self,
        plan: &ServicePlan,
        credentials: Option<&Credentials>,
        phase: &[(String, String)],
        files: &[(String, String)],
    ) -> Vec<(String, String)> {
        let mut service: Vec<(String, String)> = vec![("PATH".into(), DEFAULT_PATH.into())];
        if let Some(c) = credentials {
            service.extend(c.env.iter().cloned());
        }
        service.extend(directories::environment(
            &plan.exec.directories,
            &self.roots,
        ));
        service.extend(phase.iter().cloned());
        let passed = environment::resolve_pass_environment(&plan.exec.pass_environment, &|name| {
            self.own_environment.get(name).cloned()
        });
        environment::build_exec_environment(&EnvironmentLayers {
            service: &service,
            passed: &passed,
            environment: &plan.exec.environment,
            files,
            unset: &plan.exec.unset_environment,
            ..Default::default()
        })
    }
}

impl Executor for ProcessExecutor {
    fn spawn(
        &mut self,
        plan: &ServicePlan,
        _role: ProcessRole,
        command: &ExecCommand,
        phase_env: &[(String, String)],
        files: &[(String, String)],
        restarts: u32,
    ) -> io::Result<Pid> {
        let exec = &plan.exec;
        let credentials = resolve_credentials(exec)?;
        let env = self.environment(plan, credentials.as_ref(), phase_env, files);
        let argv: Vec<OsString> = if command.no_env_expand {
            command.argv.iter().map(OsString::from).collect()
        } else {
            let lookup = |name: &str| {
                env.iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            crate::syntax::exec::expand_argv(&command.argv, &lookup)
                .into_iter()
                .map(OsString::from)
                .collect()
        };
        let program = resolve_program(&command.path);
        locate(&program, command.ignore_failure)?;
        // The directories are the service's user's, whatever the prefix
        // of this one command.
        let owner = credentials
            .as_ref()
            .filter(|_| exec.user.is_some() || exec.group.is_some())
            .map(|c| (c.uid, c.gid));
        let warnings = directories::prepare(&exec.directories, &self.roots, owner)
            .map_err(SpawnFailure::into_io)?;
        for warning in warnings {
            self.sink
                .supervisor_message(&plan.name, &format!("{}: {warning}", plan.name));
        }
        let mut process = ProcessPlan::new(program, argv);
        process.env = env;
        if let Some(dir) = &exec.working_directory {
            let path = if dir.home {
                credentials
                    .as_ref()
                    .map(|c| c.home.clone())
                    .or_else(|| Some("/root".into()))
            } else {
                dir.path.clone()
            };
            if let Some(path) = path
                && (!dir.optional || path.is_dir())
            {
                process.working_directory = Some(path);
            }
        } else {
            process.working_directory = Some("/".into());
        }
        // `+` runs with full privileges; `!` keeps the sandbox but not the
        // user change; `!!` is `!` only where the kernel lacks ambient
        // capabilities, which every kernel runr supports has.
        let change_user = !command.privileged && !command.no_setuid;
        if let Some(c) = credentials.as_ref().filter(|_| change_user) {
            if exec.user.is_some() {
                process.uid = Some(c.uid);
                process.supplementary_groups = c.groups.clone();
            }
            process.gid = Some(c.gid);
        }
        process.umask = Some(exec.umask);
        process.nice = exec.nice;
        process.limits = exec.limits.clone();
        if !command.privileged {
            process.no_new_privileges = exec.no_new_privileges;
            process.bounding_set = exec.bounding_set;
            process.ambient = exec.ambient_capabilities;
        }
        process.stdin = exec.stdin.clone();
        process.stdout = exec.stdout.clone();
        process.stderr = exec.stderr.clone();
        if let Some(pool) = &plan.cgroup {
            let sink = self.sink.clone();
            let mut log = |message: &str| sink.supervisor_message("", message);
            process.cgroup =
                crate::cgroup::join_pool(&mut self.pools, &self.pool_dirs, pool, &mut log)
                    .map(|(dir, fd)| (dir, super::spawn::SharedFd(std::sync::Arc::new(fd))));
        } else if let Some(groups) = &self.unit_groups {
            let group = crate::cgroup::unit_groups::control_group_path(&plan.name);
            match groups.prepare(&group) {
                Ok((dir, fd)) => {
                    process.cgroup = Some((dir, super::spawn::SharedFd(std::sync::Arc::new(fd))))
                }
                Err(e) => self.sink.supervisor_message(
                    &plan.name,
                    &format!("{}: Failed to create cgroup {group}: {e}", plan.name),
                ),
            }
        }
        let spawned = spawn(&process)?;
        let identifier = exec.syslog_identifier.clone().unwrap_or_else(|| {
            Path::new(&command.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let invocation_id = phase_env
            .iter()
            .find(|(name, _)| name == "INVOCATION_ID")
            .map_or("", |(_, value)| value.as_str());
        for (stream, fd) in [
            (OutputStream::Stdout, spawned.stdout),
            (OutputStream::Stderr, spawned.stderr),
        ] {
            let Some(fd) = fd else { continue };
            let source = OutputSource {
                unit: &plan.name,
                identifier: &identifier,
                pid: spawned.pid,
                stream,
                invocation_id,
                restarts,
                options: &exec.log,
            };
            self.sink.attach_output(&source, fd);
        }
        Ok(spawned.pid)
    }

    fn kill(&mut self, pid: Pid, signal: Signal, group: bool) -> bool {
        if group {
            killpg(pid, signal).is_ok()
        } else {
            kill(pid, signal).is_ok()
        }
    }

    fn group_alive(&mut self, pgid: Pid) -> bool {
        killpg(pgid, None).is_ok()
    }

    fn signal_process(&mut self, pid: Pid, signal: Signal) -> nix::Result<()> {
        kill(pid, signal)
    }

    fn unit_processes(&mut self, unit: &str, sessions: &[Pid]) -> Vec<Pid> {
        if let Some(groups) = &self.unit_groups {
            return groups.pids(&crate::cgroup::unit_groups::control_group_path(unit));
        }
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        let mut pids: Vec<Pid> = entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .map(Pid::from_raw)
            .filter(|pid| {
                read_process_info(*pid).is_some_and(|p| !p.zombie && sessions.contains(&p.session))
            })
            .collect();
        pids.sort();
        pids
    }

    fn kill_unit_group(&mut self, unit: &str, signal: Signal) -> bool {
        self.unit_groups.as_ref().is_some_and(|groups| {
            groups.kill(
                &crate::cgroup::unit_groups::control_group_path(unit),
                signal,
            )
        })
    }

    fn unit_group_populated(&mut self, unit: &str) -> bool {
        self.unit_groups.as_ref().is_some_and(|groups| {
            !groups
                .pids(&crate::cgroup::unit_groups::control_group_path(unit))
                .is_empty()
        })
    }

    fn release_unit_group(&mut self, unit: &str) {
        if let Some(groups) = &self.unit_groups {
            groups.remove(&crate::cgroup::unit_groups::control_group_path(unit));
        }
    }

    fn load_environment_files(&mut self, plan: &ServicePlan) -> io::Result<Vec<(String, String)>> {
        let mut files = Vec::new();
        for (path, optional) in &plan.exec.environment_files {
            match std::fs::read_to_string(path) {
                Ok(text) => files.extend(environment::parse_environment_file(&text)),
                Err(_) if *optional => {}
                Err(e) => return Err(e),
            }
        }
        Ok(files)
    }

    fn read_pid_file(&mut self, path: &str) -> Result<Pid, PidFileError> {
        let text =
            std::fs::read(path).map_err(|e| PidFileError::Open(crate::engine::errno_text(&e)))?;
        parse_pid_file(&text)
    }

    fn watch_pid_file(&mut self, unit: &str, path: &str) -> io::Result<()> {
        let watch = match &self.pid_files {
            Some(watch) => watch.clone(),
            None => {
                let watch = Rc::new(PidFileWatch::new()?);
                self.pid_files = Some(watch.clone());
                watch
            }
        };
        watch.watch(unit, path)
    }

    fn unwatch_pid_file(&mut self, unit: &str) {
        if let Some(watch) = &self.pid_files {
            watch.unwatch(unit);
        }
    }

    fn log(&mut self, unit: &str, message: &str) {
        self.sink.supervisor_message(unit, message);
    }

    fn begin_invocation(&mut self, unit: &str, invocation_id: &str) {
        self.sink.begin_invocation(unit, invocation_id);
    }

    fn hold_output(&mut self, hold: bool) {
        self.sink.hold_output(hold);
    }

    fn now(&self) -> Usec {
        monotonic_now()
    }

    fn realtime(&self) -> Usec {
        crate::syntax::timestamp::now_realtime()
    }

    fn notify_socket(&self) -> Option<String> {
        self.notify_socket.clone()
    }

    fn process_info(&mut self, pid: Pid) -> Option<ProcessInfo> {
        read_process_info(pid)
    }

    fn test_condition(&mut self, condition: &Condition) -> io::Result<bool> {
        let env: Vec<(String, String)> = self
            .own_environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        conditions::test_on_host(condition, &env)
    }

    fn remove_runtime_directories(&mut self, plan: &ServicePlan) {
        directories::remove_runtime(&plan.exec.directories, &self.roots);
    }

    fn new_invocation_id(&mut self) -> String {
        let mut bytes = [0u8; 16];
        // getrandom(2): one call per start, no file to open and close.
        // SAFETY: the buffer is valid for its length.
        let filled = unsafe { nix::libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
        if filled != bytes.len() as isize
            && let Ok(mut random) = std::fs::File::open("/dev/urandom")
        {
            use std::io::Read;
            let _ = random.read_exact(&mut bytes);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The PID on the first line of a PID file (PostgreSQL's postmaster.pid,
/// for one, goes on after it), as systemd's parse_pid() takes it.
fn parse_pid_file(text: &[u8]) -> Result<Pid, PidFileError> {
    let invalid = || PidFileError::Parse(nix::errno::Errno::EINVAL.desc().to_string());
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = std::str::from_utf8(first).map_err(|_| invalid())?;
    let pid: i64 = first.trim().parse().map_err(|_| invalid())?;
    match i32::try_from(pid) {
        Ok(pid) if pid > 0 => Ok(Pid::from_raw(pid)),
        // glibc's words for ERANGE.
        _ => Err(PidFileError::Parse("Numerical result out of range".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pid_file_gives_the_pid_of_its_first_line() {
        assert_eq!(parse_pid_file(b"4242\n"), Ok(Pid::from_raw(4242)));
        assert_eq!(
            parse_pid_file(b" 17 \n/var/lib/pg\n"),
            Ok(Pid::from_raw(17))
        );
        let invalid = Err(PidFileError::Parse("Invalid argument".into()));
        assert_eq!(parse_pid_file(b""), invalid);
        assert_eq!(parse_pid_file(b"pid\n"), invalid);
        assert_eq!(
            parse_pid_file(b"0\n"),
            Err(PidFileError::Parse("Numerical result out of range".into()))
        );
    }

    struct NoLogs;

    impl LogSink for NoLogs {
        fn supervisor_message(&self, _unit: &str, _message: &str) {}
        fn attach_output(&self, _source: &OutputSource<'_>, _fd: OwnedFd) {}
    }

    #[test]
    fn invocation_ids_are_128_random_bits_in_hex() {
        let mut ex = ProcessExecutor::new(Rc::new(NoLogs));
        let a = ex.new_invocation_id();
        let b = ex.new_invocation_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
        assert_ne!(a, "0".repeat(32));
    }
}

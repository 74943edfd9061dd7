//! Starting one process the way systemd starts a service's command: its own
//! session and process group, a clean fd table, no blocked or ignored
//! signals, the credentials, limits, umask and priority asked for, and its
//! stdio wired to /dev/null, the supervisor's own, a file, or a pipe into
//! the log pipeline.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use nix::libc;
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
use nix::unistd::Pid;

/// Where one of a process's standard streams goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdioTarget {
    Null,
    /// The supervisor's own stream.
    Inherit,
    /// A pipe whose read end the supervisor keeps (the log pipeline).
    Pipe,
    /// `file:PATH` (truncate) or `append:PATH`.
    File {
        path: PathBuf,
        append: bool,
    },
    /// A descriptor a client handed over (`systemd-run --pipe`): each
    /// process gets a duplicate of it.
    Fd(SharedFd),
}

/// A descriptor shared by the plans that use it; closed with the last.
#[derive(Debug, Clone)]
pub struct SharedFd(pub std::sync::Arc<OwnedFd>);

impl PartialEq for SharedFd {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedFd {}

/// Everything needed to start one command, already resolved.
#[derive(Debug, Clone)]
pub struct ProcessPlan {
    pub program: PathBuf,
    /// argv, argv[0] included.
    pub argv: Vec<OsString>,
    pub env: Vec<(String, String)>,
    pub working_directory: Option<PathBuf>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub supplementary_groups: Vec<u32>,
    pub umask: Option<u32>,
    pub nice: Option<i32>,
    pub limits: Vec<(Resource, u64, u64)>,
    pub no_new_privileges: bool,
    pub stdin: StdioTarget,
    pub stdout: StdioTarget,
    pub stderr: StdioTarget,
}

impl ProcessPlan {
    pub fn new(program: impl Into<PathBuf>, argv: Vec<OsString>) -> Self {
        ProcessPlan {
            program: program.into(),
            argv,
            env: Vec::new(),
            working_directory: None,
            uid: None,
            gid: None,
            supplementary_groups: Vec::new(),
            umask: None,
            nice: None,
            limits: Vec::new(),
            no_new_privileges: false,
            stdin: StdioTarget::Null,
            stdout: StdioTarget::Inherit,
            stderr: StdioTarget::Inherit,
        }
    }
}

/// A started process and the read ends of its piped streams.
#[derive(Debug)]
pub struct Spawned {
    pub pid: Pid,
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
}

fn stdio_for(target: &StdioTarget, input: bool) -> io::Result<Stdio> {
    Ok(match target {
        StdioTarget::Null => Stdio::null(),
        StdioTarget::Inherit => Stdio::inherit(),
        StdioTarget::Pipe => Stdio::piped(),
        StdioTarget::File { path, append } => {
            let mut options = OpenOptions::new();
            if input {
                options.read(true);
            } else if *append {
                options.append(true).create(true);
            } else {
                options.write(true).create(true).truncate(true);
            }
            options.mode(0o644);
            Stdio::from(options.open(path)?)
        }
        StdioTarget::Fd(shared) => Stdio::from(shared.0.try_clone()?),
    })
}

/// The kernel's `struct sigaction` for rt_sigaction(2).
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// Every signal back to its default action, real-time ones included (glibc's
/// sigaction() refuses the two it reserves, so the raw call is used).
/// Called between fork and exec: only system calls.
fn reset_signal_dispositions() {
    let default = KernelSigaction {
        handler: 0,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    for signo in 1..=64 {
        if signo == libc::SIGKILL || signo == libc::SIGSTOP {
            continue;
        }
        // SAFETY: a valid sigaction struct of the kernel's layout and size.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signo,
                &default as *const KernelSigaction,
                std::ptr::null_mut::<KernelSigaction>(),
                8usize,
            );
        }
    }
}

/// Starts the process. The caller reaps it (the supervisor's SIGCHLD
/// handler owns every wait).
pub fn spawn(plan: &ProcessPlan) -> io::Result<Spawned> {
    let mut command = Command::new(&plan.program);
    if let Some((first, rest)) = plan.argv.split_first() {
        command.arg0(first).args(rest);
    }
    command
        .env_clear()
        .envs(plan.env.iter().map(|(k, v)| (k, v)));
    if let Some(dir) = &plan.working_directory {
        command.current_dir(dir);
    }
    command.stdin(stdio_for(&plan.stdin, true)?);
    command.stdout(stdio_for(&plan.stdout, false)?);
    command.stderr(stdio_for(&plan.stderr, false)?);

    let umask = plan.umask;
    let nice = plan.nice;
    let limits = plan.limits.clone();
    let no_new_privileges = plan.no_new_privileges;
    let (uid, gid) = (plan.uid, plan.gid);
    let groups: Vec<nix::unistd::Gid> = plan
        .supplementary_groups
        .iter()
        .map(|g| nix::unistd::Gid::from_raw(*g))
        .collect();
    // SAFETY: between fork and exec only async-signal-safe calls are made:
    // setsid, sigprocmask, signal, umask, setpriority, setrlimit, setgroups,
    // setgid, setuid, prctl and close_range are all plain system calls; the
    // group list was allocated before the fork.
    unsafe {
        command.pre_exec(move || {
            // Its own session, hence its own process group: signals for the
            // service reach the whole group and never the supervisor.
            nix::unistd::setsid().map_err(io::Error::from)?;
            sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)
                .map_err(io::Error::from)?;
            reset_signal_dispositions();
            if let Some(mask) = umask {
                libc::umask(mask as libc::mode_t);
            }
            if let Some(n) = nice {
                if libc::setpriority(libc::PRIO_PROCESS, 0, n) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            for (resource, soft, hard) in &limits {
                setrlimit(*resource, *soft, *hard).map_err(io::Error::from)?;
            }
            // Groups first: after setuid() they can no longer be changed.
            if uid.is_some() {
                nix::unistd::setgroups(&groups).map_err(io::Error::from)?;
            }
            if let Some(gid) = gid {
                nix::unistd::setgid(nix::unistd::Gid::from_raw(gid)).map_err(io::Error::from)?;
            }
            if let Some(uid) = uid {
                nix::unistd::setuid(nix::unistd::Uid::from_raw(uid)).map_err(io::Error::from)?;
            }
            if no_new_privileges && libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // Descriptors the supervisor inherited without CLOEXEC must not
            // reach the service.
            libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            );
            Ok(())
        });
    }

    let mut child = command.spawn()?;
    let pid = Pid::from_raw(child.id() as i32);
    let stdout = child.stdout.take().map(OwnedFd::from);
    let stderr = child.stderr.take().map(OwnedFd::from);
    // Dropping `Child` neither waits nor kills; the reaper collects it.
    drop(child);
    Ok(Spawned {
        pid,
        stdout,
        stderr,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use nix::sys::wait::{WaitStatus, waitpid};

    use super::*;

    fn sh(script: &str) -> ProcessPlan {
        ProcessPlan::new("/bin/sh", vec!["sh".into(), "-c".into(), script.into()])
    }

    #[test]
    fn pipes_environment_and_exit_code_reach_the_caller() {
        let mut plan = sh("echo \"$GREETING\"; echo oops >&2; exit 3");
        plan.env.push(("GREETING".into(), "hello".into()));
        plan.stdout = StdioTarget::Pipe;
        plan.stderr = StdioTarget::Pipe;
        let spawned = spawn(&plan).unwrap();
        let mut out = String::new();
        std::fs::File::from(spawned.stdout.unwrap())
            .read_to_string(&mut out)
            .unwrap();
        let mut err = String::new();
        std::fs::File::from(spawned.stderr.unwrap())
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(out, "hello\n");
        assert_eq!(err, "oops\n");
        assert_eq!(
            waitpid(spawned.pid, None).unwrap(),
            WaitStatus::Exited(spawned.pid, 3)
        );
    }

    #[test]
    fn child_leads_its_own_session_with_clean_signals() {
        // The signal state is read by the exec'd process itself: /proc of a
        // shell caught in fork() would show glibc's temporary full mask.
        let mut plan = sh(
            "ps -o pid=,pgid=,sid= -p $$; umask; exec grep -E '^Sig(Blk|Ign)' /proc/self/status",
        );
        plan.stdout = StdioTarget::Pipe;
        plan.umask = Some(0o027);
        let spawned = spawn(&plan).unwrap();
        let mut out = String::new();
        std::fs::File::from(spawned.stdout.unwrap())
            .read_to_string(&mut out)
            .unwrap();
        waitpid(spawned.pid, None).unwrap();
        let pid = spawned.pid.to_string();
        let ids: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(ids, vec![pid.as_str(), pid.as_str(), pid.as_str()], "{out}");
        assert!(out.contains("SigBlk:\t0000000000000000"), "{out}");
        assert!(out.contains("SigIgn:\t0000000000000000"), "{out}");
        assert_eq!(out.lines().nth(1), Some("0027"), "{out}");
    }

    #[test]
    fn append_file_keeps_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(&path, "before\n").unwrap();
        let mut plan = sh("echo after");
        plan.stdout = StdioTarget::File {
            path: path.clone(),
            append: true,
        };
        let spawned = spawn(&plan).unwrap();
        waitpid(spawned.pid, None).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "before\nafter\n");
    }
}

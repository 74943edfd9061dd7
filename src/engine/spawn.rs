//! Starting one process the way systemd starts a service's command: its own
//! session and process group, a clean fd table, no blocked or ignored
//! signals, the credentials, capabilities, limits, umask and priority asked
//! for, and its stdio wired to /dev/null, the supervisor's own, a file, or a
//! pipe into the log pipeline.
//!
//! When a setup step fails, systemd's child exits with that step's status
//! (217/USER, 218/CAPABILITIES, 200/CHDIR ...). Here the child is started
//! as posix_spawn() starts one (vfork.rs), and a failing step makes
//! `spawn()` fail in the parent: the child hands back `(step << 16) |
//! errno`, and the parent turns it into a [`SpawnFailure`]. The state machine then
//! logs systemd's two lines ("Failed to change UID to 65534: ...", "Failed
//! at step USER spawning /bin/x: ...") and treats the command as a process
//! that exited with the step's status, so `status`, `Result=` and restarts
//! see what systemd shows.

use std::ffi::{CString, OsString};
use std::fmt;
use std::fs::OpenOptions;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use nix::errno::Errno;
use nix::libc;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
use nix::unistd::Pid;

use super::{capabilities, vfork};

/// A step of setting up a process that can fail, with the exit status
/// systemd gives it (exit-status.h) and the line it logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupStep {
    /// The executable is missing (checked before forking).
    Locate,
    /// execve() failed.
    Execute,
    ResolveUser,
    ResolveGroup,
    ChangeGroups,
    ChangeUid,
    DropBoundingSet,
    AmbientCapabilities,
    Chdir,
    /// A resource limit; the index is its position in [`ProcessPlan::limits`].
    Limit(u8),
    Nice,
    NoNewPrivileges,
    Setsid,
    SignalMask,
    Stdin,
    Stdout,
    Stderr,
    /// RuntimeDirectory= (0) ... ConfigurationDirectory= (4).
    Directory(u8),
    /// Joining the service's cgroup pool.
    Cgroup,
}

impl SetupStep {
    /// The exit status systemd's child exits with.
    pub fn exit_status(self) -> i32 {
        match self {
            SetupStep::Locate | SetupStep::Execute => 203,
            SetupStep::ResolveUser | SetupStep::ChangeUid => 217,
            SetupStep::ResolveGroup | SetupStep::ChangeGroups => 216,
            SetupStep::DropBoundingSet | SetupStep::AmbientCapabilities => 218,
            SetupStep::Chdir => 200,
            SetupStep::Limit(_) => 205,
            SetupStep::Nice => 201,
            SetupStep::NoNewPrivileges => 227,
            SetupStep::Setsid => 220,
            SetupStep::SignalMask => 207,
            SetupStep::Stdin => 208,
            SetupStep::Stdout => 209,
            SetupStep::Stderr => 222,
            SetupStep::Cgroup => 219,
            SetupStep::Directory(0) => 233,
            SetupStep::Directory(n) => 237 + n as i32,
        }
    }

    /// A small number for carrying the step through the child's errno.
    fn code(self) -> i32 {
        match self {
            SetupStep::Locate => 1,
            SetupStep::Execute => 2,
            SetupStep::ResolveUser => 3,
            SetupStep::ResolveGroup => 4,
            SetupStep::ChangeGroups => 5,
            SetupStep::ChangeUid => 6,
            SetupStep::DropBoundingSet => 7,
            SetupStep::AmbientCapabilities => 8,
            SetupStep::Chdir => 9,
            SetupStep::Nice => 10,
            SetupStep::NoNewPrivileges => 11,
            SetupStep::Setsid => 12,
            SetupStep::SignalMask => 13,
            SetupStep::Stdin => 14,
            SetupStep::Stdout => 15,
            SetupStep::Stderr => 16,
            SetupStep::Cgroup => 17,
            SetupStep::Limit(n) => 32 + (n as i32 & 0x1f),
            SetupStep::Directory(n) => 64 + (n as i32 & 0x7),
        }
    }

    fn from_code(code: i32) -> Option<SetupStep> {
        Some(match code {
            1 => SetupStep::Locate,
            2 => SetupStep::Execute,
            3 => SetupStep::ResolveUser,
            4 => SetupStep::ResolveGroup,
            5 => SetupStep::ChangeGroups,
            6 => SetupStep::ChangeUid,
            7 => SetupStep::DropBoundingSet,
            8 => SetupStep::AmbientCapabilities,
            9 => SetupStep::Chdir,
            10 => SetupStep::Nice,
            11 => SetupStep::NoNewPrivileges,
            12 => SetupStep::Setsid,
            13 => SetupStep::SignalMask,
            14 => SetupStep::Stdin,
            15 => SetupStep::Stdout,
            16 => SetupStep::Stderr,
            17 => SetupStep::Cgroup,
            32..=63 => SetupStep::Limit((code - 32) as u8),
            64..=71 => SetupStep::Directory((code - 64) as u8),
            _ => return None,
        })
    }

    /// The child's error in one i32, as it travels to the parent.
    fn encode(self, errno: i32) -> i32 {
        (self.code() << 16) | (errno & 0xffff)
    }
}

/// A command that could not be started, and why, in systemd's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnFailure {
    pub step: SetupStep,
    pub errno: i32,
    /// The line systemd logs before "Failed at step ...".
    pub message: String,
    /// A missing executable of a `-` command: systemd logs "Executable ...
    /// missing, skipping" and the command counts as a success.
    pub skipped: bool,
}

impl SpawnFailure {
    pub fn new(step: SetupStep, errno: i32, message: impl Into<String>) -> Self {
        SpawnFailure {
            step,
            errno,
            message: message.into(),
            skipped: false,
        }
    }

    pub fn reason(&self) -> String {
        nix::errno::Errno::from_raw(self.errno).desc().to_string()
    }

    /// systemd's exit-status name of the step (USER, EXEC, ...).
    pub fn step_name(&self) -> &'static str {
        super::exit_status::exit_status_name(self.step.exit_status()).unwrap_or("EXEC")
    }

    /// An io::Error carrying this failure, for `Executor::spawn`.
    pub fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The failure inside an error from `Executor::spawn`, if it has one.
    pub fn from_io(e: &io::Error) -> Option<&SpawnFailure> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<SpawnFailure>())
    }
}

impl fmt::Display for SpawnFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpawnFailure {}

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
    /// stderr only: the descriptor stdout has, so that both streams are
    /// one, in the order the program wrote them (systemd's one stream
    /// socket to the journal).
    SameAsStdout,
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
    /// CapabilityBoundingSet=: the capabilities kept (None: all).
    pub bounding_set: Option<u64>,
    /// AmbientCapabilities=: raised across the change of user.
    pub ambient: u64,
    pub stdin: StdioTarget,
    pub stdout: StdioTarget,
    pub stderr: StdioTarget,
    /// The pool's group and its `cgroup.procs`, opened before the fork;
    /// the child writes itself into it first thing.
    pub cgroup: Option<(PathBuf, SharedFd)>,
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
            bounding_set: None,
            ambient: 0,
            stdin: StdioTarget::Null,
            stdout: StdioTarget::Inherit,
            stderr: StdioTarget::Inherit,
            cgroup: None,
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

/// The line systemd logs for a failed step, before "Failed at step ...".
fn step_message(plan: &ProcessPlan, step: SetupStep, errno: i32) -> String {
    let reason = nix::errno::Errno::from_raw(errno).desc();
    match step {
        SetupStep::Locate => format!(
            "Failed to locate executable {}: {reason}",
            plan.program.display()
        ),
        SetupStep::Execute => format!("Failed to execute {}: {reason}", plan.program.display()),
        SetupStep::ResolveUser => format!("Failed to determine user credentials: {reason}"),
        SetupStep::ResolveGroup => format!("Failed to determine group credentials: {reason}"),
        SetupStep::ChangeGroups => format!("Changing group credentials failed: {reason}"),
        SetupStep::ChangeUid => format!(
            "Failed to change UID to {}: {reason}",
            plan.uid.unwrap_or(0)
        ),
        SetupStep::DropBoundingSet => format!("Failed to drop capabilities: {reason}"),
        SetupStep::AmbientCapabilities => {
            format!("Failed to apply ambient capabilities (after UID change): {reason}")
        }
        SetupStep::Chdir => {
            format!("Changing to the requested working directory failed: {reason}")
        }
        SetupStep::Limit(i) => {
            let name = plan
                .limits
                .get(i as usize)
                .map(|(r, _, _)| format!("{r:?}"))
                .unwrap_or_default();
            format!("Failed to adjust resource limit {name}: {reason}")
        }
        SetupStep::Nice => {
            format!("Failed to set up process scheduling priority (nice level): {reason}")
        }
        SetupStep::NoNewPrivileges => format!("Failed to disable new privileges: {reason}"),
        SetupStep::Setsid => format!("Failed to create new process session: {reason}"),
        SetupStep::SignalMask => format!("Failed to set process signal mask: {reason}"),
        SetupStep::Stdin => format!("Failed to set up standard input: {reason}"),
        SetupStep::Stdout => format!("Failed to set up standard output: {reason}"),
        SetupStep::Stderr => format!("Failed to set up standard error output: {reason}"),
        SetupStep::Directory(_) => {
            format!("Failed to set up special execution directory: {reason}")
        }
        SetupStep::Cgroup => {
            let path = plan.cgroup.as_ref().map(|(p, _)| p.display().to_string());
            format!(
                "Failed to attach to cgroup {}: {reason}",
                path.unwrap_or_default()
            )
        }
    }
}

/// The failure behind a child's code: `(step << 16) | errno`, or a bare
/// errno of execve().
fn failure_of(plan: &ProcessPlan, code: i32) -> SpawnFailure {
    let (step, errno) = match SetupStep::from_code(code >> 16) {
        Some(step) => (step, code & 0xffff),
        None => (SetupStep::Execute, code),
    };
    SpawnFailure::new(step, errno, step_message(plan, step, errno))
}

fn os_errno(e: &io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

fn errno_now() -> i32 {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// One of the child's standard streams: the descriptor it gets as 0, 1 or
/// 2 (None: the supervisor's own), and the supervisor's end of a pipe.
struct StreamEnds {
    child: Option<OwnedFd>,
    parent: Option<OwnedFd>,
}

fn stream_ends(target: &StdioTarget, input: bool) -> io::Result<StreamEnds> {
    let child = |fd: OwnedFd| StreamEnds {
        child: Some(fd),
        parent: None,
    };
    Ok(match target {
        StdioTarget::Inherit => StreamEnds {
            child: None,
            parent: None,
        },
        StdioTarget::Null => child(
            OpenOptions::new()
                .read(input)
                .write(!input)
                .open("/dev/null")?
                .into(),
        ),
        StdioTarget::Pipe => {
            let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
            if input {
                StreamEnds {
                    child: Some(read),
                    parent: Some(write),
                }
            } else {
                StreamEnds {
                    child: Some(write),
                    parent: Some(read),
                }
            }
        }
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
            child(options.open(path)?.into())
        }
        StdioTarget::Fd(shared) => child(shared.0.try_clone()?),
        // Made from stdout's ends by the caller.
        StdioTarget::SameAsStdout => StreamEnds {
            child: None,
            parent: None,
        },
    })
    .and_then(above_standard_streams)
}

/// Moves a child's descriptor above 2, so that putting one stream in place
/// can never close the source of another (when the supervisor itself was
/// started with a standard stream closed).
fn above_standard_streams(mut ends: StreamEnds) -> io::Result<StreamEnds> {
    if let Some(fd) = &ends.child
        && fd.as_raw_fd() <= 2
    {
        let moved = nix::fcntl::fcntl(fd.as_raw_fd(), nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(3))?;
        // SAFETY: a descriptor fcntl just made, owned by no one else.
        ends.child = Some(unsafe { OwnedFd::from_raw_fd(moved) });
    }
    Ok(ends)
}

/// Puts `source` (above 2, see above) in place as standard stream
/// `target`, open across exec. In the child: one system call.
fn install_stream(source: Option<i32>, target: i32) -> Result<(), i32> {
    let Some(fd) = source else { return Ok(()) };
    // SAFETY: dup2 on descriptors the parent prepared.
    if unsafe { libc::dup2(fd, target) } < 0 {
        Err(errno_now())
    } else {
        Ok(())
    }
}

/// A C string for the child, refusing an interior NUL as execve() would.
fn c_string(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "nul byte found in provided data",
        )
    })
}

/// Set-ID system calls made raw: in the child, which shares the
/// supervisor's memory, glibc's wrappers see the supervisor's threads and
/// try to have each of them change IDs as well.
mod raw_ids {
    use nix::libc;

    pub fn setgroups(groups: &[libc::gid_t]) -> libc::c_long {
        // SAFETY: a length and a pointer to that many gids.
        unsafe { libc::syscall(libc::SYS_setgroups, groups.len(), groups.as_ptr()) }
    }

    pub fn setgid(gid: u32) -> libc::c_long {
        // SAFETY: integer arguments.
        unsafe { libc::syscall(libc::SYS_setresgid, gid, gid, gid) }
    }

    pub fn setuid(uid: u32) -> libc::c_long {
        // SAFETY: integer arguments.
        unsafe { libc::syscall(libc::SYS_setresuid, uid, uid, uid) }
    }
}

/// Starts the process. The caller reaps it (the supervisor's SIGCHLD
/// handler owns every wait). A failure carries a [`SpawnFailure`].
pub fn spawn(plan: &ProcessPlan) -> io::Result<Spawned> {
    let stdio_failure = |step: SetupStep, e: io::Error| {
        let errno = os_errno(&e);
        SpawnFailure::new(step, errno, step_message(plan, step, errno)).into_io()
    };
    // Everything the child touches is made here, before the clone.
    let program = c_string(plan.program.as_os_str().as_bytes())?;
    let argv_strings = plan
        .argv
        .iter()
        .map(|a| c_string(a.as_bytes()))
        .collect::<io::Result<Vec<_>>>()?;
    let env_strings = plan
        .env
        .iter()
        .map(|(k, v)| c_string(format!("{k}={v}").as_bytes()))
        .collect::<io::Result<Vec<_>>>()?;
    let argv = null_terminated(&argv_strings);
    let envp = null_terminated(&env_strings);
    let stdin = stream_ends(&plan.stdin, true).map_err(|e| stdio_failure(SetupStep::Stdin, e))?;
    let stdout =
        stream_ends(&plan.stdout, false).map_err(|e| stdio_failure(SetupStep::Stdout, e))?;
    let stderr =
        stream_ends(&plan.stderr, false).map_err(|e| stdio_failure(SetupStep::Stderr, e))?;
    let stderr_source = match plan.stderr {
        StdioTarget::SameAsStdout => stdout.child.as_ref(),
        _ => stderr.child.as_ref(),
    };
    let streams = [
        (
            stdin.child.as_ref().map(|f| f.as_raw_fd()),
            0,
            SetupStep::Stdin,
        ),
        (
            stdout.child.as_ref().map(|f| f.as_raw_fd()),
            1,
            SetupStep::Stdout,
        ),
        (stderr_source.map(|f| f.as_raw_fd()), 2, SetupStep::Stderr),
    ];

    let umask = plan.umask;
    let nice = plan.nice;
    let limits = &plan.limits;
    let no_new_privileges = plan.no_new_privileges;
    let (uid, gid) = (plan.uid, plan.gid);
    let bounding_set = plan.bounding_set;
    let ambient = plan.ambient;
    let last_cap = if bounding_set.is_some() || ambient != 0 {
        capabilities::last_capability()
    } else {
        0
    };
    let groups: &[u32] = &plan.supplementary_groups;
    let working_directory = match &plan.working_directory {
        Some(dir) => Some(c_string(dir.as_os_str().as_bytes()).map_err(|_| {
            stdio_failure(SetupStep::Chdir, io::Error::from_raw_os_error(libc::EINVAL))
        })?),
        None => None,
    };
    let cgroup_procs = plan.cgroup.as_ref().map(|(_, fd)| fd.0.as_raw_fd());
    // Runs in the child, in the supervisor's memory (see vfork.rs): only
    // system calls, on what was prepared above. Each failure names its
    // step (see the module's comment).
    let mut setup = || -> Result<(), i32> {
        let fail = |step: SetupStep| step.encode(errno_now());
        let failed = |step: SetupStep, errno: i32| step.encode(errno);
        // The supervisor's handlers must be gone before any signal is let
        // through: they would run in the supervisor's memory.
        reset_signal_dispositions();
        sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)
            .map_err(|e| failed(SetupStep::SignalMask, e as i32))?;
        // Its own session, hence its own process group: signals for the
        // service reach the whole group and never the supervisor.
        // SAFETY (this block and below): plain system calls on data
        // prepared before the clone.
        if unsafe { libc::setsid() } < 0 {
            return Err(fail(SetupStep::Setsid));
        }
        // Into the pool before anything of the service runs, and while
        // still privileged. "0" is the writing process itself.
        if let Some(fd) = cgroup_procs
            && unsafe { libc::write(fd, b"0".as_ptr().cast(), 1) } != 1
        {
            return Err(fail(SetupStep::Cgroup));
        }
        for (source, target, step) in streams {
            install_stream(source, target).map_err(|e| failed(step, e))?;
        }
        if let Some(mask) = umask {
            unsafe { libc::umask(mask as libc::mode_t) };
        }
        if let Some(n) = nice
            && unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, n) } != 0
        {
            return Err(fail(SetupStep::Nice));
        }
        for (i, (resource, soft, hard)) in limits.iter().enumerate() {
            set_limit_closest(*resource, *soft, *hard)
                .map_err(|e| failed(SetupStep::Limit(i as u8), e as i32))?;
        }
        // The bounding set can only shrink while still privileged.
        if let Some(keep) = bounding_set {
            capabilities::drop_bounding_set(keep, last_cap)
                .map_err(|e| failed(SetupStep::DropBoundingSet, e))?;
        }
        // Groups first: after setuid() they can no longer be changed.
        if uid.is_some() && raw_ids::setgroups(groups) != 0 {
            return Err(fail(SetupStep::ChangeGroups));
        }
        if let Some(gid) = gid
            && raw_ids::setgid(gid) != 0
        {
            return Err(fail(SetupStep::ChangeGroups));
        }
        if let Some(uid) = uid {
            if ambient != 0 && uid != 0 {
                capabilities::keep_capabilities_across_setuid()
                    .map_err(|e| failed(SetupStep::AmbientCapabilities, e))?;
            }
            if raw_ids::setuid(uid) != 0 {
                return Err(fail(SetupStep::ChangeUid));
            }
        }
        capabilities::raise_ambient(ambient, last_cap)
            .map_err(|e| failed(SetupStep::AmbientCapabilities, e))?;
        // As the service's user, as systemd does: a directory only root
        // may enter fails here.
        if let Some(dir) = &working_directory
            && unsafe { libc::chdir(dir.as_ptr()) } != 0
        {
            return Err(fail(SetupStep::Chdir));
        }
        if no_new_privileges && unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(fail(SetupStep::NoNewPrivileges));
        }
        // Descriptors the supervisor inherited without CLOEXEC must not
        // reach the service.
        unsafe {
            libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            )
        };
        Ok(())
    };
    let execve_failed = |errno: i32| errno & 0xffff;
    // SAFETY: `setup` makes system calls only, on the data above, which
    // outlives the call; argv and envp are null-terminated C strings.
    let pid = unsafe { vfork::spawn(&mut setup, &program, &argv, &envp, execve_failed) }.map_err(
        |e| match e {
            vfork::SpawnError::Clone(e) => e,
            vfork::SpawnError::Child(code) => failure_of(plan, code).into_io(),
        },
    )?;
    Ok(Spawned {
        pid,
        stdout: stdout.parent,
        stderr: stderr.parent,
    })
}

/// What to do about a limit the kernel refused with EPERM, given the
/// limit in force: systemd's setrlimit_closest().
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClosestLimit {
    /// The hard limit in force is unlimited, so EPERM had another cause:
    /// the start fails with it.
    Refused,
    /// Capped at the hard limit in force, the limit is the one in force.
    Unchanged,
    /// Set this (soft, hard) instead.
    Set(u64, u64),
}

/// A process without CAP_SYS_RESOURCE (a container's, as Docker and most
/// Kubernetes runtimes start it) may not raise its hard limit. systemd then
/// sets the closest limit it may: both values capped at the hard limit in
/// force, and it says so only at debug level.
pub(crate) fn closest_limit(wanted: (u64, u64), current: (u64, u64)) -> ClosestLimit {
    let (_, current_hard) = current;
    if current_hard == libc::RLIM_INFINITY {
        return ClosestLimit::Refused;
    }
    let fixed = (wanted.0.min(current_hard), wanted.1.min(current_hard));
    if fixed == current {
        ClosestLimit::Unchanged
    } else {
        ClosestLimit::Set(fixed.0, fixed.1)
    }
}

/// setrlimit(), and where the kernel refuses it with EPERM, the closest
/// limit that may be set (see [`closest_limit`]). Runs in the child: only
/// system calls.
fn set_limit_closest(resource: Resource, soft: u64, hard: u64) -> Result<(), Errno> {
    match setrlimit(resource, soft, hard) {
        Err(Errno::EPERM) => {}
        other => return other,
    }
    match closest_limit((soft, hard), getrlimit(resource)?) {
        ClosestLimit::Refused => Err(Errno::EPERM),
        ClosestLimit::Unchanged => Ok(()),
        ClosestLimit::Set(soft, hard) => setrlimit(resource, soft, hard),
    }
}

/// The pointers execve() takes: each string's, then a null.
fn null_terminated(strings: &[CString]) -> Vec<*const std::ffi::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
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
    fn stderr_same_as_stdout_is_one_pipe_in_the_order_written() {
        let mut plan = sh("for i in 1 2 3; do echo out$i; echo err$i >&2; done");
        plan.stdout = StdioTarget::Pipe;
        plan.stderr = StdioTarget::SameAsStdout;
        let spawned = spawn(&plan).unwrap();
        assert!(spawned.stderr.is_none());
        let mut out = String::new();
        std::fs::File::from(spawned.stdout.unwrap())
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "out1\nerr1\nout2\nerr2\nout3\nerr3\n");
        waitpid(spawned.pid, None).unwrap();
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
    fn the_callers_signal_mask_is_kept() {
        let mut usr2 = SigSet::empty();
        usr2.add(nix::sys::signal::Signal::SIGUSR2);
        let mut before = SigSet::empty();
        nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&usr2), Some(&mut before))
            .unwrap();
        let spawned = spawn(&sh("exit 0")).unwrap();
        waitpid(spawned.pid, None).unwrap();
        let mut after = SigSet::empty();
        nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&before), Some(&mut after))
            .unwrap();
        assert!(after.contains(nix::sys::signal::Signal::SIGUSR2));
        assert!(!after.contains(nix::sys::signal::Signal::SIGTERM));
    }

    #[test]
    fn a_change_of_user_stays_in_the_child() {
        let Some(nobody) = nobody_when_root() else {
            return;
        };
        // Another thread of this process, as the supervisor has several:
        // glibc's setuid() would have changed it too.
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || stopped.recv());
        let mut plan = sh("id -u");
        plan.uid = Some(nobody.uid.as_raw());
        plan.gid = Some(nobody.gid.as_raw());
        let out = status_of(&mut plan);
        assert_eq!(out, format!("{}\n", nobody.uid));
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            // Other tests' threads come and go.
            let Ok(status) = std::fs::read_to_string(task.unwrap().path().join("status")) else {
                continue;
            };
            let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
            assert_eq!(uid_line, "Uid:\t0\t0\t0\t0", "a thread changed user");
        }
        stop.send(()).unwrap();
        let _ = other.join();
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

    fn failure(plan: &ProcessPlan) -> SpawnFailure {
        let e = spawn(plan).expect_err("spawn should fail");
        SpawnFailure::from_io(&e).cloned().expect("a SpawnFailure")
    }

    #[test]
    fn a_missing_working_directory_fails_at_step_chdir() {
        let mut plan = sh("exit 0");
        plan.working_directory = Some("/nonexistent/dir".into());
        let f = failure(&plan);
        assert_eq!(f.step, SetupStep::Chdir);
        assert_eq!(f.step.exit_status(), 200);
        assert_eq!(f.step_name(), "CHDIR");
        assert_eq!(
            f.message,
            "Changing to the requested working directory failed: No such file or directory"
        );
    }

    #[test]
    fn a_failing_execve_is_step_exec() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("noexec");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        let plan = ProcessPlan::new(&script, vec!["noexec".into()]);
        let f = failure(&plan);
        assert_eq!(f.step, SetupStep::Execute);
        assert_eq!(f.step_name(), "EXEC");
        assert!(f.message.starts_with("Failed to execute "), "{}", f.message);
        assert_eq!(f.reason(), "Permission denied");
    }

    #[test]
    fn a_bad_limit_is_step_limits() {
        let mut plan = sh("exit 0");
        // soft above hard: EINVAL
        plan.limits = vec![(Resource::RLIMIT_NOFILE, 10, 5)];
        let f = failure(&plan);
        assert_eq!(f.step, SetupStep::Limit(0));
        assert_eq!(f.step_name(), "LIMITS");
        assert_eq!(
            f.message,
            "Failed to adjust resource limit RLIMIT_NOFILE: Invalid argument"
        );
    }

    #[test]
    fn a_limit_above_the_hard_one_is_capped_at_it() {
        // LimitNOFILE=65535 under 1024:4096: 4096:4096, as systemd sets it.
        assert_eq!(
            closest_limit((65535, 65535), (1024, 4096)),
            ClosestLimit::Set(4096, 4096)
        );
        // A soft limit below the hard one in force is kept.
        assert_eq!(
            closest_limit((2048, 8192), (1024, 4096)),
            ClosestLimit::Set(2048, 4096)
        );
        // infinity is a value like any other.
        let inf = libc::RLIM_INFINITY;
        assert_eq!(
            closest_limit((inf, inf), (1024, 4096)),
            ClosestLimit::Set(4096, 4096)
        );
        // Capped, it is what is in force already: nothing to set.
        assert_eq!(
            closest_limit((65535, 65535), (4096, 4096)),
            ClosestLimit::Unchanged
        );
        // Nothing is above an unlimited hard limit: EPERM meant something else.
        assert_eq!(closest_limit((10, 20), (5, inf)), ClosestLimit::Refused);
    }

    #[test]
    fn a_limit_that_may_be_set_is_set_as_asked() {
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        let mut plan = sh("echo $(ulimit -Sn) $(ulimit -Hn)");
        plan.limits = vec![(Resource::RLIMIT_NOFILE, 100, hard.min(200))];
        plan.stdout = StdioTarget::Pipe;
        let spawned = spawn(&plan).unwrap();
        let mut out = String::new();
        std::fs::File::from(spawned.stdout.unwrap())
            .read_to_string(&mut out)
            .unwrap();
        waitpid(spawned.pid, None).unwrap();
        assert_eq!(out, format!("100 {}\n", hard.min(200)));
    }

    #[test]
    fn steps_survive_the_trip_through_errno() {
        for step in [
            SetupStep::ChangeUid,
            SetupStep::DropBoundingSet,
            SetupStep::Limit(7),
            SetupStep::Directory(3),
        ] {
            let raw = step.encode(libc::EPERM);
            assert_eq!(SetupStep::from_code(raw >> 16), Some(step));
            assert_eq!(raw & 0xffff, libc::EPERM);
        }
        assert_eq!(SetupStep::Directory(0).exit_status(), 233);
        assert_eq!(SetupStep::Directory(1).exit_status(), 238);
        assert_eq!(SetupStep::Directory(4).exit_status(), 241);
    }

    /// The user nobody, for a test that changes to it (as root only).
    fn nobody_when_root() -> Option<nix::unistd::User> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: needs root");
            return None;
        }
        let nobody = nix::unistd::User::from_name("nobody").ok().flatten();
        if nobody.is_none() {
            eprintln!("skipped: no user nobody");
        }
        nobody
    }

    fn status_of(plan: &mut ProcessPlan) -> String {
        plan.stdout = StdioTarget::Pipe;
        let spawned = spawn(plan).unwrap();
        let mut out = String::new();
        std::fs::File::from(spawned.stdout.unwrap())
            .read_to_string(&mut out)
            .unwrap();
        waitpid(spawned.pid, None).unwrap();
        out
    }

    #[test]
    fn bounding_set_and_ambient_capabilities_reach_the_user() {
        let Some(nobody) = nobody_when_root() else {
            return;
        };
        let mut plan = sh("id -u; grep -E '^Cap(Bnd|Amb|Eff)' /proc/self/status");
        let net_bind = 1u64 << 10;
        plan.bounding_set = Some(net_bind);
        plan.ambient = net_bind;
        plan.uid = Some(nobody.uid.as_raw());
        plan.gid = Some(nobody.gid.as_raw());
        let out = status_of(&mut plan);
        assert!(out.starts_with(&format!("{}\n", nobody.uid)), "{out}");
        assert!(out.contains("CapBnd:\t0000000000000400"), "{out}");
        assert!(out.contains("CapAmb:\t0000000000000400"), "{out}");
        assert!(out.contains("CapEff:\t0000000000000400"), "{out}");
    }
}

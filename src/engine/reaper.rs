//! Collecting exited children. As PID 1 (or a child subreaper) the
//! supervisor inherits every orphan of every service and must wait for all
//! of them; the caller learns which PIDs ended and how.

use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use super::exit_status::ExitStatus;

/// Makes this process the reaper of its descendants' orphans, so that a
/// forking service's daemon is still our child when it exits.
pub fn become_subreaper() -> std::io::Result<()> {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer flag.
    let rc = unsafe { nix::libc::prctl(nix::libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Waits for every child that has ended, without blocking.
pub fn reap_exited() -> Vec<(Pid, ExitStatus)> {
    let mut ended = Vec::new();
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(nix::sys::wait::WaitStatus::StillAlive) => break,
            Ok(status) => {
                if let Some(exit) = ExitStatus::from_wait(status) {
                    ended.push(exit);
                }
            }
            Err(Errno::EINTR) => continue,
            Err(_) => break, // ECHILD: no children left
        }
    }
    ended
}

/// A child that ended, with the CPU time it (and the children it waited
/// for) used.
#[derive(Debug, Clone, Copy)]
pub struct Reaped {
    pub pid: Pid,
    pub status: ExitStatus,
    pub cpu_usec: u64,
}

/// Like [`reap_exited`], with each child's CPU time (wait4(2)'s rusage).
pub fn reap_exited_with_usage() -> Vec<Reaped> {
    let mut ended = Vec::new();
    loop {
        let mut raw_status: nix::libc::c_int = 0;
        // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
        let mut usage: nix::libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are to live locals of the right types.
        let pid = unsafe { nix::libc::wait4(-1, &mut raw_status, nix::libc::WNOHANG, &mut usage) };
        if pid == 0 {
            break;
        }
        if pid < 0 {
            if Errno::last() == Errno::EINTR {
                continue;
            }
            break; // ECHILD: no children left
        }
        let Ok(wait) = nix::sys::wait::WaitStatus::from_raw(Pid::from_raw(pid), raw_status) else {
            continue;
        };
        if let Some((pid, status)) = ExitStatus::from_wait(wait) {
            let to_usec = |t: nix::libc::timeval| {
                u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000
                    + u64::try_from(t.tv_usec).unwrap_or(0)
            };
            ended.push(Reaped {
                pid,
                status,
                cpu_usec: to_usec(usage.ru_utime) + to_usec(usage.ru_stime),
            });
        }
    }
    ended
}

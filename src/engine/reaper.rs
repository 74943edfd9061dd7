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

//! Watching a process that is not our child: a pidfd (pidfd_open(2)) is
//! readable once the process has exited, so the wait is an event on the
//! tokio reactor, not a poll of /proc. Signals go through the pidfd too
//! (pidfd_send_signal(2)), so a PID reused since cannot be hit.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::libc;
use nix::sys::signal::Signal;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// A process, held by a pidfd.
pub struct ProcessHandle {
    fd: OwnedFd,
}

impl AsRawFd for ProcessHandle {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl ProcessHandle {
    /// Opens a pidfd for `pid`; ESRCH when no such process exists.
    pub fn open(pid: u32) -> io::Result<ProcessHandle> {
        let pid =
            libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
        // SAFETY: pidfd_open takes a PID and flags and returns a new
        // descriptor or -1; nothing is borrowed.
        let rc = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        let raw = RawFd::try_from(rc).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
        // SAFETY: the kernel just gave us this descriptor; we own it alone.
        // pidfd_open sets O_CLOEXEC on it.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(ProcessHandle { fd })
    }

    /// Sends `signal` to the process the pidfd refers to (and to no other).
    pub fn signal(&self, signal: Signal) -> io::Result<()> {
        // SAFETY: the descriptor is open and ours; a null siginfo is allowed.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                signal as libc::c_int,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        if rc < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Resolves when the process has exited. Needs a tokio runtime with I/O.
    pub async fn exited(self) -> io::Result<()> {
        // SAFETY: the handle owns its descriptor and moves into the
        // AsyncFd, so the descriptor stays open and the same until drop.
        let watched = unsafe { AsyncFd::register_with_interest(self, Interest::READABLE) }?;
        let _ready = watched.readable().await?;
        Ok(())
    }
}

/// The start time of a process, in clock ticks since boot: field 22 of
/// /proc/PID/stat. With the PID, it names one process for good, since a
/// reused PID has a later start time. None for a zombie or no process.
pub fn process_start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    start_time_of_stat(&stat)
}

/// Field 22 of a /proc/PID/stat line; None for a zombie (state Z or X).
pub fn start_time_of_stat(stat: &str) -> Option<u64> {
    // The command name (field 2) is in parentheses and may hold anything,
    // spaces and ')' included: the fields that follow start after the last ')'.
    let (_, after_name) = stat.rsplit_once(')')?;
    let mut fields = after_name.split_ascii_whitespace();
    let state = fields.next()?;
    if matches!(state, "Z" | "X") {
        return None;
    }
    // `state` was field 3; field 22 is 19 further on.
    fields.nth(18)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_field_22_even_with_odd_command_names() {
        let stat = "4242 (we) ird (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615";
        assert_eq!(start_time_of_stat(stat), Some(987_654));
        let zombie = "4242 (sh) Z 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 0 0";
        assert_eq!(start_time_of_stat(zombie), None);
        assert_eq!(start_time_of_stat("garbage"), None);
        assert_eq!(start_time_of_stat("1 (x) S 1 2"), None);
    }

    #[test]
    fn this_process_has_a_start_time_and_a_pidfd() {
        let me = std::process::id();
        assert!(process_start_time(me).is_some());
        let handle = ProcessHandle::open(me).unwrap();
        // Signal 0 would be refused by the type; SIGCONT is harmless.
        handle.signal(Signal::SIGCONT).unwrap();
    }

    #[test]
    fn the_pidfd_of_a_process_that_exits_becomes_readable() {
        let mut child = std::process::Command::new("sleep")
            .arg("0.1")
            .spawn()
            .unwrap();
        let handle = ProcessHandle::open(child.id()).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(10), handle.exited())
                .await
                .expect("the exit is seen")
                .unwrap();
        });
        child.wait().unwrap();
        assert!(ProcessHandle::open(u32::MAX).is_err());
    }
}

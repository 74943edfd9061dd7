//! What tells the event loop that wall-clock time moved under it: a
//! CLOCK_REALTIME timerfd armed with TFD_TIMER_CANCEL_ON_SET (the kernel
//! cancels it whenever the clock is set), and inotify on /etc for a new
//! /etc/localtime. Calendar timers are computed again on either, as systemd
//! does; neither costs a wakeup while nothing changes.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// A timerfd the kernel cancels when CLOCK_REALTIME is set.
pub struct RealtimeClockWatch {
    fd: AsyncFd<TimerFdHandle>,
}

struct TimerFdHandle(TimerFd);

impl AsRawFd for TimerFdHandle {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

impl RealtimeClockWatch {
    pub fn new() -> io::Result<Self> {
        let timer = TimerFd::new(
            ClockId::CLOCK_REALTIME,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        arm_far_away(&timer)?;
        // SAFETY: the TimerFd is owned by the AsyncFd, so the descriptor
        // stays open and the same until it is dropped.
        let fd =
            unsafe { AsyncFd::register_with_interest(TimerFdHandle(timer), Interest::READABLE) }?;
        Ok(RealtimeClockWatch { fd })
    }

    /// Returns once the clock has been set since the last call.
    pub async fn changed(&mut self) -> io::Result<()> {
        loop {
            let mut guard = self.fd.readable().await?;
            let handle = guard.get_inner();
            let mut buf = [0u8; 8];
            let read = nix::unistd::read(handle.0.as_fd().as_raw_fd(), &mut buf);
            match read {
                Err(nix::errno::Errno::ECANCELED) => {
                    arm_far_away(&handle.0)?;
                    guard.clear_ready();
                    return Ok(());
                }
                Err(nix::errno::Errno::EAGAIN) => guard.clear_ready(),
                // The far-away expiry itself: arm again and keep watching.
                Ok(_) => {
                    arm_far_away(&handle.0)?;
                    guard.clear_ready();
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Arms the timer at the end of time, so it only ever fires by being
/// cancelled.
fn arm_far_away(timer: &TimerFd) -> io::Result<()> {
    timer.set(
        Expiration::OneShot(TimeSpec::new(i64::from(i32::MAX) * 64, 0)),
        TimerSetTimeFlags::TFD_TIMER_ABSTIME | TimerSetTimeFlags::TFD_TIMER_CANCEL_ON_SET,
    )?;
    Ok(())
}

/// inotify on /etc, for /etc/localtime being replaced or rewritten.
pub struct TimezoneWatch {
    fd: AsyncFd<InotifyHandle>,
}

struct InotifyHandle(Inotify);

impl AsRawFd for InotifyHandle {
    fn as_raw_fd(&self) -> RawFd {
        let fd: BorrowedFd<'_> = self.0.as_fd();
        fd.as_raw_fd()
    }
}

impl TimezoneWatch {
    pub fn new() -> io::Result<Self> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        inotify.add_watch(
            "/etc",
            AddWatchFlags::IN_CLOSE_WRITE
                | AddWatchFlags::IN_MOVED_TO
                | AddWatchFlags::IN_CREATE
                | AddWatchFlags::IN_DELETE,
        )?;
        // SAFETY: as above, the Inotify is owned by the AsyncFd.
        let fd =
            unsafe { AsyncFd::register_with_interest(InotifyHandle(inotify), Interest::READABLE) }?;
        Ok(TimezoneWatch { fd })
    }

    /// Returns once /etc/localtime has changed.
    pub async fn changed(&mut self) -> io::Result<()> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.get_inner().0.read_events() {
                Ok(events) => {
                    let localtime = events
                        .iter()
                        .any(|e| e.name.as_deref().is_some_and(|n| n == "localtime"));
                    if localtime {
                        return Ok(());
                    }
                }
                Err(nix::errno::Errno::EAGAIN) => guard.clear_ready(),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

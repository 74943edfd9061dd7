//! Waking a reader in another process (the journalctl face's `-f`) when
//! the writer adds to the store: an inotify watch on the journal
//! directory, awaited through tokio. In-process followers use the
//! writer's [`Notify`](tokio::sync::Notify) instead.

use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::Path;

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

struct InotifyFd(Inotify);

impl AsRawFd for InotifyFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

pub struct DirectoryWatch {
    inotify: AsyncFd<InotifyFd>,
}

impl DirectoryWatch {
    /// Watches `directory` for segments written, created, sealed or
    /// deleted. Needs a tokio runtime with I/O enabled.
    pub fn new(directory: &Path) -> io::Result<DirectoryWatch> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        let events = AddWatchFlags::IN_MODIFY
            | AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_DELETE_SELF;
        inotify.add_watch(directory, events)?;
        // SAFETY: the Inotify owns its descriptor and is moved into the
        // AsyncFd, so the descriptor stays open and the same until drop.
        let inotify =
            unsafe { AsyncFd::register_with_interest(InotifyFd(inotify), Interest::READABLE) }?;
        Ok(DirectoryWatch { inotify })
    }

    /// Waits until something changed in the directory, then drains the
    /// queued events (one wake-up for a burst of writes).
    pub async fn changed(&self) -> io::Result<()> {
        loop {
            let mut ready = self.inotify.readable().await?;
            match ready.get_inner().0.read_events() {
                Ok(events) if !events.is_empty() => {
                    while ready
                        .get_inner()
                        .0
                        .read_events()
                        .is_ok_and(|more| !more.is_empty())
                    {}
                    ready.clear_ready();
                    return Ok(());
                }
                Ok(_) | Err(nix::errno::Errno::EAGAIN) => ready.clear_ready(),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

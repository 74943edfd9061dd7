//! The watches of forking services that wait for their PID files: one
//! inotify instance for all of them, awaited by the supervisor's loop. As
//! systemd's path_spec_watch() does for a `PIDFile=` that is not there yet,
//! a unit waits on the file's directory, or, while that does not exist, on
//! the nearest ancestor that does, for the entry on its way to the file;
//! the service reads the file again at each change and then watches again
//! (one level deeper once a directory has appeared).

use std::cell::RefCell;
use std::ffi::OsString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// systemd's PATH_CHANGED mask: an entry created, written and closed,
/// moved in or out, removed, or its attributes changed; and the watched
/// directory itself removed or moved.
fn changes() -> AddWatchFlags {
    AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_CLOSE_WRITE
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_MOVED_FROM
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_ATTRIB
        | AddWatchFlags::IN_DELETE_SELF
        | AddWatchFlags::IN_MOVE_SELF
}

struct InotifyFd(Inotify);

impl AsRawFd for InotifyFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// One unit waiting: the directory it watches and the entry in it that is
/// on the way to its PID file.
struct Waiter {
    unit: String,
    wd: WatchDescriptor,
    entry: OsString,
}

pub struct PidFileWatch {
    inotify: AsyncFd<InotifyFd>,
    waiters: RefCell<Vec<Waiter>>,
}

impl PidFileWatch {
    /// Needs a tokio runtime with I/O enabled (the supervisor's).
    pub fn new() -> io::Result<PidFileWatch> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(io::Error::other("no event loop to watch PID files from"));
        }
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        // SAFETY: the Inotify owns its descriptor and is moved into the
        // AsyncFd, so the descriptor stays open and the same until drop.
        let inotify =
            unsafe { AsyncFd::register_with_interest(InotifyFd(inotify), Interest::READABLE) }?;
        Ok(PidFileWatch {
            inotify,
            waiters: RefCell::new(Vec::new()),
        })
    }

    /// Makes `unit` wait for `path`, replacing what it waited on before.
    /// The new watch is set before the old one goes: a directory watched
    /// again keeps its watch (inotify gives the same descriptor), so no
    /// change falls between the two.
    pub fn watch(&self, unit: &str, path: &str) -> io::Result<()> {
        let (directory, entry) = nearest_existing(Path::new(path));
        let wd = self.inotify.get_ref().0.add_watch(&directory, changes())?;
        let mut waiters = self.waiters.borrow_mut();
        let old = waiters
            .iter()
            .position(|w| w.unit == unit)
            .map(|i| waiters.remove(i));
        waiters.push(Waiter {
            unit: unit.to_string(),
            wd,
            entry,
        });
        if let Some(old) = old {
            self.forget_unused(&waiters, old.wd);
        }
        Ok(())
    }

    /// `unit` waits no longer; a directory nobody else waits on is no
    /// longer watched.
    pub fn unwatch(&self, unit: &str) {
        let mut waiters = self.waiters.borrow_mut();
        let Some(i) = waiters.iter().position(|w| w.unit == unit) else {
            return;
        };
        let gone = waiters.remove(i);
        self.forget_unused(&waiters, gone.wd);
    }

    /// Removes the watch `wd` unless a unit still waits on it.
    fn forget_unused(&self, waiters: &[Waiter], wd: WatchDescriptor) {
        if !waiters.iter().any(|w| w.wd == wd) {
            // The directory may be gone already, and its watch with it.
            let _ = self.inotify.get_ref().0.rm_watch(wd);
        }
    }

    /// Waits for changes on the way to a waited-for PID file; returns the
    /// units that should read theirs again (none when what changed was
    /// some other entry of a watched directory).
    pub async fn changed(&self) -> io::Result<Vec<String>> {
        let mut ready = self.inotify.readable().await?;
        let mut units: Vec<String> = Vec::new();
        loop {
            match ready.get_inner().0.read_events() {
                Ok(events) if !events.is_empty() => {
                    let waiters = self.waiters.borrow();
                    for event in &events {
                        let overflow = event.mask.contains(AddWatchFlags::IN_Q_OVERFLOW);
                        for w in waiters.iter() {
                            let concerned = overflow
                                || (w.wd == event.wd
                                    && event.name.as_ref().is_none_or(|n| *n == w.entry));
                            if concerned && !units.contains(&w.unit) {
                                units.push(w.unit.clone());
                            }
                        }
                    }
                }
                Ok(_) | Err(nix::errno::Errno::EAGAIN) => {
                    ready.clear_ready();
                    return Ok(units);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The directory to watch for `path` and the entry in it on the way to
/// the file: its own directory and name while that directory exists, else
/// the nearest ancestor that does and the component below it.
fn nearest_existing(path: &Path) -> (PathBuf, OsString) {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        Path::new("/").join(path)
    };
    let mut entry = absolute.file_name().map(OsString::from).unwrap_or_default();
    let mut directory = absolute
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    while !directory.is_dir() {
        let Some(parent) = directory.parent() else {
            break;
        };
        entry = directory
            .file_name()
            .map(OsString::from)
            .unwrap_or_default();
        directory = parent.to_path_buf();
    }
    (directory, entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_waited_for_in_its_nearest_existing_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/daemon.pid");
        let (watched, entry) = nearest_existing(&file);
        assert_eq!(watched, dir.path());
        assert_eq!(entry, "a");
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        let (watched, entry) = nearest_existing(&file);
        assert_eq!(watched, dir.path().join("a/b"));
        assert_eq!(entry, "daemon.pid");
    }

    #[test]
    fn the_file_that_appears_wakes_its_unit_and_a_neighbour_does_not() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let watch = PidFileWatch::new().unwrap();
            let pid_file = dir.path().join("daemon.pid");
            watch
                .watch("d.service", pid_file.to_str().unwrap())
                .unwrap();
            std::fs::write(dir.path().join("other.pid"), "1\n").unwrap();
            std::fs::write(&pid_file, "42\n").unwrap();
            let mut woken = Vec::new();
            while woken.is_empty() {
                woken = watch.changed().await.unwrap();
            }
            assert_eq!(woken, vec!["d.service".to_string()]);
            // Watched again, the directory still reports changes.
            watch
                .watch("d.service", pid_file.to_str().unwrap())
                .unwrap();
            std::fs::write(&pid_file, "43\n").unwrap();
            let mut woken = Vec::new();
            while woken.is_empty() {
                woken = watch.changed().await.unwrap();
            }
            assert_eq!(woken, vec!["d.service".to_string()]);
            watch.unwatch("d.service");
            assert!(watch.waiters.borrow().is_empty());
        });
    }
}

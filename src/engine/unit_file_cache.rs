//! `UnitFileState=` and `UnitFilePreset=` for `show` and `status`, kept
//! between calls as systemd keeps them. Working them out reads every
//! directory of the search path and every link in it; an inotify watch on
//! those directories (and the `*.wants/`, `*.d/` ... in them) says when
//! that must be done again: any change (a link made or removed, a preset
//! file written) drops every kept answer. Checking costs one read() that
//! finds nothing.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

#[derive(Debug, Default)]
pub struct UnitFileStateCache {
    /// What the answers were worked out from, and the watch on it.
    watched: Option<(Vec<PathBuf>, DirWatch)>,
    answers: HashMap<String, (String, String)>,
}

impl UnitFileStateCache {
    /// The answer for `unit`, worked out by `compute` unless it is kept and
    /// nothing in the directories `dirs` has changed since.
    pub fn get(
        &mut self,
        dirs: &[PathBuf],
        unit: &str,
        compute: impl FnOnce() -> (String, String),
    ) -> (String, String) {
        let unchanged = self
            .watched
            .as_ref()
            .is_some_and(|(watched, watch)| watched == dirs && watch.unchanged());
        if !unchanged {
            self.answers.clear();
            // Watching first: a change made while the answer is worked out
            // drops it at the next call. Without a watch nothing is kept.
            self.watched = DirWatch::new(dirs).ok().map(|w| (dirs.to_vec(), w));
        }
        if self.watched.is_none() {
            return compute();
        }
        self.answers
            .entry(unit.to_string())
            .or_insert_with(compute)
            .clone()
    }
}

/// inotify on each directory, on each directory in it, and, for one that
/// does not exist, on its nearest existing parent (for its creation).
#[derive(Debug)]
struct DirWatch(Inotify);

impl DirWatch {
    fn new(dirs: &[PathBuf]) -> nix::Result<DirWatch> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
        let changes = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_MODIFY
            | AddWatchFlags::IN_ATTRIB
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF;
        for dir in dirs {
            let Ok(entries) = fs::read_dir(dir) else {
                if let Some(parent) = existing_parent(dir) {
                    inotify.add_watch(&parent, changes)?;
                }
                continue;
            };
            inotify.add_watch(dir.as_path(), changes)?;
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    inotify.add_watch(&entry.path(), changes)?;
                }
            }
        }
        Ok(DirWatch(inotify))
    }

    /// Whether no event has come since the watch began. A read that finds
    /// events consumes them, but the cache then drops this watch anyway.
    fn unchanged(&self) -> bool {
        matches!(self.0.read_events(), Err(nix::errno::Errno::EAGAIN))
    }
}

fn existing_parent(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .skip(1)
        .find(|d| d.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_until_a_link_changes_a_directory() {
        let root = tempfile::tempdir().unwrap();
        let wants = root.path().join("multi-user.target.wants");
        fs::create_dir(&wants).unwrap();
        let dirs = vec![root.path().to_path_buf()];
        let mut cache = UnitFileStateCache::default();
        let computed = std::cell::Cell::new(0);
        let ask_in = |cache: &mut UnitFileStateCache, dirs: &[PathBuf]| {
            cache.get(dirs, "a.service", || {
                computed.set(computed.get() + 1);
                ("disabled".into(), "enabled".into())
            })
        };
        let ask = |cache: &mut UnitFileStateCache| ask_in(cache, &dirs);
        ask(&mut cache);
        ask(&mut cache);
        assert_eq!(computed.get(), 1);
        std::os::unix::fs::symlink("/x/a.service", wants.join("a.service")).unwrap();
        ask(&mut cache);
        assert_eq!(computed.get(), 2);
        ask(&mut cache);
        assert_eq!(computed.get(), 2);
        // A preset file rewritten in place, and a directory of the search
        // path that comes into being.
        let preset = root.path().join("90-x.preset");
        fs::write(&preset, "enable a.service\n").unwrap();
        ask(&mut cache);
        assert_eq!(computed.get(), 3);
        fs::write(&preset, "disable a.service\n").unwrap();
        ask(&mut cache);
        assert_eq!(computed.get(), 4);
        let later = root.path().join("later/system");
        let both = vec![root.path().to_path_buf(), later.clone()];
        let ask_both = |cache: &mut UnitFileStateCache| ask_in(cache, &both);
        ask_both(&mut cache);
        ask_both(&mut cache);
        assert_eq!(computed.get(), 5);
        fs::create_dir_all(&later).unwrap();
        ask_both(&mut cache);
        assert_eq!(computed.get(), 6);
    }
}

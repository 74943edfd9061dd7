//! `UnitFileState=` and `UnitFilePreset=` for `show` and `status`, kept
//! between calls as systemd keeps them. Working them out reads every
//! directory of the search path and every link in it; checking that none of
//! those directories changed since is a stat of each. Any change (a link
//! made or removed, a preset file added) drops every kept answer.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A directory as it was: its inode and when it last changed.
type DirStamp = (PathBuf, Option<(u64, i64, i64)>);

#[derive(Debug, Default)]
pub struct UnitFileStateCache {
    stamps: Vec<DirStamp>,
    answers: HashMap<String, (String, String)>,
}

impl UnitFileStateCache {
    /// The answer for `unit`, worked out by `compute` unless it is kept and
    /// the directories `dirs` (and the directories in them) are unchanged.
    pub fn get(
        &mut self,
        dirs: &[PathBuf],
        unit: &str,
        compute: impl FnOnce() -> (String, String),
    ) -> (String, String) {
        let stamps = stamps(dirs);
        if stamps != self.stamps {
            self.stamps = stamps;
            self.answers.clear();
        }
        self.answers
            .entry(unit.to_string())
            .or_insert_with(compute)
            .clone()
    }
}

/// Each directory and, one level down, each directory in it (`*.wants/`,
/// `*.requires/`, `*.d/`): a link made or removed changes the one it is in.
fn stamps(dirs: &[PathBuf]) -> Vec<DirStamp> {
    let mut out = Vec::new();
    for dir in dirs {
        out.push(stamp(dir));
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut subdirs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        subdirs.sort();
        out.extend(subdirs.iter().map(|d| stamp(d)));
    }
    out
}

fn stamp(dir: &Path) -> DirStamp {
    let meta = fs::metadata(dir)
        .ok()
        .map(|m| (m.ino(), m.mtime(), m.mtime_nsec()));
    (dir.to_path_buf(), meta)
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
        let ask = |cache: &mut UnitFileStateCache| {
            cache.get(&dirs, "a.service", || {
                computed.set(computed.get() + 1);
                ("disabled".into(), "enabled".into())
            })
        };
        ask(&mut cache);
        ask(&mut cache);
        assert_eq!(computed.get(), 1);
        std::os::unix::fs::symlink("/x/a.service", wants.join("a.service")).unwrap();
        ask(&mut cache);
        assert_eq!(computed.get(), 2);
    }
}

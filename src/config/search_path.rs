//! The unit search path (systemd.unit(5), "UNIT FILE LOAD PATH"): where
//! unit files are looked for, highest priority first.

use std::path::{Path, PathBuf};

use super::dialect::Dialect;

/// runr's default directories, highest priority first: its own, then
/// systemd's system directories in the order Debian's systemd 252 searches
/// them (`/lib` before `/usr/lib`: where one is a link to the other, a
/// vendor unit is known as `/lib/systemd/system/NAME`, as systemd names it).
pub const DEFAULT_DIRS: &[&str] = &[
    "/etc/runr",
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
];

/// The environment variable that replaces the path: `dir1:dir2`; a trailing
/// `:` appends the defaults, as `SYSTEMD_UNIT_PATH` does.
pub const ENV_VAR: &str = "RUNR_UNIT_PATH";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPath {
    pub dirs: Vec<PathBuf>,
    /// The dialect every directory is read in; by default each directory
    /// has its own (config/dialect.rs). `RUNR_DIALECT` sets it.
    pub dialect: Option<Dialect>,
}

impl Default for SearchPath {
    fn default() -> Self {
        SearchPath {
            dirs: DEFAULT_DIRS.iter().map(PathBuf::from).collect(),
            dialect: Dialect::forced_by_env(),
        }
    }
}

impl SearchPath {
    pub fn new(dirs: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        let mut path = SearchPath {
            dirs: Vec::new(),
            dialect: Dialect::forced_by_env(),
        };
        for d in dirs {
            path.push(d.into());
        }
        path
    }

    /// The path `RUNR_UNIT_PATH` asks for, or the default.
    pub fn from_env() -> Self {
        match std::env::var(ENV_VAR) {
            Ok(value) => Self::parse(&value),
            Err(_) => Self::default(),
        }
    }

    /// Parses `dir1:dir2[:]`; empty components are skipped, a trailing
    /// colon appends the defaults.
    pub fn parse(value: &str) -> Self {
        let mut path = SearchPath::new(value.split(':').filter(|d| !d.is_empty()));
        if value.ends_with(':') {
            for d in DEFAULT_DIRS {
                path.push(PathBuf::from(d));
            }
        }
        path
    }

    /// Every directory read in `dialect`.
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = Some(dialect);
        self
    }

    /// The dialect of a unit whose main file is `fragment`.
    pub fn dialect_of(&self, fragment: &Path) -> Dialect {
        self.dialect
            .unwrap_or_else(|| Dialect::of_fragment(fragment))
    }

    /// Puts directories in front (as `verify` does with the directories of
    /// the files it is given), dropping later duplicates.
    pub fn prepend(&mut self, dirs: &[PathBuf]) {
        let mut new = SearchPath::new(dirs.iter().cloned());
        new.dialect = self.dialect;
        for d in self.dirs.drain(..) {
            new.push(d);
        }
        *self = new;
    }

    fn push(&mut self, dir: PathBuf) {
        if !self.dirs.contains(&dir) {
            self.dirs.push(dir);
        }
    }

    pub fn contains(&self, dir: &Path) -> bool {
        self.dirs.iter().any(|d| d == dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_defaults() {
        assert_eq!(
            SearchPath::parse("/a:/b").dirs,
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let with_defaults = SearchPath::parse("/a:");
        assert_eq!(with_defaults.dirs[0], PathBuf::from("/a"));
        assert_eq!(with_defaults.dirs.len(), 1 + DEFAULT_DIRS.len());
        assert_eq!(SearchPath::parse("/a::/a").dirs, vec![PathBuf::from("/a")]);
    }

    #[test]
    fn prepend_moves_to_front_without_duplicates() {
        let mut p = SearchPath::parse("/a:/b");
        p.prepend(&[PathBuf::from("/b"), PathBuf::from("/c")]);
        assert_eq!(
            p.dirs,
            vec![
                PathBuf::from("/b"),
                PathBuf::from("/c"),
                PathBuf::from("/a")
            ]
        );
    }
}

//! Enablement on the unit files (systemd.unit(5), "[Install] Section
//! Options"; systemctl(1), "Unit File Commands"): what `systemctl enable`,
//! `disable`, `reenable`, `mask`, `unmask`, `link`, `preset`, `is-enabled`
//! and `list-unit-files` do to and read from the file system.
//!
//! No manager is needed: the systemctl face calls this with or without a
//! running daemon (a Dockerfile's RUN step), and the daemon can call it for
//! the API's enable and disable. Every operation answers the list of changes
//! made (`Created symlink ...`, `Removed ...`) and the problems met, so that
//! the caller prints them the way systemctl does.
//!
//! Paths are kept "logical" (as seen from inside `--root=`) and shown with
//! the root in front, as systemctl shows them; symlinks are written with
//! logical targets, so that the tree works once it becomes `/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

use super::autostart::AutostartUnit;
use super::dialect::Dialect;
use super::search_path::{self, SearchPath};
use super::unit_name::{self, NameShape};
use crate::syntax::unit_file;
pub use crate::syntax::fnmatch::fnmatch;

/// Where systemd keeps the admin's enablement links.
pub const PERSISTENT_CONFIG: &str = "/etc/systemd/system";
/// Where `--runtime` enablement links go.
pub const RUNTIME_CONFIG: &str = "/run/systemd/system";
/// Preset directories, highest priority first.
pub const PRESET_DIRS: &[&str] = &[
    "/etc/systemd/system-preset",
    "/run/systemd/system-preset",
    "/usr/local/lib/systemd/system-preset",
    "/usr/lib/systemd/system-preset",
    "/lib/systemd/system-preset",
];

/// The unit the system boots into, a link to the target chosen.
pub const DEFAULT_TARGET: &str = "default.target";

/// Symlinks are followed at most this far (systemd's CHASE limit).
const MAX_LINK_HOPS: usize = 32;

/// The directories the unit-file operations work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallPaths {
    /// `--root=`; None for the running system.
    root: Option<PathBuf>,
    /// The unit search path, highest priority first (logical paths).
    pub search: Vec<PathBuf>,
    /// Where `enable` writes (`/etc/systemd/system`).
    pub persistent: PathBuf,
    /// Where `enable --runtime` writes; None where the path has no such dir.
    pub runtime: Option<PathBuf>,
    pub preset_dirs: Vec<PathBuf>,
    /// The dialect every directory is read in, when one is imposed.
    pub dialect: Option<Dialect>,
}

impl InstallPaths {
    /// The running system: runr's unit search path (`RUNR_UNIT_PATH` when
    /// set), links written to /etc/systemd/system, or to the first directory
    /// of `RUNR_UNIT_PATH` when that path does not hold it.
    pub fn system() -> Self {
        Self::from_search_path(SearchPath::from_env(), None)
    }

    /// An image or a chroot at `root` (`systemctl --root=`): runr's default
    /// directories inside it.
    pub fn with_root(root: &Path) -> Self {
        Self::from_search_path(SearchPath::default(), Some(root.to_path_buf()))
    }

    pub fn from_search_path(path: SearchPath, root: Option<PathBuf>) -> Self {
        let dialect = path.dialect;
        let search = path.dirs;
        let persistent =
            if search.iter().any(|d| d == Path::new(PERSISTENT_CONFIG)) || search.is_empty() {
                PathBuf::from(PERSISTENT_CONFIG)
            } else {
                search[0].clone()
            };
        let runtime = search
            .iter()
            .any(|d| d == Path::new(RUNTIME_CONFIG))
            .then(|| PathBuf::from(RUNTIME_CONFIG));
        let default_path = search.len() == search_path::DEFAULT_DIRS.len()
            && search
                .iter()
                .zip(search_path::DEFAULT_DIRS)
                .all(|(a, b)| a == Path::new(b));
        // Presets live beside the default path; a custom path (tests) keeps
        // its presets in `<first dir>-preset` when there is one.
        let preset_dirs = if default_path || root.is_some() {
            PRESET_DIRS.iter().map(PathBuf::from).collect()
        } else {
            let mut dirs: Vec<PathBuf> = search
                .first()
                .map(|d| vec![PathBuf::from(format!("{}-preset", d.display()))])
                .unwrap_or_default();
            dirs.extend(PRESET_DIRS.iter().map(PathBuf::from));
            dirs
        };
        InstallPaths {
            root,
            search,
            persistent,
            runtime,
            preset_dirs,
            dialect,
        }
    }

    /// Where a logical path is on this machine.
    pub fn host(&self, logical: &Path) -> PathBuf {
        match &self.root {
            None => logical.to_path_buf(),
            Some(root) => root.join(logical.strip_prefix("/").unwrap_or(logical)),
        }
    }

    /// A logical path as systemctl prints it: with the root in front.
    pub fn shown(&self, logical: &Path) -> String {
        self.host(logical).display().to_string()
    }
}

/// `systemctl is-enabled`'s words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitFileState {
    Enabled,
    EnabledRuntime,
    Linked,
    LinkedRuntime,
    Alias,
    Masked,
    MaskedRuntime,
    Static,
    Disabled,
    Indirect,
    Generated,
    Transient,
    Bad,
}

impl UnitFileState {
    pub const ALL: [UnitFileState; 13] = [
        UnitFileState::Enabled,
        UnitFileState::EnabledRuntime,
        UnitFileState::Linked,
        UnitFileState::LinkedRuntime,
        UnitFileState::Alias,
        UnitFileState::Masked,
        UnitFileState::MaskedRuntime,
        UnitFileState::Static,
        UnitFileState::Disabled,
        UnitFileState::Indirect,
        UnitFileState::Generated,
        UnitFileState::Transient,
        UnitFileState::Bad,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitFileState::Enabled => "enabled",
            UnitFileState::EnabledRuntime => "enabled-runtime",
            UnitFileState::Linked => "linked",
            UnitFileState::LinkedRuntime => "linked-runtime",
            UnitFileState::Alias => "alias",
            UnitFileState::Masked => "masked",
            UnitFileState::MaskedRuntime => "masked-runtime",
            UnitFileState::Static => "static",
            UnitFileState::Disabled => "disabled",
            UnitFileState::Indirect => "indirect",
            UnitFileState::Generated => "generated",
            UnitFileState::Transient => "transient",
            UnitFileState::Bad => "bad",
        }
    }

    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// `is-enabled` exits 0 for these.
    pub fn counts_as_enabled(self) -> bool {
        matches!(
            self,
            UnitFileState::Enabled
                | UnitFileState::EnabledRuntime
                | UnitFileState::Static
                | UnitFileState::Alias
                | UnitFileState::Indirect
                | UnitFileState::Generated
                | UnitFileState::Transient
        )
    }

    /// The PRESET column and the status line's `preset:` are left out for these.
    pub fn shows_preset(self) -> bool {
        !matches!(
            self,
            UnitFileState::Alias
                | UnitFileState::Static
                | UnitFileState::Generated
                | UnitFileState::Transient
        )
    }
}

/// What a preset file says of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Enable,
    Disable,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Enable => "enabled",
            Preset::Disable => "disabled",
        }
    }
}

/// One change made to the file system, as systemctl reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `Created symlink LINK → TARGET.`
    Symlink { link: String, target: String },
    /// `Removed "PATH".`
    Unlink { path: String },
    /// A drop-in written to turn runr's `Autostart=` on or off.
    DropIn { path: String, setting: String },
}

/// What stopped an operation, or was worth a word.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstallError {
    #[error("unit {0} does not exist")]
    NotFound(String),
    /// The masking file (shown path).
    #[error("unit {0} is masked")]
    Masked(String),
    /// A file is where a link was to go.
    #[error("file {0} already exists")]
    Exists(String),
    /// A symlink is where a link was to go, pointing elsewhere.
    #[error("file {path} already exists and is a symlink to {target}")]
    LinkClash { path: String, target: String },
    #[error("destination unit {destination} is a non-template unit")]
    NonTemplateDestination { unit: String, destination: String },
    #[error("\"{0}\" is not a valid unit name")]
    InvalidName(String),
    #[error("file {path}: {reason}")]
    Io { path: String, reason: String },
    /// systemd's -EINVAL: `set-default` of what is not a target.
    #[error("Invalid argument")]
    InvalidArgument,
}

impl InstallError {
    /// What systemctl prints when it did the work itself (no manager).
    pub fn offline_text(&self, verb: &str) -> String {
        match self {
            InstallError::NotFound(name) => {
                format!("Failed to {verb} unit, unit {name} does not exist.")
            }
            InstallError::Masked(path) => format!("Failed to {verb} unit, unit {path} is masked."),
            InstallError::Exists(path) => {
                format!("Failed to {verb} unit, file \"{path}\" already exists.")
            }
            InstallError::LinkClash { path, target } => format!(
                "Failed to {verb} unit, file \"{path}\" already exists and is a symlink to \"{target}\"."
            ),
            InstallError::NonTemplateDestination { unit, destination } => format!(
                "Failed to {verb} {unit}, destination unit {destination} is a non-template unit."
            ),
            InstallError::InvalidName(name) => {
                format!("Failed to {verb} unit, \"{name}\" is not a valid unit name.")
            }
            InstallError::Io { path, reason } => {
                format!("Failed to {verb} unit, file \"{path}\": {reason}.")
            }
            InstallError::InvalidArgument => format!("Failed to {verb}: Invalid argument."),
        }
    }

    /// What systemctl prints when the manager did the work and refused.
    pub fn online_text(&self, verb: &str) -> String {
        format!("Failed to {verb} unit: {}", self.online_reason())
    }

    /// The manager's words for the refusal (its D-Bus error message).
    pub fn online_reason(&self) -> String {
        match self {
            InstallError::NotFound(name) => format!("Unit file {name} does not exist."),
            InstallError::Masked(path) => format!("Unit file {path} is masked."),
            InstallError::Exists(path) => format!("File {path} already exists."),
            InstallError::LinkClash { path, target } => {
                format!("File {path} already exists and is a symlink to {target}.")
            }
            InstallError::NonTemplateDestination { destination, .. } => {
                format!("Destination unit {destination} is a non-template unit.")
            }
            InstallError::InvalidName(name) => format!("Unit name {name} is not valid."),
            InstallError::Io { path, reason } => format!("{path}: {reason}"),
            InstallError::InvalidArgument => "Invalid argument".to_string(),
        }
    }
}

/// The result of an operation: what was changed before it ended, and what
/// went wrong. `failed` says whether systemctl exits non-zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub changes: Vec<Change>,
    pub problems: Vec<InstallError>,
    pub failed: bool,
    /// Whether any unit had an [Install] section that says how to enable it.
    pub carries_install_info: bool,
}

impl Outcome {
    fn fail(&mut self, error: InstallError) {
        self.problems.push(error);
        self.failed = true;
    }
}

/// The [Install] section of a unit file, specifiers resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallInfo {
    pub wanted_by: Vec<String>,
    pub required_by: Vec<String>,
    pub upheld_by: Vec<String>,
    pub also: Vec<String>,
    pub alias: Vec<String>,
    pub default_instance: Option<String>,
}

impl InstallInfo {
    fn has_rules(&self) -> bool {
        !self.wanted_by.is_empty()
            || !self.required_by.is_empty()
            || !self.upheld_by.is_empty()
            || !self.alias.is_empty()
    }

    fn carries_install_info(&self) -> bool {
        self.has_rules() || !self.also.is_empty() || self.default_instance.is_some()
    }
}

/// A unit file found on the search path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFileInfo {
    /// The unit's own name (for an alias: the name of the file it leads to).
    pub name: String,
    /// The name asked for.
    pub asked: String,
    /// The unit file (logical path), after every symlink.
    pub path: PathBuf,
    /// The search-path entry that answered for the name (logical path).
    pub entry: PathBuf,
    /// The name asked is another name of the unit.
    pub is_alias: bool,
    /// The masking file, if the unit is masked.
    pub masked_by: Option<PathBuf>,
    pub install: InstallInfo,
}

/// Every unit-file operation, on one set of directories.
pub struct Installer {
    pub paths: InstallPaths,
}

impl Installer {
    pub fn new(paths: InstallPaths) -> Self {
        Installer { paths }
    }

    // Looking units up.

    /// The first search-path entry named `name`.
    fn lookup(&self, name: &str) -> Option<PathBuf> {
        self.paths
            .search
            .iter()
            .map(|dir| dir.join(name))
            .find(|p| fs::symlink_metadata(self.paths.host(p)).is_ok())
    }

    /// Follows `logical` through symlinks (inside the root) to the file it
    /// names; `/dev/null` ends the chase.
    fn chase(&self, logical: &Path) -> PathBuf {
        let mut current = logical.to_path_buf();
        for _ in 0..MAX_LINK_HOPS {
            if current == Path::new("/dev/null") {
                break;
            }
            match fs::read_link(self.paths.host(&current)) {
                Ok(target) => current = absolutise(&current, &target),
                Err(_) => break,
            }
        }
        current
    }

    fn is_null_or_empty(&self, logical: &Path) -> bool {
        if logical == Path::new("/dev/null") {
            return true;
        }
        match fs::metadata(self.paths.host(logical)) {
            Ok(meta) => meta.file_type().is_char_device() || (meta.is_file() && meta.len() == 0),
            Err(_) => false,
        }
    }

    /// Finds a unit file and reads its [Install] section.
    pub fn discover(&self, name: &str) -> Result<UnitFileInfo, InstallError> {
        let Some((shape, _)) = unit_name::classify(name) else {
            return Err(InstallError::InvalidName(name.to_string()));
        };
        let entry = match self.lookup(name) {
            Some(entry) => entry,
            None => unit_name::template_of(name)
                .and_then(|t| self.lookup(&t))
                .ok_or_else(|| InstallError::NotFound(name.to_string()))?,
        };
        let path = self.chase(&entry);
        if self.is_null_or_empty(&path) {
            return Ok(UnitFileInfo {
                name: name.to_string(),
                asked: name.to_string(),
                path: path.clone(),
                entry: entry.clone(),
                is_alias: false,
                masked_by: Some(entry),
                install: InstallInfo::default(),
            });
        }
        let file_name = base_name(&path);
        let entry_name = base_name(&entry);
        // An instance read from its template is the instance, not an alias.
        let own_name = if shape == NameShape::Instance && entry_name != name {
            match (unit_name::instance_of(name), &file_name) {
                (Some(instance), f) if f.contains("@.") => {
                    unit_name::with_instance(f, instance).unwrap_or_else(|| name.to_string())
                }
                _ => name.to_string(),
            }
        } else if file_name != name && unit_name::is_valid(&file_name) {
            file_name.clone()
        } else {
            name.to_string()
        };
        let is_alias = own_name != name;
        let bytes = fs::read(self.paths.host(&path)).map_err(|e| InstallError::Io {
            path: self.paths.shown(&path),
            reason: crate::engine::errno_text(&e),
        })?;
        let install = read_install_section(&bytes, &own_name);
        Ok(UnitFileInfo {
            name: own_name,
            asked: name.to_string(),
            path,
            entry,
            is_alias,
            masked_by: None,
            install,
        })
    }

    // Reading states.

    /// `systemctl is-enabled NAME`.
    pub fn state(&self, name: &str) -> Result<UnitFileState, InstallError> {
        let info = self.discover(name)?;
        if let Some(mask) = &info.masked_by {
            let in_runtime = self
                .paths
                .runtime
                .as_ref()
                .is_some_and(|r| mask.starts_with(r));
            return Ok(if in_runtime {
                UnitFileState::MaskedRuntime
            } else {
                UnitFileState::Masked
            });
        }
        if info.is_alias {
            return Ok(UnitFileState::Alias);
        }
        if let Some(dir) = info.path.parent()
            && (dir.starts_with("/run/systemd/generator"))
        {
            return Ok(UnitFileState::Generated);
        }
        if info.path.starts_with("/run/systemd/transient") {
            return Ok(UnitFileState::Transient);
        }
        let found = self.find_links(&info);
        let state = if found.enabled {
            UnitFileState::Enabled
        } else if found.enabled_runtime {
            UnitFileState::EnabledRuntime
        } else if found.linked {
            UnitFileState::Linked
        } else if found.linked_runtime {
            UnitFileState::LinkedRuntime
        } else if found.indirect {
            UnitFileState::Indirect
        } else if info.install.has_rules() {
            UnitFileState::Disabled
        } else if !info.install.also.is_empty() {
            UnitFileState::Indirect
        } else {
            UnitFileState::Static
        };
        // runr's dialect: Autostart= enables, links or not.
        if let Some(unit) = AutostartUnit::find(&self.paths, &info.name, &info.entry) {
            if unit.is_on(&self.paths) {
                return Ok(UnitFileState::Enabled);
            }
            if matches!(
                state,
                UnitFileState::Static | UnitFileState::Indirect | UnitFileState::Disabled
            ) {
                return Ok(UnitFileState::Disabled);
            }
        }
        Ok(state)
    }

    /// The enablement symlinks that lead to the unit, in the config dirs.
    fn find_links(&self, info: &UnitFileInfo) -> FoundLinks {
        let mut found = FoundLinks::default();
        let shape = unit_name::classify(&info.name).map(|(s, _)| s);
        let configs = [
            Some((self.paths.persistent.clone(), false)),
            self.paths.runtime.clone().map(|r| (r, true)),
        ];
        for (dir, runtime) in configs.into_iter().flatten() {
            for link in self.symlinks_under(&dir) {
                let target_name = base_name(&link.target);
                let link_name = base_name(&link.path);
                let matches = match shape {
                    Some(NameShape::Instance) => link_name == info.name,
                    _ => {
                        link_name == info.name
                            || target_name == info.name
                            || link.target == info.path
                    }
                };
                if !matches || link.target == Path::new("/dev/null") {
                    continue;
                }
                let top_level = link.path.parent() == Some(dir.as_path());
                let same_name = link_name == info.name;
                if top_level && same_name {
                    if runtime {
                        found.linked_runtime = true
                    } else {
                        found.linked = true
                    }
                } else if shape == Some(NameShape::Template) && !same_name && !top_level {
                    found.indirect = true;
                } else if runtime {
                    found.enabled_runtime = true;
                } else {
                    found.enabled = true;
                }
            }
        }
        found
    }

    /// Every symlink under `dir` (recursively), in listing order.
    fn symlinks_under(&self, dir: &Path) -> Vec<Symlink> {
        let mut out = Vec::new();
        self.collect_symlinks(dir, 0, &mut out);
        out
    }

    fn collect_symlinks(&self, dir: &Path, depth: usize, out: &mut Vec<Symlink>) {
        if depth > 8 {
            return;
        }
        for entry in self.listing(dir) {
            let logical = dir.join(&entry);
            let Ok(meta) = fs::symlink_metadata(self.paths.host(&logical)) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                if let Ok(target) = fs::read_link(self.paths.host(&logical)) {
                    out.push(Symlink {
                        target: absolutise(&logical, &target),
                        path: logical,
                    });
                }
            } else if meta.is_dir() {
                self.collect_symlinks(&logical, depth + 1, out);
            }
        }
    }

    /// The names in a directory, newest first: the order in which tmpfs (a
    /// container's /etc, a booted system's /run) lists them, which decides
    /// the order of systemctl's "Removed" lines. Creation times that tie
    /// (the kernel's clock is coarse) are told apart by inode number, which
    /// grows with each file made in a directory; a directory made in the
    /// same tick (a new `.wants/`) counts as the newer, since its inode
    /// number says nothing of when it was made. Where the file system keeps
    /// no creation time, its own listing order stands.
    fn listing(&self, dir: &Path) -> Vec<String> {
        use std::os::unix::fs::MetadataExt;
        let Ok(read) = fs::read_dir(self.paths.host(dir)) else {
            return Vec::new();
        };
        // (creation time, is a directory, inode), for the newest-first order.
        type Birth = (std::time::SystemTime, bool, u64);
        let mut entries: Vec<(Option<Birth>, String)> = read
            .flatten()
            .map(|e| {
                let born = e
                    .metadata()
                    .ok()
                    .and_then(|m| m.created().ok().map(|t| (t, m.is_dir(), m.ino())));
                (born, e.file_name().to_string_lossy().into_owned())
            })
            .collect();
        if entries.iter().all(|(born, _)| born.is_some()) {
            entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        }
        entries.into_iter().map(|(_, name)| name).collect()
    }

    /// `systemctl list-unit-files`: every unit file on the search path with
    /// its state, first directory winning. Logical paths.
    pub fn list(&self) -> Vec<(String, PathBuf, UnitFileState)> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for dir in &self.paths.search {
            let Ok(read) = fs::read_dir(self.paths.host(dir)) else {
                continue;
            };
            let mut names: Vec<String> = read
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| unit_name::is_valid(n))
                .collect();
            names.sort();
            for name in names {
                let logical = dir.join(&name);
                if fs::metadata(self.paths.host(&logical)).is_ok_and(|m| m.is_dir()) {
                    continue;
                }
                if !seen.insert(name.clone()) {
                    continue;
                }
                let state = self.state(&name).unwrap_or(UnitFileState::Bad);
                out.push((name, logical, state));
            }
        }
        out
    }

    // Presets.

    /// What the preset files say of a unit; `enable` where none speaks.
    pub fn preset(&self, name: &str) -> Preset {
        for rule in self.preset_rules() {
            if fnmatch(&rule.pattern, name) {
                return rule.preset;
            }
        }
        Preset::Enable
    }

    fn preset_rules(&self) -> Vec<PresetRule> {
        // File names across the directories: the first directory holding a
        // name wins; then every file in name order.
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        for dir in &self.paths.preset_dirs {
            let Ok(read) = fs::read_dir(self.paths.host(dir)) else {
                continue;
            };
            for entry in read.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".preset") {
                    files
                        .entry(name)
                        .or_insert_with(|| dir.join(entry.file_name()));
                }
            }
        }
        let mut rules = Vec::new();
        for path in files.values() {
            let Ok(text) = fs::read_to_string(self.paths.host(path)) else {
                continue;
            };
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                    continue;
                }
                let mut words = line.split_whitespace();
                let preset = match words.next() {
                    Some("enable") => Preset::Enable,
                    Some("disable") => Preset::Disable,
                    _ => continue,
                };
                if let Some(pattern) = words.next() {
                    rules.push(PresetRule {
                        preset,
                        pattern: pattern.to_string(),
                    });
                }
            }
        }
        rules
    }

    // Changing things.

    /// `systemctl enable NAME...` (`force` replaces links that point elsewhere).
    pub fn enable(&self, names: &[String], runtime: bool, force: bool) -> Outcome {
        let mut outcome = Outcome::default();
        let mut infos = Vec::new();
        let mut queue: Vec<String> = names.to_vec();
        let mut done = BTreeSet::new();
        while let Some(name) = queue.first().cloned() {
            queue.remove(0);
            if !done.insert(name.clone()) {
                continue;
            }
            let name = match self.link_if_path(&name, runtime, &mut outcome) {
                Some(name) => name,
                None => return outcome,
            };
            match self.discover(&name) {
                Ok(info) => {
                    if let Some(mask) = &info.masked_by {
                        outcome.fail(InstallError::Masked(self.paths.shown(mask)));
                        return outcome;
                    }
                    queue.extend(info.install.also.iter().cloned());
                    infos.push(info);
                }
                Err(e) => {
                    outcome.fail(e);
                    return outcome;
                }
            }
        }
        for info in &infos {
            if info.install.carries_install_info() {
                outcome.carries_install_info = true;
            }
            if let Some(unit) = AutostartUnit::find(&self.paths, &info.name, &info.entry) {
                outcome.carries_install_info = true;
                match unit.set(&self.paths, true) {
                    Ok(changes) => outcome.changes.extend(changes),
                    Err(e) => {
                        outcome.fail(e);
                        return outcome;
                    }
                }
            }
            let links = match self.planned_links(info, runtime) {
                Ok(links) => links,
                Err(e) => {
                    outcome.fail(e);
                    return outcome;
                }
            };
            for (link, target) in links {
                match self.create_symlink(&link, &target, force) {
                    Ok(Some(change)) => outcome.changes.push(change),
                    Ok(None) => {}
                    Err(e) => {
                        outcome.fail(e);
                        return outcome;
                    }
                }
            }
        }
        outcome
    }

    /// `enable /path/to/x.service`: links the file into the config dir
    /// first, then enables it by name.
    fn link_if_path(&self, name: &str, runtime: bool, outcome: &mut Outcome) -> Option<String> {
        if !name.starts_with('/') {
            return Some(name.to_string());
        }
        let path = PathBuf::from(name);
        let base = base_name(&path);
        if !self
            .paths
            .search
            .iter()
            .any(|d| path.parent() == Some(d.as_path()))
        {
            let dir = self.config_dir(runtime);
            match self.create_symlink(&dir.join(&base), &path, false) {
                Ok(Some(change)) => outcome.changes.push(change),
                Ok(None) => {}
                Err(e) => {
                    outcome.fail(e);
                    return None;
                }
            }
        }
        Some(base)
    }

    fn config_dir(&self, runtime: bool) -> PathBuf {
        if runtime {
            self.paths
                .runtime
                .clone()
                .unwrap_or_else(|| self.paths.persistent.clone())
        } else {
            self.paths.persistent.clone()
        }
    }

    /// The links `enable` makes for one unit: its aliases, then its
    /// `WantedBy=`, `RequiredBy=` and `UpheldBy=` directories.
    fn planned_links(
        &self,
        info: &UnitFileInfo,
        runtime: bool,
    ) -> Result<Vec<(PathBuf, PathBuf)>, InstallError> {
        let config = self.config_dir(runtime);
        let shape = unit_name::classify(&info.name).map(|(s, _)| s);
        // The name that goes into the .wants/ directories.
        let wanted_name = match shape {
            Some(NameShape::Template) => match &info.install.default_instance {
                Some(instance) => unit_name::with_instance(&info.name, instance),
                None => None,
            },
            _ => Some(info.name.clone()),
        };
        let mut links = Vec::new();
        for alias in &info.install.alias {
            let alias = match (shape, unit_name::instance_of(&info.name)) {
                (Some(NameShape::Instance), Some(instance)) if alias.contains("@.") => {
                    unit_name::with_instance(alias, instance).unwrap_or_else(|| alias.clone())
                }
                _ => alias.clone(),
            };
            links.push((config.join(&alias), info.path.clone()));
        }
        let dependents = [
            (&info.install.wanted_by, "wants"),
            (&info.install.required_by, "requires"),
            (&info.install.upheld_by, "upholds"),
        ];
        for (targets, kind) in dependents {
            for target in targets {
                let dir = config.join(format!("{target}.{kind}"));
                match &wanted_name {
                    Some(name) => links.push((dir.join(name), info.path.clone())),
                    None => {
                        let target_is_template =
                            matches!(unit_name::classify(target), Some((NameShape::Template, _)));
                        if !target_is_template {
                            return Err(InstallError::NonTemplateDestination {
                                unit: info.name.clone(),
                                destination: target.clone(),
                            });
                        }
                        links.push((dir.join(&info.name), info.path.clone()));
                    }
                }
            }
        }
        Ok(links)
    }

    /// Makes `link` point to `target`; None when it already does.
    fn create_symlink(
        &self,
        link: &Path,
        target: &Path,
        force: bool,
    ) -> Result<Option<Change>, InstallError> {
        let host = self.paths.host(link);
        let io_error = |e: &io::Error| InstallError::Io {
            path: self.paths.shown(link),
            reason: crate::engine::errno_text(e),
        };
        match fs::symlink_metadata(&host) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let existing = fs::read_link(&host)
                    .map(|t| absolutise(link, &t))
                    .unwrap_or_default();
                if existing == target || self.chase(&existing) == self.chase(target) {
                    return Ok(None);
                }
                if !force {
                    return Err(InstallError::LinkClash {
                        path: self.paths.shown(link),
                        target: existing.display().to_string(),
                    });
                }
                fs::remove_file(&host).map_err(|e| io_error(&e))?;
            }
            Ok(_) => {
                if !force {
                    return Err(InstallError::Exists(self.paths.shown(link)));
                }
                fs::remove_file(&host).map_err(|e| io_error(&e))?;
            }
            Err(_) => {}
        }
        if let Some(parent) = host.parent() {
            fs::create_dir_all(parent).map_err(|e| io_error(&e))?;
        }
        std::os::unix::fs::symlink(target, &host).map_err(|e| io_error(&e))?;
        Ok(Some(Change::Symlink {
            link: self.paths.shown(link),
            target: target.display().to_string(),
        }))
    }

    /// `systemctl disable NAME...`; with `dry_run`, only says what it would
    /// remove (`is-enabled --full` lists those links).
    pub fn disable(&self, names: &[String], runtime: bool, dry_run: bool) -> Outcome {
        let mut outcome = Outcome::default();
        let mut by_name: BTreeSet<String> = BTreeSet::new();
        let mut by_path: BTreeSet<PathBuf> = BTreeSet::new();
        let mut queue: Vec<String> = names.to_vec();
        let mut done = BTreeSet::new();
        while let Some(name) = queue.first().cloned() {
            queue.remove(0);
            if !done.insert(name.clone()) {
                continue;
            }
            let name = if name.starts_with('/') {
                base_name(Path::new(&name))
            } else {
                name
            };
            if !unit_name::is_valid(&name) {
                outcome.fail(InstallError::InvalidName(name));
                return outcome;
            }
            by_name.insert(name.clone());
            match self.discover(&name) {
                Ok(info) if info.masked_by.is_none() => {
                    if !dry_run
                        && let Some(unit) = AutostartUnit::find(&self.paths, &info.name, &info.entry)
                    {
                        match unit.set(&self.paths, false) {
                            Ok(changes) => outcome.changes.extend(changes),
                            Err(e) => {
                                outcome.fail(e);
                                return outcome;
                            }
                        }
                    }
                    let is_instance =
                        matches!(unit_name::classify(&name), Some((NameShape::Instance, _)));
                    if !is_instance {
                        by_name.insert(info.name.clone());
                        by_path.insert(info.path.clone());
                    }
                    queue.extend(info.install.also.iter().cloned());
                }
                Ok(_) => {}
                Err(InstallError::NotFound(missing)) => {
                    // systemctl says so and carries on; it is no failure.
                    outcome.problems.push(InstallError::NotFound(missing));
                }
                Err(e) => {
                    outcome.fail(e);
                    return outcome;
                }
            }
        }
        let config = self.config_dir(runtime);
        let mut removed: BTreeSet<PathBuf> = BTreeSet::new();
        // A removal can orphan links to the removed link: go round again.
        for _ in 0..MAX_LINK_HOPS {
            let mut again = false;
            for link in self.symlinks_under(&config) {
                if removed.contains(&link.path) || link.target == Path::new("/dev/null") {
                    continue;
                }
                let hit = by_name.contains(&base_name(&link.path))
                    || by_name.contains(&base_name(&link.target))
                    || by_path.contains(&link.target);
                if !hit {
                    continue;
                }
                if !dry_run {
                    if let Err(e) = fs::remove_file(self.paths.host(&link.path)) {
                        outcome.fail(InstallError::Io {
                            path: self.paths.shown(&link.path),
                            reason: crate::engine::errno_text(&e),
                        });
                        return outcome;
                    }
                    self.remove_empty_parents(&link.path, &config);
                }
                outcome.changes.push(Change::Unlink {
                    path: self.paths.shown(&link.path),
                });
                removed.insert(link.path.clone());
                by_path.insert(link.path);
                again = true;
            }
            if !again {
                break;
            }
        }
        outcome
    }

    /// Removes `.wants/` and similar directories left empty, up to `top`.
    fn remove_empty_parents(&self, path: &Path, top: &Path) {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == top || !d.starts_with(top) {
                break;
            }
            if fs::remove_dir(self.paths.host(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }

    /// `systemctl reenable`: disable, then enable, changes of both in order.
    pub fn reenable(&self, names: &[String], runtime: bool, force: bool) -> Outcome {
        let mut first = self.disable(names, runtime, false);
        if first.failed {
            return first;
        }
        first.problems.clear();
        let second = self.enable(names, runtime, force);
        first.changes.extend(second.changes);
        first.problems.extend(second.problems);
        first.failed = second.failed;
        first.carries_install_info = second.carries_install_info;
        first
    }

    /// `systemctl mask NAME...`: a link to /dev/null in the config dir.
    /// `missing` collects the names no unit file answers to (the manager
    /// says so; systemctl on its own does not).
    pub fn mask(&self, names: &[String], runtime: bool, force: bool) -> (Outcome, Vec<String>) {
        let mut outcome = Outcome::default();
        let mut missing = Vec::new();
        let config = self.config_dir(runtime);
        for name in names {
            if !unit_name::is_valid(name) {
                outcome.fail(InstallError::InvalidName(name.clone()));
                return (outcome, missing);
            }
            if !self.has_entry(name) {
                missing.push(name.clone());
            }
            let link = config.join(name);
            let host = self.paths.host(&link);
            let already_masked =
                fs::symlink_metadata(&host).is_ok() && self.is_null_or_empty(&self.chase(&link));
            if already_masked {
                continue;
            }
            match self.create_symlink(&link, Path::new("/dev/null"), force) {
                Ok(Some(change)) => outcome.changes.push(change),
                Ok(None) => {}
                Err(InstallError::LinkClash { path, .. }) => {
                    outcome.fail(InstallError::Exists(path));
                    return (outcome, missing);
                }
                Err(e) => {
                    outcome.fail(e);
                    return (outcome, missing);
                }
            }
        }
        (outcome, missing)
    }

    /// `systemctl get-default`: the unit `default.target` leads to, by its
    /// links (a masked `default.target` is itself).
    pub fn default_target(&self) -> Result<String, InstallError> {
        self.discover(DEFAULT_TARGET).map(|info| info.name)
    }

    /// `systemctl set-default NAME`: `default.target` in the config dir,
    /// linked to the target's file. A link already there is replaced
    /// (`Removed`, then `Created symlink`), one to the same file is kept.
    pub fn set_default(&self, name: &str) -> Outcome {
        let mut outcome = Outcome::default();
        let is_target = matches!(
            unit_name::classify(name),
            Some((_, super::model::UnitType::Target))
        );
        if !is_target || name == DEFAULT_TARGET {
            outcome.fail(InstallError::InvalidArgument);
            return outcome;
        }
        let info = match self.discover(name) {
            Ok(info) if info.masked_by.is_some() => {
                outcome.fail(InstallError::Masked(name.to_string()));
                return outcome;
            }
            Ok(info) => info,
            Err(e) => {
                outcome.fail(e);
                return outcome;
            }
        };
        let link = self.paths.persistent.join(DEFAULT_TARGET);
        let host = self.paths.host(&link);
        if let Ok(meta) = fs::symlink_metadata(&host) {
            let same = meta.file_type().is_symlink()
                && fs::read_link(&host).is_ok_and(|t| {
                    let existing = absolutise(&link, &t);
                    existing == info.path || self.chase(&existing) == self.chase(&info.path)
                });
            if same {
                return outcome;
            }
            if !meta.file_type().is_symlink() {
                outcome.fail(InstallError::Exists(self.paths.shown(&link)));
                return outcome;
            }
            if let Err(e) = fs::remove_file(&host) {
                outcome.fail(InstallError::Io {
                    path: self.paths.shown(&link),
                    reason: crate::engine::errno_text(&e),
                });
                return outcome;
            }
            outcome.changes.push(Change::Unlink {
                path: self.paths.shown(&link),
            });
        }
        match self.create_symlink(&link, &info.path, false) {
            Ok(change) => outcome.changes.extend(change),
            Err(e) => outcome.fail(e),
        }
        outcome
    }

    /// Whether a search-path entry answers to `name` (a unit file, a link,
    /// a mask, or its template's file).
    fn has_entry(&self, name: &str) -> bool {
        self.lookup(name).is_some()
            || unit_name::template_of(name)
                .and_then(|t| self.lookup(&t))
                .is_some()
    }

    /// The names no search-path entry answers to, of those given: the
    /// units the manager would not find (a masked one it finds).
    pub fn missing(&self, names: &[String]) -> Vec<String> {
        names
            .iter()
            .filter(|n| unit_name::is_valid(n) && !self.has_entry(n))
            .cloned()
            .collect()
    }

    /// `systemctl unmask NAME...`: removes the links to /dev/null (and empty
    /// files) of these names from the config dirs.
    pub fn unmask(&self, names: &[String], dry_run: bool) -> Outcome {
        let mut outcome = Outcome::default();
        let configs = [
            Some(self.paths.persistent.clone()),
            self.paths.runtime.clone(),
        ];
        for name in names {
            if !unit_name::is_valid(name) {
                outcome.fail(InstallError::InvalidName(name.clone()));
                return outcome;
            }
            for dir in configs.iter().flatten() {
                let link = dir.join(name);
                if fs::symlink_metadata(self.paths.host(&link)).is_err()
                    || !self.is_null_or_empty(&self.chase(&link))
                {
                    continue;
                }
                if !dry_run && let Err(e) = fs::remove_file(self.paths.host(&link)) {
                    outcome.fail(InstallError::Io {
                        path: self.paths.shown(&link),
                        reason: crate::engine::errno_text(&e),
                    });
                    return outcome;
                }
                outcome.changes.push(Change::Unlink {
                    path: self.paths.shown(&link),
                });
            }
        }
        outcome
    }

    /// `systemctl link PATH...`.
    pub fn link(&self, paths: &[String], runtime: bool, force: bool) -> Outcome {
        let mut outcome = Outcome::default();
        let config = self.config_dir(runtime);
        for path in paths {
            let path = PathBuf::from(path);
            let name = base_name(&path);
            if !path.is_absolute() || !unit_name::is_valid(&name) {
                outcome.fail(InstallError::InvalidName(path.display().to_string()));
                return outcome;
            }
            if fs::metadata(self.paths.host(&path)).is_err() {
                outcome.fail(InstallError::NotFound(path.display().to_string()));
                return outcome;
            }
            match self.create_symlink(&config.join(&name), &path, force) {
                Ok(Some(change)) => outcome.changes.push(change),
                Ok(None) => {}
                Err(e) => {
                    outcome.fail(e);
                    return outcome;
                }
            }
        }
        outcome
    }

    /// `systemctl preset NAME...`: enable or disable each as the preset
    /// files say; units without install rules are left alone.
    pub fn apply_presets(&self, names: &[String], runtime: bool, force: bool) -> Outcome {
        let mut outcome = Outcome::default();
        for name in names {
            let info = match self.discover(name) {
                Ok(info) => info,
                Err(e) => {
                    outcome.fail(e);
                    return outcome;
                }
            };
            if info.masked_by.is_some() || !info.install.carries_install_info() {
                continue;
            }
            outcome.carries_install_info = true;
            let step = match self.preset(&info.name) {
                Preset::Enable => self.enable(std::slice::from_ref(name), runtime, force),
                Preset::Disable => self.disable(std::slice::from_ref(name), runtime, false),
            };
            outcome.changes.extend(step.changes);
            if step.failed {
                outcome.problems.extend(step.problems);
                outcome.failed = true;
                return outcome;
            }
        }
        outcome
    }
}

#[derive(Debug, Default)]
struct FoundLinks {
    enabled: bool,
    enabled_runtime: bool,
    linked: bool,
    linked_runtime: bool,
    indirect: bool,
}

#[derive(Debug)]
struct Symlink {
    /// Where the link is (logical).
    path: PathBuf,
    /// What it points to (logical, absolute).
    target: PathBuf,
}

struct PresetRule {
    preset: Preset,
    pattern: String,
}

fn base_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A symlink's target as an absolute, normalised logical path.
fn absolutise(link: &Path, target: &Path) -> PathBuf {
    let joined = if target.is_absolute() {
        target.to_path_buf()
    } else {
        link.parent().unwrap_or(Path::new("/")).join(target)
    };
    let mut out = PathBuf::from("/");
    for part in joined.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

/// The [Install] keys of a unit file, specifiers resolved for `name`.
fn read_install_section(bytes: &[u8], name: &str) -> InstallInfo {
    let file = unit_file::parse_bytes(bytes);
    let mut info = InstallInfo::default();
    for section in file.sections.iter().filter(|s| s.name == "Install") {
        for entry in &section.entries {
            let words = || {
                entry
                    .value
                    .split_whitespace()
                    .map(|w| install_specifiers(w, name))
                    .collect::<Vec<_>>()
            };
            match entry.key.as_str() {
                "WantedBy" => info.wanted_by.extend(words()),
                "RequiredBy" => info.required_by.extend(words()),
                "UpheldBy" => info.upheld_by.extend(words()),
                "Also" => info.also.extend(words()),
                "Alias" => info.alias.extend(words()),
                "DefaultInstance" => {
                    info.default_instance =
                        Some(install_specifiers(entry.value.trim(), name)).filter(|v| !v.is_empty())
                }
                _ => {}
            }
        }
    }
    info
}

/// The specifiers [Install] values may use: `%n %N %p %i %j %%`.
fn install_specifiers(text: &str, name: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let prefix = stem.split_once('@').map_or(stem, |(p, _)| p);
    let instance = stem.split_once('@').map_or("", |(_, i)| i);
    let last_dash = prefix.rsplit_once('-').map_or(prefix, |(_, l)| l);
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push_str(name),
            Some('N') => out.push_str(stem),
            Some('p') => out.push_str(prefix),
            Some('i') => out.push_str(instance),
            Some('j') => out.push_str(last_dash),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
#[path = "enablement_tests.rs"]
mod tests;

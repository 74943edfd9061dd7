//! Finding and loading units along the search path (systemd.unit(5)):
//!
//! - The first directory holding `NAME` wins.
//! - A symlink to `/dev/null`, or an empty file, masks the unit.
//! - A symlink to a file of the same name is a linked unit file; to a file
//!   of another name, an alias of that unit.
//! - `foo@bar.service` with no file of its own is read from `foo@.service`.
//! - Drop-ins: `*.conf` in `NAME.d/` of every directory, then (for an
//!   instance) in the template's `foo@.service.d/`, then in the dash-prefix
//!   directories (`foo-.service.d/` for `foo-bar.service`), then in the
//!   aliases' directories, and last in the type-wide `service.d/`; sorted by
//!   file name, where a file in a higher-priority directory hides one of the
//!   same name further down (and one linked to `/dev/null` hides it without
//!   being read).
//! - `X.wants/` and `X.requires/` directories list units X wants or requires
//!   because something was enabled.
//!
//! As systemd's, the index of names is built once and built again only
//! when a unit is looked up and a directory of the path has changed since
//! (its modification time, compared when asked: nothing is polled). The
//! index remembers what each directory held, and a drop-in directory is
//! read only if its directory held it then: a `NAME.d/` made after the
//! index was built is seen once the index is built again.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use super::diagnostics::{Diagnostic, Level};
use super::dialect::Dialect;
use super::fragment::{self, FileOutcome, UnitDraft};
use super::model::{LoadState, SourceTimes, Unit, UnitType};
use super::search_path::SearchPath;
use super::unit_name::{self, NameShape};

/// What one name in the search path is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IndexEntry {
    File(PathBuf),
    /// A symlink to a file of the same name elsewhere.
    Linked(PathBuf),
    /// A symlink to another unit.
    Alias(String),
    Masked(PathBuf),
}

/// Every unit name in the search path, found once.
#[derive(Debug, Default, Clone)]
struct UnitIndex {
    entries: BTreeMap<String, IndexEntry>,
    wants: BTreeMap<String, Vec<String>>,
    requires: BTreeMap<String, Vec<String>>,
    /// Every entry the directories held (systemd's unit path cache).
    paths: BTreeSet<PathBuf>,
    /// The directories' modification times when they were read (None: no
    /// such directory).
    dir_times: Vec<Option<u64>>,
}

/// All units of a search path.
#[derive(Debug, Default, Clone)]
pub struct Units {
    /// Boxed: a map node holds eleven values, so a unit inline would leave
    /// most of a node's ~6 KiB unused in the last one.
    pub by_name: BTreeMap<String, Box<Unit>>,
    /// Other names, by symlink or by `Alias=`, mapped to the unit's name.
    pub aliases: BTreeMap<String, String>,
    /// Every unit's diagnostics, in load order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Units {
    /// A unit by its name or one of its aliases.
    pub fn get(&self, name: &str) -> Option<&Unit> {
        self.by_name
            .get(name)
            .or_else(|| self.aliases.get(name).and_then(|n| self.by_name.get(n)))
            .map(|unit| &**unit)
    }
}

pub struct Loader {
    search_path: SearchPath,
    index: UnitIndex,
}

impl Loader {
    pub fn new(search_path: SearchPath) -> Self {
        let index = build_index(&search_path);
        Loader { search_path, index }
    }

    pub fn search_path(&self) -> &SearchPath {
        &self.search_path
    }

    /// Builds the index again if a directory of the path changed since it
    /// was built (a file made or removed in it, or the directory itself
    /// made or removed), as systemd does before it looks a unit up.
    /// Returns whether it did.
    pub fn refresh_if_stale(&mut self) -> bool {
        if dir_times(&self.search_path) == self.index.dir_times {
            return false;
        }
        self.index = build_index(&self.search_path);
        true
    }

    /// systemd's `NeedDaemonReload=`: whether the files `unit` was read
    /// from changed on disk since: its fragment is newer, gone, or no
    /// longer masks it, a drop-in is newer or gone, or the drop-ins the
    /// index knows of are others now.
    pub fn need_reload(&self, unit: &Unit) -> bool {
        if let Some(path) = &unit.fragment_path {
            let masked = unit.load_state == LoadState::Masked;
            if changed_since(path, unit.source_times.fragment, masked) {
                return true;
            }
        }
        let now = if unit.load_state == LoadState::Loaded {
            self.dropins(&Resolved {
                name: unit.name.clone(),
                fragment: unit.fragment_path.clone(),
                masked: false,
                aliases: unit.aliases.clone(),
            })
        } else {
            Vec::new()
        };
        now != unit.dropin_paths
            || unit
                .dropin_paths
                .iter()
                .any(|p| changed_since(p, unit.source_times.dropins, false))
    }

    /// Whether a unit of this name exists in the path (directly, as an
    /// alias, or through its template).
    pub fn exists(&self, name: &str) -> bool {
        let resolved = self.resolve(name);
        resolved.fragment.is_some() || resolved.masked
    }

    /// Every unit in the search path (templates only through instances that
    /// something enables), each loaded on its own: a broken one never stops
    /// the others.
    pub fn load_all(&self) -> Units {
        let mut names: BTreeSet<String> = BTreeSet::new();
        for (name, entry) in &self.index.entries {
            let is_template = matches!(unit_name::classify(name), Some((NameShape::Template, _)));
            if !is_template && !matches!(entry, IndexEntry::Alias(_)) {
                names.insert(name.clone());
            }
        }
        for wanted in self
            .index
            .wants
            .values()
            .chain(self.index.requires.values())
            .flatten()
        {
            if !matches!(unit_name::classify(wanted), Some((NameShape::Template, _))) {
                names.insert(self.resolve(wanted).name);
            }
        }
        let mut units = Units::default();
        for name in names {
            let unit = self.load_unit(&name);
            for alias in &unit.aliases {
                units.aliases.insert(alias.clone(), unit.name.clone());
            }
            for alias in &unit.install.alias {
                units
                    .aliases
                    .entry(alias.clone())
                    .or_insert_with(|| unit.name.clone());
            }
            units.diagnostics.extend(unit.diagnostics.iter().cloned());
            units.by_name.insert(unit.name.clone(), Box::new(unit));
        }
        units
    }

    /// Loads one unit by name (following aliases to the real unit).
    pub fn load_unit(&self, name: &str) -> Unit {
        let resolved = self.resolve(name);
        self.load_resolved(resolved, None)
    }

    /// Loads a unit from a given file, as `verify FILE` does: the file is
    /// the fragment whatever the path says; drop-ins still come from the
    /// path.
    pub fn load_unit_from_file(&self, name: &str, path: &Path) -> Unit {
        let mut resolved = self.resolve(name);
        resolved.name = name.to_string();
        resolved.masked = false;
        self.load_resolved(resolved, Some(path.to_path_buf()))
    }

    fn resolve(&self, name: &str) -> Resolved {
        let mut current = name.to_string();
        let mut aliases = Vec::new();
        for _ in 0..16 {
            match self.index.entries.get(&current) {
                Some(IndexEntry::Alias(target)) => {
                    aliases.push(current.clone());
                    // An instance linked to a template keeps its instance.
                    current = match (
                        unit_name::instance_of(&current),
                        unit_name::classify(target),
                    ) {
                        (Some(inst), Some((NameShape::Template, _))) => {
                            unit_name::with_instance(target, inst).unwrap_or_else(|| target.clone())
                        }
                        _ => target.clone(),
                    };
                }
                Some(IndexEntry::File(p)) | Some(IndexEntry::Linked(p)) => {
                    return Resolved {
                        name: current,
                        fragment: Some(p.clone()),
                        masked: false,
                        aliases,
                    };
                }
                Some(IndexEntry::Masked(p)) => {
                    return Resolved {
                        name: current,
                        fragment: Some(p.clone()),
                        masked: true,
                        aliases,
                    };
                }
                None => break,
            }
        }
        // An instance without a file of its own reads its template's.
        if let Some(template) = unit_name::template_of(&current) {
            let from_template = self.resolve(&template);
            if from_template.fragment.is_some() {
                return Resolved {
                    name: current,
                    fragment: from_template.fragment,
                    masked: from_template.masked,
                    aliases,
                };
            }
        }
        Resolved {
            name: current,
            fragment: None,
            masked: false,
            aliases,
        }
    }

    /// Every symlink alias in the path that leads to `name`.
    fn aliases_of(&self, name: &str) -> Vec<String> {
        self.index
            .entries
            .iter()
            .filter(|(_, e)| matches!(e, IndexEntry::Alias(_)))
            .filter(|(alias, _)| self.resolve(alias).name == name)
            .map(|(alias, _)| alias.clone())
            .collect()
    }

    fn load_resolved(&self, mut resolved: Resolved, forced_fragment: Option<PathBuf>) -> Unit {
        for alias in self.aliases_of(&resolved.name) {
            if !resolved.aliases.contains(&alias) {
                resolved.aliases.push(alias);
            }
        }
        let unit_type = unit_name::classify(&resolved.name).map_or(UnitType::Service, |(_, t)| t);
        let mut draft = UnitDraft::new(&resolved.name, unit_type);
        let mut diagnostics = Vec::new();
        let fragment_path = forced_fragment.or(resolved.fragment.clone());
        if let Some(path) = &fragment_path {
            draft.dialect = self.search_path.dialect_of(path);
        }
        let mut unit = Unit {
            source_times: SourceTimes::default(),
            name: resolved.name.clone(),
            unit_type,
            fragment_path: fragment_path.clone(),
            dropin_paths: Vec::new(),
            aliases: resolved.aliases.clone(),
            wants_from_symlinks: self.symlinked(&self.index.wants, &resolved),
            requires_from_symlinks: self.symlinked(&self.index.requires, &resolved),
            unit: Default::default(),
            install: Default::default(),
            body: draft.body.clone(),
            load_state: LoadState::Loaded,
            diagnostics: Vec::new(),
            dialect: draft.dialect,
        };
        if resolved.masked {
            unit.load_state = LoadState::Masked;
            return unit;
        }
        let Some(fragment_path) = fragment_path else {
            unit.load_state = LoadState::NotFound;
            return unit;
        };
        let bytes = match fs::read(&fragment_path) {
            Ok(b) => {
                unit.source_times.fragment = modified_usec(&fragment_path).unwrap_or(0);
                b
            }
            Err(e) => {
                let text = errno_text(&e);
                diagnostics.push(Diagnostic::for_unit(
                    &unit.name,
                    Level::Notice,
                    format!("Failed to open {}: {text}", fragment_path.display()),
                ));
                unit.load_state = if e.kind() == std::io::ErrorKind::NotFound {
                    LoadState::NotFound
                } else {
                    LoadState::Error(text)
                };
                unit.diagnostics = diagnostics;
                return unit;
            }
        };
        if bytes.is_empty() {
            unit.load_state = LoadState::Masked;
            return unit;
        }
        let mut outcome =
            fragment::apply_bytes(&mut draft, &fragment_path, &bytes, &mut diagnostics);
        if outcome == FileOutcome::Read {
            for dropin in self.dropins(&resolved) {
                let Ok(bytes) = fs::read(&dropin) else {
                    continue;
                };
                let modified = modified_usec(&dropin).unwrap_or(0);
                unit.source_times.dropins = unit.source_times.dropins.max(modified);
                unit.dropin_paths.push(dropin.clone());
                outcome = fragment::apply_bytes(&mut draft, &dropin, &bytes, &mut diagnostics);
                if outcome != FileOutcome::Read {
                    break;
                }
            }
        }
        fragment::finish_dialect(&mut draft);
        unit.load_state = match outcome {
            FileOutcome::Read => match fragment::check_loaded(&draft) {
                Ok(warnings) => {
                    for w in warnings {
                        diagnostics.push(Diagnostic::for_unit(&unit.name, Level::Warning, w));
                    }
                    LoadState::Loaded
                }
                Err(refusal) => {
                    diagnostics.push(Diagnostic::for_unit(&unit.name, Level::Error, refusal));
                    LoadState::BadSetting
                }
            },
            FileOutcome::BadSetting => {
                diagnostics.push(Diagnostic::for_unit(
                    &unit.name,
                    Level::Notice,
                    "Unit configuration has fatal error, unit will not be started.",
                ));
                LoadState::BadSetting
            }
            FileOutcome::Broken(text) => LoadState::Error(text),
        };
        unit.unit = draft.unit;
        unit.install = draft.install;
        unit.body = draft.body;
        unit.diagnostics = diagnostics;
        unit
    }

    /// A transient unit (`systemd-run`, `runr background run`): its
    /// settings come as unit-file text, held in memory; diagnostics name
    /// `/run/systemd/transient/NAME`, where systemd keeps such files.
    pub fn load_transient(&self, name: &str, text: &str) -> Unit {
        let unit_type = unit_name::classify(name).map_or(UnitType::Service, |(_, t)| t);
        let mut draft = UnitDraft::new(name, unit_type);
        let mut diagnostics = Vec::new();
        let path = Path::new("/run/systemd/transient").join(name);
        let outcome = fragment::apply_bytes(&mut draft, &path, text.as_bytes(), &mut diagnostics);
        let load_state = match outcome {
            FileOutcome::Read => match fragment::check_loaded(&draft) {
                Ok(_) => LoadState::Loaded,
                Err(refusal) => {
                    diagnostics.push(Diagnostic::for_unit(name, Level::Error, refusal));
                    LoadState::BadSetting
                }
            },
            FileOutcome::BadSetting => LoadState::BadSetting,
            FileOutcome::Broken(text) => LoadState::Error(text),
        };
        Unit {
            name: name.to_string(),
            unit_type,
            fragment_path: None,
            dropin_paths: Vec::new(),
            aliases: Vec::new(),
            wants_from_symlinks: Vec::new(),
            requires_from_symlinks: Vec::new(),
            unit: draft.unit,
            install: draft.install,
            body: draft.body,
            load_state,
            diagnostics,
            dialect: Dialect::Systemd,
            source_times: SourceTimes::default(),
        }
    }

    fn symlinked(&self, table: &BTreeMap<String, Vec<String>>, resolved: &Resolved) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in std::iter::once(&resolved.name).chain(&resolved.aliases) {
            for wanted in table.get(name).into_iter().flatten() {
                if !out.contains(wanted) {
                    out.push(wanted.clone());
                }
            }
        }
        out
    }

    /// The drop-in files of a unit, in the order they apply.
    fn dropins(&self, resolved: &Resolved) -> Vec<PathBuf> {
        let mut dir_names: Vec<String> = Vec::new();
        for name in std::iter::once(&resolved.name).chain(&resolved.aliases) {
            for n in dropin_dir_names(name) {
                if !dir_names.contains(&n) {
                    dir_names.push(n);
                }
            }
        }
        let mut dirs = Vec::new();
        for unit_dir in &self.search_path.dirs {
            for n in &dir_names {
                dirs.push(unit_dir.join(format!("{n}.d")));
            }
        }
        if let Some(suffix) = unit_name::suffix_of(&resolved.name) {
            for unit_dir in &self.search_path.dirs {
                dirs.push(unit_dir.join(format!("{suffix}.d")));
            }
        }
        // Only the directories the index saw, as systemd reads only those
        // its unit path cache holds.
        dirs.retain(|d| self.index.paths.contains(d));
        conf_files(&dirs)
    }
}

/// The names whose `.d` directories hold drop-ins for `name`: itself, its
/// template, and the dash prefixes of both.
fn dropin_dir_names(name: &str) -> Vec<String> {
    let Some(suffix) = unit_name::suffix_of(name) else {
        return Vec::new();
    };
    let mut names = vec![name.to_string()];
    if let Some(template) = unit_name::template_of(name) {
        names.push(template);
    }
    for prefix in unit_name::dash_prefixes(name) {
        names.push(format!("{prefix}.{suffix}"));
    }
    names
}

/// `conf_files_list_strv`: `*.conf` in the directories, first one of each
/// file name wins, sorted by file name; masked (`/dev/null`) and empty
/// files hide their name without being returned.
fn conf_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut by_name: BTreeMap<String, Option<PathBuf>> = BTreeMap::new();
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        for file_name in names {
            if !file_name.ends_with(".conf") || by_name.contains_key(&file_name) {
                continue;
            }
            let path = dir.join(&file_name);
            let masked = is_masked(&path);
            if !masked && !path.is_file() {
                continue;
            }
            by_name.insert(file_name, (!masked).then_some(path));
        }
    }
    by_name.into_values().flatten().collect()
}

/// A symlink to /dev/null, or /dev/null itself.
fn is_masked(path: &Path) -> bool {
    fs::read_link(path).is_ok_and(|t| t == Path::new("/dev/null"))
        || fs::canonicalize(path).is_ok_and(|t| t == Path::new("/dev/null"))
}

/// The modification time of a file (its links followed), in µs since the
/// epoch, as systemd's timespec_load() reads it.
fn modified_usec(path: &Path) -> Option<u64> {
    let modified = fs::metadata(path).ok()?.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(since.as_micros()).ok()
}

/// systemd's fragment_mtime_newer(): a file that cannot be read any more
/// has changed; a masking one has changed if it masks no longer; another
/// if it is newer than `loaded`.
fn changed_since(path: &Path, loaded: u64, masked: bool) -> bool {
    // Kernel file systems are watched, not compared.
    if path.starts_with("/proc") || path.starts_with("/sys") {
        return false;
    }
    let Ok(meta) = fs::metadata(path) else {
        return true;
    };
    if masked {
        let null_or_empty =
            meta.file_type().is_char_device() || (meta.is_file() && meta.len() == 0);
        return !null_or_empty;
    }
    modified_usec(path).is_some_and(|m| m > loaded)
}

/// The modification times of the path's directories, as systemd hashes
/// them to tell whether its cache of unit names is current.
fn dir_times(search_path: &SearchPath) -> Vec<Option<u64>> {
    search_path.dirs.iter().map(|d| modified_usec(d)).collect()
}

fn build_index(search_path: &SearchPath) -> UnitIndex {
    let mut index = UnitIndex {
        dir_times: dir_times(search_path),
        ..UnitIndex::default()
    };
    for dir in &search_path.dirs {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        for file_name in names {
            let path = dir.join(&file_name);
            index.paths.insert(path.clone());
            if let Some(unit) = file_name.strip_suffix(".wants") {
                collect_symlink_dir(&path, unit, &mut index.wants);
                continue;
            }
            if let Some(unit) = file_name.strip_suffix(".requires") {
                collect_symlink_dir(&path, unit, &mut index.requires);
                continue;
            }
            if !unit_name::is_valid(&file_name) || index.entries.contains_key(&file_name) {
                continue;
            }
            if let Some(entry) = index_entry(&path, &file_name, &search_path.dirs) {
                index.entries.insert(file_name, entry);
            }
        }
    }
    index
}

fn index_entry(path: &Path, file_name: &str, search_dirs: &[PathBuf]) -> Option<IndexEntry> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() {
        return meta.is_file().then(|| IndexEntry::File(path.to_path_buf()));
    }
    if is_masked(path) {
        return Some(IndexEntry::Masked(path.to_path_buf()));
    }
    let target = fs::read_link(path).ok()?;
    let target_name = target.file_name()?.to_str()?.to_string();
    if target_name == file_name {
        let absolute = if target.is_absolute() {
            target
        } else {
            path.parent()?.join(target)
        };
        // A file linked from outside the search path is known by the
        // link, as systemd records it (FragmentPath=, `systemctl cat`).
        let inside = search_dirs
            .iter()
            .any(|d| absolute.parent() == Some(d.as_path()));
        let fragment = if inside {
            absolute.clone()
        } else {
            path.to_path_buf()
        };
        return absolute.is_file().then_some(IndexEntry::Linked(fragment));
    }
    unit_name::is_valid(&target_name).then_some(IndexEntry::Alias(target_name))
}

fn collect_symlink_dir(dir: &Path, unit: &str, table: &mut BTreeMap<String, Vec<String>>) {
    if !unit_name::is_valid(unit) {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let list = table.entry(unit.to_string()).or_default();
    for name in names {
        if unit_name::is_valid(&name) && !list.contains(&name) {
            list.push(name);
        }
    }
}

/// A resolved name: the unit's own name, its file, whether masked, and the
/// names that led to it.
#[derive(Debug, Clone)]
struct Resolved {
    name: String,
    fragment: Option<PathBuf>,
    masked: bool,
    aliases: Vec<String>,
}

/// `strerror()` for the errors reading a file can give.
fn errno_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => match e.raw_os_error() {
            Some(21) => "Is a directory".into(),
            _ => e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::DependencyKind;
    use std::os::unix::fs::symlink;

    struct Tree {
        dir: tempfile::TempDir,
    }

    impl Tree {
        fn new() -> Self {
            Tree {
                dir: tempfile::tempdir().expect("tempdir"),
            }
        }
        fn path(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }
        fn write(&self, rel: &str, text: &str) {
            let p = self.path(rel);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, text).expect("write");
        }
        fn link(&self, target: &str, rel: &str) {
            let p = self.path(rel);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            symlink(target, p).expect("symlink");
        }
        fn loader(&self, dirs: &[&str]) -> Loader {
            Loader::new(SearchPath::new(dirs.iter().map(|d| self.path(d))))
        }
    }

    const SVC: &str = "[Service]\nExecStart=/bin/true\n";

    /// Sets a file's (or directory's) modification time `secs` from now:
    /// the kernel's coarse clock gives changes made within a few
    /// milliseconds the same time, which a test must not depend on.
    fn touch(path: &Path, secs: i64) {
        let now = std::time::SystemTime::now();
        let delta = std::time::Duration::from_secs(secs.unsigned_abs());
        let when = if secs < 0 { now - delta } else { now + delta };
        fs::File::open(path)
            .expect("open")
            .set_modified(when)
            .expect("set mtime");
    }

    #[test]
    fn a_file_written_after_the_index_is_found_once_its_directory_changed() {
        let t = Tree::new();
        t.write("units/a.service", SVC);
        touch(&t.path("units"), -60);
        let mut loader = t.loader(&["units"]);
        assert!(!loader.refresh_if_stale());
        t.write("units/late.service", SVC);
        // The index is as it was until it is asked to look again.
        assert_eq!(
            loader.load_unit("late.service").load_state,
            LoadState::NotFound
        );
        assert!(loader.refresh_if_stale());
        assert_eq!(
            loader.load_unit("late.service").load_state,
            LoadState::Loaded
        );
        assert!(!loader.refresh_if_stale());
        // A directory of the path that comes into being counts too.
        let mut loader = t.loader(&["units", "later"]);
        t.write("later/b.service", SVC);
        assert!(loader.refresh_if_stale());
        assert_eq!(loader.load_unit("b.service").load_state, LoadState::Loaded);
    }

    #[test]
    fn need_reload_compares_the_files_with_what_was_read() {
        let t = Tree::new();
        t.write("units/a.service", SVC);
        t.write("units/a.service.d/10-a.conf", "[Unit]\nDescription=x\n");
        t.write("units/b.service", SVC);
        touch(&t.path("units"), -60);
        let mut loader = t.loader(&["units"]);
        let a = loader.load_unit("a.service");
        let b = loader.load_unit("b.service");
        assert!(!loader.need_reload(&a));
        // The fragment newer, then the drop-ins others, then one newer.
        touch(&t.path("units/a.service"), 60);
        assert!(loader.need_reload(&a));
        let a = loader.load_unit("a.service");
        assert!(!loader.need_reload(&a));
        t.write("units/a.service.d/20-b.conf", "[Unit]\n");
        assert!(loader.need_reload(&a));
        fs::remove_file(t.path("units/a.service.d/20-b.conf")).unwrap();
        assert!(!loader.need_reload(&a));
        touch(&t.path("units/a.service.d/10-a.conf"), 60);
        assert!(loader.need_reload(&a));
        // A drop-in directory made after the index was built is not seen
        // until the index is built again, as systemd's unit path cache.
        fs::create_dir(t.path("units/b.service.d")).unwrap();
        t.write("units/b.service.d/10-b.conf", "[Unit]\n");
        assert!(!loader.need_reload(&b));
        assert!(loader.refresh_if_stale());
        assert!(loader.need_reload(&b));
        // A fragment gone has changed.
        fs::remove_file(t.path("units/b.service")).unwrap();
        assert!(loader.need_reload(&b));
    }

    #[test]
    fn a_masked_unit_needs_a_reload_once_its_mask_is_gone() {
        let t = Tree::new();
        t.link("/dev/null", "units/m.service");
        let loader = t.loader(&["units"]);
        let m = loader.load_unit("m.service");
        assert_eq!(m.load_state, LoadState::Masked);
        assert!(!loader.need_reload(&m));
        fs::remove_file(t.path("units/m.service")).unwrap();
        t.write("units/m.service", SVC);
        assert!(loader.need_reload(&m));
    }

    fn description(u: &Unit) -> Option<&str> {
        u.unit.description.as_deref()
    }

    #[test]
    fn first_directory_wins() {
        let t = Tree::new();
        t.write(
            "high/a.service",
            "[Unit]\nDescription=high\n[Service]\nExecStart=/bin/true\n",
        );
        t.write(
            "low/a.service",
            "[Unit]\nDescription=low\n[Service]\nExecStart=/bin/true\n",
        );
        let u = t.loader(&["high", "low"]).load_unit("a.service");
        assert_eq!(description(&u), Some("high"));
        assert_eq!(u.fragment_path, Some(t.path("high/a.service")));
    }

    #[test]
    fn missing_unit_is_not_found() {
        let t = Tree::new();
        let u = t.loader(&["high"]).load_unit("nope.service");
        assert_eq!(u.load_state, LoadState::NotFound);
    }

    #[test]
    fn masks_by_dev_null_link_and_empty_file() {
        let t = Tree::new();
        t.write("low/a.service", SVC);
        t.link("/dev/null", "high/a.service");
        t.write("high/b.service", "");
        let loader = t.loader(&["high", "low"]);
        assert_eq!(loader.load_unit("a.service").load_state, LoadState::Masked);
        assert_eq!(loader.load_unit("b.service").load_state, LoadState::Masked);
    }

    #[test]
    fn dropins_sorted_by_name_higher_dir_hides_lower() {
        let t = Tree::new();
        t.write(
            "low/a.service",
            "[Unit]\nDescription=base\n[Service]\nExecStart=/bin/true\n",
        );
        t.write("low/a.service.d/10-x.conf", "[Unit]\nDescription=low10\n");
        t.write("high/a.service.d/10-x.conf", "[Unit]\nDescription=high10\n");
        t.write("low/a.service.d/20-y.conf", "[Service]\nRestart=always\n");
        t.write(
            "low/a.service.d/readme.txt",
            "[Unit]\nDescription=ignored\n",
        );
        let u = t.loader(&["high", "low"]).load_unit("a.service");
        assert_eq!(description(&u), Some("high10"));
        assert_eq!(
            u.dropin_paths,
            vec![
                t.path("high/a.service.d/10-x.conf"),
                t.path("low/a.service.d/20-y.conf")
            ]
        );
    }

    #[test]
    fn masked_dropin_hides_lower_one() {
        let t = Tree::new();
        t.write("low/a.service", SVC);
        t.write("low/a.service.d/10-x.conf", "[Unit]\nDescription=low\n");
        t.link("/dev/null", "high/a.service.d/10-x.conf");
        let u = t.loader(&["high", "low"]).load_unit("a.service");
        assert_eq!(description(&u), None);
        assert!(u.dropin_paths.is_empty());
    }

    #[test]
    fn type_wide_and_prefix_dropins() {
        let t = Tree::new();
        t.write("d/foo-bar-baz.service", SVC);
        t.write("d/service.d/50-all.conf", "[Unit]\nDescription=all\n");
        t.write(
            "d/foo-.service.d/40-prefix.conf",
            "[Unit]\nDocumentation=man:foo(1)\n",
        );
        t.write(
            "d/foo-bar-.service.d/30-prefix.conf",
            "[Unit]\nDescription=prefix\n",
        );
        let u = t.loader(&["d"]).load_unit("foo-bar-baz.service");
        // The type-wide drop-in comes last in the list only for equal names;
        // files apply sorted by name.
        assert_eq!(description(&u), Some("all"));
        assert_eq!(u.unit.documentation, vec!["man:foo(1)".to_string()]);
        assert_eq!(u.dropin_paths.len(), 3);
    }

    #[test]
    fn templates_instances_and_their_dropins() {
        let t = Tree::new();
        t.write(
            "d/getty@.service",
            "[Unit]\nDescription=Getty\n[Service]\nExecStart=/sbin/agetty\n",
        );
        t.write("d/getty@.service.d/10.conf", "[Unit]\nAfter=a.service\n");
        t.write(
            "d/getty@tty1.service.d/20.conf",
            "[Unit]\nAfter=b.service\n",
        );
        let u = t.loader(&["d"]).load_unit("getty@tty1.service");
        assert_eq!(u.load_state, LoadState::Loaded);
        assert_eq!(u.fragment_path, Some(t.path("d/getty@.service")));
        assert_eq!(u.instance(), Some("tty1"));
        assert_eq!(
            u.unit
                .dependencies_of(DependencyKind::After)
                .collect::<Vec<_>>(),
            vec!["a.service", "b.service"]
        );
    }

    #[test]
    fn aliases_by_symlink() {
        let t = Tree::new();
        t.write("d/real.service", SVC);
        t.link("real.service", "d/other.service");
        let loader = t.loader(&["d"]);
        let u = loader.load_unit("other.service");
        assert_eq!(u.name, "real.service");
        assert_eq!(u.aliases, vec!["other.service".to_string()]);
        let all = loader.load_all();
        assert_eq!(all.by_name.len(), 1);
        assert_eq!(
            all.get("other.service").map(|u| u.name.as_str()),
            Some("real.service")
        );
    }

    #[test]
    fn alias_from_install_section() {
        let t = Tree::new();
        t.write(
            "d/real.service",
            "[Service]\nExecStart=/bin/true\n[Install]\nAlias=nick.service\n",
        );
        let all = t.loader(&["d"]).load_all();
        assert_eq!(
            all.get("nick.service").map(|u| u.name.as_str()),
            Some("real.service")
        );
    }

    #[test]
    fn linked_unit_file() {
        let t = Tree::new();
        t.write(
            "elsewhere/a.service",
            "[Unit]\nDescription=linked\n[Service]\nExecStart=/bin/true\n",
        );
        t.link(
            t.path("elsewhere/a.service").to_str().expect("utf8"),
            "d/a.service",
        );
        let u = t.loader(&["d"]).load_unit("a.service");
        assert_eq!(description(&u), Some("linked"));
        assert_eq!(
            u.fragment_path.as_deref(),
            Some(t.path("d/a.service").as_path())
        );
    }

    #[test]
    fn enablement_symlinks() {
        let t = Tree::new();
        t.write("d/a.service", SVC);
        t.write("d/b.service", SVC);
        t.write("d/getty@.service", SVC);
        t.link("../a.service", "d/multi-user.target.wants/a.service");
        t.link(
            "../getty@.service",
            "d/multi-user.target.wants/getty@tty1.service",
        );
        t.link("../b.service", "d/a.service.requires/b.service");
        let loader = t.loader(&["d"]);
        let target = loader.load_unit("multi-user.target");
        assert_eq!(
            target.wants_from_symlinks,
            vec!["a.service".to_string(), "getty@tty1.service".to_string()]
        );
        assert_eq!(
            loader.load_unit("a.service").requires_from_symlinks,
            vec!["b.service".to_string()]
        );
        let all = loader.load_all();
        assert!(all.by_name.contains_key("getty@tty1.service"));
        assert!(!all.by_name.contains_key("getty@.service"));
    }

    #[test]
    fn one_broken_unit_does_not_stop_the_others() {
        let t = Tree::new();
        t.write("d/bad.service", "[Service\nExecStart=/bin/true\n");
        t.write("d/noexec.service", "[Service]\nType=simple\n");
        t.write(
            "d/good.service",
            "[Unit]\nFoo=1\n[Service]\nExecStart=/bin/true\n",
        );
        let all = t.loader(&["d"]).load_all();
        assert_eq!(
            all.by_name["bad.service"].load_state,
            LoadState::Error("Bad message".into())
        );
        assert_eq!(
            all.by_name["noexec.service"].load_state,
            LoadState::BadSetting
        );
        assert_eq!(all.by_name["good.service"].load_state, LoadState::Loaded);
        let msgs: Vec<String> = all.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.ends_with("bad.service:1: Invalid section header '[Service'"))
        );
        assert!(msgs.iter().any(|m| {
            m.ends_with("good.service:2: Unknown key 'Foo' in section [Unit], ignoring.")
        }));
        assert!(msgs.contains(&"noexec.service: Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.".to_string()));
    }

    #[test]
    fn fatal_in_dropin_is_bad_setting() {
        let t = Tree::new();
        t.write("d/a.service", SVC);
        t.write("d/a.service.d/x.conf", "[Service]\nUser=a:b\n");
        let u = t.loader(&["d"]).load_unit("a.service");
        assert_eq!(u.load_state, LoadState::BadSetting);
    }
}

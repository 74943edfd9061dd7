//! `RuntimeDirectory=`, `StateDirectory=`, `CacheDirectory=`,
//! `LogsDirectory=` and `ConfigurationDirectory=`: created under /run,
//! /var/lib, /var/cache, /var/log and /etc before a command starts, with
//! their `*Mode=` (default 0755) and owned by `User=`/`Group=`; their
//! absolute paths, colon-separated, in `$RUNTIME_DIRECTORY` and its
//! siblings; the runtime directories removed when the service stops
//! (unless `RuntimeDirectoryPreserve=`).
//!
//! The roots sit under a prefix, `/` in production. `RUNR_ROOT=DIR` in the
//! supervisor's environment moves all five under DIR (DIR/run, DIR/var/lib
//! ...), so that tests and unprivileged runs create nothing on the host.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::spawn::{SetupStep, SpawnFailure};
use crate::config::service::ExecDirectories;

/// The environment variable that moves the roots.
pub const ROOT_ENV: &str = "RUNR_ROOT";

/// The five kinds, in systemd's order (ExecDirectoryType).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryKind {
    Runtime,
    State,
    Cache,
    Logs,
    Configuration,
}

impl DirectoryKind {
    pub const ALL: [DirectoryKind; 5] = [
        DirectoryKind::Runtime,
        DirectoryKind::State,
        DirectoryKind::Cache,
        DirectoryKind::Logs,
        DirectoryKind::Configuration,
    ];

    /// Where the kind lives, below the prefix.
    pub fn root(self) -> &'static str {
        match self {
            DirectoryKind::Runtime => "run",
            DirectoryKind::State => "var/lib",
            DirectoryKind::Cache => "var/cache",
            DirectoryKind::Logs => "var/log",
            DirectoryKind::Configuration => "etc",
        }
    }

    pub fn env_name(self) -> &'static str {
        match self {
            DirectoryKind::Runtime => "RUNTIME_DIRECTORY",
            DirectoryKind::State => "STATE_DIRECTORY",
            DirectoryKind::Cache => "CACHE_DIRECTORY",
            DirectoryKind::Logs => "LOGS_DIRECTORY",
            DirectoryKind::Configuration => "CONFIGURATION_DIRECTORY",
        }
    }

    fn setting(self) -> &'static str {
        match self {
            DirectoryKind::Runtime => "RuntimeDirectory",
            DirectoryKind::State => "StateDirectory",
            DirectoryKind::Cache => "CacheDirectory",
            DirectoryKind::Logs => "LogsDirectory",
            DirectoryKind::Configuration => "ConfigurationDirectory",
        }
    }

    fn index(self) -> u8 {
        self as u8
    }

    /// The names asked for and their mode.
    fn of(self, dirs: &ExecDirectories) -> (&[String], u32) {
        let (names, mode) = match self {
            DirectoryKind::Runtime => (&dirs.runtime, dirs.runtime_mode),
            DirectoryKind::State => (&dirs.state, dirs.state_mode),
            DirectoryKind::Cache => (&dirs.cache, dirs.cache_mode),
            DirectoryKind::Logs => (&dirs.logs, dirs.logs_mode),
            DirectoryKind::Configuration => (&dirs.configuration, dirs.configuration_mode),
        };
        (names, mode.unwrap_or(0o755))
    }
}

/// Where the roots are: `/`, or what `RUNR_ROOT` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roots {
    pub prefix: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots {
            prefix: PathBuf::from("/"),
        }
    }
}

impl Roots {
    pub fn from_env() -> Self {
        match std::env::var_os(ROOT_ENV) {
            Some(dir) if !dir.is_empty() => Roots { prefix: dir.into() },
            _ => Roots::default(),
        }
    }

    /// The supervisor's own runtime directory (its notify socket lives
    /// there): `/run/runr` (under the prefix), or, where that cannot be
    /// created (an unprivileged run), `$TMPDIR/runr-UID`.
    pub fn runtime_directory(&self) -> PathBuf {
        let preferred = self.prefix.join("run/runr");
        if fs::create_dir_all(&preferred).is_ok() && is_writable(&preferred) {
            return preferred;
        }
        std::env::temp_dir().join(format!("runr-{}", nix::unistd::getuid()))
    }

    /// The root directory of a kind (`/run`, or `$RUNR_ROOT/run`).
    pub fn root(&self, kind: DirectoryKind) -> PathBuf {
        self.prefix.join(kind.root())
    }

    /// `NAME` of a setting (`NAME` or `NAME:LINK`) under its root.
    fn path(&self, kind: DirectoryKind, entry: &str) -> PathBuf {
        self.root(kind).join(source_of(entry))
    }
}

fn is_writable(dir: &Path) -> bool {
    nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK).is_ok()
}

/// `foo` of `foo:bar` (systemd creates foo and a symlink bar to it).
fn source_of(entry: &str) -> &str {
    entry.split_once(':').map_or(entry, |(source, _)| source)
}

/// `$RUNTIME_DIRECTORY=/run/a:/run/b` and the others that are asked for.
pub fn environment(dirs: &ExecDirectories, roots: &Roots) -> Vec<(String, String)> {
    DirectoryKind::ALL
        .iter()
        .filter_map(|kind| {
            let (names, _) = kind.of(dirs);
            if names.is_empty() {
                return None;
            }
            let paths: Vec<String> = names
                .iter()
                .map(|n| roots.path(*kind, n).to_string_lossy().into_owned())
                .collect();
            Some((kind.env_name().to_string(), paths.join(":")))
        })
        .collect()
}

/// Creates what is missing, with its mode, and hands each directory to
/// `owner` (uid, gid) when the service has a user or group. Returns the
/// warnings systemd would log; a failure names the kind's setup step.
pub fn prepare(
    dirs: &ExecDirectories,
    roots: &Roots,
    owner: Option<(u32, u32)>,
) -> Result<Vec<String>, SpawnFailure> {
    let mut warnings = Vec::new();
    for kind in DirectoryKind::ALL {
        let (names, mode) = kind.of(dirs);
        for entry in names {
            prepare_one(kind, roots, entry, mode, owner, &mut warnings).map_err(|e| {
                let errno = e.raw_os_error().unwrap_or(nix::libc::EIO);
                let reason = nix::errno::Errno::from_raw(errno).desc();
                SpawnFailure::new(
                    SetupStep::Directory(kind.index()),
                    errno,
                    format!(
                        "Failed to set up special execution directory in {}: {reason}",
                        roots.root(kind).display()
                    ),
                )
            })?;
        }
    }
    Ok(warnings)
}

fn prepare_one(
    kind: DirectoryKind,
    roots: &Roots,
    entry: &str,
    mode: u32,
    owner: Option<(u32, u32)>,
    warnings: &mut Vec<String>,
) -> io::Result<()> {
    let path = roots.path(kind, entry);
    match fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => {
            let actual = meta.permissions().mode() & 0o7777;
            if actual != mode && kind != DirectoryKind::Runtime {
                warnings.push(format!(
                    "{} '{}' already exists but the mode is different. (File system: {:o} {}Mode: {:o})",
                    kind.setting(),
                    path.display(),
                    actual,
                    kind.setting(),
                    mode
                ));
            } else if actual != mode {
                fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
            }
        }
        Ok(_) => return Err(io::Error::from_raw_os_error(nix::libc::ENOTDIR)),
        Err(_) => {
            // Parents as root with 0755, as mkdir -p would; the leaf with
            // its own mode, whatever the umask.
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::create_dir(&path)?;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
        }
    }
    if let Some((uid, gid)) = owner {
        chown_tree(&path, uid, gid)?;
    }
    if let Some((source, link)) = entry.split_once(':') {
        let link_path = roots.root(kind).join(link);
        if fs::symlink_metadata(&link_path).is_err() {
            if let Some(parent) = link_path.parent() {
                fs::create_dir_all(parent)?;
            }
            std::os::unix::fs::symlink(roots.root(kind).join(source), &link_path)?;
        }
    }
    Ok(())
}

/// Gives a directory (and, when it was someone else's, all it holds) to
/// the service's user, as systemd's path_chown_recursive does.
fn chown_tree(path: &Path, uid: u32, gid: u32) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.uid() == uid && meta.gid() == gid {
        return Ok(());
    }
    std::os::unix::fs::lchown(path, Some(uid), Some(gid))?;
    if meta.is_dir() {
        for entry in fs::read_dir(path)?.flatten() {
            chown_tree(&entry.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// Removes the service's runtime directories (and their links).
pub fn remove_runtime(dirs: &ExecDirectories, roots: &Roots) {
    for entry in &dirs.runtime {
        if let Some((_, link)) = entry.split_once(':') {
            let _ = fs::remove_file(roots.root(DirectoryKind::Runtime).join(link));
        }
        let _ = fs::remove_dir_all(roots.path(DirectoryKind::Runtime, entry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs() -> ExecDirectories {
        ExecDirectories {
            runtime: vec!["app".into(), "app/sub".into()],
            state: vec!["app-state".into()],
            logs: vec!["app".into()],
            runtime_mode: Some(0o750),
            state_mode: Some(0o700),
            ..Default::default()
        }
    }

    #[test]
    fn environment_lists_absolute_paths_per_kind() {
        let roots = Roots::default();
        assert_eq!(
            environment(&dirs(), &roots),
            vec![
                (
                    "RUNTIME_DIRECTORY".to_string(),
                    "/run/app:/run/app/sub".to_string()
                ),
                (
                    "STATE_DIRECTORY".to_string(),
                    "/var/lib/app-state".to_string()
                ),
                ("LOGS_DIRECTORY".to_string(), "/var/log/app".to_string()),
            ]
        );
    }

    #[test]
    fn created_with_their_modes_and_removed_on_stop() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = Roots {
            prefix: tmp.path().to_path_buf(),
        };
        let warnings = prepare(&dirs(), &roots, None).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let mode = |p: &str| {
            fs::metadata(tmp.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o7777
        };
        assert_eq!(mode("run/app"), 0o750);
        assert_eq!(mode("run/app/sub"), 0o750);
        assert_eq!(mode("var/lib/app-state"), 0o700);
        assert_eq!(mode("var/log/app"), 0o755);
        remove_runtime(&dirs(), &roots);
        assert!(!tmp.path().join("run/app").exists());
        assert!(tmp.path().join("var/lib/app-state").exists());
    }

    #[test]
    fn an_existing_directory_with_another_mode_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = Roots {
            prefix: tmp.path().to_path_buf(),
        };
        fs::create_dir_all(tmp.path().join("var/lib/app-state")).unwrap();
        fs::set_permissions(
            tmp.path().join("var/lib/app-state"),
            fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let warnings = prepare(&dirs(), &roots, None).unwrap();
        assert_eq!(
            warnings,
            vec![format!(
                "StateDirectory '{}/var/lib/app-state' already exists but the mode is different. (File system: 755 StateDirectoryMode: 700)",
                tmp.path().display()
            )]
        );
    }

    #[test]
    fn a_file_in_the_way_fails_with_the_kinds_step() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = Roots {
            prefix: tmp.path().to_path_buf(),
        };
        fs::create_dir_all(tmp.path().join("var/lib")).unwrap();
        fs::write(tmp.path().join("var/lib/app-state"), "").unwrap();
        let f = prepare(&dirs(), &roots, None).unwrap_err();
        assert_eq!(f.step, SetupStep::Directory(1));
        assert_eq!(f.step_name(), "STATE_DIRECTORY");
        assert_eq!(
            f.message,
            format!(
                "Failed to set up special execution directory in {}/var/lib: Not a directory",
                tmp.path().display()
            )
        );
    }

    #[test]
    fn owner_is_set_when_running_as_root() {
        if !nix::unistd::geteuid().is_root() {
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let roots = Roots {
            prefix: tmp.path().to_path_buf(),
        };
        prepare(&dirs(), &roots, Some((65534, 65534))).unwrap();
        let meta = fs::metadata(tmp.path().join("var/lib/app-state")).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }
}

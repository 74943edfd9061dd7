//! Enablement of a service or timer of runr's dialect: it starts at boot
//! by its `Autostart=` (yes unless the file says no), with or without an
//! [Install] section. `enable` and `disable` turn that on and off and keep
//! the choice on disk as a drop-in beside the unit file,
//! `NAME.d/runr-autostart.conf`, which the loader reads like any other
//! (`systemctl cat` shows it). `enable` removes that drop-in and writes
//! `Autostart=yes` only where the unit's own files say no.

use std::fs;
use std::path::{Path, PathBuf};

use super::dialect::Dialect;
use super::enablement::{Change, InstallError, InstallPaths};
use super::loader::Loader;
use super::search_path::SearchPath;

/// The drop-in `enable` and `disable` write.
pub const DROPIN_NAME: &str = "runr-autostart.conf";

/// A unit whose enablement is its `Autostart=`.
pub struct AutostartUnit {
    name: String,
    /// The directory the unit was found in (logical path).
    dir: PathBuf,
    section: &'static str,
}

impl AutostartUnit {
    /// The unit `name` found at `entry` (a logical path of the search
    /// path), if it is a service or timer of runr's dialect.
    pub fn find(paths: &InstallPaths, name: &str, entry: &Path) -> Option<AutostartUnit> {
        let section = match super::unit_name::suffix_of(name)? {
            "service" => "Service",
            "timer" => "Timer",
            _ => return None,
        };
        let dialect = paths
            .dialect
            .unwrap_or_else(|| Dialect::of_fragment(entry));
        (dialect == Dialect::Runr).then(|| AutostartUnit {
            name: name.to_string(),
            dir: entry.parent().unwrap_or(Path::new("/")).to_path_buf(),
            section,
        })
    }

    fn dropin(&self) -> PathBuf {
        self.dir.join(format!("{}.d", self.name)).join(DROPIN_NAME)
    }

    /// Whether the unit starts at boot, as the loader reads its files.
    pub fn is_on(&self, paths: &InstallPaths) -> bool {
        let dirs: Vec<PathBuf> = paths.search.iter().map(|d| paths.host(d)).collect();
        let mut search = SearchPath::new(dirs);
        search.dialect = Some(Dialect::Runr);
        let unit = Loader::new(search).load_unit(&self.name);
        unit.service()
            .map(|s| s.autostart)
            .or_else(|| unit.timer().map(|t| t.autostart))
            .flatten()
            .unwrap_or(true)
    }

    /// Turns autostart on or off; the changes made, as systemctl reports
    /// them.
    pub fn set(&self, paths: &InstallPaths, on: bool) -> Result<Vec<Change>, InstallError> {
        let dropin = self.dropin();
        let host = paths.host(&dropin);
        let io_error = |e: std::io::Error| InstallError::Io {
            path: paths.shown(&dropin),
            reason: crate::engine::errno_text(&e),
        };
        let mut changes = Vec::new();
        if self.is_on(paths) == on {
            return Ok(changes);
        }
        if host.exists() {
            fs::remove_file(&host).map_err(io_error)?;
            if let Some(parent) = host.parent() {
                // Only if nothing else is in it.
                let _ = fs::remove_dir(parent);
            }
            changes.push(Change::Unlink {
                path: paths.shown(&dropin),
            });
            if self.is_on(paths) == on {
                return Ok(changes);
            }
        }
        if let Some(parent) = host.parent() {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        let value = if on { "yes" } else { "no" };
        let text = format!(
            "# Written by `enable`/`disable`: whether {} starts at boot.\n[{}]\nAutostart={value}\n",
            self.name, self.section
        );
        fs::write(&host, text).map_err(io_error)?;
        changes.push(Change::DropIn {
            path: paths.shown(&dropin),
            setting: format!("Autostart={value}"),
        });
        Ok(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::enablement::{Installer, UnitFileState};

    fn installer(dir: &Path) -> Installer {
        Installer::new(InstallPaths::from_search_path(
            SearchPath::new([dir.to_path_buf()]).with_dialect(Dialect::Runr),
            None,
        ))
    }

    #[test]
    fn disable_and_enable_keep_the_choice_in_a_dropin() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("app.service"), "[Service]\nExecStart=/bin/true\n").unwrap();
        fs::write(d.join("off.service"), "[Service]\nExecStart=/bin/true\nAutostart=no\n").unwrap();
        let installer = installer(d);
        assert_eq!(installer.state("app.service").unwrap(), UnitFileState::Enabled);
        assert_eq!(installer.state("off.service").unwrap(), UnitFileState::Disabled);

        let outcome = installer.disable(&["app.service".into()], false, false);
        assert!(!outcome.failed, "{outcome:?}");
        assert_eq!(installer.state("app.service").unwrap(), UnitFileState::Disabled);
        let dropin = d.join("app.service.d").join(DROPIN_NAME);
        assert!(fs::read_to_string(&dropin).unwrap().contains("[Service]\nAutostart=no\n"));

        let outcome = installer.enable(&["app.service".into()], false, false);
        assert!(!outcome.failed && outcome.carries_install_info, "{outcome:?}");
        assert_eq!(installer.state("app.service").unwrap(), UnitFileState::Enabled);
        assert!(!dropin.exists() && !d.join("app.service.d").exists());

        installer.enable(&["off.service".into()], false, false);
        assert_eq!(installer.state("off.service").unwrap(), UnitFileState::Enabled);
        let written = d.join("off.service.d").join(DROPIN_NAME);
        assert!(fs::read_to_string(&written).unwrap().contains("Autostart=yes"));
        installer.disable(&["off.service".into()], false, false);
        assert!(!written.exists());
        assert_eq!(installer.state("off.service").unwrap(), UnitFileState::Disabled);
    }

    #[test]
    fn timers_too_and_systemds_units_are_left_to_their_links() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("tick.timer"), "[Timer]\nOnCalendar=daily\n").unwrap();
        let installer = installer(d);
        installer.disable(&["tick.timer".into()], false, false);
        let text = fs::read_to_string(d.join("tick.timer.d").join(DROPIN_NAME)).unwrap();
        assert!(text.contains("[Timer]\nAutostart=no\n"), "{text}");

        let systemd = tempfile::tempdir().unwrap();
        fs::write(systemd.path().join("x.service"), "[Service]\nExecStart=/bin/true\n").unwrap();
        let installer = Installer::new(InstallPaths::from_search_path(
            SearchPath::new([systemd.path().to_path_buf()]).with_dialect(Dialect::Systemd),
            None,
        ));
        assert_eq!(installer.state("x.service").unwrap(), UnitFileState::Static);
    }
}

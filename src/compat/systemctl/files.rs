//! The verbs that work on unit files: enable, disable, reenable, preset,
//! mask, unmask, link, is-enabled, list-unit-files, and `cat` without a
//! manager. They do the same with or without a running daemon; with one,
//! its error wording is used and it is asked to reload afterwards, as
//! systemctl asks the manager.

use std::path::{Path, PathBuf};

use super::args::Scope;
use super::names;
use super::render::{self, lists};
use super::terminal::Glyph;
use super::{Invocation, live, not_booted};
use crate::config::enablement::{Change, InstallError, InstallPaths, Installer, Outcome, fnmatch};
use crate::config::search_path::SearchPath;

pub fn run(inv: &Invocation) -> u8 {
    let paths = match install_paths(inv) {
        Ok(p) => p,
        Err(message) => {
            inv.error(&message);
            return 1;
        }
    };
    let installer = Installer::new(paths);
    match inv.verb.as_str() {
        "is-enabled" => is_enabled(inv, &installer),
        "list-unit-files" => list_unit_files(inv, &installer),
        "get-default" => get_default(inv, &installer),
        "set-default" => set_default(inv, &installer),
        _ => change_files(inv, &installer),
    }
}

/// The directories for the scope and root asked for.
fn install_paths(inv: &Invocation) -> Result<InstallPaths, String> {
    let root = match &inv.options.root {
        None => None,
        Some(r) => {
            let path = if Path::new(r).is_absolute() {
                PathBuf::from(r)
            } else {
                std::env::current_dir()
                    .map(|d| d.join(r))
                    .unwrap_or_else(|_| PathBuf::from(r))
            };
            if !path.is_dir() {
                return Err(format!(
                    "Failed to initialize unit search paths for root directory {}: No such file or directory",
                    path.display()
                ));
            }
            Some(path)
        }
    };
    let paths = match inv.options.scope {
        Scope::System => match &root {
            Some(r) => InstallPaths::with_root(r),
            None => InstallPaths::system(),
        },
        Scope::User | Scope::Global => {
            let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
            let mut dirs = Vec::new();
            if inv.options.scope == Scope::User {
                dirs.push(format!("{home}/.config/systemd/user"));
            }
            dirs.extend(
                [
                    "/etc/systemd/user",
                    "/run/systemd/user",
                    "/usr/local/lib/systemd/user",
                    "/usr/lib/systemd/user",
                ]
                .map(String::from),
            );
            InstallPaths::from_search_path(SearchPath::new(dirs), root)
        }
    };
    Ok(paths)
}

/// The unit names of the arguments, `.service` added where needed.
fn unit_names(inv: &Invocation, allow_paths: bool) -> Result<Vec<String>, u8> {
    let mut out = Vec::new();
    for arg in &inv.args {
        if allow_paths && arg.starts_with('/') && arg.contains('.') {
            out.push(arg.clone());
            continue;
        }
        match names::mangle(arg) {
            Some(name) => out.push(name),
            None => {
                inv.error("Failed to mangle unit name: Invalid argument");
                return Err(1);
            }
        }
    }
    Ok(out)
}

fn is_enabled(inv: &Invocation, installer: &Installer) -> u8 {
    let Ok(names) = unit_names(inv, false) else {
        return 1;
    };
    let mut any_enabled = false;
    for name in &names {
        match installer.state(name) {
            Ok(state) => {
                if state.counts_as_enabled() {
                    any_enabled = true;
                }
                if !inv.options.quiet {
                    let mut text = format!("{}\n", state.as_str());
                    if inv.options.full {
                        for change in installer
                            .disable(std::slice::from_ref(name), false, true)
                            .changes
                        {
                            if let Change::Unlink { path } = change {
                                text.push_str(&format!("  {path}\n"));
                            }
                        }
                    }
                    inv.print(&text);
                }
            }
            Err(InstallError::InvalidName(_)) | Err(InstallError::NotFound(_)) => {
                inv.error(&format!(
                    "Failed to get unit file state for {name}: No such file or directory"
                ));
                return 1;
            }
            Err(e) => {
                inv.error(&format!("Failed to get unit file state for {name}: {e}"));
                return 1;
            }
        }
    }
    if any_enabled { 0 } else { 1 }
}

fn list_unit_files(inv: &Invocation, installer: &Installer) -> u8 {
    let o = &inv.options;
    let mut rows: Vec<lists::UnitFileRow> = installer
        .list()
        .into_iter()
        .filter(|(name, _, state)| {
            (inv.args.is_empty() || inv.args.iter().any(|p| fnmatch(p, name)))
                && (o.types.is_empty() || o.types.iter().any(|t| name.ends_with(&format!(".{t}"))))
                && (o.states.is_empty() || o.states.iter().any(|s| s == state.as_str()))
        })
        .map(|(name, _, state)| {
            let preset = state
                .shows_preset()
                .then(|| installer.preset(&name).as_str().to_string());
            lists::UnitFileRow {
                name,
                state: state.as_str().to_string(),
                preset,
            }
        })
        .collect();
    rows.sort_by(|a, b| lists::by_type_then_name(&a.name, &b.name));
    let style = lists::ListStyle {
        legend: o.legend,
        plain: o.plain,
        full: o.full,
        ..Default::default()
    };
    inv.print(&lists::list_unit_files(&rows, style, &inv.term));
    if rows.is_empty() && !inv.args.is_empty() {
        1
    } else {
        0
    }
}

/// `get-default`: the target `default.target` leads to. The manager
/// answers from the same files, so with or without one the answer is read
/// here.
fn get_default(inv: &Invocation, installer: &Installer) -> u8 {
    match installer.default_target() {
        Ok(name) => {
            inv.print(&format!("{name}\n"));
            0
        }
        Err(e) => {
            let reason = match e {
                InstallError::NotFound(_) => "No such file or directory".to_string(),
                other => other.to_string(),
            };
            inv.error(&format!("Failed to get default target: {reason}"));
            1
        }
    }
}

/// `set-default NAME` (`.target` added where the name has no type): the
/// link, reported as `enable` reports its links; with a manager, its words
/// for a refusal and a reload after.
fn set_default(inv: &Invocation, installer: &Installer) -> u8 {
    let Some(name) = inv
        .args
        .first()
        .and_then(|a| names::mangle_with_suffix(a, "target"))
    else {
        inv.error("Failed to mangle unit name: Invalid argument");
        return 1;
    };
    let o = &inv.options;
    let online = o.root.is_none() && o.scope == Scope::System && live::daemon_answers();
    let outcome = installer.set_default(&name);
    if online {
        // The manager refuses the call whole: no changes to show.
        if let Some(problem) = outcome.problems.first() {
            inv.error(&format!(
                "Failed to set default target: {}",
                problem.online_reason()
            ));
            return 1;
        }
        report(inv, &outcome, online);
    } else {
        report_as(inv, &outcome, online, "set default");
        if outcome.failed {
            return 1;
        }
    }
    if online && !o.no_reload && live::reload_quietly(inv).is_err() {
        return 1;
    }
    if !o.quiet
        && let Ok(current) = installer.default_target()
        && current != name
    {
        inv.notice(&format!(
            "Note: \"{current}\" is the default unit (possibly a runtime override)."
        ));
    }
    0
}

/// enable, disable, reenable, preset, mask, unmask, link.
fn change_files(inv: &Invocation, installer: &Installer) -> u8 {
    let verb = inv.verb.as_str();
    let Ok(names) = unit_names(inv, matches!(verb, "enable" | "link" | "reenable")) else {
        return 1;
    };
    let o = &inv.options;
    let force = o.force > 0;
    // Whether a daemon runs: its wording for errors, and a reload after.
    let online = o.root.is_none() && o.scope == Scope::System && live::daemon_answers();
    let outcome = match verb {
        "enable" => installer.enable(&names, o.runtime, force),
        "disable" => installer.disable(&names, o.runtime, false),
        "reenable" => installer.reenable(&names, o.runtime, force),
        "preset" => match o.preset_mode.as_deref() {
            Some("disable-only") => installer.disable(&names, o.runtime, false),
            _ => installer.apply_presets(&names, o.runtime, force),
        },
        "mask" => {
            let (outcome, missing) = installer.mask(&names, o.runtime, force);
            if online {
                for name in missing {
                    inv.notice(&format!("Unit {name} does not exist, proceeding anyway."));
                }
            }
            outcome
        }
        "unmask" => {
            if online {
                for name in installer.missing(&names) {
                    inv.notice(&format!("Unit {name} does not exist, proceeding anyway."));
                }
            }
            installer.unmask(&names, false)
        }
        _ => installer.link(&names, o.runtime, force),
    };
    report(inv, &outcome, online);
    // systemctl on its own says that a unit to disable is missing and
    // carries on; the manager refuses the call.
    let refused_by_manager = online
        && outcome
            .problems
            .iter()
            .any(|p| matches!(p, InstallError::NotFound(_)));
    if outcome.failed || refused_by_manager {
        return 1;
    }
    if verb == "enable" && !outcome.carries_install_info && !o.quiet {
        inv.notice(&no_install_info_text(inv));
    }
    if online && !o.no_reload && !outcome.changes.is_empty() && live::reload_quietly(inv).is_err() {
        return 1;
    }
    if o.now && matches!(verb, "enable" | "disable" | "reenable" | "mask") {
        if !online {
            return not_booted(inv);
        }
        let units: Vec<String> = names
            .iter()
            .map(|n| {
                if n.starts_with('/') {
                    Path::new(n)
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default()
                } else {
                    n.clone()
                }
            })
            .collect();
        let action = if verb == "enable" || verb == "reenable" {
            "start"
        } else {
            "stop"
        };
        return live::act_on_units(inv, action, &units);
    }
    0
}

/// Prints the changes and problems of an operation as systemctl does.
fn report(inv: &Invocation, outcome: &Outcome, online: bool) {
    report_as(inv, outcome, online, &inv.verb);
}

/// The same, with problems worded for `verb` ("set default").
fn report_as(inv: &Invocation, outcome: &Outcome, online: bool, verb: &str) {
    if !inv.options.quiet {
        let arrow = inv.term.glyph(Glyph::Arrow);
        for change in &outcome.changes {
            match change {
                Change::Symlink { link, target } => {
                    inv.notice(&format!("Created symlink {link} {arrow} {target}."))
                }
                Change::Unlink { path } => inv.notice(&format!("Removed \"{path}\".")),
                Change::DropIn { path, setting } => {
                    inv.notice(&format!("Created \"{path}\" ({setting})."))
                }
            }
        }
    }
    for problem in &outcome.problems {
        let text = if online {
            problem.online_text(verb)
        } else {
            problem.offline_text(verb)
        };
        inv.error(&text);
    }
}

fn no_install_info_text(inv: &Invocation) -> String {
    let bullet = inv.term.glyph(Glyph::Bullet);
    format!(
        "The unit files have no installation config (WantedBy=, RequiredBy=, Also=,
Alias= settings in the [Install] section, and DefaultInstance= for template
units). This means they are not meant to be enabled using systemctl.
 
Possible reasons for having this kind of units are:
{bullet} A unit may be statically enabled by being symlinked from another unit's
  .wants/ or .requires/ directory.
{bullet} A unit's purpose may be to act as a helper for some other unit which has
  a requirement dependency on it.
{bullet} A unit may be started when needed via activation (socket, path, timer,
  D-Bus, udev, scripted systemctl call, ...).
{bullet} In case of template units, the unit is meant to be enabled with some
  instance name specified."
    )
}

/// `cat` with no manager: the fragment and drop-ins the loader finds, as
/// systemctl prints them with a running manager.
pub fn cat_offline(inv: &Invocation) -> u8 {
    let loader = crate::config::Loader::new(SearchPath::from_env());
    let mut rc = 0;
    let mut first = true;
    for arg in &inv.args {
        let Some(name) = names::mangle(arg) else {
            inv.error("Failed to mangle unit name: Invalid argument");
            return 1;
        };
        let unit = loader.load_unit(&name);
        if unit.load_state == crate::config::LoadState::Masked {
            if !first {
                inv.print("\n");
            }
            first = false;
            inv.print(&render::cat_masked(&name, &inv.term));
            continue;
        }
        let mut files = Vec::new();
        for path in unit.fragment_path.iter().chain(unit.dropin_paths.iter()) {
            if let Ok(text) = std::fs::read_to_string(path) {
                files.push((path.display().to_string(), text));
            }
        }
        if files.is_empty() {
            inv.error(&format!("No files found for {name}."));
            rc = 1;
            continue;
        }
        if !first {
            inv.print("\n");
        }
        first = false;
        inv.print(&render::cat(&files, &inv.term));
    }
    rc
}

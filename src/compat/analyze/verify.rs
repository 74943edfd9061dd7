//! `systemd-analyze verify FILE...`: loads the given unit files (and every
//! unit they refer to) the way systemd 252's manager does, then checks that
//! each could be started: its hard dependencies load, its commands exist.
//! Messages go to stderr in systemd's words and order; the exit code is 1
//! when any unit failed to load or to verify.
//!
//! The search path is the directories of the given files, then
//! `SYSTEMD_UNIT_PATH` (empty: nothing more), or runr's default path.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Options;
use crate::config::model::{DependencyKind, LoadState, Unit, UnitBody};
use crate::config::search_path::SearchPath;
use crate::config::{Loader, timer, unit_name};
use crate::syntax::exec::ExecCommand;

/// Targets systemd itself provides; a path without them (a bare container)
/// still lets units depend on them, as they always exist under runr.
const BUILTIN_TARGETS: &[&str] = &[
    "sysinit.target",
    "basic.target",
    "shutdown.target",
    "timers.target",
    "sockets.target",
    "paths.target",
    "slices.target",
    "local-fs.target",
    "network.target",
    "multi-user.target",
    "default.target",
];

pub fn run(opts: &Options, args: &[String], _out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let _ = opts.man; // Documentation= man pages are not looked up.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let files: Vec<(String, PathBuf)> = args
        .iter()
        .map(|a| (a.clone(), absolute(&cwd, a)))
        .collect();
    let paths: Vec<PathBuf> = files.iter().map(|(_, p)| p.clone()).collect();
    let loader = Loader::new(search_path_for(&paths));
    let mut session = Session {
        loader: &loader,
        loaded: BTreeMap::new(),
        err,
        failed: false,
    };
    session.verify(&files);
    u8::from(session.failed)
}

struct Session<'a> {
    loader: &'a Loader,
    loaded: BTreeMap<String, Unit>,
    err: &'a mut dyn Write,
    failed: bool,
}

impl Session<'_> {
    fn say(&mut self, line: &str) {
        let _ = writeln!(self.err, "{line}");
    }

    fn verify(&mut self, files: &[(String, PathBuf)]) {
        let mut to_check = Vec::new();
        for (arg, file) in files {
            match self.load_command_line_unit(arg, file) {
                Some(name) => to_check.push(name),
                None => self.failed = true,
            }
        }
        for name in to_check {
            self.verify_unit(&name);
        }
    }

    /// Loads one FILE argument and everything it refers to; None when it
    /// cannot be verified.
    fn load_command_line_unit(&mut self, arg: &str, file: &Path) -> Option<String> {
        let Some(name) = prepared_name(file) else {
            self.say(&format!(
                "Failed to prepare filename {arg}: Invalid argument"
            ));
            return None;
        };
        let unit = if file.is_file() && !name.contains("@i.") {
            self.loader.load_unit_from_file(&name, file)
        } else {
            self.loader.load_unit(&name)
        };
        let name = unit.name.clone();
        self.take(unit);
        let state = self
            .loaded
            .get(&name)
            .map(|u| u.load_state.clone())
            .unwrap_or(LoadState::NotFound);
        match load_state_error(&name, &state) {
            None => Some(name),
            Some(message) => {
                self.say(&message);
                None
            }
        }
    }

    /// Records a loaded unit, prints its diagnostics, then loads the units
    /// it refers to, last referred first (systemd's load queue is a stack).
    fn take(&mut self, unit: Unit) {
        for d in &unit.diagnostics {
            self.say(&d.to_string());
        }
        let referred = referred_units(&unit);
        self.loaded.insert(unit.name.clone(), unit);
        for name in referred.into_iter().rev() {
            if self.loaded.contains_key(&name) {
                continue;
            }
            let dep = self.load_by_name(&name);
            self.take(dep);
        }
    }

    fn load_by_name(&self, name: &str) -> Unit {
        let mut unit = self.loader.load_unit(name);
        if unit.load_state == LoadState::NotFound && BUILTIN_TARGETS.contains(&name) {
            unit.load_state = LoadState::Loaded;
        }
        unit
    }

    fn verify_unit(&mut self, name: &str) {
        if let Err(message) = self.check_start(name, &mut Vec::new()) {
            self.say(&format!("{name}: Failed to create {name}/start: {message}"));
            self.failed = true;
        }
        // systemd checks the first command of each list only.
        let commands: Vec<ExecCommand> = match self.loaded.get(name).and_then(Unit::service) {
            Some(svc) => svc
                .exec
                .all()
                .iter()
                .filter_map(|(_, list)| list.first().cloned())
                .collect(),
            None => Vec::new(),
        };
        for command in commands {
            if let Some((path, problem)) = command_problem(&command) {
                self.say(&format!(
                    "{name}: Command {path} is not executable: {problem}"
                ));
                self.failed = true;
            }
        }
    }

    /// A start job pulls in what the unit requires, binds to or requires to
    /// be active; each of those must be loaded, recursively.
    fn check_start(&self, name: &str, seen: &mut Vec<String>) -> Result<(), String> {
        if seen.iter().any(|s| s == name) {
            return Ok(());
        }
        seen.push(name.to_string());
        let Some(unit) = self.loaded.get(name) else {
            return Ok(());
        };
        for dep in hard_dependencies(unit) {
            let state = self
                .loaded
                .get(&dep)
                .map(|u| u.load_state.clone())
                .unwrap_or(LoadState::NotFound);
            if let Some(message) = bus_load_state_error(&dep, &state) {
                return Err(message);
            }
            self.check_start(&dep, seen)?;
        }
        Ok(())
    }
}

/// `verify_prepare_filename`: the unit name of a FILE argument, a template
/// standing for its instance `i`.
fn prepared_name(file: &Path) -> Option<String> {
    let base = file.file_name()?.to_str()?;
    match unit_name::classify(base)? {
        (unit_name::NameShape::Template, _) => unit_name::with_instance(base, "i"),
        _ => Some(base.to_string()),
    }
}

fn absolute(cwd: &Path, arg: &str) -> PathBuf {
    let p = Path::new(arg);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// The directories of the files that exist (or whose template exists), in
/// front of the usual path.
fn search_path_for(files: &[PathBuf]) -> SearchPath {
    let mut front = Vec::new();
    for file in files {
        let Some(dir) = file.parent() else { continue };
        let exists = file.exists()
            || file
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(unit_name::template_of)
                .is_some_and(|t| dir.join(t).exists());
        if exists && !front.iter().any(|d: &PathBuf| d == dir) {
            front.push(dir.to_path_buf());
        }
    }
    let mut path = match std::env::var("SYSTEMD_UNIT_PATH") {
        Ok(v) if v.is_empty() => SearchPath::new(Vec::<PathBuf>::new()),
        Ok(v) => SearchPath::parse(&v),
        Err(_) => SearchPath::from_env(),
    };
    path.prepend(&front);
    path
}

/// What `manager_load_startable_unit_or_warn` prints for a unit that did
/// not load.
fn load_state_error(name: &str, state: &LoadState) -> Option<String> {
    match state {
        LoadState::Error(text) => Some(format!(
            "Unit {name} failed to load properly, please adjust/correct and reload service manager: {text}"
        )),
        other => bus_load_state_error(name, other),
    }
}

/// `bus_unit_validate_load_state`'s messages.
fn bus_load_state_error(name: &str, state: &LoadState) -> Option<String> {
    match state {
        LoadState::Loaded => None,
        LoadState::NotFound => Some(format!("Unit {name} not found.")),
        LoadState::BadSetting => Some(format!("Unit {name} has a bad unit file setting.")),
        LoadState::Error(text) => Some(format!(
            "Unit {name} failed to load properly, please adjust/correct and reload service manager: {text}"
        )),
        LoadState::Masked => Some(format!("Unit {name} is masked.")),
    }
}

/// Everything a unit makes the manager load: its dependencies in file
/// order, what enablement symlinks add, a timer's unit, and the default
/// dependencies systemd adds last.
fn referred_units(unit: &Unit) -> Vec<String> {
    let mut names: Vec<String> = unit
        .unit
        .dependencies
        .iter()
        .map(|(_, n)| n.clone())
        .collect();
    names.extend(unit.wants_from_symlinks.iter().cloned());
    names.extend(unit.requires_from_symlinks.iter().cloned());
    if let Some(t) = unit.timer() {
        names.extend(timer::triggered_unit(t, &unit.name));
    }
    if unit.load_state == LoadState::Loaded && unit.unit.default_dependencies {
        match &unit.body {
            UnitBody::Service(_) => names
                .extend(["sysinit.target", "basic.target", "shutdown.target"].map(String::from)),
            UnitBody::Timer(_) => names
                .extend(["sysinit.target", "timers.target", "shutdown.target"].map(String::from)),
            _ => {}
        }
    }
    let mut unique = Vec::new();
    for n in names {
        if n != unit.name && !unique.contains(&n) {
            unique.push(n);
        }
    }
    unique
}

/// Requires=, BindsTo=, Requisite= and `*.requires/` links, plus the
/// default `Requires=sysinit.target`.
fn hard_dependencies(unit: &Unit) -> Vec<String> {
    let kinds = [
        DependencyKind::Requires,
        DependencyKind::BindsTo,
        DependencyKind::Requisite,
    ];
    let mut deps: Vec<String> = unit
        .unit
        .dependencies
        .iter()
        .filter(|(k, _)| kinds.contains(k))
        .map(|(_, n)| n.clone())
        .collect();
    deps.extend(unit.requires_from_symlinks.iter().cloned());
    if unit.unit.default_dependencies
        && matches!(unit.body, UnitBody::Service(_) | UnitBody::Timer(_))
    {
        deps.push("sysinit.target".to_string());
    }
    deps
}

/// The program a command runs, and why it cannot be run, unless the
/// command is prefixed `-` (failure ignored).
fn command_problem(command: &ExecCommand) -> Option<(String, &'static str)> {
    if command.ignore_failure {
        return None;
    }
    let program = &command.path;
    let problem = if program.contains('/') {
        file_problem(Path::new(program))
    } else {
        let path = std::env::var("PATH")
            .unwrap_or_else(|_| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin".into());
        if path
            .split(':')
            .any(|dir| file_problem(&Path::new(dir).join(program)).is_none())
        {
            None
        } else {
            Some("No such file or directory")
        }
    };
    problem.map(|p| (program.clone(), p))
}

fn file_problem(path: &Path) -> Option<&'static str> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Some("Is a directory"),
        Ok(_) => None,
        Err(_) => Some("No such file or directory"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::exec::parse_exec_value;

    #[test]
    fn template_files_stand_for_instance_i() {
        assert_eq!(
            prepared_name(Path::new("/x/foo@.service")).as_deref(),
            Some("foo@i.service")
        );
        assert_eq!(
            prepared_name(Path::new("/x/foo.service")).as_deref(),
            Some("foo.service")
        );
        assert_eq!(prepared_name(Path::new("/x/foo.txt")), None);
    }

    fn first_command(line: &str) -> ExecCommand {
        parse_exec_value(line)
            .ok()
            .and_then(|c| c.into_iter().next())
            .unwrap_or_default()
    }

    #[test]
    fn commands_with_dash_are_not_checked() {
        assert_eq!(command_problem(&first_command("-/nonexistent/x")), None);
        assert_eq!(
            command_problem(&first_command("@/nonexistent/x argv0")).map(|p| p.0),
            Some("/nonexistent/x".to_string())
        );
        assert_eq!(
            command_problem(&first_command("/etc")),
            Some(("/etc".to_string(), "Is a directory"))
        );
    }
}

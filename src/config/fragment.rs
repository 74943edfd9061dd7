//! Applying parsed unit files (the main file, then its drop-ins) to a unit,
//! line by line in file order, and the checks systemd makes once a unit is
//! read (`service_verify`, `timer_verify`).

use std::path::Path;

use super::diagnostics::{Diagnostic, Level};
use super::dialect::{self, Dialect};
use super::model::{InstallSection, UnitBody, UnitSection, UnitType};
use super::service::{self, Service, ServiceType};
use super::settings::{Applied, Setting, Sink};
use super::timer::{self, Timer};
use super::unit_section;
use crate::syntax::specifier::SpecifierContext;
use crate::syntax::unit_file::{self, Errno, Item, UnitFile};

/// A unit while its files are being applied.
#[derive(Debug, Clone)]
pub struct UnitDraft {
    pub name: String,
    pub unit_type: UnitType,
    pub unit: UnitSection,
    pub install: InstallSection,
    pub body: UnitBody,
    /// What `%n`, `%i`, ... expand to in this unit's settings.
    pub specifiers: SpecifierContext,
    /// The dialect of the directory the unit's main file is in.
    pub dialect: Dialect,
}

impl UnitDraft {
    pub fn new(name: &str, unit_type: UnitType) -> Self {
        let body = match unit_type {
            UnitType::Service => UnitBody::Service(Box::default()),
            UnitType::Timer => UnitBody::Timer(Box::default()),
            UnitType::Target => UnitBody::Target,
            _ => UnitBody::Other,
        };
        UnitDraft {
            name: name.to_string(),
            unit_type,
            unit: UnitSection::default(),
            install: InstallSection::default(),
            body,
            specifiers: super::host::specifier_context(name),
            dialect: Dialect::Systemd,
        }
    }
}

/// How reading one file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Read,
    /// A setting made the unit unusable (systemd's ENOEXEC, `bad-setting`).
    BadSetting,
    /// The file itself is broken; the text is `strerror()`'s.
    Broken(String),
}

/// The sections a unit of this type reads.
fn is_known_section(unit_type: UnitType, name: &str) -> bool {
    match name {
        "Unit" | "Install" => true,
        // runr's own section for service logs.
        "Log" => unit_type == UnitType::Service,
        _ => unit_type.own_section() == Some(name),
    }
}

/// Applies one parsed file to the draft, appending diagnostics in the order
/// systemd logs them. Stops at the first fatal line.
pub fn apply_file(
    draft: &mut UnitDraft,
    path: &Path,
    file: &UnitFile,
    out: &mut Vec<Diagnostic>,
) -> FileOutcome {
    let known: Vec<bool> = file
        .sections
        .iter()
        .map(|s| is_known_section(draft.unit_type, &s.name))
        .collect();
    let mut sink = Sink { path, out };
    for item in file.items() {
        match item {
            Item::SectionHeader { index, section } => {
                if !known[index] && !section.name.starts_with("X-") {
                    sink.warn(
                        section.line,
                        format!("Unknown section '{}'. Ignoring.", section.name),
                    );
                }
            }
            Item::Diagnostic(d) => {
                let in_ignored_section = d.section.is_some_and(|i| !known[i]);
                if in_ignored_section && d.is_silenced_in_ignored_section() {
                    continue;
                }
                let level = if d.is_fatal() {
                    Level::Error
                } else {
                    Level::Warning
                };
                sink.out
                    .push(Diagnostic::at_line(path, d.line, level, d.to_string()));
                if let Some(errno) = d.kind.fatal_errno() {
                    return FileOutcome::Broken(errno_text(errno).to_string());
                }
            }
            Item::Entry {
                section_index,
                section,
                entry,
            } => {
                if !known[section_index] {
                    continue;
                }
                let setting = Setting {
                    section: &section.name,
                    key: &entry.key,
                    value: &entry.value,
                    line: entry.line,
                };
                match apply_setting(draft, &setting, &mut sink) {
                    Applied::Done => {}
                    Applied::Fatal => return FileOutcome::BadSetting,
                    Applied::UnknownKey => {
                        if !entry.key.starts_with("X-") {
                            sink.warn(
                                entry.line,
                                format!(
                                    "Unknown key '{}' in section [{}], ignoring.",
                                    entry.key, section.name
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    FileOutcome::Read
}

fn errno_text(errno: Errno) -> &'static str {
    match errno {
        Errno::BadMessage => "Bad message",
        Errno::InvalidArgument => "Invalid argument",
    }
}

/// Settings that resolve specifiers themselves (word by word), or not at
/// load time ([Install] is resolved when a unit is enabled). runr's [Log]
/// section is taken as written: its prefixes have placeholders of their
/// own, expanded per line (`crate::logs::prefix`), and none of its keys
/// knows systemd's specifiers.
fn expands_own_specifiers(s: &Setting) -> bool {
    s.section == "Install"
        || s.section == "Log"
        || s.key.starts_with("Exec")
        || matches!(
            s.key,
            "Environment" | "EnvironmentFile" | "PassEnvironment" | "UnsetEnvironment"
        )
}

fn apply_setting(draft: &mut UnitDraft, s: &Setting, sink: &mut Sink) -> Applied {
    if s.value.contains('%') && !expands_own_specifiers(s) {
        return match crate::syntax::specifier::expand_specifiers(s.value, &draft.specifiers) {
            Ok(value) => apply_expanded(
                draft,
                &Setting {
                    value: &value,
                    ..*s
                },
                sink,
            ),
            Err(error) => {
                sink.warn(
                    s.line,
                    format!(
                        "Failed to resolve unit specifiers in '{}', ignoring: {error}",
                        s.value
                    ),
                );
                Applied::Done
            }
        };
    }
    apply_expanded(draft, s, sink)
}

fn apply_expanded(draft: &mut UnitDraft, s: &Setting, sink: &mut Sink) -> Applied {
    if draft.dialect == Dialect::Runr
        && let Some(applied) = apply_runr_meaning(draft, s, sink)
    {
        return applied;
    }
    match s.section {
        "Unit" => unit_section::apply_unit_key(&mut draft.unit, s, sink),
        "Install" => unit_section::apply_install_key(&mut draft.install, s),
        "Service" => match &mut draft.body {
            UnitBody::Service(svc) => service::apply_service_key(svc, &draft.specifiers, s, sink),
            _ => Applied::Done,
        },
        "Log" => match &mut draft.body {
            UnitBody::Service(svc) => service::apply_log_key(&mut svc.log, s, sink),
            _ => Applied::Done,
        },
        "Timer" => match &mut draft.body {
            UnitBody::Timer(t) => timer::apply_timer_key(t, &draft.name, s, sink),
            _ => Applied::Done,
        },
        // The own section of a type runr does not run: accepted as is.
        _ => Applied::Done,
    }
}

/// The keys whose meaning in runr's dialect differs from systemd's.
fn apply_runr_meaning(draft: &mut UnitDraft, s: &Setting, sink: &mut Sink) -> Option<Applied> {
    match (&mut draft.body, s.section, s.key) {
        // `Unit=backup` is backup.service.
        (UnitBody::Timer(t), "Timer", "Unit") => {
            let name = dialect::trigger_unit_name(s.value);
            Some(timer::apply_timer_key(
                t,
                &draft.name,
                &Setting { value: &name, ..*s },
                sink,
            ))
        }
        // Documented, and safe with the final SIGKILL: no warning.
        (UnitBody::Service(svc), "Service", "KillMode") if s.value == "none" => {
            svc.kill_mode = Some(service::KillMode::None);
            Some(Applied::Done)
        }
        _ => None,
    }
}

/// Reads text and applies it (for callers that already hold the bytes).
pub fn apply_bytes(
    draft: &mut UnitDraft,
    path: &Path,
    bytes: &[u8],
    out: &mut Vec<Diagnostic>,
) -> FileOutcome {
    let file = unit_file::parse_bytes(bytes);
    apply_file(draft, path, &file, out)
}

/// The checks systemd makes on a unit once all its files are read; an
/// error message means the unit is `bad-setting`.
pub fn check_loaded(draft: &UnitDraft) -> Result<Vec<String>, String> {
    match &draft.body {
        UnitBody::Service(svc) => check_service(svc, &draft.unit),
        UnitBody::Timer(t) => {
            check_timer(t)?;
            if draft.dialect == Dialect::Runr {
                dialect::check_runr_timer(t)?;
            }
            Ok(Vec::new())
        }
        _ => Ok(Vec::new()),
    }
}

/// Once every file is read: runr's defaults for what a unit of its
/// dialect left unset.
pub fn finish_dialect(draft: &mut UnitDraft) {
    if draft.dialect == Dialect::Runr {
        dialect::apply_runr_defaults(&mut draft.body);
    }
}

/// `service_verify()`: the refusals, in systemd's order, and the warnings
/// it logs about settings it ignores.
fn check_service(svc: &Service, unit: &UnitSection) -> Result<Vec<String>, String> {
    use super::model::EmergencyAction;
    use super::service::{ExitType, Restart};

    let exec = &svc.exec;
    let no_success_action = unit.success_action == EmergencyAction::None;
    let oneshot = svc.effective_type() == ServiceType::Oneshot;
    if exec.start.is_empty() && exec.stop.is_empty() && no_success_action {
        return Err("Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.".into());
    }
    if !oneshot && exec.start.is_empty() {
        return Err("Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.".into());
    }
    if !svc.remain_after_exit && exec.start.is_empty() && no_success_action {
        return Err(
            "Service has no ExecStart= and no SuccessAction= settings and does not have RemainAfterExit=yes set. Refusing."
                .into(),
        );
    }
    if !oneshot && exec.start.len() > 1 {
        return Err("Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.".into());
    }
    if oneshot && matches!(svc.restart, Some(Restart::Always | Restart::OnSuccess)) {
        return Err(
            "Service has Restart= set to either always or on-success, which isn't allowed for Type=oneshot services. Refusing."
                .into(),
        );
    }
    if oneshot && svc.restart_force_exit_status != Default::default() {
        return Err("Service has RestartForceExitStatus= set, which isn't allowed for Type=oneshot services. Refusing.".into());
    }
    if oneshot && svc.exit_type == Some(ExitType::Cgroup) {
        return Err("Service has ExitType=cgroup set, which isn't allowed for Type=oneshot services. Refusing.".into());
    }
    if svc.effective_type() == ServiceType::Dbus && svc.bus_name.is_none() {
        return Err(
            "Service is of type D-Bus but no D-Bus service name has been specified. Refusing."
                .into(),
        );
    }
    let mut warnings = Vec::new();
    if svc
        .timespan("RuntimeMaxSec")
        .is_some_and(|t| t != crate::syntax::USEC_INFINITY)
        && oneshot
    {
        warnings.push(
            "RuntimeMaxSec= has no effect in combination with Type=oneshot. Ignoring.".to_string(),
        );
    }
    Ok(warnings)
}

fn check_timer(t: &Timer) -> Result<(), String> {
    if t.has_trigger() {
        Ok(())
    } else {
        Err("Timer unit lacks value setting. Refusing.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, text: &str) -> (UnitDraft, FileOutcome, Vec<String>) {
        let unit_type = super::super::unit_name::classify(name)
            .map(|(_, t)| t)
            .unwrap_or(UnitType::Service);
        let mut draft = UnitDraft::new(name, unit_type);
        let mut out = Vec::new();
        let outcome = apply_bytes(&mut draft, Path::new("/u/x"), text.as_bytes(), &mut out);
        (draft, outcome, out.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn unknown_sections_and_keys() {
        let (_, outcome, msgs) = load(
            "a.service",
            "[Unit]\nFoo=1\nX-Mine=2\n[Bogus]\nBar\nK=v\n[X-Vendor]\nA=b\n[Service]\nExecStart=/bin/true\n",
        );
        assert_eq!(outcome, FileOutcome::Read);
        assert_eq!(
            msgs,
            vec![
                "/u/x:2: Unknown key 'Foo' in section [Unit], ignoring.",
                "/u/x:4: Unknown section 'Bogus'. Ignoring."
            ]
        );
    }

    #[test]
    fn fatal_line_stops_the_file() {
        let (draft, outcome, msgs) = load(
            "a.service",
            "[Service]\nExecStart=/bin/true\n[Unit\nDescription=x\n",
        );
        assert_eq!(outcome, FileOutcome::Broken("Bad message".into()));
        assert_eq!(msgs, vec!["/u/x:3: Invalid section header '[Unit'"]);
        assert_eq!(draft.unit.description, None);
    }

    #[test]
    fn fatal_setting_is_bad_setting() {
        let (_, outcome, msgs) = load("a.service", "[Service]\nWorkingDirectory=rel\nUMask=999\n");
        assert_eq!(outcome, FileOutcome::BadSetting);
        assert_eq!(msgs.len(), 1);
    }

    #[test]
    fn service_checks() {
        let (draft, _, _) = load("a.service", "[Service]\nType=simple\n");
        assert_eq!(
            check_loaded(&draft),
            Err("Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.".into())
        );
        let (draft, _, _) = load("a.service", "[Service]\nExecStart=/a\nExecStart=/b\n");
        assert!(
            check_loaded(&draft)
                .unwrap_err()
                .contains("more than one ExecStart=")
        );
        let (draft, _, _) = load(
            "a.service",
            "[Service]\nType=oneshot\nExecStart=/a\nExecStart=/b\n",
        );
        assert_eq!(check_loaded(&draft), Ok(vec![]));
    }

    #[test]
    fn timer_needs_a_trigger() {
        let (draft, _, _) = load("a.timer", "[Timer]\nPersistent=yes\n");
        assert_eq!(
            check_loaded(&draft),
            Err("Timer unit lacks value setting. Refusing.".into())
        );
    }

    #[test]
    fn log_section_is_read_for_services_only() {
        let (_, _, msgs) = load("a.service", "[Log]\nSink=file\n[Service]\nExecStart=/a\n");
        assert!(msgs.is_empty());
        let (_, _, msgs) = load("a.timer", "[Log]\nSink=file\n");
        assert_eq!(msgs, vec!["/u/x:1: Unknown section 'Log'. Ignoring."]);
    }

    #[test]
    fn log_section_is_taken_as_written() {
        let (draft, _, msgs) = load(
            "db@main.service",
            "[Service]\nExecStart=/a\n[Log]\nDirectory=/logs/%i\nPrefix=[%T %s pid=%p]\n\
             PrefixSink=%R|\nPrefixFile=[%d %T %S]\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let UnitBody::Service(svc) = &draft.body else {
            panic!("a service");
        };
        assert_eq!(svc.log.directory.as_deref(), Some("/logs/%i"));
        assert_eq!(svc.log.prefix.as_deref(), Some("[%T %s pid=%p]"));
        assert_eq!(svc.log.prefix_sink.as_deref(), Some("%R|"));
        assert_eq!(svc.log.prefix_file.as_deref(), Some("[%d %T %S]"));
    }
}

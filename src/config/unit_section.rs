//! The [Unit] and [Install] sections every unit type shares.

use super::known_keys::{self, INSTALL_KEYS, UNIT_KEYS};
use super::model::{
    CollectMode, Condition, DependencyKind, EmergencyAction, InstallSection, JobMode, UnitSection,
};
use super::settings::{self, Applied, Fatal, Setting, Sink, TimespanMessage};
use super::{unit_name, values};

/// Condition and assert kinds whose value is a path (checked absolute).
const PATH_CONDITIONS: &[&str] = &[
    "PathExists",
    "PathExistsGlob",
    "PathIsDirectory",
    "PathIsSymbolicLink",
    "PathIsMountPoint",
    "PathIsReadWrite",
    "PathIsEncrypted",
    "DirectoryNotEmpty",
    "FileNotEmpty",
    "FileIsExecutable",
    "NeedsUpdate",
];

/// Old dependency keys systemd still reads, with a warning.
const OBSOLETE_DEPENDENCIES: &[(&str, DependencyKind)] = &[
    ("RequiresOverridable", DependencyKind::Requires),
    ("RequisiteOverridable", DependencyKind::Requisite),
];

/// Keys systemd has dropped but still recognises, to say so.
const REMOVED_UNIT_KEYS: &[&str] = &["IgnoreOnSnapshot"];

pub fn apply_unit_key(u: &mut UnitSection, s: &Setting, sink: &mut Sink) -> Applied {
    if let Some(kind) = DependencyKind::from_key(s.key) {
        return add_dependencies(u, kind, s, sink).into();
    }
    if let Some((_, kind)) = OBSOLETE_DEPENDENCIES.iter().find(|(k, _)| *k == s.key) {
        sink.warn(
            s.line,
            format!("Unit dependency type {}= is obsolete, replacing by {}=, please update your unit file", s.key, kind.name()),
        );
        return add_dependencies(u, *kind, s, sink).into();
    }
    if known_keys::lookup(UNIT_KEYS, s.key).is_some() {
        if let Some(kind) = s.key.strip_prefix("Condition") {
            return add_condition(&mut u.conditions, kind, s, sink).into();
        }
        if let Some(kind) = s.key.strip_prefix("Assert") {
            return add_condition(&mut u.asserts, kind, s, sink).into();
        }
    }
    if REMOVED_UNIT_KEYS.contains(&s.key) {
        sink.plain_line_info(
            s,
            &format!(
                "Support for option {}= has been removed and it is ignored",
                s.key
            ),
        );
        return Applied::Done;
    }
    let result = match s.key {
        "Description" => settings::set_string(&mut u.description, s),
        "Documentation" => set_documentation(&mut u.documentation, s, sink),
        "SourcePath" => {
            u.source_path = settings::absolute_path(s, s.value, false, sink)
                .ok()
                .flatten();
            Ok(())
        }
        "RequiresMountsFor" => add_mount_paths(&mut u.requires_mounts_for, s, sink),
        "StopWhenUnneeded" => settings::set_boolean(&mut u.stop_when_unneeded, s, sink),
        "RefuseManualStart" => settings::set_boolean(&mut u.refuse_manual_start, s, sink),
        "RefuseManualStop" => settings::set_boolean(&mut u.refuse_manual_stop, s, sink),
        "AllowIsolate" => settings::set_boolean(&mut u.allow_isolate, s, sink),
        "DefaultDependencies" => settings::set_boolean(&mut u.default_dependencies, s, sink),
        "IgnoreOnIsolate" => settings::set_boolean(&mut u.ignore_on_isolate, s, sink),
        "OnFailureJobMode" => settings::set_named(
            &mut u.on_failure_job_mode,
            JobMode::from_name,
            "Failed to parse job mode",
            s,
            sink,
        ),
        "OnSuccessJobMode" => settings::set_named(
            &mut u.on_success_job_mode,
            JobMode::from_name,
            "Failed to parse job mode",
            s,
            sink,
        ),
        "CollectMode" => settings::set_named(
            &mut u.collect_mode,
            CollectMode::from_name,
            "Failed to parse garbage collection mode",
            s,
            sink,
        ),
        "StartLimitIntervalSec" | "StartLimitInterval" => {
            settings::set_timespan(&mut u.start_limit_interval, TimespanMessage::Sec, s, sink)
        }
        "JobTimeoutSec" => set_job_timeout(u, s, sink),
        "StartLimitBurst" => settings::set_unsigned(&mut u.start_limit_burst, s, sink),
        "StartLimitAction" => set_emergency_action_opt(&mut u.start_limit_action, s, sink),
        "FailureAction" => set_emergency_action(&mut u.failure_action, s, sink),
        "SuccessAction" => set_emergency_action(&mut u.success_action, s, sink),
        _ => match known_keys::lookup(UNIT_KEYS, s.key) {
            Some(kind) => settings::check_generic(kind, s, sink),
            None => return Applied::UnknownKey,
        },
    };
    result.into()
}

impl Sink<'_> {
    fn plain_line_info(&mut self, s: &Setting, message: &str) {
        self.out.push(super::diagnostics::Diagnostic::at_line(
            self.path,
            s.line,
            super::diagnostics::Level::Info,
            message,
        ));
    }
}

/// `JobTimeoutSec=`: zero means no timeout.
fn set_job_timeout(u: &mut UnitSection, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    settings::set_timespan(&mut u.job_timeout, TimespanMessage::Parameter, s, sink)?;
    if u.job_timeout == Some(0) {
        u.job_timeout = Some(crate::syntax::USEC_INFINITY);
    }
    Ok(())
}

/// `config_parse_unit_deps`: blank-separated unit names. A name that is not
/// a valid unit name is reported and skipped.
fn add_dependencies(
    u: &mut UnitSection,
    kind: DependencyKind,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let Some(words) = values::split_words(s.value) else {
        sink.warn(s.line, format!("Invalid syntax, ignoring: {}", s.value));
        return Ok(());
    };
    for word in words {
        if unit_name::is_valid(&word) {
            u.dependencies.push((kind, word));
        } else {
            sink.warn(
                s.line,
                format!("Failed to add dependency on {word}, ignoring: Invalid argument"),
            );
        }
    }
    Ok(())
}

/// `Documentation=`: URLs of the kinds systemd accepts; empty resets.
fn set_documentation(list: &mut Vec<String>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        list.clear();
        return Ok(());
    }
    let Some(words) = values::split_words(s.value) else {
        sink.warn(s.line, format!("Invalid syntax, ignoring: {}", s.value));
        return Ok(());
    };
    for word in words {
        if is_documentation_url(&word) {
            list.push(word);
        } else {
            sink.warn(s.line, format!("Invalid URL, ignoring: {word}"));
        }
    }
    Ok(())
}

/// http(s)://, file:/, info: and man: URLs with a non-empty ASCII rest.
pub fn is_documentation_url(url: &str) -> bool {
    let rest = ["http://", "https://", "file:/", "info:", "man:"]
        .iter()
        .find_map(|p| url.strip_prefix(p));
    rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii() && !b.is_ascii_control()))
}

fn add_mount_paths(list: &mut Vec<String>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let Some(words) = values::split_words(s.value) else {
        sink.warn(s.line, format!("Invalid syntax, ignoring: {}", s.value));
        return Ok(());
    };
    for word in words {
        if let Some(path) = settings::absolute_path(s, &word, false, sink)? {
            list.push(path);
        }
    }
    Ok(())
}

/// `Condition*=`/`Assert*=`: `|` (trigger) then `!` (negate), then the
/// value; an empty value resets the whole list.
fn add_condition(
    list: &mut Vec<Condition>,
    kind: &str,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.value.is_empty() {
        list.clear();
        return Ok(());
    }
    let is_path = PATH_CONDITIONS.contains(&kind);
    let skip_blanks = |v: &str| -> String {
        if is_path {
            v.to_string()
        } else {
            v.trim_start_matches([' ', '\t', '\n', '\r']).to_string()
        }
    };
    let mut rest = s.value;
    let trigger = rest.starts_with('|');
    if trigger {
        rest = &rest[1..];
    }
    let mut rest = skip_blanks(rest);
    let negate = rest.starts_with('!');
    if negate {
        rest = skip_blanks(&rest[1..]);
    }
    let value = if is_path {
        match settings::absolute_path(s, &rest, false, sink)? {
            Some(p) => p,
            None => return Ok(()),
        }
    } else {
        rest
    };
    list.push(Condition {
        kind: kind.to_string(),
        trigger,
        negate,
        value,
    });
    Ok(())
}

fn set_emergency_action(
    target: &mut EmergencyAction,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    match EmergencyAction::from_name(s.value) {
        Some(a) => *target = a,
        None => sink.warn(
            s.line,
            format!("Failed to parse {}=, ignoring: {}", s.key, s.value),
        ),
    }
    Ok(())
}

fn set_emergency_action_opt(
    target: &mut Option<EmergencyAction>,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let mut action = target.unwrap_or(EmergencyAction::None);
    set_emergency_action(&mut action, s, sink)?;
    *target = Some(action);
    Ok(())
}

/// [Install]: systemd's manager does not read these (enable does), so a
/// value is never reported here; words are split as `systemctl enable`
/// splits them.
pub fn apply_install_key(i: &mut InstallSection, s: &Setting) -> Applied {
    let words = || values::split_words(s.value).unwrap_or_default();
    match s.key {
        "WantedBy" => i.wanted_by.extend(words()),
        "RequiredBy" => i.required_by.extend(words()),
        "Also" => i.also.extend(words()),
        "Alias" => i.alias.extend(words()),
        "DefaultInstance" => {
            i.default_instance = (!s.value.is_empty()).then(|| s.value.to_string())
        }
        _ if known_keys::lookup(INSTALL_KEYS, s.key).is_some() => {}
        _ => return Applied::UnknownKey,
    }
    Applied::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn apply(key: &str, value: &str) -> (UnitSection, Vec<String>, Applied) {
        let mut u = UnitSection::default();
        let mut out = Vec::new();
        let mut sink = Sink {
            path: Path::new("/x.service"),
            out: &mut out,
        };
        let applied = apply_unit_key(
            &mut u,
            &Setting {
                section: "Unit",
                key,
                value,
                line: 4,
            },
            &mut sink,
        );
        (u, out.iter().map(|d| d.to_string()).collect(), applied)
    }

    #[test]
    fn dependencies_are_split_and_validated() {
        let (u, msgs, _) = apply("Wants", "a.service b.target bogus");
        assert_eq!(
            u.dependencies_of(DependencyKind::Wants).collect::<Vec<_>>(),
            vec!["a.service", "b.target"]
        );
        assert_eq!(
            msgs,
            vec!["/x.service:4: Failed to add dependency on bogus, ignoring: Invalid argument"]
        );
    }

    #[test]
    fn conditions_keep_trigger_and_negation() {
        let (u, msgs, _) = apply("ConditionPathExists", "|!/etc/foo");
        assert!(msgs.is_empty());
        assert_eq!(
            u.conditions,
            vec![Condition {
                kind: "PathExists".into(),
                trigger: true,
                negate: true,
                value: "/etc/foo".into()
            }]
        );
        let (u, _, _) = apply("AssertHost", "| ! myhost");
        assert_eq!(u.asserts[0].value, "myhost");
        assert!(u.asserts[0].trigger && u.asserts[0].negate);
    }

    #[test]
    fn condition_paths_must_be_absolute() {
        let (u, msgs, _) = apply("ConditionPathExists", "etc/foo");
        assert!(u.conditions.is_empty());
        assert_eq!(
            msgs,
            vec!["/x.service:4: ConditionPathExists= path is not absolute, ignoring: etc/foo"]
        );
    }

    #[test]
    fn unknown_keys_are_reported_to_the_caller() {
        assert_eq!(apply("Foo", "x").2, Applied::UnknownKey);
        assert_eq!(apply("ConditionFoo", "x").2, Applied::UnknownKey);
        assert_eq!(apply("JobRunningTimeoutSec", "5").2, Applied::Done);
    }

    #[test]
    fn bad_values() {
        assert_eq!(
            apply("DefaultDependencies", "maybe").1,
            vec!["/x.service:4: Failed to parse boolean value, ignoring: maybe"]
        );
        assert_eq!(
            apply("FailureAction", "explode").1,
            vec!["/x.service:4: Failed to parse FailureAction=, ignoring: explode"]
        );
        assert_eq!(
            apply("Documentation", "foo man:bar(1)").1,
            vec!["/x.service:4: Invalid URL, ignoring: foo"]
        );
    }
}

//! From systemd-run's options to unit-file text for the transient service
//! (and timer), written the way systemd writes its transient files under
//! /run/systemd/transient, with the checks systemd-run makes on the way.

use crate::config::known_keys::{self, ValueKind};
use crate::config::values::{parse_boolean, parse_signal};
use crate::engine::transient::{
    environment_assignment, exec_line_expanding_variables, plain_value,
};
use crate::syntax::timespan::parse_timespan;

use super::args::RunArgs;

/// Type= values systemd 252 knows.
const SERVICE_TYPES: [&str; 7] = [
    "simple", "exec", "forking", "oneshot", "dbus", "notify", "idle",
];

/// What the daemon is asked to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub service: String,
    pub timer: Option<String>,
}

/// Builds the unit texts; `command` is the command line with its program
/// already resolved to an absolute path. An error is systemd-run's message.
pub fn unit_texts(run: &RunArgs, command: &[String], cwd: Option<&str>) -> Result<Texts, String> {
    let description = run.description.clone().unwrap_or_else(|| command.join(" "));
    let mut unit_lines = vec![format!("Description={}", plain_value(&description))];
    if run.collect {
        unit_lines.push("CollectMode=inactive-or-failed".to_string());
    }
    let mut service_lines = Vec::new();
    for property in &run.properties {
        let (key, value) = checked_property(property)?;
        let line = format!("{key}={value}");
        if known_keys::lookup(known_keys::UNIT_KEYS, key).is_some() {
            unit_lines.push(line);
        } else {
            service_lines.push(line);
        }
    }
    if run.send_sighup {
        service_lines.push("SendSIGHUP=yes".into());
    }
    if let Some(slice) = &run.slice {
        service_lines.push(format!("Slice={}", plain_value(slice)));
    }
    if run.remain_after_exit {
        service_lines.push("RemainAfterExit=yes".into());
    }
    if let Some(kind) = &run.service_type {
        // The manager refuses the property; the start fails with its words.
        if !SERVICE_TYPES.contains(&kind.as_str()) {
            return Err(format!(
                "Failed to start transient service unit: Invalid Type setting: {kind}"
            ));
        }
        service_lines.push(format!("Type={kind}"));
    }
    if let Some(user) = &run.uid {
        service_lines.push(format!("User={}", plain_value(user)));
    }
    if let Some(group) = &run.gid {
        service_lines.push(format!("Group={}", plain_value(group)));
    }
    if let Some(nice) = run.nice {
        service_lines.push(format!("Nice={nice}"));
    }
    let working_directory = run
        .working_directory
        .clone()
        .or_else(|| cwd.filter(|_| run.same_dir).map(String::from));
    if let Some(directory) = working_directory {
        service_lines.push(format!("WorkingDirectory={}", plain_value(&directory)));
    }
    for assignment in environment(&run.environment)? {
        let (name, value) = assignment.split_once('=').unwrap_or((&assignment, ""));
        service_lines.push(format!(
            "Environment={}",
            environment_assignment(name, value)
        ));
    }
    service_lines.push("ExecStart=".into());
    service_lines.push(format!(
        "ExecStart={}",
        exec_line_expanding_variables(command)
    ));
    let service = sections(&unit_lines, "Service", &service_lines);

    let timer = if run.with_timer {
        let mut timer_lines = Vec::new();
        for property in &run.timer_properties {
            let (key, value) = checked_timer_property(property)?;
            timer_lines.push(format!("{key}={value}"));
        }
        timer_lines.push("RemainAfterElapse=no".into());
        let timer_unit_lines = vec![format!("Description={}", plain_value(&description))];
        Some(sections(&timer_unit_lines, "Timer", &timer_lines))
    } else {
        None
    };
    Ok(Texts { service, timer })
}

fn sections(unit: &[String], name: &str, body: &[String]) -> String {
    let mut text = String::from("[Unit]\n");
    for line in unit {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str(&format!("\n[{name}]\n"));
    for line in body {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// `-p KEY=VALUE`: a key systemd knows for a service, with a value of the
/// right shape.
fn checked_property(property: &str) -> Result<(&str, &str), String> {
    let (key, value) = property
        .split_once('=')
        .ok_or_else(|| format!("Not an assignment: {property}"))?;
    let kind = known_keys::lookup(known_keys::UNIT_KEYS, key)
        .or_else(|| known_keys::lookup(known_keys::SERVICE_KEYS, key))
        .ok_or_else(|| format!("Unknown assignment: {property}"))?;
    check_value(key, value, kind)?;
    Ok((key, value))
}

fn checked_timer_property(property: &str) -> Result<(&str, &str), String> {
    let (key, value) = property
        .split_once('=')
        .ok_or_else(|| format!("Not an assignment: {property}"))?;
    let kind = known_keys::lookup(known_keys::TIMER_KEYS, key)
        .or_else(|| known_keys::lookup(known_keys::UNIT_KEYS, key))
        .ok_or_else(|| format!("Unknown assignment: {property}"))?;
    // The monotonic triggers are time spans, whatever the generic table says.
    let kind = if key.starts_with("On") && key.ends_with("Sec") {
        ValueKind::Timespan
    } else {
        kind
    };
    check_value(key, value, kind)?;
    Ok((key, value))
}

fn check_value(key: &str, value: &str, kind: ValueKind) -> Result<(), String> {
    let fine = match kind {
        ValueKind::Bool => parse_boolean(value).is_some(),
        ValueKind::Unsigned => value.trim().parse::<u64>().is_ok(),
        ValueKind::Mode => u32::from_str_radix(value.trim(), 8).is_ok_and(|m| m <= 0o7777),
        ValueKind::Signal => parse_signal(value).is_ok(),
        ValueKind::Timespan => parse_timespan(value).is_ok(),
        ValueKind::Other => true,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("Failed to parse {key}={value}: Invalid argument"))
    }
}

/// `--setenv=` assignments: `NAME=VALUE`, or `NAME` for the caller's own
/// value (left out when the caller has none).
fn environment(given: &[String]) -> Result<Vec<String>, String> {
    let mut assignments: Vec<String> = Vec::new();
    for entry in given {
        let invalid = || format!("Cannot assign environment variable {entry}: Invalid argument");
        let assignment = match entry.split_once('=') {
            Some((name, _)) if is_env_name(name) => entry.clone(),
            Some(_) => return Err(invalid()),
            None if is_env_name(entry) => match std::env::var(entry) {
                Ok(value) => format!("{entry}={value}"),
                Err(_) => continue,
            },
            None => return Err(invalid()),
        };
        let name = assignment.split('=').next().unwrap_or("").to_string();
        assignments.retain(|a| a.split('=').next() != Some(name.as_str()));
        assignments.push(assignment);
    }
    Ok(assignments)
}

/// A valid environment variable name, as systemd's env_name_is_valid.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The program as systemd-run resolves it before asking: an absolute path
/// to an executable file (a name is looked up in `path`).
pub fn find_executable(program: &str, path: &str, cwd: &str) -> Result<String, String> {
    let failed = |e: &str| format!("Failed to find executable {program}: {e}");
    if program.contains('/') {
        let absolute = if program.starts_with('/') {
            program.to_string()
        } else {
            format!(
                "{}/{}",
                cwd.trim_end_matches('/'),
                program.trim_start_matches("./")
            )
        };
        return check_executable(&absolute)
            .map(|()| absolute)
            .map_err(|e| failed(&e));
    }
    let mut last_error = "No such file or directory".to_string();
    for directory in path.split(':').filter(|d| d.starts_with('/')) {
        let candidate = format!("{}/{program}", directory.trim_end_matches('/'));
        match check_executable(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e != "No such file or directory" => last_error = e,
            Err(_) => {}
        }
    }
    Err(failed(&last_error))
}

fn check_executable(path: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).map_err(|e| crate::engine::errno_text(&e))?;
    if metadata.is_dir() {
        return Err("Is a directory".into());
    }
    if metadata.permissions().mode() & 0o111 == 0 {
        return Err("Permission denied".into());
    }
    Ok(())
}

/// `--unit=NAME` as systemd-run takes it: characters a unit name cannot
/// hold are escaped (with a warning, unless quiet), and `.service` is
/// added unless the name has a unit type suffix. Returns the name and the
/// warning, if any.
pub fn mangle_unit_name(given: &str) -> (String, Option<String>) {
    const SUFFIXES: [&str; 11] = [
        ".service",
        ".socket",
        ".target",
        ".device",
        ".mount",
        ".automount",
        ".swap",
        ".timer",
        ".path",
        ".slice",
        ".scope",
    ];
    let mut escaped = String::with_capacity(given.len());
    for c in given.chars() {
        match c {
            '/' => escaped.push('-'),
            c if c.is_ascii_alphanumeric() || ":-_.\\@".contains(c) => escaped.push(c),
            c => {
                let mut buffer = [0u8; 4];
                for byte in c.encode_utf8(&mut buffer).bytes() {
                    escaped.push_str(&format!("\\x{byte:02x}"));
                }
            }
        }
    }
    let warning = (escaped != given).then(|| {
        format!(
            "Invalid unit name \"{given}\" escaped as \"{escaped}\" (maybe you should use systemd-escape?)."
        )
    });
    if SUFFIXES
        .iter()
        .any(|s| escaped.ends_with(s) && escaped.len() > s.len())
    {
        (escaped, warning)
    } else {
        (format!("{escaped}.service"), warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compat::systemd_run::args::parse;

    fn run_of(words: &[&str]) -> RunArgs {
        parse(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_service_text_as_systemd_writes_one() {
        let run = run_of(&["--description=My task", "--remain-after-exit", "true"]);
        let texts = unit_texts(&run, &["/usr/bin/true".into()], None).unwrap();
        assert_eq!(
            texts.service,
            "[Unit]\nDescription=My task\n\n[Service]\nRemainAfterExit=yes\nExecStart=\nExecStart=\"/usr/bin/true\"\n"
        );
        assert_eq!(texts.timer, None);
    }

    #[test]
    fn options_become_settings_in_their_sections() {
        let run = run_of(&[
            "-G",
            "-p",
            "After=x.service",
            "-p",
            "TimeoutStopSec=3",
            "--uid=nobody",
            "--gid=65534",
            "--nice=5",
            "--working-directory=/tmp",
            "--setenv=A=1 2",
            "--service-type=oneshot",
            "x",
        ]);
        let text = unit_texts(&run, &["/bin/x".into()], None).unwrap().service;
        let (unit, service) = text.split_once("[Service]").unwrap();
        assert!(
            unit.contains("Description=/bin/x\nCollectMode=inactive-or-failed\nAfter=x.service\n"),
            "{text}"
        );
        for line in [
            "TimeoutStopSec=3",
            "User=nobody",
            "Group=65534",
            "Nice=5",
            "WorkingDirectory=/tmp",
            "Environment=\"A=1 2\"",
            "Type=oneshot",
        ] {
            assert!(service.contains(&format!("{line}\n")), "{line} in {text}");
        }
    }

    #[test]
    fn a_timer_text_with_remain_after_elapse_off() {
        let run = run_of(&["--on-active=1h", "--timer-property=AccuracySec=1s", "true"]);
        let texts = unit_texts(&run, &["/usr/bin/true".into()], None).unwrap();
        assert_eq!(
            texts.timer.as_deref(),
            Some(
                "[Unit]\nDescription=/usr/bin/true\n\n[Timer]\nOnActiveSec=1h\nAccuracySec=1s\nRemainAfterElapse=no\n"
            )
        );
        let bad = run_of(&["--on-active=soon", "true"]);
        assert_eq!(
            unit_texts(&bad, &["/usr/bin/true".into()], None).unwrap_err(),
            "Failed to parse OnActiveSec=soon: Invalid argument"
        );
    }

    #[test]
    fn properties_are_checked_as_systemd_run_checks_them() {
        let error = |p: &str| {
            unit_texts(&run_of(&["-p", p, "true"]), &["/bin/true".into()], None).unwrap_err()
        };
        assert_eq!(
            error("NoSuchProperty=1"),
            "Unknown assignment: NoSuchProperty=1"
        );
        assert_eq!(error("TimeoutStopSec"), "Not an assignment: TimeoutStopSec");
        assert_eq!(
            error("TimeoutStopSec=forever"),
            "Failed to parse TimeoutStopSec=forever: Invalid argument"
        );
        let env_error = unit_texts(
            &run_of(&["--setenv==x", "true"]),
            &["/bin/true".into()],
            None,
        )
        .unwrap_err();
        assert_eq!(
            env_error,
            "Cannot assign environment variable =x: Invalid argument"
        );
    }

    #[test]
    fn executables_are_found_as_systemd_run_finds_them() {
        assert_eq!(
            find_executable("sh", "/nonexistent:/bin", "/").unwrap(),
            "/bin/sh"
        );
        assert_eq!(
            find_executable("/nonexistent/program", "/bin", "/").unwrap_err(),
            "Failed to find executable /nonexistent/program: No such file or directory"
        );
        assert_eq!(
            find_executable("no-such-program-anywhere", "/bin", "/").unwrap_err(),
            "Failed to find executable no-such-program-anywhere: No such file or directory"
        );
    }

    #[test]
    fn unit_names_get_their_suffix_and_escapes() {
        assert_eq!(
            mangle_unit_name("t-basic"),
            ("t-basic.service".into(), None)
        );
        assert_eq!(mangle_unit_name("t.service"), ("t.service".into(), None));
        assert_eq!(mangle_unit_name("a.b"), ("a.b.service".into(), None));
        let (name, warning) = mangle_unit_name("bad/name");
        assert_eq!(name, "bad-name.service");
        assert_eq!(
            warning.as_deref(),
            Some(
                "Invalid unit name \"bad/name\" escaped as \"bad-name\" (maybe you should use systemd-escape?)."
            )
        );
    }
}

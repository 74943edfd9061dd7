//! Commands about units of any type: status UNIT, list-units, is-active,
//! is-failed, is-enabled, cat, show, daemon-reload.

use serde::Serialize;

use super::output::{Output, Paint, relative_to, when};
use super::services::{Outcome, job_failure, wait_for_action};
use super::{
    CommandResult, EXIT_FAILURE, EXIT_INACTIVE, EXIT_NO_SUCH_UNIT, EXIT_SUCCESS, Failure,
    StateFilter, UnitType,
};
use crate::control::client::{Client, ClientError};
use crate::control::types::{
    LogEntry, LogQuery, PropertyQuery, ServiceStatus, Timestamp, UnitFiles, UnitSummary,
};
use crate::engine::state::ActiveState;
use crate::syntax::timestamp::now_realtime;

/// The log lines `status UNIT` shows under the unit's details.
const STATUS_LOG_LINES: u64 = 10;

/// `runr status UNIT --json`: the unit, and its service status where it is one.
#[derive(Debug, Serialize)]
struct UnitStatusJson<'a> {
    unit: &'a UnitSummary,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a ServiceStatus>,
}

pub fn status(client: &Client, out: &Output, unit: &str) -> CommandResult {
    let summary = client.unit(unit).map_err(|e| Failure::for_unit(unit, e))?;
    let service = if summary.name.ends_with(".service") {
        client
            .service_statuses()?
            .into_iter()
            .find(|s| s.name == summary.name)
    } else {
        None
    };
    let code = if summary.active_state.is_active_or_reloading() {
        EXIT_SUCCESS
    } else {
        EXIT_INACTIVE
    };
    if out.json {
        out.json(&UnitStatusJson {
            unit: &summary,
            service: service.as_ref(),
        })?;
        return Ok(code);
    }
    // The log tail is a courtesy: a daemon without a journal still has a status.
    let mut query = LogQuery::units(vec![summary.name.clone()]);
    query.lines = Some(STATUS_LOG_LINES);
    let logs = client.logs(&query).unwrap_or_default();
    let now = Timestamp(now_realtime());
    out.text(&render_status(
        &summary,
        service.as_ref(),
        &logs,
        out.paint,
        now,
    ))?;
    Ok(code)
}

/// systemctl-like details of one unit, then its last log lines.
pub fn render_status(
    unit: &UnitSummary,
    service: Option<&ServiceStatus>,
    logs: &[LogEntry],
    paint: Paint,
    now: Timestamp,
) -> String {
    let state = unit.active_state.as_str();
    let mut text = format!("{} {}", paint.dot(state), paint.bold(&unit.name));
    if !unit.description.is_empty() && unit.description != unit.name {
        text.push_str(" - ");
        text.push_str(&unit.description);
    }
    text.push('\n');
    let mut field = |label: &str, value: String| {
        text.push_str(&format!("{label:>12}: {value}\n"));
    };
    let loaded = match &unit.unit_file_state {
        Some(file_state) => format!("{} ({file_state})", unit.load_state),
        None => unit.load_state.clone(),
    };
    field("Loaded", loaded);
    let mut active = format!("{} ({})", paint.state(state), paint.state(&unit.sub_state));
    if let Some(since) = service.and_then(|s| s.since) {
        active.push_str(&format!(
            " since {}; {}",
            when(since),
            relative_to(since, now)
        ));
    }
    field("Active", active);
    if let Some(s) = service {
        if let Some(pid) = s.pid {
            field("Main PID", pid.to_string());
        }
        if let Some(text) = &s.status_text {
            field("Status", format!("\"{text}\""));
        }
        if let Some(status) = s.last_exit_status {
            field("Last exit", status.to_string());
        }
        if s.result != "success" {
            field("Result", paint.bad(&s.result));
        }
        field("Restarts", s.restarts.to_string());
    }
    if !logs.is_empty() {
        text.push('\n');
        for entry in logs {
            text.push_str(&super::logs::render_entry(entry, paint));
            text.push('\n');
        }
    }
    text
}

/// Asks the state of each unit; a unit the daemon does not know is
/// reported on stderr and left out. Other errors (no daemon) end the command.
fn summaries(client: &Client, names: &[String]) -> Result<(Vec<UnitSummary>, bool), Failure> {
    let mut found = Vec::new();
    let mut missing = false;
    for name in names {
        match client.unit(name) {
            Ok(summary) => found.push(summary),
            Err(e @ ClientError::Api { status: 404, .. }) => {
                super::report(&Failure::for_unit(name, e));
                missing = true;
            }
            Err(e) => return Err(Failure::from_client(e)),
        }
    }
    Ok((found, missing))
}

/// The exit code of an `is-*` question: 0 when one unit answered yes,
/// 4 when none did and some were unknown, else the verb's "no".
fn is_code(any_yes: bool, missing: bool, no: u8) -> u8 {
    if any_yes {
        EXIT_SUCCESS
    } else if missing {
        EXIT_NO_SUCH_UNIT
    } else {
        no
    }
}

pub fn is_active(client: &Client, out: &Output, names: &[String]) -> CommandResult {
    let (found, missing) = summaries(client, names)?;
    print_states(out, &found)?;
    let any = found
        .iter()
        .any(|u| u.active_state.is_active_or_reloading());
    Ok(is_code(any, missing, EXIT_INACTIVE))
}

pub fn is_failed(client: &Client, out: &Output, names: &[String]) -> CommandResult {
    let (found, missing) = summaries(client, names)?;
    print_states(out, &found)?;
    let any = found.iter().any(|u| u.active_state == ActiveState::Failed);
    Ok(is_code(any, missing, EXIT_FAILURE))
}

fn print_states(out: &Output, found: &[UnitSummary]) -> std::io::Result<()> {
    if out.json {
        return out.json(&found);
    }
    for unit in found {
        out.line(&out.paint.state(unit.active_state.as_str()))?;
    }
    Ok(())
}

/// The unit file states systemctl's is-enabled answers 0 for.
pub fn counts_as_enabled(file_state: &str) -> bool {
    matches!(
        file_state,
        "enabled" | "enabled-runtime" | "static" | "alias" | "indirect" | "generated" | "transient"
    )
}

pub fn is_enabled(client: &Client, out: &Output, names: &[String]) -> CommandResult {
    let (found, missing) = summaries(client, names)?;
    if out.json {
        out.json(&found)?;
    }
    let mut any = false;
    for unit in &found {
        match &unit.unit_file_state {
            Some(file_state) => {
                any |= counts_as_enabled(file_state);
                if !out.json {
                    out.line(&out.paint.state(file_state))?;
                }
            }
            // Not an answer of "disabled": say what is not known.
            None => super::report(&Failure::new(
                EXIT_FAILURE,
                format!(
                    "the supervisor does not tell whether {} is enabled",
                    unit.name
                ),
            )),
        }
    }
    Ok(is_code(any, missing, EXIT_FAILURE))
}

pub fn list_units(
    client: &Client,
    out: &Output,
    unit_type: Option<UnitType>,
    filter: &StateFilter,
) -> CommandResult {
    super::services::check_states(filter)?;
    let suffix = unit_type.map(UnitType::suffix);
    let units: Vec<UnitSummary> = client
        .units()?
        .into_iter()
        .filter(|u| suffix.as_deref().is_none_or(|s| u.name.ends_with(s)))
        .filter(|u| super::services::state_matches(filter, u.active_state.as_str(), &u.sub_state))
        .collect();
    if out.json {
        out.json(&units)?;
        return Ok(EXIT_SUCCESS);
    }
    let rows = units
        .iter()
        .map(|u| {
            vec![
                u.name.clone(),
                out.paint.state(&u.load_state),
                out.paint.state(u.active_state.as_str()),
                out.paint.state(&u.sub_state),
                u.description.clone(),
            ]
        })
        .collect();
    out.table(&["UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"], rows)?;
    Ok(EXIT_SUCCESS)
}

pub fn daemon_reload(client: &Client, out: &Output) -> CommandResult {
    let accepted = client.daemon_reload()?;
    let status = wait_for_action(client, &accepted)?;
    if out.json {
        out.json(&status)?;
    }
    match job_failure(&status) {
        Some(message) => Err(Failure::new(EXIT_FAILURE, message)),
        None => Ok(EXIT_SUCCESS),
    }
}

pub fn cat(client: &Client, out: &Output, names: &[String]) -> CommandResult {
    let mut outcome = Outcome::default();
    let mut all = Vec::new();
    for name in names {
        match client.unit_files(name) {
            Ok(files) if files.files.is_empty() => outcome.fail(Failure::new(
                EXIT_FAILURE,
                format!("no files found for {}", files.name),
            )),
            Ok(files) => all.push(files),
            Err(e) => outcome.fail(Failure::for_unit(name, e)),
        }
    }
    if out.json {
        out.json(&all)?;
    } else {
        out.text(&render_cat(&all, out.paint))?;
    }
    outcome.finish()
}

/// Each file under a `# path` line, files apart by a blank line, as
/// systemctl cat prints them.
pub fn render_cat(units: &[UnitFiles], paint: Paint) -> String {
    let mut text = String::new();
    for file in units.iter().flat_map(|u| &u.files) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&paint.dim(&format!("# {}", file.path)));
        text.push('\n');
        text.push_str(&file.text);
        if !file.text.is_empty() && !file.text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

pub fn show(
    client: &Client,
    out: &Output,
    unit: Option<&str>,
    names: Vec<String>,
    all: bool,
    value_only: bool,
) -> CommandResult {
    let query = PropertyQuery { names, all };
    let properties = match unit {
        Some(unit) => {
            // The API answers `show` of a missing unit as systemctl does
            // (LoadState=not-found); runr's CLI says there is no such unit.
            client.unit(unit).map_err(|e| Failure::for_unit(unit, e))?;
            client
                .unit_properties(unit, &query)
                .map_err(|e| Failure::for_unit(unit, e))?
        }
        None => client.manager_properties(&query)?,
    };
    if out.json {
        out.json(&properties)?;
        return Ok(EXIT_SUCCESS);
    }
    let mut text = String::new();
    for p in &properties {
        if !value_only {
            text.push_str(&p.name);
            text.push('=');
        }
        text.push_str(&p.value);
        text.push('\n');
    }
    out.text(&text)?;
    Ok(EXIT_SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::{LogStream, UnitFileText};

    fn summary(name: &str, state: ActiveState, sub: &str) -> UnitSummary {
        UnitSummary {
            name: name.into(),
            description: "Database".into(),
            load_state: "loaded".into(),
            active_state: state,
            sub_state: sub.into(),
            unit_file_state: None,
        }
    }

    #[test]
    fn status_of_a_running_service() {
        let now = Timestamp(1_705_320_000_000_000);
        let unit = summary("db.service", ActiveState::Active, "running");
        let service = ServiceStatus {
            name: "db.service".into(),
            description: "Database".into(),
            state: ActiveState::Active,
            sub_state: "running".into(),
            result: "success".into(),
            restarts: 1,
            pid: Some(42),
            last_exit_status: Some(3),
            since: Some(Timestamp(now.0 - 65_000_000)),
            unit_file_state: None,
            status_text: None,
        };
        let logs = [LogEntry {
            time: Timestamp(now.0 - 1_000_000),
            unit: "db.service".into(),
            pid: Some(42),
            priority: 6,
            stream: LogStream::Stdout,
            message: "ready".into(),
        }];
        let text = render_status(&unit, Some(&service), &logs, Paint::PLAIN, now);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "● db.service - Database");
        assert_eq!(lines[1], "      Loaded: loaded");
        assert!(
            lines[2].starts_with("      Active: active (running) since ")
                && lines[2].ends_with("; 1min 5s ago"),
            "{text}"
        );
        assert_eq!(
            &lines[3..6],
            ["    Main PID: 42", "   Last exit: 3", "    Restarts: 1"]
        );
        assert_eq!(lines[6], "");
        assert!(lines[7].ends_with(" db.service[42]: ready"), "{text}");
    }

    #[test]
    fn status_shows_what_the_service_said_last() {
        let unit = summary("db.service", ActiveState::Active, "running");
        let service = ServiceStatus {
            name: "db.service".into(),
            description: "Database".into(),
            state: ActiveState::Active,
            sub_state: "running".into(),
            result: "success".into(),
            restarts: 0,
            pid: Some(42),
            last_exit_status: None,
            since: None,
            unit_file_state: None,
            status_text: Some("Serving 3 clients".into()),
        };
        let text = render_status(&unit, Some(&service), &[], Paint::PLAIN, Timestamp(1));
        assert!(
            text.contains(
                "    Main PID: 42\n      Status: \"Serving 3 clients\"\n    Restarts: 0\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn status_of_an_inactive_target_has_no_service_fields() {
        let mut unit = summary("multi-user.target", ActiveState::Inactive, "dead");
        unit.description = "multi-user.target".into();
        unit.unit_file_state = Some("static".into());
        let text = render_status(&unit, None, &[], Paint::PLAIN, Timestamp(1));
        assert_eq!(
            text,
            "○ multi-user.target\n      Loaded: loaded (static)\n      Active: inactive (dead)\n"
        );
    }

    #[test]
    fn a_failed_result_is_shown() {
        let unit = summary("bad.service", ActiveState::Failed, "failed");
        let service = ServiceStatus {
            name: "bad.service".into(),
            description: "Database".into(),
            state: ActiveState::Failed,
            sub_state: "failed".into(),
            result: "exit-code".into(),
            restarts: 0,
            pid: None,
            last_exit_status: Some(1),
            since: None,
            unit_file_state: None,
            status_text: None,
        };
        let text = render_status(&unit, Some(&service), &[], Paint::PLAIN, Timestamp(1));
        assert!(text.contains("      Result: exit-code\n"), "{text}");
        assert!(text.starts_with("● bad.service"), "{text}");
    }

    #[test]
    fn is_questions_answer_yes_then_unknown_then_no() {
        assert_eq!(is_code(true, true, EXIT_INACTIVE), EXIT_SUCCESS);
        assert_eq!(is_code(false, true, EXIT_INACTIVE), EXIT_NO_SUCH_UNIT);
        assert_eq!(is_code(false, false, EXIT_INACTIVE), EXIT_INACTIVE);
        assert_eq!(is_code(false, false, EXIT_FAILURE), EXIT_FAILURE);
        assert!(counts_as_enabled("static"));
        assert!(!counts_as_enabled("disabled"));
        assert!(!counts_as_enabled("masked"));
    }

    #[test]
    fn cat_prints_each_file_under_its_path() {
        let units = [UnitFiles {
            name: "db.service".into(),
            files: vec![
                UnitFileText {
                    path: "/etc/runr/db.service".into(),
                    text: "[Service]\nExecStart=/bin/db\n".into(),
                },
                UnitFileText {
                    path: "/etc/runr/db.service.d/x.conf".into(),
                    text: "[Service]\nNice=5".into(),
                },
            ],
        }];
        assert_eq!(
            render_cat(&units, Paint::PLAIN),
            "# /etc/runr/db.service\n[Service]\nExecStart=/bin/db\n\n# /etc/runr/db.service.d/x.conf\n[Service]\nNice=5\n"
        );
    }
}

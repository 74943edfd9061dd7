//! Jobs (start, stop, restart, reload, enable, disable), kill, and the
//! tables of services and timers.

use std::time::Duration;

use super::output::{Output, Paint, relative_to};
use super::{
    CommandResult, EXIT_FAILURE, EXIT_SUCCESS, Failure, KillWhomArg, NowArg, StateFilter, StopArgs,
    WaitArgs,
};
use crate::control::client::{Client, ClientError};
use crate::control::types::{
    ActionAccepted, ActionStatus, KillOptions, KillWhom, ServiceStatus, StartOptions, StopOptions,
    TimerStatus, Timestamp,
};
use crate::syntax::timestamp::now_realtime;

/// How long one wait for an action asks the daemon to hold the answer;
/// the CLI asks again until the action has finished, as systemctl waits
/// for its jobs without a limit.
const ACTION_WAIT: Duration = Duration::from_secs(30);

/// What is asked of each unit.
#[derive(Debug, Clone, Copy)]
pub enum JobVerb {
    Start,
    Stop(StopArgs),
    Restart(StopArgs),
    Reload,
    Enable(NowArg),
    Disable(NowArg),
}

impl JobVerb {
    fn request(self, client: &Client, unit: &str) -> Result<ActionAccepted, ClientError> {
        match self {
            // Starting what already runs is a success, as with systemctl.
            JobVerb::Start => client.start_service(unit, &StartOptions { idempotent: true }),
            JobVerb::Stop(stop) => client.stop_service(unit, &stop_options(stop)),
            JobVerb::Restart(stop) => client.restart_service(unit, &stop_options(stop)),
            JobVerb::Reload => client.reload_service(unit),
            JobVerb::Enable(now) => client.enable_unit(unit, now.now),
            JobVerb::Disable(now) => client.disable_unit(unit, now.now),
        }
    }
}

fn stop_options(stop: StopArgs) -> StopOptions {
    StopOptions {
        timeout: stop.timeout,
        force: stop.force,
    }
}

/// The failures of a command over several units: each is printed as it
/// happens, and the first one's exit code is the command's.
#[derive(Debug, Default)]
pub struct Outcome {
    code: Option<u8>,
}

impl Outcome {
    pub fn fail(&mut self, failure: Failure) {
        super::report(&failure);
        if self.code.is_none() && failure.code != EXIT_SUCCESS {
            self.code = Some(failure.code);
        }
    }

    /// Success, or the first failure's code with its message already printed.
    pub fn finish(self) -> CommandResult {
        match self.code {
            None => Ok(EXIT_SUCCESS),
            Some(code) => Err(Failure {
                code,
                message: None,
            }),
        }
    }
}

/// Queues the job for every unit, then (unless `--no-block`) waits for
/// each to finish; a job that did not end `done` is an error naming its unit.
pub fn job(
    client: &Client,
    out: &Output,
    verb: JobVerb,
    units: &[String],
    wait: WaitArgs,
) -> CommandResult {
    let mut outcome = Outcome::default();
    let mut accepted = Vec::new();
    for unit in units {
        match verb.request(client, unit) {
            Ok(a) => accepted.push(a),
            Err(e) => outcome.fail(Failure::for_unit(unit, e)),
        }
    }
    if wait.no_block {
        if out.json {
            out.json(&accepted)?;
        }
        return outcome.finish();
    }
    let mut finished = Vec::new();
    for action in &accepted {
        match wait_for_action(client, action) {
            Ok(status) => {
                if let Some(message) = job_failure(&status) {
                    outcome.fail(Failure::new(super::EXIT_FAILURE, message));
                }
                finished.push(status);
            }
            Err(e) => outcome.fail(Failure::from_client(e)),
        }
    }
    if out.json {
        out.json(&finished)?;
    }
    outcome.finish()
}

/// Asks until the action has finished, however long its job takes.
pub fn wait_for_action(
    client: &Client,
    action: &ActionAccepted,
) -> Result<ActionStatus, ClientError> {
    loop {
        let status = client.action(action.action_id, Some(ACTION_WAIT))?;
        if status.is_finished() {
            return Ok(status);
        }
    }
}

/// The one-line error for a job that did not end well, naming its unit.
pub fn job_failure(status: &ActionStatus) -> Option<String> {
    let result = status.result.as_deref().unwrap_or("unknown");
    if matches!(result, "done" | "skipped") {
        return None;
    }
    if let Some(message) = &status.message {
        return Some(message.clone());
    }
    let unit = if status.unit.is_empty() {
        "the supervisor"
    } else {
        status.unit.as_str()
    };
    Some(format!(
        "{} of {unit} did not succeed: {result}",
        status.verb
    ))
}

pub fn kill(
    client: &Client,
    out: &Output,
    units: &[String],
    signal: &str,
    whom: KillWhomArg,
) -> CommandResult {
    let options = KillOptions {
        signal: signal_name(signal)?.to_string(),
        whom: match whom {
            KillWhomArg::Main => KillWhom::Main,
            KillWhomArg::Control => KillWhom::Control,
            KillWhomArg::All => KillWhom::All,
        },
    };
    let mut outcome = Outcome::default();
    let mut accepted = Vec::new();
    for unit in units {
        match client.kill_service(unit, &options) {
            Ok(a) => accepted.push(a),
            Err(e) => outcome.fail(Failure::for_unit(unit, e)),
        }
    }
    if out.json {
        out.json(&accepted)?;
    }
    outcome.finish()
}

/// `runr status` without a unit: every service, one row each.
pub fn status_table(client: &Client, out: &Output) -> CommandResult {
    let statuses = client.service_statuses()?;
    if out.json {
        out.json(&statuses)?;
        return Ok(EXIT_SUCCESS);
    }
    let now = Timestamp(now_realtime());
    out.table(
        &[
            "UNIT",
            "STATE",
            "SUB",
            "PID",
            "RESTARTS",
            "SINCE",
            "DESCRIPTION",
        ],
        status_rows(&statuses, out.paint, now),
    )?;
    Ok(EXIT_SUCCESS)
}

pub fn status_rows(statuses: &[ServiceStatus], paint: Paint, now: Timestamp) -> Vec<Vec<String>> {
    statuses
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                paint.state(s.state.as_str()),
                paint.state(&s.sub_state),
                s.pid.map_or_else(|| "-".to_string(), |p| p.to_string()),
                s.restarts.to_string(),
                s.since
                    .map_or_else(|| "-".to_string(), |t| relative_to(t, now)),
                s.description.clone(),
            ]
        })
        .collect()
}

/// The signal `kill -s` names, as the API takes it (`SIGHUP`): a name with
/// or without `SIG`, in any case, or a number.
pub fn signal_name(arg: &str) -> Result<&'static str, Failure> {
    use nix::sys::signal::Signal;
    let signal = match arg.parse::<i32>() {
        Ok(number) => Signal::try_from(number).ok(),
        Err(_) => {
            let upper = arg.to_ascii_uppercase();
            let name = upper.strip_prefix("SIG").unwrap_or(&upper);
            format!("SIG{name}").parse::<Signal>().ok()
        }
    };
    signal.map(Signal::as_str).ok_or_else(|| {
        Failure::new(
            EXIT_FAILURE,
            format!(
                "unknown signal '{arg}': give a name (TERM, KILL, HUP, INT, with or without SIG) or a number"
            ),
        )
    })
}

/// Whether a row's active state or sub-state is one of those asked for
/// (any row, when none is).
pub fn state_matches(filter: &StateFilter, active: &str, sub: &str) -> bool {
    let mut wanted = filter.states.iter().filter(|w| !w.is_empty()).peekable();
    wanted.peek().is_none() || wanted.any(|want| want == active || want == sub)
}

/// Every state asked for is an active state or a sub-state of some unit
/// type: a misspelt one would match nothing without a word.
pub fn check_states(filter: &StateFilter) -> Result<(), Failure> {
    use crate::compat::systemctl::args::{ACTIVE_STATES, SUB_STATES};
    let known = |word: &str| {
        ACTIVE_STATES.contains(&word) || SUB_STATES.iter().any(|(_, states)| states.contains(&word))
    };
    match filter.states.iter().find(|w| !w.is_empty() && !known(w)) {
        Some(word) => Err(Failure::new(
            EXIT_FAILURE,
            format!(
                "unknown state '{word}': give active states (active, inactive, failed, ...) or sub-states (running, exited, dead, ...)"
            ),
        )),
        None => Ok(()),
    }
}

pub fn list_services(client: &Client, out: &Output, filter: &StateFilter) -> CommandResult {
    check_states(filter)?;
    let statuses: Vec<ServiceStatus> = client
        .service_statuses()?
        .into_iter()
        .filter(|s| state_matches(filter, s.state.as_str(), &s.sub_state))
        .collect();
    if out.json {
        out.json(&statuses)?;
        return Ok(EXIT_SUCCESS);
    }
    let rows = statuses
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                out.paint.state(s.state.as_str()),
                out.paint.state(&s.sub_state),
                s.description.clone(),
            ]
        })
        .collect();
    out.table(&["UNIT", "STATE", "SUB", "DESCRIPTION"], rows)?;
    Ok(EXIT_SUCCESS)
}

pub fn list_timers(client: &Client, out: &Output) -> CommandResult {
    let timers = client.timer_statuses()?;
    if out.json {
        out.json(&timers)?;
        return Ok(EXIT_SUCCESS);
    }
    let now = Timestamp(now_realtime());
    out.table(
        &["TIMER", "NEXT", "LEFT", "LAST", "PASSED", "ACTIVATES"],
        timer_rows(&timers, now),
    )?;
    Ok(EXIT_SUCCESS)
}

pub fn timer_rows(timers: &[TimerStatus], now: Timestamp) -> Vec<Vec<String>> {
    let at = |t: Option<Timestamp>| t.map_or_else(|| "-".to_string(), super::output::when);
    let from_now =
        |t: Option<Timestamp>| t.map_or_else(|| "-".to_string(), |t| relative_to(t, now));
    timers
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                at(t.next_elapse),
                from_now(t.next_elapse),
                at(t.last_trigger),
                from_now(t.last_trigger),
                t.unit.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::ActionState;
    use crate::engine::state::ActiveState;

    fn finished(unit: &str, verb: &str, result: &str, message: Option<&str>) -> ActionStatus {
        ActionStatus {
            action_id: 1,
            unit: unit.into(),
            verb: verb.into(),
            state: ActionState::Finished,
            result: Some(result.into()),
            accepted_at: Timestamp(1),
            finished_at: Some(Timestamp(2)),
            message: message.map(String::from),
        }
    }

    #[test]
    fn a_job_that_did_not_end_done_names_its_unit() {
        assert_eq!(
            job_failure(&finished("a.service", "start", "done", None)),
            None
        );
        assert_eq!(
            job_failure(&finished("a.service", "stop", "skipped", None)),
            None
        );
        assert_eq!(
            job_failure(&finished(
                "a.service",
                "start",
                "failed",
                Some("Job for a.service failed (start: failed)")
            ))
            .as_deref(),
            Some("Job for a.service failed (start: failed)")
        );
        assert_eq!(
            job_failure(&finished("a.service", "restart", "timeout", None)).as_deref(),
            Some("restart of a.service did not succeed: timeout")
        );
    }

    #[test]
    fn service_rows_show_what_is_known() {
        let now = Timestamp(1_705_320_000_000_000);
        let statuses = [
            ServiceStatus {
                name: "db.service".into(),
                description: "Database".into(),
                state: ActiveState::Active,
                sub_state: "running".into(),
                result: "success".into(),
                restarts: 2,
                pid: Some(42),
                last_exit_status: None,
                since: Some(Timestamp(now.0 - 5_000_000)),
                unit_file_state: None,
                status_text: None,
            },
            ServiceStatus {
                name: "idle.service".into(),
                description: "idle.service".into(),
                state: ActiveState::Inactive,
                sub_state: "dead".into(),
                result: "success".into(),
                restarts: 0,
                pid: None,
                last_exit_status: None,
                since: None,
                unit_file_state: None,
                status_text: None,
            },
        ];
        assert_eq!(
            status_rows(&statuses, Paint::PLAIN, now),
            [
                [
                    "db.service",
                    "active",
                    "running",
                    "42",
                    "2",
                    "5s ago",
                    "Database"
                ],
                [
                    "idle.service",
                    "inactive",
                    "dead",
                    "-",
                    "0",
                    "-",
                    "idle.service"
                ]
            ]
        );
    }

    fn states(words: &[&str]) -> StateFilter {
        StateFilter {
            states: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn a_state_filter_matches_active_or_sub_state() {
        assert!(state_matches(&states(&[]), "active", "running"));
        assert!(state_matches(&states(&["running"]), "active", "running"));
        assert!(state_matches(&states(&["active"]), "active", "running"));
        assert!(!state_matches(&states(&["failed"]), "active", "running"));
    }

    #[test]
    fn a_state_filter_takes_any_of_several_states() {
        let filter = states(&["running", "failed"]);
        assert!(state_matches(&filter, "active", "running"));
        assert!(state_matches(&filter, "failed", "failed"));
        assert!(!state_matches(&filter, "inactive", "dead"));
        // `--state running,` has an empty item: it is left out.
        assert!(!state_matches(
            &states(&["running", ""]),
            "inactive",
            "dead"
        ));
        assert!(state_matches(&states(&[""]), "inactive", "dead"));
    }

    #[test]
    fn unknown_states_are_named() {
        for known in [
            "running",
            "failed",
            "inactive",
            "waiting",
            "exited",
            "auto-restart",
        ] {
            assert!(check_states(&states(&[known])).is_ok(), "{known}");
        }
        let failure = check_states(&states(&["running", "runing", "bogus"])).unwrap_err();
        assert_eq!(failure.code, EXIT_FAILURE);
        let message = failure.message.unwrap();
        assert!(message.starts_with("unknown state 'runing': "), "{message}");
        assert!(!message.contains('\n'));
    }

    #[test]
    fn signals_by_name_with_or_without_sig_in_any_case_or_by_number() {
        for (arg, name) in [
            ("TERM", "SIGTERM"),
            ("SIGTERM", "SIGTERM"),
            ("term", "SIGTERM"),
            ("sigKill", "SIGKILL"),
            ("HUP", "SIGHUP"),
            ("INT", "SIGINT"),
            ("1", "SIGHUP"),
            ("9", "SIGKILL"),
            ("usr1", "SIGUSR1"),
        ] {
            assert_eq!(signal_name(arg).ok(), Some(name), "{arg}");
        }
        for bad in ["BOGUS", "SIG", "", "0", "65", "-9", "SIGSIGTERM"] {
            let failure = signal_name(bad).unwrap_err();
            assert_eq!(failure.code, EXIT_FAILURE);
            let message = failure.message.unwrap();
            assert!(
                message.starts_with(&format!("unknown signal '{bad}': ")),
                "{message}"
            );
        }
    }

    #[test]
    fn timer_rows_leave_dashes_for_what_has_not_happened() {
        let now = Timestamp(1_705_320_000_000_000);
        let timers = [TimerStatus {
            name: "backup.timer".into(),
            description: String::new(),
            state: ActiveState::Active,
            sub_state: "waiting".into(),
            unit: "backup.service".into(),
            next_elapse: Some(Timestamp(now.0 + 3_600_000_000)),
            last_trigger: None,
            unit_file_state: None,
            loaded: true,
        }];
        let rows = timer_rows(&timers, now);
        assert_eq!(rows[0][0], "backup.timer");
        assert_eq!(rows[0][2], "1h 0min left");
        assert_eq!(&rows[0][3..], ["-", "-", "backup.service"]);
    }
}

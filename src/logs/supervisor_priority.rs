//! The priority systemd 252 gives each of its messages about a unit, so
//! that `journalctl -p` and `LogLevelMax=` treat the supervisor's messages
//! as they treat systemd's. The engine says what happened; the level
//! follows from the message's shape (a `unit: ` in front, then the text).

use crate::logs::record::{LOG_ERR, LOG_INFO, LOG_NOTICE, LOG_WARNING};

/// Messages about a unit's processes and states (log_unit_*()).
const UNIT_MESSAGES: &[(&str, u8)] = &[
    // unit_log_process_exit(): a process that exit()ed is a notice (it
    // said why itself, presumably), one a signal ended a warning.
    ("Main process exited, code=exited", LOG_NOTICE),
    ("Main process exited, ", LOG_WARNING),
    ("Control process exited, code=exited", LOG_NOTICE),
    ("Control process exited, ", LOG_WARNING),
    ("Failed with result ", LOG_WARNING),
    ("Start request repeated too quickly.", LOG_WARNING),
    ("Failed to execute ", LOG_ERR),
    ("Failed at step ", LOG_ERR),
    ("Failed to load environment files: ", LOG_ERR),
    ("Failed to run '", LOG_WARNING),
    ("Failed to run next ", LOG_WARNING),
    ("State '", LOG_WARNING),
    ("Processes still around after ", LOG_WARNING),
    ("Stopping timed out. ", LOG_WARNING),
    ("Start-post operation timed out. ", LOG_WARNING),
    ("Reload operation timed out. ", LOG_WARNING),
    ("Service reached runtime time limit. ", LOG_WARNING),
    ("Killing process ", LOG_NOTICE),
    ("PID file ", LOG_ERR),
    ("Daemon never wrote its PID file.", LOG_WARNING),
    ("Failed to set a watch for PID file ", LOG_ERR),
    ("Supervising process ", LOG_WARNING),
    ("Job ", LOG_NOTICE),
    ("Starting requested but asserts failed.", LOG_NOTICE),
    ("Got notification message from PID ", LOG_WARNING),
    ("Status message overly long ", LOG_WARNING),
    ("Failed to parse ERRNO= field value ", LOG_WARNING),
    ("Failed to send signal ", LOG_WARNING),
];

/// Job results (job_done_messages in systemd's job.c).
const JOB_MESSAGES: &[(&str, u8)] = &[
    ("Failed to start ", LOG_ERR),
    ("Dependency failed for ", LOG_WARNING),
    ("Timed out starting ", LOG_ERR),
    ("Reload failed for ", LOG_ERR),
    ("Timed out stopping ", LOG_ERR),
    ("Timed out reloading ", LOG_ERR),
    ("Assertion failed for ", LOG_WARNING),
];

/// The priority of a supervisor message about `unit` ("" for messages
/// about no unit, such as unit file diagnostics, which systemd logs as
/// warnings).
pub fn supervisor_message_priority(unit: &str, message: &str) -> u8 {
    if unit.is_empty() {
        return LOG_WARNING;
    }
    if message.starts_with('/') {
        // A unit file's diagnostic, `/path:line: text`: a warning, but for
        // the notice about User=nobody.
        return if message.ends_with("Special user nobody configured, this is not safe!") {
            LOG_NOTICE
        } else {
            LOG_WARNING
        };
    }
    let about_unit = message
        .strip_prefix(unit)
        .and_then(|rest| rest.strip_prefix(": "));
    let (text, table) = match about_unit {
        Some(rest) => (rest, UNIT_MESSAGES),
        None => (message, JOB_MESSAGES),
    };
    // A stop job that failed: "Stopped a.service - A with error."
    if about_unit.is_none() && text.starts_with("Stopped ") && text.ends_with(" with error.") {
        return LOG_ERR;
    }
    table
        .iter()
        .find(|(start, _)| text.starts_with(start))
        .map_or(LOG_INFO, |(_, priority)| *priority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_systemd() {
        let p = |m: &str| supervisor_message_priority("a.service", m);
        assert_eq!(p("Started a.service - A."), LOG_INFO);
        assert_eq!(p("Failed to start a.service - A."), LOG_ERR);
        assert_eq!(
            p("a.service: Main process exited, code=exited, status=1/FAILURE"),
            LOG_NOTICE
        );
        assert_eq!(
            p("a.service: Control process exited, code=killed, status=15/TERM"),
            LOG_WARNING
        );
        assert_eq!(
            p("a.service: Main process exited, code=dumped, status=6/ABRT"),
            LOG_WARNING
        );
        assert_eq!(p("a.service: Failed with result 'exit-code'."), LOG_WARNING);
        assert_eq!(
            p("a.service: Scheduled restart job, restart counter is at 1."),
            LOG_INFO
        );
        assert_eq!(p("a.service: Deactivated successfully."), LOG_INFO);
        assert_eq!(p("Dependency failed for a.service - A."), LOG_WARNING);
        assert_eq!(p("Stopped a.service - A with error."), LOG_ERR);
        assert_eq!(p("Stopped a.service - A."), LOG_INFO);
        assert_eq!(
            p("a.service: Starting requested but asserts failed."),
            LOG_NOTICE
        );
        assert_eq!(p("Assertion failed for a.service - A."), LOG_WARNING);
        assert_eq!(
            p(
                "a.service: Can't open PID file /run/a.pid (yet?) after start: No such file or directory"
            ),
            LOG_INFO
        );
        assert_eq!(
            p("a.service: Daemon never wrote its PID file. Failing."),
            LOG_WARNING
        );
        assert_eq!(
            p("a.service: Failed to load environment files: No such file or directory"),
            LOG_ERR
        );
        assert_eq!(
            p("a.service: Failed to run 'start' task: No such file or directory"),
            LOG_WARNING
        );
        assert_eq!(
            p(
                "a.service: Got notification message from PID 411, but reception only permitted for main PID 410"
            ),
            LOG_WARNING
        );
        assert_eq!(
            p(
                "a.service - A was skipped because of an unmet condition check (ConditionPathExists=/x)."
            ),
            LOG_INFO
        );
        // A job message is not mistaken for a unit message of another unit.
        assert_eq!(
            supervisor_message_priority("b.service", "a.service: Failed with result 'x'."),
            LOG_INFO
        );
        assert_eq!(
            supervisor_message_priority("", "x:1: Unknown key"),
            LOG_WARNING
        );
    }
}

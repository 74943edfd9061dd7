//! What systemd-run prints after the service it waited for ended, and the
//! exit status it then returns.

use crate::control::types::TransientEnd;
use crate::syntax::timespan::format_timespan;

/// systemd's EXIT_EXCEPTION: the service was killed by a signal.
const EXIT_EXCEPTION: u8 = 255;

/// The lines of `--wait` (each printed on stderr).
pub fn summary(end: &TransientEnd) -> Vec<String> {
    let mut lines = Vec::new();
    if !end.result.is_empty() {
        lines.push(format!("Finished with result: {}", end.result));
    }
    match (end.exit_code.as_deref(), end.exit_status) {
        (Some("exited"), Some(status)) => lines.push(format!(
            "Main processes terminated with: code=exited/status={status}"
        )),
        (Some(code), Some(signal)) => {
            let name = nix::sys::signal::Signal::try_from(signal)
                .map(|s| s.as_str().trim_start_matches("SIG").to_string())
                .unwrap_or_else(|_| signal.to_string());
            lines.push(format!(
                "Main processes terminated with: code={code}/status={name}"
            ));
        }
        _ => {}
    }
    if let Some(runtime) = end.runtime_usec.filter(|r| *r > 0) {
        lines.push(format!(
            "Service runtime: {}",
            format_timespan(runtime, 1000)
        ));
    }
    if let Some(cpu) = end.cpu_usec {
        lines.push(format!("CPU time consumed: {}", format_timespan(cpu, 1000)));
    }
    lines
}

/// The service's result as systemd-run's exit status: 0 for success (a
/// SuccessExitStatus= included), the exit code for exit-code, 255 for a
/// signal, 1 otherwise.
pub fn exit_status(end: &TransientEnd) -> u8 {
    match end.result.as_str() {
        "success" => 0,
        "exit-code" => match end.exit_status.and_then(|s| u8::try_from(s).ok()) {
            Some(code) if code > 0 => code,
            _ => 1,
        },
        "signal" => EXIT_EXCEPTION,
        _ => 1,
    }
}

/// A start job that did not end well, as systemctl-style tools say it.
pub fn job_failure(unit: &str, result: &str) -> String {
    match result {
        "dependency" => {
            format!("A dependency job for {unit} failed. See 'journalctl -xe' for details.")
        }
        _ => format!(
            "Job for {unit} failed.\nSee \"systemctl status {unit}\" and \"journalctl -xeu {unit}\" for details."
        ),
    }
}

pub const VERSION_TEXT: &str = "systemd 252 (252.38-1~deb12u1)\n";

pub fn help_text() -> String {
    "systemd-run [OPTIONS...] COMMAND [ARGUMENTS...]

Run the specified command in a transient scope or service.

  -h --help                       Show this help
     --version                    Show package version
  -u --unit=UNIT                  Run under the specified unit name
  -p --property=NAME=VALUE        Set service or scope unit property
     --description=TEXT           Description for unit
     --slice=SLICE                Run in the specified slice
     --no-block                   Do not wait until operation finished
  -r --remain-after-exit          Leave service around until explicitly stopped
     --wait                       Wait until service stopped again
     --send-sighup                Send SIGHUP when terminating
     --service-type=TYPE          Service type
     --uid=USER                   Run as system user
     --gid=GROUP                  Run as system group
     --nice=NICE                  Nice level
     --working-directory=PATH     Set working directory
  -d --same-dir                   Inherit working directory from caller
  -E --setenv=NAME[=VALUE]        Set environment variable
  -P --pipe                       Pass STDIN/STDOUT/STDERR directly to service
  -q --quiet                      Suppress information messages during runtime
  -G --collect                    Unload unit after it ran, even when failed

Timer options:
     --on-active=SECONDS          Run after SECONDS delay
     --on-boot=SECONDS            Run SECONDS after machine was booted up
     --on-startup=SECONDS         Run SECONDS after systemd activation
     --on-unit-active=SECONDS     Run SECONDS after the last activation
     --on-unit-inactive=SECONDS   Run SECONDS after the last deactivation
     --on-calendar=SPEC           Realtime timer
     --on-timezone-change         Run when the timezone changes
     --on-clock-change            Run when the realtime clock jumps
     --timer-property=NAME=VALUE  Set timer unit property

See the systemd-run(1) man page for details.
"
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(result: &str, code: &str, status: i32) -> TransientEnd {
        TransientEnd {
            unit: "t.service".into(),
            ended: true,
            result: result.into(),
            exit_code: Some(code.into()),
            exit_status: Some(status),
            runtime_usec: Some(8_000),
            cpu_usec: Some(688),
        }
    }

    #[test]
    fn the_summary_of_a_clean_run() {
        assert_eq!(
            summary(&end("success", "exited", 0)),
            [
                "Finished with result: success",
                "Main processes terminated with: code=exited/status=0",
                "Service runtime: 8ms",
                "CPU time consumed: 688us",
            ]
        );
    }

    #[test]
    fn exit_statuses_follow_the_result() {
        assert_eq!(exit_status(&end("success", "exited", 3)), 0);
        assert_eq!(exit_status(&end("exit-code", "exited", 3)), 3);
        assert_eq!(exit_status(&end("exit-code", "exited", 217)), 217);
        assert_eq!(exit_status(&end("signal", "killed", 15)), 255);
        assert_eq!(exit_status(&end("resources", "exited", 0)), 1);
        assert_eq!(
            summary(&end("signal", "killed", 15))[1],
            "Main processes terminated with: code=killed/status=TERM"
        );
    }
}

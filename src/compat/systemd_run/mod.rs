//! The `systemd-run` face: a command line of systemd-run 252 becomes the
//! unit-file text of a transient service (and timer), which the daemon
//! creates and starts (`POST /api/v1/transient`); the messages on stderr
//! and the exit status are systemd-run's.
//!
//! - `args`: the command line, as getopt_long reads it, and its checks.
//! - `unit_text`: the unit texts, with the checks of `-p` and `--setenv=`.
//! - `stdio`: `--pipe`, the caller's stdin/stdout/stderr handed to the
//!   daemon over a private unix socket (SCM_RIGHTS).
//! - `report`: what is printed once the service ended, and the exit status.

pub mod args;
pub mod report;
mod stdio;
pub mod unit_text;

use std::time::Duration;

use crate::control::client::{Client, ClientError};
use crate::control::types::{TransientRequest, TransientStarted};

use args::RunArgs;

/// How long one request for the end of a service waits on the daemon.
const WAIT_STEP: Duration = Duration::from_secs(60);

pub fn main(args: &[String]) -> u8 {
    let given = args.get(1..).unwrap_or(&[]);
    let run = match args::parse(given).and_then(|run| args::check(&run).map(|()| run)) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("{}", e.message);
            return e.status;
        }
    };
    if run.help {
        print!("{}", report::help_text());
        return 0;
    }
    if run.version {
        print!("{}", report::VERSION_TEXT);
        return 0;
    }
    match start(&run) {
        Ok(status) => status,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            1
        }
    }
}

fn start(run: &RunArgs) -> Result<u8, String> {
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "/".to_string());
    let mut command = run.command.clone();
    if let Some(program) = command.first_mut() {
        let path =
            std::env::var("PATH").unwrap_or_else(|_| crate::engine::executor::DEFAULT_PATH.into());
        *program = unit_text::find_executable(program, &path, &cwd)?;
    }
    let name = match &run.unit {
        Some(given) => {
            let (name, warning) = unit_text::mangle_unit_name(given);
            if let (Some(warning), false) = (warning, run.quiet) {
                eprintln!("{warning}");
            }
            Some(name)
        }
        // Like systemd-run: `run-uN` (numbered by the daemon) when it waits
        // for the service, else a random `run-r<32 hex>`.
        None if run.wait || run.pipe => None,
        None => Some(format!("run-r{}.service", random_hex()?)),
    };
    let texts = unit_text::unit_texts(run, &command, Some(&cwd))?;
    let client = Client::local();
    let offer = if run.pipe {
        Some(stdio::StdioOffer::new().map_err(|e| {
            format!(
                "Failed to pass the standard streams: {}",
                crate::engine::errno_text(&e)
            )
        })?)
    } else {
        None
    };
    let request = TransientRequest {
        name,
        service_text: texts.service,
        timer_text: texts.timer,
        collect: run.collect,
        keep_end: run.wait || run.pipe,
        stdio_socket: offer.as_ref().map(|o| o.path().display().to_string()),
    };
    let started = match client.transient_start(&request) {
        Ok(started) => started,
        Err(e) if e.is_unreachable() => return Err(offline_message()),
        Err(ClientError::Api { message, .. }) => {
            let kind = if request.timer_text.is_some() {
                "timer"
            } else {
                "service"
            };
            return Err(format!("Failed to start transient {kind} unit: {message}"));
        }
        Err(e) => return Err(e.to_string()),
    };
    if !run.no_block && !run.pipe {
        wait_for_start_job(&client, &started, run.quiet)?;
    }
    if !run.quiet {
        match &started.timer {
            Some(timer) => {
                eprintln!("Running timer as unit: {timer}");
                eprintln!("Will run service as unit: {}", started.unit);
            }
            None => eprintln!("Running as unit: {}", started.unit),
        }
    }
    if let Some(offer) = offer {
        offer.hand_over().map_err(|e| {
            format!(
                "Failed to pass the standard streams: {}",
                crate::engine::errno_text(&e)
            )
        })?;
    }
    if !(run.wait || run.pipe) {
        return Ok(0);
    }
    let end = loop {
        match client.transient_end(&started.unit, Some(WAIT_STEP)) {
            Ok(end) if end.ended => break end,
            Ok(_) => continue,
            Err(e) if e.is_unreachable() => return Err(offline_message()),
            Err(e) => return Err(format!("Failed to query unit state: {e}")),
        }
    };
    if run.wait && !run.quiet {
        for line in report::summary(&end) {
            eprintln!("{line}");
        }
    }
    Ok(report::exit_status(&end))
}

/// systemd-run waits for the start job unless --no-block (or --pipe).
fn wait_for_start_job(
    client: &Client,
    started: &TransientStarted,
    quiet: bool,
) -> Result<(), String> {
    let status = loop {
        match client.action(started.action_id, Some(WAIT_STEP)) {
            Ok(status) if status.is_finished() => break status,
            Ok(_) => continue,
            Err(e) => return Err(format!("Failed to wait for the start job: {e}")),
        }
    };
    match status.result.as_deref() {
        Some("done") | None => Ok(()),
        Some(result) => {
            let unit = started.timer.as_deref().unwrap_or(&started.unit);
            // Quiet: the failure shows in the exit status only.
            Err(if quiet {
                String::new()
            } else {
                report::job_failure(unit, result)
            })
        }
    }
}

/// What the face says when no daemon answers: what systemd-run says on a
/// host not booted with systemd.
fn offline_message() -> String {
    "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down".to_string()
}

fn random_hex() -> Result<String, String> {
    let uuid = crate::engine::background::new_uuid().map_err(|e| {
        format!(
            "Failed to generate random run unit name: {}",
            crate::engine::errno_text(&e)
        )
    })?;
    Ok(uuid.replace('-', ""))
}

//! The manager's exits, asked the way systemctl 252 asks them: the verbs
//! `poweroff`, `halt`, `reboot [ARG]`, `kexec` and `exit [CODE]`, and what
//! the systemd-sysv names (`poweroff`, `shutdown`, `telinit 0` ... in
//! `sysv.rs`) share with them. The daemon carries them out
//! (`POST /api/v1/daemon/shutdown`, see `engine::power`); like systemctl,
//! the client does not wait for the pod to be down.
//!
//! systemctl's `--force --force` reboots from the client itself
//! (reboot(2)); runr's client never calls reboot(2): it prints what
//! systemctl prints and asks the daemon to end at once, which as PID 1
//! makes that call.

use std::path::PathBuf;

use super::Invocation;
use crate::control::client::{Client, ClientError};
use crate::control::types::{ShutdownAction, ShutdownPlan};

/// What a host without a manager answers each time systemctl tries the
/// bus; the power verbs try it once (exit, kexec) or twice (logind, then
/// the manager).
pub fn not_booted_lines(inv: &Invocation, times: usize) {
    for _ in 0..times {
        inv.error("System has not been booted with systemd as init system (PID 1). Can't operate.");
        inv.error("Failed to connect to bus: Host is down");
    }
}

/// The verb's action.
pub fn action_of_verb(verb: &str) -> Option<ShutdownAction> {
    Some(match verb {
        "poweroff" => ShutdownAction::Poweroff,
        "halt" => ShutdownAction::Halt,
        "reboot" => ShutdownAction::Reboot,
        "kexec" => ShutdownAction::Kexec,
        "exit" => ShutdownAction::Exit,
        _ => return None,
    })
}

/// The verbs systemctl refuses for `--user` and `--global`
/// (verb_start_system_special()).
pub fn is_system_only(verb: &str) -> bool {
    matches!(verb, "poweroff" | "halt" | "reboot" | "kexec")
}

/// A plan for now.
pub fn now(action: ShutdownAction, exit_code: u8, force: bool) -> ShutdownPlan {
    ShutdownPlan {
        action,
        exit_code,
        when: None,
        dry_run: false,
        force,
    }
}

/// `/run/systemd/reboot-param`, which `reboot ARG` writes (under
/// `RUNR_ROOT` where that is set).
fn reboot_parameter_file() -> PathBuf {
    crate::engine::directories::Roots::from_env()
        .prefix
        .join("run/systemd/reboot-param")
}

/// update_reboot_parameter_and_warn(): `reboot ARG` keeps ARG for the
/// reboot, a `reboot` without one removes what an earlier one kept.
pub fn update_reboot_parameter(inv: &Invocation, parameter: Option<&str>) -> Result<(), u8> {
    let path = reboot_parameter_file();
    match parameter.filter(|p| !p.is_empty()) {
        None => match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => {
                inv.notice(&format!(
                    "Failed to unlink reboot parameter file: {}",
                    crate::engine::errno_text(&e)
                ));
                Err(1)
            }
        },
        Some(parameter) => {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, parameter));
            written.map_err(|e| {
                inv.notice(&format!(
                    "Failed to write reboot parameter file: {}",
                    crate::engine::errno_text(&e)
                ));
                1
            })
        }
    }
}

/// What systemctl's halt_now() says before it calls reboot(2).
pub fn halt_now_message(action: ShutdownAction) -> String {
    match action {
        ShutdownAction::Halt => "Halting.".to_string(),
        ShutdownAction::Poweroff => "Powering off.".to_string(),
        _ => match std::fs::read_to_string(reboot_parameter_file()) {
            Ok(parameter) if !parameter.trim().is_empty() => {
                format!("Rebooting with argument '{}'.", parameter.trim())
            }
            _ => "Rebooting.".to_string(),
        },
    }
}

/// `--force --force`, `poweroff -f`: systemctl's halt_now(), carried out
/// by the daemon at once.
pub fn halt_now(inv: &Invocation, client: &Client, action: ShutdownAction, dry_run: bool) -> u8 {
    inv.notice(&halt_now_message(action));
    if dry_run {
        return 0;
    }
    match client.shutdown(&now(action, 0, true)) {
        Ok(_) => 0,
        Err(e) if e.is_unreachable() => {
            // runr's client does not call reboot(2) itself.
            not_booted_lines(inv, 1);
            1
        }
        Err(e) => failed(inv, &e),
    }
}

fn failed(inv: &Invocation, e: &ClientError) -> u8 {
    let message = match e {
        ClientError::Api { message, .. } => message.clone(),
        other => other.to_string(),
    };
    inv.error(&format!("Failed to connect to runr: {message}"));
    1
}

/// load_kexec_kernel(): a container has no kernel to load, and systemctl
/// says why before it asks anyone.
fn kexec_kernel(inv: &Invocation) -> Result<(), u8> {
    if crate::engine::power::kexec_loaded() {
        return Ok(());
    }
    const KEXEC: &str = "/sbin/kexec";
    if let Err(e) = nix::unistd::access(KEXEC, nix::unistd::AccessFlags::X_OK) {
        inv.error(&format!("{KEXEC} is not available: {}", e.desc()));
        return Err(1);
    }
    let efi = std::path::Path::new("/sys/firmware/efi").is_dir();
    inv.error(&format!(
        "No kexec kernel loaded and autodetection failed.\n{}",
        if efi {
            "Cannot automatically load kernel: ESP mount point not found."
        } else {
            "Automatic loading works only on systems booted with EFI."
        }
    ));
    Err(1)
}

/// `systemctl poweroff|halt|reboot [ARG]|kexec|exit [CODE]`, as
/// verb_start_special() carries them out.
pub fn verb(inv: &Invocation) -> u8 {
    let Some(action) = action_of_verb(&inv.verb) else {
        return 1;
    };
    let force = inv.options.force;
    let mut exit_code = 0u8;
    match action {
        ShutdownAction::Reboot => {
            if let Some(parameter) = inv.args.first()
                && let Err(code) = update_reboot_parameter(inv, Some(parameter))
            {
                return code;
            }
        }
        ShutdownAction::Kexec => {
            if let Err(code) = kexec_kernel(inv) {
                if force == 0 {
                    return code;
                }
                inv.notice("Failed to load kexec kernel, continuing without.");
            }
        }
        ShutdownAction::Exit => {
            if let Some(code) = inv.args.first() {
                match parse_u8(code) {
                    Some(n) => exit_code = n,
                    None => {
                        inv.error("Invalid exit code.");
                        return 1;
                    }
                }
            }
        }
        _ => {}
    }
    let client = Client::local();
    let termination = matches!(
        action,
        ShutdownAction::Poweroff | ShutdownAction::Halt | ShutdownAction::Reboot
    );
    if termination && force >= 2 {
        return halt_now(inv, &client, action, false);
    }
    match client.shutdown(&now(action, exit_code, force >= 1)) {
        Ok(_) => 0,
        Err(e) if e.is_unreachable() => {
            // logind first, then the manager, for the termination actions.
            not_booted_lines(inv, if termination && force == 0 { 2 } else { 1 });
            1
        }
        Err(e) => failed(inv, &e),
    }
}

/// systemd's safe_atou8(): blanks before, a `+`, decimal digits, 0..=255.
pub fn parse_u8(text: &str) -> Option<u8> {
    let digits = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// logind_show_shutdown(): the scheduled shutdown, on stderr.
pub fn show_scheduled(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    match client.scheduled_shutdown() {
        Ok(plan) => Ok(show_plan(inv, Some(&plan))),
        Err(e) if e.status() == Some(404) => Ok(show_plan(inv, None)),
        Err(e) => Err(e),
    }
}

/// What `shutdown --show` says of a plan, or of none.
pub fn show_plan(inv: &Invocation, plan: Option<&ShutdownPlan>) -> u8 {
    let Some(plan) = plan else {
        inv.error(crate::control::backend::NO_SCHEDULED_SHUTDOWN);
        return 1;
    };
    let pretty = match plan.action {
        ShutdownAction::Reboot => "Reboot",
        ShutdownAction::Kexec => "Reboot via kexec",
        _ => "Shutdown",
    };
    let when = plan
        .when
        .and_then(|t| crate::syntax::timestamp::format_timestamp(t.as_usec()))
        .unwrap_or_else(|| "n/a".to_string());
    inv.notice(&format!(
        "{pretty} scheduled for {when}, use 'shutdown -c' to cancel."
    ));
    0
}

//! runr: one binary, several faces. Which face answers depends on the name
//! the binary was reached through (argv[0]), or on the first argument of
//! `runr` (`runr systemctl status foo` works like `systemctl status foo`).
//! Debian's systemd-sysv names (`runlevel`, `telinit`, `halt`, `poweroff`,
//! `reboot`, `shutdown`) are links to systemctl, which reads its command
//! line by that name; so does runr.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use runr::{cli, compat};

fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let program = args
        .first()
        .and_then(|a| Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "runr".to_string());

    let mut face = program.as_str();
    if face == "runr" || !is_face(face) {
        // `runr systemctl ...`: the face is the first argument.
        if let Some(first) = args.get(1).map(|a| a.to_string_lossy().into_owned())
            && is_face(&first)
            && first != "runr"
        {
            args.remove(0);
            return ExitCode::from(run_face(&first, args));
        }
        face = "runr";
    }
    let face = face.to_string();
    ExitCode::from(run_face(&face, args))
}

fn is_face(name: &str) -> bool {
    matches!(
        name,
        "runr" | "systemctl" | "journalctl" | "systemd-run" | "systemd-analyze"
    ) || compat::systemctl::sysv::Name::of(name).is_some()
}

fn run_face(face: &str, args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if let Some(name) = compat::systemctl::sysv::Name::of(face) {
        return compat::systemctl::sysv::main(name, &args);
    }
    match face {
        "systemd-analyze" => compat::analyze::main(&args),
        "systemctl" => compat::systemctl::main(&args),
        "journalctl" => compat::journalctl::main(&args),
        "systemd-run" => compat::systemd_run::main(&args),
        _ => cli::main(&args),
    }
}

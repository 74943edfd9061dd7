//! How long a client call takes, wall time from exec to exit: `runr
//! is-active`, and `systemctl is-active|show|status` answered by runr (a
//! symlink named systemctl) beside the same calls answered by
//! docker-systemctl-replacement (`pip install docker-systemctl-replacement`)
//! on the same unit file.
//!
//! Run with `cargo bench --bench cli_latency`; `BENCH_RUNR=PATH` times
//! another runr binary (the static one `make build` makes, as deployed).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/supervisor.rs"]
mod supervisor;

use supervisor::{Supervisor, runr_binary};

const UNIT: &str = "[Unit]\nDescription=Database\n[Service]\nExecStart=/bin/sleep 3600\n[Install]\nWantedBy=multi-user.target\n";

fn median_of(runs: usize, mut call: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| call()).collect();
    times.sort();
    times[times.len() / 2]
}

fn time_command(program: &Path, args: &[&str], env: &[(&str, &Path)]) -> Duration {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let start = Instant::now();
    let status = command.status().expect("the command runs");
    let elapsed = start.elapsed();
    assert!(status.code().is_some(), "{program:?} {args:?} was killed");
    elapsed
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_string_lossy()
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.exists())
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("runr-latency-")
        .tempdir()
        .unwrap();
    let units = dir.path().join("units");
    std::fs::create_dir(&units).unwrap();
    std::fs::write(units.join("db.service"), UNIT).unwrap();
    let socket = dir.path().join("runr.sock");
    let runr = runr_binary();
    let supervisor = Supervisor::start(&runr, &units, dir.path(), &socket).unwrap();
    let systemctl = dir.path().join("systemctl");
    std::os::unix::fs::symlink(&runr, &systemctl).unwrap();
    // status reads the unit's journal lines from the supervisor's journal.
    let journal = dir.path().join("journal");
    let env = [
        ("RUNR_SOCKET", socket.as_path()),
        ("RUNR_UNIT_PATH", units.as_path()),
        ("RUNR_JOURNAL_DIR", journal.as_path()),
    ];
    // The daemon answers once its socket exists.
    let ready = Instant::now();
    while !socket.exists() && ready.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let start = Command::new(&runr)
        .args(["start", "db"])
        .env("RUNR_SOCKET", &socket)
        .status()
        .unwrap();
    assert!(start.success(), "runr start db");

    // docker-systemctl-replacement reads the same unit under --root.
    let root = dir.path().join("dsr");
    std::fs::create_dir_all(root.join("etc/systemd/system")).unwrap();
    std::fs::write(root.join("etc/systemd/system/db.service"), UNIT).unwrap();
    let dsr = which("systemctl.py");
    let root_arg = format!("--root={}", root.display());

    println!(
        "median wall time of a call, runr's daemon running (docker-systemctl-replacement needs none)\n"
    );
    println!(
        "| {:<34} | {:>10} | {:>30} | {:>7} |",
        "call", "runr", "docker-systemctl-replacement", "ratio"
    );
    println!("|{:-<36}|{:->12}|{:->32}|{:->9}|", "", "", "", "");
    let native = median_of(500, || time_command(&runr, &["is-active", "db"], &env));
    println!(
        "| {:<34} | {:>7.2} ms | {:>30} | {:>7} |",
        "runr is-active db",
        native.as_secs_f64() * 1e3,
        "",
        ""
    );
    for verb in [
        &["is-active", "db.service"][..],
        &["show", "db.service"][..],
        &["status", "db.service"][..],
    ] {
        let ours = median_of(500, || time_command(&systemctl, verb, &env));
        let theirs = dsr.as_ref().map(|dsr| {
            let mut args = vec![root_arg.as_str()];
            args.extend_from_slice(verb);
            median_of(30, || time_command(dsr, &args, &[]))
        });
        let label = format!("systemctl {}", verb.join(" "));
        match theirs {
            Some(theirs) => println!(
                "| {:<34} | {:>7.2} ms | {:>27.1} ms | {:>6.0}x |",
                label,
                ours.as_secs_f64() * 1e3,
                theirs.as_secs_f64() * 1e3,
                theirs.as_secs_f64() / ours.as_secs_f64()
            ),
            None => println!(
                "| {:<34} | {:>7.2} ms | {:>30} | {:>7} |",
                label,
                ours.as_secs_f64() * 1e3,
                "not installed",
                ""
            ),
        }
    }
    drop(supervisor);
}

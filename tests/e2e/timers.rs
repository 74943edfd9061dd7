//! A timer every second, for a whole minute of wall-clock time: the slow
//! test of the calendar timers' accuracy (the supervisor runs as an
//! ordinary process here, not in a guest).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use runr::control::client::Client;

/// The supervisor, stopped with SIGTERM (or killed) when dropped.
struct Supervisor(Child);

impl Drop for Supervisor {
    fn drop(&mut self) {
        let _ = kill(Pid::from_raw(self.0.id() as i32), Signal::SIGTERM);
        for _ in 0..100 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn a_timer_every_second_runs_sixty_times_a_minute_without_drift() {
    let dir = tempfile::Builder::new()
        .prefix("runr-every-second-")
        .tempdir()
        .unwrap();
    std::fs::write(
        dir.path().join("tick.timer"),
        "[Timer]\nOnCalendar=*:*:*\nAccuracySec=1us\nAutostart=yes\n",
    )
    .unwrap();
    // As with systemd, 60 starts a minute need the start limit off. The job
    // is /bin/true so that no run outlasts its second, which the double-run
    // rule would answer by skipping the next one. Every start is read back
    // from the journal, as the supervisor stamped it.
    std::fs::write(
        dir.path().join("tick.service"),
        "[Unit]\nStartLimitIntervalSec=0\n[Service]\nType=oneshot\nExecStart=/bin/true\n",
    )
    .unwrap();
    let journal = dir.path().join("journal");
    let socket = dir.path().join("runr.sock");
    let child = Command::new(env!("CARGO_BIN_EXE_runr"))
        .arg("supervisor")
        .arg(dir.path())
        .arg("--api-socket")
        .arg(&socket)
        .arg("--journal-dir")
        .arg(&journal)
        .env("RUNR_STATE_DIRECTORY", dir.path().join("state"))
        .env("RUNR_DIALECT", "systemd")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let supervisor = Supervisor(child);
    let client = Client::unix(&socket);
    // The minute measured starts at the second whole second from now, when
    // the timer is surely armed.
    let first = now_seconds().floor() + 2.0;
    while now_seconds() < first + 61.0 {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(client.healthz().is_ok(), "the supervisor answers");
    drop(supervisor);
    let starts = Command::new(env!("CARGO_BIN_EXE_runr"))
        .args([
            "journalctl",
            "--no-pager",
            "-o",
            "short-unix",
            "-u",
            "tick.service",
            "-D",
        ])
        .arg(&journal)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&starts.stdout);
    let times: Vec<f64> = text
        .lines()
        .filter(|l| l.contains("Starting tick.service..."))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .filter(|t| (first..first + 60.0).contains(t))
        .collect();
    let seconds: Vec<u64> = times.iter().map(|t| (t - first) as u64).collect();
    assert_eq!(seconds, (0..60).collect::<Vec<u64>>(), "{times:?}");
    // Each start comes right after its own second, the last as the first:
    // the elapses come from the calendar, so lateness never accumulates.
    let mut lateness: Vec<f64> = times.iter().map(|t| t.fract()).collect();
    lateness.sort_by(f64::total_cmp);
    assert!(
        lateness[lateness.len() / 2] < 0.1,
        "median lateness {:.3} s: {times:?}",
        lateness[lateness.len() / 2]
    );
}

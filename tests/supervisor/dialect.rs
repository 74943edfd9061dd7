//! runr's own dialect: `runr supervisor DIR` reads DIR as runr's README
//! writes unit files. Services start without `enable`, restart by default,
//! timers run without `[Install]`, and `enable`/`disable` turn `Autostart=`
//! on and off.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::harness::{Pod, alive};

/// A face of the binary (`systemctl`, or runr's own with None) against
/// the pod's supervisor and directory, in the pod's own dialect.
fn face(pod: &Pod, face: Option<&str>, args: &[&str]) -> (String, i32) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runr"));
    if let Some(face) = face {
        command.arg(face);
    }
    let out = command
        .args(args)
        .env("RUNR_SOCKET", pod.socket())
        .env("RUNR_UNIT_PATH", pod.dir())
        .env_remove("RUNR_DIALECT")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(-1),
    )
}

fn systemctl(pod: &Pod, args: &[&str]) -> String {
    face(pod, Some("systemctl"), args).0
}

fn main_pid(pod: &Pod, unit: &str) -> i32 {
    systemctl(pod, &["show", "-p", "MainPID", "--value", unit])
        .trim()
        .parse()
        .unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_quick_start_service_runs_at_boot_and_is_restarted() {
    let pod = Pod::new(&[]);
    let logs = pod.dir().join("log/my-app");
    pod.add(
        "my-app.service",
        &format!(
            "[Service]\nExecStart=/bin/sh -c 'echo up; sleep 0.3; exit 1'\nRestart=always\nRestartSec=1s\n\n[Log]\nDirectory={}\nSink=stdout\n",
            logs.display()
        ),
    );
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started my-app.service.");
    sup.wait_for("my-app.service: Scheduled restart job, restart counter is at 1.");
    sup.wait_for("my-app.service: Scheduled restart job, restart counter is at 2.");
    assert_eq!(
        systemctl(&pod, &["show", "-p", "Restart,RestartUSec,UnitFileState", "my-app.service"]),
        "Restart=always\nRestartUSec=1s\nUnitFileState=enabled\n"
    );
    assert_eq!(systemctl(&pod, &["is-enabled", "my-app"]), "enabled\n");
    sup.stop();
}

#[test]
fn defaults_restart_always_every_two_seconds_but_not_a_oneshot_or_autostart_no() {
    let pod = Pod::new(&[
        ("plain.service", "[Service]\nExecStart=/bin/sleep 60\n"),
        ("once.service", "[Service]\nType=oneshot\nExecStart=/bin/true\n"),
        (
            "manual.service",
            "[Service]\nExecStart=/bin/sleep 60\nAutostart=no\n",
        ),
    ]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started plain.service.");
    sup.wait_for("Finished once.service.");
    assert_eq!(
        systemctl(&pod, &["show", "-p", "Restart,RestartUSec", "plain.service", "once.service"]),
        "Restart=always\nRestartUSec=2s\n\nRestart=no\nRestartUSec=2s\n"
    );
    assert_eq!(
        systemctl(&pod, &["is-active", "manual.service"]),
        "inactive\n"
    );
    assert_eq!(systemctl(&pod, &["is-enabled", "manual.service"]), "disabled\n");
    // A clean exit is restarted too, two seconds later.
    let pid = main_pid(&pod, "plain.service");
    let killed_at = Instant::now();
    kill(Pid::from_raw(pid), Signal::SIGTERM).unwrap();
    sup.wait_for("plain.service: Scheduled restart job, restart counter is at 1.");
    wait_until("a new main process", || {
        let now = main_pid(&pod, "plain.service");
        now != 0 && now != pid
    });
    assert!(killed_at.elapsed() >= Duration::from_millis(1900));
    let out = sup.stop();
    assert!(!out.contains("once.service: Scheduled restart"), "{out}");
}

#[test]
fn on_failure_restarts_after_sighup_sigint_and_sigpipe_but_not_sigterm() {
    let pod = Pod::new(&[(
        "db.service",
        "[Service]\nExecStart=/bin/sleep 60\nRestart=on-failure\nRestartSec=100ms\n",
    )]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started db.service.");
    for (n, signal) in [Signal::SIGHUP, Signal::SIGINT, Signal::SIGPIPE]
        .into_iter()
        .enumerate()
    {
        let pid = main_pid(&pod, "db.service");
        kill(Pid::from_raw(pid), signal).unwrap();
        sup.wait_for(&format!(
            "db.service: Main process exited, code=killed, status={}/{}",
            signal as i32,
            &signal.as_str()[3..]
        ));
        sup.wait_for(&format!(
            "db.service: Scheduled restart job, restart counter is at {}.",
            n + 1
        ));
        wait_until("the restart", || {
            let now = main_pid(&pod, "db.service");
            now != 0 && now != pid
        });
    }
    kill(Pid::from_raw(main_pid(&pod, "db.service")), Signal::SIGTERM).unwrap();
    sup.wait_for("db.service: Deactivated successfully.");
    assert_eq!(systemctl(&pod, &["is-active", "db.service"]), "inactive\n");
    let out = sup.stop();
    assert!(!out.contains("restart counter is at 4"), "{out}");
}

#[test]
fn kill_mode_none_runs_exec_stop_then_kills_what_is_left() {
    let pod = Pod::new(&[(
        "stubborn.service",
        "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do sleep 0.1; done'\nExecStop=/bin/echo asked to stop $MAINPID\nKillMode=none\nTimeoutStopSec=1s\nRestart=no\n",
    )]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started stubborn.service.");
    let pid = main_pid(&pod, "stubborn.service");
    let (out, rc) = face(&pod, Some("systemctl"), &["stop", "stubborn.service"]);
    assert_eq!(rc, 0, "{out}");
    assert!(!alive(pid), "the main process outlived the stop");
    sup.wait_for("stubborn.service: State 'stop-sigterm' timed out. Killing.");
    sup.wait_for(&format!(
        "stubborn.service: Killing process {pid} (sh) with signal SIGKILL."
    ));
    let out = sup.stop();
    assert!(!out.contains("Unit uses KillMode=none"), "{out}");
}

#[test]
fn disable_and_enable_turn_autostart_off_and_on_across_boots() {
    let pod = Pod::new(&[("app.service", "[Service]\nExecStart=/bin/sleep 60\n")]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started app.service.");
    let (out, rc) = face(&pod, None, &["disable", "app"]);
    assert_eq!(rc, 0, "{out}");
    assert_eq!(systemctl(&pod, &["is-enabled", "app.service"]), "disabled\n");
    // Disabling does not stop it, as with systemd.
    assert_eq!(systemctl(&pod, &["is-active", "app.service"]), "active\n");
    let out = sup.stop();
    assert!(out.contains("Stopped app.service."), "{out}");

    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Reached target multi-user.target");
    assert_eq!(systemctl(&pod, &["is-active", "app.service"]), "inactive\n");
    let (out, rc) = face(&pod, Some("systemctl"), &["enable", "app.service"]);
    assert_eq!(rc, 0, "{out}");
    assert!(!out.contains("no installation config"), "{out}");
    assert_eq!(systemctl(&pod, &["is-enabled", "app.service"]), "enabled\n");
    sup.stop();
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started app.service.");
    sup.stop();
    assert!(!Path::new(&pod.dir().join("app.service.d")).exists());
}

#[test]
fn a_timer_starts_by_default_and_unit_without_a_type_is_a_service() {
    let pod = Pod::new(&[
        ("tick.timer", "[Timer]\nOnStartupSec=1s\nOnUnitInactiveSec=1s\nUnit=job\n"),
        (
            "job.service",
            "[Service]\nType=oneshot\nExecStart=/bin/true\nAutostart=no\n",
        ),
    ]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started tick.timer.");
    let listed = systemctl(&pod, &["list-timers", "--all"]);
    assert!(listed.contains("tick.timer job.service"), "{listed}");
    assert_eq!(
        systemctl(&pod, &["show", "-p", "AccuracyUSec", "tick.timer"]),
        "AccuracyUSec=1s\n"
    );
    let started = Instant::now();
    sup.wait_for("Finished job.service.");
    // Not batched into a minute: within its second of accuracy.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    // And again a second after each run.
    let out = sup.output().to_string();
    let first = out.matches("Finished job.service.").count();
    wait_until("a second run", || {
        sup.output().matches("Finished job.service.").count() > first
    });
    sup.stop();
}

#[test]
fn a_runr_timer_without_a_start_for_on_unit_inactive_is_refused() {
    let pod = Pod::new(&[
        ("lonely.timer", "[Timer]\nOnUnitInactiveSec=1h\n"),
        ("lonely.service", "[Service]\nExecStart=/bin/true\nAutostart=no\n"),
        ("fine.service", "[Service]\nExecStart=/bin/sleep 60\n"),
    ]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("Started fine.service.");
    assert_eq!(
        systemctl(&pod, &["show", "-p", "LoadState", "lonely.timer"]),
        "LoadState=bad-setting\n"
    );
    let out = sup.stop();
    assert!(
        out.contains(
            "lonely.timer: Timer has OnUnitInactiveSec= without OnStartupSec=, so it would never elapse. Refusing."
        ),
        "{out}"
    );
}

#[test]
fn runr_daemon_reload_starts_new_and_failed_units_systemctls_starts_nothing() {
    let pod = Pod::new(&[(
        "crash.service",
        "[Unit]\nStartLimitBurst=1\nStartLimitIntervalSec=1s\n[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=0\n",
    )]);
    let mut sup = pod.start_in_runr_dialect();
    sup.wait_for("crash.service: Start request repeated too quickly.");
    sup.wait_for("Failed to start crash.service.");
    pod.add("fresh.service", "[Service]\nExecStart=/bin/sleep 60\n");
    let (out, rc) = face(&pod, Some("systemctl"), &["daemon-reload"]);
    assert_eq!(rc, 0, "{out}");
    assert_eq!(systemctl(&pod, &["is-active", "fresh.service"]), "inactive\n");
    assert_eq!(systemctl(&pod, &["is-active", "crash.service"]), "failed\n");
    // Past the start limit's interval, so that a start is allowed again.
    std::thread::sleep(Duration::from_millis(1100));
    let (out, rc) = face(&pod, None, &["daemon-reload"]);
    assert_eq!(rc, 0, "{out}");
    sup.wait_for("Started fresh.service.");
    wait_until("crash.service started again", || {
        sup.output().matches("Started crash.service.").count() >= 2
    });
    sup.stop();
}

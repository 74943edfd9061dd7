//! Timers run by the real supervisor: each trigger type, several at once,
//! the random delay, Persistent= across restarts (with the clock moved by
//! faketime), runr's double-run rule, and start/stop through the API. The
//! services record when they ran; the tests read those records.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use runr::control::client::Client;
use runr::control::types::TimerAction;

use super::harness::Pod;

const WAIT: Option<Duration> = Some(Duration::from_secs(10));
/// Where Debian's faketime package puts the preload library.
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// A oneshot service that appends its start time (seconds since the
/// epoch, with a fraction) to `FILE`, then runs `then`.
fn recording_service(file: &Path, then: &str) -> String {
    format!(
        "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'date +%%s.%%N >> {}; {then}'\n",
        file.display()
    )
}

fn runs(file: &Path) -> Vec<f64> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Waits (up to `limit`) until `file` holds `n` runs, and returns them.
fn wait_for_runs(file: &Path, n: usize, limit: Duration) -> Vec<f64> {
    let deadline = Instant::now() + limit;
    loop {
        let found = runs(file);
        if found.len() >= n {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} runs in {limit:?}: {found:?}",
            found.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn gaps(times: &[f64]) -> Vec<f64> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

fn file(pod: &Pod, name: &str) -> PathBuf {
    pod.dir().join(name)
}

#[test]
fn calendar_timer_elapses_on_the_wall_clocks_seconds() {
    let pod = Pod::new(&[(
        "even.timer",
        "[Timer]\nOnCalendar=*:*:0/2\nAccuracySec=1us\nAutostart=yes\n",
    )]);
    pod.add("even.service", &recording_service(&file(&pod, "runs"), ":"));
    let sup = pod.start();
    let times = wait_for_runs(&file(&pod, "runs"), 3, Duration::from_secs(10));
    drop(sup);
    for t in &times {
        // Each run starts just after an even second, not half a second late.
        assert_eq!(t.floor() as u64 % 2, 0, "{times:?}");
        assert!(t.fract() < 0.5, "{times:?}");
    }
}

#[test]
fn on_unit_inactive_sec_repeats_after_each_run_has_ended() {
    let pod = Pod::new(&[(
        "pause.timer",
        "[Timer]\nOnActiveSec=0\nOnUnitInactiveSec=500ms\nAccuracySec=1us\nAutostart=yes\n",
    )]);
    pod.add(
        "pause.service",
        &recording_service(&file(&pod, "runs"), "sleep 0.4"),
    );
    let sup = pod.start();
    let times = wait_for_runs(&file(&pod, "runs"), 3, Duration::from_secs(10));
    sup.stop();
    // A run of 0.4 s, then 0.5 s of quiet: at least 0.9 s from start to start.
    for gap in gaps(&times) {
        assert!(gap >= 0.9, "{times:?}");
    }
}

#[test]
fn on_unit_active_sec_repeats_from_each_start() {
    let pod = Pod::new(&[(
        "beat.timer",
        "[Timer]\nOnActiveSec=100ms\nOnUnitActiveSec=1s\nAccuracySec=1us\nAutostart=yes\n",
    )]);
    pod.add(
        "beat.service",
        &recording_service(&file(&pod, "runs"), "sleep 0.6"),
    );
    let sup = pod.start();
    let times = wait_for_runs(&file(&pod, "runs"), 3, Duration::from_secs(10));
    sup.stop();
    // Counted from the start (1 s), not from the end (1.6 s); the runs'
    // own records differ from the starts by a shell's launch.
    for gap in gaps(&times) {
        assert!((0.9..1.5).contains(&gap), "{times:?}");
    }
}

#[test]
fn boot_and_startup_triggers_fire_once_from_the_supervisors_start() {
    let pod = Pod::new(&[
        (
            "boot.timer",
            "[Timer]\nOnBootSec=300ms\nAccuracySec=1us\nAutostart=yes\n",
        ),
        (
            "startup.timer",
            "[Timer]\nOnStartupSec=700ms\nAccuracySec=1us\nAutostart=yes\n",
        ),
    ]);
    pod.add("boot.service", &recording_service(&file(&pod, "boot"), ":"));
    pod.add(
        "startup.service",
        &recording_service(&file(&pod, "startup"), ":"),
    );
    let launched = now_seconds();
    let mut sup = pod.start();
    let boot = wait_for_runs(&file(&pod, "boot"), 1, Duration::from_secs(10));
    let startup = wait_for_runs(&file(&pod, "startup"), 1, Duration::from_secs(10));
    assert!(boot[0] >= launched + 0.3, "{boot:?} vs {launched}");
    assert!(startup[0] >= launched + 0.7, "{startup:?} vs {launched}");
    sup.wait_for("Finished startup.service.");
    std::thread::sleep(Duration::from_millis(800));
    let client = Client::unix(pod.socket());
    let statuses = client.timer_statuses().unwrap();
    sup.stop();
    assert_eq!(runs(&file(&pod, "boot")).len(), 1);
    assert_eq!(runs(&file(&pod, "startup")).len(), 1);
    // Spent one-time triggers leave the timers elapsed (RemainAfterElapse=yes).
    for status in &statuses {
        assert_eq!(status.sub_state, "elapsed", "{statuses:?}");
        assert!(status.next_elapse.is_none(), "{statuses:?}");
        assert!(status.last_trigger.is_some(), "{statuses:?}");
    }
}

#[test]
fn several_triggers_at_once_the_earliest_wins() {
    let pod = Pod::new(&[(
        "multi.timer",
        "[Timer]\nOnCalendar=*-01-01 00:00:00\nOnActiveSec=1h\nOnActiveSec=200ms\nAccuracySec=1us\nAutostart=yes\n",
    )]);
    pod.add(
        "multi.service",
        &recording_service(&file(&pod, "runs"), ":"),
    );
    let launched = now_seconds();
    let mut sup = pod.start();
    let times = wait_for_runs(&file(&pod, "runs"), 1, Duration::from_secs(10));
    assert!(times[0] >= launched + 0.2, "{times:?} vs {launched}");
    sup.wait_for("Finished multi.service.");
    let client = Client::unix(pod.socket());
    let status = client.timer_statuses().unwrap().remove(0);
    sup.stop();
    assert_eq!(status.sub_state, "waiting");
    // Next: the hour after the start, earlier than New Year.
    let next = status.next_elapse.expect("a next elapse").as_usec() as f64 / 1e6;
    assert!(
        (next - launched - 3600.0).abs() < 5.0,
        "{next} vs {launched}"
    );
}

#[test]
fn an_elapse_while_the_service_still_runs_is_skipped_and_logged() {
    let pod = Pod::new(&[(
        "slow.timer",
        "[Timer]\nOnCalendar=*:*:*\nAccuracySec=1us\nAutostart=yes\n",
    )]);
    let d = pod.dir().display().to_string();
    pod.add(
        "slow.service",
        &format!(
            "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'if [ -e {d}/busy ]; then echo overlap >> {d}/overlaps; fi; touch {d}/busy; date +%%s.%%N >> {d}/runs; sleep 2.2; rm {d}/busy'\n"
        ),
    );
    let mut sup = pod.start();
    let times = wait_for_runs(&file(&pod, "runs"), 2, Duration::from_secs(12));
    sup.wait_for("slow.timer: Skipping elapse, slow.service is still running.");
    let out = sup.stop();
    assert!(!file(&pod, "overlaps").exists(), "two runs at once");
    let skipped = out
        .matches("slow.timer: Skipping elapse, slow.service is still running.")
        .count();
    assert!(skipped >= 2, "{out}");
    // After a run of 2.2 s the next one waits for the next whole second:
    // no run catches up the skipped ones.
    let gap = times[1] - times[0];
    assert!((2.2..3.5).contains(&gap), "{times:?}");
    assert!(times[1].fract() < 0.5, "{times:?}");
}

#[test]
fn randomized_delay_stays_in_its_bounds_and_varies() {
    let units: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("j{i}.timer"),
                "[Timer]\nOnActiveSec=500ms\nRandomizedDelaySec=1s\nAccuracySec=1us\nAutostart=yes\n"
                    .to_string(),
            )
        })
        .collect();
    let pod = Pod::new(&[]);
    for (name, text) in &units {
        pod.add(name, text);
    }
    for i in 0..12 {
        pod.add(
            &format!("j{i}.service"),
            &recording_service(&file(&pod, &format!("j{i}")), ":"),
        );
    }
    let launched = now_seconds();
    let mut sup = pod.start();
    sup.wait_for("Started j11.timer.");
    let started = now_seconds();
    let mut times = Vec::new();
    for i in 0..12 {
        times.extend(wait_for_runs(
            &file(&pod, &format!("j{i}")),
            1,
            Duration::from_secs(10),
        ));
    }
    sup.stop();
    let earliest = times.iter().cloned().fold(f64::MAX, f64::min);
    let latest = times.iter().cloned().fold(f64::MIN, f64::max);
    assert!(earliest >= launched + 0.5, "{times:?} vs {launched}");
    // 0.5 s plus at most 1 s of delay after the timers started (and the
    // time a service takes to write its line).
    assert!(latest < started + 1.5 + 0.5, "{times:?} vs {started}");
    // Twelve draws from a second do not land within 50 ms of each other.
    assert!(latest - earliest > 0.05, "{times:?}");
}

#[test]
fn fixed_random_delay_is_the_same_at_every_start() {
    let timer = |fixed: &str| {
        format!(
            "[Timer]\nOnCalendar=*-01-01 00:00:00\nRandomizedDelaySec=1w\nFixedRandomDelay={fixed}\nAutostart=yes\n"
        )
    };
    let pod = Pod::new(&[]);
    pod.add("fixed.timer", &timer("yes"));
    pod.add("drawn.timer", &timer("no"));
    pod.add("fixed.service", "[Service]\nExecStart=/bin/true\n");
    pod.add("drawn.service", "[Service]\nExecStart=/bin/true\n");
    let next_elapses = || {
        let mut sup = pod.start();
        sup.wait_for("Started fixed.timer.");
        sup.wait_for("Started drawn.timer.");
        let statuses = Client::unix(pod.socket()).timer_statuses().unwrap();
        sup.stop();
        let of = |name: &str| {
            statuses
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.next_elapse)
                .expect("a next elapse")
        };
        (of("fixed.timer"), of("drawn.timer"))
    };
    let (fixed_1, drawn_1) = next_elapses();
    let (fixed_2, drawn_2) = next_elapses();
    assert_eq!(fixed_1, fixed_2);
    assert_ne!(drawn_1, drawn_2);
}

#[test]
fn persistent_timer_catches_up_a_run_missed_while_the_supervisor_was_down() {
    assert!(
        Path::new(LIBFAKETIME).exists(),
        "this test moves the clock with faketime: apt-get install faketime"
    );
    let pod = Pod::new(&[(
        "nightly.timer",
        // AccuracySec=1s: with the default minute, the catch-up run may
        // wait for this machine's spot in the minute, as with systemd.
        "[Unit]\nDescription=Nightly\n[Timer]\nOnCalendar=daily\nPersistent=yes\nAccuracySec=1s\nAutostart=yes\n",
    )]);
    pod.add(
        "nightly.service",
        "[Unit]\nDescription=Nightly job\n[Service]\nType=oneshot\nExecStart=/bin/true\n",
    );
    let stamp = pod.state_dir().join("timers/stamp-nightly.timer");

    // First start: no stamp, so no catch-up; the stamp is made.
    let mut sup = pod.start();
    sup.wait_for("Started nightly.timer - Nightly.");
    std::thread::sleep(Duration::from_millis(300));
    let out = sup.stop();
    assert!(
        !out.contains("Starting nightly.service - Nightly job..."),
        "{out}"
    );
    assert!(stamp.exists(), "no stamp at {}", stamp.display());

    // Two days later by the supervisor's clock: the missed night runs at once.
    // Only the wall clock moves; the monotonic one goes on as it would.
    let mut sup = pod.start_with_env(&[
        ("LD_PRELOAD", LIBFAKETIME),
        ("FAKETIME", "+2d"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
    ]);
    sup.wait_for("Finished nightly.service - Nightly job.");
    sup.stop();
    let stamped = std::fs::metadata(&stamp).unwrap().modified().unwrap();
    let ahead = stamped
        .duration_since(SystemTime::now())
        .expect("the stamp holds the trigger, two days ahead");
    assert!(ahead > Duration::from_secs(47 * 3600), "{ahead:?}");

    // Back to the real clock: the stamp is in the future and not believed.
    let mut sup = pod.start();
    sup.wait_for("nightly.timer: Not using persistent file timestamp");
    sup.wait_for("Started nightly.timer - Nightly.");
    std::thread::sleep(Duration::from_millis(300));
    let out = sup.stop();
    assert!(
        !out.contains("Starting nightly.service - Nightly job..."),
        "{out}"
    );
}

#[test]
fn timers_are_listed_started_and_stopped_through_the_api() {
    let pod = Pod::new(&[(
        "report.timer",
        "[Unit]\nDescription=Reports\n[Timer]\nOnCalendar=hourly\nUnit=make-report.service\n",
    )]);
    pod.add(
        "make-report.service",
        "[Service]\nType=oneshot\nExecStart=/bin/true\n",
    );
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let client = Client::unix(pod.socket());
    let listed = client.timer_statuses().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "report.timer");
    assert_eq!(listed[0].unit, "make-report.service");
    assert_eq!(listed[0].sub_state, "dead");

    let accepted = client.timer_action("report", TimerAction::Start).unwrap();
    let done = client.action(accepted.action_id, WAIT).unwrap();
    assert_eq!(done.result.as_deref(), Some("done"), "{done:?}");
    let status = client.timer_statuses().unwrap().remove(0);
    assert_eq!(status.sub_state, "waiting");
    let next = status.next_elapse.expect("a next elapse").as_usec() as f64 / 1e6;
    let now = now_seconds();
    // The next full hour, give or take the minute of AccuracySec... which
    // is the wakeup's, not the elapse's: the elapse is the hour itself.
    assert_eq!(next as u64 % 3600, 0, "{next}");
    assert!(next > now && next <= now + 3600.0, "{next} vs {now}");

    // `runr list-timers --json` gives the API's answer, field for field.
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_runr"))
        .args(["list-timers", "--json"])
        .env("RUNR_SOCKET", pod.socket())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{cli:?}");
    let from_cli: Vec<runr::control::types::TimerStatus> =
        serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(from_cli, vec![status.clone()]);

    let accepted = client
        .timer_action("report.timer", TimerAction::Stop)
        .unwrap();
    client.action(accepted.action_id, WAIT).unwrap();
    let status = client.timer_statuses().unwrap().remove(0);
    assert_eq!(status.sub_state, "dead");
    assert!(status.next_elapse.is_none());
    let out = sup.stop();
    assert!(out.contains("Started report.timer - Reports."), "{out}");
    assert!(out.contains("Stopped report.timer - Reports."), "{out}");
}

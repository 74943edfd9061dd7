//! The systemd-run face against a running supervisor: the golden cases
//! captured from systemd-run 252 (golden/systemd-run/run) replayed command
//! by command, in order, through `sh -c` with `systemd-run` a symlink to
//! runr; stdout, stderr and the exit status compared after normalising
//! what varies from run to run. Then, in the same pod, what `systemctl`
//! and `journalctl` (symlinks to runr too) say of those transient units
//! (golden/systemd-run/unit), compared after the shared normaliser.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use runr::control::client::Client;
use runr::control::types::{TransientRequest, TransientStarted};

use super::harness::Pod;
use crate::common_normalise;

/// `unit` cases runr still answers otherwise, and why. The test fails when
/// one of them starts to match (then take it off this list).
const UNIT_KNOWN_DIFFERENT: &[(&str, &str)] = &[];

/// `run` cases runr still answers otherwise, and why. They are run all the
/// same (the cases after them may depend on them); the test fails when one
/// of them starts to match (then take it off this list).
const RUN_KNOWN_DIFFERENT: &[(&str, &str)] = &[];

/// The case that reads what the 1 s timer of `timer-short-fires` wrote.
/// systemd happened to fire it within the case's 2 s; with the default
/// AccuracySec=1min a wakeup may be batched up to a minute later (at the
/// machine's spot of the minute, from its boot ID), so the replay waits
/// for the timer's service to have run first.
const AFTER_FIRE: &str = "after-fire";

/// The file the timer's service touches, in the capture's guest; the
/// replay keeps it in the pod.
const FIRED_FILE: &str = "/tmp/fired";

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/systemd-run")
}

/// Masks what differs between two runs of the same command.
fn normalise(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("Service runtime: ") {
                return "Service runtime: X".to_string();
            }
            if line.starts_with("CPU time consumed: ") {
                return "CPU time consumed: X".to_string();
            }
            mask_run_names(line)
        })
        .map(|line| line + "\n")
        .collect()
}

/// `run-u17` -> `run-uN`, `run-r<32 hex>` -> `run-rID`.
fn mask_run_names(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("run-") {
        out.push_str(&rest[..at + 4]);
        rest = &rest[at + 4..];
        let digits = rest
            .strip_prefix('u')
            .map(|r| r.len() - r.trim_start_matches(|c: char| c.is_ascii_digit()).len());
        if let Some(n) = digits.filter(|n| *n > 0) {
            out.push_str("uN");
            rest = &rest[1 + n..];
            continue;
        }
        let hex = rest
            .strip_prefix('r')
            .map(|r| r.len() - r.trim_start_matches(|c: char| c.is_ascii_hexdigit()).len());
        if hex == Some(32) {
            out.push_str("rID");
            rest = &rest[33..];
        }
    }
    out.push_str(rest);
    out
}

struct Case {
    slug: String,
    command: String,
    stdout: String,
    stderr: String,
    rc: i32,
}

/// The cases of one group of the capture (`run`, `unit`), in order.
fn golden_cases(group: &str) -> Vec<Case> {
    let dir = golden_dir().join(group);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".cmd")
                .map(String::from)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let read =
                |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
            Case {
                slug: name
                    .split_once('-')
                    .map_or(name.clone(), |(_, s)| s.to_string()),
                command: read("cmd").trim_end_matches('\n').to_string(),
                stdout: read("stdout"),
                stderr: read("stderr"),
                rc: read("rc").trim().parse().unwrap(),
            }
        })
        .collect()
}

/// A directory whose `systemd-run`, `systemctl` and `journalctl` are runr,
/// first on PATH.
fn face_dir(pod: &Pod) -> PathBuf {
    let bin = pod.dir().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for face in ["systemd-run", "systemctl", "journalctl"] {
        let link = bin.join(face);
        if !link.exists() {
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_runr"), &link).unwrap();
        }
    }
    bin
}

fn run_face(pod: &Pod, command: &str) -> (String, String, i32) {
    let path = format!(
        "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        face_dir(pod).display()
    );
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env_clear()
        .env("PATH", path)
        .env("RUNR_SOCKET", pod.socket())
        .env("RUNR_JOURNAL_DIR", pod.dir().join(".journal"))
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn golden_systemd_run_cases_replay_byte_for_byte() {
    let helper = std::fs::read_to_string(golden_dir().join("runhelper.service")).unwrap();
    let pod = Pod::new(&[("runhelper.service", &helper)]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let cases = golden_cases("run");
    assert!(cases.len() >= 30, "only {} golden cases", cases.len());
    let mut failures = Vec::new();
    let fired = pod.dir().join("fired").display().to_string();
    for case in &cases {
        if case.slug == AFTER_FIRE {
            sup.wait_for_within(
                "t-fire.service: Deactivated successfully.",
                Duration::from_secs(75),
            );
        }
        let command = case.command.replace(FIRED_FILE, &fired);
        let (stdout, stderr, rc) = run_face(&pod, &command);
        let expected = (normalise(&case.stdout), normalise(&case.stderr), case.rc);
        let got = (normalise(&stdout), normalise(&stderr), rc);
        let known = RUN_KNOWN_DIFFERENT
            .iter()
            .any(|(slug, _)| *slug == case.slug);
        if expected == got && known {
            failures.push(format!(
                "{} matches now: take it off RUN_KNOWN_DIFFERENT",
                case.slug
            ));
        }
        if expected != got && !known {
            failures.push(format!(
                "{} `{}`\n  expected: {expected:?}\n  got:      {got:?}",
                case.slug, case.command
            ));
        }
    }
    failures.extend(replay_unit_cases(&pod, sup.pid()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    sup.stop();
}

/// The `unit` group: what systemctl and journalctl said of the transient
/// units right after the `run` group, asked again of runr in the same
/// order. Returns the cases that differ unexpectedly, and those listed in
/// UNIT_KNOWN_DIFFERENT that match now.
fn replay_unit_cases(pod: &Pod, supervisor_pid: i32) -> Vec<String> {
    let cases = golden_cases("unit");
    assert!(cases.len() >= 20, "only {} unit cases", cases.len());
    // The supervisor runs as an ordinary process here, not as PID 1: its
    // journal lines carry its own PID where systemd's carry 1.
    let ours = |text: &str| {
        let text = text.replace(&format!(" systemd[{supervisor_pid}]: "), " systemd[1]: ");
        comparable(&text, &host_name())
    };
    let mut failures = Vec::new();
    for case in &cases {
        let (stdout, stderr, rc) = run_face(pod, &case.command);
        let expected = (
            comparable(&case.stdout, "oracle"),
            comparable(&case.stderr, "oracle"),
            case.rc,
        );
        let got = (ours(&stdout), ours(&stderr), rc);
        let known = UNIT_KNOWN_DIFFERENT
            .iter()
            .find(|(slug, _)| *slug == case.slug);
        match (expected == got, known) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((slug, _))) => failures.push(format!(
                "unit/{slug} matches now: take it off UNIT_KNOWN_DIFFERENT"
            )),
            (false, None) => failures.push(format!(
                "unit/{} `{}`\n  expected: {expected:?}\n  got:      {got:?}",
                case.slug, case.command
            )),
        }
    }
    failures
}

/// Both sides of a `unit` case go through this: the shared normaliser
/// (PIDs, times, durations, CPU, IDs), the host's name, `run-uN` names.
fn comparable(text: &str, hostname: &str) -> String {
    let text = text.replace(&format!(" {hostname} "), " oracle ");
    normalise(&common_normalise::normalise(&text))
}

fn host_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_default()
}

#[test]
fn the_final_status_of_a_collected_unit_is_kept_until_read() {
    let pod = Pod::new(&[]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let client = Client::unix(pod.socket());
    let started: TransientStarted = client
        .transient_start(&TransientRequest {
            name: Some("quick.service".into()),
            service_text: "[Service]\nExecStart=/bin/sh -c 'exit 6'\n".into(),
            collect: true,
            keep_end: true,
            ..TransientRequest::default()
        })
        .unwrap();
    assert_eq!(started.unit, "quick.service");
    let end = client
        .transient_end("quick.service", Some(Duration::from_secs(10)))
        .unwrap();
    assert!(end.ended, "{end:?}");
    assert_eq!(
        (
            end.result.as_str(),
            end.exit_code.as_deref(),
            end.exit_status
        ),
        ("exit-code", Some("exited"), Some(6))
    );
    assert!(
        end.cpu_usec.is_some() && end.runtime_usec.is_some(),
        "{end:?}"
    );
    // Collected (--collect) and read once: gone.
    assert_eq!(
        client.unit("quick.service").unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        client
            .transient_end("quick.service", None)
            .unwrap_err()
            .status(),
        Some(404)
    );
    // A bad request is a 400 with a message; the daemon goes on.
    let bad = client
        .exchange(
            "POST",
            "/api/v1/transient",
            Some(b"{\"service_text\":\"\"}"),
        )
        .unwrap();
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(client.daemon_info().is_ok());
    sup.stop();
}

#[test]
fn the_transient_unit_file_is_shown_as_systemd_shows_it() {
    let pod = Pod::new(&[]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let (_, stderr, rc) = run_face(
        &pod,
        "systemd-run --unit=t-remain --description='My transient task' --remain-after-exit true",
    );
    assert_eq!(
        (stderr.as_str(), rc),
        ("Running as unit: t-remain.service\n", 0)
    );
    let files = Client::unix(pod.socket())
        .unit_files("t-remain.service")
        .unwrap();
    // systemctl cat of the same unit under systemd 252.
    let golden = std::fs::read_to_string(golden_dir().join("unit/04-remain-cat.stdout")).unwrap();
    let shown = format!("# {}\n{}", files.files[0].path, files.files[0].text);
    assert_eq!(shown, golden);
    sup.stop();
}

#[test]
fn a_transient_timer_starts_its_service_when_it_elapses() {
    let pod = Pod::new(&[]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let marker = pod.dir().join("fired");
    let (_, stderr, rc) = run_face(
        &pod,
        &format!(
            "systemd-run --unit=t-fire --on-active=1 --timer-property=AccuracySec=1us touch {}",
            marker.display()
        ),
    );
    assert_eq!(
        (stderr.as_str(), rc),
        (
            "Running timer as unit: t-fire.timer\nWill run service as unit: t-fire.service\n",
            0
        )
    );
    assert!(!marker.exists(), "ran before the timer elapsed");
    sup.wait_for("t-fire.service: Deactivated successfully.");
    assert!(marker.exists());
    sup.stop();
}

#[test]
fn without_a_daemon_systemd_run_says_so() {
    let pod = Pod::new(&[]);
    let (_, stderr, rc) = run_face(&pod, "systemd-run true");
    assert_eq!(rc, 1);
    assert!(stderr.contains("Failed to connect to bus"), "{stderr}");
}

#[test]
fn run_names_are_masked_and_nothing_else() {
    assert_eq!(
        normalise(
            "Running as unit: run-u17.service\nrun-r0123456789abcdef0123456789abcdef.timer run-x\n"
        ),
        "Running as unit: run-uN.service\nrun-rID.timer run-x\n"
    );
}

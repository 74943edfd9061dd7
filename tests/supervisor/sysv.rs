//! systemd-sysv's names (`runlevel`, `telinit`, `halt`, `poweroff`,
//! `reboot`, `shutdown`) through symlinks to the real binary, and the
//! manager's exits of `runr supervisor` as an ordinary process:
//!
//! - with no manager, every command of golden/systemctl/sysv/offline
//!   (captured from systemctl 252 on this machine, where systemd is not
//!   PID 1) and the help and argument cases of its live/ set, byte for
//!   byte;
//! - against a supervisor: the runlevel it keeps in utmp (under
//!   `RUNR_ROOT`), scheduled shutdowns, and how it ends after each exit:
//!   `systemctl exit 42` with 42, poweroff and halt killed by SIGINT,
//!   reboot by SIGHUP, as a container's PID 1 ends (the e2e tests see PID
//!   1 itself), with "Shutting down." last unless forced.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use runr::control::client::Client;
use runr::control::types::{ShutdownAction, ShutdownPlan, Timestamp};

use super::common_normalise::normalise;
use super::harness::{Pod, Supervisor};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/sysv");
const NAMES: [&str; 7] = [
    "runlevel",
    "telinit",
    "halt",
    "poweroff",
    "reboot",
    "shutdown",
    "systemctl",
];

/// A directory of symlinks to runr under the names it answers to.
fn names_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in NAMES {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_runr"), dir.path().join(name)).unwrap();
    }
    dir
}

/// Runs a shell line as the captures ran theirs: a clean environment, the
/// names first on PATH, in /tmp.
fn run_line(names: &Path, line: &str, env: &[(&str, &Path)]) -> Output {
    Command::new("/bin/sh")
        .arg("-c")
        .arg(line)
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                names.display()
            ),
        )
        .env("HOME", "/root")
        .env("LANG", "C.UTF-8")
        .env("TERM", "dumb")
        .envs(env.iter().copied())
        .current_dir("/tmp")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The cases of a golden set: group/case, rc and command.
fn cases(set: &str) -> Vec<(String, i32, String)> {
    let index = std::fs::read_to_string(Path::new(GOLDEN).join(set).join("index.tsv")).unwrap();
    index
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(4, '\t').collect();
            let [group, case, rc, command] = f.as_slice() else {
                return None;
            };
            Some((
                format!("{group}/{case}"),
                rc.parse().ok()?,
                command.to_string(),
            ))
        })
        .collect()
}

fn golden(set: &str, id: &str, ext: &str) -> String {
    std::fs::read_to_string(Path::new(GOLDEN).join(set).join(format!("{id}.{ext}")))
        .unwrap_or_default()
}

/// Replays cases with no manager answering; the differences, for a report.
fn replay_without_manager(set: &str, keep: impl Fn(&str) -> bool) -> (usize, String) {
    let names = names_dir();
    let scratch = tempfile::tempdir().unwrap();
    let socket = scratch.path().join("no-daemon.sock");
    let root = scratch.path().join("root");
    let mut report = String::new();
    let mut compared = 0;
    for (id, rc, command) in cases(set) {
        if !keep(&command) {
            continue;
        }
        compared += 1;
        let out = run_line(
            names.path(),
            &command,
            &[("RUNR_SOCKET", &socket), ("RUNR_ROOT", &root)],
        );
        let got = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        );
        let want = (golden(set, &id, "stdout"), golden(set, &id, "stderr"), rc);
        if got != want {
            report.push_str(&format!(
                "=== {id}: {command}\n--- got (rc {})\n{}{}--- want (rc {})\n{}{}",
                got.2, got.0, got.1, want.2, want.0, want.1
            ));
        }
    }
    (compared, report)
}

#[test]
fn without_a_manager_the_names_answer_as_systemctl_252_does() {
    let (compared, report) = replay_without_manager("offline", |_| true);
    assert!(compared >= 30, "only {compared} cases");
    assert!(report.is_empty(), "cases that differ:\n{report}");
}

#[test]
fn help_and_argument_errors_are_systemds_byte_for_byte() {
    // Those of live/ that no manager answers: the help texts (on a pipe and
    // a terminal) and what the command lines are refused with. telinit
    // hands over to sysvinit where no systemd-like manager runs, and a path
    // under /sbin is this machine's own systemctl: both are for the guest.
    let (compared, report) = replay_without_manager("live", |command| {
        let shown = [
            "--help", "--he", " -x", " x", "--bogus", "--no", "--force=", " -t", " -- ", " a",
        ];
        let refused = [
            "exit 300",
            "exit abc",
            "exit 1 2",
            "poweroff x",
            "halt x",
            "reboot a b",
            "kexec",
            "--user",
            "--global",
            "runlevel -h",
            "bogus",
            "25:00",
            "12:60",
        ];
        !command.contains("telinit")
            && !command.contains("/sbin/")
            && (shown.iter().any(|s| command.contains(s))
                || refused.iter().any(|s| command.contains(s)))
    });
    assert!(compared >= 40, "only {compared} cases");
    assert!(report.is_empty(), "cases that differ:\n{report}");
}

fn pod() -> (Pod, Supervisor) {
    let pod = Pod::new(&[(
        "web.service",
        "[Unit]\nDescription=Web\n[Service]\nExecStart=/bin/sleep 60\n[Install]\nWantedBy=multi-user.target\n",
    )]);
    let wants = pod.dir().join("multi-user.target.wants");
    std::fs::create_dir(&wants).unwrap();
    std::os::unix::fs::symlink("../web.service", wants.join("web.service")).unwrap();
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    (pod, sup)
}

/// A command line against the pod's supervisor: stdout, stderr, rc.
fn against(pod: &Pod, names: &Path, line: &str) -> (String, String, i32) {
    let socket = pod.socket();
    let root = pod.root();
    let out = run_line(
        names,
        line,
        &[("RUNR_SOCKET", &socket), ("RUNR_ROOT", &root)],
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_runlevel_and_scheduled_shutdowns_of_a_running_supervisor() {
    let (pod, sup) = pod();
    let names = names_dir();
    let run = |line: &str| {
        let (out, err, rc) = against(&pod, names.path(), line);
        (out, normalise(&err), rc)
    };
    let none = "No scheduled shutdown.\n".to_string();
    // multi-user.target was reached: runlevel 3, none before it.
    assert_eq!(run("runlevel"), ("N 3\n".into(), String::new(), 0));
    assert_eq!(
        run("RUNLEVEL=5 runlevel"),
        ("N 5\n".into(), String::new(), 0)
    );
    assert_eq!(run("shutdown --show"), (String::new(), none.clone(), 1));
    let poweroff = "Shutdown scheduled for <TIMESTAMP>, use 'shutdown -c' to cancel.\n".to_string();
    assert_eq!(run("shutdown +5"), (String::new(), poweroff.clone(), 0));
    assert_eq!(run("shutdown --show"), (String::new(), poweroff, 0));
    let reboot = "Reboot scheduled for <TIMESTAMP>, use 'shutdown -c' to cancel.\n".to_string();
    assert_eq!(
        run("shutdown -r 23:59 back soon"),
        (String::new(), reboot.clone(), 0)
    );
    assert_eq!(run("shutdown --show"), (String::new(), reboot, 0));
    assert_eq!(run("shutdown -c"), (String::new(), String::new(), 0));
    assert_eq!(run("shutdown --show"), (String::new(), none.clone(), 1));
    assert_eq!(run("shutdown -c"), (String::new(), String::new(), 0));
    // A dry run whose time has come is forgotten; nothing stops.
    assert_eq!(run("shutdown -k +0"), (String::new(), none.clone(), 0));
    assert_eq!(run("shutdown -k now"), (String::new(), String::new(), 0));
    assert_eq!(run("halt -w"), (String::new(), String::new(), 0));
    assert_eq!(run("shutdown --show"), (String::new(), none, 1));
    assert_eq!(run("systemctl is-active web.service").0, "active\n");
    // A forced shutdown happens now or not at all.
    let client = Client::unix(pod.socket());
    let refused = client
        .exchange(
            "POST",
            "/api/v1/daemon/shutdown",
            Some(br#"{"action":"poweroff","force":true,"when":"2030-01-01T00:00:00Z"}"#),
        )
        .unwrap();
    assert_eq!(refused.status, 400, "{}", refused.text());
    let out = sup.stop();
    assert!(!out.contains("Shutting down."), "{out}");
}

/// How a supervisor ended: its exit code, or the signal that killed it.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Code(i32),
    Signal(i32),
}

fn ended(status: std::process::ExitStatus) -> Ended {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Code(code),
        (None, Some(signal)) => Ended::Signal(signal),
        _ => Ended::Code(-1),
    }
}

#[test]
fn each_exit_ends_the_supervisor_as_a_containers_pid_1_ends() {
    let names = names_dir();
    let cases = [
        ("systemctl exit 42", Ended::Code(42)),
        ("systemctl exit", Ended::Code(0)),
        ("systemctl poweroff", Ended::Signal(2)),
        ("systemctl reboot", Ended::Signal(1)),
        ("systemctl halt", Ended::Signal(2)),
        ("poweroff", Ended::Signal(2)),
        ("reboot", Ended::Signal(1)),
        ("halt", Ended::Signal(2)),
        ("shutdown now", Ended::Signal(2)),
        ("shutdown -r now", Ended::Signal(1)),
        ("shutdown -r +0", Ended::Signal(1)),
    ];
    for (line, want) in cases {
        let (pod, sup) = pod();
        let (_, err, rc) = against(&pod, names.path(), line);
        let (status, out) = sup.wait_end();
        assert_eq!(ended(status), want, "{line}: {out}");
        assert_eq!(rc, 0, "{line}: {err}");
        if line.contains('+') {
            assert!(err.starts_with("Reboot scheduled for "), "{line}: {err}");
        } else {
            assert_eq!(err, "", "{line}");
        }
        // The pod stopped in order, and the manager said so last.
        assert!(out.contains("Stopped web.service - Web."), "{line}: {out}");
        let last = out.lines().last().unwrap_or_default();
        assert!(last.ends_with("]: Shutting down."), "{line}: {out}");
    }
}

fn main_pid(pod: &Pod, names: &Path) -> i32 {
    let (out, _, _) = against(pod, names, "systemctl show -p MainPID --value web.service");
    out.trim().parse().unwrap()
}

#[test]
fn a_forced_poweroff_ends_at_once_and_kills_what_runs() {
    let names = names_dir();
    for (line, said) in [
        ("poweroff -f", "Powering off.\n"),
        ("systemctl poweroff -ff", "Powering off.\n"),
    ] {
        let (pod, sup) = pod();
        let web = main_pid(&pod, names.path());
        assert!(super::harness::alive(web));
        let (_, err, rc) = against(&pod, names.path(), line);
        let (status, out) = sup.wait_end();
        assert_eq!((err.as_str(), rc), (said, 0), "{line}");
        assert_eq!(ended(status), Ended::Signal(2), "{line}: {out}");
        assert!(!out.contains("Shutting down."), "{line}: {out}");
        assert!(!out.contains("Stopped web.service"), "{line}: {out}");
        let deadline = Instant::now() + Duration::from_secs(5);
        while super::harness::alive(web) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !super::harness::alive(web),
            "{line}: the service outlived it"
        );
    }
}

#[test]
fn a_shutdown_scheduled_over_the_api_comes_at_its_time() {
    let (pod, sup) = pod();
    let asked = Instant::now();
    let when = Timestamp(Timestamp::now().as_usec() + 1_500_000);
    let plan = ShutdownPlan {
        action: ShutdownAction::Reboot,
        exit_code: 0,
        when: Some(when),
        dry_run: false,
        force: false,
    };
    let client = Client::unix(pod.socket());
    assert_eq!(client.shutdown(&plan).unwrap(), plan);
    assert_eq!(client.scheduled_shutdown().unwrap(), plan);
    let (status, out) = sup.wait_end();
    assert!(asked.elapsed() >= Duration::from_millis(1_400), "{out}");
    assert_eq!(ended(status), Ended::Signal(1), "{out}");
    assert!(out.contains("Stopped web.service - Web."), "{out}");
}

#[test]
fn exit_codes_out_of_range_are_refused_before_anything_is_asked() {
    let (pod, sup) = pod();
    let names = names_dir();
    for code in ["256", "4.2", "", "0x10"] {
        let (_, err, rc) = against(&pod, names.path(), &format!("systemctl exit '{code}'"));
        assert_eq!((err.as_str(), rc), ("Invalid exit code.\n", 1), "{code:?}");
    }
    let (_, err, rc) = against(&pod, names.path(), "systemctl exit ' +7'");
    assert_eq!((err.as_str(), rc), ("", 0));
    let (status, _) = sup.wait_end();
    assert_eq!(ended(status), Ended::Code(7));
}

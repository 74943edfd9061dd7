//! Type=forking services whose PID file is not there when the start
//! command exits: runr waits for it with an inotify watch, as systemd
//! does, until TimeoutStartSec=, and fails the start when nothing is left
//! that could write it.

use std::path::Path;
use std::time::Duration;

use runr::control::client::Client;
use runr::control::types::PropertyQuery;

use super::harness::{self, Pod};

/// A start command that forks a daemon and exits at once. After DELAY
/// seconds the daemon writes its PID to WITNESS, then, by MODE: `write`
/// creates the PID file's directory, writes its PID there and stays;
/// `empty` creates the PID file empty and writes its PID there half a
/// second later; `never` stays without writing it; `exit` exits.
const FORKER: &str = r#"pidfile=$1 delay=$2 mode=$3 witness=$4
sh -c 'sleep "$1"; echo $$ > "$4"
case "$2" in
write) mkdir -p "$(dirname "$3")"; echo $$ > "$3"; exec sleep 60 ;;
empty) : > "$3"; sleep 0.5; echo $$ > "$3"; exec sleep 60 ;;
never) exec sleep 60 ;;
*) exit 0 ;;
esac' daemon "$delay" "$mode" "$pidfile" "$witness" </dev/null >/dev/null 2>&1 &
exit 0
"#;

/// A pod with the forker and one forking service `NAME.service` running
/// it; returns the pod, the PID file's path and the witness's.
fn forking_pod(name: &str, pid_file: &str, mode: &str, extra: &str) -> (Pod, String, String) {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    std::fs::write(pod.dir().join("forker.sh"), FORKER).unwrap();
    let pid_file = format!("{d}/{pid_file}");
    let witness = format!("{d}/{name}.daemon");
    pod.add(
        &format!("{name}.service"),
        &format!(
            "[Unit]\nDescription=Daemon {name}\n[Service]\nAutostart=yes\nType=forking\nPIDFile={pid_file}\n{extra}ExecStart=/bin/sh {d}/forker.sh {pid_file} 1 {mode} {witness}\n"
        ),
    );
    (pod, pid_file, witness)
}

fn read_pid(path: &str) -> i32 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no PID in {path}"))
}

fn property(pod: &Pod, unit: &str, name: &str) -> String {
    let query = PropertyQuery {
        names: vec![name.to_string()],
        all: false,
    };
    Client::unix(pod.socket())
        .unit_properties(unit, &query)
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.value)
        .unwrap_or_default()
}

#[test]
fn a_pid_file_written_a_second_after_the_parent_exited_is_waited_for() {
    let (pod, pid_file, _) = forking_pod("late", "late.pid", "write", "");
    let mut sup = pod.start();
    sup.wait_for("Started late.service - Daemon late.");
    let out = sup.output().to_string();
    let waiting = format!(
        "late.service: Can't open PID file {pid_file} (yet?) after start: No such file or directory"
    );
    let (at_wait, at_start) = (out.find(&waiting), out.find("Started late.service"));
    assert!(
        at_wait.is_some() && at_wait < at_start,
        "the wait is said before the start: {out}"
    );
    let daemon = read_pid(&pid_file);
    assert!(harness::alive(daemon));
    assert_eq!(
        property(&pod, "late.service", "MainPID"),
        daemon.to_string()
    );
    assert_eq!(property(&pod, "late.service", "SubState"), "running");
    let out = sup.stop();
    assert!(out.contains("Stopped late.service - Daemon late."), "{out}");
    assert!(!harness::alive(daemon), "the daemon outlived its stop");
}

#[test]
fn a_pid_file_whose_directory_comes_with_it_is_waited_for() {
    let (pod, pid_file, _) = forking_pod("deep", "run/deep/daemon.pid", "write", "");
    assert!(!Path::new(&pid_file).parent().unwrap().exists());
    let mut sup = pod.start();
    sup.wait_for("Started deep.service - Daemon deep.");
    let daemon = read_pid(&pid_file);
    assert_eq!(
        property(&pod, "deep.service", "MainPID"),
        daemon.to_string()
    );
    sup.stop();
}

#[test]
fn a_pid_file_created_empty_is_read_again_once_written() {
    let (pod, pid_file, _) = forking_pod("slow", "slow.pid", "empty", "");
    let mut sup = pod.start();
    sup.wait_for("Started slow.service - Daemon slow.");
    let daemon = read_pid(&pid_file);
    assert_eq!(
        property(&pod, "slow.service", "MainPID"),
        daemon.to_string()
    );
    let out = sup.stop();
    // An empty file is not a PID yet: that is waited out without a word.
    assert!(!out.contains("Failed to parse PID"), "{out}");
}

#[test]
fn a_pid_file_that_never_comes_times_the_start_out() {
    let (pod, pid_file, witness) =
        forking_pod("never", "never.pid", "never", "TimeoutStartSec=3\n");
    let mut sup = pod.start();
    sup.wait_for("Failed to start never.service - Daemon never.");
    let out = sup.output().to_string();
    let expected = [
        format!(
            "never.service: Can't open PID file {pid_file} (yet?) after start: No such file or directory"
        ),
        "never.service: start operation timed out. Terminating.".to_string(),
        "never.service: Failed with result 'timeout'.".to_string(),
    ];
    let mut from = 0;
    for line in &expected {
        let at = out[from..]
            .find(line.as_str())
            .unwrap_or_else(|| panic!("no {line:?} in order in:\n{out}"));
        from += at + line.len();
    }
    assert_eq!(property(&pod, "never.service", "Result"), "timeout");
    // The daemon that did not write its PID file was stopped with the unit.
    let daemon = read_pid(&witness);
    assert!(!harness::alive(daemon), "the daemon outlived the timeout");
    sup.stop();
}

#[test]
fn a_daemon_gone_without_writing_its_pid_file_fails_the_start() {
    let (pod, _, _) = forking_pod("gone", "gone.pid", "exit", "");
    let mut sup = pod.start();
    sup.wait_for_within(
        "Failed to start gone.service - Daemon gone.",
        Duration::from_secs(10),
    );
    let out = sup.output().to_string();
    assert!(
        out.contains("gone.service: Daemon never wrote its PID file. Failing."),
        "{out}"
    );
    assert!(
        out.contains("gone.service: Failed with result 'protocol'."),
        "{out}"
    );
    assert!(!out.contains("timed out"), "{out}");
    assert_eq!(property(&pod, "gone.service", "Result"), "protocol");
    sup.stop();
}

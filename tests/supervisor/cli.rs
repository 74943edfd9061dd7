//! The native `runr` CLI, run as a user runs it, against a real supervisor:
//! every command's output and exit code, plain tables when stdout is not a
//! terminal, parseable `--json`, and the one-line errors for a missing unit
//! and for a missing daemon.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::harness::{Pod, Supervisor};

/// What one run of `runr` did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Exit 0 with nothing on stderr.
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "{self:?}");
        assert_eq!(self.stderr, "", "{self:?}");
        self
    }

    /// The exit code, and exactly one line on stderr (returned).
    fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "{self:?}");
        assert_eq!(self.stderr.lines().count(), 1, "{self:?}");
        assert!(self.stderr.starts_with("runr: "), "{self:?}");
        self.stderr.trim_end()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.stdout))
    }

    /// The rows of a plain table, each split on blanks.
    fn rows(&self) -> Vec<Vec<String>> {
        self.stdout
            .lines()
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect()
    }
}

fn runr_at(socket: &Path, args: &[&str]) -> Run {
    let output = assert_cmd::Command::new(env!("CARGO_BIN_EXE_runr"))
        .args(args)
        .env("RUNR_SOCKET", socket)
        .env("TZ", "UTC")
        .env_remove("NO_COLOR")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn runr(pod: &Pod, args: &[&str]) -> Run {
    runr_at(&pod.socket(), args)
}

const DB: &str = "[Unit]\nDescription=Database\n[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'trap \"echo hup >> hups\" HUP; echo ready; while :; do sleep 0.1; done'\nExecReload=/bin/sh -c 'echo reloaded > reloaded'\n";

/// A running database, a service that fails, one left stopped.
fn pod() -> (Pod, Supervisor) {
    let pod = Pod::new(&[]);
    let dir = pod.dir().display().to_string();
    pod.add("db.service", &format!("{DB}WorkingDirectory={dir}\n"));
    pod.add(
        "bad.service",
        "[Unit]\nDescription=Always fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n",
    );
    pod.add(
        "idle.service",
        "[Unit]\nDescription=Idle\n[Service]\nExecStart=/bin/sleep 600\n",
    );
    let mut sup = pod.start();
    sup.wait_for("Started db.service - Database.");
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    (pod, sup)
}

fn main_pid(pod: &Pod, unit: &str) -> Option<u64> {
    let statuses = runr(pod, &["status", "--json"]).ok().json();
    statuses
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == unit)
        .and_then(|s| s["pid"].as_u64())
}

#[test]
fn status_tables_and_details() {
    let (pod, sup) = pod();
    let pid = main_pid(&pod, "db.service").expect("db runs");

    let run = runr(&pod, &["status"]).ok();
    let rows = run.rows();
    assert_eq!(
        rows[0],
        [
            "UNIT",
            "STATE",
            "SUB",
            "PID",
            "RESTARTS",
            "SINCE",
            "DESCRIPTION"
        ]
    );
    assert_eq!(
        rows[1],
        [
            "bad.service",
            "inactive",
            "dead",
            "-",
            "0",
            "-",
            "Always",
            "fails"
        ]
    );
    assert_eq!(
        &rows[2][..5],
        ["db.service", "active", "running", &pid.to_string(), "0"]
    );
    assert_eq!(rows[2].last().unwrap(), "Database");
    assert_eq!(rows[3][..3], ["idle.service", "inactive", "dead"]);
    assert!(!run.stdout.contains('\x1b'), "no colour without a terminal");
    assert!(!run.stdout.lines().any(|l| l.ends_with(' ')), "{run:?}");

    let run = runr(&pod, &["status", "--no-header"]).ok();
    assert!(run.stdout.starts_with("bad.service "), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 3);

    let run = runr(&pod, &["status", "db"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "● db.service - Database");
    assert_eq!(lines[1], "      Loaded: loaded");
    assert!(
        lines[2].starts_with("      Active: active (running) since "),
        "{run:?}"
    );
    assert!(lines[2].ends_with(" ago"), "{run:?}");
    assert_eq!(lines[3], format!("    Main PID: {pid}"));

    let run = runr(&pod, &["status", "idle"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.starts_with("○ idle.service - Idle\n"), "{run:?}");
    assert!(
        run.stdout.contains("      Active: inactive (dead)\n"),
        "{run:?}"
    );

    let run = runr(&pod, &["status", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    assert_eq!(run.stdout, "");

    let json = runr(&pod, &["status", "db", "--json"]).ok().json();
    assert_eq!(json["unit"]["active_state"], "active");
    assert_eq!(json["service"]["pid"], pid);

    sup.stop();
}

#[test]
fn lists_of_services_units_and_timers() {
    let (pod, sup) = pod();

    let rows = runr(&pod, &["list-services"]).ok().rows();
    assert_eq!(rows[0], ["UNIT", "STATE", "SUB", "DESCRIPTION"]);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["bad.service", "db.service", "idle.service"]);

    let run = runr(
        &pod,
        &["list-services", "--state", "running", "--no-header"],
    )
    .ok();
    assert_eq!(
        run.rows(),
        [["db.service", "active", "running", "Database"]]
    );
    let run = runr(
        &pod,
        &["list-services", "--state", "inactive", "--no-header"],
    )
    .ok();
    assert_eq!(run.stdout.lines().count(), 2, "{run:?}");
    let run = runr(&pod, &["list-services", "--state", "failed", "--no-header"]).ok();
    assert_eq!(run.stdout, "");

    // A running and a failed service, not the inactive one: by a comma
    // list, and by the flag repeated.
    runr(&pod, &["start", "bad"]);
    for args in [
        &["list-services", "--state", "running,failed", "--no-header"][..],
        &[
            "list-services",
            "--state",
            "failed",
            "--state",
            "running",
            "--no-header",
        ],
        &["list-services", "--state=running,failed,", "--no-header"],
    ] {
        let run = runr(&pod, args).ok();
        assert_eq!(
            run.rows(),
            [
                ["bad.service", "failed", "failed", "Always", "fails"].as_slice(),
                ["db.service", "active", "running", "Database"].as_slice(),
            ],
            "{args:?}"
        );
    }
    let json = runr(
        &pod,
        &["list-services", "--state", "running,failed", "--json"],
    )
    .ok()
    .json();
    assert_eq!(json.as_array().map(Vec::len), Some(2), "{json}");
    let run = runr(&pod, &["list-services", "--state", "running,bogus"]);
    assert!(
        run.fails(1).starts_with("runr: unknown state 'bogus': "),
        "{run:?}"
    );
    assert_eq!(run.stdout, "");
    let run = runr(&pod, &["list-units", "--state", "Running"]);
    assert!(
        run.fails(1).starts_with("runr: unknown state 'Running': "),
        "{run:?}"
    );

    let rows = runr(&pod, &["list-units"]).ok().rows();
    assert_eq!(rows[0], ["UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"]);
    assert!(rows.iter().any(|r| r[0] == "multi-user.target"), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r[..4] == ["db.service", "loaded", "active", "running"])
    );

    let rows = runr(&pod, &["list-units", "--type", "target", "--no-header"])
        .ok()
        .rows();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[0].ends_with(".target")), "{rows:?}");
    let rows = runr(
        &pod,
        &[
            "list-units",
            "-t",
            "service",
            "--state",
            "active",
            "--no-header",
        ],
    )
    .ok()
    .rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "db.service");

    let run = runr(&pod, &["list-units", "--type", "bogus"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--type"), "{run:?}");

    let run = runr(&pod, &["list-timers"]).ok();
    assert_eq!(run.stdout, "TIMER  NEXT  LEFT  LAST  PASSED  ACTIVATES\n");
    assert_eq!(runr(&pod, &["list-timers", "--no-header"]).ok().stdout, "");

    sup.stop();
}

#[test]
fn is_questions_print_a_word_and_answer_with_the_exit_code() {
    let (pod, sup) = pod();

    let run = runr(&pod, &["is-active", "db"]).ok();
    assert_eq!(run.stdout, "active\n");
    let run = runr(&pod, &["is-active", "idle.service"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (3, "inactive\n", "")
    );
    // One active unit is enough, as with systemctl.
    let run = runr(&pod, &["is-active", "idle", "db"]).ok();
    assert_eq!(run.stdout, "inactive\nactive\n");
    let run = runr(&pod, &["is-active", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    assert_eq!(run.stdout, "");
    let run = runr(&pod, &["is-active", "--quiet", "db"]).ok();
    assert_eq!(run.stdout, "");
    assert_eq!(runr(&pod, &["-q", "is-active", "idle"]).code, 3);

    let run = runr(&pod, &["is-failed", "db"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, "active\n"));
    runr(&pod, &["start", "bad"]);
    let run = runr(&pod, &["is-failed", "bad"]).ok();
    assert_eq!(run.stdout, "failed\n");
    let run = runr(&pod, &["is-active", "bad"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, "failed\n"));
    let run = runr(&pod, &["is-failed", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");

    let run = runr(&pod, &["is-enabled", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    let run = runr(&pod, &["is-enabled", "db"]);
    if run.code == 1 && run.stdout.is_empty() {
        // The daemon does not report unit file states yet.
        assert_eq!(
            run.fails(1),
            "runr: the supervisor does not tell whether db.service is enabled"
        );
    } else {
        assert!(
            matches!(run.stdout.as_str(), "enabled\n" | "static\n" | "disabled\n"),
            "{run:?}"
        );
    }

    let json = runr(&pod, &["is-active", "db", "idle", "--json"])
        .ok()
        .json();
    assert_eq!(json[0]["active_state"], "active");
    assert_eq!(json[1]["active_state"], "inactive");

    sup.stop();
}

#[test]
fn jobs_wait_for_their_end_and_name_the_unit_that_failed() {
    let (pod, sup) = pod();

    runr(&pod, &["start", "idle"]).ok();
    assert_eq!(runr(&pod, &["is-active", "idle"]).ok().stdout, "active\n");
    // Starting what runs already is a success.
    runr(&pod, &["start", "idle"]).ok();
    runr(&pod, &["stop", "idle"]).ok();
    assert_eq!(runr(&pod, &["is-active", "idle"]).code, 3);

    let run = runr(&pod, &["start", "bad"]);
    assert_eq!(
        run.fails(1),
        "runr: Job for bad.service failed (start: failed)"
    );
    assert_eq!(run.stdout, "");

    // Several units: the missing one is named, the others are started.
    let run = runr(&pod, &["start", "nope", "idle"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    assert_eq!(runr(&pod, &["is-active", "idle"]).code, 0);

    let before = main_pid(&pod, "db.service");
    runr(&pod, &["restart", "db"]).ok();
    let after = main_pid(&pod, "db.service");
    assert!(after.is_some() && after != before, "{before:?} {after:?}");

    runr(&pod, &["reload", "db"]).ok();
    assert_eq!(
        std::fs::read_to_string(pod.dir().join("reloaded")).unwrap(),
        "reloaded\n"
    );
    let run = runr(&pod, &["reload", "idle"]);
    assert!(run.fails(1).contains("idle.service"), "{run:?}");

    let json = runr(&pod, &["stop", "idle", "--no-block", "--json"])
        .ok()
        .json();
    assert!(json[0]["action_id"].as_u64().is_some(), "{json}");
    let json = runr(&pod, &["start", "idle", "--json"]).ok().json();
    assert_eq!(json[0]["unit"], "idle.service");
    assert_eq!(json[0]["result"], "done");
    runr(&pod, &["stop", "idle", "--timeout", "5"]).ok();

    let run = runr(&pod, &["stop", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");

    sup.stop();
}

/// Waits until db has written `n` lines to its file of SIGHUPs seen.
fn wait_for_hups(pod: &Pod, n: usize, args: &[&str]) {
    let hups = pod.dir().join("hups");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let seen = std::fs::read_to_string(&hups).unwrap_or_default();
        if seen.lines().count() >= n {
            assert_eq!(seen.lines().count(), n, "{args:?}: {seen:?}");
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{args:?}: SIGHUP {n} did not reach db"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn kill_signals_the_service() {
    let (pod, sup) = pod();
    // Every spelling of SIGHUP: bare, with SIG, in lower case, by number.
    let spellings: [&[&str]; 5] = [
        &["kill", "-s", "HUP", "--kill-whom", "main", "db"],
        &["kill", "-s", "HUP", "db"],
        &["kill", "-s", "SIGHUP", "db"],
        &["kill", "--signal", "hup", "db"],
        &["kill", "-s", "1", "--kill-whom", "main", "db"],
    ];
    for (i, args) in spellings.iter().enumerate() {
        runr(&pod, args).ok();
        wait_for_hups(&pod, i + 1, args);
    }
    assert_eq!(runr(&pod, &["is-active", "db"]).ok().stdout, "active\n");

    let run = runr(&pod, &["kill", "--signal", "BOGUS", "db"]);
    assert!(
        run.fails(1).starts_with("runr: unknown signal 'BOGUS': "),
        "{run:?}"
    );
    // Told before the supervisor is asked anything.
    let run = runr_at(
        Path::new("/nonexistent/runr.sock"),
        &["kill", "-s", "SIGFOO", "db"],
    );
    assert!(
        run.fails(1).starts_with("runr: unknown signal 'SIGFOO': "),
        "{run:?}"
    );
    let run = runr(&pod, &["kill", "-s", "0", "db"]);
    assert!(run.fails(1).contains("'0'"), "{run:?}");
    let run = runr(&pod, &["kill", "-s", "TERM", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    // The signal is the one named: KILL, which no trap holds, ends db.
    let pid = main_pid(&pod, "db.service").expect("db runs") as i32;
    runr(&pod, &["kill", "-s", "kill", "--kill-whom", "main", "db"]).ok();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while super::harness::alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "SIGKILL did not end db"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = runr(
        &pod,
        &["kill", "-s", "HUP", "--kill-whom", "everyone", "db"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--kill-whom"), "{run:?}");
    sup.stop();
}

#[test]
fn enable_and_disable_go_through_the_api() {
    let (pod, sup) = pod();
    for verb in ["enable", "disable"] {
        let run = runr(&pod, &[verb, "--now", "idle"]);
        if run.code != 0 {
            // Until the daemon enables units, its one-line error is shown.
            assert!(run.fails(1).contains("idle"), "{run:?}");
        }
    }
    let run = runr(&pod, &["enable", "nope"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.fails(run.code).contains("nope"), "{run:?}");
    sup.stop();
}

#[test]
fn cat_show_and_daemon_reload() {
    let (pod, sup) = pod();
    let dir = pod.dir().display().to_string();

    let run = runr(&pod, &["cat", "db"]).ok();
    assert_eq!(
        run.stdout,
        format!("# {dir}/db.service\n{DB}WorkingDirectory={dir}\n")
    );
    let json = runr(&pod, &["cat", "db", "--json"]).ok().json();
    assert_eq!(json[0]["files"][0]["path"], format!("{dir}/db.service"));
    let run = runr(&pod, &["cat", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");

    let run = runr(&pod, &["show", "db", "-p", "ActiveState,SubState"]).ok();
    assert_eq!(run.stdout, "ActiveState=active\nSubState=running\n");
    let run = runr(
        &pod,
        &[
            "show",
            "db",
            "-p",
            "Id",
            "--property",
            "LoadState",
            "--value",
        ],
    )
    .ok();
    assert_eq!(run.stdout, "db.service\nloaded\n");
    let json = runr(&pod, &["show", "db", "--json"]).ok().json();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Id" && p["value"] == "db.service")
    );
    let run = runr(&pod, &["show", "nope"]);
    assert_eq!(run.fails(4), "runr: no such unit: nope.service");
    let run = runr(&pod, &["show", "-p", "Version"]).ok();
    assert!(run.stdout.starts_with("Version="), "{run:?}");

    sup.stop();
}

#[test]
fn new_unit_files_are_found_on_demand_and_after_daemon_reload() {
    let (pod, sup) = pod();
    assert_eq!(runr(&pod, &["is-active", "late"]).code, 4);
    pod.add(
        "late.service",
        "[Unit]\nDescription=Added later\n[Service]\nExecStart=/bin/sleep 600\n",
    );
    // As systemd loads a unit by name when it is first asked for, a file
    // written after boot is found without a reload.
    let run = runr(&pod, &["is-active", "late"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, "inactive\n"));
    runr(&pod, &["daemon-reload"]).ok();
    let run = runr(&pod, &["is-active", "late"]);
    assert_eq!((run.code, run.stdout.as_str()), (3, "inactive\n"));
    let json = runr(&pod, &["daemon-reload", "--json"]).ok().json();
    assert_eq!(json["verb"], "daemon-reload");
    sup.stop();
}

#[test]
fn info_and_probes() {
    let (pod, sup) = pod();

    let run = runr(&pod, &["info"]).ok();
    let labels: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Version", "PID", "Started", "Uptime", "Memory", "CPU"]
    );
    assert_eq!(
        run.stdout.lines().next().unwrap(),
        format!("Version: {}", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        run.stdout.contains(&format!("\nPID:     {}\n", sup.pid())),
        "{run:?}"
    );
    let json = runr(&pod, &["info", "--json"]).ok().json();
    assert_eq!(json["pid"], sup.pid());
    assert!(json["memory_rss_bytes"].as_u64().unwrap() > 0);

    assert_eq!(runr(&pod, &["healthz"]).ok().stdout, "ok\n");
    assert_eq!(
        runr(&pod, &["healthz", "--json"]).ok().json()["status"],
        "ok"
    );

    let run = runr(&pod, &["readyz"]).ok();
    assert_eq!(run.rows()[0], ["UNIT", "STATE", "READY"]);
    assert!(run.rows().contains(&vec![
        "db.service".to_string(),
        "active".into(),
        "yes".into()
    ]));
    let run = runr(&pod, &["readyz", "db", "idle"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(
        run.rows()[1..],
        [
            ["db.service", "active", "yes"],
            ["idle.service", "inactive", "no"]
        ]
    );
    let json = runr(&pod, &["readyz", "idle", "--json"]).json();
    assert_eq!(json["ready"], false);
    let run = runr(&pod, &["readyz", "nope"]);
    assert!(run.fails(4).contains("nope.service"), "{run:?}");

    sup.stop();
}

#[test]
fn logs_print_the_units_lines_or_the_daemons_error() {
    let (pod, sup) = pod();
    for args in [&["log", "db", "-n", "5"][..], &["log", "db", "--json"]] {
        let run = runr(&pod, args);
        if run.code == 0 {
            if args.contains(&"--json") {
                assert!(run.json().is_array(), "{run:?}");
            } else {
                assert!(run.stdout.lines().count() <= 5, "{run:?}");
                assert!(
                    run.stdout.lines().all(|l| l.contains(" db.service")),
                    "{run:?}"
                );
            }
        } else {
            run.fails(1);
        }
    }
    let run = runr(&pod, &["log"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("<UNIT>"), "{run:?}");
    sup.stop();
}

#[test]
fn background_tasks() {
    let (pod, sup) = pod();

    let run = runr(&pod, &["background", "list"]).ok();
    assert!(
        run.stdout
            .starts_with("ID  NAME  STATE  PID  STARTED  COMMAND\n"),
        "{run:?}"
    );
    assert!(
        runr(&pod, &["background", "list", "--json"])
            .ok()
            .json()
            .is_array()
    );

    let run = runr(
        &pod,
        &[
            "background",
            "run",
            "--env",
            "A=1",
            "--kill-timeout",
            "2",
            "--name",
            "nap",
            "--",
            "sleep",
            "30",
        ],
    );
    if run.code == 0 {
        let id = run.stdout.trim().to_string();
        assert_eq!(id.len(), 36, "a UUID: {run:?}");
        let prefix = &id[..8];
        let json = runr(&pod, &["background", "status", prefix, "--json"])
            .ok()
            .json();
        assert_eq!(json["id"], id.as_str());
        assert_eq!(json["name"], "nap");
        let rows = runr(&pod, &["background", "list", "--no-header"])
            .ok()
            .rows();
        assert!(rows.iter().any(|r| r[0] == id), "{rows:?}");
        runr(&pod, &["background", "stop", prefix]).ok();
    } else {
        // Until the daemon runs tasks, its one-line error is shown.
        run.fails(1);
    }

    let run = runr(&pod, &["background", "status", "0000dead"]);
    assert_eq!(run.fails(4), "runr: no such background task: 0000dead");
    let run = runr(&pod, &["background", "stop", "0000dead"]);
    assert_eq!(run.fails(4), "runr: no such background task: 0000dead");
    let run = runr(&pod, &["background", "remove", "0000dead"]);
    assert_eq!(run.fails(4), "runr: no such background task: 0000dead");

    let run = runr(
        &pod,
        &["background", "run", "--env", "novalue", "--", "true"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("novalue"), "{run:?}");
    let run = runr(&pod, &["background", "run", "--name", "x"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("<COMMAND>"), "{run:?}");

    sup.stop();
}

#[test]
fn json_output_parses_for_every_reading_command() {
    let (pod, sup) = pod();
    for args in [
        &["status"][..],
        &["status", "idle"],
        &["list-services"],
        &["list-timers"],
        &["list-units", "--type", "service"],
        &["is-active", "db"],
        &["is-failed", "db"],
        &["cat", "db"],
        &["show", "db"],
        &["info"],
        &["healthz"],
        &["readyz"],
        &["background", "list"],
    ] {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let run = runr(&pod, &with_json);
        assert_eq!(run.stdout.lines().count(), 1, "{args:?}: {run:?}");
        run.json();
    }
    sup.stop();
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (pod, sup) = pod();
    let run = runr(&pod, &["status", "--color", "always"]).ok();
    assert!(run.stdout.contains("\x1b[32mactive\x1b[39m"), "{run:?}");
    // Colour codes do not upset the columns: without them, the coloured
    // table is the plain one. (Widths follow the SINCE column, "9ms ago"
    // in one call and "16ms ago" in the next: compare the two calls word
    // by word, and the coloured table's own header with its first row.)
    let plain = runr(&pod, &["status", "--color", "never"]).ok();
    assert!(!plain.stdout.contains('\x1b'));
    let words = |line: &str| {
        line.split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        words(&without_escapes(run.stdout.lines().next().unwrap())),
        words(plain.stdout.lines().next().unwrap())
    );
    let coloured: Vec<String> = run.stdout.lines().take(2).map(without_escapes).collect();
    // Where the second column starts, in the header and in the first row.
    let second_column = |line: &str| {
        let first_end = line.find(' ').unwrap_or(line.len());
        line[first_end..]
            .find(|c: char| c != ' ')
            .map(|at| first_end + at)
    };
    assert_eq!(
        second_column(&coloured[0]),
        second_column(&coloured[1]),
        "columns line up once the colour codes are gone: {coloured:?}"
    );
    let run = runr(&pod, &["is-active", "db", "--color=always"]).ok();
    assert_eq!(run.stdout, "\x1b[32mactive\x1b[39m\n");
    let run = runr(&pod, &["status", "--color", "sometimes"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--color"), "{run:?}");
    let run = runr(&pod, &["-q", "status"]).ok();
    assert_eq!(run.stdout, "");
    sup.stop();
}

fn without_escapes(text: &str) -> String {
    let mut plain = String::new();
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (false, c) => plain.push(c),
            _ => {}
        }
    }
    plain
}

#[test]
fn without_a_daemon_every_command_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("runr.sock");
    let expected = format!(
        "runr: cannot reach the supervisor at {}: No such file or directory",
        socket.display()
    );
    for args in [
        &["is-active", "x"][..],
        &["status"],
        &["start", "db"],
        &["log", "db", "-f"],
        &["info"],
        &["healthz"],
        &["background", "list"],
    ] {
        let run = runr_at(&socket, args);
        assert_eq!(run.fails(1), expected, "{args:?}");
        assert_eq!(run.stdout, "");
    }
    // --socket wins over $RUNR_SOCKET.
    let other = dir.path().join("other.sock");
    let run = runr_at(&socket, &["--socket", other.to_str().unwrap(), "healthz"]);
    assert!(run.fails(1).contains("other.sock"), "{run:?}");
}

#[test]
fn completion_scripts_for_three_shells() {
    let nowhere = Path::new("/nonexistent/runr.sock");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef runr"),
        ("fish", "complete -c runr"),
    ] {
        let run = runr_at(nowhere, &["completion", shell]).ok();
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        assert!(run.stdout.contains("is-active"), "{shell}");
        assert!(run.stdout.contains("kill-whom"), "{shell}");
    }
    let run = runr_at(nowhere, &["completion", "tcsh"]);
    assert_eq!(run.code, 1, "{run:?}");
}

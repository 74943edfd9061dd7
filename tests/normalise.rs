//! Tests of the shared golden normaliser (tests/common/normalise.rs).

#[path = "common/normalise.rs"]
mod normalise;

use normalise::{collapse_spaces, normalise, sort_unit_lists};

#[test]
fn status_header_times_and_relative_times() {
    assert_eq!(
        normalise("     Active: active (running) since Sat 2026-11-21 17:01:21 UTC; 3s ago"),
        "     Active: active (running) since <TIMESTAMP>; <AGO>"
    );
    assert_eq!(
        normalise("    Trigger: Sun 2026-11-22 04:00:00 UTC; 10h left"),
        "    Trigger: <TIMESTAMP>; <LEFT>"
    );
    assert_eq!(
        normalise("since Mon 2024-01-15 12:00:00.123456 CET; 1 day 2h ago"),
        "since <TIMESTAMP>; <AGO>"
    );
    assert_eq!(normalise("x; 2 weeks 3 days left"), "x; <LEFT>");
}

#[test]
fn timespans_that_are_settings_stay() {
    for line in [
        "TimeoutStartUSec=1min 30s",
        "RestartUSec=100ms",
        "AccuracyUSec=1min",
        "1 timers listed.",
        "10 loaded units listed.",
        "status=1/FAILURE",
    ] {
        assert_eq!(normalise(line), line);
    }
}

#[test]
fn pids_in_status() {
    assert_eq!(
        normalise("   Main PID: 340 (sleep)"),
        "   Main PID: <PID> (sleep)"
    );
    assert_eq!(
        normalise("    Process: 353 ExecStart=/bin/false (code=exited, status=1/FAILURE)"),
        "    Process: <PID> ExecStart=/bin/false (code=exited, status=1/FAILURE)"
    );
    assert_eq!(
        normalise("             └─340 /bin/sleep infinity"),
        "             └─<PID> /bin/sleep infinity"
    );
    assert_eq!(
        normalise("             `-340 /bin/sleep infinity"),
        "             `-<PID> /bin/sleep infinity"
    );
    assert_eq!(
        normalise("             └─\x1b[0;38;5;245m344 /bin/sleep infinity\x1b[0m"),
        "             └─\x1b[0;38;5;245m<PID> /bin/sleep infinity\x1b[0m"
    );
    assert_eq!(
        normalise("      Tasks: 1 (limit: 28909)"),
        "      Tasks: <N> (limit: <N>)"
    );
}

#[test]
fn measured_status_lines() {
    assert_eq!(normalise("        CPU: 1ms"), "        CPU: <CPU>");
    assert_eq!(normalise("   Duration: 6ms"), "   Duration: <DURATION>");
    assert_eq!(normalise("     Memory: 1.2M"), "     Memory: <MEMORY>");
    // Not indented: not a status label.
    assert_eq!(normalise("CPU: 1ms"), "CPU: 1ms");
}

#[test]
fn journal_lines() {
    assert_eq!(
        normalise("Nov 21 17:01:21 oracle systemd[1]: Started demo-simple.service - Demo."),
        "<TIME> oracle systemd[1]: Started demo-simple.service - Demo."
    );
    assert_eq!(
        normalise("Nov  1 07:01:21 oracle sh[345]: tick"),
        "<TIME> oracle sh[<PID>]: tick"
    );
    assert_eq!(
        normalise("2026-11-21T17:01:21+0000 oracle sh[345]: tick"),
        "<TIMESTAMP> oracle sh[<PID>]: tick"
    );
    assert_eq!(normalise("argv[]=/bin/sleep"), "argv[]=/bin/sleep");
}

#[test]
fn pids_in_the_managers_messages() {
    assert_eq!(
        normalise("x.service: Sent signal SIGHUP to main process 555 (sleep) on client request."),
        "x.service: Sent signal SIGHUP to main process <PID> (sleep) on client request."
    );
    assert_eq!(
        normalise("x.service: Sending signal SIGTERM to process 558 (sleep) on client request."),
        "x.service: Sending signal SIGTERM to process <PID> (sleep) on client request."
    );
    assert_eq!(
        normalise(
            "x.service: Got notification message from PID 411, but reception only permitted for main PID 410"
        ),
        "x.service: Got notification message from PID <PID>, but reception only permitted for main PID <PID>"
    );
    // The manager's own PID, and words that only end like one, stay.
    for line in [
        "System has not been booted with systemd as init system (PID 1). Can't operate.",
        "subprocess 42 ran",
        "process 3rd",
    ] {
        assert_eq!(normalise(line), line);
    }
}

#[test]
fn show_properties() {
    let show = "MainPID=340\nControlPID=0\nExecMainStartTimestampMonotonic=2310032626\n\
                ExecMainExitTimestampMonotonic=0\nInvocationID=bdebf67a7cb445a08b08e319f892e670\n\
                InvocationID=\nCPUUsageNSec=1874000\nTasksMax=28909\nLimitNOFILE=524288\n\
                ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep infinity ; ignore_errors=no ; \
                start_time=[Sat 2026-11-21 17:01:21 UTC] ; stop_time=[n/a] ; pid=340 ; code=(null) ; status=0/0 }";
    let want = "MainPID=<PID>\nControlPID=0\nExecMainStartTimestampMonotonic=<MONOTONIC>\n\
                ExecMainExitTimestampMonotonic=0\nInvocationID=<ID>\n\
                InvocationID=\nCPUUsageNSec=<N>\nTasksMax=<N>\nLimitNOFILE=524288\n\
                ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep infinity ; ignore_errors=no ; \
                start_time=[<TIMESTAMP>] ; stop_time=[n/a] ; pid=<PID> ; code=(null) ; status=0/0 }";
    assert_eq!(normalise(show), want);
}

#[test]
fn ids_anywhere() {
    assert_eq!(
        normalise("_BOOT_ID=1c489f606d144d52b75ef58408ec662e"),
        "_BOOT_ID=<ID>"
    );
    assert_eq!(
        normalise("boot 1c489f60-6d14-4d52-b75e-f58408ec662e here"),
        "boot <ID> here"
    );
    // 31 or 33 hex digits, or capitals, are not IDs.
    for line in [
        "1c489f606d144d52b75ef58408ec662",
        "1c489f606d144d52b75ef58408ec662ee",
        "1C489F606D144D52B75EF58408EC662E",
    ] {
        assert_eq!(normalise(line), line);
    }
}

#[test]
fn same_command_two_runs_normalise_equal() {
    let a = "● demo-fail.service - Demo service that exits 1\n     Active: failed (Result: exit-code) since Sat 2026-11-21 17:01:21 UTC; 8s ago\n   Duration: 6ms\n    Process: 353 ExecStart=/bin/false (code=exited, status=1/FAILURE)\n";
    let b = "● demo-fail.service - Demo service that exits 1\n     Active: failed (Result: exit-code) since Sun 2026-11-22 09:11:01 UTC; 1min 2s ago\n   Duration: 12ms\n    Process: 12 ExecStart=/bin/false (code=exited, status=1/FAILURE)\n";
    assert_eq!(normalise(a), normalise(b));
    let c = b.replace("status=1/FAILURE", "status=2/INVALIDARGUMENT");
    assert_ne!(normalise(a), normalise(&c));
}

#[test]
fn idempotent_on_every_live_capture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/systemctl/live");
    let mut seen = 0;
    for group in std::fs::read_dir(&dir).unwrap() {
        let group = group.unwrap().path();
        if !group.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&group).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "stdout") {
                let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
                let once = normalise(&text);
                assert_eq!(normalise(&once), once, "{}", file.display());
                seen += 1;
            }
        }
    }
    assert!(seen > 150, "only {seen} captures");
}

#[test]
fn columns_and_unit_lists() {
    assert_eq!(collapse_spaces("a   b c  d"), "a b c d");
    assert_eq!(
        sort_unit_lists("After=sysinit.target basic.target\nDescription=b a"),
        "After=basic.target sysinit.target\nDescription=b a"
    );
}

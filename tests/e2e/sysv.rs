//! systemd-sysv's names (`runlevel`, `telinit`, `halt`, `poweroff`,
//! `reboot`, `shutdown`) and the manager's exits, against the goldens of
//! golden/systemctl/sysv (captured from systemd 252 booted in namespaces,
//! see the README there), with runr as PID 1 of a guest:
//!
//! - every command of `live/` in one guest, in the capture's order (help,
//!   argument errors, runlevel, scheduled shutdowns, telinit), compared
//!   after the shared normaliser;
//! - every command of `ends/`, each in a guest of its own, which it ends:
//!   what it printed, how the guest's PID 1 ended (`exit 42`: 42; poweroff,
//!   halt: killed by SIGINT; reboot: by SIGHUP) and whether the manager's
//!   last word was "Shutting down." (a forced shutdown has none).

use std::path::{Path, PathBuf};

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/sysv");

fn empty_units() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn sysv_names_live_goldens_against_runr_as_pid_1() {
    let units = empty_units();
    let guest = boot_like_the_oracle(units.path(), Vec::new());
    GoldenSet {
        label: "sysv",
        dir: Path::new(GOLDEN),
        known: Default::default(),
        list: "no list (every case must match)",
        min_cases: 100,
    }
    .assert_replayed(&guest, cases(Path::new(GOLDEN)));
}

/// One case of `ends/index.tsv`.
struct End {
    id: String,
    command: String,
    rc: i32,
    status: i32,
}

fn ends() -> Vec<End> {
    let index = std::fs::read_to_string(Path::new(GOLDEN).join("ends/index.tsv")).unwrap();
    index
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [_, id, rc, command, status] = f.as_slice() else {
                return None;
            };
            Some(End {
                id: id.to_string(),
                command: command.to_string(),
                rc: rc.parse().ok()?,
                status: status.parse().ok()?,
            })
        })
        .collect()
}

fn golden(id: &str, ext: &str) -> String {
    std::fs::read_to_string(Path::new(GOLDEN).join("ends").join(format!("{id}.{ext}")))
        .unwrap_or_default()
}

/// Both sides of a comparison, with the shared normaliser.
fn comparable(text: &str) -> String {
    super::systemctl_golden::normalised(text)
}

#[test]
fn each_exit_ends_pid_1_as_systemd_252_ends_it() {
    let cases = ends();
    assert!(cases.len() >= 18, "only {} cases found", cases.len());
    let mut report = String::new();
    for case in &cases {
        let units = empty_units();
        let guest = boot_like_the_oracle(units.path(), Vec::<(PathBuf, &str)>::new());
        let out = guest.sh(&format!(
            "timeout -k 2 60 sh -c {}",
            super::systemctl_golden::quote(&case.command)
        ));
        let status = guest.exit_status();
        let console = guest.console();
        let got = (
            comparable(&String::from_utf8_lossy(&out.stdout)),
            comparable(&String::from_utf8_lossy(&out.stderr)),
        );
        let want = (
            comparable(&golden(&case.id, "stdout")),
            comparable(&golden(&case.id, "stderr")),
        );
        // The manager's journal ends with "Shutting down." unless the
        // shutdown was forced (then the kernel ended PID 1 first).
        let last_word = golden(&case.id, "journal").lines().last() == Some("Shutting down.");
        let said_it = console.contains("runr[1]: Shutting down.");
        // The command returns once the manager has the request; when the
        // pod is down before the shell that ran it has exited, the kernel
        // ends that shell with the namespace, and there is no code to compare.
        let rc = out.status.code().unwrap_or(-1);
        let rc_differs = rc != case.rc && !matches!(rc, -1 | 137);
        if status != Some(case.status) || got != want || said_it != last_word || rc_differs {
            report.push_str(&format!(
                "=== {} `{}`: PID 1 ended {status:?}, want {}; rc {rc}, want {}; \"Shutting down.\" {said_it}, want {last_word}\n--- stdout\n{}--- want\n{}--- stderr\n{}--- want\n{}--- console\n{console}\n",
                case.id, case.command, case.status, case.rc, got.0, want.0, got.1, want.1
            ));
        }
    }
    assert!(report.is_empty(), "exits that differ:\n{report}");
}

#[test]
fn utmp_and_wtmp_are_kept_as_systemd_update_utmp_keeps_them() {
    let units = empty_units();
    let guest = boot_like_the_oracle(units.path(), Vec::new());
    let out = guest.sh("telinit 5 && who -b && who -r && last -x -f /var/log/wtmp");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("system boot"), "{text}");
    assert!(
        text.contains("run-level 5") && text.contains("last=3"),
        "{text}"
    );
    assert!(
        text.contains("runlevel (to lvl 3)") && text.contains("runlevel (to lvl 5)"),
        "{text}"
    );
    assert!(text.contains("reboot   system boot"), "{text}");
}

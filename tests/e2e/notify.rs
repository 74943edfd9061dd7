//! sd_notify's `STATUS=` and `ERRNO=`, `systemctl kill` and what it logs,
//! and the state a unit shows after `reset-failed`, never started or after
//! a good run: every command of golden/systemctl/notify/live (captured from
//! systemd 252 booted in namespaces, see the README there) run again, in the
//! same order, in one guest whose PID 1 is runr, and its stdout, stderr and
//! exit code compared with systemd's after the shared normaliser. The
//! commands enable and start the units themselves (and wait, where a later
//! one depends on a state), so the guest boots with the unit files only.
//!
//! The cases runr answers otherwise for a reason outside its reach are
//! listed in `notify_known_different.tsv` beside this file, each with its
//! reason; the test fails when a case not listed differs, and when a listed
//! one starts to match. `SYSTEMCTL_GOLDEN_REPORT=FILE` writes every differing
//! case with both sides to FILE.

use std::path::Path;

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases, parse_known_different};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/notify");
const KNOWN: &str = include_str!("notify_known_different.tsv");

#[test]
fn notify_kill_and_reset_failed_goldens_against_runr_as_pid_1() {
    let guest = boot_like_the_oracle(&Path::new(GOLDEN).join("units"), Vec::new());
    GoldenSet {
        label: "notify",
        dir: Path::new(GOLDEN),
        known: parse_known_different(KNOWN),
        list: "tests/e2e/notify_known_different.tsv",
        min_cases: 180,
    }
    .assert_replayed(&guest, cases(Path::new(GOLDEN)));
    runr_status_shows_the_status_text(&guest);
}

/// runr's own `status UNIT` (no systemd counterpart, so no golden) says
/// what the service last sent with STATUS=, in the same guest: while it
/// runs, after it failed, and in `--json`.
fn runr_status_shows_the_status_text(guest: &super::guest::Guest) {
    let out = guest.sh("runr status notify-ready.service");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("\n      Status: \"Serving 3 clients\"\n"),
        "{text}"
    );
    let out = guest.sh("runr status notify-exit.service");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("\n      Status: \"Failing on purpose\"\n"),
        "{text}"
    );
    let out = guest.sh("runr status notify-refused.service");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("Status:"), "{text}");
    let out = guest.sh("runr --json status notify-child.service");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r#""status_text":"Child reporting in""#),
        "{text}"
    );
}

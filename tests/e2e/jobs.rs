//! How jobs end, as systemctl tells it: every command of
//! golden/systemctl/jobs/live (captured from systemd 252 booted in
//! namespaces, see the README there) run again, in the same order, in one
//! guest whose PID 1 is runr, and its stdout, stderr and exit code compared
//! with systemd's after the shared normaliser. The set covers a forking
//! service whose PID file comes late (or never), `Assert*=` under each verb
//! and job mode, `show -p Environment` with drop-ins and resets, the words
//! of `systemctl start` for each way a start fails, and crash loops that end
//! at the start limit.
//!
//! The cases runr answers otherwise for a reason outside its reach are
//! listed in `jobs_known_different.tsv` beside this file, each with its
//! reason; the test fails when a case not listed differs, and when a listed
//! case starts to match. `SYSTEMCTL_GOLDEN_REPORT=FILE` writes every
//! differing case with both sides to FILE.

use std::path::{Path, PathBuf};

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases, parse_known_different};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/jobs");
const KNOWN: &str = include_str!("jobs_known_different.tsv");

/// The files of `files/`, each to the same path in the guest.
fn guest_files(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("files/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let inside = path.strip_prefix(root).expect("below files/");
                out.push((path.clone(), format!("/{}", inside.display())));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn job_results_goldens_against_runr_as_pid_1() {
    let golden = Path::new(GOLDEN);
    let files = guest_files(&golden.join("files"));
    let guest = boot_like_the_oracle(
        &golden.join("units"),
        files.iter().map(|(h, g)| (h.clone(), g.as_str())).collect(),
    );
    GoldenSet {
        label: "job",
        dir: golden,
        known: parse_known_different(KNOWN),
        list: "tests/e2e/jobs_known_different.tsv",
        min_cases: 140,
    }
    .assert_replayed(&guest, cases(golden));
}

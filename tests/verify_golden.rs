//! Replays every case of golden/verify (captured from systemd-analyze 252,
//! see golden/verify/README.md) with runr's `systemd-analyze verify` and
//! compares stdout, stderr and the exit code byte for byte.
//!
//! Each case's files are copied to a fresh temporary directory and the
//! command runs there; the directory's path in the output is replaced by
//! `/tmp/runr-verify`, the fixed directory the capture ran in.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const CAPTURE_DIR: &str = "/tmp/runr-verify";
const CASE_FILES: &[&str] = &["cmd", "stdout", "stderr", "rc"];

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/verify");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .expect("golden/verify")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.join("cmd").is_file())
        .collect();
    cases.sort();
    cases
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read case") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if from.join("cmd").exists()
            && CASE_FILES.iter().any(|f| name == *f)
            && entry.path().parent() == Some(from)
        {
            continue;
        }
        let target = to.join(&name);
        if entry.path().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Runs one case with runr; returns (stdout, stderr, rc) with the scratch
/// directory's path normalised.
fn replay(case: &Path) -> (String, String, String) {
    let scratch = tempfile::tempdir().expect("tempdir");
    copy_tree(case, scratch.path());
    let cmd = fs::read_to_string(case.join("cmd")).expect("cmd");
    let mut words = cmd.split_whitespace();
    assert_eq!(
        words.next(),
        Some("systemd-analyze"),
        "{}: cmd must start with systemd-analyze",
        case.display()
    );
    let output = Command::new(env!("CARGO_BIN_EXE_runr"))
        .arg("systemd-analyze")
        .args(words)
        .current_dir(scratch.path())
        .env_remove("SYSTEMD_UNIT_PATH")
        .env_remove("RUNR_UNIT_PATH")
        // The cases are systemd's, in scratch directories.
        .env("RUNR_DIALECT", "systemd")
        .output()
        .expect("run runr");
    let dir = scratch.path().to_string_lossy().into_owned();
    let normalise = |b: &[u8]| String::from_utf8_lossy(b).replace(&dir, CAPTURE_DIR);
    let rc = format!("{}\n", output.status.code().unwrap_or(-1));
    (normalise(&output.stdout), normalise(&output.stderr), rc)
}

#[test]
fn verify_matches_systemd_252() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "expected at least 40 cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let read =
            |f: &str| String::from_utf8_lossy(&fs::read(case.join(f)).expect(f)).into_owned();
        let expected = (read("stdout"), read("stderr"), read("rc"));
        let actual = replay(case);
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected stderr:\n{}  actual stderr:\n{}  expected rc {} actual rc {}",
                case.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                expected.1,
                actual.1,
                expected.2.trim(),
                actual.2.trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

//! Differential test of the `systemd-analyze` face against captures of real
//! systemd 252 (golden/analyze/*.tsv, written by the oracle's
//! calendar-corpus.sh; golden/analyze/README.md has the capture commands).
//!
//! Each row is replayed the way it was captured: `systemd-analyze VERB -- X`
//! with "now" frozen by faketime at the same instant, the same TZ and LANG,
//! and stdout, stderr and the exit code must match to the byte.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The instant calendar-corpus.sh freezes "now" at, and its iteration count.
const BASE: &str = "1705320000";
const ITERATIONS: &str = "3";

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

struct Row {
    input: String,
    rc: i32,
    stdout: String,
    stderr: String,
}

/// Reads a corpus: the input is the first column, rc the second, stdout and
/// stderr the last two.
fn read_corpus(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 4, "{}: short row: {line}", path.display());
            Row {
                input: unescape(cols[0]),
                rc: cols[1]
                    .parse()
                    .unwrap_or_else(|_| panic!("{}: bad rc in {line}", path.display())),
                stdout: unescape(cols[cols.len() - 2]),
                stderr: unescape(cols[cols.len() - 1]),
            }
        })
        .collect()
}

/// `calendar.berlin.tsv` -> ("calendar", "Europe/Berlin").
fn mode_and_zone(path: &Path) -> (String, String) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut parts = name.split('.');
    let mode = parts.next().unwrap().to_string();
    let zone = match parts.next() {
        Some("berlin") => "Europe/Berlin",
        Some("newyork") => "America/New_York",
        _ => "UTC",
    };
    (mode, zone.to_string())
}

fn runr() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_runr"))
}

fn check_corpus(path: &Path) -> Vec<String> {
    let (mode, zone) = mode_and_zone(path);
    let mut failures = Vec::new();
    for row in read_corpus(path) {
        let mut cmd = Command::new("faketime");
        cmd.env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("TZ", &zone)
            .env("LANG", "C.UTF-8")
            .env("FAKETIME_FMT", "%s")
            .args(["-f", BASE])
            .arg(runr())
            .arg("systemd-analyze")
            .arg(&mode);
        if mode == "calendar" {
            cmd.arg(format!("--iterations={ITERATIONS}"))
                .arg(format!("--base-time=@{BASE}"));
        }
        cmd.arg("--").arg(&row.input);
        let out = cmd
            .output()
            .expect("faketime runs (apt-get install faketime)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let rc = out.status.code().unwrap_or(-1);
        if rc != row.rc || stdout != row.stdout || stderr != row.stderr {
            failures.push(format!(
                "{} [{zone}] {mode} {:?}\n  want rc={} stdout={:?} stderr={:?}\n  got  rc={} stdout={:?} stderr={:?}",
                path.file_name().unwrap().to_string_lossy(),
                row.input,
                row.rc,
                row.stdout,
                row.stderr,
                rc,
                stdout,
                stderr
            ));
        }
    }
    failures
}

fn check_mode(mode: &str, minimum_rows: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/analyze");
    let mut corpora: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    corpora.retain(|p| p.extension().is_some_and(|e| e == "tsv") && mode_and_zone(p).0 == mode);
    corpora.sort();
    let rows: usize = corpora.iter().map(|p| read_corpus(p).len()).sum();
    assert!(
        rows >= minimum_rows,
        "{mode}: {rows} golden rows, want at least {minimum_rows}"
    );
    let failures: Vec<String> = corpora.iter().flat_map(|p| check_corpus(p)).collect();
    assert!(
        failures.is_empty(),
        "{} of {rows} {mode} rows differ from systemd 252:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn calendar_matches_systemd() {
    check_mode("calendar", 300);
}

#[test]
fn timespan_matches_systemd() {
    check_mode("timespan", 150);
}

#[test]
fn timestamp_matches_systemd() {
    check_mode("timestamp", 60);
}

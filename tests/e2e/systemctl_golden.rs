//! The differential test of the systemctl face: every systemctl command of
//! golden/systemctl/live (captured from systemd 252 booted in namespaces)
//! run again, in the same order, in a guest whose PID 1 is runr, and its
//! stdout, stderr and exit code compared with systemd's after the shared
//! normaliser.
//!
//! The cases runr still answers otherwise are listed in `known_different.tsv`
//! beside this file, each with its reason; the test fails when a case not
//! listed differs, and when a listed case starts to match (then take it off
//! the list). journalctl and systemd-run cases belong to their faces' tests.
//!
//! `SYSTEMCTL_GOLDEN_REPORT=FILE` writes every differing case with both
//! sides to FILE, to study.

#[path = "../common/normalise.rs"]
mod normalise;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::guest::Guest;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl");
const KNOWN: &str = include_str!("known_different.tsv");

/// One captured command: `group/NN-slug`, its exit code and its line.
pub(super) struct Case {
    pub id: String,
    pub rc: i32,
    pub command: String,
}

/// The cases of a golden set (`DIR/live/index.tsv`), in capture order.
pub(super) fn cases(golden: &Path) -> Vec<Case> {
    let index = std::fs::read_to_string(golden.join("live/index.tsv")).unwrap();
    index
        .lines()
        .filter_map(|l| {
            let mut f = l.splitn(4, '\t');
            let (group, case, rc, command) = (f.next()?, f.next()?, f.next()?, f.next()?);
            Some(Case {
                id: format!("{group}/{case}"),
                rc: rc.parse().ok()?,
                command: command.to_string(),
            })
        })
        .collect()
}

/// Whether a command is systemctl's (and not journalctl's or systemd-run's).
fn is_systemctl(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    let inner = command.contains("systemctl\\ ");
    words
        .iter()
        .find(|w| !w.contains('='))
        .is_some_and(|w| *w == "systemctl" || (*w == "script" && inner))
}

fn read_golden(golden: &Path, id: &str, ext: &str) -> String {
    std::fs::read_to_string(golden.join("live").join(format!("{id}.{ext}"))).unwrap_or_default()
}

/// Runs a case in the guest: None when runr answers as systemd did, else
/// both sides, for the report.
pub(super) fn differences(guest: &Guest, golden: &Path, case: &Case) -> Option<String> {
    let out = guest.sh(&format!("timeout -k 2 30 sh -c {}", quote(&case.command)));
    let got_out = comparable(
        &String::from_utf8_lossy(&out.stdout),
        &guest.name,
        &case.command,
    );
    let got_err = comparable(
        &String::from_utf8_lossy(&out.stderr),
        &guest.name,
        &case.command,
    );
    let want_out = comparable(
        &read_golden(golden, &case.id, "stdout"),
        "oracle",
        &case.command,
    );
    let want_err = comparable(
        &read_golden(golden, &case.id, "stderr"),
        "oracle",
        &case.command,
    );
    let rc = out.status.code().unwrap_or(-1);
    if got_out == want_out && got_err == want_err && rc == case.rc {
        return None;
    }
    Some(format!(
        "=== {} (rc {rc}, want {}): {}\n--- stdout\n{got_out}--- want\n{want_out}--- stderr\n{got_err}--- want\n{want_err}\n",
        case.id, case.rc, case.command
    ))
}

/// The shared normaliser, as the golden tests of other sets apply it.
pub(super) fn normalised(text: &str) -> String {
    normalise::sort_unit_lists(&normalise::normalise(text))
}

/// Both sides go through this before they are compared.
fn comparable(text: &str, hostname: &str, command: &str) -> String {
    let text = text.replace(hostname, "oracle");
    let text = normalise::sort_unit_lists(&normalise::normalise(&text));
    if command.contains("list-timers") {
        normalise::collapse_spaces(&mask_cut_next(&text))
    } else if command.contains("--value") && PID_PROPERTIES.iter().any(|p| command.contains(p)) {
        mask_bare_pids(&text)
    } else {
        text
    }
}

const PID_PROPERTIES: [&str; 3] = ["MainPID", "ExecMainPID", "ControlPID"];

/// `show -p MainPID --value` prints the PID alone, which the shared
/// normaliser cannot tell from any other number; a command that asks for a
/// PID has its bare numbers (but 0, no process) masked.
fn mask_bare_pids(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let is_pid = !line.is_empty()
                && !line.starts_with('0')
                && line.bytes().all(|b| b.is_ascii_digit());
            if is_pid { "<PID>" } else { line }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// On a terminal, list-timers cuts its first column (NEXT) to the width the
/// others leave, and LEFT's width follows the time of day of the run
/// (`9h left`, `10h left`): a NEXT cut short (`Sun 2026-11-22 04:00:00 …`,
/// `Sat 2026-11-21 17…`) is a volatile value like LEFT, masked whole.
fn mask_cut_next(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let Some(cut) = line.find('…') else {
                return line.to_string();
            };
            let next = &line[..cut];
            let zone_cut = next
                .strip_prefix("<TIMESTAMP>")
                .is_some_and(|rest| rest.chars().all(|c| c == ' ' || c.is_ascii_uppercase()));
            let clock_cut = next.len() > 4
                && next.as_bytes()[3] == b' '
                && next[..3].chars().all(|c| c.is_ascii_alphabetic())
                && next[4..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | ' '));
            if zone_cut || clock_cut {
                format!("<TIMESTAMP>…{}", &line[cut + '…'.len_utf8()..])
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a reason in known_different.tsv begins for a case that matches at
/// some times of day and not at others.
pub(super) const VARIES_WITH_TIME: &str = "varies with the time of the run:";

fn known_different() -> BTreeMap<String, String> {
    parse_known_different(KNOWN)
}

/// A known_different.tsv: `case<TAB>reason` lines, `#` comments.
pub(super) fn parse_known_different(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(id, why)| (id.to_string(), why.to_string()))
        .collect()
}

fn boot() -> Guest {
    let extra = Path::new(GOLDEN).join("extra");
    boot_like_the_oracle(
        &Path::new(GOLDEN).join("units"),
        vec![
            (
                extra.join("demo-masked.service"),
                "/usr/local/lib/systemd/system/demo-masked.service",
            ),
            (
                extra.join("demo-linked.service"),
                "/opt/units/demo-linked.service",
            ),
            (
                extra.join("demo-reload-override.conf"),
                "/etc/systemd/system/demo-reload.service.d/override.conf",
            ),
        ],
    )
}

/// runr as PID 1 of a guest set up as the oracle's was: the unit files of
/// `units` in /etc/systemd/system, `files` copied in, and default.target
/// linked to multi-user.target (the oracle's boot script links it there);
/// returns once systemctl answers.
pub(super) fn boot_like_the_oracle(units: &Path, files: Vec<(PathBuf, &str)>) -> Guest {
    boot_like_the_oracle_with(units, files, &[("GUEST_NOFILE", "20000")])
}

/// The same, with guest.sh's knobs (limits, capabilities) set as the
/// oracle's systemd had them for a capture.
pub(super) fn boot_like_the_oracle_with(
    units: &Path,
    mut files: Vec<(PathBuf, &str)>,
    knobs: &[(&str, &str)],
) -> Guest {
    let links = tempfile::tempdir().expect("temp dir");
    let default_target = links.path().join("default.target");
    std::os::unix::fs::symlink("/lib/systemd/system/multi-user.target", &default_target)
        .expect("symlink");
    files.push((default_target, "/etc/systemd/system/default.target"));
    let guest = Guest::boot_like_the_oracle_with(units, &files, knobs);
    let ready =
        guest.wait_until_ok("test -S /run/runr/runr.sock && systemctl list-units >/dev/null");
    assert!(
        ready.status.success(),
        "runr did not answer: {}",
        guest.console()
    );
    guest
}

#[test]
fn systemctl_live_goldens_against_runr_as_pid_1() {
    let guest = boot();
    let systemctl_cases: Vec<Case> = cases(Path::new(GOLDEN))
        .into_iter()
        .filter(|case| is_systemctl(&case.command))
        .collect();
    GoldenSet {
        label: "systemctl",
        dir: Path::new(GOLDEN),
        known: known_different(),
        list: "tests/e2e/known_different.tsv",
        min_cases: 400,
    }
    .assert_replayed(&guest, systemctl_cases);
}

/// A golden set replayed against runr, and the cases runr is known to
/// answer otherwise.
pub(super) struct GoldenSet<'a> {
    /// Names the set in what the test prints.
    pub label: &'a str,
    pub dir: &'a Path,
    /// `case -> reason`, as parse_known_different reads a list.
    pub known: BTreeMap<String, String>,
    /// The list's file, named in the failure messages.
    pub list: &'a str,
    /// Fewer cases than this means the set was not found whole.
    pub min_cases: usize,
}

impl GoldenSet<'_> {
    /// Runs `cases` in `guest`, in order: every case the list does not
    /// name must match, and a listed one must not (then it is to be taken
    /// off), unless its reason says it varies with the time of the run.
    /// `SYSTEMCTL_GOLDEN_REPORT=FILE` writes every differing case with
    /// both sides to FILE; the failure message shows the unlisted ones.
    pub fn assert_replayed(&self, guest: &Guest, cases: Vec<Case>) {
        let mut report = String::new();
        let mut unexpected = Vec::new();
        let mut unexpected_report = String::new();
        let mut now_matching = Vec::new();
        let compared = cases.len();
        let mut same = 0;
        for case in cases {
            let difference = differences(guest, self.dir, &case);
            let listed = self.known.get(&case.id);
            match (difference, listed) {
                (None, listed) => {
                    same += 1;
                    if listed.is_some_and(|why| !why.starts_with(VARIES_WITH_TIME)) {
                        now_matching.push(case.id);
                    }
                }
                (Some(text), None) => {
                    report.push_str(&text);
                    unexpected_report.push_str(&text);
                    unexpected.push(case.id);
                }
                (Some(text), Some(_)) => report.push_str(&text),
            }
        }
        if let Ok(path) = std::env::var("SYSTEMCTL_GOLDEN_REPORT") {
            let _ = std::fs::write(path, &report);
        }
        eprintln!("{} goldens: {same} of {compared} match runr", self.label);
        assert!(
            compared >= self.min_cases,
            "only {compared} {} cases found",
            self.label
        );
        assert!(
            now_matching.is_empty(),
            "these cases match now; take them off {}: {now_matching:?}",
            self.list
        );
        assert!(
            unexpected.is_empty(),
            "these cases differ and are not listed in {}: {unexpected:?}\n{unexpected_report}",
            self.list
        );
    }
}

pub(super) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[test]
fn a_cut_next_column_is_masked_whole() {
    assert_eq!(
        mask_cut_next("<TIMESTAMP> U… <LEFT> -    -      demo-tick.timer demo-tick.service"),
        "<TIMESTAMP>… <LEFT> -    -      demo-tick.timer demo-tick.service"
    );
    assert_eq!(
        mask_cut_next("<TIMESTAMP> … <LEFT> - - a b"),
        "<TIMESTAMP>… <LEFT> - - a b"
    );
    assert_eq!(
        mask_cut_next("Sat 2026-11-21 17… <LEFT> - - systemd-tmpfiles-… x"),
        "<TIMESTAMP>… <LEFT> - - systemd-tmpfiles-… x"
    );
    // A cut further right is not NEXT's.
    let unit_cut = "<TIMESTAMP> <LEFT> - - systemd-tmpfiles-… x";
    assert_eq!(mask_cut_next(unit_cut), unit_cut);
}

#[test]
fn the_case_filter_keeps_systemctl_commands_only() {
    assert!(is_systemctl("systemctl status x"));
    assert!(is_systemctl("LANG=C systemctl status x"));
    assert!(is_systemctl(
        "TERM=xterm-256color script -qec stty\\ cols\\ 80\\ rows\\ 24\\ -onlcr\\;\\ systemctl\\ status\\ x /dev/null"
    ));
    assert!(!is_systemctl("journalctl -u x -n 20"));
    assert!(!is_systemctl("systemd-run --unit=x --wait -- /bin/true"));
}

//! Replays golden/journalctl: the units the real systemd 252 ran, run by
//! runr (the supervisor as an ordinary process, a temporary journal), then
//! every captured journalctl command through the journalctl face, compared
//! with what journalctl 252 printed after masking the volatile parts
//! (tests/common/journal_normalise.rs).
//!
//! Three kinds of comparison, chosen per case by what the case shows:
//!
//! - exact (after masking), the default;
//! - JSON values compared as objects: journalctl prints keys in hash-table
//!   order, different for every entry; without `--output-fields`, runr's
//!   keys must be a subset of journald's with equal values (runr records
//!   no `_UID`, `_COMM`, `_EXE`, `_CMDLINE`, cgroup or `CODE_*` fields);
//!   verbose and export without `--output-fields` likewise line by line;
//! - merged outputs of several units (`-u a -u b`, globs, `-t a -t b`)
//!   compared as sorted lines: how two services' lines interleave depends
//!   on when each was scheduled, in either system.
//!
//! systemd's job messages name the unit as `Started x.service - X.` and
//! skip "Starting" for a start that completes at once; runr's engine says
//! `Starting X...`/`Started X.`. Cases showing those messages are listed
//! in ENGINE_JOB_MESSAGE_CASES: they are checked to still differ (so the
//! list is kept honest) and then compared with job message lines left out
//! on both sides.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex_automata::meta::Regex;
use serde_json::Value;

use crate::harness::{LogPod, RUNR, have, hostname};
use crate::journal_normalise::normalise_journal;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/journalctl");

/// Cases not replayed, and why.
const SKIPPED: &[(&str, &str)] = &[
    (
        "vacuum-size",
        "journald vacuums its three journal directories; runr has one",
    ),
    (
        "vacuum-time",
        "journald vacuums its three journal directories; runr has one",
    ),
];

/// Cases whose entries interleave several services.
const MERGED: &[&str] = &["u-two", "u-glob-two", "t-two"];

/// Cases that show systemd's job messages ("Started x.service - X.").
const ENGINE_JOB_MESSAGE_CASES: &[&str] = &[
    "u-all",
    "u-n100",
    "u-cat",
    "u-short",
    "u-short-iso",
    "u-short-precise",
    "u-short-monotonic",
    "u-short-unix",
    "u-json-fields",
    "u-json-pretty-fields",
    "u-json-sse-fields",
    "u-verbose-fields",
    "u-export-fields",
    "u-cat-fields",
    "u-reverse",
    "u-reverse-long",
    "u-end",
    "u-p-debug",
    "u-since-old",
    "u-since-relative",
    "u-glob",
    "u-two",
    "u-glob-two",
    "u-crashy",
    "u-crashy-cat",
    "u-oneshot",
    "u-oneshot-json",
    "u-failing",
    "u-failing-err",
    "u-noprefix",
    "u-noprefix-json",
    "u-cat-all-tty",
    "u-short-all-tty",
    "u-crashy-tty",
    "u-crashy-reverse",
    "u-verbose-tail",
];

struct Case {
    slug: String,
    cmd: String,
    stdout: String,
    stderr: String,
    rc: i32,
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

fn cases() -> Vec<Case> {
    let dir = Path::new(GOLDEN).join("cases");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("golden/journalctl/cases")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".cmd")
                .map(String::from)
        })
        .collect();
    names.sort_by_key(|n| n.split('-').next().and_then(|x| x.parse::<u32>().ok()));
    names
        .into_iter()
        .map(|name| {
            let base = dir.join(&name);
            let slug = name
                .split_once('-')
                .map_or(name.clone(), |(_, s)| s.to_string());
            Case {
                slug,
                cmd: read(&base.with_extension("cmd")).trim_end().to_string(),
                stdout: read(&base.with_extension("stdout")),
                stderr: read(&base.with_extension("stderr")),
                rc: read(&base.with_extension("rc"))
                    .trim()
                    .parse()
                    .unwrap_or(-1),
            }
        })
        .collect()
}

fn golden_hostname() -> String {
    read(&Path::new(GOLDEN).join("meta.txt"))
        .lines()
        .find_map(|l| l.strip_prefix("hostname=").map(String::from))
        .unwrap_or_default()
}

/// The golden units, started at boot, with the guest's paths moved into
/// the pod.
fn install_units(pod: &LogPod) {
    let units = Path::new(GOLDEN).join("units");
    let run = pod.root().join("run");
    for entry in std::fs::read_dir(units).expect("units").flatten() {
        let text = read(&entry.path())
            .replace("/run/jtest", &run.display().to_string())
            .replace("/dev/log", &pod.syslog_socket().display().to_string())
            .replace("[Service]\n", "[Service]\nAutostart=yes\n");
        pod.add(&entry.file_name().to_string_lossy(), &text);
    }
}

fn bin_dir(pod: &LogPod) -> PathBuf {
    let bin = pod.root().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let _ = std::os::unix::fs::symlink(RUNR, bin.join("journalctl"));
    bin
}

struct Ran {
    stdout: String,
    stderr: String,
    rc: i32,
}

fn run_case(pod: &LogPod, bin: &Path, cmd: &str) -> Ran {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("PATH", path)
        .env("RUNR_JOURNAL_DIR", pod.journal())
        .env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .env_remove("SYSTEMD_COLORS")
        .env_remove("NO_COLOR")
        .env_remove("SYSTEMD_PAGER")
        .output()
        .expect("run case");
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        rc: out.status.code().unwrap_or(-1),
    }
}

/// The JSON values in an output (json, json-pretty, json-sse, json-seq).
fn json_values(text: &str) -> Vec<Value> {
    let cleaned: String = text
        .lines()
        .map(|l| {
            l.strip_prefix("data: ")
                .unwrap_or(l)
                .trim_start_matches('\x1e')
        })
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::Deserializer::from_str(&cleaned)
        .into_iter::<Value>()
        .filter_map(Result::ok)
        .collect()
}

fn job_message() -> Regex {
    Regex::new(
        r"(^|: |=|\x1b\[[0-9;]*m)(Starting|Started|Stopping|Stopped|Finished|Failed to start) ",
    )
    .expect("pattern")
}

fn drop_job_lines(text: &str) -> String {
    let pattern = job_message();
    text.lines()
        .filter(|l| !pattern.is_match(l))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn drop_job_objects(values: Vec<Value>) -> Vec<Value> {
    let pattern = job_message();
    values
        .into_iter()
        .filter(|v| !v["MESSAGE"].as_str().is_some_and(|m| pattern.is_match(m)))
        .collect()
}

fn sorted(lines: &[String]) -> Vec<String> {
    let mut lines = lines.to_vec();
    lines.sort();
    lines
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines.sort();
    lines
}

/// runr's object is journald's, or (`subset`) part of it.
fn objects_agree(ours: &[Value], theirs: &[Value], subset: bool) -> bool {
    ours.len() == theirs.len()
        && ours.iter().zip(theirs).all(|(a, b)| match (a, b) {
            (Value::Object(a), Value::Object(b)) if subset => {
                a.iter().all(|(k, v)| b.get(k) == Some(v))
            }
            _ => a == b,
        })
}

/// How the entries of a multi-line output are told apart.
#[derive(Clone, Copy)]
enum EntryShape {
    /// verbose: a timestamp line, then indented fields.
    Verbose,
    /// export: `__CURSOR=` first, a blank line after.
    Export,
    /// cat with `--output-fields`: this many lines an entry.
    Lines(usize),
}

/// Entries of verbose, export or cat-with-fields output, each its lines.
fn entries(text: &str, shape: EntryShape) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let starts = match shape {
            EntryShape::Verbose => !line.starts_with(' '),
            EntryShape::Export => line.starts_with("__CURSOR="),
            EntryShape::Lines(n) => i % n.max(1) == 0,
        };
        if starts || out.is_empty() {
            out.push(Vec::new());
        }
        if !line.is_empty()
            && let Some(entry) = out.last_mut()
        {
            entry.push(line.to_string());
        }
    }
    out
}

/// The entry shape of outputs compared entry by entry.
fn entry_shape(cmd: &str) -> Option<EntryShape> {
    let fields = cmd
        .split_whitespace()
        .find_map(|w| w.strip_prefix("--output-fields="))
        .map(|list| list.split(',').count());
    if cmd.contains("-o verbose") {
        Some(EntryShape::Verbose)
    } else if cmd.contains("-o export") {
        Some(EntryShape::Export)
    } else if cmd.contains("-o cat") {
        fields.map(EntryShape::Lines)
    } else {
        None
    }
}

/// Compares one case's stdout; `None` when it agrees, else why not.
fn compare_stdout(case: &Case, ours: &str, theirs: &str, relaxed: bool) -> Option<String> {
    let json = ["-o json", "-o json-pretty", "-o json-sse", "-o json-seq"]
        .iter()
        .any(|m| case.cmd.contains(&format!("{m} ")));
    let fields = case.cmd.contains("--output-fields");
    let agree = if json {
        let (mut a, mut b) = (json_values(ours), json_values(theirs));
        if relaxed {
            a = drop_job_objects(a);
            b = drop_job_objects(b);
        }
        objects_agree(&a, &b, !fields)
    } else if let Some(shape) = entry_shape(&case.cmd) {
        let pattern = job_message();
        let split = |text: &str| -> Vec<Vec<String>> {
            entries(text, shape)
                .into_iter()
                .filter(|e| !relaxed || !e.iter().any(|l| pattern.is_match(l)))
                .collect()
        };
        let (ea, eb) = (split(ours), split(theirs));
        ea.len() == eb.len()
            && ea.iter().zip(&eb).all(|(x, y)| {
                if let EntryShape::Lines(_) = shape {
                    // journalctl walks --output-fields in hash-table
                    // order, different from one run to the next.
                    sorted(x) == sorted(y)
                } else if fields {
                    x == y
                } else {
                    x.iter().all(|l| y.contains(l))
                }
            })
    } else {
        let (a, b) = if relaxed {
            (drop_job_lines(ours), drop_job_lines(theirs))
        } else {
            (ours.to_string(), theirs.to_string())
        };
        if MERGED.contains(&case.slug.as_str()) {
            sorted_lines(&a) == sorted_lines(&b)
        } else {
            a == b
        }
    };
    (!agree).then(|| format!("--- runr\n{ours}--- journalctl 252\n{theirs}"))
}

#[test]
fn journalctl_answers_as_journalctl_252() {
    if !have("timeout") || !have("script") {
        eprintln!("skipped: needs timeout(1) and script(1)");
        return;
    }
    let pod = LogPod::new(&[]);
    install_units(&pod);
    let bin = bin_dir(&pod);
    let mut supervisor = pod.start(&[]);
    // Settled as the guest was: every service has said its last word.
    pod.wait_for_journal(&["-u", "chatty.service", "-o", "cat"], "last line");
    pod.wait_for_journal(
        &["-u", "crashy.service", "-o", "cat"],
        "second run, staying up",
    );
    pod.wait_for_journal(&["-u", "oneshot.service", "-o", "cat"], "Finished");
    pod.wait_for_journal(&["-t", "other", "-o", "cat"], "with pid option");
    pod.wait_for_journal(&["-u", "noprefix.service", "-o", "cat"], "plain text");
    pod.wait_for_journal(&["-u", "filtered.service", "-o", "cat"], "kept warning");
    supervisor.wait_for("Failed to start");
    let (ours_host, their_host) = (hostname(), golden_hostname());
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut compared = 0;
    for case in cases() {
        if let Some((_, why)) = SKIPPED.iter().find(|(s, _)| *s == case.slug) {
            eprintln!("skipped {}: {why}", case.slug);
            continue;
        }
        compared += 1;
        let ran = run_case(&pod, &bin, &case.cmd);
        let ours = normalise_journal(&ran.stdout, &ours_host);
        let theirs = normalise_journal(&case.stdout, &their_host);
        let mut problems = Vec::new();
        if ran.rc != case.rc {
            problems.push(format!("exit code {} (journalctl: {})", ran.rc, case.rc));
        }
        let (e_ours, e_theirs) = (
            normalise_journal(&ran.stderr, &ours_host),
            normalise_journal(&case.stderr, &their_host),
        );
        if e_ours != e_theirs {
            problems.push(format!(
                "stderr:\n--- runr\n{e_ours}--- journalctl 252\n{e_theirs}"
            ));
        }
        let engine_case = ENGINE_JOB_MESSAGE_CASES.contains(&case.slug.as_str());
        if engine_case {
            if compare_stdout(&case, &ours, &theirs, false).is_none() {
                problems.push(
                    "agrees exactly now: remove it from ENGINE_JOB_MESSAGE_CASES".to_string(),
                );
            }
            if let Some(diff) = compare_stdout(&case, &ours, &theirs, true) {
                problems.push(format!("stdout (job messages left out):\n{diff}"));
            }
        } else if let Some(diff) = compare_stdout(&case, &ours, &theirs, false) {
            problems.push(format!("stdout:\n{diff}"));
        }
        if !problems.is_empty() {
            failures.insert(format!("{} ({})", case.slug, case.cmd), problems.join("\n"));
        }
    }
    supervisor.stop();
    assert!(compared >= 60, "only {compared} golden cases");
    let report: Vec<String> = failures
        .iter()
        .map(|(case, why)| format!("=== {case}\n{why}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {compared} cases differ:\n{}",
        failures.len(),
        report.join("\n")
    );
}

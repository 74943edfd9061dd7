//! runr's `[Log]` section as its README writes it, through the real
//! binary: `Sink=stdout` and `Sink=none`, `Prefix=` on the console and
//! `PrefixFile=` in the file, and what their placeholders expand to for
//! each line (the service's name, time and date, stream, PID and restart
//! count across an automatic restart).

use std::time::{Duration, Instant};

use crate::harness::LogPod;

/// Waits until the file holds `count` lines containing `text`.
fn wait_for_lines(path: &std::path::Path, text: &str, count: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.lines().filter(|l| l.contains(text)).count() >= count {
            return content;
        }
        assert!(
            Instant::now() < deadline,
            "not {count} lines with {text:?} in {} within 20 s:\n{content}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `HH:MM:SS.mmm`.
fn is_time_of_day(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 12
        && [2, 5].iter().all(|&i| b[i] == b':')
        && b[8] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| [2, 5, 8].contains(&i) || c.is_ascii_digit())
}

/// `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The service's lines: each names the stream and the PID of the shell
/// that wrote it; the first run fails (and is restarted), the second
/// stays up.
fn restarted_once(pod: &LogPod, name: &str, log: &str) {
    let flag = pod.root().join(format!("{name}.ran"));
    pod.add(
        &format!("{name}.service"),
        &format!(
            "[Service]\nAutostart=yes\nRestart=on-failure\nRestartSec=100ms\n\
             ExecStart=/bin/sh -c 'echo \"out $$$$\"; echo \"err $$$$\" >&2; \
             if [ -e {flag} ]; then exec sleep 60; fi; touch {flag}; exit 1'\n\
             [Log]\n{log}",
            flag = flag.display()
        ),
    );
}

/// Splits `[TIME NAME pid=PID]MESSAGE`.
fn console_fields(line: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let (prefix, message) = rest.split_once(']')?;
    let mut words = prefix.split(' ');
    let time = words.next()?;
    let name = words.next()?;
    let pid = words.next()?.strip_prefix("pid=")?;
    Some((time, name, pid, message))
}

/// Splits `[DATE TIME STREAM]MESSAGE`.
fn file_fields(line: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = line.strip_prefix('[')?;
    let (prefix, message) = rest.split_once(']')?;
    let mut words = prefix.split(' ');
    Some((words.next()?, words.next()?, words.next()?, message))
}

#[test]
fn readme_log_section_prefixes_the_console_and_the_file_lines() {
    let pod = LogPod::new(&[]);
    let dir = pod.root().join("pglogs");
    restarted_once(
        &pod,
        "postgresql",
        &format!(
            "Directory={}\nSink=stdout\nPrefix=[%T %s pid=%p]\nPrefixFile=[%d %T %S]\n",
            dir.display()
        ),
    );
    restarted_once(&pod, "counted", "Sink=stdout\nPrefix=%R|\n");
    let mut sup = pod.start(&[]);
    // Two runs, a stdout and a stderr line each.
    let file = wait_for_lines(&dir.join("postgresql.log"), "]", 4);
    // Every line reaches the console too (its own writer may lag the
    // file's).
    for line in file.lines() {
        let message = line.split_once(']').expect("prefixed").1;
        sup.wait_for(&format!("]{message}"));
    }
    sup.wait_for("1|out ");
    sup.wait_for("1|err ");

    // The console: [%T %s pid=%p], the PID the one of the shell that
    // wrote the line.
    let console = sup.output().to_string();
    let mut pids = Vec::new();
    for line in console.lines().filter(|l| l.contains(" postgresql pid=")) {
        let (time, name, pid, message) =
            console_fields(line).unwrap_or_else(|| panic!("console line {line:?}"));
        assert!(is_time_of_day(time), "{line:?}");
        assert_eq!(name, "postgresql", "{line:?}");
        let (stream, written_pid) = message.split_once(' ').expect("message");
        assert!(["out", "err"].contains(&stream), "{line:?}");
        assert_eq!(pid, written_pid, "{line:?}");
        pids.push(pid.to_string());
    }
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 2, "two runs on the console:\n{console}");
    assert_ne!(pids[0], pids[1]);
    // Both runs' lines, each stream of each.
    for pid in &pids {
        for stream in ["out", "err"] {
            assert!(
                console
                    .lines()
                    .any(|l| l.ends_with(&format!("]{stream} {pid}"))),
                "no {stream} line of {pid} on the console:\n{console}"
            );
        }
    }

    // The file: [%d %T %S], no PID but O for stdout and E for stderr.
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(lines.len(), 4, "{file}");
    for line in &lines {
        let (date, time, stream, message) =
            file_fields(line).unwrap_or_else(|| panic!("file line {line:?}"));
        assert!(is_date(date), "{line:?}");
        assert!(is_time_of_day(time), "{line:?}");
        let (written, pid) = message.split_once(' ').expect("message");
        let expected = if written == "out" { "O" } else { "E" };
        assert_eq!(stream, expected, "{line:?}");
        assert!(pids.contains(&pid.to_string()), "{line:?} {pids:?}");
    }

    // %R: 0 for the first run's lines, 1 after the restart, on the
    // console and in the file (--log-dir's: the unit has no Directory=).
    for (count, stream) in [("0", "out"), ("0", "err"), ("1", "out"), ("1", "err")] {
        let start = format!("{count}|{stream} ");
        assert_eq!(
            console.lines().filter(|l| l.starts_with(&start)).count(),
            1,
            "one {start:?} line:\n{console}"
        );
    }
    let counted = wait_for_lines(&pod.logs().join("counted.log"), "|", 4);
    let mut starts: Vec<&str> = counted
        .lines()
        .map(|l| &l[..l.find(' ').unwrap_or(0)])
        .collect();
    starts.sort_unstable();
    assert_eq!(starts, ["0|err", "0|out", "1|err", "1|out"], "{counted}");

    // The journal has the lines as written, without a prefix.
    for pid in &pids {
        for stream in ["out", "err"] {
            let journal = pod.wait_for_journal(
                &["-u", "postgresql", "-o", "cat"],
                &format!("{stream} {pid}\n"),
            );
            assert!(!journal.contains(']'), "{journal}");
        }
    }
    sup.stop();
}

#[test]
fn sink_none_writes_the_file_and_the_journal_but_not_the_console() {
    let pod = LogPod::new(&[]);
    let dir = pod.root().join("quiet");
    pod.add(
        "hushed.service",
        &format!(
            "[Service]\nAutostart=yes\n\
             ExecStart=/bin/sh -c 'echo hushed-stdout; echo hushed-stderr >&2; exec sleep 60'\n\
             [Log]\nDirectory={}\nSink=none\nPrefix=\"%s %S: \"\n",
            dir.display()
        ),
    );
    let sup = pod.start(&[]);
    let file = wait_for_lines(&dir.join("hushed.log"), "hushed-", 2);
    let mut lines: Vec<&str> = file.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["hushed E: hushed-stderr", "hushed O: hushed-stdout"]
    );
    for line in ["hushed-stdout\n", "hushed-stderr\n"] {
        pod.wait_for_journal(&["-u", "hushed.service", "-o", "cat"], line);
    }
    let out = sup.stop();
    assert!(
        out.contains("Started hushed.service"),
        "the supervisor's own messages stay on the console:\n{out}"
    );
    assert!(
        !out.contains("hushed-stdout") && !out.contains("hushed-stderr"),
        "the console got a Sink=none line:\n{out}"
    );
}

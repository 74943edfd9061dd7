//! Services' stdout and stderr through the pipeline: the journal, the
//! rotated files of `[Log]`, the console mirror, prefixes, priorities,
//! `LogLevelMax=` and journald's line splitting.

use std::time::{Duration, Instant};

use crate::harness::LogPod;

fn wait_for_file(path: &std::path::Path, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return content;
        }
        assert!(
            Instant::now() < deadline,
            "no {text:?} in {} within 20 s:\n{content}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn lines_reach_the_journal_the_file_and_the_console_with_their_prefixes() {
    let pod = LogPod::new(&[]);
    let dir = pod.root().join("applogs");
    pod.add(
        "app.service",
        &format!(
            "[Unit]\nDescription=App\n[Service]\nAutostart=yes\nSyslogIdentifier=appy\n\
             ExecStart=/bin/sh -c 'echo \"<3>broken\"; echo to-stderr >&2; echo plain; exec sleep 60'\n\
             [Log]\nDirectory={}\nSink=stdout\nPrefix=\"%s %S pid=%p: \"\nPrefixSink=\"\"\n",
            dir.display()
        ),
    );
    let mut sup = pod.start(&[]);
    let file = wait_for_file(&dir.join("app.log"), "plain");
    // The <3> level prefix is taken off the line the prefix goes before.
    assert!(file.contains("app O pid="), "{file}");
    assert!(file.contains(": broken\n"), "{file}");
    assert!(!file.contains("<3>"), "{file}");
    assert!(file.contains("app E pid="), "{file}");
    // The console gets the bare lines (PrefixSink="").
    sup.wait_for("to-stderr");
    let console = sup.output().to_string();
    assert!(console.lines().any(|l| l == "plain"), "{console}");
    // The journal has the priority from the <3> prefix, without it.
    let errors = pod.wait_for_journal(&["-u", "app.service", "-p", "err", "-o", "cat"], "broken");
    assert_eq!(errors, "broken\n");
    let json = pod.journal_text(&[
        "-u",
        "app",
        "-o",
        "json",
        "--output-fields=MESSAGE,_TRANSPORT",
    ]);
    assert!(json.contains("\"MESSAGE\":\"to-stderr\""), "{json}");
    sup.stop();
}

#[test]
fn stdout_and_stderr_reach_the_journal_in_the_order_written() {
    let pod = LogPod::new(&[]);
    pod.add(
        "chatty.service",
        "[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'for i in $(seq 1 200); do echo out$i; echo err$i >&2; done; echo done'\n",
    );
    let sup = pod.start(&[]);
    let journal = pod.wait_for_journal(&["-u", "chatty.service", "-o", "cat"], "\ndone\n");
    // The service's own lines, without the supervisor's about it.
    let lines: String = journal
        .lines()
        .filter(|l| l.starts_with("out") || l.starts_with("err") || *l == "done")
        .map(|l| format!("{l}\n"))
        .collect();
    let expected: String = (1..=200)
        .map(|i| format!("out{i}\nerr{i}\n"))
        .chain(std::iter::once("done\n".to_string()))
        .collect();
    assert_eq!(lines, expected);
    sup.stop();
}

#[test]
fn sink_file_keeps_the_console_quiet_and_log_level_max_drops_lines() {
    let pod = LogPod::new(&[(
        "quiet.service",
        "[Service]\nAutostart=yes\nSyslogIdentifier=quiet\nLogLevelMax=notice\n\
         ExecStart=/bin/sh -c 'echo \"<5>kept notice\"; echo \"<6>dropped info\"; echo \"<7>dropped debug\"; echo \"<4>kept warning\"; exec sleep 60'\n\
         [Log]\nSink=file\n",
    )]);
    let sup = pod.start(&[]);
    // `file` is the older spelling of `none`: the lines stay off the
    // console, and without Directory= the file goes to --log-dir.
    let file = wait_for_file(&pod.logs().join("quiet.log"), "kept warning");
    assert_eq!(file.lines().count(), 2, "{file}");
    assert!(!file.contains("dropped"), "{file}");
    let journal = pod.wait_for_journal(&["-u", "quiet.service", "-o", "cat"], "kept warning");
    assert!(!journal.contains("dropped"), "{journal}");
    let out = sup.stop();
    assert!(
        !out.contains("kept notice"),
        "the console got a Sink=file line:\n{out}"
    );
}

#[test]
fn files_rotate_by_size_keeping_file_count() {
    let pod = LogPod::new(&[(
        "chatty.service",
        "[Service]\nAutostart=yes\nType=oneshot\n\
         ExecStart=/bin/sh -c 'i=0; while [ $i -lt 400 ]; do echo \"line number $i of the chatty service\"; i=$((i+1)); done'\n\
         [Log]\nSink=none\nFileSize=2K\nFileCount=2\nPrefix=\n",
    )]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Finished chatty.service");
    sup.stop();
    let logs = pod.logs();
    let live = std::fs::read_to_string(logs.join("chatty.log")).expect("live file");
    assert!(live.len() <= 2048, "live file of {} bytes", live.len());
    assert!(
        live.ends_with("line number 399 of the chatty service\n"),
        "{live}"
    );
    assert!(logs.join("chatty.log.1").exists());
    assert!(logs.join("chatty.log.2").exists());
    assert!(
        !logs.join("chatty.log.3").exists(),
        "FileCount=2 kept a third file"
    );
    // Every line is still in the journal.
    let all = pod.journal_text(&["-u", "chatty.service", "-o", "cat", "-g", "line number"]);
    assert_eq!(all.lines().count(), 400);
}

#[test]
fn long_lines_are_cut_as_journald_cuts_them_and_partial_last_lines_kept() {
    let pod = LogPod::new(&[(
        "long.service",
        "[Service]\nAutostart=yes\nType=oneshot\nSyslogIdentifier=long\n\
         ExecStart=/bin/sh -c 'head -c 100000 /dev/zero | tr \"\\\\0\" x; echo; printf tail-without-newline'\n",
    )]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Finished long.service");
    sup.stop();
    let out = pod.journal_text(&["-t", "long", "-o", "cat"]);
    let lengths: Vec<usize> = out.lines().map(str::len).collect();
    assert_eq!(lengths, vec![49152, 49152, 1696, 20], "{lengths:?}");
    assert!(out.ends_with("tail-without-newline\n"));
}

#[test]
fn empty_lines_are_left_out_of_the_journal_as_journald_leaves_them() {
    let pod = LogPod::new(&[(
        "gaps.service",
        "[Service]\nAutostart=yes\nType=oneshot\nSyslogIdentifier=gaps\n\
         ExecStart=/bin/sh -c 'echo a; echo; echo \"<6>\"; echo b'\n",
    )]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Finished gaps.service");
    sup.stop();
    // An empty line, and one that is only a level prefix, leave no record.
    assert_eq!(pod.journal_text(&["-t", "gaps", "-o", "cat"]), "a\nb\n");
}

#[test]
fn supervisor_messages_are_journaled_as_systemd_writes_them() {
    let pod = LogPod::new(&[(
        "fails.service",
        "[Unit]\nDescription=Fails\n[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'exit 3'\n",
    )]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Failed with result");
    let out = pod.wait_for_journal(
        &[
            "-u",
            "fails.service",
            "-p",
            "warning",
            "-o",
            "json",
            "--output-fields=MESSAGE,SYSLOG_IDENTIFIER,UNIT,PRIORITY",
        ],
        "Failed with result",
    );
    let warning = out
        .lines()
        .find(|l| l.contains("Failed with result"))
        .expect("warning line");
    let value: serde_json::Value = serde_json::from_str(warning).expect("json");
    assert_eq!(value["SYSLOG_IDENTIFIER"], "systemd");
    assert_eq!(value["UNIT"], "fails.service");
    assert_eq!(value["PRIORITY"], "4");
    let notice = pod.journal_text(&["-u", "fails.service", "-p", "notice..notice", "-o", "cat"]);
    assert_eq!(
        notice,
        "fails.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED\n"
    );
    sup.stop();
}

#[test]
fn follow_prints_new_entries_as_they_are_written() {
    let pod = LogPod::new(&[(
        "ticker.service",
        "[Service]\nAutostart=yes\nSyslogIdentifier=ticker\n\
         ExecStart=/bin/sh -c 'echo first; sleep 1; echo second; sleep 1; echo third; exec sleep 60'\n",
    )]);
    let sup = pod.start(&[]);
    pod.wait_for_journal(&["-t", "ticker", "-o", "cat"], "first");
    let mut follower = std::process::Command::new(crate::harness::RUNR)
        .args(["journalctl", "-f", "-n", "1", "-t", "ticker", "-o", "cat"])
        .env("RUNR_JOURNAL_DIR", pod.journal())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("follow");
    let stdout = follower.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !seen.contains(&"third".to_string()) && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push(line);
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    sup.stop();
    assert!(seen.contains(&"third".to_string()), "{seen:?}");
    let at = |s: &str| seen.iter().position(|l| l == s);
    assert!(at("second") < at("third"), "{seen:?}");
    assert_eq!(
        seen.iter().filter(|l| *l == "second").count(),
        1,
        "{seen:?}"
    );
}

#[test]
fn a_service_writing_faster_than_the_disk_loses_no_line() {
    // Far more lines than the writer's queue holds, as fast as `yes` can:
    // the log thread waits for the writer, the service for its pipe.
    const LINES: usize = 200_000;
    let pod = LogPod::new(&[(
        "flood.service",
        &format!(
            "[Service]\nAutostart=yes\nType=oneshot\n\
             ExecStart=/bin/sh -c 'yes \"a line of the flood, as fast as the shell can write them\" | head -n {LINES}'\n\
             [Log]\nSink=none\nPrefix=\nFileSize=1M\nFileCount=100\n"
        ),
    )]);
    let mut sup = pod.start(&[]);
    sup.wait_for("flood.service");
    sup.wait_for("Finished");
    sup.stop();
    let mut lines = 0;
    for entry in std::fs::read_dir(pod.logs()).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("flood.log") {
            lines += std::fs::read_to_string(entry.path())
                .unwrap()
                .lines()
                .count();
        }
    }
    assert_eq!(lines, LINES);
}

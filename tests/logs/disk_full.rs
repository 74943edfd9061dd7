//! A full disk under the journal and the log files: the service keeps
//! running, lines are dropped and counted, the failure and the recovery
//! are each reported once, and writing resumes when space comes back.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::LogPod;

/// A small tmpfs on a directory of its own, unmounted when dropped.
struct SmallTmpfs {
    dir: tempfile::TempDir,
}

impl SmallTmpfs {
    fn mount(size: &str) -> Option<SmallTmpfs> {
        let dir = tempfile::Builder::new()
            .prefix("runr-full-")
            .tempdir()
            .ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallTmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallTmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn alive(pid: i32) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !state.is_empty() && !state.contains(") Z ")
}

#[test]
fn a_full_disk_drops_and_counts_lines_and_the_service_keeps_running() {
    let Some(fs) = SmallTmpfs::mount("512k") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        return;
    };
    // Most of the file system taken, so the journal's segment cannot grow.
    let filler = fs.path().join("filler");
    let fill = Command::new("dd")
        .args(["if=/dev/zero", "bs=1k", "count=440"])
        .arg(format!("of={}", filler.display()))
        .status()
        .expect("dd");
    assert!(fill.success());
    let mut pod = LogPod::new(&[]);
    pod.set_journal(&fs.path().join("journal"));
    let pidfile = pod.root().join("writer.pid");
    pod.add(
        "writer.service",
        &format!(
            "[Service]\nAutostart=yes\nSyslogIdentifier=writer\n\
             ExecStart=/bin/sh -c 'echo $$$$ > {}; i=0; while :; do echo \"line $i padded to take some room in the journal\"; i=$((i+1)); sleep 0.002; done'\n\
             [Log]\nSink=none\nDirectory={}\n",
            pidfile.display(),
            fs.path().join("files").display()
        ),
    );
    let mut sup = pod.start(&[]);
    sup.wait_for("Failed to write to the journal in");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("pid file")
        .trim()
        .parse()
        .expect("pid");
    // Still writing while nothing can be kept.
    std::thread::sleep(Duration::from_millis(500));
    assert!(alive(pid), "the service died on a full disk");

    std::fs::remove_file(&filler).expect("free space");
    sup.wait_for("Writing to the journal in");
    // Every failure reported has its recovery reported too.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut out = sup.output().to_string();
    while out.matches("Failed to write to the journal in").count()
        > out.matches("Writing to the journal in").count()
    {
        assert!(Instant::now() < deadline, "no recovery reported:\n{out}");
        std::thread::sleep(Duration::from_millis(100));
        out = sup.output().to_string();
    }
    // Reported when writing starts failing and when it works again, not
    // per line. (At the very edge of a full disk a small batch may still
    // fit: then the pair can come more than once.)
    let failures = out.matches("Failed to write to the journal in").count();
    let recoveries: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("works again;") && l.contains("/journal "))
        .collect();
    assert!((1..=5).contains(&failures), "{out}");
    assert_eq!(failures, recoveries.len(), "{out}");
    let dropped: u64 = recoveries
        .iter()
        .filter_map(|l| {
            l.split("works again; ")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert!(dropped > 0, "{out}");
    assert!(alive(pid));

    // What came after the recovery is in the journal again, and the
    // journal says what happened.
    let since_recovery = |text: &str| text.lines().last().map(String::from);
    let before = pod.journal_text(&["-t", "writer", "-n", "1", "-o", "cat"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = pod.journal_text(&["-t", "writer", "-n", "1", "-o", "cat"]);
        if since_recovery(&now) != since_recovery(&before) {
            break;
        }
        assert!(Instant::now() < deadline, "no new lines after the recovery");
        std::thread::sleep(Duration::from_millis(100));
    }
    let own = pod.journal_text(&["-t", "runr", "-o", "cat"]);
    assert!(own.contains("works again;"), "{own}");
    sup.stop();
}

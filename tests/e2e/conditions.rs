//! Condition*= and Assert*= as systemctl shows them: every command of
//! golden/systemctl/conditions/live (captured from systemd 252 booted in
//! namespaces, see the README there) run again, in the same order, in a
//! guest whose PID 1 is runr, and its stdout, stderr and exit code compared
//! with systemd's after the shared normaliser. The commands enable and
//! start the units themselves, so the guest boots with the unit files only.

use std::path::{Path, PathBuf};

use super::guest::Guest;
use super::systemctl_golden::{comparable, quote};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/conditions");

struct Case {
    id: String,
    rc: i32,
    command: String,
}

fn cases() -> Vec<Case> {
    let index = std::fs::read_to_string(Path::new(GOLDEN).join("live/index.tsv")).unwrap();
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

fn read_golden(id: &str, ext: &str) -> String {
    std::fs::read_to_string(Path::new(GOLDEN).join("live").join(format!("{id}.{ext}")))
        .unwrap_or_default()
}

fn boot() -> Guest {
    // The oracle's guest boots multi-user.target, which the enabled units
    // are wanted by; so does this one.
    let links = tempfile::tempdir().expect("temp dir");
    let default_target = links.path().join("default.target");
    std::os::unix::fs::symlink("/lib/systemd/system/multi-user.target", &default_target)
        .expect("symlink");
    let files: Vec<(PathBuf, &str)> = vec![(default_target, "/etc/systemd/system/default.target")];
    let guest = Guest::boot_like_the_oracle(&Path::new(GOLDEN).join("units"), &files);
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
fn conditions_and_asserts_goldens_against_runr_as_pid_1() {
    let guest = boot();
    let hostname = guest.name.clone();
    let mut report = String::new();
    let (mut same, mut compared) = (0, 0);
    for case in cases() {
        compared += 1;
        let out = guest.sh(&format!("timeout -k 2 30 sh -c {}", quote(&case.command)));
        let got_out = comparable(
            &String::from_utf8_lossy(&out.stdout),
            &hostname,
            &case.command,
        );
        let got_err = comparable(
            &String::from_utf8_lossy(&out.stderr),
            &hostname,
            &case.command,
        );
        let want_out = comparable(&read_golden(&case.id, "stdout"), "oracle", &case.command);
        let want_err = comparable(&read_golden(&case.id, "stderr"), "oracle", &case.command);
        let rc = out.status.code().unwrap_or(-1);
        if got_out == want_out && got_err == want_err && rc == case.rc {
            same += 1;
        } else {
            report.push_str(&format!(
                "=== {} (rc {rc}, want {}): {}\n--- stdout\n{got_out}--- want\n{want_out}--- stderr\n{got_err}--- want\n{want_err}\n",
                case.id, case.rc, case.command
            ));
        }
    }
    eprintln!("condition goldens: {same} of {compared} match runr");
    assert!(compared >= 150, "only {compared} cases found");
    assert!(report.is_empty(), "cases that differ:\n{report}");
}

//! The systemctl face with no daemon running (a Dockerfile's RUN step),
//! replaying golden/systemctl/offline-commands.tsv in order on a temporary
//! tree, through a `systemctl` symlink to runr (argv[0] dispatch), and
//! comparing stdout, stderr and the exit code with what systemctl 252
//! printed (golden/systemctl/offline/).
//!
//! The "files" cases ran on /etc/systemd/system, /usr/local/lib/systemd/system
//! and /opt/units; here those are directories of a temporary tree given as
//! RUNR_UNIT_PATH, and the tree's path is taken out of what runr prints.
//! The "root" cases ran with --root=/tmp/sctl-offline-root; here --root= is
//! another temporary tree, put back as /tmp/sctl-offline-root in the output.

use std::path::{Path, PathBuf};
use std::process::Command;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl");

/// Cases where runr answers otherwise on purpose, and why. The test fails
/// if one of them starts to match, so that the list stays honest.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[
    (
        "files/54-cat",
        "cat works without a manager in runr; systemctl 252 refuses",
    ),
    ("files/55-cat-dropin", "cat works without a manager in runr"),
    (
        "files/56-cat-missing",
        "cat works without a manager in runr: 'No files found'",
    ),
    (
        "files/57-cat-instance",
        "cat works without a manager in runr",
    ),
    ("files/58-cat-masked", "cat works without a manager in runr"),
    ("files/59-cat-two", "cat works without a manager in runr"),
    (
        "files/71-version",
        "runr names itself in --version's first line",
    ),
];

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// The demo units installed as capture-offline.sh installs them.
    fn new(with_targets: bool) -> Tree {
        let dir = tempfile::Builder::new()
            .prefix("runr-sctl-offline-")
            .tempdir()
            .unwrap();
        let root = dir.path();
        let put = |from: &Path, to: &str| {
            let dest = root.join(to.trim_start_matches('/'));
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(from, dest).unwrap();
        };
        for entry in std::fs::read_dir(Path::new(GOLDEN).join("units")).unwrap() {
            let entry = entry.unwrap();
            put(
                &entry.path(),
                &format!(
                    "/etc/systemd/system/{}",
                    entry.file_name().to_string_lossy()
                ),
            );
        }
        let extra = Path::new(GOLDEN).join("extra");
        put(
            &extra.join("demo-masked.service"),
            "/usr/local/lib/systemd/system/demo-masked.service",
        );
        put(
            &extra.join("demo-linked.service"),
            "/opt/units/demo-linked.service",
        );
        put(
            &extra.join("demo-reload-override.conf"),
            "/etc/systemd/system/demo-reload.service.d/override.conf",
        );
        if with_targets {
            let lib = root.join("lib/systemd/system");
            std::fs::create_dir_all(&lib).unwrap();
            for target in ["multi-user.target", "timers.target"] {
                std::fs::write(lib.join(target), "[Unit]\nDescription=x\n").unwrap();
            }
        }
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_runr"), root.join("bin/systemctl")).unwrap();
        Tree { dir }
    }

    fn path(&self) -> String {
        self.dir.path().display().to_string()
    }

    fn unit_path(&self) -> String {
        [
            "etc/systemd/system",
            "usr/local/lib/systemd/system",
            "usr/lib/systemd/system",
            "lib/systemd/system",
        ]
        .iter()
        .map(|d| format!("{}/{d}", self.path()))
        .collect::<Vec<_>>()
        .join(":")
    }
}

struct Case {
    group: String,
    slug: String,
    command: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(Path::new(GOLDEN).join("offline-commands.tsv")).unwrap();
    let mut seq = std::collections::BTreeMap::new();
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let group = parts.next().unwrap().to_string();
            let slug = parts.next().unwrap().to_string();
            let command = parts.next().unwrap().to_string();
            let n = seq.entry(group.clone()).or_insert(0);
            let slug = format!("{:02}-{slug}", *n);
            *n += 1;
            Case {
                group,
                slug,
                command,
            }
        })
        .collect()
}

struct Outcome {
    stdout: String,
    stderr: String,
    rc: i32,
}

fn golden(case: &Case) -> Outcome {
    let base = Path::new(GOLDEN)
        .join("offline")
        .join(&case.group)
        .join(&case.slug);
    let read = |ext: &str| std::fs::read_to_string(base.with_extension(ext)).unwrap();
    Outcome {
        stdout: read("stdout"),
        stderr: read("stderr"),
        rc: read("rc").trim().parse().unwrap(),
    }
}

/// Runs a case's command line as capture-offline.sh ran it: a clean
/// environment, `sh -c`, cwd /tmp.
fn run(case: &Case, files: &Tree, root: &Tree) -> Outcome {
    let (command, tree_path, shown_as) = if case.group == "root" {
        (
            case.command.replace("/tmp/sctl-offline-root", &root.path()),
            root.path(),
            "/tmp/sctl-offline-root".to_string(),
        )
    } else {
        (
            case.command
                .replace("/opt/units/", &format!("{}/opt/units/", files.path())),
            files.path(),
            String::new(),
        )
    };
    let full = if case.slug.ends_with("-tty") {
        format!(
            "TERM=xterm-256color script -qec {} /dev/null",
            shell_quote(&format!("stty cols 80 rows 24 -onlcr; {command}"))
        )
    } else {
        command
    };
    let output = Command::new("sh")
        .arg("-c")
        .arg(&full)
        .current_dir("/tmp")
        .env_clear()
        .env(
            "PATH",
            format!("{}/bin:/usr/sbin:/usr/bin:/sbin:/bin", files.path()),
        )
        .env("HOME", "/root")
        .env("LANG", "C.UTF-8")
        .env("TERM", "dumb")
        .env("RUNR_UNIT_PATH", files.unit_path())
        .env("RUNR_DIALECT", "systemd")
        .env("RUNR_SOCKET", format!("{}/no-daemon.sock", files.path()))
        .output()
        .unwrap();
    let unroot = |text: &[u8]| String::from_utf8_lossy(text).replace(&tree_path, &shown_as);
    Outcome {
        stdout: unroot(&output.stdout),
        stderr: unroot(&output.stderr),
        rc: output.status.code().unwrap_or(-1),
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[test]
fn offline_goldens_replay_byte_for_byte() {
    let files = Tree::new(false);
    let root = Tree::new(true);
    let mut differing = Vec::new();
    let mut known_matching = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let id = format!("{}/{}", case.group, case.slug);
        let want = golden(&case);
        let got = run(&case, &files, &root);
        let same = got.stdout == want.stdout && got.stderr == want.stderr && got.rc == want.rc;
        let known = KNOWN_DIFFERENT.iter().any(|(k, _)| *k == id);
        checked += 1;
        match (same, known) {
            (true, true) => known_matching.push(id),
            (false, false) => differing.push(format!(
                "{id}: {}\n--- rc {} (want {})\n--- stdout\n{}--- want\n{}--- stderr\n{}--- want\n{}",
                case.command, got.rc, want.rc, got.stdout, want.stdout, got.stderr, want.stderr
            )),
            _ => {}
        }
    }
    assert!(checked >= 90, "only {checked} cases");
    assert!(
        known_matching.is_empty(),
        "listed as known-different but now matching (update KNOWN_DIFFERENT): {known_matching:?}"
    );
    assert!(differing.is_empty(), "{}", differing.join("\n\n"));
}

#[test]
fn a_systemctl_symlink_and_runr_systemctl_answer_alike() {
    let files = Tree::new(false);
    let via = |program: PathBuf, first: Option<&str>| {
        let mut cmd = Command::new(program);
        if let Some(f) = first {
            cmd.arg(f);
        }
        let out = cmd
            .args(["is-enabled", "demo-once.service", "demo-idle.service"])
            .env("RUNR_UNIT_PATH", files.unit_path())
            .env("RUNR_DIALECT", "systemd")
            .env("RUNR_SOCKET", format!("{}/none.sock", files.path()))
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
        )
    };
    let by_link = via(files.dir.path().join("bin/systemctl"), None);
    let by_word = via(PathBuf::from(env!("CARGO_BIN_EXE_runr")), Some("systemctl"));
    assert_eq!(by_link, ("static\ndisabled\n".to_string(), Some(0)));
    assert_eq!(by_word, by_link);
}

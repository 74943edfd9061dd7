//! A pod for the log tests: unit files, a journal directory, a log
//! directory and a syslog socket in one temporary directory, the
//! supervisor that runs them, and the journalctl face pointed at them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use super::supervisor_process::Supervisor;

pub const RUNR: &str = env!("CARGO_BIN_EXE_runr");

pub struct LogPod {
    dir: tempfile::TempDir,
    journal: Option<PathBuf>,
}

impl LogPod {
    pub fn new(units: &[(&str, &str)]) -> LogPod {
        let dir = tempfile::Builder::new()
            .prefix("runr-logs-")
            .tempdir()
            .expect("tempdir");
        let pod = LogPod { dir, journal: None };
        std::fs::create_dir_all(pod.units()).expect("units dir");
        for (name, text) in units {
            pod.add(name, text);
        }
        pod
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn units(&self) -> PathBuf {
        self.root().join("units")
    }
    pub fn journal(&self) -> PathBuf {
        self.journal
            .clone()
            .unwrap_or_else(|| self.root().join("journal"))
    }

    /// Keeps the journal somewhere else (a small file system).
    pub fn set_journal(&mut self, path: &Path) {
        self.journal = Some(path.to_path_buf());
    }
    pub fn logs(&self) -> PathBuf {
        self.root().join("logs")
    }
    pub fn syslog_socket(&self) -> PathBuf {
        self.root().join("log.sock")
    }
    pub fn syslog_stream_socket(&self) -> PathBuf {
        self.root().join("log.stream")
    }

    pub fn add(&self, name: &str, text: &str) {
        std::fs::write(self.units().join(name), text).expect("write unit");
    }

    /// Starts the supervisor with the pod's directories and `extra` flags.
    pub fn start(&self, extra: &[&str]) -> Supervisor {
        let socket = self.syslog_socket().display().to_string();
        let mut flags = vec!["--syslog-socket", &socket];
        flags.extend_from_slice(extra);
        self.start_without_syslog_socket(&flags)
    }

    /// The same, without `--syslog-socket`: the datagram socket is the one
    /// syslog.conf names, if any.
    pub fn start_without_syslog_socket(&self, extra: &[&str]) -> Supervisor {
        let mut command = Command::new(RUNR);
        command
            // The log tests' units are written for systemd.
            .env("RUNR_DIALECT", "systemd")
            .arg("supervisor")
            .arg(self.units())
            .arg("--api-socket")
            .arg(self.root().join("api.sock"))
            .arg("--journal-dir")
            .arg(self.journal())
            .arg("--log-dir")
            .arg(self.logs())
            .arg("--syslog-stream-socket")
            .arg(self.syslog_stream_socket())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Supervisor::spawn(command, Duration::from_secs(20))
    }

    /// The journalctl face on the pod's journal.
    pub fn journalctl(&self, args: &[&str]) -> Output {
        Command::new(RUNR)
            .arg("journalctl")
            .args(args)
            .env("RUNR_JOURNAL_DIR", self.journal())
            .env("TZ", "UTC")
            .env_remove("SYSTEMD_COLORS")
            .env_remove("NO_COLOR")
            .output()
            .expect("run journalctl")
    }

    pub fn journal_text(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.journalctl(args).stdout).into_owned()
    }

    /// Waits (up to 20 s) until `journalctl ARGS` prints `text`.
    pub fn wait_for_journal(&self, args: &[&str], text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self.journal_text(args);
            if out.contains(text) {
                return out;
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} in journalctl {args:?} within 20 s:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

pub fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether a program is installed (logger, python3, script, timeout).
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program} >/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}

//! A pod for the log tests: unit files, a journal directory, a log
//! directory and a syslog socket in one temporary directory, the
//! supervisor that runs them, and the journalctl face pointed at them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

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
        let mut command = Command::new(RUNR);
        command
            .arg("supervisor")
            .arg(self.units())
            .arg("--api-socket")
            .arg(self.root().join("api.sock"))
            .arg("--journal-dir")
            .arg(self.journal())
            .arg("--log-dir")
            .arg(self.logs())
            .arg("--syslog-socket")
            .arg(self.syslog_socket())
            .arg("--syslog-stream-socket")
            .arg(self.syslog_stream_socket())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Supervisor::spawn(command)
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

pub struct Supervisor {
    child: Child,
    lines: Receiver<String>,
    seen: String,
}

impl Supervisor {
    fn spawn(mut command: Command) -> Supervisor {
        let mut child = command.spawn().expect("start supervisor");
        let (tx, rx) = channel();
        let streams: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout")),
            Box::new(child.stderr.take().expect("stderr")),
        ];
        for stream in streams {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Supervisor {
            child,
            lines: rx,
            seen: String::new(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    fn take_lines(&mut self, wait: Duration) -> bool {
        match self.lines.recv_timeout(wait) {
            Ok(line) => {
                self.seen.push_str(&line);
                self.seen.push('\n');
                while let Ok(line) = self.lines.try_recv() {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Waits (up to 20 s) for a line of the supervisor's output holding `text`.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {text:?} within 20 s; output:\n{}",
                self.seen
            );
            self.take_lines(left.min(Duration::from_millis(200)));
        }
    }

    #[allow(dead_code)]
    pub fn output(&mut self) -> &str {
        while self.take_lines(Duration::from_millis(10)) {}
        &self.seen
    }

    /// SIGTERM, then everything it printed until it exited (up to 20 s).
    pub fn stop(mut self) -> String {
        let _ = kill(Pid::from_raw(self.pid()), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                while self.take_lines(Duration::from_millis(100)) {}
                assert!(
                    status.success(),
                    "supervisor exited with {status}:\n{}",
                    self.seen
                );
                return std::mem::take(&mut self.seen);
            }
            assert!(
                Instant::now() < deadline,
                "supervisor did not stop within 20 s:\n{}",
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
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

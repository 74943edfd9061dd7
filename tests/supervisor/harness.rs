//! A pod of unit files in a temporary directory and the supervisor that
//! runs it, killed by PID if a test leaves it running.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub struct Pod {
    dir: tempfile::TempDir,
}

impl Pod {
    pub fn new(units: &[(&str, &str)]) -> Pod {
        let pod = Pod {
            dir: tempfile::Builder::new()
                .prefix("runr-pod-")
                .tempdir()
                .unwrap(),
        };
        for (name, text) in units {
            pod.add(name, text);
        }
        pod
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Where the supervisor keeps its background tasks' records
    /// ($RUNR_BACKGROUND_DIR), inside the pod so that tests never touch
    /// /var/lib/runr.
    pub fn background_dir(&self) -> PathBuf {
        self.dir.path().join("background")
    }

    /// The control API socket of this pod's supervisor.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("runr.sock")
    }

    pub fn add(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    /// Where the supervisor's /run, /var/lib, ... are ($RUNR_ROOT): inside
    /// the pod, so that tests running as root leave the host alone.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// Where this pod's supervisor keeps state across restarts (timer stamps).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn start(&self) -> Supervisor {
        self.start_with_env(&[])
    }

    /// Starts the supervisor with extra environment variables.
    pub fn start_with_env(&self, env: &[(&str, &str)]) -> Supervisor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_runr"))
            .env("RUNR_STATE_DIRECTORY", self.state_dir())
            .envs(env.iter().copied())
            .arg("supervisor")
            .arg(self.dir.path())
            .env("RUNR_ROOT", self.root())
            .arg("--api-socket")
            .arg(self.socket())
            // The journal stays in the pod, never in the host's /var/log.
            .arg("--journal-dir")
            .arg(self.dir.path().join(".journal"))
            .env("RUNR_BACKGROUND_DIR", self.background_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
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
}

pub struct Supervisor {
    child: Child,
    lines: Receiver<String>,
    seen: String,
}

impl Supervisor {
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

    /// Waits (up to 15 s) for a line containing `text`.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {text:?} within 15 s; output:\n{}",
                self.seen
            );
            self.take_lines(left.min(Duration::from_millis(200)));
        }
    }

    pub fn output(&self) -> &str {
        &self.seen
    }

    /// SIGTERM, then everything it printed until it exited (up to 15 s).
    pub fn stop(mut self) -> String {
        let _ = kill(Pid::from_raw(self.pid()), Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
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
                "supervisor did not stop within 15 s:\n{}",
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }
}

impl Supervisor {
    /// Waits (up to 15 s) for the supervisor to exit on its own; its exit
    /// code and everything it printed.
    pub fn wait_exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                while self.take_lines(Duration::from_millis(100)) {}
                return (status.code().unwrap_or(-1), std::mem::take(&mut self.seen));
            }
            assert!(
                Instant::now() < deadline,
                "supervisor did not exit within 15 s:\n{}",
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }

    /// SIGKILL, and waits for it to be gone: a crash, which leaves its
    /// services running (they are reparented, not killed).
    pub fn kill_hard(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while self.take_lines(Duration::from_millis(50)) {}
        std::mem::take(&mut self.seen)
    }

    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.pid()), signal).unwrap();
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

pub fn alive(pid: i32) -> bool {
    // A zombie still answers kill(0); check its state too.
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    kill(Pid::from_raw(pid), None).is_ok() && !state.contains(") Z ")
}

/// Children of `parent` that have exited and were not waited for.
pub fn zombie_children(parent: i32) -> Vec<i32> {
    let mut zombies = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("stat"))
            .unwrap_or_default();
        let Some(after_name) = stat.rsplit_once(") ").map(|(_, r)| r.to_string()) else {
            continue;
        };
        let fields: Vec<&str> = after_name.split(' ').collect();
        if fields.first() == Some(&"Z")
            && fields.get(1).and_then(|p| p.parse::<i32>().ok()) == Some(parent)
        {
            zombies.push(pid);
        }
    }
    zombies
}

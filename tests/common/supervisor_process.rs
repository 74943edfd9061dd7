//! A `runr supervisor` started by a test: its stdout and stderr collected
//! line by line, waited on with a deadline, stopped with SIGTERM, and
//! killed by PID if a test leaves it running.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub struct Supervisor {
    child: Child,
    lines: Receiver<String>,
    seen: String,
    /// How long waits for output, a stop or an exit may take.
    patience: Duration,
}

impl Supervisor {
    /// Starts `command` (whose stdout and stderr are piped) and reads both.
    pub fn spawn(mut command: Command, patience: Duration) -> Supervisor {
        let mut child = command.spawn().expect("start supervisor");
        let (tx, rx) = channel();
        let streams: [Box<dyn std::io::Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("stdout is piped")),
            Box::new(child.stderr.take().expect("stderr is piped")),
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
            patience,
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

    /// Waits for a line containing `text`.
    pub fn wait_for(&mut self, text: &str) {
        self.wait_for_within(text, self.patience);
    }

    /// Waits for a line containing `text`, for longer or shorter than the
    /// usual patience (a timer that may batch its wakeup a minute later).
    pub fn wait_for_within(&mut self, text: &str, patience: Duration) {
        let deadline = Instant::now() + patience;
        while !self.seen.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {text:?} within {patience:?}; output:\n{}",
                self.seen
            );
            self.take_lines(left.min(Duration::from_millis(200)));
        }
    }

    /// Everything printed so far.
    pub fn output(&mut self) -> &str {
        while self.take_lines(Duration::from_millis(10)) {}
        &self.seen
    }

    /// SIGTERM, then everything it printed until it exited.
    pub fn stop(mut self) -> String {
        let _ = kill(Pid::from_raw(self.pid()), Signal::SIGTERM);
        let deadline = Instant::now() + self.patience;
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
                "supervisor did not stop within {:?}:\n{}",
                self.patience,
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }

    /// Waits for the supervisor to exit on its own; its exit code and
    /// everything it printed.
    #[allow(dead_code)]
    pub fn wait_exit(mut self) -> (i32, String) {
        let deadline = Instant::now() + self.patience;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                while self.take_lines(Duration::from_millis(100)) {}
                return (status.code().unwrap_or(-1), std::mem::take(&mut self.seen));
            }
            assert!(
                Instant::now() < deadline,
                "supervisor did not exit within {:?}:\n{}",
                self.patience,
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }

    /// Waits for the supervisor to end on its own; how it ended (an exit
    /// code or a signal) and everything it printed.
    #[allow(dead_code)]
    pub fn wait_end(mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + self.patience;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                while self.take_lines(Duration::from_millis(100)) {}
                return (status, std::mem::take(&mut self.seen));
            }
            assert!(
                Instant::now() < deadline,
                "supervisor did not end within {:?}:\n{}",
                self.patience,
                self.seen
            );
            self.take_lines(Duration::from_millis(50));
        }
    }

    /// SIGKILL, and waits for it to be gone: a crash, which leaves its
    /// services running (they are reparented, not killed).
    #[allow(dead_code)]
    pub fn kill_hard(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        while self.take_lines(Duration::from_millis(50)) {}
        std::mem::take(&mut self.seen)
    }

    #[allow(dead_code)]
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

//! A pod of unit files in a temporary directory and the supervisor that
//! runs it, killed by PID if a test leaves it running.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::kill;
use nix::unistd::Pid;

pub use super::supervisor_process::Supervisor;

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

    /// Starts the supervisor with the pod's directory in runr's own
    /// dialect, as `runr supervisor DIR` reads it by default.
    pub fn start_in_runr_dialect(&self) -> Supervisor {
        let mut command = self.command(&[]);
        command.env_remove("RUNR_DIALECT");
        Supervisor::spawn(command, Duration::from_secs(15))
    }

    /// Starts the supervisor with extra environment variables.
    pub fn start_with_env(&self, env: &[(&str, &str)]) -> Supervisor {
        Supervisor::spawn(self.command(env), Duration::from_secs(15))
    }

    /// Starts the supervisor with its command adjusted first (limits or
    /// capabilities set in a `pre_exec`, say).
    pub fn start_adjusted(&self, adjust: impl FnOnce(&mut Command)) -> Supervisor {
        let mut command = self.command(&[]);
        adjust(&mut command);
        Supervisor::spawn(command, Duration::from_secs(15))
    }

    fn command(&self, env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_runr"));
        command
            .env("RUNR_STATE_DIRECTORY", self.state_dir())
            // These pods are written for systemd; runr's own dialect has
            // its tests (RUNR_DIALECT=runr in `env`).
            .env("RUNR_DIALECT", "systemd")
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
            .stderr(Stdio::piped());
        command
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

//! A `runr supervisor` started by a benchmark on a scratch directory: its
//! own socket, journal, state and runtime roots, no syslog socket, and no
//! output; stopped with SIGTERM and reaped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The runr binary to time: `BENCH_RUNR=PATH` (the static one `make build`
/// makes, as deployed), else the bench build's.
pub fn runr_binary() -> PathBuf {
    std::env::var_os("BENCH_RUNR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_runr")))
}

pub struct Supervisor(pub Child);

impl Supervisor {
    /// Starts `binary supervisor UNITS` with everything it writes under
    /// `dir` and its control socket at `socket`.
    pub fn start(binary: &Path, units: &Path, dir: &Path, socket: &Path) -> std::io::Result<Self> {
        Command::new(binary)
            .arg("supervisor")
            .arg(units)
            .arg("--api-socket")
            .arg(socket)
            .arg("--journal-dir")
            .arg(dir.join("journal"))
            .arg("--syslog-socket")
            .arg("none")
            .env("RUNR_STATE_DIRECTORY", dir.join("state"))
            .env("RUNR_ROOT", dir.join("root"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(Supervisor)
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

/// SIGTERM to the process this benchmark started, by PID, and its reaping.
pub fn stop(child: &mut Child) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let _ = child.wait();
}

//! `--pipe`: the caller's stdin, stdout and stderr go to the service. The
//! face listens on a unix socket in a private directory (mode 0700) and
//! names it in its request; the daemon connects, and once the face has
//! said "Running as unit", it sends the three descriptors (SCM_RIGHTS).
//! The daemon starts the service when they arrive, so nothing the service
//! writes can come before that line.

use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use crate::control::stdio_pass::send_fds;

pub struct StdioOffer {
    directory: PathBuf,
    socket: PathBuf,
    listener: UnixListener,
}

impl StdioOffer {
    pub fn new() -> io::Result<StdioOffer> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let directory =
            std::env::temp_dir().join(format!("runr-run-{}-{nanos:09}", std::process::id()));
        std::fs::DirBuilder::new().mode(0o700).create(&directory)?;
        let socket = directory.join("stdio.sock");
        let listener = match UnixListener::bind(&socket) {
            Ok(listener) => listener,
            Err(e) => {
                let _ = std::fs::remove_dir(&directory);
                return Err(e);
            }
        };
        Ok(StdioOffer {
            directory,
            socket,
            listener,
        })
    }

    pub fn path(&self) -> &Path {
        &self.socket
    }

    /// Waits for the daemon's connection and sends our stdin, stdout and
    /// stderr.
    pub fn hand_over(self) -> io::Result<()> {
        let (connection, _) = self.listener.accept()?;
        let stdin = io::stdin();
        let stdout = io::stdout();
        let stderr = io::stderr();
        send_fds(&connection, [stdin.as_fd(), stdout.as_fd(), stderr.as_fd()])
    }
}

impl Drop for StdioOffer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_dir(&self.directory);
    }
}

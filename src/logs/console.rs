//! Writes every line to the supervisor's stdout, where `docker logs` and
//! `kubectl logs` read a container's output: `IDENTIFIER[PID]: line` for
//! what services print, `runr[PID]: message` for the supervisor's own.

use std::io::Write;
use std::os::fd::OwnedFd;

use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::engine::executor::{LogSink, OutputStream};

pub struct ConsoleSink;

fn write_line(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed or full stdout must never stop the supervisor.
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

impl LogSink for ConsoleSink {
    fn supervisor_message(&self, _unit: &str, message: &str) {
        write_line(&format!("runr[{}]: {message}\n", std::process::id()));
    }

    fn attach_output(
        &self,
        _unit: &str,
        identifier: &str,
        pid: Pid,
        _stream: OutputStream,
        fd: OwnedFd,
    ) {
        let identifier = identifier.to_string();
        let Ok(pipe) = tokio::net::unix::pipe::Receiver::from_owned_fd(fd) else {
            return;
        };
        tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                write_line(&format!("{identifier}[{pid}]: {line}\n"));
            }
        });
    }
}

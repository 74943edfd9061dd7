//! The console mirror: lines for the supervisor's stdout, which is what
//! `docker logs` and `kubectl logs` read, written by a thread of their own
//! through a bounded queue. A stdout that is slow or blocked (nobody
//! reading the container's output) never holds up the services or the
//! journal: the queue fills, and further lines are dropped and counted.

use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::logs::counters::LogCounters;

enum Command {
    Line(Vec<u8>),
    Close(SyncSender<()>),
}

/// The producers' end; cheap to clone.
#[derive(Clone)]
pub struct ConsoleWriter {
    queue: SyncSender<Command>,
    counters: Arc<LogCounters>,
}

impl ConsoleWriter {
    /// Starts the thread that writes to stdout.
    pub fn start(
        capacity: usize,
        counters: Arc<LogCounters>,
    ) -> std::io::Result<(ConsoleWriter, JoinHandle<()>)> {
        let (tx, rx) = sync_channel(capacity.max(1));
        let thread = std::thread::Builder::new()
            .name("runr-console".into())
            .spawn(move || write_until_closed(rx))?;
        Ok((
            ConsoleWriter {
                queue: tx,
                counters,
            },
            thread,
        ))
    }

    /// Queues a whole line (newline included); dropped when stdout is behind.
    pub fn send(&self, line: Vec<u8>) {
        match self.queue.try_send(Command::Line(line)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                LogCounters::add(&self.counters.console_dropped, 1);
            }
        }
    }

    /// Writes what is queued, then stops the thread.
    pub fn close(&self) {
        let (tx, rx) = sync_channel(1);
        if self.queue.send(Command::Close(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

fn write_until_closed(rx: Receiver<Command>) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    while let Ok(command) = rx.recv() {
        let mut next = Some(command);
        while let Some(command) = next.take() {
            match command {
                // A closed or full stdout must never stop the supervisor.
                Command::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Command::Close(done) => {
                    let _ = out.flush();
                    let _ = done.send(());
                    return;
                }
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
    }
}

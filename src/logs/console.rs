//! The console mirror: lines for the supervisor's stdout, which is what
//! `docker logs` and `kubectl logs` read, written by a thread of their own
//! through a bounded queue. A stdout that is slow or blocked (nobody
//! reading the container's output) never holds up the services or the
//! journal: the queue fills, and further lines are dropped and counted.
//!
//! The queue is a list that grows with what is waiting and gives the memory
//! back once drained, bounded by a count of queued lines: a fixed ring of
//! that many slots would be allocated (and written) in full at start, to
//! sit idle in nearly every container.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use crate::logs::counters::LogCounters;

enum Command {
    Line(Vec<u8>),
    Close(SyncSender<()>),
}

/// The producers' end; cheap to clone.
#[derive(Clone)]
pub struct ConsoleWriter {
    queue: Sender<Command>,
    /// Lines queued and not yet taken by the thread, at most `capacity`.
    queued: Arc<AtomicUsize>,
    capacity: usize,
    counters: Arc<LogCounters>,
}

impl ConsoleWriter {
    /// Starts the thread that writes to stdout.
    pub fn start(
        capacity: usize,
        counters: Arc<LogCounters>,
    ) -> std::io::Result<(ConsoleWriter, JoinHandle<()>)> {
        let (tx, rx) = channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let taken = queued.clone();
        let thread = std::thread::Builder::new()
            .name("runr-console".into())
            .spawn(move || write_until_closed(rx, &taken))?;
        Ok((
            ConsoleWriter {
                queue: tx,
                queued,
                capacity: capacity.max(1),
                counters,
            },
            thread,
        ))
    }

    /// Queues a whole line (newline included); dropped when stdout is behind.
    pub fn send(&self, line: Vec<u8>) {
        if self.queued.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            LogCounters::add(&self.counters.console_dropped, 1);
            return;
        }
        if self.queue.send(Command::Line(line)).is_err() {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            LogCounters::add(&self.counters.console_dropped, 1);
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

fn write_until_closed(rx: Receiver<Command>, queued: &AtomicUsize) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    while let Ok(command) = rx.recv() {
        let mut next = Some(command);
        while let Some(command) = next.take() {
            match command {
                // A closed or full stdout must never stop the supervisor.
                Command::Line(line) => {
                    queued.fetch_sub(1, Ordering::AcqRel);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose queue nobody reads, as when stdout is blocked.
    fn stalled(capacity: usize) -> (ConsoleWriter, Receiver<Command>) {
        let (tx, rx) = channel();
        let writer = ConsoleWriter {
            queue: tx,
            queued: Arc::new(AtomicUsize::new(0)),
            capacity,
            counters: Arc::new(LogCounters::default()),
        };
        (writer, rx)
    }

    #[test]
    fn lines_beyond_the_capacity_are_dropped_and_counted() {
        let (writer, rx) = stalled(3);
        for n in 0..5u8 {
            writer.send(vec![n]);
        }
        assert_eq!(writer.counters.snapshot().console_dropped, 2);
        let kept: Vec<Vec<u8>> = rx
            .try_iter()
            .filter_map(|c| match c {
                Command::Line(line) => Some(line),
                Command::Close(_) => None,
            })
            .collect();
        assert_eq!(kept, vec![vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn a_drained_queue_takes_lines_again() {
        let (writer, rx) = stalled(2);
        for n in 0..3u8 {
            writer.send(vec![n]);
        }
        // What the writing thread does for each line it takes.
        while rx.try_recv().is_ok() {
            writer.queued.fetch_sub(1, Ordering::AcqRel);
        }
        writer.send(vec![9]);
        assert_eq!(writer.counters.snapshot().console_dropped, 1);
        assert!(matches!(rx.try_recv(), Ok(Command::Line(line)) if line == vec![9]));
    }

    #[test]
    fn close_writes_what_is_queued_and_stops_the_thread() {
        let (writer, thread) =
            ConsoleWriter::start(8, Arc::new(LogCounters::default())).expect("thread");
        writer.send(Vec::new());
        writer.close();
        thread.join().expect("joined");
        assert_eq!(writer.queued.load(Ordering::Acquire), 0);
        assert_eq!(writer.counters.snapshot().console_dropped, 0);
    }
}

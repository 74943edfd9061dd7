//! The disk writer: one thread that owns the journal and every log file,
//! fed through a bounded queue. The log thread waits when the queue is
//! full, so a service writing faster than the disk takes its lines waits
//! on its pipe, as it would with journald, and no line is lost. The queue
//! always moves: a write that fails (a full disk, a read-only mount) drops
//! its batch, counts it, and is reported once; writing resumes by itself.
//! The supervisor itself never waits: its messages reach the log thread
//! through an unbounded channel.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::logs::counters::LogCounters;
use crate::logs::journal::{JournalConfig, JournalWriter, Report};
use crate::logs::record::{Entry, Id128, LOG_DAEMON, LOG_INFO, LOG_WARNING, Stream};
use crate::logs::rotate::{RotateConfig, RotatingFile};

use crate::logs::console::ConsoleWriter;

/// Records the writer takes in one go before it writes them out.
const BATCH_RECORDS: usize = 1024;

/// One record for the journal, and optionally a line for a log file.
#[derive(Debug)]
pub struct JournalLine {
    pub realtime: u64,
    pub monotonic: u64,
    pub unit: Arc<str>,
    pub identifier: Arc<str>,
    pub pid: u32,
    pub priority: u8,
    pub facility: u8,
    pub stream: Stream,
    pub invocation_id: Id128,
    pub message: Vec<u8>,
    pub file: Option<FileLine>,
}

/// A line for a rotated log file, rendered (prefix and all, no newline).
#[derive(Debug)]
pub struct FileLine {
    pub target: Arc<RotateConfig>,
    pub line: Vec<u8>,
}

enum Command {
    Line(JournalLine),
    /// Write everything queued, seal the journal, finish rotations; then
    /// answer and stop.
    Close(SyncSender<()>),
}

/// The producers' end: cloneable; waits while the writer is behind.
#[derive(Clone)]
pub struct DiskWriterHandle {
    queue: SyncSender<Command>,
    counters: Arc<LogCounters>,
}

impl DiskWriterHandle {
    /// Queues a line, waiting while the writer is behind; a line that
    /// finds the writer gone is counted as dropped.
    pub fn send(&self, line: JournalLine) {
        if self.queue.send(Command::Line(line)).is_err() {
            LogCounters::add(&self.counters.writer_queue_dropped, 1);
        }
    }

    /// Asks the writer to finish and waits until it has.
    pub fn close(&self) {
        let (tx, rx) = sync_channel(1);
        if self.queue.send(Command::Close(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

pub struct DiskWriter {
    pub handle: DiskWriterHandle,
    pub thread: JoinHandle<()>,
}

/// Starts the writer thread over the journal at `journal`.
pub fn start_disk_writer(
    journal: JournalConfig,
    hostname: String,
    capacity: usize,
    counters: Arc<LogCounters>,
    console: ConsoleWriter,
) -> std::io::Result<DiskWriter> {
    let (tx, rx) = sync_channel(capacity.max(1));
    let handle = DiskWriterHandle {
        queue: tx,
        counters: counters.clone(),
    };
    let thread = std::thread::Builder::new()
        .name("runr-disk-writer".into())
        .spawn(move || {
            let mut state = WriterState {
                journal: JournalWriter::open(journal),
                files: HashMap::new(),
                file_drops_counted: HashMap::new(),
                hostname,
                counters,
                console,
                pending_reports: Vec::new(),
            };
            state.run(rx);
        })?;
    Ok(DiskWriter { handle, thread })
}

struct WriterState {
    journal: JournalWriter,
    /// Open log files by their live path.
    files: HashMap<PathBuf, RotatingFile>,
    /// Drops of each file already added to the shared counter.
    file_drops_counted: HashMap<PathBuf, u64>,
    hostname: String,
    counters: Arc<LogCounters>,
    console: ConsoleWriter,
    /// The writer's own messages, journaled after the batch at hand.
    pending_reports: Vec<(u8, String)>,
}

impl WriterState {
    fn run(&mut self, rx: Receiver<Command>) {
        while let Ok(first) = rx.recv() {
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(command) = next.take() {
                match command {
                    Command::Line(line) => self.append(line),
                    Command::Close(done) => {
                        self.flush();
                        self.close();
                        let _ = done.send(());
                        return;
                    }
                }
                taken += 1;
                if taken < BATCH_RECORDS {
                    next = rx.try_recv().ok();
                }
            }
            self.flush();
        }
        self.flush();
        self.close();
    }

    fn append(&mut self, line: JournalLine) {
        let entry = Entry {
            realtime: line.realtime,
            monotonic: line.monotonic,
            unit: &line.unit,
            pid: line.pid,
            priority: line.priority,
            facility: line.facility,
            stream: line.stream,
            invocation_id: line.invocation_id,
            identifier: &line.identifier,
            message: &line.message,
            hostname: &self.hostname,
        };
        let report = self.journal.append(&entry);
        self.journal_report(report);
        if let Some(file) = line.file {
            self.write_file_line(file);
        }
    }

    fn write_file_line(&mut self, file: FileLine) {
        let path = file.target.live_path();
        let stale = self
            .files
            .get(&path)
            .is_some_and(|open| open.config() != file.target.as_ref());
        if stale {
            // The unit's [Log] settings changed (daemon-reload): reopen.
            self.files.remove(&path);
        }
        let open = self
            .files
            .entry(path.clone())
            .or_insert_with(|| RotatingFile::new(file.target.as_ref().clone()));
        let report = open.write_line(&file.line);
        self.file_report(&path, report);
    }

    fn flush(&mut self) {
        let report = self.journal.flush();
        self.journal_report(report);
        let paths: Vec<PathBuf> = self.files.keys().cloned().collect();
        for path in paths {
            let report = self.files.get_mut(&path).and_then(RotatingFile::flush);
            self.file_report(&path, report);
        }
        self.journal_own_messages();
        self.counters
            .journal_dropped
            .store(self.journal.dropped(), std::sync::atomic::Ordering::Relaxed);
    }

    fn close(&mut self) {
        let report = self.journal.close();
        self.journal_report(report);
        for file in self.files.values_mut() {
            let _ = file.flush();
            file.wait_for_helper();
        }
        self.console.close();
    }

    fn journal_report(&mut self, report: Option<Report>) {
        let directory = self.journal.directory().display().to_string();
        match report {
            None => {}
            Some(Report::Failed(error)) => self.say(
                LOG_WARNING,
                format!(
                    "Failed to write to the journal in {directory}: {}; dropping log lines until it works again.",
                    crate::engine::errno_text(&error)
                ),
            ),
            Some(Report::Resumed { dropped }) => self.say(
                LOG_INFO,
                format!("Writing to the journal in {directory} works again; {dropped} log lines were dropped."),
            ),
        }
    }

    fn file_report(&mut self, path: &PathBuf, report: Option<Report>) {
        if let Some(file) = self.files.get(path) {
            let now = file.dropped();
            let counted = self.file_drops_counted.entry(path.clone()).or_insert(0);
            if now > *counted {
                LogCounters::add(&self.counters.file_dropped, now - *counted);
                *counted = now;
            }
        }
        match report {
            None => {}
            Some(Report::Failed(error)) => self.say(
                LOG_WARNING,
                format!(
                    "Failed to write to {}: {}; dropping its lines until it works again.",
                    path.display(),
                    crate::engine::errno_text(&error)
                ),
            ),
            Some(Report::Resumed { dropped }) => self.say(
                LOG_INFO,
                format!(
                    "Writing to {} works again; {dropped} lines were dropped.",
                    path.display()
                ),
            ),
        }
    }

    /// A message of the pipeline itself: on the console at once, and in
    /// the journal (where it may well be dropped too, and counted).
    fn say(&mut self, priority: u8, message: String) {
        self.console
            .send(format!("runr[{}]: {message}\n", std::process::id()).into_bytes());
        self.pending_reports.push((priority, message));
    }

    fn journal_own_messages(&mut self) {
        if self.pending_reports.is_empty() {
            return;
        }
        let reports = std::mem::take(&mut self.pending_reports);
        for (priority, message) in &reports {
            let entry = Entry {
                realtime: crate::logs::journal::writer::now_realtime(),
                monotonic: crate::engine::executor::monotonic_now(),
                unit: "",
                pid: std::process::id(),
                priority: *priority,
                facility: LOG_DAEMON,
                stream: Stream::Supervisor,
                invocation_id: Id128::NULL,
                identifier: "runr",
                message: message.as_bytes(),
                hostname: &self.hostname,
            };
            let _ = self.journal.append(&entry);
        }
        let report = self.journal.flush();
        self.journal_report(report);
    }
}

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

/// The lines one read of a service's pipe gave: what they share said
/// once, their messages back to back, and their file lines ready to be
/// written as they are. One queue send and one file append per read,
/// rather than one allocation and one send per line: at a million lines
/// a second, per-line costs are what limits throughput.
#[derive(Debug)]
pub struct LineBatch {
    pub realtime: u64,
    pub monotonic: u64,
    pub unit: Arc<str>,
    pub identifier: Arc<str>,
    pub pid: u32,
    pub facility: u8,
    pub stream: Stream,
    pub invocation_id: Id128,
    /// Each message and a newline, back to back: without a file prefix,
    /// these are the file's lines as they are, and are written from here.
    pub text: Vec<u8>,
    pub lines: Vec<BatchLine>,
    /// Where the lines go on disk besides the journal.
    pub file: Option<Arc<RotateConfig>>,
    /// The file lines when they have a prefix (prefix, message, newline),
    /// back to back.
    pub prefixed: Option<Vec<u8>>,
}

/// One line of a [`LineBatch`].
#[derive(Debug, Clone, Copy)]
pub struct BatchLine {
    /// Where its message ends in `text` (its newline follows).
    pub end: u32,
    /// Where its file line ends in `prefixed`.
    pub prefixed_end: u32,
    pub priority: u8,
}

impl LineBatch {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A batch's two large buffers, emptied.
pub type BatchBuffers = (Vec<u8>, Vec<BatchLine>);

/// Buffers of written batches, handed back to the log thread: a batch's
/// buffers are as large as a read, and memory that one thread fills and
/// another frees costs page faults and cache misses when it is fresh
/// each time.
#[derive(Clone, Default)]
struct Spares(Arc<std::sync::Mutex<Vec<BatchBuffers>>>);

/// Spare buffers kept at most (a read's worth each).
const SPARES: usize = 4;

impl Spares {
    /// `text` keeps its length: the next read lands in it, and bytes it
    /// holds already need no zero-filling first.
    fn give_back(&self, text: Vec<u8>, mut lines: Vec<BatchLine>) {
        lines.clear();
        if let Ok(mut spares) = self.0.lock()
            && spares.len() < SPARES
        {
            spares.push((text, lines));
        }
    }
}

enum Command {
    Line(JournalLine),
    Lines(LineBatch),
    /// Write everything queued, seal the journal, finish rotations; then
    /// answer and stop.
    Close(SyncSender<()>),
}

/// The producers' end: cloneable; waits while the writer is behind.
#[derive(Clone)]
pub struct DiskWriterHandle {
    queue: SyncSender<Command>,
    spares: Spares,
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

    /// Queues a batch of lines, waiting while the writer is behind.
    pub fn send_batch(&self, batch: LineBatch) {
        let lines = batch.lines.len() as u64;
        if self.queue.send(Command::Lines(batch)).is_err() {
            LogCounters::add(&self.counters.writer_queue_dropped, lines);
        }
    }

    /// A batch's buffers, unused after all (a read that found nothing).
    pub fn give_back(&self, batch: LineBatch) {
        self.spares.give_back(batch.text, batch.lines);
    }

    /// Buffers of a batch written already, to fill again (the text
    /// buffer as long as it was: its bytes are stale).
    pub fn spare_buffers(&self) -> Option<BatchBuffers> {
        self.spares.0.lock().ok()?.pop()
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
        spares: Spares::default(),
    };
    let spares = handle.spares.clone();
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
                spares,
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
    spares: Spares,
}

impl WriterState {
    fn run(&mut self, rx: Receiver<Command>) {
        while let Ok(first) = rx.recv() {
            let mut next = Some(first);
            let mut taken = 0;
            while let Some(command) = next.take() {
                match command {
                    Command::Line(line) => self.append(line),
                    Command::Lines(batch) => self.append_batch(batch),
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

    fn append_batch(&mut self, batch: LineBatch) {
        let mut entry = Entry {
            realtime: batch.realtime,
            monotonic: batch.monotonic,
            unit: &batch.unit,
            pid: batch.pid,
            priority: 0,
            facility: batch.facility,
            stream: batch.stream,
            invocation_id: batch.invocation_id,
            identifier: &batch.identifier,
            message: &[],
            hostname: &self.hostname,
        };
        let mut start = 0;
        let mut reports = Vec::new();
        for line in &batch.lines {
            let end = line.end as usize;
            entry.priority = line.priority;
            entry.message = batch.text.get(start..end).unwrap_or_default();
            start = end + 1;
            // journald keeps no record of an empty line a service writes
            // (the log file still has it).
            if entry.message.is_empty() {
                continue;
            }
            reports.extend(self.journal.append(&entry));
        }
        for report in reports {
            self.journal_report(Some(report));
        }
        if let Some(target) = &batch.file {
            let (path, open) = self.open_file(target);
            let report = match &batch.prefixed {
                Some(prefixed) => {
                    let ends = batch.lines.iter().map(|l| l.prefixed_end as usize);
                    open.write_lines(prefixed, ends)
                }
                None => {
                    let ends = batch.lines.iter().map(|l| l.end as usize + 1);
                    open.write_lines(&batch.text, ends)
                }
            };
            self.file_report(&path, report);
        }
        self.spares.give_back(batch.text, batch.lines);
    }

    fn write_file_line(&mut self, file: FileLine) {
        let (path, open) = self.open_file(&file.target);
        let report = open.write_line(&file.line);
        self.file_report(&path, report);
    }

    /// The open file for a target, (re)opened when new or when the unit's
    /// `[Log]` settings changed (daemon-reload).
    fn open_file(&mut self, target: &Arc<RotateConfig>) -> (PathBuf, &mut RotatingFile) {
        let path = target.live_path();
        let stale = self
            .files
            .get(&path)
            .is_some_and(|open| open.config() != target.as_ref());
        if stale {
            self.files.remove(&path);
        }
        let open = self
            .files
            .entry(path.clone())
            .or_insert_with(|| RotatingFile::new(target.as_ref().clone()));
        (path, open)
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

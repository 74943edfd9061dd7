//! The log pipeline: the supervisor's [`LogSink`]. It reads every
//! service's stdout and stderr and the syslog sockets, and sends each line
//! to the journal, to the service's rotated log file and to the
//! supervisor's stdout, as the unit's settings say
//! ([`crate::logs::unit_options`]).
//!
//! # Threads
//!
//! - the log I/O thread: a tokio current-thread runtime of its own that
//!   reads the pipes and the syslog sockets, cuts lines as journald does,
//!   applies `SyslogLevelPrefix=`, `LogLevelMax=` and `Prefix=`. The
//!   supervisor's event loop only hands it file descriptors and messages,
//!   so nothing about logging can slow the loop down;
//! - the disk writer ([`disk_writer`]): the journal and the log files,
//!   behind a bounded queue;
//! - the console writer ([`crate::logs::console`]): stdout, behind a
//!   bounded queue.
//!
//! The disk writer's queue, when full, makes the log thread wait: a
//! service writing faster than the disk then waits on its pipe and no line
//! is lost. A disk that fails (full, read-only) never makes anyone wait:
//! its lines are dropped and counted ([`LogCounters`]), as are console
//! lines when stdout falls behind.
//!
//! Lines travel in batches, one per read of a pipe
//! ([`disk_writer::LineBatch`]): one queue send, one journal write and one
//! file write for hundreds of lines.
//!
//! # The supervisor's own messages
//!
//! They go to the journal as systemd's go to journald: identifier
//! `systemd`, the supervisor's PID (1 in a container), the unit they are
//! about, and the priority systemd gives them
//! ([`crate::logs::supervisor_priority`]), so that `journalctl -u x` shows
//! `systemd[1]: Started x.service - X.` On stdout they read
//! `runr[PID]: message`.

pub mod disk_writer;
pub(crate) mod io_thread;
mod service_output;

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::engine::executor::{LogSink, OutputSource, OutputStream};
use crate::logs::console::ConsoleWriter;
use crate::logs::counters::LogCounters;
use crate::logs::journal::JournalConfig;
use crate::logs::record::{Id128, Stream};
use crate::logs::syslog_server::SyslogServerConfig;
use crate::logs::unit_options::UnitLogOptions;

use disk_writer::start_disk_writer;
use io_thread::{IoCommand, PipeSource};

/// Batches the disk writer may be behind by before the log thread waits:
/// each is one read of a pipe (at most 128 KiB of lines) or one message,
/// so the queue holds about a MiB at most.
pub const DEFAULT_WRITER_QUEUE: usize = 8;
/// Lines stdout may be behind by before console lines are dropped.
pub const DEFAULT_CONSOLE_QUEUE: usize = 4 * 1024;

pub struct LogPipelineConfig {
    pub journal: JournalConfig,
    /// `--log-dir`: where services without `Directory=` get their files.
    pub log_dir: Option<PathBuf>,
    /// Whether anything is mirrored to stdout at all.
    pub console: bool,
    pub syslog: Option<SyslogServerConfig>,
    /// Every service's settings as loaded, so that the supervisor's
    /// messages before a service's first start honour `LogLevelMax=`.
    pub units: Vec<(String, UnitLogOptions)>,
    pub writer_queue: usize,
    pub console_queue: usize,
}

impl LogPipelineConfig {
    pub fn new(journal: JournalConfig) -> LogPipelineConfig {
        LogPipelineConfig {
            journal,
            log_dir: None,
            console: true,
            syslog: None,
            units: Vec::new(),
            writer_queue: DEFAULT_WRITER_QUEUE,
            console_queue: DEFAULT_CONSOLE_QUEUE,
        }
    }
}

pub struct LogPipeline {
    commands: UnboundedSender<IoCommand>,
    counters: Arc<LogCounters>,
    boot_id: Id128,
    journal_directory: PathBuf,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Pipes attached while output is held back (see `hold_output`).
    held: Mutex<Option<Vec<IoCommand>>>,
}

impl LogPipeline {
    /// Starts the threads (and the syslog server, if configured).
    pub fn start(config: LogPipelineConfig) -> std::io::Result<LogPipeline> {
        let counters = Arc::new(LogCounters::default());
        let hostname = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "localhost".to_string());
        let boot_id = config.journal.boot_id;
        let journal_directory = config.journal.directory.clone();
        let (console, console_thread) =
            ConsoleWriter::start(config.console_queue, counters.clone())?;
        let disk = start_disk_writer(
            config.journal,
            hostname,
            config.writer_queue,
            counters.clone(),
            console.clone(),
        )?;
        let (tx, rx) = unbounded_channel();
        let io = io_thread::IoSetup {
            writer: disk.handle,
            console: config.console.then_some(console),
            counters: counters.clone(),
            log_dir: config.log_dir,
            syslog: config.syslog,
            units: config.units,
        };
        let io_thread = io_thread::spawn(io, rx)?;
        Ok(LogPipeline {
            commands: tx,
            counters,
            boot_id,
            journal_directory,
            threads: Mutex::new(vec![io_thread, disk.thread, console_thread]),
            held: Mutex::new(None),
        })
    }

    /// The counters, for `/metrics`.
    pub fn counters(&self) -> Arc<LogCounters> {
        self.counters.clone()
    }

    /// This supervisor run's boot ID (the journal's `_BOOT_ID`).
    pub fn boot_id(&self) -> Id128 {
        self.boot_id
    }

    /// Lets the units' settings be known before their first start (and
    /// after a daemon-reload).
    pub fn set_unit_options(&self, unit: &str, options: UnitLogOptions) {
        let _ = self.commands.send(IoCommand::Options {
            unit: unit.to_string(),
            options,
        });
    }

    /// Reads what is left in the pipes (waiting a little for processes
    /// that keep them open), writes everything out, seals the journal,
    /// and stops the threads. Call once the services are down.
    pub fn close(&self) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        if self.commands.send(IoCommand::Close(tx)).is_ok() {
            let _ = rx.recv();
        }
        let threads = match self.threads.lock() {
            Ok(mut threads) => std::mem::take(&mut *threads),
            Err(_) => Vec::new(),
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl LogSink for LogPipeline {
    fn journal_directory(&self) -> Option<PathBuf> {
        Some(self.journal_directory.clone())
    }

    fn supervisor_message(&self, unit: &str, message: &str) {
        let _ = self.commands.send(IoCommand::Message {
            unit: unit.to_string(),
            message: message.to_string(),
            realtime: crate::logs::journal::writer::now_realtime(),
            monotonic: crate::engine::executor::monotonic_now(),
        });
    }

    fn begin_invocation(&self, unit: &str, invocation_id: &str) {
        let _ = self.commands.send(IoCommand::Invocation {
            unit: unit.to_string(),
            invocation_id: Id128::parse(invocation_id).unwrap_or(Id128::NULL),
        });
    }

    fn hold_output(&self, hold: bool) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        if hold {
            held.get_or_insert_with(Vec::new);
        } else {
            for command in held.take().unwrap_or_default() {
                let _ = self.commands.send(command);
            }
        }
    }

    fn attach_output(&self, source: &OutputSource<'_>, fd: OwnedFd) {
        let stream = match source.stream {
            OutputStream::Stdout => Stream::Stdout,
            OutputStream::Stderr => Stream::Stderr,
        };
        let command = IoCommand::Attach {
            source: PipeSource {
                unit: source.unit.into(),
                identifier: source.identifier.into(),
                pid: source.pid.as_raw().max(0) as u32,
                stream,
                invocation_id: Id128::parse(source.invocation_id).unwrap_or(Id128::NULL),
                restarts: source.restarts,
            },
            options: source.options.clone(),
            fd,
        };
        if let Ok(mut held) = self.held.lock()
            && let Some(held) = held.as_mut()
        {
            held.push(command);
            return;
        }
        let _ = self.commands.send(command);
    }
}

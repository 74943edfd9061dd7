//! The log I/O thread: its own tokio runtime, reading the services' pipes
//! and the syslog sockets, and turning what they carry into journal
//! records, file lines and console lines.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;
use std::time::Duration;

use jiff::tz::TimeZone;
use tokio::sync::Notify;
use tokio::sync::mpsc::UnboundedReceiver;

use super::disk_writer::{DiskWriterHandle, JournalLine};
use super::service_output::OpenPipe;
use crate::logs::console::ConsoleWriter;
use crate::logs::counters::LogCounters;
use crate::logs::record::{Id128, LOG_DAEMON, Stream};
use crate::logs::rotate::RotateConfig;
use crate::logs::supervisor_priority::supervisor_message_priority;
use crate::logs::syslog_server::{self, SyslogServerConfig};
use crate::logs::unit_options::{LogTargets, UnitLogOptions};

/// How long, at shutdown, the pipeline waits for pipes still held open
/// (by a process that outlived its service) before it stops reading.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Whose output a pipe carries.
#[derive(Debug, Clone)]
pub struct PipeSource {
    pub unit: Arc<str>,
    pub identifier: Arc<str>,
    pub pid: u32,
    pub stream: Stream,
    pub invocation_id: Id128,
    /// The service's restart count when the process was started.
    pub restarts: u32,
}

pub enum IoCommand {
    Attach {
        source: PipeSource,
        options: UnitLogOptions,
        fd: OwnedFd,
    },
    Message {
        unit: String,
        message: String,
        realtime: u64,
        monotonic: u64,
    },
    Options {
        unit: String,
        options: UnitLogOptions,
    },
    /// A new run of the unit: its messages carry this invocation ID.
    Invocation {
        unit: String,
        invocation_id: Id128,
    },
    Close(SyncSender<()>),
}

pub struct IoSetup {
    pub writer: DiskWriterHandle,
    pub console: Option<ConsoleWriter>,
    pub counters: Arc<LogCounters>,
    pub log_dir: Option<PathBuf>,
    pub syslog: Option<SyslogServerConfig>,
    pub units: Vec<(String, UnitLogOptions)>,
}

/// A unit's settings and where its lines go.
pub struct UnitState {
    pub options: UnitLogOptions,
    pub targets: LogTargets,
    pub file: Option<Arc<RotateConfig>>,
    /// The invocation ID of the unit's latest run.
    pub invocation_id: Cell<Id128>,
}

/// A process whose output the pipeline reads, for telling which unit a
/// syslog message comes from.
#[derive(Debug, Clone)]
pub struct ProcessInfo {
    pub unit: Arc<str>,
    pub invocation_id: Id128,
    /// Its pipes still open.
    pub pipes: usize,
}

/// What the tasks of the I/O thread share.
pub struct IoContext {
    pub writer: DiskWriterHandle,
    pub console: Option<ConsoleWriter>,
    pub counters: Arc<LogCounters>,
    pub log_dir: Option<PathBuf>,
    pub zone: TimeZone,
    pub own_pid: u32,
    units: RefCell<HashMap<String, Rc<UnitState>>>,
    pub processes: RefCell<HashMap<u32, ProcessInfo>>,
    open_pipes: Cell<usize>,
    pub pipes_drained: Notify,
    /// The open pipes of each unit.
    pipes: RefCell<HashMap<Arc<str>, Vec<Rc<OpenPipe>>>>,
}

impl IoContext {
    fn set_options(&self, unit: &str, options: UnitLogOptions) -> Rc<UnitState> {
        if let Some(known) = self.units.borrow().get(unit)
            && known.options == options
        {
            return known.clone();
        }
        let targets = options.targets(unit, self.log_dir.as_deref());
        let state = Rc::new(UnitState {
            file: targets.file.clone().map(Arc::new),
            targets,
            options,
            invocation_id: Cell::new(Id128::NULL),
        });
        self.units
            .borrow_mut()
            .insert(unit.to_string(), state.clone());
        state
    }

    pub fn unit(&self, unit: &str) -> Option<Rc<UnitState>> {
        self.units.borrow().get(unit).cloned()
    }

    /// The unit whose invocation this is, for syslog attribution.
    pub fn unit_of_invocation(&self, id: Id128) -> Option<Arc<str>> {
        self.units
            .borrow()
            .iter()
            .find(|(_, s)| s.invocation_id.get() == id)
            .map(|(name, _)| Arc::from(name.as_str()))
    }

    fn supervisor_message(&self, unit: &str, message: &str, realtime: u64, monotonic: u64) {
        let priority = supervisor_message_priority(unit, message);
        let state = self.unit(unit);
        if state.as_ref().is_some_and(|s| !s.options.keeps(priority)) {
            return;
        }
        if let Some(console) = &self.console {
            console.send(format!("runr[{}]: {message}\n", self.own_pid).into_bytes());
        }
        self.writer.send(JournalLine {
            realtime,
            monotonic,
            unit: Arc::from(unit),
            identifier: Arc::from("systemd"),
            pid: self.own_pid,
            priority,
            facility: LOG_DAEMON,
            stream: Stream::Supervisor,
            invocation_id: state.map_or(Id128::NULL, |s| s.invocation_id.get()),
            message: message.as_bytes().to_vec(),
            file: None,
        });
    }

    /// A problem of the pipeline itself (a socket it cannot bind): on the
    /// console and in the journal, as `runr`.
    pub fn report(&self, message: &str) {
        if let Some(console) = &self.console {
            console.send(format!("runr[{}]: {message}\n", self.own_pid).into_bytes());
        }
        self.writer.send(JournalLine {
            realtime: crate::logs::journal::writer::now_realtime(),
            monotonic: crate::engine::executor::monotonic_now(),
            unit: Arc::from(""),
            identifier: Arc::from("runr"),
            pid: self.own_pid,
            priority: crate::logs::record::LOG_WARNING,
            facility: LOG_DAEMON,
            stream: Stream::Supervisor,
            invocation_id: Id128::NULL,
            message: message.as_bytes().to_vec(),
            file: None,
        });
    }

    /// The unit (and run) a process belongs to: one of the services'
    /// processes itself, one in the process group of one (each service
    /// process leads its own group), or one that inherited a service's
    /// `$INVOCATION_ID`.
    pub fn owner_of_process(&self, pid: u32) -> Option<(Arc<str>, Id128)> {
        let known = |pid: u32| {
            self.processes
                .borrow()
                .get(&pid)
                .map(|p| (p.unit.clone(), p.invocation_id))
        };
        if let Some(found) = known(pid) {
            return Some(found);
        }
        if let Some(found) = process_group_of(pid).and_then(known) {
            return Some(found);
        }
        let invocation = invocation_id_of(pid)?;
        let unit = self.unit_of_invocation(invocation)?;
        Some((unit, invocation))
    }

    pub fn register_pipe(&self, pipe: Rc<OpenPipe>) {
        self.pipes
            .borrow_mut()
            .entry(pipe.source.unit.clone())
            .or_default()
            .push(pipe);
    }

    pub fn unregister_pipe(&self, pipe: &OpenPipe) {
        let mut pipes = self.pipes.borrow_mut();
        if let Some(list) = pipes.get_mut(&pipe.source.unit) {
            list.retain(|p| !std::ptr::eq(p.as_ref(), pipe));
            if list.is_empty() {
                pipes.remove(&pipe.source.unit);
            }
        }
    }

    pub fn pipes_of(&self, unit: &str) -> Vec<Rc<OpenPipe>> {
        self.pipes.borrow().get(unit).cloned().unwrap_or_default()
    }

    fn pipe_opened(&self, source: &PipeSource) {
        self.open_pipes.set(self.open_pipes.get() + 1);
        self.processes
            .borrow_mut()
            .entry(source.pid)
            .or_insert_with(|| ProcessInfo {
                unit: source.unit.clone(),
                invocation_id: source.invocation_id,
                pipes: 0,
            })
            .pipes += 1;
    }

    pub fn pipe_closed(&self, source: &PipeSource) {
        self.open_pipes.set(self.open_pipes.get().saturating_sub(1));
        let mut processes = self.processes.borrow_mut();
        if let Some(info) = processes.get_mut(&source.pid) {
            info.pipes = info.pipes.saturating_sub(1);
            if info.pipes == 0 {
                processes.remove(&source.pid);
            }
        }
        if self.open_pipes.get() == 0 {
            self.pipes_drained.notify_waiters();
        }
    }
}

/// Starts the I/O thread.
pub fn spawn(
    setup: IoSetup,
    commands: UnboundedReceiver<IoCommand>,
) -> std::io::Result<JoinHandle<()>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("runr-log-io".into())
        .spawn(move || {
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, run(setup, commands));
        })
}

async fn run(setup: IoSetup, mut commands: UnboundedReceiver<IoCommand>) {
    let ctx = Rc::new(IoContext {
        writer: setup.writer,
        console: setup.console,
        counters: setup.counters,
        log_dir: setup.log_dir,
        zone: crate::syntax::timestamp::local_zone(),
        own_pid: std::process::id(),
        units: RefCell::new(HashMap::new()),
        processes: RefCell::new(HashMap::new()),
        open_pipes: Cell::new(0),
        pipes_drained: Notify::new(),
        pipes: RefCell::new(HashMap::new()),
    });
    for (unit, options) in setup.units {
        ctx.set_options(&unit, options);
    }
    let syslog = setup
        .syslog
        .map(|config| syslog_server::start(config, ctx.clone()));
    while let Some(command) = commands.recv().await {
        match command {
            IoCommand::Attach {
                source,
                options,
                fd,
            } => {
                let state = ctx.set_options(&source.unit, options);
                state.invocation_id.set(source.invocation_id);
                ctx.pipe_opened(&source);
                super::service_output::attach(&ctx, source, state, fd);
            }
            IoCommand::Message {
                unit,
                message,
                realtime,
                monotonic,
            } => {
                // What a service wrote before the event the supervisor
                // reports (its last lines before it exited) is in its pipe
                // already: let the readers take it first, so that the
                // journal keeps the order in which things happened. Not
                // for a start: what the new process writes comes after.
                if !reports_a_start(&message) {
                    super::service_output::drain_unit(&ctx, &unit);
                }
                ctx.supervisor_message(&unit, &message, realtime, monotonic)
            }
            IoCommand::Options { unit, options } => {
                ctx.set_options(&unit, options);
            }
            IoCommand::Invocation {
                unit,
                invocation_id,
            } => {
                if let Some(state) = ctx.unit(&unit) {
                    state.invocation_id.set(invocation_id);
                }
            }
            IoCommand::Close(done) => {
                wait_for_pipes(&ctx).await;
                if let Some(server) = syslog {
                    server.stop().await;
                }
                ctx.writer.close();
                let _ = done.send(());
                return;
            }
        }
    }
    ctx.writer.close();
}

/// "Starting x.service - X..." and "Started x.service - X.": said as a
/// process begins.
fn reports_a_start(message: &str) -> bool {
    message.starts_with("Starting ") || message.starts_with("Started ")
}

async fn wait_for_pipes(ctx: &IoContext) {
    let drained = async {
        while ctx.open_pipes.get() > 0 {
            let notified = ctx.pipes_drained.notified();
            if ctx.open_pipes.get() == 0 {
                break;
            }
            notified.await;
        }
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, drained).await;
}

/// The process group of a process (field 5 of /proc/PID/stat).
fn process_group_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(2)?.parse().ok()
}

/// `$INVOCATION_ID` of a process, from /proc/PID/environ.
fn invocation_id_of(pid: u32) -> Option<Id128> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    environ
        .split(|b| *b == 0)
        .find_map(|var| var.strip_prefix(b"INVOCATION_ID="))
        .and_then(|value| std::str::from_utf8(value).ok())
        .and_then(Id128::parse)
}

//! One service pipe: read as it comes, cut into lines as journald cuts
//! them, each line given its priority (`SyslogLevelPrefix=`), filtered
//! (`LogLevelMax=`), prefixed (`Prefix=`) and sent on.
//!
//! A pipe is read by its own task when it becomes readable, and also on
//! demand ([`drain_unit`]) just before the supervisor's message about the
//! unit is journaled: what a service wrote before it exited then comes
//! before "Main process exited", as it happened.

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::sync::Arc;

use tokio::net::unix::pipe::Receiver;

use super::disk_writer::{FileLine, JournalLine};
use super::io_thread::{IoContext, PipeSource, UnitState};
use crate::logs::counters::LogCounters;
use crate::logs::prefix::{PrefixFields, expand_prefix};
use crate::logs::record::{
    DEFAULT_LINE_MAX, LOG_DAEMON, LOG_INFO, LineSplitter, Stream, strip_level_prefix,
};

const READ_CHUNK: usize = 64 * 1024;

/// An open pipe and what it has read of a line so far.
pub struct OpenPipe {
    receiver: Receiver,
    splitter: RefCell<LineSplitter>,
    pub source: PipeSource,
    unit: Rc<UnitState>,
    closed: Cell<bool>,
}

/// Starts reading a pipe; registers it with the context.
pub fn attach(ctx: &Rc<IoContext>, source: PipeSource, unit: Rc<UnitState>, fd: OwnedFd) {
    let receiver = match Receiver::from_owned_fd(fd) {
        Ok(receiver) => receiver,
        Err(_) => {
            ctx.pipe_closed(&source);
            return;
        }
    };
    let pipe = Rc::new(OpenPipe {
        receiver,
        splitter: RefCell::new(LineSplitter::new(DEFAULT_LINE_MAX)),
        source,
        unit,
        closed: Cell::new(false),
    });
    ctx.register_pipe(pipe.clone());
    let ctx = ctx.clone();
    tokio::task::spawn_local(async move {
        while !pipe.closed.get() {
            if pipe.receiver.readable().await.is_err() {
                close(&ctx, &pipe);
                break;
            }
            drain(&ctx, &pipe, false);
        }
    });
}

/// Reads what the pipes of `unit` hold right now, without waiting.
pub fn drain_unit(ctx: &IoContext, unit: &str) {
    for pipe in ctx.pipes_of(unit) {
        drain(ctx, &pipe, true);
    }
}

/// Reads until the pipe is empty (or at its end: then the partial last
/// line is flushed and the pipe closed).
fn drain(ctx: &IoContext, pipe: &OpenPipe, on_demand: bool) {
    if pipe.closed.get() {
        return;
    }
    let mut buffer = [0u8; READ_CHUNK];
    loop {
        // On demand, a plain read(2): the receiver's try_read answers
        // WouldBlock until the reactor has seen the pipe readable, and a
        // drain on demand may come before it has looked. The reading task
        // needs try_read, which clears the readiness it waits on.
        let read = if on_demand {
            read_now(&pipe.receiver, &mut buffer)
        } else {
            pipe.receiver.try_read(&mut buffer)
        };
        match read {
            Ok(0) => {
                close(ctx, pipe);
                return;
            }
            Ok(n) => {
                let realtime = crate::logs::journal::writer::now_realtime();
                let monotonic = crate::engine::executor::monotonic_now();
                pipe.splitter
                    .borrow_mut()
                    .feed(&buffer[..n], &mut |line, _| {
                        service_line(ctx, pipe, line, realtime, monotonic)
                    });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                close(ctx, pipe);
                return;
            }
        }
    }
}

fn read_now(receiver: &Receiver, buffer: &mut [u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    nix::unistd::read(receiver.as_raw_fd(), buffer).map_err(io::Error::from)
}

fn close(ctx: &IoContext, pipe: &OpenPipe) {
    if pipe.closed.replace(true) {
        return;
    }
    let realtime = crate::logs::journal::writer::now_realtime();
    let monotonic = crate::engine::executor::monotonic_now();
    pipe.splitter
        .borrow_mut()
        .finish(&mut |line, _| service_line(ctx, pipe, line, realtime, monotonic));
    ctx.unregister_pipe(pipe);
    ctx.pipe_closed(&pipe.source);
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stderr => "stderr",
        _ => "stdout",
    }
}

/// One line of a service: to the journal, its file and the console.
fn service_line(ctx: &IoContext, pipe: &OpenPipe, line: &[u8], realtime: u64, monotonic: u64) {
    let (source, unit) = (&pipe.source, &pipe.unit);
    let (priority, message) = if unit.options.level_prefix {
        let (level, rest) = strip_level_prefix(line);
        (level.unwrap_or(LOG_INFO), rest)
    } else {
        (LOG_INFO, line)
    };
    if !unit.options.keeps(priority) {
        return;
    }
    LogCounters::add(&ctx.counters.lines_read, 1);
    let fields = PrefixFields {
        realtime,
        identifier: &source.identifier,
        unit: &source.unit,
        stream: stream_name(source.stream),
        pid: source.pid,
        priority,
    };
    let render = |prefix: &Option<Arc<str>>, newline: bool| {
        let mut out = Vec::with_capacity(message.len() + 32);
        if let Some(template) = prefix {
            expand_prefix(template, &fields, &ctx.zone, &mut out);
        }
        out.extend_from_slice(message);
        if newline {
            out.push(b'\n');
        }
        out
    };
    if unit.targets.console
        && let Some(console) = &ctx.console
    {
        console.send(render(&unit.console_prefix, true));
    }
    let file = unit.file.as_ref().map(|target| FileLine {
        target: target.clone(),
        line: render(&unit.file_prefix, false),
    });
    ctx.writer.send(JournalLine {
        realtime,
        monotonic,
        unit: source.unit.clone(),
        identifier: source.identifier.clone(),
        pid: source.pid,
        priority,
        facility: LOG_DAEMON,
        stream: source.stream,
        invocation_id: source.invocation_id,
        message: message.to_vec(),
        file,
    });
}

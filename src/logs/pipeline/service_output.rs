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
use std::os::fd::{AsRawFd, OwnedFd};
use std::rc::Rc;

use tokio::net::unix::pipe::Receiver;

use super::disk_writer::{BatchLine, LineBatch};
use super::io_thread::{IoContext, PipeSource, UnitState};
use crate::logs::counters::LogCounters;
use crate::logs::prefix::{PrefixFields, expand_prefix};
use crate::logs::record::{
    DEFAULT_LINE_MAX, LOG_DAEMON, LOG_INFO, LineSplitter, Stream, strip_level_prefix,
};

/// What one read takes at most, and so what one batch holds at most.
const READ_CHUNK: usize = 128 * 1024;
/// The size asked for each service pipe (the kernel's default is 64 KiB).
const PIPE_SIZE: i32 = 256 * 1024;

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
    // A larger pipe lets a chatty service write on while the log thread is
    // busy, and one read then takes more lines: fewer wake-ups on both
    // sides. Best effort: the kernel's default size works too.
    let _ = nix::fcntl::fcntl(
        fd.as_raw_fd(),
        nix::fcntl::FcntlArg::F_SETPIPE_SZ(PIPE_SIZE),
    );
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
/// line is flushed and the pipe closed). The lines of each read go to the
/// disk writer as one batch.
fn drain(ctx: &IoContext, pipe: &OpenPipe, on_demand: bool) {
    if pipe.closed.get() {
        return;
    }
    let mut buffer = ctx.read_buffer.borrow_mut();
    buffer.resize(READ_CHUNK, 0);
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
                drop(buffer);
                close(ctx, pipe);
                return;
            }
            Ok(n) => {
                let mut batch = new_batch(ctx, pipe);
                pipe.splitter
                    .borrow_mut()
                    .feed(&buffer[..n], &mut |line, _| {
                        service_line(ctx, pipe, line, &mut batch)
                    });
                send(ctx, batch);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                drop(buffer);
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
    let mut batch = new_batch(ctx, pipe);
    pipe.splitter
        .borrow_mut()
        .finish(&mut |line, _| service_line(ctx, pipe, line, &mut batch));
    send(ctx, batch);
    ctx.unregister_pipe(pipe);
    ctx.pipe_closed(&pipe.source);
}

/// An empty batch for the lines of one read, stamped now.
fn new_batch(ctx: &IoContext, pipe: &OpenPipe) -> LineBatch {
    let source = &pipe.source;
    let (text, lines) = ctx.writer.spare_buffers().unwrap_or_else(|| {
        (
            Vec::with_capacity(READ_CHUNK + READ_CHUNK / 16),
            Vec::with_capacity(READ_CHUNK / 64),
        )
    });
    LineBatch {
        realtime: crate::logs::journal::writer::now_realtime(),
        monotonic: crate::engine::executor::monotonic_now(),
        unit: source.unit.clone(),
        identifier: source.identifier.clone(),
        pid: source.pid,
        facility: LOG_DAEMON,
        stream: source.stream,
        invocation_id: source.invocation_id,
        text,
        lines,
        file: pipe.unit.file.clone(),
        prefixed: (pipe.unit.file.is_some() && pipe.unit.file_prefix.is_some())
            .then(|| Vec::with_capacity(READ_CHUNK + READ_CHUNK / 4)),
    }
}

fn send(ctx: &IoContext, batch: LineBatch) {
    if batch.is_empty() {
        return;
    }
    LogCounters::add(&ctx.counters.lines_read, batch.lines.len() as u64);
    ctx.writer.send_batch(batch);
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stderr => "stderr",
        _ => "stdout",
    }
}

/// One line of a service: into the batch for the journal and its file,
/// and to the console.
fn service_line(ctx: &IoContext, pipe: &OpenPipe, line: &[u8], batch: &mut LineBatch) {
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
    let fields = PrefixFields {
        realtime: batch.realtime,
        identifier: &source.identifier,
        unit: &source.unit,
        stream: stream_name(source.stream),
        pid: source.pid,
        priority,
    };
    if unit.targets.console
        && let Some(console) = &ctx.console
    {
        let mut out = Vec::with_capacity(message.len() + 32);
        if let Some(template) = &unit.console_prefix {
            expand_prefix(template, &fields, &ctx.zone, &mut out);
        }
        out.extend_from_slice(message);
        out.push(b'\n');
        console.send(out);
    }
    if let (Some(prefixed), Some(template)) = (&mut batch.prefixed, &unit.file_prefix) {
        expand_prefix(template, &fields, &ctx.zone, prefixed);
        prefixed.extend_from_slice(message);
        prefixed.push(b'\n');
    }
    batch.text.extend_from_slice(message);
    // A read is at most READ_CHUNK bytes (and a last line at most
    // LineMax), and a prefix is short: the ends fit in 32 bits.
    batch.lines.push(BatchLine {
        end: batch.text.len() as u32,
        prefixed_end: batch.prefixed.as_ref().map_or(0, |p| p.len() as u32),
        priority,
    });
    batch.text.push(b'\n');
}

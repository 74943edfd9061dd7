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
use crate::logs::prefix::PrefixFields;
use crate::logs::record::{
    DEFAULT_LINE_MAX, LOG_DAEMON, LOG_INFO, LineSplitter, strip_level_prefix,
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
///
/// A read lands in the batch's own text buffer, after the partial line
/// the previous read left, and the lines are cut where they lie
/// ([`lay_out_lines`]): the bytes a service writes are copied once, by the
/// kernel, on their way to the file and the journal.
fn drain(ctx: &IoContext, pipe: &OpenPipe, on_demand: bool) {
    if pipe.closed.get() {
        return;
    }
    loop {
        let mut batch = new_batch(ctx, pipe);
        let mut splitter = pipe.splitter.borrow_mut();
        let pending = splitter.pending_len();
        // The buffer keeps its length from its last use, so this only
        // zero-fills what it has never held.
        batch.text.resize(pending + READ_CHUNK, 0);
        let into = &mut batch.text[pending..];
        // On demand, a plain read(2): the receiver's try_read answers
        // WouldBlock until the reactor has seen the pipe readable, and a
        // drain on demand may come before it has looked. The reading task
        // needs try_read, which clears the readiness it waits on.
        let read = if on_demand {
            read_now(&pipe.receiver, into)
        } else {
            pipe.receiver.try_read(into)
        };
        match read {
            Ok(n) if n > 0 => {
                batch.text.truncate(pending + n);
                splitter.take_pending(&mut batch.text[..pending]);
                lay_out_lines(ctx, pipe, &mut splitter, &mut batch);
                drop(splitter);
                send(ctx, batch);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                ctx.writer.give_back(batch);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                ctx.writer.give_back(batch);
                return;
            }
            _ => {
                // The end of the pipe, or an error: the partial line is
                // still the splitter's, and goes out as the pipe closes.
                ctx.writer.give_back(batch);
                drop(splitter);
                close(ctx, pipe);
                return;
            }
        }
    }
}

/// Cuts the batch's text into lines where they lie. Each kept message is
/// moved down over what was left out before it (a `<N>` level prefix, a
/// line `LogLevelMax=` drops) and ends in a newline (a NUL ends a line
/// too): for a service that writes plain lines, nothing moves at all. The
/// partial last line goes back to the splitter.
fn lay_out_lines(
    ctx: &IoContext,
    pipe: &OpenPipe,
    splitter: &mut LineSplitter,
    batch: &mut LineBatch,
) {
    // `from`: where the next line starts; `kept`: where the lines laid
    // out so far end.
    let (mut from, mut kept) = (0, 0);
    while let Some((line, next)) = splitter.next_line(&batch.text, from) {
        let bytes = &batch.text[line.clone()];
        let kept_line = service_line(ctx, pipe, bytes, batch.realtime, &mut batch.prefixed);
        from = next;
        let Some((priority, skip)) = kept_line else {
            continue;
        };
        let message = line.start + skip..line.end;
        let end = kept + message.len();
        batch.text.copy_within(message, kept);
        if end < from {
            // The line's terminator, or a byte left out before it: read
            // already, free for the newline.
            batch.text[end] = b'\n';
        } else {
            // A piece of an overlong line, with nothing left out before
            // it: the next byte is unread yet, so the newline is put in
            // (rare: LineMax is 48 KiB).
            batch.text.insert(end, b'\n');
            from += 1;
        }
        push_line(batch, end, priority);
        kept = end + 1;
    }
    splitter.keep_pending(batch.text.get(from..).unwrap_or_default());
    batch.text.truncate(kept);
}

/// Notes a message that ends at `end` in the batch's text (its newline
/// follows). A read is at most READ_CHUNK bytes (and a last line at most
/// LineMax), and a prefix is short: the ends fit in 32 bits.
fn push_line(batch: &mut LineBatch, end: usize, priority: u8) {
    batch.lines.push(BatchLine {
        end: end as u32,
        prefixed_end: batch.prefixed.as_ref().map_or(0, |p| p.len() as u32),
        priority,
    });
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
    batch.text.clear();
    pipe.splitter.borrow_mut().finish(&mut |line, _| {
        if let Some((priority, skip)) =
            service_line(ctx, pipe, line, batch.realtime, &mut batch.prefixed)
        {
            batch.text.extend_from_slice(&line[skip..]);
            let end = batch.text.len();
            push_line(&mut batch, end, priority);
            batch.text.push(b'\n');
        }
    });
    send(ctx, batch);
    ctx.unregister_pipe(pipe);
    ctx.pipe_closed(&pipe.source);
}

/// A batch for the lines of one read, stamped now. Its text buffer holds
/// whatever it held last (the read lands in it).
fn new_batch(ctx: &IoContext, pipe: &OpenPipe) -> LineBatch {
    let source = &pipe.source;
    let (text, lines) = ctx.writer.spare_buffers().unwrap_or_else(|| {
        (
            Vec::with_capacity(READ_CHUNK + DEFAULT_LINE_MAX),
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
        // Without a file prefix, file lines are written as the service
        // wrote them, with no copy made to add it.
        prefixed: (pipe.unit.file.is_some() && pipe.unit.targets.file_prefix.is_some())
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

/// One line of a service: its priority (`SyslogLevelPrefix=`), whether
/// `LogLevelMax=` keeps it, its console line and its prefixed file line.
/// Returns the priority and where the message starts in `line` (after a
/// level prefix); `None` for a line left out.
fn service_line(
    ctx: &IoContext,
    pipe: &OpenPipe,
    line: &[u8],
    realtime: u64,
    prefixed: &mut Option<Vec<u8>>,
) -> Option<(u8, usize)> {
    let (source, unit) = (&pipe.source, &pipe.unit);
    let (priority, message) = if unit.options.level_prefix {
        let (level, rest) = strip_level_prefix(line);
        (level.unwrap_or(LOG_INFO), rest)
    } else {
        (LOG_INFO, line)
    };
    if !unit.options.keeps(priority) {
        return None;
    }
    let fields = PrefixFields {
        realtime,
        unit: &source.unit,
        identifier: &source.identifier,
        stream: source.stream,
        pid: source.pid,
        restarts: source.restarts,
    };
    if unit.targets.console
        && let Some(console) = &ctx.console
    {
        let mut out = Vec::with_capacity(message.len() + 32);
        if let Some(prefix) = &unit.targets.console_prefix {
            prefix.expand(&fields, &ctx.zone, &mut out);
        }
        out.extend_from_slice(message);
        out.push(b'\n');
        console.send(out);
    }
    if let (Some(prefixed), Some(prefix)) = (prefixed, &unit.targets.file_prefix) {
        prefix.expand(&fields, &ctx.zone, prefixed);
        prefixed.extend_from_slice(message);
        prefixed.push(b'\n');
    }
    // The rest of the line after the prefix: its start in `line`.
    Some((priority, line.len() - message.len()))
}

//! One service pipe: read as it comes, cut into lines as journald cuts
//! them, each line given its priority (`SyslogLevelPrefix=`), filtered
//! (`LogLevelMax=`), prefixed (`Prefix=`) and sent on.

use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::sync::Arc;

use tokio::io::AsyncReadExt;

use super::disk_writer::{FileLine, JournalLine};
use super::io_thread::{IoContext, PipeSource, UnitState};
use crate::logs::counters::LogCounters;
use crate::logs::prefix::{PrefixFields, expand_prefix};
use crate::logs::record::{
    DEFAULT_LINE_MAX, LOG_DAEMON, LOG_INFO, LineSplitter, Stream, strip_level_prefix,
};

const READ_CHUNK: usize = 64 * 1024;

/// Reads the pipe until every writer has closed it; a partial last line
/// becomes a record of its own.
pub async fn read_pipe(ctx: Rc<IoContext>, source: PipeSource, unit: Rc<UnitState>, fd: OwnedFd) {
    if let Ok(mut pipe) = tokio::net::unix::pipe::Receiver::from_owned_fd(fd) {
        let mut splitter = LineSplitter::new(DEFAULT_LINE_MAX);
        let mut buffer = vec![0u8; READ_CHUNK];
        loop {
            match pipe.read(&mut buffer).await {
                Ok(0) => break,
                Ok(n) => {
                    let realtime = crate::logs::journal::writer::now_realtime();
                    let monotonic = crate::engine::executor::monotonic_now();
                    splitter.feed(&buffer[..n], &mut |line, _| {
                        service_line(&ctx, &source, &unit, line, realtime, monotonic)
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let realtime = crate::logs::journal::writer::now_realtime();
        let monotonic = crate::engine::executor::monotonic_now();
        splitter.finish(&mut |line, _| {
            service_line(&ctx, &source, &unit, line, realtime, monotonic)
        });
    }
    ctx.pipe_closed(&source);
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stderr => "stderr",
        _ => "stdout",
    }
}

/// One line of a service: to the journal, its file and the console.
fn service_line(
    ctx: &IoContext,
    source: &PipeSource,
    unit: &UnitState,
    line: &[u8],
    realtime: u64,
    monotonic: u64,
) {
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

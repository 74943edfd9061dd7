//! Reading the journal store for `runr log NAME [-n N] [-f]` and the
//! control API's `GET /api/v1/logs`: the same store the journalctl face
//! reads, as [`LogEntry`] values.

use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

use crate::control::types::{LogEntry, LogStream, Timestamp};
use crate::logs::journal::{Cursor, DirectoryWatch, Filter, JournalReader};
use crate::logs::record::{Record, Stream};

/// A record as the API shows it (the message as UTF-8, lossily).
pub fn log_entry(record: &Record) -> LogEntry {
    LogEntry {
        time: Timestamp(record.realtime),
        unit: record.unit.clone(),
        pid: (record.pid != 0).then_some(record.pid),
        priority: record.priority,
        stream: match record.stream {
            Stream::Stdout => LogStream::Stdout,
            Stream::Stderr => LogStream::Stderr,
            Stream::Syslog => LogStream::Syslog,
            Stream::Supervisor => LogStream::Supervisor,
        },
        message: String::from_utf8_lossy(&record.message).into_owned(),
    }
}

/// What is kept for `units` (every unit when empty): the last `lines`
/// records (all when `None`) between `since` and `until`, oldest first,
/// and a cursor to follow on from.
pub fn read_backlog(
    directory: &Path,
    units: &[String],
    lines: Option<u64>,
    since: Option<u64>,
    until: Option<u64>,
) -> io::Result<(Vec<Record>, Cursor)> {
    let reader = match JournalReader::open(directory) {
        Ok(reader) => reader,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Cursor::after(0))),
        Err(e) => return Err(e),
    };
    let filter = Filter {
        units: units.to_vec(),
        boot: None,
    };
    let cursor = reader.end_cursor()?;
    let in_range =
        |r: &Record| since.is_none_or(|s| r.realtime >= s) && until.is_none_or(|u| r.realtime <= u);
    let records = match lines {
        Some(n) => reader.tail_where(
            &filter,
            usize::try_from(n).unwrap_or(usize::MAX),
            cursor.seqnum,
            &in_range,
        )?,
        None => {
            let mut out = Vec::new();
            reader.range(&filter, since, until, &mut |r| {
                if r.seqnum <= cursor.seqnum {
                    out.push(r);
                }
                ControlFlow::Continue(())
            })?;
            out
        }
    };
    Ok((records, cursor))
}

/// Sends every record for `units` written after `cursor` to `sender`,
/// woken by inotify, until the receiver is dropped. A receiver that falls
/// behind loses lines (counted in the return value) rather than holding
/// anything up.
pub async fn follow_store(
    directory: &Path,
    units: &[String],
    mut cursor: Cursor,
    sender: Sender<LogEntry>,
) -> io::Result<u64> {
    std::fs::create_dir_all(directory)?;
    let watch = DirectoryWatch::new(directory)?;
    let mut reader = JournalReader::open(directory)?;
    let filter = Filter {
        units: units.to_vec(),
        boot: None,
    };
    let mut dropped = 0;
    loop {
        let mut closed = false;
        reader.read_after(&mut cursor, &filter, &mut |record| match sender
            .try_send(log_entry(&record))
        {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => dropped += 1,
            Err(TrySendError::Closed(_)) => closed = true,
        })?;
        if closed || sender.is_closed() {
            return Ok(dropped);
        }
        tokio::select! {
            changed = watch.changed() => changed?,
            _ = sender.closed() => return Ok(dropped),
        }
        reader.refresh()?;
    }
}

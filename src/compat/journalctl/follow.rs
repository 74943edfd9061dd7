//! `journalctl -f`: the last lines, then every new entry as the
//! supervisor writes it, woken by inotify on the journal directory
//! (never by polling), until killed or stdout goes away.

use std::io::Write;

use super::select::Selection;
use super::{Printer, select_records};
use crate::logs::journal::{DirectoryWatch, JournalReader};

pub fn follow(
    mut reader: JournalReader,
    selection: &Selection,
    lines: Option<u64>,
    printer: &mut Printer,
) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!(
                "Failed to set up the event loop: {}",
                crate::engine::errno_text(&e)
            );
            return 1;
        }
    };
    runtime.block_on(async {
        let watch = match DirectoryWatch::new(reader.directory()) {
            Ok(watch) => watch,
            Err(e) => {
                eprintln!(
                    "Failed to get journal fd: {}",
                    crate::engine::errno_text(&e)
                );
                return 1;
            }
        };
        let mut cursor = match reader.end_cursor() {
            Ok(cursor) => cursor,
            Err(e) => {
                eprintln!("Failed to seek to tail: {}", crate::engine::errno_text(&e));
                return 1;
            }
        };
        let backlog = if lines == Some(0) {
            Vec::new()
        } else {
            select_records(&reader, selection, lines, cursor.seqnum).unwrap_or_default()
        };
        let mut out = Vec::new();
        for record in &backlog {
            printer.print(record, selection, &mut out);
        }
        if !write_out(&mut out) {
            return 0;
        }
        loop {
            if watch.changed().await.is_err() {
                return 1;
            }
            if reader.refresh().is_err() {
                continue;
            }
            let _ = reader.read_after(&mut cursor, &selection.filter, &mut |record| {
                if selection.keeps(&record) {
                    printer.print(&record, selection, &mut out);
                }
            });
            if !write_out(&mut out) {
                return 0;
            }
        }
    })
}

/// Writes and flushes; false once stdout is gone (a closed pipe).
fn write_out(out: &mut Vec<u8>) -> bool {
    if out.is_empty() {
        return true;
    }
    let mut stdout = std::io::stdout().lock();
    let ok = stdout.write_all(out).is_ok() && stdout.flush().is_ok();
    out.clear();
    ok
}

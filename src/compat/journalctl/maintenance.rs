//! `--list-boots`, `--disk-usage` and `--vacuum-size/-time/-files`.

use std::io::Write;
use std::path::Path;

use super::args::Args;
use super::output::format_bytes;
use crate::logs::journal::segment::list_segments;
use crate::logs::journal::{
    JournalReader, Vacuumed, disk_usage as store_usage, vacuum_size, vacuum_time,
};
use crate::syntax::timestamp::{TimestampStyle, format_timestamp_style};

/// `IDX BOOT ID FIRST ENTRY LAST ENTRY`, the newest boot as 0.
pub fn list_boots(reader: &JournalReader, utc: bool) -> u8 {
    let boots = match reader.boots() {
        Ok(boots) => boots,
        Err(e) => {
            eprintln!(
                "Failed to determine boots: {}",
                crate::engine::errno_text(&e)
            );
            return 1;
        }
    };
    let style = if utc {
        TimestampStyle::Utc
    } else {
        TimestampStyle::Pretty
    };
    let count = boots.len() as i64;
    let rows: Vec<[String; 4]> = boots
        .iter()
        .enumerate()
        .map(|(i, b)| {
            [
                (i as i64 - (count - 1)).to_string(),
                b.boot_id.to_string(),
                format_timestamp_style(b.first_realtime, style).unwrap_or_else(|| "n/a".into()),
                format_timestamp_style(b.last_realtime, style).unwrap_or_else(|| "n/a".into()),
            ]
        })
        .collect();
    let header = ["IDX", "BOOT ID", "FIRST ENTRY", "LAST ENTRY"];
    let width = |column: usize| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .chain([header[column].len()])
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    let mut out = String::new();
    let line = |cells: [&str; 4], out: &mut String| {
        out.push_str(&format!(
            "{:>w0$} {:<w1$} {:<w2$} {}\n",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
    };
    line(header, &mut out);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]], &mut out);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    0
}

pub fn disk_usage(directory: &Path) -> u8 {
    let bytes = store_usage(directory).unwrap_or(0);
    println!(
        "Archived and active journals take up {} in the file system.",
        format_bytes(bytes)
    );
    0
}

/// Deletes old segments (never the one being written) and says so on
/// stderr, as journalctl does for each journal directory.
pub fn vacuum(directory: &Path, args: &Args) -> u8 {
    let mut done = Vacuumed::default();
    let mut failed = false;
    let mut merge = |result: std::io::Result<Vacuumed>| match result {
        Ok(v) => {
            done.freed += v.freed;
            done.removed.extend(v.removed);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            eprintln!(
                "Failed to vacuum {}: {}",
                directory.display(),
                crate::engine::errno_text(&e)
            );
            failed = true;
        }
    };
    if let Some(max) = args.vacuum_size {
        merge(vacuum_size(directory, max, None));
    }
    if let Some(age) = args.vacuum_time {
        let now = crate::logs::journal::writer::now_realtime();
        merge(vacuum_time(directory, now.saturating_sub(age)));
    }
    if let Some(keep) = args.vacuum_files {
        merge(vacuum_files(directory, keep));
    }
    if failed {
        return 1;
    }
    if !args.quiet {
        for path in &done.removed {
            eprintln!("Deleted archived journal {}.", path.display());
        }
        eprintln!(
            "Vacuuming done, freed {} of archived journals from {}.",
            format_bytes(done.freed),
            directory.display()
        );
    }
    0
}

/// Keeps the newest `keep` segments (at least the one being written).
fn vacuum_files(directory: &Path, keep: u64) -> std::io::Result<Vacuumed> {
    let segments = list_segments(directory)?;
    let keep = usize::try_from(keep).unwrap_or(usize::MAX).max(1);
    let mut out = Vacuumed::default();
    let excess = segments.len().saturating_sub(keep);
    for (_, path, size) in segments.into_iter().take(excess) {
        match std::fs::remove_file(&path) {
            Ok(()) => {
                out.freed += size;
                out.removed.push(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

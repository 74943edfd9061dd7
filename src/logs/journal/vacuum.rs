//! Deleting old segments: by total size and by age. Used by the writer
//! after each seal and by readers for `--vacuum-size`/`--vacuum-time`.
//! The newest segment (the one being written) is never deleted.

use std::io;
use std::path::{Path, PathBuf};

use super::segment::{Segment, list_segments};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Vacuumed {
    pub removed: Vec<PathBuf>,
    pub freed: u64,
}

/// Bytes the segment files of `directory` use.
pub fn disk_usage(directory: &Path) -> io::Result<u64> {
    Ok(list_segments(directory)?
        .iter()
        .map(|(_, _, size)| size)
        .sum())
}

/// Deletes the oldest segments until all of them use at most `max_bytes`.
/// `keep` (the writer's active segment) and the newest are never deleted.
pub fn vacuum_size(directory: &Path, max_bytes: u64, keep: Option<&Path>) -> io::Result<Vacuumed> {
    let segments = list_segments(directory)?;
    let mut total: u64 = segments.iter().map(|(_, _, size)| size).sum();
    let mut out = Vacuumed::default();
    let deletable = segments.len().saturating_sub(1);
    for (_, path, size) in segments.into_iter().take(deletable) {
        if total <= max_bytes {
            break;
        }
        if Some(path.as_path()) == keep {
            continue;
        }
        if remove(&path)? {
            total -= size;
            out.freed += size;
            out.removed.push(path);
        }
    }
    Ok(out)
}

/// Deletes the sealed segments whose newest record is older than
/// `before_realtime` (microseconds since the epoch).
pub fn vacuum_time(directory: &Path, before_realtime: u64) -> io::Result<Vacuumed> {
    let segments = list_segments(directory)?;
    let mut out = Vacuumed::default();
    let deletable = segments.len().saturating_sub(1);
    for (_, path, size) in segments.into_iter().take(deletable) {
        let Ok(Some(segment)) = Segment::open(&path) else {
            continue;
        };
        let Some(summary) = &segment.sealed else {
            continue;
        };
        if summary.max_realtime >= before_realtime {
            // Segments are in write order: the rest are newer still.
            break;
        }
        if remove(&path)? {
            out.freed += size;
            out.removed.push(path);
        }
    }
    Ok(out)
}

/// Removes a file; one already gone (another vacuum) is no error.
fn remove(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

//! The one writer of a journal directory: appends frames to the active
//! segment in batches, seals it at the size limit, keeps the directory
//! under its size bound, and turns write errors into dropped records.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Notify;

use super::drops::{DropCounter, Report};
use super::format::{HEADER_LEN, SegmentHeader, Summary, encode_frame, frame_view};
use super::segment::{Segment, Window, list_segments, segment_file_name};
use super::vacuum::vacuum_size;
use crate::logs::record::{Entry, Id128};

/// Where the supervisor keeps its journal.
pub const DEFAULT_DIRECTORY: &str = "/var/log/runr/journal";
/// journald's cap on the default SystemMaxUse=.
pub const MAX_USE_CAP: u64 = 4 << 30;
/// A batch this large is written without waiting for the caller's flush.
const BATCH_BYTES: usize = 256 * 1024;
const SEGMENT_SIZE_MIN: u64 = 64 * 1024;
const SEGMENT_SIZE_MAX: u64 = 8 << 20;

#[derive(Debug, Clone)]
pub struct JournalConfig {
    pub directory: PathBuf,
    /// Total bytes the segments may use; `None`: 10% of the file system,
    /// at most 4 GiB (journald's SystemMaxUse= default).
    pub max_use: Option<u64>,
    /// Size at which the active segment is sealed; `None`: an eighth of
    /// `max_use`, between 64 KiB and 8 MiB.
    pub segment_size: Option<u64>,
    /// This supervisor run's boot ID.
    pub boot_id: Id128,
}

impl JournalConfig {
    pub fn new(directory: impl Into<PathBuf>) -> JournalConfig {
        JournalConfig {
            directory: directory.into(),
            max_use: None,
            segment_size: None,
            boot_id: Id128::random(),
        }
    }
}

struct Active {
    file: File,
    path: PathBuf,
    /// Bytes written and kept: the next frame goes here.
    len: u64,
    summary: Summary,
}

pub struct JournalWriter {
    directory: PathBuf,
    boot_id: Id128,
    max_use: u64,
    segment_size: u64,
    next_seqnum: u64,
    active: Option<Active>,
    batch: Vec<u8>,
    batch_records: u64,
    batch_first_seqnum: u64,
    drops: DropCounter,
    notify: Arc<Notify>,
}

impl JournalWriter {
    /// Takes over the directory: seals what an earlier run left unsealed,
    /// and carries on its sequence numbers. Never fails: a directory that
    /// cannot be written is reported by the first flush.
    pub fn open(config: JournalConfig) -> JournalWriter {
        let max_use = config
            .max_use
            .unwrap_or_else(|| default_max_use(&config.directory));
        let segment_size = config
            .segment_size
            .unwrap_or_else(|| (max_use / 8).clamp(SEGMENT_SIZE_MIN, SEGMENT_SIZE_MAX))
            .max(2 * HEADER_LEN as u64);
        let mut writer = JournalWriter {
            directory: config.directory,
            boot_id: config.boot_id,
            max_use,
            segment_size,
            next_seqnum: 1,
            active: None,
            batch: Vec::with_capacity(BATCH_BYTES + 4096),
            batch_records: 0,
            batch_first_seqnum: 0,
            drops: DropCounter::default(),
            notify: Arc::new(Notify::new()),
        };
        writer.recover();
        writer
    }

    pub fn boot_id(&self) -> Id128 {
        self.boot_id
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Records dropped because they could not be written.
    pub fn dropped(&self) -> u64 {
        self.drops.dropped()
    }

    /// Woken after every batch that reached the directory: in-process
    /// followers wait on it instead of polling.
    pub fn subscribe(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    /// Queues a record; writes the batch once it is large. Returns a report
    /// only when that write changed the failing/working state.
    pub fn append(&mut self, entry: &Entry<'_>) -> Option<Report> {
        if self.batch_records == 0 {
            self.batch_first_seqnum = self.next_seqnum;
        }
        encode_frame(&mut self.batch, self.next_seqnum, entry);
        self.next_seqnum += 1;
        self.batch_records += 1;
        if self.batch.len() >= BATCH_BYTES {
            self.flush()
        } else {
            None
        }
    }

    /// Writes the queued records (the caller flushes once per batch of
    /// lines it handled). On failure they are dropped and counted; the
    /// next flush tries again.
    pub fn flush(&mut self) -> Option<Report> {
        if self.batch_records == 0 {
            return None;
        }
        let result = self.write_batch();
        let records = self.batch_records;
        self.batch.clear();
        self.batch_records = 0;
        match result {
            Ok(()) => {
                self.notify.notify_waiters();
                self.drops.succeeded()
            }
            Err(error) => self.drops.failed(records, error),
        }
    }

    /// Flushes and seals the active segment (at shutdown).
    pub fn close(&mut self) -> Option<Report> {
        let report = self.flush();
        self.seal_active();
        report
    }

    fn write_batch(&mut self) -> io::Result<()> {
        let first_seqnum = self.batch_first_seqnum;
        self.ensure_active_segment(first_seqnum)?;
        let Some(active) = self.active.as_mut() else {
            return Err(io::Error::other("no active segment"));
        };
        if let Err(error) = active.file.write_all_at(&self.batch, active.len) {
            // Cut off what reached the disk, so the segment stays whole;
            // where even that fails, start a new segment next time.
            if active.file.set_len(active.len).is_err() {
                self.active = None;
            }
            return Err(error);
        }
        let mut at = 0;
        while let Some((len, frame)) = frame_view(&self.batch[at..]) {
            active
                .summary
                .add(active.len + at as u64, len as u64, &frame);
            at += len;
        }
        active.len += self.batch.len() as u64;
        if active.len >= self.segment_size {
            self.seal_active();
        }
        Ok(())
    }

    /// The segment to write to, made when there is none or when the one
    /// open was deleted under us (its directory removed).
    fn ensure_active_segment(&mut self, first_seqnum: u64) -> io::Result<()> {
        let unlinked = match &self.active {
            Some(active) => active
                .file
                .metadata()
                .map(|m| m.nlink() == 0)
                .unwrap_or(true),
            None => false,
        };
        if unlinked {
            self.active = None;
        }
        if self.active.is_none() {
            let active = match self.create_segment(first_seqnum) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // The directory came back with segments we did not know.
                    self.recover();
                    self.create_segment(first_seqnum.max(self.next_seqnum))?
                }
                other => other?,
            };
            self.active = Some(active);
        }
        Ok(())
    }

    fn create_segment(&mut self, first_seqnum: u64) -> io::Result<Active> {
        std::fs::create_dir_all(&self.directory)?;
        let path = self.directory.join(segment_file_name(first_seqnum));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        let header = SegmentHeader {
            boot_id: self.boot_id,
            first_seqnum,
            created_realtime: now_realtime(),
        };
        if let Err(e) = file.write_all_at(&header.encode(), 0) {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        let summary = Summary {
            data_end: HEADER_LEN as u64,
            ..Summary::default()
        };
        Ok(Active {
            file,
            path,
            len: HEADER_LEN as u64,
            summary,
        })
    }

    /// Writes the summary after the last frame, then keeps the directory
    /// under its bound. A seal that fails leaves an unsealed segment, which
    /// readers scan instead.
    fn seal_active(&mut self) {
        let Some(active) = self.active.take() else {
            return;
        };
        let _ = active
            .file
            .write_all_at(&active.summary.encode(), active.len);
        let _ = vacuum_size(&self.directory, self.max_use, Some(&active.path));
    }

    /// Seals segments a crashed run left open (cutting a torn last frame)
    /// and continues the sequence numbers after the newest record.
    fn recover(&mut self) {
        let Ok(segments) = list_segments(&self.directory) else {
            return;
        };
        for (first_seqnum, path, _) in segments {
            self.next_seqnum = self.next_seqnum.max(first_seqnum + 1);
            let Ok(Some(segment)) = Segment::open(&path) else {
                continue;
            };
            let summary = match &segment.sealed {
                Some(s) => s.clone(),
                None => match seal_left_open(&segment) {
                    Some(s) => s,
                    None => continue,
                },
            };
            if summary.records > 0 {
                self.next_seqnum = self.next_seqnum.max(summary.last_seqnum + 1);
            }
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Seals a segment an earlier writer left unsealed; an empty one is
/// removed. Returns its summary.
fn seal_left_open(segment: &Segment) -> Option<Summary> {
    let summary = segment.summary(&mut Window::default()).ok()?;
    if summary.records == 0 {
        let _ = std::fs::remove_file(&segment.path);
        return Some(summary);
    }
    let file = OpenOptions::new().write(true).open(&segment.path).ok()?;
    file.set_len(summary.data_end).ok()?;
    file.write_all_at(&summary.encode(), summary.data_end)
        .ok()?;
    Some(summary)
}

/// 10% of the file system holding `directory` (or its nearest existing
/// parent), capped at 4 GiB.
fn default_max_use(directory: &Path) -> u64 {
    let mut probe = Some(directory);
    while let Some(path) = probe {
        if let Ok(stats) = nix::sys::statvfs::statvfs(path) {
            let total = stats.blocks().saturating_mul(stats.fragment_size());
            return (total / 10).min(MAX_USE_CAP);
        }
        probe = path.parent();
    }
    MAX_USE_CAP
}

pub fn now_realtime() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

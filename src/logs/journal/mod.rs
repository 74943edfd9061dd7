//! runr's journal: every log record, appended to segment files in one
//! directory (default `/var/log/runr/journal`), bounded in total size, and
//! read back by unit, time, boot or cursor without scanning the whole store.
//!
//! # Files
//!
//! A journal directory holds segment files named by the sequence number of
//! their first record, 16 hex digits: `0000000000000001.rjnl`,
//! `00000000000004d3.rjnl`, ... so that names sort oldest first. One
//! writer (the supervisor) appends to the newest segment; when it reaches
//! the segment size the writer seals it (appends its summary) and starts a
//! new one, and then deletes the oldest segments while the directory uses
//! more than its bound (SystemMaxUse-like: 10% of the file system, at most
//! 4 GiB, unless configured). A segment holds records of one supervisor
//! run only (one boot ID): every run starts a new segment. Readers open
//! segments read-only, take no lock, and see a segment sealed, half
//! written, or deleted under them (an open file stays readable).
//!
//! # Segment layout (all integers little-endian)
//!
//! ```text
//! header   64 bytes: magic "RUNRJNL\x01", u32 header length (64), u32 zero,
//!          boot ID (16), u64 first sequence number, u64 creation realtime,
//!          12 zero bytes, u32 CRC-32 of the 60 bytes before it
//! frames   one per record, back to back:
//!            u32 frame length L (all of it, both lengths included)
//!            u32 CRC-32 of the payload
//!            payload: u64 seqnum, u64 realtime, u64 monotonic (usec),
//!                     invocation ID (16), u32 pid, u8 priority,
//!                     u8 facility, u8 stream, u8 zero, u16 unit length,
//!                     u16 identifier length, u16 hostname length, u16 zero,
//!                     then the unit, identifier, hostname and message bytes
//!                     (the message runs to the end of the payload)
//!            u32 frame length L again, so frames can be walked backward
//! summary  only in a sealed segment: magic "RJSUMMRY", u64 record count,
//!          first and last seqnum, min and max realtime, first and last
//!          monotonic; u32 unit count, each unit as u16 length + bytes;
//!          u32 block count, each block (the sparse index, one per ~64 KiB
//!          of frames) as u64 offset, first seqnum, min realtime, max
//!          realtime, unit mask (bit i: the i-th unit has a record in the
//!          block, bit 63: some unit past the 63rd); u32 CRC-32 of all that
//! footer   16 bytes: u64 offset of the summary, magic "RJFOOTER"
//! ```
//!
//! A frame is intact when both lengths agree and the checksum matches. A
//! crash leaves the newest segment unsealed with at most a torn last frame:
//! readers stop before it, and the next writer cuts it off and seals the
//! segment. A segment without a valid footer is read by walking its frames.
//!
//! # Writing
//!
//! [`JournalWriter::append`] encodes into one reusable batch buffer;
//! [`JournalWriter::flush`] writes the batch with one positioned write. A
//! failed write (ENOSPC, EROFS, the directory removed) drops the batch,
//! counts it in [`JournalWriter::dropped`], cuts the segment back to its
//! last whole frame, and reports [`Report::Failed`] once; the next flush
//! tries again and reports [`Report::Resumed`] when it works.

pub mod drops;
pub mod format;
pub mod reader;
pub mod segment;
pub mod vacuum;
pub mod watch;
pub mod writer;

pub use drops::{DropCounter, Report};
pub use reader::{BootInfo, Cursor, Filter, JournalReader};
pub use vacuum::{Vacuumed, disk_usage, vacuum_size, vacuum_time};
pub use watch::DirectoryWatch;
pub use writer::{DEFAULT_DIRECTORY, JournalConfig, JournalWriter};

/// The environment variable that points the supervisor, `journalctl` and
/// `runr log` at another journal directory (tests, unprivileged runs).
pub const DIRECTORY_ENV: &str = "RUNR_JOURNAL_DIR";

/// `$RUNR_JOURNAL_DIR`, else [`DEFAULT_DIRECTORY`].
pub fn default_directory() -> std::path::PathBuf {
    std::env::var_os(DIRECTORY_ENV)
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(DEFAULT_DIRECTORY))
}

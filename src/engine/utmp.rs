//! utmp and wtmp, as systemd-update-utmp keeps them: a boot record when
//! the manager starts, a runlevel record whenever graphical.target,
//! multi-user.target or rescue.target is reached and the runlevel that
//! makes (5, 3, 1: the first of them that is active) differs from the one
//! on record, and a shutdown record at the end. `runlevel` (and `who -r`,
//! `last -x`) read them back.
//!
//! The records are glibc's `struct utmpx` of x86_64 and aarch64 (384
//! bytes), read and written here directly: utmp is a table with one
//! record per kind (the runlevel record is replaced), wtmp a log that
//! records are appended to. As glibc does, the files are locked while
//! they are read or written, and a missing utmp is not created by a read.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

/// The size of one record.
pub const RECORD_SIZE: usize = 384;

/// `ut_type` values.
pub const RUN_LVL: i16 = 1;
pub const BOOT_TIME: i16 = 2;

const LINE: usize = 8; // ut_line[32]
const ID: usize = 40; // ut_id[4]
const USER: usize = 44; // ut_user[32]
const HOST: usize = 76; // ut_host[256]
const TV_SEC: usize = 340; // ut_tv.tv_sec (int32)
const TV_USEC: usize = 344;

/// One utmp record, as far as runr reads and writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: i16,
    /// For a runlevel record: the runlevel in the low byte, the previous
    /// one in the next.
    pub pid: i32,
    pub user: String,
    /// Microseconds since the epoch.
    pub time_usec: u64,
}

impl Record {
    /// systemd's init_entry(): line `~`, id `~~`, the kernel release as host.
    fn to_bytes(&self) -> [u8; RECORD_SIZE] {
        let mut out = [0u8; RECORD_SIZE];
        out[0..2].copy_from_slice(&self.kind.to_ne_bytes());
        out[4..8].copy_from_slice(&self.pid.to_ne_bytes());
        put_text(&mut out[LINE..LINE + 32], "~");
        put_text(&mut out[ID..ID + 4], "~~");
        put_text(&mut out[USER..USER + 32], &self.user);
        let release = nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default();
        put_text(&mut out[HOST..HOST + 256], &release);
        let seconds = i32::try_from(self.time_usec / 1_000_000).unwrap_or(i32::MAX);
        let micros = i32::try_from(self.time_usec % 1_000_000).unwrap_or(0);
        out[TV_SEC..TV_SEC + 4].copy_from_slice(&seconds.to_ne_bytes());
        out[TV_USEC..TV_USEC + 4].copy_from_slice(&micros.to_ne_bytes());
        out
    }

    fn from_bytes(raw: &[u8]) -> Record {
        let i16_at = |at: usize| i16::from_ne_bytes([raw[at], raw[at + 1]]);
        let i32_at =
            |at: usize| i32::from_ne_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]);
        let user = &raw[USER..USER + 32];
        let end = user.iter().position(|b| *b == 0).unwrap_or(user.len());
        let seconds = u64::try_from(i32_at(TV_SEC)).unwrap_or(0);
        let micros = u64::try_from(i32_at(TV_USEC)).unwrap_or(0);
        Record {
            kind: i16_at(0),
            pid: i32_at(4),
            user: String::from_utf8_lossy(&user[..end]).into_owned(),
            time_usec: seconds * 1_000_000 + micros,
        }
    }
}

fn put_text(field: &mut [u8], text: &str) {
    let bytes = text.as_bytes();
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

/// The runlevel and the previous one as `runlevel` prints them: a
/// character each, `N` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runlevel {
    pub previous: u8,
    pub current: u8,
}

impl Runlevel {
    fn from_pid(pid: i32) -> Runlevel {
        Runlevel {
            current: (pid & 0xff) as u8,
            previous: ((pid >> 8) & 0xff) as u8,
        }
    }

    /// `N 3`.
    pub fn line(self) -> String {
        let shown = |level: u8| if level == 0 { 'N' } else { char::from(level) };
        format!("{} {}\n", shown(self.previous), shown(self.current))
    }
}

/// Where utmp and wtmp are: `/run/utmp` and `/var/log/wtmp` below a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub utmp: PathBuf,
    pub wtmp: PathBuf,
}

impl Files {
    pub fn under(root: &Path) -> Files {
        Files {
            utmp: root.join("run/utmp"),
            wtmp: root.join("var/log/wtmp"),
        }
    }

    /// The runlevel record of utmp (glibc's getutxid() for RUN_LVL: the
    /// first record of that type). None when there is no utmp or no such
    /// record.
    pub fn runlevel(&self) -> Option<Runlevel> {
        let file = File::open(&self.utmp).ok()?;
        let mut file = Flock::lock(file, FlockArg::LockShared).ok()?;
        let mut raw = Vec::new();
        file.read_to_end(&mut raw).ok()?;
        raw.chunks_exact(RECORD_SIZE)
            .map(Record::from_bytes)
            .find(|r| r.kind == RUN_LVL)
            .map(|r| Runlevel::from_pid(r.pid))
    }

    /// systemd's utmp_put_runlevel(): records `current` with the runlevel
    /// on record as the previous one, unless they are the same.
    pub fn put_runlevel(&self, current: u8, now_usec: u64) -> io::Result<()> {
        let previous = self.runlevel().map_or(0, |r| r.current);
        if previous == current {
            return Ok(());
        }
        self.put(&Record {
            kind: RUN_LVL,
            pid: i32::from(current) | (i32::from(previous) << 8),
            user: "runlevel".into(),
            time_usec: now_usec,
        })
    }

    /// utmp_put_reboot(): the boot record, `who -b`.
    pub fn put_boot(&self, boot_usec: u64) -> io::Result<()> {
        self.put(&Record {
            kind: BOOT_TIME,
            pid: 0,
            user: "reboot".into(),
            time_usec: boot_usec,
        })
    }

    /// utmp_put_shutdown(): a runlevel record with no runlevel, user
    /// `shutdown`.
    pub fn put_shutdown(&self, now_usec: u64) -> io::Result<()> {
        self.put(&Record {
            kind: RUN_LVL,
            pid: 0,
            user: "shutdown".into(),
            time_usec: now_usec,
        })
    }

    /// pututxline() and updwtmpx(): replaces the record of the same type
    /// in utmp (or appends it) and appends it to wtmp.
    fn put(&self, record: &Record) -> io::Result<()> {
        let bytes = record.to_bytes();
        let utmp = open_for_writing(&self.utmp)?;
        let mut utmp =
            Flock::lock(utmp, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;
        let mut raw = Vec::new();
        utmp.read_to_end(&mut raw)?;
        let slot = raw
            .chunks_exact(RECORD_SIZE)
            .position(|r| Record::from_bytes(r).kind == record.kind)
            .unwrap_or(raw.len() / RECORD_SIZE);
        utmp.seek(SeekFrom::Start((slot * RECORD_SIZE) as u64))?;
        utmp.write_all(&bytes)?;
        drop(utmp);
        let wtmp = open_for_writing(&self.wtmp)?;
        let mut wtmp =
            Flock::lock(wtmp, FlockArg::LockExclusive).map_err(|(_, e)| io::Error::from(e))?;
        let len = wtmp.seek(SeekFrom::End(0))?;
        // A torn last record is cut off, as updwtmp() does.
        wtmp.seek(SeekFrom::Start(len - len % RECORD_SIZE as u64))?;
        wtmp.write_all(&bytes)
    }
}

/// Opens (creating, mode 0664 as systemd-tmpfiles makes them) for
/// reading and writing.
fn open_for_writing(path: &Path) -> io::Result<File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let existed = path.exists();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o664)
        .open(path)?;
    if !existed {
        // Whatever the umask: utmp is readable by all, as `who` needs.
        file.set_permissions(std::fs::Permissions::from_mode(0o664))?;
    }
    Ok(file)
}

/// The runlevel the active targets make, as systemd-update-utmp finds it:
/// the first of graphical.target (5), multi-user.target (3) and
/// rescue.target (1) that is active; 0 when none is.
pub fn runlevel_of(is_active: impl Fn(&str) -> bool) -> u8 {
    const TABLE: [(u8, &str); 3] = [
        (b'5', "graphical.target"),
        (b'3', "multi-user.target"),
        (b'1', "rescue.target"),
    ];
    TABLE
        .iter()
        .find(|(_, target)| is_active(target))
        .map_or(0, |(level, _)| *level)
}

/// Whether reaching this unit makes systemd-update-utmp look again.
pub fn is_runlevel_target(name: &str) -> bool {
    matches!(
        name,
        "graphical.target" | "multi-user.target" | "rescue.target"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runlevel_records_carry_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::under(dir.path());
        assert_eq!(files.runlevel(), None);
        assert!(!files.utmp.exists(), "a read creates nothing");
        files.put_boot(1_705_320_000_000_000).unwrap();
        files.put_runlevel(b'3', 1_705_320_001_000_000).unwrap();
        assert_eq!(files.runlevel().unwrap().line(), "N 3\n");
        files.put_runlevel(b'3', 1_705_320_002_000_000).unwrap();
        files.put_runlevel(b'5', 1_705_320_003_000_000).unwrap();
        assert_eq!(files.runlevel().unwrap().line(), "3 5\n");
        files.put_shutdown(1_705_320_004_000_000).unwrap();
        assert_eq!(files.runlevel().unwrap().line(), "N N\n");
        // utmp: one boot and one runlevel record; wtmp: every record.
        assert_eq!(std::fs::metadata(&files.utmp).unwrap().len(), 2 * 384);
        assert_eq!(std::fs::metadata(&files.wtmp).unwrap().len(), 4 * 384);
        let raw = std::fs::read(&files.wtmp).unwrap();
        let last = Record::from_bytes(&raw[3 * 384..]);
        assert_eq!((last.kind, last.user.as_str()), (RUN_LVL, "shutdown"));
        assert_eq!(last.time_usec, 1_705_320_004_000_000);
    }

    #[test]
    fn the_first_active_target_of_systemds_table_wins() {
        assert_eq!(runlevel_of(|_| true), b'5');
        assert_eq!(runlevel_of(|t| t != "graphical.target"), b'3');
        assert_eq!(runlevel_of(|t| t == "rescue.target"), b'1');
        assert_eq!(runlevel_of(|_| false), 0);
    }
}

//! A service's own log file, rotated: runr's `[Log]` section
//! (`Directory=`, `FileSize=`, `RotateEvery=`, `FileCount=`, `MaxAge=`,
//! `Compress=`).
//!
//! # Names
//!
//! In `Directory=`, the live file is `NAME.log`. Rotated files are
//! `NAME.log.1` (the newest) up to `NAME.log.N` (N = `FileCount=`), each
//! with `.gz` appended when `Compress=yes`. A rotation renames `NAME.log`
//! to `NAME.log.rotating-SEQ` and opens a fresh `NAME.log` at once; a
//! helper thread then shifts `.1`.. up by one, turns the renamed file into
//! `NAME.log.1` (gzipped through `NAME.log.1.gz.tmp` when compressing),
//! deletes what passes `FileCount=` and rotated files older than
//! `MaxAge=`. The helper runs only while there is work, one job at a time,
//! so the writer never waits for compression. A file left as
//! `.rotating-SEQ` by a crash is picked up by the next writer.
//!
//! # Errors
//!
//! Lines are buffered and written once per batch ([`RotatingFile::flush`]).
//! A write that fails (a full disk, a read-only mount, the directory
//! removed) drops the batch's lines and counts them; the first failure and
//! the recovery are reported once, and every later batch tries again.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::logs::journal::{DropCounter, Report};

/// A batch this large is written without waiting for the caller's flush.
const BATCH_BYTES: usize = 64 * 1024;
/// How long the helper lets rotations gather before a pass: a service
/// flooding its log rotates many times a second, and rotations that
/// share a pass rename each older file once rather than once each.
const ROTATION_GATHER: Duration = Duration::from_millis(50);
const ROTATING_MARK: &str = ".rotating-";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateConfig {
    /// `Directory=`.
    pub directory: PathBuf,
    /// The file's base name: the live file is `NAME.log`.
    pub name: String,
    /// `FileSize=`: rotate once the live file reaches this many bytes.
    pub file_size: Option<u64>,
    /// `RotateEvery=`: rotate a live file this old (checked on each write).
    pub rotate_every: Option<Duration>,
    /// `FileCount=`: rotated files kept.
    pub file_count: u32,
    /// `MaxAge=`: rotated files last written longer ago are deleted.
    pub max_age: Option<Duration>,
    /// `Compress=`: gzip rotated files.
    pub compress: bool,
}

impl RotateConfig {
    pub fn new(directory: impl Into<PathBuf>, name: impl Into<String>) -> RotateConfig {
        RotateConfig {
            directory: directory.into(),
            name: name.into(),
            file_size: None,
            rotate_every: None,
            file_count: 5,
            max_age: None,
            compress: false,
        }
    }

    pub fn live_path(&self) -> PathBuf {
        self.directory.join(format!("{}.log", self.name))
    }

    /// The n-th rotated file (1: the newest).
    pub fn rotated_path(&self, n: u32) -> PathBuf {
        let gz = if self.compress { ".gz" } else { "" };
        self.directory.join(format!("{}.log.{n}{gz}", self.name))
    }
}

struct Live {
    file: File,
    len: u64,
    opened: SystemTime,
}

pub struct RotatingFile {
    config: RotateConfig,
    live: Option<Live>,
    batch: Vec<u8>,
    batch_lines: u64,
    drops: DropCounter,
    rotations: u64,
    helper: Arc<Helper>,
    clock: fn() -> SystemTime,
}

impl RotatingFile {
    /// Nothing is opened yet: the first flush creates the directory and
    /// the file, and reports if it cannot.
    pub fn new(config: RotateConfig) -> RotatingFile {
        let mut file = RotatingFile {
            config,
            live: None,
            batch: Vec::with_capacity(4096),
            batch_lines: 0,
            drops: DropCounter::default(),
            rotations: 0,
            helper: Arc::new(Helper::default()),
            clock: SystemTime::now,
        };
        file.adopt_leftovers();
        file
    }

    /// Replaces the clock (tests drive `RotateEvery=` with it).
    pub fn set_clock(&mut self, clock: fn() -> SystemTime) {
        self.clock = clock;
    }

    pub fn config(&self) -> &RotateConfig {
        &self.config
    }

    /// Lines dropped because they could not be written.
    pub fn dropped(&self) -> u64 {
        self.drops.dropped()
    }

    /// Queues one line (a newline is added). A line that would take the
    /// live file past `FileSize=` first sends what is queued, so that the
    /// rotation falls between lines at the size asked for.
    pub fn write_line(&mut self, line: &[u8]) -> Option<Report> {
        self.queue(&[line, b"\n"], 1)
    }

    /// Queues lines that end in their newlines already, back to back in
    /// `text`; `ends` says where each ends. Lines that all fit under
    /// `FileSize=` are queued in one copy; otherwise one by one, so that
    /// the rotation still falls between lines.
    pub fn write_lines(
        &mut self,
        text: &[u8],
        ends: impl ExactSizeIterator<Item = usize>,
    ) -> Option<Report> {
        if !self.would_pass_size(text.len()) {
            let lines = ends.len() as u64;
            if self.batch_lines == 0 {
                // Nothing queued before them: write them from where they
                // are rather than copy them first.
                return self.write_now(text, lines);
            }
            return self.queue(&[text], lines);
        }
        let mut report = None;
        let mut start = 0;
        for end in ends {
            let line = text.get(start..end).unwrap_or_default();
            report = self.queue(&[line], 1).or(report);
            start = end;
        }
        report
    }

    /// Whether `bytes` more would take the live file past `FileSize=`.
    fn would_pass_size(&self, bytes: usize) -> bool {
        self.config.file_size.is_some_and(|max| {
            let live = self.live.as_ref().map_or(0, |l| l.len);
            live + (self.batch.len() + bytes) as u64 > max
        })
    }

    /// Queues `lines` lines made of `parts`. What would take the live file
    /// past `FileSize=` first sends what is queued, so that the rotation
    /// falls before it.
    fn queue(&mut self, parts: &[&[u8]], lines: u64) -> Option<Report> {
        let mut report = None;
        let bytes = parts.iter().map(|p| p.len()).sum();
        if self.batch_lines > 0 && self.would_pass_size(bytes) {
            report = self.flush();
        }
        for part in parts {
            self.batch.extend_from_slice(part);
        }
        self.batch_lines += lines;
        if self.batch.len() >= BATCH_BYTES {
            report = self.flush().or(report);
        }
        report
    }

    /// Writes the queued lines, rotating first when the live file is due.
    pub fn flush(&mut self) -> Option<Report> {
        if self.batch_lines == 0 {
            return None;
        }
        let mut batch = std::mem::take(&mut self.batch);
        let lines = std::mem::take(&mut self.batch_lines);
        let report = self.write_now(&batch, lines);
        batch.clear();
        self.batch = batch;
        report
    }

    /// Writes `lines` lines at once; on failure they are dropped and counted.
    fn write_now(&mut self, bytes: &[u8], lines: u64) -> Option<Report> {
        match self.write_out(bytes) {
            Ok(()) => self.drops.succeeded(),
            Err(error) => self.drops.failed(lines, error),
        }
    }

    /// Blocks until the helper has finished every rotation (shutdown, tests).
    pub fn wait_for_helper(&self) {
        self.helper.wait_idle();
    }

    fn write_out(&mut self, bytes: &[u8]) -> io::Result<()> {
        let now = (self.clock)();
        self.ensure_live(now)?;
        if self.rotation_due(now, bytes.len()) {
            self.rotate(now)?;
        }
        let Some(live) = self.live.as_mut() else {
            return Err(io::Error::other("no live file"));
        };
        if let Err(error) = live.file.write_all(bytes) {
            // Cut a half-written line off; where that fails, reopen later.
            if live.file.set_len(live.len).is_err() {
                self.live = None;
            }
            return Err(error);
        }
        live.len += bytes.len() as u64;
        Ok(())
    }

    /// Whether the live file is to be rotated before `pending` more bytes.
    fn rotation_due(&self, now: SystemTime, pending: usize) -> bool {
        let Some(live) = &self.live else { return false };
        if live.len == 0 {
            return false;
        }
        let by_size = self
            .config
            .file_size
            .is_some_and(|max| live.len + pending as u64 > max);
        let by_age = self.config.rotate_every.is_some_and(|every| {
            now.duration_since(live.opened)
                .is_ok_and(|age| age >= every)
        });
        by_size || by_age
    }

    /// Opens `NAME.log` when none is open or the open one was deleted.
    fn ensure_live(&mut self, now: SystemTime) -> io::Result<()> {
        if let Some(live) = &self.live {
            if live.file.metadata().map(|m| m.nlink() > 0).unwrap_or(false) {
                return Ok(());
            }
            self.live = None;
        }
        std::fs::create_dir_all(&self.config.directory)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.config.live_path())?;
        let meta = file.metadata()?;
        // A file kept from an earlier run is as old as its last write.
        let opened = if meta.len() > 0 {
            meta.modified().unwrap_or(now)
        } else {
            now
        };
        self.live = Some(Live {
            file,
            len: meta.len(),
            opened,
        });
        Ok(())
    }

    /// Moves the live file aside, opens a new one, and leaves the rest to
    /// the helper.
    fn rotate(&mut self, now: SystemTime) -> io::Result<()> {
        self.rotations += 1;
        let aside = self.config.directory.join(format!(
            "{}.log{ROTATING_MARK}{}-{:06}",
            self.config.name,
            std::process::id(),
            self.rotations
        ));
        std::fs::rename(self.config.live_path(), &aside)?;
        self.live = None;
        self.ensure_live(now)?;
        self.helper.submit(self.config.clone(), aside);
        Ok(())
    }

    /// Rotated-away files a crash left behind: finish their rotation.
    fn adopt_leftovers(&mut self) {
        let prefix = format!("{}.log{ROTATING_MARK}", self.config.name);
        let Ok(entries) = std::fs::read_dir(&self.config.directory) else {
            return;
        };
        let mut leftovers: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with(&prefix) && !n.ends_with(".tmp"))
            })
            .map(|e| e.path())
            .collect();
        leftovers.sort_by_key(|p| {
            p.metadata()
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH)
        });
        for path in leftovers {
            self.helper.submit(self.config.clone(), path);
        }
    }
}

impl Drop for RotatingFile {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// The queue of rotations, worked through by a thread that lives only
/// while the queue is not empty.
#[derive(Default)]
struct Helper {
    state: Mutex<HelperState>,
    idle: Condvar,
}

#[derive(Default)]
struct HelperState {
    queue: VecDeque<(RotateConfig, PathBuf)>,
    running: bool,
}

impl Helper {
    fn submit(self: &Arc<Self>, config: RotateConfig, aside: PathBuf) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.queue.push_back((config, aside));
        if state.running {
            return;
        }
        state.running = true;
        let helper = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("log-rotate".into())
            .spawn(move || helper.work());
        if spawned.is_err() {
            // No thread to be had: the files stay as `.rotating-*` and
            // the next writer picks them up.
            state.running = false;
            state.queue.clear();
        }
    }

    fn work(&self) {
        lower_priority();
        loop {
            std::thread::sleep(ROTATION_GATHER);
            let jobs: Vec<(RotateConfig, PathBuf)> = match self.state.lock() {
                Ok(mut state) if state.queue.is_empty() => {
                    state.running = false;
                    self.idle.notify_all();
                    return;
                }
                Ok(mut state) => state.queue.drain(..).collect(),
                Err(_) => return,
            };
            // Every rotation queued meanwhile in one pass: each rotated
            // file is renamed once, not once per rotation.
            let mut groups: Vec<(RotateConfig, Vec<PathBuf>)> = Vec::new();
            for (config, aside) in jobs {
                match groups.last_mut() {
                    Some((same, asides)) if *same == config => asides.push(aside),
                    _ => groups.push((config, vec![aside])),
                }
            }
            for (config, asides) in groups {
                let _ = finish_rotations(&config, &asides);
                let _ = delete_expired(&config, SystemTime::now());
            }
        }
    }

    fn wait_idle(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        while state.running {
            match self.idle.wait(state) {
                Ok(next) => state = next,
                Err(_) => return,
            }
        }
    }
}

/// Rotations are housekeeping: at a lower CPU priority they leave the
/// cores to the services and their lines, and when they fall behind, the
/// next pass does all that queued up at once.
fn lower_priority() {
    let thread = nix::unistd::gettid().as_raw();
    // SAFETY: setpriority(2) on this thread's own ID; no memory involved.
    // On Linux it changes this thread's nice value only.
    let _ = unsafe { nix::libc::setpriority(nix::libc::PRIO_PROCESS as _, thread as _, 10) };
}

/// Shifts the rotated files up by as many as `asides` holds (the files
/// moved aside, oldest first) and makes them the newest: the last one
/// becomes `NAME.log.1`.
fn finish_rotations(config: &RotateConfig, asides: &[PathBuf]) -> io::Result<()> {
    let count = u32::try_from(asides.len()).unwrap_or(u32::MAX);
    if config.file_count > 0 {
        for n in rotated_numbers(config)?.into_iter().rev() {
            let to = n.saturating_add(count);
            if to > config.file_count {
                remove_if_present(&config.rotated_path(n))?;
            } else {
                std::fs::rename(config.rotated_path(n), config.rotated_path(to))?;
            }
        }
    }
    for (newest_first, aside) in (1u32..).zip(asides.iter().rev()) {
        if newest_first > config.file_count {
            remove_if_present(aside)?;
            continue;
        }
        let target = config.rotated_path(newest_first);
        if config.compress {
            gzip_file(aside, &target)?;
            std::fs::remove_file(aside)?;
        } else {
            std::fs::rename(aside, target)?;
        }
    }
    Ok(())
}

/// The numbers of the rotated files present, ascending: from one listing
/// of the directory rather than a look at each of the `FileCount=` names
/// (a thousand of them would be a thousand system calls per rotation).
fn rotated_numbers(config: &RotateConfig) -> io::Result<Vec<u32>> {
    let prefix = format!("{}.log.", config.name);
    let suffix = if config.compress { ".gz" } else { "" };
    let mut numbers = Vec::new();
    for entry in std::fs::read_dir(&config.directory)? {
        let name = entry?.file_name();
        let Some(digits) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix.as_str()))
            .and_then(|n| n.strip_suffix(suffix))
        else {
            continue;
        };
        // Only the names rotated_path() makes: no sign, no leading zero.
        if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(n) = digits.parse::<u32>()
            && (1..=config.file_count).contains(&n)
        {
            numbers.push(n);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

/// Writes `from` gzipped to `to` through a temporary name, keeping the
/// modification time (MaxAge= judges by it).
fn gzip_file(from: &Path, to: &Path) -> io::Result<()> {
    let mut tmp = to.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut input = File::open(from)?;
        let modified = input.metadata()?.modified()?;
        let output = File::create(&tmp)?;
        let mut encoder = GzEncoder::new(io::BufWriter::new(output), Compression::default());
        io::copy(&mut input, &mut encoder)?;
        let output = encoder.finish()?.into_inner().map_err(|e| e.into_error())?;
        output.set_modified(modified)?;
        std::fs::rename(&tmp, to)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Deletes rotated files last written more than `MaxAge=` ago.
fn delete_expired(config: &RotateConfig, now: SystemTime) -> io::Result<()> {
    let Some(max_age) = config.max_age else {
        return Ok(());
    };
    for n in 1..=config.file_count {
        let path = config.rotated_path(n);
        let Ok(modified) = path.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if now.duration_since(modified).is_ok_and(|age| age > max_age) {
            remove_if_present(&path)?;
        }
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    fn gunzip(path: &Path) -> String {
        let mut out = String::new();
        let file = File::open(path).expect("rotated file");
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut out)
            .expect("gzip");
        out
    }

    #[test]
    fn rotates_by_size_and_keeps_file_count() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path().join("logs"), "db");
        config.file_size = Some(10);
        config.file_count = 2;
        let mut file = RotatingFile::new(config.clone());
        for line in ["one", "two", "three", "four"] {
            file.write_line(line.as_bytes());
            assert!(file.flush().is_none());
        }
        file.wait_for_helper();
        assert_eq!(read(&config.live_path()), "four\n");
        assert_eq!(read(&config.rotated_path(1)), "three\n");
        assert_eq!(read(&config.rotated_path(2)), "one\ntwo\n");
        assert!(!config.rotated_path(3).exists());
        assert_eq!(file.dropped(), 0);
    }

    #[test]
    fn compresses_rotated_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path(), "app");
        config.file_size = Some(1);
        config.compress = true;
        let mut file = RotatingFile::new(config.clone());
        for line in ["a", "b", "c"] {
            file.write_line(line.as_bytes());
            file.flush();
        }
        file.wait_for_helper();
        assert_eq!(read(&config.live_path()), "c\n");
        assert_eq!(gunzip(&config.rotated_path(1)), "b\n");
        assert_eq!(gunzip(&config.rotated_path(2)), "a\n");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.contains("rotating") || n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    static FAKE_NOW: AtomicU64 = AtomicU64::new(1_000_000);

    fn fake_clock() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(FAKE_NOW.load(Ordering::SeqCst))
    }

    #[test]
    fn rotates_by_age() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path(), "svc");
        config.rotate_every = Some(Duration::from_secs(3600));
        let mut file = RotatingFile::new(config.clone());
        file.set_clock(fake_clock);
        file.write_line(b"early");
        file.flush();
        FAKE_NOW.fetch_add(1800, Ordering::SeqCst);
        file.write_line(b"half an hour on");
        file.flush();
        FAKE_NOW.fetch_add(1800, Ordering::SeqCst);
        file.write_line(b"an hour on");
        file.flush();
        file.wait_for_helper();
        assert_eq!(read(&config.rotated_path(1)), "early\nhalf an hour on\n");
        assert_eq!(read(&config.live_path()), "an hour on\n");
    }

    #[test]
    fn rotations_queued_together_shift_the_files_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path(), "q");
        config.file_count = 4;
        std::fs::write(config.rotated_path(1), "old1\n").expect("write");
        std::fs::write(config.rotated_path(2), "old2\n").expect("write");
        std::fs::write(dir.path().join("q.log.02"), "not ours\n").expect("write");
        let asides: Vec<PathBuf> = (1..=3)
            .map(|i| {
                let path = dir.path().join(format!("q.log.rotating-1-00000{i}"));
                std::fs::write(&path, format!("aside{i}\n")).expect("write");
                path
            })
            .collect();
        finish_rotations(&config, &asides).expect("rotate");
        assert_eq!(read(&config.rotated_path(1)), "aside3\n");
        assert_eq!(read(&config.rotated_path(2)), "aside2\n");
        assert_eq!(read(&config.rotated_path(3)), "aside1\n");
        assert_eq!(read(&config.rotated_path(4)), "old1\n");
        assert!(!config.rotated_path(5).exists());
        assert_eq!(read(&dir.path().join("q.log.02")), "not ours\n");
        assert!(asides.iter().all(|a| !a.exists()));
    }

    #[test]
    fn lines_written_in_one_go_still_rotate_at_the_size() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path(), "w");
        config.file_size = Some(12);
        let mut file = RotatingFile::new(config.clone());
        let text = b"aaaa\nbbbb\ncccc\ndddd\n";
        assert!(
            file.write_lines(text, [5, 10, 15, 20].into_iter())
                .is_none()
        );
        assert!(file.flush().is_none());
        file.write_lines(b"ee\n", [3].into_iter());
        file.flush();
        file.wait_for_helper();
        assert_eq!(read(&config.rotated_path(1)), "cccc\ndddd\n");
        assert_eq!(read(&config.rotated_path(2)), "aaaa\nbbbb\n");
        assert_eq!(read(&config.live_path()), "ee\n");
    }

    #[test]
    fn max_age_deletes_old_rotated_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = RotateConfig::new(dir.path(), "old");
        config.max_age = Some(Duration::from_secs(60));
        std::fs::write(config.rotated_path(1), "recent\n").expect("write");
        std::fs::write(config.rotated_path(2), "stale\n").expect("write");
        let stale = File::options()
            .write(true)
            .open(config.rotated_path(2))
            .expect("open");
        stale
            .set_modified(SystemTime::now() - Duration::from_secs(3600))
            .expect("mtime");
        delete_expired(&config, SystemTime::now()).expect("delete");
        assert!(config.rotated_path(1).exists());
        assert!(!config.rotated_path(2).exists());
    }

    #[test]
    fn a_removed_directory_is_made_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = RotateConfig::new(dir.path().join("gone"), "x");
        let mut file = RotatingFile::new(config.clone());
        file.write_line(b"before");
        file.flush();
        std::fs::remove_dir_all(dir.path().join("gone")).expect("remove");
        file.write_line(b"after");
        assert!(file.flush().is_none());
        assert_eq!(read(&config.live_path()), "after\n");
    }

    #[test]
    fn leftovers_of_a_crash_are_rotated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = RotateConfig::new(dir.path(), "c");
        std::fs::write(dir.path().join("c.log.rotating-1-000001"), "lost\n").expect("write");
        let file = RotatingFile::new(config.clone());
        file.wait_for_helper();
        assert_eq!(read(&config.rotated_path(1)), "lost\n");
    }
}

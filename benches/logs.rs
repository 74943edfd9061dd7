//! The log pipeline against Debian's log writers, on the same input:
//!
//! - throughput: one chatty service printing N lines of 100 bytes as fast
//!   as it can, into rotated files: runr's `[Log]` files (the service under
//!   `runr supervisor`) beside `s6-log` and `svlogd` reading the same lines
//!   from a pipe. Timed from launch to the N-th line counted on disk;
//! - reading: `runr journalctl -D DIR -u X -n 50` over a journal store of
//!   BENCH_JOURNAL_MIB (default 1024) beside `tail -n 50` of a plain file
//!   of the same size.
//!
//! Run with `cargo bench --bench logs` (peers from `apt-get install s6
//! runit`; a missing one is skipped and says so). `BENCH_LOG_LINES` sets N
//! (default 2,000,000). Scratch files go under Cargo's target directory, on
//! the real disk, and are deleted afterwards.
//!
//! `BENCH_RUNR=PATH` times another runr binary (the static one `make build`
//! makes, whose start-up is shorter than this dynamically linked build's);
//! `BENCH_JOURNAL_DIR=DIR` keeps the journal and the text file in DIR,
//! filled once and reused by later runs (for profiling the reader).

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use runr::control::client::Client;
use runr::engine::state::ActiveState;
use runr::logs::journal::{JournalConfig, JournalWriter};
use runr::logs::record::{Entry, Id128, LOG_DAEMON, LOG_INFO, Stream};

#[path = "common/supervisor.rs"]
mod supervisor;

use supervisor::{Supervisor, runr_binary};

/// 99 characters and the newline: 100 bytes a line.
const LINE: &str = "runr-bench 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 lorem ipsum";
/// Each writer rotates at this size (s6-log's `s1000000`).
const FILE_SIZE: u64 = 1_000_000;
/// Enough rotated files that every line stays on disk to be counted.
const FILE_COUNT: u64 = 1000;
const LIMIT: Duration = Duration::from_secs(300);

fn scratch(prefix: &str) -> Option<tempfile::TempDir> {
    match tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
    {
        Ok(dir) => Some(dir),
        Err(e) => {
            println!("cannot make a scratch directory: {e}");
            None
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn installed(program: &str) -> bool {
    Path::new(program).exists()
}

/// Newlines counted so far in each file, by inode: a rotation renames a
/// file but keeps its inode and bytes, and the live file only grows, so a
/// later count reads only what was added since. Without this, a writer
/// still finishing its last lines when the first count ran would pay for
/// reading every file again on each poll, and the harness, not the
/// writer, would decide its time.
#[derive(Default)]
struct LineCounter {
    /// inode -> (bytes counted, newlines in them).
    seen: std::collections::HashMap<u64, (u64, u64)>,
}

impl LineCounter {
    /// The lines in the files of `dir` that `is_log` picks.
    fn count(&mut self, dir: &Path, is_log: impl Fn(&str) -> bool) -> u64 {
        use std::io::{Seek, SeekFrom};
        use std::os::unix::fs::MetadataExt;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        let mut lines = 0;
        let mut buffer = vec![0u8; 1 << 20];
        // A file renamed while the directory is listed may show up twice.
        let mut this_pass = std::collections::HashSet::new();
        for entry in entries.flatten() {
            if !is_log(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let Ok(mut file) = std::fs::File::open(entry.path()) else {
                continue;
            };
            let Ok(meta) = file.metadata() else {
                continue;
            };
            if !this_pass.insert(meta.ino()) {
                continue;
            }
            let (mut counted, mut newlines) = self.seen.get(&meta.ino()).copied().unwrap_or((0, 0));
            if counted > meta.len() || file.seek(SeekFrom::Start(counted)).is_err() {
                (counted, newlines) = (0, 0);
                let _ = file.seek(SeekFrom::Start(0));
            }
            while let Ok(n) = file.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                counted += n as u64;
                newlines += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
            }
            self.seen.insert(meta.ino(), (counted, newlines));
            lines += newlines;
        }
        lines
    }
}

/// Polls until `finished` says the writer is done and its files hold `n`
/// lines; the elapsed time since `start`, or None past the limit.
fn until_on_disk(
    start: Instant,
    n: u64,
    mut finished: impl FnMut() -> bool,
    mut lines: impl FnMut() -> u64,
) -> Option<Duration> {
    while start.elapsed() < LIMIT {
        if finished() && lines() >= n {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// The shell pipeline that prints the N lines.
fn generator(n: u64) -> String {
    format!("/usr/bin/yes '{LINE}' | /usr/bin/head -n {n}")
}

/// runr: the generator as a service whose lines go to rotated files only
/// (no console mirror, no prefix: the same bytes s6-log writes).
fn runr_throughput(n: u64) -> Result<Duration, String> {
    let dir = scratch("runr-logs-").ok_or("no scratch directory")?;
    let units = dir.path().join("units");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&units).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let unit = format!(
        "[Service]\nAutostart=yes\nExecStart=/bin/sh -c \"{}\"\n[Log]\nDirectory={}\nFileSize={FILE_SIZE}\nFileCount={FILE_COUNT}\nSink=none\nPrefixFile=\"\"\nCompress=no\n",
        generator(n),
        logs.display()
    );
    std::fs::write(units.join("chatty.service"), unit).map_err(|e| e.to_string())?;
    let socket = dir.path().join("runr.sock");
    let start = Instant::now();
    let supervisor = Supervisor::start(&runr_binary(), &units, dir.path(), &socket)
        .map_err(|e| format!("runr supervisor: {e}"))?;
    let client = Client::unix(&socket).with_timeout(Duration::from_secs(5));
    // The unit is inactive before it starts too: the line count decides.
    let finished = || {
        client
            .unit("chatty.service")
            .is_ok_and(|u| matches!(u.active_state, ActiveState::Inactive | ActiveState::Failed))
    };
    let mut counter = LineCounter::default();
    let took = until_on_disk(start, n, finished, || {
        counter.count(&logs, |name| name.starts_with("chatty.log"))
    });
    drop(supervisor);
    took.ok_or_else(|| "timeout".into())
}

/// A log writer from Debian reading the generator from a pipe; done when
/// the pipeline has exited (the writer flushes at end of input).
fn piped_throughput(
    n: u64,
    writer: &str,
    prepare: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<Duration, String> {
    let dir = scratch("runr-logs-peer-").ok_or("no scratch directory")?;
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    prepare(&logs).map_err(|e| e.to_string())?;
    let script = format!("{} | {writer} '{}'", generator(n), logs.display());
    let start = Instant::now();
    let mut pipeline = Command::new("/bin/sh")
        .arg("-c")
        .arg(&script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("sh: {e}"))?;
    let mut counter = LineCounter::default();
    let took = until_on_disk(
        start,
        n,
        || matches!(pipeline.try_wait(), Ok(Some(_))),
        || counter.count(&logs, |name| name == "current" || name.starts_with('@')),
    );
    supervisor::stop(&mut pipeline);
    took.ok_or_else(|| "timeout".into())
}

fn throughput_table() {
    let n = env_number("BENCH_LOG_LINES", 2_000_000);
    println!("{n} lines of 100 bytes from one writer into files rotated at {FILE_SIZE} bytes\n");
    println!(
        "| {:<34} | {:>10} | {:>12} | {:>8} |",
        "writer", "time", "lines/s", "vs s6-log"
    );
    println!("|{:-<36}|{:->12}|{:->14}|{:->10}|", "", "", "", "");
    let runr = runr_throughput(n);
    let s6 = if installed("/usr/bin/s6-log") {
        piped_throughput(
            n,
            &format!("/usr/bin/s6-log -b n{FILE_COUNT} s{FILE_SIZE}"),
            |_| Ok(()),
        )
    } else {
        Err("not installed (/usr/bin/s6-log)".into())
    };
    // svlogd -tt stamps each line (UTC, ISO 8601): a little more work and
    // 27 more bytes a line than the other two write.
    let svlogd = if installed("/usr/bin/svlogd") {
        piped_throughput(n, "/usr/bin/svlogd -tt", |logs| {
            std::fs::write(
                logs.join("config"),
                format!("s{FILE_SIZE}\nn{FILE_COUNT}\n"),
            )
        })
    } else {
        Err("not installed (/usr/bin/svlogd)".into())
    };
    let rate = |d: &Duration| n as f64 / d.as_secs_f64();
    for (label, result) in [
        ("runr (service under the supervisor)", &runr),
        ("s6-log -b (from a pipe)", &s6),
        ("svlogd -tt (from a pipe)", &svlogd),
    ] {
        match result {
            Ok(d) => {
                let ratio = match &s6 {
                    Ok(s6) => format!("{:.2}x", rate(d) / rate(s6)),
                    Err(_) => String::new(),
                };
                println!(
                    "| {:<34} | {:>7.0} ms | {:>12.0} | {:>8} |",
                    label,
                    d.as_secs_f64() * 1e3,
                    rate(d),
                    ratio
                );
            }
            Err(why) => println!("| {label:<34} | {why}"),
        }
    }
    println!();
}

/// Units interleaved in the store; the query reads the first.
const UNITS: [&str; 8] = [
    "api.service",
    "db.service",
    "cache.service",
    "worker.service",
    "cron.service",
    "proxy.service",
    "metrics.service",
    "mail.service",
];

/// Fills `dir` with about `bytes` of journal, the units in turn, and
/// `plain` with the same lines as text, about as large.
fn fill_stores(dir: &Path, plain: &Path, bytes: u64) -> std::io::Result<()> {
    let mut config = JournalConfig::new(dir);
    config.max_use = Some(bytes * 2);
    let mut writer = JournalWriter::open(config);
    let mut text = BufWriter::with_capacity(1 << 20, std::fs::File::create(plain)?);
    let invocations: Vec<Id128> = UNITS.iter().map(|_| Id128::random()).collect();
    let start_realtime = runr::logs::journal::writer::now_realtime().saturating_sub(86_400_000_000);
    let mut written: u64 = 0;
    let mut i: u64 = 0;
    let mut message = Vec::with_capacity(128);
    while written < bytes {
        let unit = (i % UNITS.len() as u64) as usize;
        message.clear();
        write!(
            message,
            "request {i} handled in 12ms status=200 path=/api/v1/items/{i} user=bench"
        )?;
        let entry = Entry {
            realtime: start_realtime + i * 10,
            monotonic: 1_000_000 + i * 10,
            unit: UNITS[unit],
            pid: 1000 + unit as u32,
            priority: LOG_INFO,
            facility: LOG_DAEMON,
            stream: Stream::Stdout,
            invocation_id: invocations[unit],
            identifier: UNITS[unit].trim_end_matches(".service"),
            message: &message,
            hostname: "bench",
        };
        if let Some(report) = writer.append(&entry) {
            return Err(std::io::Error::other(format!("{report:?}")));
        }
        text.write_all(b"Jan 01 00:00:00 bench ")?;
        text.write_all(entry.identifier.as_bytes())?;
        write!(text, "[{}]: ", entry.pid)?;
        text.write_all(&message)?;
        text.write_all(b"\n")?;
        i += 1;
        if i.is_multiple_of(100_000) {
            written = directory_size(dir);
        }
    }
    writer.close();
    text.flush()
}

fn directory_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn median_of(
    runs: usize,
    mut call: impl FnMut() -> Result<Duration, String>,
) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(call()?);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn time_command(program: &Path, args: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let took = start.elapsed();
    if !status.success() {
        return Err(format!("{} {args:?}: {status}", program.display()));
    }
    Ok(took)
}

fn journal_table() {
    let mib = env_number("BENCH_JOURNAL_MIB", 1024);
    // A kept directory (BENCH_JOURNAL_DIR) outlives the run; a scratch
    // one is deleted when `_scratch` goes.
    let (base, _scratch) = match std::env::var_os("BENCH_JOURNAL_DIR") {
        Some(kept) => (PathBuf::from(kept), None),
        None => {
            let Some(dir) = scratch("runr-journal-") else {
                return;
            };
            (dir.path().to_path_buf(), Some(dir))
        }
    };
    let journal = base.join("journal");
    let plain = base.join("plain.log");
    let filling = Instant::now();
    if !(journal.exists() && plain.exists())
        && let Err(e) = fill_stores(&journal, &plain, mib << 20)
    {
        println!("cannot fill the stores: {e}");
        return;
    }
    let filled = filling.elapsed();
    let journal_bytes = directory_size(&journal);
    let plain_bytes = std::fs::metadata(&plain).map(|m| m.len()).unwrap_or(0);
    println!(
        "the last 50 lines of one unit of {}, median of 20 (journal {} MiB, text file {} MiB, filled in {:.1} s)\n",
        UNITS.len(),
        journal_bytes >> 20,
        plain_bytes >> 20,
        filled.as_secs_f64()
    );
    println!("| {:<58} | {:>10} |", "command", "time");
    println!("|{:-<60}|{:->12}|", "", "");
    let journal_arg = journal.display().to_string();
    let ours = median_of(20, || {
        time_command(
            &runr_binary(),
            &[
                "journalctl",
                "-D",
                &journal_arg,
                "-u",
                UNITS[0],
                "-n",
                "50",
                "--no-pager",
            ],
        )
    });
    let plain_arg = plain.display().to_string();
    let tail = median_of(20, || {
        time_command(Path::new("/usr/bin/tail"), &["-n", "50", &plain_arg])
    });
    for (label, result) in [
        (
            format!("runr journalctl -D DIR -u {} -n 50 --no-pager", UNITS[0]),
            &ours,
        ),
        ("tail -n 50 FILE".to_string(), &tail),
    ] {
        match result {
            Ok(d) => println!("| {label:<58} | {:>7.2} ms |", d.as_secs_f64() * 1e3),
            Err(why) => println!("| {label:<58} | {why}"),
        }
    }
    if let (Ok(ours), Ok(tail)) = (&ours, &tail) {
        println!(
            "\nratio journalctl / tail: {:.2}x",
            ours.as_secs_f64() / tail.as_secs_f64()
        );
    }
    println!();
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if wanted("throughput") {
        throughput_table();
    }
    if wanted("journal") {
        journal_table();
    }
}

//! The journal store as the supervisor writes it and journalctl reads it:
//! tails, time ranges, boots, following, crash recovery, the size bound,
//! and a full or read-only disk. Also the syslog grammar against what
//! real clients (logger, Python's SysLogHandler) send.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;

use runr::logs::journal::{
    Cursor, DirectoryWatch, Filter, JournalConfig, JournalReader, JournalWriter, Report,
    disk_usage, vacuum_size, vacuum_time,
};
use runr::logs::record::{Entry, Id128, Record, Stream};

const T0: u64 = 1_700_000_000_000_000;

fn entry<'a>(unit: &'a str, realtime: u64, message: &'a [u8]) -> Entry<'a> {
    Entry {
        realtime,
        monotonic: realtime - T0,
        unit,
        pid: 42,
        priority: 6,
        facility: 3,
        stream: Stream::Stdout,
        invocation_id: Id128([9; 16]),
        identifier: "app",
        message,
        hostname: "pod",
    }
}

fn config(dir: &Path, segment_size: u64) -> JournalConfig {
    let mut config = JournalConfig::new(dir);
    config.segment_size = Some(segment_size);
    config.max_use = Some(1 << 30);
    config
}

fn messages(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| String::from_utf8_lossy(&r.message).into_owned())
        .collect()
}

fn units(names: &[&str]) -> Filter {
    Filter {
        units: names.iter().map(|s| s.to_string()).collect(),
        boot: None,
    }
}

/// Writes `count` records cycling over three units, one second apart.
fn fill(writer: &mut JournalWriter, count: u64) {
    let names = ["web.service", "db.service", "cron.service"];
    for i in 0..count {
        let unit = names[(i % 3) as usize];
        let message = format!("{unit} line {i}");
        assert!(
            writer
                .append(&entry(unit, T0 + i * 1_000_000, message.as_bytes()))
                .is_none()
        );
        if i % 10 == 9 {
            assert!(writer.flush().is_none());
        }
    }
    assert!(writer.flush().is_none());
}

#[test]
fn tail_of_one_unit_and_of_several_merged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = JournalWriter::open(config(dir.path(), 4096));
    fill(&mut writer, 600);
    writer.append(&entry("rare.service", T0 + 700_000_000, b"only one"));
    fill(&mut writer, 30);
    writer.close();
    let reader = JournalReader::open(dir.path()).expect("reader");
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").count() > 10,
        "several segments"
    );

    let last = reader.tail(&units(&["db.service"]), 3).expect("tail");
    assert_eq!(
        messages(&last),
        [
            "db.service line 22",
            "db.service line 25",
            "db.service line 28"
        ]
    );

    let merged = reader
        .tail(&units(&["web.service", "rare.service"]), 12)
        .expect("tail");
    assert_eq!(merged.len(), 12);
    assert_eq!(messages(&merged[..2]), ["web.service line 597", "only one"]);
    assert!(merged.windows(2).all(|w| w[0].seqnum < w[1].seqnum));

    let everything = reader.tail(&Filter::default(), 1000).expect("tail");
    assert_eq!(everything.len(), 631);
    assert_eq!(everything[0].seqnum, 1);
    assert_eq!(everything[630].seqnum, 631);
    assert_eq!(
        reader.tail(&units(&["missing.service"]), 5).expect("tail"),
        vec![]
    );
    assert_eq!(reader.units().expect("units").len(), 4);
}

#[test]
fn records_keep_every_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = JournalWriter::open(config(dir.path(), 1 << 20));
    let boot = writer.boot_id();
    let mut e = entry("x.service", T0, b"\xffnot utf-8\x00inside");
    e.stream = Stream::Stderr;
    e.priority = 3;
    writer.append(&e);
    writer.flush();
    let reader = JournalReader::open(dir.path()).expect("reader");
    let got = reader.tail(&Filter::default(), 1).expect("tail");
    let want = Record {
        realtime: T0,
        monotonic: 0,
        boot_id: boot,
        seqnum: 1,
        unit: "x.service".into(),
        pid: 42,
        priority: 3,
        facility: 3,
        stream: Stream::Stderr,
        invocation_id: Id128([9; 16]),
        identifier: "app".into(),
        message: b"\xffnot utf-8\x00inside".to_vec(),
        hostname: "pod".into(),
    };
    assert_eq!(got, vec![want]);
}

#[test]
fn since_and_until_select_a_time_range() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = JournalWriter::open(config(dir.path(), 4096));
    fill(&mut writer, 300);
    drop(writer);
    let reader = JournalReader::open(dir.path()).expect("reader");
    let mut got = Vec::new();
    reader
        .range(
            &units(&["cron.service"]),
            Some(T0 + 100_000_000),
            Some(T0 + 120_000_000),
            &mut |r| {
                got.push(r);
                ControlFlow::Continue(())
            },
        )
        .expect("range");
    let seconds: Vec<u64> = got.iter().map(|r| (r.realtime - T0) / 1_000_000).collect();
    assert_eq!(seconds, [101, 104, 107, 110, 113, 116, 119]);

    let mut first_two = Vec::new();
    reader
        .range(&Filter::default(), Some(T0 + 250_000_000), None, &mut |r| {
            first_two.push(r.seqnum);
            if first_two.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("range");
    assert_eq!(first_two, [251, 252]);
}

#[test]
fn boots_are_listed_and_filtered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut first = JournalWriter::open(config(dir.path(), 4096));
    let first_boot = first.boot_id();
    first.append(&entry("a.service", T0, b"first run"));
    first.append(&entry("a.service", T0 + 5, b"first run again"));
    drop(first);
    let mut second = JournalWriter::open(config(dir.path(), 4096));
    second.append(&entry("a.service", T0 + 100, b"second run"));
    second.flush();
    let reader = JournalReader::open(dir.path()).expect("reader");
    let boots = reader.boots().expect("boots");
    assert_eq!(boots.len(), 2);
    assert_eq!(boots[0].boot_id, first_boot);
    assert_eq!(
        (boots[0].first_realtime, boots[0].last_realtime),
        (T0, T0 + 5)
    );
    assert_eq!(boots[1].boot_id, second.boot_id());
    assert_eq!(
        (boots[1].first_realtime, boots[1].last_realtime),
        (T0 + 100, T0 + 100)
    );
    let filter = Filter {
        units: vec![],
        boot: Some(first_boot),
    };
    assert_eq!(
        messages(&reader.tail(&filter, 10).expect("tail")),
        ["first run", "first run again"]
    );
    // Sequence numbers go on across runs.
    assert_eq!(
        reader.tail(&Filter::default(), 1).expect("tail")[0].seqnum,
        3
    );
}

#[test]
fn a_follower_reads_what_comes_after_its_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = JournalWriter::open(config(dir.path(), 2048));
    fill(&mut writer, 20);
    let mut reader = JournalReader::open(dir.path()).expect("reader");
    let mut cursor = reader.end_cursor().expect("cursor");
    assert_eq!(cursor.seqnum, 20);
    fill(&mut writer, 40);
    reader.refresh().expect("refresh");
    let mut got = Vec::new();
    reader
        .read_after(&mut cursor, &units(&["web.service"]), &mut |r| {
            got.push(r.seqnum)
        })
        .expect("follow");
    assert_eq!(
        got,
        (21..=60).filter(|s| (s - 21) % 3 == 0).collect::<Vec<_>>()
    );
    assert_eq!(cursor.seqnum, 60);
    reader
        .read_after(&mut cursor, &Filter::default(), &mut |r| got.push(r.seqnum))
        .expect("follow");
    assert_eq!(cursor.seqnum, 60, "nothing new");

    // A cursor made from a sequence number alone finds its place too.
    let mut from_seqnum = Cursor::after(55);
    let mut rest = Vec::new();
    reader
        .read_after(&mut from_seqnum, &Filter::default(), &mut |r| {
            rest.push(r.seqnum)
        })
        .expect("follow");
    assert_eq!(rest, [56, 57, 58, 59, 60]);
}

#[test]
fn followers_are_woken_without_polling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut writer = JournalWriter::open(config(dir.path(), 1 << 20));
        writer.append(&entry("a.service", T0, b"make the directory"));
        writer.flush();
        let notify = writer.subscribe();
        let woken = notify.notified();
        let watch = DirectoryWatch::new(dir.path()).expect("inotify");
        writer.append(&entry("a.service", T0 + 1, b"wake up"));
        writer.flush();
        // Both wake-ups are already pending: these complete at once.
        woken.await;
        watch.changed().await.expect("inotify event");
    });
}

/// A supervisor that crashed mid-write: its last frame is torn and its
/// segment unsealed.
#[test]
fn a_torn_last_record_is_skipped_and_cut_by_the_next_writer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut writer = JournalWriter::open(config(dir.path(), 1 << 20));
    fill(&mut writer, 9);
    std::mem::forget(writer);
    let segment = only_segment(dir.path());
    let intact = std::fs::metadata(&segment).expect("meta").len();
    let mut torn = std::fs::read(&segment).expect("read");
    let last_frame = torn[torn.len() - 100..].to_vec();
    torn.extend_from_slice(&last_frame[..60]);
    std::fs::write(&segment, &torn).expect("write");

    let reader = JournalReader::open(dir.path()).expect("reader");
    let tail = reader.tail(&Filter::default(), 3).expect("tail");
    assert_eq!(tail.iter().map(|r| r.seqnum).collect::<Vec<_>>(), [7, 8, 9]);

    let mut writer = JournalWriter::open(config(dir.path(), 1 << 20));
    assert!(
        std::fs::metadata(&segment).expect("meta").len() > intact,
        "sealed with a summary"
    );
    writer.append(&entry("web.service", T0, b"after the crash"));
    writer.flush();
    let reader = JournalReader::open(dir.path()).expect("reader");
    let tail = reader.tail(&Filter::default(), 2).expect("tail");
    assert_eq!(tail.iter().map(|r| r.seqnum).collect::<Vec<_>>(), [9, 10]);
    assert_eq!(
        reader.tail(&Filter::default(), 100).expect("tail").len(),
        10
    );
}

fn only_segment(dir: &Path) -> PathBuf {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(paths.len(), 1);
    paths.remove(0)
}

#[test]
fn the_store_stays_under_its_bound_and_vacuums() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path(), 8192);
    config.max_use = Some(64 * 1024);
    let mut writer = JournalWriter::open(config);
    fill(&mut writer, 3000);
    let usage = disk_usage(dir.path()).expect("usage");
    assert!(usage <= 64 * 1024 + 8192 + 4096, "{usage}");
    let reader = JournalReader::open(dir.path()).expect("reader");
    let all = reader.tail(&Filter::default(), 100_000).expect("tail");
    assert_eq!(all.last().map(|r| r.seqnum), Some(3000));
    assert!(all[0].seqnum > 1, "oldest deleted first");
    assert!(
        all.windows(2).all(|w| w[1].seqnum == w[0].seqnum + 1),
        "no gap inside what is kept"
    );

    let vacuumed = vacuum_size(dir.path(), 20 * 1024, None).expect("vacuum");
    assert!(!vacuumed.removed.is_empty());
    assert!(disk_usage(dir.path()).expect("usage") <= 20 * 1024 + 8192 + 4096);
    let before = disk_usage(dir.path()).expect("usage");
    let by_time = vacuum_time(dir.path(), T0 + 2990 * 1_000_000).expect("vacuum");
    assert_eq!(
        disk_usage(dir.path()).expect("usage"),
        before - by_time.freed
    );
    let reader = JournalReader::open(dir.path()).expect("reader");
    let kept = reader.tail(&Filter::default(), 100_000).expect("tail");
    assert_eq!(
        kept.last().map(|r| r.seqnum),
        Some(3000),
        "the newest segment is never vacuumed"
    );
    writer.append(&entry("a.service", T0, b"still writing"));
    assert!(writer.flush().is_none());
}

#[test]
fn a_removed_directory_is_made_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let journal = dir.path().join("journal");
    let mut writer = JournalWriter::open(config(&journal, 1 << 20));
    fill(&mut writer, 5);
    std::fs::remove_dir_all(&journal).expect("remove");
    writer.append(&entry("a.service", T0, b"after rm -rf"));
    assert!(writer.flush().is_none());
    let reader = JournalReader::open(&journal).expect("reader");
    assert_eq!(
        messages(&reader.tail(&Filter::default(), 5).expect("tail")),
        ["after rm -rf"]
    );
    assert_eq!(writer.dropped(), 0);
}

/// A small tmpfs, mounted for the test when we may (root); removed after.
struct SmallTmpfs {
    dir: tempfile::TempDir,
}

impl SmallTmpfs {
    fn mount(size: &str) -> Option<SmallTmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then_some(SmallTmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, option: &str) -> bool {
        Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for SmallTmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_drops_and_counts_then_writing_resumes() {
    let Some(fs) = SmallTmpfs::mount("128k") else {
        eprintln!("skipped: cannot mount a tmpfs here (not root?)");
        return;
    };
    let filler = fs.path().join("filler");
    let journal = fs.path().join("journal");
    let mut writer = JournalWriter::open(config(&journal, 1 << 20));
    writer.append(&entry("db.service", T0, b"fits"));
    assert!(writer.flush().is_none());
    // Fill what is left of the file system.
    let _ = std::fs::write(&filler, vec![b'f'; 256 * 1024]);

    // The first record that does not fit fails, and is the one reported.
    let line = vec![b'x'; 2000];
    let mut fitted = 1;
    let mut failure = None;
    for i in 0..200 {
        writer.append(&entry("db.service", T0 + i, &line));
        match writer.flush() {
            None => fitted += 1,
            Some(report) => {
                failure = Some(report);
                break;
            }
        }
    }
    assert!(
        matches!(&failure, Some(Report::Failed(e)) if e.raw_os_error() == Some(nix::libc::ENOSPC)),
        "{failure:?}"
    );
    for i in 0..20 {
        writer.append(&entry("db.service", T0 + 1000 + i, &line));
        assert!(writer.flush().is_none(), "reported once only");
    }
    assert_eq!(writer.dropped(), 21);

    std::fs::remove_file(&filler).expect("free space");
    writer.append(&entry("db.service", T0 + 2000, b"space is back"));
    assert!(matches!(
        writer.flush(),
        Some(Report::Resumed { dropped: 21 })
    ));
    drop(writer);
    let reader = JournalReader::open(&journal).expect("reader");
    let kept = reader.tail(&Filter::default(), 1000).expect("tail");
    assert_eq!(kept.len(), fitted + 1, "every record that fitted is kept");
    assert_eq!(messages(&kept[..1]), ["fits"]);
    assert_eq!(messages(&kept[fitted..]), ["space is back"]);

    // A read-only mount: dropped and counted the same way.
    assert!(fs.remount("ro"));
    let mut writer = JournalWriter::open(config(&journal, 1 << 20));
    writer.append(&entry("db.service", T0 + 3000, b"read-only"));
    let report = writer.flush();
    assert!(
        matches!(&report, Some(Report::Failed(e)) if e.raw_os_error() == Some(nix::libc::EROFS)),
        "{report:?}"
    );
    assert_eq!(writer.dropped(), 1);
    assert!(fs.remount("rw"));
    writer.append(&entry("db.service", T0 + 4000, b"writable again"));
    assert!(matches!(
        writer.flush(),
        Some(Report::Resumed { dropped: 1 })
    ));
    drop(writer);
    let reader = JournalReader::open(&journal).expect("reader");
    assert_eq!(
        messages(&reader.tail(&Filter::default(), 2).expect("tail")),
        ["space is back", "writable again"]
    );
}

/// What real syslog clients send, captured on a unix datagram socket and
/// parsed.
#[test]
fn logger_and_python_messages_parse() {
    use runr::syntax::syslog::{Format, parse_message};
    let dir = tempfile::tempdir().expect("tempdir");
    let socket_path = dir.path().join("log");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).expect("bind");
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = vec![0u8; 65536];
    let mut receive = || -> Vec<u8> {
        let n = socket.recv(&mut buf).expect("datagram");
        buf[..n].to_vec()
    };
    let logger = |args: &[&str]| -> bool {
        Command::new("logger")
            .arg("-u")
            .arg(&socket_path)
            .args(args)
            .status()
            .is_ok_and(|s| s.success())
    };

    if logger(&[
        "--rfc3164",
        "-i",
        "-t",
        "myapp",
        "-p",
        "local0.warning",
        "hello 3164",
    ]) {
        let bytes = receive();
        let m = parse_message(&bytes);
        assert_eq!(m.format, Format::Rfc3164);
        assert_eq!((m.facility, m.severity), (16, 4));
        assert_eq!(m.app_name.as_deref(), Some("myapp"));
        assert!(m.pid().is_some(), "{}", String::from_utf8_lossy(&bytes));
        assert_eq!(m.message, b"hello 3164");

        assert!(logger(&[
            "--rfc5424",
            "-t",
            "myapp",
            "--msgid",
            "ID47",
            "--sd-id",
            "ex@32473",
            "--sd-param",
            "q=\"a\\\"b\"",
            "sd msg"
        ]));
        let bytes = receive();
        let m = parse_message(&bytes);
        assert_eq!(
            m.format,
            Format::Rfc5424,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(m.msgid.as_deref(), Some("ID47"));
        assert!(m.time.and_then(|t| t.unix_usec()).is_some());
        let sd = m
            .structured_data
            .iter()
            .find(|e| e.id == "ex@32473")
            .expect("sd element");
        assert_eq!(sd.params[0].1, "a\"b");
        assert_eq!(m.message, b"sd msg");
    } else {
        eprintln!("skipped logger: not installed");
    }

    let script = "import logging, logging.handlers, sys\n\
        h = logging.handlers.SysLogHandler(address=sys.argv[1])\n\
        h.ident = 'pyapp: '\n\
        l = logging.getLogger('t'); l.addHandler(h); l.error('from python')\n";
    let python = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&socket_path)
        .status();
    if python.is_ok_and(|s| s.success()) {
        let bytes = receive();
        let m = parse_message(&bytes);
        assert_eq!((m.facility, m.severity), (1, 3));
        assert_eq!(m.app_name.as_deref(), Some("pyapp"));
        assert_eq!(m.message, b"from python");
    } else {
        eprintln!("skipped python: not installed");
    }
}

//! runr beside the supervisors Debian packages (runit, s6, supervisor, tini)
//! and docker-systemctl-replacement from PyPI, on the same work:
//!
//! - start: from launching the supervisor to N services running;
//! - stop: from SIGTERM to the last service gone;
//! - footprint: resident memory of the supervisor's own processes, and
//!   their wakeups per second (context switches) while the N services idle;
//! - reaping (a second table): how long a service's exited process stays a
//!   zombie, from the moment /proc shows it `Z` to the moment its /proc
//!   entry is gone, for a `sleep 0.2` restarted forever; median of 20.
//!
//! Run with `cargo bench --bench peers` (root; the peers from
//! `apt-get install runit s6 supervisor tini` and
//! `pip install docker-systemctl-replacement`; a missing peer is skipped and
//! says so). `BENCH_SERVICES` sets N (default 100); `BENCH_RUNR` picks the
//! runr binary (the static one of `make build`, as deployed).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

// Only its choice of binary: each peer here is launched its own way.
#[allow(dead_code)]
#[path = "common/supervisor.rs"]
mod supervisor;

use supervisor::runr_binary;

/// Every service runs `sleep MARKER`: the processes are found by it.
const MARKER: &str = "987654";

struct Peer {
    name: &'static str,
    /// The program that must be installed.
    needs: &'static str,
    /// Writes the configuration for `n` services running `command` (a
    /// program and its arguments) into `dir`.
    setup: fn(dir: &Path, n: usize, command: &str),
    /// Starts the supervisor on `dir`.
    launch: fn(dir: &Path) -> Command,
    /// The signal that stops it and its services.
    stop_signal: Signal,
}

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn peers() -> Vec<Peer> {
    vec![
        Peer {
            name: "runr",
            needs: "",
            setup: |dir, n, command| {
                for i in 0..n {
                    write(
                        &dir.join(format!("s{i}.service")),
                        &format!(
                            "[Unit]\nStartLimitIntervalSec=0\n[Service]\nAutostart=yes\nExecStart={command}\nRestart=always\nRestartSec=0\n"
                        ),
                        0o644,
                    );
                }
            },
            launch: |dir| {
                let mut c = Command::new(runr_binary());
                c.arg("supervisor")
                    .arg(dir)
                    .arg("--api-socket")
                    .arg(dir.join("runr.sock"))
                    .arg("--journal-dir")
                    .arg(dir.join("journal"))
                    .arg("--syslog-socket")
                    .arg("none")
                    .env("RUNR_STATE_DIRECTORY", dir.join("state"));
                c
            },
            stop_signal: Signal::SIGTERM,
        },
        Peer {
            name: "runit",
            needs: "/usr/bin/runsvdir",
            setup: |dir, n, command| {
                for i in 0..n {
                    write(
                        &dir.join(format!("s{i}/run")),
                        &format!("#!/bin/sh\nexec {command}\n"),
                        0o755,
                    );
                }
            },
            launch: |dir| {
                let mut c = Command::new("/usr/bin/runsvdir");
                c.arg("-P").arg(dir);
                c
            },
            // runsvdir passes SIGHUP on as TERM to every runsv, which stops
            // its service and exits.
            stop_signal: Signal::SIGHUP,
        },
        Peer {
            name: "s6",
            needs: "/usr/bin/s6-svscan",
            setup: |dir, n, command| {
                for i in 0..n {
                    write(
                        &dir.join(format!("s{i}/run")),
                        &format!("#!/bin/sh\nexec {command}\n"),
                        0o755,
                    );
                }
            },
            launch: |dir| {
                let mut c = Command::new("/usr/bin/s6-svscan");
                c.arg(dir);
                c
            },
            stop_signal: Signal::SIGTERM,
        },
        Peer {
            name: "supervisor",
            needs: "/usr/bin/supervisord",
            setup: |dir, n, command| {
                let mut conf = format!(
                    "[supervisord]\nnodaemon=true\nlogfile={0}/supervisord.log\npidfile={0}/supervisord.pid\n\n",
                    dir.display()
                );
                for i in 0..n {
                    conf.push_str(&format!(
                        "[program:s{i}]\ncommand={command}\nautorestart=true\nstartsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n\n"
                    ));
                }
                write(&dir.join("supervisord.conf"), &conf, 0o644);
            },
            launch: |dir| {
                let mut c = Command::new("/usr/bin/supervisord");
                c.arg("-c").arg(dir.join("supervisord.conf"));
                c
            },
            stop_signal: Signal::SIGTERM,
        },
        Peer {
            name: "docker-systemctl-replacement",
            needs: "systemctl.py",
            setup: |dir, n, command| {
                let system = dir.join("etc/systemd/system");
                for i in 0..n {
                    write(
                        &system.join(format!("s{i}.service")),
                        &format!(
                            "[Service]\nExecStart={command}\nRestart=always\n[Install]\nWantedBy=multi-user.target\n"
                        ),
                        0o644,
                    );
                    let wants = system.join("multi-user.target.wants");
                    std::fs::create_dir_all(&wants).unwrap();
                    let _ = std::os::unix::fs::symlink(
                        format!("../s{i}.service"),
                        wants.join(format!("s{i}.service")),
                    );
                }
            },
            launch: |dir| {
                let mut c =
                    Command::new(which("systemctl.py").unwrap_or_else(|| "systemctl.py".into()));
                // `init` without a unit starts what default.target wants.
                c.arg(format!("--root={}", dir.display())).arg("init");
                c
            },
            stop_signal: Signal::SIGTERM,
        },
    ]
}

fn which(program: &str) -> Option<PathBuf> {
    if program.starts_with('/') {
        return Path::new(program).exists().then(|| PathBuf::from(program));
    }
    std::env::var_os("PATH")?
        .to_string_lossy()
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.exists())
}

/// PIDs of the services: live `sleep MARKER` processes.
fn service_pids() -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline.ends_with(format!("\0{MARKER}\0").as_bytes())
            && cmdline.starts_with(b"/bin/sleep\0")
        {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            if !stat.contains(") Z ") {
                pids.push(pid);
            }
        }
    }
    pids
}

/// `root` and its descendants, by parent links in /proc.
fn process_tree(root: i32) -> BTreeSet<i32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let ppid = rest
            .split(' ')
            .nth(1)
            .and_then(|p| p.parse::<i32>().ok())
            .unwrap_or(0);
        parents.push((pid, ppid));
    }
    let mut tree = BTreeSet::from([root]);
    loop {
        let before = tree.len();
        for (pid, ppid) in &parents {
            if tree.contains(ppid) {
                tree.insert(*pid);
            }
        }
        if tree.len() == before {
            return tree;
        }
    }
}

fn status_field(pid: i32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The supervisor's own processes: the tree without the services.
fn supervisor_processes(root: i32) -> Vec<i32> {
    let services: BTreeSet<i32> = service_pids().into_iter().collect();
    process_tree(root)
        .into_iter()
        .filter(|p| !services.contains(p))
        .collect()
}

fn context_switches(pids: &[i32]) -> u64 {
    pids.iter()
        .map(|p| {
            status_field(*p, "voluntary_ctxt_switches:")
                + status_field(*p, "nonvoluntary_ctxt_switches:")
        })
        .sum()
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return Some(start.elapsed());
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    None
}

struct Figures {
    start: Option<Duration>,
    stop: Option<Duration>,
    rss_kib: u64,
    /// The part of `rss_kib` that is pages of files (the binaries, mostly).
    rss_file_kib: u64,
    processes: usize,
    wakeups_per_second: f64,
}

fn measure(peer: &Peer, n: usize) -> Figures {
    let dir = tempfile::Builder::new()
        .prefix("runr-bench-")
        .tempdir()
        .unwrap();
    (peer.setup)(dir.path(), n, &format!("/bin/sleep {MARKER}"));
    assert!(
        service_pids().is_empty(),
        "services of an earlier run are still there"
    );
    let launched = Instant::now();
    let mut child: Child = (peer.launch)(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let root = child.id() as i32;
    let started = wait_until(Duration::from_secs(60), || service_pids().len() >= n)
        .map(|_| launched.elapsed());
    std::thread::sleep(Duration::from_secs(1));
    let own = supervisor_processes(root);
    let rss_kib = own.iter().map(|p| status_field(*p, "VmRSS:")).sum();
    let rss_file_kib = own.iter().map(|p| status_field(*p, "RssFile:")).sum();
    let before = context_switches(&own);
    let window = Duration::from_secs(5);
    std::thread::sleep(window);
    let wakeups = context_switches(&own).saturating_sub(before) as f64 / window.as_secs_f64();
    let stopping = Instant::now();
    let _ = kill(Pid::from_raw(root), peer.stop_signal);
    let stopped = wait_until(Duration::from_secs(60), || service_pids().is_empty())
        .map(|_| stopping.elapsed());
    // Whatever is left is killed by PID: only what this run started.
    if wait_until(Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    })
    .is_none()
    {
        for pid in process_tree(root).into_iter().rev() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = child.wait();
    }
    for pid in service_pids() {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    Figures {
        start: started,
        stop: stopped,
        rss_kib,
        rss_file_kib,
        processes: own.len(),
        wakeups_per_second: wakeups,
    }
}

fn show(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{:.1} ms", d.as_secs_f64() * 1000.0),
        None => "timeout".into(),
    }
}

/// What each reaping cycle runs: a short sleep, found by its argument.
const REAP_SLEEP: &str = "0.2";
const REAP_CYCLES: usize = 20;

/// tini runs one child and reaps what is orphaned to it; it restarts
/// nothing. So its child is a shell loop that orphans a `sleep 0.2` each
/// round (the subshell forks it and exits), and with `-s` tini is a child
/// subreaper: the orphaned sleep becomes tini's child, and it is tini, not
/// the shell, that reaps it. Measuring the loop's own `sleep`s would time
/// sh's wait, not tini's.
fn tini_peer() -> Peer {
    Peer {
        name: "tini (orphans, -s)",
        needs: "/usr/bin/tini",
        setup: |_, _, _| {},
        launch: |_| {
            let mut c = Command::new("/usr/bin/tini");
            c.args([
                "-s",
                "--",
                "/bin/sh",
                "-c",
                "while :; do (/bin/sleep 0.2 &); /bin/sleep 0.3; done",
            ]);
            c
        },
        stop_signal: Signal::SIGTERM,
    }
}

/// PIDs of `/bin/sleep 0.2` processes not yet exited.
fn live_sleeps() -> Vec<i32> {
    let mut pids = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return pids;
    };
    let wanted = format!("/bin/sleep\0{REAP_SLEEP}\0");
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline == wanted.as_bytes() {
            pids.push(pid);
        }
    }
    pids
}

/// Follows one process by reading its /proc stat in a busy loop: from the
/// first read showing it a zombie to the first read finding it gone. None
/// when it outlives the limit. A process reaped between two reads, never
/// seen as a zombie, counts as zero: it was reaped within one read.
fn zombie_time(pid: i32) -> Option<Duration> {
    let path = format!("/proc/{pid}/stat");
    let start = Instant::now();
    let mut zombie_since: Option<Instant> = None;
    while start.elapsed() < Duration::from_secs(10) {
        match std::fs::read_to_string(&path) {
            Ok(stat) => {
                if zombie_since.is_none() && stat.contains(") Z ") {
                    zombie_since = Some(Instant::now());
                }
            }
            Err(_) => {
                let gone = Instant::now();
                return Some(zombie_since.map_or(Duration::ZERO, |z| gone - z));
            }
        }
    }
    None
}

/// Median zombie time over REAP_CYCLES exits of a restarted `sleep 0.2`.
fn reaping(peer: &Peer) -> Result<Vec<Duration>, String> {
    if !live_sleeps().is_empty() {
        return Err(format!(
            "a `sleep {REAP_SLEEP}` of an earlier run is still there"
        ));
    }
    let dir = tempfile::Builder::new()
        .prefix("runr-reap-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    (peer.setup)(dir.path(), 1, &format!("/bin/sleep {REAP_SLEEP}"));
    let mut child = (peer.launch)(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", peer.name))?;
    let root = child.id() as i32;
    let mut times = Vec::new();
    let mut failure = None;
    let mut seen = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while times.len() < REAP_CYCLES {
        if Instant::now() > deadline {
            failure = Some(format!("{} cycles in 120 s", times.len()));
            break;
        }
        // A sleep not followed yet; each is measured once.
        let Some(pid) = live_sleeps().into_iter().find(|p| !seen.contains(p)) else {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        seen.insert(pid);
        match zombie_time(pid) {
            Some(t) => times.push(t),
            None => {
                failure = Some(format!("pid {pid} never went away"));
                break;
            }
        }
    }
    let _ = kill(Pid::from_raw(root), peer.stop_signal);
    if wait_until(Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    })
    .is_none()
    {
        for pid in process_tree(root).into_iter().rev() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = child.wait();
    }
    // The last sleep may outlive its supervisor: killed by PID.
    let _ = wait_until(Duration::from_secs(1), || live_sleeps().is_empty());
    for pid in live_sleeps() {
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    times.sort();
    Ok(times)
}

fn reaping_table(filter: &[String]) {
    println!(
        "\nreaping: a `sleep {REAP_SLEEP}` restarted forever, time from its exit (seen as a zombie in /proc) to its reaping (its /proc entry gone), median of {REAP_CYCLES}\n"
    );
    // Most exits are reaped between two reads of /proc (a few µs apart):
    // they count as zero, and the column of zombies seen says how many.
    println!(
        "| {:<28} | {:>12} | {:>12} | {:>12} |",
        "supervisor", "median", "max", "seen as Z"
    );
    println!("|{:-<30}|{:->14}|{:->14}|{:->14}|", "", "", "", "");
    let mut all = peers();
    all.push(tini_peer());
    for peer in all {
        if !filter.is_empty() && !filter.iter().any(|f| peer.name.contains(f.as_str())) {
            continue;
        }
        if !peer.needs.is_empty() && which(peer.needs).is_none() {
            println!("| {:<28} | not installed ({})", peer.name, peer.needs);
            continue;
        }
        match reaping(&peer) {
            Ok(times) => println!(
                "| {:<28} | {:>9.3} ms | {:>9.3} ms | {:>9}/{} |",
                peer.name,
                times[times.len() / 2].as_secs_f64() * 1e3,
                times[times.len() - 1].as_secs_f64() * 1e3,
                times.iter().filter(|t| !t.is_zero()).count(),
                times.len()
            ),
            Err(why) => println!("| {:<28} | {why}", peer.name),
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; anything else (`cargo test
    // --all-targets`) only checks that the benchmark builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // A filter argument picks peers by name.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let n: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    println!("{n} services of `sleep`, each supervisor started on its own\n");
    println!(
        "| {:<28} | {:>10} | {:>10} | {:>9} | {:>10} | {:>9} | {:>10} |",
        "supervisor", "start", "stop", "RSS", "of it file", "processes", "wakeups/s"
    );
    println!(
        "|{:-<30}|{:->12}|{:->12}|{:->11}|{:->12}|{:->11}|{:->12}|",
        "", "", "", "", "", "", ""
    );
    for peer in peers() {
        if !filter.is_empty() && !filter.iter().any(|f| peer.name.contains(f.as_str())) {
            continue;
        }
        if !peer.needs.is_empty() && which(peer.needs).is_none() {
            println!("| {:<28} | not installed ({})", peer.name, peer.needs);
            continue;
        }
        let f = measure(&peer, n);
        println!(
            "| {:<28} | {:>10} | {:>10} | {:>5} MiB | {:>6} MiB | {:>9} | {:>10.1} |",
            peer.name,
            show(f.start),
            show(f.stop),
            format!("{:.1}", f.rss_kib as f64 / 1024.0),
            format!("{:.1}", f.rss_file_kib as f64 / 1024.0),
            f.processes,
            f.wakeups_per_second
        );
    }
    reaping_table(&filter);
}

//! 1,000 timers armed under one supervisor: how long arming them takes, and
//! what the supervisor costs while none of them is due (CPU time from
//! /proc/PID/stat, wakeups as the context switches of all its threads from
//! /proc/PID/task/*/status). The goal is no wakeup unless a timer is due.
//!
//! Half the timers have an `OnCalendar=` time spread over the day (none in
//! the next few minutes, so none falls in the idle window), the other half
//! `OnActiveSec=1h` with `OnUnitActiveSec=1h` (the first gives them a next
//! elapse; the second alone has none until the service has run).
//!
//! Run with `cargo bench --bench timers`. `BENCH_TIMERS` sets the count
//! (default 1000), `BENCH_IDLE_SECS` the idle window (default 30),
//! `BENCH_RUNR=PATH` another runr binary.

use std::path::Path;
use std::time::{Duration, Instant};

use runr::control::client::Client;

#[path = "common/supervisor.rs"]
mod supervisor;

use supervisor::{Supervisor, runr_binary};

const TICKS_PER_SECOND: f64 = 100.0;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Minutes since local midnight, now.
fn minute_of_day() -> u64 {
    let now = jiff::Zoned::now();
    now.hour() as u64 * 60 + now.minute() as u64
}

fn write_units(dir: &Path, n: u64) -> std::io::Result<()> {
    // Calendar timers start 10 minutes from now and spread over the rest
    // of the day's 1440 minutes, so none is due during the window.
    let first = minute_of_day() + 10;
    let calendar = n.div_ceil(2).max(1);
    for i in 0..n {
        std::fs::write(
            dir.join(format!("t{i}.service")),
            "[Service]\nType=oneshot\nExecStart=/bin/true\n",
        )?;
        let trigger = if i % 2 == 0 {
            let minute = (first + (i / 2) * 1400 / calendar) % 1440;
            format!("OnCalendar=*-*-* {:02}:{:02}:00", minute / 60, minute % 60)
        } else {
            "OnActiveSec=1h\nOnUnitActiveSec=1h".to_string()
        };
        std::fs::write(
            dir.join(format!("t{i}.timer")),
            format!("[Timer]\n{trigger}\nAutostart=yes\n"),
        )?;
    }
    Ok(())
}

/// utime + stime of the whole process, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    let fields: Vec<&str> = rest.split(' ').collect();
    // After the command: state is field 3 of stat(5); utime 14, stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Voluntary and involuntary context switches of every thread.
fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    let mut total = 0;
    for task in tasks.flatten() {
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        for line in status.lines() {
            if let Some(value) = line
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                total += value.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    total
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|t| t.count())
        .unwrap_or(0)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_number("BENCH_TIMERS", 1000);
    let idle = Duration::from_secs(env_number("BENCH_IDLE_SECS", 30));
    let dir = match tempfile::Builder::new().prefix("runr-timers-").tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            println!("cannot make a scratch directory: {e}");
            return;
        }
    };
    let units = dir.path().join("units");
    if let Err(e) = std::fs::create_dir(&units).and_then(|_| write_units(&units, n)) {
        println!("cannot write the units: {e}");
        return;
    }
    let socket = dir.path().join("runr.sock");
    let launched = Instant::now();
    let supervisor = match Supervisor::start(&runr_binary(), &units, dir.path(), &socket) {
        Ok(supervisor) => supervisor,
        Err(e) => {
            println!("cannot start runr supervisor: {e}");
            return;
        }
    };
    let pid = supervisor.0.id();
    let client = Client::unix(&socket).with_timeout(Duration::from_secs(5));
    let mut armed = None;
    while launched.elapsed() < Duration::from_secs(60) {
        if let Ok(timers) = client.timer_statuses() {
            let waiting = timers.iter().filter(|t| t.next_elapse.is_some()).count();
            if waiting as u64 >= n {
                armed = Some(launched.elapsed());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let Some(armed) = armed else {
        println!("the {n} timers were not all armed within 60 s");
        return;
    };
    // Let start-up work settle before the window.
    std::thread::sleep(Duration::from_secs(2));
    let (Some(cpu_before), switches_before) = (cpu_ticks(pid), context_switches(pid)) else {
        println!("cannot read /proc/{pid}/stat");
        return;
    };
    std::thread::sleep(idle);
    let (Some(cpu_after), switches_after) = (cpu_ticks(pid), context_switches(pid)) else {
        println!("cannot read /proc/{pid}/stat");
        return;
    };
    let seconds = idle.as_secs_f64();
    let cpu_ms_per_second =
        (cpu_after.saturating_sub(cpu_before)) as f64 / TICKS_PER_SECOND * 1e3 / seconds;
    let wakeups = switches_after.saturating_sub(switches_before) as f64 / seconds;
    println!(
        "{n} timers (half OnCalendar= over the day, half OnActiveSec=/OnUnitActiveSec=1h), none due in a {} s window\n",
        idle.as_secs()
    );
    println!("| {:<48} | {:>14} |", "measure", "runr");
    println!("|{:-<50}|{:->16}|", "", "");
    println!(
        "| {:<48} | {:>11.1} ms |",
        "arming: launch to every timer with a next elapse",
        armed.as_secs_f64() * 1e3
    );
    println!(
        "| {:<48} | {:>8.2} ms/s |",
        "supervisor CPU time while idle", cpu_ms_per_second
    );
    println!(
        "| {:<48} | {:>14.2} |",
        "supervisor wakeups/s while idle", wakeups
    );
    println!("| {:<48} | {:>14} |", "supervisor threads", threads(pid));
    drop(supervisor);
}

//! Counts of what the log pipeline did and dropped, shared between its
//! threads and read by `/metrics`. A full disk or a slow stdout never
//! blocks a service: lines are dropped, and counted here.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct LogCounters {
    /// Lines read from services' pipes (after `LogLevelMax=`).
    pub lines_read: AtomicU64,
    /// Messages received by the syslog server.
    pub syslog_messages: AtomicU64,
    /// Records the journal could not write (full disk, read-only, ...).
    pub journal_dropped: AtomicU64,
    /// Lines the services' log files could not take.
    pub file_dropped: AtomicU64,
    /// Lines dropped because the disk writer fell behind (its queue full).
    pub writer_queue_dropped: AtomicU64,
    /// Lines dropped because stdout did not take them fast enough.
    pub console_dropped: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCountersSnapshot {
    pub lines_read: u64,
    pub syslog_messages: u64,
    pub journal_dropped: u64,
    pub file_dropped: u64,
    pub writer_queue_dropped: u64,
    pub console_dropped: u64,
}

impl LogCounters {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> LogCountersSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LogCountersSnapshot {
            lines_read: get(&self.lines_read),
            syslog_messages: get(&self.syslog_messages),
            journal_dropped: get(&self.journal_dropped),
            file_dropped: get(&self.file_dropped),
            writer_queue_dropped: get(&self.writer_queue_dropped),
            console_dropped: get(&self.console_dropped),
        }
    }
}

impl LogCountersSnapshot {
    /// Every line lost, whatever the reason.
    pub fn dropped(&self) -> u64 {
        self.journal_dropped + self.file_dropped + self.writer_queue_dropped + self.console_dropped
    }

    /// The counters in Prometheus' text format.
    pub fn prometheus(&self) -> String {
        let mut out = String::new();
        let rows: [(&str, &str, u64); 6] = [
            (
                "runr_log_lines_read_total",
                "Lines read from services' stdout and stderr.",
                self.lines_read,
            ),
            (
                "runr_syslog_messages_total",
                "Messages received on the syslog sockets.",
                self.syslog_messages,
            ),
            (
                "runr_journal_dropped_total",
                "Journal records dropped because writing failed.",
                self.journal_dropped,
            ),
            (
                "runr_log_file_dropped_total",
                "Lines dropped because a service's log file could not be written.",
                self.file_dropped,
            ),
            (
                "runr_log_writer_queue_dropped_total",
                "Lines dropped because the disk writer fell behind.",
                self.writer_queue_dropped,
            ),
            (
                "runr_log_console_dropped_total",
                "Lines not mirrored because stdout fell behind.",
                self.console_dropped,
            ),
        ];
        for (name, help, value) in rows {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        }
        out
    }
}

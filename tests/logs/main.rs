//! The log pipeline end to end, through the real binary: services' output
//! into the journal, files and stdout; the syslog server with real
//! clients; the journalctl face against journalctl 252's golden outputs;
//! a full disk.

mod disk_full;
mod harness;
#[path = "../common/journal_normalise.rs"]
mod journal_normalise;
mod journalctl_golden;
mod log_section;
mod pipeline;
#[path = "../common/supervisor_process.rs"]
mod supervisor_process;
mod syslog;

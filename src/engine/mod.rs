//! The supervisor: one state machine per unit, driven by events (a child
//! exited, a timeout fired, a command arrived), never by polling.

pub mod api;
pub mod background;
pub mod boot;
pub mod capabilities;
pub mod clock_watch;
pub mod conditions;
pub mod cpu_usage;
pub mod directories;
pub mod executor;
pub mod exit_status;
pub mod hostname;
pub mod job_message;
pub mod manager;
pub mod manager_timers;
mod main_stack;
pub mod mount_units;
pub mod notify;
pub mod pid_file_watch;
pub mod pidfd;
pub mod reaper;
pub mod spawn;
pub mod state;
pub mod supervisor;
pub mod transient;
pub mod power;
pub mod utmp;
pub mod unit_file_cache;
mod vfork;

pub mod plan;
pub mod properties;
mod property_table;
pub mod service;
pub mod timer;

/// The strerror() text of an I/O error, as systemd prints it after a colon.
pub fn errno_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_string(),
        None => e.to_string(),
    }
}

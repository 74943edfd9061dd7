//! The systemd look-alike faces: each parses its tool's command line, asks
//! the daemon (or the files, offline) and prints what systemd 252 prints.

pub mod analyze;
pub mod journalctl;
pub mod systemctl;
pub mod systemd_run;

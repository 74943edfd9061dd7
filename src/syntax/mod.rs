//! Grammars only: pure functions from text to values, no I/O. Each value
//! prints (Display or a `format_*` function) the way systemd prints it.

pub mod calendar;
pub mod environment;
pub mod exec;
pub mod fnmatch;
pub mod hostname;
pub mod specifier;
pub mod syslog;
pub mod timespan;
pub mod shell_quote;
pub mod timestamp;
pub mod unit_file;

/// Microseconds, systemd's unit of time (`usec_t`).
pub type Usec = u64;
/// systemd's `USEC_INFINITY`: "never", "infinity".
pub const USEC_INFINITY: Usec = u64::MAX;
pub const USEC_PER_SEC: Usec = 1_000_000;
pub const USEC_PER_MSEC: Usec = 1_000;
pub const USEC_PER_MINUTE: Usec = 60 * USEC_PER_SEC;
pub const USEC_PER_HOUR: Usec = 60 * USEC_PER_MINUTE;
pub const USEC_PER_DAY: Usec = 24 * USEC_PER_HOUR;
pub const USEC_PER_WEEK: Usec = 7 * USEC_PER_DAY;
/// systemd's month and year: 30.44 and 365.25 days.
pub const USEC_PER_MONTH: Usec = 2_629_800 * USEC_PER_SEC;
pub const USEC_PER_YEAR: Usec = 31_557_600 * USEC_PER_SEC;

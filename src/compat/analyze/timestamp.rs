//! `systemd-analyze timestamp` (to be written).

use std::io::Write;

use super::Options;

pub fn run(_opts: &Options, _args: &[String], _out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let _ = writeln!(err, "timestamp: not supported yet");
    1
}

/// `--base-time=`: a timestamp in systemd's grammar.
pub fn parse_base_time(s: &str) -> Option<crate::syntax::Usec> {
    crate::syntax::timestamp::parse_timestamp(s).ok()
}

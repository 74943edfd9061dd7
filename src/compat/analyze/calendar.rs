//! `systemd-analyze calendar` (to be written).

use std::io::Write;

use super::Options;

pub fn run(_opts: &Options, _args: &[String], _out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let _ = writeln!(err, "calendar: not supported yet");
    1
}

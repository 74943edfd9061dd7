//! `systemd-analyze timestamp TIMESTAMP...`: each timestamp parsed, then
//! shown in the local zone, in UTC, as UNIX seconds and relative to now.

use std::io::Write;

use super::Options;
use super::timespan::render_label_table;
use crate::syntax::timespan::parse_timespan;
use crate::syntax::timestamp::{
    TimestampStyle, format_timestamp, format_timestamp_relative, format_timestamp_style,
    local_zone, now_realtime, parse_timestamp, parse_timestamp_at, zone_file_exists, zone_is_utc,
};
use crate::syntax::{USEC_PER_SEC, Usec};

pub fn run(_opts: &Options, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // The verb needs at least one argument, like all of systemd-analyze's.
    if args.is_empty() {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    }
    let now = now_realtime();
    let zone = local_zone();
    let show_utc = !zone_is_utc(&zone);
    let mut rc = 0;
    for (n, input) in args.iter().enumerate() {
        match parse_timestamp_at(input, now, &zone, &zone_file_exists) {
            Ok(usec) => {
                let _ =
                    out.write_all(render_label_table(&rows(input, usec, now, show_utc)).as_bytes());
            }
            Err(e) => {
                let _ = writeln!(err, "Failed to parse \"{input}\": {e}");
                if crate::syntax::calendar::parse_calendar(input).is_ok() {
                    let _ = writeln!(
                        err,
                        "Hint: this expression is a valid calendar specification. Use 'systemd-analyze calendar \"{input}\"' instead?"
                    );
                }
                if parse_timespan(input).is_ok() {
                    let _ = writeln!(
                        err,
                        "Hint: this expression is a valid timespan. Use 'systemd-analyze timespan \"{input}\"' instead?"
                    );
                }
                rc = 1;
            }
        }
        // Blank lines separate the answers, failed ones included.
        if n + 1 < args.len() {
            let _ = writeln!(out);
        }
    }
    rc
}

fn rows(input: &str, usec: Usec, now: Usec, show_utc: bool) -> Vec<(&'static str, String)> {
    let unset = || "-".to_string();
    let mut rows = vec![
        ("Original form:", input.to_string()),
        (
            "Normalized form:",
            format_timestamp(usec).unwrap_or_else(unset),
        ),
    ];
    if show_utc {
        rows.push((
            "(in UTC):",
            format_timestamp_style(usec, TimestampStyle::Utc).unwrap_or_else(unset),
        ));
    }
    let unix = if usec.is_multiple_of(USEC_PER_SEC) {
        format!("@{}", usec / USEC_PER_SEC)
    } else {
        format!("@{}.{:06}", usec / USEC_PER_SEC, usec % USEC_PER_SEC)
    };
    rows.push(("UNIX seconds:", unix));
    rows.push((
        "From now:",
        format_timestamp_relative(usec, now).unwrap_or_else(unset),
    ));
    rows
}

/// `--base-time=`: a timestamp in systemd's grammar.
pub fn parse_base_time(s: &str) -> Option<Usec> {
    parse_timestamp(s).ok()
}

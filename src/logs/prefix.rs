//! `Prefix=` of runr's `[Log]` section: a template put in front of every
//! line a service writes, on the console (`PrefixSink=`) and in its log
//! file (`PrefixFile=`). The default is `%I[%p]: `.
//!
//! | specifier | expands to                                                   |
//! |-----------|--------------------------------------------------------------|
//! | `%T`      | the time of day the line was read, `HH:MM:SS.mmm`, local zone |
//! | `%d`      | the date the line was read, `YYYY-MM-DD`, local zone          |
//! | `%I`      | the identifier (`SyslogIdentifier=`, or the program's name)   |
//! | `%U`      | the unit name (`app.service`)                                 |
//! | `%s`      | the stream: `stdout` or `stderr`                               |
//! | `%p`      | the PID of the process that wrote the line                    |
//! | `%R`      | the time as seconds since the epoch, `1705320000.123456`       |
//! | `%S`      | the priority's name: `emerg` ... `debug`                       |
//! | `%%`      | a single `%`                                                  |
//!
//! Any other `%x`, and a `%` at the end, are kept as written.

use jiff::tz::TimeZone;

/// One line's facts that a prefix can show.
#[derive(Debug, Clone, Copy)]
pub struct PrefixFields<'a> {
    /// Microseconds since the epoch.
    pub realtime: u64,
    pub identifier: &'a str,
    pub unit: &'a str,
    pub stream: &'a str,
    pub pid: u32,
    pub priority: u8,
}

/// syslog's names of the priorities, as `LogLevelMax=` takes them.
pub const PRIORITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// Appends `template` expanded for `fields` to `out`.
pub fn expand_prefix(
    template: &str,
    fields: &PrefixFields<'_>,
    zone: &TimeZone,
    out: &mut Vec<u8>,
) {
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            push_char(out, c);
            continue;
        }
        match chars.next() {
            Some('T') => {
                let (_, time) = local_date_time(fields.realtime, zone);
                out.extend_from_slice(time.as_bytes());
            }
            Some('d') => {
                let (date, _) = local_date_time(fields.realtime, zone);
                out.extend_from_slice(date.as_bytes());
            }
            Some('I') => out.extend_from_slice(fields.identifier.as_bytes()),
            Some('U') => out.extend_from_slice(fields.unit.as_bytes()),
            Some('s') => out.extend_from_slice(fields.stream.as_bytes()),
            Some('p') => out.extend_from_slice(fields.pid.to_string().as_bytes()),
            Some('R') => out.extend_from_slice(
                format!(
                    "{}.{:06}",
                    fields.realtime / 1_000_000,
                    fields.realtime % 1_000_000
                )
                .as_bytes(),
            ),
            Some('S') => {
                out.extend_from_slice(PRIORITY_NAMES[usize::from(fields.priority & 7)].as_bytes())
            }
            Some('%') => out.push(b'%'),
            Some(other) => {
                out.push(b'%');
                push_char(out, other);
            }
            None => out.push(b'%'),
        }
    }
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// `YYYY-MM-DD` and `HH:MM:SS.mmm` of a realtime in `zone`.
fn local_date_time(realtime: u64, zone: &TimeZone) -> (String, String) {
    let Ok(ts) = jiff::Timestamp::from_microsecond(realtime.min(i64::MAX as u64) as i64) else {
        return ("0000-00-00".into(), "00:00:00.000".into());
    };
    let dt = zone.to_datetime(ts);
    (
        format!("{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day()),
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.subsec_nanosecond() / 1_000_000
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields() -> PrefixFields<'static> {
        PrefixFields {
            // 2024-01-15 12:00:00.123456 UTC
            realtime: 1_705_320_000_123_456,
            identifier: "pg",
            unit: "db.service",
            stream: "stderr",
            pid: 42,
            priority: 3,
        }
    }

    fn expand(template: &str) -> String {
        let mut out = Vec::new();
        expand_prefix(template, &fields(), &TimeZone::UTC, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn every_specifier() {
        assert_eq!(expand("%I[%p]: "), "pg[42]: ");
        assert_eq!(expand("%d %T "), "2024-01-15 12:00:00.123 ");
        assert_eq!(
            expand("%U/%s %S %R"),
            "db.service/stderr err 1705320000.123456"
        );
        assert_eq!(expand("100%% %"), "100% %");
        assert_eq!(expand("%x%é"), "%x%é");
        assert_eq!(expand(""), "");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_and_plain_text_is_kept(template in ".{0,40}") {
            let mut out = Vec::new();
            expand_prefix(&template, &fields(), &TimeZone::UTC, &mut out);
            if !template.contains('%') {
                prop_assert_eq!(out, template.as_bytes().to_vec());
            }
        }
    }
}

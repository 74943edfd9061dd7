//! What goes in front of every line a service writes: on the console and
//! in its log file, each per runr's `[Log]` section (`Prefix=`, and
//! `PrefixSink=` and `PrefixFile=` for one of the two; see
//! [`crate::logs::unit_options`]).
//!
//! Without any of them a line reads `IDENTIFIER[PID]: line`, as systemd's
//! console shows a service's lines ([`LinePrefix::Identifier`]; the
//! identifier is `SyslogIdentifier=`, or the program's name). A template
//! replaces that, with these placeholders:
//!
//! | placeholder | expands to                                                    |
//! |-------------|---------------------------------------------------------------|
//! | `%s`        | the service's name: the unit name without `.service` (`postgresql`) |
//! | `%T`        | the time of day the line was read, `HH:MM:SS.mmm`, local zone |
//! | `%d`        | the date the line was read, `YYYY-MM-DD`, local zone          |
//! | `%I`        | the same instant in ISO 8601 with milliseconds and the local offset, `2024-01-15T12:00:00.123+01:00` (`+00:00` in UTC) |
//! | `%U`        | the same instant in seconds since the Unix epoch, with milliseconds, `1705320000.123` |
//! | `%S`        | the stream: `O` for stdout, `E` for stderr                    |
//! | `%p`        | the PID of the process that wrote the line                    |
//! | `%R`        | the service's restart count when that process was started (`NRestarts=`: 0 at the first start, 1 after the first automatic restart, ...) |
//! | `%%`        | a single `%`                                                  |
//!
//! Any other `%x`, and a `%` at the end, are kept as written. An empty
//! template puts nothing in front of the lines.

use jiff::tz::TimeZone;

use crate::logs::record::Stream;

/// One line's facts that a prefix can show.
#[derive(Debug, Clone, Copy)]
pub struct PrefixFields<'a> {
    /// Microseconds since the epoch.
    pub realtime: u64,
    /// The unit name (`postgresql.service`).
    pub unit: &'a str,
    /// `SyslogIdentifier=`, or the program's name.
    pub identifier: &'a str,
    pub stream: Stream,
    pub pid: u32,
    /// The service's restart count when the process was started.
    pub restarts: u32,
}

/// What is put in front of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinePrefix {
    /// No template set: `IDENTIFIER[PID]: `.
    Identifier,
    /// A template of `Prefix=`, `PrefixSink=` or `PrefixFile=`.
    Template(PrefixTemplate),
}

impl LinePrefix {
    /// Appends the prefix of a line with `fields` to `out`.
    pub fn expand(&self, fields: &PrefixFields<'_>, zone: &TimeZone, out: &mut Vec<u8>) {
        match self {
            LinePrefix::Identifier => {
                out.extend_from_slice(fields.identifier.as_bytes());
                out.push(b'[');
                push_number(out, u64::from(fields.pid));
                out.extend_from_slice(b"]: ");
            }
            LinePrefix::Template(template) => template.expand(fields, zone, out),
        }
    }
}

/// A template, cut once into its text and its placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixTemplate {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Service,
    Time,
    Date,
    Iso,
    Epoch,
    Stream,
    Pid,
    Restarts,
}

impl PrefixTemplate {
    pub fn parse(template: &str) -> PrefixTemplate {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            let piece = match chars.next() {
                Some('s') => Piece::Service,
                Some('T') => Piece::Time,
                Some('d') => Piece::Date,
                Some('I') => Piece::Iso,
                Some('U') => Piece::Epoch,
                Some('S') => Piece::Stream,
                Some('p') => Piece::Pid,
                Some('R') => Piece::Restarts,
                Some('%') => {
                    text.push('%');
                    continue;
                }
                Some(other) => {
                    text.push('%');
                    text.push(other);
                    continue;
                }
                None => {
                    text.push('%');
                    continue;
                }
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        PrefixTemplate { pieces }
    }

    /// Whether the template expands to nothing.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// Appends the template expanded for `fields` to `out`.
    pub fn expand(&self, fields: &PrefixFields<'_>, zone: &TimeZone, out: &mut Vec<u8>) {
        // The local time is worked out once, if a piece needs it.
        let mut cached = None;
        let mut local = || *cached.get_or_insert_with(|| LocalTime::of(fields.realtime, zone));
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
                Piece::Service => {
                    let unit = fields.unit;
                    out.extend_from_slice(unit.strip_suffix(".service").unwrap_or(unit).as_bytes())
                }
                Piece::Time => local().push_time(out),
                Piece::Date => local().push_date(out),
                Piece::Iso => {
                    let time = local();
                    time.push_date(out);
                    out.push(b'T');
                    time.push_time(out);
                    time.push_offset(out);
                }
                Piece::Epoch => {
                    push_number(out, fields.realtime / 1_000_000);
                    out.push(b'.');
                    push_padded(out, (fields.realtime % 1_000_000) / 1_000, 3);
                }
                Piece::Stream => out.push(match fields.stream {
                    Stream::Stderr => b'E',
                    _ => b'O',
                }),
                Piece::Pid => push_number(out, u64::from(fields.pid)),
                Piece::Restarts => push_number(out, u64::from(fields.restarts)),
            }
        }
    }
}

/// A line's instant in the local zone.
#[derive(Debug, Clone, Copy)]
struct LocalTime {
    year: i16,
    month: i8,
    day: i8,
    hour: i8,
    minute: i8,
    second: i8,
    millisecond: i32,
    /// The zone's offset from UTC at that instant, in seconds.
    offset: i32,
}

impl LocalTime {
    fn of(realtime: u64, zone: &TimeZone) -> LocalTime {
        let ts = jiff::Timestamp::from_microsecond(realtime.min(i64::MAX as u64) as i64)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let offset = zone.to_offset(ts);
        let dt = offset.to_datetime(ts);
        LocalTime {
            year: dt.year(),
            month: dt.month(),
            day: dt.day(),
            hour: dt.hour(),
            minute: dt.minute(),
            second: dt.second(),
            millisecond: dt.subsec_nanosecond() / 1_000_000,
            offset: offset.seconds(),
        }
    }

    /// `YYYY-MM-DD`.
    fn push_date(&self, out: &mut Vec<u8>) {
        push_padded(out, self.year.max(0) as u64, 4);
        out.push(b'-');
        push_padded(out, self.month as u64, 2);
        out.push(b'-');
        push_padded(out, self.day as u64, 2);
    }

    /// `HH:MM:SS.mmm`.
    fn push_time(&self, out: &mut Vec<u8>) {
        push_padded(out, self.hour as u64, 2);
        out.push(b':');
        push_padded(out, self.minute as u64, 2);
        out.push(b':');
        push_padded(out, self.second as u64, 2);
        out.push(b'.');
        push_padded(out, self.millisecond as u64, 3);
    }

    /// `+HH:MM` or `-HH:MM` (the seconds of an old local mean time are
    /// left out).
    fn push_offset(&self, out: &mut Vec<u8>) {
        out.push(if self.offset < 0 { b'-' } else { b'+' });
        let minutes = self.offset.unsigned_abs() / 60;
        push_padded(out, u64::from(minutes / 60), 2);
        out.push(b':');
        push_padded(out, u64::from(minutes % 60), 2);
    }
}

fn push_number(out: &mut Vec<u8>, n: u64) {
    push_padded(out, n, 1);
}

/// `n` in decimal, with leading zeros to at least `width` digits.
fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    while n > 0 || len < width {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    out.extend(digits[..len].iter().rev());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(stream: Stream) -> PrefixFields<'static> {
        PrefixFields {
            // 2024-01-15 12:00:00.123456 UTC
            realtime: 1_705_320_000_123_456,
            unit: "postgresql.service",
            identifier: "postgres",
            stream,
            pid: 42,
            restarts: 3,
        }
    }

    /// A zone one hour east of UTC all year.
    fn plus_one() -> TimeZone {
        TimeZone::fixed(jiff::tz::offset(1))
    }

    fn expand_in(template: &str, stream: Stream, zone: &TimeZone) -> String {
        let mut out = Vec::new();
        PrefixTemplate::parse(template).expand(&fields(stream), zone, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    fn expand(template: &str) -> String {
        expand_in(template, Stream::Stdout, &plus_one())
    }

    #[test]
    fn service_name() {
        assert_eq!(expand("[%s]"), "[postgresql]");
        let mut out = Vec::new();
        let other = PrefixFields {
            unit: "db@main.service",
            ..fields(Stream::Stdout)
        };
        PrefixTemplate::parse("%s").expand(&other, &TimeZone::UTC, &mut out);
        assert_eq!(out, b"db@main");
    }

    #[test]
    fn time_of_day_and_date_in_the_local_zone() {
        assert_eq!(expand("%T"), "13:00:00.123");
        assert_eq!(expand("%d"), "2024-01-15");
        assert_eq!(
            expand_in("%d %T", Stream::Stdout, &TimeZone::UTC),
            "2024-01-15 12:00:00.123"
        );
        // The local date, not UTC's: 23:30 UTC is the next day at +01:00.
        let late = PrefixFields {
            realtime: 1_705_361_400_000_000, // 2024-01-15 23:30:00 UTC
            ..fields(Stream::Stdout)
        };
        let mut out = Vec::new();
        PrefixTemplate::parse("%d %T").expand(&late, &plus_one(), &mut out);
        assert_eq!(out, b"2024-01-16 00:30:00.000");
    }

    #[test]
    fn iso_8601_with_the_local_offset() {
        assert_eq!(expand("%I"), "2024-01-15T13:00:00.123+01:00");
        assert_eq!(
            expand_in("%I", Stream::Stdout, &TimeZone::UTC),
            "2024-01-15T12:00:00.123+00:00"
        );
        let west = TimeZone::fixed(jiff::tz::Offset::from_seconds(-(5 * 3600 + 30 * 60)).unwrap());
        assert_eq!(
            expand_in("%I", Stream::Stdout, &west),
            "2024-01-15T06:30:00.123-05:30"
        );
    }

    #[test]
    fn unix_epoch_with_milliseconds() {
        assert_eq!(expand("%U"), "1705320000.123");
        let round = PrefixFields {
            realtime: 1_705_320_000_000_999,
            ..fields(Stream::Stdout)
        };
        let mut out = Vec::new();
        PrefixTemplate::parse("%U").expand(&round, &TimeZone::UTC, &mut out);
        assert_eq!(out, b"1705320000.000");
    }

    #[test]
    fn stream_letter() {
        assert_eq!(expand_in("%S", Stream::Stdout, &TimeZone::UTC), "O");
        assert_eq!(expand_in("%S", Stream::Stderr, &TimeZone::UTC), "E");
    }

    #[test]
    fn pid_and_restart_count() {
        assert_eq!(expand("pid=%p"), "pid=42");
        assert_eq!(expand("%R|"), "3|");
        let first = PrefixFields {
            restarts: 0,
            ..fields(Stream::Stdout)
        };
        let mut out = Vec::new();
        PrefixTemplate::parse("%R|").expand(&first, &TimeZone::UTC, &mut out);
        assert_eq!(out, b"0|");
    }

    #[test]
    fn percent_and_unknown_placeholders() {
        assert_eq!(expand("100%% %"), "100% %");
        assert_eq!(expand("%x%é%u%n%i%P"), "%x%é%u%n%i%P");
        assert_eq!(expand(""), "");
        assert!(PrefixTemplate::parse("").is_empty());
        assert!(!PrefixTemplate::parse("%%").is_empty());
    }

    #[test]
    fn readme_templates() {
        assert_eq!(
            expand_in("[%T %s pid=%p] ", Stream::Stderr, &TimeZone::UTC),
            "[12:00:00.123 postgresql pid=42] "
        );
        assert_eq!(
            expand_in("[%d %T %S]", Stream::Stderr, &TimeZone::UTC),
            "[2024-01-15 12:00:00.123 E]"
        );
    }

    #[test]
    fn the_default_is_identifier_and_pid() {
        let mut out = Vec::new();
        LinePrefix::Identifier.expand(&fields(Stream::Stderr), &TimeZone::UTC, &mut out);
        assert_eq!(out, b"postgres[42]: ");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_and_plain_text_is_kept(template in ".{0,40}") {
            let mut out = Vec::new();
            PrefixTemplate::parse(&template).expand(&fields(Stream::Stdout), &TimeZone::UTC, &mut out);
            if !template.contains('%') {
                prop_assert_eq!(out, template.as_bytes().to_vec());
            }
        }
    }
}

//! How journalctl 252 prints an entry in each output mode (`-o`), byte
//! for byte: the short family, cat, verbose, export and the JSON family,
//! with its colours on a terminal.

use jiff::tz::TimeZone;

use super::args::OutputMode;
use super::fields::{cursor, is_printable, record_fields};
use crate::logs::record::{LOG_DEBUG, LOG_ERR, LOG_NOTICE, LOG_WARNING, Record};

const ANSI_NORMAL: &str = "\x1b[0m";
pub const ANSI_HIGHLIGHT: &str = "\x1b[0;1;39m";
const ANSI_HIGHLIGHT_RED: &str = "\x1b[0;1;31m";
const ANSI_HIGHLIGHT_YELLOW: &str = "\x1b[0;1;38;5;185m";
const ANSI_GREY: &str = "\x1b[0;38;5;245m";
/// Values at least this long print as `null` in JSON unless `--all`.
const JSON_THRESHOLD: usize = 4096;

/// Everything that decides how an entry looks.
pub struct Renderer {
    pub mode: OutputMode,
    pub output_fields: Option<Vec<String>>,
    pub no_hostname: bool,
    pub utc: bool,
    pub color: bool,
    pub show_all: bool,
    pub zone: TimeZone,
}

/// A priority's colour, and the colour of a `--grep` match inside it.
fn log_colors(priority: u8) -> Option<(&'static str, &'static str)> {
    match priority {
        p if p <= LOG_ERR => Some((ANSI_HIGHLIGHT_RED, ANSI_HIGHLIGHT)),
        LOG_WARNING => Some((ANSI_HIGHLIGHT_YELLOW, ANSI_HIGHLIGHT)),
        LOG_NOTICE => Some((ANSI_HIGHLIGHT, ANSI_HIGHLIGHT_RED)),
        LOG_DEBUG => Some((ANSI_GREY, ANSI_HIGHLIGHT_RED)),
        _ => None,
    }
}

/// systemd's format_bytes(): `0B`, `512B`, `1.5K`, `8.0M` (one decimal,
/// truncated).
pub fn format_bytes(bytes: u64) -> String {
    const SUFFIXES: [(&str, u32); 6] = [
        ("E", 60),
        ("P", 50),
        ("T", 40),
        ("G", 30),
        ("M", 20),
        ("K", 10),
    ];
    for (suffix, shift) in SUFFIXES {
        let factor = 1u64 << shift;
        if bytes >= factor {
            let whole = bytes / factor;
            let tenth = ((u128::from(bytes) * 10 / u128::from(factor)) % 10) as u64;
            return format!("{whole}.{tenth}{suffix}");
        }
    }
    format!("{bytes}B")
}

impl Renderer {
    /// Appends one entry; `highlight` is the byte range a `--grep` matched.
    pub fn entry(&self, record: &Record, highlight: (usize, usize), out: &mut Vec<u8>) {
        match self.mode {
            OutputMode::Cat => self.cat(record, highlight, out),
            OutputMode::Verbose => self.verbose(record, out),
            OutputMode::Export => self.export(record, out),
            OutputMode::Json
            | OutputMode::JsonPretty
            | OutputMode::JsonSse
            | OutputMode::JsonSeq => self.json(record, out),
            _ => self.short(record, highlight, out),
        }
    }

    fn wants(&self, field: &str) -> bool {
        self.output_fields
            .as_ref()
            .is_none_or(|fields| fields.iter().any(|f| f == field))
    }

    fn civil(&self, realtime: u64) -> Option<jiff::Zoned> {
        let ts = jiff::Timestamp::from_microsecond(i64::try_from(realtime).ok()?).ok()?;
        let zone = if self.utc {
            TimeZone::UTC
        } else {
            self.zone.clone()
        };
        Some(ts.to_zoned(zone))
    }

    fn short_timestamp(&self, record: &Record) -> String {
        let usec = record.realtime % 1_000_000;
        if self.mode == OutputMode::ShortMonotonic {
            return format!(
                "[{:5}.{:06}]",
                record.monotonic / 1_000_000,
                record.monotonic % 1_000_000
            );
        }
        if self.mode == OutputMode::ShortUnix {
            return format!("{:10}.{:06}", record.realtime / 1_000_000, usec);
        }
        let Some(z) = self.civil(record.realtime) else {
            return String::from("--- XX XX:XX:XX");
        };
        match self.mode {
            OutputMode::ShortIso => z.strftime("%Y-%m-%dT%H:%M:%S%z").to_string(),
            OutputMode::ShortIsoPrecise => {
                format!(
                    "{}.{usec:06}{}",
                    z.strftime("%Y-%m-%dT%H:%M:%S"),
                    z.strftime("%z")
                )
            }
            OutputMode::ShortPrecise => format!("{}.{usec:06}", z.strftime("%b %d %H:%M:%S")),
            OutputMode::ShortFull => z.strftime("%a %Y-%m-%d %H:%M:%S %Z").to_string(),
            _ => z.strftime("%b %d %H:%M:%S").to_string(),
        }
    }

    fn short(&self, record: &Record, highlight: (usize, usize), out: &mut Vec<u8>) {
        let mut head = self.short_timestamp(record);
        if !self.no_hostname && !record.hostname.is_empty() {
            head.push(' ');
            head.push_str(&record.hostname);
        }
        if self.mode == OutputMode::WithUnit && !record.unit.is_empty() {
            head.push(' ');
            head.push_str(&record.unit);
        }
        head.push(' ');
        head.push_str(if record.identifier.is_empty() {
            "unknown"
        } else {
            &record.identifier
        });
        if record.pid != 0 {
            head.push_str(&format!("[{}]", record.pid));
        }
        out.extend_from_slice(head.as_bytes());
        if !self.show_all && !is_printable(&record.message) {
            out.extend_from_slice(
                format!(
                    ": [{} blob data]\n",
                    format_bytes(record.message.len() as u64)
                )
                .as_bytes(),
            );
            return;
        }
        out.extend_from_slice(b": ");
        self.multiline(
            head.chars().count() + 2,
            record.priority,
            &record.message,
            highlight,
            out,
        );
    }

    /// The message, coloured by priority on a terminal; later lines of a
    /// multi-line message are indented under the first.
    fn multiline(
        &self,
        indent: usize,
        priority: u8,
        message: &[u8],
        highlight: (usize, usize),
        out: &mut Vec<u8>,
    ) {
        let colors = if self.color {
            log_colors(priority)
        } else {
            None
        };
        let mut start = 0;
        let mut first = true;
        let body = message.strip_suffix(b"\n").unwrap_or(message);
        loop {
            let end = body[start..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(body.len(), |i| start + i);
            let line = &body[start..end];
            if !first {
                out.extend(std::iter::repeat_n(b' ', indent));
            }
            let local = (
                highlight.0.saturating_sub(start).min(line.len()),
                highlight.1.saturating_sub(start).min(line.len()),
            );
            paint(line, colors, if first { local } else { (0, 0) }, out);
            out.push(b'\n');
            first = false;
            if end >= body.len() {
                break;
            }
            start = end + 1;
        }
    }

    fn cat(&self, record: &Record, highlight: (usize, usize), out: &mut Vec<u8>) {
        let colors = if self.color {
            log_colors(record.priority)
        } else {
            None
        };
        match &self.output_fields {
            None => {
                paint(&record.message, colors, highlight, out);
                out.push(b'\n');
            }
            Some(_) => {
                for (name, value) in record_fields(record) {
                    if self.wants(name) {
                        let h = if name == "MESSAGE" { highlight } else { (0, 0) };
                        paint(&value, colors, h, out);
                        out.push(b'\n');
                    }
                }
            }
        }
    }

    fn verbose(&self, record: &Record, out: &mut Vec<u8>) {
        let style = if self.utc {
            crate::syntax::timestamp::TimestampStyle::UsUtc
        } else {
            crate::syntax::timestamp::TimestampStyle::Us
        };
        let when = crate::syntax::timestamp::format_timestamp_style(record.realtime, style)
            .unwrap_or_default();
        out.extend_from_slice(format!("{when} [{}]\n", cursor(record)).as_bytes());
        let boot = record.boot_id.to_string();
        let mut fields = record_fields(record);
        // _BOOT_ID sits among the fields in journald's entries.
        let at = fields.len().min(1);
        fields.insert(at, ("_BOOT_ID", boot.into_bytes()));
        for (name, value) in fields {
            if !self.wants(name) {
                continue;
            }
            if self.show_all || is_printable(&value) {
                let prefix = format!("    {name}=");
                out.extend_from_slice(prefix.as_bytes());
                self.multiline(prefix.len(), 6, &value, (0, 0), out);
            } else {
                out.extend_from_slice(
                    format!(
                        "    {name}=[{} blob data]\n",
                        format_bytes(value.len() as u64)
                    )
                    .as_bytes(),
                );
            }
        }
    }

    fn export(&self, record: &Record, out: &mut Vec<u8>) {
        let head = format!(
            "__CURSOR={}\n__REALTIME_TIMESTAMP={}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID={}\n",
            cursor(record),
            record.realtime,
            record.monotonic,
            record.boot_id
        );
        out.extend_from_slice(head.as_bytes());
        for (name, value) in record_fields(record) {
            if !self.wants(name) {
                continue;
            }
            if is_printable(&value) && !value.contains(&b'\n') {
                out.extend_from_slice(name.as_bytes());
                out.push(b'=');
                out.extend_from_slice(&value);
                out.push(b'\n');
            } else {
                // The binary-safe form: name, newline, 64-bit length, data.
                out.extend_from_slice(name.as_bytes());
                out.push(b'\n');
                out.extend_from_slice(&(value.len() as u64).to_le_bytes());
                out.extend_from_slice(&value);
                out.push(b'\n');
            }
        }
        out.push(b'\n');
    }

    fn json(&self, record: &Record, out: &mut Vec<u8>) {
        let mut pairs: Vec<(String, serde_json::Value)> = vec![
            ("__CURSOR".into(), cursor(record).into()),
            (
                "__REALTIME_TIMESTAMP".into(),
                record.realtime.to_string().into(),
            ),
            (
                "__MONOTONIC_TIMESTAMP".into(),
                record.monotonic.to_string().into(),
            ),
            ("_BOOT_ID".into(), record.boot_id.to_string().into()),
        ];
        for (name, value) in record_fields(record) {
            if self.wants(name) {
                pairs.push((name.to_string(), self.json_value(&value)));
            }
        }
        match self.mode {
            OutputMode::JsonPretty => {
                out.extend_from_slice(b"{\n");
                for (i, (name, value)) in pairs.iter().enumerate() {
                    let comma = if i + 1 < pairs.len() { "," } else { "" };
                    let line = format!(
                        "\t{} : {}{comma}\n",
                        serde_json::Value::from(name.as_str()),
                        value
                    );
                    out.extend_from_slice(line.as_bytes());
                }
                out.extend_from_slice(b"}\n");
            }
            mode => {
                let body: Vec<String> = pairs
                    .iter()
                    .map(|(name, value)| {
                        format!("{}:{}", serde_json::Value::from(name.as_str()), value)
                    })
                    .collect();
                let object = format!("{{{}}}", body.join(","));
                let line = match mode {
                    OutputMode::JsonSse => format!("data: {object}\n\n"),
                    OutputMode::JsonSeq => format!("\x1e{object}\n"),
                    _ => format!("{object}\n"),
                };
                out.extend_from_slice(line.as_bytes());
            }
        }
    }

    /// Text as a string, anything else as an array of byte values; long
    /// values as `null` unless `--all`.
    fn json_value(&self, value: &[u8]) -> serde_json::Value {
        if !self.show_all && value.len() >= JSON_THRESHOLD {
            return serde_json::Value::Null;
        }
        match std::str::from_utf8(value) {
            Ok(text) if is_printable(value) => text.into(),
            _ => value.iter().map(|b| serde_json::Value::from(*b)).collect(),
        }
    }
}

/// Writes `text` in its priority's colour, the highlighted range in the
/// highlight colour, as journalctl's print_multiline() does (it emits the
/// colours even around an empty highlight).
fn paint(text: &[u8], colors: Option<(&str, &str)>, (from, to): (usize, usize), out: &mut Vec<u8>) {
    let Some((on, highlight_on)) = colors else {
        out.extend_from_slice(text);
        return;
    };
    let from = from.min(text.len());
    let to = to.clamp(from, text.len());
    out.extend_from_slice(on.as_bytes());
    out.extend_from_slice(&text[..from]);
    out.extend_from_slice(highlight_on.as_bytes());
    out.extend_from_slice(&text[from..to]);
    out.extend_from_slice(on.as_bytes());
    out.extend_from_slice(&text[to..]);
    out.extend_from_slice(ANSI_NORMAL.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::record::{Id128, Stream};

    fn record(priority: u8, message: &[u8]) -> Record {
        Record {
            // 2024-01-15 12:00:00.123456 UTC
            realtime: 1_705_320_000_123_456,
            monotonic: 2_330_768_588,
            boot_id: Id128([0x1c; 16]),
            seqnum: 40,
            unit: "chatty.service".into(),
            pid: 135,
            priority,
            facility: 3,
            stream: Stream::Stdout,
            invocation_id: Id128([2; 16]),
            identifier: "chatty".into(),
            message: message.to_vec(),
            hostname: "oracle".into(),
        }
    }

    fn render(mode: OutputMode, color: bool, r: &Record, h: (usize, usize)) -> String {
        let renderer = Renderer {
            mode,
            output_fields: None,
            no_hostname: false,
            utc: false,
            color,
            show_all: false,
            zone: TimeZone::UTC,
        };
        let mut out = Vec::new();
        renderer.entry(r, h, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn short_family() {
        let r = record(6, b"hello");
        assert_eq!(
            render(OutputMode::Short, false, &r, (0, 0)),
            "Jan 15 12:00:00 oracle chatty[135]: hello\n"
        );
        assert_eq!(
            render(OutputMode::ShortPrecise, false, &r, (0, 0)),
            "Jan 15 12:00:00.123456 oracle chatty[135]: hello\n"
        );
        assert_eq!(
            render(OutputMode::ShortIso, false, &r, (0, 0)),
            "2024-01-15T12:00:00+0000 oracle chatty[135]: hello\n"
        );
        assert_eq!(
            render(OutputMode::ShortMonotonic, false, &r, (0, 0)),
            "[ 2330.768588] oracle chatty[135]: hello\n"
        );
        assert_eq!(
            render(OutputMode::ShortUnix, false, &r, (0, 0)),
            "1705320000.123456 oracle chatty[135]: hello\n"
        );
        assert_eq!(
            render(OutputMode::Short, false, &record(6, b"a\nb"), (0, 0)),
            "Jan 15 12:00:00 oracle chatty[135]: a\n                                    b\n"
        );
        assert_eq!(
            render(OutputMode::Short, false, &record(6, b"\x01\x02"), (0, 0)),
            "Jan 15 12:00:00 oracle chatty[135]: [2B blob data]\n"
        );
    }

    #[test]
    fn colours_as_journalctl_prints_them() {
        assert_eq!(
            render(OutputMode::Cat, true, &record(3, b"an error line"), (0, 0)),
            "\x1b[0;1;31m\x1b[0;1;39m\x1b[0;1;31man error line\x1b[0m\n"
        );
        assert_eq!(
            render(OutputMode::Cat, true, &record(3, b"an error line"), (3, 8)),
            "\x1b[0;1;31man \x1b[0;1;39merror\x1b[0;1;31m line\x1b[0m\n"
        );
        assert_eq!(
            render(OutputMode::Cat, true, &record(6, b"info"), (0, 0)),
            "info\n"
        );
    }

    #[test]
    fn bytes_like_systemd() {
        assert_eq!(format_bytes(0), "0B");
        assert_eq!(format_bytes(1023), "1023B");
        assert_eq!(format_bytes(1536), "1.5K");
        assert_eq!(format_bytes(8 << 20), "8.0M");
        assert_eq!(format_bytes((1 << 30) + (1 << 29)), "1.5G");
    }

    #[test]
    fn json_family() {
        let r = record(6, b"hi");
        let line = render(OutputMode::Json, false, &r, (0, 0));
        let value: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(value["MESSAGE"], "hi");
        assert_eq!(value["_SYSTEMD_UNIT"], "chatty.service");
        assert_eq!(value["__REALTIME_TIMESTAMP"], "1705320000123456");
        let binary = render(OutputMode::Json, false, &record(6, b"\x01"), (0, 0));
        assert!(binary.contains("\"MESSAGE\":[1]"), "{binary}");
        let pretty = render(OutputMode::JsonPretty, false, &r, (0, 0));
        assert!(pretty.starts_with("{\n\t\"__CURSOR\" : \"s="), "{pretty}");
        assert!(pretty.ends_with("\t\"MESSAGE\" : \"hi\"\n}\n"), "{pretty}");
        assert!(render(OutputMode::JsonSse, false, &r, (0, 0)).starts_with("data: {"));
    }
}

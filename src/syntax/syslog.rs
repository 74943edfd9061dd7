//! syslog messages as clients send them to /dev/log: RFC 3164 (what
//! glibc's syslog(3), `logger --rfc3164` and Python's SysLogHandler send)
//! and RFC 5424, plus the two stream framings of RFC 6587 (octet counting
//! `LEN SP MSG`, and a newline or NUL after each message).
//!
//! Parsing is best effort and total: any bytes give a message. A field
//! that does not parse is left out and the text stays in the message.

use std::borrow::Cow;
use std::fmt::Write as _;

/// journald's priority for a message without a valid `<PRI>`: user.info.
pub const DEFAULT_PRI: u8 = 8 + 6;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rfc3164,
    Rfc5424,
}

/// The time a message carries. RFC 3164's has no year and no zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyslogTime {
    Rfc3164 {
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    },
    Rfc5424 {
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        /// Fraction of a second as written: value and digit count (0-6).
        fraction: (u32, u8),
        /// Minutes east of UTC; `None` for `Z`.
        offset_minutes: Option<i16>,
    },
}

impl SyslogTime {
    /// Microseconds since the epoch of an RFC 5424 time (`None` for RFC
    /// 3164's, which needs a year and a zone from the receiver).
    pub fn unix_usec(&self) -> Option<i64> {
        let SyslogTime::Rfc5424 {
            year,
            month,
            day,
            hour,
            minute,
            second,
            fraction,
            offset_minutes,
        } = *self
        else {
            return None;
        };
        let date = jiff::civil::Date::new(year as i16, month as i8, day as i8).ok()?;
        let time =
            jiff::civil::Time::new(hour as i8, minute as i8, second.min(59) as i8, 0).ok()?;
        let local = jiff::civil::DateTime::from_parts(date, time);
        let offset =
            jiff::tz::Offset::from_seconds(i32::from(offset_minutes.unwrap_or(0)) * 60).ok()?;
        let seconds = offset.to_timestamp(local).ok()?.as_second();
        let micros = u64::from(fraction.0) * 10u64.pow(6u32.saturating_sub(u32::from(fraction.1)));
        Some(seconds * 1_000_000 + micros as i64)
    }
}

/// One RFC 5424 SD-ELEMENT: `[id name="value" ...]`, values unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdElement<'a> {
    pub id: Cow<'a, str>,
    pub params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogMessage<'a> {
    pub format: Format,
    /// Whether the message started with a valid `<PRI>`.
    pub has_pri: bool,
    /// 0 (emerg) ..= 7 (debug).
    pub severity: u8,
    /// 0 (kern) ..= 23 (local7).
    pub facility: u8,
    pub time: Option<SyslogTime>,
    pub hostname: Option<Cow<'a, str>>,
    /// RFC 5424 APP-NAME, or RFC 3164's tag.
    pub app_name: Option<Cow<'a, str>>,
    pub procid: Option<Cow<'a, str>>,
    pub msgid: Option<Cow<'a, str>>,
    pub structured_data: Vec<SdElement<'a>>,
    /// The text, without a UTF-8 BOM and without trailing newlines or NULs.
    pub message: &'a [u8],
}

impl SyslogMessage<'_> {
    /// The PID, when the proc ID is a number.
    pub fn pid(&self) -> Option<u32> {
        self.procid.as_deref()?.parse().ok()
    }
}

/// Parses one message; never fails.
pub fn parse_message(input: &[u8]) -> SyslogMessage<'_> {
    let input = trim_trailer(input);
    let (pri, rest) = match parse_pri(input) {
        Some((pri, rest)) => (Some(pri), rest),
        None => (None, input),
    };
    let pri_value = pri.unwrap_or(DEFAULT_PRI);
    let mut message = SyslogMessage {
        format: Format::Rfc3164,
        has_pri: pri.is_some(),
        severity: pri_value & 7,
        facility: pri_value >> 3,
        time: None,
        hostname: None,
        app_name: None,
        procid: None,
        msgid: None,
        structured_data: Vec::new(),
        message: rest,
    };
    match rest.strip_prefix(b"1 ").filter(|_| pri.is_some()) {
        Some(after_version) => parse_rfc5424(after_version, &mut message),
        None => parse_rfc3164(rest, &mut message),
    }
    message
}

/// Clients end datagrams with `\n` (logger with some options) or `\0`
/// (Python); neither is part of the message.
fn trim_trailer(input: &[u8]) -> &[u8] {
    let end = input
        .iter()
        .rposition(|b| *b != b'\n' && *b != 0)
        .map_or(0, |i| i + 1);
    &input[..end]
}

/// `<PRI>`: 1 to 3 digits, at most 191, no leading zero but `<0>`.
fn parse_pri(input: &[u8]) -> Option<(u8, &[u8])> {
    let rest = input.strip_prefix(b"<")?;
    let digits = rest
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0
        || digits > 3
        || rest.get(digits) != Some(&b'>')
        || (digits > 1 && rest[0] == b'0')
    {
        return None;
    }
    let value = rest[..digits]
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    (value <= 191).then(|| (value as u8, &rest[digits + 1..]))
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Splits at the first space: (field, rest after the space).
fn field(input: &[u8]) -> (&[u8], &[u8]) {
    match input.iter().position(|b| *b == b' ') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &[]),
    }
}

/// A header field: `-` is "no value".
fn nil_or<'a>(value: &'a [u8]) -> Option<Cow<'a, str>> {
    (value != b"-" && !value.is_empty()).then(|| text(value))
}

fn parse_rfc5424<'a>(input: &'a [u8], out: &mut SyslogMessage<'a>) {
    out.format = Format::Rfc5424;
    let (time, rest) = field(input);
    out.time = parse_iso_time(time);
    let (host, rest) = field(rest);
    let (app, rest) = field(rest);
    let (procid, rest) = field(rest);
    let (msgid, rest) = field(rest);
    out.hostname = nil_or(host);
    out.app_name = nil_or(app);
    out.procid = nil_or(procid);
    out.msgid = nil_or(msgid);
    let rest = match rest.strip_prefix(b"-") {
        Some(after) => after,
        None => match parse_structured_data(rest) {
            Some((elements, after)) => {
                out.structured_data = elements;
                after
            }
            None => rest,
        },
    };
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    out.message = rest.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(rest);
}

fn number(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || bytes.len() > 9 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0')),
    )
}

/// `YYYY-MM-DDTHH:MM:SS[.F{1,6}](Z|+HH:MM|-HH:MM)`.
fn parse_iso_time(input: &[u8]) -> Option<SyslogTime> {
    if input.len() < 20 || input[4] != b'-' || input[7] != b'-' || input[10] != b'T' {
        return None;
    }
    if input[13] != b':' || input[16] != b':' {
        return None;
    }
    let year = number(&input[0..4])? as u16;
    let month = number(&input[5..7])? as u8;
    let day = number(&input[8..10])? as u8;
    let hour = number(&input[11..13])? as u8;
    let minute = number(&input[14..16])? as u8;
    let second = number(&input[17..19])? as u8;
    let mut rest = &input[19..];
    let mut fraction = (0, 0);
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let digits = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 6 {
            return None;
        }
        fraction = (number(&after_dot[..digits])?, digits as u8);
        rest = &after_dot[digits..];
    }
    let offset_minutes = match rest {
        b"Z" => None,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2])? as i16;
            let minutes = number(&[*m1, *m2])? as i16;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            Some(if *sign == b'-' { -total } else { total })
        }
        _ => return None,
    };
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && jiff::civil::Date::new(year as i16, month as i8, day as i8).is_ok()
        && hour < 24
        && minute < 60
        && second < 61;
    valid.then_some(SyslogTime::Rfc5424 {
        year,
        month,
        day,
        hour,
        minute,
        second,
        fraction,
        offset_minutes,
    })
}

/// One or more `[...]` elements; `None` when they do not parse (the text
/// then stays in the message).
fn parse_structured_data(mut input: &[u8]) -> Option<(Vec<SdElement<'_>>, &[u8])> {
    let mut elements = Vec::new();
    while let Some(after_bracket) = input.strip_prefix(b"[") {
        let id_len = after_bracket
            .iter()
            .take_while(|b| is_sd_name_char(**b))
            .count();
        if id_len == 0 {
            return None;
        }
        let mut element = SdElement {
            id: text(&after_bracket[..id_len]),
            params: Vec::new(),
        };
        let mut rest = &after_bracket[id_len..];
        loop {
            if let Some(after) = rest.strip_prefix(b"]") {
                rest = after;
                break;
            }
            let after_space = rest.strip_prefix(b" ")?;
            let name_len = after_space
                .iter()
                .take_while(|b| is_sd_name_char(**b))
                .count();
            if name_len == 0 {
                return None;
            }
            let value_start = after_space[name_len..].strip_prefix(b"=\"")?;
            let (value, after_value) = sd_value(value_start)?;
            element.params.push((text(&after_space[..name_len]), value));
            rest = after_value;
        }
        elements.push(element);
        input = rest;
    }
    (!elements.is_empty()).then_some((elements, input))
}

/// SD-NAME: printable US-ASCII but `=`, space, `]` and `"`.
fn is_sd_name_char(b: u8) -> bool {
    (33..=126).contains(&b) && !matches!(b, b'=' | b']' | b'"')
}

/// A PARAM-VALUE up to its closing quote, with `\"`, `\\` and `\]`
/// unescaped (any other backslash stays, as RFC 5424 says).
fn sd_value(input: &[u8]) -> Option<(Cow<'_, str>, &[u8])> {
    let mut escaped = false;
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'\\' if matches!(input.get(i + 1), Some(b'"' | b'\\' | b']')) => {
                escaped = true;
                i += 2;
            }
            b'"' => {
                let raw = &input[..i];
                let value = if escaped {
                    Cow::Owned(unescape_sd(raw))
                } else {
                    text(raw)
                };
                return Some((value, &input[i + 1..]));
            }
            _ => i += 1,
        }
    }
    None
}

fn unescape_sd(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && matches!(raw.get(i + 1), Some(b'"' | b'\\' | b']')) {
            i += 1;
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_rfc3164<'a>(input: &'a [u8], out: &mut SyslogMessage<'a>) {
    let mut rest = input;
    if let Some((time, after)) = parse_bsd_time(rest) {
        out.time = Some(time);
        rest = after;
    }
    // `host tag: msg` (logger) or `tag: msg` (syslog(3)): a first word that
    // is not itself a tag is a hostname when a tag follows it.
    if out.time.is_some() && tag(rest).is_none() {
        let (word, after) = field(rest);
        if !word.is_empty() && !after.is_empty() && tag(after).is_some() {
            out.hostname = Some(text(word));
            rest = after;
        }
    }
    if let Some((app, pid, after)) = tag(rest) {
        out.app_name = Some(text(app));
        out.procid = pid.map(text);
        rest = after;
    }
    out.message = rest;
}

/// `Mmm dd hh:mm:ss ` (day space-padded or not).
fn parse_bsd_time(input: &[u8]) -> Option<(SyslogTime, &[u8])> {
    let month = MONTHS
        .iter()
        .position(|m| input.starts_with(m.as_bytes()))? as u8
        + 1;
    let rest = input.get(3..)?.strip_prefix(b" ")?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let day_len = rest
        .iter()
        .take(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let day = number(&rest[..day_len])? as u8;
    let rest = rest[day_len..].strip_prefix(b" ")?;
    let clock = rest.get(..8)?;
    if clock[2] != b':' || clock[5] != b':' {
        return None;
    }
    let hour = number(&clock[0..2])? as u8;
    let minute = number(&clock[3..5])? as u8;
    let second = number(&clock[6..8])? as u8;
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let rest = &rest[8..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    Some((
        SyslogTime::Rfc3164 {
            month,
            day,
            hour,
            minute,
            second,
        },
        rest,
    ))
}

/// A tag, its PID if any, and the text after it.
type Tagged<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8]);

/// `TAG: ` or `TAG[PID]: ` at the start (journald's rule: the first word,
/// ending in a colon).
fn tag(input: &[u8]) -> Option<Tagged<'_>> {
    let word_len = input
        .iter()
        .position(|b| *b == b' ' || *b == b'\t')
        .unwrap_or(input.len());
    let word = &input[..word_len];
    let word = word.strip_suffix(b":")?;
    let rest = &input[word_len..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let (name, pid) = match word
        .strip_suffix(b"]")
        .and_then(|w| w.iter().rposition(|b| *b == b'[').map(|i| (w, i)))
    {
        Some((w, open)) => (&w[..open], Some(&w[open + 1..])),
        None => (word, None),
    };
    if name.is_empty() {
        return None;
    }
    Some((name, pid, rest))
}

/// What a stream socket holds next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFrame<'a> {
    /// A whole message, and how many bytes it took from the stream.
    Message(&'a [u8], usize),
    /// The message is not all there yet.
    Incomplete,
}

/// RFC 6587 framing: a message starting with a digit is octet counted
/// (`LEN SP MSG`); anything else ends at a newline or NUL. At end of
/// stream, pass `eof` to get what is left as a last message.
pub fn next_stream_frame(buffer: &[u8], eof: bool) -> StreamFrame<'_> {
    if buffer.is_empty() {
        return StreamFrame::Incomplete;
    }
    let digits = buffer
        .iter()
        .take(10)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let counted = (digits > 0 && buffer.get(digits) == Some(&b' '))
        .then(|| number(&buffer[..digits]))
        .flatten();
    if let Some(len) = counted {
        let start = digits + 1;
        return match buffer.get(start..start + len as usize) {
            Some(message) => StreamFrame::Message(message, start + len as usize),
            None if eof => StreamFrame::Message(&buffer[start..], buffer.len()),
            None => StreamFrame::Incomplete,
        };
    }
    match buffer.iter().position(|b| *b == b'\n' || *b == 0) {
        Some(end) => StreamFrame::Message(&buffer[..end], end + 1),
        None if eof => StreamFrame::Message(buffer, buffer.len()),
        None => StreamFrame::Incomplete,
    }
}

/// Prints a message in its format, so that [`parse_message`] gives it back.
pub fn format_message(m: &SyslogMessage<'_>) -> Vec<u8> {
    let mut out = String::new();
    if m.has_pri {
        let _ = write!(
            out,
            "<{}>",
            u32::from(m.facility) * 8 + u32::from(m.severity)
        );
    }
    match m.format {
        Format::Rfc5424 => format_rfc5424_header(m, &mut out),
        Format::Rfc3164 => format_rfc3164_header(m, &mut out),
    }
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(m.message);
    bytes
}

fn format_time(time: &SyslogTime, out: &mut String) {
    match *time {
        SyslogTime::Rfc3164 {
            month,
            day,
            hour,
            minute,
            second,
        } => {
            let name = MONTHS
                .get(usize::from(month).saturating_sub(1))
                .unwrap_or(&"Jan");
            let _ = write!(out, "{name} {day:>2} {hour:02}:{minute:02}:{second:02}");
        }
        SyslogTime::Rfc5424 {
            year,
            month,
            day,
            hour,
            minute,
            second,
            fraction,
            offset_minutes,
        } => {
            let _ = write!(
                out,
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
            );
            if fraction.1 > 0 {
                let _ = write!(
                    out,
                    ".{:0width$}",
                    fraction.0,
                    width = usize::from(fraction.1)
                );
            }
            match offset_minutes {
                None => out.push('Z'),
                Some(m) => {
                    let sign = if m < 0 { '-' } else { '+' };
                    let _ = write!(
                        out,
                        "{sign}{:02}:{:02}",
                        m.unsigned_abs() / 60,
                        m.unsigned_abs() % 60
                    );
                }
            }
        }
    }
}

fn format_rfc5424_header(m: &SyslogMessage<'_>, out: &mut String) {
    out.push_str("1 ");
    match &m.time {
        Some(time) => format_time(time, out),
        None => out.push('-'),
    }
    for value in [&m.hostname, &m.app_name, &m.procid, &m.msgid] {
        out.push(' ');
        out.push_str(value.as_deref().unwrap_or("-"));
    }
    out.push(' ');
    if m.structured_data.is_empty() {
        out.push('-');
    }
    for element in &m.structured_data {
        let _ = write!(out, "[{}", element.id);
        for (name, value) in &element.params {
            let _ = write!(out, " {name}=\"");
            for c in value.chars() {
                if matches!(c, '"' | '\\' | ']') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        out.push(']');
    }
    if !m.message.is_empty() {
        out.push(' ');
    }
}

fn format_rfc3164_header(m: &SyslogMessage<'_>, out: &mut String) {
    if let Some(time) = &m.time {
        format_time(time, out);
        out.push(' ');
    }
    if let Some(host) = &m.hostname {
        let _ = write!(out, "{host} ");
    }
    if let Some(app) = &m.app_name {
        out.push_str(app);
        if let Some(pid) = &m.procid {
            let _ = write!(out, "[{pid}]");
        }
        out.push_str(": ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &[u8]) -> SyslogMessage<'_> {
        parse_message(input)
    }

    // The bytes below were captured from `logger` (util-linux 2.38) and
    // Python 3's logging.handlers.SysLogHandler on a unix datagram socket;
    // tests/journal_store.rs captures them live.
    #[test]
    fn logger_rfc3164() {
        let m = parse(b"<132>Nov 21 16:42:34 vm myapp: hello 3164");
        assert_eq!((m.facility, m.severity), (16, 4));
        assert_eq!(m.format, Format::Rfc3164);
        assert_eq!(
            m.time,
            Some(SyslogTime::Rfc3164 {
                month: 11,
                day: 21,
                hour: 16,
                minute: 42,
                second: 34
            })
        );
        assert_eq!(m.hostname.as_deref(), Some("vm"));
        assert_eq!(m.app_name.as_deref(), Some("myapp"));
        assert_eq!(m.procid, None);
        assert_eq!(m.message, b"hello 3164");
    }

    #[test]
    fn logger_rfc3164_with_pid() {
        let m = parse(b"<13>Nov  1 06:02:03 vm myapp[64547]: with pid");
        assert_eq!(m.pid(), Some(64547));
        assert_eq!(m.app_name.as_deref(), Some("myapp"));
        assert_eq!(m.message, b"with pid");
        assert!(matches!(m.time, Some(SyslogTime::Rfc3164 { day: 1, .. })));
    }

    #[test]
    fn glibc_syslog_has_no_hostname() {
        let m = parse(b"<30>Jan  2 03:04:05 sshd[99]: Accepted key");
        assert_eq!(m.hostname, None);
        assert_eq!(m.app_name.as_deref(), Some("sshd"));
        assert_eq!(m.pid(), Some(99));
        assert_eq!(m.message, b"Accepted key");
    }

    #[test]
    fn python_sysloghandler() {
        let m = parse(b"<12>py warn x\x00");
        assert_eq!((m.facility, m.severity), (1, 4));
        assert_eq!(m.app_name, None);
        assert_eq!(m.message, b"py warn x");
        let m = parse(b"<11>pyapp: with ident\x00");
        assert_eq!(m.app_name.as_deref(), Some("pyapp"));
        assert_eq!(m.message, b"with ident");
    }

    #[test]
    fn logger_rfc5424_with_structured_data() {
        let input = br#"<13>1 2026-11-21T16:42:34.243274+00:00 vm myapp 64553 ID47 [timeQuality tzKnown="1" isSynced="0"][exampleSDID@32473 iut="3" eventSource="Appli\"cation"] sd msg"#;
        let m = parse(input);
        assert_eq!(m.format, Format::Rfc5424);
        assert_eq!(m.hostname.as_deref(), Some("vm"));
        assert_eq!(m.app_name.as_deref(), Some("myapp"));
        assert_eq!(m.pid(), Some(64553));
        assert_eq!(m.msgid.as_deref(), Some("ID47"));
        assert_eq!(m.structured_data.len(), 2);
        assert_eq!(m.structured_data[1].id, "exampleSDID@32473");
        assert_eq!(
            m.structured_data[1].params[1],
            (Cow::from("eventSource"), Cow::from("Appli\"cation"))
        );
        assert_eq!(m.message, b"sd msg");
        assert_eq!(
            m.time.and_then(|t| t.unix_usec()),
            Some(1_795_279_354_243_274)
        );
    }

    #[test]
    fn rfc5424_nil_fields_and_bom() {
        let m = parse(b"<13>1 - - x - - - bare");
        assert_eq!(m.time, None);
        assert_eq!(m.hostname, None);
        assert_eq!(m.app_name.as_deref(), Some("x"));
        assert_eq!(m.message, b"bare");
        let m = parse(b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - \xEF\xBB\xBFAn application event");
        assert_eq!(m.message, b"An application event");
        assert_eq!(
            m.time.and_then(|t| t.unix_usec()),
            Some(1_065_910_455_003_000)
        );
        let m = parse(b"<165>1 2003-08-24T05:14:15.000003-07:00 host app - - -");
        assert_eq!(
            m.time.and_then(|t| t.unix_usec()),
            Some(1_061_727_255_000_003)
        );
        assert_eq!(m.message, b"");
    }

    #[test]
    fn malformed_input_is_kept() {
        let m = parse(b"no pri at all");
        assert!(!m.has_pri);
        assert_eq!((m.facility, m.severity), (1, 6));
        assert_eq!(m.message, b"no pri at all");
        assert_eq!(parse(b"<999>x").message, b"<999>x");
        assert_eq!(parse(b"<01>x").message, b"<01>x");
        let m = parse(b"<13>1 2003-13-45T99:00:00Z h a p m [broken sd");
        assert_eq!(m.time, None);
        assert_eq!(m.message, b"[broken sd");
        assert_eq!(parse(b"").message, b"");
        assert_eq!(parse(b"<13>").message, b"");
    }

    #[test]
    fn stream_framing() {
        assert_eq!(
            next_stream_frame(b"5 hello6 world!", false),
            StreamFrame::Message(b"hello", 7)
        );
        assert_eq!(
            next_stream_frame(b"6 world", false),
            StreamFrame::Incomplete
        );
        assert_eq!(
            next_stream_frame(b"6 world", true),
            StreamFrame::Message(b"world", 7)
        );
        assert_eq!(
            next_stream_frame(b"<13>hi\n<14>x", false),
            StreamFrame::Message(b"<13>hi", 7)
        );
        assert_eq!(
            next_stream_frame(b"<13>hi\0", false),
            StreamFrame::Message(b"<13>hi", 7)
        );
        assert_eq!(next_stream_frame(b"<13>hi", false), StreamFrame::Incomplete);
        assert_eq!(
            next_stream_frame(b"12abc\n", false),
            StreamFrame::Message(b"12abc", 6)
        );
    }

    #[test]
    fn formats_what_it_parses() {
        for input in [
            &b"<132>Nov 21 16:42:34 vm myapp: hello 3164"[..],
            b"<13>Nov  1 06:02:03 myapp[1]: x",
            br#"<13>1 2026-11-21T16:42:34.243274+00:00 vm myapp 64553 ID47 [a b="\]\\\""][c] sd msg"#,
            b"<13>1 - - x - - - bare",
            b"plain",
        ] {
            assert_eq!(format_message(&parse(input)), input.to_vec(), "{}", String::from_utf8_lossy(input));
        }
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::super::*;

        fn name() -> impl Strategy<Value = String> {
            "[a-zA-Z0-9@._][a-zA-Z0-9@._-]{0,11}"
        }

        fn optional_name() -> impl Strategy<Value = Option<String>> {
            proptest::option::of(name())
        }

        fn time5424() -> impl Strategy<Value = SyslogTime> {
            (
                1970u16..2100,
                1u8..13,
                1u8..29,
                0u8..24,
                0u8..60,
                0u8..60,
                0u8..7,
                0u32..1_000_000,
                proptest::option::of(-1439i16..1440),
            )
                .prop_map(
                    |(year, month, day, hour, minute, second, digits, f, offset_minutes)| {
                        let fraction = (f % 10u32.pow(u32::from(digits)), digits);
                        SyslogTime::Rfc5424 {
                            year,
                            month,
                            day,
                            hour,
                            minute,
                            second,
                            fraction,
                            offset_minutes,
                        }
                    },
                )
        }

        fn sd() -> impl Strategy<Value = Vec<(String, Vec<(String, String)>)>> {
            proptest::collection::vec(
                (
                    name(),
                    proptest::collection::vec((name(), "[ -~\\]\\\\\"]{0,8}"), 0..3),
                ),
                0..3,
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                let m = parse_message(&bytes);
                let _ = format_message(&m);
                let _ = m.time.and_then(|t| t.unix_usec());
                let _ = next_stream_frame(&bytes, false);
                let _ = next_stream_frame(&bytes, true);
            }

            #[test]
            fn never_panics_near_valid(prefix in "<[0-9]{1,3}>1? ?[-0-9T:.Z+ ]{0,40}", tail in "[ -~]{0,40}") {
                let input = format!("{prefix}{tail}");
                let _ = format_message(&parse_message(input.as_bytes()));
            }

            #[test]
            fn rfc5424_round_trips(
                pri in 0u8..192,
                time in proptest::option::of(time5424()),
                host in optional_name(), app in optional_name(), procid in optional_name(), msgid in optional_name(),
                sd in sd(),
                message in "[^\u{feff}\n\0]{0,30}",
            ) {
                let structured_data: Vec<SdElement<'_>> = sd.iter().map(|(id, params)| SdElement {
                    id: Cow::from(id.as_str()),
                    params: params.iter().map(|(n, v)| (Cow::from(n.as_str()), Cow::from(v.as_str()))).collect(),
                }).collect();
                let message = message.trim_start_matches(' ');
                let original = SyslogMessage {
                    format: Format::Rfc5424, has_pri: true, severity: pri & 7, facility: pri >> 3, time,
                    hostname: host.as_deref().map(Cow::from), app_name: app.as_deref().map(Cow::from),
                    procid: procid.as_deref().map(Cow::from), msgid: msgid.as_deref().map(Cow::from),
                    structured_data, message: message.as_bytes(),
                };
                let printed = format_message(&original);
                prop_assert_eq!(parse_message(&printed), original);
            }

            #[test]
            fn rfc3164_round_trips(
                pri in 0u8..192,
                (month, day, hour, minute, second) in (1u8..13, 1u8..32, 0u8..24, 0u8..60, 0u8..60),
                app in "[a-zA-Z][a-zA-Z0-9._-]{0,10}",
                pid in proptest::option::of(1u32..4_000_000),
                message in "[a-z][ -~]{0,30}",
            ) {
                let pid = pid.map(|p| p.to_string());
                let original = SyslogMessage {
                    format: Format::Rfc3164, has_pri: true, severity: pri & 7, facility: pri >> 3,
                    time: Some(SyslogTime::Rfc3164 { month, day, hour, minute, second }),
                    hostname: None, app_name: Some(Cow::from(app.as_str())), procid: pid.as_deref().map(Cow::from),
                    msgid: None, structured_data: Vec::new(), message: message.as_bytes(),
                };
                let printed = format_message(&original);
                prop_assert_eq!(parse_message(&printed), original);
            }
        }
    }
}

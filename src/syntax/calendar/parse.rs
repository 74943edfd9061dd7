//! The grammar of calendar events, as systemd 252 reads it: a zone suffix
//! first, then a shorthand (`daily`) or weekdays, a date and a time, then
//! normalization (two-digit years, sorted and merged values) and the range
//! checks.
//!
//! The text is read as bytes: every token is ASCII, and a byte that is not
//! part of the grammar makes the expression invalid wherever it appears.

use super::{CalendarError, CalendarSpec, Component, EventZone, USEC_PER_SEC_I32};

type Result<T> = std::result::Result<T, CalendarError>;

/// systemd stops reading a field after 241 comma-separated values.
const MAX_VALUES_PER_FIELD: usize = 241;
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 2199;
const ALL_WEEKDAYS: u8 = 0b111_1111;

/// Reads `text`; `abbreviations` are the local zone's standard and daylight
/// saving names (glibc's tzname), `zone_exists` says whether a word names a
/// zone file.
pub(super) fn parse(
    text: &str,
    abbreviations: &[String; 2],
    zone_exists: &dyn Fn(&str) -> bool,
) -> Result<CalendarSpec> {
    // A NUL would end the string for systemd; no configuration can carry one.
    if text.contains('\0') {
        return Err(CalendarError::Invalid);
    }
    let mut spec = CalendarSpec {
        weekdays: None,
        year: Vec::new(),
        month: Vec::new(),
        day: Vec::new(),
        hour: Vec::new(),
        minute: Vec::new(),
        second: Vec::new(),
        end_of_month: false,
        zone: EventZone::Local,
    };
    let (body, zone) = split_zone(text.as_bytes(), abbreviations, zone_exists);
    spec.zone = zone;
    if body.is_empty() {
        return Err(CalendarError::Invalid);
    }
    if !apply_shorthand(body, &mut spec) {
        parse_event(body, &mut spec)?;
    }
    normalize(&mut spec);
    if !is_valid(&spec) {
        return Err(CalendarError::Invalid);
    }
    Ok(spec)
}

/// Takes the zone off the end: ` UTC` (any case), one of the local zone's
/// abbreviations (any case, after a space), or, after the last space, a
/// zone file's name (exact case).
fn split_zone<'a>(
    text: &'a [u8],
    abbreviations: &[String; 2],
    zone_exists: &dyn Fn(&str) -> bool,
) -> (&'a [u8], EventZone) {
    if let Some(body) = strip_suffix_ignore_case(text, b" UTC") {
        return (body, EventZone::Utc);
    }
    for (dst, name) in abbreviations.iter().enumerate() {
        if name.is_empty() || text.len() <= name.len() {
            continue;
        }
        let Some(rest) = strip_suffix_ignore_case(text, name.as_bytes()) else {
            continue;
        };
        if let Some(body) = rest.strip_suffix(b" ") {
            return (
                body,
                EventZone::LocalAbbreviation {
                    dst: dst == 1,
                    name: name.clone(),
                },
            );
        }
    }
    if let Some(space) = text.iter().rposition(|&b| b == b' ')
        && let Ok(name) = std::str::from_utf8(&text[space + 1..])
        && zone_exists(name)
    {
        let zone = if name == "UTC" {
            EventZone::Utc
        } else {
            EventZone::Named(name.to_string())
        };
        return (&text[..space], zone);
    }
    (text, EventZone::Local)
}

fn strip_suffix_ignore_case<'a>(text: &'a [u8], suffix: &[u8]) -> Option<&'a [u8]> {
    let cut = text.len().checked_sub(suffix.len())?;
    text[cut..]
        .eq_ignore_ascii_case(suffix)
        .then_some(&text[..cut])
}

/// The shorthands of systemd.time(7); unnamed fields stay `*`.
fn apply_shorthand(body: &[u8], spec: &mut CalendarSpec) -> bool {
    let word = |w: &str| body.eq_ignore_ascii_case(w.as_bytes());
    let zero = || vec![Component::single(0)];
    let first = || vec![Component::single(1)];
    let months = |list: &[i32]| {
        list.iter()
            .map(|&m| Component::single(m))
            .collect::<Vec<_>>()
    };
    let (weekdays, month, day, hour, minute) = if word("minutely") {
        (None, None, None, None, None)
    } else if word("hourly") {
        (None, None, None, None, Some(zero()))
    } else if word("daily") {
        (None, None, None, Some(zero()), Some(zero()))
    } else if word("monthly") {
        (None, None, Some(first()), Some(zero()), Some(zero()))
    } else if word("annually") || word("yearly") || word("anually") {
        (
            None,
            Some(first()),
            Some(first()),
            Some(zero()),
            Some(zero()),
        )
    } else if word("weekly") {
        (Some(1), None, None, Some(zero()), Some(zero()))
    } else if word("quarterly") {
        (
            None,
            Some(months(&[1, 4, 7, 10])),
            Some(first()),
            Some(zero()),
            Some(zero()),
        )
    } else if word("biannually")
        || word("bi-annually")
        || word("semiannually")
        || word("semi-annually")
    {
        (
            None,
            Some(months(&[1, 7])),
            Some(first()),
            Some(zero()),
            Some(zero()),
        )
    } else {
        return false;
    };
    spec.weekdays = weekdays;
    spec.month = month.unwrap_or_default();
    spec.day = day.unwrap_or_default();
    spec.hour = hour.unwrap_or_default();
    spec.minute = minute.unwrap_or_default();
    spec.second = zero();
    true
}

/// `[WEEKDAYS] [DATE] [TIME]`, or `[WEEKDAYS] @EPOCH`.
fn parse_event(body: &[u8], spec: &mut CalendarSpec) -> Result<()> {
    let mut rest = body;
    spec.weekdays = parse_weekdays(&mut rest)?;
    let date_was_epoch = parse_date(&mut rest, spec)?;
    if !date_was_epoch {
        parse_time(&mut rest, spec)?;
    }
    if rest.is_empty() {
        Ok(())
    } else {
        Err(CalendarError::Invalid)
    }
}

/// The byte at `i`, or 0 past the end (so that checks read like systemd's).
fn at(text: &[u8], i: usize) -> u8 {
    text.get(i).copied().unwrap_or(0)
}

fn skip_spaces(text: &[u8]) -> &[u8] {
    let n = text.iter().take_while(|&&b| b == b' ').count();
    &text[n..]
}

/// Long names first, so that `Monday` is not read as `Mon` + `day`.
const WEEKDAY_WORDS: [(&str, u8); 14] = [
    ("Monday", 0),
    ("Mon", 0),
    ("Tuesday", 1),
    ("Tue", 1),
    ("Wednesday", 2),
    ("Wed", 2),
    ("Thursday", 3),
    ("Thu", 3),
    ("Friday", 4),
    ("Fri", 4),
    ("Saturday", 5),
    ("Sat", 5),
    ("Sunday", 6),
    ("Sun", 6),
];

fn weekday_at(text: &[u8]) -> Option<(u8, usize)> {
    WEEKDAY_WORDS.iter().find_map(|&(word, day)| {
        let len = word.len();
        (text.len() >= len && text[..len].eq_ignore_ascii_case(word.as_bytes()))
            .then_some((day, len))
    })
}

/// `Mon`, `Monday`, lists with `,` and ascending ranges with `..` (or the
/// old `-`); a trailing comma is allowed, an open range is not. Returns
/// the weekday bits, 0 when the expression names none.
fn parse_weekdays(text: &mut &[u8]) -> Result<Option<u8>> {
    let mut bits = 0u8;
    let mut range_from: Option<u8> = None;
    let mut first = true;
    loop {
        let Some((day, len)) = weekday_at(text) else {
            return if first {
                Ok(None)
            } else {
                Err(CalendarError::Invalid)
            };
        };
        if !matches!(at(text, len), 0 | b'-' | b'.' | b',' | b' ') {
            return Err(CalendarError::Invalid);
        }
        bits |= 1 << day;
        if let Some(from) = range_from {
            if from > day {
                return Err(CalendarError::Invalid);
            }
            for d in from + 1..day {
                bits |= 1 << d;
            }
        }
        *text = &text[len..];
        match at(text, 0) {
            0 => return Ok(Some(bits)),
            b' ' => {
                *text = skip_spaces(text);
                return Ok(Some(bits));
            }
            b'.' => {
                if range_from.is_some() || at(text, 1) != b'.' {
                    return Err(CalendarError::Invalid);
                }
                range_from = Some(day);
                *text = &text[2..];
            }
            b'-' => {
                if range_from.is_some() {
                    return Err(CalendarError::Invalid);
                }
                range_from = Some(day);
                *text = &text[1..];
            }
            _ => {
                // ','
                range_from = None;
                *text = &text[1..];
            }
        }
        if matches!(at(text, 0), 0 | b' ') {
            *text = skip_spaces(text);
            return if range_from.is_none() {
                Ok(Some(bits))
            } else {
                Err(CalendarError::Invalid)
            };
        }
        first = false;
    }
}

/// `Y-M-D`, `M-D` (either with `~` before the day), or `@EPOCH`. A first
/// field followed by `:` or nothing is a time, left for parse_time().
/// Returns true for `@EPOCH`, which also sets the time.
fn parse_date(text: &mut &[u8], spec: &mut CalendarSpec) -> Result<bool> {
    if text.is_empty() {
        return Ok(false);
    }
    if text[0] == b'@' {
        let (seconds, rest) = parse_epoch_seconds(&text[1..])?;
        set_from_epoch(spec, seconds)?;
        *text = rest;
        return Ok(true);
    }
    let mut t = *text;
    let first = parse_field(&mut t, false)?;
    if matches!(at(t, 0), 0 | b':') {
        return Ok(false);
    }
    parse_date_separator(&mut t, spec)?;
    let second = parse_field(&mut t, false)?;
    if matches!(at(t, 0), 0 | b' ') {
        *text = skip_spaces(t);
        spec.month = first;
        spec.day = second;
        return Ok(false);
    }
    if spec.end_of_month {
        return Err(CalendarError::Invalid);
    }
    parse_date_separator(&mut t, spec)?;
    let third = parse_field(&mut t, false)?;
    if !matches!(at(t, 0), 0 | b' ') {
        return Err(CalendarError::Invalid);
    }
    *text = skip_spaces(t);
    spec.year = first;
    spec.month = second;
    spec.day = third;
    Ok(false)
}

fn parse_date_separator(t: &mut &[u8], spec: &mut CalendarSpec) -> Result<()> {
    match at(t, 0) {
        b'~' => spec.end_of_month = true,
        b'-' => {}
        _ => return Err(CalendarError::Invalid),
    }
    *t = &t[1..];
    Ok(())
}

/// The number after `@`, read as C's strtoul() reads it: leading white
/// space, an optional sign (a minus wraps around), decimal digits.
fn parse_epoch_seconds(text: &[u8]) -> Result<(u64, &[u8])> {
    let mut i = text
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .count();
    let negative = match at(text, i) {
        b'-' => {
            i += 1;
            true
        }
        b'+' => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(CalendarError::Invalid);
    }
    let mut value: u64 = 0;
    for &b in &text[i..i + digits] {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(CalendarError::OutOfRange)?;
    }
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    Ok((value, &text[i + digits..]))
}

/// `@EPOCH` is that second in UTC, to the second.
fn set_from_epoch(spec: &mut CalendarSpec, seconds: u64) -> Result<()> {
    // The bits are a time_t: values past i64::MAX are negative times.
    let seconds = seconds as i64;
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = super::next::civil_from_days(days);
    // gmtime() fails when the year does not fit tm_year.
    let year = i32::try_from(year - 1900)
        .ok()
        .and_then(|y| y.checked_add(1900))
        .ok_or(CalendarError::OutOfRange)?;
    let single = |v: i64| vec![Component::single(v as i32)];
    spec.year = vec![Component::single(year)];
    spec.month = single(month);
    spec.day = single(day);
    spec.hour = single(secs / 3600);
    spec.minute = single(secs % 3600 / 60);
    spec.second = single(secs % 60 * i64::from(USEC_PER_SEC_I32));
    spec.zone = EventZone::Utc;
    Ok(())
}

/// `H:M`, `H:M:S`, or nothing (midnight). Seconds may have fractions.
fn parse_time(text: &mut &[u8], spec: &mut CalendarSpec) -> Result<()> {
    if text.is_empty() {
        spec.hour = vec![Component::single(0)];
        spec.minute = vec![Component::single(0)];
        spec.second = vec![Component::single(0)];
        return Ok(());
    }
    let mut t = *text;
    let hour = parse_field(&mut t, false)?;
    expect_colon(&mut t)?;
    let minute = parse_field(&mut t, false)?;
    let second = if t.is_empty() {
        vec![Component::single(0)]
    } else {
        expect_colon(&mut t)?;
        let second = parse_field(&mut t, true)?;
        if !t.is_empty() {
            return Err(CalendarError::Invalid);
        }
        second
    };
    *text = t;
    spec.hour = hour;
    spec.minute = minute;
    spec.second = second;
    Ok(())
}

fn expect_colon(t: &mut &[u8]) -> Result<()> {
    if at(t, 0) != b':' {
        return Err(CalendarError::Invalid);
    }
    *t = &t[1..];
    Ok(())
}

/// `*`, or comma-separated values. `*` in the seconds is "every whole
/// second", kept as 0/1 so that fractions still print.
fn parse_field(t: &mut &[u8], seconds: bool) -> Result<Vec<Component>> {
    if at(t, 0) == b'*' {
        *t = &t[1..];
        return Ok(if seconds {
            vec![Component {
                start: 0,
                stop: -1,
                repeat: USEC_PER_SEC_I32,
            }]
        } else {
            Vec::new()
        });
    }
    let mut field = Vec::new();
    loop {
        if field.len() >= MAX_VALUES_PER_FIELD {
            return Err(CalendarError::TooManyValues);
        }
        field.push(parse_component(t, seconds)?);
        if at(t, 0) != b',' {
            return Ok(field);
        }
        *t = &t[1..];
    }
}

/// `A`, `A..B`, `A/R`, `A..B/R`.
fn parse_component(t: &mut &[u8], seconds: bool) -> Result<Component> {
    let unit = if seconds { USEC_PER_SEC_I32 } else { 1 };
    let start = parse_number(t, seconds)?;
    let mut stop = -1;
    let mut repeat = 0;
    if at(t, 0) == b'.' && at(t, 1) == b'.' {
        *t = &t[2..];
        stop = parse_number(t, seconds)?;
        repeat = unit;
    }
    if at(t, 0) == b'/' {
        *t = &t[1..];
        repeat = parse_number(t, seconds)?;
        if repeat == 0 {
            return Err(CalendarError::OutOfRange);
        }
    } else {
        if start > i32::MAX - repeat {
            return Err(CalendarError::OutOfRange);
        }
        // A seconds range steps by whole seconds, so it must span one.
        if seconds && stop >= 0 && i64::from(start) + i64::from(repeat) > i64::from(stop) {
            return Err(CalendarError::Invalid);
        }
    }
    if !matches!(at(t, 0), 0 | b' ' | b',' | b'-' | b'~' | b':') {
        return Err(CalendarError::Invalid);
    }
    Ok(Component {
        start,
        stop,
        repeat,
    })
}

/// Decimal digits; for seconds, microseconds with an optional fraction
/// (one `.` is a decimal point, `..` a range).
fn parse_number(t: &mut &[u8], seconds: bool) -> Result<i32> {
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(CalendarError::Invalid);
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &b in &t[..digits] {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if overflow {
        return Err(CalendarError::OutOfRange);
    }
    let mut rest = &t[digits..];
    if seconds {
        value = value
            .checked_mul(1_000_000)
            .ok_or(CalendarError::OutOfRange)?;
        if at(rest, 0) == b'.' && at(rest, 1) != b'.' {
            let (fraction, after) = parse_fraction(&rest[1..])?;
            value = value
                .checked_add(fraction)
                .ok_or(CalendarError::OutOfRange)?;
            rest = after;
        }
    }
    let value = i32::try_from(value).map_err(|_| CalendarError::OutOfRange)?;
    *t = rest;
    Ok(value)
}

/// Six digits of fraction in microseconds, rounded half up on the seventh,
/// the rest ignored.
fn parse_fraction(t: &[u8]) -> Result<(u64, &[u8])> {
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(CalendarError::Invalid);
    }
    let mut value: u64 = 0;
    for i in 0..6 {
        value = value * 10
            + t.get(i)
                .filter(|b| b.is_ascii_digit() && i < digits)
                .map_or(0, |b| u64::from(b - b'0'));
    }
    if digits > 6 && t[6] >= b'5' {
        value += 1;
    }
    Ok((value, &t[digits..]))
}

/// Two-digit years, a weekday set that means "any day", `~` without a day;
/// then every field sorted, de-duplicated and its ranges trimmed.
fn normalize(spec: &mut CalendarSpec) {
    if spec
        .weekdays
        .is_some_and(|bits| bits == 0 || bits >= ALL_WEEKDAYS)
    {
        spec.weekdays = None;
    }
    if spec.end_of_month && spec.day.is_empty() {
        spec.end_of_month = false;
    }
    for c in &mut spec.year {
        c.start = full_year(c.start);
        c.stop = full_year(c.stop);
    }
    for field in [
        &mut spec.year,
        &mut spec.month,
        &mut spec.day,
        &mut spec.hour,
        &mut spec.minute,
        &mut spec.second,
    ] {
        normalize_field(field);
    }
}

/// 0..69 are 2000..2069, 70..99 are 1970..1999.
fn full_year(year: i32) -> i32 {
    match year {
        0..=69 => year + 2000,
        70..=99 => year + 1900,
        _ => year,
    }
}

fn normalize_field(field: &mut Vec<Component>) {
    for c in field.iter_mut() {
        // A range ends on its last repetition...
        if c.stop > c.start && c.repeat > 0 {
            c.stop -= (c.stop - c.start) % c.repeat;
        }
        // ...and one that cannot repeat, or a one-value range, is a value.
        if (c.stop > c.start
            && c.repeat > 0
            && i64::from(c.start) + i64::from(c.repeat) > i64::from(c.stop))
            || c.start == c.stop
        {
            c.repeat = 0;
            c.stop = -1;
        }
    }
    field.sort();
    field.dedup();
}

fn is_valid(spec: &CalendarSpec) -> bool {
    field_is_valid(&spec.year, MIN_YEAR, MAX_YEAR, false)
        && field_is_valid(&spec.month, 1, 12, false)
        && field_is_valid(&spec.day, 1, 31, spec.end_of_month)
        && field_is_valid(&spec.hour, 0, 23, false)
        && field_is_valid(&spec.minute, 0, 59, false)
        && field_is_valid(&spec.second, 0, 60 * USEC_PER_SEC_I32 - 1, false)
}

/// Every value within the field's bounds, and every repetition able to
/// happen at least once.
fn field_is_valid(field: &[Component], from: i32, to: i32, end_of_month: bool) -> bool {
    // Days from the month's end: at most 28 back, so every month has them.
    let to = if end_of_month { to - 3 } else { to };
    let (from, to) = (i64::from(from), i64::from(to));
    field.iter().all(|c| {
        let (start, stop, repeat) = (i64::from(c.start), i64::from(c.stop), i64::from(c.repeat));
        if start < from || start > to || repeat > to - from {
            return false;
        }
        if stop >= 0 {
            stop >= from && stop <= to && start + repeat <= stop
        } else if end_of_month {
            start - repeat >= from
        } else {
            start + repeat <= to
        }
    })
}

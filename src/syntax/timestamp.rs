//! Timestamps as systemd 252 reads and prints them (systemd.time(7)):
//! absolute dates and times, `@epoch`, `now`/`today`/`tomorrow`/`yesterday`,
//! relative `+3h`/`-5min`/`... ago`/`... left`, and an optional time zone.
//!
//! systemd parses with glibc's strptime() and mktime(); the functions below
//! reproduce what those accept and how mktime() resolves local times that a
//! DST change skips or repeats, with jiff supplying the zone rules.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::timespan::{TimespanError, parse_timespan};
use super::{
    USEC_INFINITY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MSEC,
    USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR, Usec,
};

/// Why a timestamp does not parse; the text is the errno message systemd prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("Invalid argument")]
    Invalid,
    /// A relative or `@` part that is a time span out of range (`+-5`, `@-5`).
    #[error("Numerical result out of range")]
    OutOfRange,
}

impl From<TimespanError> for TimestampError {
    fn from(e: TimespanError) -> Self {
        match e {
            TimespanError::Invalid => TimestampError::Invalid,
            TimespanError::OutOfRange => TimestampError::OutOfRange,
        }
    }
}

/// The last instant systemd formats or accepts: Thu 9999-12-30 23:59:59 UTC
/// (a day short of year 10000, so that no zone reaches five-digit years).
pub const USEC_TIMESTAMP_FORMATTABLE_MAX: Usec = 253_402_214_399_000_000;

/// parse_timestamp(): text to microseconds since the epoch, relative to the
/// current time and the local zone ($TZ).
pub fn parse_timestamp(s: &str) -> Result<Usec, TimestampError> {
    parse_timestamp_at(s, now_realtime(), &local_zone(), &zone_file_exists)
}

/// parse_timestamp() with "now", the local zone and the zone database given:
/// `zone_exists(name)` says whether /usr/share/zoneinfo/NAME is a zone file.
///
/// A trailing zone name other than UTC (`... Europe/Berlin`, `... CET`,
/// `... GMT`) is always refused, as systemd 252 does: it parses such text
/// in a forked child after that child's rename has blanked the argv strings
/// the text lives in, so the child sees an empty string.
pub fn parse_timestamp_at(
    s: &str,
    now: Usec,
    zone: &TimeZone,
    zone_exists: &dyn Fn(&str) -> bool,
) -> Result<Usec, TimestampError> {
    if let Some(space) = s.rfind(' ') {
        let name = &s[space + 1..];
        if is_valid_zone_name(name, zone_exists) && !ends_with_no_case(s.as_bytes(), b" UTC") {
            return Err(TimestampError::Invalid);
        }
    }
    parse_local(s.as_bytes(), now, zone)
}

/// verify_timezone(): "UTC", or a relative path of letters, digits and
/// `-_+/` naming an existing zone file.
fn is_valid_zone_name(name: &str, zone_exists: &dyn Fn(&str) -> bool) -> bool {
    if name == "UTC" {
        return true;
    }
    if name.is_empty() || name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return false;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/');
    name.chars().all(allowed) && zone_exists(name)
}

/// Whether /usr/share/zoneinfo/NAME is a regular file in TZif format.
pub fn zone_file_exists(name: &str) -> bool {
    use std::io::Read;
    let path = std::path::Path::new("/usr/share/zoneinfo").join(name);
    let Ok(mut file) = std::fs::File::open(&path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).is_ok() && &magic == b"TZif"
}

fn ends_with_no_case(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn starts_with_no_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The grammar proper, for text without a zone-file suffix.
fn parse_local(t: &[u8], now: Usec, zone: &TimeZone) -> Result<Usec, TimestampError> {
    if let Some(rest) = t.strip_prefix(b"@") {
        return span(rest);
    }
    if t == b"now" {
        return apply_offsets(now, 0, 0);
    }
    if let Some(rest) = t.strip_prefix(b"+") {
        return apply_offsets(now, span(rest)?, 0);
    }
    if let Some(rest) = t.strip_prefix(b"-") {
        return apply_offsets(now, 0, span(rest)?);
    }
    if let Some(rest) = t.strip_suffix(b" ago") {
        return apply_offsets(now, 0, span(rest)?);
    }
    if let Some(rest) = t.strip_suffix(b" left") {
        return apply_offsets(now, span(rest)?, 0);
    }

    // " UTC" means UTC; the local zone's own abbreviations (standard or
    // daylight saving time) ask for that offset in the local zone.
    let (t, utc, dst) = if ends_with_no_case(t, b" UTC") {
        (&t[..t.len() - 4], true, None)
    } else {
        match strip_local_abbreviation(t, zone) {
            Some((rest, is_dst)) => (rest, false, Some(is_dst)),
            None => (t, false, None),
        }
    };
    let calc_zone = if utc { TimeZone::UTC } else { zone.clone() };
    let now_tm =
        BrokenDown::from_unix(now_seconds(now), &calc_zone).ok_or(TimestampError::Invalid)?;

    let absolute = parse_absolute(t, now_tm)?;
    if let Some(weekday) = absolute.weekday
        && weekday != absolute.tm.wday
    {
        return Err(TimestampError::Invalid);
    }
    let seconds = if utc {
        absolute.tm.civil_seconds()
    } else {
        local_to_unix(&absolute.tm, dst, &calc_zone)?
    };
    let Ok(seconds) = Usec::try_from(seconds) else {
        return Err(TimestampError::Invalid);
    };
    let usec = seconds
        .checked_mul(USEC_PER_SEC)
        .and_then(|u| u.checked_add(absolute.usec))
        .ok_or(TimestampError::Invalid)?;
    if usec > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Err(TimestampError::Invalid);
    }
    apply_offsets(usec, 0, 0)
}

fn span(text: &[u8]) -> Result<Usec, TimestampError> {
    Ok(parse_timespan(&String::from_utf8_lossy(text))?)
}

fn now_seconds(now: Usec) -> i64 {
    i64::try_from(now / USEC_PER_SEC).unwrap_or(i64::MAX)
}

/// The last step: add `plus`, subtract `minus`, stay in the formattable range.
fn apply_offsets(base: Usec, plus: Usec, minus: Usec) -> Result<Usec, TimestampError> {
    let t = base.checked_add(plus).ok_or(TimestampError::Invalid)?;
    if t > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Err(TimestampError::Invalid);
    }
    t.checked_sub(minus).ok_or(TimestampError::Invalid)
}

/// `... CET` / `... CEST` in a zone whose abbreviations those are: the text
/// before, and whether the daylight saving one was named.
fn strip_local_abbreviation<'a>(t: &'a [u8], zone: &TimeZone) -> Option<(&'a [u8], bool)> {
    let names = ZoneNames::of(zone);
    for (name, is_dst) in [
        (names.standard.as_str(), false),
        (names.daylight.as_str(), true),
    ] {
        if name.is_empty() || !ends_with_no_case(t, name.as_bytes()) {
            continue;
        }
        let at = t.len() - name.len();
        if at == 0 || t[at - 1] != b' ' {
            continue;
        }
        return Some((&t[..at - 1], is_dst));
    }
    None
}

/// glibc's tzname[] and the matching offsets: the abbreviations of the
/// latest standard and daylight saving periods of a zone.
struct ZoneNames {
    standard: String,
    daylight: String,
    standard_offset: i32,
    daylight_offset: i32,
}

impl ZoneNames {
    fn of(zone: &TimeZone) -> ZoneNames {
        let mut standard: Option<(String, i32)> = None;
        let mut daylight: Option<(String, i32)> = None;
        for transition in zone.preceding(Timestamp::MAX).take(64) {
            let entry = Some((
                transition.abbreviation().to_string(),
                transition.offset().seconds(),
            ));
            if transition.dst().is_dst() {
                if daylight.is_none() {
                    daylight = entry;
                }
            } else if standard.is_none() {
                standard = entry;
            }
            if standard.is_some() && daylight.is_some() {
                break;
            }
        }
        let (standard, standard_offset) = standard.unwrap_or_else(|| {
            let info = zone.to_offset_info(Timestamp::UNIX_EPOCH);
            (info.abbreviation().to_string(), info.offset().seconds())
        });
        let (daylight, daylight_offset) =
            daylight.unwrap_or_else(|| (standard.clone(), standard_offset));
        ZoneNames {
            standard,
            daylight,
            standard_offset,
            daylight_offset,
        }
    }
}

/// in_utc_timezone(): the zone is UTC in all but name (no offset, no DST).
pub fn zone_is_utc(zone: &TimeZone) -> bool {
    let names = ZoneNames::of(zone);
    names.standard_offset == 0 && names.daylight_offset == 0
}

/// A `struct tm`: fields may be out of range until mktime() normalises them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BrokenDown {
    year: i64,
    /// 0..=11
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// 0 = Sunday
    wday: i64,
}

impl BrokenDown {
    fn from_unix(seconds: i64, zone: &TimeZone) -> Option<BrokenDown> {
        ZoneReading::at(seconds, zone).map(|r| r.tm)
    }

    /// Days since 1970-01-01 of the date fields, overflowing days carried
    /// on (Feb 30 is Mar 1 or 2).
    fn days(&self) -> i64 {
        let year = self.year + self.month.div_euclid(12);
        days_from_civil(year, self.month.rem_euclid(12) + 1, 1) + self.day - 1
    }

    /// The wall-clock reading as seconds since 1970-01-01 00:00, every
    /// field carried over (23:59:60 is the next day), as timegm() does.
    fn civil_seconds(&self) -> i64 {
        self.days() * 86_400 + self.hour * 3_600 + self.minute * 60 + self.second
    }

    /// strptime()'s weekday for the date fields.
    fn weekday_of_date(&self) -> i64 {
        (self.days() + 4).rem_euclid(7)
    }
}

/// What the clock on the wall of a zone reads at an instant.
struct ZoneReading {
    tm: BrokenDown,
    abbreviation: String,
    offset: i32,
    is_dst: bool,
}

/// Seconds in 400 Gregorian years: calendar and weekdays repeat after them.
const SECONDS_PER_400_YEARS: i64 = 146_097 * 86_400;

impl ZoneReading {
    /// jiff stops a day short of year 10000, where systemd still reads the
    /// clock; so late instants are read 400 years earlier and the year put
    /// back (zones follow their unchanging final rule by then).
    fn at(seconds: i64, zone: &TimeZone) -> Option<ZoneReading> {
        let (seconds, years_back) = if seconds > 200_000_000_000 {
            (seconds - SECONDS_PER_400_YEARS, 400)
        } else {
            (seconds, 0)
        };
        let ts = Timestamp::from_second(seconds).ok()?;
        let info = zone.to_offset_info(ts);
        let dt = info.offset().to_datetime(ts);
        let tm = BrokenDown {
            year: i64::from(dt.year()) + years_back,
            month: i64::from(dt.month()) - 1,
            day: i64::from(dt.day()),
            hour: i64::from(dt.hour()),
            minute: i64::from(dt.minute()),
            second: i64::from(dt.second()),
            wday: i64::from(dt.weekday().to_sunday_zero_offset()),
        };
        Some(ZoneReading {
            tm,
            abbreviation: info.abbreviation().to_string(),
            offset: info.offset().seconds(),
            is_dst: info.dst().is_dst(),
        })
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (month 1..=12).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// mktime() in `zone`: the instant whose local reading is `tm`, choosing
/// among repeated or skipped readings the way glibc does; `dst` is the
/// tm_isdst asked for (None = let the zone decide).
fn local_to_unix(
    tm: &BrokenDown,
    dst: Option<bool>,
    zone: &TimeZone,
) -> Result<i64, TimestampError> {
    let wanted = tm.civil_seconds();
    let convert = |t: i64| -> Result<(i64, bool), TimestampError> {
        let reading = ZoneReading::at(t, zone).ok_or(TimestampError::Invalid)?;
        Ok((t + i64::from(reading.offset), reading.is_dst))
    };
    // glibc starts from the offset its previous call found, which in a
    // fresh process is zero, and follows the error until it meets the
    // wanted reading, or oscillates across a gap.
    let mut t = wanted;
    let (mut t1, mut t2) = (t, t);
    let mut previous_was_dst = false;
    let mut probes_left = 6;
    let mut is_dst;
    loop {
        let (local, dst_here) = convert(t)?;
        is_dst = dst_here;
        let error = wanted - local;
        if error == 0 {
            break;
        }
        let oscillating = t == t1 && t != t2;
        // In a gap: settle here unless the other side is the preferred one
        // (daylight saving time when nothing was asked, else the flag that
        // differs from the one asked for).
        let settle_here = match dst {
            None => !previous_was_dst || is_dst,
            Some(want) => want != is_dst,
        };
        if oscillating && settle_here {
            return Ok(t);
        }
        probes_left -= 1;
        if probes_left == 0 {
            return Err(TimestampError::Invalid);
        }
        t1 = t2;
        t2 = t;
        t += error;
        previous_was_dst = is_dst;
    }
    match dst {
        Some(want) if want != is_dst => nearest_offset_with_dst(t, wanted, want, &convert),
        _ => Ok(t),
    }
}

/// The wanted reading converted with the offset of the nearest period whose
/// DST flag is the one asked for ("12:00 CEST" in January is 10:00 UTC).
fn nearest_offset_with_dst(
    t: i64,
    wanted: i64,
    want_dst: bool,
    convert: &dyn Fn(i64) -> Result<(i64, bool), TimestampError>,
) -> Result<i64, TimestampError> {
    const STRIDE: i64 = 601_200;
    const BOUND: i64 = 536_454_000 / 2 + STRIDE;
    let mut delta = STRIDE;
    while delta < BOUND {
        for probe in [t - delta, t + delta] {
            let Ok((local, is_dst)) = convert(probe) else {
                continue;
            };
            if is_dst == want_dst {
                let guess = probe + (wanted - local);
                if convert(guess).is_ok() {
                    return Ok(guess);
                }
            }
        }
        delta += STRIDE;
    }
    Err(TimestampError::Invalid)
}

/// What the date/time part of a timestamp says: the broken-down time, the
/// microseconds, and the weekday it was prefixed with, if any.
struct Absolute {
    tm: BrokenDown,
    usec: Usec,
    weekday: Option<i64>,
}

const WEEKDAY_WORDS: &[(&str, i64)] = &[
    ("Sunday", 0),
    ("Sun", 0),
    ("Monday", 1),
    ("Mon", 1),
    ("Tuesday", 2),
    ("Tue", 2),
    ("Wednesday", 3),
    ("Wed", 3),
    ("Thursday", 4),
    ("Thu", 4),
    ("Friday", 5),
    ("Fri", 5),
    ("Saturday", 6),
    ("Sat", 6),
];

/// How a layout may end: with `.fraction`, or only at the end of the text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    FractionAllowed,
    EndOnly,
}

/// Which fields a shorter layout resets to zero.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Zeroes {
    Nothing,
    Seconds,
    Time,
}

/// The strptime() layouts systemd tries, in its order.
const LAYOUTS: &[(&str, Tail, Zeroes)] = &[
    ("%y-%m-%d %H:%M:%S", Tail::FractionAllowed, Zeroes::Nothing),
    ("%Y-%m-%d %H:%M:%S", Tail::FractionAllowed, Zeroes::Nothing),
    // journalctl's short output format
    ("%b %d %H:%M:%S", Tail::FractionAllowed, Zeroes::Nothing),
    ("%y-%m-%d %H:%M", Tail::EndOnly, Zeroes::Seconds),
    ("%Y-%m-%d %H:%M", Tail::EndOnly, Zeroes::Seconds),
    ("%y-%m-%d", Tail::EndOnly, Zeroes::Time),
    ("%Y-%m-%d", Tail::EndOnly, Zeroes::Time),
    ("%H:%M:%S", Tail::FractionAllowed, Zeroes::Nothing),
    ("%H:%M", Tail::EndOnly, Zeroes::Seconds),
];

fn parse_absolute(t: &[u8], now: BrokenDown) -> Result<Absolute, TimestampError> {
    let midnight = |day_offset: i64| BrokenDown {
        day: now.day + day_offset,
        hour: 0,
        minute: 0,
        second: 0,
        ..now
    };
    match t {
        b"today" => {
            return Ok(Absolute {
                tm: midnight(0),
                usec: 0,
                weekday: None,
            });
        }
        b"yesterday" => {
            return Ok(Absolute {
                tm: midnight(-1),
                usec: 0,
                weekday: None,
            });
        }
        b"tomorrow" => {
            return Ok(Absolute {
                tm: midnight(1),
                usec: 0,
                weekday: None,
            });
        }
        _ => {}
    }

    let mut weekday = None;
    let mut t = t;
    for &(word, number) in WEEKDAY_WORDS {
        if starts_with_no_case(t, word.as_bytes()) && t.get(word.len()) == Some(&b' ') {
            weekday = Some(number);
            t = &t[word.len() + 1..];
            break;
        }
    }

    for &(layout, tail, zeroes) in LAYOUTS {
        let mut tm = now;
        let Some(end) = strptime(t, layout.as_bytes(), &mut tm) else {
            continue;
        };
        match zeroes {
            Zeroes::Nothing => {}
            Zeroes::Seconds => tm.second = 0,
            Zeroes::Time => (tm.hour, tm.minute, tm.second) = (0, 0, 0),
        }
        let rest = &t[end..];
        if rest.is_empty() {
            return Ok(Absolute {
                tm,
                usec: 0,
                weekday,
            });
        }
        if tail == Tail::FractionAllowed && rest[0] == b'.' {
            let usec = parse_fraction(&rest[1..]).ok_or(TimestampError::Invalid)?;
            return Ok(Absolute { tm, usec, weekday });
        }
    }
    Err(TimestampError::Invalid)
}

/// parse_fractional_part_u(…, 6): at least one digit, six count, the
/// seventh rounds, the rest are ignored; nothing may follow.
fn parse_fraction(s: &[u8]) -> Option<Usec> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits != s.len() {
        return None;
    }
    let mut value: Usec = 0;
    for i in 0..6 {
        value = value * 10 + s.get(i).map_or(0, |d| Usec::from(d - b'0'));
    }
    if s.get(6).is_some_and(|d| *d >= b'5') {
        value += 1;
    }
    Some(value)
}

const MONTH_NAMES: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// glibc's strptime() for the conversions systemd uses: a blank in the
/// layout matches any run of blanks, numbers skip leading blanks and stop
/// reading digits once another digit would exceed the maximum. Returns
/// where the match ends.
fn strptime(input: &[u8], layout: &[u8], tm: &mut BrokenDown) -> Option<usize> {
    let mut i = 0;
    let mut has_date = false;
    let mut l = 0;
    while l < layout.len() {
        let c = layout[l];
        l += 1;
        if c == b' ' {
            while input.get(i).copied().is_some_and(is_c_space) {
                i += 1;
            }
            continue;
        }
        if c != b'%' {
            if input.get(i) != Some(&c) {
                return None;
            }
            i += 1;
            continue;
        }
        let conversion = *layout.get(l)?;
        l += 1;
        match conversion {
            b'y' => {
                let v = strptime_number(input, &mut i, 0, 99, 2)?;
                // 69..99 are the 1900s, 00..68 the 2000s.
                tm.year = 1900 + if v >= 69 { v } else { v + 100 };
                has_date = true;
            }
            b'Y' => {
                tm.year = strptime_number(input, &mut i, 0, 9999, 4)?;
                has_date = true;
            }
            b'm' => {
                tm.month = strptime_number(input, &mut i, 1, 12, 2)? - 1;
                has_date = true;
            }
            b'd' => {
                tm.day = strptime_number(input, &mut i, 1, 31, 2)?;
                has_date = true;
            }
            b'H' => tm.hour = strptime_number(input, &mut i, 0, 23, 2)?,
            b'M' => tm.minute = strptime_number(input, &mut i, 0, 59, 2)?,
            b'S' => tm.second = strptime_number(input, &mut i, 0, 61, 2)?,
            b'b' => {
                tm.month = strptime_month(input, &mut i)?;
                has_date = true;
            }
            _ => return None,
        }
    }
    if has_date {
        tm.wday = tm.weekday_of_date();
    }
    Some(i)
}

/// C's isspace().
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn strptime_number(input: &[u8], i: &mut usize, min: i64, max: i64, width: usize) -> Option<i64> {
    while input.get(*i).copied().is_some_and(is_c_space) {
        *i += 1;
    }
    if !input.get(*i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut value = 0i64;
    let mut read = 0;
    while let Some(d) = input.get(*i).filter(|d| d.is_ascii_digit()) {
        value = value * 10 + i64::from(d - b'0');
        *i += 1;
        read += 1;
        if read >= width || value * 10 > max {
            break;
        }
    }
    (min..=max).contains(&value).then_some(value)
}

/// A month name, full or abbreviated, in any case; the longest match wins.
fn strptime_month(input: &[u8], i: &mut usize) -> Option<i64> {
    let rest = input.get(*i..)?;
    let mut best: Option<(usize, i64)> = None;
    for (number, name) in (0i64..).zip(MONTH_NAMES) {
        for candidate in [&name[..3], name] {
            let len = candidate.len();
            if starts_with_no_case(rest, candidate.as_bytes()) && best.is_none_or(|(l, _)| len > l)
            {
                best = Some((len, number));
            }
        }
    }
    let (len, number) = best?;
    *i += len;
    Some(number)
}

/// The current wall-clock time in microseconds (libfaketime can freeze it).
pub fn now_realtime() -> Usec {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_micros().min(u128::from(USEC_INFINITY - 1)) as Usec
}

/// How format_timestamp_style() prints a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampStyle {
    /// `Mon 2024-01-15 12:00:00 CET`
    Pretty,
    /// `Mon 2024-01-15 12:00:00.123456 CET`
    Us,
    /// `Mon 2024-01-15 11:00:00 UTC`
    Utc,
    /// `Mon 2024-01-15 11:00:00.123456 UTC`
    UsUtc,
    /// `@1705320000`
    Unix,
}

/// format_timestamp(): `Mon 2024-01-15 12:00:00 UTC` in the local zone ($TZ),
/// or None where systemd prints nothing (0 and infinity are "not set").
pub fn format_timestamp(t: Usec) -> Option<String> {
    format_timestamp_style(t, TimestampStyle::Pretty)
}

pub fn format_timestamp_style(t: Usec, style: TimestampStyle) -> Option<String> {
    if t == 0 || t == USEC_INFINITY {
        return None;
    }
    if style == TimestampStyle::Unix {
        return Some(format!("@{}", t / USEC_PER_SEC));
    }
    // Five-digit years are not printed.
    if t > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Some("--- XXXX-XX-XX XX:XX:XX".to_string());
    }
    let tz = match style {
        TimestampStyle::Utc | TimestampStyle::UsUtc => TimeZone::UTC,
        _ => local_zone(),
    };
    let reading = ZoneReading::at(i64::try_from(t / USEC_PER_SEC).ok()?, &tz)?;
    let tm = reading.tm;
    let weekday = WEEKDAY_WORDS
        .iter()
        .find(|(w, n)| *n == tm.wday && w.len() == 3)
        .map_or("", |(w, _)| *w);
    let date = format!(
        "{weekday} {:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.year,
        tm.month + 1,
        tm.day,
        tm.hour,
        tm.minute,
        tm.second
    );
    let frac = match style {
        TimestampStyle::Us | TimestampStyle::UsUtc => format!(".{:06}", t % USEC_PER_SEC),
        _ => String::new(),
    };
    let zone = match style {
        TimestampStyle::Utc | TimestampStyle::UsUtc => "UTC".to_string(),
        _ => reading.abbreviation,
    };
    Some(format!("{date}{frac} {zone}"))
}

/// The zone systemd would use: $TZ if set (a name, or empty for UTC), else
/// /etc/localtime, else UTC.
pub fn local_zone() -> TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Some(zone) = linked_localtime()
    {
        return zone;
    }
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// Whether the kept zone may be used without looking at /etc/localtime:
/// set by a daemon that watches the file and calls [`forget_kept_zone`]
/// when it changes.
static ZONE_WATCHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The caller watches /etc/localtime (or stopped doing so): while it
/// does, the zone kept by [`local_zone`] is used without a readlink and a
/// stat per timestamp.
pub fn trust_kept_zone(watched: bool) {
    ZONE_WATCHED.store(watched, std::sync::atomic::Ordering::Relaxed);
}

/// /etc/localtime changed: the next [`local_zone`] reads it again.
pub fn forget_kept_zone() {
    if let Ok(mut kept) = KEPT_ZONE.lock() {
        *kept = None;
    }
}

/// The zone last read from /etc/localtime, with what it was read from.
type KeptZone = Option<((std::path::PathBuf, u64, i64, i64), TimeZone)>;
static KEPT_ZONE: std::sync::Mutex<KeptZone> = std::sync::Mutex::new(None);

/// /etc/localtime read directly, named after the zoneinfo file it links
/// to. jiff finds the same zone, but lists the whole zoneinfo tree first
/// (some 1,800 files) to look the name up: more than the rest of a short
/// command such as `journalctl -n 50` costs.
/// Kept while the link and the file it names are unchanged: a daemon
/// formats many timestamps per answer, and follows a change of zone.
fn linked_localtime() -> Option<TimeZone> {
    use std::os::unix::fs::MetadataExt;
    const LOCALTIME: &str = "/etc/localtime";
    if ZONE_WATCHED.load(std::sync::atomic::Ordering::Relaxed)
        && let Some((_, zone)) = KEPT_ZONE.lock().ok()?.as_ref()
    {
        return Some(zone.clone());
    }
    let target = std::fs::read_link(LOCALTIME).ok()?;
    let file = std::fs::metadata(LOCALTIME).ok()?;
    let key = (target, file.ino(), file.mtime(), file.mtime_nsec());
    let mut kept = KEPT_ZONE.lock().ok()?;
    if let Some((kept_key, zone)) = kept.as_ref()
        && *kept_key == key
    {
        return Some(zone.clone());
    }
    let (_, name) = key.0.to_str()?.rsplit_once("zoneinfo/")?;
    let data = std::fs::read(LOCALTIME).ok()?;
    let zone = TimeZone::tzif(name, &data).ok()?;
    *kept = Some((key, zone.clone()));
    Some(zone)
}

/// format_timestamp_relative(): `21h left`, `1 day 21h left`, `3min 5s ago`,
/// measured from `now`.
pub fn format_timestamp_relative(t: Usec, now: Usec) -> Option<String> {
    if t == 0 || t == USEC_INFINITY {
        return None;
    }
    let (d, suffix) = if now > t {
        (now - t, "ago")
    } else {
        (t - now, "left")
    };
    let plural = |n: Usec, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let s = if d >= USEC_PER_YEAR {
        let years = d / USEC_PER_YEAR;
        let months = (d % USEC_PER_YEAR) / USEC_PER_MONTH;
        format!(
            "{years} {} {months} {} {suffix}",
            plural(years, "year", "years"),
            plural(months, "month", "months")
        )
    } else if d >= USEC_PER_MONTH {
        let months = d / USEC_PER_MONTH;
        let days = (d % USEC_PER_MONTH) / USEC_PER_DAY;
        format!(
            "{months} {} {days} {} {suffix}",
            plural(months, "month", "months"),
            plural(days, "day", "days")
        )
    } else if d >= USEC_PER_WEEK {
        let weeks = d / USEC_PER_WEEK;
        let days = (d % USEC_PER_WEEK) / USEC_PER_DAY;
        format!(
            "{weeks} {} {days} {} {suffix}",
            plural(weeks, "week", "weeks"),
            plural(days, "day", "days")
        )
    } else if d >= 2 * USEC_PER_DAY {
        format!("{} days {suffix}", d / USEC_PER_DAY)
    } else if d >= 25 * USEC_PER_HOUR {
        format!("1 day {}h {suffix}", (d - USEC_PER_DAY) / USEC_PER_HOUR)
    } else if d >= 6 * USEC_PER_HOUR {
        format!("{}h {suffix}", d / USEC_PER_HOUR)
    } else if d >= USEC_PER_HOUR {
        format!(
            "{}h {}min {suffix}",
            d / USEC_PER_HOUR,
            (d % USEC_PER_HOUR) / USEC_PER_MINUTE
        )
    } else if d >= 5 * USEC_PER_MINUTE {
        format!("{}min {suffix}", d / USEC_PER_MINUTE)
    } else if d >= USEC_PER_MINUTE {
        format!(
            "{}min {}s {suffix}",
            d / USEC_PER_MINUTE,
            (d % USEC_PER_MINUTE) / USEC_PER_SEC
        )
    } else if d >= USEC_PER_SEC {
        format!("{}s {suffix}", d / USEC_PER_SEC)
    } else if d >= USEC_PER_MSEC {
        format!("{}ms {suffix}", d / USEC_PER_MSEC)
    } else if d > 0 {
        format!("{d}us {suffix}")
    } else {
        "now".to_string()
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_forms_match_systemd() {
        let now = 1_705_320_000 * USEC_PER_SEC;
        assert_eq!(
            format_timestamp_relative(now + 21 * USEC_PER_HOUR, now).as_deref(),
            Some("21h left")
        );
        assert_eq!(
            format_timestamp_relative(now + 45 * USEC_PER_HOUR, now).as_deref(),
            Some("1 day 21h left")
        );
        assert_eq!(
            format_timestamp_relative(now + 13 * USEC_PER_DAY, now).as_deref(),
            Some("1 week 6 days left")
        );
        assert_eq!(
            format_timestamp_relative(now - 90 * USEC_PER_SEC, now).as_deref(),
            Some("1min 30s ago")
        );
        assert_eq!(format_timestamp_relative(now, now).as_deref(), Some("now"));
        assert_eq!(format_timestamp_relative(0, now), None);
    }

    #[test]
    fn utc_style_names_utc() {
        assert_eq!(
            format_timestamp_style(1_705_320_000 * USEC_PER_SEC, TimestampStyle::Utc).as_deref(),
            Some("Mon 2024-01-15 12:00:00 UTC")
        );
    }

    const NOW: Usec = 1_705_320_000 * USEC_PER_SEC;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC)
    }

    fn no_zone_files(_: &str) -> bool {
        false
    }

    fn utc(s: &str) -> Result<Usec, TimestampError> {
        parse_timestamp_at(s, NOW, &TimeZone::UTC, &no_zone_files)
    }

    fn in_berlin(s: &str) -> Result<Usec, TimestampError> {
        parse_timestamp_at(s, NOW, &berlin(), &no_zone_files)
    }

    fn secs(s: u64) -> Result<Usec, TimestampError> {
        Ok(s * USEC_PER_SEC)
    }

    #[test]
    fn absolute_layouts() {
        assert_eq!(utc("2024-01-15 12:00:00"), secs(1_705_320_000));
        assert_eq!(utc("2024-01-15 12:00"), secs(1_705_320_000));
        assert_eq!(utc("2024-01-15"), secs(1_705_276_800));
        assert_eq!(utc("24-01-15 12:00"), secs(1_705_320_000));
        assert_eq!(utc("2024-1-5 7:08:09"), secs(1_704_438_489));
        assert_eq!(utc("2024- 01- 15"), secs(1_705_276_800));
        assert_eq!(utc("Jan 15 12:00:00"), secs(1_705_320_000));
        assert_eq!(utc("12:00"), secs(1_705_320_000));
        assert_eq!(utc("7:5"), secs(1_705_302_300));
        for bad in [
            "2024-01-15T12:00:00",
            "2024-01-15 12:00 ",
            "2024 -01-15",
            "Jan 15 12:00",
            "25:00",
            "12",
            "",
        ] {
            assert_eq!(utc(bad), Err(TimestampError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn two_digit_years_pivot_at_69() {
        assert_eq!(utc("68-12-31"), secs(3_124_137_600));
        assert_eq!(utc("99-12-31"), secs(946_598_400));
        assert_eq!(utc("69-01-01"), Err(TimestampError::Invalid));
    }

    #[test]
    fn overflowing_fields_carry() {
        assert_eq!(utc("2023-02-29"), secs(1_677_628_800));
        assert_eq!(utc("2024-01-15 23:59:60"), secs(1_705_363_200));
        assert_eq!(utc("2024-01-15 23:59:62"), Err(TimestampError::Invalid));
        assert_eq!(utc("2024-01-32"), Err(TimestampError::Invalid));
    }

    #[test]
    fn fractions_round_at_the_seventh_digit() {
        assert_eq!(
            utc("2024-01-15 12:00:00.1234565"),
            Ok(1_705_320_000_123_457)
        );
        assert_eq!(utc("2024-01-15 12:00:00.9999995"), secs(1_705_320_001));
        assert_eq!(utc("2024-01-15 12:00:00."), Err(TimestampError::Invalid));
    }

    #[test]
    fn weekday_must_match() {
        assert_eq!(utc("Monday 2024-01-15 12:00:00"), secs(1_705_320_000));
        assert_eq!(utc("mon 12:00"), secs(1_705_320_000));
        assert_eq!(utc("Tue 2024-01-15"), Err(TimestampError::Invalid));
        assert_eq!(utc("Fri 2024-02-30"), secs(1_709_251_200));
    }

    #[test]
    fn words_and_relative_forms() {
        assert_eq!(utc("now"), Ok(NOW));
        assert_eq!(utc("today"), secs(1_705_276_800));
        assert_eq!(utc("yesterday"), secs(1_705_190_400));
        assert_eq!(utc("tomorrow UTC"), secs(1_705_363_200));
        assert_eq!(utc("+3h"), Ok(NOW + 3 * USEC_PER_HOUR));
        assert_eq!(utc("- 5min"), Ok(NOW - 5 * USEC_PER_MINUTE));
        assert_eq!(utc("3h ago"), Ok(NOW - 3 * USEC_PER_HOUR));
        assert_eq!(utc("3h left"), Ok(NOW + 3 * USEC_PER_HOUR));
        assert_eq!(utc("+-5"), Err(TimestampError::OutOfRange));
        assert_eq!(utc("-100y"), Err(TimestampError::Invalid));
        assert_eq!(utc("+infinity"), Err(TimestampError::Invalid));
        assert_eq!(utc("Now"), Err(TimestampError::Invalid));
    }

    #[test]
    fn epoch_form_takes_a_time_span() {
        assert_eq!(utc("@0"), Ok(0));
        assert_eq!(utc("@1.5h"), secs(5_400));
        assert_eq!(utc("@infinity"), Ok(USEC_INFINITY));
        assert_eq!(utc("@-5"), Err(TimestampError::OutOfRange));
    }

    #[test]
    fn range_limits() {
        assert_eq!(utc("1970-01-01 00:00:00"), Ok(0));
        assert_eq!(utc("1969-12-31 23:59:59"), Err(TimestampError::Invalid));
        assert_eq!(
            utc("9999-12-30 23:59:59"),
            Ok(USEC_TIMESTAMP_FORMATTABLE_MAX)
        );
        assert_eq!(utc("9999-12-31 00:00:00"), Err(TimestampError::Invalid));
        assert_eq!(in_berlin("9999-12-31 00:00:00"), secs(253_402_210_800));
    }

    #[test]
    fn zone_suffixes() {
        assert_eq!(utc("2024-01-15 12:00 utc"), secs(1_705_320_000));
        assert_eq!(in_berlin("2024-01-15 12:00 UTC"), secs(1_705_320_000));
        // The local zone's abbreviations choose standard or summer time.
        assert_eq!(in_berlin("2024-01-15 12:00:00 CEST"), secs(1_705_312_800));
        assert_eq!(in_berlin("2024-07-01 12:00:00 CEST"), secs(1_719_828_000));
        assert_eq!(in_berlin("1975-06-01 12:00:00 CEST"), secs(170_848_800));
        assert_eq!(
            utc("2024-01-15 12:00:00 CEST"),
            Err(TimestampError::Invalid)
        );
        // A zone file name is refused, as systemd 252 does.
        let files = |name: &str| name == "Europe/Berlin";
        assert_eq!(
            parse_timestamp_at("2024-01-15 Europe/Berlin", NOW, &TimeZone::UTC, &files),
            Err(TimestampError::Invalid)
        );
    }

    #[test]
    fn dst_gaps_and_overlaps_resolve_like_glibc() {
        // Skipped 02:30 becomes 03:30 CEST; repeated 02:30 is the later, CET one.
        assert_eq!(in_berlin("2024-03-31 02:30:00"), secs(1_711_848_600));
        assert_eq!(in_berlin("2024-03-31 02:30:00 CEST"), secs(1_711_845_000));
        assert_eq!(in_berlin("2024-10-27 02:30:00"), secs(1_729_992_600));
        assert_eq!(in_berlin("2024-10-27 02:30:00 CEST"), secs(1_729_989_000));
    }

    #[test]
    fn formats_the_unformattable() {
        assert_eq!(format_timestamp(0), None);
        assert_eq!(
            format_timestamp_style(
                USEC_TIMESTAMP_FORMATTABLE_MAX + USEC_PER_SEC,
                TimestampStyle::Utc
            )
            .as_deref(),
            Some("--- XXXX-XX-XX XX:XX:XX")
        );
        assert_eq!(
            format_timestamp_style(USEC_TIMESTAMP_FORMATTABLE_MAX, TimestampStyle::UsUtc)
                .as_deref(),
            Some("Thu 9999-12-30 23:59:59.000000 UTC")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        #[test]
        fn parsing_never_panics(s in "\\PC{0,32}") {
            let _ = utc(&s);
            let _ = in_berlin(&s);
        }

        #[test]
        fn date_like_text_never_panics(s in "(Mon |Sunday )?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}( [0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,8})?)?)?( UTC| CET| CEST)?") {
            let _ = in_berlin(&s);
        }

        #[test]
        fn formatted_utc_timestamps_parse_back(t in 1u64..=USEC_TIMESTAMP_FORMATTABLE_MAX) {
            let text = format_timestamp_style(t, TimestampStyle::UsUtc);
            proptest::prop_assert!(text.is_some());
            let text = text.unwrap_or_default();
            proptest::prop_assert_eq!(utc(&text), Ok(t), "{}", text);
        }
    }
}

//! Calendar events (systemd.time(7), "CALENDAR EVENTS"), as systemd 252
//! reads, normalizes and evaluates them: `OnCalendar=` of timer units and
//! `systemd-analyze calendar`.
//!
//! - [`parse_calendar`] reads an expression (`Mon..Fri *-*-* 08:00`,
//!   `daily`, `*-02~03`, `12:00 Europe/Berlin`, ...) into a [`CalendarSpec`];
//! - its `Display` prints the normalized form byte for byte as systemd does;
//! - [`CalendarSpec::next_elapse`] finds the next elapse strictly after an
//!   instant, with the same answers as systemd's search, daylight saving
//!   gaps and folds included (see `next.rs` for why that needs an exact
//!   model of the C library's `mktime()`).

mod next;
mod parse;

use std::fmt;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::Usec;

pub use next::OffsetGuess;

/// Why an expression is not a calendar event. The texts are the strerror()
/// texts systemd prints after the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// EINVAL: not the grammar, or a value out of its field's range.
    #[error("Invalid argument")]
    Invalid,
    /// ERANGE: a number too large, or a repetition of 0.
    #[error("Numerical result out of range")]
    OutOfRange,
    /// ENOBUFS: more than 241 comma-separated values in one field.
    #[error("No buffer space available")]
    TooManyValues,
}

/// Why the next elapse could not be computed (as opposed to "never").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ElapseError {
    /// EINVAL: the starting point is past what systemd can format (year 9999).
    #[error("Invalid argument")]
    Invalid,
    /// EDEADLK: systemd's search gave up after 1000 rounds. systemd logs
    /// "Infinite loop in calendar calculation: <normalized form>" then.
    #[error("Resource deadlock avoided")]
    Deadlock,
}

/// One value of a field: `start`, `start..stop`, `start/repeat` or
/// `start..stop/repeat`. Seconds are kept in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Component {
    start: i32,
    /// -1 when the value is not a range (systemd's convention; it also
    /// orders single values before ranges with the same start).
    stop: i32,
    /// 0 when the value does not repeat.
    repeat: i32,
}

impl Component {
    const fn single(value: i32) -> Self {
        Component {
            start: value,
            stop: -1,
            repeat: 0,
        }
    }
}

/// Where an event's wall-clock times are read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventZone {
    /// No zone given: the local zone ($TZ, else /etc/localtime).
    Local,
    /// ` UTC`, or an `@epoch` date.
    Utc,
    /// One of the local zone's own abbreviations (`CET`, `CEST` in
    /// Europe/Berlin): local time, with daylight saving time forced on or off.
    LocalAbbreviation { dst: bool, name: String },
    /// An IANA zone name (`Europe/Berlin`), a file under /usr/share/zoneinfo.
    Named(String),
}

/// A parsed, normalized calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalendarSpec {
    /// Bit 0 = Monday .. bit 6 = Sunday; None = any day.
    weekdays: Option<u8>,
    year: Vec<Component>,
    month: Vec<Component>,
    day: Vec<Component>,
    hour: Vec<Component>,
    minute: Vec<Component>,
    /// Seconds with their fraction, in microseconds. An empty field (in
    /// any of the six) means `*`.
    second: Vec<Component>,
    /// `~`: days are counted back from the end of the month.
    end_of_month: bool,
    zone: EventZone,
}

/// Reads a calendar event the way systemd 252's calendar_spec_from_string()
/// does, with the local zone's abbreviations taken from $TZ.
pub fn parse_calendar(s: &str) -> Result<CalendarSpec, CalendarError> {
    parse_calendar_in(s, &ZoneNames::of(&super::timestamp::local_zone()))
}

/// [`parse_calendar`] with the local zone's names given.
pub fn parse_calendar_in(s: &str, local: &ZoneNames) -> Result<CalendarSpec, CalendarError> {
    parse::parse(s, &local.abbreviations, &zone_file_is_valid)
}

impl CalendarSpec {
    /// The first elapse strictly after `after` (microseconds since the
    /// epoch), or None when the event never elapses again (or cannot be
    /// computed; see [`CalendarSpec::next_elapse_with`]).
    pub fn next_elapse(&self, after: Usec) -> Option<Usec> {
        self.next_elapse_with(after, &mut OffsetGuess::default())
            .ok()
            .flatten()
    }

    /// Like [`CalendarSpec::next_elapse`], with the errors told apart from
    /// "never", and with the caller's [`OffsetGuess`]: systemd's results in
    /// ambiguous local times depend on the previous conversions of the same
    /// process, which this guess carries from one call to the next.
    pub fn next_elapse_with(
        &self,
        after: Usec,
        guess: &mut OffsetGuess,
    ) -> Result<Option<Usec>, ElapseError> {
        self.next_elapse_in(after, &super::timestamp::local_zone(), guess)
    }

    /// [`CalendarSpec::next_elapse_with`] with the local zone given.
    pub fn next_elapse_in(
        &self,
        after: Usec,
        local: &TimeZone,
        guess: &mut OffsetGuess,
    ) -> Result<Option<Usec>, ElapseError> {
        match &self.zone {
            EventZone::Utc => next::next_elapse(self, &next::Clock::Utc, after, guess),
            EventZone::Named(name) => {
                // systemd computes these in a forked child with $TZ set: the
                // child starts from the parent's guess and its changes are lost.
                let zone = load_zone_file(name);
                let mut child_guess = *guess;
                next::next_elapse(self, &next::Clock::Zone(&zone), after, &mut child_guess)
            }
            EventZone::Local | EventZone::LocalAbbreviation { .. } => {
                next::next_elapse(self, &next::Clock::Zone(local), after, guess)
            }
        }
    }

    /// The zone the event's wall-clock times are read in.
    pub fn zone(&self) -> &EventZone {
        &self.zone
    }

    /// mktime()'s tm_isdst for this event: -1 (let the zone decide), 0 or 1.
    fn requested_dst(&self) -> i32 {
        match &self.zone {
            EventZone::LocalAbbreviation { dst, .. } => i32::from(*dst),
            _ => -1,
        }
    }
}

const WEEKDAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl fmt::Display for CalendarSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(bits) = self.weekdays {
            write_weekdays(f, bits)?;
            f.write_str(" ")?;
        }
        write_field(f, 4, &self.year, false)?;
        f.write_str("-")?;
        write_field(f, 2, &self.month, false)?;
        f.write_str(if self.end_of_month { "~" } else { "-" })?;
        write_field(f, 2, &self.day, false)?;
        f.write_str(" ")?;
        write_field(f, 2, &self.hour, false)?;
        f.write_str(":")?;
        write_field(f, 2, &self.minute, false)?;
        f.write_str(":")?;
        write_field(f, 2, &self.second, true)?;
        match &self.zone {
            EventZone::Local => Ok(()),
            EventZone::Utc => f.write_str(" UTC"),
            EventZone::Named(name) | EventZone::LocalAbbreviation { name, .. } => {
                write!(f, " {name}")
            }
        }
    }
}

/// Runs of three or more days print as `Mon..Wed`, shorter ones as lists.
fn write_weekdays(f: &mut fmt::Formatter<'_>, bits: u8) -> fmt::Result {
    let mut first = true;
    let mut day = 0;
    while day < 7 {
        if bits & (1 << day) == 0 {
            day += 1;
            continue;
        }
        let mut last = day;
        while last + 1 < 7 && bits & (1 << (last + 1)) != 0 {
            last += 1;
        }
        if !first {
            f.write_str(",")?;
        }
        first = false;
        f.write_str(WEEKDAY_NAMES[day])?;
        match last - day {
            0 => {}
            1 => write!(f, ",{}", WEEKDAY_NAMES[last])?,
            _ => write!(f, "..{}", WEEKDAY_NAMES[last])?,
        }
        day = last + 1;
    }
    Ok(())
}

fn field_is_star(field: &[Component], seconds: bool) -> bool {
    // A seconds field that repeats every whole second from 0 matches every
    // second, whatever else it lists.
    field.is_empty()
        || (seconds
            && field
                .iter()
                .any(|c| c.start == 0 && c.stop < 0 && c.repeat == USEC_PER_SEC_I32))
}

const USEC_PER_SEC_I32: i32 = 1_000_000;

fn write_field(
    f: &mut fmt::Formatter<'_>,
    width: usize,
    field: &[Component],
    seconds: bool,
) -> fmt::Result {
    if field_is_star(field, seconds) {
        return f.write_str("*");
    }
    let unit = if seconds { USEC_PER_SEC_I32 } else { 1 };
    for (i, c) in field.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write_value(f, width, c.start, unit)?;
        if c.stop > 0 {
            f.write_str("..")?;
            write_value(f, width, c.stop, unit)?;
        }
        // A range steps by one unit unless told otherwise; that step is implied.
        if c.repeat > 0 && !(c.stop > 0 && c.repeat == unit) {
            write!(f, "/{}", c.repeat / unit)?;
            if c.repeat % unit > 0 {
                write!(f, ".{:06}", c.repeat % unit)?;
            }
        }
    }
    Ok(())
}

fn write_value(f: &mut fmt::Formatter<'_>, width: usize, value: i32, unit: i32) -> fmt::Result {
    write!(f, "{:0width$}", value / unit)?;
    if value % unit > 0 {
        write!(f, ".{:06}", value % unit)?;
    }
    Ok(())
}

/// What glibc's tzset() derives from a zone: the names in `tzname[0]`
/// (standard time) and `tzname[1]` (daylight saving time), and whether the
/// zone is plain UTC (`timezone == 0 && daylight == 0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneNames {
    pub abbreviations: [String; 2],
    pub is_utc: bool,
}

impl ZoneNames {
    /// glibc takes the names and offsets of the most recent transitions of
    /// each kind in the zone file, and the zone's only type when it has no
    /// transitions.
    pub fn of(zone: &TimeZone) -> ZoneNames {
        // The end of 32-bit time: past the explicit transitions of the zone
        // files, so the scan starts from the rules in force today.
        let start = Timestamp::from_second(i64::from(i32::MAX)).unwrap_or(Timestamp::UNIX_EPOCH);
        let mut standard: Option<(String, i32)> = None;
        let mut daylight: Option<(String, i32)> = None;
        for transition in zone.preceding(start).take(1000) {
            let info = zone.to_offset_info(transition.timestamp());
            let slot = if info.dst().is_dst() {
                &mut daylight
            } else {
                &mut standard
            };
            if slot.is_none() {
                *slot = Some((
                    info.abbreviation().to_string(),
                    transition.offset().seconds(),
                ));
            }
            if standard.is_some() && daylight.is_some() {
                break;
            }
        }
        let only = zone.to_offset_info(start);
        let (std_name, std_offset) = standard
            .clone()
            .unwrap_or_else(|| (only.abbreviation().to_string(), only.offset().seconds()));
        let (dst_name, dst_offset) = daylight.unwrap_or_else(|| (std_name.clone(), std_offset));
        ZoneNames {
            abbreviations: [std_name, dst_name],
            is_utc: std_offset == 0 && dst_offset == std_offset,
        }
    }
}

/// Where glibc and systemd look up zone names.
const ZONEINFO: &str = "/usr/share/zoneinfo";

/// systemd's timezone_is_valid(): a name of letters, digits, `-_+` and
/// single inner slashes, naming a regular file under /usr/share/zoneinfo
/// that starts with the TZif magic. (The one lookup outside the text: a
/// zone name is only a zone if the system has it.)
pub fn zone_file_is_valid(name: &str) -> bool {
    if name == "UTC" {
        return true;
    }
    if !zone_name_is_well_formed(name) {
        return false;
    }
    let path = std::path::Path::new(ZONEINFO).join(name);
    let Ok(meta) = std::fs::metadata(&path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(&path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| &magic == b"TZif")
}

fn zone_name_is_well_formed(name: &str) -> bool {
    if name.is_empty() || name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return false;
    }
    name.len() < 4096
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/'))
}

/// The zone glibc loads for `TZ=:name`; UTC when the file cannot be read,
/// as glibc falls back to.
fn load_zone_file(name: &str) -> TimeZone {
    if name == "UTC" {
        return TimeZone::UTC;
    }
    let path = std::path::Path::new(ZONEINFO).join(name);
    std::fs::read(path)
        .ok()
        .and_then(|data| TimeZone::tzif(name, &data).ok())
        .unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
mod tests;

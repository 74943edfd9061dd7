//! Timestamps as systemd reads and prints them (systemd.time(7)): absolute
//! dates and times, `@epoch`, `now`/`today`/`tomorrow`/`yesterday`, relative
//! `+3h`/`-5min`/`... ago`/`... left`, and an optional time zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{USEC_INFINITY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MSEC,
    USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR, Usec};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("Invalid argument")]
    Invalid,
}

/// parse_timestamp(): text to microseconds since the epoch (to be written).
pub fn parse_timestamp(_s: &str) -> Result<Usec, TimestampError> {
    Err(TimestampError::Invalid)
}

/// The current wall-clock time in microseconds (libfaketime can freeze it).
pub fn now_realtime() -> Usec {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
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
    let ts = Timestamp::from_microsecond(i64::try_from(t).ok()?).ok()?;
    let tz = match style {
        TimestampStyle::Utc | TimestampStyle::UsUtc => TimeZone::UTC,
        _ => local_zone(),
    };
    let zoned = ts.to_zoned(tz);
    let date = zoned.strftime("%a %Y-%m-%d %H:%M:%S").to_string();
    let frac = match style {
        TimestampStyle::Us | TimestampStyle::UsUtc => format!(".{:06}", t % USEC_PER_SEC),
        _ => String::new(),
    };
    let zone = match style {
        TimestampStyle::Utc | TimestampStyle::UsUtc => "UTC".to_string(),
        _ => zoned.strftime("%Z").to_string(),
    };
    Some(format!("{date}{frac} {zone}"))
}

/// The zone systemd would use: $TZ if set (a name, or empty for UTC), else
/// /etc/localtime, else UTC.
pub fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// format_timestamp_relative(): `21h left`, `1 day 21h left`, `3min 5s ago`,
/// measured from `now`.
pub fn format_timestamp_relative(t: Usec, now: Usec) -> Option<String> {
    if t == 0 || t == USEC_INFINITY {
        return None;
    }
    let (d, suffix) = if now > t { (now - t, "ago") } else { (t - now, "left") };
    let plural = |n: Usec, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let s = if d >= USEC_PER_YEAR {
        let years = d / USEC_PER_YEAR;
        let months = (d % USEC_PER_YEAR) / USEC_PER_MONTH;
        format!("{years} {} {months} {} {suffix}", plural(years, "year", "years"), plural(months, "month", "months"))
    } else if d >= USEC_PER_MONTH {
        let months = d / USEC_PER_MONTH;
        let days = (d % USEC_PER_MONTH) / USEC_PER_DAY;
        format!("{months} {} {days} {} {suffix}", plural(months, "month", "months"), plural(days, "day", "days"))
    } else if d >= USEC_PER_WEEK {
        let weeks = d / USEC_PER_WEEK;
        let days = (d % USEC_PER_WEEK) / USEC_PER_DAY;
        format!("{weeks} {} {days} {} {suffix}", plural(weeks, "week", "weeks"), plural(days, "day", "days"))
    } else if d >= 2 * USEC_PER_DAY {
        format!("{} days {suffix}", d / USEC_PER_DAY)
    } else if d >= 25 * USEC_PER_HOUR {
        format!("1 day {}h {suffix}", (d - USEC_PER_DAY) / USEC_PER_HOUR)
    } else if d >= 6 * USEC_PER_HOUR {
        format!("{}h {suffix}", d / USEC_PER_HOUR)
    } else if d >= USEC_PER_HOUR {
        format!("{}h {}min {suffix}", d / USEC_PER_HOUR, (d % USEC_PER_HOUR) / USEC_PER_MINUTE)
    } else if d >= 5 * USEC_PER_MINUTE {
        format!("{}min {suffix}", d / USEC_PER_MINUTE)
    } else if d >= USEC_PER_MINUTE {
        format!("{}min {}s {suffix}", d / USEC_PER_MINUTE, (d % USEC_PER_MINUTE) / USEC_PER_SEC)
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
        assert_eq!(format_timestamp_relative(now + 21 * USEC_PER_HOUR, now).as_deref(), Some("21h left"));
        assert_eq!(format_timestamp_relative(now + 45 * USEC_PER_HOUR, now).as_deref(), Some("1 day 21h left"));
        assert_eq!(format_timestamp_relative(now + 13 * USEC_PER_DAY, now).as_deref(), Some("1 week 6 days left"));
        assert_eq!(format_timestamp_relative(now - 90 * USEC_PER_SEC, now).as_deref(), Some("1min 30s ago"));
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
}

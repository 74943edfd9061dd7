//! The next elapse of a calendar event, found the way systemd 252 finds it.
//!
//! systemd walks a broken-down time (`struct tm`) field by field, from the
//! year down to the seconds, and after every step asks the C library's
//! `mktime()` to normalize it: an hour that does not exist (a daylight
//! saving gap) or a day 31 in a 30-day month comes back moved, and the
//! search restarts from there. Which instant a wall-clock time in a fold
//! (an hour that happens twice) maps to depends on glibc's mktime(), which
//! starts from the UTC offset of its previous result. So this file models
//! glibc's mktime() exactly, that remembered offset included
//! ([`OffsetGuess`]); jiff supplies the zone rules.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{CalendarSpec, Component, ElapseError, USEC_PER_SEC_I32};
use crate::syntax::{USEC_PER_SEC, Usec};

/// systemd gives up on dates past this (9999-12-30 23:59:59 UTC).
const USEC_TIMESTAMP_FORMATTABLE_MAX: Usec = 253_402_214_399_000_000;
/// systemd's search stops (as "never") in the year 2200.
const MAX_YEAR: i64 = 2199;
/// systemd's safety valve: rounds of the search before it gives up.
const MAX_ROUNDS: u32 = 1000;
const SECONDS_PER_DAY: i64 = 86_400;

/// glibc's mktime() starts each conversion from the UTC offset its
/// previous conversion found (a static variable in the C library). Where a
/// local time happens twice, that offset picks which of the two it returns,
/// so a search that wants systemd's answers carries it along.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OffsetGuess {
    /// UTC minus local time, in seconds, of the last conversion.
    utc_minus_local: i64,
}

/// A broken-down time, C's `struct tm`, with a full year and 64-bit fields
/// so that systemd's out-of-range intermediate values cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BrokenDown {
    year: i64,
    /// 0 = January, like tm_mon.
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    /// -1 = unknown, 0 = standard time, 1 = daylight saving time.
    isdst: i32,
    /// 0 = Sunday, like tm_wday.
    wday: i64,
}

/// How times are converted: `gmtime()`/`timegm()` for UTC events, and
/// `localtime()`/`mktime()` in a zone otherwise.
pub(super) enum Clock<'a> {
    Utc,
    Zone(&'a TimeZone),
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month 1..=12, day) of a day count since 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl BrokenDown {
    /// The fields as a count of wall-clock seconds since 1970-01-01 00:00,
    /// out-of-range fields carried over (mktime's linear reading of them).
    fn wall_seconds(&self, sec: i64) -> i64 {
        let year = self.year + self.mon.div_euclid(12);
        let month = self.mon.rem_euclid(12) + 1;
        let days = days_from_civil(year, month, 1) + self.mday - 1;
        days * SECONDS_PER_DAY + self.hour * 3600 + self.min * 60 + sec
    }

    fn from_wall_seconds(wall: i64, isdst: i32) -> BrokenDown {
        let days = wall.div_euclid(SECONDS_PER_DAY);
        let secs = wall.rem_euclid(SECONDS_PER_DAY);
        let (year, month, mday) = civil_from_days(days);
        BrokenDown {
            year,
            mon: month - 1,
            mday,
            hour: secs / 3600,
            min: secs % 3600 / 60,
            sec: secs % 60,
            isdst,
            wday: (days + 4).rem_euclid(7),
        }
    }
}

/// tm_isdst values "differ" when both are known and one is zero.
fn isdst_differ(a: i32, b: i32) -> bool {
    (a == 0) != (b == 0) && a >= 0 && b >= 0
}

impl Clock<'_> {
    /// localtime_r() / gmtime_r().
    fn to_broken_down(&self, t: i64) -> Option<BrokenDown> {
        match self {
            Clock::Utc => Some(BrokenDown::from_wall_seconds(t, 0)),
            Clock::Zone(zone) => {
                let info = zone.to_offset_info(Timestamp::from_second(t).ok()?);
                let isdst = i32::from(info.dst().is_dst());
                Some(BrokenDown::from_wall_seconds(
                    t.checked_add(i64::from(info.offset().seconds()))?,
                    isdst,
                ))
            }
        }
    }

    /// mktime() / timegm(): the instant of `tm`, and `tm` normalized to it.
    /// None where the C function returns -1 (and leaves `tm` alone).
    fn to_instant(&self, tm: &mut BrokenDown, guess: &mut OffsetGuess) -> Option<i64> {
        match self {
            Clock::Utc => {
                let t = tm.wall_seconds(tm.sec);
                *tm = self.to_broken_down(t)?;
                Some(t)
            }
            Clock::Zone(_) => self.mktime(tm, guess),
        }
    }

    /// glibc's mktime(): guess the instant from the previous offset, convert
    /// it back, correct by the difference, until the wall-clock times agree.
    /// In a gap it settles on an instant the gap's size away (preferring
    /// daylight saving time when tm_isdst is -1); with tm_isdst 0 or 1 it
    /// borrows the offset of a nearby instant of that kind.
    fn mktime(&self, tm: &mut BrokenDown, guess: &mut OffsetGuess) -> Option<i64> {
        let requested_isdst = tm.isdst;
        let sec_requested = tm.sec;
        // The probing reads every minute as 60 seconds; leap and
        // out-of-range seconds are added back at the end.
        let sec = tm.sec.clamp(0, 59);
        let wall = tm.wall_seconds(sec);
        let t0 = wall.checked_add(guess.utc_minus_local)?;
        let (mut t, mut t1, mut t2) = (t0, t0, t0);
        let mut previous_was_dst = false;
        let mut probes_left = 6;
        let mut found;
        loop {
            found = self.to_broken_down(t)?;
            let dt = wall - found.wall_seconds(found.sec);
            if dt == 0 {
                break;
            }
            let found_dst = found.isdst != 0;
            let settle_in_gap = if requested_isdst < 0 {
                previous_was_dst <= found_dst
            } else {
                (requested_isdst != 0) != found_dst
            };
            if t == t1 && t != t2 && settle_in_gap {
                return Some(finish_mktime(
                    self,
                    tm,
                    guess,
                    t,
                    wall,
                    found,
                    sec,
                    sec_requested,
                ));
            }
            probes_left -= 1;
            if probes_left == 0 {
                return None;
            }
            t1 = t2;
            t2 = t;
            t = t.checked_add(dt)?;
            previous_was_dst = found_dst;
        }
        if isdst_differ(requested_isdst, found.isdst) {
            let (gt, gtm) = self.borrow_offset_of_kind(t, wall, requested_isdst)?;
            t = gt;
            found = gtm;
        }
        Some(finish_mktime(
            self,
            tm,
            guess,
            t,
            wall,
            found,
            sec,
            sec_requested,
        ))
    }

    /// mktime() with tm_isdst 0 or 1 where the zone says otherwise: probe
    /// instants a week apart, outwards, for one of the requested kind, and
    /// use its offset.
    fn borrow_offset_of_kind(&self, t: i64, wall: i64, isdst: i32) -> Option<(i64, BrokenDown)> {
        const STRIDE: i64 = 601_200;
        const LONGEST_PERIOD: i64 = 536_454_000;
        let mut delta = STRIDE;
        while delta < LONGEST_PERIOD / 2 + STRIDE {
            for direction in [-1, 1] {
                let probe = t + delta * direction;
                let probed = self.to_broken_down(probe)?;
                if !isdst_differ(isdst, probed.isdst) {
                    let gt = probe + (wall - probed.wall_seconds(probed.sec));
                    let gtm = self.to_broken_down(gt)?;
                    return Some((gt, gtm));
                }
            }
            delta += STRIDE;
        }
        None
    }
}

/// The end of mktime(): remember the offset found for the next call, put
/// back out-of-range seconds, and hand out the normalized fields.
#[allow(clippy::too_many_arguments)]
fn finish_mktime(
    clock: &Clock<'_>,
    tm: &mut BrokenDown,
    guess: &mut OffsetGuess,
    mut t: i64,
    wall: i64,
    mut found: BrokenDown,
    sec: i64,
    sec_requested: i64,
) -> i64 {
    guess.utc_minus_local = t - wall;
    if sec_requested != found.sec {
        let leap = i64::from(sec == 0 && found.sec == 60);
        t += leap - sec + sec_requested;
        if let Some(again) = clock.to_broken_down(t) {
            found = again;
        }
    }
    *tm = found;
    t
}

/// How a search step ended.
enum Stop {
    /// No further elapse (systemd's -ENOENT).
    Never,
    /// The safety valve (-EDEADLK).
    Deadlock,
}

/// calendar_spec_next_usec(): the first elapse strictly after `after`.
pub(super) fn next_elapse(
    spec: &CalendarSpec,
    clock: &Clock<'_>,
    after: Usec,
    guess: &mut OffsetGuess,
) -> Result<Option<Usec>, ElapseError> {
    if after > USEC_TIMESTAMP_FORMATTABLE_MAX {
        return Err(ElapseError::Invalid);
    }
    let from = after + 1;
    let seconds = i64::try_from(from / USEC_PER_SEC).map_err(|_| ElapseError::Invalid)?;
    let mut tm = clock.to_broken_down(seconds).ok_or(ElapseError::Invalid)?;
    let mut usec = (from % USEC_PER_SEC) as i64;
    let mut search = Search { spec, clock, guess };
    match search.run(&mut tm, &mut usec) {
        Ok(()) => {}
        Err(Stop::Never) => return Ok(None),
        Err(Stop::Deadlock) => return Err(ElapseError::Deadlock),
    }
    let t = clock
        .to_instant(&mut tm, search.guess)
        .filter(|&t| t >= 0)
        .ok_or(ElapseError::Invalid)?;
    Ok(Some(t as Usec * USEC_PER_SEC + usec as Usec))
}

struct Search<'s, 'c> {
    spec: &'s CalendarSpec,
    clock: &'s Clock<'c>,
    guess: &'s mut OffsetGuess,
}

/// What tm_within_bounds() says of a candidate.
#[derive(PartialEq, Eq)]
enum Bounds {
    /// mktime() kept it as it is.
    Exact,
    /// mktime() moved it forward (it did not exist); it now holds the moved
    /// time with the fields below the first changed one reset.
    Moved,
    /// Past the year 2199, not convertible, or moved backwards.
    Out,
}

impl Search<'_, '_> {
    fn mktime(&mut self, tm: &mut BrokenDown) -> Option<i64> {
        self.clock.to_instant(tm, self.guess)
    }

    /// systemd's find_next(): match the fields from the year down; whenever
    /// one cannot match or the date it makes does not exist, move on to the
    /// next value of the field above and start over.
    fn run(&mut self, tm: &mut BrokenDown, usec: &mut i64) -> Result<(), Stop> {
        let spec = self.spec;
        let mut c = *tm;
        let mut tm_usec = *usec;
        let requested_dst = spec.requested_dst();
        for _ in 0..MAX_ROUNDS {
            let _ = self.mktime(&mut c);
            c.isdst = requested_dst;

            let (changed, year) = self
                .find_matching(&spec.year, false, &c, c.year)
                .ok_or(Stop::Never)?;
            c.year = year;
            if changed {
                c.mon = 0;
                c.mday = 1;
                reset_time(&mut c, &mut tm_usec);
            }
            if self.within_bounds(&mut c) != Bounds::Exact {
                return Err(Stop::Never);
            }

            // Months are matched 1-based.
            let month = self.find_matching(&spec.month, false, &c, c.mon + 1);
            let month = self.take(month, &mut c.mon, -1);
            if month == Some(true) {
                c.mday = 1;
                reset_time(&mut c, &mut tm_usec);
            }
            match self.bounds_after(month, &mut c) {
                Bounds::Out => {
                    c.year += 1;
                    c.mon = 0;
                    c.mday = 1;
                    reset_time(&mut c, &mut tm_usec);
                    continue;
                }
                Bounds::Moved => continue,
                Bounds::Exact => {}
            }

            let day = self.find_matching(&spec.day, true, &c, c.mday);
            let day = self.take(day, &mut c.mday, 0);
            if day == Some(true) {
                reset_time(&mut c, &mut tm_usec);
            }
            match self.bounds_after(day, &mut c) {
                Bounds::Out => {
                    c.mon += 1;
                    c.mday = 1;
                    reset_time(&mut c, &mut tm_usec);
                    continue;
                }
                Bounds::Moved => continue,
                Bounds::Exact => {}
            }

            if !self.matches_weekday(&c) {
                c.mday += 1;
                reset_time(&mut c, &mut tm_usec);
                continue;
            }

            let hour = self.find_matching(&spec.hour, false, &c, c.hour);
            let hour = self.take(hour, &mut c.hour, 0);
            if hour == Some(true) {
                c.min = 0;
                c.sec = 0;
                tm_usec = 0;
            }
            match self.bounds_after(hour, &mut c) {
                Bounds::Out => {
                    c.mday += 1;
                    reset_time(&mut c, &mut tm_usec);
                    continue;
                }
                // The hour set may not exist (a daylight saving gap):
                // start over from the normalized time.
                Bounds::Moved => continue,
                Bounds::Exact => {}
            }

            let minute = self.find_matching(&spec.minute, false, &c, c.min);
            let minute = self.take(minute, &mut c.min, 0);
            if minute == Some(true) {
                c.sec = 0;
                tm_usec = 0;
            }
            match self.bounds_after(minute, &mut c) {
                Bounds::Out => {
                    c.hour += 1;
                    c.min = 0;
                    c.sec = 0;
                    tm_usec = 0;
                    continue;
                }
                Bounds::Moved => continue,
                Bounds::Exact => {}
            }

            // Seconds are matched in microseconds.
            c.sec = c.sec * i64::from(USEC_PER_SEC_I32) + tm_usec;
            let second = self.find_matching(&spec.second, false, &c, c.sec);
            let second = self.take(second, &mut c.sec, 0);
            tm_usec = c.sec % i64::from(USEC_PER_SEC_I32);
            c.sec /= i64::from(USEC_PER_SEC_I32);
            match self.bounds_after(second, &mut c) {
                Bounds::Out => {
                    c.min += 1;
                    c.sec = 0;
                    tm_usec = 0;
                    continue;
                }
                Bounds::Moved => continue,
                Bounds::Exact => {}
            }

            *tm = c;
            *usec = tm_usec;
            return Ok(());
        }
        Err(Stop::Deadlock)
    }

    /// Stores a field's match (shifted back by `shift`) and says whether it
    /// moved the field; a field without a match keeps its value.
    fn take(&self, matched: Option<(bool, i64)>, field: &mut i64, shift: i64) -> Option<bool> {
        let (moved, value) = matched?;
        *field = value + shift;
        Some(moved)
    }

    /// A field's match result, then (only if it matched) the bounds check.
    fn bounds_after(&mut self, matched: Option<bool>, c: &mut BrokenDown) -> Bounds {
        match matched {
            None => Bounds::Out,
            Some(_) => self.within_bounds(c),
        }
    }

    /// find_matching_component(): the earliest value of the field at or
    /// after `current`, the field's value in `c`. Some((moved, value)), or
    /// None if nothing is left in this period. A `*` field keeps `current`.
    fn find_matching(
        &mut self,
        field: &[Component],
        is_day: bool,
        c: &BrokenDown,
        current: i64,
    ) -> Option<(bool, i64)> {
        if field.is_empty() {
            return Some((false, current));
        }
        let from_month_end = self.spec.end_of_month && is_day;
        let mut best: Option<i64> = None;
        for component in field {
            let (start, stop) = if from_month_end {
                // Counted from the end, the range runs backwards.
                let start = self.end_of_month_day(c, component.start);
                let stop = self.end_of_month_day(c, component.stop);
                if stop > 0 {
                    (stop, start)
                } else {
                    (start, stop)
                }
            } else {
                (i64::from(component.start), i64::from(component.stop))
            };
            let repeat = i64::from(component.repeat);
            if start >= current {
                if best.is_none_or(|d| start < d) {
                    best = Some(start);
                }
            } else if repeat > 0 {
                // current > start here, so this rounds the distance up to a whole repetition.
                let k = start + repeat * ((current - start + repeat - 1) / repeat);
                if best.is_none_or(|d| k < d) && (stop < 0 || k <= stop) {
                    best = Some(k);
                }
            }
        }
        best.map(|value| (value != current, value))
    }

    /// find_end_of_month(): the day of `c`'s month that is `back` days
    /// before its end (0 = the last day), or -1 if there is none.
    fn end_of_month_day(&mut self, c: &BrokenDown, back: i32) -> i64 {
        let mut t = *c;
        t.mon += 1;
        t.mday = 1 - i64::from(back);
        match self.mktime(&mut t) {
            Some(instant) if instant >= 0 && t.mon == c.mon => t.mday,
            _ => -1,
        }
    }

    /// tm_within_bounds(): does the candidate exist as it is? If mktime()
    /// moves it forward, it takes the moved time, with the field below the
    /// first one that changed reset.
    fn within_bounds(&mut self, tm: &mut BrokenDown) -> Bounds {
        // An upper bound, so that impossible dates (`*-02-31`) end the search.
        if tm.year > MAX_YEAR {
            return Bounds::Out;
        }
        let mut t = *tm;
        if self.mktime(&mut t).is_none_or(|instant| instant < 0) {
            return Bounds::Out;
        }
        let order = if t.year != tm.year {
            let o = t.year.cmp(&tm.year);
            t.mon = 0;
            o
        } else if t.mon != tm.mon {
            let o = t.mon.cmp(&tm.mon);
            t.mday = 1;
            o
        } else if t.mday != tm.mday {
            let o = t.mday.cmp(&tm.mday);
            t.hour = 0;
            o
        } else if t.hour != tm.hour {
            let o = t.hour.cmp(&tm.hour);
            t.min = 0;
            o
        } else if t.min != tm.min {
            let o = t.min.cmp(&tm.min);
            t.sec = 0;
            o
        } else {
            t.sec.cmp(&tm.sec)
        };
        match order {
            std::cmp::Ordering::Less => Bounds::Out,
            std::cmp::Ordering::Equal => Bounds::Exact,
            std::cmp::Ordering::Greater => {
                *tm = t;
                Bounds::Moved
            }
        }
    }

    /// matches_weekday(): whether the candidate's day is one of the event's.
    fn matches_weekday(&mut self, c: &BrokenDown) -> bool {
        let Some(bits) = self.spec.weekdays else {
            return true;
        };
        let mut t = *c;
        if self.mktime(&mut t).is_none_or(|instant| instant < 0) {
            return false;
        }
        let monday_based = (t.wday + 6) % 7;
        bits & (1 << monday_based) != 0
    }
}

fn reset_time(c: &mut BrokenDown, tm_usec: &mut i64) {
    c.hour = 0;
    c.min = 0;
    c.sec = 0;
    *tm_usec = 0;
}

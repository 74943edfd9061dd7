use jiff::tz::TimeZone;

use super::*;
use crate::syntax::USEC_PER_SEC;

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).expect("the system has the zone")
}

/// One row of a corpus captured by calendar-corpus.sh from systemd 252.
struct GoldenRow {
    expr: String,
    normalized_or_error: String,
    /// The probe's elapses: microseconds, "never", or "err:-35".
    elapses: Vec<String>,
}

fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn golden(text: &str) -> Vec<GoldenRow> {
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            GoldenRow {
                expr: unescape(cols[0]),
                normalized_or_error: unescape(cols[2]),
                elapses: cols[6..9]
                    .iter()
                    .filter(|c| !c.is_empty())
                    .map(|c| c.to_string())
                    .collect(),
            }
        })
        .collect()
}

const BASE: Usec = 1_705_320_000 * USEC_PER_SEC;

/// What this implementation says about an expression, in the corpus's terms.
fn evaluate(expr: &str, local: &TimeZone) -> (String, Vec<String>) {
    let names = ZoneNames::of(local);
    let spec = match parse_calendar_in(expr, &names) {
        Ok(spec) => spec,
        Err(e) => {
            return (
                format!("ERROR: Failed to parse calendar specification '{expr}': {e}"),
                Vec::new(),
            );
        }
    };
    let mut elapses = Vec::new();
    let mut guess = OffsetGuess::default();
    let mut after = BASE;
    for _ in 0..3 {
        match spec.next_elapse_in(after, local, &mut guess) {
            Ok(Some(next)) => {
                elapses.push(next.to_string());
                after = next;
            }
            Ok(None) => {
                elapses.push("never".to_string());
                break;
            }
            Err(ElapseError::Deadlock) => {
                elapses.push("err:-35".to_string());
                break;
            }
            Err(ElapseError::Invalid) => {
                elapses.push("err:-22".to_string());
                break;
            }
        }
    }
    (spec.to_string(), elapses)
}

fn check_golden(text: &str, local: &TimeZone) {
    let rows = golden(text);
    assert!(rows.len() > 300);
    let mut failures = Vec::new();
    for row in &rows {
        let (normalized, elapses) = evaluate(&row.expr, local);
        // systemd-analyze reports a search that gave up as an error.
        let want_normalized = if row.normalized_or_error.starts_with("ERROR: Infinite loop")
            || row
                .normalized_or_error
                .starts_with("ERROR: Failed to determine next elapse")
        {
            normalized.clone()
        } else {
            row.normalized_or_error.clone()
        };
        if normalized != want_normalized || elapses != row.elapses {
            failures.push(format!(
                "{:?}\n  want {:?} {:?}\n  got  {:?} {:?}",
                row.expr, want_normalized, row.elapses, normalized, elapses
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn matches_systemd_in_utc() {
    check_golden(
        include_str!("../../../golden/analyze/calendar.utc.tsv"),
        &zone("UTC"),
    );
}

#[test]
fn matches_systemd_in_berlin() {
    check_golden(
        include_str!("../../../golden/analyze/calendar.berlin.tsv"),
        &zone("Europe/Berlin"),
    );
}

fn utc_names() -> ZoneNames {
    ZoneNames::of(&TimeZone::UTC)
}

fn berlin_names() -> ZoneNames {
    ZoneNames::of(&zone("Europe/Berlin"))
}

/// The normalized form, or the error text.
fn norm(s: &str) -> String {
    norm_in(s, &utc_names())
}

fn norm_in(s: &str, names: &ZoneNames) -> String {
    match parse_calendar_in(s, names) {
        Ok(spec) => spec.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

const INVALID: &str = "error: Invalid argument";
const RANGE: &str = "error: Numerical result out of range";

/// The next `n` elapses after BASE, in `local`.
fn elapses(s: &str, local: &TimeZone, n: usize) -> Vec<Option<Usec>> {
    let spec = parse_calendar_in(s, &ZoneNames::of(local)).expect("valid");
    let mut guess = OffsetGuess::default();
    let mut after = BASE;
    let mut out = Vec::new();
    for _ in 0..n {
        let next = spec
            .next_elapse_in(after, local, &mut guess)
            .expect("computable");
        out.push(next);
        match next {
            Some(t) => after = t,
            None => break,
        }
    }
    out
}

#[test]
fn zone_names_follow_glibc() {
    assert_eq!(
        utc_names(),
        ZoneNames {
            abbreviations: ["UTC".into(), "UTC".into()],
            is_utc: true
        }
    );
    assert_eq!(
        berlin_names(),
        ZoneNames {
            abbreviations: ["CET".into(), "CEST".into()],
            is_utc: false
        }
    );
    assert!(ZoneNames::of(&zone("Etc/UTC")).is_utc);
    assert!(!ZoneNames::of(&zone("Europe/London")).is_utc);
}

#[test]
fn shorthands_expand_to_their_normalized_forms() {
    assert_eq!(norm("minutely"), "*-*-* *:*:00");
    assert_eq!(norm("hourly"), "*-*-* *:00:00");
    assert_eq!(norm("daily"), "*-*-* 00:00:00");
    assert_eq!(norm("monthly"), "*-*-01 00:00:00");
    assert_eq!(norm("weekly"), "Mon *-*-* 00:00:00");
    for yearly in ["yearly", "annually", "anually", "YEARLY"] {
        assert_eq!(norm(yearly), "*-01-01 00:00:00");
    }
    assert_eq!(norm("quarterly"), "*-01,04,07,10-01 00:00:00");
    for half in ["semiannually", "semi-annually", "biannually", "bi-annually"] {
        assert_eq!(norm(half), "*-01,07-01 00:00:00");
    }
    assert_eq!(norm("secondly"), INVALID);
    assert_eq!(norm("now"), INVALID);
}

#[test]
fn weekdays_short_long_any_case() {
    assert_eq!(norm("Mon"), "Mon *-*-* 00:00:00");
    assert_eq!(norm("monday"), "Mon *-*-* 00:00:00");
    assert_eq!(norm("SUNDAY 12:00"), "Sun *-*-* 12:00:00");
    assert_eq!(norm("Mond"), INVALID);
}

#[test]
fn weekday_lists_and_ascending_ranges() {
    assert_eq!(
        norm("Sat,Thu,Mon..Wed,Sat..Sun"),
        "Mon..Thu,Sat,Sun *-*-* 00:00:00"
    );
    assert_eq!(norm("Mon-Fri"), "Mon..Fri *-*-* 00:00:00");
    assert_eq!(norm("Mon,Tue,Wed"), "Mon..Wed *-*-* 00:00:00");
    assert_eq!(norm("Mon..Tue"), "Mon,Tue *-*-* 00:00:00");
    assert_eq!(norm("Mon..Sun"), "*-*-* 00:00:00");
    assert_eq!(norm("Wed, 17:48"), "Wed *-*-* 17:48:00");
    assert_eq!(norm("Fri..Mon"), INVALID);
    assert_eq!(norm("Mon.."), INVALID);
    assert_eq!(norm("Mon..Wed..Fri"), INVALID);
    assert_eq!(norm("Mon,,Tue"), INVALID);
    assert_eq!(norm("Mon.Tue"), INVALID);
}

#[test]
fn dates_with_two_and_four_digit_years() {
    assert_eq!(norm("2003-03-05"), "2003-03-05 00:00:00");
    assert_eq!(norm("03-05"), "*-03-05 00:00:00");
    assert_eq!(norm("69-01-01"), "2069-01-01 00:00:00");
    assert_eq!(norm("70-01-01"), "1970-01-01 00:00:00");
    assert_eq!(norm("00-01-01"), "2000-01-01 00:00:00");
    assert_eq!(norm("2199-12-31"), "2199-12-31 00:00:00");
    assert_eq!(norm("2200-01-01"), INVALID);
    assert_eq!(norm("1969-12-31"), INVALID);
    assert_eq!(norm("2024-13-01"), INVALID);
    assert_eq!(norm("2024-01-32"), INVALID);
    assert_eq!(norm("2024"), INVALID);
    assert_eq!(norm("2024-01"), INVALID);
}

#[test]
fn lists_are_sorted_and_merged_ranges_kept() {
    assert_eq!(norm("*-*-15,01,15"), "*-*-01,15 00:00:00");
    assert_eq!(norm("12,14,13,12:20,10,30"), "*-*-* 12,13,14:10,20,30:00");
    assert_eq!(norm("*-*-1..3,2..4"), "*-*-01..03,02..04 00:00:00");
    assert_eq!(norm("*-*-1..1"), "*-*-01 00:00:00");
}

#[test]
fn repetitions_trim_their_ranges() {
    assert_eq!(norm("*:2/3"), "*-*-* *:02/3:00");
    assert_eq!(norm("*-01..12/3-01"), "*-01..10/3-01 00:00:00");
    assert_eq!(norm("*-*-1..4/2"), "*-*-01..03/2 00:00:00");
    // A repetition that cannot happen inside its range is dropped.
    assert_eq!(norm("*-*-1..2/5"), "*-*-01 00:00:00");
    assert_eq!(norm("*-*-1/30"), "*-*-01/30 00:00:00");
    assert_eq!(norm("*-*-1/31"), INVALID);
    assert_eq!(norm("*-*-1/0"), RANGE);
    assert_eq!(norm("*:*:0/0"), RANGE);
    assert_eq!(norm("*-*-3..1"), INVALID);
    assert_eq!(norm("*/2:00"), INVALID);
}

#[test]
fn days_from_the_end_of_the_month() {
    assert_eq!(norm("*-02~03"), "*-02~03 00:00:00");
    assert_eq!(norm("Mon *-05~07/1"), "Mon *-05~07/1 00:00:00");
    assert_eq!(norm("*-*~28"), "*-*~28 00:00:00");
    assert_eq!(norm("*-*~29"), INVALID);
    // `~` without a day is an ordinary date.
    assert_eq!(norm("*-*~*"), "*-*-* 00:00:00");
    assert_eq!(norm("*~01-01"), INVALID);
    assert_eq!(norm("*-02~01~01"), INVALID);
}

#[test]
fn times_with_optional_seconds_and_fractions() {
    assert_eq!(norm("05:40"), "*-*-* 05:40:00");
    assert_eq!(norm("1:2:3"), "*-*-* 01:02:03");
    assert_eq!(norm("12:00:*"), "*-*-* 12:00:*");
    assert_eq!(norm("00:00:01.5"), "*-*-* 00:00:01.500000");
    assert_eq!(
        norm("05:40:23.4200004/3.1700005"),
        "*-*-* 05:40:23.420000/3.170001"
    );
    assert_eq!(norm("00:00:01.0000004"), "*-*-* 00:00:01");
    assert_eq!(norm("00:00:00/0.5"), "*-*-* 00:00:00/0.500000");
    assert_eq!(norm("*:*:00.5..10"), "*-*-* *:*:00.500000..09.500000");
    assert_eq!(norm("00:00:59.9999995"), INVALID);
    assert_eq!(norm("00:00:01."), INVALID);
    assert_eq!(norm("*:*:0..0.5"), INVALID);
    assert_eq!(norm("24:00"), INVALID);
    assert_eq!(norm("12:60"), INVALID);
    assert_eq!(norm("00:00:60"), INVALID);
    assert_eq!(norm("12"), INVALID);
    assert_eq!(norm("12:30:"), INVALID);
}

#[test]
fn numbers_too_large_are_out_of_range() {
    assert_eq!(norm("*-*-* *:*:2147"), INVALID);
    assert_eq!(norm("*-*-* *:*:2148"), RANGE);
    assert_eq!(norm("4294967296-01-01"), RANGE);
    assert_eq!(norm("00:00:00/0.0000001"), RANGE);
}

#[test]
fn a_field_holds_at_most_241_values() {
    let field = |n: usize| vec!["1"; n].join(",");
    assert_eq!(norm(&format!("00:{}", field(241))), "*-*-* 00:01:00");
    assert_eq!(
        norm(&format!("00:{}", field(242))),
        "error: No buffer space available"
    );
}

#[test]
fn epoch_seconds_are_utc() {
    assert_eq!(norm("@1705320000"), "2024-01-15 12:00:00 UTC");
    assert_eq!(norm("Mon @1705320000"), "Mon 2024-01-15 12:00:00 UTC");
    assert_eq!(norm("@ +1705320000"), "2024-01-15 12:00:00 UTC");
    assert_eq!(norm("@7258118399"), "2199-12-31 23:59:59 UTC");
    assert_eq!(norm("@7258118400"), INVALID);
    assert_eq!(norm("@-1"), INVALID);
    assert_eq!(norm("@"), INVALID);
    assert_eq!(norm("@99999999999999999999"), RANGE);
    assert_eq!(norm("@1705320000 12:00"), INVALID);
}

#[test]
fn zones_utc_names_and_local_abbreviations() {
    assert_eq!(norm("daily utc"), "*-*-* 00:00:00 UTC");
    assert_eq!(norm("12:30:45UTC"), INVALID);
    assert_eq!(
        norm("weekly Pacific/Auckland"),
        "Mon *-*-* 00:00:00 Pacific/Auckland"
    );
    assert_eq!(norm("*-*-* 12:00 europe/berlin"), INVALID);
    assert_eq!(norm("*-*-* 12:00 Europe/"), INVALID);
    assert_eq!(norm("*-*-* 12:00 Europe//Berlin"), INVALID);
    assert_eq!(norm("*-*-* 12:00 Europe/Nowhere"), INVALID);
    assert_eq!(norm("UTC"), INVALID);
    // In Berlin, CET and CEST are the local zone's own names.
    assert_eq!(
        norm_in("*-*-* 12:00 cet", &berlin_names()),
        "*-*-* 12:00:00 CET"
    );
    assert_eq!(
        norm_in("*-*-* 12:00 CEST", &berlin_names()),
        "*-*-* 12:00:00 CEST"
    );
    assert_eq!(norm("*-*-* 12:00 CEST"), INVALID);
}

#[test]
fn spaces_inside_and_around() {
    assert_eq!(norm(""), INVALID);
    assert_eq!(norm(" daily"), INVALID);
    assert_eq!(norm("daily "), INVALID);
    assert_eq!(norm("12:00 "), INVALID);
    assert_eq!(norm("2024-01-15  12:00"), "2024-01-15 12:00:00");
    // After weekdays or a date, spaces are skipped to the (absent) time.
    assert_eq!(norm("Mon "), "Mon *-*-* 00:00:00");
    assert_eq!(norm("2024-01-15 "), "2024-01-15 00:00:00");
}

#[test]
fn next_elapse_is_strictly_after() {
    let daily = parse_calendar_in("daily", &utc_names()).expect("valid");
    let midnight = 1_705_363_200 * USEC_PER_SEC;
    assert_eq!(
        daily.next_elapse_in(midnight - 1, &TimeZone::UTC, &mut OffsetGuess::default()),
        Ok(Some(midnight))
    );
    assert_eq!(
        daily.next_elapse_in(midnight, &TimeZone::UTC, &mut OffsetGuess::default()),
        Ok(Some(midnight + 86_400 * USEC_PER_SEC))
    );
}

#[test]
fn next_elapse_of_fractional_seconds() {
    let utc = TimeZone::UTC;
    assert_eq!(
        elapses("00:00:00/0.5", &utc, 3),
        [
            Some(1_705_363_200_000_000),
            Some(1_705_363_200_500_000),
            Some(1_705_363_201_000_000)
        ]
    );
}

#[test]
fn next_elapse_counts_days_from_the_month_end() {
    let utc = TimeZone::UTC;
    assert_eq!(
        elapses("*-*~01", &utc, 3),
        [
            Some(1_706_659_200_000_000),
            Some(1_709_164_800_000_000),
            Some(1_711_843_200_000_000)
        ]
    );
    assert_eq!(
        elapses("Mon *-05~07/1", &utc, 3),
        [
            Some(1_716_768_000_000_000),
            Some(1_748_217_600_000_000),
            Some(1_779_667_200_000_000)
        ]
    );
}

#[test]
fn next_elapse_on_leap_days_and_impossible_dates() {
    let utc = TimeZone::UTC;
    assert_eq!(
        elapses("*-02-29", &utc, 3),
        [
            Some(1_709_164_800_000_000),
            Some(1_835_395_200_000_000),
            Some(1_961_625_600_000_000)
        ]
    );
    assert_eq!(elapses("*-02-30", &utc, 1), [None]);
    assert_eq!(elapses("2024-01-15 12:00", &utc, 1), [None]);
}

#[test]
fn next_elapse_skips_a_daylight_saving_gap() {
    // 02:30 does not exist on 2024-03-31 in Berlin: the next is in 2025.
    let berlin = zone("Europe/Berlin");
    assert_eq!(
        elapses("*-03-31 02:30", &berlin, 2),
        [Some(1_743_381_000_000_000), Some(1_774_917_000_000_000)]
    );
}

#[test]
fn next_elapse_takes_the_first_of_a_fold_once() {
    // 02:30 happens twice on 2024-10-27 in Berlin: systemd takes the CEST
    // one (00:30 UTC) and not the CET one an hour later.
    let berlin = zone("Europe/Berlin");
    assert_eq!(
        elapses("*-10-27 02:30", &berlin, 3),
        [
            Some(1_729_989_000_000_000),
            Some(1_761_528_600_000_000),
            Some(1_793_064_600_000_000)
        ]
    );
}

#[test]
fn next_elapse_gives_up_where_systemd_does() {
    let berlin = zone("Europe/Berlin");
    let spec = parse_calendar_in("Sun *-03-25..31 02:30", &berlin_names()).expect("valid");
    assert_eq!(
        spec.next_elapse_in(BASE, &berlin, &mut OffsetGuess::default()),
        Err(ElapseError::Deadlock)
    );
    // The same expression in UTC has no gap to stumble on.
    let spec = parse_calendar_in("Sun *-03-25..31 02:30", &utc_names()).expect("valid");
    assert_eq!(
        spec.next_elapse_in(BASE, &TimeZone::UTC, &mut OffsetGuess::default()),
        Ok(Some(1_711_852_200_000_000))
    );
}

#[test]
fn next_elapse_in_the_events_own_zone() {
    // Computed in Asia/Tokyo whatever the local zone.
    let tokyo = [
        Some(1_705_374_000_000_000),
        Some(1_705_460_400_000_000),
        Some(1_705_546_800_000_000),
    ];
    assert_eq!(elapses("*-*-* 12:00 Asia/Tokyo", &TimeZone::UTC, 3), tokyo);
    assert_eq!(
        elapses("*-*-* 12:00 Asia/Tokyo", &zone("Europe/Berlin"), 3),
        tokyo
    );
}

#[test]
fn next_elapse_with_standard_time_forced() {
    // `CET` in Berlin forces standard time: 12:00 CET never exists in July.
    let berlin = zone("Europe/Berlin");
    assert_eq!(elapses("*-07-01 12:00 CET", &berlin, 1), [None]);
    assert_eq!(
        elapses("*-01-01 12:00 CET", &berlin, 1),
        [Some(1_735_729_200_000_000)]
    );
}

#[test]
fn next_elapse_refuses_starts_past_year_9999() {
    let spec = parse_calendar_in("daily", &utc_names()).expect("valid");
    assert_eq!(
        spec.next_elapse_in(Usec::MAX - 1, &TimeZone::UTC, &mut OffsetGuess::default()),
        Err(ElapseError::Invalid)
    );
    assert_eq!(spec.next_elapse(Usec::MAX - 1), None);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    const FRAGMENTS: &[&str] = &[
        "Mon",
        "fri",
        "Sunday",
        "..",
        ",",
        "-",
        "~",
        "*",
        ":",
        "/",
        "0",
        "1",
        "2",
        "7",
        "12",
        "23",
        "29",
        "31",
        "59",
        "60",
        "2024",
        "69",
        "2199",
        "2200",
        ".5",
        ".",
        "0000005",
        " ",
        "  ",
        "UTC",
        "utc",
        " Europe/Berlin",
        " CET",
        " CEST",
        "@",
        "@1705320000",
        "daily",
        "weekly",
        "99999999999",
        "\t",
        "é",
    ];

    fn fragments() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..10)
            .prop_map(|parts| parts.concat())
    }

    fn check_round_trip(s: &str, names: &ZoneNames) -> Result<(), TestCaseError> {
        if let Ok(spec) = parse_calendar_in(s, names) {
            let printed = spec.to_string();
            let again = parse_calendar_in(&printed, names);
            prop_assert!(
                again.is_ok(),
                "{s:?} printed {printed:?}, which does not parse: {again:?}"
            );
            if let Ok(again) = again {
                // Only the text is stable: `*:*:0/1,5` prints as `*`, dropping the 5.
                prop_assert_eq!(again.to_string(), printed, "{:?}", s);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn grammar_like_text_never_panics_and_round_trips(s in fragments()) {
            check_round_trip(&s, &utc_names())?;
            check_round_trip(&s, &berlin_names())?;
        }

        #[test]
        fn any_text_never_panics_and_round_trips(s in "\\PC{0,40}") {
            check_round_trip(&s, &utc_names())?;
        }

        #[test]
        fn next_elapse_never_panics_and_moves_forward(s in fragments(), after in 0u64..300_000_000_000_000_000) {
            if let Ok(spec) = parse_calendar_in(&s, &berlin_names()) {
                let berlin = zone("Europe/Berlin");
                if let Ok(Some(next)) = spec.next_elapse_in(after, &berlin, &mut OffsetGuess::default()) {
                    prop_assert!(next > after);
                }
            }
        }
    }
}

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
                elapses: cols[6..9].iter().filter(|c| !c.is_empty()).map(|c| c.to_string()).collect(),
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
        Err(e) => return (format!("ERROR: Failed to parse calendar specification '{expr}': {e}"), Vec::new()),
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
            || row.normalized_or_error.starts_with("ERROR: Failed to determine next elapse")
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
    assert!(failures.is_empty(), "{} of {} rows differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

#[test]
fn matches_systemd_in_utc() {
    check_golden(include_str!("../../../golden/analyze/calendar.utc.tsv"), &zone("UTC"));
}

#[test]
fn matches_systemd_in_berlin() {
    check_golden(include_str!("../../../golden/analyze/calendar.berlin.tsv"), &zone("Europe/Berlin"));
}

//! `systemd-analyze calendar EXPR...`: each expression's normalized form and
//! its next elapses, as systemd-analyze 252 prints them.

use std::io::Write;

use super::Options;
use crate::syntax::Usec;
use crate::syntax::calendar::{
    CalendarSpec, ElapseError, EventZone, OffsetGuess, ZoneNames, parse_calendar_in,
};
use crate::syntax::timestamp::{
    TimestampStyle, format_timestamp, format_timestamp_relative, format_timestamp_style,
    local_zone, now_realtime,
};

pub fn run(opts: &Options, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    run_at(opts, args, out, err, local_zone(), now_realtime())
}

/// [`run`] with the local zone and the current time given.
fn run_at(
    opts: &Options,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    zone: jiff::tz::TimeZone,
    now: Usec,
) -> u8 {
    if args.is_empty() {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    }
    let names = ZoneNames::of(&zone);
    let context = Context {
        // One base for all expressions; "From now" is measured from the clock.
        base: opts.base_time.unwrap_or(now),
        now,
        iterations: opts.iterations,
        show_utc: !names.is_utc,
        names,
        zone,
    };
    // The C library's mktime() remembers its last offset across expressions.
    let mut guess = OffsetGuess::default();
    let mut failed = false;
    for (i, arg) in args.iter().enumerate() {
        match describe(&context, arg, &mut guess) {
            Ok(table) => {
                let _ = out.write_all(table.as_bytes());
            }
            Err(message) => {
                let _ = err.write_all(message.as_bytes());
                failed = true;
            }
        }
        if i + 1 < args.len() {
            let _ = out.write_all(b"\n");
        }
    }
    u8::from(failed)
}

struct Context {
    base: Usec,
    now: Usec,
    iterations: u32,
    show_utc: bool,
    names: ZoneNames,
    zone: jiff::tz::TimeZone,
}

/// The table for one expression, or what goes to stderr instead.
fn describe(context: &Context, arg: &str, guess: &mut OffsetGuess) -> Result<String, String> {
    let spec = parse_calendar_in(arg, &context.names).map_err(|e| {
        let mut message = format!("Failed to parse calendar specification '{arg}': {e}\n");
        message.push_str(&other_grammar_hints(arg));
        message
    })?;
    let normalized = spec.to_string();
    let mut rows: Vec<(String, String)> = Vec::new();
    if normalized != arg {
        rows.push(("Original form:".into(), arg.to_string()));
    }
    rows.push(("Normalized form:".into(), normalized.clone()));
    rows.extend(elapse_rows(context, &spec, arg, &normalized, guess)?);
    Ok(render_table(&rows))
}

fn elapse_rows(
    context: &Context,
    spec: &CalendarSpec,
    arg: &str,
    normalized: &str,
    guess: &mut OffsetGuess,
) -> Result<Vec<(String, String)>, String> {
    let mut rows = Vec::new();
    let mut after = context.base;
    for i in 0..context.iterations {
        let next = match spec.next_elapse_in(after, &context.zone, guess) {
            Ok(Some(next)) => next,
            Ok(None) => {
                if i == 0 {
                    rows.push(("Next elapse:".into(), "never".into()));
                }
                break;
            }
            Err(e) => {
                let mut message = String::new();
                // systemd computes events with a zone of their own in a child
                // process, whose log does not reach stderr.
                let in_child = matches!(spec.zone(), EventZone::Named(_));
                if e == ElapseError::Deadlock && !in_child {
                    message.push_str(&format!(
                        "Infinite loop in calendar calculation: {normalized}\n"
                    ));
                }
                message.push_str(&format!(
                    "Failed to determine next elapse for '{arg}': {e}\n"
                ));
                return Err(message);
            }
        };
        let label = if i == 0 {
            "Next elapse:".to_string()
        } else {
            format!("Iter. #{}:", i + 1)
        };
        rows.push((
            label,
            format_timestamp(next).unwrap_or_else(|| "n/a".into()),
        ));
        if context.show_utc {
            rows.push((
                "(in UTC):".into(),
                format_timestamp_style(next, TimestampStyle::Utc).unwrap_or_else(|| "n/a".into()),
            ));
        }
        rows.push((
            "From now:".into(),
            format_timestamp_relative(next, context.now).unwrap_or_else(|| "n/a".into()),
        ));
        after = next;
    }
    Ok(rows)
}

/// systemd's two-column table without a header: labels right-aligned to
/// the widest, one space, the value. Values narrower than the widest are
/// padded, and the padding of the last column dropped together with the
/// value's own trailing white space; the widest value is printed as it is.
fn render_table(rows: &[(String, String)]) -> String {
    let label_width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|(_, value)| value.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(label, value)| {
            let value = if value.chars().count() < value_width {
                value.trim_end_matches([' ', '\t', '\n', '\r'])
            } else {
                value.as_str()
            };
            format!("{label:>label_width$} {value}\n")
        })
        .collect()
}

/// systemd-analyze's notice when a text that is no calendar event is
/// another kind of time.
fn other_grammar_hints(arg: &str) -> String {
    let mut hints = String::new();
    if crate::syntax::timestamp::parse_timestamp(arg).is_ok() {
        hints.push_str(&format!(
            "Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp \"{arg}\"' instead?\n"
        ));
    }
    if crate::syntax::timespan::parse_timespan(arg).is_ok() {
        hints.push_str(&format!(
            "Hint: this expression is a valid timespan. Use 'systemd-analyze timespan \"{arg}\"' instead?\n"
        ));
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::USEC_PER_SEC;

    /// The lines of a table that do not depend on $TZ: the local-time lines
    /// are printed in the process's zone by format_timestamp(), so in-process
    /// tests of another zone compare the rest (the `(in UTC)` lines carry
    /// the same instants).
    fn without_local_times(table: &str) -> String {
        table
            .lines()
            .filter(|l| !l.contains("Next elapse: ") || l.ends_with("never"))
            .filter(|l| !l.trim_start().starts_with("Iter. #"))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    /// Replays golden/analyze/calendar.multi.*: several expressions in one
    /// run (blank lines between them, errors among them, the exit code).
    fn check_multi(zone_name: &str, stdout: &str, stderr: &str, rc: &str) {
        let args: Vec<String> = include_str!("../../../golden/analyze/calendar.multi.args")
            .lines()
            .map(str::to_string)
            .collect();
        let base = 1_705_320_000 * USEC_PER_SEC;
        let opts = Options {
            iterations: 3,
            base_time: Some(base),
            man: true,
        };
        let zone = jiff::tz::TimeZone::get(zone_name).expect("the system has the zone");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_at(&opts, &args, &mut out, &mut err, zone, base);
        let out = String::from_utf8_lossy(&out);
        let process_zone_is_utc = ZoneNames::of(&local_zone()).is_utc;
        if zone_name == "UTC" && process_zone_is_utc {
            assert_eq!(out, stdout);
        } else {
            assert_eq!(without_local_times(&out), without_local_times(stdout));
        }
        assert_eq!(String::from_utf8_lossy(&err), stderr);
        assert_eq!(code.to_string(), rc.trim());
    }

    #[test]
    fn several_expressions_in_utc() {
        check_multi(
            "UTC",
            include_str!("../../../golden/analyze/calendar.multi.utc.stdout"),
            include_str!("../../../golden/analyze/calendar.multi.utc.stderr"),
            include_str!("../../../golden/analyze/calendar.multi.utc.rc"),
        );
    }

    #[test]
    fn several_expressions_in_berlin() {
        check_multi(
            "Europe/Berlin",
            include_str!("../../../golden/analyze/calendar.multi.berlin.stdout"),
            include_str!("../../../golden/analyze/calendar.multi.berlin.stderr"),
            include_str!("../../../golden/analyze/calendar.multi.berlin.rc"),
        );
    }

    #[test]
    fn no_expression_is_too_few_arguments() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_at(
            &Options::default(),
            &[],
            &mut out,
            &mut err,
            jiff::tz::TimeZone::UTC,
            0,
        );
        assert_eq!(
            (code, out.as_slice(), err.as_slice()),
            (1, &b""[..], &b"Too few arguments.\n"[..])
        );
    }

    #[test]
    fn labels_align_right_and_values_are_not_padded() {
        let rows = vec![
            ("Normalized form:".to_string(), "*-*-* 00:00:00".to_string()),
            ("From now:".to_string(), "12h left".to_string()),
        ];
        assert_eq!(
            render_table(&rows),
            "Normalized form: *-*-* 00:00:00\n       From now: 12h left\n"
        );
    }

    #[test]
    fn only_the_widest_value_keeps_trailing_space() {
        let rows = vec![
            ("A:".to_string(), "x  ".to_string()),
            ("B:".to_string(), "yyyy ".to_string()),
        ];
        assert_eq!(render_table(&rows), "A: x\nB: yyyy \n");
    }
}

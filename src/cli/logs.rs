//! `runr log UNIT... [-n N] [-f]` and the output of background tasks:
//! one line per record, `2024-01-15 12:00:00.123 db.service[42]: message`
//! in the local zone; with `--json`, the API's records (a JSON array, or
//! one object a line while following).

use jiff::tz::TimeZone;

use super::output::{Output, Paint};
use super::{CommandResult, EXIT_SUCCESS, TailArgs};
use crate::control::client::Client;
use crate::control::types::{LogEntry, LogQuery};
use crate::syntax::timestamp::local_zone;

pub fn units_log(client: &Client, out: &Output, units: &[String], tail: TailArgs) -> CommandResult {
    print_log(client, out, LogQuery::units(units.to_vec()), tail)
}

pub fn task_log(client: &Client, out: &Output, id: &str, tail: TailArgs) -> CommandResult {
    print_log(client, out, LogQuery::task(id), tail)
}

fn print_log(client: &Client, out: &Output, mut query: LogQuery, tail: TailArgs) -> CommandResult {
    query.lines = tail.lines;
    let zone = local_zone();
    if !tail.follow {
        let entries = client.logs(&query)?;
        if out.json {
            out.json(&entries)?;
        } else {
            let mut text = String::new();
            for entry in &entries {
                text.push_str(&render_entry_in(entry, out.paint, &zone));
                text.push('\n');
            }
            out.text(&text)?;
        }
        return Ok(EXIT_SUCCESS);
    }
    for entry in client.follow_logs(&query)? {
        let entry = entry?;
        if out.json {
            out.json(&entry)?;
        } else {
            out.line(&render_entry_in(&entry, out.paint, &zone))?;
        }
    }
    Ok(EXIT_SUCCESS)
}

/// One record as a line, in the local zone.
pub fn render_entry(entry: &LogEntry, paint: Paint) -> String {
    render_entry_in(entry, paint, &local_zone())
}

pub fn render_entry_in(entry: &LogEntry, paint: Paint, zone: &TimeZone) -> String {
    let time = i64::try_from(entry.time.as_usec())
        .ok()
        .and_then(|us| jiff::Timestamp::from_microsecond(us).ok())
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S%.3f")
                .to_string()
        })
        .unwrap_or_else(|| entry.time.to_string());
    let source = match entry.pid {
        Some(pid) => format!("{}[{pid}]", entry.unit),
        None => entry.unit.clone(),
    };
    format!(
        "{} {}: {}",
        paint.dim(&time),
        source,
        paint.priority(entry.priority, &entry.message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::types::{LogStream, Timestamp};

    fn entry(pid: Option<u32>, priority: u8) -> LogEntry {
        LogEntry {
            time: Timestamp(1_705_320_000_123_456),
            unit: "db.service".into(),
            pid,
            priority,
            stream: LogStream::Stdout,
            message: "ready to accept connections".into(),
        }
    }

    #[test]
    fn a_record_is_one_line_with_time_source_and_message() {
        assert_eq!(
            render_entry_in(&entry(Some(42), 6), Paint::PLAIN, &TimeZone::UTC),
            "2024-01-15 12:00:00.123 db.service[42]: ready to accept connections"
        );
        assert_eq!(
            render_entry_in(&entry(None, 6), Paint::PLAIN, &TimeZone::UTC),
            "2024-01-15 12:00:00.123 db.service: ready to accept connections"
        );
    }

    #[test]
    fn errors_are_red_on_a_terminal() {
        let line = render_entry_in(&entry(Some(1), 3), Paint { colour: true }, &TimeZone::UTC);
        assert!(line.contains("\x1b[31m"), "{line:?}");
        let line = render_entry_in(&entry(Some(1), 6), Paint { colour: true }, &TimeZone::UTC);
        assert!(!line.contains("\x1b[31m"), "{line:?}");
    }
}

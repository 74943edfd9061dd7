//! How the native CLI prints: lines, tables and JSON on stdout. Tables go
//! through comfy-table (with rules on a terminal, plain aligned columns
//! otherwise) and colours through owo-colors, on a terminal only unless
//! asked for. `--quiet` silences stdout.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use comfy_table::{ColumnConstraint, ContentArrangement, LineStyle, Table, presets};
use owo_colors::OwoColorize;
use serde::Serialize;

use super::OutputArgs;
use crate::control::types::Timestamp;
use crate::syntax::timestamp::{format_timestamp, format_timestamp_relative};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether to colour, by `--color`, whether stdout is a terminal, and
/// $NO_COLOR (set and not empty: no colour unless `--color always`).
pub fn colour_wanted(choice: ColorChoice, terminal: bool, no_color: Option<&str>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && no_color.is_none_or(str::is_empty),
    }
}

/// Colours, or none: every renderer takes one, so renderers stay pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint {
    pub colour: bool,
}

impl Paint {
    #[cfg(test)]
    pub const PLAIN: Paint = Paint { colour: false };

    /// An active-state word (or sub-state) in the colour systemctl gives it.
    pub fn state(self, word: &str) -> String {
        if !self.colour {
            return word.to_string();
        }
        match word {
            "active" | "running" | "exited" | "succeeded" | "ok" | "yes" | "enabled" => {
                word.green().to_string()
            }
            "failed" | "lost" | "no" | "masked" => word.red().bold().to_string(),
            "activating" | "deactivating" | "reloading" | "stopping" | "auto-restart" => {
                word.yellow().to_string()
            }
            _ => word.to_string(),
        }
    }

    /// systemctl's status dot: ● for active and failed units, ○ otherwise.
    pub fn dot(self, state: &str) -> String {
        let dot = match state {
            "inactive" | "dead" => "○",
            _ => "●",
        };
        if !self.colour {
            return dot.to_string();
        }
        match state {
            "active" | "reloading" => dot.green().to_string(),
            "failed" => dot.red().bold().to_string(),
            "activating" | "deactivating" => dot.yellow().to_string(),
            _ => dot.to_string(),
        }
    }

    pub fn bold(self, text: &str) -> String {
        if self.colour {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    }

    /// Something that went wrong.
    pub fn bad(self, text: &str) -> String {
        if self.colour {
            text.red().bold().to_string()
        } else {
            text.to_string()
        }
    }

    pub fn dim(self, text: &str) -> String {
        if self.colour {
            text.dimmed().to_string()
        } else {
            text.to_string()
        }
    }

    /// A log line by its syslog priority: errors red, warnings yellow.
    pub fn priority(self, priority: u8, text: &str) -> String {
        if !self.colour {
            return text.to_string();
        }
        match priority {
            0..=3 => text.red().bold().to_string(),
            4 => text.yellow().to_string(),
            5 => text.bold().to_string(),
            _ => text.to_string(),
        }
    }
}

/// Where and how a command prints.
pub struct Output {
    pub json: bool,
    pub header: bool,
    pub quiet: bool,
    /// stdout is a terminal: tables get rules and may wrap.
    pub terminal: bool,
    pub paint: Paint,
}

impl Output {
    pub fn new(args: &OutputArgs) -> Self {
        let terminal = io::stdout().is_terminal();
        let no_color = std::env::var("NO_COLOR").ok();
        Output {
            json: args.json,
            header: !args.no_header,
            quiet: args.quiet,
            terminal,
            paint: Paint {
                colour: colour_wanted(args.color, terminal, no_color.as_deref()),
            },
        }
    }

    /// Text as it is (it should end with a newline).
    pub fn text(&self, text: &str) -> io::Result<()> {
        if self.quiet || text.is_empty() {
            return Ok(());
        }
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    pub fn line(&self, line: &str) -> io::Result<()> {
        if self.quiet {
            return Ok(());
        }
        let mut stdout = io::stdout().lock();
        stdout.write_all(line.as_bytes())?;
        stdout.write_all(b"\n")?;
        stdout.flush()
    }

    /// One JSON document on one line.
    pub fn json<T: Serialize>(&self, value: &T) -> io::Result<()> {
        let text = serde_json::to_string(value).map_err(io::Error::other)?;
        self.line(&text)
    }

    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> io::Result<()> {
        let style = TableStyle {
            terminal: self.terminal,
            header: self.header,
            paint: self.paint,
        };
        self.text(&render_table(style, header, rows))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct TableStyle {
    pub terminal: bool,
    pub header: bool,
    pub paint: Paint,
}

impl TableStyle {
    #[cfg(test)]
    pub const PLAIN: TableStyle = TableStyle {
        terminal: false,
        header: true,
        paint: Paint::PLAIN,
    };
}

/// Below this many columns a terminal's width is not believed.
const MIN_WRAP_WIDTH: u16 = 40;

/// A table, every line ending in a newline without trailing blanks: on a
/// terminal with a rule under the header, elsewhere plain columns two
/// spaces apart that `awk` and `cut` can read.
pub fn render_table(style: TableStyle, header: &[&str], rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() && !style.header {
        return String::new();
    }
    let mut table = Table::new();
    if style.terminal {
        // A rule under the header, no other lines; long cells wrap to the
        // terminal's width where it is known (a pty without a size, as
        // under `script` or some `docker exec -t`, says 0 columns).
        table.load_style(
            comfy_table::TableStyle::new()
                .header_separator(LineStyle::none().fill('─').junction('─')),
        );
        let width_known = table.width().is_some_and(|w| w >= MIN_WRAP_WIDTH);
        table.set_content_arrangement(if width_known {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
    } else {
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    if style.header {
        table.set_header(header.iter().map(|h| style.paint.bold(h)));
    }
    for row in rows {
        table.add_row(row);
    }
    // Two blanks between columns: on a terminal the header rule's junction
    // takes one of them. Only the last column (a description or a command
    // line) wraps: names and states stay whole.
    let gap = if style.terminal { 1 } else { 2 };
    let last = table.column_count().saturating_sub(1);
    for column in table.column_iter_mut() {
        column.set_padding((0, gap));
        if column.index < last {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `Mon 2024-01-15 12:00:00 UTC` in the local zone.
pub fn when(t: Timestamp) -> String {
    format_timestamp(t.as_usec()).unwrap_or_else(|| "-".to_string())
}

/// `5min 3s ago` or `2h left`, from `now`.
pub fn relative_to(t: Timestamp, now: Timestamp) -> String {
    format_timestamp_relative(t.as_usec(), now.as_usec()).unwrap_or_else(|| "-".to_string())
}

/// A byte count as systemd prints it: `512B`, `4.0M`, `1.2G`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["K", "M", "G", "T", "P", "E"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1}{}", UNITS[unit])
}

/// A command line for the eye: words with blanks or quotes get quoted.
pub fn command_line(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && !w
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '\'' | '"' | '\\' | '$'))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn colour_follows_the_flag_the_terminal_and_no_color() {
        assert!(colour_wanted(ColorChoice::Auto, true, None));
        assert!(colour_wanted(ColorChoice::Auto, true, Some("")));
        assert!(!colour_wanted(ColorChoice::Auto, true, Some("1")));
        assert!(!colour_wanted(ColorChoice::Auto, false, None));
        assert!(colour_wanted(ColorChoice::Always, false, Some("1")));
        assert!(!colour_wanted(ColorChoice::Never, true, None));
    }

    #[test]
    fn plain_tables_are_aligned_columns_without_trailing_blanks() {
        let text = render_table(
            TableStyle::PLAIN,
            &["UNIT", "STATE", "DESCRIPTION"],
            rows(&[
                &["db.service", "active", "The database"],
                &["a.service", "inactive", ""],
            ]),
        );
        assert_eq!(
            text,
            "UNIT        STATE     DESCRIPTION\n\
             db.service  active    The database\n\
             a.service   inactive\n"
        );
    }

    #[test]
    fn tables_without_header_or_rows_print_nothing() {
        let style = TableStyle {
            header: false,
            ..TableStyle::PLAIN
        };
        assert_eq!(render_table(style, &["A"], Vec::new()), "");
        assert_eq!(
            render_table(TableStyle::PLAIN, &["A", "B"], Vec::new()),
            "A  B\n"
        );
        assert_eq!(
            render_table(style, &["A", "B"], rows(&[&["x", "y"]])),
            "x  y\n"
        );
    }

    #[test]
    fn coloured_cells_still_line_up() {
        let paint = Paint { colour: true };
        let style = TableStyle {
            paint,
            ..TableStyle::PLAIN
        };
        let text = render_table(
            style,
            &["UNIT", "STATE", "PID"],
            vec![
                vec!["a".into(), paint.state("active"), "1".into()],
                vec!["bb".into(), paint.state("inactive"), "22".into()],
            ],
        );
        let visible: Vec<String> = text
            .lines()
            .map(|l| {
                let mut plain = String::new();
                let mut in_escape = false;
                for c in l.chars() {
                    match (in_escape, c) {
                        (false, '\x1b') => in_escape = true,
                        (true, 'm') => in_escape = false,
                        (false, c) => plain.push(c),
                        _ => {}
                    }
                }
                plain
            })
            .collect();
        assert_eq!(
            visible,
            [
                "UNIT  STATE     PID",
                "a     active    1",
                "bb    inactive  22"
            ]
        );
        assert!(text.contains("\x1b[32mactive\x1b[39m"), "{text:?}");
    }

    #[test]
    fn terminal_tables_rule_the_header() {
        let style = TableStyle {
            terminal: true,
            ..TableStyle::PLAIN
        };
        let text = render_table(style, &["UNIT", "STATE"], rows(&[&["db", "active"]]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].starts_with('─'), "{text}");
    }

    #[test]
    fn byte_counts_read_as_systemd_prints_them() {
        assert_eq!(bytes(0), "0B");
        assert_eq!(bytes(1023), "1023B");
        assert_eq!(bytes(4 * 1024 * 1024), "4.0M");
        assert_eq!(bytes(1536), "1.5K");
        assert_eq!(bytes(u64::MAX), "16.0E");
    }

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        let words = ["pg_dump", "-f", "/a b", "it's", ""].map(String::from);
        assert_eq!(command_line(&words), r"pg_dump -f '/a b' 'it'\''s' ''");
    }

    #[test]
    fn relative_times_count_from_now() {
        let now = Timestamp(1_705_320_000_000_000);
        assert_eq!(
            relative_to(Timestamp(now.0 - 65_000_000), now),
            "1min 5s ago"
        );
        assert_eq!(relative_to(Timestamp(0), now), "-");
    }
}

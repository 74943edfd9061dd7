//! `systemd-analyze timespan SPAN...`: each span parsed as a unit file's
//! time value would be, then printed as microseconds and in systemd's
//! normalised form.

use std::io::Write;

use super::Options;
use crate::syntax::timespan::{format_timespan, parse_timespan};
use crate::syntax::timestamp::parse_timestamp;

pub fn run(_opts: &Options, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    // The verb needs at least one argument, like all of systemd-analyze's.
    if args.is_empty() {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    }
    for (n, input) in args.iter().enumerate() {
        let usec = match parse_timespan(input) {
            Ok(usec) => usec,
            Err(e) => {
                let _ = writeln!(err, "Failed to parse time span '{input}': {e}");
                if crate::syntax::calendar::parse_calendar(input).is_ok() {
                    let _ = writeln!(
                        err,
                        "Hint: this expression is a valid calendar specification. Use 'systemd-analyze calendar \"{input}\"' instead?"
                    );
                }
                if parse_timestamp(input).is_ok() {
                    let _ = writeln!(
                        err,
                        "Hint: this expression is a valid timestamp. Use 'systemd-analyze timestamp \"{input}\"' instead?"
                    );
                }
                // The first bad span ends the verb.
                return 1;
            }
        };
        let mu = format!("{}s:", mu_glyph());
        let rows = [
            ("Original:", input.clone()),
            (mu.as_str(), usec.to_string()),
            ("Human:", format_timespan(usec, 0)),
        ];
        let _ = out.write_all(render_label_table(&rows).as_bytes());
        if n + 1 < args.len() {
            let _ = writeln!(out);
        }
    }
    0
}

/// systemd's MU glyph: `μ` where the locale is UTF-8 (or unset), `u` otherwise.
fn mu_glyph() -> &'static str {
    if locale_is_utf8() { "\u{3bc}" } else { "u" }
}

/// is_locale_utf8(): $SYSTEMD_UTF8 decides if set; otherwise the first of
/// $LC_ALL, $LC_CTYPE, $LANG that is set names the locale, and no locale
/// at all counts as UTF-8.
fn locale_is_utf8() -> bool {
    if let Ok(v) = std::env::var("SYSTEMD_UTF8")
        && let Some(b) = super::parse_boolean(&v)
    {
        return b;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    match locale {
        None => true,
        Some(l) => {
            let l = l.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        }
    }
}

/// A two-column table as systemd's format-table prints one without a
/// header to a pipe: labels right-aligned, one space, the values; a value
/// narrower than its column loses its trailing blanks.
pub(super) fn render_label_table(rows: &[(&str, String)]) -> String {
    let label_width = rows
        .iter()
        .map(|(l, _)| console_width(l))
        .max()
        .unwrap_or(0);
    let value_width = rows
        .iter()
        .map(|(_, v)| console_width(v))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (label, value) in rows {
        let pad = label_width.saturating_sub(console_width(label));
        out.push_str(&" ".repeat(pad));
        out.push_str(label);
        out.push(' ');
        if console_width(value) < value_width {
            out.push_str(value.trim_end_matches([' ', '\t', '\n', '\r']));
        } else {
            out.push_str(value);
        }
        out.push('\n');
    }
    out
}

/// utf8_console_width(): one cell a character, two for East Asian wide ones.
fn console_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// The double-width ranges systemd's unichar_iswide() knows (Unicode 6.0).
fn is_wide(c: char) -> bool {
    const WIDE: &[(u32, u32)] = &[
        (0x1100, 0x115F),
        (0x2329, 0x232A),
        (0x2E80, 0x2E99),
        (0x2E9B, 0x2EF3),
        (0x2F00, 0x2FD5),
        (0x2FF0, 0x2FFB),
        (0x3000, 0x303E),
        (0x3041, 0x3096),
        (0x3099, 0x30FF),
        (0x3105, 0x312D),
        (0x3131, 0x318E),
        (0x3190, 0x31BA),
        (0x31C0, 0x31E3),
        (0x31F0, 0x321E),
        (0x3220, 0x3247),
        (0x3250, 0x32FE),
        (0x3300, 0x4DBF),
        (0x4E00, 0xA48C),
        (0xA490, 0xA4C6),
        (0xA960, 0xA97C),
        (0xAC00, 0xD7A3),
        (0xF900, 0xFAFF),
        (0xFE10, 0xFE19),
        (0xFE30, 0xFE52),
        (0xFE54, 0xFE66),
        (0xFE68, 0xFE6B),
        (0xFF01, 0xFF60),
        (0xFFE0, 0xFFE6),
        (0x1B000, 0x1B001),
        (0x1F200, 0x1F202),
        (0x1F210, 0x1F23A),
        (0x1F240, 0x1F248),
        (0x1F250, 0x1F251),
        (0x1F300, 0x1F567),
        (0x20000, 0x2FFFD),
        (0x30000, 0x3FFFD),
    ];
    let c = u32::from(c);
    WIDE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_values_lose_trailing_blanks() {
        let rows = [
            ("Original:", "5 ".to_string()),
            ("us:", "5000000".to_string()),
        ];
        assert_eq!(
            render_label_table(&rows),
            "Original: 5\n      us: 5000000\n"
        );
        let rows = [
            ("Original:", "  5s  ".to_string()),
            ("us:", "5".to_string()),
        ];
        assert_eq!(render_label_table(&rows), "Original:   5s  \n      us: 5\n");
    }

    #[test]
    fn wide_characters_count_twice() {
        assert_eq!(console_width("ab"), 2);
        assert_eq!(console_width("\u{4e00}"), 2);
    }
}

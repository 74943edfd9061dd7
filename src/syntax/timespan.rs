//! Time spans as systemd reads and prints them (systemd.time(7)): `90`,
//! `1h 30min`, `1.5h`, `5 5` (ten seconds), `infinity`; parse_time() and
//! format_timespan() of systemd 252.

use super::{
    USEC_INFINITY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MSEC,
    USEC_PER_SEC, USEC_PER_WEEK, USEC_PER_YEAR, Usec,
};

/// Why a time span does not parse; the text is the errno message systemd prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimespanError {
    /// EINVAL: not a time span at all.
    #[error("Invalid argument")]
    Invalid,
    /// ERANGE: negative, or too large for 64 bits of microseconds.
    #[error("Numerical result out of range")]
    OutOfRange,
}

/// The unit words, in the order systemd tries them: the first word that
/// prefixes the text wins, so longer words come before their prefixes
/// ("msec" before "m") and a tail such as the "s" of "5mins" is left over.
const UNIT_WORDS: &[(&str, Usec)] = &[
    ("seconds", USEC_PER_SEC),
    ("second", USEC_PER_SEC),
    ("sec", USEC_PER_SEC),
    ("s", USEC_PER_SEC),
    ("minutes", USEC_PER_MINUTE),
    ("minute", USEC_PER_MINUTE),
    ("min", USEC_PER_MINUTE),
    ("months", USEC_PER_MONTH),
    ("month", USEC_PER_MONTH),
    ("M", USEC_PER_MONTH),
    ("msec", USEC_PER_MSEC),
    ("ms", USEC_PER_MSEC),
    ("m", USEC_PER_MINUTE),
    ("hours", USEC_PER_HOUR),
    ("hour", USEC_PER_HOUR),
    ("hr", USEC_PER_HOUR),
    ("h", USEC_PER_HOUR),
    ("days", USEC_PER_DAY),
    ("day", USEC_PER_DAY),
    ("d", USEC_PER_DAY),
    ("weeks", USEC_PER_WEEK),
    ("week", USEC_PER_WEEK),
    ("w", USEC_PER_WEEK),
    ("years", USEC_PER_YEAR),
    ("year", USEC_PER_YEAR),
    ("y", USEC_PER_YEAR),
    ("usec", 1),
    ("us", 1),
    // GREEK SMALL LETTER MU and MICRO SIGN: both are accepted.
    ("\u{3bc}s", 1),
    ("\u{b5}s", 1),
];

/// systemd's WHITESPACE set, skipped between components.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// C's isspace(), which strtoll() skips before the number.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn skip_separators(s: &[u8], mut i: usize) -> usize {
    while s.get(i).copied().is_some_and(is_separator) {
        i += 1;
    }
    i
}

fn skip_digits(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// What strtoll(p, &end, 10) yields: the value (None when it overflows) and
/// where the number ends; `end == start` when there is no number at all.
fn c_strtoll(s: &[u8], start: usize) -> (Option<i64>, usize) {
    let mut i = start;
    while s.get(i).copied().is_some_and(is_c_space) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits_start = i;
    let digits_end = skip_digits(s, i);
    if digits_end == digits_start {
        return (Some(0), start);
    }
    let mut value: i64 = 0;
    let mut overflow = false;
    for &d in &s[digits_start..digits_end] {
        let digit = i64::from(d - b'0');
        let next = value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(digit)
            } else {
                v.checked_add(digit)
            }
        });
        match next {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    (if overflow { None } else { Some(value) }, digits_end)
}

/// The unit word at `i`, if any: its multiplier and where it ends.
fn unit_word_at(s: &[u8], i: usize) -> Option<(Usec, usize)> {
    let rest = s.get(i..)?;
    UNIT_WORDS
        .iter()
        .find(|(word, _)| rest.starts_with(word.as_bytes()))
        .map(|(word, multiplier)| (*multiplier, i + word.len()))
}

/// parse_sec(): a time span whose bare numbers are seconds.
pub fn parse_timespan(s: &str) -> Result<Usec, TimespanError> {
    parse_timespan_with_unit(s, USEC_PER_SEC)
}

/// parse_time(): a time span whose bare numbers count `default_unit`
/// microseconds (systemd uses seconds for most keys, milliseconds for a few).
pub fn parse_timespan_with_unit(s: &str, default_unit: Usec) -> Result<Usec, TimespanError> {
    let default_unit = default_unit.max(1);
    let b = s.as_bytes();
    let mut p = skip_separators(b, 0);

    if let Some(rest) = b[p..].strip_prefix(b"infinity") {
        let after = skip_separators(rest, 0);
        return if after == rest.len() {
            Ok(USEC_INFINITY)
        } else {
            Err(TimespanError::Invalid)
        };
    }

    let mut total: Usec = 0;
    let mut something = false;
    loop {
        p = skip_separators(b, p);
        if p >= b.len() {
            return if something {
                Ok(total)
            } else {
                Err(TimespanError::Invalid)
            };
        }
        // "-0" and every other negative number is a range error, not a syntax error.
        if b[p] == b'-' {
            return Err(TimespanError::OutOfRange);
        }
        let (value, end) = c_strtoll(b, p);
        let Some(value) = value else {
            return Err(TimespanError::OutOfRange);
        };
        let Ok(whole) = Usec::try_from(value) else {
            return Err(TimespanError::OutOfRange);
        };

        let has_fraction = b.get(end) == Some(&b'.');
        if has_fraction {
            p = skip_digits(b, end + 1);
        } else if end == p {
            return Err(TimespanError::Invalid);
        } else {
            p = end;
        }

        // The unit may follow after blanks; a number glued to something
        // that is no unit ("12.34.56", "5x") is an error.
        let unit_start = skip_separators(b, p);
        let (multiplier, after_unit) =
            unit_word_at(b, unit_start).unwrap_or((default_unit, unit_start));
        if after_unit == p && p < b.len() {
            return Err(TimespanError::Invalid);
        }
        p = after_unit;

        if whole >= USEC_INFINITY / multiplier {
            return Err(TimespanError::OutOfRange);
        }
        total = add_below_infinity(total, whole * multiplier)?;
        something = true;

        if has_fraction {
            let fraction_start = end + 1;
            let fraction_end = skip_digits(b, fraction_start);
            let mut scale = multiplier / 10;
            for &d in &b[fraction_start..fraction_end] {
                total = add_below_infinity(total, Usec::from(d - b'0') * scale)?;
                scale /= 10;
            }
            // "3.", "3. 1", "3.sec": a dot needs digits right after it.
            if fraction_end == fraction_start {
                return Err(TimespanError::Invalid);
            }
        }
    }
}

/// `total + k`, refusing to reach USEC_INFINITY (which means "never").
fn add_below_infinity(total: Usec, k: Usec) -> Result<Usec, TimespanError> {
    if k >= USEC_INFINITY - total {
        return Err(TimespanError::OutOfRange);
    }
    Ok(total + k)
}

/// The units format_timespan() prints, largest first.
const FORMAT_UNITS: &[(&str, Usec)] = &[
    ("y", USEC_PER_YEAR),
    ("month", USEC_PER_MONTH),
    ("w", USEC_PER_WEEK),
    ("d", USEC_PER_DAY),
    ("h", USEC_PER_HOUR),
    ("min", USEC_PER_MINUTE),
    ("s", USEC_PER_SEC),
    ("ms", USEC_PER_MSEC),
    ("us", 1),
];

/// Number of decimal digits below 1 in `unit` (1 for 10, 6 for a second).
fn decimal_places(mut unit: Usec) -> i32 {
    let mut places = 0;
    while unit > 1 {
        unit /= 10;
        places += 1;
    }
    places
}

/// format_timespan(): `1h 30min`, `1.500000s`, `infinity`, `0`. Components
/// smaller than `accuracy` are dropped once something has been printed
/// (systemd-analyze uses 0, systemctl's status lines use a millisecond or
/// a second). What it prints parses back with parse_timespan().
pub fn format_timespan(t: Usec, accuracy: Usec) -> String {
    if t == USEC_INFINITY {
        return "infinity".to_string();
    }
    if t == 0 {
        return "0".to_string();
    }
    let mut out = String::new();
    let mut rest = t;
    for &(suffix, unit) in FORMAT_UNITS {
        if rest == 0 {
            break;
        }
        if rest < accuracy && !out.is_empty() {
            break;
        }
        if rest < unit {
            continue;
        }
        let whole = rest / unit;
        let mut part = rest % unit;
        let separator = if out.is_empty() { "" } else { " " };
        // Below a minute a remainder is shown as a decimal fraction, with as
        // many places as the unit has, minus those the accuracy hides.
        if rest < USEC_PER_MINUTE && part > 0 {
            let mut places = decimal_places(unit);
            let mut hidden = accuracy;
            while hidden > 1 {
                part /= 10;
                places -= 1;
                hidden /= 10;
            }
            if places > 0 {
                let width = usize::try_from(places).unwrap_or(0);
                out.push_str(&format!("{separator}{whole}.{part:0width$}{suffix}"));
                break;
            }
        }
        out.push_str(&format!("{separator}{whole}{suffix}"));
        // Like systemd, carry on with the remainder as the accuracy left it.
        rest = part;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn us(s: &str) -> Result<Usec, TimespanError> {
        parse_timespan(s)
    }

    #[test]
    fn bare_numbers_are_seconds() {
        assert_eq!(us("0"), Ok(0));
        assert_eq!(us("5"), Ok(5 * USEC_PER_SEC));
        assert_eq!(us("007"), Ok(7 * USEC_PER_SEC));
        assert_eq!(us("+5"), Ok(5 * USEC_PER_SEC));
    }

    #[test]
    fn every_unit_word() {
        for (word, unit) in UNIT_WORDS {
            assert_eq!(us(&format!("3{word}")), Ok(3 * unit), "{word}");
            assert_eq!(us(&format!("3 {word}")), Ok(3 * unit), "{word}");
        }
    }

    #[test]
    fn first_matching_word_wins() {
        assert_eq!(us("5secs"), Err(TimespanError::Invalid));
        assert_eq!(us("5mins"), Err(TimespanError::Invalid));
        assert_eq!(us("5mo"), Err(TimespanError::Invalid));
        assert_eq!(us("5S"), Err(TimespanError::Invalid));
        assert_eq!(us("5ms"), Ok(5 * USEC_PER_MSEC));
        assert_eq!(us("5M"), Ok(5 * USEC_PER_MONTH));
    }

    #[test]
    fn components_add_up() {
        assert_eq!(us("5 5"), Ok(10 * USEC_PER_SEC));
        assert_eq!(us("1h30min"), Ok(90 * USEC_PER_MINUTE));
        assert_eq!(us("1h30"), Ok(USEC_PER_HOUR + 30 * USEC_PER_SEC));
        assert_eq!(us("5s5"), Ok(10 * USEC_PER_SEC));
        assert_eq!(us("5 +3"), Ok(8 * USEC_PER_SEC));
    }

    #[test]
    fn fractions_truncate_below_a_microsecond() {
        assert_eq!(us("1.5h"), Ok(90 * USEC_PER_MINUTE));
        assert_eq!(us(".5"), Ok(500_000));
        assert_eq!(us("1.5us"), Ok(1));
        assert_eq!(us("0.0000001"), Ok(0));
        assert_eq!(us("12.34 .56"), Ok(12_900_000));
        assert_eq!(us("12.34s.56"), Ok(12_900_000));
    }

    #[test]
    fn malformed_fractions() {
        for s in [
            "5.", ".", "12.34.56", "3. 1", "3.sec", "3.hoge", "0.-0", "3.+1", "1.5.5s",
        ] {
            assert_eq!(us(s), Err(TimespanError::Invalid), "{s}");
        }
    }

    #[test]
    fn whitespace_and_empty() {
        assert_eq!(us("  5s  "), Ok(5 * USEC_PER_SEC));
        assert_eq!(us("\t5"), Ok(5 * USEC_PER_SEC));
        assert_eq!(us(""), Err(TimespanError::Invalid));
        assert_eq!(us(" "), Err(TimespanError::Invalid));
    }

    #[test]
    fn infinity_alone() {
        assert_eq!(us(" infinity "), Ok(USEC_INFINITY));
        assert_eq!(us("infinityx"), Err(TimespanError::Invalid));
        assert_eq!(us("+infinity"), Err(TimespanError::Invalid));
        assert_eq!(us("-infinity"), Err(TimespanError::OutOfRange));
        assert_eq!(us("5 infinity"), Err(TimespanError::Invalid));
    }

    #[test]
    fn negatives_and_overflow_are_range_errors() {
        for s in [
            "-5",
            "-0",
            "- 5",
            "5 -3",
            "9223372036854775808",
            "18446744073709",
            "584542y",
            "9223372036854775808us",
        ] {
            assert_eq!(us(s), Err(TimespanError::OutOfRange), "{s}");
        }
        assert_eq!(us("9223372036854775807us"), Ok(9_223_372_036_854_775_807));
        assert_eq!(us("+-5"), Err(TimespanError::Invalid));
    }

    #[test]
    fn other_default_units() {
        assert_eq!(
            parse_timespan_with_unit("5", USEC_PER_MSEC),
            Ok(5 * USEC_PER_MSEC)
        );
        assert_eq!(
            parse_timespan_with_unit("5s", USEC_PER_MSEC),
            Ok(5 * USEC_PER_SEC)
        );
    }

    #[test]
    fn formats_like_systemd() {
        assert_eq!(format_timespan(0, 0), "0");
        assert_eq!(format_timespan(USEC_INFINITY, 0), "infinity");
        assert_eq!(format_timespan(1_500_000, 0), "1.500000s");
        assert_eq!(format_timespan(10_500, 0), "10.500ms");
        assert_eq!(format_timespan(60_500_000, 0), "1min 500ms");
        assert_eq!(format_timespan(5 * USEC_PER_WEEK, 0), "1month 4d 13h 30min");
        assert_eq!(
            format_timespan(34_882_261_001_001, 0),
            "1y 1month 1w 1d 1h 1min 1.001001s"
        );
        assert_eq!(format_timespan(1_500_000, USEC_PER_MSEC), "1.500s");
        assert_eq!(
            format_timespan(90 * USEC_PER_SEC + 1, USEC_PER_SEC),
            "1min 30s"
        );
        assert_eq!(format_timespan(1_234_567, USEC_PER_SEC), "1s");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parsing_never_panics(s in "\\PC{0,24}") {
            let _ = parse_timespan(&s);
            let _ = parse_timespan_with_unit(&s, USEC_PER_MSEC);
        }

        #[test]
        fn grammar_like_text_never_panics(s in "[0-9 .+-]{0,6}(us|ms|s|min|h|d|w|M|y|infinity|µs)?[0-9 .]{0,6}") {
            let _ = parse_timespan(&s);
        }

        #[test]
        fn formatted_spans_parse_back(t in 0u64..584_542 * USEC_PER_YEAR) {
            prop_assert_eq!(parse_timespan(&format_timespan(t, 0)), Ok(t));
        }
    }
}

//! Which records a journalctl command line asks for: its units (globs
//! resolved against the store), identifiers, priorities, `FIELD=VALUE`
//! matches, boot, time range and `--grep` pattern, turned into one test
//! a record passes or not.

use regex_automata::meta::Regex;
use regex_automata::util::syntax;

use super::args::{Args, BootSpec};
use super::fields::field_value;
use crate::logs::journal::{Filter, JournalReader};
use crate::logs::record::{Id128, Record};

/// The unit types whose suffix a `-u` name may carry; anything else gets
/// `.service` appended, as systemd's unit_name_mangle() does.
const UNIT_SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".target",
    ".timer",
    ".mount",
    ".automount",
    ".swap",
    ".path",
    ".slice",
    ".scope",
    ".device",
];

/// Why a selection cannot be made: journalctl's message, exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectError(pub String);

pub struct Selection {
    /// What the store's index can narrow down: units and boot.
    pub filter: Filter,
    pub identifiers: Vec<String>,
    pub priorities: u8,
    /// `FIELD=VALUE` matches grouped by field: OR within, AND across.
    pub matches: Vec<(String, Vec<Vec<u8>>)>,
    pub since: Option<u64>,
    pub until: Option<u64>,
    pub pattern: Option<Regex>,
}

fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '['])
}

fn mangle_unit(name: &str) -> String {
    if UNIT_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        name.to_string()
    } else {
        format!("{name}.service")
    }
}

/// fnmatch(3) without flags: `*`, `?` and `[...]` (with `!`/`^` negation
/// and ranges).
pub fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob_matches(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob_matches(rest, &text[1..]),
        Some((b'[', rest)) => match (bracket(rest, text.first().copied()), text.first()) {
            (Some((true, after)), Some(_)) => glob_matches(after, &text[1..]),
            (Some((false, _)), _) | (Some(_), None) => false,
            // No closing bracket: a literal '['.
            (None, _) => text.first() == Some(&b'[') && glob_matches(rest, &text[1..]),
        },
        Some((b'\\', rest)) if !rest.is_empty() => {
            text.first() == Some(&rest[0]) && glob_matches(&rest[1..], &text[1..])
        }
        Some((c, rest)) => text.first() == Some(c) && glob_matches(rest, &text[1..]),
    }
}

/// A bracket expression after its `[`: whether `c` is in it, and the
/// pattern after its `]`; `None` when it never closes.
fn bracket(pattern: &[u8], c: Option<u8>) -> Option<(bool, &[u8])> {
    let (negate, mut rest) = match pattern.first() {
        Some(b'!') | Some(b'^') => (true, &pattern[1..]),
        _ => (false, pattern),
    };
    let mut found = false;
    let mut first = true;
    loop {
        let (&start, tail) = rest.split_first()?;
        if start == b']' && !first {
            return Some((found != negate, tail));
        }
        first = false;
        if tail.len() >= 2 && tail[0] == b'-' && tail[1] != b']' {
            if c.is_some_and(|c| (start..=tail[1]).contains(&c)) {
                found = true;
            }
            rest = &tail[2..];
        } else {
            if c == Some(start) {
                found = true;
            }
            rest = tail;
        }
    }
}

/// The units `-u` names: globs matched against the units in the store.
fn resolve_units(args: &Args, reader: &JournalReader) -> Result<Vec<String>, SelectError> {
    let mut units = Vec::new();
    let mut known: Option<Vec<String>> = None;
    for name in &args.units {
        if is_glob(name) {
            let all = match &known {
                Some(all) => all,
                None => known.insert(reader.units().unwrap_or_default()),
            };
            let mut matched: Vec<String> = all
                .iter()
                .filter(|u| glob_matches(name.as_bytes(), u.as_bytes()))
                .cloned()
                .collect();
            if matched.is_empty() {
                return Err(SelectError(
                    "Failed to add filter for units: No data available".into(),
                ));
            }
            units.append(&mut matched);
        } else {
            units.push(mangle_unit(name));
        }
    }
    units.dedup();
    Ok(units)
}

/// The boot `-b` means: the newest run in the store is the current one.
fn resolve_boot(spec: BootSpec, reader: &JournalReader) -> Result<Option<Id128>, SelectError> {
    let boots = reader.boots().unwrap_or_default();
    let (anchor, offset, shown) = match spec {
        BootSpec::All => return Ok(None),
        BootSpec::Offset(offset) => {
            if boots.is_empty() && offset == 0 {
                return Ok(Some(Id128::NULL));
            }
            (boots.len().checked_sub(1), offset, offset.to_string())
        }
        BootSpec::Id { id, offset } => {
            let at = boots.iter().position(|b| b.boot_id == Id128(id));
            let shown = if offset == 0 {
                Id128(id).to_string()
            } else {
                format!("{}{offset:+}", Id128(id))
            };
            (at, offset, shown)
        }
    };
    let picked = anchor
        .and_then(|at| at.checked_add_signed(offset as isize))
        .and_then(|i| boots.get(i));
    match picked {
        Some(boot) => Ok(Some(boot.boot_id)),
        None => Err(SelectError(format!(
            "Data from the specified boot ({shown}) is not available: No such boot ID in journal"
        ))),
    }
}

fn compile_pattern(pattern: &str, case_sensitive: Option<bool>) -> Result<Regex, SelectError> {
    // journalctl's default: case-insensitive unless the pattern has capitals.
    let sensitive = case_sensitive.unwrap_or_else(|| pattern.chars().any(char::is_uppercase));
    Regex::builder()
        .syntax(syntax::Config::new().case_insensitive(!sensitive))
        .build(pattern)
        .map_err(|e| SelectError(format!("Bad pattern \"{pattern}\": {e}")))
}

fn parse_time(text: &str) -> Result<u64, SelectError> {
    crate::syntax::timestamp::parse_timestamp(text)
        .map_err(|_| SelectError(format!("Failed to parse timestamp: {text}")))
}

impl Selection {
    pub fn new(args: &Args, reader: &JournalReader) -> Result<Selection, SelectError> {
        let since = args.since.as_deref().map(parse_time).transpose()?;
        let until = args.until.as_deref().map(parse_time).transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(SelectError("--since= must be before --until=.".into()));
        }
        let boot = args
            .boot
            .map(|b| resolve_boot(b, reader))
            .transpose()?
            .flatten();
        let units = resolve_units(args, reader)?;
        let mut matches: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
        for word in &args.matches {
            let Some((field, value)) = word.split_once('=').filter(|(f, _)| is_field_name(f))
            else {
                return Err(SelectError(format!(
                    "Failed to add match '{word}': Invalid argument"
                )));
            };
            match matches.iter_mut().find(|(f, _)| f == field) {
                Some((_, values)) => values.push(value.as_bytes().to_vec()),
                None => matches.push((field.to_string(), vec![value.as_bytes().to_vec()])),
            }
        }
        let pattern = args
            .grep
            .as_deref()
            .map(|p| compile_pattern(p, args.case_sensitive))
            .transpose()?;
        Ok(Selection {
            filter: Filter { units, boot },
            identifiers: args.identifiers.clone(),
            priorities: args.priorities.unwrap_or(0xff),
            matches,
            since,
            until,
            pattern,
        })
    }

    /// Whether a record passes everything but the pattern.
    pub fn keeps(&self, record: &Record) -> bool {
        if self.since.is_some_and(|s| record.realtime < s)
            || self.until.is_some_and(|u| record.realtime > u)
        {
            return false;
        }
        if self.priorities & (1 << (record.priority & 7)) == 0 {
            return false;
        }
        if !self.identifiers.is_empty() && !self.identifiers.contains(&record.identifier) {
            return false;
        }
        if !self.filter.units.is_empty() && !self.filter.units.contains(&record.unit) {
            return false;
        }
        if self.filter.boot.is_some_and(|b| b != record.boot_id) {
            return false;
        }
        self.matches
            .iter()
            .all(|(field, values)| field_value(record, field).is_some_and(|v| values.contains(&v)))
            && self.pattern_match(record).is_some()
    }

    /// Where `--grep` matched in the message: `(0, 0)` without a pattern,
    /// `None` when it did not match.
    pub fn pattern_match(&self, record: &Record) -> Option<(usize, usize)> {
        let Some(pattern) = &self.pattern else {
            return Some((0, 0));
        };
        pattern.find(&record.message).map(|m| (m.start(), m.end()))
    }
}

/// journald's field names: capitals, digits and underscores, not
/// starting with a digit.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn globs() {
        assert!(glob_matches(b"chat*", b"chatty.service"));
        assert!(glob_matches(b"c*y.service", b"crashy.service"));
        assert!(!glob_matches(b"c*y.service", b"chatty.socket"));
        assert!(glob_matches(b"a?c", b"abc"));
        assert!(glob_matches(b"[a-c]x", b"bx"));
        assert!(!glob_matches(b"[!a-c]x", b"bx"));
        assert!(glob_matches(b"[x", b"[x"));
        assert!(glob_matches(b"[]]", b"]"));
    }

    #[test]
    fn unit_names_get_service() {
        assert_eq!(mangle_unit("chatty"), "chatty.service");
        assert_eq!(mangle_unit("a.timer"), "a.timer");
    }

    #[test]
    fn field_names() {
        assert!(is_field_name("_SYSTEMD_UNIT"));
        assert!(!is_field_name("lots"));
        assert!(!is_field_name("1A"));
    }

    #[test]
    fn smart_case() {
        let lower = compile_pattern("error", None).expect("ok");
        assert!(lower.is_match("ERROR"));
        let upper = compile_pattern("ERROR", None).expect("ok");
        assert!(!upper.is_match("an error"));
        let forced = compile_pattern("error", Some(true)).expect("ok");
        assert!(!forced.is_match("ERROR"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn glob_never_panics_and_literals_match_themselves(p in "[a-z*?\\[\\]!^-]{0,12}", t in "[a-z\\[\\]]{0,12}") {
            let _ = glob_matches(p.as_bytes(), t.as_bytes());
            if !p.contains(['*', '?', '[', '\\']) {
                prop_assert!(glob_matches(p.as_bytes(), p.as_bytes()));
            }
        }
    }
}

//! journalctl's command line, read the way glibc's getopt_long reads it:
//! short options cluster (`-rn5`), long options take `--opt=value` or
//! `--opt value` and may be abbreviated to a unique prefix, options and
//! matches may come in any order, and `--` ends the options. Like
//! journalctl, `-n` and `-b` take their optional value from the next word
//! when it looks like one.

use std::fmt;

/// An option's argument: none, required, or optional (`--opt=value` only,
/// or the special look-ahead of `-n` and `-b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Value,
    Optional,
}

/// Every option this face knows: long name, short letter, argument.
const OPTIONS: &[(&str, Option<char>, Takes)] = &[
    ("unit", Some('u'), Takes::Value),
    ("identifier", Some('t'), Takes::Value),
    ("priority", Some('p'), Takes::Value),
    ("grep", Some('g'), Takes::Value),
    ("case-sensitive", None, Takes::Optional),
    ("lines", Some('n'), Takes::Optional),
    ("follow", Some('f'), Takes::Nothing),
    ("no-tail", None, Takes::Nothing),
    ("pager-end", Some('e'), Takes::Nothing),
    ("reverse", Some('r'), Takes::Nothing),
    ("boot", Some('b'), Takes::Optional),
    ("output", Some('o'), Takes::Value),
    ("output-fields", None, Takes::Value),
    ("quiet", Some('q'), Takes::Nothing),
    ("no-pager", None, Takes::Nothing),
    ("no-hostname", None, Takes::Nothing),
    ("utc", None, Takes::Nothing),
    ("since", Some('S'), Takes::Value),
    ("until", Some('U'), Takes::Value),
    ("list-boots", None, Takes::Nothing),
    ("disk-usage", None, Takes::Nothing),
    ("vacuum-size", None, Takes::Value),
    ("vacuum-time", None, Takes::Value),
    ("vacuum-files", None, Takes::Value),
    ("directory", Some('D'), Takes::Value),
    ("all", Some('a'), Takes::Nothing),
    ("catalog", Some('x'), Takes::Nothing),
    ("full", Some('l'), Takes::Nothing),
    ("no-full", None, Takes::Nothing),
    ("merge", Some('m'), Takes::Nothing),
    ("system", None, Takes::Nothing),
    ("help", Some('h'), Takes::Nothing),
    ("version", None, Takes::Nothing),
];

/// How entries are printed (`-o`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Short,
    ShortFull,
    ShortIso,
    ShortIsoPrecise,
    ShortPrecise,
    ShortMonotonic,
    ShortUnix,
    WithUnit,
    Cat,
    Json,
    JsonPretty,
    JsonSse,
    JsonSeq,
    Verbose,
    Export,
}

impl OutputMode {
    fn from_name(name: &str) -> Option<OutputMode> {
        Some(match name {
            "short" => OutputMode::Short,
            "short-full" => OutputMode::ShortFull,
            "short-iso" => OutputMode::ShortIso,
            "short-iso-precise" => OutputMode::ShortIsoPrecise,
            "short-precise" => OutputMode::ShortPrecise,
            "short-monotonic" => OutputMode::ShortMonotonic,
            "short-unix" => OutputMode::ShortUnix,
            "with-unit" => OutputMode::WithUnit,
            "cat" => OutputMode::Cat,
            "json" => OutputMode::Json,
            "json-pretty" => OutputMode::JsonPretty,
            "json-sse" => OutputMode::JsonSse,
            "json-seq" => OutputMode::JsonSeq,
            "verbose" => OutputMode::Verbose,
            "export" => OutputMode::Export,
            _ => return None,
        })
    }

    /// Modes meant for programs: journalctl turns `--quiet` on for them,
    /// so they never print `-- No entries --` or boot separators.
    pub fn is_for_programs(self) -> bool {
        matches!(
            self,
            OutputMode::Export
                | OutputMode::Json
                | OutputMode::JsonPretty
                | OutputMode::JsonSse
                | OutputMode::JsonSeq
                | OutputMode::Cat
        )
    }
}

/// `-b`: the current boot, one relative to it, or a boot ID (+ offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootSpec {
    Offset(i32),
    Id { id: [u8; 16], offset: i32 },
    All,
}

/// What to do besides showing entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Action {
    #[default]
    Show,
    ListBoots,
    DiskUsage,
    Vacuum,
    Help,
    Version,
}

/// The parsed command line.
#[derive(Debug, Clone, Default)]
pub struct Args {
    pub action: Action,
    pub units: Vec<String>,
    pub identifiers: Vec<String>,
    /// Bit n set: priority n is shown.
    pub priorities: Option<u8>,
    pub grep: Option<String>,
    pub case_sensitive: Option<bool>,
    /// `None`: the default for the mode (all; 10 with -f; 1000 with -e).
    pub lines: Option<u64>,
    pub follow: bool,
    pub no_tail: bool,
    pub pager_end: bool,
    pub reverse: bool,
    pub boot: Option<BootSpec>,
    pub output: Option<OutputMode>,
    pub output_fields: Option<Vec<String>>,
    pub quiet: bool,
    pub no_hostname: bool,
    pub utc: bool,
    pub show_all: bool,
    pub since: Option<String>,
    pub until: Option<String>,
    pub vacuum_size: Option<u64>,
    pub vacuum_time: Option<u64>,
    pub vacuum_files: Option<u64>,
    pub directory: Option<String>,
    /// Positional `FIELD=VALUE` matches.
    pub matches: Vec<String>,
}

/// A command line journalctl refuses, with its message (without the
/// program name, which [`ArgError::render`] adds where getopt does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    /// getopt's own complaints, printed after `journalctl: `.
    Getopt(String),
    /// journalctl's complaints, printed as they are.
    Invalid(String),
}

impl ArgError {
    pub fn render(&self, program: &str) -> String {
        match self {
            ArgError::Getopt(m) => format!("{program}: {m}"),
            ArgError::Invalid(m) => m.clone(),
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("journalctl"))
    }
}

/// syslog's level names, as `-p` takes them.
pub const LEVEL_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// One level, by name or number.
fn parse_level(word: &str) -> Option<u8> {
    if let Some(n) = LEVEL_NAMES.iter().position(|l| *l == word) {
        return Some(n as u8);
    }
    match word.parse::<u8>() {
        Ok(n) if n <= 7 && !word.starts_with('+') => Some(n),
        _ => None,
    }
}

/// `-p LEVEL` (that level and more severe) or `-p FROM..TO`.
pub fn parse_priorities(value: &str) -> Result<u8, ArgError> {
    let unknown = |w: &str| ArgError::Invalid(format!("Unknown log level {w}"));
    match value.split_once("..") {
        Some((from, to)) => {
            let a = parse_level(from).ok_or_else(|| unknown(from))?;
            let b = parse_level(to).ok_or_else(|| unknown(to))?;
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            Ok((low..=high).fold(0u8, |mask, p| mask | (1 << p)))
        }
        None => {
            let max = parse_level(value).ok_or_else(|| unknown(value))?;
            Ok((0..=max).fold(0u8, |mask, p| mask | (1 << p)))
        }
    }
}

/// A boot descriptor: `all`, an offset (`0`, `-1`, `+2`), or an ID with an
/// optional offset.
pub fn parse_boot(value: &str) -> Option<BootSpec> {
    if value == "all" {
        return Some(BootSpec::All);
    }
    if value.len() >= 32
        && let Some(id) = crate::logs::record::Id128::parse(&value[..32])
    {
        let rest = &value[32..];
        let offset = if rest.is_empty() {
            0
        } else {
            parse_offset(rest)?
        };
        return Some(BootSpec::Id { id: id.0, offset });
    }
    parse_offset(value).map(BootSpec::Offset)
}

fn parse_offset(text: &str) -> Option<i32> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || digits.starts_with(['+', ' ']) {
        return None;
    }
    digits.parse().ok()
}

/// `-n`: a count, `+N` alike, or `all`.
fn parse_lines(value: &str) -> Option<Option<u64>> {
    if value == "all" {
        return Some(None);
    }
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Some)
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// Resolves a long option name, allowing a unique prefix as getopt does.
fn find_long(name: &str) -> Result<(&'static str, Option<char>, Takes), ArgError> {
    if let Some(exact) = OPTIONS.iter().find(|(long, _, _)| *long == name) {
        return Ok(*exact);
    }
    let candidates: Vec<_> = OPTIONS
        .iter()
        .filter(|(long, _, _)| long.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [one] => Ok(**one),
        [] => Err(ArgError::Getopt(format!("unrecognized option '--{name}'"))),
        many => {
            let list: Vec<String> = many.iter().map(|(l, _, _)| format!("'--{l}'")).collect();
            Err(ArgError::Getopt(format!(
                "option '--{name}' is ambiguous; possibilities: {}",
                list.join(" ")
            )))
        }
    }
}

fn find_short(letter: char) -> Option<(&'static str, Option<char>, Takes)> {
    OPTIONS.iter().find(|(_, s, _)| *s == Some(letter)).copied()
}

pub fn parse(argv: &[String]) -> Result<Args, ArgError> {
    let mut args = Args::default();
    let mut words = argv.iter().skip(1).peekable();
    let mut only_matches = false;
    while let Some(word) = words.next() {
        if only_matches || word == "-" || !word.starts_with('-') {
            args.matches.push(word.clone());
            continue;
        }
        if word == "--" {
            only_matches = true;
            continue;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let (full, _, takes) = find_long(name)?;
            let value = match (takes, inline) {
                (Takes::Nothing, Some(_)) => {
                    return Err(ArgError::Getopt(format!(
                        "option '--{full}' doesn't allow an argument"
                    )));
                }
                (Takes::Nothing, None) => None,
                (Takes::Value, Some(v)) => Some(v),
                (Takes::Value, None) => match words.next() {
                    Some(v) => Some(v.clone()),
                    None => {
                        return Err(ArgError::Getopt(format!(
                            "option '--{full}' requires an argument"
                        )));
                    }
                },
                (Takes::Optional, v) => v.or_else(|| look_ahead(full, &mut words)),
            };
            apply(&mut args, full, value)?;
            continue;
        }
        // A cluster of short options.
        let letters: Vec<char> = word[1..].chars().collect();
        let mut i = 0;
        while i < letters.len() {
            let letter = letters[i];
            let Some((full, _, takes)) = find_short(letter) else {
                return Err(ArgError::Getopt(format!("invalid option -- '{letter}'")));
            };
            let rest: String = letters[i + 1..].iter().collect();
            let value = match takes {
                Takes::Nothing => None,
                _ if !rest.is_empty() => {
                    i = letters.len();
                    Some(rest)
                }
                Takes::Value => match words.next() {
                    Some(v) => Some(v.clone()),
                    None => {
                        return Err(ArgError::Getopt(format!(
                            "option requires an argument -- '{letter}'"
                        )));
                    }
                },
                Takes::Optional => look_ahead(full, &mut words),
            };
            apply(&mut args, full, value)?;
            i += 1;
        }
    }
    Ok(args)
}

/// journalctl's peek at the next word for `-n` and `-b` without `=`: it is
/// taken when it reads as their value.
fn look_ahead<'a>(
    option: &str,
    words: &mut std::iter::Peekable<impl Iterator<Item = &'a String>>,
) -> Option<String> {
    let next = words.peek()?;
    let fits = match option {
        "lines" => parse_lines(next).is_some(),
        "boot" => parse_boot(next).is_some(),
        _ => false,
    };
    if fits { words.next().cloned() } else { None }
}

fn apply(args: &mut Args, option: &str, value: Option<String>) -> Result<(), ArgError> {
    let text = value.clone().unwrap_or_default();
    match option {
        "unit" => args.units.push(text),
        "identifier" => args.identifiers.push(text),
        "priority" => args.priorities = Some(parse_priorities(&text)?),
        "grep" => args.grep = Some(text),
        "case-sensitive" => {
            args.case_sensitive = Some(match value {
                None => true,
                Some(v) => parse_bool(&v).ok_or_else(|| {
                    ArgError::Invalid(format!(
                        "Bad --case-sensitive= argument \"{v}\": Invalid argument"
                    ))
                })?,
            })
        }
        "lines" => {
            args.lines = match value {
                None => Some(10),
                Some(v) => parse_lines(&v)
                    .ok_or_else(|| ArgError::Invalid(format!("Failed to parse lines '{v}'")))?,
            };
            if args.lines.is_none() {
                args.no_tail = true;
            }
        }
        "follow" => args.follow = true,
        "no-tail" => args.no_tail = true,
        "pager-end" => args.pager_end = true,
        "reverse" => args.reverse = true,
        "boot" => {
            args.boot = Some(match value {
                None => BootSpec::Offset(0),
                Some(v) => parse_boot(&v).ok_or_else(|| {
                    ArgError::Invalid(format!("Failed to parse boot descriptor '{v}'"))
                })?,
            })
        }
        "output" => {
            args.output =
                Some(OutputMode::from_name(&text).ok_or_else(|| {
                    ArgError::Invalid(format!("Unknown output format '{text}'."))
                })?);
        }
        "output-fields" => {
            let fields = args.output_fields.get_or_insert_with(Vec::new);
            fields.extend(text.split(',').filter(|f| !f.is_empty()).map(String::from));
        }
        "quiet" => args.quiet = true,
        "no-hostname" => args.no_hostname = true,
        "utc" => args.utc = true,
        "all" => args.show_all = true,
        "since" => args.since = Some(text),
        "until" => args.until = Some(text),
        "list-boots" => args.action = Action::ListBoots,
        "disk-usage" => args.action = Action::DiskUsage,
        "vacuum-size" => {
            args.vacuum_size =
                Some(crate::config::values::parse_size_iec(&text).map_err(|_| {
                    ArgError::Invalid(format!("Failed to parse vacuum size: {text}"))
                })?);
            args.action = Action::Vacuum;
        }
        "vacuum-time" => {
            args.vacuum_time =
                Some(crate::syntax::timespan::parse_timespan(&text).map_err(|_| {
                    ArgError::Invalid(format!("Failed to parse vacuum time: {text}"))
                })?);
            args.action = Action::Vacuum;
        }
        "vacuum-files" => {
            args.vacuum_files =
                Some(text.parse().map_err(|_| {
                    ArgError::Invalid(format!("Failed to parse vacuum files: {text}"))
                })?);
            args.action = Action::Vacuum;
        }
        "directory" => args.directory = Some(text),
        "help" => args.action = Action::Help,
        "version" => args.action = Action::Version,
        // -x, -l, --no-full, -m, --system, --no-pager: nothing to do here
        // (no catalog, full width always, one journal, no pager).
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_words(words: &[&str]) -> Result<Args, ArgError> {
        let mut argv = vec!["journalctl".to_string()];
        argv.extend(words.iter().map(|w| w.to_string()));
        parse(&argv)
    }

    #[test]
    fn short_clusters_and_attached_values() {
        let a = parse_words(&["-rqn5", "-uapp.service", "-o", "cat"]).expect("parses");
        assert!(a.reverse && a.quiet);
        assert_eq!(a.lines, Some(5));
        assert_eq!(a.units, vec!["app.service"]);
        assert_eq!(a.output, Some(OutputMode::Cat));
    }

    #[test]
    fn long_options_with_equals_space_and_prefix() {
        let a = parse_words(&["--unit", "a", "--lin=3", "--output=json", "--no-pa"]).expect("ok");
        assert_eq!(a.units, vec!["a"]);
        assert_eq!(a.lines, Some(3));
        assert_eq!(a.output, Some(OutputMode::Json));
    }

    #[test]
    fn lines_and_boot_look_ahead() {
        let a = parse_words(&["-n", "lots"]).expect("ok");
        assert_eq!(a.lines, Some(10));
        assert_eq!(a.matches, vec!["lots"]);
        let a = parse_words(&["-n", "+3", "-b", "-1"]).expect("ok");
        assert_eq!(a.lines, Some(3));
        assert_eq!(a.boot, Some(BootSpec::Offset(-1)));
        let a = parse_words(&["-b", "-u", "x"]).expect("ok");
        assert_eq!(a.boot, Some(BootSpec::Offset(0)));
        assert_eq!(a.units, vec!["x"]);
    }

    #[test]
    fn priorities() {
        assert_eq!(parse_priorities("err"), Ok(0b1111));
        assert_eq!(parse_priorities("3"), Ok(0b1111));
        assert_eq!(parse_priorities("warning..err"), Ok(0b11000));
        assert_eq!(parse_priorities("4..3"), Ok(0b11000));
        assert_eq!(parse_priorities("emerg"), Ok(1));
        assert_eq!(
            parse_priorities("8"),
            Err(ArgError::Invalid("Unknown log level 8".into()))
        );
        assert_eq!(
            parse_priorities("loud"),
            Err(ArgError::Invalid("Unknown log level loud".into()))
        );
    }

    #[test]
    fn getopt_errors() {
        let e = |w: &[&str]| parse_words(w).err().map(|e| e.to_string());
        assert_eq!(
            e(&["--bogus"]).as_deref(),
            Some("journalctl: unrecognized option '--bogus'")
        );
        assert_eq!(
            e(&["-z"]).as_deref(),
            Some("journalctl: invalid option -- 'z'")
        );
        assert_eq!(
            e(&["-u"]).as_deref(),
            Some("journalctl: option requires an argument -- 'u'")
        );
        assert_eq!(
            e(&["--unit"]).as_deref(),
            Some("journalctl: option '--unit' requires an argument")
        );
        assert_eq!(
            e(&["--reverse=1"]).as_deref(),
            Some("journalctl: option '--reverse' doesn't allow an argument")
        );
        assert_eq!(
            e(&["-o", "nonsense"]).as_deref(),
            Some("Unknown output format 'nonsense'.")
        );
        assert!(e(&["--no"]).is_some_and(|m| m.contains("is ambiguous")));
    }

    #[test]
    fn boot_descriptors() {
        assert_eq!(parse_boot("all"), Some(BootSpec::All));
        assert_eq!(parse_boot("+2"), Some(BootSpec::Offset(2)));
        let id = "1c489f606d144d52b75ef58408ec662e";
        assert!(matches!(
            parse_boot(id),
            Some(BootSpec::Id { offset: 0, .. })
        ));
        assert!(matches!(
            parse_boot(&format!("{id}-1")),
            Some(BootSpec::Id { offset: -1, .. })
        ));
        assert_eq!(parse_boot("x"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn never_panics(words in proptest::collection::vec("-{0,2}[a-zA-Z=+.0-9-]{0,8}", 0..6)) {
            let mut argv = vec!["journalctl".to_string()];
            argv.extend(words);
            let _ = parse(&argv);
        }

        #[test]
        fn priority_ranges_print_and_reparse(a in 0u8..8, b in 0u8..8) {
            let text = format!("{}..{}", LEVEL_NAMES[a as usize], b);
            let mask = parse_priorities(&text).expect("valid");
            let (low, high) = (a.min(b), a.max(b));
            let again = parse_priorities(&format!("{low}..{high}")).expect("valid");
            prop_assert_eq!(mask, again);
        }
    }
}

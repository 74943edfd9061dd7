//! The environment settings of systemd.exec(5) ("ENVIRONMENT"):
//! Environment=, EnvironmentFile= (the setting and the file format),
//! PassEnvironment=, UnsetEnvironment=, and the order in which systemd 252
//! merges them into a command's environment.
//!
//! An environment here is a `Vec<(name, value)>` in systemd's order: a later
//! assignment of a name replaces the value where the name first appeared.

use crate::syntax::exec::{ExtractFlags, extract_first_word};
use crate::syntax::specifier::{
    self, ARG_MAX, PATH_MAX, SpecifierContext, SpecifierError, SpecifierTable,
};

/// An environment: assignments in order, each name once.
pub type Environment = Vec<(String, String)>;

/// `env_name_is_valid()`: letters, digits and `_`, not starting with a digit
/// (bash's rule), non-empty, at most `ARG_MAX - 2` bytes.
pub fn env_name_is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= ARG_MAX - 2
        && !name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `env_value_is_valid()`: any UTF-8 text (control characters included) of
/// at most `ARG_MAX - 3` bytes.
pub fn env_value_is_valid(value: &str) -> bool {
    value.len() <= ARG_MAX - 3
}

/// `env_assignment_is_valid()`: `NAME=VALUE` with a valid name and value.
pub fn env_assignment_is_valid(assignment: &str) -> bool {
    match assignment.split_once('=') {
        Some((name, value)) => {
            env_name_is_valid(name) && env_value_is_valid(value) && assignment.len() < ARG_MAX
        }
        None => false,
    }
}

/// Sets `name` to `value`: in place if the name is there, else at the end
/// (`strv_env_replace_consume()`).
pub fn env_replace(env: &mut Environment, name: &str, value: &str) {
    match env.iter_mut().find(|(n, _)| n == name) {
        Some(entry) => entry.1 = value.to_string(),
        None => env.push((name.to_string(), value.to_string())),
    }
}

/// Merges environments, later ones overriding earlier ones in place
/// (`strv_env_merge()`).
pub fn merge_environments(layers: &[&[(String, String)]]) -> Environment {
    let mut merged = Environment::new();
    for layer in layers {
        for (name, value) in layer.iter() {
            env_replace(&mut merged, name, value);
        }
    }
    merged
}

/// The parts of a command's environment, in the order systemd 252 merges
/// them (`exec_child()`); each later part overrides the earlier ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvironmentLayers<'a> {
    /// The manager's own environment for units (DefaultEnvironment=, ...).
    pub manager: &'a [(String, String)],
    /// What systemd sets itself: `$PATH`, `$INVOCATION_ID`, `$MAINPID`,
    /// `$HOME`, `$USER`, `$NOTIFY_SOCKET`, ...
    pub service: &'a [(String, String)],
    /// `$PATH` from ExecSearchPath=.
    pub exec_search_path: &'a [(String, String)],
    /// PassEnvironment=, resolved by [`resolve_pass_environment`].
    pub passed: &'a [(String, String)],
    /// Environment=.
    pub environment: &'a [(String, String)],
    /// The EnvironmentFile= files, merged in order.
    pub files: &'a [(String, String)],
    /// UnsetEnvironment=: `NAME` removes the name, `NAME=VALUE` only that
    /// exact assignment.
    pub unset: &'a [String],
}

/// The environment a command runs with.
pub fn build_exec_environment(layers: &EnvironmentLayers<'_>) -> Environment {
    let merged = merge_environments(&[
        layers.manager,
        layers.service,
        layers.exec_search_path,
        layers.passed,
        layers.environment,
        layers.files,
    ]);
    apply_unset_environment(merged, layers.unset)
}

/// Removes what UnsetEnvironment= names (`strv_env_delete()`): `NAME`
/// matches any assignment of NAME, `NAME=VALUE` only that value.
pub fn apply_unset_environment(env: Environment, unset: &[String]) -> Environment {
    env.into_iter()
        .filter(|(name, value)| {
            !unset.iter().any(|pattern| match pattern.split_once('=') {
                Some((n, v)) => n == name && v == value,
                None => pattern == name,
            })
        })
        .collect()
}

/// PassEnvironment=: the named variables that the manager's own environment
/// has, in the order named.
pub fn resolve_pass_environment(
    names: &[String],
    manager_env: &dyn Fn(&str) -> Option<String>,
) -> Environment {
    names
        .iter()
        .filter_map(|name| manager_env(name).map(|value| (name.clone(), value)))
        .collect()
}

// ---------------------------------------------------------------------------
// Environment=

/// A problem in an environment setting. `Display` is the message systemd 252
/// logs (as a warning) after `FILE:LINE: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvironmentError {
    /// Environment=: a quote is unbalanced or an escape unknown; the words
    /// before it still apply.
    #[error("Invalid syntax, ignoring: {value}")]
    InvalidSyntax { value: String },
    /// Environment= and PassEnvironment=.
    #[error("Failed to resolve specifiers in {word}, ignoring: {error}")]
    Specifiers { word: String, error: SpecifierError },
    /// UnsetEnvironment= words the message differently.
    #[error("Failed to resolve unit specifiers in {word}, ignoring: {error}")]
    UnitSpecifiers { word: String, error: SpecifierError },
    #[error("Invalid environment assignment, ignoring: {assignment}")]
    InvalidAssignment { assignment: String },
    /// PassEnvironment= and UnsetEnvironment=: an unbalanced quote; the words
    /// before it still apply.
    #[error("Trailing garbage in {setting}, ignoring: {value}")]
    TrailingGarbage { setting: String, value: String },
    #[error("Invalid environment name for {setting}, ignoring: {name}")]
    InvalidName { setting: String, name: String },
    #[error("Invalid environment name or assignment {setting}, ignoring: {word}")]
    InvalidNameOrAssignment { setting: String, word: String },
    /// EnvironmentFile=.
    #[error("Failed to resolve unit specifiers in '{value}', ignoring: {error}")]
    PathSpecifiers {
        value: String,
        error: SpecifierError,
    },
    #[error("{setting}= path is not absolute, ignoring: {path}")]
    PathNotAbsolute { setting: String, path: String },
    #[error("{setting}= path has invalid length ({length} bytes), ignoring.")]
    PathInvalidLength { setting: String, length: usize },
    #[error("{setting}= path is not normalized, ignoring: {path}")]
    PathNotNormalized { setting: String, path: String },
}

/// What one Environment= line does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvironmentSetting {
    /// The value was empty: all earlier assignments are dropped.
    pub reset: bool,
    /// Valid assignments in order (apply with [`env_replace`]).
    pub assignments: Environment,
    pub diagnostics: Vec<EnvironmentError>,
}

fn env_specifiers(
    word: &str,
    specifiers: Option<&SpecifierContext>,
) -> Result<String, SpecifierError> {
    match specifiers {
        Some(ctx) => specifier::expand_specifiers_with(word, ctx, SpecifierTable::Full, ARG_MAX),
        None => Ok(word.to_string()),
    }
}

/// Parses an Environment= value: whitespace-separated `NAME=VALUE` words,
/// quotes group, C escapes decode, specifiers resolve in each word.
/// `"VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"` sets three variables.
pub fn parse_environment_setting(
    value: &str,
    specifiers: Option<&SpecifierContext>,
) -> EnvironmentSetting {
    let mut setting = EnvironmentSetting::default();
    if value.is_empty() {
        setting.reset = true;
        return setting;
    }
    let mut rest = value;
    loop {
        let word = match extract_first_word(rest, ExtractFlags::UNQUOTE_CUNESCAPE) {
            Ok(Some((word, next))) => {
                rest = next;
                word
            }
            Ok(None) => return setting,
            Err(_) => {
                setting.diagnostics.push(EnvironmentError::InvalidSyntax {
                    value: value.to_string(),
                });
                return setting;
            }
        };
        let resolved = match env_specifiers(&word, specifiers) {
            Ok(resolved) => resolved,
            Err(error) => {
                setting
                    .diagnostics
                    .push(EnvironmentError::Specifiers { word, error });
                continue;
            }
        };
        match resolved.split_once('=') {
            Some((name, val)) if env_assignment_is_valid(&resolved) => {
                env_replace(&mut setting.assignments, name, val);
            }
            _ => setting
                .diagnostics
                .push(EnvironmentError::InvalidAssignment {
                    assignment: resolved,
                }),
        }
    }
}

// ---------------------------------------------------------------------------
// PassEnvironment= and UnsetEnvironment=

/// What one PassEnvironment= or UnsetEnvironment= line does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameListSetting {
    /// The value was empty: the list is cleared.
    pub reset: bool,
    /// Entries to append, in order.
    pub entries: Vec<String>,
    pub diagnostics: Vec<EnvironmentError>,
}

/// Parses a PassEnvironment= value: variable names, quotes allowed, no
/// escapes.
pub fn parse_pass_environment(
    value: &str,
    specifiers: Option<&SpecifierContext>,
) -> NameListSetting {
    parse_name_list(
        value,
        "PassEnvironment",
        ExtractFlags::UNQUOTE,
        specifiers,
        env_name_is_valid,
    )
}

/// Parses an UnsetEnvironment= value: names or `NAME=VALUE` assignments,
/// quotes and C escapes allowed.
pub fn parse_unset_environment(
    value: &str,
    specifiers: Option<&SpecifierContext>,
) -> NameListSetting {
    parse_name_list(
        value,
        "UnsetEnvironment",
        ExtractFlags::UNQUOTE_CUNESCAPE,
        specifiers,
        |word| env_assignment_is_valid(word) || env_name_is_valid(word),
    )
}

fn parse_name_list(
    value: &str,
    setting_name: &str,
    flags: ExtractFlags,
    specifiers: Option<&SpecifierContext>,
    is_valid: impl Fn(&str) -> bool,
) -> NameListSetting {
    let is_unset = setting_name == "UnsetEnvironment";
    let mut setting = NameListSetting::default();
    if value.is_empty() {
        setting.reset = true;
        return setting;
    }
    let mut rest = value;
    loop {
        let word = match extract_first_word(rest, flags) {
            Ok(Some((word, next))) => {
                rest = next;
                word
            }
            Ok(None) => return setting,
            Err(_) => {
                setting.diagnostics.push(EnvironmentError::TrailingGarbage {
                    setting: setting_name.to_string(),
                    value: value.to_string(),
                });
                return setting;
            }
        };
        let resolved = match env_specifiers(&word, specifiers) {
            Ok(resolved) => resolved,
            Err(error) if is_unset => {
                setting
                    .diagnostics
                    .push(EnvironmentError::UnitSpecifiers { word, error });
                continue;
            }
            Err(error) => {
                setting
                    .diagnostics
                    .push(EnvironmentError::Specifiers { word, error });
                continue;
            }
        };
        if is_valid(&resolved) {
            setting.entries.push(resolved);
        } else if is_unset {
            setting
                .diagnostics
                .push(EnvironmentError::InvalidNameOrAssignment {
                    setting: setting_name.to_string(),
                    word: resolved,
                });
        } else {
            setting.diagnostics.push(EnvironmentError::InvalidName {
                setting: setting_name.to_string(),
                name: resolved,
            });
        }
    }
}

// ---------------------------------------------------------------------------
// EnvironmentFile=

/// One EnvironmentFile= entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentFileEntry {
    /// The path (simplified); it may hold glob characters, every match is
    /// read.
    pub path: String,
    /// `-` prefix: a missing file is not an error.
    pub optional: bool,
}

/// What one EnvironmentFile= line does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentFileSetting {
    /// The value was empty: the list is cleared.
    Reset,
    Add(EnvironmentFileEntry),
    /// The line is ignored, with this warning.
    Ignored(EnvironmentError),
}

/// Splits the `-` prefix off an EnvironmentFile= path: `(path, optional)`.
pub fn parse_environment_file_setting(value: &str) -> (&str, bool) {
    match value.strip_prefix('-') {
        Some(path) => (path, true),
        None => (value, false),
    }
}

/// Parses an EnvironmentFile= value as systemd 252 does: specifiers resolve
/// in the whole value (one path, no word splitting), then the path after an
/// optional `-` must be absolute and normalized; it is simplified.
pub fn parse_environment_file_value(
    value: &str,
    specifiers: Option<&SpecifierContext>,
) -> EnvironmentFileSetting {
    if value.is_empty() {
        return EnvironmentFileSetting::Reset;
    }
    let resolved = match specifiers {
        Some(ctx) => {
            match specifier::expand_specifiers_with(value, ctx, SpecifierTable::Full, PATH_MAX) {
                Ok(resolved) => resolved,
                Err(error) => {
                    return EnvironmentFileSetting::Ignored(EnvironmentError::PathSpecifiers {
                        value: value.to_string(),
                        error,
                    });
                }
            }
        }
        None => value.to_string(),
    };
    let (path, optional) = parse_environment_file_setting(&resolved);
    let setting = "EnvironmentFile".to_string();
    if !path.starts_with('/') {
        return EnvironmentFileSetting::Ignored(EnvironmentError::PathNotAbsolute {
            setting,
            path: path.to_string(),
        });
    }
    let simplified = specifier::simplify_path(path);
    if !specifier::path_is_valid(&simplified) {
        return EnvironmentFileSetting::Ignored(EnvironmentError::PathInvalidLength {
            setting,
            length: simplified.len(),
        });
    }
    if !specifier::path_is_normalized(&simplified) {
        return EnvironmentFileSetting::Ignored(EnvironmentError::PathNotNormalized {
            setting,
            path: simplified,
        });
    }
    EnvironmentFileSetting::Add(EnvironmentFileEntry {
        path: simplified,
        optional,
    })
}

/// The content of an environment file, read as systemd 252 reads it
/// (`load_env_file()`), with invalid assignments dropped. Later
/// assignments of a name override earlier ones in place.
pub fn parse_environment_file(text: &str) -> Environment {
    parse_environment_file_reporting(text).0
}

/// As [`parse_environment_file`], also returning the assignments dropped as
/// invalid, as `NAME=VALUE` text; systemd logs each when the command starts:
/// `Ignoring invalid environment assignment 'TEXT': PATH`.
pub fn parse_environment_file_reporting(text: &str) -> (Environment, Vec<String>) {
    let mut raw = Environment::new();
    for (key, value) in read_env_file_pairs(text) {
        env_replace(&mut raw, &key, &value);
    }
    let mut valid = Environment::new();
    let mut invalid = Vec::new();
    for (key, value) in raw {
        let assignment = format!("{key}={value}");
        match assignment.split_once('=') {
            Some((name, val)) if env_assignment_is_valid(&assignment) => {
                valid.push((name.to_string(), val.to_string()));
            }
            _ => invalid.push(assignment),
        }
    }
    (valid, invalid)
}

/// The message systemd logs for an assignment dropped from an environment
/// file.
pub fn invalid_file_assignment_message(assignment: &str, path: &str) -> String {
    format!("Ignoring invalid environment assignment '{assignment}': {path}")
}

/// The states of systemd's environment-file reader.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EnvFileState {
    PreKey,
    Key,
    PreValue,
    Value,
    ValueEscape,
    SingleQuoted,
    DoubleQuoted,
    DoubleQuotedEscape,
    Comment,
    CommentEscape,
}

/// Characters a backslash escapes inside double quotes (`SHELL_NEED_ESCAPE`);
/// before any other character the backslash is kept, as a shell keeps it.
const DOUBLE_QUOTE_ESCAPABLE: &[char] = &['"', '\\', '`', '$'];

/// Reads `KEY=VALUE` pairs from an environment file (`parse_env_file_internal()`),
/// without validating names:
/// - blank lines and lines starting with `#` or `;` (after blanks) are
///   skipped; a backslash at the end of a comment continues it;
/// - a line without `=` is skipped;
/// - blanks around the key and before the value are dropped, trailing blanks
///   of an unquoted value too;
/// - unquoted, a backslash takes the next character literally and a
///   backslash-newline joins lines;
/// - `'...'` is literal; `"..."` unescapes `\" \\ \` \$` and joins lines
///   at a backslash-newline; quoted and unquoted parts concatenate;
/// - `export` is not special (`export A=1` has the key `export A`, invalid).
fn read_env_file_pairs(text: &str) -> Vec<(String, String)> {
    use EnvFileState as S;
    let is_blank = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let is_newline = |c: char| matches!(c, '\n' | '\r');
    let mut pairs = Vec::new();
    let mut state = S::PreKey;
    let mut key = String::new();
    let mut value = String::new();
    // Byte length of the key/value before their trailing blanks, if any.
    let mut key_blank_from: Option<usize> = None;
    let mut value_blank_from: Option<usize> = None;

    let finish =
        |key: &mut String, value: &mut String, key_cut: Option<usize>, value_cut: Option<usize>| {
            if let Some(cut) = key_cut {
                key.truncate(cut);
            }
            if let Some(cut) = value_cut {
                value.truncate(cut);
            }
            (std::mem::take(key), std::mem::take(value))
        };

    for c in text.chars() {
        state = match state {
            S::PreKey if c == '#' || c == ';' => S::Comment,
            S::PreKey if is_blank(c) => S::PreKey,
            S::PreKey => {
                key_blank_from = None;
                key.clear();
                key.push(c);
                S::Key
            }
            S::Key if is_newline(c) => {
                key.clear();
                S::PreKey
            }
            S::Key if c == '=' => {
                value.clear();
                value_blank_from = None;
                S::PreValue
            }
            S::Key => {
                if !is_blank(c) {
                    key_blank_from = None;
                } else if key_blank_from.is_none() {
                    key_blank_from = Some(key.len());
                }
                key.push(c);
                S::Key
            }
            S::PreValue if is_newline(c) => {
                pairs.push(finish(&mut key, &mut value, key_blank_from, None));
                S::PreKey
            }
            S::PreValue if c == '\'' => S::SingleQuoted,
            S::PreValue if c == '"' => S::DoubleQuoted,
            S::PreValue if c == '\\' => S::ValueEscape,
            S::PreValue if is_blank(c) => S::PreValue,
            S::PreValue => {
                value.push(c);
                S::Value
            }
            S::Value if is_newline(c) => {
                pairs.push(finish(
                    &mut key,
                    &mut value,
                    key_blank_from,
                    value_blank_from,
                ));
                S::PreKey
            }
            S::Value if c == '\\' => {
                value_blank_from = None;
                S::ValueEscape
            }
            S::Value => {
                if !is_blank(c) {
                    value_blank_from = None;
                } else if value_blank_from.is_none() {
                    value_blank_from = Some(value.len());
                }
                value.push(c);
                S::Value
            }
            S::ValueEscape => {
                // An escaped newline is dropped entirely.
                if !is_newline(c) {
                    value.push(c);
                }
                S::Value
            }
            S::SingleQuoted if c == '\'' => S::PreValue,
            S::SingleQuoted => {
                value.push(c);
                S::SingleQuoted
            }
            S::DoubleQuoted if c == '"' => S::PreValue,
            S::DoubleQuoted if c == '\\' => S::DoubleQuotedEscape,
            S::DoubleQuoted => {
                value.push(c);
                S::DoubleQuoted
            }
            S::DoubleQuotedEscape => {
                if DOUBLE_QUOTE_ESCAPABLE.contains(&c) {
                    value.push(c);
                } else if c != '\n' {
                    value.push('\\');
                    value.push(c);
                }
                S::DoubleQuoted
            }
            S::Comment if c == '\\' => S::CommentEscape,
            S::Comment if is_newline(c) => S::PreKey,
            S::Comment => S::Comment,
            S::CommentEscape => S::Comment,
        };
    }
    match state {
        S::Value => pairs.push(finish(
            &mut key,
            &mut value,
            key_blank_from,
            value_blank_from,
        )),
        S::PreValue
        | S::ValueEscape
        | S::SingleQuoted
        | S::DoubleQuoted
        | S::DoubleQuotedEscape => {
            pairs.push(finish(&mut key, &mut value, key_blank_from, None));
        }
        S::PreKey | S::Key | S::Comment | S::CommentEscape => {}
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn messages(diagnostics: &[EnvironmentError]) -> Vec<String> {
        diagnostics.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn names_follow_bash() {
        for good in ["A", "_", "a1", "PATH", "_X_9"] {
            assert!(env_name_is_valid(good), "{good:?}");
        }
        for bad in ["", "1A", "A-B", "A B", "A=", "Ä", "A.B"] {
            assert!(!env_name_is_valid(bad), "{bad:?}");
        }
        assert!(env_assignment_is_valid("A="));
        assert!(env_assignment_is_valid("A=b=c\n\t"));
        assert!(!env_assignment_is_valid("A"));
        assert!(!env_assignment_is_valid("=x"));
    }

    #[test]
    fn environment_words_are_assignments() {
        // The example of systemd.exec(5).
        let s =
            parse_environment_setting(r#""VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6""#, None);
        assert_eq!(
            s.assignments,
            env(&[
                ("VAR1", "word1 word2"),
                ("VAR2", "word3"),
                ("VAR3", "$word 5 6")
            ])
        );
        assert!(s.diagnostics.is_empty() && !s.reset);
        let s = parse_environment_setting(r"A=tab\there B=\x41 A=again", None);
        assert_eq!(s.assignments, env(&[("A", "again"), ("B", "A")]));
        assert!(parse_environment_setting("", None).reset);
    }

    // The diagnostics below were captured with systemd 252 (252.38-1~deb12u1):
    // a unit `[Service]\nExecStart=/bin/true\nSETTING` in a temporary
    // directory, then `systemd-analyze verify --man=no ./eN.service`, which
    // prints `PATH:3: MESSAGE` on stderr (none of them is fatal).

    #[test]
    fn environment_diagnostics_match_systemd() {
        let ctx = SpecifierContext::for_system_unit("e.service");
        let check = |value: &str, expected: &[&str]| {
            let s = parse_environment_setting(value, Some(&ctx));
            assert_eq!(messages(&s.diagnostics), expected, "{value:?}");
            s.assignments
        };
        // `Environment="A=1 2" 3B=x C`
        let a = check(
            r#""A=1 2" 3B=x C"#,
            &[
                "Invalid environment assignment, ignoring: 3B=x",
                "Invalid environment assignment, ignoring: C",
            ],
        );
        assert_eq!(a, env(&[("A", "1 2")]));
        // `Environment=A=1 "B=2`: the words before the error still apply.
        let a = check(r#"A=1 "B=2"#, &[r#"Invalid syntax, ignoring: A=1 "B=2"#]);
        assert_eq!(a, env(&[("A", "1")]));
        let a = check(
            "A=%Z B=2",
            &["Failed to resolve specifiers in A=%Z, ignoring: Invalid slot"],
        );
        assert_eq!(a, env(&[("B", "2")]));
        check(r"A=\q", &[r"Invalid syntax, ignoring: A=\q"]);
        check(r"A=\x00", &[r"Invalid syntax, ignoring: A=\x00"]);
        let a = check("A=%n", &[]);
        assert_eq!(a, env(&[("A", "e.service")]));
    }

    #[test]
    fn pass_and_unset_environment_match_systemd() {
        let ctx = SpecifierContext::for_system_unit("e.service");
        // `PassEnvironment=A 1B "C`
        let s = parse_pass_environment(r#"A 1B "C"#, Some(&ctx));
        assert_eq!(s.entries, vec!["A".to_string()]);
        assert_eq!(
            messages(&s.diagnostics),
            [
                "Invalid environment name for PassEnvironment, ignoring: 1B",
                r#"Trailing garbage in PassEnvironment, ignoring: A 1B "C"#,
            ]
        );
        // `UnsetEnvironment=A B=1 1C=2 "D`
        let s = parse_unset_environment(r#"A B=1 1C=2 "D"#, Some(&ctx));
        assert_eq!(s.entries, vec!["A".to_string(), "B=1".to_string()]);
        assert_eq!(
            messages(&s.diagnostics),
            [
                "Invalid environment name or assignment UnsetEnvironment, ignoring: 1C=2",
                r#"Trailing garbage in UnsetEnvironment, ignoring: A B=1 1C=2 "D"#,
            ]
        );
        // `PassEnvironment=A%Z B` and `UnsetEnvironment=A%Z B`
        let s = parse_pass_environment("A%Z B", Some(&ctx));
        assert_eq!(
            messages(&s.diagnostics),
            ["Failed to resolve specifiers in A%Z, ignoring: Invalid slot"]
        );
        assert_eq!(s.entries, vec!["B".to_string()]);
        let s = parse_unset_environment("A%Z B", Some(&ctx));
        assert_eq!(
            messages(&s.diagnostics),
            ["Failed to resolve unit specifiers in A%Z, ignoring: Invalid slot"]
        );
        assert!(parse_pass_environment("", None).reset);
        assert!(parse_unset_environment("", None).reset);
    }

    #[test]
    fn environment_file_setting_matches_systemd() {
        let ctx = SpecifierContext::for_system_unit("e.service");
        let parse = |v: &str| parse_environment_file_value(v, Some(&ctx));
        let ignored = |v: &str| match parse(v) {
            EnvironmentFileSetting::Ignored(e) => e.to_string(),
            other => panic!("{v:?}: {other:?}"),
        };
        assert_eq!(
            ignored("relative/path"),
            "EnvironmentFile= path is not absolute, ignoring: relative/path"
        );
        assert_eq!(
            ignored("-relative/path"),
            "EnvironmentFile= path is not absolute, ignoring: relative/path"
        );
        assert_eq!(
            ignored("/a/../b"),
            "EnvironmentFile= path is not normalized, ignoring: /a/../b"
        );
        assert_eq!(
            ignored("/a/%Z"),
            "Failed to resolve unit specifiers in '/a/%Z', ignoring: Invalid slot"
        );
        // `EnvironmentFile=/a//b/./c` gives no diagnostic.
        assert_eq!(
            parse("/a//b/./c"),
            EnvironmentFileSetting::Add(EnvironmentFileEntry {
                path: "/a/b/c".into(),
                optional: false
            })
        );
        assert_eq!(
            parse("-/etc/default/%p"),
            EnvironmentFileSetting::Add(EnvironmentFileEntry {
                path: "/etc/default/e".into(),
                optional: true
            })
        );
        // One path, spaces and all: EnvironmentFile= does not split words.
        assert_eq!(
            parse("/etc/my env"),
            EnvironmentFileSetting::Add(EnvironmentFileEntry {
                path: "/etc/my env".into(),
                optional: false
            })
        );
        assert_eq!(parse(""), EnvironmentFileSetting::Reset);
        assert_eq!(parse_environment_file_setting("-/x"), ("/x", true));
        assert_eq!(parse_environment_file_setting("/x"), ("/x", false));
    }

    /// Captured from systemd 252's `load_env_file()` and
    /// `strv_env_clean_with_callback()` in libsystemd-shared-252.so with a
    /// small C probe (`probe envfile < FILE`: each entry as `[..]` with
    /// bytes outside printable ASCII and `\` as `\xNN`, then `invalid [..]`
    /// for each entry systemd drops when the command starts).
    const ENV_FILE: &str = concat!(
        "# comment\n",
        "; also comment\n",
        "   # indented comment \\\n",
        "continued comment line\n",
        "A=1\n",
        "B = spaced  value   \n",
        "C=\"double \\\"quoted\\\" \\$x \\` \\\\ \\n kept\"\n",
        "D='single \\n \"raw\"'\n",
        "E=unquoted\\ escaped\\ space\\ \n",
        "F=line\\\n",
        "continued\n",
        "G=\"multi\\\n",
        "line\"\n",
        "H=\"x\" 'y' z\n",
        "I=foo\"bar\"'baz'\n",
        "export J=1\n",
        "K\n",
        "1L=bad\n",
        "M_=ok\n",
        "N=\n",
        "O\n",
        "P=first\n",
        "P=second\n",
        "Q=  lead\n",
        " R =r\n",
        "S=a # not a comment\n",
        "T=\"unterminated\n",
    );

    #[test]
    fn environment_files_read_like_systemd() {
        let (valid, invalid) = parse_environment_file_reporting(ENV_FILE);
        assert_eq!(
            valid,
            env(&[
                ("A", "1"),
                ("B", "spaced  value"),
                ("C", "double \"quoted\" $x ` \\ \\n kept"),
                ("D", "single \\n \"raw\""),
                ("E", "unquoted escaped space "),
                ("F", "linecontinued"),
                ("G", "multiline"),
                ("H", "xyz"),
                ("I", "foo\"bar\"'baz'"),
                ("M_", "ok"),
                ("N", ""),
                ("P", "second"),
                ("Q", "lead"),
                ("R", "r"),
                ("S", "a # not a comment"),
                ("T", "unterminated\n"),
            ])
        );
        assert_eq!(
            invalid,
            vec!["export J=1".to_string(), "1L=bad".to_string()]
        );
        assert_eq!(
            invalid_file_assignment_message(&invalid[0], "/etc/x.env"),
            "Ignoring invalid environment assignment 'export J=1': /etc/x.env"
        );
    }

    #[test]
    fn environment_file_line_ends_and_odd_keys() {
        // Probe: `A=1\r\nB=2\rC=3\` gave [A=1][B=2][C=3].
        assert_eq!(
            parse_environment_file("A=1\r\nB=2\rC=3\\"),
            env(&[("A", "1"), ("B", "2"), ("C", "3")])
        );
        // Probe: `==x\n=y\nA=1\nA B=2\n\tTAB=\t1\t\n` gave [==x][A=1][A B=2]
        // [TAB=1], then invalid [==x] and [A B=2].
        let (valid, invalid) =
            parse_environment_file_reporting("==x\n=y\nA=1\nA B=2\n\tTAB=\t1\t\n");
        assert_eq!(valid, env(&[("A", "1"), ("TAB", "1")]));
        assert_eq!(invalid, vec!["==x".to_string(), "A B=2".to_string()]);
        assert_eq!(parse_environment_file(""), vec![]);
    }

    #[test]
    fn merge_order_is_systemd_order() {
        let manager = env(&[("PATH", "/usr/bin"), ("LANG", "C")]);
        let service = env(&[("INVOCATION_ID", "x")]);
        let passed = resolve_pass_environment(&["LANG".into(), "MISSING".into()], &|n| {
            (n == "LANG").then(|| "C.UTF-8".to_string())
        });
        assert_eq!(passed, env(&[("LANG", "C.UTF-8")]));
        let environment = env(&[("A", "env"), ("B", "env"), ("PATH", "/opt/bin")]);
        let files = env(&[("B", "file"), ("C", "file")]);
        let unset = vec![
            "C".to_string(),
            "A=other".to_string(),
            "INVOCATION_ID=x".to_string(),
        ];
        let built = build_exec_environment(&EnvironmentLayers {
            manager: &manager,
            service: &service,
            passed: &passed,
            environment: &environment,
            files: &files,
            unset: &unset,
            ..EnvironmentLayers::default()
        });
        assert_eq!(
            built,
            env(&[
                ("PATH", "/opt/bin"),
                ("LANG", "C.UTF-8"),
                ("A", "env"),
                ("B", "file")
            ])
        );
    }

    #[test]
    fn replacing_keeps_the_first_position() {
        let mut e = env(&[("A", "1"), ("B", "2")]);
        env_replace(&mut e, "A", "3");
        env_replace(&mut e, "C", "4");
        assert_eq!(e, env(&[("A", "3"), ("B", "2"), ("C", "4")]));
    }

    /// Writes an environment as an environment file that reads back the
    /// same: every value double-quoted, with the four escapable characters
    /// escaped.
    fn format_environment_file(env: &Environment) -> String {
        env.iter()
            .map(|(k, v)| {
                let mut escaped = String::new();
                for c in v.chars() {
                    if DOUBLE_QUOTE_ESCAPABLE.contains(&c) {
                        escaped.push('\\');
                    }
                    escaped.push(c);
                }
                format!("{k}=\"{escaped}\"\n")
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parsing_never_panics(text in prop_oneof!["(?s).{0,40}", "[-@:+!;\\\\\"' \t\r\nau0-9$%{}/.=#é\u{1}]{0,40}"]) {
            let _ = parse_environment_file_reporting(&text);
            let _ = parse_environment_setting(&text, None);
            let _ = parse_pass_environment(&text, None);
            let _ = parse_unset_environment(&text, Some(&SpecifierContext::for_system_unit("a.service")));
            let _ = parse_environment_file_value(&text, Some(&SpecifierContext::for_system_unit("a.service")));
        }

        #[test]
        fn written_environment_files_read_back(
            pairs in proptest::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,6}", "[^\u{0}]{0,10}"), 0..5)
        ) {
            let mut expected = Environment::new();
            for (k, v) in &pairs {
                env_replace(&mut expected, k, v);
            }
            let text = format_environment_file(&expected);
            prop_assert_eq!(parse_environment_file(&text), expected, "text {:?}", text);
        }

        #[test]
        fn quoted_environment_words_read_back(
            pairs in proptest::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,6}", "[^\u{0}%]{0,10}"), 0..5)
        ) {
            let mut expected = Environment::new();
            for (k, v) in &pairs {
                env_replace(&mut expected, k, v);
            }
            let value = expected
                .iter()
                .map(|(k, v)| crate::syntax::exec::quote_word(&format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(" ");
            let parsed = parse_environment_setting(&value, None);
            prop_assert!(parsed.diagnostics.is_empty());
            prop_assert_eq!(parsed.assignments, expected);
        }
    }
}

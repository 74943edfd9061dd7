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
            env_name_is_valid(name) && env_value_is_valid(value) && assignment.len() <= ARG_MAX - 1
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
    names.iter().filter_map(|name| manager_env(name).map(|value| (name.clone(), value))).collect()
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
    PathSpecifiers { value: String, error: SpecifierError },
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
                setting.diagnostics.push(EnvironmentError::InvalidSyntax { value: value.to_string() });
                return setting;
            }
        };
        let resolved = match env_specifiers(&word, specifiers) {
            Ok(resolved) => resolved,
            Err(error) => {
                setting.diagnostics.push(EnvironmentError::Specifiers { word, error });
                continue;
            }
        };
        match resolved.split_once('=') {
            Some((name, val)) if env_assignment_is_valid(&resolved) => {
                env_replace(&mut setting.assignments, name, val);
            }
            _ => setting.diagnostics.push(EnvironmentError::InvalidAssignment { assignment: resolved }),
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
pub fn parse_pass_environment(value: &str, specifiers: Option<&SpecifierContext>) -> NameListSetting {
    parse_name_list(value, "PassEnvironment", ExtractFlags::UNQUOTE, specifiers, |word| {
        env_name_is_valid(word)
    })
}

/// Parses an UnsetEnvironment= value: names or `NAME=VALUE` assignments,
/// quotes and C escapes allowed.
pub fn parse_unset_environment(value: &str, specifiers: Option<&SpecifierContext>) -> NameListSetting {
    parse_name_list(value, "UnsetEnvironment", ExtractFlags::UNQUOTE_CUNESCAPE, specifiers, |word| {
        env_assignment_is_valid(word) || env_name_is_valid(word)
    })
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
                setting.diagnostics.push(EnvironmentError::UnitSpecifiers { word, error });
                continue;
            }
            Err(error) => {
                setting.diagnostics.push(EnvironmentError::Specifiers { word, error });
                continue;
            }
        };
        if is_valid(&resolved) {
            setting.entries.push(resolved);
        } else if is_unset {
            setting.diagnostics.push(EnvironmentError::InvalidNameOrAssignment {
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
        Some(ctx) => match specifier::expand_specifiers_with(value, ctx, SpecifierTable::Full, PATH_MAX) {
            Ok(resolved) => resolved,
            Err(error) => {
                return EnvironmentFileSetting::Ignored(EnvironmentError::PathSpecifiers {
                    value: value.to_string(),
                    error,
                });
            }
        },
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
    EnvironmentFileSetting::Add(EnvironmentFileEntry { path: simplified, optional })
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

    let finish = |key: &mut String, value: &mut String, key_cut: Option<usize>, value_cut: Option<usize>| {
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
                pairs.push(finish(&mut key, &mut value, key_blank_from, value_blank_from));
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
        S::Value => pairs.push(finish(&mut key, &mut value, key_blank_from, value_blank_from)),
        S::PreValue | S::ValueEscape | S::SingleQuoted | S::DoubleQuoted | S::DoubleQuotedEscape => {
            pairs.push(finish(&mut key, &mut value, key_blank_from, None));
        }
        S::PreKey | S::Key | S::Comment | S::CommentEscape => {}
    }
    pairs
}

//! Command lines of ExecStart= and friends, per systemd.service(5) "COMMAND
//! LINES", as systemd 252 parses them (`config_parse_exec()`), and the
//! `$VAR`/`${VAR}` expansion applied when a command is about to run
//! (`replace_env_argv()`).
//!
//! The word grammar shared by many settings (`extract_first_word()`: quotes,
//! C escapes, whitespace separators) lives here too, as [`extract_first_word`].

use crate::syntax::specifier::{
    self, LONG_LINE_MAX, PATH_SPECIFIER_MAX, SpecifierContext, SpecifierError, SpecifierTable,
};

// ---------------------------------------------------------------------------
// Words

/// Whitespace as systemd separates words (`WHITESPACE`).
const WHITESPACE: &[u8] = b" \t\n\r";

fn is_whitespace(b: u8) -> bool {
    WHITESPACE.contains(&b)
}

/// How [`extract_first_word`] reads a word; the subset of systemd's
/// `ExtractFlags` that unit settings use. Separators are always whitespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractFlags {
    /// `EXTRACT_RELAX`: an unterminated quote or a trailing backslash ends the
    /// word instead of being an error.
    pub relax: bool,
    /// `EXTRACT_CUNESCAPE`: decode C escapes (`\n`, `\x41`, `\u00e9`, ...).
    pub cunescape: bool,
    /// `EXTRACT_UNESCAPE_RELAX`: keep unknown escapes and a trailing
    /// backslash as written.
    pub unescape_relax: bool,
    /// `EXTRACT_UNQUOTE`: `"..."` and `'...'` group words and are removed.
    pub unquote: bool,
}

impl ExtractFlags {
    /// `EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE`: command lines, Environment=,
    /// UnsetEnvironment=.
    pub const UNQUOTE_CUNESCAPE: ExtractFlags = ExtractFlags {
        relax: false,
        cunescape: true,
        unescape_relax: false,
        unquote: true,
    };
    /// `EXTRACT_UNQUOTE`: PassEnvironment=.
    pub const UNQUOTE: ExtractFlags = ExtractFlags {
        relax: false,
        cunescape: false,
        unescape_relax: false,
        unquote: true,
    };
    /// `EXTRACT_RELAX|EXTRACT_UNQUOTE`: splitting a variable's value for `$VAR`.
    pub const RELAX_UNQUOTE: ExtractFlags = ExtractFlags {
        relax: true,
        cunescape: false,
        unescape_relax: false,
        unquote: true,
    };
}

/// `extract_first_word()` failed: an unterminated quote, a trailing
/// backslash or (without `unescape_relax`) an unknown escape (EINVAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Invalid argument")]
pub struct ExtractError;

/// A word and the text after it (separators already skipped; empty when the
/// input is used up).
pub type Word<'a> = (String, &'a str);

/// Reads the first whitespace-separated word of `input`. `Ok(None)` when
/// there is none (the input is empty or only whitespace).
///
/// Decoded bytes that do not form UTF-8 (`\xff`) are replaced by U+FFFD.
pub fn extract_first_word(
    input: &str,
    flags: ExtractFlags,
) -> Result<Option<Word<'_>>, ExtractError> {
    let bytes = input.as_bytes();
    let mut i = bytes.iter().take_while(|b| is_whitespace(**b)).count();
    if i == bytes.len() {
        return Ok(None);
    }
    let mut word: Vec<u8> = Vec::new();
    let mut quote: Option<u8> = None;
    let mut backslash = false;
    loop {
        let c = bytes.get(i).copied();
        if backslash {
            let Some(c) = c else {
                if flags.unescape_relax && (quote.is_none() || flags.relax) {
                    word.push(b'\\');
                    return Ok(Some((into_string(word), "")));
                }
                if flags.relax {
                    return Ok(Some((into_string(word), "")));
                }
                return Err(ExtractError);
            };
            if flags.cunescape {
                match cunescape_one(&bytes[i..]) {
                    Some((decoded, used)) => {
                        decoded.push_to(&mut word);
                        i += used;
                    }
                    None if flags.unescape_relax => {
                        word.push(b'\\');
                        word.push(c);
                        i += 1;
                    }
                    None => return Err(ExtractError),
                }
            } else {
                word.push(c);
                i += 1;
            }
            backslash = false;
            continue;
        }
        match (quote, c) {
            (Some(_), None) => {
                if flags.relax {
                    return Ok(Some((into_string(word), "")));
                }
                return Err(ExtractError);
            }
            (Some(q), Some(c)) if c == q => quote = None,
            (_, Some(b'\\')) => backslash = true,
            (Some(_), Some(c)) => word.push(c),
            (None, None) => return Ok(Some((into_string(word), ""))),
            (None, Some(c @ (b'"' | b'\''))) if flags.unquote => quote = Some(c),
            (None, Some(c)) if is_whitespace(c) => {
                let rest = &input[i..];
                let rest =
                    rest.trim_start_matches(|ch: char| ch.is_ascii() && is_whitespace(ch as u8));
                return Ok(Some((into_string(word), rest)));
            }
            (None, Some(c)) => word.push(c),
        }
        i += 1;
    }
}

fn into_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// What one C escape decodes to: a raw byte (`\x`, octal) or a code point
/// (`\u`, `\U`, the letters).
enum Unescaped {
    Byte(u8),
    CodePoint(u32),
}

impl Unescaped {
    fn push_to(self, out: &mut Vec<u8>) {
        match self {
            Unescaped::Byte(b) => out.push(b),
            Unescaped::CodePoint(cp) => encode_utf8_like_systemd(cp, out),
        }
    }
}

/// `utf8_encode_unichar()`: plain UTF-8 encoding, which (unlike Rust's
/// `char`) also encodes surrogates; the caller replaces those later.
fn encode_utf8_like_systemd(cp: u32, out: &mut Vec<u8>) {
    // Each `as u8` keeps the low bits on purpose: these are the UTF-8 bytes.
    if cp < 0x80 {
        out.push(cp as u8);
    } else if cp < 0x800 {
        out.extend([0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]);
    } else if cp < 0x10000 {
        out.extend([
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    } else if cp < 0x20_0000 {
        out.extend([
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]);
    }
}

/// `unichar_is_valid()`.
fn unichar_is_valid(cp: u32) -> bool {
    cp < 0x11_0000
        && (cp & 0xffff_f800) != 0xd800
        && !(0xfdd0..=0xfdef).contains(&cp)
        && (cp & 0xfffe) != 0xfffe
}

fn hex_digits(bytes: &[u8], n: usize) -> Option<u32> {
    let digits = bytes.get(..n)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc << 4 | char::from(b).to_digit(16)?))
}

/// Decodes the escape after a backslash (`cunescape_one()`); `bytes` starts
/// with the character after the backslash. Returns the value and how many
/// bytes it used; `None` for an unknown or malformed escape, or one that
/// would produce a NUL.
fn cunescape_one(bytes: &[u8]) -> Option<(Unescaped, usize)> {
    let simple = |b: u8| Some((Unescaped::CodePoint(u32::from(b)), 1));
    match *bytes.first()? {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' => simple(b'\\'),
        b'"' => simple(b'"'),
        b'\'' => simple(b'\''),
        b's' => simple(b' '),
        b'x' => {
            let v = hex_digits(&bytes[1..], 2)?;
            let b = u8::try_from(v).ok().filter(|b| *b != 0)?;
            Some((Unescaped::Byte(b), 3))
        }
        b'u' => {
            let v = hex_digits(&bytes[1..], 4).filter(|v| *v != 0)?;
            Some((Unescaped::CodePoint(v), 5))
        }
        b'U' => {
            let v = hex_digits(&bytes[1..], 8).filter(|v| *v != 0 && unichar_is_valid(*v))?;
            Some((Unescaped::CodePoint(v), 9))
        }
        b'0'..=b'7' => {
            let digits = bytes.get(..3)?;
            let v = digits.iter().try_fold(0u32, |acc, &b| match b {
                b'0'..=b'7' => Some(acc << 3 | u32::from(b - b'0')),
                _ => None,
            })?;
            let b = u8::try_from(v).ok().filter(|b| *b != 0)?;
            Some((Unescaped::Byte(b), 3))
        }
        _ => None,
    }
}

/// A word read the way `extract_first_word_and_warn()` reads it: an unknown
/// escape is kept as written (and reported), an unbalanced quote is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientWord<'a> {
    pub word: String,
    pub rest: &'a str,
    /// The word held unknown escapes, kept verbatim; systemd warns
    /// `Ignoring unknown escape sequences: "WORD"`.
    pub kept_unknown_escapes: bool,
}

/// `extract_first_word_and_warn()`: as [`extract_first_word`], retrying with
/// `unescape_relax` when the first attempt fails. `Err` only for an
/// unbalanced quote (systemd: `Unbalanced quoting, ignoring: "VALUE"`).
pub fn extract_first_word_lenient(
    input: &str,
    flags: ExtractFlags,
) -> Result<Option<LenientWord<'_>>, ExtractError> {
    let strict = extract_first_word(input, flags);
    let (found, kept_unknown_escapes) = match strict {
        Ok(found) => (found, false),
        Err(e) if flags.unescape_relax => return Err(e),
        Err(_) => (
            extract_first_word(
                input,
                ExtractFlags {
                    unescape_relax: true,
                    ..flags
                },
            )?,
            true,
        ),
    };
    Ok(found.map(|(word, rest)| LenientWord {
        word,
        rest,
        kept_unknown_escapes,
    }))
}

// ---------------------------------------------------------------------------
// Command lines

/// One command of an Exec*= setting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecCommand {
    /// The executable: an absolute path (simplified: no `//`, `/./`) or a
    /// plain file name looked up at run time.
    pub path: String,
    /// The arguments, argv[0] first. Without `@`, argv[0] is the path as
    /// written (before simplification).
    pub argv: Vec<String>,
    /// `-`: a non-zero exit (or a missing executable) is not a failure.
    pub ignore_failure: bool,
    /// `@`: the second word is argv[0], the first only names the executable.
    pub no_argv0: bool,
    /// `:`: no `$VAR` expansion.
    pub no_env_expand: bool,
    /// `+`: run with full privileges, no sandboxing or credential changes.
    pub privileged: bool,
    /// `!`: sandboxing applies, but User=/Group= are not.
    pub no_setuid: bool,
    /// `!!`: like `!` on kernels without ambient capabilities, else plain.
    pub ambient: bool,
}

/// How bad a diagnostic is, as systemd logs it (both print the same line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

/// A problem in an Exec*= value. `Display` is the message systemd 252 logs
/// after `FILE:LINE: `; `ignoring` is set when the command had the `-`
/// prefix (systemd then adds ", ignoring" and does not fail the unit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    #[error("Ignoring unknown escape sequences: \"{word}\"")]
    UnknownEscapes { word: String },
    #[error("Unbalanced quoting, ignoring: \"{value}\"")]
    UnbalancedQuoting { value: String },
    #[error("Failed to resolve unit specifiers in '{path}'{}: {error}", ignoring_suffix(*.ignoring))]
    PathSpecifiers {
        path: String,
        ignoring: bool,
        error: SpecifierError,
    },
    #[error("Failed to resolve unit specifiers in {word}{}: {error}", ignoring_suffix(*.ignoring))]
    ArgumentSpecifiers {
        word: String,
        ignoring: bool,
        error: SpecifierError,
    },
    #[error("Empty path in command line{}: '{value}'", ignoring_suffix(*.ignoring))]
    EmptyPath { value: String, ignoring: bool },
    #[error("Executable name contains special characters{}: {path}", ignoring_suffix(*.ignoring))]
    SpecialCharacters { path: String, ignoring: bool },
    #[error("Executable path specifies a directory{}: {path}", ignoring_suffix(*.ignoring))]
    DirectoryPath { path: String, ignoring: bool },
    #[error("Neither a valid executable name nor an absolute path{}: {path}", ignoring_suffix(*.ignoring))]
    InvalidPath { path: String, ignoring: bool },
    #[error("Empty executable name or zeroeth argument{}: {value}", ignoring_suffix(*.ignoring))]
    EmptyArgv0 { value: String, ignoring: bool },
}

fn ignoring_suffix(ignoring: bool) -> &'static str {
    if ignoring { ", ignoring" } else { "" }
}

impl ExecError {
    /// The level systemd logs this at.
    pub fn level(&self) -> Level {
        match self {
            ExecError::UnknownEscapes { .. } => Level::Warning,
            ExecError::UnbalancedQuoting { .. } => Level::Error,
            ExecError::PathSpecifiers { ignoring, .. }
            | ExecError::ArgumentSpecifiers { ignoring, .. }
            | ExecError::EmptyPath { ignoring, .. }
            | ExecError::SpecialCharacters { ignoring, .. }
            | ExecError::DirectoryPath { ignoring, .. }
            | ExecError::InvalidPath { ignoring, .. }
            | ExecError::EmptyArgv0 { ignoring, .. } => {
                if *ignoring {
                    Level::Warning
                } else {
                    Level::Error
                }
            }
        }
    }
}

/// Everything one `ExecStart=VALUE` line does to the command list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecSetting {
    /// The value was empty: the list is cleared.
    pub reset: bool,
    /// Commands to append, in order. When an error stops the line, the
    /// commands before it (separated by ` ; `) are still appended.
    pub commands: Vec<ExecCommand>,
    /// Diagnostics in the order systemd logs them.
    pub diagnostics: Vec<ExecError>,
    /// The error makes the unit fail to load ("bad-setting"): systemd
    /// returns -ENOEXEC here.
    pub fatal: bool,
}

/// Parses an Exec*= value without specifier expansion (`%` stays as
/// written). Strict: any error-level diagnostic is returned as `Err`;
/// warnings (unknown escapes, errors of `-` commands) are dropped. An empty
/// value returns an empty list (meaning "reset").
pub fn parse_exec_value(value: &str) -> Result<Vec<ExecCommand>, ExecError> {
    let setting = parse_exec_setting(value, None);
    match setting
        .diagnostics
        .into_iter()
        .find(|d| d.level() == Level::Error)
    {
        Some(error) => Err(error),
        None => Ok(setting.commands),
    }
}

/// Parses an Exec*= value as systemd 252 does, resolving specifiers with
/// `specifiers` when given (the executable with the path limit, each
/// argument with the argument limit, after unquoting).
pub fn parse_exec_setting(value: &str, specifiers: Option<&SpecifierContext>) -> ExecSetting {
    let mut setting = ExecSetting::default();
    if value.is_empty() {
        setting.reset = true;
        return setting;
    }
    // The text systemd quotes in messages: from the start of the current
    // command, moved on after each command that was added.
    let mut current_value = value;
    let mut p = value;
    loop {
        let first = match extract_first_word_lenient(p, ExtractFlags::UNQUOTE_CUNESCAPE) {
            Ok(Some(w)) => w,
            Ok(None) => return setting,
            Err(_) => {
                setting.diagnostics.push(ExecError::UnbalancedQuoting {
                    value: current_value.to_string(),
                });
                return setting;
            }
        };
        if first.kept_unknown_escapes {
            setting.diagnostics.push(ExecError::UnknownEscapes {
                word: first.word.clone(),
            });
        }
        p = first.rest;
        if first.word == ";" {
            continue;
        }
        match parse_one_command(
            &first.word,
            &mut p,
            current_value,
            specifiers,
            &mut setting.diagnostics,
        ) {
            CommandOutcome::Added(command, more) => {
                setting.commands.push(command);
                current_value = p;
                if !more {
                    return setting;
                }
            }
            CommandOutcome::Stop { fatal } => {
                setting.fatal = fatal;
                return setting;
            }
        }
    }
}

enum CommandOutcome {
    /// A command, and whether a `;` announced another.
    Added(ExecCommand, bool),
    /// The line ends here; `fatal` if the unit fails to load.
    Stop { fatal: bool },
}

/// The prefixes of the first word, and the text after them.
fn split_prefixes(word: &str) -> (ExecCommand, &str) {
    let mut cmd = ExecCommand::default();
    let mut rest = word;
    loop {
        let privilege_set = cmd.privileged || cmd.no_setuid || cmd.ambient;
        match rest.as_bytes().first() {
            Some(b'-') if !cmd.ignore_failure => cmd.ignore_failure = true,
            Some(b'@') if !cmd.no_argv0 => cmd.no_argv0 = true,
            Some(b':') if !cmd.no_env_expand => cmd.no_env_expand = true,
            Some(b'+') if !privilege_set => cmd.privileged = true,
            Some(b'!') if !privilege_set => cmd.no_setuid = true,
            // A second `!` turns `!` into `!!`.
            Some(b'!') if !cmd.privileged && !cmd.ambient => {
                cmd.no_setuid = false;
                cmd.ambient = true;
            }
            _ => return (cmd, rest),
        }
        rest = &rest[1..];
    }
}

/// `string_is_safe()`: no control characters, quotes, backslashes or DEL.
fn string_is_safe(s: &str) -> bool {
    !s.bytes()
        .any(|b| (1..b' ').contains(&b) || matches!(b, b'"' | b'\'' | b'\\' | 0x7f))
}

/// `filename_is_valid()`.
fn filename_is_valid(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains('/') && s.len() <= 255
}

fn resolve_specifiers(
    text: &str,
    specifiers: Option<&SpecifierContext>,
    max_len: usize,
) -> Result<String, SpecifierError> {
    match specifiers {
        Some(ctx) => specifier::expand_specifiers_with(text, ctx, SpecifierTable::Full, max_len),
        None => Ok(text.to_string()),
    }
}

/// The executable of one command: specifiers resolved, then checked.
fn resolve_executable(
    written: &str,
    ignoring: bool,
    value: &str,
    specifiers: Option<&SpecifierContext>,
) -> Result<String, ExecError> {
    let path = resolve_specifiers(written, specifiers, PATH_SPECIFIER_MAX).map_err(|error| {
        ExecError::PathSpecifiers {
            path: written.to_string(),
            ignoring,
            error,
        }
    })?;
    if path.is_empty() {
        return Err(ExecError::EmptyPath {
            value: value.to_string(),
            ignoring,
        });
    }
    if !string_is_safe(&path) {
        return Err(ExecError::SpecialCharacters { path, ignoring });
    }
    if path.ends_with('/') {
        return Err(ExecError::DirectoryPath { path, ignoring });
    }
    let valid = if path.starts_with('/') {
        specifier::path_is_valid(&path)
    } else {
        filename_is_valid(&path)
    };
    if !valid {
        return Err(ExecError::InvalidPath { path, ignoring });
    }
    Ok(path)
}

/// Parses one command whose first word is `first`; `p` is the text after
/// it and is moved past the command (and its `;`).
fn parse_one_command(
    first: &str,
    p: &mut &str,
    value: &str,
    specifiers: Option<&SpecifierContext>,
    diagnostics: &mut Vec<ExecError>,
) -> CommandOutcome {
    let (mut cmd, written) = split_prefixes(first);
    let ignoring = cmd.ignore_failure;
    let path = match resolve_executable(written, ignoring, value, specifiers) {
        Ok(path) => path,
        Err(e) => {
            diagnostics.push(e);
            return CommandOutcome::Stop { fatal: !ignoring };
        }
    };
    if !cmd.no_argv0 {
        cmd.argv.push(path.clone());
    }
    cmd.path = specifier::simplify_path(&path);

    let mut another = false;
    while !p.is_empty() {
        let bytes = p.as_bytes();
        let ends_token = |i: usize| bytes.get(i).is_none_or(|b| is_whitespace(*b));
        // An unquoted lone `;` separates commands.
        if bytes[0] == b';' && ends_token(1) {
            *p = p[1..].trim_start_matches([' ', '\t', '\n', '\r']);
            another = true;
            break;
        }
        // A lone `\;` is a literal `;` argument.
        if bytes[0] == b'\\' && bytes.get(1) == Some(&b';') && ends_token(2) {
            *p = p[2..].trim_start_matches([' ', '\t', '\n', '\r']);
            cmd.argv.push(";".to_string());
            continue;
        }
        let word = match extract_first_word_lenient(p, ExtractFlags::UNQUOTE_CUNESCAPE) {
            Ok(Some(w)) => w,
            Ok(None) => break,
            Err(_) => {
                diagnostics.push(ExecError::UnbalancedQuoting {
                    value: value.to_string(),
                });
                return CommandOutcome::Stop { fatal: !ignoring };
            }
        };
        if word.kept_unknown_escapes {
            diagnostics.push(ExecError::UnknownEscapes {
                word: word.word.clone(),
            });
        }
        *p = word.rest;
        match resolve_specifiers(&word.word, specifiers, LONG_LINE_MAX) {
            Ok(resolved) => cmd.argv.push(resolved),
            Err(error) => {
                diagnostics.push(ExecError::ArgumentSpecifiers {
                    word: word.word,
                    ignoring,
                    error,
                });
                return CommandOutcome::Stop { fatal: !ignoring };
            }
        }
    }
    if cmd.argv.is_empty() {
        diagnostics.push(ExecError::EmptyArgv0 {
            value: value.to_string(),
            ignoring,
        });
        return CommandOutcome::Stop { fatal: !ignoring };
    }
    CommandOutcome::Added(cmd, another)
}

// ---------------------------------------------------------------------------
// Writing commands back

/// Writes a command so that [`parse_exec_value`] reads it back unchanged:
/// prefixes, then each word, quoted where needed. `%` is not doubled; use
/// [`specifier::escape_specifiers`] on the result for a unit file.
pub fn format_exec_command(cmd: &ExecCommand) -> String {
    let mut out = String::new();
    if cmd.ignore_failure {
        out.push('-');
    }
    if cmd.no_argv0 {
        out.push('@');
    }
    if cmd.no_env_expand {
        out.push(':');
    }
    if cmd.privileged {
        out.push('+');
    } else if cmd.ambient {
        out.push_str("!!");
    } else if cmd.no_setuid {
        out.push('!');
    }
    let words: Vec<&str> = if cmd.no_argv0 {
        std::iter::once(cmd.path.as_str())
            .chain(cmd.argv.iter().map(String::as_str))
            .collect()
    } else {
        cmd.argv.iter().map(String::as_str).collect()
    };
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&quote_word(word));
    }
    out
}

/// Joins several commands with ` ; `, as one ExecStartPre= line.
pub fn format_exec_commands(cmds: &[ExecCommand]) -> String {
    cmds.iter()
        .map(format_exec_command)
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// One word, bare when that reads back the same, else in double quotes with
/// C escapes.
pub fn quote_word(word: &str) -> String {
    let bare = !word.is_empty()
        && word != ";"
        && !word
            .chars()
            .any(|c| c.is_control() || matches!(c, ' ' | '"' | '\'' | '\\'));
    if bare {
        return word.to_string();
    }
    let mut out = String::with_capacity(word.len() + 2);
    out.push('"');
    for c in word.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && u32::from(c) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// Environment variable expansion at run time

/// Expands `$VAR` and `${VAR}` in a command's arguments, as systemd 252 does
/// just before it runs the command (`replace_env_argv()`):
/// - an argument that is `$NAME` as a whole becomes the variable's value
///   split into words (quotes in the value group words); an unset or empty
///   variable removes the argument;
/// - elsewhere, `${NAME}` is replaced by the value as is (unset: nothing);
/// - `$$` is a literal `$`;
/// - a `$NAME` inside a longer argument stays as written, and so do
///   `${NAME:-default}` and an unterminated `${NAME`.
pub fn expand_argv(argv: &[String], env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    for arg in argv {
        let whole_variable = arg
            .strip_prefix('$')
            .filter(|rest| !rest.starts_with(['{', '$']));
        match whole_variable {
            Some(name) => {
                if let Some(value) = env(name) {
                    out.extend(split_variable_value(&value));
                }
            }
            None => out.push(replace_braced_variables(arg, env)),
        }
    }
    out
}

/// Splits a value for `$NAME`: whitespace separates, quotes group, a
/// backslash takes the next character literally.
fn split_variable_value(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = value;
    while let Ok(Some((word, next))) = extract_first_word(rest, ExtractFlags::RELAX_UNQUOTE) {
        words.push(word);
        rest = next;
    }
    words
}

/// `replace_env()` without extensions: `${NAME}` and `$$`.
fn replace_braced_variables(text: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    #[derive(PartialEq)]
    enum State {
        Word,
        Dollar,
        Variable,
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending = 0; // start of the text not yet copied to `out`
    let mut state = State::Word;
    for (i, &b) in bytes.iter().enumerate() {
        state = match state {
            State::Word if b == b'$' => State::Dollar,
            State::Word => State::Word,
            State::Dollar if b == b'{' => {
                out.push_str(&text[pending..i - 1]);
                pending = i - 1;
                State::Variable
            }
            State::Dollar if b == b'$' => {
                out.push_str(&text[pending..i]);
                pending = i + 1;
                State::Word
            }
            State::Dollar => State::Word,
            State::Variable if b == b'}' => {
                if let Some(value) = env(&text[pending + 2..i]) {
                    out.push_str(&value);
                }
                pending = i + 1;
                State::Word
            }
            // `${NAME:...}` is syntax this expansion does not support: the
            // text stays as written.
            State::Variable if b == b':' => State::Word,
            State::Variable => State::Variable,
        };
    }
    out.push_str(&text[pending..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::specifier::SpecifierContext;
    use proptest::prelude::*;

    /// Decodes the probe's `[word][word]` output (bytes outside printable
    /// ASCII and `\` written as `\xNN`) into words; bytes that are not
    /// UTF-8 become U+FFFD, as this module's words do.
    fn decode_probe_words(text: &str) -> Vec<String> {
        let bytes = text.as_bytes();
        let mut words = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            assert_eq!(bytes[i], b'[', "bad probe output {text:?}");
            i += 1;
            let mut word = Vec::new();
            while bytes[i] != b']' {
                if bytes[i] == b'\\' {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    word.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                } else {
                    word.push(bytes[i]);
                    i += 1;
                }
            }
            i += 1;
            words.push(String::from_utf8_lossy(&word).into_owned());
        }
        words
    }

    fn flags_from_bits(bits: u32) -> ExtractFlags {
        ExtractFlags {
            relax: bits & 1 != 0,
            cunescape: bits & 2 != 0,
            unescape_relax: bits & 4 != 0,
            unquote: bits & 32 != 0,
        }
    }

    /// Every word of `input`, and whether reading stopped at an error.
    fn all_words(input: &str, flags: ExtractFlags) -> (Vec<String>, bool) {
        let mut words = Vec::new();
        let mut rest = input;
        loop {
            match extract_first_word(rest, flags) {
                Ok(Some((w, next))) => {
                    words.push(w);
                    rest = next;
                }
                Ok(None) => return (words, false),
                Err(ExtractError) => return (words, true),
            }
        }
    }

    /// Captured from systemd 252's own `extract_first_word()` in
    /// libsystemd-shared-252.so with a small C probe (`probe words FLAGS
    /// TEXT`: call it until it returns 0 or an error, print each word as
    /// `[..]` with bytes outside printable ASCII and `\` as `\xNN`, an error
    /// as `ERR -errno`). FLAGS: 1 RELAX, 2 CUNESCAPE, 4 UNESCAPE_RELAX,
    /// 32 UNQUOTE. Columns: flags, input, output.
    const EXTRACT_WORD_CORPUS: &str = r#"
34	a b  c	[a][b][c]
34	  lead and trail  	[lead][and][trail]
34	"quoted words" 'single quoted'	[quoted words][single quoted]
34	mid"dle quo"te	[middle quote]
34	"unterminated	ERR -22
34	'unterminated	ERR -22
34	trailing\	ERR -22
34	"in quote trailing\	ERR -22
34	esc\n\t\a\b\f\r\v\s\\\"\'	[esc\x0a\x09\x07\x08\x0c\x0d\x0b \x5c"']
34	hex\x41\x7a\xc3\xa9	[hexAz\xc3\xa9]
34	hex\x00nul	ERR -22
34	hex\xg1	ERR -22
34	oct\101\377\400	ERR -22
34	oct\000	ERR -22
34	u\u00e9\u0041	[u\xc3\xa9A]
34	u\u0000	ERR -22
34	U\U0001F600	[U\xf0\x9f\x98\x80]
34	U\UFFFFFFFF	ERR -22
34	U\U0000D800	ERR -22
34	"esc in \"quotes\" \n"	[esc in "quotes" \x0a]
34	'single \n \x41'	[single \x0a A]
34	\q unknown	ERR -22
34	a\ b	ERR -22
34	""	[]
34	'' x ""	[][x][]
34	a"" b	[a][b]
34	tab	sep	words	[tab][sep][words]
38	a b  c	[a][b][c]
38	  lead and trail  	[lead][and][trail]
38	"quoted words" 'single quoted'	[quoted words][single quoted]
38	mid"dle quo"te	[middle quote]
38	"unterminated	ERR -22
38	'unterminated	ERR -22
38	trailing\	[trailing\x5c]
38	"in quote trailing\	ERR -22
38	esc\n\t\a\b\f\r\v\s\\\"\'	[esc\x0a\x09\x07\x08\x0c\x0d\x0b \x5c"']
38	hex\x41\x7a\xc3\xa9	[hexAz\xc3\xa9]
38	hex\x00nul	[hex\x5cx00nul]
38	hex\xg1	[hex\x5cxg1]
38	oct\101\377\400	[octA\xff\x5c400]
38	oct\000	[oct\x5c000]
38	u\u00e9\u0041	[u\xc3\xa9A]
38	u\u0000	[u\x5cu0000]
38	U\U0001F600	[U\xf0\x9f\x98\x80]
38	U\UFFFFFFFF	[U\x5cUFFFFFFFF]
38	U\U0000D800	[U\x5cU0000D800]
38	"esc in \"quotes\" \n"	[esc in "quotes" \x0a]
38	'single \n \x41'	[single \x0a A]
38	\q unknown	[\x5cq][unknown]
38	a\ b	[a\x5c b]
38	""	[]
38	'' x ""	[][x][]
38	a"" b	[a][b]
38	tab	sep	words	[tab][sep][words]
33	a b  c	[a][b][c]
33	  lead and trail  	[lead][and][trail]
33	"quoted words" 'single quoted'	[quoted words][single quoted]
33	mid"dle quo"te	[middle quote]
33	"unterminated	[unterminated]
33	'unterminated	[unterminated]
33	trailing\	[trailing]
33	"in quote trailing\	[in quote trailing]
33	esc\n\t\a\b\f\r\v\s\\\"\'	[escntabfrvs\x5c"']
33	hex\x41\x7a\xc3\xa9	[hexx41x7axc3xa9]
33	hex\x00nul	[hexx00nul]
33	hex\xg1	[hexxg1]
33	oct\101\377\400	[oct101377400]
33	oct\000	[oct000]
33	u\u00e9\u0041	[uu00e9u0041]
33	u\u0000	[uu0000]
33	U\U0001F600	[UU0001F600]
33	U\UFFFFFFFF	[UUFFFFFFFF]
33	U\U0000D800	[UU0000D800]
33	"esc in \"quotes\" \n"	[esc in "quotes" n]
33	'single \n \x41'	[single n x41]
33	\q unknown	[q][unknown]
33	a\ b	[a b]
33	""	[]
33	'' x ""	[][x][]
33	a"" b	[a][b]
33	tab	sep	words	[tab][sep][words]
32	a b  c	[a][b][c]
32	  lead and trail  	[lead][and][trail]
32	"quoted words" 'single quoted'	[quoted words][single quoted]
32	mid"dle quo"te	[middle quote]
32	"unterminated	ERR -22
32	'unterminated	ERR -22
32	trailing\	ERR -22
32	"in quote trailing\	ERR -22
32	esc\n\t\a\b\f\r\v\s\\\"\'	[escntabfrvs\x5c"']
32	hex\x41\x7a\xc3\xa9	[hexx41x7axc3xa9]
32	hex\x00nul	[hexx00nul]
32	hex\xg1	[hexxg1]
32	oct\101\377\400	[oct101377400]
32	oct\000	[oct000]
32	u\u00e9\u0041	[uu00e9u0041]
32	u\u0000	[uu0000]
32	U\U0001F600	[UU0001F600]
32	U\UFFFFFFFF	[UUFFFFFFFF]
32	U\U0000D800	[UU0000D800]
32	"esc in \"quotes\" \n"	[esc in "quotes" n]
32	'single \n \x41'	[single n x41]
32	\q unknown	[q][unknown]
32	a\ b	[a b]
32	""	[]
32	'' x ""	[][x][]
32	a"" b	[a][b]
32	tab	sep	words	[tab][sep][words]
35	a b  c	[a][b][c]
35	  lead and trail  	[lead][and][trail]
35	"quoted words" 'single quoted'	[quoted words][single quoted]
35	mid"dle quo"te	[middle quote]
35	"unterminated	[unterminated]
35	'unterminated	[unterminated]
35	trailing\	[trailing]
35	"in quote trailing\	[in quote trailing]
35	esc\n\t\a\b\f\r\v\s\\\"\'	[esc\x0a\x09\x07\x08\x0c\x0d\x0b \x5c"']
35	hex\x41\x7a\xc3\xa9	[hexAz\xc3\xa9]
35	hex\x00nul	ERR -22
35	hex\xg1	ERR -22
35	oct\101\377\400	ERR -22
35	oct\000	ERR -22
35	u\u00e9\u0041	[u\xc3\xa9A]
35	u\u0000	ERR -22
35	U\U0001F600	[U\xf0\x9f\x98\x80]
35	U\UFFFFFFFF	ERR -22
35	U\U0000D800	ERR -22
35	"esc in \"quotes\" \n"	[esc in "quotes" \x0a]
35	'single \n \x41'	[single \x0a A]
35	\q unknown	ERR -22
35	a\ b	ERR -22
35	""	[]
35	'' x ""	[][x][]
35	a"" b	[a][b]
35	tab	sep	words	[tab][sep][words]
"#;

    #[test]
    fn extract_first_word_matches_systemd() {
        let mut checked = 0;
        for line in EXTRACT_WORD_CORPUS.lines().filter(|l| !l.is_empty()) {
            let (bits, rest) = line.split_once('\t').unwrap();
            let (input, expected) = rest.rsplit_once('\t').unwrap();
            let flags = flags_from_bits(bits.parse().unwrap());
            let (words, failed) = all_words(input, flags);
            let (expected_words, expected_failure) = match expected.split_once("ERR -22") {
                Some((before, _)) => (decode_probe_words(before), true),
                None => (decode_probe_words(expected), false),
            };
            assert_eq!(
                (words, failed),
                (expected_words, expected_failure),
                "flags {bits}, input {input:?}"
            );
            checked += 1;
        }
        assert_eq!(checked, 135);
    }

    #[test]
    fn lenient_word_keeps_unknown_escapes_and_reports_them() {
        let w = extract_first_word_lenient("a\\qb rest", ExtractFlags::UNQUOTE_CUNESCAPE)
            .unwrap()
            .unwrap();
        assert_eq!(
            (w.word.as_str(), w.rest, w.kept_unknown_escapes),
            ("a\\qb", "rest", true)
        );
        let w = extract_first_word_lenient("plain", ExtractFlags::UNQUOTE_CUNESCAPE)
            .unwrap()
            .unwrap();
        assert!(!w.kept_unknown_escapes);
        assert!(extract_first_word_lenient("\"open", ExtractFlags::UNQUOTE_CUNESCAPE).is_err());
        // A trailing backslash inside quotes stays an unbalanced quote.
        assert!(extract_first_word_lenient("\"open\\", ExtractFlags::UNQUOTE_CUNESCAPE).is_err());
        assert_eq!(
            extract_first_word_lenient("   ", ExtractFlags::UNQUOTE_CUNESCAPE),
            Ok(None)
        );
    }

    fn cmd(argv: &[&str]) -> ExecCommand {
        ExecCommand {
            path: argv[0].to_string(),
            argv: argv.iter().map(|s| s.to_string()).collect(),
            ..ExecCommand::default()
        }
    }

    fn parse_ok(value: &str) -> Vec<ExecCommand> {
        parse_exec_value(value).unwrap_or_else(|e| panic!("{value:?}: {e}"))
    }

    fn messages(setting: &ExecSetting) -> Vec<String> {
        setting
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn plain_command_splits_on_whitespace() {
        assert_eq!(
            parse_ok("/bin/echo a  b\tc"),
            vec![cmd(&["/bin/echo", "a", "b", "c"])]
        );
    }

    #[test]
    fn quotes_group_and_escapes_decode() {
        assert_eq!(
            parse_ok(r#"/bin/echo "a b" 'c d' e"f g"h \x41\n \u00e9"#),
            vec![cmd(&["/bin/echo", "a b", "c d", "ef gh", "A\n", "é"])]
        );
    }

    #[test]
    fn empty_value_resets_the_list() {
        let setting = parse_exec_setting("", None);
        assert!(setting.reset && setting.commands.is_empty() && setting.diagnostics.is_empty());
        assert_eq!(parse_exec_value(""), Ok(vec![]));
    }

    #[test]
    fn every_prefix_sets_its_flag() {
        let c = &parse_ok("-/bin/true")[0];
        assert!(c.ignore_failure && !c.no_argv0 && !c.no_env_expand);
        let c = &parse_ok(":/bin/true")[0];
        assert!(c.no_env_expand);
        let c = &parse_ok("+/bin/true")[0];
        assert!(c.privileged && !c.no_setuid && !c.ambient);
        let c = &parse_ok("!/bin/true")[0];
        assert!(c.no_setuid && !c.ambient);
        let c = &parse_ok("!!/bin/true")[0];
        assert!(c.ambient && !c.no_setuid);
        let c = &parse_ok("-@:!!/bin/sh sh -c x")[0];
        assert!(c.ignore_failure && c.no_argv0 && c.no_env_expand && c.ambient);
        assert_eq!(
            (c.path.as_str(), c.argv.clone()),
            ("/bin/sh", vec!["sh".into(), "-c".into(), "x".into()])
        );
        // Any order.
        let c = &parse_ok(":+-/bin/true")[0];
        assert!(c.ignore_failure && c.no_env_expand && c.privileged);
    }

    #[test]
    fn at_prefix_takes_argv0_from_the_second_word() {
        assert_eq!(
            parse_ok("@/usr/bin/busybox sleep 5"),
            vec![ExecCommand {
                path: "/usr/bin/busybox".into(),
                argv: vec!["sleep".into(), "5".into()],
                no_argv0: true,
                ..ExecCommand::default()
            }]
        );
    }

    #[test]
    fn path_is_simplified_but_argv0_is_kept_as_written() {
        let c = &parse_ok("//usr/./bin//env x")[0];
        assert_eq!(c.path, "/usr/bin/env");
        assert_eq!(c.argv[0], "//usr/./bin//env");
    }

    #[test]
    fn plain_file_names_are_accepted() {
        // systemd-analyze verify: `ExecStart=true` gives no diagnostic.
        assert_eq!(parse_ok("true x"), vec![cmd(&["true", "x"])]);
    }

    #[test]
    fn lone_semicolon_separates_commands_and_escaped_one_is_literal() {
        assert_eq!(
            parse_ok(r"/bin/a 1 ; /bin/b \; 2 ; -/bin/c"),
            vec![
                cmd(&["/bin/a", "1"]),
                cmd(&["/bin/b", ";", "2"]),
                ExecCommand {
                    ignore_failure: true,
                    ..cmd(&["/bin/c"])
                },
            ]
        );
        // Glued or quoted semicolons are ordinary arguments; `\;` glued to
        // more text is an unknown escape, kept as written.
        let setting = parse_exec_setting(r#"/bin/a x; ";" \;x"#, None);
        assert_eq!(setting.commands, vec![cmd(&["/bin/a", "x;", ";", "\\;x"])]);
        assert_eq!(
            messages(&setting),
            vec![r#"Ignoring unknown escape sequences: "\;x""#]
        );
        // systemd-analyze verify: `ExecStart=/bin/true ; ;` and `ExecStart=;`
        // give no diagnostic.
        assert_eq!(parse_ok("/bin/true ; ;"), vec![cmd(&["/bin/true"])]);
        assert_eq!(parse_ok(";"), vec![]);
        assert_eq!(parse_ok("; /bin/true"), vec![cmd(&["/bin/true"])]);
    }

    // The diagnostics below were captured with systemd 252 (252.38-1~deb12u1):
    // a unit `[Service]\nExecStart=VALUE` in a temporary directory, then
    // `systemd-analyze verify --man=no ./tN.service`, which prints
    // `PATH:2: MESSAGE` on stderr; "fatal" is when it also printed "Unit
    // configuration has fatal error, unit will not be started."

    fn check_diagnostic(value: &str, message: &str, fatal: bool) {
        let setting =
            parse_exec_setting(value, Some(&SpecifierContext::for_system_unit("t.service")));
        assert_eq!(messages(&setting), vec![message.to_string()], "{value:?}");
        assert_eq!(setting.fatal, fatal, "{value:?}");
    }

    #[test]
    fn diagnostics_match_systemd_analyze_verify() {
        check_diagnostic(
            r#"/bin/true "unbalanced"#,
            r#"Unbalanced quoting, ignoring: "/bin/true "unbalanced""#,
            true,
        );
        check_diagnostic(
            r#""/bin/true"#,
            r#"Unbalanced quoting, ignoring: ""/bin/true""#,
            false,
        );
        check_diagnostic(
            r#"-/bin/true "unbalanced"#,
            r#"Unbalanced quoting, ignoring: "-/bin/true "unbalanced""#,
            false,
        );
        check_diagnostic(
            r"/bin/true \q",
            r#"Ignoring unknown escape sequences: "\q""#,
            false,
        );
        check_diagnostic(
            "bin/true",
            "Neither a valid executable name nor an absolute path: bin/true",
            true,
        );
        check_diagnostic(
            "-bin/true",
            "Neither a valid executable name nor an absolute path, ignoring: bin/true",
            false,
        );
        check_diagnostic(
            "--/bin/true",
            "Neither a valid executable name nor an absolute path, ignoring: -/bin/true",
            false,
        );
        check_diagnostic(
            "?/bin/true",
            "Neither a valid executable name nor an absolute path: ?/bin/true",
            true,
        );
        check_diagnostic(
            "+!/bin/true",
            "Neither a valid executable name nor an absolute path: !/bin/true",
            true,
        );
        check_diagnostic(
            "!!!/bin/true",
            "Neither a valid executable name nor an absolute path: !/bin/true",
            true,
        );
        check_diagnostic(
            ".",
            "Neither a valid executable name nor an absolute path: .",
            true,
        );
        check_diagnostic(
            "..",
            "Neither a valid executable name nor an absolute path: ..",
            true,
        );
        check_diagnostic("-", "Empty path in command line, ignoring: '-'", false);
        check_diagnostic("@", "Empty path in command line: '@'", true);
        check_diagnostic(
            "/bin/",
            "Executable path specifies a directory: /bin/",
            true,
        );
        check_diagnostic(
            r"/bin/t\x01rue",
            "Executable name contains special characters: /bin/t\x01rue",
            true,
        );
        check_diagnostic(
            "@/bin/true",
            "Empty executable name or zeroeth argument: @/bin/true",
            true,
        );
        check_diagnostic(
            "/bin/true %q9 %Z",
            "Failed to resolve unit specifiers in %Z: Invalid slot",
            true,
        );
        check_diagnostic(
            "/bin/tr%Zue",
            "Failed to resolve unit specifiers in '/bin/tr%Zue': Invalid slot",
            true,
        );
        check_diagnostic(
            "-/bin/tr%Zue",
            "Failed to resolve unit specifiers in '/bin/tr%Zue', ignoring: Invalid slot",
            false,
        );
    }

    #[test]
    fn commands_before_an_error_are_kept_and_the_message_quotes_the_failing_command() {
        // verify: `ExecStart=/bin/true ; /bin/"false` logs
        // `Unbalanced quoting, ignoring: "/bin/"false"` and nothing fatal.
        let setting = parse_exec_setting(r#"/bin/true ; /bin/"false"#, None);
        assert_eq!(setting.commands, vec![cmd(&["/bin/true"])]);
        assert_eq!(
            messages(&setting),
            vec![r#"Unbalanced quoting, ignoring: "/bin/"false""#]
        );
        assert!(!setting.fatal);
        assert!(parse_exec_value(r#"/bin/true ; /bin/"false"#).is_err());
    }

    #[test]
    fn warnings_do_not_fail_the_strict_parse() {
        assert_eq!(
            parse_exec_value(r"/bin/echo \q"),
            Ok(vec![cmd(&["/bin/echo", "\\q"])])
        );
        assert_eq!(parse_exec_value("-bin/true"), Ok(vec![]));
    }

    #[test]
    fn specifiers_resolve_after_unquoting() {
        let ctx = SpecifierContext::for_system_unit("web@blue.service");
        let setting = parse_exec_setting(r#"/srv/%i/run "%n %%i" %I"#, Some(&ctx));
        assert!(setting.diagnostics.is_empty());
        assert_eq!(
            setting.commands,
            vec![cmd(&["/srv/blue/run", "web@blue.service %i", "blue"])]
        );
        // Without a context, `%` is left alone.
        assert_eq!(parse_ok("/bin/echo %i"), vec![cmd(&["/bin/echo", "%i"])]);
    }

    #[test]
    fn formatted_commands_read_back() {
        let original = ExecCommand {
            path: "/usr/bin/env".into(),
            argv: vec![
                "env".into(),
                "a b".into(),
                "".into(),
                ";".into(),
                "q\"\\'\n\t".into(),
            ],
            ignore_failure: true,
            no_argv0: true,
            privileged: true,
            ..ExecCommand::default()
        };
        let text = format_exec_command(&original);
        assert_eq!(text, r#"-@+/usr/bin/env env "a b" "" ";" "q\"\\'\n\t""#);
        assert_eq!(parse_ok(&text), vec![original.clone()]);
        let two = vec![cmd(&["/bin/a"]), cmd(&["/bin/b", "x"])];
        assert_eq!(format_exec_commands(&two), "/bin/a ; /bin/b x");
        assert_eq!(parse_ok(&format_exec_commands(&two)), two);
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| {
            owned
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    /// Captured from systemd 252's `replace_env_argv()` in
    /// libsystemd-shared-252.so (`probe replace ENV... -- ARG...`, words
    /// printed as `[..]`):
    /// env `A=1` `B=x y  z` `C="q r" s` `E=` `W=  ` `S=a\ b`, arguments
    /// `$A $B ${B} p${A}q $C $E $W $UNSET ${UNSET} $$A $${A} x$A ${A:-d} ${A $ a$ $A$A ${A}${B} $S ${} $A} a$$b $$`
    /// gave `[1][x][y][z][x y  z][p1q][q r][s][][$A][${A}][x$A][${A:-d}][${A][a$][1x y  z][a b][][a$b][$]`;
    /// env `Q="unterminated` `T=trail\`, arguments `$Q $T` gave
    /// `[unterminated][trail]`; env `A=1`, arguments `$ A`, `${A}$`, `$${`,
    /// `$$$A`, `$$${A}` gave `[1$][${][$$A][$1]`.
    #[test]
    fn expand_argv_matches_systemd() {
        let env = env_of(&[
            ("A", "1"),
            ("B", "x y  z"),
            ("C", "\"q r\" s"),
            ("E", ""),
            ("W", "  "),
            ("S", "a\\ b"),
        ]);
        let argv = strings(&[
            "$A", "$B", "${B}", "p${A}q", "$C", "$E", "$W", "$UNSET", "${UNSET}", "$$A", "$${A}",
            "x$A", "${A:-d}", "${A", "$", "a$", "$A$A", "${A}${B}", "$S", "${}", "$A}", "a$$b",
            "$$",
        ]);
        assert_eq!(
            expand_argv(&argv, &env),
            strings(&[
                "1", "x", "y", "z", "x y  z", "p1q", "q r", "s", "", "$A", "${A}", "x$A",
                "${A:-d}", "${A", "a$", "1x y  z", "a b", "", "a$b", "$",
            ])
        );
        let env = env_of(&[("Q", "\"unterminated"), ("T", "trail\\")]);
        assert_eq!(
            expand_argv(&strings(&["$Q", "$T"]), &env),
            strings(&["unterminated", "trail"])
        );
        let env = env_of(&[("A", "1")]);
        assert_eq!(
            expand_argv(&strings(&["$ A", "${A}$", "$${", "$$$A", "$$${A}"]), &env),
            strings(&["1$", "${", "$$A", "$1"])
        );
    }

    fn arb_word() -> impl Strategy<Value = String> {
        // Any text without NUL (a C string cannot hold one).
        proptest::string::string_regex("[^\u{0}]{0,12}").unwrap()
    }

    fn arb_command() -> impl Strategy<Value = ExecCommand> {
        (
            proptest::string::string_regex("(/[a-z][a-z0-9._-]{0,7}){1,3}").unwrap(),
            proptest::collection::vec(arb_word(), 0..5),
            any::<[bool; 4]>(),
            0u8..4,
        )
            .prop_map(
                |(path, args, [ignore_failure, no_argv0, no_env_expand, _], privilege)| {
                    let mut argv = if no_argv0 { vec![] } else { vec![path.clone()] };
                    argv.extend(args);
                    if argv.is_empty() {
                        argv.push("argv0".into());
                    }
                    ExecCommand {
                        path: specifier::simplify_path(&path),
                        argv,
                        ignore_failure,
                        no_argv0,
                        no_env_expand,
                        privileged: privilege == 1,
                        no_setuid: privilege == 2,
                        ambient: privilege == 3,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parsing_never_panics(value in prop_oneof!["(?s).{0,40}", "[-@:+!;\\\\\"' \t\r\nau0-9$%{}/.=#é\u{1}]{0,40}"]) {
            let _ = parse_exec_setting(&value, None);
            let _ = parse_exec_setting(&value, Some(&SpecifierContext::for_system_unit("a@b.service")));
            let _ = expand_argv(std::slice::from_ref(&value), &|_| Some(value.clone()));
        }

        #[test]
        fn formatted_commands_reparse_to_the_same_commands(cmds in proptest::collection::vec(arb_command(), 1..3)) {
            let text = format_exec_commands(&cmds);
            prop_assert_eq!(parse_exec_value(&text), Ok(cmds), "text {:?}", text);
        }

        #[test]
        fn expanding_without_dollars_changes_nothing(argv in proptest::collection::vec("[^$]{0,8}", 0..4)) {
            prop_assert_eq!(expand_argv(&argv, &|_| Some("x".into())), argv);
        }
    }
}

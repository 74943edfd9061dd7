//! The shared machinery for turning one `key=value` line into a typed value
//! and, when the value is bad, the message systemd 252 logs for it. Each
//! section module (`unit_section`, `service`, `timer`, `pool`) matches keys
//! and calls these helpers.

use std::path::Path;

use super::diagnostics::{Diagnostic, Level};
use super::known_keys::ValueKind;
use super::values::{self, NumberError, PathProblem};
use crate::syntax::Usec;
use crate::syntax::timespan;

/// One assignment being applied.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub section: &'a str,
    pub key: &'a str,
    pub value: &'a str,
    pub line: u32,
}

/// The value made the unit unusable: systemd stops reading the file and
/// marks the unit `bad-setting`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fatal;

/// What applying a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The key is known (whether or not the value was good).
    Done,
    /// The key is known and its value stops the file.
    Fatal,
    /// No such key in this section.
    UnknownKey,
}

impl From<Result<(), Fatal>> for Applied {
    fn from(r: Result<(), Fatal>) -> Self {
        match r {
            Ok(()) => Applied::Done,
            Err(Fatal) => Applied::Fatal,
        }
    }
}

/// Collects the diagnostics of one file.
pub struct Sink<'a> {
    pub path: &'a Path,
    pub out: &'a mut Vec<Diagnostic>,
}

impl Sink<'_> {
    pub fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.out.push(Diagnostic::at_line(
            self.path,
            line,
            Level::Warning,
            message,
        ));
    }

    pub fn notice(&mut self, line: u32, message: impl Into<String>) {
        self.out
            .push(Diagnostic::at_line(self.path, line, Level::Notice, message));
    }

    pub fn error(&mut self, line: u32, message: impl Into<String>) {
        self.out
            .push(Diagnostic::at_line(self.path, line, Level::Error, message));
    }

    pub fn plain(&mut self, level: Level, message: impl Into<String>) {
        self.out.push(Diagnostic::plain(level, message));
    }

    /// `Failed to parse <what>, ignoring: <value>`, the common shape.
    pub fn ignoring(&mut self, s: &Setting, what: &str) {
        self.warn(s.line, format!("{what}, ignoring: {}", s.value));
    }
}

/// A boolean; a bad one is ignored with a warning.
pub fn boolean(s: &Setting, sink: &mut Sink) -> Option<bool> {
    let b = values::parse_boolean(s.value);
    if b.is_none() {
        sink.warn(
            s.line,
            format!("Failed to parse boolean value, ignoring: {}", s.value),
        );
    }
    b
}

/// Stores a boolean if it parses.
pub fn set_boolean(target: &mut bool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if let Some(b) = boolean(s, sink) {
        *target = b;
    }
    Ok(())
}

/// Same, into an `Option<bool>` (unset means "the default").
pub fn set_optional_boolean(
    target: &mut Option<bool>,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if let Some(b) = boolean(s, sink) {
        *target = Some(b);
    }
    Ok(())
}

/// A name from a fixed table; a bad one is ignored with `<what>, ignoring: value`.
pub fn set_named<T>(
    target: &mut Option<T>,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    match parse(s.value) {
        Some(v) => *target = Some(v),
        None => sink.ignoring(s, what),
    }
    Ok(())
}

/// `config_parse_unsigned`.
pub fn set_unsigned(target: &mut Option<u32>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match values::parse_unsigned(s.value) {
        Ok(v) => *target = Some(v),
        Err(_) => sink.ignoring(s, "Failed to parse unsigned value"),
    }
    Ok(())
}

/// `config_parse_mode`.
pub fn set_mode(target: &mut Option<u32>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match values::parse_mode(s.value) {
        Ok(v) => *target = Some(v),
        Err(_) => sink.ignoring(s, "Failed to parse mode value"),
    }
    Ok(())
}

/// `config_parse_signal`.
pub fn set_signal(target: &mut Option<i32>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match values::parse_signal(s.value) {
        Ok(v) => *target = Some(v),
        Err(_) => sink.ignoring(s, "Failed to parse signal name"),
    }
    Ok(())
}

/// A free-form string; empty clears it.
pub fn set_string(target: &mut Option<String>, s: &Setting) -> Result<(), Fatal> {
    *target = (!s.value.is_empty()).then(|| s.value.to_string());
    Ok(())
}

/// A list grown one assignment at a time; an empty assignment resets it.
pub fn push_or_reset(target: &mut Vec<String>, s: &Setting) -> Result<(), Fatal> {
    if s.value.is_empty() {
        target.clear();
    } else {
        target.push(s.value.to_string());
    }
    Ok(())
}

/// A list of blank-separated words; an empty assignment resets it.
pub fn extend_words(target: &mut Vec<String>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        target.clear();
        return Ok(());
    }
    match values::split_words(s.value) {
        Some(words) => target.extend(words),
        None => sink.warn(s.line, format!("Invalid syntax, ignoring: {}", s.value)),
    }
    Ok(())
}

/// An absolute path (`path_simplify_and_warn`); `fatal` makes a bad one
/// stop the file.
pub fn absolute_path(
    s: &Setting,
    value: &str,
    fatal: bool,
    sink: &mut Sink,
) -> Result<Option<String>, Fatal> {
    match values::simplify_absolute_path(value) {
        Ok(p) => Ok(Some(p)),
        Err((problem, shown)) => {
            let shown = if problem == PathProblem::NotAbsolute {
                value.to_string()
            } else {
                shown
            };
            sink.error(
                s.line,
                values::path_problem_message(s.key, &problem, &shown, fatal),
            );
            if fatal { Err(Fatal) } else { Ok(None) }
        }
    }
}

/// A byte size with K/M/G/T/P/E suffixes (base 1024), or `infinity`.
pub fn size_or_infinity(value: &str) -> Result<Option<u64>, NumberError> {
    if value == "infinity" {
        return Ok(None);
    }
    values::parse_size_iec(value).map(Some)
}

/// Checks the value of a key runr accepts but does not model, where its
/// grammar is a simple one, with systemd's message for a bad value.
pub fn check_generic(kind: ValueKind, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    match kind {
        ValueKind::Bool => set_boolean(&mut false, s, sink),
        ValueKind::Unsigned => set_unsigned(&mut None, s, sink),
        ValueKind::Mode => set_mode(&mut None, s, sink),
        ValueKind::Signal => set_signal(&mut None, s, sink),
        ValueKind::Timespan => {
            set_timespan(&mut None, TimespanMessage::for_generic_key(s.key), s, sink)
        }
        ValueKind::Other => Ok(()),
    }
}

/// The words systemd's time-span parsers use for a bad value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimespanMessage {
    /// `config_parse_sec`: "Failed to parse sec value, ignoring: V".
    Sec,
    /// `config_parse_sec_fix_0`: "Failed to parse time value, ignoring: V".
    Time,
    /// `config_parse_sec_def_infinity`.
    SecDefInfinity,
    /// "Failed to parse KEY= parameter, ignoring: V".
    Parameter,
    /// "Failed to parse KEY= setting, ignoring: V".
    Setting,
    /// "Failed to parse timer value, ignoring: V".
    Timer,
}

impl TimespanMessage {
    /// The message of keys runr only checks (see `known_keys`).
    pub fn for_generic_key(key: &str) -> Self {
        match key {
            "JobTimeoutSec" | "JobRunningTimeoutSec" | "TimeoutSec" | "TimeoutStartSec" => {
                TimespanMessage::Parameter
            }
            "TimeoutStopSec" => TimespanMessage::Time,
            "TimeoutAbortSec" => TimespanMessage::Setting,
            "CPUQuotaPeriodSec" => TimespanMessage::SecDefInfinity,
            _ => TimespanMessage::Sec,
        }
    }

    fn text(self, key: &str, value: &str) -> String {
        match self {
            TimespanMessage::Sec => format!("Failed to parse sec value, ignoring: {value}"),
            TimespanMessage::Time => format!("Failed to parse time value, ignoring: {value}"),
            TimespanMessage::SecDefInfinity => {
                format!("Failed to parse sec_def_infinity value, ignoring: {value}")
            }
            TimespanMessage::Parameter => {
                format!("Failed to parse {key}= parameter, ignoring: {value}")
            }
            TimespanMessage::Setting => {
                format!("Failed to parse {key}= setting, ignoring: {value}")
            }
            TimespanMessage::Timer => format!("Failed to parse timer value, ignoring: {value}"),
        }
    }
}

/// A time span (`parse_sec`): bare numbers are seconds.
pub fn set_timespan(
    target: &mut Option<Usec>,
    message: TimespanMessage,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    let parsed = if message == TimespanMessage::SecDefInfinity && s.value.trim().is_empty() {
        Ok(crate::syntax::USEC_INFINITY)
    } else {
        timespan::parse_timespan(s.value)
    };
    match parsed {
        Ok(usec) => *target = Some(usec),
        Err(_) => sink.warn(s.line, message.text(s.key, s.value)),
    }
    Ok(())
}

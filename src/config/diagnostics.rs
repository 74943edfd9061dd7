//! Messages about unit files, in the three shapes systemd logs them:
//! `path:line: message` (a setting), `unit: message` (the unit as a whole),
//! and plain lines.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a message points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a file.
    Line { path: PathBuf, line: u32 },
    /// A unit, by name.
    Unit(String),
    /// No prefix.
    Plain,
}

/// systemd's log levels that unit loading uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Notice,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: Origin,
    pub level: Level,
    pub message: String,
}

impl Diagnostic {
    pub fn at_line(path: &Path, line: u32, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            origin: Origin::Line {
                path: path.to_path_buf(),
                line,
            },
            level,
            message: message.into(),
        }
    }

    pub fn for_unit(unit: &str, level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            origin: Origin::Unit(unit.to_string()),
            level,
            message: message.into(),
        }
    }

    pub fn plain(level: Level, message: impl Into<String>) -> Self {
        Diagnostic {
            origin: Origin::Plain,
            level,
            message: message.into(),
        }
    }
}

impl Diagnostic {
    /// The unit a diagnostic is about: the unit named, or the unit file
    /// (or drop-in directory `NAME.d/`) it was found in.
    pub fn unit_name(&self) -> Option<String> {
        match &self.origin {
            Origin::Unit(unit) => Some(unit.clone()),
            Origin::Line { path, .. } => {
                let file = path.file_name()?.to_str()?;
                if crate::config::unit_name::is_valid(file) {
                    return Some(file.to_string());
                }
                let dir = path.parent()?.file_name()?.to_str()?;
                dir.strip_suffix(".d")
                    .filter(|name| crate::config::unit_name::is_valid(name))
                    .map(String::from)
            }
            Origin::Plain => None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::Line { path, line } => {
                write!(f, "{}:{}: {}", path.display(), line, self.message)
            }
            Origin::Unit(unit) => write!(f, "{}: {}", unit, self.message),
            Origin::Plain => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let d = Diagnostic::at_line(
            Path::new("/etc/x.service"),
            3,
            Level::Warning,
            "Unknown key 'Foo' in section [Unit], ignoring.",
        );
        assert_eq!(
            d.to_string(),
            "/etc/x.service:3: Unknown key 'Foo' in section [Unit], ignoring."
        );
        assert_eq!(
            Diagnostic::for_unit("x.service", Level::Error, "m").to_string(),
            "x.service: m"
        );
        assert_eq!(Diagnostic::plain(Level::Notice, "m").to_string(), "m");
    }
}

//! What the log pipeline needs to know about one service: `SyslogLevelPrefix=`,
//! `LogLevelMax=` and runr's `[Log]` section, and where its lines go once
//! those are resolved against the supervisor's defaults.
//!
//! # Where a service's lines go
//!
//! Every line goes to the journal, whatever the settings say. Besides:
//!
//! - the log file `DIRECTORY/NAME.log` (NAME: the unit name without
//!   `.service`), whenever a directory is known: DIRECTORY is
//!   `Directory=`, or the supervisor's `--log-dir` when the unit sets none.
//!   It is rotated per `FileSize=`, `RotateEvery=`, `FileCount=`
//!   (default 5), `MaxAge=` and `Compress=`;
//! - the supervisor's stdout, which is what `docker logs` and `kubectl logs`
//!   read, unless `Sink=none`.
//!
//! `Sink=stdout` mirrors the lines to stdout, `Sink=none` keeps them off
//! it; neither changes whether the file is written. `Sink=both` is read as
//! `stdout` and `Sink=file` as `none`. Without `Sink=`, lines are mirrored
//! to stdout, so that `docker logs` shows every service, as a container
//! user expects.
//!
//! # Prefixes
//!
//! Console lines get `PrefixSink=`, file lines `PrefixFile=`; where that
//! is not set (or set empty), `Prefix=`; where that is not set either,
//! `IDENTIFIER[PID]: ` (see [`crate::logs::prefix`] for the placeholders).
//! A value in double quotes is taken without them, and so keeps its
//! trailing blanks (`Prefix="%s: "`); `""` puts nothing in front of the
//! lines.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::service::{LogSettings, LogSink, Service};
use crate::logs::prefix::{LinePrefix, PrefixTemplate};
use crate::logs::rotate::RotateConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitLogOptions {
    /// `SyslogLevelPrefix=` (default yes): a leading `<N>` sets the priority.
    pub level_prefix: bool,
    /// `LogLevelMax=`: lines (and the supervisor's messages about the
    /// unit) of a lower priority, i.e. a higher number, are dropped.
    pub level_max: Option<u8>,
    /// runr's `[Log]` section.
    pub log: LogSettings,
}

impl Default for UnitLogOptions {
    fn default() -> Self {
        UnitLogOptions {
            level_prefix: true,
            level_max: None,
            log: LogSettings::default(),
        }
    }
}

impl UnitLogOptions {
    pub fn from_service(service: &Service) -> UnitLogOptions {
        UnitLogOptions {
            level_prefix: service.syslog_level_prefix.unwrap_or(true),
            level_max: service
                .log_level_max
                .and_then(|level| LOG_LEVELS.iter().position(|l| *l == level))
                .map(|n| n as u8),
            log: service.log.clone(),
        }
    }

    /// Whether a record of `priority` passes `LogLevelMax=`.
    pub fn keeps(&self, priority: u8) -> bool {
        self.level_max.is_none_or(|max| priority <= max)
    }

    /// Where this unit's lines go, with `default_directory` the
    /// supervisor's `--log-dir`.
    pub fn targets(&self, unit: &str, default_directory: Option<&Path>) -> LogTargets {
        let directory: Option<PathBuf> = self
            .log
            .directory
            .as_ref()
            .map(PathBuf::from)
            .or_else(|| default_directory.map(Path::to_path_buf));
        let console = self.log.sink.unwrap_or(LogSink::Stdout) == LogSink::Stdout;
        let file = directory.map(|dir| self.rotate_config(dir, unit));
        let prefix = self.log.prefix.as_deref();
        LogTargets {
            console,
            file,
            console_prefix: line_prefix(self.log.prefix_sink.as_deref().or(prefix)),
            file_prefix: line_prefix(self.log.prefix_file.as_deref().or(prefix)),
        }
    }

    fn rotate_config(&self, directory: PathBuf, unit: &str) -> RotateConfig {
        let name = unit.strip_suffix(".service").unwrap_or(unit);
        let mut config = RotateConfig::new(directory, name);
        config.file_size = self.log.file_size.filter(|n| *n > 0);
        config.rotate_every = self
            .log
            .rotate_every
            .filter(|u| *u > 0 && *u != crate::syntax::USEC_INFINITY)
            .map(Duration::from_micros);
        if let Some(count) = self.log.file_count {
            config.file_count = count;
        }
        config.max_age = self
            .log
            .max_age
            .filter(|u| *u > 0 && *u != crate::syntax::USEC_INFINITY)
            .map(Duration::from_micros);
        config.compress = self.log.compress.unwrap_or(false);
        config
    }
}

/// What goes in front of lines given the template written for them
/// (`None`: none is, the default applies); `None` for bare lines.
fn line_prefix(written: Option<&str>) -> Option<LinePrefix> {
    let Some(written) = written else {
        return Some(LinePrefix::Identifier);
    };
    let template = PrefixTemplate::parse(unquote(written));
    (!template.is_empty()).then_some(LinePrefix::Template(template))
}

/// A unit file drops trailing blanks from a value: `Prefix="%s: "` keeps
/// them inside double quotes.
fn unquote(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

/// `LogLevel`'s variants in syslog order (0 = emerg).
const LOG_LEVELS: &[crate::config::service::LogLevel] = crate::config::service::LogLevel::ALL;

/// A unit's destinations, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTargets {
    pub console: bool,
    pub file: Option<RotateConfig>,
    /// What goes in front of console lines, `None` for bare lines.
    pub console_prefix: Option<LinePrefix>,
    /// What goes in front of file lines, `None` for bare lines.
    pub file_prefix: Option<LinePrefix>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(log: LogSettings) -> UnitLogOptions {
        UnitLogOptions {
            log,
            ..UnitLogOptions::default()
        }
    }

    fn template(text: &str) -> Option<LinePrefix> {
        Some(LinePrefix::Template(PrefixTemplate::parse(text)))
    }

    fn with_sink(sink: Option<LogSink>, directory: Option<&str>) -> UnitLogOptions {
        options(LogSettings {
            sink,
            directory: directory.map(str::to_string),
            ..LogSettings::default()
        })
    }

    #[test]
    fn default_sink_mirrors_and_writes_a_file_when_a_directory_is_known() {
        let plain = options(LogSettings::default());
        let t = plain.targets("app.service", None);
        assert!(t.console && t.file.is_none());
        let t = plain.targets("app.service", Some(Path::new("/logs")));
        assert!(t.console);
        let file = t.file.expect("file");
        assert_eq!(file.live_path(), Path::new("/logs/app.log"));
        assert_eq!(t.console_prefix, Some(LinePrefix::Identifier));
        assert_eq!(t.file_prefix, Some(LinePrefix::Identifier));
        // Directory= wins over --log-dir.
        let t =
            with_sink(None, Some("/var/log/app")).targets("app.service", Some(Path::new("/logs")));
        assert!(t.console);
        assert_eq!(t.file.expect("file").directory, Path::new("/var/log/app"));
    }

    #[test]
    fn sink_stdout_mirrors_and_still_writes_the_file() {
        for sink in [LogSink::Stdout, LogSink::parse("both").expect("alias")] {
            let t = with_sink(Some(sink), None).targets("app.service", None);
            assert!(t.console && t.file.is_none(), "{sink:?}");
            let t = with_sink(Some(sink), Some("/var/log/app")).targets("app.service", None);
            assert!(t.console, "{sink:?}");
            assert_eq!(
                t.file.expect("file").live_path(),
                Path::new("/var/log/app/app.log")
            );
            let t = with_sink(Some(sink), None).targets("app.service", Some(Path::new("/logs")));
            assert_eq!(t.file.expect("file").directory, Path::new("/logs"));
        }
    }

    #[test]
    fn sink_none_keeps_the_console_quiet_and_still_writes_the_file() {
        for sink in [LogSink::None, LogSink::parse("file").expect("alias")] {
            let t = with_sink(Some(sink), None).targets("app.service", None);
            assert!(!t.console && t.file.is_none(), "{sink:?}");
            let t = with_sink(Some(sink), Some("/var/log/app")).targets("app.service", None);
            assert!(!t.console, "{sink:?}");
            assert_eq!(t.file.expect("file").directory, Path::new("/var/log/app"));
            let t = with_sink(Some(sink), None).targets("app.service", Some(Path::new("/logs")));
            assert!(!t.console);
            assert_eq!(t.file.expect("file").directory, Path::new("/logs"));
        }
    }

    #[test]
    fn explicit_rotation_settings_are_honoured() {
        // What a unit in runr's own directory is given: Sink=none,
        // FileSize=100M, FileCount=7, RotateEvery=24h.
        let o = options(LogSettings {
            directory: Some("/var/log/postgresql".into()),
            sink: Some(LogSink::None),
            file_size: Some(100 << 20),
            file_count: Some(7),
            rotate_every: Some(24 * 3600 * 1_000_000),
            max_age: Some(7 * 24 * 3600 * 1_000_000),
            compress: Some(true),
            ..LogSettings::default()
        });
        let t = o.targets("postgresql.service", Some(Path::new("/ignored")));
        assert!(!t.console);
        let file = t.file.expect("file");
        assert_eq!(
            file.live_path(),
            Path::new("/var/log/postgresql/postgresql.log")
        );
        assert_eq!(file.file_size, Some(100 << 20));
        assert_eq!(file.file_count, 7);
        assert_eq!(file.rotate_every, Some(Duration::from_secs(24 * 3600)));
        assert_eq!(file.max_age, Some(Duration::from_secs(7 * 24 * 3600)));
        assert!(file.compress);
        // Unset, the defaults: no size or age limit, 5 files, no gzip.
        let file = with_sink(None, Some("/x"))
            .targets("a.service", None)
            .file
            .expect("file");
        assert_eq!(
            (
                file.file_size,
                file.rotate_every,
                file.file_count,
                file.max_age,
                file.compress
            ),
            (None, None, 5, None, false)
        );
        // infinity, or 0, is no limit.
        let file = options(LogSettings {
            directory: Some("/x".into()),
            file_size: Some(0),
            rotate_every: Some(crate::syntax::USEC_INFINITY),
            max_age: Some(0),
            ..LogSettings::default()
        })
        .targets("a.service", None)
        .file
        .expect("file");
        assert_eq!(
            (file.file_size, file.rotate_every, file.max_age),
            (None, None, None)
        );
    }

    #[test]
    fn prefix_applies_to_both_unless_overridden() {
        let o = options(LogSettings {
            prefix: Some("[%T %s pid=%p]".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("[%T %s pid=%p]"));
        assert_eq!(t.file_prefix, template("[%T %s pid=%p]"));
        let o = options(LogSettings {
            prefix: Some("[%T %s pid=%p]".into()),
            prefix_file: Some("[%d %T %S]".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("[%T %s pid=%p]"));
        assert_eq!(t.file_prefix, template("[%d %T %S]"));
        let o = options(LogSettings {
            prefix: Some("%s: ".into()),
            prefix_sink: Some("%R|".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("%R|"));
        assert_eq!(t.file_prefix, template("%s: "));
    }

    #[test]
    fn overrides_without_prefix_leave_the_other_side_at_the_default() {
        let o = options(LogSettings {
            prefix_sink: Some("[%s] ".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("[%s] "));
        assert_eq!(t.file_prefix, Some(LinePrefix::Identifier));
        let o = options(LogSettings {
            prefix_file: Some("%d ".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, Some(LinePrefix::Identifier));
        assert_eq!(t.file_prefix, template("%d "));
    }

    #[test]
    fn quotes_keep_trailing_blanks_and_empty_quotes_mean_bare_lines() {
        let o = options(LogSettings {
            prefix: Some("\"%s: \"".into()),
            prefix_file: Some("\"\"".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("%s: "));
        assert_eq!(t.file_prefix, None);
        let o = options(LogSettings {
            prefix: Some("\"\"".into()),
            prefix_sink: Some("\"%p \"".into()),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", None);
        assert_eq!(t.console_prefix, template("%p "));
        assert_eq!(t.file_prefix, None);
    }

    #[test]
    fn level_max_keeps_more_severe_priorities() {
        let o = UnitLogOptions {
            level_max: Some(4),
            ..UnitLogOptions::default()
        };
        assert!(o.keeps(0) && o.keeps(4));
        assert!(!o.keeps(5) && !o.keeps(7));
        assert!(UnitLogOptions::default().keeps(7));
    }
}

//! What the log pipeline needs to know about one service: `SyslogLevelPrefix=`,
//! `LogLevelMax=` and runr's `[Log]` section, and where its lines go once
//! those are resolved against the supervisor's defaults.
//!
//! # Where a service's lines go
//!
//! Every line goes to the journal, whatever the settings say. Besides:
//!
//! - the log file `DIRECTORY/NAME.log` (NAME: the unit name without
//!   `.service`), rotated per `FileSize=`, `RotateEvery=`, `FileCount=`
//!   (default 5), `MaxAge=` and `Compress=`; DIRECTORY is `Directory=`, or
//!   the supervisor's `--log-dir` when the unit sets none;
//! - the supervisor's stdout, which is what `docker logs` and `kubectl logs`
//!   read.
//!
//! `Sink=stdout` mirrors to stdout only, `Sink=file` writes the file only,
//! `Sink=both` does both. Without `Sink=`, lines are mirrored to stdout
//! (so that `docker logs` shows every service, as a container user
//! expects) and written to the file when a directory is known: the default
//! is `both` with a directory and `stdout` without one.
//!
//! `Prefix=` (default `%I[%p]: `, see [`crate::logs::prefix`]) goes in
//! front of console lines unless `PrefixSink=no`, and of file lines unless
//! `PrefixFile=no`. A value in double quotes keeps its trailing blanks.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::service::{LogSettings, LogSink, Service};
use crate::logs::rotate::RotateConfig;

/// The default `Prefix=`: what a console line of a service looks like.
pub const DEFAULT_PREFIX: &str = "%I[%p]: ";

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
        let sink = self.log.sink.unwrap_or(if directory.is_some() {
            LogSink::Both
        } else {
            LogSink::Stdout
        });
        let console = matches!(sink, LogSink::Stdout | LogSink::Both);
        let file = match (sink, directory) {
            (LogSink::File | LogSink::Both | LogSink::None, Some(dir)) => Some(self.rotate_config(dir, unit)),
            _ => None,
        };
        let prefix = self
            .log
            .prefix
            .as_deref()
            .map(unquote)
            .unwrap_or(DEFAULT_PREFIX)
            .to_string();
        LogTargets {
            console,
            file,
            console_prefix: self.log.prefix_sink.unwrap_or(true).then(|| prefix.clone()),
            file_prefix: self.log.prefix_file.unwrap_or(true).then_some(prefix),
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

/// A unit file drops trailing blanks from a value: `Prefix="%I: "` keeps
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
    /// The `Prefix=` template for console lines, `None` for bare lines.
    pub console_prefix: Option<String>,
    pub file_prefix: Option<String>,
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

    #[test]
    fn default_sink_mirrors_and_writes_a_file_when_a_directory_is_known() {
        let plain = options(LogSettings::default());
        let t = plain.targets("app.service", None);
        assert!(t.console && t.file.is_none());
        let t = plain.targets("app.service", Some(Path::new("/logs")));
        assert!(t.console);
        let file = t.file.expect("file");
        assert_eq!(file.live_path(), Path::new("/logs/app.log"));
        assert_eq!(t.console_prefix.as_deref(), Some(DEFAULT_PREFIX));
    }

    #[test]
    fn sink_file_keeps_stdout_quiet_and_prefixes_follow_the_switches() {
        let o = options(LogSettings {
            directory: Some("/var/log/app".into()),
            sink: Some(LogSink::File),
            prefix: Some("%U: ".into()),
            prefix_file: Some(false),
            file_size: Some(1024),
            file_count: Some(2),
            compress: Some(true),
            ..LogSettings::default()
        });
        let t = o.targets("app.service", Some(Path::new("/ignored")));
        assert!(!t.console);
        let file = t.file.expect("file");
        assert_eq!(file.directory, Path::new("/var/log/app"));
        assert_eq!(
            (file.file_size, file.file_count, file.compress),
            (Some(1024), 2, true)
        );
        assert_eq!(t.file_prefix, None);
        assert_eq!(t.console_prefix.as_deref(), Some("%U: "));
        let stdout_only = options(LogSettings {
            sink: Some(LogSink::Stdout),
            directory: Some("/x".into()),
            ..LogSettings::default()
        });
        assert!(stdout_only.targets("a.service", None).file.is_none());
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

//! `syslog.conf`: where the syslog server files messages, per application.
//! An ini file read with the unit-file grammar:
//!
//! ```ini
//! [default]
//! directory = /var/log/runr     # absolute
//! max_size = 10M                # bytes, K/M/G suffixes: rotate past this
//! max_count = 5                 # rotated files kept
//! max_age = 7d                  # a time span: delete older files
//!
//! [postgres]                    # messages whose tag (app name) is "postgres"
//! directory = /var/log/postgres
//! ```
//!
//! An application section inherits what it does not set from [default].

use std::collections::BTreeMap;
use std::path::Path;

use super::diagnostics::Diagnostic;
use super::settings::{Setting, Sink};
use super::values;
use crate::syntax::Usec;
use crate::syntax::unit_file::{self, Item};

/// The settings of one section; unset fields fall back to [default].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyslogTarget {
    pub directory: Option<String>,
    pub max_size: Option<u64>,
    pub max_count: Option<u32>,
    pub max_age: Option<Usec>,
}

impl SyslogTarget {
    fn or(&self, fallback: &SyslogTarget) -> SyslogTarget {
        SyslogTarget {
            directory: self
                .directory
                .clone()
                .or_else(|| fallback.directory.clone()),
            max_size: self.max_size.or(fallback.max_size),
            max_count: self.max_count.or(fallback.max_count),
            max_age: self.max_age.or(fallback.max_age),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyslogConfig {
    pub default: SyslogTarget,
    /// Per application, as written (without the defaults merged in).
    pub apps: BTreeMap<String, SyslogTarget>,
}

impl SyslogConfig {
    /// The effective settings for an application's messages.
    pub fn for_app(&self, app: &str) -> SyslogTarget {
        match self.apps.get(app) {
            Some(t) => t.or(&self.default),
            None => self.default.clone(),
        }
    }
}

pub fn parse_syslog_conf(path: &Path, text: &str) -> (SyslogConfig, Vec<Diagnostic>) {
    let file = unit_file::parse(text);
    let mut config = SyslogConfig::default();
    let mut out = Vec::new();
    let mut sink = Sink {
        path,
        out: &mut out,
    };
    for item in file.items() {
        match item {
            Item::SectionHeader { .. } => {}
            Item::Diagnostic(d) => {
                sink.warn(d.line, d.to_string());
                if d.is_fatal() {
                    break;
                }
            }
            Item::Entry { section, entry, .. } => {
                let target = if section.name == "default" {
                    &mut config.default
                } else {
                    config.apps.entry(section.name.clone()).or_default()
                };
                let s = Setting {
                    section: &section.name,
                    key: &entry.key,
                    value: &entry.value,
                    line: entry.line,
                };
                apply_key(target, &s, &mut sink);
            }
        }
    }
    (config, out)
}

fn apply_key(target: &mut SyslogTarget, s: &Setting, sink: &mut Sink) {
    match s.key {
        "directory" => {
            if let Ok(Some(p)) = super::settings::absolute_path(s, s.value, false, sink) {
                target.directory = Some(p);
            }
        }
        "max_size" => match values::parse_size_iec(s.value) {
            Ok(n) => target.max_size = Some(n),
            Err(e) => sink.warn(
                s.line,
                format!(
                    "Failed to parse size value '{}', ignoring: {}",
                    s.value,
                    e.text()
                ),
            ),
        },
        "max_count" => match values::parse_unsigned(s.value) {
            Ok(n) => target.max_count = Some(n),
            Err(_) => sink.ignoring(s, "Failed to parse unsigned value"),
        },
        "max_age" => {
            let _ = super::settings::set_timespan(
                &mut target.max_age,
                super::settings::TimespanMessage::Sec,
                s,
                sink,
            );
        }
        _ => sink.warn(
            s.line,
            format!(
                "Unknown key '{}' in section [{}], ignoring.",
                s.key, s.section
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_apps() {
        let text = "[default]\ndirectory = /var/log/runr\nmax_size = 10M\nmax_count = 5\nmax_age = 7d\n\n[postgres]\ndirectory = /var/log/pg\n";
        let (cfg, msgs) = parse_syslog_conf(Path::new("/etc/runr/syslog.conf"), text);
        assert!(msgs.is_empty());
        let pg = cfg.for_app("postgres");
        assert_eq!(pg.directory.as_deref(), Some("/var/log/pg"));
        assert_eq!(pg.max_size, Some(10 << 20));
        assert_eq!(pg.max_age, Some(7 * crate::syntax::USEC_PER_DAY));
        assert_eq!(
            cfg.for_app("other").directory.as_deref(),
            Some("/var/log/runr")
        );
    }

    #[test]
    fn bad_values() {
        let (_, diags) = parse_syslog_conf(
            Path::new("/s.conf"),
            "[default]\ndirectory = rel\nmax_count = x\ncolour = red\n",
        );
        let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "/s.conf:2: directory= path is not absolute, ignoring: rel",
                "/s.conf:3: Failed to parse unsigned value, ignoring: x",
                "/s.conf:4: Unknown key 'colour' in section [default], ignoring.",
            ]
        );
    }
}

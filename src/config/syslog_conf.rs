//! `syslog.conf`: where the syslog server listens, and where it files
//! messages, per application.
//!
//! ```ini
//! [server]
//! listen = /dev/log              # the unix datagram socket to bind
//!
//! [default]                      # messages of every other application
//! directory = /var/log/syslog    # absolute
//! max_size = 10M                 # bytes, K/M/G suffixes: rotate past this
//! max_count = 5                  # rotated files kept
//! max_age = 7d                   # a time span: delete older files
//!
//! [pg]                           # a label
//! appname = pg_doorman           # messages whose app name (tag) is this
//! directory = /var/log/syslog/pg_doorman
//!
//! [postgres]                     # no appname: app name "postgres"
//! directory = /var/log/postgres
//! ```
//!
//! The lines are read with the unit-file grammar (sections, `key = value`,
//! a `#` or `;` at the start of a line begins a comment, a final `\`
//! continues the line), plus one rule of this file only: a `#` that
//! follows a blank (space or tab) starts a comment to the end of the line.
//! A `#` right after another character is part of the value
//! (`/var/log/a#b`).
//!
//! `[server]` and `[default]` are the two fixed sections; every other
//! section is the route of one application: it applies to the messages
//! whose app name (RFC 5424 APP-NAME, RFC 3164 tag) is its `appname`, or,
//! without one, the section's name. What a route does not set comes from
//! `[default]`. When two routes name the same application, the later one
//! is used and the earlier one is reported as replaced.
//!
//! A `listen` path is the datagram socket unless `--syslog-socket` names
//! another; a file with `listen` turns the server on even where it would
//! not be by default (not PID 1).
//!
//! A bad value or an unknown key is reported as `PATH:LINE: ...` with the
//! key, and ignored; the rest of the file still applies.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::diagnostics::Diagnostic;
use super::settings::{Setting, Sink};
use super::values;
use crate::syntax::Usec;
use crate::syntax::timespan::parse_timespan;
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

/// `[server] listen =`: the datagram socket, and the line that names it
/// (for the message when it cannot be bound).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogListen {
    pub path: PathBuf,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyslogConfig {
    pub listen: Option<SyslogListen>,
    pub default: SyslogTarget,
    /// Per app name, as written (without the defaults merged in).
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

/// What a section of the file is.
#[derive(Debug, Clone, Copy)]
enum Part {
    Server,
    Default,
    /// An index into the routes read so far.
    Route(usize),
}

/// One application section as read, before app names are resolved.
struct Route {
    label: String,
    line: u32,
    /// The app name and the line that gave it.
    appname: Option<(String, u32)>,
    target: SyslogTarget,
}

pub fn parse_syslog_conf(path: &Path, text: &str) -> (SyslogConfig, Vec<Diagnostic>) {
    let file = unit_file::parse(&strip_comments(text));
    let mut config = SyslogConfig::default();
    let mut out = Vec::new();
    let mut sink = Sink {
        path,
        out: &mut out,
    };
    let mut parts: Vec<Part> = Vec::new();
    let mut routes: Vec<Route> = Vec::new();
    for item in file.items() {
        match item {
            Item::SectionHeader { section, .. } => {
                let part = match section.name.as_str() {
                    "server" => Part::Server,
                    "default" => Part::Default,
                    label => {
                        routes.push(Route {
                            label: label.to_string(),
                            line: section.line,
                            appname: None,
                            target: SyslogTarget::default(),
                        });
                        Part::Route(routes.len() - 1)
                    }
                };
                parts.push(part);
            }
            Item::Diagnostic(d) => {
                sink.warn(d.line, d.to_string());
                if d.is_fatal() {
                    break;
                }
            }
            Item::Entry {
                section_index,
                section,
                entry,
            } => {
                let s = Setting {
                    section: &section.name,
                    key: &entry.key,
                    value: &entry.value,
                    line: entry.line,
                };
                match parts.get(section_index) {
                    Some(Part::Server) => apply_server_key(&mut config, &s, &mut sink),
                    Some(Part::Default) => {
                        apply_target_key(&mut config.default, &s, &mut sink);
                    }
                    Some(Part::Route(i)) => {
                        let route = &mut routes[*i];
                        if s.key == "appname" {
                            if s.value.is_empty() {
                                sink.warn(s.line, "appname= is empty, ignoring.");
                            } else {
                                route.appname = Some((s.value.to_string(), s.line));
                            }
                        } else {
                            apply_target_key(&mut route.target, &s, &mut sink);
                        }
                    }
                    None => {}
                }
            }
        }
    }
    config.apps = resolve_routes(routes, &mut sink);
    (config, out)
}

/// Each route under its app name; of two with the same name, the later.
fn resolve_routes(routes: Vec<Route>, sink: &mut Sink) -> BTreeMap<String, SyslogTarget> {
    let mut apps: BTreeMap<String, (String, u32, SyslogTarget)> = BTreeMap::new();
    for route in routes {
        let (app, line) = match route.appname {
            Some((app, line)) => (app, line),
            None => (route.label.clone(), route.line),
        };
        if app.is_empty() {
            sink.warn(line, "Section [] has no appname=, ignoring.");
            continue;
        }
        if let Some((earlier, earlier_line, _)) = apps.get(&app) {
            sink.warn(
                line,
                format!(
                    "App name '{app}' of [{}] is already routed by [{earlier}] on line {earlier_line}; [{}] replaces it.",
                    route.label, route.label
                ),
            );
        }
        apps.insert(app, (route.label, route.line, route.target));
    }
    apps.into_iter()
        .map(|(app, (_, _, target))| (app, target))
        .collect()
}

fn apply_server_key(config: &mut SyslogConfig, s: &Setting, sink: &mut Sink) {
    match s.key {
        "listen" => {
            if let Ok(Some(p)) = super::settings::absolute_path(s, s.value, false, sink) {
                config.listen = Some(SyslogListen {
                    path: PathBuf::from(p),
                    line: s.line,
                });
            }
        }
        _ => unknown_key(s, sink),
    }
}

fn apply_target_key(target: &mut SyslogTarget, s: &Setting, sink: &mut Sink) {
    match s.key {
        "directory" => {
            if let Ok(Some(p)) = super::settings::absolute_path(s, s.value, false, sink) {
                target.directory = Some(p);
            }
        }
        "max_size" => match values::parse_size_iec(s.value) {
            Ok(n) => target.max_size = Some(n),
            Err(_) => bad_value(s, sink),
        },
        "max_count" => match values::parse_unsigned(s.value) {
            Ok(n) => target.max_count = Some(n),
            Err(_) => bad_value(s, sink),
        },
        "max_age" => match parse_timespan(s.value) {
            Ok(usec) => target.max_age = Some(usec),
            Err(_) => bad_value(s, sink),
        },
        _ => unknown_key(s, sink),
    }
}

fn bad_value(s: &Setting, sink: &mut Sink) {
    sink.warn(
        s.line,
        format!("Failed to parse {}= value, ignoring: {}", s.key, s.value),
    );
}

fn unknown_key(s: &Setting, sink: &mut Sink) {
    sink.warn(
        s.line,
        format!(
            "Unknown key '{}' in section [{}], ignoring.",
            s.key, s.section
        ),
    );
}

/// Cuts each line at a `#` that follows a blank. Lines that are comments
/// as a whole (first non-blank `#` or `;`) are left to the unit-file
/// grammar, which drops them even inside a continued value; line breaks
/// stay where they are, so line numbers do not change.
fn strip_comments(text: &str) -> Cow<'_, str> {
    if !text.contains('#') {
        return Cow::Borrowed(text);
    }
    let is_blank = |c: char| c == ' ' || c == '\t';
    let mut out = String::with_capacity(text.len());
    // Per line: whether a non-blank was seen, whether the line is a
    // comment as a whole, whether the rest is a trailing comment.
    let (mut content, mut whole, mut cut) = (false, false, false);
    let mut previous_blank = false;
    for c in text.chars() {
        if matches!(c, '\n' | '\r' | '\0') {
            out.push(c);
            (content, whole, cut, previous_blank) = (false, false, false, false);
            continue;
        }
        if cut {
            continue;
        }
        if !content && !is_blank(c) {
            content = true;
            whole = c == '#' || c == ';';
        } else if content && !whole && c == '#' && previous_blank {
            cut = true;
            continue;
        }
        out.push(c);
        previous_blank = is_blank(c);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (SyslogConfig, Vec<String>) {
        let (config, diags) = parse_syslog_conf(Path::new("/s.conf"), text);
        (config, diags.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn defaults_and_apps() {
        let text = "[default]\ndirectory = /var/log/runr\nmax_size = 10M\nmax_count = 5\nmax_age = 7d\n\n[postgres]\ndirectory = /var/log/pg\n";
        let (cfg, msgs) = parse(text);
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(cfg.listen, None);
        let pg = cfg.for_app("postgres");
        assert_eq!(pg.directory.as_deref(), Some("/var/log/pg"));
        assert_eq!(pg.max_size, Some(10 << 20));
        assert_eq!(pg.max_count, Some(5));
        assert_eq!(pg.max_age, Some(7 * crate::syntax::USEC_PER_DAY));
        assert_eq!(
            cfg.for_app("other").directory.as_deref(),
            Some("/var/log/runr")
        );
    }

    #[test]
    fn every_key_of_a_route() {
        let (cfg, msgs) =
            parse("[app]\ndirectory = /d\nmax_size = 1K\nmax_count = 3\nmax_age = 90min\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            cfg.for_app("app"),
            SyslogTarget {
                directory: Some("/d".into()),
                max_size: Some(1024),
                max_count: Some(3),
                max_age: Some(90 * 60 * crate::syntax::USEC_PER_SEC),
            }
        );
        // Nothing set anywhere for another application.
        assert_eq!(cfg.for_app("else"), SyslogTarget::default());
    }

    #[test]
    fn server_listen_is_the_socket_path() {
        let (cfg, msgs) = parse("# syslog\n[server]\nlisten = /run/log.sock\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            cfg.listen,
            Some(SyslogListen {
                path: "/run/log.sock".into(),
                line: 3
            })
        );
        // [server] is no route, and the later listen= wins.
        assert!(cfg.apps.is_empty());
        let (cfg, _) = parse("[server]\nlisten = /a\n[server]\nlisten = /b\n");
        assert_eq!(cfg.listen.as_ref().unwrap().path, PathBuf::from("/b"));
    }

    #[test]
    fn bad_listen_paths_and_server_keys_are_ignored() {
        let (cfg, msgs) = parse(
            "[server]\nlisten = /good\nlisten = dev/log\nstream = /s\n[default]\nlisten = /x\n",
        );
        assert_eq!(cfg.listen.as_ref().unwrap().path, PathBuf::from("/good"));
        assert_eq!(
            msgs,
            [
                "/s.conf:3: listen= path is not absolute, ignoring: dev/log",
                "/s.conf:4: Unknown key 'stream' in section [server], ignoring.",
                "/s.conf:6: Unknown key 'listen' in section [default], ignoring.",
            ]
        );
    }

    #[test]
    fn routes_match_by_appname_not_by_label() {
        let (cfg, msgs) = parse(
            "[default]\ndirectory = /var/log/syslog/default\nmax_size = 10M\n\n\
             [pooler]\nappname = pg_doorman\ndirectory = /var/log/syslog/pg_doorman\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let doorman = cfg.for_app("pg_doorman");
        assert_eq!(
            doorman.directory.as_deref(),
            Some("/var/log/syslog/pg_doorman")
        );
        assert_eq!(doorman.max_size, Some(10 << 20), "inherited from [default]");
        // The label is no app name once appname= is given.
        assert_eq!(
            cfg.for_app("pooler").directory.as_deref(),
            Some("/var/log/syslog/default")
        );
        assert_eq!(cfg.apps.keys().collect::<Vec<_>>(), ["pg_doorman"]);
        // appname= may come after the other keys.
        let (cfg, _) = parse("[x]\ndirectory = /d\nappname = y\n");
        assert_eq!(cfg.for_app("y").directory.as_deref(), Some("/d"));
    }

    #[test]
    fn without_appname_the_label_is_the_app_name() {
        let (cfg, msgs) = parse("[pg_doorman]\ndirectory = /d\n[empty]\nappname =\n");
        assert_eq!(msgs, ["/s.conf:4: appname= is empty, ignoring."]);
        assert_eq!(cfg.for_app("pg_doorman").directory.as_deref(), Some("/d"));
        assert!(cfg.apps.contains_key("empty"));
    }

    #[test]
    fn of_two_routes_for_one_app_the_later_wins() {
        let (cfg, msgs) = parse(
            "[a]\nappname = pg\ndirectory = /first\nmax_count = 9\n\n[b]\nappname = pg\ndirectory = /second\n\n[pg]\nmax_size = 1K\n",
        );
        assert_eq!(
            msgs,
            [
                "/s.conf:7: App name 'pg' of [b] is already routed by [a] on line 1; [b] replaces it.",
                "/s.conf:10: App name 'pg' of [pg] is already routed by [b] on line 6; [pg] replaces it.",
            ]
        );
        // The later route as a whole, not merged with the earlier.
        assert_eq!(
            cfg.apps["pg"],
            SyslogTarget {
                max_size: Some(1024),
                ..Default::default()
            }
        );
    }

    #[test]
    fn a_hash_after_a_blank_starts_a_comment() {
        let text = "# a comment line\n\
                    [server]   # the server\n\
                    listen = /dev/log   # unix socket path\n\
                    \x20 ; indented comment\n\
                    [default]\n\
                    directory = /var/log/a#b\n\
                    max_size = 10M\t# tab before\n\
                    max_count = 7 #\n\
                    [pg]#label\n";
        let (cfg, msgs) = parse(text);
        assert_eq!(cfg.listen.as_ref().unwrap().path, PathBuf::from("/dev/log"));
        assert_eq!(cfg.default.directory.as_deref(), Some("/var/log/a#b"));
        assert_eq!(cfg.default.max_size, Some(10 << 20));
        assert_eq!(cfg.default.max_count, Some(7));
        // `]#` is no comment: the header is invalid and the file ends there.
        assert_eq!(msgs, ["/s.conf:9: Invalid section header '[pg]#label'"]);
    }

    #[test]
    fn comment_lines_keep_their_place_in_a_continuation() {
        let (cfg, msgs) =
            parse("[default]\ndirectory = /var/\\\n  # dropped\nlog # comment\nmax_count = 2\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(cfg.default.directory.as_deref(), Some("/var/ log"));
        assert_eq!(cfg.default.max_count, Some(2));
        assert_eq!(strip_comments("a = b # c\r\nd = e"), "a = b \r\nd = e");
        assert!(matches!(strip_comments("no hash"), Cow::Borrowed(_)));
    }

    #[test]
    fn bad_values_name_the_key_and_the_rest_is_read() {
        let (cfg, msgs) = parse(
            "[default]\ndirectory = rel\nmax_count = x\nmax_size = 10Q\nmax_age = soon\ncolour = red\nmax_count = 4\n\n[app]\nmax_size = -1\ndirectory = /ok\nbroken line\n",
        );
        assert_eq!(
            msgs,
            [
                "/s.conf:2: directory= path is not absolute, ignoring: rel",
                "/s.conf:3: Failed to parse max_count= value, ignoring: x",
                "/s.conf:4: Failed to parse max_size= value, ignoring: 10Q",
                "/s.conf:5: Failed to parse max_age= value, ignoring: soon",
                "/s.conf:6: Unknown key 'colour' in section [default], ignoring.",
                "/s.conf:10: Failed to parse max_size= value, ignoring: -1",
                "/s.conf:12: Missing '=', ignoring line.",
            ]
        );
        assert_eq!(cfg.default.max_count, Some(4));
        assert_eq!(cfg.for_app("app").directory.as_deref(), Some("/ok"));
    }

    #[test]
    fn the_readmes_example_reads_cleanly() {
        let text = "[server]\nlisten = /dev/log                     # unix socket path\n\n\
                    [default]\ndirectory = /var/log/syslog/default\nmax_size = 10M\nmax_count = 7\nmax_age = 168h\n\n\
                    [pg_doorman]\nappname = pg_doorman                   # route by syslog appname\n\
                    directory = /var/log/syslog/pg_doorman\nmax_size = 50M\nmax_count = 10\nmax_age = 720h\n";
        let (cfg, msgs) = parse(text);
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(cfg.listen.as_ref().unwrap().path, PathBuf::from("/dev/log"));
        let pg = cfg.for_app("pg_doorman");
        assert_eq!(pg.max_size, Some(50 << 20));
        assert_eq!(pg.max_age, Some(720 * 3600 * crate::syntax::USEC_PER_SEC));
        assert_eq!(
            cfg.for_app("x").max_age,
            Some(168 * 3600 * crate::syntax::USEC_PER_SEC)
        );
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn comments_never_move_a_line(text in "([\\[\\]=#; \ta-z/\\\\\n\r]{0,12}){0,20}") {
                let stripped = strip_comments(&text);
                let breaks = |t: &str| t.chars().filter(|c| matches!(c, '\n' | '\r' | '\0')).count();
                prop_assert_eq!(breaks(&stripped), breaks(&text));
                let _ = parse_syslog_conf(Path::new("/s.conf"), &text);
            }
        }
    }
}

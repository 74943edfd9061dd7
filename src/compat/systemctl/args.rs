//! systemctl 252's command line, read the way its getopt_long reads it:
//! options anywhere (before or after the verb), `--` ends them, long options
//! may be shortened to any unambiguous prefix, short ones may be bundled
//! (`-aq`, `-pA,B`, `-n5`). Errors carry glibc's and systemctl's words.

/// How a long or short option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Value,
}

/// One option of systemctl 252, in the order of its option table (the
/// order glibc lists the candidates of an ambiguous prefix in).
struct OptionSpec {
    long: &'static str,
    short: Option<char>,
    takes: Takes,
}

const fn flag(long: &'static str, short: Option<char>) -> OptionSpec {
    OptionSpec {
        long,
        short,
        takes: Takes::Nothing,
    }
}

const fn valued(long: &'static str, short: Option<char>) -> OptionSpec {
    OptionSpec {
        long,
        short,
        takes: Takes::Value,
    }
}

static OPTIONS: &[OptionSpec] = &[
    flag("help", Some('h')),
    flag("version", None),
    valued("type", Some('t')),
    valued("property", Some('p')),
    flag("all", Some('a')),
    flag("reverse", None),
    flag("after", None),
    flag("before", None),
    flag("show-types", None),
    flag("failed", None),
    flag("full", Some('l')),
    valued("job-mode", None),
    flag("fail", None),
    flag("irreversible", None),
    flag("ignore-dependencies", None),
    flag("ignore-inhibitors", Some('i')),
    flag("user", None),
    flag("system", None),
    flag("global", None),
    flag("wait", None),
    flag("with-dependencies", None),
    flag("no-block", None),
    valued("legend", None),
    flag("no-legend", None),
    flag("no-pager", None),
    flag("no-wall", None),
    flag("dry-run", None),
    flag("quiet", Some('q')),
    valued("root", None),
    valued("image", None),
    flag("force", Some('f')),
    flag("no-reload", None),
    valued("kill-whom", None),
    valued("signal", Some('s')),
    flag("no-ask-password", None),
    valued("host", Some('H')),
    valued("machine", Some('M')),
    flag("runtime", None),
    valued("lines", Some('n')),
    valued("output", Some('o')),
    flag("plain", None),
    valued("state", None),
    flag("recursive", Some('r')),
    valued("preset-mode", None),
    flag("firmware-setup", None),
    valued("boot-loader-menu", None),
    valued("boot-loader-entry", None),
    flag("now", None),
    valued("message", None),
    flag("show-transaction", Some('T')),
    valued("what", None),
    valued("reboot-argument", None),
    valued("timestamp", None),
    flag("mkdir", None),
    flag("marked", None),
    flag("read-only", None),
    flag("value", None),
    valued("check-inhibitors", None),
];

/// `-P NAME`: `--property=NAME --value`; only a short form.
const SHORT_PROPERTY_VALUE: char = 'P';

/// Which manager the command is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    System,
    User,
    Global,
}

/// Everything the options set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `-t`: unit types (`service`) asked for.
    pub types: Vec<String>,
    /// `-t` also takes load states (`loaded`, `masked`).
    pub load_states: Vec<String>,
    /// `--state=`: any word, matched against every kind of state.
    pub states: Vec<String>,
    /// `-p A,B -p C`.
    pub properties: Vec<String>,
    /// `-a` (twice: `--all --all`).
    pub all: u8,
    pub reverse: bool,
    pub failed: bool,
    pub full: bool,
    pub user: bool,
    pub scope: Scope,
    pub no_block: bool,
    pub wait: bool,
    /// `--legend=no`/`--no-legend`.
    pub legend: bool,
    pub no_pager: bool,
    pub quiet: bool,
    pub root: Option<String>,
    pub force: u8,
    pub no_reload: bool,
    pub kill_whom: Option<String>,
    pub signal: Option<String>,
    pub no_ask_password: bool,
    pub host: Option<String>,
    pub machine: Option<String>,
    pub runtime: bool,
    pub lines: Option<u32>,
    pub output: Option<String>,
    pub plain: bool,
    pub recursive: bool,
    pub now: bool,
    pub value: bool,
    pub dry_run: bool,
    pub preset_mode: Option<String>,
    pub job_mode: Option<String>,
    pub show_types: bool,
    pub timestamp: Option<String>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A verb (None: the default, list-units) and its arguments.
    Run {
        options: Box<Options>,
        verb: Option<String>,
        args: Vec<String>,
    },
    /// Print this on stdout and exit 0 (`--version`, `--type=help` ...).
    Print(String),
    /// `-h`/`--help`.
    Help,
    /// Print this on stderr and exit 1.
    Fail(String),
}

/// systemd's unit types, in its order (`-t help`).
pub const UNIT_TYPES: &[&str] = &[
    "service",
    "mount",
    "swap",
    "socket",
    "target",
    "device",
    "automount",
    "timer",
    "path",
    "slice",
    "scope",
];

pub const LOAD_STATES: &[&str] = &[
    "stub",
    "loaded",
    "not-found",
    "bad-setting",
    "error",
    "merged",
    "masked",
];

pub const ACTIVE_STATES: &[&str] = &[
    "active",
    "reloading",
    "inactive",
    "failed",
    "activating",
    "deactivating",
    "maintenance",
];

/// journalctl's output modes, which `-o` takes.
pub const OUTPUT_MODES: &[&str] = &[
    "short",
    "short-full",
    "short-iso",
    "short-iso-precise",
    "short-precise",
    "short-monotonic",
    "short-delta",
    "short-unix",
    "verbose",
    "export",
    "json",
    "json-pretty",
    "json-sse",
    "json-seq",
    "cat",
    "with-unit",
];

const PROGRAM: &str = "systemctl";

/// Reads `args` (without argv[0]).
pub fn parse(args: &[String]) -> Command {
    let mut options = Options {
        legend: true,
        ..Options::default()
    };
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let spec = match find_long(name, arg) {
                Ok(spec) => spec,
                Err(message) => return Command::Fail(message),
            };
            let value = match (spec.takes, inline) {
                (Takes::Nothing, Some(_)) => {
                    return Command::Fail(format!(
                        "{PROGRAM}: option '--{}' doesn't allow an argument",
                        spec.long
                    ));
                }
                (Takes::Nothing, None) => None,
                (Takes::Value, Some(v)) => Some(v),
                (Takes::Value, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => {
                        return Command::Fail(format!(
                            "{PROGRAM}: option '--{}' requires an argument",
                            spec.long
                        ));
                    }
                },
            };
            if let Some(done) = apply(&mut options, spec.long, value) {
                return done;
            }
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            let chars: Vec<char> = arg[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                let (long, takes) = if c == SHORT_PROPERTY_VALUE {
                    ("property", Takes::Value)
                } else {
                    match OPTIONS.iter().find(|o| o.short == Some(c)) {
                        Some(spec) => (spec.long, spec.takes),
                        None => {
                            return Command::Fail(format!("{PROGRAM}: invalid option -- '{c}'"));
                        }
                    }
                };
                let value = match takes {
                    Takes::Nothing => None,
                    Takes::Value if k < chars.len() => {
                        let rest: String = chars[k..].iter().collect();
                        k = chars.len();
                        Some(rest)
                    }
                    Takes::Value => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            Some(v.clone())
                        }
                        None => {
                            return Command::Fail(format!(
                                "{PROGRAM}: option requires an argument -- '{c}'"
                            ));
                        }
                    },
                };
                if c == SHORT_PROPERTY_VALUE {
                    options.value = true;
                }
                if let Some(done) = apply(&mut options, long, value) {
                    return done;
                }
            }
            continue;
        }
        positional.push(arg.clone());
    }
    let mut positional = positional.into_iter();
    let verb = positional.next();
    Command::Run {
        options: Box::new(options),
        verb,
        args: positional.collect(),
    }
}

/// The option a (possibly shortened) long name stands for.
fn find_long(name: &str, as_given: &str) -> Result<&'static OptionSpec, String> {
    if let Some(exact) = OPTIONS.iter().find(|o| o.long == name) {
        return Ok(exact);
    }
    let candidates: Vec<&OptionSpec> = OPTIONS
        .iter()
        .filter(|o| !name.is_empty() && o.long.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("{PROGRAM}: unrecognized option '{as_given}'")),
        many => {
            let listed: Vec<String> = many.iter().map(|o| format!(" '--{}'", o.long)).collect();
            Err(format!(
                "{PROGRAM}: option '--{name}' is ambiguous; possibilities:{}",
                listed.concat()
            ))
        }
    }
}

/// Records one option; Some(command) when it ends the parse.
fn apply(o: &mut Options, long: &str, value: Option<String>) -> Option<Command> {
    let v = value.unwrap_or_default();
    match long {
        "help" => return Some(Command::Help),
        "version" => return Some(Command::Print(version_text())),
        "type" => {
            for word in v.split(',').filter(|w| !w.is_empty()) {
                if word == "help" {
                    return Some(Command::Print(list_text(
                        "Available unit types:",
                        UNIT_TYPES,
                    )));
                }
                if UNIT_TYPES.contains(&word) {
                    push_unique(&mut o.types, word);
                } else if LOAD_STATES.contains(&word) {
                    push_unique(&mut o.load_states, word);
                } else {
                    return Some(Command::Fail(format!(
                        "Unknown unit type or load state '{word}'.\nUse -t help to see a list of allowed values."
                    )));
                }
            }
        }
        "property" => {
            for word in v.split(',') {
                if !word.is_empty() {
                    push_unique(&mut o.properties, word);
                }
            }
            if v.is_empty() {
                // `-p ''` asks for an empty property name: nothing matches.
                push_unique(&mut o.properties, "");
            }
        }
        "all" => o.all = o.all.saturating_add(1),
        "reverse" => o.reverse = true,
        "after" | "before" => {}
        "show-types" => o.show_types = true,
        "failed" => {
            o.failed = true;
            push_unique(&mut o.states, "failed");
        }
        "full" => o.full = true,
        "job-mode" => o.job_mode = Some(v),
        "fail" => o.job_mode = Some("fail".into()),
        "irreversible" => o.job_mode = Some("replace-irreversibly".into()),
        "ignore-dependencies" => o.job_mode = Some("ignore-dependencies".into()),
        "ignore-inhibitors" => {}
        "user" => o.scope = Scope::User,
        "system" => o.scope = Scope::System,
        "global" => o.scope = Scope::Global,
        "wait" => o.wait = true,
        "with-dependencies" => {}
        "no-block" => o.no_block = true,
        "legend" => match parse_boolean(&v) {
            Some(b) => o.legend = b,
            None => {
                return Some(Command::Fail(format!(
                    "Failed to parse boolean argument to --legend: {v}."
                )));
            }
        },
        "no-legend" => o.legend = false,
        "no-pager" => o.no_pager = true,
        "no-wall" => {}
        "dry-run" => o.dry_run = true,
        "quiet" => o.quiet = true,
        "root" => o.root = Some(v),
        "image" => {
            return Some(Command::Fail(format!(
                "Failed to set up loopback device for {v}: Operation not permitted"
            )));
        }
        "force" => o.force = o.force.saturating_add(1),
        "no-reload" => o.no_reload = true,
        "kill-whom" => o.kill_whom = Some(v),
        "signal" => {
            if v == "help" {
                return Some(Command::Print(signal_list()));
            }
            if signal_number(&v).is_none() {
                return Some(Command::Fail(format!(
                    "Failed to parse signal string \"{v}\"."
                )));
            }
            o.signal = Some(v);
        }
        "no-ask-password" => o.no_ask_password = true,
        "host" => o.host = Some(v),
        "machine" => o.machine = Some(v),
        "runtime" => o.runtime = true,
        "lines" => match v.parse::<u32>() {
            Ok(n) if !v.starts_with('+') => o.lines = Some(n),
            _ => return Some(Command::Fail(format!("Failed to parse lines '{v}'"))),
        },
        "output" => {
            if v == "help" {
                return Some(Command::Print(list_text("", OUTPUT_MODES)));
            }
            if !OUTPUT_MODES.contains(&v.as_str()) {
                return Some(Command::Fail(format!("Unknown output '{v}'.")));
            }
            o.output = Some(v);
        }
        "plain" => o.plain = true,
        "state" => {
            for word in v.split(',').filter(|w| !w.is_empty()) {
                if word == "help" {
                    return Some(Command::Print(state_help()));
                }
                push_unique(&mut o.states, word);
            }
        }
        "recursive" => o.recursive = true,
        "preset-mode" => {
            if !matches!(v.as_str(), "full" | "enable-only" | "disable-only") {
                return Some(Command::Fail(format!("Failed to parse preset mode: {v}.")));
            }
            o.preset_mode = Some(v);
        }
        "now" => o.now = true,
        "show-transaction" => {}
        "timestamp" => {
            if v == "help" {
                return Some(Command::Print("pretty\nus\nutc\nus+utc\nunix\n".into()));
            }
            if !matches!(
                v.as_str(),
                "pretty" | "us" | "µs" | "utc" | "us+utc" | "µs+utc" | "unix"
            ) {
                return Some(Command::Fail(format!("Invalid value: {v}.")));
            }
            o.timestamp = Some(v);
        }
        "value" => o.value = true,
        "check-inhibitors" if v != "auto" && parse_boolean(&v).is_none() => {
            return Some(Command::Fail(format!(
                "Failed to parse --check-inhibitors= argument: {v}"
            )));
        }
        // Accepted and without effect here: power-off and boot-loader
        // settings, --mkdir, --marked, --read-only.
        _ => {}
    }
    None
}

fn push_unique(list: &mut Vec<String>, word: &str) {
    if !list.iter().any(|w| w == word) {
        list.push(word.to_string());
    }
}

/// systemd's parse_boolean().
pub fn parse_boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

fn list_text(title: &str, words: &[&str]) -> String {
    let mut out = String::new();
    if !title.is_empty() {
        out.push_str(title);
        out.push('\n');
    }
    for w in words {
        out.push_str(w);
        out.push('\n');
    }
    out
}

/// The names of signals 1..=64, as `--signal=help` lists them (with 0 first).
const SIGNAL_NAMES: [&str; 32] = [
    "0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
];

fn signal_list() -> String {
    let mut out = list_text("", &SIGNAL_NAMES);
    out.push_str("32\n33\n");
    for n in 0..=30 {
        out.push_str(&format!("RTMIN+{n}\n"));
    }
    out
}

/// A signal as systemctl's `--signal=` reads it: `TERM`, `SIGTERM`, `15`,
/// `RTMIN+3`.
pub fn signal_number(text: &str) -> Option<i32> {
    if let Ok(n) = text.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let name = text.strip_prefix("SIG").unwrap_or(text);
    if let Some(i) = SIGNAL_NAMES.iter().position(|s| *s == name)
        && i > 0
    {
        return i32::try_from(i).ok();
    }
    if name == "IOT" {
        return Some(6);
    }
    if name == "POLL" {
        return Some(29);
    }
    let rt = |rest: &str, base: i32, sign: i32| -> Option<i32> {
        let off: i32 = if rest.is_empty() {
            0
        } else {
            rest.parse().ok()?
        };
        let n = base + sign * off;
        (34..=64).contains(&n).then_some(n)
    };
    if let Some(rest) = name.strip_prefix("RTMIN") {
        return rt(rest.strip_prefix('+').unwrap_or(rest), 34, 1);
    }
    if let Some(rest) = name.strip_prefix("RTMAX") {
        return rt(rest.strip_prefix('-').unwrap_or(rest), 64, -1);
    }
    None
}

/// Each unit type's sub-states, as systemctl's `--state=help` lists them.
pub const SUB_STATES: &[(&str, &[&str])] = &[
    ("automount", &["dead", "waiting", "running", "failed"]),
    ("device", &["dead", "tentative", "plugged"]),
    (
        "mount",
        &[
            "dead",
            "mounting",
            "mounting-done",
            "mounted",
            "remounting",
            "unmounting",
            "remounting-sigterm",
            "remounting-sigkill",
            "unmounting-sigterm",
            "unmounting-sigkill",
            "failed",
            "cleaning",
        ],
    ),
    ("path", &["dead", "waiting", "running", "failed"]),
    (
        "scope",
        &[
            "dead",
            "start-chown",
            "running",
            "abandoned",
            "stop-sigterm",
            "stop-sigkill",
            "failed",
        ],
    ),
    (
        "service",
        &[
            "dead",
            "condition",
            "start-pre",
            "start",
            "start-post",
            "running",
            "exited",
            "reload",
            "stop",
            "stop-watchdog",
            "stop-sigterm",
            "stop-sigkill",
            "stop-post",
            "final-watchdog",
            "final-sigterm",
            "final-sigkill",
            "failed",
            "auto-restart",
            "cleaning",
        ],
    ),
    ("slice", &["dead", "active"]),
    (
        "socket",
        &[
            "dead",
            "start-pre",
            "start-chown",
            "start-post",
            "listening",
            "running",
            "stop-pre",
            "stop-pre-sigterm",
            "stop-pre-sigkill",
            "stop-post",
            "final-sigterm",
            "final-sigkill",
            "failed",
            "cleaning",
        ],
    ),
    (
        "swap",
        &[
            "dead",
            "activating",
            "activating-done",
            "active",
            "deactivating",
            "deactivating-sigterm",
            "deactivating-sigkill",
            "failed",
            "cleaning",
        ],
    ),
    ("target", &["dead", "active"]),
    (
        "timer",
        &["dead", "waiting", "running", "elapsed", "failed"],
    ),
];

/// systemctl's `--state=help`.
fn state_help() -> String {
    let file_states: Vec<&str> = crate::config::enablement::UnitFileState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let mut out = list_text("Available unit load states:", LOAD_STATES);
    out.push('\n');
    out.push_str(&list_text("Available unit active states:", ACTIVE_STATES));
    out.push('\n');
    out.push_str(&list_text("Available unit file states:", &file_states));
    for (kind, states) in SUB_STATES {
        out.push('\n');
        out.push_str(&list_text(
            &format!("Available {kind} unit substates:"),
            states,
        ));
    }
    out
}

/// `systemctl --version`: systemd's two lines in systemd's shape (Ansible
/// reads the number after "systemd " and the features line), naming runr.
pub fn version_text() -> String {
    format!(
        "systemd 252 (runr {})\n-PAM -AUDIT -SELINUX -APPARMOR -IMA -SMACK -SECCOMP -GCRYPT -GNUTLS -OPENSSL -ACL -BLKID -CURL -ELFUTILS -FIDO2 -IDN2 -IDN -IPTC -KMOD -LIBCRYPTSETUP -LIBFDISK -PCRE2 -PWQUALITY -P11KIT -QRENCODE -TPM2 -BZIP2 -LZ4 -XZ +ZLIB -ZSTD -BPF_FRAMEWORK -XKBCOMMON -UTMP -SYSVINIT default-hierarchy=unified\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(line: &str) -> Command {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args)
    }

    fn options(line: &str) -> (Options, Option<String>, Vec<String>) {
        match run(line) {
            Command::Run {
                options,
                verb,
                args,
            } => (*options, verb, args),
            other => panic!("{line}: {other:?}"),
        }
    }

    fn failure(line: &str) -> String {
        match run(line) {
            Command::Fail(text) => text,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn options_go_before_or_after_the_verb() {
        let (o, verb, args) = options("is-enabled demo.service -l");
        assert!(o.full);
        assert_eq!(verb.as_deref(), Some("is-enabled"));
        assert_eq!(args, vec!["demo.service"]);
        let (o, verb, _) = options("--no-block --force start x");
        assert!(o.no_block && o.force == 1);
        assert_eq!(verb.as_deref(), Some("start"));
        let (_, verb, args) = options("is-active -- -x");
        assert_eq!(verb.as_deref(), Some("is-active"));
        assert_eq!(args, vec!["-x"]);
    }

    #[test]
    fn properties_accumulate_from_lists_and_repeats() {
        let (o, _, _) = options("show -p A,B --property=C -pD x");
        assert_eq!(o.properties, vec!["A", "B", "C", "D"]);
        let (o, _, _) = options("show x -P ActiveState");
        assert!(o.value);
        assert_eq!(o.properties, vec!["ActiveState"]);
    }

    #[test]
    fn short_options_bundle() {
        let (o, _, _) = options("-aqn5 list-units");
        assert_eq!((o.all, o.quiet, o.lines), (1, true, Some(5)));
        let (o, _, _) = options("-t service -a --state=failed,running");
        assert_eq!(o.types, vec!["service"]);
        assert_eq!(o.states, vec!["failed", "running"]);
        let (o, _, _) = options("-t loaded,timer");
        assert_eq!(
            (o.types.clone(), o.load_states),
            (vec!["timer".to_string()], vec!["loaded".to_string()])
        );
    }

    #[test]
    fn getopt_errors_are_glibcs() {
        assert_eq!(
            failure("--bogus-option"),
            "systemctl: unrecognized option '--bogus-option'"
        );
        assert_eq!(failure("-x status"), "systemctl: invalid option -- 'x'");
        assert_eq!(
            failure("show -p"),
            "systemctl: option requires an argument -- 'p'"
        );
        assert_eq!(
            failure("--type"),
            "systemctl: option '--type' requires an argument"
        );
        assert_eq!(
            failure("--version=3"),
            "systemctl: option '--version' doesn't allow an argument"
        );
        assert_eq!(
            failure("--no"),
            "systemctl: option '--no' is ambiguous; possibilities: '--no-block' '--no-legend' '--no-pager' '--no-wall' '--no-reload' '--no-ask-password' '--now'"
        );
        assert_eq!(
            failure("--k"),
            "systemctl: option '--kill-whom' requires an argument"
        );
        assert!(matches!(run("--no-p --version"), Command::Print(_)));
    }

    #[test]
    fn values_are_checked_as_systemctl_checks_them() {
        assert_eq!(
            failure("status --lines=abc x"),
            "Failed to parse lines 'abc'"
        );
        assert_eq!(failure("-n -1 status"), "Failed to parse lines '-1'");
        assert_eq!(failure("status -o bogus x"), "Unknown output 'bogus'.");
        assert_eq!(
            failure("--type=bogus"),
            "Unknown unit type or load state 'bogus'.\nUse -t help to see a list of allowed values."
        );
        assert_eq!(
            failure("kill -s BOGUS x"),
            "Failed to parse signal string \"BOGUS\"."
        );
        assert_eq!(
            failure("--legend=x"),
            "Failed to parse boolean argument to --legend: x."
        );
        assert_eq!(
            failure("--preset-mode=x"),
            "Failed to parse preset mode: x."
        );
        let (o, _, _) = options("list-units --state=bogus");
        assert_eq!(o.states, vec!["bogus"]);
    }

    #[test]
    fn help_lists_match_systemd() {
        let golden = |p: &str| {
            std::fs::read_to_string(format!(
                "{}/golden/systemctl/live/list/{p}.stdout",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        assert_eq!(
            run("--type=help"),
            Command::Print(golden("23-units-type-help"))
        );
        assert_eq!(
            run("--state=help"),
            Command::Print(golden("24-units-state-help"))
        );
    }

    #[test]
    fn signals() {
        assert_eq!(signal_number("CONT"), Some(18));
        assert_eq!(signal_number("SIGCONT"), Some(18));
        assert_eq!(signal_number("9"), Some(9));
        assert_eq!(signal_number("RTMIN+2"), Some(36));
        assert_eq!(signal_number("BOGUS"), None);
        assert_eq!(signal_number("0"), None);
        assert_eq!(signal_list().lines().count(), 65);
    }

    #[test]
    fn version_first_line_is_what_ansible_parses() {
        let text = version_text();
        let second_word = text.split(' ').nth(1).unwrap();
        assert_eq!(second_word.parse::<u32>().unwrap(), 252);
        assert!(
            text.split('\n')
                .nth(1)
                .unwrap()
                .contains("default-hierarchy=unified")
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn never_panics(args in proptest::collection::vec("[-a-zA-Z=,0-9]{0,12}", 0..6)) {
            let _ = parse(&args);
        }
    }
}

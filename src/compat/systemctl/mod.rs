//! The systemctl face. `systemctl VERB ...` (or `runr systemctl VERB ...`)
//! parses its command line as systemctl 252 does, then:
//!
//! - the unit-file verbs (enable, disable, reenable, mask, unmask, link,
//!   preset, is-enabled, list-unit-files, get-default, set-default) work
//!   on the files, with or without a daemon (`files.rs`, on
//!   `config::enablement`), and ask a running daemon to reload afterwards;
//! - the verbs that need a manager ask runr's daemon over the control API
//!   (`live.rs`); with no daemon they answer as systemctl does on a host
//!   not booted with systemd;
//! - `cat` reads the files when no daemon answers (systemctl 252 refuses).
//!
//! What is printed comes from the pure renderers of `render/`.

pub mod args;
mod files;
pub mod getopt;
mod live;
pub mod names;
mod power;
pub mod render;
pub mod sysv;
pub mod terminal;

use std::io::{IsTerminal, Write};

use args::{Command, Options, Scope};
use terminal::Terminal;

/// What a verb needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Works on the unit files; no manager needed.
    Files,
    /// Asks the manager; refused with `--root=`.
    Manager,
    /// `cat`: the manager, or the files when there is none.
    ManagerOrFiles,
}

struct Verb {
    name: &'static str,
    /// Counting the verb itself, as systemctl counts.
    min_args: usize,
    max_args: usize,
    needs: Needs,
}

const MANY: usize = usize::MAX;

const fn verb(name: &'static str, min_args: usize, max_args: usize, needs: Needs) -> Verb {
    Verb {
        name,
        min_args,
        max_args,
        needs,
    }
}

static VERBS: &[Verb] = &[
    verb("list-units", 1, MANY, Needs::Manager),
    verb("list-unit-files", 1, MANY, Needs::Files),
    verb("list-timers", 1, MANY, Needs::Manager),
    verb("list-dependencies", 1, 2, Needs::Manager),
    verb("start", 2, MANY, Needs::Manager),
    verb("stop", 2, MANY, Needs::Manager),
    verb("condstop", 2, MANY, Needs::Manager),
    verb("reload", 2, MANY, Needs::Manager),
    verb("restart", 2, MANY, Needs::Manager),
    verb("try-restart", 2, MANY, Needs::Manager),
    verb("reload-or-restart", 2, MANY, Needs::Manager),
    verb("try-reload-or-restart", 2, MANY, Needs::Manager),
    verb("reload-or-try-restart", 2, MANY, Needs::Manager),
    verb("force-reload", 2, MANY, Needs::Manager),
    verb("condreload", 2, MANY, Needs::Manager),
    verb("condrestart", 2, MANY, Needs::Manager),
    verb("kill", 2, MANY, Needs::Manager),
    verb("is-active", 2, MANY, Needs::Manager),
    verb("check", 2, MANY, Needs::Manager),
    verb("is-failed", 2, MANY, Needs::Manager),
    verb("show", 1, MANY, Needs::Manager),
    verb("cat", 2, MANY, Needs::ManagerOrFiles),
    verb("status", 1, MANY, Needs::Manager),
    verb("help", 2, MANY, Needs::Manager),
    verb("daemon-reload", 1, 1, Needs::Manager),
    verb("daemon-reexec", 1, 1, Needs::Manager),
    verb("reset-failed", 1, MANY, Needs::Manager),
    verb("is-system-running", 1, 1, Needs::Manager),
    verb("halt", 1, 1, Needs::Manager),
    verb("poweroff", 1, 1, Needs::Manager),
    verb("reboot", 1, 2, Needs::Manager),
    verb("kexec", 1, 1, Needs::Manager),
    verb("exit", 1, 2, Needs::Manager),
    verb("enable", 2, MANY, Needs::Files),
    verb("disable", 2, MANY, Needs::Files),
    verb("reenable", 2, MANY, Needs::Files),
    verb("preset", 2, MANY, Needs::Files),
    verb("mask", 2, MANY, Needs::Files),
    verb("unmask", 2, MANY, Needs::Files),
    verb("link", 2, MANY, Needs::Files),
    verb("is-enabled", 2, MANY, Needs::Files),
    verb("get-default", 1, 1, Needs::Files),
    verb("set-default", 2, 2, Needs::Files),
];

/// Verbs of systemctl 252 that runr does not carry out.
const UNSUPPORTED_VERBS: &[&str] = &[
    "list-sockets",
    "list-jobs",
    "list-machines",
    "list-automounts",
    "isolate",
    "clean",
    "freeze",
    "thaw",
    "log-level",
    "log-target",
    "service-log-level",
    "service-log-target",
    "service-watchdogs",
    "show-environment",
    "set-environment",
    "unset-environment",
    "import-environment",
    "rescue",
    "emergency",
    "default",
    "suspend",
    "hibernate",
    "hybrid-sleep",
    "suspend-then-hibernate",
    "switch-root",
    "set-property",
    "bind",
    "mount-image",
    "preset-all",
    "revert",
    "add-wants",
    "add-requires",
    "edit",
    "cancel",
];

/// Everything a verb runs with.
pub struct Invocation {
    pub options: Options,
    pub verb: String,
    pub args: Vec<String>,
    pub term: Terminal,
    /// Whether stderr is a terminal (errors are then painted red).
    pub stderr_tty: bool,
}

impl Invocation {
    /// One line on stderr as systemd logs an error: red on a terminal.
    pub fn error(&self, text: &str) {
        let text = if self.stderr_tty && self.term.colors {
            self.term.paint(terminal::RED, text)
        } else {
            text.to_string()
        };
        self.log_line(&text);
    }

    /// A warning on stderr as systemd logs one: yellow on a terminal.
    pub fn warning(&self, text: &str) {
        let text = if self.stderr_tty && self.term.colors {
            self.term.paint(terminal::YELLOW, text)
        } else {
            text.to_string()
        };
        self.log_line(&text);
    }

    /// Writes to stderr as it is, as systemctl's fprintf(stderr, ...).
    pub fn print_stderr(&self, text: &str) {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// A notice on stderr (not painted).
    pub fn notice(&self, text: &str) {
        self.log_line(text);
    }

    /// systemd's log lines end in CR LF on a terminal, so that they start
    /// at the left margin even in raw mode.
    fn log_line(&self, text: &str) {
        let end = if self.stderr_tty { "\r\n" } else { "\n" };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{text}{end}");
    }

    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

pub fn main(args: &[String]) -> u8 {
    let rest = args.get(1..).unwrap_or(&[]);
    let (options, verb, verb_args) = match args::parse(rest) {
        Command::Run {
            options,
            verb,
            args,
        } => (*options, verb, args),
        Command::Print(text) => {
            print!("{text}");
            return 0;
        }
        Command::Help => {
            print!("{}", help_text());
            return 0;
        }
        Command::Fail(text) => {
            eprintln!("{text}");
            return 1;
        }
    };
    let mut term = Terminal::detect();
    if options.full {
        term.columns = None;
    }
    let verb_name = verb.clone().unwrap_or_else(|| "list-units".to_string());
    let Some(spec) = VERBS.iter().find(|v| v.name == verb_name) else {
        if UNSUPPORTED_VERBS.contains(&verb_name.as_str()) {
            eprintln!("runr: systemctl {verb_name} is not supported.");
        } else {
            eprintln!("Unknown command verb {verb_name}.");
        }
        return 1;
    };
    let given = verb_args.len() + 1;
    if given < spec.min_args {
        if spec.name == "help" {
            eprintln!("'help' command expects one or more unit names.");
            eprintln!("(Alternatively, help for systemctl itself may be shown with --help)");
        } else {
            eprintln!("Too few arguments.");
        }
        return 1;
    }
    if given > spec.max_args {
        eprintln!("Too many arguments.");
        return 1;
    }
    if options.root.is_some() && spec.needs != Needs::Files {
        eprintln!("Verb '{verb_name}' cannot be used with --root= or --image=.");
        return 1;
    }
    let stderr_tty = std::io::stderr().is_terminal();
    let inv = Invocation {
        options,
        verb: verb_name,
        args: verb_args,
        term,
        stderr_tty,
    };
    if spec.needs != Needs::Files && offline_requested() {
        inv.notice(&format!(
            "Running in chroot, ignoring command '{}'",
            inv.verb
        ));
        return 0;
    }
    if inv.options.scope != Scope::System && power::is_system_only(&inv.verb) {
        let mode = match inv.options.scope {
            Scope::Global => "--global",
            _ => "--user",
        };
        inv.error(&format!("Bad action for {mode} mode."));
        return 1;
    }
    if inv.options.scope != Scope::System && spec.needs != Needs::Files {
        // No user manager here, as on a host without a user session bus.
        inv.error("Failed to connect to bus: No medium found");
        return 1;
    }
    if inv.options.host.is_some() || inv.options.machine.is_some() {
        inv.error("Failed to connect to bus: Connection refused");
        return 1;
    }
    match spec.needs {
        Needs::Files => files::run(&inv),
        Needs::Manager | Needs::ManagerOrFiles => {
            live::run(&inv, spec.needs == Needs::ManagerOrFiles)
        }
    }
}

/// `SYSTEMD_OFFLINE=1`: the manager verbs do nothing, as in a chroot.
fn offline_requested() -> bool {
    std::env::var("SYSTEMD_OFFLINE")
        .ok()
        .and_then(|v| args::parse_boolean(&v))
        .unwrap_or(false)
}

/// What a host without a running manager answers to a manager verb.
pub fn not_booted(inv: &Invocation) -> u8 {
    inv.error("System has not been booted with systemd as init system (PID 1). Can't operate.");
    inv.error("Failed to connect to bus: Host is down");
    1
}

fn help_text() -> String {
    let mut out = String::from(
        "systemctl [OPTIONS...] COMMAND ...\n\nQuery or send control commands to runr, which answers as the systemd 252 manager.\n\nCommands:\n",
    );
    for v in VERBS {
        out.push_str("  ");
        out.push_str(v.name);
        out.push('\n');
    }
    out.push_str(
        "\nOptions:\n  -h --help  -t --type=TYPE  --state=STATE  -p --property=NAME  -P NAME  -a --all\n  -l --full  -r --recursive  --reverse  --value  --failed  --plain  --no-legend\n  --no-pager  --no-ask-password  -q --quiet  -n --lines=N  -o --output=MODE\n  --system  --user  --root=PATH  --runtime  --now  -f --force  --no-block\n  --no-reload  --kill-whom=WHOM  -s --signal=SIGNAL  --version\n\nSee runr's README, section \"systemctl\", for what works with and without the daemon.\n",
    );
    out
}

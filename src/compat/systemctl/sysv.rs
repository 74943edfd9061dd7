//! systemd-sysv's names. Debian links `runlevel`, `telinit`, `halt`,
//! `poweroff`, `reboot` and `shutdown` to systemctl, which reads its
//! command line by the name it was reached through (systemctl.c's
//! parse_argv()); runr does the same when reached through those names:
//!
//! - `runlevel`: the previous and current runlevel from utmp (`$RUNLEVEL`
//!   first), which runr's daemon keeps as systemd-update-utmp does;
//! - `telinit 0|6|1-5|s|q|u`: power off, reboot, a runlevel's target,
//!   reload; with no systemd-like manager (no /run/systemd/system) it hands
//!   over to sysvinit's telinit, as systemctl does;
//! - `halt`, `poweroff`, `reboot [ARG]` (`-f`, `-w`, ...);
//! - `shutdown [-H|-P|-r|-h|-k|-c|--show] [TIME] [WALL...]`, a time
//!   scheduled by the daemon as logind schedules it.
//!
//! Parsing is pure (`parse`, unit-tested); `main` carries it out.

use std::path::Path;

use jiff::tz::TimeZone;

use super::Invocation;
use super::args::Options;
use super::getopt::{Getopt, Opt, flag, valued};
use super::power;
use super::terminal::{HIGHLIGHT, Terminal};
use crate::control::client::{Client, ClientError};
use crate::control::types::{ShutdownAction, ShutdownPlan, Timestamp};
use crate::syntax::Usec;

/// The names, as systemctl tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Runlevel,
    Telinit,
    Halt,
    Poweroff,
    Reboot,
    Shutdown,
}

impl Name {
    pub fn of(program: &str) -> Option<Name> {
        Some(match program {
            "runlevel" => Name::Runlevel,
            "telinit" => Name::Telinit,
            "halt" => Name::Halt,
            "poweroff" => Name::Poweroff,
            "reboot" => Name::Reboot,
            "shutdown" => Name::Shutdown,
            _ => return None,
        })
    }

    pub const ALL: [&'static str; 6] = [
        "runlevel", "telinit", "halt", "poweroff", "reboot", "shutdown",
    ];
}

/// What `telinit X` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TelinitAction {
    /// `0`, `6`.
    Power(ShutdownAction),
    /// `1`-`5`, `s`: a runlevel's target, started as the only runlevel
    /// target (systemd isolates it).
    Target(&'static str),
    /// `q`: reload the configuration.
    Reload,
    /// `u`: re-execute (runr reloads).
    Reexec,
}

/// `halt`, `poweroff`, `reboot`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaltRequest {
    pub action: ShutdownAction,
    /// `-f`, or a shutdown runlevel (0, 6) in utmp.
    pub force: bool,
    /// `-w`.
    pub dry_run: bool,
    /// `reboot [ARG]`: Some(ARG or None) when the reboot parameter is to
    /// be kept (or removed).
    pub reboot_parameter: Option<Option<String>>,
}

/// `shutdown`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownRequest {
    pub action: ShutdownAction,
    /// `-k`.
    pub dry_run: bool,
    /// Realtime usec; 0: now.
    pub when: Usec,
    pub wall: Vec<String>,
}

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `--help` of this name; the action picks halt's wording.
    Help(Name, ShutdownAction),
    /// getopt's complaint, printed as glibc prints it.
    Usage(String),
    /// systemd's complaint (red on a terminal).
    Fail(String),
    Runlevel,
    Telinit(TelinitAction),
    Halt(HaltRequest),
    Shutdown(ShutdownRequest),
    CancelShutdown,
    ShowShutdown,
}

/// What parsing reads of the world.
pub struct Context {
    pub now_usec: Usec,
    pub zone: TimeZone,
    /// The current runlevel on record (utmp or `$RUNLEVEL`).
    pub runlevel: Option<u8>,
    pub kexec_loaded: bool,
}

const RUNLEVEL_OPTIONS: &[Opt] = &[flag(Some("help"), None, "help")];

const TELINIT_OPTIONS: &[Opt] = &[
    flag(Some("help"), None, "help"),
    flag(Some("no-wall"), None, "no-wall"),
];

const HALT_OPTIONS: &[Opt] = &[
    flag(Some("help"), None, "help"),
    flag(Some("halt"), None, "halt"),
    flag(Some("poweroff"), Some('p'), "poweroff"),
    flag(Some("reboot"), None, "reboot"),
    flag(Some("force"), Some('f'), "force"),
    flag(Some("wtmp-only"), Some('w'), "wtmp-only"),
    flag(Some("no-wtmp"), Some('d'), "no-wtmp"),
    flag(Some("no-sync"), Some('n'), "no-sync"),
    flag(Some("no-wall"), None, "no-wall"),
    flag(None, Some('i'), "nop"),
    flag(None, Some('h'), "nop"),
];

const SHUTDOWN_OPTIONS: &[Opt] = &[
    flag(Some("help"), None, "help"),
    flag(Some("halt"), Some('H'), "halt"),
    flag(Some("poweroff"), Some('P'), "poweroff"),
    flag(Some("reboot"), Some('r'), "reboot"),
    flag(Some("kexec"), Some('K'), "kexec"),
    flag(Some("no-wall"), None, "no-wall"),
    flag(Some("show"), None, "show"),
    flag(None, Some('h'), "h"),
    flag(None, Some('k'), "dry-run"),
    flag(None, Some('a'), "nop"),
    valued(None, Some('t'), "nop"),
    flag(None, Some('f'), "nop"),
    flag(None, Some('F'), "nop"),
    flag(None, Some('c'), "cancel"),
];

/// program_invocation_short_name.
fn short_name(argv0: &str) -> &str {
    Path::new(argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(argv0)
}

/// Reads the command line of `name` (`args` without argv[0]).
pub fn parse(name: Name, argv0: &str, args: &[String], cx: &Context) -> Parsed {
    match name {
        Name::Runlevel => parse_runlevel(argv0, args),
        Name::Telinit => parse_telinit(argv0, args),
        Name::Halt | Name::Poweroff | Name::Reboot => parse_halt(name, argv0, args, cx),
        Name::Shutdown => parse_shutdown(argv0, args, cx),
    }
}

fn parse_runlevel(argv0: &str, args: &[String]) -> Parsed {
    let mut getopt = Getopt::new(argv0, args, RUNLEVEL_OPTIONS);
    // Its one option is --help.
    match getopt.next() {
        Some(Err(message)) => return Parsed::Usage(message),
        Some(Ok(_)) => return Parsed::Help(Name::Runlevel, ShutdownAction::Poweroff),
        None => {}
    }
    if !getopt.operands.is_empty() {
        return Parsed::Fail("Too many arguments.".into());
    }
    Parsed::Runlevel
}

fn parse_telinit(argv0: &str, args: &[String]) -> Parsed {
    let mut getopt = Getopt::new(argv0, args, TELINIT_OPTIONS);
    for item in getopt.by_ref() {
        match item {
            Err(message) => return Parsed::Usage(message),
            Ok(("help", _)) => return Parsed::Help(Name::Telinit, ShutdownAction::Poweroff),
            Ok(_) => {}
        }
    }
    let operands = getopt.operands;
    let Some(command) = operands.first() else {
        return Parsed::Fail(format!("{}: required argument missing.", short_name(argv0)));
    };
    if operands.len() > 1 {
        return Parsed::Fail("Too many arguments.".into());
    }
    if command.len() != 1 {
        return Parsed::Fail("Expected single character argument.".into());
    }
    let action = match command.as_str() {
        "0" => TelinitAction::Power(ShutdownAction::Poweroff),
        "6" => TelinitAction::Power(ShutdownAction::Reboot),
        "1" | "s" | "S" => TelinitAction::Target("rescue.target"),
        "2" | "3" | "4" => TelinitAction::Target("multi-user.target"),
        "5" => TelinitAction::Target("graphical.target"),
        "q" | "Q" => TelinitAction::Reload,
        "u" | "U" => TelinitAction::Reexec,
        other => return Parsed::Fail(format!("Unknown command '{other}'.")),
    };
    Parsed::Telinit(action)
}

fn parse_halt(name: Name, argv0: &str, args: &[String], cx: &Context) -> Parsed {
    let mut action = match name {
        Name::Halt => ShutdownAction::Halt,
        Name::Poweroff => ShutdownAction::Poweroff,
        _ if cx.kexec_loaded => ShutdownAction::Kexec,
        _ => ShutdownAction::Reboot,
    };
    let mut request = HaltRequest {
        action,
        // Called in a shutdown runlevel, halt acts at once.
        force: matches!(cx.runlevel, Some(b'0' | b'6')),
        dry_run: false,
        reboot_parameter: None,
    };
    let mut getopt = Getopt::new(argv0, args, HALT_OPTIONS);
    for item in getopt.by_ref() {
        match item {
            Err(message) => return Parsed::Usage(message),
            Ok(("help", _)) => return Parsed::Help(name, action),
            Ok(("halt", _)) => action = ShutdownAction::Halt,
            Ok(("poweroff", _)) if action != ShutdownAction::Reboot => {
                action = ShutdownAction::Poweroff;
            }
            Ok(("reboot", _)) => action = ShutdownAction::Reboot,
            Ok(("force", _)) => request.force = true,
            Ok(("wtmp-only", _)) => request.dry_run = true,
            Ok(_) => {}
        }
    }
    request.action = action;
    let operands = getopt.operands;
    if action == ShutdownAction::Reboot && operands.len() <= 1 {
        request.reboot_parameter = Some(operands.first().cloned());
    } else if !operands.is_empty() {
        return Parsed::Fail("Too many arguments.".into());
    }
    Parsed::Halt(request)
}

/// What `shutdown` is to do, as the options leave it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ShutdownMode {
    Power(ShutdownAction),
    Cancel,
    Show,
}

fn parse_shutdown(argv0: &str, args: &[String], cx: &Context) -> Parsed {
    let mut mode = ShutdownMode::Power(ShutdownAction::Poweroff);
    let mut dry_run = false;
    let mut getopt = Getopt::new(argv0, args, SHUTDOWN_OPTIONS);
    for item in getopt.by_ref() {
        let key = match item {
            Err(message) => return Parsed::Usage(message),
            Ok((key, _)) => key,
        };
        mode = match key {
            "help" => return Parsed::Help(Name::Shutdown, ShutdownAction::Poweroff),
            "halt" => ShutdownMode::Power(ShutdownAction::Halt),
            "poweroff" => ShutdownMode::Power(ShutdownAction::Poweroff),
            "reboot" if cx.kexec_loaded => ShutdownMode::Power(ShutdownAction::Kexec),
            "reboot" => ShutdownMode::Power(ShutdownAction::Reboot),
            "kexec" => ShutdownMode::Power(ShutdownAction::Kexec),
            "h" if mode != ShutdownMode::Power(ShutdownAction::Halt) => {
                ShutdownMode::Power(ShutdownAction::Poweroff)
            }
            "dry-run" => {
                dry_run = true;
                mode
            }
            "cancel" => ShutdownMode::Cancel,
            "show" => ShutdownMode::Show,
            _ => mode,
        };
    }
    let operands = getopt.operands;
    let when = match operands.first() {
        Some(spec) if mode != ShutdownMode::Cancel => {
            match parse_time_spec(spec, cx.now_usec, &cx.zone) {
                Some(when) => when,
                None => return Parsed::Fail(format!("Failed to parse time specification: {spec}")),
            }
        }
        _ => cx.now_usec + 60_000_000,
    };
    match mode {
        ShutdownMode::Cancel => Parsed::CancelShutdown,
        ShutdownMode::Show => Parsed::ShowShutdown,
        ShutdownMode::Power(action) => Parsed::Shutdown(ShutdownRequest {
            action,
            dry_run,
            when,
            wall: operands.iter().skip(1).cloned().collect(),
        }),
    }
}

/// parse_shutdown_time_spec(): `now` (0), `+M` or `M` minutes from now,
/// `HH:MM` (local time, the next time the clock shows it).
pub fn parse_time_spec(spec: &str, now_usec: Usec, zone: &TimeZone) -> Option<Usec> {
    if spec == "now" {
        return Some(0);
    }
    let Some((hour, minute)) = spec.split_once(':') else {
        let minutes = strtou64(spec)?;
        return minutes
            .checked_mul(60_000_000)
            .and_then(|m| m.checked_add(now_usec));
    };
    let hour = strtol(hour).filter(|h| (0..=23).contains(h))?;
    let minute = strtol(minute).filter(|m| (0..=59).contains(m))?;
    let now = jiff::Timestamp::from_microsecond(i64::try_from(now_usec).ok()?).ok()?;
    let today = now
        .to_zoned(zone.clone())
        .with()
        .hour(i8::try_from(hour).ok()?)
        .minute(i8::try_from(minute).ok()?)
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .ok()?;
    let mut when = u64::try_from(today.timestamp().as_microsecond()).ok()?;
    while when <= now_usec {
        when += 86_400_000_000;
    }
    Some(when)
}

/// safe_atou64(): blanks, an optional `+`, digits, nothing after.
fn strtou64(text: &str) -> Option<u64> {
    let digits = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// strtol() of the whole text: blanks, a sign, digits.
fn strtol(text: &str) -> Option<i64> {
    let body = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// The `--help` of a name, as systemd 252 prints it.
pub fn help_text(name: Name, program: &str, action: ShutdownAction, term: &Terminal) -> String {
    let highlight = |text: &str| {
        if term.colors {
            format!("{HIGHLIGHT}{text}{}", super::terminal::NORMAL)
        } else {
            text.to_string()
        }
    };
    let man = |page: &str| term.link(&format!("man:{page}(8)"), &format!("{page}(8) man page"));
    match name {
        Name::Runlevel => format!(
            "{program} [OPTIONS...]\n\n{}\n\nOptions:\n     --help      Show this help\n\nSee the {} for details.\n",
            highlight("Prints the previous and current runlevel of the init system."),
            man("runlevel"),
        ),
        Name::Telinit => format!(
            "{program} [OPTIONS...] COMMAND\n\n{}\n\nCommands:\n  0              Power-off the machine\n  6              Reboot the machine\n  2, 3, 4, 5     Start runlevelX.target unit\n  1, s, S        Enter rescue mode\n  q, Q           Reload init daemon configuration\n  u, U           Reexecute init daemon\n\nOptions:\n     --help      Show this help\n     --no-wall   Don't send wall message before halt/power-off/reboot\n\nSee the {} for details.\n",
            highlight("Send control commands to the init daemon."),
            man("telinit"),
        ),
        Name::Shutdown => format!(
            "{program} [OPTIONS...] [TIME] [WALL...]\n\n{}\n\nOptions:\n     --help      Show this help\n  -H --halt      Halt the machine\n  -P --poweroff  Power-off the machine\n  -r --reboot    Reboot the machine\n  -h             Equivalent to --poweroff, overridden by --halt\n  -k             Don't halt/power-off/reboot, just send warnings\n     --no-wall   Don't send wall message before halt/power-off/reboot\n  -c             Cancel a pending shutdown\n     --show      Show pending shutdown\n\nSee the {} for details.\n",
            highlight("Shut down the system."),
            man("shutdown"),
        ),
        Name::Halt | Name::Poweroff | Name::Reboot => {
            let (argument, verb) = match action {
                ShutdownAction::Reboot => (" [ARG]", "Reboot"),
                ShutdownAction::Poweroff => ("", "Power off"),
                _ => ("", "Halt"),
            };
            format!(
                "{program} [OPTIONS...]{argument}\n\n{}\n\nOptions:\n     --help      Show this help\n     --halt      Halt the machine\n  -p --poweroff  Switch off the machine\n     --reboot    Reboot the machine\n  -f --force     Force immediate halt/power-off/reboot\n  -w --wtmp-only Don't halt/power-off/reboot, just write wtmp record\n  -d --no-wtmp   Don't write wtmp record\n     --no-wall   Don't send wall message before halt/power-off/reboot\n\nSee the {} for details.\n",
                highlight(&format!("{verb} the system.")),
                man("halt"),
            )
        }
    }
}

/// sd_booted(): a systemd-like manager runs (runr as PID 1 creates the
/// directory, as systemd does).
fn booted() -> bool {
    std::fs::symlink_metadata("/run/systemd/system").is_ok_and(|m| m.is_dir())
}

/// running_in_chroot(): `/` is not PID 1's root.
fn in_chroot() -> bool {
    use std::os::unix::fs::MetadataExt;
    let ignore = std::env::var("SYSTEMD_IGNORE_CHROOT")
        .ok()
        .and_then(|v| super::args::parse_boolean(&v))
        .unwrap_or(false);
    if ignore {
        return false;
    }
    match (std::fs::metadata("/proc/1/root"), std::fs::metadata("/")) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) != (b.dev(), b.ino()),
        _ => false,
    }
}

/// The runlevel on record: `$RUNLEVEL`, else utmp's (where runr's daemon
/// keeps it: `/run/utmp`, under `RUNR_ROOT` where that is set).
pub fn recorded_runlevel() -> Option<crate::engine::utmp::Runlevel> {
    if let Some(level) = std::env::var_os("RUNLEVEL").filter(|v| !v.is_empty()) {
        return Some(crate::engine::utmp::Runlevel {
            previous: 0,
            current: level.as_encoded_bytes()[0],
        });
    }
    let root = crate::engine::directories::Roots::from_env().prefix;
    crate::engine::utmp::Files::under(&root).runlevel()
}

/// `runlevel`, `telinit`, `halt`, `poweroff`, `reboot`, `shutdown`:
/// `args[0]` is the name as called.
pub fn main(name: Name, args: &[String]) -> u8 {
    let argv0 = args.first().map(String::as_str).unwrap_or("systemctl");
    let rest = args.get(1..).unwrap_or(&[]);
    let program = short_name(argv0).to_string();
    let inv = invocation(&program, rest);
    if name == Name::Telinit && !booted() {
        return hand_over_to_sysvinit(&inv, args);
    }
    let cx = Context {
        now_usec: crate::syntax::timestamp::now_realtime(),
        zone: crate::syntax::timestamp::local_zone(),
        runlevel: match name {
            Name::Halt | Name::Poweroff | Name::Reboot => recorded_runlevel().map(|r| r.current),
            _ => None,
        },
        kexec_loaded: crate::engine::power::kexec_loaded(),
    };
    let parsed = parse(name, argv0, rest, &cx);
    match &parsed {
        Parsed::Help(name, action) => {
            inv.print(&help_text(*name, &program, *action, &inv.term));
            return 0;
        }
        Parsed::Usage(message) => {
            eprintln!("{message}");
            return 1;
        }
        Parsed::Fail(message) => {
            inv.error(message);
            return 1;
        }
        _ => {}
    }
    if in_chroot() {
        inv.notice("Running in chroot, ignoring request.");
        return 0;
    }
    let client = Client::local();
    match parsed {
        Parsed::Runlevel => runlevel(&inv),
        Parsed::Telinit(action) => telinit(&inv, &client, action),
        Parsed::Halt(request) => halt(&inv, &client, request),
        Parsed::Shutdown(request) => shutdown(&inv, &client, request),
        Parsed::CancelShutdown => cancel(&inv, &client),
        Parsed::ShowShutdown => match power::show_scheduled(&inv, &client) {
            Ok(code) => code,
            Err(e) => unreachable_or_failed(&inv, &e, 1),
        },
        Parsed::Help(..) | Parsed::Usage(_) | Parsed::Fail(_) => 1,
    }
}

fn invocation(program: &str, args: &[String]) -> Invocation {
    use std::io::IsTerminal;
    Invocation {
        options: Options {
            legend: true,
            ..Options::default()
        },
        verb: program.to_string(),
        args: args.to_vec(),
        term: Terminal::detect(),
        stderr_tty: std::io::stderr().is_terminal(),
    }
}

/// An error of the daemon's: unreachable, as a host without a manager
/// answers (`times` tries of the bus); else its message.
fn unreachable_or_failed(inv: &Invocation, e: &ClientError, times: usize) -> u8 {
    if e.is_unreachable() {
        power::not_booted_lines(inv, times);
    } else {
        let message = match e {
            ClientError::Api { message, .. } => message.clone(),
            other => other.to_string(),
        };
        inv.error(&format!("Failed to connect to runr: {message}"));
    }
    1
}

/// With no systemd-like manager, systemctl runs sysvinit's telinit.
fn hand_over_to_sysvinit(inv: &Invocation, args: &[String]) -> u8 {
    use std::os::unix::process::CommandExt;
    const TELINIT: &str = "/lib/sysvinit/telinit";
    if Path::new(TELINIT).exists() {
        let _ = std::process::Command::new(TELINIT)
            .arg0(args.first().map(String::as_str).unwrap_or("telinit"))
            .args(args.get(1..).unwrap_or(&[]))
            .exec();
    }
    inv.error("Couldn't find an alternative telinit implementation to spawn.");
    1
}

fn runlevel(inv: &Invocation) -> u8 {
    match recorded_runlevel() {
        Some(level) => {
            inv.print(&level.line());
            0
        }
        None => {
            inv.print("unknown\n");
            1
        }
    }
}

/// start_with_fallback()'s failure with nobody to talk to: the bus twice
/// (logind, the manager), then the initctl FIFO that is not there either.
fn talk_to_init_failed(inv: &Invocation, e: &ClientError) -> u8 {
    if !e.is_unreachable() {
        return unreachable_or_failed(inv, e, 0);
    }
    power::not_booted_lines(inv, 2);
    inv.error("Failed to talk to init daemon: Host is down");
    1
}

fn telinit(inv: &Invocation, client: &Client, action: TelinitAction) -> u8 {
    match action {
        TelinitAction::Power(action) => match client.shutdown(&power::now(action, 0, false)) {
            Ok(_) => 0,
            Err(e) => talk_to_init_failed(inv, &e),
        },
        TelinitAction::Target(target) => match isolate_runlevel_target(inv, client, target) {
            Ok(code) => code,
            Err(e) => talk_to_init_failed(inv, &e),
        },
        TelinitAction::Reload | TelinitAction::Reexec => {
            match super::live::daemon_reload(inv, client) {
                Ok(code) => code,
                // systemctl then signals PID 1: SIGHUP is a reload for runr
                // too (its SIGTERM would stop the pod, so `u` reloads as well).
                Err(e) if e.is_unreachable() => {
                    match nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(1),
                        nix::sys::signal::Signal::SIGHUP,
                    ) {
                        Ok(()) => 0,
                        Err(errno) => {
                            inv.error(&format!("kill() failed: {}", errno.desc()));
                            1
                        }
                    }
                }
                Err(e) => unreachable_or_failed(inv, &e, 1),
            }
        }
    }
}

/// `telinit N`: systemd isolates runlevelN.target. runr starts the target
/// and stops the other runlevel targets it does not go with (rescue.target
/// conflicts with multi-user.target, graphical.target wants it); the
/// services those targets pulled in keep running.
fn isolate_runlevel_target(
    inv: &Invocation,
    client: &Client,
    target: &'static str,
) -> Result<u8, ClientError> {
    let others: &[&str] = match target {
        "graphical.target" => &["rescue.target"],
        "multi-user.target" => &["graphical.target", "rescue.target"],
        _ => &["graphical.target", "multi-user.target"],
    };
    let mut active = Vec::new();
    for other in others {
        match client.unit(other) {
            Ok(summary) if summary.active_state.as_str() != "inactive" => {
                active.push(other.to_string());
            }
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e),
        }
    }
    if !active.is_empty() {
        let code = super::live::act_with(inv, client, "stop", &active)?;
        if code != 0 {
            return Ok(code);
        }
    }
    super::live::act_with(inv, client, "start", &[target.to_string()])
}

fn halt(inv: &Invocation, client: &Client, request: HaltRequest) -> u8 {
    if let Some(parameter) = &request.reboot_parameter
        && let Err(code) = power::update_reboot_parameter(inv, parameter.as_deref())
    {
        return code;
    }
    if request.force {
        return power::halt_now(inv, client, request.action, request.dry_run);
    }
    if request.dry_run {
        // `-w`: writes a wtmp record where systemd is not the init
        // system; runr's daemon keeps wtmp itself.
        return match client.healthz() {
            Ok(_) => 0,
            Err(e) if e.is_unreachable() => {
                power::not_booted_lines(inv, 1);
                0
            }
            Err(e) => unreachable_or_failed(inv, &e, 1),
        };
    }
    match client.shutdown(&power::now(request.action, 0, false)) {
        Ok(_) => 0,
        Err(e) => talk_to_init_failed(inv, &e),
    }
}

fn shutdown(inv: &Invocation, client: &Client, request: ShutdownRequest) -> u8 {
    if request.when == 0 {
        return halt(
            inv,
            client,
            HaltRequest {
                action: request.action,
                force: false,
                dry_run: request.dry_run,
                reboot_parameter: None,
            },
        );
    }
    let plan = ShutdownPlan {
        action: request.action,
        exit_code: 0,
        when: Some(Timestamp(request.when)),
        dry_run: request.dry_run,
        force: false,
    };
    match client.shutdown(&plan) {
        Ok(accepted) => {
            // systemctl asks logind for the schedule it now has; the
            // answer says it. A dry run whose time has passed (`-k +0`) is
            // forgotten at once, a real one is carried out (and, the pod
            // being down soon, not asked about again).
            let elapsed = accepted
                .when
                .is_none_or(|when| when.as_usec() <= crate::syntax::timestamp::now_realtime());
            let shown = (!(accepted.dry_run && elapsed)).then_some(&accepted);
            power::show_plan(inv, shown);
            0
        }
        Err(e) => unreachable_or_failed(inv, &e, 1),
    }
}

fn cancel(inv: &Invocation, client: &Client) -> u8 {
    match client.cancel_shutdown() {
        Ok(_) => 0,
        Err(e) if e.status() == Some(404) => 0,
        Err(e) if e.is_unreachable() => unreachable_or_failed(inv, &e, 1),
        Err(e) => {
            let message = match &e {
                ClientError::Api { message, .. } => message.clone(),
                other => other.to_string(),
            };
            inv.notice(&format!(
                "Failed to talk to logind, shutdown hasn't been cancelled: {message}"
            ));
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mon 2024-01-15 12:00:00 UTC.
    const NOW: Usec = 1_705_320_000_000_000;

    fn cx() -> Context {
        Context {
            now_usec: NOW,
            zone: TimeZone::UTC,
            runlevel: None,
            kexec_loaded: false,
        }
    }

    fn parse_line(name: Name, line: &str) -> Parsed {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        let argv0 = match name {
            Name::Runlevel => "runlevel",
            Name::Telinit => "telinit",
            Name::Halt => "halt",
            Name::Poweroff => "poweroff",
            Name::Reboot => "reboot",
            Name::Shutdown => "shutdown",
        };
        parse(name, argv0, &args, &cx())
    }

    fn fail(text: &str) -> Parsed {
        Parsed::Fail(text.to_string())
    }

    fn usage(text: &str) -> Parsed {
        Parsed::Usage(text.to_string())
    }

    #[test]
    fn runlevel_takes_help_only() {
        assert_eq!(parse_line(Name::Runlevel, ""), Parsed::Runlevel);
        assert_eq!(
            parse_line(Name::Runlevel, "--he"),
            Parsed::Help(Name::Runlevel, ShutdownAction::Poweroff)
        );
        assert_eq!(parse_line(Name::Runlevel, "x"), fail("Too many arguments."));
        assert_eq!(
            parse_line(Name::Runlevel, "-h"),
            usage("runlevel: invalid option -- 'h'")
        );
        assert_eq!(
            parse(Name::Runlevel, "/sbin/runlevel", &["-x".into()], &cx()),
            usage("/sbin/runlevel: invalid option -- 'x'")
        );
    }

    #[test]
    fn telinit_reads_one_character() {
        use TelinitAction::*;
        let telinit = |line| parse_line(Name::Telinit, line);
        assert_eq!(
            telinit("0"),
            Parsed::Telinit(Power(ShutdownAction::Poweroff))
        );
        assert_eq!(telinit("6"), Parsed::Telinit(Power(ShutdownAction::Reboot)));
        assert_eq!(telinit("S"), Parsed::Telinit(Target("rescue.target")));
        assert_eq!(telinit("4"), Parsed::Telinit(Target("multi-user.target")));
        assert_eq!(telinit("5"), Parsed::Telinit(Target("graphical.target")));
        assert_eq!(telinit("--no-wall q"), Parsed::Telinit(Reload));
        assert_eq!(telinit("U"), Parsed::Telinit(Reexec));
        assert_eq!(telinit(""), fail("telinit: required argument missing."));
        assert_eq!(telinit("7"), fail("Unknown command '7'."));
        assert_eq!(telinit("33"), fail("Expected single character argument."));
        assert_eq!(telinit("3 4"), fail("Too many arguments."));
        assert_eq!(telinit("-x"), usage("telinit: invalid option -- 'x'"));
    }

    #[test]
    fn halt_poweroff_and_reboot_share_their_options() {
        let halt = |name, line| match parse_line(name, line) {
            Parsed::Halt(r) => r,
            other => panic!("{line}: {other:?}"),
        };
        let r = halt(Name::Poweroff, "");
        assert_eq!(
            (r.action, r.force, r.dry_run),
            (ShutdownAction::Poweroff, false, false)
        );
        assert_eq!(halt(Name::Halt, "-p").action, ShutdownAction::Poweroff);
        assert_eq!(
            halt(Name::Reboot, "-p").action,
            ShutdownAction::Reboot,
            "-p does not override a reboot"
        );
        assert_eq!(
            halt(Name::Poweroff, "--reboot").action,
            ShutdownAction::Reboot
        );
        assert!(halt(Name::Halt, "-f").force);
        assert!(halt(Name::Halt, "-w -d -n -i -h --no-wall").dry_run);
        assert_eq!(halt(Name::Reboot, "").reboot_parameter, Some(None));
        assert_eq!(
            halt(Name::Reboot, "now").reboot_parameter,
            Some(Some("now".into()))
        );
        assert_eq!(parse_line(Name::Reboot, "a b"), fail("Too many arguments."));
        assert_eq!(parse_line(Name::Halt, "a"), fail("Too many arguments."));
        assert_eq!(
            parse_line(Name::Halt, "--no"),
            usage(
                "halt: option '--no' is ambiguous; possibilities: '--no-wtmp' '--no-sync' '--no-wall'"
            )
        );
        assert_eq!(
            parse_line(Name::Poweroff, "--reboot --help"),
            Parsed::Help(Name::Poweroff, ShutdownAction::Reboot)
        );
        let mut in_shutdown = cx();
        in_shutdown.runlevel = Some(b'0');
        match parse(Name::Halt, "halt", &[], &in_shutdown) {
            Parsed::Halt(r) => assert!(r.force, "runlevel 0 forces"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shutdown_times_and_modes() {
        let shutdown = |line| match parse_line(Name::Shutdown, line) {
            Parsed::Shutdown(r) => r,
            other => panic!("{line}: {other:?}"),
        };
        let r = shutdown("");
        assert_eq!(
            (r.action, r.when),
            (ShutdownAction::Poweroff, NOW + 60_000_000)
        );
        assert_eq!(shutdown("now").when, 0);
        assert_eq!(shutdown("+5").when, NOW + 300_000_000);
        assert_eq!(shutdown("0").when, NOW);
        assert_eq!(shutdown("-r 12:30").when, NOW + 30 * 60_000_000);
        assert_eq!(shutdown("-r 12:30").action, ShutdownAction::Reboot);
        assert_eq!(shutdown("11:00").when, NOW + 23 * 3_600_000_000, "tomorrow");
        assert_eq!(
            shutdown("12:00").when,
            NOW + 24 * 3_600_000_000,
            "not now: tomorrow"
        );
        assert_eq!(shutdown("-H -h +4").action, ShutdownAction::Halt);
        assert_eq!(shutdown("-h +4").action, ShutdownAction::Poweroff);
        let r = shutdown("-k -H +10 going down");
        assert!(r.dry_run);
        assert_eq!(r.wall, vec!["going", "down"]);
        assert_eq!(
            parse_line(Name::Shutdown, "-c +5 words"),
            Parsed::CancelShutdown
        );
        assert_eq!(
            parse_line(Name::Shutdown, "-c -r now").clone(),
            Parsed::Shutdown(ShutdownRequest {
                action: ShutdownAction::Reboot,
                dry_run: false,
                when: 0,
                wall: vec![],
            })
        );
        assert_eq!(parse_line(Name::Shutdown, "--show"), Parsed::ShowShutdown);
        for bad in ["bogus", "25:00", "12:60", "5min", "1:2:3"] {
            assert_eq!(
                parse_line(Name::Shutdown, bad),
                fail(&format!("Failed to parse time specification: {bad}"))
            );
        }
        assert_eq!(
            parse(
                Name::Shutdown,
                "shutdown",
                &["--".into(), "-5".into()],
                &cx()
            ),
            fail("Failed to parse time specification: -5")
        );
        assert_eq!(
            parse_line(Name::Shutdown, "-t"),
            usage("shutdown: option requires an argument -- 't'")
        );
        assert_eq!(shutdown("-t 5 -a -f -F +1").when, NOW + 60_000_000);
        let mut kexec = cx();
        kexec.kexec_loaded = true;
        match parse(
            Name::Shutdown,
            "shutdown",
            &["-r".into(), "now".into()],
            &kexec,
        ) {
            Parsed::Shutdown(r) => assert_eq!(r.action, ShutdownAction::Kexec),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn local_times_follow_the_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 12:00 UTC is 13:00 in Berlin in January: 13:30 is half an hour on.
        assert_eq!(
            parse_time_spec("13:30", NOW, &berlin),
            Some(NOW + 30 * 60_000_000)
        );
    }

    #[test]
    fn help_texts_are_systemds() {
        let golden = |case: &str| {
            std::fs::read_to_string(format!(
                "{}/golden/systemctl/sysv/live/help/{case}.stdout",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let plain = Terminal::plain();
        let tty = Terminal::tty(80, "oracle");
        let cases = [
            (
                Name::Runlevel,
                "runlevel",
                ShutdownAction::Poweroff,
                "00-runlevel",
                "06-runlevel-tty",
            ),
            (
                Name::Telinit,
                "telinit",
                ShutdownAction::Poweroff,
                "01-telinit",
                "07-telinit-tty",
            ),
            (
                Name::Halt,
                "halt",
                ShutdownAction::Halt,
                "02-halt",
                "08-halt-tty",
            ),
            (
                Name::Poweroff,
                "poweroff",
                ShutdownAction::Poweroff,
                "03-poweroff",
                "09-poweroff-tty",
            ),
            (
                Name::Reboot,
                "reboot",
                ShutdownAction::Reboot,
                "04-reboot",
                "10-reboot-tty",
            ),
            (
                Name::Shutdown,
                "shutdown",
                ShutdownAction::Poweroff,
                "05-shutdown",
                "11-shutdown-tty",
            ),
        ];
        for (name, program, action, pipe, terminal) in cases {
            assert_eq!(
                help_text(name, program, action, &plain),
                golden(pipe),
                "{pipe}"
            );
            assert_eq!(
                help_text(name, program, action, &tty),
                golden(terminal),
                "{terminal}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(
            name in 0usize..6,
            args in proptest::collection::vec("[-a-zA-Z=:+0-9]{0,8}", 0..5),
        ) {
            let name = Name::of(Name::ALL[name]).unwrap();
            let _ = parse(name, "x", &args, &cx());
        }
    }
}

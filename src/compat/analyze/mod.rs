//! The `systemd-analyze` face: the verbs that check time expressions and
//! unit files (`calendar`, `timespan`, `timestamp`, `verify`), with the
//! command line, messages and exit codes of systemd-analyze 252.

mod calendar;
mod timespan;
mod timestamp;
mod verify;

use std::io::Write;

use crate::syntax::Usec;

/// The global options the supported verbs read.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--iterations=N` (calendar): how many elapses to print.
    pub iterations: u32,
    /// `--base-time=TS` (calendar): the start of the elapse search.
    pub base_time: Option<Usec>,
    /// `--man=BOOL` (verify): whether to look up Documentation= man pages.
    pub man: bool,
}

pub fn main(args: &[String]) -> u8 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = run(args, &mut stdout.lock(), &mut stderr.lock());
    let _ = std::io::stdout().flush();
    code
}

/// Runs one command line (argv[0] included) and returns the exit code.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut opts = Options {
        iterations: 1,
        base_time: None,
        man: true,
    };
    let mut positional: Vec<String> = Vec::new();
    let mut rest = args.iter().skip(1);
    // getopt_long with permutation: options may follow the verb; `--` ends them.
    while let Some(arg) = rest.next() {
        if arg == "--" {
            positional.extend(rest.by_ref().cloned());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if arg.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let value = |rest: &mut dyn Iterator<Item = &String>| -> Option<String> {
            inline.clone().or_else(|| rest.next().cloned())
        };
        match name {
            "-h" | "--help" => {
                let _ = writeln!(out, "{}", HELP.trim_end());
                return 0;
            }
            "--version" => {
                let _ = writeln!(
                    out,
                    "runr {} (systemd 252 compatible)",
                    env!("CARGO_PKG_VERSION")
                );
                return 0;
            }
            "--iterations" => {
                let Some(v) = value(&mut rest) else {
                    return missing_argument(err, name);
                };
                match v.parse::<u32>() {
                    Ok(n) => opts.iterations = n,
                    Err(_) => {
                        let _ = writeln!(err, "Failed to parse iterations: {v}");
                        return 1;
                    }
                }
            }
            "--base-time" => {
                let Some(v) = value(&mut rest) else {
                    return missing_argument(err, name);
                };
                match timestamp::parse_base_time(&v) {
                    Some(t) => opts.base_time = Some(t),
                    None => {
                        let _ = writeln!(err, "Failed to parse --base-time= parameter: {v}");
                        return 1;
                    }
                }
            }
            "--man" => match inline.as_deref().map(parse_boolean) {
                None => opts.man = true,
                Some(Some(b)) => opts.man = b,
                Some(None) => {
                    let _ = writeln!(
                        err,
                        "Failed to parse boolean argument to --man: {}.",
                        inline.unwrap_or_default()
                    );
                    return 1;
                }
            },
            "--no-pager" | "--system" | "--user" | "--global" | "-q" | "--quiet"
            | "--no-legend" => {}
            _ if name.starts_with("--") => {
                let _ = writeln!(err, "systemd-analyze: unrecognized option '{name}'");
                return 1;
            }
            _ => {
                let c = name.chars().nth(1).unwrap_or('-');
                let _ = writeln!(err, "systemd-analyze: invalid option -- '{c}'");
                return 1;
            }
        }
    }

    let Some((verb, verb_args)) = positional.split_first() else {
        let _ = writeln!(err, "Too few arguments.");
        return 1;
    };
    match verb.as_str() {
        "calendar" => calendar::run(&opts, verb_args, out, err),
        "timespan" => timespan::run(&opts, verb_args, out, err),
        "timestamp" => timestamp::run(&opts, verb_args, out, err),
        "verify" => verify::run(&opts, verb_args, out, err),
        _ => {
            let _ = writeln!(err, "Unknown command verb {verb}.");
            1
        }
    }
}

fn missing_argument(err: &mut dyn Write, name: &str) -> u8 {
    let _ = writeln!(err, "systemd-analyze: option '{name}' requires an argument");
    1
}

/// systemd's parse_boolean(): the words it accepts for yes and no.
pub fn parse_boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

const HELP: &str = "\
systemd-analyze [OPTIONS...] COMMAND ...

Check time expressions and unit files (runr's systemd-analyze).

Commands:
  calendar SPEC...           Validate repetitive calendar time events
  timestamp TIMESTAMP...     Validate a timestamp
  timespan SPAN...           Validate a time span
  verify FILE...             Check unit files for correctness

Options:
  -h --help                  Show this help
     --version               Show package version
     --iterations=N          Show the specified number of iterations
     --base-time=TIMESTAMP   Calculate calendar times relative to specified time
     --man[=BOOL]            Do [not] check for existence of man pages
";

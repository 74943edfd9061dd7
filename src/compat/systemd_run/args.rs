//! systemd-run's command line, read as its getopt_long reads it: options
//! up to the first word that is not one (or `--`), long options also by a
//! unique prefix, `--opt=value` or `--opt value`, short options clustered.

/// What the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunArgs {
    pub unit: Option<String>,
    pub description: Option<String>,
    /// `-p KEY=VALUE`, in order, for the service.
    pub properties: Vec<String>,
    /// `--setenv=`, as given.
    pub environment: Vec<String>,
    pub working_directory: Option<String>,
    pub same_dir: bool,
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub nice: Option<i32>,
    pub service_type: Option<String>,
    pub slice: Option<String>,
    pub send_sighup: bool,
    pub remain_after_exit: bool,
    pub collect: bool,
    pub wait: bool,
    pub pipe: bool,
    pub quiet: bool,
    pub no_block: bool,
    /// Timer settings (`--on-active=1h` is `OnActiveSec=1h`), in order.
    pub timer_properties: Vec<String>,
    /// A timer option other than `--timer-property=` was given.
    pub with_timer: bool,
    pub help: bool,
    pub version: bool,
    pub command: Vec<String>,
}

/// A command line systemd-run refuses: the message (getopt's own, or
/// systemd-run's) and the exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    pub message: String,
    pub status: u8,
}

impl ArgError {
    fn new(message: impl Into<String>) -> Self {
        ArgError {
            message: message.into(),
            status: 1,
        }
    }
}

const PROGRAM: &str = "systemd-run";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    Nothing,
    Value,
}

/// The long options of systemd-run 252, with whether they take a value.
const LONG_OPTIONS: &[(&str, Takes)] = &[
    ("help", Takes::Nothing),
    ("version", Takes::Nothing),
    ("user", Takes::Nothing),
    ("system", Takes::Nothing),
    ("scope", Takes::Nothing),
    ("unit", Takes::Value),
    ("description", Takes::Value),
    ("slice", Takes::Value),
    ("slice-inherit", Takes::Nothing),
    ("remain-after-exit", Takes::Nothing),
    ("send-sighup", Takes::Nothing),
    ("host", Takes::Value),
    ("machine", Takes::Value),
    ("service-type", Takes::Value),
    ("wait", Takes::Nothing),
    ("uid", Takes::Value),
    ("gid", Takes::Value),
    ("nice", Takes::Value),
    ("setenv", Takes::Value),
    ("property", Takes::Value),
    ("tty", Takes::Nothing),
    ("pty", Takes::Nothing),
    ("pipe", Takes::Nothing),
    ("quiet", Takes::Nothing),
    ("on-active", Takes::Value),
    ("on-boot", Takes::Value),
    ("on-startup", Takes::Value),
    ("on-unit-active", Takes::Value),
    ("on-unit-inactive", Takes::Value),
    ("on-calendar", Takes::Value),
    ("on-timezone-change", Takes::Nothing),
    ("on-clock-change", Takes::Nothing),
    ("timer-property", Takes::Value),
    ("path-property", Takes::Value),
    ("socket-property", Takes::Value),
    ("no-block", Takes::Nothing),
    ("no-ask-password", Takes::Nothing),
    ("collect", Takes::Nothing),
    ("working-directory", Takes::Value),
    ("same-dir", Takes::Nothing),
    ("shell", Takes::Nothing),
];

/// Short options and the long option each stands for.
const SHORT_OPTIONS: &[(char, &str)] = &[
    ('h', "help"),
    ('r', "remain-after-exit"),
    ('H', "host"),
    ('M', "machine"),
    ('E', "setenv"),
    ('p', "property"),
    ('t', "pty"),
    ('P', "pipe"),
    ('q', "quiet"),
    ('G', "collect"),
    ('d', "same-dir"),
    ('S', "shell"),
    ('u', "unit"),
];

/// Parses `args` (without the program name).
pub fn parse(args: &[String]) -> Result<RunArgs, ArgError> {
    let mut run = RunArgs::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let (full, takes) = find_long(name)?;
            let value = match (takes, inline) {
                (Takes::Nothing, Some(_)) => {
                    return Err(ArgError::new(format!(
                        "{PROGRAM}: option '--{full}' doesn't allow an argument"
                    )));
                }
                (Takes::Nothing, None) => None,
                (Takes::Value, Some(v)) => Some(v),
                (Takes::Value, None) => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => {
                        return Err(ArgError::new(format!(
                            "{PROGRAM}: option '--{full}' requires an argument"
                        )));
                    }
                },
            };
            apply(&mut run, full, value)?;
        } else if arg.len() > 1 && arg.starts_with('-') {
            let letters: Vec<char> = arg.chars().skip(1).collect();
            let mut at = 0;
            while at < letters.len() {
                let letter = letters[at];
                at += 1;
                let Some((_, full)) = SHORT_OPTIONS.iter().find(|(c, _)| *c == letter) else {
                    return Err(ArgError::new(format!(
                        "{PROGRAM}: invalid option -- '{letter}'"
                    )));
                };
                let takes = LONG_OPTIONS
                    .iter()
                    .find(|(n, _)| n == full)
                    .map_or(Takes::Nothing, |(_, t)| *t);
                let value = if takes == Takes::Value {
                    let rest: String = letters[at..].iter().collect();
                    at = letters.len();
                    if !rest.is_empty() {
                        Some(rest)
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        Some(v.clone())
                    } else {
                        return Err(ArgError::new(format!(
                            "{PROGRAM}: option requires an argument -- '{letter}'"
                        )));
                    }
                } else {
                    None
                };
                apply(&mut run, full, value)?;
            }
        } else {
            // The first word that is no option starts the command.
            i -= 1;
            break;
        }
    }
    run.command = args[i..].to_vec();
    Ok(run)
}

/// A long option by its name or a unique prefix of it.
fn find_long(name: &str) -> Result<(&'static str, Takes), ArgError> {
    if let Some((n, t)) = LONG_OPTIONS.iter().find(|(n, _)| *n == name) {
        return Ok((n, *t));
    }
    let candidates: Vec<&(&str, Takes)> = LONG_OPTIONS
        .iter()
        .filter(|(n, _)| !name.is_empty() && n.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [(n, t)] => Ok((n, *t)),
        [] => Err(ArgError::new(format!(
            "{PROGRAM}: unrecognized option '--{name}'"
        ))),
        many => Err(ArgError::new(format!(
            "{PROGRAM}: option '--{name}' is ambiguous; possibilities:{}",
            many.iter()
                .map(|(n, _)| format!(" '--{n}'"))
                .collect::<String>()
        ))),
    }
}

fn apply(run: &mut RunArgs, option: &str, value: Option<String>) -> Result<(), ArgError> {
    let value = value.unwrap_or_default();
    let timer = |run: &mut RunArgs, key: &str, v: &str| {
        run.timer_properties.push(format!("{key}={v}"));
        run.with_timer = true;
    };
    match option {
        "help" => run.help = true,
        "version" => run.version = true,
        "system" | "no-ask-password" => {}
        "user" | "scope" | "host" | "machine" | "tty" | "pty" | "shell" | "path-property"
        | "socket-property" | "slice-inherit" => {
            return Err(ArgError::new(format!(
                "--{option} is not supported by runr's systemd-run."
            )));
        }
        "unit" => run.unit = Some(value),
        "description" => run.description = Some(value),
        "slice" => run.slice = Some(value),
        "remain-after-exit" => run.remain_after_exit = true,
        "send-sighup" => run.send_sighup = true,
        "service-type" => run.service_type = Some(value),
        "wait" => run.wait = true,
        "uid" => run.uid = Some(value),
        "gid" => run.gid = Some(value),
        "nice" => {
            run.nice =
                Some(parse_nice(&value).ok_or_else(|| {
                    ArgError::new(format!("Failed to parse nice value: {value}"))
                })?);
        }
        "setenv" => run.environment.push(value),
        "property" => run.properties.push(value),
        "pipe" => run.pipe = true,
        "quiet" => run.quiet = true,
        "on-active" => timer(run, "OnActiveSec", &value),
        "on-boot" => timer(run, "OnBootSec", &value),
        "on-startup" => timer(run, "OnStartupSec", &value),
        "on-unit-active" => timer(run, "OnUnitActiveSec", &value),
        "on-unit-inactive" => timer(run, "OnUnitInactiveSec", &value),
        "on-calendar" => {
            if crate::syntax::calendar::parse_calendar(&value).is_err() {
                return Err(ArgError::new(
                    "Failed to parse calendar event specification: Invalid argument",
                ));
            }
            timer(run, "OnCalendar", &value);
        }
        "on-timezone-change" => timer(run, "OnTimezoneChange", "yes"),
        "on-clock-change" => timer(run, "OnClockChange", "yes"),
        "timer-property" => {
            const TRIGGERS: [&str; 6] = [
                "OnActiveSec=",
                "OnBootSec=",
                "OnStartupSec=",
                "OnUnitActiveSec=",
                "OnUnitInactiveSec=",
                "OnCalendar=",
            ];
            if TRIGGERS.iter().any(|t| value.starts_with(t)) {
                run.with_timer = true;
            }
            run.timer_properties.push(value);
        }
        "no-block" => run.no_block = true,
        "collect" => run.collect = true,
        "working-directory" => run.working_directory = Some(value),
        "same-dir" => run.same_dir = true,
        _ => {}
    }
    Ok(())
}

/// A nice level, -20 to 19.
fn parse_nice(text: &str) -> Option<i32> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (-20..=19).contains(n))
}

/// systemd-run's checks of the options together, in its order.
pub fn check(run: &RunArgs) -> Result<(), ArgError> {
    let timer_only_properties = !run.timer_properties.is_empty() && !run.with_timer;
    if run.command.is_empty() && (run.unit.is_none() || !run.with_timer) {
        return Err(ArgError::new("Command line to execute required."));
    }
    if run.pipe && run.with_timer {
        return Err(ArgError::new(
            "--pty/--pipe is not compatible in timer or --scope mode.",
        ));
    }
    if run.pipe && run.no_block {
        return Err(ArgError::new(
            "--pty/--pipe is not compatible with --no-block.",
        ));
    }
    if timer_only_properties {
        return Err(ArgError::new(
            "--timer-property= has no effect without any other timer options.",
        ));
    }
    if run.wait {
        if run.no_block {
            return Err(ArgError::new("--wait may not be combined with --no-block."));
        }
        if run.with_timer {
            return Err(ArgError::new(
                "--wait may not be combined with path, socket or timer operations.",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn options_stop_at_the_command() {
        let run = parse(&args(&[
            "--unit=x", "-p", "A=1", "-qGP", "sh", "-c", "--wait",
        ]))
        .unwrap();
        assert_eq!(run.unit.as_deref(), Some("x"));
        assert_eq!(run.properties, ["A=1"]);
        assert!(run.quiet && run.collect && run.pipe && !run.wait);
        assert_eq!(run.command, ["sh", "-c", "--wait"]);
        let run = parse(&args(&["--", "--wait"])).unwrap();
        assert_eq!(run.command, ["--wait"]);
    }

    #[test]
    fn values_come_attached_or_next_and_long_names_by_prefix() {
        let run = parse(&args(&["-pA=1", "--desc", "d", "--uid", "nobody", "true"])).unwrap();
        assert_eq!(run.properties, ["A=1"]);
        assert_eq!(run.description.as_deref(), Some("d"));
        assert_eq!(run.uid.as_deref(), Some("nobody"));
    }

    #[test]
    fn getopt_complaints_are_getopts() {
        let message = |w: &[&str]| parse(&args(w)).unwrap_err().message;
        assert_eq!(
            message(&["--frobnicate", "true"]),
            "systemd-run: unrecognized option '--frobnicate'"
        );
        assert_eq!(
            message(&["--unit"]),
            "systemd-run: option '--unit' requires an argument"
        );
        assert_eq!(
            message(&["--wait=yes"]),
            "systemd-run: option '--wait' doesn't allow an argument"
        );
        assert_eq!(message(&["-x"]), "systemd-run: invalid option -- 'x'");
        assert_eq!(
            message(&["-p"]),
            "systemd-run: option requires an argument -- 'p'"
        );
        assert!(message(&["--on", "1"]).contains("is ambiguous"));
        assert_eq!(
            message(&["--nice=100", "true"]),
            "Failed to parse nice value: 100"
        );
    }

    #[test]
    fn combinations_are_checked_as_systemd_run_checks_them() {
        let check_of = |w: &[&str]| check(&parse(&args(w)).unwrap()).err().map(|e| e.message);
        assert_eq!(
            check_of(&[]).as_deref(),
            Some("Command line to execute required.")
        );
        assert_eq!(
            check_of(&["--pipe", "--on-active=10", "true"]).as_deref(),
            Some("--pty/--pipe is not compatible in timer or --scope mode.")
        );
        assert_eq!(
            check_of(&["--wait", "--no-block", "true"]).as_deref(),
            Some("--wait may not be combined with --no-block.")
        );
        assert_eq!(
            check_of(&["--timer-property=AccuracySec=1s", "true"]).as_deref(),
            Some("--timer-property= has no effect without any other timer options.")
        );
        assert_eq!(check_of(&["--unit=x", "--on-active=1h"]), None);
        assert_eq!(check_of(&["--on-boot=5h", "true"]), None);
    }
}

//! The native `runr` command line: every flag is defined once here, with
//! clap's derive; the same definitions give the parser, `--help` and the
//! shell completions. Each command family lives in its own file and asks
//! the daemon through the blocking control API client; rendering is kept
//! apart from asking, so the renderers are tested without a daemon.
//!
//! Exit codes: 0 success, 3 inactive or failed (as systemctl), 4 no such
//! unit or task, 1 anything else. Errors are one line on stderr, prefixed
//! `runr: `, naming the unit or argument at fault.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::control::client::{Client, ClientError};

mod background;
mod completion;
mod info;
mod logs;
mod output;
mod services;
mod supervisor;
mod units;

use output::{ColorChoice, Output};

/// The command succeeded.
pub const EXIT_SUCCESS: u8 = 0;
/// Anything else went wrong (no daemon, a job failed, a bad argument).
pub const EXIT_FAILURE: u8 = 1;
/// A unit is not active (or, for readyz, not ready), as systemctl's 3.
pub const EXIT_INACTIVE: u8 = 3;
/// No such unit or background task, as systemctl's 4.
pub const EXIT_NO_SUCH_UNIT: u8 = 4;

/// How long a plain request may take before the CLI gives up on the daemon.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Parser)]
#[command(
    name = "runr",
    version,
    about = "A process supervisor for container pods, configured with systemd unit files",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
    /// The supervisor's control socket (default: $RUNR_SOCKET, else
    /// /run/runr/runr.sock).
    #[arg(long, value_name = "PATH", global = true)]
    socket: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// How every command prints.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Print the control API's JSON answer instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Leave out the header line of tables.
    #[arg(long, global = true)]
    pub no_header: bool,
    /// Print nothing on standard output; the exit code tells. Errors still
    /// go to standard error.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour the output: auto (on a terminal, unless $NO_COLOR is set),
    /// always, never.
    #[arg(long, value_name = "WHEN", global = true, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start units, and wait for their start jobs to finish.
    Start {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Stop units, and wait for their stop jobs to finish.
    Stop {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        wait: WaitArgs,
        #[command(flatten)]
        stop: StopArgs,
    },
    /// Restart units (start them if they are not running).
    Restart {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        wait: WaitArgs,
        #[command(flatten)]
        stop: StopArgs,
    },
    /// Run the units' ExecReload= commands.
    Reload {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Send a signal to the processes of units.
    Kill {
        #[command(flatten)]
        units: UnitNames,
        /// The signal, by name (TERM, SIGTERM, term) or number (15).
        #[arg(short, long, value_name = "SIG", default_value = "SIGTERM")]
        signal: String,
        /// Which processes: the main process, the control process, or all.
        #[arg(long, value_name = "WHOM", default_value = "all")]
        kill_whom: KillWhomArg,
    },
    /// Enable units: start them with the supervisor from now on.
    Enable {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        now: NowArg,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Disable units: no longer start them with the supervisor.
    Disable {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        now: NowArg,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// A table of the services; with a UNIT, that unit's details.
    Status {
        /// The unit to describe (`db` stands for `db.service`).
        #[arg(value_name = "UNIT")]
        unit: Option<String>,
    },
    /// A table of the services.
    ListServices {
        #[command(flatten)]
        state: StateFilter,
    },
    /// A table of the timers: when each elapses next and what it starts.
    ListTimers,
    /// A table of every loaded unit.
    ListUnits {
        /// Only units of this type.
        #[arg(short = 't', long = "type", value_name = "TYPE")]
        unit_type: Option<UnitType>,
        #[command(flatten)]
        state: StateFilter,
    },
    /// Print each unit's active state; exit 0 if one is active, else 3.
    IsActive {
        #[command(flatten)]
        units: UnitNames,
    },
    /// Print each unit's active state; exit 0 if one has failed, else 1.
    IsFailed {
        #[command(flatten)]
        units: UnitNames,
    },
    /// Print each unit's enablement; exit 0 if one is enabled (or static), else 1.
    IsEnabled {
        #[command(flatten)]
        units: UnitNames,
    },
    /// Print the log lines of units.
    Log {
        #[command(flatten)]
        units: UnitNames,
        #[command(flatten)]
        tail: TailArgs,
    },
    /// Read the unit files again, start new autostart units and restart
    /// failed Restart=always or on-failure ones.
    DaemonReload,
    /// Print the unit files of units: the fragment, then its drop-ins.
    Cat {
        #[command(flatten)]
        units: UnitNames,
    },
    /// Print a unit's properties as Name=value lines (the supervisor's
    /// without a UNIT).
    Show {
        #[arg(value_name = "UNIT")]
        unit: Option<String>,
        /// Only these properties (repeat it, or separate names with commas).
        #[arg(short, long = "property", value_name = "NAME", value_delimiter = ',')]
        property: Vec<String>,
        /// Also the properties that are empty or unset.
        #[arg(short, long)]
        all: bool,
        /// Print the values only, without `Name=`.
        #[arg(long)]
        value: bool,
    },
    /// The supervisor's version, PID, memory, CPU time and uptime.
    Info,
    /// Ask whether the supervisor answers; print "ok".
    Healthz,
    /// Whether every autostarted unit (or every UNIT named) is active;
    /// exit 0 if so, else 3.
    Readyz {
        #[arg(value_name = "UNIT")]
        units: Vec<String>,
    },
    /// Print a completion script for a shell.
    Completion {
        #[arg(value_name = "SHELL")]
        shell: ShellArg,
    },
    /// On-demand tasks run by the supervisor (dumps, migrations, ...).
    Background {
        #[command(subcommand)]
        command: BackgroundCommand,
    },
    /// Run the supervisor (PID 1 of a container, or an ordinary process).
    Supervisor(SupervisorArgs),
}

/// One or more unit names; a name without a type stands for a service.
#[derive(Debug, Clone, Args)]
pub struct UnitNames {
    #[arg(value_name = "UNIT", required = true)]
    pub names: Vec<String>,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct WaitArgs {
    /// Do not wait for the jobs to finish: return once they are queued.
    #[arg(long)]
    pub no_block: bool,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct StopArgs {
    /// Seconds to wait for the service to stop before killing it (instead of
    /// its TimeoutStopSec=).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Skip the graceful stop: SIGKILL at once.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct NowArg {
    /// Also start (enable) or stop (disable) the units now.
    #[arg(long)]
    pub now: bool,
}

#[derive(Debug, Clone, Args)]
pub struct StateFilter {
    /// Only units in one of these active states or sub-states (active,
    /// failed, running, exited, ...): repeat it, or separate the states
    /// with commas.
    #[arg(long = "state", value_name = "STATE", value_delimiter = ',')]
    pub states: Vec<String>,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct TailArgs {
    /// Only the last N lines.
    #[arg(short = 'n', long, value_name = "N")]
    pub lines: Option<u64>,
    /// Keep printing new lines as they are written, until interrupted.
    #[arg(short, long)]
    pub follow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KillWhomArg {
    Main,
    Control,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnitType {
    Service,
    Socket,
    Target,
    Device,
    Mount,
    Automount,
    Swap,
    Timer,
    Path,
    Slice,
    Scope,
}

impl UnitType {
    /// The suffix of unit names of this type, with its dot.
    pub fn suffix(self) -> String {
        let word = self
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        format!(".{word}")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
enum BackgroundCommand {
    /// Start COMMAND under the supervisor, print its UUID and return.
    Run(BackgroundRunArgs),
    /// A table of the tasks.
    List,
    /// One task's details.
    Status {
        #[command(flatten)]
        task: TaskId,
    },
    /// Print a task's output.
    Log {
        #[command(flatten)]
        task: TaskId,
        #[command(flatten)]
        tail: TailArgs,
    },
    /// Stop a task: SIGTERM, then SIGKILL after its kill timeout.
    Stop {
        #[command(flatten)]
        task: TaskId,
    },
    /// Forget an ended task and its state on disk.
    Remove {
        #[command(flatten)]
        task: TaskId,
    },
}

#[derive(Debug, Clone, Args)]
pub struct BackgroundRunArgs {
    /// Set an environment variable for the task (repeatable).
    #[arg(short, long = "env", value_name = "K=V", value_parser = parse_env_assignment)]
    pub env: Vec<(String, String)>,
    /// Seconds between SIGTERM and SIGKILL when the task is stopped.
    #[arg(long, value_name = "SECS")]
    pub kill_timeout: Option<u64>,
    /// A name to know the task by.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The program and its arguments (after `--`).
    #[arg(
        value_name = "COMMAND",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TaskId {
    /// The task's UUID, or a unique prefix of it.
    #[arg(value_name = "UUID")]
    pub id: String,
}

fn parse_env_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() && !key.contains(char::is_whitespace) => {
            Ok((key.to_string(), value.to_string()))
        }
        _ => Err(format!("'{text}' is not of the form NAME=VALUE")),
    }
}

#[derive(Debug, Args)]
pub struct SupervisorArgs {
    /// The directory of units to run (default: the standard unit path,
    /// /etc/runr, /etc/systemd/system, ... /lib/systemd/system).
    pub unit_dir: Option<PathBuf>,
    /// The control API's unix socket (default $RUNR_SOCKET, else
    /// /run/runr/runr.sock).
    #[arg(long, value_name = "PATH")]
    pub api_socket: Option<PathBuf>,
    /// Also serve the control API over TCP at ADDR (needs --api-token-file).
    #[arg(long, value_name = "ADDR")]
    pub http_listen_api: Option<String>,
    /// The file holding the bearer token the TCP API requires.
    #[arg(long, value_name = "FILE")]
    pub api_token_file: Option<PathBuf>,
    /// Serve /healthz and /readyz, and nothing else, on plain TCP at ADDR
    /// (for kubelet probes).
    #[arg(long, value_name = "ADDR")]
    pub probe_listen: Option<String>,
    /// Where services' log files go.
    #[arg(long, value_name = "DIR")]
    pub log_dir: Option<PathBuf>,
    /// The journal directory (default $RUNR_JOURNAL_DIR, else
    /// /var/log/runr/journal).
    #[arg(long, value_name = "DIR")]
    pub journal_dir: Option<PathBuf>,
    /// The syslog datagram socket (default: syslog.conf's [server]
    /// listen, else /dev/log as PID 1, else none; "none" for no datagram
    /// socket). Wins over syslog.conf.
    #[arg(long, value_name = "PATH")]
    pub syslog_socket: Option<PathBuf>,
    /// Also take syslog messages on a stream socket at PATH.
    #[arg(long, value_name = "PATH")]
    pub syslog_stream_socket: Option<PathBuf>,
    /// syslog.conf: the socket to listen on and where messages are filed,
    /// per application (default /etc/runr/syslog.conf, if it exists, as
    /// PID 1 or with a syslog socket given).
    #[arg(long, value_name = "FILE")]
    pub syslog_conf: Option<PathBuf>,
    /// The supervisor's own log level: error, warning, info, debug.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: String,
}

/// A command that did not succeed: the exit code, and the one line to print
/// on stderr (none where the code says it all, or output already did).
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: Option<String>,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: Some(message.into()),
        }
    }

    /// Any error of the client, outside a unit's context.
    pub fn from_client(e: ClientError) -> Self {
        match e {
            ClientError::Unreachable { place, reason } => Failure::new(
                EXIT_FAILURE,
                format!("cannot reach the supervisor at {place}: {reason}"),
            ),
            ClientError::Api {
                status: 404,
                message,
            } => Failure::new(EXIT_NO_SUCH_UNIT, message),
            other => Failure::new(EXIT_FAILURE, other.to_string()),
        }
    }

    /// An error of a request about `unit`: a 404 means there is no such unit.
    pub fn for_unit(unit: &str, e: ClientError) -> Self {
        match e {
            ClientError::Api { status: 404, .. } => Failure::new(
                EXIT_NO_SUCH_UNIT,
                format!("no such unit: {}", unit_name(unit)),
            ),
            other => Failure::from_client(other),
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::from_client(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        // A reader that went away (`runr log -f | head`) is not an error.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                code: EXIT_SUCCESS,
                message: None,
            };
        }
        Failure::new(
            EXIT_FAILURE,
            format!("cannot write the output: {}", crate::engine::errno_text(&e)),
        )
    }
}

/// What a command returns: its exit code, or why it failed.
pub type CommandResult = Result<u8, Failure>;

/// The full name the daemon gives an argument: `db` is `db.service`.
pub fn unit_name(arg: &str) -> String {
    if arg.contains('.') {
        arg.to_string()
    } else {
        format!("{arg}.service")
    }
}

/// The clap command, for the completion scripts.
fn clap_command() -> clap::Command {
    Cli::command()
}

/// `runr is-active NAME...` and `runr is-failed NAME...` with no option:
/// the probes scripts and health checks call in a loop answer without
/// building the whole command-line grammar, which costs more than the call
/// itself. Anything else goes through clap.
fn probe_without_options(args: &[String]) -> Option<Cli> {
    let (verb, names) = args.get(1..)?.split_first()?;
    if names.is_empty() || names.iter().any(|n| n.starts_with('-')) {
        return None;
    }
    let units = UnitNames {
        names: names.to_vec(),
    };
    let command = match verb.as_str() {
        "is-active" => Command::IsActive { units },
        "is-failed" => Command::IsFailed { units },
        _ => return None,
    };
    Some(Cli {
        output: OutputArgs {
            json: false,
            no_header: false,
            quiet: false,
            color: ColorChoice::Auto,
        },
        socket: None,
        command,
    })
}

pub fn main(args: &[String]) -> u8 {
    let parsed = match probe_without_options(args) {
        Some(cli) => Ok(cli),
        None => Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Supervisor(args) => {
            supervisor::run(&args).map_err(|e| Failure::new(EXIT_FAILURE, format!("{e:#}")))
        }
        Command::Completion { shell } => completion::run(shell),
        command => {
            let out = Output::new(&cli.output);
            let client = match cli.socket {
                Some(path) => Client::unix(path),
                None => Client::local(),
            }
            .with_timeout(REQUEST_TIMEOUT);
            run(command, &client, &out)
        }
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            report(&failure);
            failure.code
        }
    }
}

/// Prints a failure's line, if it has one, on stderr.
pub fn report(failure: &Failure) {
    if let Some(message) = &failure.message {
        eprintln!("runr: {message}");
    }
}

fn run(command: Command, client: &Client, out: &Output) -> CommandResult {
    use services::JobVerb;
    match command {
        Command::Start { units, wait } => {
            services::job(client, out, JobVerb::Start, &units.names, wait)
        }
        Command::Stop { units, wait, stop } => {
            services::job(client, out, JobVerb::Stop(stop), &units.names, wait)
        }
        Command::Restart { units, wait, stop } => {
            services::job(client, out, JobVerb::Restart(stop), &units.names, wait)
        }
        Command::Reload { units, wait } => {
            services::job(client, out, JobVerb::Reload, &units.names, wait)
        }
        Command::Kill {
            units,
            signal,
            kill_whom,
        } => services::kill(client, out, &units.names, &signal, kill_whom),
        Command::Enable { units, now, wait } => {
            services::job(client, out, JobVerb::Enable(now), &units.names, wait)
        }
        Command::Disable { units, now, wait } => {
            services::job(client, out, JobVerb::Disable(now), &units.names, wait)
        }
        Command::Status { unit: None } => services::status_table(client, out),
        Command::Status { unit: Some(unit) } => units::status(client, out, &unit),
        Command::ListServices { state } => services::list_services(client, out, &state),
        Command::ListTimers => services::list_timers(client, out),
        Command::ListUnits { unit_type, state } => {
            units::list_units(client, out, unit_type, &state)
        }
        Command::IsActive { units } => units::is_active(client, out, &units.names),
        Command::IsFailed { units } => units::is_failed(client, out, &units.names),
        Command::IsEnabled { units } => units::is_enabled(client, out, &units.names),
        Command::Log { units, tail } => logs::units_log(client, out, &units.names, tail),
        Command::DaemonReload => units::daemon_reload(client, out),
        Command::Cat { units } => units::cat(client, out, &units.names),
        Command::Show {
            unit,
            property,
            all,
            value,
        } => units::show(client, out, unit.as_deref(), property, all, value),
        Command::Info => info::info(client, out),
        Command::Healthz => info::healthz(client, out),
        Command::Readyz { units } => info::readyz(client, out, &units),
        Command::Background { command } => background::run(client, out, command),
        // Handled before a client is made.
        Command::Completion { .. } | Command::Supervisor(_) => Ok(EXIT_SUCCESS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_probe_without_options_is_read_as_clap_reads_it() {
        let args = |line: &str| -> Vec<String> { line.split(' ').map(String::from).collect() };
        for line in ["runr is-active db", "runr is-failed a b.timer"] {
            let fast = probe_without_options(&args(line)).expect("a plain probe");
            let clap = Cli::try_parse_from(args(line)).expect("clap reads it");
            assert_eq!(format!("{fast:?}"), format!("{clap:?}"), "{line}");
        }
        for line in [
            "runr is-active --json db",
            "runr is-active",
            "runr status db",
        ] {
            assert!(probe_without_options(&args(line)).is_none(), "{line}");
        }
    }

    #[test]
    fn a_name_without_a_type_is_a_service() {
        assert_eq!(unit_name("db"), "db.service");
        assert_eq!(unit_name("backup.timer"), "backup.timer");
        assert_eq!(unit_name("getty@tty1"), "getty@tty1.service");
    }

    #[test]
    fn environment_assignments_need_a_name() {
        assert_eq!(
            parse_env_assignment("A=b=c"),
            Ok(("A".to_string(), "b=c".to_string()))
        );
        assert_eq!(
            parse_env_assignment("EMPTY="),
            Ok(("EMPTY".to_string(), String::new()))
        );
        assert!(parse_env_assignment("=x").is_err());
        assert!(parse_env_assignment("novalue").is_err());
    }

    #[test]
    fn a_background_command_keeps_its_own_flags() {
        let cli = Cli::try_parse_from([
            "runr",
            "background",
            "run",
            "--env",
            "A=1",
            "--name",
            "dump",
            "--",
            "pg_dump",
            "--json",
            "-f",
            "x",
        ])
        .unwrap();
        let Command::Background {
            command: BackgroundCommand::Run(args),
        } = cli.command
        else {
            panic!("not a background run");
        };
        assert_eq!(args.command, ["pg_dump", "--json", "-f", "x"]);
        assert_eq!(args.env, [("A".to_string(), "1".to_string())]);
        assert!(!cli.output.json);
    }

    #[test]
    fn unit_types_know_their_suffix() {
        assert_eq!(UnitType::Service.suffix(), ".service");
        assert_eq!(UnitType::Automount.suffix(), ".automount");
    }
}

//! The native `runr` command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

mod supervisor;

#[derive(Debug, Parser)]
#[command(
    name = "runr",
    version,
    about = "A process supervisor for container pods, configured with systemd unit files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the supervisor (PID 1 of a container, or an ordinary process).
    Supervisor(SupervisorArgs),
}

#[derive(Debug, clap::Args)]
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
    /// The syslog datagram socket (default /dev/log as PID 1, none
    /// otherwise; "none" for no syslog server).
    #[arg(long, value_name = "PATH")]
    pub syslog_socket: Option<PathBuf>,
    /// Also take syslog messages on a stream socket at PATH.
    #[arg(long, value_name = "PATH")]
    pub syslog_stream_socket: Option<PathBuf>,
    /// Where syslog messages are filed, per application (default
    /// /etc/runr/syslog.conf, if it exists).
    #[arg(long, value_name = "FILE")]
    pub syslog_conf: Option<PathBuf>,
    /// The supervisor's own log level: error, warning, info, debug.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: String,
}

pub fn main(args: &[String]) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 1 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Supervisor(args) => supervisor::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("runr: {e:#}");
            1
        }
    }
}

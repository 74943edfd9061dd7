//! `runr supervisor`: load the units and supervise them until asked to stop.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::Result;

use super::SupervisorArgs;
use crate::config::loader::Loader;
use crate::config::search_path::SearchPath;
use crate::config::syslog_conf::{SyslogConfig, parse_syslog_conf};
use crate::control::server::ServerConfig;
use crate::engine::manager::Manager;
use crate::engine::power::SupervisorEnd;
use crate::engine::supervisor;
use crate::logs::journal::{JournalConfig, default_directory};
use crate::logs::pipeline::{LogPipeline, LogPipelineConfig};
use crate::logs::syslog_server::SyslogServerConfig;
use crate::logs::unit_options::UnitLogOptions;

pub fn run(args: &SupervisorArgs) -> Result<u8> {
    share_one_malloc_arena();
    if std::process::id() == 1 {
        // Before anything reads the host name: the journal stamps its lines
        // with it, specifiers (%H) print it. systemd says this on the
        // console only, before journald runs.
        for message in crate::engine::hostname::set_from(Path::new("/etc/hostname")) {
            println!("runr[1]: {message}");
        }
    }
    let search_path = match &args.unit_dir {
        Some(dir) => {
            anyhow::ensure!(
                dir.is_dir(),
                "unit directory {} does not exist",
                dir.display()
            );
            SearchPath::new([dir.clone()])
        }
        None => {
            // Booting the standard unit path is what PID 1 of a container
            // does; as an ordinary process on a host it would start the
            // host's own units, so it has to be asked for explicitly.
            let explicit = std::env::var_os(crate::config::search_path::ENV_VAR).is_some();
            anyhow::ensure!(
                std::process::id() == 1 || explicit,
                "not PID 1: give a unit directory (runr supervisor DIR) or set {} to boot the standard unit path",
                crate::config::search_path::ENV_VAR
            );
            SearchPath::from_env()
        }
    };
    let socket = args
        .api_socket
        .clone()
        .unwrap_or_else(supervisor::default_socket_path);
    if let Some(parent) = socket.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!("{}: {}", parent.display(), crate::engine::errno_text(&e))
        })?;
    }
    let api = ServerConfig::from_flags(
        &socket,
        args.http_listen_api.as_deref(),
        args.api_token_file.as_deref(),
        args.probe_listen.as_deref(),
    )?;
    let manager = Manager::new(Loader::new(search_path));
    if std::process::id() == 1 {
        present_as_systemd();
    }
    let pipeline = Rc::new(start_log_pipeline(args, &manager)?);
    let result = supervisor::run(manager, pipeline.clone(), api);
    pipeline.close();
    match result? {
        SupervisorEnd::Exit(status) => Ok(status),
        // As PID 1 this does not return in a container with CAP_SYS_BOOT.
        SupervisorEnd::Power(action) => Ok(crate::engine::power::end(action)),
    }
}

/// As PID 1, look like systemd to the tools that check for it: Ansible's
/// service_mgr fact reads /proc/1/comm, and sd_booted() and systemctl's
/// callers look for /run/systemd/system.
fn present_as_systemd() {
    // SAFETY: PR_SET_NAME with a NUL-terminated buffer of at most 16 bytes.
    unsafe {
        nix::libc::prctl(
            nix::libc::PR_SET_NAME,
            c"systemd".as_ptr() as nix::libc::c_ulong,
            0,
            0,
            0,
        );
    }
    let _ = std::fs::create_dir_all("/run/systemd/system");
}

/// The journal, the services' log files, stdout and the syslog server.
fn start_log_pipeline(args: &SupervisorArgs, manager: &Manager) -> Result<LogPipeline> {
    let journal_dir = args.journal_dir.clone().unwrap_or_else(default_directory);
    let mut config = LogPipelineConfig::new(JournalConfig::new(journal_dir));
    config.log_dir = args.log_dir.clone();
    config.units = manager
        .units
        .by_name
        .iter()
        .filter_map(|(name, unit)| {
            let service = unit.service()?;
            Some((name.clone(), UnitLogOptions::from_service(service)))
        })
        .collect();
    config.syslog = syslog_server_config(args);
    LogPipeline::start(config).map_err(|e| {
        anyhow::anyhow!(
            "cannot start the log pipeline: {}",
            crate::engine::errno_text(&e)
        )
    })
}

const DEFAULT_SYSLOG_CONF: &str = "/etc/runr/syslog.conf";
const DEFAULT_SYSLOG_SOCKET: &str = "/dev/log";

/// The syslog server's sockets and routes. The datagram socket is
/// `--syslog-socket` if given ("none": no datagram socket), else
/// syslog.conf's `[server] listen =`, else /dev/log as PID 1: on a host,
/// /dev/log belongs to the host's own syslog daemon. syslog.conf is
/// `--syslog-conf`, else /etc/runr/syslog.conf when the server may run
/// without it (PID 1, or a socket given on the command line).
fn syslog_server_config(args: &SupervisorArgs) -> Option<SyslogServerConfig> {
    syslog_server_config_as(args, std::process::id() == 1)
}

fn syslog_server_config_as(args: &SupervisorArgs, pid1: bool) -> Option<SyslogServerConfig> {
    let none = |p: &PathBuf| p.as_os_str() == "none";
    let stream_socket = args.syslog_stream_socket.clone().filter(|p| !none(p));
    let conf_path = match &args.syslog_conf {
        Some(path) => Some(path.clone()),
        None if pid1
            || stream_socket.is_some()
            || args.syslog_socket.as_ref().is_some_and(|p| !none(p)) =>
        {
            Some(PathBuf::from(DEFAULT_SYSLOG_CONF))
        }
        None => None,
    };
    let mut notes = Vec::new();
    let routes = match &conf_path {
        None => SyslogConfig::default(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => {
                let (routes, diagnostics) = parse_syslog_conf(path, &text);
                notes.extend(diagnostics.iter().map(|d| d.to_string()));
                routes
            }
            Err(e) if args.syslog_conf.is_some() => {
                notes.push(format!(
                    "{}: {}",
                    path.display(),
                    crate::engine::errno_text(&e)
                ));
                SyslogConfig::default()
            }
            Err(_) => SyslogConfig::default(),
        },
    };
    let (datagram_socket, datagram_origin) = match (&args.syslog_socket, &routes.listen) {
        (Some(path), _) if none(path) => (None, None),
        (Some(path), _) => (Some(path.clone()), None),
        (None, Some(listen)) => (
            Some(listen.path.clone()),
            conf_path.clone().map(|conf| (conf, listen.line)),
        ),
        (None, None) if pid1 => (Some(DEFAULT_SYSLOG_SOCKET.into()), None),
        (None, None) => (None, None),
    };
    if datagram_socket.is_none() && stream_socket.is_none() && notes.is_empty() {
        return None;
    }
    Some(SyslogServerConfig {
        datagram_socket,
        datagram_origin,
        stream_socket,
        routes,
        notes,
    })
}

/// The supervisor's few threads allocate little and seldom: one malloc
/// arena for all of them, rather than glibc's one per thread, each with
/// its own resident pages.
fn share_one_malloc_arena() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only sets an allocator parameter; called before the
    // supervisor starts any thread.
    unsafe {
        nix::libc::mallopt(nix::libc::M_ARENA_MAX, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::Path;

    fn args(extra: &[&str]) -> SupervisorArgs {
        let mut line = vec!["runr", "supervisor", "/units"];
        line.extend_from_slice(extra);
        match super::super::Cli::try_parse_from(line)
            .expect("parses")
            .command
        {
            super::super::Command::Supervisor(args) => args,
            other => panic!("{other:?}"),
        }
    }

    fn conf(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syslog.conf");
        std::fs::write(&path, text).unwrap();
        let path = path.display().to_string();
        (dir, path)
    }

    #[test]
    fn the_command_line_socket_wins_over_listen_which_wins_over_dev_log() {
        let (_dir, path) = conf("[server]\nlisten = /run/conf.sock\n");
        let from_file = syslog_server_config_as(&args(&["--syslog-conf", &path]), false).unwrap();
        assert_eq!(
            from_file.datagram_socket.as_deref(),
            Some(Path::new("/run/conf.sock"))
        );
        assert_eq!(from_file.datagram_origin, Some((PathBuf::from(&path), 2)));
        let flag = args(&["--syslog-conf", &path, "--syslog-socket", "/run/flag.sock"]);
        let config = syslog_server_config_as(&flag, true).unwrap();
        assert_eq!(
            config.datagram_socket.as_deref(),
            Some(Path::new("/run/flag.sock"))
        );
        assert_eq!(config.datagram_origin, None);
        let off = args(&["--syslog-conf", &path, "--syslog-socket", "none"]);
        assert!(syslog_server_config_as(&off, true).is_none());

        let (_dir, plain) = conf("[default]\ndirectory = /var/log/s\n");
        let as_pid1 = syslog_server_config_as(&args(&["--syslog-conf", &plain]), true).unwrap();
        assert_eq!(
            as_pid1.datagram_socket.as_deref(),
            Some(Path::new("/dev/log"))
        );
        // Not PID 1, nothing asked: no server.
        assert!(syslog_server_config_as(&args(&["--syslog-conf", &plain]), false).is_none());
    }

    #[test]
    fn syslog_conf_problems_are_kept_for_the_supervisors_log() {
        let (_dir, path) = conf("[server]\nlisten = rel\n");
        let config = syslog_server_config_as(&args(&["--syslog-conf", &path]), false).unwrap();
        assert_eq!(config.datagram_socket, None);
        assert_eq!(
            config.notes,
            [format!(
                "{path}:2: listen= path is not absolute, ignoring: rel"
            )]
        );
        let missing = args(&["--syslog-conf", "/nonexistent/syslog.conf"]);
        let config = syslog_server_config_as(&missing, false).unwrap();
        assert_eq!(
            config.notes,
            ["/nonexistent/syslog.conf: No such file or directory"]
        );
    }
}

//! `runr supervisor`: load the units and supervise them until asked to stop.

use std::path::PathBuf;
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

/// /dev/log is served by default only as PID 1: on a host, it belongs to
/// the host's own syslog daemon.
fn syslog_server_config(args: &SupervisorArgs) -> Option<SyslogServerConfig> {
    let none = |p: &PathBuf| p.as_os_str() == "none";
    let datagram_socket = match &args.syslog_socket {
        Some(path) if none(path) => None,
        Some(path) => Some(path.clone()),
        None if std::process::id() == 1 => Some(DEFAULT_SYSLOG_SOCKET.into()),
        None => None,
    };
    let stream_socket = args.syslog_stream_socket.clone().filter(|p| !none(p));
    if datagram_socket.is_none() && stream_socket.is_none() {
        return None;
    }
    let conf_path = args
        .syslog_conf
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSLOG_CONF));
    let routes = match std::fs::read_to_string(&conf_path) {
        Ok(text) => {
            let (routes, diagnostics) = parse_syslog_conf(&conf_path, &text);
            for d in diagnostics {
                eprintln!("runr: {d}");
            }
            routes
        }
        Err(e) if args.syslog_conf.is_some() => {
            eprintln!(
                "runr: {}: {}",
                conf_path.display(),
                crate::engine::errno_text(&e)
            );
            SyslogConfig::default()
        }
        Err(_) => SyslogConfig::default(),
    };
    Some(SyslogServerConfig {
        datagram_socket,
        stream_socket,
        routes,
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

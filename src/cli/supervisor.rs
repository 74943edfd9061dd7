//! `runr supervisor`: load the units and supervise them until asked to stop.

use std::rc::Rc;

use anyhow::Result;

use super::SupervisorArgs;
use crate::config::loader::Loader;
use crate::config::search_path::SearchPath;
use crate::control::server::ServerConfig;
use crate::engine::manager::Manager;
use crate::engine::supervisor;
use crate::logs::console::ConsoleSink;

pub fn run(args: &SupervisorArgs) -> Result<u8> {
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
    Ok(supervisor::run(manager, Rc::new(ConsoleSink), api)?)
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

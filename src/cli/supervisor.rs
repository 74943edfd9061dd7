//! `runr supervisor`: load the units and supervise them until asked to stop.

use std::rc::Rc;

use anyhow::Result;

use super::SupervisorArgs;
use crate::config::loader::Loader;
use crate::config::search_path::SearchPath;
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
    let manager = Manager::new(Loader::new(search_path));
    supervisor::run(manager, Rc::new(ConsoleSink))?;
    Ok(0)
}

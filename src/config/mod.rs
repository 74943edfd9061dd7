//! The typed unit model and the loader (search path, drop-ins, templates,
//! aliases, enablement symlinks, masks), with systemd 252's diagnostics for
//! bad files and values.

pub mod autostart;
pub mod diagnostics;
pub mod dialect;
pub mod enablement;
pub mod fragment;
pub mod host;
pub mod known_keys;
pub mod loader;
pub mod model;
pub mod pool;
pub mod search_path;
pub mod service;
pub mod settings;
pub mod sorted_map;
pub mod syslog_conf;
pub mod timer;
pub mod unit_name;
pub mod unit_section;
pub mod values;

pub use diagnostics::Diagnostic;
pub use dialect::Dialect;
pub use loader::{Loader, Units};
pub use model::{LoadState, Unit, UnitBody, UnitType};
pub use search_path::SearchPath;

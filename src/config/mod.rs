//! The typed unit model and the loader (search path, drop-ins, templates,
//! aliases, enablement symlinks, masks).

//! runr as a library: the grammars, the unit model and loader, the engine,
//! the logs, the control API and the faces. `main.rs` only dispatches.

pub mod cgroup;
pub mod cli;
pub mod compat;
pub mod config;
pub mod control;
pub mod engine;
pub mod logs;
pub mod syntax;

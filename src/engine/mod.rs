//! The supervisor: one state machine per unit, driven by events (a child
//! exited, a timeout fired, a command arrived), never by polling.

pub mod exit_status;
pub mod reaper;
pub mod spawn;

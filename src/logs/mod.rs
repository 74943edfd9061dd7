//! The log pipeline: services' output and the supervisor's own messages.

pub mod console;
pub mod journal;
pub mod record;
pub mod rotate;

//! The log pipeline: services' output and the supervisor's own messages.

pub mod console;

//! The log pipeline: services' output, the syslog server, the supervisor's
//! own messages, rotated files and the journal store.

pub mod console;
pub mod counters;
pub mod journal;
pub mod pipeline;
pub mod prefix;
pub mod query;
pub mod record;
pub mod rotate;
pub mod supervisor_priority;
pub mod syslog_server;
pub mod unit_options;

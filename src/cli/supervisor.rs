//! `runr supervisor`: load the units and supervise them until asked to stop.

use std::rc::Rc;

use anyhow::Result;

use super::SupervisorArgs;
use crate::engine::supervisor;
use crate::logs::console::ConsoleSink;

pub fn run(args: &SupervisorArgs) -> Result<u8> {
    let plans = crate::engine::boot::plans_to_start(args.unit_dir.as_deref())?;
    supervisor::run(plans, Rc::new(ConsoleSink))?;
    Ok(0)
}

//! What the supervisor starts at boot.

use std::path::Path;

use super::plan::ServicePlan;

pub fn plans_to_start(_unit_dir: Option<&Path>) -> anyhow::Result<Vec<ServicePlan>> {
    anyhow::bail!("loading units is not wired to the supervisor yet")
}

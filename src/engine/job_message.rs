//! How systemd 252 names a unit in its job status messages ("Started ...",
//! "Stopping ...", "Reached target ...", "Dependency failed for ...").
//!
//! systemd's default StatusUnitFormat= is "combined": the unit's name, " - "
//! and its description, so the journal says `Started crashy.service - Crashy
//! service.`. A unit without Description= (or whose description is its own
//! name) is named by its name alone (unit_status_string() in src/core/unit.c).

/// The unit as a job message names it: `name - description`, or `name`.
pub fn unit_status(name: &str, description: &str) -> String {
    if description.is_empty() || description == name {
        name.to_string()
    } else {
        format!("{name} - {description}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_name_and_description() {
        assert_eq!(
            unit_status("crashy.service", "Crashy service"),
            "crashy.service - Crashy service"
        );
        assert_eq!(
            unit_status("multi-user.target", "Multi-User System"),
            "multi-user.target - Multi-User System"
        );
    }

    #[test]
    fn a_unit_without_description_is_named_alone() {
        assert_eq!(unit_status("plain.service", ""), "plain.service");
        assert_eq!(
            unit_status("plain.service", "plain.service"),
            "plain.service"
        );
    }
}

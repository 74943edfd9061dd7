//! Condition*= and Assert*= as systemctl shows them: every command of
//! golden/systemctl/conditions/live (captured from systemd 252 booted in
//! namespaces, see the README there) run again, in the same order, in a
//! guest whose PID 1 is runr, and its stdout, stderr and exit code compared
//! with systemd's after the shared normaliser. The commands enable and
//! start the units themselves, so the guest boots with the unit files only.

use std::path::Path;

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/conditions");

#[test]
fn conditions_and_asserts_goldens_against_runr_as_pid_1() {
    // The oracle's guest boots multi-user.target, which the enabled units
    // are wanted by; so does this one.
    let guest = boot_like_the_oracle(&Path::new(GOLDEN).join("units"), Vec::new());
    GoldenSet {
        label: "condition",
        dir: Path::new(GOLDEN),
        known: Default::default(),
        list: "no list (every case must match)",
        min_cases: 150,
    }
    .assert_replayed(&guest, cases(Path::new(GOLDEN)));
}

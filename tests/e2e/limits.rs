//! `Limit*=` in a container that cannot raise its hard limits: every
//! command of golden/systemctl/limits/live (captured from systemd 252
//! booted without CAP_SYS_RESOURCE under open files 1024:4096, see the
//! README there) run again, in the same order, in a guest whose PID 1 is
//! runr booted the same way, and its stdout, stderr and exit code compared
//! with systemd's after the shared normaliser. A limit above the hard one
//! starts the service with the closest limit, as systemd's does.

use std::path::Path;

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle_with, cases};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/limits");

#[test]
fn limits_above_the_hard_limit_goldens_against_runr_as_pid_1() {
    let guest = boot_like_the_oracle_with(
        &Path::new(GOLDEN).join("units"),
        Vec::new(),
        &[
            (
                "GUEST_PRLIMIT",
                "--nofile=1024:4096 --memlock=8388608:8388608",
            ),
            ("GUEST_DROP_CAPS", "sys_resource"),
        ],
    );
    let bounding = guest.sh("grep CapBnd /proc/1/status");
    let bounding = String::from_utf8_lossy(&bounding.stdout);
    let mask = u64::from_str_radix(bounding.trim().trim_start_matches("CapBnd:").trim(), 16)
        .expect("a bounding set");
    assert_eq!(
        mask & (1 << 24),
        0,
        "PID 1 kept CAP_SYS_RESOURCE: {bounding}"
    );
    GoldenSet {
        label: "limit",
        dir: Path::new(GOLDEN),
        known: Default::default(),
        list: "no list (every case must match)",
        min_cases: 40,
    }
    .assert_replayed(&guest, cases(Path::new(GOLDEN)));
}

//! The host name PID 1 sets from /etc/hostname: every command of
//! golden/systemctl/hostname/live (captured from systemd 252 booted with
//! the uts name "oracle" and an /etc/hostname naming it otherwise, see the
//! README there) run again, in the same order, in a guest whose PID 1 is
//! runr booted the same way, and compared after the shared normaliser; and
//! the console line systemd printed about it, which runr prints as its
//! own (`runr[1]: ...`).

use std::path::Path;

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/hostname");

#[test]
fn host_name_from_etc_hostname_goldens_against_runr_as_pid_1() {
    let golden = Path::new(GOLDEN);
    // The guest's uts name is its name, "oracle", as the oracle's was.
    let guest = boot_like_the_oracle(
        &golden.join("units"),
        vec![(golden.join("etc-hostname"), "/etc/hostname")],
    );
    GoldenSet {
        label: "host name",
        dir: golden,
        known: Default::default(),
        list: "no list (every case must match)",
        min_cases: 10,
    }
    .assert_replayed(&guest, cases(golden));

    let console = std::fs::read_to_string(golden.join("live/console/hostname.txt")).unwrap();
    assert!(!console.is_empty());
    for line in console.lines() {
        let ours = format!("runr[1]: {line}");
        assert!(
            guest.console().lines().any(|l| l == ours),
            "no {ours:?} on the console:\n{}",
            guest.console()
        );
    }
}

#[test]
fn a_guest_whose_etc_hostname_names_it_keeps_its_name_and_says_nothing() {
    let golden = Path::new(GOLDEN);
    let guest = boot_like_the_oracle(&golden.join("units"), Vec::new());
    let out = guest.sh("hostname");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "oracle\n");
    assert!(!guest.console().contains("ostname"), "{}", guest.console());
}

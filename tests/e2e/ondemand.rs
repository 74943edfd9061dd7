//! Units loaded on demand, unit files changed on disk, get-default and
//! set-default, and verbs on units that do not exist: every command of
//! golden/systemctl/ondemand/live (captured from systemd 252 booted in
//! namespaces, see the README there) run again, in the same order, in one
//! guest whose PID 1 is runr, and its stdout, stderr and exit code compared
//! with systemd's after the shared normaliser.
//!
//! The guest boots with the unit files of `units/` (a drop-in directory
//! among them) in /etc/systemd/system and those of `staged/` in
//! /opt/ondemand, where the commands pick them up without a daemon-reload.
//! Cases runr answers otherwise for a reason outside its reach would be
//! listed, with the reason, in `ondemand_known_different.tsv` beside this
//! file (`case<TAB>reason`); the test fails when a listed case matches.

use std::path::{Path, PathBuf};

use super::systemctl_golden::{GoldenSet, boot_like_the_oracle, cases, parse_known_different};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/ondemand");
const KNOWN: &str = include_str!("ondemand_known_different.tsv");

#[test]
fn on_demand_loading_goldens_against_runr_as_pid_1() {
    let golden = Path::new(GOLDEN);
    let mut staged: Vec<(PathBuf, String)> = std::fs::read_dir(golden.join("staged"))
        .expect("staged/")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (p, format!("/opt/ondemand/{name}"))
        })
        .collect();
    staged.sort();
    let files = staged
        .iter()
        .map(|(h, g)| (h.clone(), g.as_str()))
        .collect();
    let guest = boot_like_the_oracle(&golden.join("units"), files);
    GoldenSet {
        label: "on-demand",
        dir: golden,
        known: parse_known_different(KNOWN),
        list: "tests/e2e/ondemand_known_different.tsv",
        min_cases: 140,
    }
    .assert_replayed(&guest, cases(golden));
}

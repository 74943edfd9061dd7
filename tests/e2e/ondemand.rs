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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::systemctl_golden::{boot_like_the_oracle, cases, differences};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/systemctl/ondemand");
const KNOWN: &str = include_str!("ondemand_known_different.tsv");

fn known_different() -> BTreeMap<&'static str, &'static str> {
    KNOWN
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .collect()
}

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
    let known = known_different();
    let mut report = String::new();
    let mut unexpected = Vec::new();
    let mut now_matching = Vec::new();
    let (mut same, mut compared) = (0, 0);
    for case in cases(golden) {
        compared += 1;
        let difference = differences(&guest, golden, &case);
        let listed = known.contains_key(case.id.as_str());
        match difference {
            None if listed => now_matching.push(case.id.clone()),
            None => same += 1,
            Some(text) => {
                report.push_str(&text);
                if !listed {
                    unexpected.push(case.id.clone());
                }
            }
        }
    }
    eprintln!("on-demand goldens: {same} of {compared} match runr");
    assert!(compared >= 140, "only {compared} cases found");
    assert!(
        now_matching.is_empty(),
        "these cases match now; take them off tests/e2e/ondemand_known_different.tsv: {now_matching:?}"
    );
    assert!(
        unexpected.is_empty(),
        "cases that differ: {unexpected:?}\n{report}"
    );
}

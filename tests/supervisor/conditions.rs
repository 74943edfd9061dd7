//! Condition*= skips a start, Assert*= fails it, with systemd's messages
//! and its effect on dependents.

use crate::harness::Pod;

#[test]
fn an_unmet_condition_skips_the_unit_and_its_dependents_start() {
    let pod = Pod::new(&[
        (
            "cond.service",
            "[Unit]\nDescription=Cond Demo\nConditionPathExists=/nonexistent\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
        (
            "trig.service",
            "[Unit]\nDescription=Trig Demo\nConditionPathExists=|/nonexistent\nConditionPathIsDirectory=|!/\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "dep.service",
            "[Unit]\nDescription=Dependent\nRequires=cond.service\nAfter=cond.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for(
        "cond.service - Cond Demo was skipped because of an unmet condition check (ConditionPathExists=/nonexistent).",
    );
    sup.wait_for(
        "trig.service - Trig Demo was skipped because no trigger condition checks were met.",
    );
    sup.wait_for("Started dep.service - Dependent.");
    let out = sup.stop();
    for name in ["cond.service", "trig.service"] {
        assert!(!out.contains(&format!("Starting {name}")), "{out}");
        assert!(!out.contains(&format!("Started {name}")), "{out}");
    }
}

#[test]
fn conditions_that_hold_let_the_unit_start() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "ok.service",
        &format!(
            "[Unit]\nDescription=Holds\nConditionPathExists={d}\nConditionDirectoryNotEmpty={d}\nConditionPathExists=!/nonexistent\nConditionEnvironment=RUNR_ROOT\nConditionMemory=>=1M\nConditionCPUs=>=1\nConditionArchitecture=native\nConditionFileIsExecutable=/bin/sh\nConditionNoSuchThing=whatever\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Started ok.service - Holds.");
    sup.stop();
}

#[test]
fn a_failed_assert_fails_the_job_and_its_dependents() {
    let pod = Pod::new(&[
        (
            "asrt.service",
            "[Unit]\nDescription=Assert Demo\nAssertPathExists=!/\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
        (
            "needs.service",
            "[Unit]\nDescription=Needs\nRequires=asrt.service\nAfter=asrt.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("asrt.service: Starting requested but asserts failed.");
    sup.wait_for("Assertion failed for asrt.service - Assert Demo.");
    sup.wait_for("Dependency failed for needs.service - Needs.");
    let out = sup.stop();
    assert!(!out.contains("Started needs.service - Needs."), "{out}");
    assert!(!out.contains("asrt.service: Failed with result"), "{out}");
}

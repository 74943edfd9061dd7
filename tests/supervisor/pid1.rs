//! The supervisor's own signals and exit status.

use nix::sys::signal::Signal;

use super::harness::Pod;

#[test]
fn restart_halt_stops_the_pod_with_the_service_exit_code() {
    let pod = Pod::new(&[
        (
            "main.service",
            "[Unit]\nDescription=Main job\n[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'sleep 0.2; exit 7'\nRestart=halt\n",
        ),
        (
            "side.service",
            "[Unit]\nDescription=Sidecar\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let sup = pod.start();
    let (code, out) = sup.wait_exit();
    assert_eq!(code, 7, "{out}");
    assert!(
        out.contains("main.service: Restart=halt, stopping the pod."),
        "{out}"
    );
    assert!(out.contains("Stopped side.service - Sidecar."), "{out}");
}

#[test]
fn sighup_reloads_and_starts_new_units_sigusr2_dumps_state() {
    let pod = Pod::new(&[(
        "one.service",
        "[Unit]\nDescription=One\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Started one.service - One.");
    pod.add(
        "two.service",
        "[Unit]\nDescription=Two\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    );
    sup.signal(Signal::SIGHUP);
    sup.wait_for("Started two.service - Two.");
    sup.signal(Signal::SIGUSR2);
    sup.wait_for("two.service: active (running), main PID ");
    let out = sup.stop();
    assert!(out.contains("Stopped two.service - Two."), "{out}");
}

#[test]
fn a_reload_starts_only_new_units_not_a_known_one_that_failed() {
    let pod = Pod::new(&[(
        "broken.service",
        "[Unit]\nDescription=Broken\n[Service]\nAutostart=yes\nExecStart=/bin/false\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("broken.service: Failed with result 'exit-code'.");
    pod.add(
        "fresh.service",
        "[Unit]\nDescription=Fresh\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    );
    sup.signal(Signal::SIGHUP);
    sup.wait_for("Started fresh.service - Fresh.");
    let out = sup.stop();
    assert_eq!(
        out.matches("Started broken.service - Broken.").count(),
        1,
        "{out}"
    );
}

#[test]
fn after_a_reload_a_removed_unit_stops_and_sigterm_still_ends_the_pod() {
    let pod = Pod::new(&[
        (
            "keep.service",
            "[Unit]\nDescription=Keep\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "gone.service",
            "[Unit]\nDescription=Gone\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started gone.service - Gone.");
    sup.wait_for("Started keep.service - Keep.");
    std::fs::remove_file(pod.dir().join("gone.service")).unwrap();
    sup.signal(Signal::SIGHUP);
    sup.wait_for("Stopped gone.service - Gone.");
    let out = sup.stop();
    assert!(out.contains("Stopped keep.service - Keep."), "{out}");
    assert!(
        out.contains("Stopped target multi-user.target - Multi-User System."),
        "{out}"
    );
}

#[test]
fn sigusr1_binds_the_control_api_again_after_its_socket_file_was_removed() {
    let pod = Pod::new(&[(
        "one.service",
        "[Unit]\nDescription=One\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Started one.service - One.");
    std::fs::remove_file(pod.socket()).unwrap();
    sup.signal(Signal::SIGUSR1);
    sup.wait_for("Binding the control API again (SIGUSR1).");
    let client = runr::control::client::Client::unix(pod.socket());
    let answered = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        client.unit("one.service").is_ok()
    });
    let out = sup.stop();
    assert!(answered, "the API answers on its path again\n{out}");
}

/// Start-up runs deeper than the idle loop ever goes (the command-line
/// parser's frame alone is some 100 KiB); the supervisor gives those stack
/// pages back instead of keeping them resident for the pod's life.
#[test]
fn the_stack_pages_start_up_touched_are_given_back() {
    let pod = Pod::new(&[(
        "one.service",
        "[Unit]\nDescription=One\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Started one.service - One.");
    let (size_kib, rss_kib) = main_stack_size_and_rss(sup.pid());
    // The mapping keeps the size of the deepest start-up frame; what is
    // resident is what the loop uses.
    assert!(
        rss_kib * 2 < size_kib,
        "[stack]: {rss_kib} KiB resident of {size_kib} KiB"
    );
    sup.stop();
}

/// The `Size:` and `Rss:` of a process's `[stack]` mapping, in KiB.
fn main_stack_size_and_rss(pid: i32) -> (u64, u64) {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).expect("smaps");
    let mut lines = smaps.lines().skip_while(|l| !l.ends_with("[stack]")).skip(1);
    let mut field = |name: &str| -> u64 {
        let line = lines
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} of [stack] in {smaps}"));
        line[name.len()..].trim().trim_end_matches(" kB").parse().expect("KiB")
    };
    let size = field("Size:");
    let rss = field("Rss:");
    (size, rss)
}

//! Credentials, capabilities, exec prefixes and the failures of process
//! setup, which exit with systemd's statuses and log its lines; runr's
//! $PGID and $LAST_PID.

use std::os::unix::fs::PermissionsExt;

use crate::harness::Pod;

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

fn nobody() -> Option<nix::unistd::User> {
    nix::unistd::User::from_name("nobody").ok().flatten()
}

#[test]
fn an_unknown_user_fails_at_step_user() {
    let pod = Pod::new(&[(
        "user.service",
        "[Unit]\nDescription=User Demo\n[Service]\nAutostart=yes\nUser=nosuchuser-runr\nExecStart=/bin/sleep 60\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("user.service: Failed with result 'exit-code'.");
    let out = sup.stop();
    let expected = [
        "Started User Demo.",
        "user.service: Failed to determine user credentials: No such process",
        "user.service: Failed at step USER spawning /bin/sleep: No such process",
        "user.service: Main process exited, code=exited, status=217/USER",
        "user.service: Failed with result 'exit-code'.",
    ];
    let mut at = 0;
    for line in expected {
        let found = out[at..]
            .find(line)
            .unwrap_or_else(|| panic!("no {line:?} (in order) in:\n{out}"));
        at += found + line.len();
    }
}

#[test]
fn a_missing_working_directory_fails_at_step_chdir() {
    let pod = Pod::new(&[(
        "wd.service",
        "[Service]\nAutostart=yes\nType=oneshot\nWorkingDirectory=/nonexistent/dir\nExecStart=/bin/true\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("wd.service: Failed at step CHDIR spawning /bin/true: No such file or directory");
    let out = sup.stop();
    assert!(
        out.contains(
            "wd.service: Changing to the requested working directory failed: No such file or directory"
        ),
        "{out}"
    );
    assert!(
        out.contains("wd.service: Main process exited, code=exited, status=200/CHDIR"),
        "{out}"
    );
}

#[test]
fn a_missing_executable_is_located_first_and_a_dash_one_is_skipped() {
    let pod = Pod::new(&[
        (
            "miss.service",
            "[Service]\nAutostart=yes\nExecStart=/nonexistent/x\n",
        ),
        (
            "missok.service",
            "[Service]\nAutostart=yes\nType=oneshot\nExecStart=-/nonexistent/x\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Finished missok.service.");
    sup.wait_for("miss.service: Failed with result 'exit-code'.");
    let out = sup.stop();
    for line in [
        "miss.service: Failed to locate executable /nonexistent/x: No such file or directory",
        "miss.service: Failed at step EXEC spawning /nonexistent/x: No such file or directory",
        "miss.service: Main process exited, code=exited, status=203/EXEC",
        "missok.service: Executable /nonexistent/x missing, skipping: No such file or directory",
        "missok.service: Deactivated successfully.",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
}

#[test]
fn capabilities_and_prefixes_as_systemd_applies_them() {
    let Some(nobody) = nobody().filter(|_| is_root()) else {
        eprintln!("skipped: needs root and a user nobody");
        return;
    };
    let pod = Pod::new(&[]);
    // Files the service's user can write.
    let out = pod.dir().join("out");
    std::fs::create_dir(&out).unwrap();
    for dir in [pod.dir(), out.clone()] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let d = out.display().to_string();
    pod.add(
        "caps.service",
        &format!(
            "[Service]\nAutostart=yes\nType=oneshot\nUser=nobody\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStartPre=+/bin/sh -c 'id -u > {d}/plus'\nExecStartPre=!/bin/sh -c 'id -u > {d}/bang; grep CapBnd /proc/self/status >> {d}/bang'\nExecStart=/bin/sh -c 'id -u > {d}/plain; grep -E \"^Cap(Bnd|Amb)\" /proc/self/status >> {d}/plain'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Finished caps.service.");
    sup.stop();
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    assert_eq!(read("plus").trim(), "0", "`+` runs as root");
    let bang = read("bang");
    assert!(bang.starts_with("0\n"), "`!` keeps root: {bang}");
    assert!(
        bang.contains("CapBnd:\t0000000000002400"),
        "`!` keeps the sandbox: {bang}"
    );
    let plain = read("plain");
    assert!(plain.starts_with(&format!("{}\n", nobody.uid)), "{plain}");
    assert!(plain.contains("CapBnd:\t0000000000002400"), "{plain}");
    assert!(plain.contains("CapAmb:\t0000000000000400"), "{plain}");
}

#[test]
fn pgid_and_last_pid_name_the_services_processes() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "vars.service",
        &format!(
            "[Service]\nAutostart=yes\nType=forking\nExecStartPre=/bin/true\nExecStart=/bin/sh -c 'echo $$$$ > {d}/start; echo \"$LAST_PID\" > {d}/start-last; sleep 60 & sleep 0.2'\nExecStartPost=/bin/sh -c 'echo \"$PGID $LAST_PID\" > {d}/post'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Started vars.service.");
    sup.stop();
    let read = |f: &str| {
        std::fs::read_to_string(pod.dir().join(f))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let start = read("start");
    assert!(!start.is_empty());
    assert!(
        !read("start-last").is_empty(),
        "LAST_PID is ExecStartPre='s"
    );
    assert_ne!(read("start-last"), start);
    assert_eq!(read("post"), format!("{start} {start}"));
}

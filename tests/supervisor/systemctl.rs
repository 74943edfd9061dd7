//! The systemctl face against a running supervisor: `runr systemctl ...`
//! and a `systemctl` symlink, with RUNR_SOCKET and RUNR_UNIT_PATH pointing
//! at the pod. Exit codes and messages are systemctl 252's (the golden
//! cases under golden/systemctl show the same words).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::harness::{Pod, Supervisor};

struct Run {
    stdout: String,
    stderr: String,
    rc: i32,
}

fn systemctl_at(program: &Path, pod: &Pod, args: &[&str]) -> Run {
    let mut cmd = Command::new(program);
    if program.file_name().is_some_and(|n| n == "runr") {
        cmd.arg("systemctl");
    }
    let out = cmd
        .args(args)
        .env("RUNR_SOCKET", pod.socket())
        .env("RUNR_UNIT_PATH", pod.dir())
        .env("RUNR_DIALECT", "systemd")
        .env("LANG", "C.UTF-8")
        .env_remove("SYSTEMD_OFFLINE")
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        rc: out.status.code().unwrap_or(-1),
    }
}

fn systemctl(pod: &Pod, args: &[&str]) -> Run {
    systemctl_at(Path::new(env!("CARGO_BIN_EXE_runr")), pod, args)
}

const UNITS: &[(&str, &str)] = &[
    (
        "web.service",
        "[Unit]\nDescription=Web server\n[Service]\nExecStart=/bin/sleep 60\n[Install]\nWantedBy=multi-user.target\n",
    ),
    (
        "badonce.service",
        "[Unit]\nDescription=Oneshot that fails\n[Service]\nType=oneshot\nExecStart=/bin/false\n",
    ),
    (
        "once.service",
        "[Unit]\nDescription=Oneshot\n[Service]\nType=oneshot\nExecStart=/bin/true\n",
    ),
];

fn pod_with_units() -> (Pod, Supervisor) {
    let pod = Pod::new(UNITS);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    (pod, sup)
}

#[test]
fn start_is_active_stop_with_systemctls_exit_codes() {
    let (pod, _sup) = pod_with_units();
    let r = systemctl(&pod, &["is-active", "web"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("inactive\n", 3));
    let r = systemctl(&pod, &["start", "web.service"]);
    assert_eq!((r.rc, r.stderr.as_str()), (0, ""));
    let r = systemctl(&pod, &["is-active", "web.service", "nosuch.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("active\ninactive\n", 0));
    let r = systemctl(&pod, &["is-active", "-q", "web.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("", 0));
    // Starting what runs already is a success.
    assert_eq!(systemctl(&pod, &["start", "web"]).rc, 0);
    let r = systemctl(&pod, &["stop", "web"]);
    assert_eq!(r.rc, 0, "{}", r.stderr);
    let r = systemctl(&pod, &["is-failed", "web"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("inactive\n", 1));
}

#[test]
fn a_failing_oneshot_points_to_status_and_journalctl() {
    let (pod, _sup) = pod_with_units();
    let r = systemctl(&pod, &["start", "badonce.service"]);
    assert_eq!(r.rc, 1);
    assert_eq!(
        r.stderr,
        "Job for badonce.service failed because the control process exited with error code.\nSee \"systemctl status badonce.service\" and \"journalctl -xeu badonce.service\" for details.\n"
    );
    let r = systemctl(&pod, &["is-failed", "badonce.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("failed\n", 0));
    assert_eq!(
        systemctl(&pod, &["-q", "restart", "badonce.service"]).stderr,
        ""
    );
    let r = systemctl(&pod, &["reset-failed", "badonce.service"]);
    assert_eq!(r.rc, 0, "{}", r.stderr);
    let r = systemctl(&pod, &["is-failed", "badonce.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("inactive\n", 1));
    let r = systemctl(&pod, &["--no-block", "start", "badonce.service"]);
    assert_eq!((r.rc, r.stderr.as_str()), (0, ""));
    let r = systemctl(&pod, &["start", "once.service"]);
    assert_eq!((r.rc, r.stderr.as_str()), (0, ""));
}

#[test]
fn missing_units_answer_with_systemctls_codes() {
    let (pod, _sup) = pod_with_units();
    let r = systemctl(&pod, &["start", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            5,
            "Failed to start nosuch.service: Unit nosuch.service not found.\n"
        )
    );
    let r = systemctl(&pod, &["stop", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            5,
            "Failed to stop nosuch.service: Unit nosuch.service not loaded.\n"
        )
    );
    let r = systemctl(&pod, &["status", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (4, "Unit nosuch.service could not be found.\n")
    );
    let r = systemctl(&pod, &["cat", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (1, "No files found for nosuch.service.\n")
    );
    let r = systemctl(&pod, &["is-enabled", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            1,
            "Failed to get unit file state for nosuch.service: No such file or directory\n"
        )
    );
    let r = systemctl(&pod, &["kill", "nosuch.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            1,
            "Failed to kill unit nosuch.service: Unit nosuch.service not loaded.\n"
        )
    );
    let r = systemctl(&pod, &["start", ""]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            1,
            "Failed to mangle name: Invalid argument\nFailed to expand names: Invalid argument\n"
        )
    );
}

#[test]
fn enable_mask_and_is_enabled_on_the_pods_files() {
    let (pod, _sup) = pod_with_units();
    let dir = pod.dir().display().to_string();
    let r = systemctl(&pod, &["is-enabled", "web.service", "once.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("disabled\nstatic\n", 0));
    let r = systemctl(&pod, &["enable", "web.service"]);
    assert_eq!(
        r.stderr,
        format!(
            "Created symlink {dir}/multi-user.target.wants/web.service \u{2192} {dir}/web.service.\n"
        )
    );
    let r = systemctl(&pod, &["is-enabled", "web.service", "-l"]);
    assert_eq!(
        r.stdout,
        format!("enabled\n  {dir}/multi-user.target.wants/web.service\n")
    );
    let r = systemctl(&pod, &["mask", "once.service"]);
    assert_eq!(r.rc, 1, "a real file is in the way: {}", r.stderr);
    let r = systemctl(&pod, &["mask", "ghost.service"]);
    assert_eq!(
        r.stderr,
        format!(
            "Unit ghost.service does not exist, proceeding anyway.\nCreated symlink {dir}/ghost.service \u{2192} /dev/null.\n"
        )
    );
    let r = systemctl(&pod, &["start", "ghost.service"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (
            1,
            "Failed to start ghost.service: Unit ghost.service is masked.\n"
        )
    );
    let r = systemctl(&pod, &["disable", "--now", "web.service"]);
    assert_eq!(r.rc, 0, "{}", r.stderr);
    assert_eq!(systemctl(&pod, &["is-enabled", "web.service"]).rc, 1);
}

#[test]
fn show_cat_list_units_and_is_system_running() {
    let (pod, _sup) = pod_with_units();
    assert_eq!(systemctl(&pod, &["start", "web"]).rc, 0);
    let r = systemctl(
        &pod,
        &["show", "web.service", "-p", "ActiveState", "--value"],
    );
    assert_eq!((r.stdout.as_str(), r.rc), ("active\n", 0));
    let r = systemctl(&pod, &["show", "nosuch.service", "-p", "LoadState"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("LoadState=not-found\n", 0));
    let r = systemctl(&pod, &["cat", "web"]);
    assert_eq!(
        r.stdout,
        format!("# {}/web.service\n{}", pod.dir().display(), UNITS[0].1)
    );
    // What Ansible's service_facts parses: no bullet, four fields or more.
    let r = systemctl(
        &pod,
        &[
            "list-units",
            "--no-pager",
            "--type",
            "service",
            "--all",
            "--plain",
        ],
    );
    let web = r
        .stdout
        .lines()
        .find(|l| l.starts_with("web.service"))
        .unwrap();
    let fields: Vec<&str> = web.split_whitespace().collect();
    assert_eq!(
        &fields[..4],
        &["web.service", "loaded", "active", "running"]
    );
    assert!(!r.stdout.contains('\u{25cf}'));
    let r = systemctl(&pod, &["is-system-running"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("running\n", 0));
    let r = systemctl(
        &pod,
        &["show", "-p", "DefaultTimeoutStopUSec,SystemState,Version"],
    );
    assert_eq!(
        r.stdout,
        "Version=252\nSystemState=running\nDefaultTimeoutStopUSec=1min 30s\n"
    );
    assert_eq!(systemctl(&pod, &["daemon-reload"]).rc, 0);
    let r = systemctl(&pod, &["kill", "-s", "CONT", "web"]);
    assert_eq!((r.rc, r.stderr.as_str()), (0, ""));
}

#[test]
fn without_a_daemon_the_manager_verbs_say_so() {
    let pod = Pod::new(UNITS);
    for args in [
        &["is-active", "web"][..],
        &["start", "web"],
        &["status"],
        &["list-units"],
    ] {
        let r = systemctl(&pod, args);
        assert_eq!(
            (r.rc, r.stderr.as_str()),
            (
                1,
                "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n"
            ),
            "{args:?}"
        );
    }
    let r = systemctl(&pod, &["is-system-running"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("offline\n", 1));
    // cat reads the files without a manager.
    let r = systemctl(&pod, &["cat", "once"]);
    assert_eq!(r.rc, 0);
    assert!(r.stdout.ends_with(UNITS[2].1), "{}", r.stdout);
}

#[test]
fn a_systemctl_symlink_reaches_the_same_face() {
    let (pod, _sup) = pod_with_units();
    let bin = tempfile::tempdir().unwrap();
    let link: PathBuf = bin.path().join("systemctl");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_runr"), &link).unwrap();
    let r = systemctl_at(&link, &pod, &["is-enabled", "once.service"]);
    assert_eq!((r.stdout.as_str(), r.rc), ("static\n", 0));
    let r = systemctl_at(&link, &pod, &["--version"]);
    assert!(r.stdout.starts_with("systemd 252 "), "{}", r.stdout);
    let r = systemctl_at(&link, &pod, &["bogus-verb"]);
    assert_eq!(
        (r.rc, r.stderr.as_str()),
        (1, "Unknown command verb bogus-verb.\n")
    );
}

#[test]
fn the_daemon_enables_with_the_same_library() {
    let (pod, _sup) = pod_with_units();
    let client = runr::control::client::Client::unix(pod.socket());
    let accepted = client.enable_unit("web", true).unwrap();
    let done = client
        .action(accepted.action_id, Some(std::time::Duration::from_secs(10)))
        .unwrap();
    assert_eq!(done.result.as_deref(), Some("done"), "{done:?}");
    assert!(
        pod.dir()
            .join("multi-user.target.wants/web.service")
            .is_symlink()
    );
    let r = systemctl(&pod, &["is-active", "web"]);
    assert_eq!(r.stdout, "active\n");
    let e = client.enable_unit("nosuch", false).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Failed to enable unit: Unit file nosuch.service does not exist."
    );
    client.disable_unit("web", true).unwrap();
    assert!(
        !pod.dir()
            .join("multi-user.target.wants/web.service")
            .exists()
    );
}

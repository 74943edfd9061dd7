//! `runr supervisor DIR` run as an ordinary process on unit files in a
//! temporary directory; what it does is read from its output and from the
//! files its services write.

mod api;
mod background;
mod cgroup;
mod cli;
#[path = "../common/normalise.rs"]
mod common_normalise;
mod conditions;
mod dependencies;
mod dialect;
mod directories;
mod forking;
mod harness;
mod limits;
mod notify;
mod pid1;
mod privileges;
#[path = "../common/supervisor_process.rs"]
mod supervisor_process;
mod systemctl;
mod systemd_run;
mod sysv;
mod timers;

use harness::Pod;

#[test]
fn restart_on_failure_until_the_start_limit() {
    let pod = Pod::new(&[(
        "crash.service",
        "[Unit]\nDescription=Crasher\nStartLimitBurst=3\n[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'exit 3'\nRestart=on-failure\nRestartSec=50ms\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("crash.service: Scheduled restart job, restart counter is at 1.");
    sup.wait_for("crash.service: Scheduled restart job, restart counter is at 2.");
    sup.wait_for("crash.service: Start request repeated too quickly.");
    sup.wait_for("Failed to start crash.service - Crasher.");
    let out = sup.stop();
    // As systemd 252: the refused start keeps the last run's result.
    let after_refusal = out
        .split("crash.service: Start request repeated too quickly.")
        .nth(1)
        .and_then(|rest| rest.lines().nth(1))
        .unwrap_or_default();
    assert!(
        after_refusal.ends_with("crash.service: Failed with result 'exit-code'."),
        "{out}"
    );
    assert!(
        out.contains("crash.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED"),
        "{out}"
    );
    // Three starts are allowed; the fourth (the third restart) is refused.
    assert!(out.contains("restart counter is at 3."), "{out}");
    assert!(!out.contains("restart counter is at 4"), "{out}");
}

#[test]
fn after_orders_starts_and_reverses_stops() {
    let pod = Pod::new(&[
        (
            "a.service",
            "[Unit]\nDescription=First\n[Service]\nAutostart=yes\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sleep 0.3\n",
        ),
        (
            "b.service",
            "[Unit]\nDescription=Second\nAfter=a.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started b.service - Second.");
    let out = sup.stop();
    let position = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in {out}"))
    };
    // b is up as soon as it is forked: systemd says "Started" alone.
    assert!(
        position("Finished a.service - First.") < position("Started b.service - Second."),
        "{out}"
    );
    // a has nothing left to stop: its stop begins and ends at once, with
    // no "Stopping" (as systemd); the first trace of it is its deactivation.
    assert!(
        position("Stopped b.service - Second.") < position("a.service: Deactivated successfully."),
        "{out}"
    );
    assert!(!out.contains("Stopping a.service"), "{out}");
}

#[test]
fn environment_working_directory_and_umask_reach_the_service() {
    let pod = Pod::new(&[]);
    let dir = pod.dir();
    std::fs::write(
        dir.join("env"),
        "# comment\nFROM_FILE=file value\nOVERRIDE=from file\n",
    )
    .unwrap();
    pod.add(
        "env.service",
        &format!(
            "[Service]\nAutostart=yes\nType=oneshot\nEnvironment=\"GREETING=hello world\" OVERRIDE=inline\nEnvironmentFile={d}/env\nEnvironmentFile=-{d}/missing\nWorkingDirectory={d}\nUMask=0027\nExecStart=/bin/sh -c 'echo \"$GREETING|$FROM_FILE|$OVERRIDE|$(pwd)|$(umask)|$PATH\" > out'\nExecStartPost=/bin/touch done\n",
            d = dir.display()
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Finished env.service.");
    sup.stop();
    let out = std::fs::read_to_string(dir.join("out")).unwrap();
    assert_eq!(
        out.trim_end(),
        format!(
            "hello world|file value|from file|{}|0027|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            dir.display()
        )
    );
    assert!(dir.join("done").exists());
}

#[test]
fn sigterm_to_the_supervisor_stops_services_and_runs_their_stop_commands() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "db.service",
        &format!(
            "[Unit]\nDescription=Database\n[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'trap \"echo got-term > {d}/term; exit 0\" TERM; echo ready; while :; do sleep 0.1; done'\nExecStop=/bin/sh -c 'echo $MAINPID > {d}/mainpid'\nExecStopPost=/bin/sh -c 'echo $SERVICE_RESULT > {d}/result'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("sh[");
    let main_pid = sup
        .output()
        .split("sh[")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap()
        .to_string();
    let out = sup.stop();
    assert!(out.contains("Stopped db.service - Database."), "{out}");
    let read = |f: &str| {
        std::fs::read_to_string(pod.dir().join(f))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(read("mainpid"), main_pid);
    assert_eq!(read("term"), "got-term");
    assert_eq!(read("result"), "success");
}

#[test]
fn a_service_ignoring_sigterm_is_killed_after_timeout_stop_sec() {
    let pod = Pod::new(&[(
        "stubborn.service",
        "[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'trap \"\" TERM; echo up; while :; do sleep 0.1; done'\nTimeoutStopSec=300ms\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("sh[");
    let out = sup.stop();
    assert!(
        out.contains("stubborn.service: State 'stop-sigterm' timed out. Killing."),
        "{out}"
    );
    assert!(
        out.contains("stubborn.service: Failed with result 'timeout'."),
        "{out}"
    );
}

#[test]
fn forking_service_is_tracked_through_its_pid_file() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "daemon.service",
        &format!(
            "[Unit]\nDescription=Forking daemon\n[Service]\nAutostart=yes\nType=forking\nPIDFile={d}/daemon.pid\nExecStart=/bin/sh -c 'sleep 60 & echo $! > {d}/daemon.pid'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Started daemon.service - Forking daemon.");
    let pid: i32 = std::fs::read_to_string(pod.dir().join("daemon.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(harness::alive(pid));
    let out = sup.stop();
    assert!(
        out.contains("Stopped daemon.service - Forking daemon."),
        "{out}"
    );
    assert!(!harness::alive(pid), "the daemon outlived its stop");
}

#[test]
fn a_missing_program_fails_with_exec_status_and_neighbours_run_on() {
    let pod = Pod::new(&[
        (
            "broken.service",
            "[Service]\nAutostart=yes\nExecStart=/nonexistent/program\n",
        ),
        (
            "bad.service",
            "[Service]\nAutostart=yes\nType=sometimes\nFoo=bar\n",
        ),
        (
            "good.service",
            "[Unit]\nDescription=Good neighbour\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started good.service - Good neighbour.");
    sup.wait_for("broken.service: Main process exited, code=exited, status=203/EXEC");
    let out = sup.stop();
    assert!(
        out.contains("bad.service:4: Unknown key 'Foo' in section [Service], ignoring."),
        "{out}"
    );
    assert!(
        out.contains("bad.service:3: Failed to parse service type, ignoring: sometimes"),
        "{out}"
    );
    assert!(
        out.contains("Stopped good.service - Good neighbour."),
        "{out}"
    );
}

#[test]
fn orphans_of_a_service_are_reaped() {
    let pod = Pod::new(&[(
        "spawner.service",
        "[Service]\nAutostart=yes\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c '(sleep 0.2 &) ; echo spawned'\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Finished spawner.service.");
    std::thread::sleep(std::time::Duration::from_millis(600));
    let zombies = harness::zombie_children(sup.pid());
    sup.stop();
    assert!(zombies.is_empty(), "unreaped children: {zombies:?}");
}

#[test]
fn an_enabled_template_instance_starts_with_its_specifiers_resolved() {
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    pod.add(
        "cluster@.service",
        &format!(
            "[Unit]\nDescription=Cluster %i\n[Service]\nType=forking\nPIDFile={d}/%i.pid\nExecStart=/bin/sh -c 'sleep 60 & echo $! > {d}/%i.pid'\n[Install]\nWantedBy=multi-user.target\n"
        ),
    );
    // What `systemctl enable cluster@15-main` leaves behind.
    let wants = pod.dir().join("multi-user.target.wants");
    std::fs::create_dir(&wants).unwrap();
    std::os::unix::fs::symlink("../cluster@.service", wants.join("cluster@15-main.service"))
        .unwrap();
    let mut sup = pod.start();
    sup.wait_for("Started cluster@15-main.service - Cluster 15-main.");
    assert!(pod.dir().join("15-main.pid").exists());
    let out = sup.stop();
    assert!(
        out.contains("Stopped cluster@15-main.service - Cluster 15-main."),
        "{out}"
    );
}

#[test]
fn a_forking_daemon_without_pid_file_lives_as_long_as_its_process_group() {
    let pod = Pod::new(&[(
        "guess.service",
        "[Unit]\nDescription=Guessed daemon\n[Service]\nAutostart=yes\nType=forking\nExecStart=/bin/sh -c 'sleep 1 & exit 0'\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Started guess.service - Guessed daemon.");
    let client = runr::control::client::Client::unix(pod.socket());
    let unit = client.unit("guess").unwrap();
    assert_eq!(
        unit.sub_state, "running",
        "alive while its daemon lives: {unit:?}"
    );
    // The daemon (`sleep 1`) ends: the group is empty, the service is done.
    sup.wait_for("guess.service: Deactivated successfully.");
    let out = sup.stop();
    assert!(!out.contains("guess.service: Failed"), "{out}");
}

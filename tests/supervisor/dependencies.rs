//! Dependencies between units, as systemd.unit(5) defines them.

use std::time::Duration;

use runr::control::client::Client;
use runr::control::types::{StartOptions, StopOptions};
use runr::engine::state::ActiveState;

use super::harness::Pod;

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

fn start(client: &Client, name: &str) -> String {
    let accepted = client
        .start_service(name, &StartOptions::default())
        .unwrap();
    let status = client.action(accepted.action_id, WAIT).unwrap();
    status
        .result
        .clone()
        .unwrap_or_else(|| format!("{status:?}"))
}

fn state(client: &Client, name: &str) -> ActiveState {
    client.unit(name).unwrap().active_state
}

/// A stop that runs beside the job a client waited for may still be under
/// way: wait (up to 10 s) for the unit to settle in `want`.
fn settles_in(client: &Client, name: &str, want: ActiveState) -> ActiveState {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = state(client, name);
        if now == want || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn binds_to_stops_the_bound_unit_when_its_peer_dies() {
    let pod = Pod::new(&[
        (
            "db.service",
            "[Unit]\nDescription=Database\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "agent.service",
            "[Unit]\nDescription=Agent\nBindsTo=db.service\nAfter=db.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started agent.service - Agent.");
    let client = Client::unix(pod.socket());
    let db_pid = client
        .service_statuses()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "db.service")
        .unwrap()
        .pid
        .unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(db_pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    sup.wait_for("Stopped agent.service - Agent.");
    assert_eq!(
        settles_in(&client, "db", ActiveState::Failed),
        ActiveState::Failed
    );
    assert_eq!(state(&client, "agent"), ActiveState::Inactive);
    sup.stop();
}

#[test]
fn part_of_follows_stops_and_restarts() {
    let pod = Pod::new(&[
        (
            "app.service",
            "[Unit]\nDescription=App\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "helper.service",
            "[Unit]\nDescription=Helper\nPartOf=app.service\nAfter=app.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started helper.service - Helper.");
    let client = Client::unix(pod.socket());
    let pid_of = |name: &str| {
        client
            .service_statuses()
            .unwrap()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap()
            .pid
    };
    let helper_pid = pid_of("helper.service");
    let accepted = client
        .restart_service("app", &StopOptions::default())
        .unwrap();
    assert_eq!(
        client
            .action(accepted.action_id, WAIT)
            .unwrap()
            .result
            .as_deref(),
        Some("done")
    );
    assert_eq!(state(&client, "helper"), ActiveState::Active);
    assert_ne!(
        pid_of("helper.service"),
        helper_pid,
        "restarting app restarts what is part of it"
    );
    let accepted = client.stop_service("app", &StopOptions::default()).unwrap();
    client.action(accepted.action_id, WAIT).unwrap();
    assert_eq!(
        settles_in(&client, "helper", ActiveState::Inactive),
        ActiveState::Inactive
    );
    sup.stop();
}

#[test]
fn conflicts_stops_the_other_unit() {
    let pod = Pod::new(&[
        (
            "blue.service",
            "[Unit]\nDescription=Blue\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "green.service",
            "[Unit]\nDescription=Green\nConflicts=blue.service\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Started blue.service - Blue.");
    let client = Client::unix(pod.socket());
    assert_eq!(start(&client, "green"), "done");
    assert_eq!(
        settles_in(&client, "blue", ActiveState::Inactive),
        ActiveState::Inactive
    );
    assert_eq!(state(&client, "green"), ActiveState::Active);
    sup.stop();
}

#[test]
fn requisite_fails_when_the_unit_is_not_already_active() {
    let pod = Pod::new(&[
        (
            "base.service",
            "[Unit]\nDescription=Base\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
        (
            "top.service",
            "[Unit]\nDescription=Top\nRequisite=base.service\nAfter=base.service\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let client = Client::unix(pod.socket());
    assert_eq!(start(&client, "top"), "dependency");
    assert_eq!(
        state(&client, "base"),
        ActiveState::Inactive,
        "Requisite= does not start the unit"
    );
    assert_eq!(start(&client, "base"), "done");
    assert_eq!(start(&client, "top"), "done");
    sup.stop();
}

#[test]
fn an_ordering_cycle_is_broken_by_deleting_a_job() {
    let pod = Pod::new(&[
        (
            "a.service",
            "[Unit]\nDescription=A\nAfter=b.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "b.service",
            "[Unit]\nDescription=B\nAfter=a.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("deleted to break ordering cycle starting with");
    sup.wait_for("Started ");
    let out = sup.stop();
    assert!(out.contains("Found ordering cycle on"), "{out}");
}

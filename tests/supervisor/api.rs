//! The control API of a running supervisor, through the real client.

use std::time::Duration;

use runr::control::client::Client;
use runr::control::types::{StartOptions, StopOptions};
use runr::engine::state::ActiveState;

use super::harness::Pod;

const WAIT: Option<Duration> = Some(Duration::from_secs(10));

#[test]
fn start_stop_restart_and_wait_for_the_jobs() {
    let pod = Pod::new(&[
        (
            "db.service",
            "[Unit]\nDescription=Database\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
        (
            "agent.service",
            "[Unit]\nDescription=Agent\nRequires=db.service\nAfter=db.service\n[Service]\nExecStart=/bin/sleep 60\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let client = Client::unix(pod.socket());

    assert_eq!(
        client.unit("db").unwrap().active_state,
        ActiveState::Inactive
    );
    // Starting the agent pulls in the database it requires, first.
    let accepted = client
        .start_service("agent", &StartOptions::default())
        .unwrap();
    let done = client.action(accepted.action_id, WAIT).unwrap();
    assert_eq!(done.result.as_deref(), Some("done"), "{done:?}");
    assert_eq!(
        client.unit("db.service").unwrap().active_state,
        ActiveState::Active
    );
    let agent = client.unit("agent.service").unwrap();
    assert_eq!(
        (agent.active_state, agent.sub_state.as_str()),
        (ActiveState::Active, "running")
    );

    let statuses = client.service_statuses().unwrap();
    let db = statuses.iter().find(|s| s.name == "db.service").unwrap();
    let first_pid = db.pid.expect("a running service has a main PID");

    let accepted = client
        .restart_service("db", &StopOptions::default())
        .unwrap();
    assert_eq!(
        client
            .action(accepted.action_id, WAIT)
            .unwrap()
            .result
            .as_deref(),
        Some("done")
    );
    let db = client
        .service_statuses()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "db.service")
        .unwrap();
    assert_ne!(
        db.pid,
        Some(first_pid),
        "a restart gives a new main process"
    );

    // Stopping the database stops what requires it.
    let accepted = client.stop_service("db", &StopOptions::default()).unwrap();
    assert_eq!(
        client
            .action(accepted.action_id, WAIT)
            .unwrap()
            .result
            .as_deref(),
        Some("done")
    );
    assert_eq!(
        client.unit("agent").unwrap().active_state,
        ActiveState::Inactive
    );
    let out = sup.stop();
    assert!(out.contains("Stopped agent.service - Agent."), "{out}");
}

#[test]
fn a_failing_start_is_reported_as_failed_and_unknown_units_as_404() {
    let pod = Pod::new(&[(
        "bad.service",
        "[Service]\nType=oneshot\nExecStart=/bin/false\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Reached target multi-user.target - Multi-User System.");
    let client = Client::unix(pod.socket());
    let accepted = client
        .start_service("bad", &StartOptions::default())
        .unwrap();
    let done = client.action(accepted.action_id, WAIT).unwrap();
    assert_eq!(done.result.as_deref(), Some("failed"), "{done:?}");
    assert_eq!(
        client.unit("bad").unwrap().active_state,
        ActiveState::Failed
    );
    let missing = client.unit("nope").unwrap_err();
    assert_eq!(missing.status(), Some(404), "{missing}");
    assert!(missing.to_string().contains("nope.service"), "{missing}");
    sup.stop();
}

#[test]
fn readyz_weighs_the_boot_units() {
    let pod = Pod::new(&[
        (
            "up.service",
            "[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
        ),
        (
            "down.service",
            "[Service]\nAutostart=yes\nExecStart=/bin/sh -c 'exit 1'\n",
        ),
    ]);
    let mut sup = pod.start();
    sup.wait_for("down.service: Failed with result 'exit-code'.");
    let client = Client::unix(pod.socket());
    let readiness = client.readyz(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(!readiness.ready, "{readiness:?}");
    let named = client.readyz(&["up.service".to_string()]).unwrap();
    assert!(named.ready, "{named:?}");
    assert!(client.healthz().is_ok());
    sup.stop();
}

#[test]
fn show_lists_systemd_properties_of_running_and_missing_units() {
    use runr::control::types::PropertyQuery;
    let pod = Pod::new(&[(
        "db.service",
        "[Unit]\nDescription=Database\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 60\n",
    )]);
    let sup = pod.start();
    let client = Client::unix(pod.socket());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while client.unit("db").map(|u| u.active_state).ok() != Some(ActiveState::Active)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = client.service_statuses().unwrap()[0].pid.unwrap();
    let all = client
        .unit_properties("db.service", &PropertyQuery::default())
        .unwrap();
    let value = |name: &str| all.iter().find(|p| p.name == name).map(|p| p.value.clone());
    assert_eq!(value("Id").as_deref(), Some("db.service"));
    assert_eq!(value("Description").as_deref(), Some("Database"));
    assert_eq!(value("Type").as_deref(), Some("simple"));
    assert_eq!(value("ActiveState").as_deref(), Some("active"));
    assert_eq!(value("SubState").as_deref(), Some("running"));
    assert_eq!(value("MainPID"), Some(pid.to_string()));
    assert!(
        value("ExecStart")
            .unwrap_or_default()
            .contains("path=/bin/sleep"),
        "{:?}",
        value("ExecStart")
    );
    assert_eq!(value("LoadError"), None, "a loaded unit has no LoadError=");

    let only = PropertyQuery {
        names: vec!["SubState".into(), "Id".into()],
        ..Default::default()
    };
    let picked = client.unit_properties("db.service", &only).unwrap();
    let names: Vec<&str> = picked.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Id", "SubState"],
        "systemd's order, not the order asked"
    );

    let missing = client
        .unit_properties("nope.service", &PropertyQuery::default())
        .unwrap();
    let load = missing
        .iter()
        .find(|p| p.name == "LoadState")
        .map(|p| p.value.as_str());
    assert_eq!(load, Some("not-found"));
    sup.stop();
}

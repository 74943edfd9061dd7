//! Background tasks (`runr background ...` on the daemon side) through the
//! real client: every verb and route, and a task that outlives a crash of
//! the supervisor.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use runr::control::client::{Client, ClientError};
use runr::control::types::{BackgroundRunRequest, BackgroundTask, LogQuery, LogStream, TaskState};

use super::harness::{Pod, Supervisor, alive};

fn started_pod() -> (Pod, Supervisor, Client) {
    let pod = Pod::new(&[]);
    let mut sup = pod.start();
    sup.wait_for("Reached target Multi-User System.");
    let client = Client::unix(pod.socket());
    (pod, sup, client)
}

fn request(command: &[&str]) -> BackgroundRunRequest {
    BackgroundRunRequest {
        command: command.iter().map(|w| w.to_string()).collect(),
        ..BackgroundRunRequest::default()
    }
}

/// Waits (up to 15 s) until the task is in a state `done` accepts.
fn wait_task(client: &Client, id: &str, done: impl Fn(&BackgroundTask) -> bool) -> BackgroundTask {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let task = client.background_status(id).unwrap();
        if done(&task) {
            return task;
        }
        assert!(Instant::now() < deadline, "task never got there: {task:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn api_status(e: ClientError) -> u16 {
    e.status().unwrap_or(0)
}

#[test]
fn run_list_status_and_the_ends_of_tasks() {
    let (pod, sup, client) = started_pod();

    let mut with_env = request(&["/bin/sh", "-c", "test \"$GREETING\" = 'hello there'"]);
    with_env.env = BTreeMap::from([("GREETING".to_string(), "hello there".to_string())]);
    with_env.name = Some("greeting check".into());
    let ok = client.background_run(&with_env).unwrap();
    assert_eq!(ok.id.len(), 36, "{ok:?}");
    assert_eq!(ok.name.as_deref(), Some("greeting check"));
    let ok = wait_task(&client, &ok.id, |t| !t.state.is_running());
    assert_eq!(
        (ok.state, ok.exit_code),
        (TaskState::Succeeded, Some(0)),
        "{ok:?}"
    );
    assert!(ok.finished_at.is_some_and(|f| f >= ok.started_at));

    let failing = client
        .background_run(&request(&["/bin/sh", "-c", "exit 7"]))
        .unwrap();
    let failing = wait_task(&client, &failing.id, |t| !t.state.is_running());
    assert_eq!(
        (failing.state, failing.exit_code),
        (TaskState::Failed, Some(7))
    );

    let missing = client
        .background_run(&request(&["/nonexistent/program"]))
        .unwrap();
    let missing = wait_task(&client, &missing.id, |t| !t.state.is_running());
    assert_eq!(missing.state, TaskState::Failed, "{missing:?}");

    // A prefix of the UUID is enough; the unit is a transient service.
    let long = client
        .background_run(&request(&["/bin/sleep", "30"]))
        .unwrap();
    assert_eq!(long.state, TaskState::Running);
    let pid = long.pid.expect("a running task has a PID") as i32;
    assert!(alive(pid));
    let by_prefix = client.background_status(&long.id[..6]).unwrap();
    assert_eq!(by_prefix.id, long.id);
    let unit = client.unit(&long.unit_name()).unwrap();
    assert_eq!(unit.sub_state, "running");
    assert_eq!(unit.description, "/bin/sleep 30");

    let listed: Vec<String> = client
        .background_list()
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        listed,
        [ok.id.clone(), failing.id, missing.id, long.id.clone()]
    );

    // One JSON file per task, each naming its unit, PID and start time.
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(pod.background_dir().join(format!("{}.json", long.id))).unwrap(),
    )
    .unwrap();
    assert_eq!(record["unit"], long.unit_name());
    assert_eq!(record["pid"], pid);
    assert!(record["start_time"].as_u64().is_some(), "{record}");
    assert_eq!(record["state"], "running");

    // Removing a running task is refused; stopping it ends it with SIGTERM.
    assert_eq!(
        api_status(client.background_remove(&long.id).unwrap_err()),
        409
    );
    client.background_stop(&long.id).unwrap();
    let stopped = wait_task(&client, &long.id, |t| !t.state.is_running());
    assert_eq!(stopped.state, TaskState::Stopped);
    assert_eq!(stopped.signal.as_deref(), Some("SIGTERM"));
    assert!(!alive(pid));
    // The unit is collected once done; the task is still known.
    assert_eq!(api_status(client.unit(&long.unit_name()).unwrap_err()), 404);

    let removed = client.background_remove(&long.id).unwrap();
    assert_eq!(removed.id, long.id);
    assert_eq!(
        api_status(client.background_status(&long.id).unwrap_err()),
        404
    );
    assert!(
        !pod.background_dir()
            .join(format!("{}.json", long.id))
            .exists()
    );
    assert_eq!(
        api_status(client.background_stop("ffffffff").unwrap_err()),
        404
    );
    sup.stop();
}

#[test]
fn stop_sends_sigkill_after_the_kill_timeout() {
    let (pod, sup, client) = started_pod();
    // The task says when it ignores SIGTERM, so the stop cannot come first.
    let ready = pod.dir().join("ignoring-term");
    let script = format!("trap '' TERM; touch {}; sleep 30", ready.display());
    let mut stubborn = request(&["/bin/sh", "-c", &script]);
    stubborn.kill_timeout = Some(1);
    let task = client.background_run(&stubborn).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ready.exists() {
        assert!(Instant::now() < deadline, "the task never got going");
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked = Instant::now();
    let stopping = client.background_stop(&task.id).unwrap();
    assert_eq!(stopping.state, TaskState::Stopping);
    let task = wait_task(&client, &task.id, |t| !t.state.is_running());
    assert_eq!(task.state, TaskState::Stopped);
    assert_eq!(task.signal.as_deref(), Some("SIGKILL"), "{task:?}");
    assert!(asked.elapsed() >= Duration::from_millis(900));
    sup.stop();
}

#[test]
fn an_ambiguous_prefix_is_a_400_that_names_the_candidates() {
    let pod = Pod::new(&[]);
    std::fs::create_dir_all(pod.background_dir()).unwrap();
    for id in [
        "abc11111-0000-4000-8000-000000000001",
        "abc22222-0000-4000-8000-000000000002",
    ] {
        let record = serde_json::json!({
            "id": id,
            "unit": format!("runr-task-{}.service", &id[..8]),
            "command": ["/bin/true"],
            "started_at": "2024-01-15T12:00:00.000000Z",
            "ended_at": "2024-01-15T12:00:01.000000Z",
            "state": "succeeded",
            "exit_code": 0
        });
        std::fs::write(
            pod.background_dir().join(format!("{id}.json")),
            serde_json::to_vec(&record).unwrap(),
        )
        .unwrap();
    }
    let mut sup = pod.start();
    sup.wait_for("Reached target Multi-User System.");
    let client = Client::unix(pod.socket());
    match client.background_status("abc").unwrap_err() {
        ClientError::Api {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert!(message.contains("ambiguous"), "{message}");
            assert!(message.contains("abc11111"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let one = client.background_status("abc2").unwrap();
    assert_eq!((one.state, one.exit_code), (TaskState::Succeeded, Some(0)));
    // The daemon goes on answering.
    assert_eq!(client.background_list().unwrap().len(), 2);
    sup.stop();
}

#[test]
fn a_task_outlives_a_supervisor_crash_and_is_found_again() {
    let pod = Pod::new(&[]);
    let mut first = pod.start();
    first.wait_for("Reached target Multi-User System.");
    let client = Client::unix(pod.socket());
    let survivor = client
        .background_run(&request(&["/bin/sleep", "2"]))
        .unwrap();
    let short = client
        .background_run(&request(&["/bin/sleep", "0.2"]))
        .unwrap();
    let pid = survivor.pid.unwrap() as i32;
    let short_pid = short.pid.unwrap() as i32;

    // A crash: the supervisor dies, its children live on.
    first.kill_hard();
    assert!(alive(pid), "the task died with the supervisor");
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(short_pid) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut second = pod.start();
    second.wait_for("Reached target Multi-User System.");
    let found = client.background_status(&survivor.id).unwrap();
    assert_eq!(
        (found.state, found.pid),
        (TaskState::Running, Some(pid as u32))
    );
    let lost = client.background_status(&short.id).unwrap();
    assert_eq!(lost.state, TaskState::Lost, "{lost:?}");
    // Its exit is seen (through a pidfd), though not how it exited.
    let ended = wait_task(&client, &survivor.id, |t| !t.state.is_running());
    assert_eq!(ended.state, TaskState::Exited);
    assert_eq!(ended.exit_code, None);
    assert!(ended.finished_at.is_some());
    let out = second.stop();
    assert!(out.contains("found running again"), "{out}");
}

#[test]
fn a_found_again_task_can_be_stopped() {
    let pod = Pod::new(&[]);
    let mut first = pod.start();
    first.wait_for("Reached target Multi-User System.");
    let client = Client::unix(pod.socket());
    let task = client
        .background_run(&request(&["/bin/sleep", "30"]))
        .unwrap();
    let pid = task.pid.unwrap() as i32;
    first.kill_hard();
    let mut second = pod.start();
    second.wait_for("Reached target Multi-User System.");
    client.background_stop(&task.id[..8]).unwrap();
    let stopped = wait_task(&client, &task.id, |t| !t.state.is_running());
    assert_eq!(stopped.state, TaskState::Stopped);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(Instant::now() < deadline, "the task survived its stop");
        std::thread::sleep(Duration::from_millis(20));
    }
    second.stop();
}

#[test]
fn a_tasks_output_is_read_through_its_log_route() {
    let (_pod, sup, client) = started_pod();
    let task = client
        .background_run(&request(&[
            "/bin/sh",
            "-c",
            "echo hello from the task; echo oops >&2",
        ]))
        .unwrap();
    wait_task(&client, &task.id, |t| !t.state.is_running());
    let query = LogQuery::task(&task.id[..8]);
    let deadline = Instant::now() + Duration::from_secs(15);
    let messages = loop {
        let entries = client.logs(&query).unwrap();
        let messages: Vec<String> = entries
            .iter()
            .filter(|e| e.stream != LogStream::Supervisor)
            .map(|e| e.message.clone())
            .collect();
        if messages.len() >= 2 || Instant::now() > deadline {
            assert!(
                entries.iter().all(|e| e.unit == task.unit_name()),
                "{entries:?}"
            );
            break messages;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(messages, ["hello from the task", "oops"]);
    assert_eq!(
        api_status(client.logs(&LogQuery::task("ffffffff")).unwrap_err()),
        404
    );
    sup.stop();
}

//! The control API end to end: a real server on a unix socket in a fresh
//! temporary directory (and TCP on 127.0.0.1 where a test needs it), a
//! fake backend that records what it was asked, and the real blocking
//! client.

use std::net::SocketAddr;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::Signal;
use runr::control::auth::BearerToken;
use runr::control::client::{Client, ClientError};
use runr::control::types::*;
use runr::control::{ApiBackend, ApiError, ApiResult, ControlServer, ServerConfig, ServerError};
use runr::engine::state::ActiveState;
use tokio::sync::{Notify, mpsc};

const T0: Timestamp = Timestamp(1_705_320_000_000_000);
const TOKEN: &str = "test-token-7f3a";
/// Generous bound on anything a test waits for; reached only when broken.
const PATIENCE: Duration = Duration::from_secs(10);

/// What the test thread and the backend (on the server thread) share.
#[derive(Clone, Default)]
struct Shared {
    calls: Arc<Mutex<Vec<String>>>,
    follow: Arc<Mutex<Option<mpsc::Sender<LogEntry>>>>,
    finish_action: Arc<Notify>,
}

impl Shared {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    fn take_calls(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

/// A backend with canned answers that writes down every call.
struct FakeBackend {
    shared: Shared,
    events: std_mpsc::Sender<String>,
    next_action: std::cell::Cell<ActionId>,
}

impl FakeBackend {
    fn record(&self, call: String) {
        self.shared.calls.lock().unwrap().push(call);
    }

    fn accepted(&self) -> ActionAccepted {
        let id = self.next_action.get();
        self.next_action.set(id + 1);
        ActionAccepted {
            action_id: id,
            accepted_at: T0,
        }
    }
}

fn summary(name: &str) -> UnitSummary {
    UnitSummary {
        name: name.to_string(),
        description: "Database".into(),
        load_state: "loaded".into(),
        active_state: ActiveState::Active,
        sub_state: "running".into(),
        unit_file_state: Some("enabled".into()),
    }
}

fn entry(message: &str) -> LogEntry {
    LogEntry {
        time: T0,
        unit: "db.service".into(),
        pid: Some(42),
        priority: 6,
        stream: LogStream::Stdout,
        message: message.to_string(),
    }
}

fn task(id: &str, state: TaskState) -> BackgroundTask {
    BackgroundTask {
        id: id.to_string(),
        name: Some("dump".into()),
        command: vec!["pg_dump".into()],
        state,
        pid: Some(77),
        started_at: T0,
        finished_at: None,
        exit_code: None,
        signal: None,
    }
}

fn action_status(id: ActionId, state: ActionState) -> ActionStatus {
    ActionStatus {
        action_id: id,
        unit: "db.service".into(),
        verb: "start".into(),
        state,
        result: (state == ActionState::Finished).then(|| "done".to_string()),
        accepted_at: T0,
        finished_at: (state == ActionState::Finished).then_some(Timestamp(T0.0 + 1)),
        message: None,
    }
}

impl ApiBackend for FakeBackend {
    async fn daemon_info(&self) -> ApiResult<DaemonInfo> {
        self.record("daemon_info".into());
        Ok(DaemonInfo {
            version: "0.1.0".into(),
            pid: 1,
            started_at: T0,
            uptime_usec: 5,
            memory_rss_bytes: 4096,
            cpu_usec: 7,
        })
    }

    async fn manager_properties(&self, query: &PropertyQuery) -> ApiResult<Vec<Property>> {
        self.record(format!(
            "manager_properties {:?} all={}",
            query.names, query.all
        ));
        Ok(vec![Property {
            name: "Version".into(),
            value: "252".into(),
        }])
    }

    async fn daemon_reload(&self, files_only: bool) -> ApiResult<ActionAccepted> {
        self.record(format!("daemon_reload files_only={files_only}"));
        Ok(self.accepted())
    }

    async fn list_units(&self) -> ApiResult<Vec<UnitSummary>> {
        self.record("list_units".into());
        Ok(vec![summary("db.service"), summary("backup.timer")])
    }

    async fn unit(&self, name: &str) -> ApiResult<UnitSummary> {
        self.record(format!("unit {name}"));
        if name == "missing.service" {
            return Err(ApiError::no_such_unit(name));
        }
        Ok(summary(name))
    }

    async fn unit_properties(&self, name: &str, query: &PropertyQuery) -> ApiResult<Vec<Property>> {
        self.record(format!(
            "unit_properties {name} {:?} all={}",
            query.names, query.all
        ));
        Ok(vec![Property {
            name: "ActiveState".into(),
            value: "active".into(),
        }])
    }

    async fn unit_files(&self, name: &str) -> ApiResult<UnitFiles> {
        self.record(format!("unit_files {name}"));
        Ok(UnitFiles {
            name: name.to_string(),
            files: vec![UnitFileText {
                path: "/etc/systemd/system/db.service".into(),
                text: "[Service]\n".into(),
            }],
        })
    }

    async fn unit_file_action(
        &self,
        name: &str,
        action: UnitFileAction,
    ) -> ApiResult<ActionAccepted> {
        self.record(format!("unit_file_action {name} {action:?}"));
        Ok(self.accepted())
    }

    async fn service_statuses(&self) -> ApiResult<Vec<ServiceStatus>> {
        self.record("service_statuses".into());
        Ok(vec![ServiceStatus {
            name: "db.service".into(),
            description: "Database".into(),
            state: ActiveState::Active,
            sub_state: "running".into(),
            result: "success".into(),
            restarts: 2,
            pid: Some(42),
            last_exit_status: None,
            since: Some(T0),
            unit_file_state: Some("enabled".into()),
            status_text: None,
        }])
    }

    async fn service_action(&self, name: &str, action: ServiceAction) -> ApiResult<ActionAccepted> {
        self.record(format!("service_action {name} {action:?}"));
        if name == "busy" {
            return Err(ApiError::conflict("Unit busy.service is already active."));
        }
        Ok(self.accepted())
    }

    async fn timer_statuses(&self) -> ApiResult<Vec<TimerStatus>> {
        self.record("timer_statuses".into());
        Ok(vec![TimerStatus {
            name: "backup.timer".into(),
            description: String::new(),
            state: ActiveState::Active,
            sub_state: "waiting".into(),
            unit: "backup.service".into(),
            next_elapse: Some(Timestamp(T0.0 + 3_600_000_000)),
            last_trigger: None,
            unit_file_state: Some("enabled".into()),
            loaded: true,
        }])
    }

    async fn timer_action(&self, name: &str, action: TimerAction) -> ApiResult<ActionAccepted> {
        self.record(format!("timer_action {name} {action:?}"));
        Ok(self.accepted())
    }

    async fn action_status(&self, id: ActionId) -> ApiResult<ActionStatus> {
        self.record(format!("action_status {id}"));
        if id == 404 {
            return Err(ApiError::not_found("no action 404"));
        }
        Ok(action_status(id, ActionState::Pending))
    }

    async fn action_finished(&self, id: ActionId) -> ApiResult<ActionStatus> {
        self.record(format!("action_finished {id}"));
        let _ = self.events.send(format!("waiting for action {id}"));
        self.shared.finish_action.notified().await;
        Ok(action_status(id, ActionState::Finished))
    }

    async fn logs(&self, query: &LogQuery) -> ApiResult<LogReply> {
        self.record(format!(
            "logs {:?} lines={:?} follow={} since={:?}",
            query.source, query.lines, query.follow, query.since
        ));
        let backlog = vec![entry("first"), entry("second")];
        if !query.follow {
            return Ok(LogReply {
                backlog,
                live: None,
            });
        }
        let (sender, receiver) = mpsc::channel(16);
        *self.shared.follow.lock().unwrap() = Some(sender);
        let _ = self.events.send("follow opened".to_string());
        Ok(LogReply {
            backlog,
            live: Some(receiver),
        })
    }

    async fn background_run(&self, request: BackgroundRunRequest) -> ApiResult<BackgroundTask> {
        self.record(format!(
            "background_run {:?} env={:?} kill_timeout={:?}",
            request.command, request.env, request.kill_timeout
        ));
        Ok(task(
            "0d9f5c3e-8f0e-4a57-9a5b-3f1c2d7e9b10",
            TaskState::Running,
        ))
    }

    async fn background_list(&self) -> ApiResult<Vec<BackgroundTask>> {
        self.record("background_list".into());
        Ok(vec![task("0d9f5c3e", TaskState::Succeeded)])
    }

    async fn background_status(&self, id: &str) -> ApiResult<BackgroundTask> {
        self.record(format!("background_status {id}"));
        Ok(task(id, TaskState::Running))
    }

    async fn background_stop(&self, id: &str) -> ApiResult<BackgroundTask> {
        self.record(format!("background_stop {id}"));
        Ok(task(id, TaskState::Stopping))
    }

    async fn background_remove(&self, id: &str) -> ApiResult<BackgroundTask> {
        self.record(format!("background_remove {id}"));
        if id == "still-running" {
            return Err(ApiError::conflict(
                "background task still-running is still running",
            ));
        }
        Ok(task(id, TaskState::Stopped))
    }

    async fn readiness(&self, units: &[String]) -> ApiResult<Readiness> {
        self.record(format!("readiness {units:?}"));
        let ready = !units.iter().any(|u| u == "slow.service");
        let units = units
            .iter()
            .map(|u| UnitReadiness {
                name: u.clone(),
                state: if u == "slow.service" {
                    ActiveState::Activating
                } else {
                    ActiveState::Active
                },
                ready: u != "slow.service",
            })
            .collect();
        Ok(Readiness { ready, units })
    }

    async fn metrics(&self) -> ApiResult<MetricsSnapshot> {
        self.record("metrics".into());
        Ok(MetricsSnapshot {
            units: vec![UnitMetrics {
                name: "db.service".into(),
                state: ActiveState::Active,
                restarts: 2,
                last_exit_status: Some(0),
                uptime_seconds: Some(12.5),
                log_lines_written: 100,
                log_lines_dropped: 1,
            }],
            pools: vec![],
        })
    }
}

/// A server on its own thread (current-thread runtime plus LocalSet, as
/// the daemon runs it), stopped and joined on drop.
struct TestDaemon {
    dir: tempfile::TempDir,
    socket: PathBuf,
    tcp_api: Option<SocketAddr>,
    probe: Option<SocketAddr>,
    shared: Shared,
    events: std_mpsc::Receiver<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestDaemon {
    fn start() -> TestDaemon {
        Self::start_with(false)
    }

    fn start_with(tcp: bool) -> TestDaemon {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("run/runr.sock");
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
        let config = if tcp {
            ServerConfig::from_flags(
                &socket,
                Some("127.0.0.1:0"),
                Some(&token_file),
                Some("127.0.0.1:0"),
            )
            .unwrap()
        } else {
            ServerConfig::unix(&socket)
        };
        let shared = Shared::default();
        let (events_tx, events) = std_mpsc::channel();
        let (ready_tx, ready_rx) = std_mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let backend_shared = shared.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&runtime, async move {
                let server = ControlServer::bind(&config).unwrap();
                ready_tx
                    .send((server.tcp_api_addr(), server.probe_addr()))
                    .unwrap();
                let backend = Rc::new(FakeBackend {
                    shared: backend_shared,
                    events: events_tx,
                    next_action: std::cell::Cell::new(1),
                });
                tokio::select! {
                    _ = server.serve(backend) => {}
                    _ = stop_rx => {}
                }
            });
        });
        let (tcp_api, probe) = ready_rx.recv_timeout(PATIENCE).expect("the server binds");
        TestDaemon {
            dir,
            socket,
            tcp_api,
            probe,
            shared,
            events,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn client(&self) -> Client {
        Client::unix(&self.socket).with_timeout(PATIENCE)
    }

    fn tcp_client(&self, token: Option<&str>) -> Client {
        let addr = self.tcp_api.expect("started with TCP").to_string();
        Client::tcp(addr, token.map(|t| BearerToken::from_secret(t).unwrap()))
            .with_timeout(PATIENCE)
    }

    fn probe_client(&self) -> Client {
        Client::tcp(
            self.probe.expect("started with a probe port").to_string(),
            None,
        )
        .with_timeout(PATIENCE)
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for TestDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}

fn api_error(result: Result<impl std::fmt::Debug, ClientError>) -> (u16, String) {
    match result {
        Err(ClientError::Api { status, message }) => (status, message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn every_route_is_reached_through_the_client() {
    let daemon = TestDaemon::start();
    let c = daemon.client();

    assert_eq!(c.healthz().unwrap().status, "ok");
    assert!(c.readyz(&["db.service".into()]).unwrap().ready);
    assert!(
        c.metrics()
            .unwrap()
            .contains("runr_unit_restarts_total{unit=\"db.service\"} 2\n")
    );
    assert_eq!(c.daemon_info().unwrap().pid, 1);
    let show = PropertyQuery {
        names: vec!["Version".into(), "Features".into()],
        all: true,
    };
    assert_eq!(c.manager_properties(&show).unwrap()[0].value, "252");
    assert_eq!(
        c.daemon_reload().unwrap(),
        ActionAccepted {
            action_id: 1,
            accepted_at: T0
        }
    );
    assert_eq!(c.reread_unit_files().unwrap().action_id, 2);

    assert_eq!(c.units().unwrap().len(), 2);
    assert_eq!(
        c.unit("getty@tty1.service").unwrap().name,
        "getty@tty1.service"
    );
    let props = PropertyQuery {
        names: vec!["ActiveState".into()],
        all: false,
    };
    assert_eq!(
        c.unit_properties("mnt-a\\x2db.mount", &props).unwrap()[0].name,
        "ActiveState"
    );
    assert_eq!(c.unit_files("db").unwrap().files[0].text, "[Service]\n");
    assert_eq!(c.enable_unit("db", true).unwrap().action_id, 3);
    assert_eq!(c.disable_unit("db", false).unwrap().action_id, 4);

    assert_eq!(c.service_statuses().unwrap()[0].restarts, 2);
    c.start_service("db", &StartOptions { idempotent: true })
        .unwrap();
    c.stop_service(
        "db",
        &StopOptions {
            timeout: Some(30),
            force: true,
        },
    )
    .unwrap();
    c.restart_service("db", &StopOptions::default()).unwrap();
    c.reload_service("db").unwrap();
    c.kill_service(
        "db",
        &KillOptions {
            signal: "HUP".into(),
            whom: KillWhom::Main,
        },
    )
    .unwrap();

    assert_eq!(c.timer_statuses().unwrap()[0].unit, "backup.service");
    c.timer_action("backup.timer", TimerAction::Start).unwrap();
    c.timer_action("backup.timer", TimerAction::Stop).unwrap();
    c.timer_action("backup.timer", TimerAction::Enable { now: true })
        .unwrap();
    c.timer_action("backup.timer", TimerAction::Disable { now: false })
        .unwrap();

    assert_eq!(c.action(7, None).unwrap().state, ActionState::Pending);

    let query = LogQuery {
        lines: Some(20),
        since: Some(T0),
        ..LogQuery::units(vec!["db.service".into(), "a b".into()])
    };
    let lines = c.logs(&query).unwrap();
    assert_eq!(
        lines.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(),
        ["first", "second"]
    );

    let run = BackgroundRunRequest {
        command: vec!["pg_dump".into(), "-f".into(), "/backup/x.sql".into()],
        env: [("PGUSER".to_string(), "postgres".to_string())].into(),
        kill_timeout: Some(5),
        name: Some("dump".into()),
    };
    assert_eq!(c.background_run(&run).unwrap().state, TaskState::Running);
    assert_eq!(c.background_list().unwrap().len(), 1);
    assert_eq!(c.background_status("0d9f").unwrap().id, "0d9f");
    assert_eq!(
        c.logs(&LogQuery {
            lines: Some(3),
            ..LogQuery::task("0d9f")
        })
        .unwrap()
        .len(),
        2
    );
    assert_eq!(
        c.background_stop("0d9f").unwrap().state,
        TaskState::Stopping
    );
    assert_eq!(
        c.background_remove("0d9f").unwrap().state,
        TaskState::Stopped
    );

    assert_eq!(
        daemon.shared.calls(),
        [
            "readiness [\"db.service\"]",
            "metrics",
            "daemon_info",
            "manager_properties [\"Version\", \"Features\"] all=true",
            "daemon_reload files_only=false",
            "daemon_reload files_only=true",
            "list_units",
            "unit getty@tty1.service",
            "unit_properties mnt-a\\x2db.mount [\"ActiveState\"] all=false",
            "unit_files db",
            "unit_file_action db Enable { now: true }",
            "unit_file_action db Disable { now: false }",
            "service_statuses",
            "service_action db Start(StartOptions { idempotent: true })",
            "service_action db Stop(StopOptions { timeout: Some(30), force: true })",
            "service_action db Restart(StopOptions { timeout: None, force: false })",
            "service_action db Reload",
            "service_action db Kill { signal: SIGHUP, whom: Main }",
            "timer_statuses",
            "timer_action backup.timer Start",
            "timer_action backup.timer Stop",
            "timer_action backup.timer Enable { now: true }",
            "timer_action backup.timer Disable { now: false }",
            "action_status 7",
            "logs Units([\"db.service\", \"a b\"]) lines=Some(20) follow=false since=Some(Timestamp(1705320000000000))",
            "background_run [\"pg_dump\", \"-f\", \"/backup/x.sql\"] env={\"PGUSER\": \"postgres\"} kill_timeout=Some(5)",
            "background_list",
            "background_status 0d9f",
            "logs Task(\"0d9f\") lines=Some(3) follow=false since=None",
            "background_stop 0d9f",
            "background_remove 0d9f",
        ]
    );
}

#[test]
fn the_socket_is_0600_from_the_start_and_goes_with_the_server() {
    let mut daemon = TestDaemon::start();
    let meta = std::fs::symlink_metadata(&daemon.socket).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let parent: Vec<_> = std::fs::read_dir(daemon.socket.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        parent,
        ["runr.sock"],
        "no staging directory is left beside the socket"
    );
    daemon.stop();
    assert!(
        !daemon.socket.exists(),
        "the socket file is removed when the server stops"
    );
    let e = daemon.client().healthz().unwrap_err();
    assert!(e.is_unreachable(), "{e:?}");
}

#[test]
fn a_second_server_on_a_live_socket_is_refused_and_a_stale_one_replaced() {
    let daemon = TestDaemon::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = runtime.enter();
    let e = ControlServer::bind(&ServerConfig::unix(&daemon.socket))
        .err()
        .expect("refused");
    assert!(matches!(e, ServerError::SocketInUse { .. }), "{e}");
    assert_eq!(
        daemon.client().healthz().unwrap().status,
        "ok",
        "the first server carries on"
    );

    let stale = daemon.dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let server = ControlServer::bind(&ServerConfig::unix(&stale)).unwrap();
    assert_eq!(
        std::fs::metadata(&stale).unwrap().permissions().mode() & 0o777,
        0o600
    );
    drop(server);
}

#[test]
fn unknown_paths_are_404_and_wrong_methods_405() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    let r = c.exchange("GET", "/api/v1/nothing", None).unwrap();
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.text(),
        "{\"error\":\"no such API path '/api/v1/nothing'\"}\n"
    );

    let r = c
        .exchange("GET", "/api/v1/services/db/start", None)
        .unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(
        r.text(),
        "{\"error\":\"GET is not allowed on /api/v1/services/db/start: use POST\"}\n"
    );

    let r = c
        .exchange("PUT", "/api/v1/background/abc", Some(b"{}"))
        .unwrap();
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, DELETE")));
    assert!(
        daemon.shared.calls().is_empty(),
        "nothing reached the backend"
    );
}

#[test]
fn backend_errors_reach_the_client_as_one_line() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    assert_eq!(
        api_error(c.unit("missing.service")),
        (404, "Unit missing.service not found.".to_string())
    );
    assert_eq!(
        api_error(c.start_service("busy", &StartOptions::default())),
        (409, "Unit busy.service is already active.".to_string())
    );
    assert_eq!(api_error(c.background_remove("still-running")).0, 409);
    assert_eq!(api_error(c.action(404, None)).0, 404);
}

#[test]
fn malformed_requests_get_400_with_a_message_and_the_daemon_goes_on() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    let cases: &[(&str, &str, &[u8], &str)] = &[
        (
            "POST",
            "/api/v1/services/db/stop",
            b"{\"timeout\":",
            "invalid body for POST /api/v1/services/{name}/stop: EOF while parsing a value at line 1 column 11",
        ),
        (
            "POST",
            "/api/v1/services/db/stop",
            b"{\"timout\":3}",
            "invalid body for POST /api/v1/services/{name}/stop: unknown field `timout`, expected `timeout` or `force` at line 1 column 9",
        ),
        (
            "POST",
            "/api/v1/services/db/kill",
            b"{\"signal\":\"SIGNOPE\"}",
            "invalid signal 'SIGNOPE'",
        ),
        (
            "POST",
            "/api/v1/services/db/kill",
            b"",
            "invalid body for POST /api/v1/services/{name}/kill: EOF while parsing a value at line 1 column 0",
        ),
        (
            "POST",
            "/api/v1/background",
            b"{\"command\":[]}",
            "background run needs a command: \"command\" is empty",
        ),
        (
            "GET",
            "/api/v1/logs?lines=many",
            b"",
            "invalid value 'many' for query parameter 'lines': expected a number",
        ),
        (
            "GET",
            "/api/v1/logs?lnes=3",
            b"",
            "unknown query parameter 'lnes' for GET /api/v1/logs",
        ),
        (
            "GET",
            "/api/v1/actions/seven",
            b"",
            "invalid action id 'seven': expected a number",
        ),
        (
            "GET",
            "/api/v1/units/%ZZ",
            b"",
            "invalid percent escape in '%ZZ'",
        ),
    ];
    for (method, target, body, message) in cases {
        let r = c.exchange(method, target, Some(body)).unwrap();
        assert_eq!(r.status, 400, "{method} {target}: {}", r.text());
        let error: ErrorBody = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(&error.error, message, "{method} {target}");
    }
    assert!(
        daemon.shared.calls().is_empty(),
        "no malformed request reached the backend"
    );
    assert_eq!(c.healthz().unwrap().status, "ok");
    c.stop_service("db", &StopOptions::default()).unwrap();
}

#[test]
fn an_oversized_body_is_refused() {
    let daemon = TestDaemon::start();
    let body = vec![b' '; (1 << 20) + 1];
    let r = daemon
        .client()
        .exchange("POST", "/api/v1/services/db/start", Some(&body))
        .unwrap();
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(daemon.shared.calls().is_empty());
}

#[test]
fn tcp_without_the_right_token_gets_401_and_changes_nothing() {
    let daemon = TestDaemon::start_with(true);
    for token in [
        None,
        Some("wrong-token"),
        Some("test-token-7f3"),
        Some("test-token-7f3aa"),
    ] {
        let c = daemon.tcp_client(token);
        let r = c
            .exchange(
                "POST",
                "/api/v1/services/db/stop",
                Some(b"{\"force\":true}"),
            )
            .unwrap();
        assert_eq!(r.status, 401, "token {token:?}");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        assert!(r.text().contains("missing or wrong bearer token"));
        assert_eq!(api_error(c.service_statuses()).0, 401);
        // Even a path that does not exist says 401, not 404: nothing is
        // told to a client without the token.
        assert_eq!(c.exchange("GET", "/nothing", None).unwrap().status, 401);
    }
    assert!(
        daemon.shared.calls().is_empty(),
        "the backend was never called: {:?}",
        daemon.shared.calls()
    );

    let c = daemon.tcp_client(Some(TOKEN));
    c.stop_service(
        "db",
        &StopOptions {
            timeout: None,
            force: true,
        },
    )
    .unwrap();
    assert_eq!(
        daemon.shared.take_calls(),
        ["service_action db Stop(StopOptions { timeout: None, force: true })"]
    );
    assert_eq!(c.exchange("GET", "/healthz", None).unwrap().status, 200);
}

#[test]
fn the_probe_port_serves_probes_only_and_without_a_token() {
    let daemon = TestDaemon::start_with(true);
    let c = daemon.probe_client();
    assert_eq!(c.healthz().unwrap().status, "ok");
    let ready = c
        .readyz(&["db.service".into(), "slow.service".into()])
        .unwrap();
    assert!(!ready.ready);
    assert_eq!(ready.units[1].state, ActiveState::Activating);
    let r = c
        .exchange("GET", "/readyz?unit=slow.service", None)
        .unwrap();
    assert_eq!(r.status, 503, "not ready is a 503 for kubelet");
    assert_eq!(c.exchange("GET", "/readyz", None).unwrap().status, 200);
    let calls = daemon.shared.take_calls();
    assert_eq!(calls.len(), 3);

    for (method, target) in [
        ("GET", "/api/v1/units"),
        ("POST", "/api/v1/services/db/stop"),
        ("GET", "/metrics"),
    ] {
        let r = c.exchange(method, target, Some(b"")).unwrap();
        assert_eq!(r.status, 404, "{method} {target}");
    }
    assert!(daemon.shared.calls().is_empty());
}

#[test]
fn metrics_are_prometheus_text() {
    let daemon = TestDaemon::start();
    let r = daemon.client().exchange("GET", "/metrics", None).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = r.text();
    assert!(text.contains("# TYPE runr_unit_state gauge\n"));
    assert!(text.contains("runr_unit_state{unit=\"db.service\",state=\"active\"} 1\n"));
    assert!(text.contains("runr_unit_uptime_seconds{unit=\"db.service\"} 12.5\n"));
    assert!(text.contains("runr_unit_log_lines_dropped_total{unit=\"db.service\"} 1\n"));
}

/// Waits, without polling, until the backend's follow channel has been
/// closed by the server (its receiver dropped).
fn wait_until_follow_closed(shared: &Shared) {
    let sender = shared
        .follow
        .lock()
        .unwrap()
        .clone()
        .expect("a follow is open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime
        .block_on(async { tokio::time::timeout(PATIENCE, sender.closed()).await })
        .expect("the follow ends");
}

#[test]
fn a_follow_streams_chunked_lines_as_they_come() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    let query = LogQuery {
        lines: Some(2),
        ..LogQuery::units(vec!["db.service".into()])
    };
    let mut follow = c.follow_logs(&query).unwrap();
    assert_eq!(follow.next().unwrap().unwrap().message, "first");
    assert_eq!(follow.next().unwrap().unwrap().message, "second");

    let sender = daemon.shared.follow.lock().unwrap().clone().unwrap();
    sender.blocking_send(entry("third")).unwrap();
    assert_eq!(follow.next().unwrap().unwrap().message, "third");
    for i in 0..40 {
        sender.blocking_send(entry(&format!("burst {i}"))).unwrap();
    }
    for i in 0..40 {
        assert_eq!(
            follow.next().unwrap().unwrap().message,
            format!("burst {i}")
        );
    }

    // Other requests are answered while the follow is open.
    assert_eq!(c.daemon_info().unwrap().version, "0.1.0");

    // The backend ends the stream: the client sees the end.
    drop(sender);
    daemon.shared.follow.lock().unwrap().take();
    assert!(follow.next().is_none());
}

#[test]
fn a_follow_is_sent_chunked_on_the_wire() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    let socket = daemon.socket.clone();
    let reader = std::thread::spawn(move || {
        Client::unix(socket).with_timeout(PATIENCE).exchange(
            "GET",
            "/api/v1/logs?unit=db.service&follow=true",
            None,
        )
    });
    // Once the backend has answered, end the stream from its side.
    assert_eq!(
        daemon.events.recv_timeout(PATIENCE).unwrap(),
        "follow opened"
    );
    let sender = daemon.shared.follow.lock().unwrap().take().unwrap();
    sender.blocking_send(entry("live")).unwrap();
    drop(sender);
    let r = reader.join().unwrap().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let messages: Vec<String> = r
        .text()
        .lines()
        .map(|l| serde_json::from_str::<LogEntry>(l).unwrap().message)
        .collect();
    assert_eq!(messages, ["first", "second", "live"]);
    assert_eq!(c.healthz().unwrap().status, "ok");
}

#[test]
fn a_client_leaving_a_follow_releases_it() {
    let daemon = TestDaemon::start();
    let mut follow = daemon
        .client()
        .follow_logs(&LogQuery::units(vec![]))
        .unwrap();
    assert_eq!(follow.next().unwrap().unwrap().message, "first");
    drop(follow);
    // The server notices the hang-up while the unit is silent: a dead
    // follower does not hold its channel until the next line.
    let sender = daemon.shared.follow.lock().unwrap().clone().unwrap();
    drop(sender);
    wait_until_follow_closed(&daemon.shared);
}

#[test]
fn waiting_for_an_action_blocks_one_client_not_the_daemon() {
    let daemon = TestDaemon::start();
    let socket = daemon.socket.clone();
    let waiter =
        std::thread::spawn(move || Client::unix(socket).action(5, Some(Duration::from_secs(60))));
    let event = daemon.events.recv_timeout(PATIENCE).unwrap();
    assert_eq!(event, "waiting for action 5");

    // While that request waits, others are answered.
    let c = daemon.client();
    assert_eq!(c.service_statuses().unwrap().len(), 1);
    assert_eq!(c.action(5, None).unwrap().state, ActionState::Pending);

    daemon.shared.finish_action.notify_one();
    let finished = waiter.join().unwrap().unwrap();
    assert_eq!(finished.state, ActionState::Finished);
    assert_eq!(finished.result.as_deref(), Some("done"));
}

#[test]
fn a_wait_that_runs_out_answers_where_the_action_stands() {
    let daemon = TestDaemon::start();
    let status = daemon
        .client()
        .action(9, Some(Duration::from_millis(20)))
        .unwrap();
    assert_eq!(status.state, ActionState::Pending);
    assert_eq!(
        daemon.shared.calls(),
        ["action_finished 9", "action_status 9"]
    );
}

#[test]
fn concurrent_clients_are_all_answered() {
    let daemon = TestDaemon::start();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let c = daemon.client();
            std::thread::spawn(move || {
                for _ in 0..25 {
                    assert_eq!(
                        c.unit(&format!("u{i}.service")).unwrap().name,
                        format!("u{i}.service")
                    );
                    c.start_service(&format!("u{i}"), &StartOptions::default())
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let calls = daemon.shared.calls();
    assert_eq!(calls.len(), 8 * 25 * 2);
    for i in 0..8 {
        assert_eq!(
            calls
                .iter()
                .filter(|c| c.starts_with(&format!("unit u{i}.service")))
                .count(),
            25
        );
    }
}

#[test]
fn a_missing_daemon_is_reported_as_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let e = Client::unix(dir.path().join("runr.sock"))
        .service_statuses()
        .unwrap_err();
    assert!(e.is_unreachable());
}

/// Round trip of one small GET, client to server and back. Not a test of
/// speed (timings live in benchmarks): run it by hand with
/// `cargo test --test control_api round_trip -- --ignored --nocapture`.
#[test]
#[ignore]
fn round_trip_time_of_a_small_get() {
    let daemon = TestDaemon::start();
    let c = Client::unix(&daemon.socket);
    let mut samples = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let started = std::time::Instant::now();
        c.unit("db.service").unwrap();
        samples.push(started.elapsed());
    }
    samples.sort();
    eprintln!(
        "GET /api/v1/units/db.service: median {:?}, p90 {:?}, p99 {:?}",
        samples[500], samples[900], samples[990]
    );
}

#[test]
fn kill_takes_names_with_or_without_sig_and_numbers() {
    let daemon = TestDaemon::start();
    let c = daemon.client();
    for (given, expected) in [
        ("SIGTERM", Signal::SIGTERM),
        ("USR2", Signal::SIGUSR2),
        ("9", Signal::SIGKILL),
    ] {
        c.kill_service(
            "db",
            &KillOptions {
                signal: given.into(),
                whom: KillWhom::All,
            },
        )
        .unwrap();
        assert_eq!(
            daemon.shared.take_calls(),
            [format!(
                "service_action db Kill {{ signal: {expected:?}, whom: All }}"
            )]
        );
    }
}

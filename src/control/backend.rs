//! What the control API needs from the daemon: the `ApiBackend` trait the
//! engine implements, and the error a backend answers with.

use thiserror::Error;

use super::types::*;

/// The kind of an API error, which decides its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: a malformed body, query or argument.
    BadRequest,
    /// 401: the TCP API without the right bearer token.
    Unauthorized,
    /// 404: no such unit, action, task or route.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: the request clashes with the unit's state (already running, still running ...).
    Conflict,
    /// 413: a request body over the limit.
    PayloadTooLarge,
    /// 500: the daemon failed.
    Internal,
    /// 503: not ready (readyz), or shutting down.
    Unavailable,
}

impl ErrorKind {
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::Conflict => 409,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }
}

/// An error answered as `{"error": message}` with the kind's status. The
/// message is one line that names the unit or argument at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// The usual "no such unit" error, worded as systemctl words it.
    pub fn no_such_unit(name: &str) -> Self {
        Self::not_found(format!("Unit {name} not found."))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The answer when no shutdown is scheduled, in `shutdown --show`'s words.
pub const NO_SCHEDULED_SHUTDOWN: &str = "No scheduled shutdown.";

/// The daemon as the API sees it. The engine implements this; the tests
/// implement it with a recording fake.
///
/// The daemon is single-threaded (a current-thread runtime with a
/// `LocalSet`), so nothing here is `Send`: an implementation may hold
/// `Rc<RefCell<..>>` state, and the server runs each request as a local
/// task. An implementation must not hold a `RefCell` borrow across an
/// `.await`, since other requests run in between.
///
/// Unit names arrive as the client sent them (`db` or `db.service`); the
/// backend completes and checks them, and answers `ApiError::no_such_unit`
/// for one it does not know.
#[allow(async_fn_in_trait)] // Deliberately no Send bound: see above.
pub trait ApiBackend {
    /// `GET /api/v1/daemon/info`.
    async fn daemon_info(&self) -> ApiResult<DaemonInfo>;
    /// `GET /api/v1/daemon/properties`: the manager's properties, as
    /// `systemctl show` without a unit prints them.
    async fn manager_properties(&self, query: &PropertyQuery) -> ApiResult<Vec<Property>>;
    /// `POST /api/v1/units/reload`: daemon-reload; with `files_only`
    /// (`?files_only=true`, what `systemctl enable` asks for) the unit
    /// files are read again and nothing starts or stops.
    async fn daemon_reload(&self, files_only: bool) -> ApiResult<ActionAccepted>;

    /// `POST /api/v1/daemon/shutdown`: stop the pod and end PID 1 now, or
    /// schedule that for `plan.when` (replacing what was scheduled).
    /// Answers the plan as accepted.
    async fn shutdown(&self, plan: ShutdownPlan) -> ApiResult<ShutdownPlan> {
        let _ = plan;
        Err(ApiError::unavailable("shutdown is not supported here"))
    }
    /// `GET /api/v1/daemon/shutdown`: the shutdown scheduled (or under
    /// way after its time came); 404 when there is none.
    async fn scheduled_shutdown(&self) -> ApiResult<ShutdownPlan> {
        Err(ApiError::not_found(NO_SCHEDULED_SHUTDOWN))
    }
    /// `DELETE /api/v1/daemon/shutdown`: cancel the scheduled shutdown;
    /// answers what was cancelled, 404 when nothing was scheduled.
    async fn cancel_shutdown(&self) -> ApiResult<ShutdownPlan> {
        Err(ApiError::not_found(NO_SCHEDULED_SHUTDOWN))
    }

    /// `GET /api/v1/units`: every loaded unit.
    async fn list_units(&self) -> ApiResult<Vec<UnitSummary>>;
    /// `GET /api/v1/units/{name}`: one unit (what `is-active` asks).
    async fn unit(&self, name: &str) -> ApiResult<UnitSummary>;
    /// `GET /api/v1/units/{name}/properties`.
    async fn unit_properties(&self, name: &str, query: &PropertyQuery) -> ApiResult<Vec<Property>>;
    /// `GET /api/v1/units/{name}/files`.
    async fn unit_files(&self, name: &str) -> ApiResult<UnitFiles>;
    /// `POST /api/v1/units/{name}/enable|disable`, and the timers' enable/disable.
    async fn unit_file_action(
        &self,
        name: &str,
        action: UnitFileAction,
    ) -> ApiResult<ActionAccepted>;

    /// `POST /api/v1/units/{name}/reset-failed`: forget a unit's failure
    /// (`systemctl reset-failed`). Backends without the notion refuse.
    async fn reset_failed(&self, name: &str) -> ApiResult<ActionAccepted> {
        Err(ApiError::unavailable(format!(
            "{name}: reset-failed is not supported here"
        )))
    }

    /// `GET /api/v1/services/statuses`.
    async fn service_statuses(&self) -> ApiResult<Vec<ServiceStatus>>;
    /// `POST /api/v1/services/{name}/start|stop|restart|reload|kill`.
    async fn service_action(&self, name: &str, action: ServiceAction) -> ApiResult<ActionAccepted>;

    /// `GET /api/v1/timers/statuses`.
    async fn timer_statuses(&self) -> ApiResult<Vec<TimerStatus>>;
    /// `POST /api/v1/timers/{name}/start|stop|enable|disable`.
    async fn timer_action(&self, name: &str, action: TimerAction) -> ApiResult<ActionAccepted>;

    /// Where an action stands now.
    async fn action_status(&self, id: ActionId) -> ApiResult<ActionStatus>;
    /// Resolves once the action has finished. The server bounds the wait
    /// (`?wait=SECS`) and falls back on `action_status`.
    async fn action_finished(&self, id: ActionId) -> ApiResult<ActionStatus>;

    /// `GET /api/v1/logs` and `GET /api/v1/background/{id}/log`. With
    /// `query.follow`, `LogReply::live` carries the lines still to come.
    async fn logs(&self, query: &LogQuery) -> ApiResult<LogReply>;

    /// `POST /api/v1/background`: start a task; the answer has its UUID.
    async fn background_run(&self, request: BackgroundRunRequest) -> ApiResult<BackgroundTask>;
    /// `GET /api/v1/background`.
    async fn background_list(&self) -> ApiResult<Vec<BackgroundTask>>;
    /// `GET /api/v1/background/{id}`; `id` may be a unique prefix of the UUID.
    async fn background_status(&self, id: &str) -> ApiResult<BackgroundTask>;
    /// `POST /api/v1/background/{id}/stop`: SIGTERM now, SIGKILL after the kill timeout.
    async fn background_stop(&self, id: &str) -> ApiResult<BackgroundTask>;
    /// `DELETE /api/v1/background/{id}`: forget an ended task (409 while it runs).
    async fn background_remove(&self, id: &str) -> ApiResult<BackgroundTask>;

    /// `POST /api/v1/transient`: create and start a transient service (and
    /// timer), as `systemd-run` does.
    async fn transient_start(&self, request: TransientRequest) -> ApiResult<TransientStarted> {
        let _ = request;
        Err(ApiError::unavailable("transient units are not supported"))
    }
    /// `GET /api/v1/transient/{name}/end`: how a transient service ended,
    /// or `ended: false` while it runs. A kept end is forgotten once read.
    async fn transient_end(&self, name: &str) -> ApiResult<TransientEnd> {
        Err(ApiError::not_found(format!("Unit {name} not found.")))
    }
    /// Resolves once the transient service has ended (see `transient_end`).
    async fn transient_ended(&self, name: &str) -> ApiResult<TransientEnd> {
        self.transient_end(name).await
    }

    /// `GET /readyz`: the named units, or every autostarted unit when `units` is empty.
    async fn readiness(&self, units: &[String]) -> ApiResult<Readiness>;
    /// `GET /metrics`: the numbers; the server writes the Prometheus text.
    async fn metrics(&self) -> ApiResult<MetricsSnapshot>;
}

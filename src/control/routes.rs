//! Every route of the control API, defined once: its method, its path
//! pattern, the query parameters it takes, and (in `handle`) what it does.
//! The server matches requests against `ROUTES`; the client builds its
//! paths from the same table (`Endpoint::target`), so the two cannot drift.

use std::time::Duration;

use nix::sys::signal::Signal;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::backend::{ApiBackend, ApiError, ErrorKind};
use super::metrics::format_prometheus;
use super::types::*;
use super::uri::{Query, decode_component, encode_component, query_string};

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        match text {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

/// What a route does; one value per route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Healthz,
    Readyz,
    Metrics,
    DaemonInfo,
    ManagerProperties,
    DaemonReload,
    Shutdown,
    ScheduledShutdown,
    CancelShutdown,
    ListUnits,
    UnitStatus,
    UnitProperties,
    UnitFiles,
    UnitEnable,
    UnitDisable,
    UnitResetFailed,
    ServiceStatuses,
    ServiceStart,
    ServiceStop,
    ServiceRestart,
    ServiceReload,
    ServiceKill,
    TimerStatuses,
    TimerStart,
    TimerStop,
    TimerEnable,
    TimerDisable,
    ActionStatus,
    Logs,
    BackgroundRun,
    BackgroundList,
    BackgroundStatus,
    BackgroundLog,
    BackgroundStop,
    BackgroundRemove,
    TransientStart,
    TransientEnd,
}

/// One route: `{name}`-style segments of the pattern capture one path
/// segment each (percent-decoded), in order.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub pattern: &'static str,
    pub endpoint: Endpoint,
    /// The query parameters it accepts; any other is a 400.
    pub query: &'static [&'static str],
    /// Also served on the plain probe listener (`--probe-listen`), without a token.
    pub probe: bool,
}

const fn route(method: Method, pattern: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        pattern,
        endpoint,
        query: &[],
        probe: false,
    }
}

const fn with_query(
    method: Method,
    pattern: &'static str,
    endpoint: Endpoint,
    query: &'static [&'static str],
) -> Route {
    Route {
        method,
        pattern,
        endpoint,
        query,
        probe: false,
    }
}

const PROPERTY_QUERY: &[&str] = &["property", "all"];
const LOG_QUERY: &[&str] = &["unit", "lines", "follow", "since", "until"];
const TASK_LOG_QUERY: &[&str] = &["lines", "follow", "since", "until"];

use Endpoint as E;
use Method::{Delete, Get, Post};

/// The route table. Bodies and answers are the types of `control::types`;
/// every write answers `ActionAccepted` (`{"action_id", "accepted_at"}`)
/// unless said otherwise; errors are `{"error": "..."}` with 400, 404, 409
/// or 500; an unknown path is 404 and a known path with another method 405.
///
/// | method | path | body → answer |
/// |---|---|---|
/// | GET | `/healthz` | → `Health` (probe listener too) |
/// | GET | `/readyz?unit=A&unit=B` | → `Readiness`, 200 ready / 503 not (probe listener too) |
/// | GET | `/metrics` | → Prometheus text |
/// | GET | `/api/v1/daemon/info` | → `DaemonInfo` |
/// | GET | `/api/v1/daemon/properties?property=P&all=true` | → `[Property]` (`systemctl show`) |
/// | POST | `/api/v1/units/reload` | → `ActionAccepted` (daemon-reload) |
/// | POST | `/api/v1/daemon/shutdown` | `ShutdownPlan` → `ShutdownPlan` (poweroff, reboot, halt, kexec, exit; now or at a time) |
/// | GET | `/api/v1/daemon/shutdown` | → `ShutdownPlan` scheduled, 404 if none |
/// | DELETE | `/api/v1/daemon/shutdown` | → `ShutdownPlan` cancelled, 404 if none |
/// | GET | `/api/v1/units` | → `[UnitSummary]` |
/// | GET | `/api/v1/units/{name}` | → `UnitSummary` |
/// | GET | `/api/v1/units/{name}/properties?property=P&all=true` | → `[Property]` |
/// | GET | `/api/v1/units/{name}/files` | → `UnitFiles` (`systemctl cat`) |
/// | POST | `/api/v1/units/{name}/enable` | `NowOption` → `ActionAccepted` |
/// | POST | `/api/v1/units/{name}/disable` | `NowOption` → `ActionAccepted` |
/// | POST | `/api/v1/units/{name}/reset-failed` | → `ActionAccepted` (`systemctl reset-failed`) |
/// | GET | `/api/v1/services/statuses` | → `[ServiceStatus]` |
/// | POST | `/api/v1/services/{name}/start` | `StartOptions` → `ActionAccepted` |
/// | POST | `/api/v1/services/{name}/stop` | `StopOptions` → `ActionAccepted` |
/// | POST | `/api/v1/services/{name}/restart` | `StopOptions` → `ActionAccepted` |
/// | POST | `/api/v1/services/{name}/reload` | → `ActionAccepted` |
/// | POST | `/api/v1/services/{name}/kill` | `KillOptions` → `ActionAccepted` |
/// | GET | `/api/v1/timers/statuses` | → `[TimerStatus]` |
/// | POST | `/api/v1/timers/{name}/start` | `NowOption` → `ActionAccepted` |
/// | POST | `/api/v1/timers/{name}/stop` | `NowOption` → `ActionAccepted` |
/// | POST | `/api/v1/timers/{name}/enable` | `NowOption` → `ActionAccepted` |
/// | POST | `/api/v1/timers/{name}/disable` | `NowOption` → `ActionAccepted` |
/// | GET | `/api/v1/actions/{id}?wait=SECS` | → `ActionStatus`, after it finished or SECS passed |
/// | GET | `/api/v1/logs?unit=U&lines=N&follow=true&since=T&until=T` | → `[LogEntry]`; with follow, NDJSON streamed chunked |
/// | POST | `/api/v1/background` | `BackgroundRunRequest` → `BackgroundTask` |
/// | GET | `/api/v1/background` | → `[BackgroundTask]` |
/// | GET | `/api/v1/background/{id}` | → `BackgroundTask` (id: UUID or unique prefix) |
/// | GET | `/api/v1/background/{id}/log?lines=N&follow=true` | as `/api/v1/logs` |
/// | POST | `/api/v1/background/{id}/stop` | → `BackgroundTask` (SIGTERM, then SIGKILL) |
/// | DELETE | `/api/v1/background/{id}` | → `BackgroundTask` removed (409 while running) |
/// | POST | `/api/v1/transient` | `TransientRequest` → `TransientStarted` (systemd-run) |
/// | GET | `/api/v1/transient/{name}/end?wait=SECS` | → `TransientEnd`, after it ended or SECS passed |
pub static ROUTES: &[Route] = &[
    Route {
        method: Get,
        pattern: "/healthz",
        endpoint: E::Healthz,
        query: &[],
        probe: true,
    },
    Route {
        method: Get,
        pattern: "/readyz",
        endpoint: E::Readyz,
        query: &["unit"],
        probe: true,
    },
    route(Get, "/metrics", E::Metrics),
    route(Get, "/api/v1/daemon/info", E::DaemonInfo),
    with_query(
        Get,
        "/api/v1/daemon/properties",
        E::ManagerProperties,
        PROPERTY_QUERY,
    ),
    with_query(
        Post,
        "/api/v1/units/reload",
        E::DaemonReload,
        &["files_only"],
    ),
    route(Post, "/api/v1/daemon/shutdown", E::Shutdown),
    route(Get, "/api/v1/daemon/shutdown", E::ScheduledShutdown),
    route(Delete, "/api/v1/daemon/shutdown", E::CancelShutdown),
    route(Get, "/api/v1/units", E::ListUnits),
    route(Get, "/api/v1/units/{name}", E::UnitStatus),
    with_query(
        Get,
        "/api/v1/units/{name}/properties",
        E::UnitProperties,
        PROPERTY_QUERY,
    ),
    route(Get, "/api/v1/units/{name}/files", E::UnitFiles),
    route(Post, "/api/v1/units/{name}/enable", E::UnitEnable),
    route(Post, "/api/v1/units/{name}/disable", E::UnitDisable),
    route(
        Post,
        "/api/v1/units/{name}/reset-failed",
        E::UnitResetFailed,
    ),
    route(Get, "/api/v1/services/statuses", E::ServiceStatuses),
    route(Post, "/api/v1/services/{name}/start", E::ServiceStart),
    route(Post, "/api/v1/services/{name}/stop", E::ServiceStop),
    route(Post, "/api/v1/services/{name}/restart", E::ServiceRestart),
    route(Post, "/api/v1/services/{name}/reload", E::ServiceReload),
    route(Post, "/api/v1/services/{name}/kill", E::ServiceKill),
    route(Get, "/api/v1/timers/statuses", E::TimerStatuses),
    route(Post, "/api/v1/timers/{name}/start", E::TimerStart),
    route(Post, "/api/v1/timers/{name}/stop", E::TimerStop),
    route(Post, "/api/v1/timers/{name}/enable", E::TimerEnable),
    route(Post, "/api/v1/timers/{name}/disable", E::TimerDisable),
    with_query(Get, "/api/v1/actions/{id}", E::ActionStatus, &["wait"]),
    with_query(Get, "/api/v1/logs", E::Logs, LOG_QUERY),
    route(Post, "/api/v1/background", E::BackgroundRun),
    route(Get, "/api/v1/background", E::BackgroundList),
    route(Get, "/api/v1/background/{id}", E::BackgroundStatus),
    with_query(
        Get,
        "/api/v1/background/{id}/log",
        E::BackgroundLog,
        TASK_LOG_QUERY,
    ),
    route(Post, "/api/v1/background/{id}/stop", E::BackgroundStop),
    route(Delete, "/api/v1/background/{id}", E::BackgroundRemove),
    route(Post, "/api/v1/transient", E::TransientStart),
    with_query(
        Get,
        "/api/v1/transient/{name}/end",
        E::TransientEnd,
        &["wait"],
    ),
];

impl Endpoint {
    pub fn route(self) -> &'static Route {
        // Every endpoint has a row (a unit test walks them all); the first
        // row stands in so that this never panics.
        ROUTES
            .iter()
            .find(|r| r.endpoint == self)
            .unwrap_or(&ROUTES[0])
    }

    /// The path and query a client sends: `params` fill the pattern's
    /// `{..}` segments in order, encoded.
    pub fn target(self, params: &[&str], query: &[(&str, String)]) -> String {
        let route = self.route();
        let mut params = params.iter();
        let mut path = String::with_capacity(route.pattern.len() + 32);
        for segment in route.pattern.split('/').skip(1) {
            path.push('/');
            if is_capture(segment) {
                path.push_str(&encode_component(params.next().copied().unwrap_or("")));
            } else {
                path.push_str(segment);
            }
        }
        path.push_str(&query_string(query));
        path
    }
}

fn is_capture(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// The outcome of looking a request up in the table.
#[derive(Debug)]
pub enum RouteMatch {
    Found {
        route: &'static Route,
        params: Vec<String>,
    },
    /// The path is known, with these methods only.
    WrongMethod {
        allowed: Vec<Method>,
    },
    NotFound,
}

/// Finds the route for `method` and `path` (without the query). A method
/// the API never uses (`PUT`) is passed as None.
pub fn match_route(method: Option<Method>, path: &str) -> Result<RouteMatch, ApiError> {
    let mut allowed = Vec::new();
    for route in ROUTES {
        let Some(raw_params) = capture(route.pattern, path) else {
            continue;
        };
        if Some(route.method) != method {
            allowed.push(route.method);
            continue;
        }
        let params = raw_params
            .into_iter()
            .map(decode_component)
            .collect::<Result<_, _>>()?;
        return Ok(RouteMatch::Found { route, params });
    }
    if allowed.is_empty() {
        Ok(RouteMatch::NotFound)
    } else {
        Ok(RouteMatch::WrongMethod { allowed })
    }
}

/// The raw captured segments when `path` has the shape of `pattern`.
fn capture<'p>(pattern: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if is_capture(w) && !g.is_empty() => params.push(g),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// A matched request, ready for its handler.
#[derive(Debug)]
pub struct Call {
    pub params: Vec<String>,
    pub query: Query,
    pub body: Vec<u8>,
}

impl Call {
    fn param(&self, index: usize) -> &str {
        self.params.get(index).map(String::as_str).unwrap_or("")
    }

    /// The body as `T`; an empty body is `T::default()`.
    fn body_or_default<T: DeserializeOwned + Default>(&self, route: &Route) -> Result<T, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        self.body_required(route)
    }

    fn body_required<T: DeserializeOwned>(&self, route: &Route) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_request(format!(
                "invalid body for {} {}: {e}",
                route.method.as_str(),
                route.pattern
            ))
        })
    }
}

/// What a handler answers; the server turns it into HTTP.
#[derive(Debug)]
pub enum Reply {
    Json {
        status: u16,
        body: Vec<u8>,
    },
    Text {
        content_type: &'static str,
        body: String,
    },
    /// Log lines as NDJSON, streamed chunked while `live` yields more.
    LogLines(LogReply),
}

fn json<T: Serialize>(value: &T) -> Result<Reply, ApiError> {
    json_with_status(200, value)
}

fn json_with_status<T: Serialize>(status: u16, value: &T) -> Result<Reply, ApiError> {
    serde_json::to_vec(value)
        .map(|body| Reply::Json { status, body })
        .map_err(|e| ApiError::internal(format!("cannot encode the answer: {e}")))
}

/// Checks the query against the route's list before anything runs.
pub fn check_query(route: &Route, query: &Query) -> Result<(), ApiError> {
    match query.names().find(|n| !route.query.contains(n)) {
        None => Ok(()),
        Some(name) => Err(ApiError::bad_request(format!(
            "unknown query parameter '{name}' for {} {}",
            route.method.as_str(),
            route.pattern
        ))),
    }
}

/// Runs the route's handler against the backend.
pub async fn handle<B: ApiBackend>(
    backend: &B,
    route: &'static Route,
    call: &Call,
) -> Result<Reply, ApiError> {
    let name = call.param(0);
    match route.endpoint {
        E::Healthz => json(&Health {
            status: "ok".to_string(),
        }),
        E::Readyz => {
            let readiness = backend.readiness(&call.query.all("unit")).await?;
            json_with_status(if readiness.ready { 200 } else { 503 }, &readiness)
        }
        E::Metrics => {
            let snapshot = backend.metrics().await?;
            Ok(Reply::Text {
                content_type: PROMETHEUS_CONTENT_TYPE,
                body: format_prometheus(&snapshot),
            })
        }
        E::DaemonInfo => json(&backend.daemon_info().await?),
        E::ManagerProperties => json(
            &backend
                .manager_properties(&decode_property_query(&call.query)?)
                .await?,
        ),
        E::DaemonReload => json(
            &backend
                .daemon_reload(call.query.flag("files_only")?)
                .await?,
        ),
        E::Shutdown => {
            let plan: ShutdownPlan = call.body_required(route)?;
            if plan.force && plan.when.is_some() {
                return Err(ApiError::bad_request(
                    "a forced shutdown happens now: \"force\" and \"when\" do not go together",
                ));
            }
            json(&backend.shutdown(plan).await?)
        }
        E::ScheduledShutdown => json(&backend.scheduled_shutdown().await?),
        E::CancelShutdown => json(&backend.cancel_shutdown().await?),
        E::ListUnits => json(&backend.list_units().await?),
        E::UnitStatus => json(&backend.unit(name).await?),
        E::UnitProperties => json(
            &backend
                .unit_properties(name, &decode_property_query(&call.query)?)
                .await?,
        ),
        E::UnitFiles => json(&backend.unit_files(name).await?),
        E::UnitEnable | E::UnitDisable => {
            let NowOption { now } = call.body_or_default(route)?;
            let action = match route.endpoint {
                E::UnitEnable => UnitFileAction::Enable { now },
                _ => UnitFileAction::Disable { now },
            };
            json(&backend.unit_file_action(name, action).await?)
        }
        E::UnitResetFailed => json(&backend.reset_failed(name).await?),
        E::ServiceStatuses => json(&backend.service_statuses().await?),
        E::ServiceStart => json(
            &backend
                .service_action(name, ServiceAction::Start(call.body_or_default(route)?))
                .await?,
        ),
        E::ServiceStop => json(
            &backend
                .service_action(name, ServiceAction::Stop(call.body_or_default(route)?))
                .await?,
        ),
        E::ServiceRestart => json(
            &backend
                .service_action(name, ServiceAction::Restart(call.body_or_default(route)?))
                .await?,
        ),
        E::ServiceReload => json(&backend.service_action(name, ServiceAction::Reload).await?),
        E::ServiceKill => {
            let KillOptions { signal, whom } = call.body_required(route)?;
            let signal = parse_signal(&signal)?;
            json(
                &backend
                    .service_action(name, ServiceAction::Kill { signal, whom })
                    .await?,
            )
        }
        E::TimerStatuses => json(&backend.timer_statuses().await?),
        E::TimerStart | E::TimerStop | E::TimerEnable | E::TimerDisable => {
            // Every timer verb takes `{"now":..}`, as runr's API has it; start
            // and stop act now by nature, so there the value changes nothing.
            let NowOption { now } = call.body_or_default(route)?;
            let action = match route.endpoint {
                E::TimerStart => TimerAction::Start,
                E::TimerStop => TimerAction::Stop,
                E::TimerEnable => TimerAction::Enable { now },
                _ => TimerAction::Disable { now },
            };
            json(&backend.timer_action(name, action).await?)
        }
        E::ActionStatus => {
            let id: ActionId = name.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid action id '{name}': expected a number"))
            })?;
            json(&wait_for_action(backend, id, decode_wait(&call.query)?).await?)
        }
        E::Logs => {
            logs(
                backend,
                decode_log_query(LogSource::Units(call.query.all("unit")), &call.query)?,
            )
            .await
        }
        E::BackgroundLog => {
            logs(
                backend,
                decode_log_query(LogSource::Task(name.to_string()), &call.query)?,
            )
            .await
        }
        E::BackgroundRun => {
            let request: BackgroundRunRequest = call.body_required(route)?;
            if request
                .command
                .first()
                .is_none_or(|program| program.is_empty())
            {
                return Err(ApiError::bad_request(
                    "background run needs a command: \"command\" is empty",
                ));
            }
            json(&backend.background_run(request).await?)
        }
        E::BackgroundList => json(&backend.background_list().await?),
        E::BackgroundStatus => json(&backend.background_status(name).await?),
        E::BackgroundStop => json(&backend.background_stop(name).await?),
        E::BackgroundRemove => json(&backend.background_remove(name).await?),
        E::TransientStart => {
            let request: TransientRequest = call.body_required(route)?;
            if request.service_text.trim().is_empty() {
                return Err(ApiError::bad_request(
                    "a transient unit needs its unit-file text: \"service_text\" is empty",
                ));
            }
            json(&backend.transient_start(request).await?)
        }
        E::TransientEnd => {
            json(&wait_for_transient_end(backend, name, decode_wait(&call.query)?).await?)
        }
    }
}

pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Waits at most `wait` for the action to finish, then says where it stands.
async fn wait_for_action<B: ApiBackend>(
    backend: &B,
    id: ActionId,
    wait: Option<Duration>,
) -> Result<ActionStatus, ApiError> {
    let Some(wait) = wait.filter(|w| !w.is_zero()) else {
        return backend.action_status(id).await;
    };
    match tokio::time::timeout(wait, backend.action_finished(id)).await {
        Ok(outcome) => outcome,
        Err(_elapsed) => backend.action_status(id).await,
    }
}

/// Waits at most `wait` for the transient service to end, then says how
/// it stands.
async fn wait_for_transient_end<B: ApiBackend>(
    backend: &B,
    name: &str,
    wait: Option<Duration>,
) -> Result<TransientEnd, ApiError> {
    let Some(wait) = wait.filter(|w| !w.is_zero()) else {
        return backend.transient_end(name).await;
    };
    match tokio::time::timeout(wait, backend.transient_ended(name)).await {
        Ok(outcome) => outcome,
        Err(_elapsed) => backend.transient_end(name).await,
    }
}

async fn logs<B: ApiBackend>(backend: &B, query: LogQuery) -> Result<Reply, ApiError> {
    let reply = backend.logs(&query).await?;
    if query.follow {
        Ok(Reply::LogLines(reply))
    } else {
        json(&reply.backlog)
    }
}

/// A signal as systemctl's `--signal=` takes it: `SIGHUP`, `HUP` or `1`.
pub fn parse_signal(text: &str) -> Result<Signal, ApiError> {
    let invalid = || ApiError::bad_request(format!("invalid signal '{text}'"));
    if let Ok(number) = text.parse::<i32>() {
        return Signal::try_from(number).map_err(|_| invalid());
    }
    let full = if text.starts_with("SIG") {
        text.to_string()
    } else {
        format!("SIG{text}")
    };
    full.parse::<Signal>().map_err(|_| invalid())
}

// The typed queries, both ways: what the client writes and what the server
// reads, side by side.

pub fn property_query_pairs(query: &PropertyQuery) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<_> = query
        .names
        .iter()
        .map(|n| ("property", n.clone()))
        .collect();
    if query.all {
        pairs.push(("all", "true".to_string()));
    }
    pairs
}

fn decode_property_query(query: &Query) -> Result<PropertyQuery, ApiError> {
    // `systemctl show -p A,B` and `-p A -p B` both work; so do both here.
    let given = query.all("property");
    let names = given
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect();
    Ok(PropertyQuery {
        names,
        all: query.flag("all")?,
    })
}

pub fn readiness_query_pairs(units: &[String]) -> Vec<(&'static str, String)> {
    units.iter().map(|u| ("unit", u.clone())).collect()
}

pub fn wait_query_pairs(wait: Option<Duration>) -> Vec<(&'static str, String)> {
    wait.map(|w| vec![("wait", format!("{}", w.as_secs_f64()))])
        .unwrap_or_default()
}

fn decode_wait(query: &Query) -> Result<Option<Duration>, ApiError> {
    query.parsed("wait", "a number of seconds", |v| {
        v.parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
    })
}

/// The query of a log request; the units (or task) travel elsewhere for a task.
pub fn log_query_pairs(query: &LogQuery) -> Vec<(&'static str, String)> {
    let mut pairs = Vec::new();
    if let LogSource::Units(units) = &query.source {
        pairs.extend(units.iter().map(|u| ("unit", u.clone())));
    }
    if let Some(n) = query.lines {
        pairs.push(("lines", n.to_string()));
    }
    if query.follow {
        pairs.push(("follow", "true".to_string()));
    }
    if let Some(t) = query.since {
        pairs.push(("since", t.to_string()));
    }
    if let Some(t) = query.until {
        pairs.push(("until", t.to_string()));
    }
    pairs
}

fn decode_log_query(source: LogSource, query: &Query) -> Result<LogQuery, ApiError> {
    Ok(LogQuery {
        source,
        lines: query.parsed("lines", "a number", |v| v.parse::<u64>().ok())?,
        follow: query.flag("follow")?,
        since: query.parsed("since", "an RFC 3339 timestamp", Timestamp::parse)?,
        until: query.parsed("until", "an RFC 3339 timestamp", Timestamp::parse)?,
    })
}

/// The error for a request the table does not know.
pub fn unknown_path(path: &str) -> ApiError {
    ApiError::not_found(format!("no such API path '{path}'"))
}

pub fn wrong_method(method: &str, path: &str, allowed: &[Method]) -> ApiError {
    let allowed: Vec<_> = allowed.iter().map(|m| m.as_str()).collect();
    ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!(
            "{method} is not allowed on {path}: use {}",
            allowed.join(" or ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_ENDPOINTS: [Endpoint; 37] = [
        E::Healthz,
        E::Readyz,
        E::Metrics,
        E::DaemonInfo,
        E::ManagerProperties,
        E::DaemonReload,
        E::Shutdown,
        E::ScheduledShutdown,
        E::CancelShutdown,
        E::ListUnits,
        E::UnitStatus,
        E::UnitProperties,
        E::UnitFiles,
        E::UnitEnable,
        E::UnitDisable,
        E::UnitResetFailed,
        E::ServiceStatuses,
        E::ServiceStart,
        E::ServiceStop,
        E::ServiceRestart,
        E::ServiceReload,
        E::ServiceKill,
        E::TimerStatuses,
        E::TimerStart,
        E::TimerStop,
        E::TimerEnable,
        E::TimerDisable,
        E::ActionStatus,
        E::Logs,
        E::BackgroundRun,
        E::BackgroundList,
        E::BackgroundStatus,
        E::BackgroundLog,
        E::BackgroundStop,
        E::BackgroundRemove,
        E::TransientStart,
        E::TransientEnd,
    ];

    #[test]
    fn every_endpoint_has_exactly_one_route() {
        assert_eq!(ROUTES.len(), ALL_ENDPOINTS.len());
        for endpoint in ALL_ENDPOINTS {
            assert_eq!(
                ROUTES.iter().filter(|r| r.endpoint == endpoint).count(),
                1,
                "{endpoint:?}"
            );
        }
    }

    #[test]
    fn no_two_routes_share_method_and_pattern() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.pattern == b.pattern),
                    "{}",
                    a.pattern
                );
            }
        }
    }

    #[test]
    fn every_target_the_client_builds_matches_its_own_route() {
        for endpoint in ALL_ENDPOINTS {
            let route = endpoint.route();
            let captures = route.pattern.split('/').filter(|s| is_capture(s)).count();
            let params: Vec<&str> = ["pg@main\\x2d1.service", "b"][..captures].to_vec();
            let target = endpoint.target(&params, &[]);
            match match_route(Some(route.method), &target).unwrap() {
                RouteMatch::Found {
                    route: found,
                    params: got,
                } => {
                    assert_eq!(found.endpoint, endpoint, "{target}");
                    assert_eq!(got, params, "{target}");
                }
                other => panic!("{target}: {other:?}"),
            }
        }
    }

    #[test]
    fn existing_runr_paths_are_kept() {
        assert_eq!(
            E::ServiceStatuses.target(&[], &[]),
            "/api/v1/services/statuses"
        );
        assert_eq!(
            E::ServiceStart.target(&["db"], &[]),
            "/api/v1/services/db/start"
        );
        assert_eq!(
            E::TimerDisable.target(&["backup"], &[]),
            "/api/v1/timers/backup/disable"
        );
        assert_eq!(E::DaemonReload.route().method, Post);
        assert_eq!(E::DaemonReload.target(&[], &[]), "/api/v1/units/reload");
    }

    #[test]
    fn literal_and_captured_segments_sort_out_by_method() {
        let found = |m, p| match match_route(Some(m), p).unwrap() {
            RouteMatch::Found { route, params } => (route.endpoint, params),
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(
            found(Post, "/api/v1/units/reload"),
            (E::DaemonReload, vec![])
        );
        assert_eq!(
            found(Get, "/api/v1/units/reload"),
            (E::UnitStatus, vec!["reload".to_string()])
        );
        assert_eq!(
            found(Delete, "/api/v1/background/1f2e"),
            (E::BackgroundRemove, vec!["1f2e".to_string()])
        );
    }

    #[test]
    fn unknown_paths_and_methods_are_told_apart() {
        assert!(matches!(
            match_route(Some(Get), "/api/v1/nothing").unwrap(),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            match_route(Some(Get), "/api/v1/services//start").unwrap(),
            RouteMatch::NotFound
        ));
        assert!(matches!(
            match_route(Some(Get), "/api/v1/units/").unwrap(),
            RouteMatch::NotFound
        ));
        match match_route(Some(Get), "/api/v1/services/db/start").unwrap() {
            RouteMatch::WrongMethod { allowed } => assert_eq!(allowed, vec![Post]),
            other => panic!("{other:?}"),
        }
        match match_route(None, "/api/v1/background/x").unwrap() {
            RouteMatch::WrongMethod { allowed } => assert_eq!(allowed, vec![Get, Delete]),
            other => panic!("{other:?}"),
        }
        assert!(match_route(Some(Get), "/api/v1/units/%zz").is_err());
    }

    #[test]
    fn signals_are_read_as_systemctl_reads_them() {
        assert_eq!(parse_signal("SIGHUP").unwrap(), Signal::SIGHUP);
        assert_eq!(parse_signal("USR1").unwrap(), Signal::SIGUSR1);
        assert_eq!(parse_signal("9").unwrap(), Signal::SIGKILL);
        assert_eq!(
            parse_signal("SIGFOO").unwrap_err().message,
            "invalid signal 'SIGFOO'"
        );
        assert!(parse_signal("0").is_err());
        assert!(parse_signal("").is_err());
    }

    #[test]
    fn log_queries_round_trip() {
        let query = LogQuery {
            source: LogSource::Units(vec!["a.service".into(), "b@c.service".into()]),
            lines: Some(20),
            follow: true,
            since: Some(Timestamp(1_705_320_000_000_001)),
            until: None,
        };
        let target = E::Logs.target(&[], &log_query_pairs(&query));
        let raw = target.split_once('?').map(|(_, q)| q);
        let back = decode_log_query(
            LogSource::Units(Query::parse(raw).unwrap().all("unit")),
            &Query::parse(raw).unwrap(),
        );
        assert_eq!(back.unwrap(), query);
        let bad = Query::parse(Some("since=yesterday")).unwrap();
        assert!(
            decode_log_query(LogSource::Units(vec![]), &bad)
                .unwrap_err()
                .message
                .contains("'since'")
        );
    }

    #[test]
    fn property_queries_take_lists_both_ways() {
        let q = Query::parse(Some("property=A,B&property=C&all=1")).unwrap();
        let decoded = decode_property_query(&q).unwrap();
        assert_eq!(
            decoded,
            PropertyQuery {
                names: vec!["A".into(), "B".into(), "C".into()],
                all: true
            }
        );
        let again = query_string(&property_query_pairs(&decoded));
        assert_eq!(
            decode_property_query(&Query::parse(Some(&again[1..])).unwrap()).unwrap(),
            decoded
        );
    }

    #[test]
    fn waits_are_seconds_and_refuse_nonsense() {
        let wait = |raw| decode_wait(&Query::parse(Some(raw)).unwrap());
        assert_eq!(wait("wait=1.5").unwrap(), Some(Duration::from_millis(1500)));
        assert!(wait("wait=-1").is_err());
        assert!(wait("wait=nan").is_err());
        assert!(wait("wait=1e300").is_err());
        let pairs = wait_query_pairs(Some(Duration::from_millis(250)));
        assert_eq!(pairs, vec![("wait", "0.25".to_string())]);
    }

    #[test]
    fn unknown_query_parameters_are_named() {
        let route = E::Logs.route();
        let e = check_query(route, &Query::parse(Some("lnes=3")).unwrap()).unwrap_err();
        assert_eq!(
            e.message,
            "unknown query parameter 'lnes' for GET /api/v1/logs"
        );
        assert!(check_query(route, &Query::parse(Some("lines=3&unit=a")).unwrap()).is_ok());
    }

    #[test]
    fn the_api_document_shows_every_route() {
        let doc = include_str!("../../docs/api.md");
        for route in ROUTES {
            let heading = format!("`{} {}`", route.method.as_str(), route.pattern);
            assert!(doc.contains(&heading), "docs/api.md lacks {heading}");
        }
    }
}

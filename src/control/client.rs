//! The blocking client of the control API, for the native CLI and the
//! systemd faces. No async runtime: one socket, one HTTP/1.1 request with
//! `Connection: close`, one answer read to its end, so that a command like
//! `systemctl is-active` costs a connect, a write and a read.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::auth::BearerToken;
use super::routes::{
    Endpoint, log_query_pairs, property_query_pairs, readiness_query_pairs, wait_query_pairs,
};
use super::server::DEFAULT_SOCKET_PATH;
use super::types::*;

/// Overrides the socket path for every client (tests, non-root setups).
pub const SOCKET_ENV: &str = "RUNR_SOCKET";

/// The longest status line plus headers accepted from the server.
const MAX_HEAD_BYTES: usize = 64 * 1024;

#[derive(Debug, Error)]
pub enum ClientError {
    /// No daemon there: the faces then answer as systemctl does offline.
    #[error("cannot reach runr at {place}: {reason}")]
    Unreachable { place: String, reason: String },
    #[error("lost the connection to runr: {0}")]
    Io(String),
    #[error("runr answered with malformed HTTP: {0}")]
    Protocol(String),
    /// The daemon's own error: its one-line message, as it sent it.
    #[error("{message}")]
    Api { status: u16, message: String },
    #[error("cannot read runr's answer to {target}: {reason}")]
    Decode { target: String, reason: String },
}

impl ClientError {
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. })
    }

    /// The HTTP status of an error the daemon answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

fn io_error(e: &io::Error) -> ClientError {
    ClientError::Io(crate::engine::errno_text(e))
}

/// Where the daemon listens.
#[derive(Debug, Clone)]
pub enum Target {
    Unix(PathBuf),
    Tcp {
        addr: String,
        token: Option<BearerToken>,
    },
}

/// A whole answer.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Header names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, for messages and tests.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    target: Target,
    timeout: Option<Duration>,
}

impl Client {
    pub fn new(target: Target) -> Self {
        Client {
            target,
            timeout: None,
        }
    }

    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Self::new(Target::Unix(path.into()))
    }

    pub fn tcp(addr: impl Into<String>, token: Option<BearerToken>) -> Self {
        Self::new(Target::Tcp {
            addr: addr.into(),
            token,
        })
    }

    /// The local daemon: `$RUNR_SOCKET`, else /run/runr/runr.sock.
    pub fn local() -> Self {
        match std::env::var_os(SOCKET_ENV) {
            Some(path) if !path.is_empty() => Self::unix(PathBuf::from(path)),
            _ => Self::unix(DEFAULT_SOCKET_PATH),
        }
    }

    /// Gives up on a daemon that does not answer within `timeout` (not
    /// applied while following logs, which wait by design).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    // The probes and the daemon.

    pub fn healthz(&self) -> Result<Health, ClientError> {
        self.call(Endpoint::Healthz, &[], &[], None::<&()>)
    }

    /// Readiness of the named units, or of every autostarted one; a
    /// not-ready answer (503) is still an answer, not an error.
    pub fn readyz(&self, units: &[String]) -> Result<Readiness, ClientError> {
        let target = Endpoint::Readyz.target(&[], &readiness_query_pairs(units));
        let response = self.exchange("GET", &target, None)?;
        if response.status == 503 {
            return decode_json(&target, &response.body);
        }
        decode(&target, response)
    }

    /// The Prometheus text.
    pub fn metrics(&self) -> Result<String, ClientError> {
        let target = Endpoint::Metrics.target(&[], &[]);
        let response = ok_or_api_error(self.exchange("GET", &target, None)?)?;
        String::from_utf8(response.body).map_err(|_| ClientError::Decode {
            target,
            reason: "the metrics are not UTF-8".to_string(),
        })
    }

    pub fn daemon_info(&self) -> Result<DaemonInfo, ClientError> {
        self.call(Endpoint::DaemonInfo, &[], &[], None::<&()>)
    }

    pub fn manager_properties(&self, query: &PropertyQuery) -> Result<Vec<Property>, ClientError> {
        self.call(
            Endpoint::ManagerProperties,
            &[],
            &property_query_pairs(query),
            None::<&()>,
        )
    }

    pub fn daemon_reload(&self) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::DaemonReload, &[], &[], None::<&()>)
    }

    /// The reload after a change of unit files (`systemctl enable`): the
    /// files are read again, nothing starts or stops.
    pub fn reread_unit_files(&self) -> Result<ActionAccepted, ClientError> {
        let query = [("files_only", "true".to_string())];
        self.call(Endpoint::DaemonReload, &[], &query, None::<&()>)
    }

    /// `systemctl poweroff` and its kin, and `shutdown TIME`.
    pub fn shutdown(&self, plan: &ShutdownPlan) -> Result<ShutdownPlan, ClientError> {
        self.call(Endpoint::Shutdown, &[], &[], Some(plan))
    }

    /// `shutdown --show`.
    pub fn scheduled_shutdown(&self) -> Result<ShutdownPlan, ClientError> {
        self.call(Endpoint::ScheduledShutdown, &[], &[], None::<&()>)
    }

    /// `shutdown -c`.
    pub fn cancel_shutdown(&self) -> Result<ShutdownPlan, ClientError> {
        self.call(Endpoint::CancelShutdown, &[], &[], None::<&()>)
    }

    // Units.

    pub fn units(&self) -> Result<Vec<UnitSummary>, ClientError> {
        self.call(Endpoint::ListUnits, &[], &[], None::<&()>)
    }

    pub fn unit(&self, name: &str) -> Result<UnitSummary, ClientError> {
        self.call(Endpoint::UnitStatus, &[name], &[], None::<&()>)
    }

    pub fn unit_properties(
        &self,
        name: &str,
        query: &PropertyQuery,
    ) -> Result<Vec<Property>, ClientError> {
        self.call(
            Endpoint::UnitProperties,
            &[name],
            &property_query_pairs(query),
            None::<&()>,
        )
    }

    pub fn unit_files(&self, name: &str) -> Result<UnitFiles, ClientError> {
        self.call(Endpoint::UnitFiles, &[name], &[], None::<&()>)
    }

    pub fn enable_unit(&self, name: &str, now: bool) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::UnitEnable, &[name], &[], Some(&NowOption { now }))
    }

    pub fn disable_unit(&self, name: &str, now: bool) -> Result<ActionAccepted, ClientError> {
        self.call(
            Endpoint::UnitDisable,
            &[name],
            &[],
            Some(&NowOption { now }),
        )
    }

    /// `systemctl reset-failed NAME`.
    pub fn reset_failed(&self, name: &str) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::UnitResetFailed, &[name], &[], None::<&()>)
    }

    // Services.

    pub fn service_statuses(&self) -> Result<Vec<ServiceStatus>, ClientError> {
        self.call(Endpoint::ServiceStatuses, &[], &[], None::<&()>)
    }

    pub fn start_service(
        &self,
        name: &str,
        options: &StartOptions,
    ) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::ServiceStart, &[name], &[], Some(options))
    }

    pub fn stop_service(
        &self,
        name: &str,
        options: &StopOptions,
    ) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::ServiceStop, &[name], &[], Some(options))
    }

    pub fn restart_service(
        &self,
        name: &str,
        options: &StopOptions,
    ) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::ServiceRestart, &[name], &[], Some(options))
    }

    pub fn reload_service(&self, name: &str) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::ServiceReload, &[name], &[], None::<&()>)
    }

    pub fn kill_service(
        &self,
        name: &str,
        options: &KillOptions,
    ) -> Result<ActionAccepted, ClientError> {
        self.call(Endpoint::ServiceKill, &[name], &[], Some(options))
    }

    // Timers.

    pub fn timer_statuses(&self) -> Result<Vec<TimerStatus>, ClientError> {
        self.call(Endpoint::TimerStatuses, &[], &[], None::<&()>)
    }

    pub fn timer_action(
        &self,
        name: &str,
        action: TimerAction,
    ) -> Result<ActionAccepted, ClientError> {
        let (endpoint, now) = match action {
            TimerAction::Start => (Endpoint::TimerStart, false),
            TimerAction::Stop => (Endpoint::TimerStop, false),
            TimerAction::Enable { now } => (Endpoint::TimerEnable, now),
            TimerAction::Disable { now } => (Endpoint::TimerDisable, now),
        };
        self.call(endpoint, &[name], &[], Some(&NowOption { now }))
    }

    // Actions.

    /// Where an action stands; with `wait`, the daemon first waits up to
    /// that long for it to finish.
    pub fn action(
        &self,
        id: ActionId,
        wait: Option<Duration>,
    ) -> Result<ActionStatus, ClientError> {
        let id = id.to_string();
        let client = match (wait, self.timeout) {
            // The read must outlast the wait the daemon was asked for.
            (Some(w), Some(t)) => Client {
                target: self.target.clone(),
                timeout: Some(t + w),
            },
            _ => self.clone(),
        };
        client.call(
            Endpoint::ActionStatus,
            &[&id],
            &wait_query_pairs(wait),
            None::<&()>,
        )
    }

    // Logs.

    /// The lines kept (`follow` in the query is ignored: see `follow_logs`).
    pub fn logs(&self, query: &LogQuery) -> Result<Vec<LogEntry>, ClientError> {
        let query = LogQuery {
            follow: false,
            ..query.clone()
        };
        let target = log_target(&query);
        decode(&target, self.exchange("GET", &target, None)?)
    }

    /// The lines kept, then the new ones as they come, until the daemon
    /// ends the stream or the returned reader is dropped.
    pub fn follow_logs(&self, query: &LogQuery) -> Result<LogFollow, ClientError> {
        let query = LogQuery {
            follow: true,
            ..query.clone()
        };
        let target = log_target(&query);
        let (head, body) = self.open("GET", &target, None, None)?;
        if !(200..300).contains(&head.status) {
            let response = finish(head, body)?;
            return Err(api_error(&response));
        }
        Ok(LogFollow {
            lines: BufReader::new(body),
            target,
        })
    }

    // Background tasks.

    pub fn background_run(
        &self,
        request: &BackgroundRunRequest,
    ) -> Result<BackgroundTask, ClientError> {
        self.call(Endpoint::BackgroundRun, &[], &[], Some(request))
    }

    pub fn background_list(&self) -> Result<Vec<BackgroundTask>, ClientError> {
        self.call(Endpoint::BackgroundList, &[], &[], None::<&()>)
    }

    pub fn background_status(&self, id: &str) -> Result<BackgroundTask, ClientError> {
        self.call(Endpoint::BackgroundStatus, &[id], &[], None::<&()>)
    }

    pub fn background_stop(&self, id: &str) -> Result<BackgroundTask, ClientError> {
        self.call(Endpoint::BackgroundStop, &[id], &[], None::<&()>)
    }

    pub fn background_remove(&self, id: &str) -> Result<BackgroundTask, ClientError> {
        self.call(Endpoint::BackgroundRemove, &[id], &[], None::<&()>)
    }

    // Transient units (systemd-run).

    pub fn transient_start(
        &self,
        request: &TransientRequest,
    ) -> Result<TransientStarted, ClientError> {
        self.call(Endpoint::TransientStart, &[], &[], Some(request))
    }

    /// How the transient service ended; with `wait`, the daemon first
    /// waits up to that long for the end.
    pub fn transient_end(
        &self,
        name: &str,
        wait: Option<Duration>,
    ) -> Result<TransientEnd, ClientError> {
        let client = match (wait, self.timeout) {
            (Some(w), Some(t)) => Client {
                target: self.target.clone(),
                timeout: Some(t + w),
            },
            _ => self.clone(),
        };
        client.call(
            Endpoint::TransientEnd,
            &[name],
            &wait_query_pairs(wait),
            None::<&()>,
        )
    }

    // The plumbing.

    /// One request by route: the method and path come from the route table.
    fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        endpoint: Endpoint,
        params: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let target = endpoint.target(params, query);
        let body = match body {
            Some(b) => Some(serde_json::to_vec(b).map_err(|e| ClientError::Decode {
                target: target.clone(),
                reason: e.to_string(),
            })?),
            None => None,
        };
        let response = self.exchange(endpoint.route().method.as_str(), &target, body.as_deref())?;
        decode(&target, response)
    }

    /// Any request, answered in full: for tests and for what the typed
    /// calls do not cover.
    pub fn exchange(
        &self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
    ) -> Result<RawResponse, ClientError> {
        let (head, reader) = self.open(method, target, body, self.timeout)?;
        finish(head, reader)
    }

    fn open(
        &self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        timeout: Option<Duration>,
    ) -> Result<(ResponseHead, BodyReader), ClientError> {
        let mut conn = self.connect(timeout)?;
        let token = match &self.target {
            Target::Tcp {
                token: Some(token), ..
            } => Some(token.header_value()),
            _ => None,
        };
        let request = request_bytes(method, target, token.as_deref(), body);
        conn.write_all(&request).map_err(|e| io_error(&e))?;
        let mut reader = BufReader::with_capacity(16 * 1024, conn);
        let head = read_head(&mut reader)?;
        let framing = body_framing(method, &head)?;
        Ok((head, BodyReader::new(reader, framing)))
    }

    fn connect(&self, timeout: Option<Duration>) -> Result<Conn, ClientError> {
        let conn = match &self.target {
            Target::Unix(path) => UnixStream::connect(path)
                .map(Conn::Unix)
                .map_err(|e| unreachable(path, &e))?,
            Target::Tcp { addr, .. } => {
                let stream = TcpStream::connect(addr.as_str())
                    .map_err(|e| unreachable(Path::new(addr), &e))?;
                let _ = stream.set_nodelay(true);
                Conn::Tcp(stream)
            }
        };
        conn.set_timeouts(timeout).map_err(|e| io_error(&e))?;
        Ok(conn)
    }
}

fn unreachable(place: &Path, e: &io::Error) -> ClientError {
    ClientError::Unreachable {
        place: place.display().to_string(),
        reason: crate::engine::errno_text(e),
    }
}

fn log_target(query: &LogQuery) -> String {
    match &query.source {
        LogSource::Units(_) => Endpoint::Logs.target(&[], &log_query_pairs(query)),
        LogSource::Task(id) => Endpoint::BackgroundLog.target(&[id], &log_query_pairs(query)),
    }
}

/// The whole request in one buffer, so that it goes out in one write.
fn request_bytes(
    method: &str,
    target: &str,
    authorization: Option<&str>,
    body: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + target.len() + body.map_or(0, <[u8]>::len));
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: runr\r\nConnection: close\r\n");
    if let Some(value) = authorization {
        out.extend_from_slice(b"Authorization: ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    match body {
        Some(body) => {
            out.extend_from_slice(b"Content-Type: application/json\r\n");
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            out.extend_from_slice(body);
        }
        None if method != "GET" => out.extend_from_slice(b"Content-Length: 0\r\n\r\n"),
        None => out.extend_from_slice(b"\r\n"),
    }
    out
}

/// The status and headers of an answer.
struct ResponseHead {
    status: u16,
    /// Names in lower case.
    headers: Vec<(String, String)>,
}

impl ResponseHead {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The status line and headers.
fn read_head(reader: &mut impl BufRead) -> Result<ResponseHead, ClientError> {
    let mut consumed = 0;
    let status_line = read_head_line(reader, &mut consumed)?;
    let mut words = status_line.splitn(3, ' ');
    let version = words.next().unwrap_or("");
    let status = words.next().and_then(|s| s.parse::<u16>().ok());
    let status = match status {
        Some(code) if version.starts_with("HTTP/1.") && (100..600).contains(&code) => code,
        _ => {
            return Err(ClientError::Protocol(format!(
                "bad status line '{status_line}'"
            )));
        }
    };
    let mut headers = Vec::new();
    loop {
        let line = read_head_line(reader, &mut consumed)?;
        if line.is_empty() {
            return Ok(ResponseHead { status, headers });
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| ClientError::Protocol(format!("bad header line '{line}'")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

fn read_head_line(reader: &mut impl BufRead, consumed: &mut usize) -> Result<String, ClientError> {
    let mut line = Vec::new();
    let limit = (MAX_HEAD_BYTES - *consumed) as u64;
    let n = reader
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(|e| io_error(&e))?;
    *consumed += n;
    if n == 0 {
        return Err(ClientError::Protocol(
            "the connection closed before the answer's head ended".to_string(),
        ));
    }
    if line.last() != Some(&b'\n') {
        return Err(ClientError::Protocol(
            "the answer's head is too long or cut short".to_string(),
        ));
    }
    let text = String::from_utf8(line)
        .map_err(|_| ClientError::Protocol("a header is not UTF-8".to_string()))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

/// How the body's end is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Length(u64),
    Chunked,
    UntilClose,
}

fn body_framing(method: &str, head: &ResponseHead) -> Result<Framing, ClientError> {
    let status = head.status;
    if method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(Framing::Length(0));
    }
    if let Some(coding) = head.header("transfer-encoding") {
        if coding
            .rsplit(',')
            .next()
            .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"))
        {
            return Ok(Framing::Chunked);
        }
        return Ok(Framing::UntilClose);
    }
    match head.header("content-length") {
        Some(len) => len
            .parse()
            .map(Framing::Length)
            .map_err(|_| ClientError::Protocol(format!("bad Content-Length '{len}'"))),
        None => Ok(Framing::UntilClose),
    }
}

/// Reads the rest of the body and makes the answer.
fn finish(head: ResponseHead, mut reader: BodyReader) -> Result<RawResponse, ClientError> {
    let mut body = Vec::new();
    reader.read_to_end(&mut body).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidData => ClientError::Protocol(e.to_string()),
        _ => io_error(&e),
    })?;
    Ok(RawResponse {
        status: head.status,
        headers: head.headers,
        body,
    })
}

fn ok_or_api_error(response: RawResponse) -> Result<RawResponse, ClientError> {
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(api_error(&response))
    }
}

fn decode<T: DeserializeOwned>(target: &str, response: RawResponse) -> Result<T, ClientError> {
    let response = ok_or_api_error(response)?;
    decode_json(target, &response.body)
}

fn decode_json<T: DeserializeOwned>(target: &str, body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        target: target.to_string(),
        reason: e.to_string(),
    })
}

/// The daemon's `{"error": ...}`, or what there is where that is missing.
fn api_error(response: &RawResponse) -> ClientError {
    let message = match serde_json::from_slice::<ErrorBody>(&response.body) {
        Ok(body) => body.error,
        Err(_) => {
            let text = response.text();
            let text = text.trim();
            if text.is_empty() {
                format!("runr answered HTTP {}", response.status)
            } else {
                text.to_string()
            }
        }
    };
    ClientError::Api {
        status: response.status,
        message,
    }
}

/// A log follow: one `LogEntry` per line as the daemon sends them.
pub struct LogFollow {
    lines: BufReader<BodyReader>,
    target: String,
}

impl Iterator for LogFollow {
    type Item = Result<LogEntry, ClientError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut line = String::new();
        loop {
            line.clear();
            match self.lines.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) if line.trim().is_empty() => continue,
                Ok(_) => return Some(decode_json(&self.target, line.as_bytes())),
                Err(e) => return Some(Err(io_error(&e))),
            }
        }
    }
}

/// The connection, unix or TCP.
enum Conn {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Conn {
    fn set_timeouts(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Conn::Unix(s) => s
                .set_read_timeout(timeout)
                .and_then(|()| s.set_write_timeout(timeout)),
            Conn::Tcp(s) => s
                .set_read_timeout(timeout)
                .and_then(|()| s.set_write_timeout(timeout)),
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.read(buf),
            Conn::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Unix(s) => s.write(buf),
            Conn::Tcp(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Unix(s) => s.flush(),
            Conn::Tcp(s) => s.flush(),
        }
    }
}

/// The body, whatever its framing, as a plain reader.
struct BodyReader {
    inner: BufReader<Conn>,
    framing: Framing,
    /// Length framing: bytes still to come. Chunked: left in this chunk.
    remaining: u64,
    /// Chunked: the CRLF after a chunk's data is still to be read.
    chunk_crlf_pending: bool,
    done: bool,
}

impl BodyReader {
    fn new(inner: BufReader<Conn>, framing: Framing) -> Self {
        let remaining = match framing {
            Framing::Length(n) => n,
            _ => 0,
        };
        BodyReader {
            inner,
            framing,
            remaining,
            chunk_crlf_pending: false,
            done: framing == Framing::Length(0),
        }
    }

    /// Moves to the next chunk; false at the last (zero-size) chunk.
    fn next_chunk(&mut self) -> io::Result<bool> {
        if self.chunk_crlf_pending {
            let line = read_crlf_line(&mut self.inner)?;
            if !line.is_empty() {
                return Err(invalid("chunk data is not followed by CRLF"));
            }
            self.chunk_crlf_pending = false;
        }
        let line = read_crlf_line(&mut self.inner)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = u64::from_str_radix(size_text, 16).map_err(|_| invalid("bad chunk size"))?;
        if size == 0 {
            // Trailers, if any, up to the empty line.
            while !read_crlf_line(&mut self.inner)?.is_empty() {}
            return Ok(false);
        }
        self.remaining = size;
        Ok(true)
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

fn read_crlf_line(reader: &mut BufReader<Conn>) -> io::Result<String> {
    let mut line = Vec::new();
    let n = reader.by_ref().take(4096).read_until(b'\n', &mut line)?;
    if n == 0 || line.last() != Some(&b'\n') {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the chunked body ended early",
        ));
    }
    let text = String::from_utf8(line).map_err(|_| invalid("a chunk line is not UTF-8"))?;
    Ok(text.trim_end_matches(['\r', '\n']).to_string())
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        match self.framing {
            Framing::UntilClose => self.inner.read(buf),
            Framing::Length(_) => {
                let want = buf
                    .len()
                    .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                let n = self.inner.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the body is shorter than its Content-Length",
                    ));
                }
                self.remaining -= n as u64;
                self.done = self.remaining == 0;
                Ok(n)
            }
            Framing::Chunked => {
                if self.remaining == 0 && !self.next_chunk()? {
                    self.done = true;
                    return Ok(0);
                }
                let want = buf
                    .len()
                    .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                let n = self.inner.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the chunked body ended early",
                    ));
                }
                self.remaining -= n as u64;
                self.chunk_crlf_pending = self.remaining == 0;
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// Serves one canned answer on a fresh socket and returns what the
    /// client made of it.
    fn answer_with(
        raw: &'static [u8],
    ) -> (Client, std::thread::JoinHandle<Vec<u8>>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            stream.write_all(raw).unwrap();
            request
        });
        (Client::unix(path), server, dir)
    }

    #[test]
    fn chunked_answers_with_extensions_and_trailers_are_read_whole() {
        let (client, server, _dir) = answer_with(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{\"sta\r\n9\r\ntus\":\"ok\"\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n",
        );
        assert_eq!(client.healthz().unwrap().status, "ok");
        let request = String::from_utf8(server.join().unwrap()).unwrap();
        assert_eq!(
            request,
            "GET /healthz HTTP/1.1\r\nHost: runr\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn answers_without_length_are_read_until_close() {
        let (client, server, _dir) = answer_with(b"HTTP/1.0 200 OK\r\n\r\n{\"status\":\"ok\"}");
        assert_eq!(client.healthz().unwrap().status, "ok");
        server.join().unwrap();
    }

    #[test]
    fn a_short_body_is_an_error_not_a_truncated_answer() {
        let (client, server, _dir) =
            answer_with(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"status\":\"ok\"}");
        let e = client.healthz().unwrap_err();
        assert!(matches!(e, ClientError::Io(_)), "{e:?}");
        server.join().unwrap();
    }

    #[test]
    fn garbage_is_a_protocol_error() {
        let (client, server, _dir) = answer_with(b"SSH-2.0-OpenSSH\r\n\r\n");
        assert!(matches!(
            client.healthz().unwrap_err(),
            ClientError::Protocol(_)
        ));
        server.join().unwrap();
        let (client, server, _dir) =
            answer_with(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        assert!(matches!(
            client.healthz().unwrap_err(),
            ClientError::Protocol(_)
        ));
        server.join().unwrap();
    }

    #[test]
    fn errors_carry_the_daemons_message_or_the_status() {
        let (client, server, _dir) =
            answer_with(b"HTTP/1.1 404 Not Found\r\nContent-Length: 33\r\n\r\n{\"error\":\"Unit x.service gone.\"}\n");
        let e = client.unit("x").unwrap_err();
        assert_eq!(
            (e.status(), e.to_string()),
            (Some(404), "Unit x.service gone.".to_string())
        );
        server.join().unwrap();
        let (client, server, _dir) =
            answer_with(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(
            client.healthz().unwrap_err().to_string(),
            "runr answered HTTP 502"
        );
        server.join().unwrap();
    }

    #[test]
    fn a_missing_socket_is_unreachable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sock");
        let e = Client::unix(&path).healthz().unwrap_err();
        assert!(e.is_unreachable());
        assert_eq!(
            e.to_string(),
            format!(
                "cannot reach runr at {}: No such file or directory",
                path.display()
            )
        );
    }

    #[test]
    fn posts_carry_their_length_and_token() {
        let bytes = request_bytes("POST", "/a", Some("Bearer t"), Some(b"{}"));
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "POST /a HTTP/1.1\r\nHost: runr\r\nConnection: close\r\nAuthorization: Bearer t\r\n\
             Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
        let bytes = request_bytes("POST", "/a", None, None);
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .ends_with("Content-Length: 0\r\n\r\n")
        );
    }
}

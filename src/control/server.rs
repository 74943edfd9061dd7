//! The control API server: HTTP/1.1 on the unix socket (mode 0600), and on
//! request on TCP (bearer token required) and on a plain TCP probe port
//! (`/healthz` and `/readyz` only, for kubelet).
//!
//! The daemon is single-threaded: `ControlServer::serve` must run inside a
//! tokio `LocalSet` on a current-thread runtime; each connection is a local
//! task, so the backend needs not be `Send`.

use std::convert::Infallible;
use std::fs;
use std::io;
use std::net::SocketAddr;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderValue, WWW_AUTHENTICATE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

use super::auth::{AuthError, BearerToken};
use super::backend::{ApiBackend, ApiError, ErrorKind};
use super::routes::{self, Call, Method, Reply, RouteMatch};
use super::types::{ErrorBody, LogEntry};
use super::uri::Query;

pub const DEFAULT_SOCKET_PATH: &str = "/run/runr/runr.sock";

/// Request bodies are small JSON objects; anything bigger is a mistake.
const MAX_BODY_BYTES: usize = 1 << 20;

/// A client that has not sent its headers by then is dropped.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Lines sent in one chunk of a log follow, at most.
const MAX_LINES_PER_CHUNK: usize = 256;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error(
        "--http-listen-api {addr} needs --api-token-file FILE: the TCP API is never served without a bearer token"
    )]
    TokenFileMissing { addr: String },
    #[error("invalid {flag} address '{addr}': expected IP:PORT, such as 127.0.0.1:8010")]
    BadAddress { flag: &'static str, addr: String },
    #[error(transparent)]
    Token(#[from] AuthError),
    #[error("{path}: another runr is already listening on this socket")]
    SocketInUse { path: PathBuf },
    #[error("{path} exists and is not a socket; not replacing it")]
    NotASocket { path: PathBuf },
    #[error("cannot listen on {place}: {reason}")]
    Listen { place: String, reason: String },
}

fn listen_error(place: impl std::fmt::Display, e: &io::Error) -> ServerError {
    ServerError::Listen {
        place: place.to_string(),
        reason: crate::engine::errno_text(e),
    }
}

/// Where and how to serve.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub socket_path: PathBuf,
    pub tcp_api: Option<TcpApiConfig>,
    pub probe_listen: Option<SocketAddr>,
}

/// The TCP API: an address and the token every request must carry.
#[derive(Debug, Clone)]
pub struct TcpApiConfig {
    pub addr: SocketAddr,
    pub token: BearerToken,
}

impl ServerConfig {
    /// Only the unix socket.
    pub fn unix(socket_path: impl Into<PathBuf>) -> Self {
        ServerConfig {
            socket_path: socket_path.into(),
            tcp_api: None,
            probe_listen: None,
        }
    }

    /// From the supervisor's flags: `--http-listen-api ADDR` needs
    /// `--api-token-file FILE`; `--probe-listen ADDR` needs nothing.
    pub fn from_flags(
        socket_path: impl Into<PathBuf>,
        http_listen_api: Option<&str>,
        api_token_file: Option<&Path>,
        probe_listen: Option<&str>,
    ) -> Result<Self, ServerError> {
        let tcp_api = match http_listen_api {
            None => None,
            Some(addr) => {
                let addr_parsed = parse_addr("--http-listen-api", addr)?;
                let file = api_token_file.ok_or_else(|| ServerError::TokenFileMissing {
                    addr: addr.to_string(),
                })?;
                Some(TcpApiConfig {
                    addr: addr_parsed,
                    token: BearerToken::from_file(file)?,
                })
            }
        };
        let probe_listen = probe_listen
            .map(|a| parse_addr("--probe-listen", a))
            .transpose()?;
        Ok(ServerConfig {
            socket_path: socket_path.into(),
            tcp_api,
            probe_listen,
        })
    }
}

fn parse_addr(flag: &'static str, addr: &str) -> Result<SocketAddr, ServerError> {
    addr.parse().map_err(|_| ServerError::BadAddress {
        flag,
        addr: addr.to_string(),
    })
}

/// What a listener lets its clients do.
#[derive(Clone)]
enum Access {
    /// The unix socket: its file mode already decided who may connect.
    Local,
    /// The TCP API: every request must carry the token.
    Token(Rc<BearerToken>),
    /// The probe port: `/healthz` and `/readyz`, nothing else.
    ProbesOnly,
}

/// The bound listeners, ready to serve.
pub struct ControlServer {
    unix: tokio::net::UnixListener,
    socket_file: SocketFile,
    tcp_api: Option<(tokio::net::TcpListener, Rc<BearerToken>)>,
    probe: Option<tokio::net::TcpListener>,
}

impl ControlServer {
    /// Binds every listener the configuration asks for. Must be called
    /// within a tokio runtime. The unix socket is never reachable with a
    /// mode other than 0600, and a stale socket file from a previous run is
    /// replaced; a live one is an error.
    pub fn bind(config: &ServerConfig) -> Result<ControlServer, ServerError> {
        let (std_unix, socket_file) = bind_private_socket(&config.socket_path)?;
        let unix = tokio::net::UnixListener::from_std(std_unix)
            .map_err(|e| listen_error(config.socket_path.display(), &e))?;
        let tcp_api = match &config.tcp_api {
            None => None,
            Some(tcp) => Some((bind_tcp(tcp.addr)?, Rc::new(tcp.token.clone()))),
        };
        let probe = config.probe_listen.map(bind_tcp).transpose()?;
        Ok(ControlServer {
            unix,
            socket_file,
            tcp_api,
            probe,
        })
    }

    pub fn socket_path(&self) -> &Path {
        &self.socket_file.path
    }

    /// The TCP API's address (with the port the kernel chose for port 0).
    pub fn tcp_api_addr(&self) -> Option<SocketAddr> {
        self.tcp_api.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn probe_addr(&self) -> Option<SocketAddr> {
        self.probe.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until dropped (the socket file goes with it). Runs on a
    /// `LocalSet`: connections are spawned with `spawn_local`.
    pub async fn serve<B: ApiBackend + 'static>(self, backend: Rc<B>) {
        let ControlServer {
            unix,
            socket_file,
            tcp_api,
            probe,
        } = self;
        let _socket_file = socket_file;
        let local = accept_unix(unix, backend.clone());
        let tcp = async {
            match tcp_api {
                Some((listener, token)) => {
                    accept_tcp(listener, backend.clone(), Access::Token(token)).await
                }
                None => std::future::pending().await,
            }
        };
        let probes = async {
            match probe {
                Some(listener) => accept_tcp(listener, backend.clone(), Access::ProbesOnly).await,
                None => std::future::pending().await,
            }
        };
        tokio::join!(local, tcp, probes);
    }
}

fn bind_tcp(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServerError> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| listen_error(addr, &e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| listen_error(addr, &e))?;
    tokio::net::TcpListener::from_std(listener).map_err(|e| listen_error(addr, &e))
}

/// The socket file, removed when the server goes, unless another server
/// has replaced it since.
struct SocketFile {
    path: PathBuf,
    identity: (u64, u64),
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        if let Ok(meta) = fs::symlink_metadata(&self.path)
            && (meta.dev(), meta.ino()) == self.identity
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Binds the socket inside a fresh 0700 directory beside its final place,
/// sets its mode to 0600, then renames it into place. Nobody but us can
/// reach it while it is staged, and it appears at its path already 0600:
/// no window where it is open to others, and no process-wide umask change.
fn bind_private_socket(
    path: &Path,
) -> Result<(std::os::unix::net::UnixListener, SocketFile), ServerError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(parent)
        .map_err(|e| listen_error(parent.display(), &e))?;
    clear_stale_socket(path)?;
    let staging = StagingDir::create(parent).map_err(|e| listen_error(parent.display(), &e))?;
    let staged = staging.path.join("s");
    let listener = std::os::unix::net::UnixListener::bind(&staged)
        .map_err(|e| listen_error(path.display(), &e))?;
    fs::set_permissions(&staged, fs::Permissions::from_mode(0o600))
        .map_err(|e| listen_error(path.display(), &e))?;
    fs::rename(&staged, path).map_err(|e| listen_error(path.display(), &e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| listen_error(path.display(), &e))?;
    let meta = fs::symlink_metadata(path).map_err(|e| listen_error(path.display(), &e))?;
    Ok((
        listener,
        SocketFile {
            path: path.to_path_buf(),
            identity: (meta.dev(), meta.ino()),
        },
    ))
}

/// Removes a socket file no server answers on any more.
fn clear_stale_socket(path: &Path) -> Result<(), ServerError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(listen_error(path.display(), &e)),
    };
    if !meta.file_type().is_socket() {
        return Err(ServerError::NotASocket {
            path: path.to_path_buf(),
        });
    }
    if std::os::unix::net::UnixStream::connect(path).is_ok() {
        return Err(ServerError::SocketInUse {
            path: path.to_path_buf(),
        });
    }
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(listen_error(path.display(), &e)),
        _ => Ok(()),
    }
}

/// A private directory the socket is bound in before it is moved into
/// place; removed on drop, whatever happened.
struct StagingDir {
    path: PathBuf,
}

impl StagingDir {
    fn create(parent: &Path) -> io::Result<StagingDir> {
        let pid = std::process::id();
        let mut attempt = 0u32;
        loop {
            // Short names: a socket path is limited to 107 bytes.
            let path = parent.join(format!(".runr-{pid}-{attempt}"));
            match fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(StagingDir { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        let _ = fs::remove_file(self.path.join("s"));
        let _ = fs::remove_dir(&self.path);
    }
}

async fn accept_unix<B: ApiBackend + 'static>(listener: tokio::net::UnixListener, backend: Rc<B>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::task::spawn_local(serve_connection(stream, backend.clone(), Access::Local));
            }
            Err(e) => back_off_after_accept_error(&e).await,
        }
    }
}

async fn accept_tcp<B: ApiBackend + 'static>(
    listener: tokio::net::TcpListener,
    backend: Rc<B>,
    access: Access,
) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                tokio::task::spawn_local(serve_connection(stream, backend.clone(), access.clone()));
            }
            Err(e) => back_off_after_accept_error(&e).await,
        }
    }
}

/// accept() fails when the process is out of file descriptors; the
/// listener stays readable, so retrying at once would spin. A short pause
/// gives closing connections the time to free some.
async fn back_off_after_accept_error(_e: &io::Error) {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn serve_connection<B, S>(stream: S, backend: Rc<B>, access: Access)
where
    B: ApiBackend + 'static,
    S: AsyncRead + AsyncWrite + Unpin + 'static,
{
    let service = service_fn(move |request| {
        let backend = backend.clone();
        let access = access.clone();
        async move { Ok::<_, Infallible>(respond(&*backend, &access, request).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    // A client that goes away mid-answer is no concern of the daemon's.
    let _ = builder
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn respond<B: ApiBackend>(
    backend: &B,
    access: &Access,
    request: Request<Incoming>,
) -> Response<ApiBody> {
    if let Access::Token(token) = access
        && !token.authorizes(
            request
                .headers()
                .get(AUTHORIZATION)
                .map(HeaderValue::as_bytes),
        )
    {
        let mut response = error_response(&ApiError::new(
            ErrorKind::Unauthorized,
            "missing or wrong bearer token: send 'Authorization: Bearer TOKEN' with the token of --api-token-file",
        ));
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let path = request.uri().path().to_string();
    let method = request.method().as_str().to_string();
    let (route, params) = match routes::match_route(Method::parse(&method), &path) {
        Err(e) => return error_response(&e),
        Ok(RouteMatch::NotFound) => return error_response(&routes::unknown_path(&path)),
        Ok(RouteMatch::WrongMethod { allowed }) => {
            let mut response = error_response(&routes::wrong_method(&method, &path, &allowed));
            let allow = allowed
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(ALLOW, value);
            }
            return response;
        }
        Ok(RouteMatch::Found { route, params }) => (route, params),
    };
    if matches!(access, Access::ProbesOnly) && !route.probe {
        return error_response(&routes::unknown_path(&path));
    }
    let outcome = async {
        let query = Query::parse(request.uri().query())?;
        routes::check_query(route, &query)?;
        let body = read_body(request.into_body()).await?;
        routes::handle(
            backend,
            route,
            &Call {
                params,
                query,
                body,
            },
        )
        .await
    };
    match outcome.await {
        Ok(reply) => reply_response(reply),
        Err(e) => error_response(&e),
    }
}

async fn read_body(body: Incoming) -> Result<Vec<u8>, ApiError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!("request body over {} bytes", MAX_BODY_BYTES),
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "cannot read the request body: {e}"
        ))),
    }
}

fn reply_response(reply: Reply) -> Response<ApiBody> {
    match reply {
        Reply::Json { status, mut body } => {
            body.push(b'\n');
            with_type(status, "application/json", ApiBody::full(body))
        }
        Reply::Text { content_type, body } => {
            with_type(200, content_type, ApiBody::full(body.into_bytes()))
        }
        Reply::LogLines(reply) => with_type(
            200,
            "application/x-ndjson",
            ApiBody::lines(reply.backlog, reply.live),
        ),
    }
}

fn error_response(error: &ApiError) -> Response<ApiBody> {
    let mut body = serde_json::to_vec(&ErrorBody {
        error: error.message.clone(),
    })
    .unwrap_or_else(|_| b"{\"error\":\"internal error\"}".to_vec());
    body.push(b'\n');
    with_type(error.kind.status(), "application/json", ApiBody::full(body))
}

fn with_type(status: u16, content_type: &'static str, body: ApiBody) -> Response<ApiBody> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A response body: bytes known in full (sent with Content-Length), or
/// log lines as NDJSON, sent chunked as they come.
pub struct ApiBody {
    state: BodyState,
}

enum BodyState {
    Full(Option<Bytes>),
    Lines {
        backlog: Vec<LogEntry>,
        live: Option<mpsc::Receiver<LogEntry>>,
    },
}

impl ApiBody {
    fn full(bytes: Vec<u8>) -> Self {
        ApiBody {
            state: BodyState::Full(Some(Bytes::from(bytes))),
        }
    }

    fn lines(backlog: Vec<LogEntry>, live: Option<mpsc::Receiver<LogEntry>>) -> Self {
        ApiBody {
            state: BodyState::Lines { backlog, live },
        }
    }
}

fn ndjson(entries: &[LogEntry]) -> Bytes {
    let mut out = Vec::with_capacity(entries.len() * 128);
    for entry in entries {
        // A LogEntry always serializes; should it ever not, the line is skipped.
        if serde_json::to_writer(&mut out, entry).is_ok() {
            out.push(b'\n');
        }
    }
    Bytes::from(out)
}

impl Body for ApiBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.get_mut().state {
            BodyState::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            BodyState::Lines { backlog, live } => {
                if !backlog.is_empty() {
                    let chunk = ndjson(backlog);
                    backlog.clear();
                    return Poll::Ready(Some(Ok(Frame::data(chunk))));
                }
                let Some(receiver) = live else {
                    return Poll::Ready(None);
                };
                match receiver.poll_recv(cx) {
                    Poll::Ready(Some(first)) => {
                        let mut batch = vec![first];
                        while batch.len() < MAX_LINES_PER_CHUNK {
                            match receiver.try_recv() {
                                Ok(entry) => batch.push(entry),
                                Err(_) => break,
                            }
                        }
                        Poll::Ready(Some(Ok(Frame::data(ndjson(&batch)))))
                    }
                    Poll::Ready(None) => {
                        *live = None;
                        Poll::Ready(None)
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.state {
            BodyState::Full(bytes) => bytes.is_none(),
            BodyState::Lines { backlog, live } => backlog.is_empty() && live.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.state {
            BodyState::Full(Some(bytes)) => SizeHint::with_exact(bytes.len() as u64),
            BodyState::Full(None) => SizeHint::with_exact(0),
            BodyState::Lines { .. } => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tcp_api_without_a_token_file_is_one_clear_line() {
        let e = ServerConfig::from_flags("/tmp/x.sock", Some("127.0.0.1:8010"), None, None)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "--http-listen-api 127.0.0.1:8010 needs --api-token-file FILE: the TCP API is never served without a bearer token"
        );
        let e = ServerConfig::from_flags("/tmp/x.sock", Some("localhost"), None, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid --http-listen-api address 'localhost': expected IP:PORT, such as 127.0.0.1:8010"
        );
        let e = ServerConfig::from_flags("/tmp/x.sock", None, None, Some(":80")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid --probe-listen address ':80'")
        );
    }

    #[test]
    fn flags_with_a_token_file_make_a_tcp_api() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        fs::write(&token, "abc\n").unwrap();
        let config = ServerConfig::from_flags(
            "/tmp/x.sock",
            Some("127.0.0.1:0"),
            Some(&token),
            Some("127.0.0.1:0"),
        )
        .unwrap();
        let tcp = config.tcp_api.unwrap();
        assert_eq!(tcp.token, BearerToken::from_secret("abc").unwrap());
        assert!(config.probe_listen.is_some());
    }

    #[test]
    fn a_regular_file_in_the_socket_place_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runr.sock");
        fs::write(&path, "data").unwrap();
        assert!(matches!(
            bind_private_socket(&path),
            Err(ServerError::NotASocket { .. })
        ));
        assert_eq!(fs::read_to_string(&path).unwrap(), "data");
    }

    #[test]
    fn a_stale_socket_is_replaced_and_a_live_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runr.sock");
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let (live, file) = bind_private_socket(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(matches!(
            bind_private_socket(&path),
            Err(ServerError::SocketInUse { .. })
        ));
        drop(live);
        drop(file);
        assert!(!path.exists(), "the server's socket file goes with it");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            leftovers.is_empty(),
            "no staging directory is left behind: {leftovers:?}"
        );
    }
}

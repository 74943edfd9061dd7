//! runr's syslog server: a unix datagram socket (`/dev/log` in a
//! container) and, optionally, a unix stream socket, for programs that log
//! with syslog(3), `logger`, Python's `SysLogHandler` and the like.
//!
//! Each message (RFC 3164 or RFC 5424, parsed by
//! [`crate::syntax::syslog`]; anything unparseable is kept as text) goes:
//!
//! - to the journal, under its identifier (the app name or tag; without
//!   one, the sender's command name), its priority and facility, the
//!   sender's PID, and the unit the sender belongs to when it is one of
//!   the supervised services or a process they started (told from the
//!   sender's credentials: its process group, or its `$INVOCATION_ID`);
//! - to `DIRECTORY/APP.log` when syslog.conf gives the app (or
//!   `[default]`) a directory, rotated by `max_size`, keeping `max_count`
//!   files, deleting those older than `max_age`. A line there reads
//!   `MMM DD HH:MM:SS HOST APP[PID]: message`, as a classic syslogd writes
//!   it.
//!
//! Streams take RFC 6587 framing: octet counting (`LEN SP MSG`) or one
//! message per line (newline or NUL). A datagram or a frame is at most
//! [`MAX_MESSAGE`] bytes; longer ones are cut, never refused.

use std::collections::HashMap;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, Interest};
use tokio::net::{UnixDatagram, UnixListener, UnixStream};
use tokio::task::JoinHandle;

use crate::config::syslog_conf::SyslogConfig;
use crate::logs::counters::LogCounters;
use crate::logs::pipeline::disk_writer::{FileLine, JournalLine};
use crate::logs::pipeline::io_thread::IoContext;
use crate::logs::record::{Id128, Stream};
use crate::logs::rotate::RotateConfig;
use crate::syntax::syslog::{StreamFrame, SyslogMessage, next_stream_frame, parse_message};

/// The largest message kept whole (journald's datagram limit is about the
/// same); the rest of a longer one is cut off.
pub const MAX_MESSAGE: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
pub struct SyslogServerConfig {
    /// The datagram socket (`/dev/log`).
    pub datagram_socket: Option<PathBuf>,
    /// The file and line that named the datagram socket (`listen =` in
    /// syslog.conf), for the message when it cannot be bound.
    pub datagram_origin: Option<(PathBuf, u32)>,
    /// The stream socket, for clients that connect.
    pub stream_socket: Option<PathBuf>,
    /// syslog.conf: where each app's messages are filed.
    pub routes: SyslogConfig,
    /// What was wrong with syslog.conf, one line each: reported in the
    /// supervisor's log when the server starts.
    pub notes: Vec<String>,
}

/// The running server's tasks and sockets.
pub struct SyslogServer {
    tasks: Vec<JoinHandle<()>>,
    sockets: Vec<PathBuf>,
}

impl SyslogServer {
    /// Stops listening and removes the socket files.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
        for path in self.sockets {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Binds the sockets and starts serving on the current (local) runtime. A
/// socket that cannot be bound is reported once and left out.
pub fn start(config: SyslogServerConfig, ctx: Rc<IoContext>) -> SyslogServer {
    for note in &config.notes {
        ctx.report(note);
    }
    let router = Rc::new(Router::new(config.routes, ctx.clone()));
    let mut server = SyslogServer {
        tasks: Vec::new(),
        sockets: Vec::new(),
    };
    if let Some(path) = config.datagram_socket {
        match bind_datagram(&path) {
            Ok(socket) => {
                server.sockets.push(path);
                server.tasks.push(tokio::task::spawn_local(serve_datagrams(
                    socket,
                    router.clone(),
                )));
            }
            Err(e) => {
                let named_at = match &config.datagram_origin {
                    Some((file, line)) => format!("{}:{line}: ", file.display()),
                    None => String::new(),
                };
                ctx.report(&format!(
                    "{named_at}Failed to listen for syslog messages on {}: {}",
                    path.display(),
                    crate::engine::errno_text(&e)
                ))
            }
        }
    }
    if let Some(path) = config.stream_socket {
        match bind_stream(&path) {
            Ok(listener) => {
                server.sockets.push(path);
                server
                    .tasks
                    .push(tokio::task::spawn_local(serve_streams(listener, router)));
            }
            Err(e) => ctx.report(&format!(
                "Failed to listen for syslog streams on {}: {}",
                path.display(),
                crate::engine::errno_text(&e)
            )),
        }
    }
    server
}

/// Removes a socket left by an earlier run (never any other kind of file).
fn clear_stale_socket(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "exists and is not a socket",
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn prepare_path(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    clear_stale_socket(path)
}

/// Anyone may log: the socket is 0666, as /dev/log is.
fn open_to_everyone(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
}

fn bind_datagram(path: &Path) -> io::Result<UnixDatagram> {
    prepare_path(path)?;
    let socket = UnixDatagram::bind(path)?;
    open_to_everyone(path)?;
    // The sender's PID comes with each datagram (SCM_CREDENTIALS).
    nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::PassCred, &true)?;
    // Room for bursts while the thread is busy elsewhere.
    let _ = nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::RcvBuf, &(8 << 20));
    Ok(socket)
}

fn bind_stream(path: &Path) -> io::Result<UnixListener> {
    prepare_path(path)?;
    let listener = UnixListener::bind(path)?;
    open_to_everyone(path)?;
    Ok(listener)
}

/// Receives one datagram and the sender's PID.
fn receive_with_pid(fd: i32, buffer: &mut [u8]) -> io::Result<(usize, Option<u32>)> {
    use nix::sys::socket::{ControlMessageOwned, MsgFlags, UnixCredentials, recvmsg};
    let mut space = nix::cmsg_space!(UnixCredentials);
    let mut iov = [io::IoSliceMut::new(buffer)];
    let message = recvmsg::<()>(fd, &mut iov, Some(&mut space), MsgFlags::MSG_TRUNC)
        .map_err(io::Error::from)?;
    let mut pid = None;
    if let Ok(cmsgs) = message.cmsgs() {
        for cmsg in cmsgs {
            if let ControlMessageOwned::ScmCredentials(creds) = cmsg {
                pid = u32::try_from(creds.pid()).ok();
            }
        }
    }
    Ok((message.bytes, pid))
}

async fn serve_datagrams(socket: UnixDatagram, router: Rc<Router>) {
    let mut buffer = vec![0u8; MAX_MESSAGE];
    loop {
        let fd = socket.as_raw_fd();
        let received = socket
            .async_io(Interest::READABLE, || receive_with_pid(fd, &mut buffer))
            .await;
        match received {
            // With MSG_TRUNC the full length comes back: cut to what fitted.
            Ok((len, pid)) => router.message(&buffer[..len.min(buffer.len())], pid),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => tokio::task::yield_now().await,
        }
    }
}

async fn serve_streams(listener: UnixListener, router: Rc<Router>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::task::yield_now().await;
            continue;
        };
        tokio::task::spawn_local(serve_connection(stream, router.clone()));
    }
}

async fn serve_connection(mut stream: UnixStream, router: Rc<Router>) {
    let pid = stream
        .peer_cred()
        .ok()
        .and_then(|c| c.pid())
        .and_then(|p| u32::try_from(p).ok());
    let mut pending: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let eof = match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => true,
            Ok(n) => {
                pending.extend_from_slice(&chunk[..n]);
                false
            }
        };
        let mut used = 0;
        while let StreamFrame::Message(message, taken) = next_stream_frame(&pending[used..], eof) {
            if !message.is_empty() {
                router.message(&message[..message.len().min(MAX_MESSAGE)], pid);
            }
            used += taken.max(1);
            if used >= pending.len() {
                break;
            }
        }
        pending.drain(..used.min(pending.len()));
        // A frame that never ends is cut rather than kept growing.
        if pending.len() > MAX_MESSAGE {
            router.message(&pending[..MAX_MESSAGE], pid);
            pending.clear();
        }
        if eof {
            return;
        }
    }
}

/// Sends parsed messages to the journal and to the app's file.
struct Router {
    routes: SyslogConfig,
    ctx: Rc<IoContext>,
    files: std::cell::RefCell<HashMap<String, Option<Arc<RotateConfig>>>>,
    hostname: String,
}

impl Router {
    fn new(routes: SyslogConfig, ctx: Rc<IoContext>) -> Router {
        let hostname = nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "localhost".to_string());
        Router {
            routes,
            ctx,
            files: Default::default(),
            hostname,
        }
    }

    fn message(&self, bytes: &[u8], sender: Option<u32>) {
        let realtime = crate::logs::journal::writer::now_realtime();
        let monotonic = crate::engine::executor::monotonic_now();
        let parsed = parse_message(bytes);
        LogCounters::add(&self.ctx.counters.syslog_messages, 1);
        let pid = parsed.pid().or(sender).unwrap_or(0);
        let identifier = identifier_of(&parsed, sender);
        let (unit, invocation_id) = sender
            .and_then(|p| self.ctx.owner_of_process(p))
            .unwrap_or_else(|| (Arc::from(""), Id128::NULL));
        let file = self.file_for(&identifier).map(|target| FileLine {
            target,
            line: self.file_line(realtime, &identifier, &parsed),
        });
        self.ctx.writer.send(JournalLine {
            realtime,
            monotonic,
            unit,
            identifier: Arc::from(identifier.as_str()),
            pid,
            priority: parsed.severity,
            facility: parsed.facility,
            stream: Stream::Syslog,
            invocation_id,
            message: parsed.message.to_vec(),
            file,
        });
    }

    fn file_for(&self, app: &str) -> Option<Arc<RotateConfig>> {
        if let Some(known) = self.files.borrow().get(app) {
            return known.clone();
        }
        let target = self.routes.for_app(app);
        let config = target.directory.map(|dir| {
            let mut config = RotateConfig::new(dir, file_name_of(app));
            config.file_size = target.max_size.filter(|n| *n > 0);
            if let Some(count) = target.max_count {
                config.file_count = count;
            }
            config.max_age = target
                .max_age
                .filter(|u| *u > 0 && *u != crate::syntax::USEC_INFINITY)
                .map(std::time::Duration::from_micros);
            Arc::new(config)
        });
        self.files
            .borrow_mut()
            .insert(app.to_string(), config.clone());
        config
    }

    /// `MMM DD HH:MM:SS HOST APP[PID]: message`
    fn file_line(&self, realtime: u64, app: &str, m: &SyslogMessage<'_>) -> Vec<u8> {
        let stamp = jiff::Timestamp::from_microsecond(realtime as i64)
            .map(|ts| {
                self.ctx
                    .zone
                    .to_datetime(ts)
                    .strftime("%b %e %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default();
        let host = m.hostname.as_deref().unwrap_or(&self.hostname);
        let mut out = format!("{stamp} {host} {app}").into_bytes();
        if let Some(pid) = m.procid.as_deref() {
            out.extend_from_slice(format!("[{pid}]").as_bytes());
        }
        out.extend_from_slice(b": ");
        out.extend_from_slice(m.message);
        out
    }
}

/// The tag or app name; else the sender's command name; else `syslog`.
fn identifier_of(m: &SyslogMessage<'_>, sender: Option<u32>) -> String {
    if let Some(app) = m.app_name.as_deref().filter(|a| !a.is_empty() && *a != "-") {
        return app.to_string();
    }
    sender
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
        .map(|comm| comm.trim_end().to_string())
        .filter(|comm| !comm.is_empty())
        .unwrap_or_else(|| "syslog".to_string())
}

/// An app name made safe as a file name: no `/`, no leading `.`.
fn file_name_of(app: &str) -> String {
    let cleaned: String = app
        .chars()
        .map(|c| if c == '/' || c.is_control() { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "syslog".to_string()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_names_become_safe_file_names() {
        assert_eq!(file_name_of("postgres"), "postgres");
        assert_eq!(file_name_of("../etc/passwd"), "_etc_passwd");
        assert_eq!(file_name_of(".."), "syslog");
        assert_eq!(file_name_of(""), "syslog");
    }

    #[test]
    fn identifier_falls_back_to_syslog() {
        let m = parse_message(b"<13>just text");
        assert_eq!(identifier_of(&m, None), "syslog");
        let m = parse_message(b"<13>Jan  2 03:04:05 app[7]: hi");
        assert_eq!(identifier_of(&m, None), "app");
    }
}

//! The sd_notify protocol: the `$NOTIFY_SOCKET` datagram socket the
//! supervisor owns, the messages services send on it (`READY=1`,
//! `STATUS=...`, `WATCHDOG=1`, ...), and routing each message to the
//! service its sender belongs to. What a message does to a service is the
//! state machine's business ([`ServiceRuntime::on_notify`]).
//!
//! The sender is known from the kernel (SO_PASSCRED): its PID and UID as
//! SCM_CREDENTIALS, which a privileged sender may set to another PID (as
//! systemd-notify does, so that a shell script's own PID appears). A PID
//! belongs to a service when it is the main or control process, or when
//! it lives in a session the service started (each command leads its own,
//! runr's stand-in for a control group).
//!
//! [`ServiceRuntime::on_notify`]: super::service::ServiceRuntime::on_notify

use std::io;
use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use nix::sys::socket::{
    self, AddressFamily, ControlMessageOwned, MsgFlags, SockFlag, SockType, UnixAddr, setsockopt,
    sockopt,
};
use nix::unistd::Pid;
use tokio::io::unix::AsyncFd;

use super::manager::Manager;
use super::service::Executor;

/// The most a notification may hold (systemd reads PIPE_BUF bytes).
const MESSAGE_MAX: usize = 4096;
/// Descriptors received with one message (all closed: runr keeps no fd store).
const FDS_MAX: usize = 32;

/// Which of READY=1, RELOADING=1, STOPPING=1 a message ends with (the last
/// one in a message wins, as in systemd).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyState {
    Ready,
    Reloading,
    Stopping,
}

/// `WATCHDOG=`: a keep-alive ping, or the service asking to be treated
/// as hung.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchdogRequest {
    Ping,
    Trigger,
    Invalid,
}

/// One notification, its fields as sent (parsing of numbers is left to
/// the state machine, which logs systemd's warnings for bad values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyMessage {
    pub state: Option<NotifyState>,
    pub status: Option<String>,
    pub main_pid: Option<String>,
    pub errno: Option<String>,
    pub extend_timeout_usec: Option<String>,
    pub watchdog: Option<WatchdogRequest>,
    pub watchdog_usec: Option<String>,
    /// Exactly `BARRIER=1`: sd_notify_barrier() waiting for its fd to close.
    pub barrier: bool,
    /// `BARRIER=1` among other fields: systemd ignores such a message.
    pub barrier_with_others: bool,
}

impl NotifyMessage {
    /// Newline-separated `KEY=VALUE` assignments; for each key the first
    /// one counts (systemd's strv_find_startswith), except the state words,
    /// where the last counts.
    pub fn parse(text: &str) -> NotifyMessage {
        let mut m = NotifyMessage::default();
        let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
        let first = |key: &str| -> Option<String> {
            lines
                .iter()
                .find_map(|l| l.strip_prefix(key))
                .map(String::from)
        };
        m.state = lines.iter().rev().find_map(|l| match *l {
            "READY=1" => Some(NotifyState::Ready),
            "RELOADING=1" => Some(NotifyState::Reloading),
            "STOPPING=1" => Some(NotifyState::Stopping),
            _ => None,
        });
        m.status = first("STATUS=");
        m.main_pid = first("MAINPID=");
        m.errno = first("ERRNO=");
        m.extend_timeout_usec = first("EXTEND_TIMEOUT_USEC=");
        m.watchdog = first("WATCHDOG=").map(|v| match v.as_str() {
            "1" => WatchdogRequest::Ping,
            "trigger" => WatchdogRequest::Trigger,
            _ => WatchdogRequest::Invalid,
        });
        m.watchdog_usec = first("WATCHDOG_USEC=");
        let has_barrier = lines.contains(&"BARRIER=1");
        m.barrier = has_barrier && lines.len() == 1;
        m.barrier_with_others = has_barrier && lines.len() > 1;
        m
    }
}

/// One datagram as received.
#[derive(Debug, Clone)]
pub struct Datagram {
    /// The sender's credentials; None when the kernel passed none.
    pub pid: Option<Pid>,
    pub uid: Option<u32>,
    pub text: String,
    /// How many descriptors came with it (already closed).
    pub fds: usize,
}

/// The supervisor's end of `$NOTIFY_SOCKET`.
pub struct NotifySocket {
    fd: AsyncFd<OwnedFd>,
    path: PathBuf,
}

impl NotifySocket {
    /// Binds `DIR/notify` (a stale socket left by an earlier run is
    /// replaced; one still in use makes it `DIR/notify.PID`), readable by
    /// everyone, so services that changed user can send.
    pub fn bind(dir: &Path) -> io::Result<NotifySocket> {
        std::fs::create_dir_all(dir)?;
        let mut path = dir.join("notify");
        if is_live_socket(&path) {
            path = dir.join(format!("notify.{}", std::process::id()));
        }
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_socket()) {
            std::fs::remove_file(&path)?;
        }
        let fd = socket::socket(
            AddressFamily::Unix,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            None,
        )?;
        let addr = UnixAddr::new(&path)?;
        socket::bind(fd.as_raw_fd(), &addr)?;
        setsockopt(&fd, sockopt::PassCred, &true)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777))?;
        // SAFETY: an OwnedFd keeps its descriptor open and unchanged for
        // as long as the AsyncFd owns it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }
            .map_err(io::Error::from)?;
        Ok(NotifySocket { fd, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next datagram, waiting for one (tokio wakes the loop; nothing
    /// polls).
    pub async fn recv(&self) -> io::Result<Datagram> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|inner| receive(inner.get_ref().as_raw_fd())) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    /// A datagram already waiting, if any.
    pub fn try_recv(&self) -> Option<Datagram> {
        receive(self.fd.get_ref().as_raw_fd()).ok()
    }
}

impl Drop for NotifySocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn is_live_socket(path: &Path) -> bool {
    std::os::unix::net::UnixDatagram::unbound()
        .and_then(|s| s.connect(path))
        .is_ok()
}

/// recvmsg() with the sender's credentials; passed descriptors are closed.
fn receive(fd: RawFd) -> io::Result<Datagram> {
    let mut buffer = vec![0u8; MESSAGE_MAX];
    let mut cmsg = nix::cmsg_space!(nix::libc::ucred, [RawFd; FDS_MAX]);
    let mut iov = [IoSliceMut::new(&mut buffer)];
    let msg = socket::recvmsg::<()>(
        fd,
        &mut iov,
        Some(&mut cmsg),
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_TRUNC,
    )?;
    let mut datagram = Datagram {
        pid: None,
        uid: None,
        text: String::new(),
        fds: 0,
    };
    for c in msg.cmsgs()? {
        match c {
            ControlMessageOwned::ScmCredentials(cred) => {
                datagram.pid = Some(Pid::from_raw(cred.pid()));
                datagram.uid = Some(cred.uid());
            }
            ControlMessageOwned::ScmRights(fds) => {
                datagram.fds += fds.len();
                for raw in fds {
                    // SAFETY: the kernel just installed these descriptors
                    // for us; nothing else owns them.
                    drop(unsafe { OwnedFd::from_raw_fd(raw) });
                }
            }
            _ => {}
        }
    }
    let len = msg.bytes;
    if len > MESSAGE_MAX || msg.flags.contains(MsgFlags::MSG_TRUNC) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "truncated"));
    }
    datagram.text = String::from_utf8_lossy(&buffer[..len]).into_owned();
    Ok(datagram)
}

/// Hands a datagram to the service its sender belongs to (the main or
/// control process first, then a session the service started); messages
/// nobody owns are dropped, as systemd drops those of unknown PIDs.
pub fn dispatch(manager: &mut Manager, ex: &mut dyn Executor, datagram: &Datagram) {
    let Some(pid) = datagram.pid else { return };
    let message = NotifyMessage::parse(&datagram.text);
    if message.barrier {
        // The fd was closed on receipt, which releases the sender.
        return;
    }
    if message.barrier_with_others {
        ex.log(
            "",
            "Extra notification messages sent with BARRIER=1, ignoring everything.",
        );
        return;
    }
    let session = ex.process_info(pid).map(|p| p.session);
    let uid = datagram.uid.unwrap_or(u32::MAX);
    let by_pid = manager
        .services_mut()
        .position(|s| s.main_pid == Some(pid) || s.control_pid == Some(pid));
    let index = by_pid.or_else(|| {
        let session = session?;
        manager
            .services_mut()
            .position(|s| s.owns_process_group(session))
    });
    if let Some(service) = index.and_then(|i| manager.services_mut().nth(i)) {
        service.on_notify(ex, pid, uid, &message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_the_last_state_word() {
        let m = NotifyMessage::parse("READY=1\nSTATUS=Serving 3 clients\nMAINPID=42\n");
        assert_eq!(m.state, Some(NotifyState::Ready));
        assert_eq!(m.status.as_deref(), Some("Serving 3 clients"));
        assert_eq!(m.main_pid.as_deref(), Some("42"));
        let m = NotifyMessage::parse("RELOADING=1\nSTOPPING=1");
        assert_eq!(m.state, Some(NotifyState::Stopping));
        let m = NotifyMessage::parse("READY=0\nSTATUS=");
        assert_eq!(m.state, None);
        assert_eq!(m.status.as_deref(), Some(""));
    }

    #[test]
    fn watchdog_words() {
        assert_eq!(
            NotifyMessage::parse("WATCHDOG=1").watchdog,
            Some(WatchdogRequest::Ping)
        );
        assert_eq!(
            NotifyMessage::parse("WATCHDOG=trigger").watchdog,
            Some(WatchdogRequest::Trigger)
        );
        assert_eq!(
            NotifyMessage::parse("WATCHDOG=2").watchdog,
            Some(WatchdogRequest::Invalid)
        );
        let m = NotifyMessage::parse("WATCHDOG_USEC=5000000\nEXTEND_TIMEOUT_USEC=1\nERRNO=5");
        assert_eq!(m.watchdog_usec.as_deref(), Some("5000000"));
        assert_eq!(m.extend_timeout_usec.as_deref(), Some("1"));
        assert_eq!(m.errno.as_deref(), Some("5"));
    }

    #[test]
    fn barriers() {
        assert!(NotifyMessage::parse("BARRIER=1").barrier);
        let m = NotifyMessage::parse("BARRIER=1\nREADY=1");
        assert!(!m.barrier && m.barrier_with_others);
    }

    #[test]
    fn the_socket_reports_the_senders_pid_and_closes_passed_fds() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let socket = NotifySocket::bind(dir.path()).unwrap();
            assert_eq!(socket.path(), dir.path().join("notify"));
            let client = std::os::unix::net::UnixDatagram::unbound().unwrap();
            client
                .send_to(b"READY=1\nSTATUS=up", socket.path())
                .unwrap();
            let d = socket.recv().await.unwrap();
            assert_eq!(d.pid, Some(Pid::this()));
            assert_eq!(d.uid, Some(nix::unistd::getuid().as_raw()));
            assert_eq!(d.text, "READY=1\nSTATUS=up");
            assert!(socket.try_recv().is_none());
            // A second supervisor in the same directory gets its own socket.
            let other = NotifySocket::bind(dir.path()).unwrap();
            assert_ne!(other.path(), socket.path());
        });
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn parsing_never_panics(text in "(?s).{0,64}") {
            let _ = NotifyMessage::parse(&text);
        }
    }
}

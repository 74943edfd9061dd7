//! `systemd-run --pipe`: the client's stdin, stdout and stderr become the
//! service's. The client listens on a unix socket of its own (a private
//! directory, mode 0700) and names it in the request; the daemon connects
//! and the client sends the three descriptors in one message (SCM_RIGHTS).
//! The HTTP exchange itself stays plain: no descriptor ever travels on the
//! API socket.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::libc;

/// The one byte that carries the descriptors.
const MARKER: u8 = b'F';

/// Sends `fds` over the connected unix socket `socket`.
pub fn send_fds(socket: &impl AsRawFd, fds: [BorrowedFd<'_>; 3]) -> io::Result<()> {
    let raw: [RawFd; 3] = [fds[0].as_raw_fd(), fds[1].as_raw_fd(), fds[2].as_raw_fd()];
    let payload_len = std::mem::size_of_val(&raw);
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(payload_len as u32) } as usize;
    // u64 elements keep the control buffer aligned for cmsghdr.
    let mut control = vec![0u64; space.div_ceil(8)];
    let mut byte = [MARKER];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // SAFETY: an all-zero msghdr is valid; the fields set below point at
    // live locals that outlive the sendmsg call.
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = space as _;
    // SAFETY: the control buffer holds CMSG_SPACE(payload) bytes, so the
    // first header and its data fit; the copy writes exactly payload_len.
    unsafe {
        let header = libc::CMSG_FIRSTHDR(&message);
        if header.is_null() {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        }
        (*header).cmsg_level = libc::SOL_SOCKET;
        (*header).cmsg_type = libc::SCM_RIGHTS;
        (*header).cmsg_len = libc::CMSG_LEN(payload_len as u32) as _;
        std::ptr::copy_nonoverlapping(
            raw.as_ptr().cast::<u8>(),
            libc::CMSG_DATA(header),
            payload_len,
        );
    }
    loop {
        // SAFETY: message and everything it points to are valid (see above).
        let sent = unsafe { libc::sendmsg(socket.as_raw_fd(), &message, libc::MSG_NOSIGNAL) };
        if sent >= 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Receives the three descriptors `send_fds` sent. WouldBlock on a
/// non-blocking socket with nothing to read yet.
pub fn receive_fds(socket: &impl AsRawFd) -> io::Result<[OwnedFd; 3]> {
    let payload_len = std::mem::size_of::<[RawFd; 3]>();
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(payload_len as u32) } as usize;
    let mut control = vec![0u64; space.div_ceil(8)];
    let mut byte = [0u8];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // SAFETY: as in send_fds.
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = (control.len() * 8) as _;
    // SAFETY: message points at live buffers of the sizes it states.
    let received =
        unsafe { libc::recvmsg(socket.as_raw_fd(), &mut message, libc::MSG_CMSG_CLOEXEC) };
    if received < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut fds: Vec<OwnedFd> = Vec::new();
    // SAFETY: the kernel filled msg_control; CMSG_* walk within
    // msg_controllen. Every descriptor received is taken into an OwnedFd at
    // once, so none leaks whatever happens next.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_SOCKET && (*header).cmsg_type == libc::SCM_RIGHTS {
                let data_len = (*header).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                let count = data_len / std::mem::size_of::<RawFd>();
                let data = libc::CMSG_DATA(header).cast::<RawFd>();
                for i in 0..count {
                    let fd = std::ptr::read_unaligned(data.add(i));
                    fds.push(OwnedFd::from_raw_fd(fd));
                }
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    if received == 0 && fds.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the caller closed the socket",
        ));
    }
    if message.msg_flags & libc::MSG_CTRUNC != 0 || byte[0] != MARKER {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not three descriptors",
        ));
    }
    let mut fds = fds.into_iter();
    match (fds.next(), fds.next(), fds.next(), fds.next()) {
        (Some(a), Some(b), Some(c), None) => Ok([a, b, c]),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not three descriptors",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn three_descriptors_cross_a_socket_and_still_work() {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut read_end, write_end) = std::io::pipe().unwrap();
        let null = std::fs::File::open("/dev/null").unwrap();
        send_fds(&a, [null.as_fd(), write_end.as_fd(), write_end.as_fd()]).unwrap();
        drop(write_end);
        let [_stdin, stdout, stderr] = receive_fds(&b).unwrap();
        std::fs::File::from(stdout).write_all(b"out ").unwrap();
        std::fs::File::from(stderr).write_all(b"err").unwrap();
        let mut got = String::new();
        read_end.read_to_string(&mut got).unwrap();
        assert_eq!(got, "out err");
    }

    #[test]
    fn a_message_without_descriptors_is_refused() {
        let (mut a, b) = UnixStream::pair().unwrap();
        a.write_all(b"F").unwrap();
        assert!(receive_fds(&b).is_err());
        drop(a);
        assert!(receive_fds(&b).is_err());
    }
}

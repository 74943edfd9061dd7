//! PID 1's host name, as systemd 252 sets it at boot (hostname_setup() in
//! src/shared/hostname-setup.c): the name `/etc/hostname` configures,
//! whatever the kernel's name is; without one, the kernel's name stays if
//! it is set, and "localhost" is set if not. It says what it did on the
//! console, before journald runs, so no journal holds those lines.
//!
//! This runs before anything reads the host name: the journal stamps its
//! lines with it and `%H` specifiers print it.

use std::io;
use std::path::Path;

use crate::syntax::hostname::{EtcHostnameError, etc_hostname, is_set};

/// What systemd sets where nothing configures a name and the kernel has
/// none (its fallback host name).
const FALLBACK_HOSTNAME: &str = "localhost";

/// The decision, before any system call: the name to set (None: leave
/// the kernel's alone) and what to say first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostnamePlan {
    pub name: Option<String>,
    pub messages: Vec<String>,
}

/// Decides from the bytes of `/etc/hostname` (or why they could not be
/// read) and the kernel's current name.
pub(crate) fn plan(etc: io::Result<Vec<u8>>, current: &str) -> HostnamePlan {
    let mut messages = Vec::new();
    let mut missing = false;
    let configured = match etc {
        Ok(bytes) => match etc_hostname(&String::from_utf8_lossy(&bytes)) {
            Ok(name) => Some(name),
            Err(EtcHostnameError::Empty) => {
                missing = true;
                None
            }
            Err(EtcHostnameError::Invalid) => {
                // glibc's strerror(EBADMSG); nix's text for it is another.
                messages.push("Failed to read configured hostname: Bad message".to_string());
                None
            }
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            missing = true;
            None
        }
        Err(e) => {
            messages.push(format!(
                "Failed to read configured hostname: {}",
                super::errno_text(&e)
            ));
            None
        }
    };
    let name = match configured {
        Some(name) => Some(name),
        // Nothing configured: a name the kernel has stays.
        None if is_set(current) => None,
        None => {
            if missing {
                messages.push("No hostname configured, using default hostname.".to_string());
            }
            Some(FALLBACK_HOSTNAME.to_string())
        }
    };
    // The name the kernel has already is not set again (systemd says so at
    // debug level only).
    HostnamePlan {
        name: name.filter(|n| n != current),
        messages,
    }
}

/// Sets the host name from `etc_hostname` (`/etc/hostname` as PID 1) and
/// returns what systemd would say on the console.
pub fn set_from(etc_hostname: &Path) -> Vec<String> {
    let current = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let HostnamePlan { name, mut messages } = plan(std::fs::read(etc_hostname), &current);
    if let Some(name) = name {
        match nix::unistd::sethostname(&name) {
            Ok(()) => messages.push(format!("Hostname set to <{name}>.")),
            Err(e) => messages.push(format!("Failed to set hostname to <{name}>: {}", e.desc())),
        }
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> io::Result<Vec<u8>> {
        Ok(text.as_bytes().to_vec())
    }

    fn missing() -> io::Result<Vec<u8>> {
        Err(io::Error::from_raw_os_error(nix::libc::ENOENT))
    }

    #[test]
    fn the_configured_name_replaces_the_kernels() {
        let p = plan(
            file("# the name this container has\n  Fromfile.example.com.\n"),
            "oracle",
        );
        assert_eq!(p.name.as_deref(), Some("Fromfile.example.com"));
        assert!(p.messages.is_empty());
    }

    #[test]
    fn the_name_the_kernel_has_is_not_set_again() {
        assert_eq!(
            plan(file("oracle\n"), "oracle"),
            HostnamePlan {
                name: None,
                messages: Vec::new()
            }
        );
    }

    #[test]
    fn without_a_configured_name_a_set_one_stays() {
        for etc in [missing(), file("# nothing\n")] {
            assert_eq!(
                plan(etc, "web"),
                HostnamePlan {
                    name: None,
                    messages: Vec::new()
                }
            );
        }
    }

    #[test]
    fn without_any_name_localhost_is_set() {
        let p = plan(missing(), "(none)");
        assert_eq!(p.name.as_deref(), Some("localhost"));
        assert_eq!(
            p.messages,
            ["No hostname configured, using default hostname."]
        );
        // An unreadable file is not a missing one: no such line.
        let p = plan(Err(io::Error::from_raw_os_error(nix::libc::EISDIR)), "");
        assert_eq!(p.name.as_deref(), Some("localhost"));
        assert_eq!(
            p.messages,
            ["Failed to read configured hostname: Is a directory"]
        );
    }

    #[test]
    fn an_invalid_name_is_a_warning_and_the_kernels_stays() {
        let p = plan(file("!!!\n"), "web");
        assert_eq!(p.name, None);
        assert_eq!(
            p.messages,
            ["Failed to read configured hostname: Bad message"]
        );
    }
}

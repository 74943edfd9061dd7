//! How a process ended, named the way systemd names it in `status`
//! ("code=exited, status=3/NOTIMPLEMENTED", "code=killed, status=15/TERM").

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Killed(i32),
    Dumped(i32),
}

impl ExitStatus {
    pub fn from_wait(status: WaitStatus) -> Option<(nix::unistd::Pid, ExitStatus)> {
        match status {
            WaitStatus::Exited(pid, code) => Some((pid, ExitStatus::Exited(code))),
            WaitStatus::Signaled(pid, sig, true) => Some((pid, ExitStatus::Dumped(sig as i32))),
            WaitStatus::Signaled(pid, sig, false) => Some((pid, ExitStatus::Killed(sig as i32))),
            _ => None,
        }
    }

    pub fn is_clean_exit(self) -> bool {
        matches!(self, ExitStatus::Exited(0))
    }

    /// systemd's `code=` word: exited, killed, dumped.
    pub fn code_word(self) -> &'static str {
        match self {
            ExitStatus::Exited(_) => "exited",
            ExitStatus::Killed(_) => "killed",
            ExitStatus::Dumped(_) => "dumped",
        }
    }

    /// The numeric status: the exit code or the signal number.
    pub fn status(self) -> i32 {
        match self {
            ExitStatus::Exited(n) | ExitStatus::Killed(n) | ExitStatus::Dumped(n) => n,
        }
    }

    /// `3/NOTIMPLEMENTED`, `15/TERM`, `0/SUCCESS`.
    pub fn status_text(self) -> String {
        match self {
            ExitStatus::Exited(n) => match exit_status_name(n) {
                Some(name) => format!("{n}/{name}"),
                None => n.to_string(),
            },
            ExitStatus::Killed(n) | ExitStatus::Dumped(n) => match Signal::try_from(n) {
                Ok(sig) => format!("{n}/{}", sig.as_str().trim_start_matches("SIG")),
                Err(_) => n.to_string(),
            },
        }
    }
}

/// The exit codes that LSB init scripts give a meaning (2 INVALIDARGUMENT
/// to 7 NOTRUNNING). systemd's journal names them; `systemctl status` does
/// not (it asks exit_status_to_string() for the libc and systemd classes).
pub fn is_lsb_exit_status(code: i32) -> bool {
    (2..=7).contains(&code)
}

/// systemd's names for exit codes (exit-status.c): the LSB ones and the
/// ones systemd itself uses when setting up a process fails.
pub fn exit_status_name(code: i32) -> Option<&'static str> {
    Some(match code {
        0 => "SUCCESS",
        1 => "FAILURE",
        2 => "INVALIDARGUMENT",
        3 => "NOTIMPLEMENTED",
        4 => "NOPERMISSION",
        5 => "NOTINSTALLED",
        6 => "NOTCONFIGURED",
        7 => "NOTRUNNING",
        200 => "CHDIR",
        201 => "NICE",
        202 => "FDS",
        203 => "EXEC",
        204 => "MEMORY",
        205 => "LIMITS",
        206 => "OOM_ADJUST",
        207 => "SIGNAL_MASK",
        208 => "STDIN",
        209 => "STDOUT",
        210 => "CHROOT",
        211 => "IOPRIO",
        212 => "TIMERSLACK",
        213 => "SECUREBITS",
        214 => "SETSCHEDULER",
        215 => "CPUAFFINITY",
        216 => "GROUP",
        217 => "USER",
        218 => "CAPABILITIES",
        219 => "CGROUP",
        220 => "SETSID",
        221 => "CONFIRM",
        222 => "STDERR",
        224 => "PAM",
        225 => "NETWORK",
        226 => "NAMESPACE",
        227 => "NO_NEW_PRIVILEGES",
        228 => "SECCOMP",
        229 => "SELINUX_CONTEXT",
        230 => "PERSONALITY",
        231 => "APPARMOR_PROFILE",
        232 => "ADDRESS_FAMILIES",
        233 => "RUNTIME_DIRECTORY",
        235 => "CHOWN",
        236 => "SMACK_PROCESS_LABEL",
        237 => "KEYRING",
        238 => "STATE_DIRECTORY",
        239 => "CACHE_DIRECTORY",
        240 => "LOGS_DIRECTORY",
        241 => "CONFIGURATION_DIRECTORY",
        242 => "NUMA_POLICY",
        243 => "CREDENTIALS",
        245 => "BPF",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_systemd() {
        assert_eq!(ExitStatus::Exited(3).status_text(), "3/NOTIMPLEMENTED");
        assert_eq!(ExitStatus::Killed(15).status_text(), "15/TERM");
        assert_eq!(ExitStatus::Exited(42).status_text(), "42");
        assert_eq!(ExitStatus::Dumped(6).code_word(), "dumped");
    }
}

//! Linux capabilities for `CapabilityBoundingSet=` and
//! `AmbientCapabilities=`: the names systemd accepts, sets as 64-bit masks,
//! and the system calls a child makes between fork and exec to apply them.

use nix::libc;

/// Capability names in kernel order (capability.h); the index is the
/// capability's number.
const NAMES: &[&str] = &[
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// Every capability the kernel may know (systemd's CAP_ALL).
pub const ALL: u64 = u64::MAX;

/// The number of a capability by name (any case, `CAP_` prefix required)
/// or by number.
pub fn capability_number(name: &str) -> Option<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return (n < 64).then_some(n);
    }
    let lower = name.to_ascii_lowercase();
    NAMES.iter().position(|n| *n == lower).map(|i| i as u32)
}

/// A setting's words as a mask: `~` before the first word of a line
/// inverts that line. The config keeps words, not lines, so an inverted
/// word runs to the next `~` word. Unknown names are skipped (the loader
/// warned about them). `None` when the list is empty: the setting is unset.
pub fn parse_set(words: &[String]) -> Option<u64> {
    if words.is_empty() {
        return None;
    }
    let mut result: Option<u64> = None;
    let mut groups: Vec<(bool, u64)> = Vec::new();
    for word in words {
        let (invert, name) = match word.strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, word.as_str()),
        };
        if invert || groups.is_empty() {
            groups.push((invert, 0));
        }
        if let (Some(n), Some(group)) = (capability_number(name), groups.last_mut()) {
            group.1 |= 1u64 << n;
        }
    }
    for (invert, mask) in groups {
        result = Some(match (invert, result) {
            (true, _) => !mask,
            (false, Some(prev)) => prev | mask,
            (false, None) => mask,
        });
    }
    result
}

/// The highest capability this kernel knows; read before fork.
pub fn last_capability() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

// ---- between fork and exec: system calls only ---------------------------

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// Drops from the bounding set every capability not in `keep`.
pub fn drop_bounding_set(keep: u64, last: u32) -> Result<(), i32> {
    for cap in 0..=last.min(63) {
        if keep & (1u64 << cap) != 0 {
            continue;
        }
        // SAFETY: prctl with integer arguments.
        let rc = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0) };
        if rc != 0 {
            return Err(errno());
        }
    }
    Ok(())
}

/// Keeps the permitted set across the coming setuid().
pub fn keep_capabilities_across_setuid() -> Result<(), i32> {
    // SAFETY: prctl with integer arguments.
    let rc = unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1, 0, 0, 0) };
    if rc != 0 { Err(errno()) } else { Ok(()) }
}

/// Makes `ambient` inheritable and raises it into the ambient set, so the
/// capabilities survive execve() of an ordinary program. Needs them in
/// the permitted set (kept across setuid by PR_SET_KEEPCAPS).
pub fn raise_ambient(ambient: u64, last: u32) -> Result<(), i32> {
    if ambient == 0 {
        return Ok(());
    }
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget/capset with a version-3 header and two data structs,
    // as the kernel expects for 64-bit capability sets.
    unsafe {
        if libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        ) != 0
        {
            return Err(errno());
        }
        data[0].inheritable |= ambient as u32;
        data[1].inheritable |= (ambient >> 32) as u32;
        // The effective set as the permitted one: after setuid() it was
        // emptied, and PR_CAP_AMBIENT_RAISE needs nothing effective, but
        // keeping effective == permitted is what a root service expects.
        data[0].effective = data[0].permitted;
        data[1].effective = data[1].permitted;
        if libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        ) != 0
        {
            return Err(errno());
        }
    }
    for cap in 0..=last.min(63) {
        if ambient & (1u64 << cap) == 0 {
            continue;
        }
        // SAFETY: prctl with integer arguments.
        let rc = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                cap as libc::c_ulong,
                0,
                0,
            )
        };
        if rc != 0 {
            return Err(errno());
        }
    }
    Ok(())
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(capability_number("CAP_NET_BIND_SERVICE"), Some(10));
        assert_eq!(capability_number("cap_chown"), Some(0));
        assert_eq!(capability_number("CAP_CHECKPOINT_RESTORE"), Some(40));
        assert_eq!(capability_number("NET_BIND_SERVICE"), None);
        assert_eq!(capability_number("12"), Some(12));
    }

    #[test]
    fn sets_from_words() {
        assert_eq!(parse_set(&[]), None);
        assert_eq!(
            parse_set(&words("CAP_NET_BIND_SERVICE CAP_CHOWN")),
            Some((1 << 10) | 1)
        );
        assert_eq!(parse_set(&words("~CAP_SYS_ADMIN")), Some(!(1u64 << 21)));
        assert_eq!(
            parse_set(&words("CAP_CHOWN ~CAP_CHOWN CAP_KILL")),
            Some(!((1u64) | (1 << 5)))
        );
        assert_eq!(parse_set(&words("CAP_BOGUS")), Some(0));
    }
}

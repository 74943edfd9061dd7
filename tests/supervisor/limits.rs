//! `Limit*=` where the supervisor may not raise a hard limit: started, as
//! Docker and most Kubernetes runtimes start a container's processes,
//! without CAP_SYS_RESOURCE and under a lowered hard limit, a service
//! asking for more starts with the closest limit (systemd 252's
//! setrlimit_closest()) instead of failing with 205/LIMITS.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::libc;

use crate::harness::Pod;

const CAP_SYS_RESOURCE: u32 = 24;

/// In the supervisor's child before exec: open files 1024:4096, and no
/// CAP_SYS_RESOURCE, in any set and not in the bounding set either (so
/// that a root supervisor does not get it back at exec).
fn as_in_a_container(command: &mut Command) {
    // SAFETY: only system calls, between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(io::Error::last_os_error());
            }
            let dropped = libc::prctl(
                libc::PR_CAPBSET_DROP,
                CAP_SYS_RESOURCE as libc::c_ulong,
                0,
                0,
                0,
            ) == 0;
            // Without CAP_SETPCAP (not root) the bounding set stays; such a
            // process has no capabilities to get back at exec anyway.
            if !dropped && libc::geteuid() == 0 {
                return Err(io::Error::last_os_error());
            }
            drop_from_own_sets(CAP_SYS_RESOURCE)
        });
    }
}

/// capget/capset (version 3: two 32-bit words per set), without `cap`.
fn drop_from_own_sets(cap: u32) -> io::Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let mut header = Header {
        version: 0x2008_0522,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget and capset with a version 3 header and two words.
    unsafe {
        if libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        let (word, bit) = ((cap / 32) as usize, 1u32 << (cap % 32));
        data[word].effective &= !bit;
        data[word].permitted &= !bit;
        data[word].inheritable &= !bit;
        if libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A service that says which limit of open files it got.
fn unit(description: &str, limit: &str) -> String {
    format!(
        "[Unit]\nDescription={description}\n[Service]\nAutostart=yes\n{limit}\n\
         ExecStart=/bin/sh -c 'echo \"%n: open files $(ulimit -Sn):$(ulimit -Hn)\"; exec sleep 60'\n"
    )
}

/// A capability set of /proc/PID/status ("CapEff", "CapBnd").
fn capability_set(pid: i32, name: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
        .unwrap_or_else(|| panic!("no {name} in {status}"))
}

#[test]
fn a_limit_above_the_hard_limit_starts_with_the_closest_one() {
    let pod = Pod::new(&[
        (
            "high.service",
            &unit("Above the hard limit", "LimitNOFILE=65535"),
        ),
        (
            "pair.service",
            &unit("Soft and hard above it", "LimitNOFILE=2048:8192"),
        ),
        ("endless.service", &unit("No limit", "LimitNOFILE=infinity")),
        ("below.service", &unit("Below it", "LimitNOFILE=512")),
    ]);
    let mut sup = pod.start_adjusted(as_in_a_container);
    // The supervisor runs as a container's processes do.
    let cap = 1 << CAP_SYS_RESOURCE;
    assert_eq!(capability_set(sup.pid(), "CapEff") & cap, 0);
    if nix::unistd::geteuid().is_root() {
        assert_eq!(capability_set(sup.pid(), "CapBnd") & cap, 0);
    }
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", sup.pid())).unwrap();
    assert!(
        limits
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["Max", "open", "files", "1024", "4096", "files"]),
        "{limits}"
    );
    for line in [
        "Started high.service - Above the hard limit.",
        "Started pair.service - Soft and hard above it.",
        "Started endless.service - No limit.",
        "Started below.service - Below it.",
        // Both capped at the hard limit in force, as systemd does.
        "high.service: open files 4096:4096",
        "endless.service: open files 4096:4096",
        // The soft limit asked for is below it, and kept.
        "pair.service: open files 2048:4096",
        "below.service: open files 512:512",
    ] {
        sup.wait_for(line);
    }
    let out = sup.stop();
    // systemd says nothing of it but at debug level.
    assert!(!out.contains("resource limit"), "{out}");
    assert!(!out.contains("LIMITS"), "{out}");
}

//! The cgroup v2 interface files runr reads and writes, as pure functions
//! from a pool's settings to the text the kernel expects and from the
//! kernel's text to numbers. No I/O here but device resolution, which
//! takes the sysfs root as a parameter so that tests can fake it.

use std::collections::BTreeSet;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use crate::config::pool::{CpuMax, IoField, MemoryLimit, Pool};

/// cpu.max's period when `CpuMax=` is a percentage (systemd's default
/// CPUQuotaPeriodSec=100ms).
pub const CPU_PERIOD_USEC: u64 = 100_000;
/// The kernel refuses quotas under 1 ms.
const CPU_QUOTA_MIN_USEC: u64 = 1_000;

/// The controllers a pool's settings need, by their cgroup names.
pub fn needed_controllers(pool: &Pool) -> BTreeSet<&'static str> {
    let mut needed = BTreeSet::new();
    if pool.memory_max.is_some() || pool.memory_high.is_some() {
        needed.insert("memory");
    }
    if pool.cpu_max.is_some() || pool.cpu_weight.is_some() {
        needed.insert("cpu");
    }
    if pool.io_weight.is_some() || !pool.io_max.is_empty() {
        needed.insert("io");
    }
    if pool.tasks_max.is_some() {
        needed.insert("pids");
    }
    needed
}

/// `cgroup.controllers` / `cgroup.subtree_control`: space-separated names.
pub fn parse_controllers(text: &str) -> BTreeSet<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// memory.max / memory.high: bytes, or `max`. A percentage is of
/// `physical` bytes of RAM.
pub fn memory_value(limit: Option<MemoryLimit>, physical: u64) -> String {
    match limit {
        None | Some(MemoryLimit::Infinity) => "max".to_string(),
        Some(MemoryLimit::Bytes(n)) => n.to_string(),
        Some(MemoryLimit::Permille(p)) => {
            let bytes = u128::from(physical) * u128::from(p) / 1000;
            u64::try_from(bytes).unwrap_or(u64::MAX).to_string()
        }
    }
}

/// cpu.max: a percentage of one CPU over a 100 ms period, the raw form
/// as written, or `max` (no limit).
pub fn cpu_max_value(pool: &Pool) -> String {
    match &pool.cpu_max {
        Some(CpuMax::Raw(raw)) => raw.clone(),
        Some(CpuMax::Permille(permille)) => {
            let quota = (u64::from(*permille) * CPU_PERIOD_USEC / 1000).max(CPU_QUOTA_MIN_USEC);
            format!("{quota} {CPU_PERIOD_USEC}")
        }
        None => format!("max {CPU_PERIOD_USEC}"),
    }
}

/// pids.max: a number or `max`.
pub fn pids_max_value(tasks_max: Option<Option<u64>>) -> String {
    match tasks_max.flatten() {
        Some(n) => n.to_string(),
        None => "max".to_string(),
    }
}

/// One io.max line per `IOMax=` disk: `MAJ:MIN` and the fields set, as
/// `rbps=N wbps=N riops=N wiops=N` (`max` for no limit). Devices are
/// resolved through `resolve`; entries whose device cannot be found come
/// back as errors naming the path.
pub fn io_max_lines(
    pool: &Pool,
    resolve: &dyn Fn(&Path) -> io::Result<(u32, u32)>,
) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for entry in &pool.io_max {
        match resolve(Path::new(&entry.path)) {
            Ok((major, minor)) => {
                let mut line = format!("{major}:{minor}");
                for field in IoField::ALL {
                    if let Some(rate) = field.get(entry) {
                        let value = rate.map_or_else(|| "max".to_string(), |n| n.to_string());
                        line.push_str(&format!(" {}={value}", field.kernel_key()));
                    }
                }
                lines.push(line);
            }
            Err(e) => errors.push(format!(
                "Failed to resolve the block device of {}: {e}",
                entry.path
            )),
        }
    }
    (lines, errors)
}

/// The whole-disk block device behind `path`, as io.max wants it: a block
/// device node stands for itself (st_rdev), any other file for the device
/// of its file system (st_dev); a partition is replaced by its disk, found
/// through `<sysfs>/dev/block/MAJ:MIN/../dev`.
pub fn resolve_block_device(path: &Path, sysfs: &Path) -> io::Result<(u32, u32)> {
    let meta = std::fs::metadata(path)?;
    let dev = if meta.file_type().is_block_device() {
        meta.rdev()
    } else {
        meta.dev()
    };
    let (major, minor) = (
        nix::sys::stat::major(dev) as u32,
        nix::sys::stat::minor(dev) as u32,
    );
    if major == 0 {
        // Anonymous devices: overlayfs, tmpfs, proc ... no disk to limit.
        return Err(io::Error::other(format!(
            "{} is not on a block device (device {major}:{minor})",
            path.display()
        )));
    }
    let node = sysfs.join(format!("dev/block/{major}:{minor}"));
    if node.join("partition").exists() {
        let whole = std::fs::read_to_string(node.join("../dev"))?;
        return parse_device_number(whole.trim()).ok_or_else(|| {
            io::Error::other(format!("unreadable device number '{}'", whole.trim()))
        });
    }
    Ok((major, minor))
}

/// `8:0` -> (8, 0).
pub fn parse_device_number(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// memory.current: one number of bytes.
pub fn parse_memory_current(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// cpu.stat's `usage_usec` line.
pub fn parse_cpu_usage_usec(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix("usage_usec "))
        .and_then(|n| n.trim().parse().ok())
}

/// /proc/PID/statm's second field: resident pages.
pub fn parse_statm_resident_pages(text: &str) -> Option<u64> {
    text.split_whitespace().nth(1)?.parse().ok()
}

/// /proc/self/cgroup's unified line `0::/path`: the process's cgroup v2 path.
pub fn parse_own_cgroup(text: &str) -> Option<String> {
    text.lines()
        .find_map(|line| line.strip_prefix("0::"))
        .map(str::to_string)
}

/// The mount point of the cgroup2 file system, from /proc/self/mountinfo
/// (`ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE ...`).
pub fn parse_cgroup2_mount(mountinfo: &str) -> Option<String> {
    mountinfo.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let fstype = right.split_whitespace().next()?;
        (fstype == "cgroup2").then(|| left.split_whitespace().nth(4).map(str::to_string))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::pool::IoMax;

    fn pool() -> Pool {
        Pool {
            name: "db".into(),
            ..Pool::default()
        }
    }

    #[test]
    fn controllers_follow_the_settings() {
        let mut p = pool();
        assert!(needed_controllers(&p).is_empty());
        p.memory_high = Some(MemoryLimit::Bytes(1));
        p.cpu_max = Some(CpuMax::Permille(500));
        p.tasks_max = Some(None);
        p.io_max.push(IoMax {
            path: "/".into(),
            write_bps: Some(None),
            ..IoMax::default()
        });
        assert_eq!(
            needed_controllers(&p).into_iter().collect::<Vec<_>>(),
            ["cpu", "io", "memory", "pids"]
        );
        assert_eq!(
            parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n").len(),
            8
        );
        assert!(parse_controllers("\n").is_empty());
    }

    #[test]
    fn memory_values() {
        assert_eq!(memory_value(None, 1000), "max");
        assert_eq!(memory_value(Some(MemoryLimit::Infinity), 1000), "max");
        assert_eq!(
            memory_value(Some(MemoryLimit::Bytes(4 << 30)), 0),
            "4294967296"
        );
        assert_eq!(
            memory_value(Some(MemoryLimit::Permille(500)), 8 << 30),
            "4294967296"
        );
        assert_eq!(
            memory_value(Some(MemoryLimit::Permille(1000)), u64::MAX),
            u64::MAX.to_string()
        );
    }

    #[test]
    fn cpu_max_from_quota_or_raw() {
        let mut p = pool();
        assert_eq!(cpu_max_value(&p), "max 100000");
        p.cpu_max = Some(CpuMax::Permille(2000));
        assert_eq!(cpu_max_value(&p), "200000 100000");
        p.cpu_max = Some(CpuMax::Permille(1500));
        assert_eq!(cpu_max_value(&p), "150000 100000");
        p.cpu_max = Some(CpuMax::Permille(5)); // 0.5%: raised to the kernel's minimum
        assert_eq!(cpu_max_value(&p), "1000 100000");
        p.cpu_max = Some(CpuMax::Raw("50000 200000".into()));
        assert_eq!(cpu_max_value(&p), "50000 200000");
        p.cpu_max = Some(CpuMax::Raw("max".into()));
        assert_eq!(cpu_max_value(&p), "max");
    }

    #[test]
    fn pids_values() {
        assert_eq!(pids_max_value(None), "max");
        assert_eq!(pids_max_value(Some(None)), "max");
        assert_eq!(pids_max_value(Some(Some(512))), "512");
    }

    #[test]
    fn io_max_lines_per_entry() {
        let mut p = pool();
        p.io_max.push(IoMax {
            path: "/var/lib".into(),
            read_bps: Some(Some(50 << 20)),
            write_bps: Some(None),
            ..IoMax::default()
        });
        p.io_max.push(IoMax {
            path: "/missing".into(),
            write_bps: Some(Some(1)),
            ..IoMax::default()
        });
        p.io_max.push(IoMax {
            path: "/pgdata".into(),
            read_bps: Some(Some(500 << 20)),
            write_bps: Some(Some(200 << 20)),
            read_iops: Some(Some(10000)),
            write_iops: Some(Some(5000)),
        });
        p.io_max.push(IoMax {
            path: "/pgdata".into(),
            write_iops: Some(None),
            ..IoMax::default()
        });
        let resolve = |path: &Path| {
            if path == Path::new("/var/lib") {
                Ok((8, 0))
            } else if path == Path::new("/pgdata") {
                Ok((259, 0))
            } else {
                Err(io::Error::from_raw_os_error(nix::libc::ENOENT))
            }
        };
        let (lines, errors) = io_max_lines(&p, &resolve);
        assert_eq!(
            lines,
            [
                "8:0 rbps=52428800 wbps=max",
                "259:0 rbps=524288000 wbps=209715200 riops=10000 wiops=5000",
                "259:0 wiops=max",
            ]
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with("Failed to resolve the block device of /missing: "));
    }

    #[test]
    fn device_of_a_file_is_its_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let dev = std::fs::metadata(&file).unwrap().dev();
        let (major, minor) = (
            nix::sys::stat::major(dev) as u32,
            nix::sys::stat::minor(dev) as u32,
        );
        let sysfs = tempfile::tempdir().unwrap();
        let result = resolve_block_device(&file, sysfs.path());
        if major == 0 {
            let e = result.unwrap_err().to_string();
            assert!(e.contains("is not on a block device"), "{e}");
            return;
        }
        assert_eq!(result.unwrap(), (major, minor));
        // Make that device a partition of disk 259:7 in the fake sysfs.
        let disk = sysfs.path().join("disk");
        let part = disk.join("part");
        std::fs::create_dir_all(&part).unwrap();
        std::fs::write(disk.join("dev"), "259:7\n").unwrap();
        std::fs::write(part.join("partition"), "1\n").unwrap();
        let block = sysfs.path().join("dev/block");
        std::fs::create_dir_all(&block).unwrap();
        std::os::unix::fs::symlink(&part, block.join(format!("{major}:{minor}"))).unwrap();
        assert_eq!(resolve_block_device(&file, sysfs.path()).unwrap(), (259, 7));
    }

    #[test]
    fn device_of_a_missing_path_fails() {
        let sysfs = tempfile::tempdir().unwrap();
        assert!(resolve_block_device(Path::new("/no/such/path/here"), sysfs.path()).is_err());
    }

    #[test]
    fn kernel_text_parsers() {
        assert_eq!(parse_memory_current("123456\n"), Some(123456));
        assert_eq!(parse_memory_current("max\n"), None);
        assert_eq!(
            parse_cpu_usage_usec("usage_usec 5321\nuser_usec 4000\nsystem_usec 1321\n"),
            Some(5321)
        );
        assert_eq!(parse_cpu_usage_usec("user_usec 1\n"), None);
        assert_eq!(
            parse_statm_resident_pages("51234 1200 300 1 0 900 0\n"),
            Some(1200)
        );
        assert_eq!(parse_statm_resident_pages(""), None);
        assert_eq!(parse_device_number("8:16"), Some((8, 16)));
        assert_eq!(parse_device_number("8"), None);
        assert_eq!(
            parse_own_cgroup("9:name=systemd:/\n1:cpu:/\n0::/kubepods/pod1\n").as_deref(),
            Some("/kubepods/pod1")
        );
        assert_eq!(parse_own_cgroup("1:cpu:/\n"), None);
        let mountinfo = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n\
                         41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
        assert_eq!(
            parse_cgroup2_mount(mountinfo).as_deref(),
            Some("/sys/fs/cgroup/unified")
        );
        assert_eq!(
            parse_cgroup2_mount("31 23 0:28 / /x rw - tmpfs tmpfs rw\n"),
            None
        );
    }
}

//! Pools (`.cgroup` files) and MaxMemoryRSS= on the real binary. What a
//! pool can do depends on the machine: each test finds out at run time,
//! asserts the real effect where the kernel allows it and the documented
//! note where it does not, and prints which case it tested.

use std::path::{Path, PathBuf};
use std::time::Duration;

use runr::control::client::Client;

use super::harness::Pod;

/// A fresh group under the cgroup2 mount for one supervisor's subtree
/// ($RUNR_CGROUP_ROOT), removed on drop; None where cgroup v2 is missing
/// or not writable.
struct Subtree(PathBuf);

impl Subtree {
    fn create(tag: &str) -> Option<Subtree> {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        let mount = runr::cgroup::files::parse_cgroup2_mount(&mountinfo)?;
        let dir = Path::new(&mount).join(format!("runr-test-{tag}-{}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        Some(Subtree(dir))
    }

    fn controllers(&self) -> String {
        std::fs::read_to_string(self.0.join("cgroup.controllers")).unwrap_or_default()
    }

    fn has(&self, controller: &str) -> bool {
        self.controllers()
            .split_whitespace()
            .any(|c| c == controller)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.0.join(file)).unwrap_or_default()
    }
}

impl Drop for Subtree {
    fn drop(&mut self) {
        // runr removes its pools at exit; after a failed test, services
        // of a killed supervisor may still be in them: kill those
        // (cgroup.kill) and give the kernel a moment to empty the groups.
        let pools: Vec<PathBuf> = std::fs::read_dir(&self.0)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        for pool in &pools {
            let _ = std::fs::write(pool.join("cgroup.kill"), "1");
        }
        for _ in 0..50 {
            for pool in &pools {
                let _ = std::fs::remove_dir(pool);
            }
            if std::fs::remove_dir(&self.0).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The subtree's path for the supervisor: the real one, or a directory
/// that is no cgroup (runr says it cannot use it and carries on).
fn cgroup_root(pod: &Pod, subtree: &Option<Subtree>) -> String {
    match subtree {
        Some(s) => s.0.display().to_string(),
        None => pod.dir().join("no-cgroup").display().to_string(),
    }
}

#[test]
fn max_memory_rss_kills_a_service_that_grows_over_it() {
    let pod = Pod::new(&[(
        "hog.service",
        "[Unit]\nDescription=Memory hog\n[Service]\nAutostart=yes\nMaxMemoryRSS=50M\n\
         ExecStart=python3 -c 'a = bytearray(200*1024*1024); print(\"allocated\", flush=True); import time; time.sleep(60)'\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("allocated");
    sup.wait_for("over MaxMemoryRSS=52428800; killing it.");
    sup.wait_for("hog.service: Failed with result 'oom-kill'.");
    let out = sup.stop();
    assert!(
        out.contains("hog.service: Main process ")
            && out.contains(" bytes of memory, over MaxMemoryRSS="),
        "{out}"
    );
}

#[test]
fn a_service_under_its_max_memory_rss_runs_on() {
    let pod = Pod::new(&[(
        "small.service",
        "[Unit]\nDescription=Small\n[Service]\nAutostart=yes\nMaxMemoryRSS=500M\nExecStart=/bin/sleep 60\n",
    )]);
    let mut sup = pod.start();
    sup.wait_for("Started small.service - Small.");
    // Two checks pass (one every 2 s).
    std::thread::sleep(Duration::from_millis(4500));
    let out = sup.stop();
    assert!(!out.contains("MaxMemoryRSS"), "{out}");
    assert!(out.contains("Stopped small.service - Small."), "{out}");
}

#[test]
fn a_memory_pool_applies_where_the_controller_is_and_is_noted_once_where_not() {
    let subtree = Subtree::create("memory");
    let pod = Pod::new(&[
        (
            "db.cgroup",
            "[Unit]\nDescription=Database pool\n[Cgroup]\nMemoryMax=256M\n",
        ),
        (
            "db.service",
            "[Unit]\nDescription=Database\n[Service]\nAutostart=yes\nCgroup=db\nExecStart=/bin/sleep 60\n",
        ),
        (
            "pooler.service",
            "[Unit]\nDescription=Pooler\n[Service]\nAutostart=yes\nCgroup=db\nExecStart=/bin/sleep 61\n",
        ),
    ]);
    let root = cgroup_root(&pod, &subtree);
    let mut sup = pod.start_with_env(&[("RUNR_CGROUP_ROOT", &root)]);
    sup.wait_for("Started db.service - Database.");
    sup.wait_for("Started pooler.service - Pooler.");
    let out = sup.output().to_string();
    let notes = out.lines().filter(|l| l.contains("cgroup: ")).count();
    match &subtree {
        None => {
            println!("case: no writable cgroup v2; runr notes it and runs the services");
            assert_eq!(notes, 1, "{out}");
            assert!(
                out.contains(&format!("cgroup: cannot use {root}: ")),
                "{out}"
            );
        }
        Some(s) if s.has("memory") => {
            println!("case: memory controller available; memory.max written and services joined");
            assert_eq!(notes, 0, "{out}");
            assert_eq!(
                s.read("pool-db/memory.max").trim(),
                (256u64 << 20).to_string()
            );
            let procs = s.read("pool-db/cgroup.procs");
            assert_eq!(procs.lines().count(), 2, "{procs:?}\n{out}");
        }
        Some(s) => {
            println!(
                "case: cgroup v2 without the memory controller ({}); one note, services joined the pool anyway",
                s.controllers().trim()
            );
            assert_eq!(notes, 1, "{out}");
            assert!(
                out.contains("cgroup: the memory controller is not available in "),
                "{out}"
            );
            let procs = s.read("pool-db/cgroup.procs");
            assert_eq!(procs.lines().count(), 2, "{procs:?}\n{out}");
        }
    }
    if let Some(s) = &subtree {
        // /metrics reports the pool; CPU time is accounted without any
        // controller, memory only with the memory controller.
        let metrics = Client::unix(pod.socket()).metrics().unwrap();
        assert!(
            metrics.contains("runr_pool_cpu_seconds_total{pool=\"db\"} "),
            "{metrics}"
        );
        assert_eq!(
            metrics.contains("runr_pool_memory_bytes{pool=\"db\"} "),
            s.has("memory"),
            "{metrics}"
        );
    }
    let out = sup.stop();
    assert!(out.contains("Stopped db.service - Database."), "{out}");
    if let Some(s) = &subtree {
        assert!(!s.0.join("pool-db").exists(), "runr left its pool behind");
    }
}

#[test]
fn a_cpu_quota_throttles_where_the_cpu_controller_is_delegated() {
    let subtree = Subtree::create("cpu");
    let pod = Pod::new(&[
        ("batch.cgroup", "[Cgroup]\nCPUQuota=20%\n"),
        (
            "spin.service",
            "[Unit]\nDescription=Spinner\n[Service]\nAutostart=yes\nCgroup=batch\nExecStart=/bin/sh -c 'while :; do :; done'\n",
        ),
    ]);
    let root = cgroup_root(&pod, &subtree);
    let mut sup = pod.start_with_env(&[("RUNR_CGROUP_ROOT", &root)]);
    sup.wait_for("Started spin.service - Spinner.");
    std::thread::sleep(Duration::from_millis(1500));
    let out = sup.output().to_string();
    match &subtree {
        Some(s) if s.has("cpu") => {
            println!("case: cpu controller delegated; cpu.max written and the spinner throttled");
            assert_eq!(s.read("pool-batch/cpu.max").trim(), "20000 100000");
            let stat = s.read("pool-batch/cpu.stat");
            let field = |name: &str| -> u64 {
                stat.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name} ")))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0)
            };
            assert!(field("nr_throttled") > 0, "{stat}");
            // 1.5 s at 20% of one CPU is 0.3 s; allow for the start.
            assert!(field("usage_usec") < 700_000, "{stat}");
        }
        Some(s) => {
            println!(
                "case: cgroup v2 without the cpu controller ({}); the documented note, the spinner runs unthrottled",
                s.controllers().trim()
            );
            assert!(
                out.contains("cgroup: the cpu controller is not available in ")
                    && out
                        .contains("the CPUQuota=/CPUMax=/CPUWeight= of pool batch are not applied"),
                "{out}"
            );
            assert!(!s.0.join("pool-batch/cpu.max").exists());
        }
        None => {
            println!("case: no writable cgroup v2; runr notes it and runs the service");
            assert!(
                out.contains(&format!("cgroup: cannot use {root}: ")),
                "{out}"
            );
        }
    }
    let out = sup.stop();
    assert!(out.contains("Stopped spin.service - Spinner."), "{out}");
}

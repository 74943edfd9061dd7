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
        // runr removes its groups at exit; after a failed test, services
        // of a killed supervisor may still be in them: kill those
        // (cgroup.kill reaches the whole subtree) and give the kernel a
        // moment to empty the groups, then remove them deepest first.
        let _ = std::fs::write(self.0.join("cgroup.kill"), "1");
        let mut groups = Vec::new();
        collect_groups(&self.0, &mut groups);
        for _ in 0..50 {
            for group in groups.iter().rev() {
                let _ = std::fs::remove_dir(group);
            }
            if !self.0.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `dir` and the groups below it, parents before children.
fn collect_groups(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect_groups(&entry.path(), out);
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
            assert_eq!(s.read("db/memory.max").trim(), (256u64 << 20).to_string());
            let procs = s.read("db/cgroup.procs");
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
            let procs = s.read("db/cgroup.procs");
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
        assert!(!s.0.join("db").exists(), "runr left its pool behind");
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
            assert_eq!(s.read("batch/cpu.max").trim(), "20000 100000");
            let stat = s.read("batch/cpu.stat");
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
                    && out.contains("the CpuMax=/CPUWeight= of pool batch are not applied"),
                "{out}"
            );
            assert!(!s.0.join("batch/cpu.max").exists());
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

/// The `sleep` arguments of the processes in a group: which services are
/// in it.
fn sleepers(s: &Subtree, group: &str) -> Vec<String> {
    let mut args: Vec<String> = s
        .read(&format!("{group}/cgroup.procs"))
        .lines()
        .filter_map(|pid| std::fs::read(format!("/proc/{}/cmdline", pid.trim())).ok())
        .filter_map(|cmdline| {
            let words: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            (words.first().is_some_and(|w| w.ends_with("sleep"))).then(|| words[1].clone())
        })
        .collect();
    args.sort();
    args
}

/// A pool file as runr's own documentation writes it, joined with each form
/// of Cgroup=. This machine's cgroup2 may offer no memory, cpu or io
/// controller to the test's subtree (the one this was written on offers
/// none), so the limits themselves are checked only where the controller
/// is; what is always seen is where the groups are, which services are in
/// them, and the documented note for each controller that is missing.
#[test]
fn a_pool_file_in_the_readme_form_is_joined_by_name_by_group_and_by_procs_file() {
    let subtree = Subtree::create("readme");
    let pod = Pod::new(&[]);
    let data = pod.dir().join("pgdata");
    std::fs::create_dir(&data).unwrap();
    pod.add(
        "database.cgroup",
        &format!(
            "[Cgroup]\n\
             Name=pg-pool               # the group at the cgroup root\n\
             # a whole comment line, where Path= could go\n\
             MemoryMax=4G               # limit on memory\n\
             CpuMax=200%                # two CPUs\n\
             IOMax={} read_bps:500M write_bps:200M read_iops:10000 write_iops:5000\n",
            data.display()
        ),
    );
    pod.add(
        "custom.cgroup",
        "[Cgroup]\nPath=/sys/fs/cgroup/custom-name   # an explicit path\nTasksMax=64\n",
    );
    let service = |name: &str, key_value: &str, seconds: u32| {
        pod.add(
            &format!("{name}.service"),
            &format!(
                "[Unit]\nDescription={name}\n[Service]\nAutostart=yes\n{key_value}\nExecStart=/bin/sleep {seconds}\n"
            ),
        );
    };
    service("by-name", "Cgroup=pg-pool", 9001);
    service(
        "by-procs",
        "Cgroup=/sys/fs/cgroup/pg-pool/cgroup.procs",
        9002,
    );
    service("by-dir", "Cgroup=/sys/fs/cgroup/pg-pool", 9003);
    service(
        "by-alias",
        "CgroupProcPidsFile=/sys/fs/cgroup/pg-pool/cgroup.procs",
        9004,
    );
    service("custom", "Cgroup=custom", 9005);
    service("custom-path", "Cgroup=/sys/fs/cgroup/custom-name", 9006);
    service("shared", "Cgroup=/sys/fs/cgroup/shared/cgroup.procs", 9007);
    let root = cgroup_root(&pod, &subtree);
    let mut sup = pod.start_with_env(&[("RUNR_CGROUP_ROOT", &root)]);
    for name in [
        "by-name",
        "by-procs",
        "by-dir",
        "by-alias",
        "custom",
        "custom-path",
        "shared",
    ] {
        sup.wait_for(&format!("Started {name}.service - {name}."));
    }
    let out = sup.output().to_string();
    assert!(
        !out.contains("Invalid"),
        "the README's lines are all good: {out}"
    );
    let Some(s) = &subtree else {
        println!("case: no writable cgroup v2; runr notes it and runs the services");
        assert!(
            out.contains(&format!("cgroup: cannot use {root}: ")),
            "{out}"
        );
        sup.stop();
        return;
    };
    println!(
        "case: a writable cgroup v2 subtree with controllers '{}'",
        s.controllers().trim()
    );
    // Name=pg-pool is the group pg-pool at the root, and each form of
    // Cgroup= joins it.
    assert_eq!(
        sleepers(s, "pg-pool"),
        ["9001", "9002", "9003", "9004"],
        "{out}"
    );
    assert_eq!(sleepers(s, "custom-name"), ["9005", "9006"], "{out}");
    assert_eq!(sleepers(s, "shared"), ["9007"], "{out}");
    assert!(
        out.contains(&format!(
            "cgroup: no pool file sets limits for {root}/shared; its services join it without limits."
        )),
        "{out}"
    );
    assert!(!s.0.join("pool-pg-pool").exists());
    for (controller, settings) in [
        ("memory", "MemoryMax=/MemoryHigh="),
        ("cpu", "CpuMax=/CPUWeight="),
        ("io", "IOWeight=/IOMax="),
        ("pids", "TasksMax="),
    ] {
        let note = format!(
            "cgroup: the {controller} controller is not available in {root}; the {settings} of pool "
        );
        assert_eq!(
            out.matches(&note).count(),
            usize::from(!s.has(controller)),
            "the note where {controller} is missing, once\n{out}"
        );
    }
    if s.has("memory") {
        assert_eq!(
            s.read("pg-pool/memory.max").trim(),
            (4u64 << 30).to_string()
        );
    }
    if s.has("cpu") {
        assert_eq!(s.read("pg-pool/cpu.max").trim(), "200000 100000");
    }
    if s.has("pids") {
        assert_eq!(s.read("custom-name/pids.max").trim(), "64");
    }
    let out = sup.stop();
    for group in ["pg-pool", "custom-name", "shared"] {
        assert!(!s.0.join(group).exists(), "runr removed {group}\n{out}");
    }
}

#[test]
fn each_service_gets_a_group_and_a_stop_reaches_what_escaped_its_process_group() {
    let subtree = Subtree::create("units");
    let pod = Pod::new(&[]);
    let pid_file = pod.dir().join("escaped.pid");
    pod.add(
        "escaper.service",
        &format!(
            "[Unit]\nDescription=Escaper\n[Service]\nAutostart=yes\n\
             ExecStart=/bin/sh -c 'setsid /bin/sleep 987661 & echo $! > {}; exec /bin/sleep 60'\n",
            pid_file.display()
        ),
    );
    let Some(s) = &subtree else {
        println!("case: no writable cgroup v2; nothing to test here");
        return;
    };
    println!("case: a writable cgroup v2 subtree; the service gets its own group");
    let root = cgroup_root(&pod, &subtree);
    let mut sup = pod.start_with_env(&[("RUNR_CGROUP_ROOT", &root)]);
    sup.wait_for("Started escaper.service - Escaper.");
    let escaped = wait_for_pid(&pid_file);
    let members = s.read("system.slice/escaper.service/cgroup.procs");
    assert!(
        members.lines().any(|l| l.trim() == escaped.to_string()),
        "the detached process is in the service's group: {members:?}"
    );
    let out = sup.stop();
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !super::harness::alive(escaped)
    });
    if !gone {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(escaped),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(gone, "the stop reached the detached process\n{out}");
    assert!(
        !s.0.join("system.slice/escaper.service").exists(),
        "the group is removed once empty\n{out}"
    );
}

fn wait_for_pid(path: &Path) -> i32 {
    for _ in 0..250 {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} was not written", path.display());
}

//! runr's README, tried as its reader would: its own files in /etc/runr of
//! a guest with runr as PID 1 (tests/e2e/readme_pod, programs changed to
//! Debian's), and what the README says each does.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::guest::Guest;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/readme_pod")
        .join(name)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A directory owned by postgres, as the image would have it.
fn postgres_dir(mode: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let postgres = nix::unistd::User::from_name("postgres")
        .unwrap()
        .expect("a postgres user (apt-get install postgresql)");
    nix::unistd::chown(dir.path(), Some(postgres.uid), Some(postgres.gid)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    dir
}

/// Extra files the test writes: (name in /etc/runr, text).
fn written(dir: &Path, files: &[(&str, &str)]) -> Vec<(PathBuf, String)> {
    files
        .iter()
        .map(|(name, text)| {
            let host = dir.join(name);
            std::fs::write(&host, text).unwrap();
            (host, format!("/etc/runr/{name}"))
        })
        .collect()
}

#[test]
fn the_readme_pod_runs_as_the_readme_says() {
    let scratch = tempfile::tempdir().unwrap();
    let pgdata = postgres_dir(0o700);
    let run_postgresql = postgres_dir(0o2775);
    let mut files: Vec<(PathBuf, String)> = [
        "my-app.service",
        "postgresql.service",
        "pg-exporter.service",
        "backup.service",
        "backup.timer",
        "pg-pool.cgroup",
        "syslog.conf",
    ]
    .iter()
    .map(|name| (fixture(name), format!("/etc/runr/{name}")))
    .collect();
    files.push((
        fixture("pg-preflight-check.sh"),
        "/usr/local/bin/pg-preflight-check.sh".into(),
    ));
    files.push((fixture("pg_exporter.env"), "/etc/pg_exporter/env".into()));
    files.push((pgdata.path().to_path_buf(), "/pgdata".into()));
    files.push((run_postgresql.path().to_path_buf(), "/run/postgresql".into()));
    // The ClickHouse pod's cleanup timer, its hours shortened to seconds,
    // and a service that fails until a file appears.
    files.extend(written(
        scratch.path(),
        &[
            (
                "cleanup.service",
                "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'date +%%s.%%N >> /var/log/cleanup-runs'\nAutostart=no\nRestart=no\n",
            ),
            (
                "cleanup.timer",
                "[Timer]\nOnStartupSec=1s\nOnUnitInactiveSec=2s\n",
            ),
            (
                "flaky.service",
                "[Unit]\nStartLimitIntervalSec=1s\nStartLimitBurst=2\n[Service]\nExecStart=/bin/sh -c 'test -f /etc/flaky-ok || exit 1; exec sleep 600'\nRestart=on-failure\nRestartSec=0\n",
            ),
        ],
    ));
    let files: Vec<(PathBuf, &str)> = files.iter().map(|(h, g)| (h.clone(), g.as_str())).collect();
    let guest = Guest::boot_with(None, &files, &[], &["supervisor"]);
    let console = || guest.console();

    // Quick start: my-app runs at boot without `enable`, its lines go to
    // the console and to its log file.
    let out = guest.wait_until_ok("systemctl is-active -q my-app.service");
    assert!(out.status.success(), "{}", console());
    assert_eq!(stdout(&guest.sh("systemctl is-enabled my-app")), "enabled\n");
    assert!(guest.wait_for_console("my-app up as "), "{}", console());
    let log = guest.wait_until_ok("grep -q 'my-app warming up' /var/log/my-app/my-app.log && cat /var/log/my-app/my-app.log");
    assert!(log.status.success(), "{}", console());
    // Restarted after RestartSec=5s once it dies.
    let pid = stdout(&guest.sh("systemctl show -p MainPID --value my-app"));
    guest.sh(&format!("kill -9 {}", pid.trim()));
    let restarted = guest.wait_until_ok(&format!(
        "test \"$(systemctl show -p NRestarts --value my-app)\" = 1 && systemctl is-active -q my-app && test \"$(systemctl show -p MainPID --value my-app)\" != {}",
        pid.trim()
    ));
    assert!(restarted.status.success(), "{}", console());

    // PostgreSQL, forking, found by its PID file, in the shared pool.
    let query = "psql -h /var/run/postgresql -U postgres -d postgres -Atc 'select 40 + 2'";
    let out = guest.wait_until_ok(query);
    assert_eq!(
        stdout(&out),
        "42\n",
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        console()
    );
    for unit in ["postgresql", "pg-exporter"] {
        let out = guest.wait_until_ok(&format!(
            "grep -q pg-pool /proc/$(systemctl show -p MainPID --value {unit})/cgroup"
        ));
        assert!(out.status.success(), "{unit} is not in pg-pool:\n{}", console());
    }
    // [Log] Prefix=[%T postgresql] in the file of Directory=, and on the
    // console (Sink=stdout); the exporter's lines only on the console.
    let prefixed = |line: &str, name: &str| {
        line.strip_prefix('[')
            .and_then(|l| l.split_once(' '))
            .is_some_and(|(time, rest)| {
                time.len() == 12
                    && time.as_bytes()[2] == b':'
                    && time.as_bytes()[8] == b'.'
                    && rest.starts_with(&format!("{name}]"))
            })
    };
    let file = stdout(&guest.wait_until_ok("cat /var/log/postgresql/postgresql.log"));
    assert!(
        !file.is_empty() && file.lines().all(|l| prefixed(l, "postgresql")),
        "{file}"
    );
    assert!(
        guest.wait_for_console("pg-exporter]"),
        "{}",
        console()
    );
    assert!(
        console()
            .lines()
            .any(|l| prefixed(l, "pg-exporter")),
        "{}",
        console()
    );

    // The backup runs on demand; its timer is armed for 02:00 plus up to
    // ten minutes, and the shortened cleanup timer fires and repeats.
    let out = guest.sh("systemctl start backup.service && test -s /var/lib/postgresql/backup.sql");
    assert!(out.status.success(), "{:?}\n{}", out, console());
    let next = stdout(&guest.sh("systemctl show -p NextElapseUSecRealtime --value backup.timer"));
    let time = next.split_whitespace().nth(2).unwrap_or_default();
    assert!(
        ("02:00:00".."02:10:01").contains(&time),
        "backup.timer next elapses at {next}"
    );
    let timers = stdout(&guest.sh("systemctl list-timers --all"));
    assert!(timers.contains("backup.timer") && timers.contains("backup.service"), "{timers}");
    let runs = guest.wait_until_ok("test $(wc -l < /var/log/cleanup-runs) -ge 2");
    assert!(runs.status.success(), "{}", console());

    // The syslog server on /dev/log files messages by app name.
    guest.sh("logger -t pg_doorman hello-from-doorman; logger -t someone-else hello-from-elsewhere");
    let routed = guest.wait_until_ok(
        "grep -rq hello-from-doorman /var/log/syslog/pg_doorman && grep -rq hello-from-elsewhere /var/log/syslog/default && ! grep -rq hello-from-elsewhere /var/log/syslog/pg_doorman",
    );
    assert!(routed.status.success(), "{}", console());

    // runr daemon-reload: a new service starts, a failed one starts again,
    // the running ones are left alone.
    let failed = guest.wait_until_ok("systemctl is-failed -q flaky.service");
    assert!(failed.status.success(), "{}", console());
    let pg_pid = stdout(&guest.sh("systemctl show -p MainPID --value postgresql"));
    guest.sh("printf '[Service]\\nExecStart=/bin/sleep 600\\nRestart=always\\nAutostart=yes\\n' > /etc/runr/new-exporter.service; touch /etc/flaky-ok");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = guest.sh("runr daemon-reload");
    assert!(out.status.success(), "{out:?}");
    for unit in ["new-exporter", "flaky"] {
        let out = guest.wait_until_ok(&format!("systemctl is-active -q {unit}"));
        assert!(out.status.success(), "{unit}:\n{}", console());
    }
    assert_eq!(
        stdout(&guest.sh("systemctl show -p MainPID --value postgresql")),
        pg_pid
    );

    // SIGTERM: every service stops, PostgreSQL by its ExecStop=.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(guest.pid1()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(guest.exit_status(), Some(0), "{}", console());
    let out = console();
    assert!(out.contains("Stopped postgresql.service."), "{out}");
    assert!(out.contains("Stopped my-app.service."), "{out}");
}

#[test]
fn restart_halt_ends_the_pod_with_the_service_exit_code() {
    let scratch = tempfile::tempdir().unwrap();
    let files = written(
        scratch.path(),
        &[
            (
                "critical.service",
                "[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 7'\nRestart=halt\n",
            ),
            ("helper.service", "[Service]\nExecStart=/bin/sleep 600\n"),
        ],
    );
    let files: Vec<(PathBuf, &str)> = files.iter().map(|(h, g)| (h.clone(), g.as_str())).collect();
    let guest = Guest::boot_with(None, &files, &[], &["supervisor"]);
    assert_eq!(guest.exit_status(), Some(7), "{}", guest.console());
    assert!(
        guest.console().contains("Stopped helper.service."),
        "{}",
        guest.console()
    );
}

//! The example pod of units/postgres (PostgreSQL, PgBouncer, the Prometheus
//! exporter, a backup oneshot) under runr as PID 1 of a guest.

use std::path::{Path, PathBuf};

use super::guest::Guest;

fn pod_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("units/postgres")
}

/// The pod's units, enabled as `systemctl enable` would leave them.
fn enabled_units() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(pod_dir()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".service") || name.ends_with(".timer") {
            std::fs::copy(entry.path(), dir.path().join(&name)).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join("multi-user.target.wants")).unwrap();
    for unit in ["postgres.service", "pooler.service", "exporter.service"] {
        std::os::unix::fs::symlink(
            format!("../{unit}"),
            dir.path().join("multi-user.target.wants").join(unit),
        )
        .unwrap();
    }
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_pod_starts_in_order_survives_a_crash_and_shuts_down_cleanly() {
    for program in [
        "/usr/sbin/pgbouncer",
        "/usr/bin/prometheus-postgres-exporter",
        "/usr/lib/postgresql/15/bin/pg_ctl",
    ] {
        assert!(
            Path::new(program).exists(),
            "{program} is missing (apt-get install postgresql pgbouncer prometheus-postgres-exporter)"
        );
    }
    let units = enabled_units();
    let files = [
        (
            pod_dir().join("pgbouncer.ini"),
            "/etc/runr/pod/pgbouncer.ini",
        ),
        (pod_dir().join("userlist.txt"), "/etc/runr/pod/userlist.txt"),
    ];
    // PostgreSQL's log lives on the host, to be read after the guest is gone.
    let logs = tempfile::tempdir().unwrap();
    let postgres = nix::unistd::User::from_name("postgres")
        .unwrap()
        .expect("a postgres user");
    nix::unistd::chown(logs.path(), Some(postgres.uid), Some(postgres.gid)).unwrap();
    let binds = [(logs.path().to_path_buf(), "/var/log/postgresql")];
    let guest = Guest::boot_with(Some(units.path()), &files, &binds, &["supervisor"]);

    // Through the pooler, into the database.
    let query = "psql -h 127.0.0.1 -p 6432 -U postgres -d postgres -Atc 'select 40 + 2'";
    let out = guest.wait_until_ok(query);
    assert_eq!(
        stdout(&out),
        "42\n",
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        guest.console()
    );
    assert!(
        guest.wait_for_console("Started exporter.service - Prometheus PostgreSQL exporter."),
        "{}",
        guest.console()
    );
    let console = guest.console();
    let position = |text: &str| {
        console
            .find(text)
            .unwrap_or_else(|| panic!("no {text:?} in\n{console}"))
    };
    // The pooler and the exporter are up once forked: "Started" alone.
    let database = position("Started postgres.service - PostgreSQL database.");
    assert!(database < position("Started pooler.service - PgBouncer connection pooler."));
    assert!(database < position("Started exporter.service - Prometheus PostgreSQL exporter."));

    // The exporter sees the database.
    let metrics = guest.wait_until_ok(
        "python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:9187/metrics\").read().decode())' | grep '^pg_up 1'",
    );
    assert!(metrics.status.success(), "{}", guest.console());

    // kill -9 of the postmaster: runr restarts the database after RestartSec.
    let pid_file = "/var/lib/postgresql/15/main/postmaster.pid";
    let first = stdout(&guest.sh(&format!("head -n1 {pid_file}")))
        .trim()
        .to_string();
    assert!(guest.sh(&format!("kill -9 {first}")).status.success());
    assert!(
        guest.wait_for_console("postgres.service: Scheduled restart job, restart counter is at 1."),
        "{}",
        guest.console()
    );
    let out = guest.wait_until_ok(&format!(
        "test \"$(head -n1 {pid_file})\" != {first} && {query}"
    ));
    assert_eq!(stdout(&out), "42\n", "{}", guest.console());
    // The restart is done when `pg_ctl start -w` has seen the server up and
    // exited, which may be after the server already answers: a stop before
    // then is a stop during start, which signals the whole group (as with
    // systemd) instead of running ExecStop=.
    let restarted = guest.wait_until_ok("systemctl is-active --quiet postgres.service");
    assert!(restarted.status.success(), "{}", guest.console());

    // SIGTERM to PID 1: pg_ctl stop -m fast, a clean shutdown, exit 0.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(guest.pid1()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(
        guest.wait_for_console("Stopped postgres.service - PostgreSQL database."),
        "{}",
        guest.console()
    );
    assert_eq!(guest.exit_status(), Some(0), "{}", guest.console());
    let log = std::fs::read_to_string(logs.path().join("pod.log")).unwrap_or_default();
    assert!(
        log.contains("received fast shutdown request"),
        "{log}\n{}",
        guest.console()
    );
    assert!(
        log.trim_end().ends_with("database system is shut down"),
        "{log}"
    );
}

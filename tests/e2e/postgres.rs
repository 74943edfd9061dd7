//! PostgreSQL from Debian's packages, with Debian's own unit file, under
//! runr as PID 1.

use super::guest::Guest;

#[test]
fn debian_postgresql_unit_runs_unchanged_and_stops_on_sigterm() {
    assert!(
        std::path::Path::new("/lib/systemd/system/postgresql@.service").exists(),
        "PostgreSQL is not installed (apt-get install postgresql)"
    );
    // What `systemctl enable postgresql@15-main` leaves behind.
    let units = tempfile::tempdir().unwrap();
    std::fs::create_dir(units.path().join("multi-user.target.wants")).unwrap();
    std::os::unix::fs::symlink(
        "/lib/systemd/system/postgresql@.service",
        units
            .path()
            .join("multi-user.target.wants/postgresql@15-main.service"),
    )
    .unwrap();
    let guest = Guest::boot(Some(units.path()), &["supervisor"]);
    let out = guest.wait_until_ok("su postgres -c \"psql -Atc 'select 40 + 2'\"");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "42\n",
        "stderr: {}\nconsole:\n{}",
        String::from_utf8_lossy(&out.stderr),
        guest.console()
    );
    assert!(
        guest.wait_for_console("Started postgresql@15-main.service - PostgreSQL Cluster 15-main."),
        "{}",
        guest.console()
    );

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(guest.pid1()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(
        guest.wait_for_console("Stopped postgresql@15-main.service - PostgreSQL Cluster 15-main."),
        "{}",
        guest.console()
    );
}

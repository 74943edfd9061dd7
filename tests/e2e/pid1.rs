//! runr's duties as PID 1 of a pid namespace.

use super::guest::Guest;

/// Where the first of `texts` appears in `console`.
fn first_of(console: &str, texts: &[&str]) -> usize {
    texts
        .iter()
        .filter_map(|t| console.find(t))
        .min()
        .unwrap_or_else(|| panic!("none of {texts:?} in\n{console}"))
}

#[test]
fn a_thousand_orphans_leave_no_zombie_and_shutdown_reverses_after() {
    let units = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(units.path().join(name), text).unwrap();
    // Each orphan is a `sleep` whose parent shell has exited: PID 1 inherits it.
    write(
        "orphans.service",
        "[Unit]\nDescription=Orphan maker\n[Service]\nAutostart=yes\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sh -c 'i=0; while [ $i -lt 1000 ]; do (sleep 0.5 &); i=$((i+1)); done'\n",
    );
    write(
        "first.service",
        "[Unit]\nDescription=First\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 600\n",
    );
    write(
        "second.service",
        "[Unit]\nDescription=Second\nAfter=first.service\n[Service]\nAutostart=yes\nExecStart=/bin/sleep 600\n",
    );
    let guest = Guest::boot(Some(units.path()), &["supervisor"]);
    assert!(
        guest.wait_for_console("Orphan maker."),
        "{}",
        guest.console()
    );
    // Once every orphan has exited, not one may be left a zombie.
    let gone = guest.wait_until_ok("! pgrep -f '^sleep 0.5$' >/dev/null");
    assert!(gone.status.success(), "{}", guest.console());
    let zombies = guest.sh("ps -eo stat= | grep -c '^Z' || true");
    assert_eq!(
        String::from_utf8_lossy(&zombies.stdout).trim(),
        "0",
        "{}",
        guest.console()
    );

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(guest.pid1()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(guest.exit_status(), Some(0), "{}", guest.console());
    let console = guest.console();
    let stopped_second = first_of(&console, &["Stopped second.service - Second."]);
    let stopping_first = first_of(&console, &["Stopping first.service - First..."]);
    assert!(
        stopped_second < stopping_first,
        "Second (After=First) stops before First:\n{console}"
    );
}

/// The daemon keeps the local zone it read (no look at /etc/localtime per
/// timestamp) because it watches the file: a new zone shows at once.
#[test]
fn timestamps_follow_a_change_of_the_local_zone() {
    if !std::path::Path::new("/usr/share/zoneinfo/Asia/Tokyo").exists() {
        eprintln!("skipped: no tzdata");
        return;
    }
    let units = tempfile::tempdir().unwrap();
    std::fs::write(
        units.path().join("zoned.service"),
        "[Service]\nAutostart=yes\nExecStart=/bin/sleep 600\n",
    )
    .unwrap();
    let guest = Guest::boot(Some(units.path()), &["supervisor"]);
    let show = "systemctl show -p ActiveEnterTimestamp --value zoned.service";
    let zone_of = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .last()
            .unwrap_or("")
            .to_string()
    };
    guest.sh("ln -sf /usr/share/zoneinfo/Etc/UTC /etc/localtime");
    let utc = guest.wait_until_ok(&format!("{show} | grep -q ' UTC$' && {show}"));
    assert_eq!(zone_of(&utc), "UTC", "{}", guest.console());
    guest.sh("ln -sf /usr/share/zoneinfo/Asia/Tokyo /etc/localtime.new && mv -f /etc/localtime.new /etc/localtime");
    let tokyo = guest.wait_until_ok(&format!("{show} | grep -q ' JST$' && {show}"));
    assert_eq!(zone_of(&tokyo), "JST", "{}", guest.console());
}

/// `systemctl enable` reloads the daemon as systemd's does: the files are
/// read again and nothing starts or restarts (runr's own `daemon-reload`
/// also starts what boot would and restarts failed Restart=always units).
#[test]
fn enable_reads_the_files_again_and_starts_nothing() {
    let units = tempfile::tempdir().unwrap();
    std::fs::write(
        units.path().join("crashing.service"),
        "[Unit]\nStartLimitIntervalSec=1h\nStartLimitBurst=1\n[Service]\nAutostart=yes\nExecStart=/bin/false\nRestart=always\nRestartSec=0\n",
    )
    .unwrap();
    let guest = Guest::boot(Some(units.path()), &["supervisor"]);
    let failed = guest.wait_until_ok("systemctl is-failed -q crashing.service");
    assert!(failed.status.success(), "{}", guest.console());
    guest.sh("printf '[Service]\\nExecStart=/bin/sleep 600\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/fresh.service");
    let enabled = guest.sh("systemctl enable fresh.service");
    assert!(enabled.status.success(), "{enabled:?}");
    // Known now, as systemd knows a unit after the reload, and not started.
    let state = guest.sh("systemctl is-enabled fresh.service; systemctl show -p LoadState,ActiveState fresh.service; systemctl is-active crashing.service");
    assert_eq!(
        String::from_utf8_lossy(&state.stdout),
        "enabled\nLoadState=loaded\nActiveState=inactive\nfailed\n",
        "{}",
        guest.console()
    );
    // runr's own enable, through the API, likewise.
    guest.sh(
        "sed 's/600/601/' /etc/systemd/system/fresh.service > /etc/systemd/system/fresh2.service",
    );
    let enabled = guest.sh("runr enable fresh2");
    assert!(enabled.status.success(), "{enabled:?}");
    let state = guest.sh("systemctl show -p LoadState,ActiveState fresh2.service");
    assert_eq!(
        String::from_utf8_lossy(&state.stdout),
        "LoadState=loaded\nActiveState=inactive\n",
        "{}",
        guest.console()
    );
}

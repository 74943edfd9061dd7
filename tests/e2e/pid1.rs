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

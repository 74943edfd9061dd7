//! systemd-run as a script in a container runs it: runr as PID 1 of a
//! guest, the `systemd-run` symlink, and the transient units seen through
//! systemctl and journalctl like any other.

use super::guest::Guest;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn transient_services_and_timers_run_in_a_runr_guest() {
    let guest = Guest::boot(None, &["supervisor"]);
    let ready = guest.wait_until_ok("test -S /run/runr/runr.sock");
    assert!(ready.status.success(), "{}", guest.console());

    // --wait: the command's end and exit status, as systemd-run reports them.
    let run = guest.sh("systemd-run --unit=greet --wait sh -c 'echo hello from greet; exit 3'");
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{err}");
    assert!(err.starts_with("Running as unit: greet.service\n"), "{err}");
    assert!(err.contains("Finished with result: exit-code\n"), "{err}");
    assert!(
        err.contains("Main processes terminated with: code=exited/status=3\n"),
        "{err}"
    );

    // Kept as failed (no --collect), with its log, until reset-failed.
    let status = guest.sh("systemctl is-failed greet.service");
    assert_eq!(text(&status.stdout), "failed\n");
    let log = guest.sh("journalctl -u greet.service --no-pager -o cat");
    assert!(
        text(&log.stdout).contains("hello from greet\n"),
        "{}",
        text(&log.stdout)
    );
    let show = guest.sh("systemctl show -p Transient,FragmentPath greet.service");
    assert_eq!(
        text(&show.stdout),
        "FragmentPath=/run/systemd/transient/greet.service\nTransient=yes\n"
    );
    guest.sh("systemctl reset-failed greet.service");
    let gone = guest.sh("systemctl is-active greet.service");
    assert_eq!(text(&gone.stdout), "inactive\n");

    // --pipe: the command's output is the caller's.
    let piped = guest.sh("echo through | systemd-run --quiet --pipe --wait cat");
    assert_eq!(text(&piped.stdout), "through\n", "{}", text(&piped.stderr));

    // A transient timer starts its service when it elapses.
    let timer = guest.sh(
        "systemd-run --unit=later --on-active=1 --timer-property=AccuracySec=1ms touch /run/later-ran",
    );
    assert!(
        text(&timer.stderr).contains("Running timer as unit: later.timer\n"),
        "{}",
        text(&timer.stderr)
    );
    let fired = guest.wait_until_ok("test -e /run/later-ran");
    assert!(fired.status.success(), "{}", guest.console());
}

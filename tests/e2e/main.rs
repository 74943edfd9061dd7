//! End-to-end tests: runr as PID 1 of a guest, driven as users drive it.
//! One test target, so the slow guests share one build.

mod ansible;
mod conditions;
mod guest;
mod hostname;
mod jobs;
mod limits;
mod notify;
mod ondemand;
mod pid1;
mod pod;
mod timers;

mod postgres;
mod readme;

mod systemctl_golden;
mod systemd_run;
mod sysv;

use guest::Guest;

#[test]
fn guest_boots_runr_as_pid_1() {
    let guest = Guest::boot(None, &["--version"]);
    assert!(
        guest.wait_for_console("runr "),
        "console: {}",
        guest.console()
    );
}

//! Type=notify and the sd_notify protocol through the real binary, with
//! systemd's own `systemd-notify` and a small Python sender.

use crate::harness::Pod;

/// Sends its first argument (`\n` as the line separator) to $NOTIFY_SOCKET
/// from its own PID, as a helper process of a service would, and stays a
/// moment: the supervisor finds out
/// whose message it is from the sender's /proc entry, which is gone once
/// a sender that exited at once is reaped (sd_notify(3)'s known race).
const SENDER: &str = "import os, socket, sys, time\n\
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
s.sendto(sys.argv[1].replace('\\\\n', '\\n').encode(), os.environ['NOTIFY_SOCKET'])\n\
time.sleep(1)\n";

fn pod_with_sender(units: &[(&str, &str)]) -> (Pod, String) {
    let pod = Pod::new(units);
    std::fs::write(pod.dir().join("sdn.py"), SENDER).unwrap();
    let sender = format!("/usr/bin/python3 {}/sdn.py", pod.dir().display());
    (pod, sender)
}

fn have(program: &str) -> bool {
    std::path::Path::new(program).exists()
}

#[test]
fn systemd_notify_ready_completes_the_start() {
    if !have("/usr/bin/systemd-notify") {
        eprintln!("skipped: no systemd-notify");
        return;
    }
    let pod = Pod::new(&[]);
    let d = pod.dir().display().to_string();
    // As root, systemd-notify sends with its caller's PID (the main
    // process); otherwise with its own, which only NotifyAccess=all takes.
    let access = if nix::unistd::geteuid().is_root() {
        "main"
    } else {
        "all"
    };
    pod.add(
        "ready.service",
        &format!(
            "[Unit]\nDescription=Ready demo\n[Service]\nAutostart=yes\nType=notify\nNotifyAccess={access}\nExecStartPre=/bin/sh -c 'echo \"pre=$NOTIFY_SOCKET\" > {d}/pre'\nExecStart=/bin/sh -c 'echo \"main=$NOTIFY_SOCKET\" > {d}/main; sleep 0.3; systemd-notify --ready --status=Serving; exec sleep 60'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Starting ready.service - Ready demo...");
    sup.wait_for("Started ready.service - Ready demo.");
    let out = sup.stop();
    let read = |f: &str| std::fs::read_to_string(pod.dir().join(f)).unwrap_or_default();
    assert_eq!(
        read("pre").trim(),
        "pre=",
        "control processes get no socket"
    );
    let main = read("main");
    assert!(
        main.trim().starts_with("main=") && main.trim().ends_with("/run/runr/notify"),
        "{main}"
    );
    assert!(!out.contains("Got notification message"), "{out}");
}

#[test]
fn a_helper_process_is_refused_with_notify_access_main_and_heard_with_all() {
    if !have("/usr/bin/python3") {
        eprintln!("skipped: no python3");
        return;
    }
    let (pod, sender) = pod_with_sender(&[]);
    pod.add(
        "strict.service",
        &format!(
            "[Unit]\nDescription=Strict\n[Service]\nAutostart=yes\nType=notify\nTimeoutStartSec=1s\nExecStart=/bin/sh -c '{sender} READY=1; exec sleep 60'\n"
        ),
    );
    pod.add(
        "open.service",
        &format!(
            "[Unit]\nDescription=Open\n[Service]\nAutostart=yes\nType=notify\nNotifyAccess=all\nExecStart=/bin/sh -c '{sender} READY=1; exec sleep 60'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Started open.service - Open.");
    sup.wait_for("but reception only permitted for main PID ");
    sup.wait_for("strict.service: start operation timed out. Terminating.");
    sup.wait_for("strict.service: Failed with result 'timeout'.");
    let out = sup.stop();
    assert!(
        out.contains("Failed to start strict.service - Strict."),
        "{out}"
    );
    assert!(!out.contains("Started strict.service - Strict."), "{out}");
}

#[test]
fn a_silent_watchdog_aborts_and_restarts_the_service() {
    if !have("/usr/bin/python3") {
        eprintln!("skipped: no python3");
        return;
    }
    let (pod, sender) = pod_with_sender(&[]);
    pod.add(
        "dog.service",
        &format!(
            "[Unit]\nDescription=Dog\n[Service]\nAutostart=yes\nType=notify\nNotifyAccess=all\nWatchdogSec=300ms\nRestart=on-watchdog\nRestartSec=100ms\nExecStart=/bin/sh -c 'echo \"usec=$WATCHDOG_USEC\"; {sender} READY=1; exec sleep 60'\n"
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("usec=300000");
    sup.wait_for("dog.service: Watchdog timeout (limit 300ms)!");
    sup.wait_for("with signal SIGABRT.");
    sup.wait_for("dog.service: Failed with result 'watchdog'.");
    sup.wait_for("dog.service: Scheduled restart job, restart counter is at 1.");
    let out = sup.stop();
    assert!(
        out.contains("dog.service: Main process exited, code=killed, status=6/ABRT")
            || out.contains("dog.service: Main process exited, code=dumped, status=6/ABRT"),
        "{out}"
    );
}

/// A daemon that pings its watchdog every 0.2 s for 2.4 s, then says it
/// is stopping and leaves.
const PINGER: &str = "import os, socket, time\n\
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
send = lambda m: s.sendto(m.encode(), os.environ['NOTIFY_SOCKET'])\n\
send('READY=1\\nSTATUS=pinging')\n\
for _ in range(12):\n    time.sleep(0.2)\n    send('WATCHDOG=1')\n\
send('STOPPING=1')\n\
time.sleep(0.2)\n\
print('leaving', flush=True)\n";

#[test]
fn pings_keep_the_watchdog_quiet_and_stopping_stops() {
    if !have("/usr/bin/python3") {
        eprintln!("skipped: no python3");
        return;
    }
    let pod = Pod::new(&[]);
    std::fs::write(pod.dir().join("pinger.py"), PINGER).unwrap();
    pod.add(
        "pinger.service",
        &format!(
            "[Unit]\nDescription=Pinger\n[Service]\nAutostart=yes\nType=notify\nWatchdogSec=1s\nExecStart=/usr/bin/python3 {}/pinger.py\n",
            pod.dir().display()
        ),
    );
    let mut sup = pod.start();
    sup.wait_for("Started pinger.service - Pinger.");
    sup.wait_for("leaving");
    sup.wait_for("pinger.service: Deactivated successfully.");
    let out = sup.stop();
    assert!(!out.contains("Watchdog timeout"), "{out}");
    assert!(!out.contains("Failed"), "{out}");
}

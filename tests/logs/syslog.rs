//! The syslog server with real clients: logger(1) over the datagram and
//! the stream socket, in RFC 3164 and RFC 5424, and Python's
//! logging.handlers.SysLogHandler; messages filed per application as
//! syslog.conf says, and journaled under their identifier and unit.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{LogPod, have};

fn logger(args: &[&str]) {
    let status = Command::new("logger").args(args).status().expect("logger");
    assert!(status.success(), "logger {args:?}: {status}");
}

fn wait_for_file(path: &std::path::Path, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let content = std::fs::read_to_string(path).unwrap_or_default();
        if content.contains(text) {
            return content;
        }
        assert!(
            Instant::now() < deadline,
            "no {text:?} in {}:\n{content}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn logger_messages_are_journaled_and_filed_per_application() {
    if !have("logger") {
        eprintln!("skipped: logger is not installed");
        return;
    }
    let pod = LogPod::new(&[]);
    let default_dir = pod.root().join("syslog");
    let db_dir = pod.root().join("syslog-db");
    let conf = pod.root().join("syslog.conf");
    std::fs::write(
        &conf,
        format!(
            "[default]\ndirectory = {}\nmax_size = 1K\nmax_count = 2\n\n[dbapp]\ndirectory = {}\n",
            default_dir.display(),
            db_dir.display()
        ),
    )
    .expect("conf");
    let conf_arg = conf.display().to_string();
    let mut sup = pod.start(&["--syslog-conf", &conf_arg]);
    sup.wait_for("Reached target");
    let socket = pod.syslog_socket().display().to_string();
    let stream = pod.syslog_stream_socket().display().to_string();
    logger(&[
        "-u",
        &socket,
        "-t",
        "webapp",
        "-p",
        "user.err",
        "datagram rfc3164",
    ]);
    logger(&[
        "-u",
        &socket,
        "--rfc5424",
        "-t",
        "dbapp",
        "-p",
        "daemon.warning",
        "--sd-id",
        "meta@1",
        "--sd-param",
        "k=\"v\"",
        "datagram rfc5424",
    ]);
    logger(&[
        "-u",
        &stream,
        "-T",
        "--octet-count",
        "-t",
        "webapp",
        "-p",
        "local3.notice",
        "over a stream",
    ]);
    logger(&["-u", &socket, "-i", "-t", "webapp", "with its pid"]);

    let mut web: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while web.len() < 3 && Instant::now() < deadline {
        web = pod
            .journal_text(&["-t", "webapp", "-o", "cat"])
            .lines()
            .map(String::from)
            .collect();
    }
    // The two sockets are read side by side: no order between them.
    web.sort();
    assert_eq!(web, ["datagram rfc3164", "over a stream", "with its pid"]);
    let errors = pod.journal_text(&["-t", "webapp", "-p", "err", "-o", "cat"]);
    assert_eq!(errors, "datagram rfc3164\n");
    let json = pod.wait_for_journal(
        &[
            "-t",
            "dbapp",
            "-o",
            "json",
            "--output-fields=MESSAGE,PRIORITY,SYSLOG_FACILITY,_TRANSPORT",
        ],
        "datagram rfc5424",
    );
    let value: serde_json::Value = serde_json::from_str(json.trim()).expect("json");
    assert_eq!(value["MESSAGE"], "datagram rfc5424");
    assert_eq!(value["PRIORITY"], "4");
    assert_eq!(value["SYSLOG_FACILITY"], "3");
    assert_eq!(value["_TRANSPORT"], "syslog");
    let facility = pod.journal_text(&[
        "-t",
        "webapp",
        "-g",
        "stream",
        "-o",
        "json",
        "--output-fields=SYSLOG_FACILITY",
    ]);
    assert!(
        facility.contains("\"SYSLOG_FACILITY\":\"19\""),
        "{facility}"
    );

    // Filed per syslog.conf: dbapp in its own directory, the rest in [default].
    let web_file = wait_for_file(&default_dir.join("webapp.log"), "with its pid");
    assert!(
        web_file.contains(" webapp: datagram rfc3164\n"),
        "{web_file}"
    );
    assert!(
        web_file
            .lines()
            .any(|l| l.contains(" webapp[") && l.ends_with("]: with its pid")),
        "{web_file}"
    );
    let db_file = wait_for_file(&db_dir.join("dbapp.log"), "datagram rfc5424");
    assert!(db_file.contains(" dbapp: datagram rfc5424"), "{db_file}");
    sup.stop();
}

#[test]
fn python_sysloghandler_over_datagram_and_stream() {
    if !have("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let pod = LogPod::new(&[]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Reached target");
    let script = format!(
        "import logging, logging.handlers, socket\n\
         for path, kind, text in [({d:?}, socket.SOCK_DGRAM, 'py datagram'), ({s:?}, socket.SOCK_STREAM, 'py stream')]:\n\
         \x20   h = logging.handlers.SysLogHandler(address=path, socktype=kind)\n\
         \x20   h.setFormatter(logging.Formatter('pyapp: %(message)s'))\n\
         \x20   l = logging.getLogger(text); l.addHandler(h); l.error(text); h.close()\n",
        d = pod.syslog_socket().display().to_string(),
        s = pod.syslog_stream_socket().display().to_string(),
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .status()
        .expect("python3");
    assert!(status.success());
    let out = pod.wait_for_journal(&["-t", "pyapp", "-o", "cat"], "py stream");
    assert_eq!(out, "py datagram\npy stream\n");
    let errors = pod.journal_text(&["-t", "pyapp", "-p", "err", "-o", "cat"]);
    assert_eq!(errors, out);
    sup.stop();
}

#[test]
fn a_services_syslog_messages_carry_its_unit() {
    if !have("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let pod = LogPod::new(&[]);
    let socket = pod.syslog_socket().display().to_string();
    pod.add(
        "talker.service",
        &format!(
            "[Service]\nAutostart=yes\n\
             ExecStart=/usr/bin/env python3 -c \"import logging.handlers as h, logging, time; x = h.SysLogHandler(address='{socket}'); x.setFormatter(logging.Formatter('talker: %%(message)s')); l = logging.getLogger(); l.addHandler(x); l.warning('from a unit'); time.sleep(30)\"\n"
        ),
    );
    let sup = pod.start(&[]);
    let out = pod.wait_for_journal(&["-u", "talker.service", "-o", "cat"], "from a unit");
    assert!(out.contains("from a unit"), "{out}");
    let json = pod.journal_text(&[
        "-t",
        "talker",
        "-o",
        "json",
        "--output-fields=_SYSTEMD_UNIT,_TRANSPORT",
    ]);
    assert!(
        json.contains("\"_SYSTEMD_UNIT\":\"talker.service\""),
        "{json}"
    );
    sup.stop();
}

#[test]
fn malformed_and_oversized_datagrams_are_kept_as_text() {
    let pod = LogPod::new(&[]);
    let mut sup = pod.start(&[]);
    sup.wait_for("Reached target");
    let socket = std::os::unix::net::UnixDatagram::unbound().expect("socket");
    let path = pod.syslog_socket();
    socket
        .send_to(b"<999>not a pri \xff\xfe", &path)
        .expect("send");
    socket.send_to(b"", &path).expect("send empty");
    let mut big = b"<13>Jan  2 03:04:05 bigapp: ".to_vec();
    big.extend(std::iter::repeat_n(b'y', 100_000));
    let _ = socket.send_to(&big, &path);
    socket
        .send_to(b"<14>after: still serving", &path)
        .expect("send");
    let out = pod.wait_for_journal(&["-t", "after", "-o", "cat"], "still serving");
    assert_eq!(out, "still serving\n");
    sup.stop();
}

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

/// syslog.conf as runr's README writes it: the socket from `[server]
/// listen =`, a `[default]`, and a route whose label is not its app name.
fn readme_conf(listen: &std::path::Path, syslog_dir: &std::path::Path) -> String {
    let d = syslog_dir.display();
    format!(
        "[server]\n\
         listen = {}                     # unix socket path\n\
         \n\
         [default]\n\
         directory = {d}/default\n\
         max_size = 10M\n\
         max_count = 7\n\
         max_age = 168h\n\
         \n\
         [pooler]\n\
         appname = pg_doorman                   # route by syslog appname\n\
         directory = {d}/pg_doorman\n\
         max_size = 50M\n\
         max_count = 10\n\
         max_age = 720h\n",
        listen.display()
    )
}

#[test]
fn a_readme_syslog_conf_names_the_socket_and_routes_by_app_name() {
    if !have("logger") || !have("python3") {
        eprintln!("skipped: logger or python3 is not installed");
        return;
    }
    let pod = LogPod::new(&[]);
    let listen = pod.root().join("conf-log.sock");
    let syslog_dir = pod.root().join("syslog");
    let conf = pod.root().join("syslog.conf");
    std::fs::write(&conf, readme_conf(&listen, &syslog_dir)).expect("conf");
    let conf_arg = conf.display().to_string();
    // No --syslog-socket: the datagram socket is the file's.
    let mut sup = pod.start_without_syslog_socket(&["--syslog-conf", &conf_arg]);
    sup.wait_for("Reached target");
    assert!(listen.exists(), "no socket at {}", listen.display());
    let socket = listen.display().to_string();
    logger(&["-u", &socket, "-t", "pg_doorman", "doorman by logger"]);
    logger(&["-u", &socket, "-t", "pooler", "the label is no app name"]);
    let script = format!(
        "import logging, logging.handlers\n\
         for app in ['pg_doorman', 'stranger']:\n\
         \x20   h = logging.handlers.SysLogHandler(address={socket:?})\n\
         \x20   h.setFormatter(logging.Formatter(app + ': %(message)s'))\n\
         \x20   l = logging.getLogger(app); l.addHandler(h); l.warning(app + ' by python'); h.close()\n",
    );
    let status = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .status()
        .expect("python3");
    assert!(status.success());

    let doorman = wait_for_file(
        &syslog_dir.join("pg_doorman/pg_doorman.log"),
        "pg_doorman by python",
    );
    assert!(
        doorman.contains(" pg_doorman: doorman by logger\n"),
        "{doorman}"
    );
    let stranger = wait_for_file(
        &syslog_dir.join("default/stranger.log"),
        "stranger by python",
    );
    assert!(
        stranger.contains(" stranger: stranger by python"),
        "{stranger}"
    );
    let pooler = wait_for_file(
        &syslog_dir.join("default/pooler.log"),
        "the label is no app name",
    );
    assert!(pooler.contains(" pooler: "), "{pooler}");
    let routed: Vec<_> = std::fs::read_dir(syslog_dir.join("pg_doorman"))
        .expect("pg_doorman directory")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(routed, ["pg_doorman.log"]);
    assert!(!syslog_dir.join("default/pg_doorman.log").exists());
    let out = sup.stop();
    assert!(
        !out.contains(&conf_arg),
        "no complaint about the file:\n{out}"
    );
    assert!(!listen.exists(), "the socket is removed on exit");
}

#[test]
fn the_command_line_socket_wins_over_listen() {
    let pod = LogPod::new(&[]);
    let listen = pod.root().join("conf-log.sock");
    let conf = pod.root().join("syslog.conf");
    std::fs::write(&conf, readme_conf(&listen, &pod.root().join("syslog"))).expect("conf");
    let conf_arg = conf.display().to_string();
    let mut sup = pod.start(&["--syslog-conf", &conf_arg]);
    sup.wait_for("Reached target");
    let socket = std::os::unix::net::UnixDatagram::unbound().expect("socket");
    socket
        .send_to(b"<14>flagged: on the flag's socket", pod.syslog_socket())
        .expect("send");
    pod.wait_for_journal(&["-t", "flagged", "-o", "cat"], "on the flag's socket");
    assert!(!listen.exists(), "{} was bound", listen.display());
    sup.stop();
}

#[test]
fn a_listen_path_that_cannot_be_bound_is_one_line_and_the_rest_runs() {
    let pod = LogPod::new(&[]);
    let blocker = pod.root().join("a-file");
    std::fs::write(&blocker, "").expect("file");
    let listen = blocker.join("log.sock");
    let syslog_dir = pod.root().join("syslog");
    let conf = pod.root().join("syslog.conf");
    std::fs::write(&conf, readme_conf(&listen, &syslog_dir)).expect("conf");
    let conf_arg = conf.display().to_string();
    let mut sup = pod.start_without_syslog_socket(&["--syslog-conf", &conf_arg]);
    // The file and line that named the path, the path, then the errno text.
    let expected = format!(
        "runr[{}]: {conf_arg}:2: Failed to listen for syslog messages on {}: ",
        sup.pid(),
        listen.display()
    );
    sup.wait_for(&expected);
    sup.wait_for("Reached target");
    // The stream socket still serves, with the file's routes.
    let mut stream =
        std::os::unix::net::UnixStream::connect(pod.syslog_stream_socket()).expect("connect");
    std::io::Write::write_all(&mut stream, b"<14>pg_doorman: still filed\n").expect("send");
    drop(stream);
    wait_for_file(&syslog_dir.join("pg_doorman/pg_doorman.log"), "still filed");
    let out = sup.stop();
    assert_eq!(
        out.lines().filter(|l| l.contains(&conf_arg)).count(),
        1,
        "{out}"
    );
}

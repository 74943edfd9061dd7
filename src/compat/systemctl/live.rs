//! The verbs that need a running manager, asked of runr's daemon over the
//! control API with the blocking client (one request per answer, no async
//! runtime: `is-active` costs a connect, a write and a read). With no
//! daemon they answer as systemctl does on a host not booted with systemd.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::names::{self, NameArg};
use super::render::{self, lists, status};
use super::terminal::Glyph;
use super::{Invocation, files, not_booted};
use crate::config::enablement::fnmatch;
use crate::control::client::{Client, ClientError};
use crate::control::types::{
    ActionId, KillOptions, KillWhom, LogEntry, LogQuery, LogStream, Property, PropertyQuery,
    StartOptions, StopOptions, UnitSummary,
};
use crate::syntax::shell_quote::shell_maybe_quote;
use crate::syntax::timestamp::now_realtime;

/// How long one wait for a job asks the daemon to hold the answer.
const JOB_WAIT: Duration = Duration::from_secs(30);

/// A failed verb: the exit code, its message already printed.
type Exit = u8;

/// Whether a daemon answers on the socket.
pub fn daemon_answers() -> bool {
    Client::local().healthz().is_ok()
}

/// daemon-reload after unit files changed; says why when it fails.
pub fn reload_quietly(inv: &Invocation) -> Result<(), ()> {
    match Client::local().reread_unit_files() {
        Ok(_) => Ok(()),
        Err(e) if e.is_unreachable() => Ok(()),
        Err(e) => {
            inv.error(&format!("Failed to reload daemon: {e}"));
            Err(())
        }
    }
}

pub fn run(inv: &Invocation, files_without_manager: bool) -> u8 {
    if super::power::action_of_verb(&inv.verb).is_some() {
        return super::power::verb(inv);
    }
    let client = Client::local();
    let outcome = match inv.verb.as_str() {
        "is-active" | "check" => is_state(inv, &client, false),
        "is-failed" => is_state(inv, &client, true),
        "show" => show(inv, &client),
        "status" => status_verb(inv, &client),
        "cat" => cat(inv, &client),
        "list-units" => list_units(inv, &client),
        "list-timers" => list_timers(inv, &client),
        "list-dependencies" => list_dependencies(inv, &client),
        "daemon-reload" | "daemon-reexec" => daemon_reload(inv, &client),
        "reset-failed" => reset_failed(inv, &client),
        "is-system-running" => is_system_running(inv, &client),
        "kill" => kill(inv, &client),
        "help" => {
            inv.error("runr: systemctl help is not supported.");
            Ok(1)
        }
        verb => {
            let verb = verb.to_string();
            act(inv, &client, &verb, &inv.args)
        }
    };
    match outcome {
        Ok(code) => code,
        Err(e) if e.is_unreachable() => {
            if inv.verb == "is-system-running" {
                if !inv.options.quiet {
                    inv.print("offline\n");
                }
                1
            } else if files_without_manager {
                files::cat_offline(inv)
            } else {
                not_booted(inv)
            }
        }
        Err(e) => {
            inv.error(&format!("Failed to connect to runr: {e}"));
            1
        }
    }
}

fn not_found(e: &ClientError) -> bool {
    e.status() == Some(404)
}

fn api_message(e: &ClientError) -> String {
    match e {
        ClientError::Api { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// The arguments as unit names; an empty one ends the verb as systemctl ends it.
fn unit_names(inv: &Invocation) -> Result<Vec<String>, Exit> {
    let mut out = Vec::new();
    for arg in &inv.args {
        match names::mangle(arg) {
            Some(name) => out.push(name),
            None => {
                inv.error("Failed to mangle name: Invalid argument");
                return Err(1);
            }
        }
    }
    Ok(out)
}

fn is_template(name: &str) -> bool {
    matches!(
        crate::config::unit_name::classify(name),
        Some((crate::config::unit_name::NameShape::Template, _))
    )
}

// is-active, is-failed.

fn is_state(inv: &Invocation, client: &Client, failed_check: bool) -> Result<u8, ClientError> {
    let names = match unit_names(inv) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let mut hit = false;
    let mut out = String::new();
    for name in &names {
        if is_template(name) {
            inv.print(&out);
            inv.error(&format!(
                "Failed to retrieve unit state: Unit name {name} is neither a valid invocation ID nor unit name."
            ));
            return Ok(1);
        }
        let state = match client.unit(name) {
            Ok(summary) => summary.active_state.as_str().to_string(),
            Err(e) if not_found(&e) => "inactive".to_string(),
            Err(e) => return Err(e),
        };
        hit |= if failed_check {
            state == "failed"
        } else {
            matches!(state.as_str(), "active" | "reloading")
        };
        if !inv.options.quiet {
            out.push_str(&state);
            out.push('\n');
        }
    }
    inv.print(&out);
    Ok(match (hit, failed_check) {
        (true, _) => 0,
        (false, true) => 1,
        (false, false) => 3,
    })
}

// show.

fn property_query(inv: &Invocation, all: bool) -> PropertyQuery {
    PropertyQuery {
        names: inv.options.properties.clone(),
        all: all || inv.options.all > 0,
    }
}

/// A unit's properties; for a unit the daemon does not know, the ones
/// systemd shows for a unit it could not find.
fn properties(
    client: &Client,
    name: &str,
    query: &PropertyQuery,
) -> Result<Vec<Property>, ClientError> {
    match client.unit_properties(name, query) {
        Err(e) if not_found(&e) => Ok(not_found_properties(name, query)),
        other => other,
    }
}

fn not_found_properties(name: &str, query: &PropertyQuery) -> Vec<Property> {
    let unit = crate::config::Loader::new(crate::config::SearchPath::from_env()).load_unit(name);
    let mut unit = unit;
    unit.load_state = crate::config::LoadState::NotFound;
    let ctx = crate::engine::properties::PropertyContext::default();
    let lines = crate::engine::properties::unit_properties(&unit, &ctx);
    crate::engine::properties::select(lines, query)
}

fn show(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let query = property_query(inv, false);
    if inv.args.is_empty() {
        let props = client.manager_properties(&query)?;
        inv.print(&render::show(&props, inv.options.value));
        return Ok(0);
    }
    let names = match unit_names(inv) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if is_template(name) {
            inv.print(&out);
            inv.error(&format!(
                "Failed to get properties: Unit name {name} is neither a valid invocation ID nor unit name."
            ));
            return Ok(1);
        }
        let props = properties(client, name, &query)?;
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render::show(&props, inv.options.value));
    }
    inv.print(&out);
    Ok(0)
}

// status.

fn status_verb(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    if inv.args.is_empty() {
        return system_status(inv, client);
    }
    let mut names = Vec::new();
    for arg in &inv.args {
        if let Ok(pid) = arg.parse::<u32>() {
            match unit_of_pid(client, pid)? {
                Some(name) => names.push(name),
                None => {
                    inv.error(&format!("Failed to get unit for PID {pid}: PID {pid} does not belong to any loaded unit."));
                    return Ok(1);
                }
            }
            continue;
        }
        match names::mangle(arg) {
            Some(name) => names.push(name),
            None => {
                inv.error("Failed to mangle name: Invalid argument");
                return Ok(1);
            }
        }
    }
    let mut rc = 0u8;
    let mut printed_any = false;
    let mut ellipsized = false;
    let lines = inv.options.lines.unwrap_or(10);
    for name in &names {
        if is_template(name) {
            inv.error(&format!(
                "Failed to get properties: Unit name {name} is neither a valid invocation ID nor unit name."
            ));
            return Ok(1);
        }
        let query = PropertyQuery {
            names: status::PROPERTIES.iter().map(|p| p.to_string()).collect(),
            all: true,
        };
        let props = match client.unit_properties(name, &query) {
            Ok(p) => p,
            Err(e) if not_found(&e) => {
                inv.error(&format!("Unit {name} could not be found."));
                rc = rc.max(4);
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut props: status::Props = props.into_iter().map(|p| (p.name, p.value)).collect();
        fill_unit_file_state(&mut props);
        if props.get("LoadState").map(String::as_str) == Some("not-found") {
            inv.error(&format!("Unit {name} could not be found."));
            rc = rc.max(4);
            continue;
        }
        let changed_on_disk = (props.get("NeedDaemonReload").map(String::as_str) == Some("yes"))
            .then(|| props.get("Id").cloned().unwrap_or_else(|| name.clone()));
        let input = status_input(inv, client, props, lines);
        let active = input
            .props
            .get("ActiveState")
            .map(String::as_str)
            .unwrap_or("");
        if !matches!(active, "active" | "reloading") {
            rc = rc.max(3);
        }
        let mut text = String::new();
        if printed_any {
            text.push('\n');
        }
        let (rendered, cut) = status::render_unit_noting_cuts(&input, &inv.term);
        text.push_str(&rendered);
        inv.print(&text);
        if let Some(id) = changed_on_disk {
            inv.warning(&render::changed_on_disk(&id));
        }
        printed_any = true;
        ellipsized |= cut;
    }
    if ellipsized {
        inv.print(render::ELLIPSIZED_HINT);
    }
    Ok(rc)
}

/// `UnitFileState=` and `UnitFilePreset=` from the unit files, where the
/// daemon's answer leaves them out: the same files, the same library.
fn fill_unit_file_state(props: &mut status::Props) {
    use crate::config::enablement::{InstallPaths, Installer};
    cpu_from_cgroup(props);
    let known = props.get("UnitFileState").is_some_and(|s| !s.is_empty());
    let loaded = props.get("LoadState").map(String::as_str) == Some("loaded");
    let Some(id) = props.get("Id").cloned() else {
        return;
    };
    if known || !loaded {
        return;
    }
    let installer = Installer::new(InstallPaths::system());
    if let Ok(state) = installer.state(&id) {
        props.insert("UnitFileState".into(), state.as_str().into());
        if state.shows_preset() {
            props.insert(
                "UnitFilePreset".into(),
                installer.preset(&id).as_str().into(),
            );
        }
    }
}

/// `CPUUsageNSec=` from the unit's cgroup (`cpu.stat`), where the daemon
/// does not account it and the cgroup is there to read.
fn cpu_from_cgroup(props: &mut status::Props) {
    let accounted = props
        .get("CPUUsageNSec")
        .is_some_and(|v| v.parse::<u64>().is_ok());
    let group = props.get("ControlGroup").cloned().unwrap_or_default();
    if accounted || group.is_empty() {
        return;
    }
    let Ok(stat) = std::fs::read_to_string(format!("/sys/fs/cgroup{group}/cpu.stat")) else {
        return;
    };
    let usage = stat
        .lines()
        .find_map(|l| l.strip_prefix("usage_usec "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(usec) = usage {
        props.insert("CPUUsageNSec".into(), (usec * 1000).to_string());
    }
}

fn unit_of_pid(client: &Client, pid: u32) -> Result<Option<String>, ClientError> {
    for s in client.service_statuses()? {
        if s.pid == Some(pid) {
            return Ok(Some(s.name));
        }
    }
    Ok(None)
}

fn status_input(
    inv: &Invocation,
    client: &Client,
    props: status::Props,
    lines: u32,
) -> status::StatusInput {
    let pid_of = |key: &str| {
        props
            .get(key)
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|p| *p > 0)
    };
    let main = pid_of("MainPID");
    let control = pid_of("ControlPID");
    let processes = cgroup_processes(
        props.get("ControlGroup").map(String::as_str).unwrap_or(""),
        main,
        control,
    );
    let mut peer_states = BTreeMap::new();
    for key in ["TriggeredBy", "Triggers"] {
        for unit in props
            .get(key)
            .map(String::as_str)
            .unwrap_or("")
            .split_whitespace()
        {
            if let Ok(s) = client.unit(unit) {
                peer_states.insert(unit.to_string(), s.active_state.as_str().to_string());
            }
        }
    }
    let journal = if lines == 0 {
        Vec::new()
    } else {
        let id = props.get("Id").cloned().unwrap_or_default();
        let not_before = props
            .get("InactiveExitTimestampMonotonic")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let mut journal =
            journal_lines(client, &id, lines as usize, not_before, &inv.term.hostname);
        if inv.options.output.as_deref() == Some("cat") {
            journal.iter_mut().for_each(|line| line.head.clear());
        }
        journal
    };
    status::StatusInput {
        props,
        processes,
        main_comm: main.and_then(comm_of),
        control_comm: control.and_then(comm_of),
        journal,
        peer_states,
        now: now_realtime(),
        now_monotonic: crate::engine::executor::monotonic_now(),
    }
}

/// The processes of a control group (from cgroupfs), or the main and
/// control processes where the unit has no cgroup of its own.
fn cgroup_processes(group: &str, main: Option<u32>, control: Option<u32>) -> Vec<status::Process> {
    let mut pids: BTreeSet<u32> = BTreeSet::new();
    if !group.is_empty() {
        let path = format!("/sys/fs/cgroup{group}/cgroup.procs");
        if let Ok(text) = std::fs::read_to_string(path) {
            pids.extend(text.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
        }
    }
    if pids.is_empty() {
        pids.extend(main);
        pids.extend(control);
    }
    pids.into_iter()
        .filter_map(|pid| {
            let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let words: Vec<String> = raw
                .split(|b| *b == 0)
                .filter(|w| !w.is_empty())
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            let command_line = if words.is_empty() {
                comm_of(pid).map(|c| format!("[{c}]")).unwrap_or_default()
            } else {
                words.join(" ")
            };
            Some(status::Process { pid, command_line })
        })
        .collect()
}

fn comm_of(pid: u32) -> Option<String> {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|c| c.trim_end().to_string())
}

/// The unit's last journal lines: read from the journal store, as
/// journalctl reads it, or asked of the daemon where the store is not here.
/// As systemd's status does, only lines of this run of the supervisor from
/// the unit's last activation on (`not_before`, monotonic), when it has one.
fn journal_lines(
    client: &Client,
    unit: &str,
    n: usize,
    not_before: u64,
    hostname: &str,
) -> Vec<status::JournalLine> {
    use crate::logs::journal::reader::{Filter, JournalReader};
    let directory = crate::logs::journal::default_directory();
    if let Ok(reader) = JournalReader::open(&directory) {
        let filter = Filter {
            units: vec![unit.to_string()],
            boot: None,
        };
        if let Ok(mut records) = reader.tail(&filter, n) {
            if let Some(current_boot) = records.last().map(|r| r.boot_id)
                && not_before > 0
            {
                records.retain(|r| r.boot_id == current_boot && r.monotonic >= not_before);
            }
            return records
                .iter()
                .map(|r| {
                    let host = if r.hostname.is_empty() {
                        hostname
                    } else {
                        &r.hostname
                    };
                    let ident = if r.identifier.is_empty() {
                        "unknown"
                    } else {
                        &r.identifier
                    };
                    status::JournalLine {
                        head: journal_head(
                            r.realtime,
                            host,
                            ident,
                            Some(r.pid).filter(|p| *p != 0),
                        ),
                        message: String::from_utf8_lossy(&r.message).into_owned(),
                        priority: r.priority,
                    }
                })
                .collect();
        }
    }
    let mut query = LogQuery::units(vec![unit.to_string()]);
    query.lines = Some(n as u64);
    client
        .logs(&query)
        .map(|entries| {
            entries
                .iter()
                .map(|e| api_journal_line(e, hostname))
                .collect()
        })
        .unwrap_or_default()
}

/// `Nov 21 17:01:21 host ident[pid]`.
fn journal_head(realtime: u64, host: &str, ident: &str, pid: Option<u32>) -> String {
    let micros = i64::try_from(realtime).unwrap_or(i64::MAX);
    let when = jiff::Timestamp::from_microsecond(micros)
        .map(|t| {
            t.to_zoned(crate::syntax::timestamp::local_zone())
                .strftime("%b %d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    match pid {
        Some(p) => format!("{when} {host} {ident}[{p}]"),
        None => format!("{when} {host} {ident}"),
    }
}

fn api_journal_line(entry: &LogEntry, hostname: &str) -> status::JournalLine {
    let (ident, pid) = match entry.stream {
        LogStream::Supervisor => ("systemd".to_string(), Some(1)),
        _ => (
            entry.unit.split('.').next().unwrap_or("").to_string(),
            entry.pid,
        ),
    };
    status::JournalLine {
        head: journal_head(entry.time.as_usec(), hostname, &ident, pid),
        message: entry.message.clone(),
        priority: entry.priority,
    }
}

fn system_status(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let info = client.daemon_info()?;
    let units = client.units()?;
    let failed = units
        .iter()
        .filter(|u| u.active_state.as_str() == "failed")
        .count();
    let state = if failed > 0 { "degraded" } else { "running" };
    let color = if failed > 0 {
        super::terminal::RED
    } else {
        super::terminal::GREEN
    };
    let dot = inv.term.paint(color, inv.term.glyph(Glyph::BlackCircle));
    let since =
        crate::syntax::timestamp::format_timestamp(info.started_at.as_usec()).unwrap_or_default();
    let rel = crate::syntax::timestamp::format_timestamp_relative(
        info.started_at.as_usec(),
        now_realtime(),
    )
    .unwrap_or_default();
    let text = format!(
        "{dot} {}\n    State: {state}\n    Units: {} loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: {failed} units\n    Since: {since}; {rel}\n  systemd: runr {}\n   CGroup: /\n",
        inv.term.hostname,
        units.len(),
        info.version
    );
    inv.print(&text);
    Ok(0)
}

// cat.

fn cat(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let names = match unit_names(inv) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let mut rc = 0;
    let mut printed = false;
    for name in &names {
        let masked = match client.unit(name) {
            Ok(summary) => summary.load_state == "masked",
            Err(e) if not_found(&e) => false,
            Err(e) => return Err(e),
        };
        let text = if masked {
            render::cat_masked(name, &inv.term)
        } else {
            match client.unit_files(name) {
                Ok(files) if !files.files.is_empty() => {
                    let files: Vec<(String, String)> =
                        files.files.into_iter().map(|f| (f.path, f.text)).collect();
                    render::cat(&files, &inv.term)
                }
                Ok(_) => {
                    inv.error(&format!("No files found for {name}."));
                    rc = 1;
                    continue;
                }
                Err(e) if not_found(&e) => {
                    inv.error(&format!("No files found for {name}."));
                    rc = 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
        };
        if printed {
            inv.print("\n");
        }
        if changed_on_disk(client, name) {
            let colors = inv.stderr_tty && inv.term.colors;
            inv.print_stderr(&render::cat_changed_on_disk(name, colors));
        }
        inv.print(&text);
        printed = true;
    }
    Ok(rc)
}

/// The manager's `NeedDaemonReload=` of a unit (no, where it cannot say).
fn changed_on_disk(client: &Client, name: &str) -> bool {
    let query = PropertyQuery {
        names: vec!["NeedDaemonReload".into()],
        all: false,
    };
    client.unit_properties(name, &query).is_ok_and(|props| {
        props
            .iter()
            .any(|p| p.name == "NeedDaemonReload" && p.value == "yes")
    })
}

// list-units, list-timers, list-dependencies.

fn matches_patterns(patterns: &[String], name: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| fnmatch(p, name))
}

fn list_units(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let o = &inv.options;
    let units = client.units()?;
    let mut rows: Vec<lists::UnitRow> = units
        .into_iter()
        // A template is a file, never a loaded unit.
        .filter(|u| !is_template(&u.name))
        .filter(|u| matches_patterns(&inv.args, &u.name))
        .filter(|u| {
            o.types.is_empty() || o.types.iter().any(|t| u.name.ends_with(&format!(".{t}")))
        })
        .filter(|u| o.load_states.is_empty() || o.load_states.contains(&u.load_state))
        .filter(|u| {
            o.states.is_empty()
                || o.states.iter().any(|s| {
                    *s == u.load_state || s == u.active_state.as_str() || *s == u.sub_state
                })
        })
        .filter(|u| o.all > 0 || !o.states.is_empty() || u.active_state.as_str() != "inactive")
        .map(|u| lists::UnitRow {
            description: if u.description.is_empty() {
                u.name.clone()
            } else {
                u.description.clone()
            },
            name: u.name,
            load: u.load_state,
            active: u.active_state.as_str().to_string(),
            sub: u.sub_state,
            job: None,
        })
        .collect();
    rows.sort_by(|a, b| lists::by_type_then_name(&a.name, &b.name));
    let style = lists::ListStyle {
        legend: o.legend,
        plain: o.plain,
        full: o.full,
        all: o.all > 0,
        states_given: !o.states.is_empty(),
        states_include_inactive: o.states.iter().any(|s| s == "inactive"),
    };
    inv.print(&lists::list_units(&rows, style, &inv.term));
    Ok(0)
}

fn list_timers(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let o = &inv.options;
    let timers = client.timer_statuses()?;
    let mut rows: Vec<lists::TimerRow> = timers
        .into_iter()
        .filter(|t| t.loaded && matches_patterns(&inv.args, &t.name))
        .filter(|t| o.all > 0 || t.state.as_str() != "inactive")
        .map(|t| lists::TimerRow {
            next: t.next_elapse.map(|n| n.as_usec()),
            last: t.last_trigger.map(|n| n.as_usec()),
            unit: t.name,
            activates: t.unit,
        })
        .collect();
    rows.sort_by_key(|r| (r.next.is_none(), r.next, r.unit.clone()));
    let style = lists::ListStyle {
        legend: o.legend,
        full: o.full,
        all: o.all > 0,
        ..Default::default()
    };
    inv.print(&lists::list_timers(&rows, style, now_realtime(), &inv.term));
    Ok(0)
}

const FORWARD_DEPENDENCIES: &[&str] = &[
    "Requires",
    "Requisite",
    "Wants",
    "ConsistsOf",
    "BindsTo",
    "Upholds",
];
const REVERSE_DEPENDENCIES: &[&str] = &[
    "RequiredBy",
    "RequisiteOf",
    "WantedBy",
    "PartOf",
    "BoundBy",
    "UpheldBy",
];

fn list_dependencies(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let root = match inv.args.first() {
        Some(arg) => match names::mangle(arg) {
            Some(n) => n,
            None => {
                inv.error("Failed to mangle name: Invalid argument");
                return Ok(1);
            }
        },
        None => "default.target".to_string(),
    };
    let states: BTreeMap<String, String> = client
        .units()?
        .into_iter()
        .map(|u: UnitSummary| (u.name, u.active_state.as_str().to_string()))
        .collect();
    let kinds = if inv.options.reverse {
        REVERSE_DEPENDENCIES
    } else {
        FORWARD_DEPENDENCIES
    };
    let mut ancestors = vec![root.clone()];
    let children = dependency_children(inv, client, &root, kinds, &states, &mut ancestors, 0)?;
    let tree = lists::DepNode {
        active: states
            .get(&root)
            .cloned()
            .unwrap_or_else(|| "inactive".into()),
        name: root,
        children,
    };
    inv.print(&lists::list_dependencies(
        &tree,
        inv.options.plain,
        &inv.term,
    ));
    Ok(0)
}

fn dependency_children(
    inv: &Invocation,
    client: &Client,
    name: &str,
    kinds: &[&str],
    states: &BTreeMap<String, String>,
    ancestors: &mut Vec<String>,
    depth: usize,
) -> Result<Vec<lists::DepNode>, ClientError> {
    if depth > 32 {
        return Ok(Vec::new());
    }
    let query = PropertyQuery {
        names: kinds.iter().map(|k| k.to_string()).collect(),
        all: false,
    };
    let props = match client.unit_properties(name, &query) {
        Ok(p) => p,
        Err(e) if not_found(&e) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names: Vec<String> = props
        .iter()
        .flat_map(|p| p.value.split_whitespace().map(String::from))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    names.sort_by(|a, b| {
        let target = |n: &str| n.ends_with(".target");
        target(a)
            .cmp(&target(b))
            .then_with(|| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
    });
    let mut out = Vec::new();
    for child in names {
        let expand =
            (inv.options.all > 0 || child.ends_with(".target")) && !ancestors.contains(&child);
        let children = if expand {
            ancestors.push(child.clone());
            let c = dependency_children(inv, client, &child, kinds, states, ancestors, depth + 1)?;
            ancestors.pop();
            c
        } else {
            Vec::new()
        };
        out.push(lists::DepNode {
            active: states
                .get(&child)
                .cloned()
                .unwrap_or_else(|| "inactive".into()),
            name: child,
            children,
        });
    }
    Ok(out)
}

// daemon-reload, reset-failed, is-system-running.

/// systemd's daemon-reload reads the files again and starts or restarts
/// nothing; runr's own `runr daemon-reload` does more.
pub(super) fn daemon_reload(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let accepted = client.reread_unit_files()?;
    if !inv.options.no_block {
        let _ = wait_for(client, accepted.action_id)?;
    }
    Ok(0)
}

fn reset_failed(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let names = if inv.args.is_empty() {
        client
            .units()?
            .into_iter()
            .filter(|u| u.active_state.as_str() == "failed")
            .map(|u| u.name)
            .collect()
    } else {
        match unit_names(inv) {
            Ok(n) => n,
            Err(code) => return Ok(code),
        }
    };
    let mut rc = 0;
    for name in names {
        match client.reset_failed(&name) {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                inv.error(&format!(
                    "Failed to reset failed state of unit {name}: Unit {name} not loaded."
                ));
                rc = 1;
            }
            Err(e) if e.is_unreachable() => return Err(e),
            Err(e) => {
                inv.error(&format!(
                    "Failed to reset failed state of unit {name}: {}",
                    api_message(&e)
                ));
                rc = 1;
            }
        }
    }
    Ok(rc)
}

fn is_system_running(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let units = client.units()?;
    let degraded = units.iter().any(|u| u.active_state.as_str() == "failed");
    let state = if degraded { "degraded" } else { "running" };
    if !inv.options.quiet {
        inv.print(&format!("{state}\n"));
    }
    Ok(if degraded { 1 } else { 0 })
}

// kill.

fn kill(inv: &Invocation, client: &Client) -> Result<u8, ClientError> {
    let names = match unit_names(inv) {
        Ok(n) => n,
        Err(code) => return Ok(code),
    };
    let whom = match inv.options.kill_whom.as_deref() {
        None | Some("all") => Some(KillWhom::All),
        Some("main") => Some(KillWhom::Main),
        Some("control") => Some(KillWhom::Control),
        Some(_) => None,
    };
    let signal = inv
        .options
        .signal
        .clone()
        .unwrap_or_else(|| "SIGTERM".into());
    let mut rc = 0;
    for name in &names {
        let Some(whom) = whom else {
            inv.error(&format!(
                "Failed to kill unit {name}: Invalid who argument {}",
                inv.options.kill_whom.as_deref().unwrap_or("")
            ));
            rc = 1;
            continue;
        };
        let options = KillOptions {
            signal: signal.clone(),
            whom,
        };
        match client.kill_service(name, &options) {
            Ok(_) => {}
            Err(e) if not_found(&e) => {
                inv.error(&format!(
                    "Failed to kill unit {name}: Unit {name} not loaded."
                ));
                rc = 1;
            }
            Err(e) if e.is_unreachable() => return Err(e),
            // "No main process to kill", "No control process to kill".
            Err(e) => {
                inv.error(&format!("Failed to kill unit {name}: {}", api_message(&e)));
                rc = 1;
            }
        }
    }
    Ok(rc)
}

// start, stop, restart, reload and their conditional forms.

/// Starts or stops units for `enable --now` and `disable --now`.
pub fn act_on_units(inv: &Invocation, action: &str, units: &[String]) -> u8 {
    let client = Client::local();
    match act(inv, &client, action, units) {
        Ok(code) => code,
        Err(e) if e.is_unreachable() => not_booted(inv),
        Err(e) => {
            inv.error(&format!("Failed to connect to runr: {e}"));
            1
        }
    }
}

/// What a verb does to a unit in the state it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Start,
    Stop,
    Restart,
    Reload,
    /// Reload, and restart where reloading is not possible.
    ReloadOrRestart,
    Nothing,
}

fn job_for(verb: &str, active: bool) -> Job {
    match method_verb(verb) {
        "start" => Job::Start,
        "stop" => Job::Stop,
        "restart" => Job::Restart,
        "reload" => Job::Reload,
        "try-restart" => {
            if active {
                Job::Restart
            } else {
                Job::Nothing
            }
        }
        "reload-or-restart" => {
            if active {
                Job::ReloadOrRestart
            } else {
                Job::Restart
            }
        }
        "reload-or-try-restart" => {
            if active {
                Job::ReloadOrRestart
            } else {
                Job::Nothing
            }
        }
        _ => Job::Nothing,
    }
}

/// The verb of the manager's method a verb calls (StartUnit, TryRestartUnit,
/// ReloadOrTryRestartUnit ...), which systemctl names in its errors: the
/// legacy and alias verbs are named after what they do.
fn method_verb(verb: &str) -> &str {
    match verb {
        "condstop" => "stop",
        "condrestart" => "try-restart",
        "try-reload-or-restart" | "force-reload" | "condreload" => "reload-or-try-restart",
        other => other,
    }
}

/// A job verb on units, for the other faces (`telinit 3`).
pub(super) fn act_with(
    inv: &Invocation,
    client: &Client,
    verb: &str,
    units: &[String],
) -> Result<u8, ClientError> {
    act(inv, client, verb, units)
}

fn act(inv: &Invocation, client: &Client, verb: &str, args: &[String]) -> Result<u8, ClientError> {
    // Names first, as systemctl expands them before any job.
    let mut units = Vec::new();
    let mut loaded: Option<Vec<UnitSummary>> = None;
    for arg in args {
        match names::mangle_glob(arg) {
            Some(NameArg::Unit(name)) => units.push(name),
            Some(NameArg::Pattern(pattern)) => {
                if loaded.is_none() {
                    loaded = Some(client.units()?);
                }
                units.extend(
                    loaded
                        .iter()
                        .flatten()
                        .filter(|u| fnmatch(&pattern, &u.name))
                        .map(|u| u.name.clone()),
                );
            }
            None => {
                inv.error("Failed to mangle name: Invalid argument");
                inv.error("Failed to expand names: Invalid argument");
                return Ok(1);
            }
        }
    }
    let mut rc = 0u8;
    let mut waiting: Vec<(String, ActionId)> = Vec::new();
    // The units the manager took a job (or a no-op) for.
    let mut accepted: Vec<&String> = Vec::new();
    for name in &units {
        if is_template(name) && verb != "stop" {
            inv.error(&format!(
                "Failed to {verb} {name}: Unit name {name} is missing the instance name."
            ));
            inv.error(&format!(
                "See system logs and 'systemctl status {name}' for details."
            ));
            rc = rc.max(1);
            continue;
        }
        let needs_state = !matches!(method_verb(verb), "start" | "stop" | "restart" | "reload");
        let active = if needs_state {
            match client.unit(name) {
                Ok(s) => matches!(
                    s.active_state.as_str(),
                    "active" | "reloading" | "activating"
                ),
                Err(e) if not_found(&e) => {
                    let verb = method_verb(verb);
                    inv.error(&format!("Failed to {verb} {name}: Unit {name} not found."));
                    rc = rc.max(5);
                    continue;
                }
                Err(e) => return Err(e),
            }
        } else {
            false
        };
        let job = job_for(verb, active);
        if job == Job::Start
            && inv.options.job_mode.as_deref() == Some("isolate")
            && !allows_isolate(client, name)?
        {
            // The manager refuses before any job is queued (runr isolates
            // nothing: a unit with AllowIsolate=yes is only started).
            inv.error(&format!(
                "Failed to {verb} {name}: Operation refused, unit may not be isolated."
            ));
            inv.error(&format!(
                "See system logs and 'systemctl status {name}' for details."
            ));
            rc = rc.max(4);
            continue;
        }
        let answer = match job {
            Job::Nothing => {
                accepted.push(name);
                continue;
            }
            Job::Start => client.start_service(name, &StartOptions { idempotent: true }),
            Job::Stop => client.stop_service(name, &StopOptions::default()),
            Job::Restart => client.restart_service(name, &StopOptions::default()),
            Job::Reload => client.reload_service(name),
            Job::ReloadOrRestart => match client.reload_service(name) {
                Err(e) if e.status() == Some(400) => {
                    client.restart_service(name, &StopOptions::default())
                }
                other => other,
            },
        };
        match answer {
            Ok(answer) => {
                accepted.push(name);
                waiting.push((name.clone(), answer.action_id));
            }
            Err(e) if e.is_unreachable() => return Err(e),
            Err(e) => {
                if let Some(code) = refusal(inv, verb, name, job, &e) {
                    rc = rc.max(code);
                }
            }
        }
    }
    let mut results = Vec::new();
    if !inv.options.no_block {
        for (name, id) in waiting {
            let status = wait_for(client, id)?;
            results.push((name, status.result.unwrap_or_else(|| "done".into())));
        }
    }
    // systemctl asks once the job is queued; runr asks once it is done
    // (a quick stop has then unloaded the unit, as systemd has by the
    // time it is asked), and says so before any failure.
    for name in accepted {
        if changed_on_disk(client, name) {
            inv.warning(&render::changed_on_disk(name));
        }
    }
    for (name, result) in results {
        if result != "done" && result != "skipped" {
            rc = rc.max(1);
            if !inv.options.quiet {
                job_failure(inv, client, &name, &result);
            }
        }
    }
    Ok(rc)
}

/// `AllowIsolate=` of a unit (no, for one the daemon does not know).
fn allows_isolate(client: &Client, name: &str) -> Result<bool, ClientError> {
    let query = PropertyQuery {
        names: vec!["AllowIsolate".into()],
        all: false,
    };
    match client.unit_properties(name, &query) {
        Ok(properties) => Ok(properties
            .iter()
            .any(|p| p.name == "AllowIsolate" && p.value == "yes")),
        Err(e) if e.is_unreachable() => Err(e),
        Err(_) => Ok(false),
    }
}

/// Says why the daemon refused a job; None where systemctl is silent.
fn refusal(inv: &Invocation, verb: &str, name: &str, job: Job, e: &ClientError) -> Option<u8> {
    let message = api_message(e);
    let verb = method_verb(verb);
    match e.status() {
        Some(404) => {
            let wording = if job == Job::Stop {
                "not loaded"
            } else {
                "not found"
            };
            inv.error(&format!("Failed to {verb} {name}: Unit {name} {wording}."));
            Some(5)
        }
        Some(409) if job == Job::Stop && message.ends_with("is masked.") => None,
        Some(400) if message.starts_with("Job type") => {
            inv.error(&format!("Failed to {verb} {name}: {message}"));
            Some(3)
        }
        _ => {
            inv.error(&format!("Failed to {verb} {name}: {message}"));
            Some(1)
        }
    }
}

/// Waits until an action has finished.
fn wait_for(
    client: &Client,
    id: ActionId,
) -> Result<crate::control::types::ActionStatus, ClientError> {
    loop {
        let status = client.action(id, Some(JOB_WAIT))?;
        if status.is_finished() {
            return Ok(status);
        }
    }
}

/// systemctl's words for a job that did not end `done`, naming the
/// service's result where it tells why.
fn job_failure(inv: &Invocation, client: &Client, name: &str, result: &str) {
    // The commands name the unit as a shell word.
    let quoted = shell_maybe_quote(name);
    let see =
        format!("See \"systemctl status {quoted}\" and \"journalctl -xeu {quoted}\" for details.");
    let text = match result {
        "failed" => {
            let query = PropertyQuery {
                names: vec!["Result".into()],
                all: false,
            };
            let service_result = client
                .unit_properties(name, &query)
                .ok()
                .and_then(|p| p.into_iter().find(|p| p.name == "Result"))
                .map(|p| p.value)
                .or_else(|| {
                    client
                        .service_statuses()
                        .ok()?
                        .into_iter()
                        .find(|s| s.name == name)
                        .map(|s| s.result)
                })
                .unwrap_or_default();
            let mut text = match explanation(&service_result) {
                Some(why) => format!("Job for {name} failed because {why}.\n{see}"),
                None => format!("Job for {name} failed.\n{see}"),
            };
            if service_result == "start-limit-hit" {
                text.push_str(&format!(
                    "\nTo force a start use \"systemctl reset-failed {quoted}\"\nfollowed by \"systemctl start {quoted}\" again."
                ));
            }
            text
        }
        "canceled" => format!("Job for {name} canceled."),
        "timeout" => format!("Job for {name} timed out."),
        "dependency" => {
            format!("A dependency job for {name} failed. See 'journalctl -xe' for details.")
        }
        "invalid" => format!("{name} is not active, cannot reload."),
        "assert" => format!("Assertion failed on job for {name}."),
        "unsupported" => {
            format!("Operation on or unit type of {name} not supported on this system.")
        }
        "collected" => format!("Queued job for {name} was garbage collected."),
        "once" => format!("Unit {name} was started already once and can't be started again."),
        other => format!("Job for {name} failed ({other}).\n{see}"),
    };
    inv.error(&text);
}

fn explanation(service_result: &str) -> Option<&'static str> {
    Some(match service_result {
        "resources" => "of unavailable resources or another system error",
        "protocol" => "the service did not take the steps required by its unit configuration",
        "timeout" => "a timeout was exceeded",
        "exit-code" => "the control process exited with error code",
        "signal" => "a fatal signal was delivered to the control process",
        "core-dump" => "a fatal signal was delivered causing the control process to dump core",
        "watchdog" => "the service failed to send watchdog ping",
        "start-limit-hit" => "start of the service was attempted too often",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_and_alias_verbs_are_named_and_act_as_their_methods() {
        assert_eq!(method_verb("condstop"), "stop");
        assert_eq!(method_verb("condrestart"), "try-restart");
        for verb in ["try-reload-or-restart", "force-reload", "condreload"] {
            assert_eq!(method_verb(verb), "reload-or-try-restart");
        }
        assert_eq!(method_verb("reload-or-restart"), "reload-or-restart");
        // force-reload restarts only what runs, as reload-or-try-restart.
        assert_eq!(job_for("force-reload", false), Job::Nothing);
        assert_eq!(job_for("force-reload", true), Job::ReloadOrRestart);
        assert_eq!(job_for("reload-or-restart", false), Job::Restart);
        assert_eq!(job_for("condstop", false), Job::Stop);
    }
}

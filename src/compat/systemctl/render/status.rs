//! `systemctl status UNIT`: drawn, as systemctl draws it, from the unit's
//! properties (what `show --all` prints), the processes of its control
//! group and its last journal lines.

use std::collections::BTreeMap;

use super::super::terminal::{GREEN, GREY, Glyph, NORMAL, RED, Terminal, YELLOW, ellipsize};
use crate::engine::conditions::{CheckedCondition, checks_from_property};
use crate::engine::exit_status::{ExitStatus, is_lsb_exit_status};
use crate::syntax::Usec;
use crate::syntax::timespan::{format_timespan, parse_timespan};
use crate::syntax::timestamp::{format_timestamp, format_timestamp_relative, parse_timestamp};

/// A unit's properties by name (the last value of a name wins).
pub type Props = BTreeMap<String, String>;

pub fn props_from<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Props {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Reads `show` output (`Name=value` lines) back into properties.
pub fn props_from_show(text: &str) -> Props {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One process of the unit's control group, for the CGroup tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    pub command_line: String,
}

/// Everything one unit's status is drawn from.
#[derive(Debug, Clone, Default)]
pub struct StatusInput {
    pub props: Props,
    /// The processes in the unit's cgroup, in PID order.
    pub processes: Vec<Process>,
    /// `comm` of the main and control processes, where they still run.
    pub main_comm: Option<String>,
    pub control_comm: Option<String>,
    /// The unit's last journal lines.
    pub journal: Vec<JournalLine>,
    /// The active state of each unit named in `TriggeredBy=`/`Triggers=`.
    pub peer_states: BTreeMap<String, String>,
    pub now: Usec,
    /// CLOCK_MONOTONIC at `now`, to place a timer's monotonic elapse.
    pub now_monotonic: Usec,
}

/// One journal line: `Nov 21 17:01:21 host systemd[1]` and the message,
/// coloured by its priority on a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalLine {
    pub head: String,
    pub message: String,
    pub priority: u8,
}

/// The glyph and colour systemctl gives an active state.
pub fn state_glyph(state: &str, term: &Terminal) -> (&'static str, Option<&'static str>) {
    match state {
        "failed" => (term.glyph(Glyph::Cross), Some(RED)),
        "active" | "reloading" => (term.glyph(Glyph::BlackCircle), Some(GREEN)),
        "inactive" | "maintenance" => (term.glyph(Glyph::WhiteCircle), None),
        _ => (term.glyph(Glyph::BlackCircle), None),
    }
}

fn painted(term: &Terminal, color: Option<&str>, text: &str) -> String {
    match color {
        Some(c) => term.paint(c, text),
        None => text.to_string(),
    }
}

struct View<'a> {
    input: &'a StatusInput,
    term: &'a Terminal,
    out: String,
    /// A line was cut to the terminal's width.
    ellipsized: bool,
}

impl View<'_> {
    fn get(&self, name: &str) -> &str {
        self.input.props.get(name).map(String::as_str).unwrap_or("")
    }

    fn number(&self, name: &str) -> Option<u64> {
        self.get(name).parse().ok()
    }

    fn timestamp(&self, name: &str) -> Option<(String, Usec)> {
        let text = self.get(name);
        if text.is_empty() || text == "n/a" {
            return None;
        }
        let usec = parse_timestamp(text).ok()?;
        Some((text.to_string(), usec))
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Cuts a line to the terminal's width (not on a pipe, not with --full).
    fn fit(&mut self, text: &str, indent: usize, percent: usize) -> String {
        match self.term.columns {
            Some(cols) if cols > indent => {
                let cut = ellipsize(text, cols - indent, percent, self.term);
                if cut != text {
                    self.ellipsized = true;
                }
                cut
            }
            _ => text.to_string(),
        }
    }
}

/// The status of one unit.
/// What `status` asks the daemon for: every property [`render_unit`]
/// reads, and those the caller needs around it (the processes, the
/// journal since the last start, the unit file state). Asking for fewer
/// than all spares the daemon working out the other two hundred.
pub const PROPERTIES: &[&str] = &[
    "ActiveEnterTimestamp",
    "ActiveEnterTimestampMonotonic",
    "ActiveExitTimestamp",
    "ActiveExitTimestampMonotonic",
    "ActiveState",
    "AssertResult",
    "AssertTimestamp",
    "Asserts",
    "CPUUsageNSec",
    "ConditionResult",
    "ConditionTimestamp",
    "Conditions",
    "ControlGroup",
    "ControlPID",
    "Description",
    "Documentation",
    "DropInPaths",
    "ExecCondition",
    "ExecMainCode",
    "ExecMainPID",
    "ExecMainStatus",
    "ExecReload",
    "ExecStart",
    "ExecStartPost",
    "ExecStartPre",
    "ExecStop",
    "ExecStopPost",
    "FragmentPath",
    "Id",
    "InactiveEnterTimestamp",
    "InactiveExitTimestamp",
    "InactiveExitTimestampMonotonic",
    "LoadError",
    "LoadState",
    "MainPID",
    "MemoryCurrent",
    "NeedDaemonReload",
    "NextElapseUSecMonotonic",
    "NextElapseUSecRealtime",
    "Result",
    "SourcePath",
    "StatusErrno",
    "StatusText",
    "SubState",
    "TasksCurrent",
    "TasksMax",
    "Transient",
    "TriggeredBy",
    "Triggers",
    "UnitFilePreset",
    "UnitFileState",
];

pub fn render_unit(input: &StatusInput, term: &Terminal) -> String {
    render_unit_noting_cuts(input, term).0
}

/// The status of one unit, and whether a line was cut to the terminal's
/// width (systemctl then ends with a hint to use `-l`).
pub fn render_unit_noting_cuts(input: &StatusInput, term: &Terminal) -> (String, bool) {
    let mut v = View {
        input,
        term,
        out: String::new(),
        ellipsized: false,
    };
    title(&mut v);
    loaded(&mut v);
    dropins(&mut v);
    if v.get("Transient") == "yes" {
        v.line("  Transient: yes");
    }
    active(&mut v);
    triggers(&mut v);
    unmet_conditions(&mut v);
    failed_assert(&mut v);
    docs(&mut v);
    processes(&mut v);
    status_text(&mut v);
    resources(&mut v);
    cgroup(&mut v);
    journal(&mut v);
    (v.out, v.ellipsized)
}

fn title(v: &mut View) {
    let state = v.get("ActiveState").to_string();
    let (glyph, color) = state_glyph(&state, v.term);
    let id = v.get("Id").to_string();
    let mut line = format!("{} {id}", painted(v.term, color, glyph));
    let description = v.get("Description").to_string();
    if !description.is_empty() && description != id {
        line.push_str(" - ");
        line.push_str(&description);
    }
    v.line(&line);
}

fn loaded(v: &mut View) {
    let load = v.get("LoadState").to_string();
    let path = match v.get("FragmentPath") {
        "" => v.get("SourcePath").to_string(),
        p => p.to_string(),
    };
    let error = v.get("LoadError").to_string();
    let mut line = format!("     Loaded: {load}");
    if load == "masked" || (!error.is_empty() && load != "loaded") {
        if let Some(reason) = load_error_reason(&error) {
            line.push_str(&format!(" (Reason: {reason})"));
        }
        v.line(&line);
        return;
    }
    let state = v.get("UnitFileState").to_string();
    let preset = v.get("UnitFilePreset").to_string();
    if path.is_empty() && state.is_empty() {
        v.line(&line);
        return;
    }
    line.push_str(" (");
    line.push_str(&v.term.file_link(&path));
    if !state.is_empty() {
        line.push_str("; ");
        line.push_str(&painted(v.term, file_state_color(&state), &state));
        let shows_preset = !preset.is_empty()
            && !matches!(
                state.as_str(),
                "alias" | "static" | "generated" | "transient"
            );
        if shows_preset {
            line.push_str("; preset: ");
            line.push_str(&painted(v.term, file_state_color(&preset), &preset));
        } else if v.term.colors {
            // systemctl paints the missing preset in green: an empty pair.
            line.push_str(GREEN);
            line.push_str(NORMAL);
        }
    }
    line.push(')');
    v.line(&line);
}

fn file_state_color(state: &str) -> Option<&'static str> {
    match state {
        "enabled" | "enabled-runtime" => Some(GREEN),
        "disabled" => Some(YELLOW),
        "masked" | "masked-runtime" | "bad" => Some(RED),
        _ => None,
    }
}

/// `org.freedesktop.systemd1.UnitMasked "Unit x is masked."` -> the message.
fn load_error_reason(error: &str) -> Option<String> {
    let (_, quoted) = error.split_once(' ')?;
    Some(quoted.trim().trim_matches('"').to_string())
}

fn dropins(v: &mut View) {
    let paths: Vec<String> = v
        .get("DropInPaths")
        .split_whitespace()
        .map(String::from)
        .collect();
    if paths.is_empty() {
        return;
    }
    // Files grouped by directory, in the order given.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in paths {
        let (dir, file) = p.rsplit_once('/').unwrap_or(("", p.as_str()));
        match groups.last_mut() {
            Some((d, files)) if d == dir => files.push(file.to_string()),
            _ => groups.push((dir.to_string(), vec![file.to_string()])),
        }
    }
    let n = groups.len();
    for (i, (dir, files)) in groups.iter().enumerate() {
        let label = if i == 0 {
            "    Drop-In: "
        } else {
            "             "
        };
        v.line(&format!("{label}{dir}"));
        let branch = if i + 1 == n {
            v.term.glyph(Glyph::TreeRight)
        } else {
            v.term.glyph(Glyph::TreeBranch)
        };
        // Each file name links to the file, on a terminal.
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                v.term
                    .link(&format!("file://{}{dir}/{f}", v.term.hostname), f)
            })
            .collect();
        v.line(&format!("             {branch}{}", names.join(", ")));
    }
}

fn active(v: &mut View) {
    let state = v.get("ActiveState").to_string();
    let sub = v.get("SubState").to_string();
    let result = v.get("Result").to_string();
    let mut head = state.clone();
    if !sub.is_empty() && sub != state {
        head.push_str(&format!(" ({sub})"));
    }
    let color = match state.as_str() {
        "failed" => Some(RED),
        "active" | "reloading" => Some(GREEN),
        _ => None,
    };
    let mut line = format!("     Active: {}", painted(v.term, color, &head));
    if state == "failed" && !result.is_empty() && result != "success" {
        line.push_str(&format!(" (Result: {result})"));
    }
    let since = match state.as_str() {
        "active" | "reloading" => "ActiveEnterTimestamp",
        "inactive" | "failed" => "InactiveEnterTimestamp",
        "activating" => "InactiveExitTimestamp",
        _ => "ActiveExitTimestamp",
    };
    if let Some((text, usec)) = v.timestamp(since) {
        line.push_str(&format!(" since {text}"));
        if let Some(rel) = format_timestamp_relative(usec, v.input.now) {
            line.push_str(&format!("; {rel}"));
        }
    }
    v.line(&line);
    if matches!(state.as_str(), "inactive" | "failed")
        && let (Some(enter), Some(exit)) = (
            v.number("ActiveEnterTimestampMonotonic").filter(|n| *n > 0),
            v.number("ActiveExitTimestampMonotonic").filter(|n| *n > 0),
        )
        && exit >= enter
    {
        v.line(&format!(
            "   Duration: {}",
            format_timespan(exit - enter, 1_000)
        ));
    }
}

/// A timer's next elapse on the wall clock: the earlier of its realtime
/// elapse and its monotonic one (`OnActiveSec=` ...) carried over to the
/// wall clock, as systemctl reckons it.
fn next_elapse(v: &View) -> Option<(String, Usec)> {
    let realtime = v.timestamp("NextElapseUSecRealtime");
    let monotonic = parse_timespan(v.get("NextElapseUSecMonotonic"))
        .ok()
        .filter(|t| *t > 0)
        .map(|t| {
            let (now, now_monotonic) = (v.input.now, v.input.now_monotonic);
            if t > now_monotonic {
                now.saturating_add(t - now_monotonic)
            } else {
                now.saturating_sub(now_monotonic - t)
            }
        });
    match (realtime, monotonic) {
        (Some((_, r)), Some(m)) if m < r => Some((format_timestamp(m).unwrap_or_default(), m)),
        (Some(real), _) => Some(real),
        (None, Some(m)) => Some((format_timestamp(m).unwrap_or_default(), m)),
        (None, None) => None,
    }
}

fn triggers(v: &mut View) {
    let by: Vec<String> = v
        .get("TriggeredBy")
        .split_whitespace()
        .map(String::from)
        .collect();
    for (i, unit) in by.iter().enumerate() {
        let state = v
            .input
            .peer_states
            .get(unit)
            .map(String::as_str)
            .unwrap_or("");
        let (glyph, color) = state_glyph(state, v.term);
        let label = if i == 0 {
            "TriggeredBy: "
        } else {
            "             "
        };
        let line = format!("{label}{} {unit}", painted(v.term, color, glyph));
        v.line(&line);
    }
    if v.get("Id").ends_with(".timer") {
        let line = match next_elapse(v) {
            Some((text, usec)) => match format_timestamp_relative(usec, v.input.now) {
                Some(rel) => format!("    Trigger: {text}; {rel}"),
                None => format!("    Trigger: {text}"),
            },
            None => "    Trigger: n/a".to_string(),
        };
        v.line(&line);
    }
    let triggered: Vec<String> = v
        .get("Triggers")
        .split_whitespace()
        .map(String::from)
        .collect();
    for (i, unit) in triggered.iter().enumerate() {
        let label = if i == 0 {
            "   Triggers: "
        } else {
            "             "
        };
        let line = format!("{label}{} {unit}", v.term.glyph(Glyph::BlackCircle));
        v.line(&line);
    }
}

/// When the last start was checked: the `ConditionTimestamp=` or
/// `AssertTimestamp=` of a check that did not pass, as `at TIME; N ago`.
fn failed_check_time(v: &View, prefix: &str) -> Option<String> {
    if v.get(&format!("{prefix}Result")) == "yes" {
        return None;
    }
    let (text, usec) = v.timestamp(&format!("{prefix}Timestamp"))?;
    let relative = format_timestamp_relative(usec, v.input.now).unwrap_or_else(|| "n/a".into());
    Some(format!("at {text}; {relative}"))
}

/// `Condition: start condition failed at ...` and, below, each condition
/// that was not met, in file order.
fn unmet_conditions(v: &mut View) {
    let Some(when) = failed_check_time(v, "Condition") else {
        return;
    };
    let failed = v.term.paint(YELLOW, "condition failed");
    v.line(&format!("  Condition: start {failed} {when}"));
    let unmet: Vec<CheckedCondition> = checks_from_property(v.get("Conditions"))
        .into_iter()
        .filter(|c| c.state.failed())
        .collect();
    for (i, c) in unmet.iter().enumerate() {
        let glyph = if i + 1 == unmet.len() {
            v.term.glyph(Glyph::TreeRight)
        } else {
            v.term.glyph(Glyph::TreeBranch)
        };
        v.line(&format!(
            "             {glyph} {}={}{}{} was not met",
            c.name,
            if c.trigger { "|" } else { "" },
            if c.negate { "!" } else { "" },
            c.parameter
        ));
    }
}

/// `Assert: start assertion failed at ...` and the one assertion systemctl
/// names: the regular one that failed, else, when only triggering ones
/// did, that none of them was met.
fn failed_assert(v: &mut View) {
    let Some(when) = failed_check_time(v, "Assert") else {
        return;
    };
    let failed = v.term.paint(RED, "assertion failed");
    v.line(&format!("     Assert: start {failed} {when}"));
    // systemd hands the list over last line first and keeps the last
    // regular failure it reads, or else the first triggering one.
    let mut named: Option<CheckedCondition> = None;
    for c in checks_from_property(v.get("Asserts")).into_iter().rev() {
        if c.state.failed() && (!c.trigger || named.is_none()) {
            named = Some(c);
        }
    }
    match named {
        Some(c) if c.trigger => v.line("             none of the trigger assertions were met"),
        Some(c) => v.line(&format!(
            "             {}={}{} was not met",
            c.name,
            if c.negate { "!" } else { "" },
            c.parameter
        )),
        None => {}
    }
}

fn docs(v: &mut View) {
    let docs = split_quoted_list(v.get("Documentation"));
    for (i, doc) in docs.iter().enumerate() {
        let label = if i == 0 {
            "       Docs: "
        } else {
            "             "
        };
        let line = format!("{label}{}", v.term.link(doc, doc));
        v.line(&line);
    }
}

/// `Documentation=` lists are space-separated words, some quoted.
fn split_quoted_list(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches('"').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// One `{ path=... ; argv[]=... ; pid=... ; code=... ; status=... }` record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecRecord {
    pub argv: String,
    pub pid: u32,
    pub code: String,
    pub status: i32,
}

/// The records of one `Exec*=` property value.
pub fn parse_exec_records(value: &str) -> Vec<ExecRecord> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("{ ") {
        let Some(end) = rest[start..].find(" }") else {
            break;
        };
        let body = &rest[start + 2..start + end];
        rest = &rest[start + end + 2..];
        let mut record = ExecRecord::default();
        for field in body.split(" ; ") {
            let Some((key, value)) = field.split_once('=') else {
                continue;
            };
            match key {
                "argv[]" => record.argv = value.to_string(),
                "pid" => record.pid = value.parse().unwrap_or(0),
                "code" => record.code = value.to_string(),
                "status" => {
                    record.status = value
                        .split('/')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0)
                }
                _ => {}
            }
        }
        out.push(record);
    }
    out
}

fn exit_of(code: &str, status: i32) -> Option<ExitStatus> {
    match code {
        "exited" | "1" => Some(ExitStatus::Exited(status)),
        "killed" | "2" => Some(ExitStatus::Killed(status)),
        "dumped" | "3" => Some(ExitStatus::Dumped(status)),
        _ => None,
    }
}

/// `code=exited, status=1/FAILURE` or `code=killed, signal=TERM`.
/// `code=exited, status=1/FAILURE`, `code=killed, signal=TERM`; an LSB
/// exit code is a bare number here (`status=3`), as systemctl prints it.
fn describe_exit(exit: ExitStatus) -> String {
    match exit {
        ExitStatus::Exited(n) if is_lsb_exit_status(n) => format!("code=exited, status={n}"),
        ExitStatus::Exited(_) => format!("code=exited, status={}", exit.status_text()),
        ExitStatus::Killed(_) | ExitStatus::Dumped(_) => {
            let text = exit.status_text();
            let name = text.split_once('/').map_or(text.as_str(), |(_, n)| n);
            format!("code={}, signal={name}", exit.code_word())
        }
    }
}

const EXEC_PROPERTIES: &[&str] = &[
    "ExecCondition",
    "ExecStartPre",
    "ExecStart",
    "ExecStartPost",
    "ExecReload",
    "ExecStop",
    "ExecStopPost",
];

/// systemctl paints a process's end red unless it is clean for a daemon:
/// exit status 0, or killed by SIGHUP, SIGINT, SIGTERM or SIGPIPE.
fn clean_for_a_daemon(exit: ExitStatus) -> bool {
    use nix::libc::{SIGHUP, SIGINT, SIGPIPE, SIGTERM};
    match exit {
        ExitStatus::Killed(signal) => [SIGHUP, SIGINT, SIGTERM, SIGPIPE].contains(&signal),
        other => other.is_clean_exit(),
    }
}

fn processes(v: &mut View) {
    for name in EXEC_PROPERTIES {
        for record in parse_exec_records(v.get(name)) {
            let Some(exit) = exit_of(&record.code, record.status) else {
                continue;
            };
            if record.pid == 0 {
                continue;
            }
            let described = format!("({})", describe_exit(exit));
            let painted = if clean_for_a_daemon(exit) {
                described
            } else {
                v.term.paint(RED, &described)
            };
            let line = format!(
                "    Process: {} {name}={} {painted}",
                record.pid, record.argv
            );
            v.line(&line);
        }
    }
    let main = v.number("MainPID").unwrap_or(0);
    let exec_main = v.number("ExecMainPID").unwrap_or(0);
    let control = v.number("ControlPID").unwrap_or(0);
    if main > 0 {
        let comm = v.input.main_comm.clone();
        let line = match comm {
            Some(c) => format!("   Main PID: {main} ({c})"),
            None => format!("   Main PID: {main}"),
        };
        v.line(&line);
    } else if exec_main > 0 {
        let code = v.get("ExecMainCode").to_string();
        let status = v.number("ExecMainStatus").unwrap_or(0) as i32;
        let line = match exit_of(&code, status) {
            Some(exit) => format!("   Main PID: {exec_main} ({})", describe_exit(exit)),
            None => format!("   Main PID: {exec_main}"),
        };
        v.line(&line);
    }
    if control > 0 {
        let line = match &v.input.control_comm {
            Some(c) => format!("    Control: {control} ({c})"),
            None => format!("    Control: {control}"),
        };
        v.line(&line);
    }
}

/// What the service last said over sd_notify: `STATUS=` and `ERRNO=`.
fn status_text(v: &mut View) {
    let text = v.get("StatusText").to_string();
    if !text.is_empty() {
        let line = format!("     Status: \"{text}\"");
        v.line(&line);
    }
    let errno = v.number("StatusErrno").unwrap_or(0);
    if errno > 0 {
        let line = format!("      Error: {errno} ({})", errno_message(errno));
        v.line(&line);
    }
}

/// The C library's strerror() text for an errno, as systemctl's `%m`
/// prints it ("Input/output error", "Unknown error 4000").
fn errno_message(errno: u64) -> String {
    let errno = i32::try_from(errno).unwrap_or(i32::MAX);
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    let suffix = format!(" (os error {errno})");
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

fn resources(v: &mut View) {
    if let Some(tasks) = v.number("TasksCurrent") {
        let line = match v.number("TasksMax") {
            Some(max) => format!("      Tasks: {tasks} (limit: {max})"),
            None => format!("      Tasks: {tasks}"),
        };
        v.line(&line);
    }
    if let Some(memory) = v.number("MemoryCurrent") {
        let line = format!("     Memory: {}", format_bytes(memory));
        v.line(&line);
    }
    if let Some(nsec) = v.number("CPUUsageNSec") {
        let line = format!("        CPU: {}", format_timespan(nsec / 1_000, 1_000));
        v.line(&line);
    }
}

/// systemd's format_bytes(): `1.2M`, `512K`, `100B`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 6] = [
        ("E", 1 << 60),
        ("P", 1 << 50),
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ];
    for (suffix, factor) in UNITS {
        if bytes >= factor {
            let whole = bytes / factor;
            let tenth = (bytes % factor) * 10 / factor;
            return if whole < 10 && tenth > 0 {
                format!("{whole}.{tenth}{suffix}")
            } else {
                format!("{whole}{suffix}")
            };
        }
    }
    format!("{bytes}B")
}

fn cgroup(v: &mut View) {
    let group = v.get("ControlGroup").to_string();
    if group.is_empty() || v.input.processes.is_empty() {
        return;
    }
    v.line(&format!("     CGroup: {group}"));
    let n = v.input.processes.len();
    for (i, p) in v.input.processes.iter().enumerate() {
        let branch = if i + 1 == n {
            v.term.glyph(Glyph::TreeRight)
        } else {
            v.term.glyph(Glyph::TreeBranch)
        };
        let text = v.fit(&format!("{} {}", p.pid, p.command_line), 15, 100);
        let line = format!("             {branch}{}", v.term.paint(GREY, &text));
        v.line(&line);
    }
}

fn journal(v: &mut View) {
    if v.input.journal.is_empty() {
        return;
    }
    v.out.push('\n');
    for line in &v.input.journal {
        // `-o cat`: the message alone.
        let head = if line.head.is_empty() {
            String::new()
        } else {
            format!("{}: ", line.head)
        };
        let message = v.fit(&line.message, super::super::terminal::width(&head), 90);
        let message = color_journal_message(&message, line.priority, v.term);
        v.out.push_str(&head);
        v.out.push_str(&message);
        v.out.push('\n');
    }
}

/// Colours a formatted journal line's message by priority, as journalctl's
/// short output does (notice and above bold, warning yellow, error red).
pub fn color_journal_message(message: &str, priority: u8, term: &Terminal) -> String {
    match priority {
        0..=3 => term.paint(RED, message),
        4 => term.paint(YELLOW, message),
        5 => term.paint(super::super::terminal::HIGHLIGHT, message),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(path: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/golden/systemctl/live/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// The status of a unit drawn from its golden `show` output, with the
    /// journal lines the golden status shows: the header must match.
    fn status_from_show(
        unit: &str,
        show: &str,
        status: &str,
        main_comm: Option<&str>,
    ) -> (String, String) {
        let status_text = golden(&format!("{unit}/{status}.stdout"));
        let mut props = props_from_show(&golden(&format!("{unit}/{show}.stdout")));
        props.entry("Id".into()).or_insert(unit.to_string());
        let header: String = status_text.split("\n\n").next().unwrap().to_string();
        let processes = header
            .lines()
            .skip_while(|l| !l.starts_with("     CGroup:"))
            .filter(|l| l.starts_with("             └─"))
            .map(|l| {
                let rest = l.trim_start_matches("             └─");
                let (pid, cmd) = rest.split_once(' ').unwrap();
                Process {
                    pid: pid.parse().unwrap(),
                    command_line: cmd.to_string(),
                }
            })
            .collect();
        let now = parse_timestamp("Sat 2026-11-21 17:01:24 UTC").unwrap();
        let input = StatusInput {
            props,
            processes,
            main_comm: main_comm.map(String::from),
            control_comm: None,
            journal: Vec::new(),
            peer_states: [("demo-tick.timer".to_string(), "active".to_string())].into(),
            now,
            now_monotonic: 0,
        };
        let ours = render_unit(&input, &Terminal::plain());
        (mask(ours.trim_end()), mask(header.trim_end()))
    }

    /// What moves between two captures: relative times, CPU, Duration.
    fn mask(text: &str) -> String {
        text.lines()
            .map(|l| {
                if let Some((head, _)) = l.split_once("; ")
                    && (l.contains(" since ") || l.contains("Trigger:"))
                {
                    return head.to_string();
                }
                if l.trim_start().starts_with("CPU:") || l.trim_start().starts_with("Duration:") {
                    return l.split(':').next().unwrap().to_string();
                }
                l.to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn status_headers_match_systemd_for_each_kind_of_unit() {
        for (unit, comm) in [
            ("demo-simple.service", Some("sleep")),
            ("demo-fail.service", None),
            ("demo-forking.service", Some("sleep")),
            ("demo-oneshot.service", None),
            ("demo-once.service", None),
            ("demo-idle.service", None),
            ("demo-reload.service", Some("sleep")),
            ("demo-tick.timer", None),
            ("demo-tick.service", None),
            ("demo.target", None),
            ("demo-masked.service", None),
            ("demo-greet@world.service", Some("sleep")),
            ("demo-linked.service", None),
        ] {
            let (ours, theirs) = status_from_show(unit, "06-show", "01-status-no-pager", comm);
            assert_eq!(ours, theirs, "{unit}");
        }
    }

    #[test]
    fn the_properties_status_asks_for_are_all_it_reads() {
        let live = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/systemctl/live");
        let mut units = 0;
        for unit in std::fs::read_dir(&live).unwrap() {
            let unit = unit.unwrap().file_name().to_string_lossy().to_string();
            if !live.join(&unit).join("06-show.stdout").exists() {
                continue;
            }
            let all = status_from(&unit, false);
            assert!(all.contains("Loaded: "), "{all}");
            assert_eq!(status_from(&unit, true), all, "{unit}");
            units += 1;
        }
        assert!(units >= 10, "only {units} units have a golden show");
    }

    /// A unit's status from its golden `show`, from all of its properties
    /// or only from those in [`PROPERTIES`].
    fn status_from(unit: &str, only_asked: bool) -> String {
        let mut props = props_from_show(&golden(&format!("{unit}/06-show.stdout")));
        props.entry("Id".into()).or_insert(unit.to_string());
        if only_asked {
            props.retain(|name, _| PROPERTIES.contains(&name.as_str()));
        }
        let input = StatusInput {
            props,
            now: parse_timestamp("Sat 2026-11-21 17:01:30 UTC").unwrap(),
            ..Default::default()
        };
        render_unit(&input, &Terminal::plain())
    }

    #[test]
    fn a_terminal_gets_colours_links_cut_journal_lines_and_the_hint() {
        let unit = "demo-fail.service";
        let mut props = props_from_show(&golden(&format!("{unit}/06-show.stdout")));
        props.insert("Id".into(), unit.into());
        let pipe = golden(&format!("{unit}/01-status-no-pager.stdout"));
        let journal = pipe
            .split("\n\n")
            .nth(1)
            .unwrap()
            .lines()
            .map(|l| {
                let (head, message) = l.split_once(": ").unwrap();
                let priority = if message.contains("Main process exited") {
                    5
                } else if message.contains("Failed with result") {
                    4
                } else {
                    6
                };
                JournalLine {
                    head: head.to_string(),
                    message: message.to_string(),
                    priority,
                }
            })
            .collect();
        let input = StatusInput {
            props,
            journal,
            now: parse_timestamp("Sat 2026-11-21 17:01:30 UTC").unwrap(),
            ..Default::default()
        };
        let (text, cut) = render_unit_noting_cuts(&input, &Terminal::tty(80, "oracle"));
        assert!(cut);
        let want = golden(&format!("{unit}/04-status-no-pager-tty.stdout"));
        let hint = crate::compat::systemctl::render::ELLIPSIZED_HINT;
        assert_eq!(mask(&format!("{text}{hint}")), mask(&want));
    }

    /// The header of a golden status of golden/systemctl/conditions, and
    /// the status drawn from `props` at the moment the golden was taken
    /// (its "Ns ago" after the `{prefix}Timestamp=` of the failed check).
    fn check_status(
        unit: &str,
        case: &str,
        prefix: &str,
        props: &[(&str, &str)],
        term: &Terminal,
    ) -> (String, String) {
        let path = format!(
            "{}/golden/systemctl/conditions/live/{unit}/{case}.stdout",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let header = text.split("\n\n").next().unwrap().to_string() + "\n";
        let failed_at = header.lines().find(|l| l.contains(" failed")).unwrap();
        let (_, when) = failed_at.split_once(" at ").unwrap();
        let (stamp, ago) = when.split_once("; ").unwrap();
        let seconds: u64 = ago.trim_end_matches("s ago").parse().unwrap();
        let mut props = props_from(props.iter().copied());
        props.insert(format!("{prefix}Timestamp"), stamp.into());
        props.insert(format!("{prefix}Result"), "no".into());
        props.insert("Id".into(), unit.into());
        props.insert("FragmentPath".into(), format!("/etc/systemd/system/{unit}"));
        for (name, value) in [
            ("LoadState", "loaded"),
            ("UnitFileState", "enabled"),
            ("UnitFilePreset", "enabled"),
            ("ActiveState", "inactive"),
            ("SubState", "dead"),
        ] {
            props.insert(name.into(), value.into());
        }
        let input = StatusInput {
            props,
            now: parse_timestamp(stamp).unwrap() + seconds * 1_000_000,
            ..Default::default()
        };
        (render_unit(&input, term), header)
    }

    #[test]
    fn unmet_conditions_are_listed_in_file_order_under_the_failed_start() {
        let (ours, theirs) = check_status(
            "cond-trigger.service",
            "00-status",
            "Condition",
            &[
                ("Description", "Skipped: no triggering condition holds"),
                (
                    "Conditions",
                    "ConditionPathExists yes no failed /nonexistent-a ; ConditionPathExists yes yes failed /etc",
                ),
            ],
            &Terminal::plain(),
        );
        assert_eq!(ours, theirs);
        // Only the conditions checked and failed are named, with ASCII
        // glyphs in the C locale.
        let mut ascii = Terminal::plain();
        ascii.utf8 = false;
        let (ours, theirs) = check_status(
            "cond-two.service",
            "01-status-no-pager-LANG-C",
            "Condition",
            &[
                ("Description", "Skipped: two failing conditions"),
                (
                    "Conditions",
                    "ConditionPathExists no no untested /nonexistent-a ; ConditionDirectoryNotEmpty no no failed /nonexistent-b",
                ),
            ],
            &ascii,
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_failed_assertion_is_named_and_painted_red_on_a_terminal() {
        let assert_path = [
            (
                "Description",
                "Fails: an assertion on a path that does not exist",
            ),
            ("Asserts", "AssertPathExists no no failed /nonexistent"),
        ];
        for (case, term) in [
            ("00-status", Terminal::plain()),
            ("02-status-no-pager-tty", Terminal::tty(80, "oracle")),
        ] {
            let (ours, theirs) =
                check_status("assert-path.service", case, "Assert", &assert_path, &term);
            assert_eq!(ours, theirs, "{case}");
        }
        // Only triggering assertions failed: none is named.
        let (ours, theirs) = check_status(
            "assert-trigger.service",
            "00-status",
            "Assert",
            &[
                ("Description", "Fails: no triggering assertion holds"),
                (
                    "Asserts",
                    "AssertPathExists yes no failed /nonexistent-a ; AssertPathExists yes no failed /nonexistent-b",
                ),
            ],
            &Terminal::plain(),
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn a_check_that_passed_or_never_ran_shows_nothing() {
        for props in [
            [
                ("AssertResult", "yes"),
                ("AssertTimestamp", "Sat 2026-11-21 22:00:27 UTC"),
            ],
            [("AssertResult", "no"), ("AssertTimestamp", "")],
            [
                ("ConditionResult", "yes"),
                ("ConditionTimestamp", "Sat 2026-11-21 22:00:27 UTC"),
            ],
            [("ConditionResult", "no"), ("ConditionTimestamp", "")],
        ] {
            let mut props = props_from(props.iter().copied());
            props.insert("ActiveState".into(), "inactive".into());
            props.insert("Conditions".into(), "[unprintable]".into());
            let input = StatusInput {
                props,
                ..Default::default()
            };
            let text = render_unit(&input, &Terminal::plain());
            assert!(
                !text.contains("Assert:") && !text.contains("Condition:"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_process_killed_by_sigterm_is_not_painted_red() {
        assert!(clean_for_a_daemon(ExitStatus::Killed(15)));
        assert!(clean_for_a_daemon(ExitStatus::Exited(0)));
        assert!(!clean_for_a_daemon(ExitStatus::Killed(9)));
        assert!(!clean_for_a_daemon(ExitStatus::Dumped(15)));
        assert!(!clean_for_a_daemon(ExitStatus::Exited(1)));
    }

    #[test]
    fn exec_records_parse() {
        let r = parse_exec_records(
            "{ path=/bin/false ; argv[]=/bin/false -x ; ignore_errors=no ; start_time=[x] ; stop_time=[y] ; pid=353 ; code=exited ; status=1 }",
        );
        assert_eq!(
            r,
            vec![ExecRecord {
                argv: "/bin/false -x".into(),
                pid: 353,
                code: "exited".into(),
                status: 1
            }]
        );
        assert_eq!(
            describe_exit(ExitStatus::Killed(15)),
            "code=killed, signal=TERM"
        );
        assert_eq!(
            describe_exit(ExitStatus::Exited(0)),
            "code=exited, status=0/SUCCESS"
        );
        assert_eq!(
            describe_exit(ExitStatus::Exited(3)),
            "code=exited, status=3"
        );
        assert_eq!(
            describe_exit(ExitStatus::Exited(217)),
            "code=exited, status=217/USER"
        );
    }

    #[test]
    fn status_and_error_follow_the_main_pid() {
        let props = props_from([
            ("Id", "n.service"),
            ("LoadState", "loaded"),
            ("ActiveState", "active"),
            ("SubState", "running"),
            ("MainPID", "393"),
            ("StatusText", "Serving 3 clients"),
            ("StatusErrno", "5"),
        ]);
        let input = StatusInput {
            props,
            main_comm: Some("sleep".into()),
            ..StatusInput::default()
        };
        let text = render_unit(&input, &Terminal::plain());
        assert!(
            text.contains(
                "   Main PID: 393 (sleep)\n     Status: \"Serving 3 clients\"\n      Error: 5 (Input/output error)\n"
            ),
            "{text}"
        );
        assert_eq!(errno_message(4000), "Unknown error 4000");
        // No text and no errno: neither line.
        let mut quiet = input.clone();
        quiet.props.insert("StatusText".into(), String::new());
        quiet.props.insert("StatusErrno".into(), "0".into());
        let text = render_unit(&quiet, &Terminal::plain());
        assert!(
            !text.contains("Status:") && !text.contains("Error:"),
            "{text}"
        );
    }

    #[test]
    fn bytes() {
        assert_eq!(format_bytes(100), "100B");
        assert_eq!(format_bytes(1_300_000), "1.2M");
        assert_eq!(format_bytes(20 << 20), "20M");
    }
}

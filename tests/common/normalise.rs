//! The one normaliser every golden test shares: it masks what differs from
//! one run of the same command to the next (PIDs, wall-clock and monotonic
//! times, "3s ago"/"10h left", measured durations, CPU and memory figures,
//! invocation, boot and machine IDs, and the few limits that come from the
//! host), and nothing else. Both sides of a comparison go through it.
//!
//! Include it with `#[path = "common/normalise.rs"] mod normalise;` (from a
//! test crate) or `#[path = "../../tests/common/normalise.rs"]` (from a
//! unit test module). Its own tests are in `tests/normalise.rs`.
#![allow(dead_code)]

/// Masks the volatile parts of a captured output, line by line.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&normalise_line(line));
    }
    out
}

/// Collapses every run of spaces to one. For tables whose column widths
/// follow a volatile value (the LEFT column of `list-timers`): apply after
/// `normalise`, to both sides.
pub fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_space = false;
    for c in text.chars() {
        if c == ' ' && previous_space {
            continue;
        }
        previous_space = c == ' ';
        out.push(c);
    }
    out
}

/// Sorts the space-separated words of the `show` properties that list
/// units (`After=`, `WantedBy=` ...): systemd keeps them in hash tables, so
/// their order changes from boot to boot.
pub fn sort_unit_lists(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| match line.split_once('=') {
            Some((key, value)) if UNIT_LIST_PROPERTIES.contains(&key) => {
                let mut words: Vec<&str> = value.split(' ').collect();
                words.sort_unstable();
                format!("{key}={}", words.join(" "))
            }
            _ => line.to_string(),
        })
        .collect();
    lines.join("\n")
}

/// The dependency properties of `systemctl show`, in systemd's order.
pub const UNIT_LIST_PROPERTIES: &[&str] = &[
    "Names",
    "Requires",
    "Requisite",
    "Wants",
    "BindsTo",
    "PartOf",
    "Upholds",
    "RequiredBy",
    "RequisiteOf",
    "WantedBy",
    "BoundBy",
    "UpheldBy",
    "ConsistsOf",
    "Conflicts",
    "ConflictedBy",
    "Before",
    "After",
    "OnSuccess",
    "OnSuccessOf",
    "OnFailure",
    "OnFailureOf",
    "Triggers",
    "TriggeredBy",
    "PropagatesReloadTo",
    "ReloadPropagatedFrom",
    "PropagatesStopTo",
    "StopPropagatedFrom",
    "JoinsNamespaceOf",
    "SliceOf",
    "RequiresMountsFor",
    "Refs",
];

/// `Key=` lines whose non-zero value is a PID.
const PID_PROPERTIES: &[&str] = &["MainPID", "ControlPID", "ExecMainPID"];

/// `Key=` lines whose value is measured or counted at run time, or comes
/// from the host (its memory, its pid_max, its rlimits).
const MEASURED_PROPERTIES: &[&str] = &[
    "CPUUsageNSec",
    "MemoryCurrent",
    "MemoryAvailable",
    "TasksCurrent",
    "ControlGroupId",
    "TasksMax",
    "DefaultTasksMax",
    "LimitNPROC",
    "LimitNPROCSoft",
    "LimitSIGPENDING",
    "LimitSIGPENDINGSoft",
    "DefaultLimitNPROC",
    "DefaultLimitNPROCSoft",
    "DefaultLimitSIGPENDING",
    "DefaultLimitSIGPENDINGSoft",
];

/// `Key=` lines holding an ID that is new every run (or every boot).
const ID_PROPERTIES: &[&str] = &[
    "InvocationID",
    "_BOOT_ID",
    "_MACHINE_ID",
    "__CURSOR",
    "MESSAGE_ID",
];

/// Labels of `systemctl status` whose whole value is measured.
const MEASURED_STATUS_LABELS: &[(&str, &str)] = &[
    ("CPU: ", "<CPU>"),
    ("Duration: ", "<DURATION>"),
    ("Memory: ", "<MEMORY>"),
];

fn normalise_line(line: &str) -> String {
    let line = mask_property(line);
    let line = mask_status_labels(&line);
    let line = mask_tree_pid(&line);
    let line = mask_times(&line);
    let line = mask_bracket_pids(&line);
    let line = mask_exec_pid(&line);
    let line = mask_message_pids(&line);
    mask_ids(&line)
}

fn mask_property(line: &str) -> String {
    let Some((key, value)) = line.split_once('=') else {
        return line.to_string();
    };
    let is_number = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    let masked = if PID_PROPERTIES.contains(&key) && is_number && value != "0" {
        Some("<PID>")
    } else if key.ends_with("Monotonic") && is_number && value != "0" {
        Some("<MONOTONIC>")
    } else if MEASURED_PROPERTIES.contains(&key) && is_number {
        Some("<N>")
    } else if ID_PROPERTIES.contains(&key) && !value.is_empty() {
        Some("<ID>")
    } else {
        None
    };
    match masked {
        Some(mask) => format!("{key}={mask}"),
        None => line.to_string(),
    }
}

/// `        CPU: 1ms`, `   Duration: 6ms`, `     Memory: 1.2M`, `   Main PID: 340 (sleep)`,
/// `    Process: 343 ExecStart=...`, `      Tasks: 1 (limit: 28909)`.
fn mask_status_labels(line: &str) -> String {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if indent.is_empty() {
        return line.to_string();
    }
    for (label, mask) in MEASURED_STATUS_LABELS {
        if trimmed.starts_with(label) {
            return format!("{indent}{label}{mask}");
        }
    }
    for (label, mask) in [
        ("Main PID: ", "<PID>"),
        ("Process: ", "<PID>"),
        ("Tasks: ", "<N>"),
    ] {
        if let Some(rest) = trimmed.strip_prefix(label) {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let rest = mask_limit(&rest[digits..]);
                return format!("{indent}{label}{mask}{rest}");
            }
        }
    }
    line.to_string()
}

/// ` (limit: 28909)` after the task count.
fn mask_limit(rest: &str) -> String {
    match rest.strip_prefix(" (limit: ") {
        Some(tail) => {
            let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
            format!(" (limit: <N>{}", &tail[digits..])
        }
        None => rest.to_string(),
    }
}

/// A PID right after a tree branch of the CGroup listing (`└─340 /bin/sleep`,
/// `` `-340 ``, `├─`, `|-`), coloured or not.
fn mask_tree_pid(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        let branch = ["└─", "├─", "`-", "|-"]
            .iter()
            .filter_map(|b| rest.find(b).map(|at| (at, b.len())))
            .min();
        let Some((at, len)) = branch else { break };
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        let colour = escape_len(rest);
        out.push_str(&rest[..colour]);
        rest = &rest[colour..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(' ') {
            out.push_str("<PID>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of an ANSI colour sequence at the start of `s`, if any.
fn escape_len(s: &str) -> usize {
    if !s.starts_with("\x1b[") {
        return 0;
    }
    match s[2..].find('m') {
        Some(end) => 2 + end + 1,
        None => 0,
    }
}

/// `sh[345]:` in journal lines: any PID but 1 (the manager's own).
fn mask_bracket_pids(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let previous_is_word = out[..out.len() - 1]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ')');
        if digits > 0
            && previous_is_word
            && rest[digits..].starts_with(']')
            && &rest[..digits] != "1"
        {
            out.push_str("<PID>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// `pid=340` inside `Exec*={ ... }`.
fn mask_exec_pid(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(" pid=") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && &rest[..digits] != "0" {
            out.push_str("<PID>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

/// A PID in the manager's messages: `main process 340 (sleep)`, `to process
/// 341`, `from PID 411`, `main PID 410` (but PID 1, the manager's own).
fn mask_message_pids(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        let next = ["process ", "PID "]
            .iter()
            .filter_map(|w| rest.find(w).map(|at| (at, w.len())))
            .min();
        let Some((at, len)) = next else { break };
        let word_start = out
            .chars()
            .chain(rest[..at].chars())
            .last()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let ends = rest
            .as_bytes()
            .get(digits)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if word_start && digits > 0 && ends && &rest[..digits] != "1" {
            out.push_str("<PID>");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

const WEEKDAYS: &[&str] = &["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Wall-clock times in every form systemd prints them, and the relative
/// "3s ago" / "10h left" after them.
fn mask_times(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        if !line.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start {
            if let Some(len) = weekday_timestamp_len(&line[i..]) {
                out.push_str("<TIMESTAMP>");
                i += len;
                continue;
            }
            if let Some(len) = iso_timestamp_len(&line[i..]) {
                out.push_str("<TIMESTAMP>");
                i += len;
                continue;
            }
            if let Some(len) = syslog_time_len(&line[i..]) {
                out.push_str("<TIME>");
                i += len;
                continue;
            }
            if let Some((len, mask)) = relative_len(&line[i..]) {
                out.push_str(mask);
                i += len;
                continue;
            }
        }
        let next = line[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&line[i..i + next]);
        i += next;
    }
    out
}

/// The length of `d` digits at the start of `s`, exactly.
fn digits(s: &str, n: usize) -> bool {
    s.len() >= n && s.as_bytes()[..n].iter().all(u8::is_ascii_digit)
}

/// `HH:MM:SS` with optional `.ffffff`; its length.
fn clock_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let is_clock = digits(s, 2)
        && b.get(2) == Some(&b':')
        && digits(&s[3..], 2)
        && b.get(5) == Some(&b':')
        && digits(&s[6..], 2);
    if !is_clock {
        return None;
    }
    let mut len = 8;
    if b.get(8) == Some(&b'.') {
        let frac = s[9..].bytes().take_while(u8::is_ascii_digit).count();
        if frac > 0 {
            len += 1 + frac;
        }
    }
    Some(len)
}

/// `YYYY-MM-DD`; its length.
fn date_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (digits(s, 4)
        && b.get(4) == Some(&b'-')
        && digits(&s[5..], 2)
        && b.get(7) == Some(&b'-')
        && digits(&s[8..], 2))
    .then_some(10)
}

/// `Sat 2026-11-21 17:01:21 UTC` (the zone optional, microseconds optional).
fn weekday_timestamp_len(s: &str) -> Option<usize> {
    let day = WEEKDAYS.iter().find(|d| s.starts_with(*d))?;
    let mut len = day.len();
    if !s[len..].starts_with(' ') {
        return None;
    }
    len += 1;
    len += date_len(&s[len..])?;
    if !s[len..].starts_with(' ') {
        return None;
    }
    len += 1;
    len += clock_len(&s[len..])?;
    Some(len + zone_len(&s[len..]))
}

/// ` UTC`, ` CEST`, ` +0100` after a time.
fn zone_len(s: &str) -> usize {
    let Some(rest) = s.strip_prefix(' ') else {
        return 0;
    };
    let word = rest
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'+' || *b == b'-')
        .count();
    let is_zone = (2..=6).contains(&word)
        && (rest.as_bytes()[0].is_ascii_uppercase() || matches!(rest.as_bytes()[0], b'+' | b'-'));
    let ends_word = rest
        .as_bytes()
        .get(word)
        .is_none_or(|b| !b.is_ascii_alphanumeric());
    if is_zone && ends_word { 1 + word } else { 0 }
}

/// `2026-11-21T17:01:21+0000`, `...Z`, `...+00:00`, and the date with a
/// space (`2026-11-21 17:01:21`).
fn iso_timestamp_len(s: &str) -> Option<usize> {
    let mut len = date_len(s)?;
    let sep = s.as_bytes().get(len)?;
    if *sep != b'T' && *sep != b' ' {
        return None;
    }
    len += 1;
    len += clock_len(&s[len..])?;
    let rest = &s[len..];
    if rest.starts_with('Z') {
        len += 1;
    } else if rest.starts_with('+') || rest.starts_with('-') {
        let offset = rest[1..]
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b':')
            .count();
        if offset >= 4 {
            len += 1 + offset;
        }
    } else {
        len += zone_len(rest);
    }
    Some(len)
}

/// `Nov 21 17:01:21` (and with microseconds).
fn syslog_time_len(s: &str) -> Option<usize> {
    let month = MONTHS.iter().find(|m| s.starts_with(*m))?;
    let mut len = month.len();
    let rest = &s[len..];
    // " 1" padded with a space, or "21".
    let padded = rest.starts_with("  ") && digits(&rest[2..], 1);
    let two_digits = rest.starts_with(' ') && digits(&rest[1..], 2);
    if !padded && !two_digits {
        return None;
    }
    len += 3;
    if !s[len..].starts_with(' ') {
        return None;
    }
    len += 1;
    Some(len + clock_len(&s[len..])?)
}

/// The units of a relative time, longest first.
const SPAN_UNITS: &[&str] = &[
    "months", "month", "years", "year", "weeks", "week", "days", "day", "min", "ms", "us", "µs",
    "h", "s", "y", "w", "d",
];

/// `3s ago`, `1min 5s ago`, `2 days 3h left`, `10h left`: the length and the
/// mask, when a span followed by " ago" or " left" starts here.
fn relative_len(s: &str) -> Option<(usize, &'static str)> {
    let mut len = 0;
    let mut parts = 0;
    loop {
        let rest = &s[len..];
        let number = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if number == 0 {
            break;
        }
        let mut after = number;
        if rest[after..].starts_with(' ')
            && SPAN_UNITS
                .iter()
                .any(|u| u.len() > 2 && rest[after + 1..].starts_with(u))
        {
            after += 1;
        }
        let Some(unit) = SPAN_UNITS.iter().find(|u| rest[after..].starts_with(*u)) else {
            break;
        };
        let end = after + unit.len();
        if rest
            .as_bytes()
            .get(end)
            .is_some_and(u8::is_ascii_alphanumeric)
        {
            break;
        }
        len += end;
        parts += 1;
        if !s[len..].starts_with(' ') {
            break;
        }
        if s[len + 1..].starts_with("ago") || s[len + 1..].starts_with("left") {
            break;
        }
        len += 1;
    }
    if parts == 0 {
        return None;
    }
    let tail = &s[len..];
    if tail.starts_with(" ago") {
        Some((len + 4, "<AGO>"))
    } else if tail.starts_with(" left") {
        Some((len + 5, "<LEFT>"))
    } else {
        None
    }
}

/// 128-bit IDs: 32 hex digits, or a UUID with dashes.
fn mask_ids(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start
            && line.is_char_boundary(i)
            && let Some(len) = id_len(&line[i..])
        {
            out.push_str("<ID>");
            i += len;
            continue;
        }
        let next = line[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&line[i..i + next]);
        i += next;
    }
    out
}

fn id_len(s: &str) -> Option<usize> {
    let hex = |b: &u8| b.is_ascii_hexdigit() && !b.is_ascii_uppercase();
    let b = s.as_bytes();
    let run = b.iter().take_while(|c| hex(c)).count();
    let ends = |n: usize| b.get(n).is_none_or(|c| !c.is_ascii_alphanumeric());
    if run == 32 && ends(32) {
        return Some(32);
    }
    // 8-4-4-4-12
    let groups = [8, 4, 4, 4, 12];
    let mut at = 0;
    for (n, g) in groups.iter().enumerate() {
        if b.len() < at + g || !b[at..at + g].iter().all(hex) {
            return None;
        }
        at += g;
        if n < 4 {
            if b.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
    }
    ends(at).then_some(at)
}

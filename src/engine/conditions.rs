//! `Condition*=` and `Assert*=`: evaluated when a start job runs, with
//! systemd's semantics (condition.c): a failing regular condition stops the
//! check at once; triggering conditions (`|`) form one OR group that must
//! have a member holding if it has any; `!` negates. systemd prepends each
//! condition it parses to its list, so it checks them last line first: of
//! two failing conditions, the one further down the file is the one named. A failed condition
//! skips the start (the unit stays as it was, dependents still start); a
//! failed assert fails the start job with result 'assert'.
//!
//! The combining logic and the comparisons are pure functions; the host
//! facts they compare against (files, /proc, the hostname) are read by
//! [`test_on_host`], which the real executor calls.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::service::DualTimestamp;
use crate::config::model::Condition;

/// What became of one condition at the last check (systemd's
/// ConditionResult: untested, succeeded, failed, error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionState {
    Untested,
    Succeeded,
    Failed,
    /// The check could not be made (it counts as failed).
    Error,
}

impl ConditionState {
    /// Failed or could not be checked: what `status` lists as not met.
    pub fn failed(self) -> bool {
        matches!(self, ConditionState::Failed | ConditionState::Error)
    }

    /// The word the `Conditions=`/`Asserts=` property carries.
    fn word(self) -> &'static str {
        match self {
            ConditionState::Untested => "untested",
            ConditionState::Succeeded => "succeeded",
            ConditionState::Failed => "failed",
            ConditionState::Error => "error",
        }
    }

    fn from_word(word: &str) -> Option<ConditionState> {
        [
            ConditionState::Untested,
            ConditionState::Succeeded,
            ConditionState::Failed,
            ConditionState::Error,
        ]
        .into_iter()
        .find(|s| s.word() == word)
    }
}

/// The outcome of checking one list (conditions or asserts) at a start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConditionRecord {
    /// `ConditionResult=`/`AssertResult=`: false until first checked.
    pub result: bool,
    /// `ConditionTimestamp=`/`AssertTimestamp=`.
    pub timestamp: DualTimestamp,
    /// Every entry of the list with what its check gave.
    pub checks: Vec<(Condition, ConditionState)>,
}

impl ConditionRecord {
    /// The regular condition that failed, which systemd names in its log
    /// line; None when only the triggering group failed (or all held).
    pub fn failed_regular(&self) -> Option<&Condition> {
        if self.result {
            return None;
        }
        self.checks
            .iter()
            .find(|(c, state)| !c.trigger && state.failed())
            .map(|(c, _)| c)
    }

    /// The entries whose check failed, for `status` ("... was not met").
    pub fn failures(&self) -> impl Iterator<Item = &Condition> {
        self.checks
            .iter()
            .filter(|(_, s)| s.failed())
            .map(|(c, _)| c)
    }

    /// The checks as the `Conditions=`/`Asserts=` property carries them
    /// to clients (systemd's D-Bus array of name, trigger, negate,
    /// parameter and state), in file order: entries apart by ` ; `, each
    /// `NAME TRIGGER NEGATE STATE PARAMETER`, the parameter with its
    /// backslashes and spaces escaped so that neither separator occurs in
    /// it. `systemctl show` prints the property as `[unprintable]`, as
    /// systemctl does; `status` reads it.
    pub fn to_property(&self, prefix: &str) -> String {
        self.checks
            .iter()
            .map(|(c, state)| {
                format!(
                    "{prefix}{} {} {} {} {}",
                    c.kind,
                    yes_no(c.trigger),
                    yes_no(c.negate),
                    state.word(),
                    escape_parameter(&c.value)
                )
            })
            .collect::<Vec<_>>()
            .join(" ; ")
    }
}

/// One entry of a `Conditions=`/`Asserts=` property, as a client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCondition {
    /// The full key, `ConditionPathExists`.
    pub name: String,
    pub trigger: bool,
    pub negate: bool,
    pub parameter: String,
    pub state: ConditionState,
}

/// Reads a `Conditions=`/`Asserts=` property written by
/// [`ConditionRecord::to_property`]; entries it cannot read are left out
/// (`[unprintable]`, the value of a unit never checked, has none).
pub fn checks_from_property(text: &str) -> Vec<CheckedCondition> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(" ; ")
        .filter_map(|entry| {
            let mut words = entry.splitn(5, ' ');
            let name = words.next()?.to_string();
            let trigger = from_yes_no(words.next()?)?;
            let negate = from_yes_no(words.next()?)?;
            let state = ConditionState::from_word(words.next()?)?;
            let parameter = unescape_parameter(words.next()?)?;
            Some(CheckedCondition {
                name,
                trigger,
                negate,
                parameter,
                state,
            })
        })
        .collect()
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn from_yes_no(word: &str) -> Option<bool> {
    match word {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn escape_parameter(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ' ' => out.push_str("\\s"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_parameter(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            's' => out.push(' '),
            _ => return None,
        }
    }
    Some(out)
}

/// `ConditionPathExists=|!/x` as systemd writes a condition in messages.
pub fn describe(prefix: &str, c: &Condition) -> String {
    format!(
        "{prefix}{}={}{}{}",
        c.kind,
        if c.trigger { "|" } else { "" },
        if c.negate { "!" } else { "" },
        c.value
    )
}

/// Checks `list` (in file order) with `test` (which answers the
/// un-negated question), applying negation and the triggering group, last
/// entry first as systemd does; the checks come back in file order.
pub fn check_list(
    list: &[Condition],
    mut test: impl FnMut(&Condition) -> io::Result<bool>,
) -> (bool, Vec<(Condition, ConditionState)>) {
    let mut checks: Vec<(Condition, ConditionState)> = list
        .iter()
        .map(|c| (c.clone(), ConditionState::Untested))
        .collect();
    // None: no triggering condition seen; Some(b): whether one held.
    let mut triggered: Option<bool> = None;
    for (c, state) in checks.iter_mut().rev() {
        let holds = match test(c) {
            Ok(b) => {
                let holds = b != c.negate;
                *state = if holds {
                    ConditionState::Succeeded
                } else {
                    ConditionState::Failed
                };
                holds
            }
            Err(_) => {
                *state = ConditionState::Error;
                false
            }
        };
        if !c.trigger && !holds {
            return (false, checks);
        }
        if c.trigger && triggered != Some(true) {
            triggered = Some(holds);
        }
    }
    (triggered != Some(false), checks)
}

// ---- pure comparisons ---------------------------------------------------

/// An order operator of `ConditionMemory=`, `ConditionCPUs=`,
/// `ConditionKernelVersion=` (systemd's parse_order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Lower,
    LowerOrEqual,
    Equal,
    NotEqual,
    GreaterOrEqual,
    Greater,
}

impl Order {
    /// Splits a leading operator off `s` (longest first).
    pub fn split(s: &str) -> Option<(Order, &str)> {
        const OPS: [(&str, Order); 6] = [
            ("<=", Order::LowerOrEqual),
            (">=", Order::GreaterOrEqual),
            ("!=", Order::NotEqual),
            ("<", Order::Lower),
            (">", Order::Greater),
            ("=", Order::Equal),
        ];
        OPS.iter()
            .find_map(|(op, order)| s.strip_prefix(op).map(|rest| (*order, rest)))
    }

    pub fn test(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Order::Lower => ordering == Less,
            Order::LowerOrEqual => ordering != Greater,
            Order::Equal => ordering == Equal,
            Order::NotEqual => ordering != Equal,
            Order::GreaterOrEqual => ordering != Less,
            Order::Greater => ordering == Greater,
        }
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

/// `ConditionMemory=[OP]SIZE` against the machine's memory in bytes
/// (no operator means `>=`; sizes take base-1024 suffixes).
pub fn memory_matches(value: &str, total: u64) -> io::Result<bool> {
    let (order, size) = Order::split(value.trim()).unwrap_or((Order::GreaterOrEqual, value));
    let wanted =
        crate::config::values::parse_size_iec(size.trim()).map_err(|_| invalid("bad size"))?;
    Ok(order.test(total.cmp(&wanted)))
}

/// `ConditionCPUs=[OP]N` against the CPUs this process may run on.
pub fn cpus_matches(value: &str, cpus: u64) -> io::Result<bool> {
    let (order, n) = Order::split(value.trim()).unwrap_or((Order::GreaterOrEqual, value));
    let wanted: u64 = n.trim().parse().map_err(|_| invalid("bad CPU count"))?;
    Ok(order.test(cpus.cmp(&wanted)))
}

/// Compares version strings the way people read them: runs of digits as
/// numbers, everything else character by character.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = trim_zeros(&a[..da]);
                let nb = trim_zeros(&b[..db]);
                let ordering = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ordering != Ordering::Equal {
                    return ordering;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|c| **c == b'0').count();
    &digits[zeros..]
}

/// `ConditionKernelVersion=`: space-separated terms, each `OPversion` or a
/// shell glob; all must hold.
pub fn kernel_version_matches(value: &str, release: &str) -> bool {
    value
        .split_whitespace()
        .all(|term| match Order::split(term) {
            Some((order, version)) => order.test(compare_versions(release, version)),
            None => glob_match(term, release, false),
        })
}

/// `ConditionKernelCommandLine=`: `word` matches a word or `word=...`;
/// `word=value` matches that exact word.
pub fn kernel_command_line_matches(value: &str, cmdline: &str) -> bool {
    let has_value = value.contains('=');
    split_command_line(cmdline).iter().any(|word| {
        if has_value {
            word == value
        } else {
            word == value || word.strip_prefix(value).is_some_and(|r| r.starts_with('='))
        }
    })
}

/// Words of /proc/cmdline; double quotes group, as the kernel reads them.
fn split_command_line(cmdline: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for ch in cmdline.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `ConditionEnvironment=`: `NAME` is set, or `NAME=VALUE` exactly.
pub fn environment_matches(value: &str, env: &[(String, String)]) -> bool {
    match value.split_once('=') {
        Some((name, wanted)) => env.iter().any(|(k, v)| k == name && v == wanted),
        None => env.iter().any(|(k, _)| k == value),
    }
}

/// `ConditionHost=`: a machine ID (32 hex digits, dashes allowed), else
/// a glob against the hostname, case-insensitively.
pub fn host_matches(value: &str, hostname: &str, machine_id: &str) -> bool {
    let id: String = value.chars().filter(|c| *c != '-').collect();
    if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        return id.eq_ignore_ascii_case(machine_id.trim());
    }
    glob_match(value, hostname, true)
}

/// What the machine runs in, as systemd-detect-virt names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Virtualization {
    None,
    Container(String),
    Vm(String),
}

/// systemd's container names; anything else is "container-other".
const CONTAINER_IDS: &[&str] = &[
    "openvz",
    "lxc",
    "lxc-libvirt",
    "systemd-nspawn",
    "docker",
    "podman",
    "rkt",
    "wsl",
    "proot",
    "pouch",
];

/// The id systemd uses for a `$container` value.
pub fn container_id(value: &str) -> String {
    let value = value.trim();
    if CONTAINER_IDS.contains(&value) {
        value.to_string()
    } else {
        "container-other".to_string()
    }
}

/// `ConditionVirtualization=`: a boolean (any at all), `vm`, `container`,
/// or one id.
pub fn virtualization_matches(value: &str, detected: &Virtualization) -> bool {
    if let Some(b) = parse_boolean(value) {
        return b == (*detected != Virtualization::None);
    }
    match (value, detected) {
        ("vm", Virtualization::Vm(_)) | ("container", Virtualization::Container(_)) => true,
        (id, Virtualization::Vm(v) | Virtualization::Container(v)) => id == v,
        _ => false,
    }
}

fn parse_boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

/// systemd's name for the architecture uname(2) reports.
pub fn architecture_name(machine: &str) -> &str {
    match machine {
        "x86_64" => "x86-64",
        "i386" | "i486" | "i586" | "i686" => "x86",
        "aarch64" => "arm64",
        "aarch64_be" => "arm64-be",
        "ppc64le" => "ppc64-le",
        "ppcle" => "ppc-le",
        "mips64" => "mips64",
        "riscv64" => "riscv64",
        "s390x" => "s390x",
        m if m.starts_with("armv") && m.ends_with('b') => "arm-be",
        m if m.starts_with("arm") => "arm",
        m => m,
    }
}

/// Shell-style matching of `*`, `?` and `[...]` (fnmatch without flags,
/// `*` crossing `/` as in a plain fnmatch), optionally ignoring case.
pub fn glob_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    glob_chars(&fold(pattern), &fold(text))
}

fn glob_chars(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    // Where to resume after the last `*`: pattern and text positions.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match bracket(&p[pi..], t[ti]) {
                Some((true, len)) => Some(len),
                _ => None,
            },
            Some('\\') if p.get(pi + 1) == Some(&t[ti]) => Some(2),
            Some(c) if *c == t[ti] => Some(1),
            _ => None,
        };
        match (step, star) {
            (Some(len), _) => {
                pi += len;
                ti += 1;
            }
            (None, Some((sp, st))) => {
                pi = sp;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A `[...]` class at the start of `p`: whether `c` is in it, and its
/// length in the pattern. None when the bracket is not closed.
fn bracket(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(i), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    while let Some(&ch) = p.get(i) {
        if ch == ']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
            let end = p[i + 2];
            if ch <= c && c <= end {
                found = true;
            }
            i += 3;
        } else {
            if ch == c {
                found = true;
            }
            i += 1;
        }
    }
    None
}

/// Is a directory entry one that `DirectoryNotEmpty=` overlooks (hidden
/// files and editors' or package managers' leftovers)?
pub fn is_hidden_or_backup(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~",
        ".rpmnew",
        ".rpmsave",
        ".rpmorig",
        ".dpkg-old",
        ".dpkg-new",
        ".dpkg-tmp",
        ".dpkg-dist",
        ".dpkg-bak",
        ".dpkg-backup",
        ".dpkg-remove",
        ".ucf-new",
        ".ucf-old",
        ".ucf-dist",
        ".swp",
        ".bak",
        ".old",
        ".new",
    ];
    name.starts_with('.') || SUFFIXES.iter().any(|s| name.ends_with(s))
}

// ---- the host -----------------------------------------------------------

/// Answers one condition (before negation) from the running system: the
/// supervisor's own files, credentials and environment, as systemd checks
/// them for the manager. Kinds runr does not know hold, with a note.
pub fn test_on_host(c: &Condition, env: &[(String, String)]) -> io::Result<bool> {
    let path = Path::new(&c.value);
    Ok(match c.kind.as_str() {
        "PathExists" => fs::metadata(path).is_ok(),
        "PathExistsGlob" => path_glob_exists(&c.value),
        "PathIsDirectory" => fs::metadata(path).is_ok_and(|m| m.is_dir()),
        "PathIsSymbolicLink" => fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()),
        "PathIsMountPoint" => is_mount_point(path),
        "PathIsReadWrite" => is_read_write(path),
        "PathIsEncrypted" => false,
        "DirectoryNotEmpty" => match fs::read_dir(path) {
            Ok(entries) => entries
                .flatten()
                .any(|e| !is_hidden_or_backup(&e.file_name().to_string_lossy())),
            Err(e) => !matches!(
                e.raw_os_error(),
                Some(nix::libc::ENOENT | nix::libc::ENOTDIR)
            ),
        },
        "FileNotEmpty" => fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0),
        "FileIsExecutable" => {
            fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        }
        "User" => user_matches(&c.value),
        "Group" => group_matches(&c.value),
        "Host" => host_matches(
            &c.value,
            &nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default(),
            &fs::read_to_string("/etc/machine-id").unwrap_or_default(),
        ),
        "KernelCommandLine" => kernel_command_line_matches(
            &c.value,
            &fs::read_to_string("/proc/cmdline").unwrap_or_default(),
        ),
        "KernelVersion" => kernel_version_matches(&c.value, &uname().1),
        "Virtualization" => virtualization_matches(&c.value, &detect_virtualization()),
        "Environment" => environment_matches(&c.value, env),
        "Architecture" => {
            let native = uname().0;
            let native = architecture_name(&native);
            c.value == "native" || c.value == native
        }
        "FirstBoot" => {
            let wanted = parse_boolean(&c.value).ok_or_else(|| invalid("bad boolean"))?;
            Path::new("/run/systemd/first-boot").exists() == wanted
        }
        "Capability" => capability_in_bounding_set(&c.value)?,
        "ControlGroupController" => cgroup_controllers_match(&c.value),
        "Memory" => memory_matches(&c.value, physical_memory())?,
        "CPUs" => cpus_matches(&c.value, cpus_in_affinity())?,
        "CPUFeature" => fs::read_to_string("/proc/cpuinfo")
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("flags"))
            .any(|l| l.split_whitespace().any(|f| f == c.value.to_lowercase())),
        "Security" => security_enabled(&c.value),
        "ACPower" => {
            let wanted = parse_boolean(&c.value).ok_or_else(|| invalid("bad boolean"))?;
            on_ac_power() == wanted
        }
        "OSRelease" => os_release_matches(
            &c.value,
            &fs::read_to_string("/etc/os-release")
                .or_else(|_| fs::read_to_string("/usr/lib/os-release"))
                .unwrap_or_default(),
        ),
        "NeedsUpdate" => needs_update(path),
        // Pressure, credentials, firmware: nothing runr can see in a
        // container settles them; they hold, as unknown kinds do.
        _ => true,
    })
}

fn uname() -> (String, String) {
    match nix::sys::utsname::uname() {
        Ok(u) => (
            u.machine().to_string_lossy().into_owned(),
            u.release().to_string_lossy().into_owned(),
        ),
        Err(_) => (String::new(), String::new()),
    }
}

/// Any existing path matches the glob, directory by directory.
fn path_glob_exists(pattern: &str) -> bool {
    let mut candidates = vec![std::path::PathBuf::from("/")];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        let is_glob = part.contains(['*', '?', '[']);
        let mut next = Vec::new();
        for dir in &candidates {
            if !is_glob {
                let p = dir.join(part);
                if fs::symlink_metadata(&p).is_ok() {
                    next.push(p);
                }
                continue;
            }
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if (!name.starts_with('.') || part.starts_with('.'))
                    && glob_match(part, &name, false)
                {
                    next.push(entry.path());
                }
            }
        }
        candidates = next;
        if candidates.is_empty() {
            return false;
        }
    }
    true
}

/// A mount point is listed in /proc/self/mountinfo (field 5, with spaces
/// and other bytes escaped as `\ooo`).
fn is_mount_point(path: &Path) -> bool {
    let Ok(resolved) = fs::canonicalize(path) else {
        return false;
    };
    let target = resolved.to_string_lossy();
    fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .any(|m| unescape_octal(m) == target)
}

fn unescape_octal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(v) = s
                .get(i + 1..i + 4)
                .and_then(|o| u8::from_str_radix(o, 8).ok())
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_read_write(path: &Path) -> bool {
    match nix::sys::statvfs::statvfs(path) {
        Ok(st) => !st.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY),
        Err(_) => false,
    }
}

/// `ConditionUser=`: the supervisor runs as this user (name, UID, or
/// `@system` for a system UID).
fn user_matches(value: &str) -> bool {
    let ids = [
        nix::unistd::getuid().as_raw(),
        nix::unistd::geteuid().as_raw(),
    ];
    if value == "@system" {
        return ids.iter().any(|id| *id <= 999);
    }
    let uid = match value.parse::<u32>() {
        Ok(uid) => Some(uid),
        Err(_) => nix::unistd::User::from_name(value)
            .ok()
            .flatten()
            .map(|u| u.uid.as_raw()),
    };
    uid.is_some_and(|uid| ids.contains(&uid))
}

/// `ConditionGroup=`: the supervisor's real, effective or supplementary
/// groups include this one.
fn group_matches(value: &str) -> bool {
    let gid = match value.parse::<u32>() {
        Ok(gid) => Some(gid),
        Err(_) => nix::unistd::Group::from_name(value)
            .ok()
            .flatten()
            .map(|g| g.gid.as_raw()),
    };
    let Some(gid) = gid else { return false };
    let mut ids = vec![
        nix::unistd::getgid().as_raw(),
        nix::unistd::getegid().as_raw(),
    ];
    if let Ok(groups) = nix::unistd::getgroups() {
        ids.extend(groups.iter().map(|g| g.as_raw()));
    }
    ids.contains(&gid)
}

/// Container first, then virtual machine, as systemd-detect-virt looks.
pub fn detect_virtualization() -> Virtualization {
    if let Some(id) = detect_container() {
        return Virtualization::Container(id);
    }
    detect_vm().map_or(Virtualization::None, Virtualization::Vm)
}

/// systemd's container detection: OpenVZ's /proc files, what a container
/// manager left in /run, `$container` of PID 1, then podman's and docker's
/// marker files.
fn detect_container() -> Option<String> {
    if Path::new("/proc/vz").exists() && !Path::new("/proc/bc").exists() {
        return Some("openvz".into());
    }
    for file in ["/run/host/container-manager", "/run/systemd/container"] {
        if let Ok(text) = fs::read_to_string(file)
            && !text.trim().is_empty()
        {
            return Some(container_id(&text));
        }
    }
    let own = std::process::id() == 1;
    let from_env = if own {
        std::env::var("container").ok()
    } else {
        pid1_environment_variable("container")
    };
    if let Some(value) = from_env.filter(|v| !v.is_empty()) {
        return Some(container_id(&value));
    }
    if Path::new("/run/.containerenv").exists() {
        return Some("podman".into());
    }
    if Path::new("/.dockerenv").exists() {
        return Some("docker".into());
    }
    None
}

fn pid1_environment_variable(name: &str) -> Option<String> {
    let environ = fs::read("/proc/1/environ").ok()?;
    environ.split(|b| *b == 0).find_map(|entry| {
        let entry = String::from_utf8_lossy(entry);
        entry
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('='))
            .map(String::from)
    })
}

/// A light look for a hypervisor: the vendor DMI reports, else the CPU's
/// hypervisor flag.
fn detect_vm() -> Option<String> {
    let vendor = [
        "/sys/class/dmi/id/sys_vendor",
        "/sys/class/dmi/id/product_name",
    ]
    .iter()
    .filter_map(|f| fs::read_to_string(f).ok())
    .collect::<Vec<_>>()
    .join(" ");
    const VENDORS: &[(&str, &str)] = &[
        ("KVM", "kvm"),
        ("QEMU", "qemu"),
        ("VMware", "vmware"),
        ("VMW", "vmware"),
        ("innotek GmbH", "oracle"),
        ("VirtualBox", "oracle"),
        ("Xen", "xen"),
        ("Bochs", "bochs"),
        ("Parallels", "parallels"),
        ("BHYVE", "bhyve"),
        ("Amazon EC2", "amazon"),
        ("Microsoft Corporation", "microsoft"),
        ("Google", "google"),
    ];
    if let Some((_, id)) = VENDORS.iter().find(|(needle, _)| vendor.contains(needle)) {
        return Some(id.to_string());
    }
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "hypervisor"))
        .then(|| "vm-other".to_string())
}

/// `ConditionCapability=CAP_X`: in the supervisor's bounding set.
fn capability_in_bounding_set(name: &str) -> io::Result<bool> {
    let cap =
        super::capabilities::capability_number(name).ok_or_else(|| invalid("bad capability"))?;
    let status = fs::read_to_string("/proc/self/status")?;
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("CapBnd:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .ok_or_else(|| invalid("no CapBnd"))?;
    Ok(mask & (1u64 << cap) != 0)
}

/// `ConditionControlGroupController=`: `v1`/`v2` name the hierarchy, other
/// words controllers that must all be available.
fn cgroup_controllers_match(value: &str) -> bool {
    let unified = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    match value.trim() {
        "v2" => return unified,
        "v1" => return !unified,
        _ => {}
    }
    let available = fs::read_to_string("/sys/fs/cgroup/cgroup.controllers").unwrap_or_default();
    value
        .split_whitespace()
        .all(|w| available.split_whitespace().any(|a| a == w))
}

fn physical_memory() -> u64 {
    fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn cpus_in_affinity() -> u64 {
    match nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)) {
        Ok(set) => (0..nix::sched::CpuSet::count())
            .filter(|i| set.is_set(*i).unwrap_or(false))
            .count() as u64,
        Err(_) => 1,
    }
}

fn security_enabled(value: &str) -> bool {
    let exists = |p: &str| Path::new(p).exists();
    match value {
        "selinux" => exists("/sys/fs/selinux/enforce"),
        "apparmor" => fs::read_to_string("/sys/module/apparmor/parameters/enabled")
            .is_ok_and(|s| s.trim() == "Y"),
        "smack" => exists("/sys/fs/smackfs"),
        "ima" => exists("/sys/kernel/security/ima"),
        "tomoyo" => exists("/sys/kernel/security/tomoyo"),
        "audit" => exists("/proc/self/loginuid"),
        "tpm2" => fs::read_dir("/sys/class/tpmrm").is_ok_and(|mut d| d.next().is_some()),
        "uefi-secureboot" => false,
        _ => false,
    }
}

/// systemd's on_ac_power(): mains power online, or no supply known at all.
fn on_ac_power() -> bool {
    let Ok(supplies) = fs::read_dir("/sys/class/power_supply") else {
        return true;
    };
    let mut found_offline = false;
    for supply in supplies.flatten() {
        let read = |f: &str| fs::read_to_string(supply.path().join(f)).unwrap_or_default();
        if read("type").trim() != "Mains" {
            continue;
        }
        if read("online").trim() == "1" {
            return true;
        }
        found_offline = true;
    }
    !found_offline
}

/// `ConditionOSRelease=KEY[OP]VALUE` against os-release text; without an
/// order operator `=`/`!=` compare as strings, the others as versions.
pub fn os_release_matches(value: &str, os_release: &str) -> bool {
    value.split_whitespace().all(|term| {
        let Some(at) = term.find(['<', '>', '=', '!']) else {
            return false;
        };
        let (key, rest) = term.split_at(at);
        let Some((order, wanted)) = Order::split(rest) else {
            return false;
        };
        let actual = os_release
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
            .unwrap_or_default();
        match order {
            Order::Equal => actual == wanted,
            Order::NotEqual => actual != wanted,
            o => o.test(compare_versions(&actual, wanted)),
        }
    })
}

/// `ConditionNeedsUpdate=DIR`: /usr is newer than DIR/.updated (and DIR
/// is writable).
fn needs_update(dir: &Path) -> bool {
    if !is_read_write(dir) {
        return false;
    }
    let Ok(usr) = fs::metadata("/usr") else {
        return false;
    };
    match fs::metadata(dir.join(".updated")) {
        Ok(stamp) => (usr.mtime(), usr.mtime_nsec()) > (stamp.mtime(), stamp.mtime_nsec()),
        Err(e) => e.kind() == io::ErrorKind::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(kind: &str, value: &str, trigger: bool, negate: bool) -> Condition {
        Condition {
            kind: kind.into(),
            trigger,
            negate,
            value: value.into(),
        }
    }

    /// The record of checking `list`, each entry true when its value is "yes".
    fn record_of(list: &[Condition]) -> ConditionRecord {
        let (result, checks) = check_list(list, truth);
        ConditionRecord {
            result,
            timestamp: DualTimestamp::default(),
            checks,
        }
    }

    fn truth(c: &Condition) -> io::Result<bool> {
        match c.value.as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(invalid("unknown")),
        }
    }

    #[test]
    fn regular_conditions_all_must_hold_and_stop_at_the_first_failure() {
        let list = [
            cond("PathExists", "yes", false, false),
            cond("PathExists", "no", false, false),
            cond("PathExists", "yes", false, false),
        ];
        let (ok, checks) = check_list(&list, truth);
        assert!(!ok);
        // Checked from the last line up: the first line is never reached.
        let states: Vec<_> = checks.iter().map(|(_, s)| *s).collect();
        assert_eq!(
            states,
            [
                ConditionState::Untested,
                ConditionState::Failed,
                ConditionState::Succeeded
            ]
        );
    }

    #[test]
    fn of_two_failing_conditions_the_later_line_is_the_one_named() {
        let list = [
            cond("PathExists", "no", false, false),
            cond("DirectoryNotEmpty", "no", false, false),
        ];
        let record = record_of(&list);
        assert_eq!(
            record.failed_regular().map(|c| c.kind.as_str()),
            Some("DirectoryNotEmpty")
        );
        assert_eq!(record.failures().count(), 1);
    }

    #[test]
    fn the_property_carries_every_check_in_file_order() {
        let list = [
            cond("PathExists", "no", true, false),
            cond("PathIsDirectory", "yes", false, false),
            cond("PathExists", "a b\\c", true, true),
        ];
        let (result, checks) = check_list(&list, |c| Ok(c.value == "yes"));
        let record = ConditionRecord {
            result,
            timestamp: DualTimestamp::default(),
            checks,
        };
        let text = record.to_property("Condition");
        assert_eq!(
            text,
            "ConditionPathExists yes no failed no ; ConditionPathIsDirectory no no succeeded yes ; ConditionPathExists yes yes succeeded a\\sb\\\\c"
        );
        let read = checks_from_property(&text);
        assert_eq!(read.len(), 3);
        assert_eq!(read[2].parameter, "a b\\c");
        assert!(read[2].trigger && read[2].negate);
        assert_eq!(read[0].state, ConditionState::Failed);
        assert!(checks_from_property("[unprintable]").is_empty());
        assert!(checks_from_property("").is_empty());
    }

    fn arbitrary_condition() -> impl proptest::strategy::Strategy<Value = Condition> {
        use proptest::prelude::*;
        ("[A-Za-z]{1,12}", any::<bool>(), any::<bool>(), ".{0,24}").prop_map(
            |(kind, trigger, negate, value)| Condition {
                kind,
                trigger,
                negate,
                value,
            },
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn the_property_reads_back_as_written(
            list in proptest::collection::vec(arbitrary_condition(), 0..5),
            truths in proptest::collection::vec(proptest::prelude::any::<Option<bool>>(), 5),
        ) {
            let mut answers = truths.into_iter();
            let (result, checks) = check_list(&list, |_| {
                answers.next().flatten().ok_or_else(|| invalid("unknown"))
            });
            let record = ConditionRecord { result, timestamp: DualTimestamp::default(), checks };
            let read = checks_from_property(&record.to_property("Assert"));
            proptest::prop_assert_eq!(read.len(), record.checks.len());
            for (r, (c, state)) in read.iter().zip(&record.checks) {
                proptest::prop_assert_eq!(&r.name, &format!("Assert{}", c.kind));
                proptest::prop_assert_eq!(r.trigger, c.trigger);
                proptest::prop_assert_eq!(r.negate, c.negate);
                proptest::prop_assert_eq!(&r.parameter, &c.value);
                proptest::prop_assert_eq!(r.state, *state);
            }
        }
    }

    #[test]
    fn negation_inverts_and_an_error_counts_as_failure() {
        let (ok, _) = check_list(&[cond("PathExists", "no", false, true)], truth);
        assert!(ok);
        let (ok, checks) = check_list(&[cond("PathExists", "??", false, false)], truth);
        assert!(!ok);
        assert_eq!(checks[0].1, ConditionState::Error);
    }

    #[test]
    fn one_triggering_condition_must_hold_if_there_are_any() {
        let both_fail = [
            cond("PathExists", "no", true, false),
            cond("PathExists", "yes", true, true),
        ];
        let (ok, _) = check_list(&both_fail, truth);
        assert!(!ok);
        let record = ConditionRecord {
            result: ok,
            timestamp: DualTimestamp::default(),
            checks: check_list(&both_fail, truth).1,
        };
        assert_eq!(record.failed_regular(), None, "only triggers failed");
        let one_holds = [
            cond("PathExists", "no", true, false),
            cond("PathExists", "yes", true, false),
            cond("PathExists", "no", true, false),
        ];
        assert!(check_list(&one_holds, truth).0);
        assert!(check_list(&[], truth).0);
    }

    #[test]
    fn a_regular_failure_is_named_even_among_triggers() {
        let list = [
            cond("PathExists", "yes", true, false),
            cond("PathIsDirectory", "no", false, false),
        ];
        let record = record_of(&list);
        assert_eq!(
            record.failed_regular().map(|c| c.kind.as_str()),
            Some("PathIsDirectory")
        );
        assert_eq!(describe("Condition", &list[0]), "ConditionPathExists=|yes");
    }

    #[test]
    fn memory_and_cpus_compare_with_operators() {
        let gib = 1024 * 1024 * 1024;
        assert!(memory_matches("1G", 2 * gib).unwrap());
        assert!(!memory_matches(">4G", 2 * gib).unwrap());
        assert!(memory_matches("<=2G", 2 * gib).unwrap());
        assert!(memory_matches("!=1G", 2 * gib).unwrap());
        assert!(memory_matches("bogus", 1).is_err());
        assert!(cpus_matches(">=2", 2).unwrap());
        assert!(!cpus_matches("<2", 2).unwrap());
        assert!(cpus_matches("=4", 4).unwrap());
        assert!(cpus_matches("x", 4).is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("5.10.0", "5.9"), Greater);
        assert_eq!(compare_versions("6.1.0-18-amd64", "6.1.0-18-amd64"), Equal);
        assert_eq!(compare_versions("12", "012"), Equal);
        assert!(kernel_version_matches(">=5.0 <99", "6.1.0-18-amd64"));
        assert!(kernel_version_matches("6.1.*", "6.1.0-18-amd64"));
        assert!(!kernel_version_matches("5.*", "6.1.0"));
    }

    #[test]
    fn kernel_command_line_words() {
        let cmdline = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet \"x=a b\"\n";
        assert!(kernel_command_line_matches("quiet", cmdline));
        assert!(kernel_command_line_matches("root", cmdline));
        assert!(kernel_command_line_matches("root=/dev/sda1", cmdline));
        assert!(!kernel_command_line_matches("root=/dev/sdb", cmdline));
        assert!(!kernel_command_line_matches("qui", cmdline));
        assert!(kernel_command_line_matches("x=a b", cmdline));
    }

    #[test]
    fn environment_names_and_assignments() {
        let env = vec![("container".to_string(), "docker".to_string())];
        assert!(environment_matches("container", &env));
        assert!(environment_matches("container=docker", &env));
        assert!(!environment_matches("container=lxc", &env));
        assert!(!environment_matches("HOME", &env));
    }

    #[test]
    fn host_by_name_glob_or_machine_id() {
        let id = "0123456789abcdef0123456789abcdef";
        assert!(host_matches("db-*", "DB-1", id));
        assert!(!host_matches("web", "db-1", id));
        assert!(host_matches("0123456789ABCDEF0123456789ABCDEF", "db-1", id));
        assert!(!host_matches(
            "ffffffffffffffffffffffffffffffff",
            "db-1",
            id
        ));
    }

    #[test]
    fn virtualization_values() {
        let docker = Virtualization::Container("docker".into());
        assert!(virtualization_matches("container", &docker));
        assert!(virtualization_matches("docker", &docker));
        assert!(virtualization_matches("yes", &docker));
        assert!(!virtualization_matches("vm", &docker));
        assert!(!virtualization_matches("no", &docker));
        assert!(virtualization_matches("no", &Virtualization::None));
        assert!(virtualization_matches(
            "vm",
            &Virtualization::Vm("kvm".into())
        ));
        assert_eq!(container_id("oci"), "container-other");
        assert_eq!(container_id("podman\n"), "podman");
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.conf", "a.conf", false));
        assert!(glob_match("a?c", "abc", false));
        assert!(glob_match("[a-c]x", "bx", false));
        assert!(!glob_match("[!a-c]x", "bx", false));
        assert!(glob_match("a*b*c", "axxbyyc", false));
        assert!(!glob_match("a*b", "a", false));
        assert!(!glob_match("[ab", "a", false));
        assert!(glob_match("HOST", "host", true));
    }

    #[test]
    fn os_release_terms() {
        let text = "ID=debian\nVERSION_ID=\"12\"\n";
        assert!(os_release_matches("ID=debian", text));
        assert!(os_release_matches("VERSION_ID>=11", text));
        assert!(!os_release_matches("ID!=debian", text));
        assert!(!os_release_matches("VERSION_ID<12", text));
    }

    #[test]
    fn paths_on_a_real_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("empty"), "").unwrap();
        std::fs::write(d.join("full"), "x").unwrap();
        std::fs::set_permissions(d.join("full"), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(d.join("missing"), d.join("dangling")).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/.hidden"), "x").unwrap();
        let check = |kind: &str, name: &str| {
            test_on_host(
                &cond(kind, &d.join(name).to_string_lossy(), false, false),
                &[],
            )
            .unwrap()
        };
        assert!(check("PathExists", "empty"));
        assert!(!check("PathExists", "dangling"));
        assert!(check("PathIsSymbolicLink", "dangling"));
        assert!(check("PathIsDirectory", "sub"));
        assert!(
            !check("DirectoryNotEmpty", "sub"),
            "hidden files do not count"
        );
        assert!(!check("DirectoryNotEmpty", "missing"));
        assert!(check("FileNotEmpty", "full"));
        assert!(!check("FileNotEmpty", "empty"));
        assert!(check("FileIsExecutable", "full"));
        assert!(!check("FileIsExecutable", "empty"));
        assert!(check("PathExistsGlob", "f*"));
        assert!(!check("PathExistsGlob", "nothing*"));
        assert!(check("PathIsReadWrite", "sub"));
        assert!(test_on_host(&cond("PathIsMountPoint", "/", false, false), &[]).unwrap());
        assert!(!check("PathIsMountPoint", "sub"));
        assert!(test_on_host(&cond("Architecture", "native", false, false), &[]).unwrap());
        assert!(test_on_host(&cond("SomethingNew", "x", false, false), &[]).unwrap());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        #[test]
        fn comparisons_never_panic(value in ".{0,20}", text in ".{0,20}") {
            let _ = memory_matches(&value, 1);
            let _ = cpus_matches(&value, 1);
            let _ = kernel_version_matches(&value, &text);
            let _ = kernel_command_line_matches(&value, &text);
            let _ = glob_match(&value, &text, true);
            let _ = os_release_matches(&value, &text);
            let _ = host_matches(&value, &text, "");
        }
    }
}

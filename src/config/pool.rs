//! `.cgroup` pool files: a cgroup v2 group with limits, shared by the
//! services that join it with `Cgroup=` in `[Service]`. The file lives in
//! the unit search path and reads like a unit file, except that a `#` after
//! a blank starts a comment running to the end of the line (a `#` right
//! after another character is part of the value):
//!
//! ```ini
//! # /etc/runr/db.cgroup
//! [Unit]
//! Description=Database pool
//!
//! [Cgroup]
//! Name=db-pool      # group /sys/fs/cgroup/db-pool
//! MemoryMax=6G      # memory.max
//! CpuMax=150%       # cpu.max "150000 100000"
//! IOMax=/var/lib/db read_bps:400M write_iops:2000
//! ```
//!
//! The keys of `[Cgroup]`:
//! - `Name=NAME`: the pool's name; its group is `NAME` at the cgroup root
//!   (`/sys/fs/cgroup/NAME`). Without it, the name is the file's name
//!   without `.cgroup`. A name is one path component, and neither
//!   `supervisor` nor `system.slice` (runr's own groups at the root).
//! - `Path=/sys/fs/cgroup/...`: the group's path, in place of `NAME` at the
//!   root; it may be nested. A path under `/sys/fs/cgroup` is taken below
//!   the cgroup root wherever that is (see `crate::cgroup`), so with
//!   `RUNR_CGROUP_ROOT=/x` the path `/sys/fs/cgroup/a` is the group `/x/a`.
//!   The root itself and runr's own groups are refused.
//! - `MemoryMax=`, `MemoryHigh=`: bytes (K/M/G/T suffixes, base 1024), a
//!   percentage of RAM, or `infinity` -> memory.max, memory.high.
//! - `CpuMax=`: a percentage of one CPU (`200%` is two CPUs: cpu.max
//!   `200000 100000`), or cpu.max as written: `max` or `QUOTA`, with an
//!   optional `PERIOD`, in microseconds. `CPUQuota=` and `CPUMax=` are the
//!   same key; the last assignment wins.
//! - `CPUWeight=`, `IOWeight=`: 1..10000 -> cpu.weight, io.weight.
//! - `IOMax=PATH FIELD:VALUE...`: io.max for the disk holding PATH; the
//!   fields are `read_bps:` and `write_bps:` (bytes per second, K/M/G/T),
//!   `read_iops:` and `write_iops:` (a count), any of them, in any order,
//!   each also `max`. Each assignment adds a disk (or changes the fields it
//!   names of a PATH given before); an empty one clears them all.
//!   `IOReadBandwidthMax=PATH BYTES`, `IOWriteBandwidthMax=`,
//!   `IOReadIOPSMax=PATH COUNT` and `IOWriteIOPSMax=` set one field each,
//!   and an empty one clears that field of every disk.
//! - `TasksMax=`: a number or `infinity` -> pids.max.
//!
//! A bad value is said on one line naming the file, the line and the key,
//! and that assignment is ignored; the rest of the file applies.
//!
//! `Cgroup=` in `[Service]` (and `CgroupProcPidsFile=`, the same key) names
//! the group three ways: by the pool's name (`Cgroup=db-pool`), by the
//! group's directory (`Cgroup=/sys/fs/cgroup/db-pool`), or by its
//! `cgroup.procs` (`Cgroup=/sys/fs/cgroup/db-pool/cgroup.procs`). A path
//! picks the pool whose group is there, by `Name=` or `Path=`; where no
//! pool file defines it, the service joins that group as a shared one,
//! made on demand without limits. [`parse_cgroup_target`] reads the value;
//! `crate::cgroup` places and joins the groups.

use std::path::Path;

use super::diagnostics::{Diagnostic, Level};
use super::settings::{self, Fatal, Setting, Sink};
use super::values;
use crate::syntax::unit_file::{self, Item};

/// Where the README's paths put the cgroup root; a path under it is taken
/// below the root runr really uses.
pub const CGROUP_MOUNT: &str = "/sys/fs/cgroup";

/// The names a group at the root cannot take, and why.
const RESERVED: [(&str, &str); 2] = [
    ("supervisor", "the supervisor's own group"),
    ("system.slice", "the services' own groups are there"),
];

/// A byte limit: a number of bytes, a share of physical memory, or none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MemoryLimit {
    Bytes(u64),
    /// Per mille of physical memory, as systemd keeps percentages.
    Permille(u32),
    Infinity,
}

/// `CpuMax=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpuMax {
    /// A share of one CPU in per mille (200% is 2000).
    Permille(u32),
    /// cpu.max as written: `max` or `QUOTA`, and an optional `PERIOD`.
    Raw(String),
}

/// One field of io.max; `None` inside is `max`.
pub type Rate = Option<u64>;

/// The io.max limits of one disk, named by a path on it; a field that is
/// `None` is not written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoMax {
    pub path: String,
    pub read_bps: Option<Rate>,
    pub write_bps: Option<Rate>,
    pub read_iops: Option<Rate>,
    pub write_iops: Option<Rate>,
}

/// The four fields of `IOMax=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoField {
    ReadBps,
    WriteBps,
    ReadIops,
    WriteIops,
}

impl IoField {
    pub const ALL: [IoField; 4] = [
        IoField::ReadBps,
        IoField::WriteBps,
        IoField::ReadIops,
        IoField::WriteIops,
    ];

    /// The name in `IOMax=`.
    pub fn name(self) -> &'static str {
        match self {
            IoField::ReadBps => "read_bps",
            IoField::WriteBps => "write_bps",
            IoField::ReadIops => "read_iops",
            IoField::WriteIops => "write_iops",
        }
    }

    /// The key in io.max.
    pub fn kernel_key(self) -> &'static str {
        match self {
            IoField::ReadBps => "rbps",
            IoField::WriteBps => "wbps",
            IoField::ReadIops => "riops",
            IoField::WriteIops => "wiops",
        }
    }

    fn is_bytes(self) -> bool {
        matches!(self, IoField::ReadBps | IoField::WriteBps)
    }

    pub fn get(self, entry: &IoMax) -> Option<Rate> {
        match self {
            IoField::ReadBps => entry.read_bps,
            IoField::WriteBps => entry.write_bps,
            IoField::ReadIops => entry.read_iops,
            IoField::WriteIops => entry.write_iops,
        }
    }

    fn get_mut(self, entry: &mut IoMax) -> &mut Option<Rate> {
        match self {
            IoField::ReadBps => &mut entry.read_bps,
            IoField::WriteBps => &mut entry.write_bps,
            IoField::ReadIops => &mut entry.read_iops,
            IoField::WriteIops => &mut entry.write_iops,
        }
    }
}

impl IoMax {
    fn is_empty(&self) -> bool {
        IoField::ALL.iter().all(|f| f.get(self).is_none())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pool {
    /// `Name=`, else the file's name without `.cgroup`.
    pub name: String,
    /// `Path=`: the group's path as written (absolute, simplified); None
    /// puts the group at `NAME` under the cgroup root.
    pub path: Option<String>,
    pub description: Option<String>,
    pub memory_max: Option<MemoryLimit>,
    pub memory_high: Option<MemoryLimit>,
    pub cpu_max: Option<CpuMax>,
    pub cpu_weight: Option<u32>,
    pub io_weight: Option<u32>,
    pub io_max: Vec<IoMax>,
    /// `None` inside `Some` is infinity.
    pub tasks_max: Option<Option<u64>>,
}

/// What `Cgroup=` in `[Service]` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CgroupTarget {
    /// A pool by its name (`Cgroup=pg-pool`).
    Pool(String),
    /// A group by its path (`Cgroup=/sys/fs/cgroup/pg-pool` or
    /// `.../pg-pool/cgroup.procs`): the directory, simplified.
    Group(String),
}

/// Reads a `Cgroup=` value: a pool name, a group's directory, or its
/// `cgroup.procs`. Err says why the value is refused.
pub fn parse_cgroup_target(value: &str) -> Result<CgroupTarget, String> {
    if value.chars().any(char::is_whitespace) {
        return Err("holds a blank; in a unit file a comment goes on a line of its own".into());
    }
    if !value.starts_with('/') {
        return check_pool_name(value).map(|()| CgroupTarget::Pool(value.to_string()));
    }
    let path = values::simplify_absolute_path(value)
        .map_err(|_| "not a normalized absolute path".to_string())?;
    let dir = match path.strip_suffix("/cgroup.procs") {
        Some("") => "/".to_string(),
        Some(dir) => dir.to_string(),
        None => path,
    };
    check_group_path(&dir)?;
    Ok(CgroupTarget::Group(dir))
}

/// A pool name: one path component that is none of runr's own groups.
pub fn check_pool_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." {
        return Err("not a group name".into());
    }
    if name.contains('/') {
        return Err("a pool name is one path component".into());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a pool name holds no blanks or control characters".into());
    }
    match RESERVED.iter().find(|(n, _)| *n == name) {
        Some((_, why)) => Err(why.to_string()),
        None => Ok(()),
    }
}

/// The part of a simplified absolute path below `/sys/fs/cgroup`, if it
/// is there (`""` for the mount itself).
pub fn below_cgroup_mount(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(CGROUP_MOUNT)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix('/')
}

/// What can be told of a group path without knowing the cgroup root: a
/// path under `/sys/fs/cgroup` must name a group below it, and not one of
/// runr's own.
pub fn check_group_path(path: &str) -> Result<(), String> {
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a group path holds no blanks or control characters".into());
    }
    let Some(relative) = below_cgroup_mount(path) else {
        return Ok(());
    };
    check_relative_group(relative)
}

/// A group's path relative to the cgroup root: not the root itself, and
/// not in one of runr's own groups.
pub fn check_relative_group(relative: &str) -> Result<(), String> {
    let first = relative.split('/').next().unwrap_or_default();
    if first.is_empty() {
        return Err("the cgroup root itself".into());
    }
    match RESERVED.iter().find(|(n, _)| *n == first) {
        Some((_, why)) => Err(why.to_string()),
        None => Ok(()),
    }
}

/// Parses a pool file; `name` is the file name without `.cgroup`.
pub fn parse_pool(name: &str, path: &Path, text: &str) -> (Pool, Vec<Diagnostic>) {
    let file = unit_file::parse_with_inline_comments(text);
    let mut pool = Pool {
        name: name.to_string(),
        ..Pool::default()
    };
    let mut named = false;
    let mut out = Vec::new();
    let known: Vec<bool> = file
        .sections
        .iter()
        .map(|s| matches!(s.name.as_str(), "Unit" | "Cgroup"))
        .collect();
    let mut sink = Sink {
        path,
        out: &mut out,
    };
    for item in file.items() {
        match item {
            Item::SectionHeader { index, section } => {
                if !known[index] && !section.name.starts_with("X-") {
                    sink.warn(
                        section.line,
                        format!("Unknown section '{}'. Ignoring.", section.name),
                    );
                }
            }
            Item::Diagnostic(d) => {
                if d.section.is_some_and(|i| !known[i]) && d.is_silenced_in_ignored_section() {
                    continue;
                }
                sink.warn(d.line, d.to_string());
                if d.is_fatal() {
                    break;
                }
            }
            Item::Entry {
                section_index,
                section,
                entry,
            } => {
                if !known[section_index] {
                    continue;
                }
                let s = Setting {
                    section: &section.name,
                    key: &entry.key,
                    value: &entry.value,
                    line: entry.line,
                };
                if s.section == "Cgroup" && s.key == "Name" {
                    set_name(&mut pool, name, &mut named, &s, &mut sink);
                } else if !apply_pool_key(&mut pool, &s, &mut sink) && !entry.key.starts_with("X-")
                {
                    sink.warn(
                        entry.line,
                        format!(
                            "Unknown key '{}' in section [{}], ignoring.",
                            entry.key, section.name
                        ),
                    );
                }
            }
        }
    }
    if !named
        && pool.path.is_none()
        && let Err(why) = check_pool_name(name)
    {
        out.push(Diagnostic::plain(
            Level::Warning,
            format!(
                "{}: the pool is named '{name}' after its file ({why}); give it a Name= or a Path=.",
                path.display()
            ),
        ));
    }
    (pool, out)
}

/// `Invalid KEY= value 'VALUE' (WHY), ignoring.`
fn invalid(s: &Setting, why: &str, sink: &mut Sink) {
    sink.warn(
        s.line,
        format!("Invalid {}= value '{}' ({why}), ignoring.", s.key, s.value),
    );
}

/// `Name=`: an empty one goes back to the file's name.
fn set_name(pool: &mut Pool, file_name: &str, named: &mut bool, s: &Setting, sink: &mut Sink) {
    if s.value.is_empty() {
        pool.name = file_name.to_string();
        *named = false;
        return;
    }
    match check_pool_name(s.value) {
        Ok(()) => {
            pool.name = s.value.to_string();
            *named = true;
        }
        Err(why) => invalid(s, &why, sink),
    }
}

/// Applies one key; false if the key is unknown.
fn apply_pool_key(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> bool {
    let _: Result<(), Fatal> = match (s.section, s.key) {
        ("Unit", "Description") => settings::set_string(&mut pool.description, s),
        ("Cgroup", "Path") => set_path(pool, s, sink),
        ("Cgroup", "MemoryMax") => set_memory(&mut pool.memory_max, s, sink),
        ("Cgroup", "MemoryHigh") => set_memory(&mut pool.memory_high, s, sink),
        ("Cgroup", "CpuMax" | "CPUMax" | "CPUQuota") => set_cpu_max(pool, s, sink),
        ("Cgroup", "CPUWeight") => set_weight(&mut pool.cpu_weight, s, sink),
        ("Cgroup", "IOWeight") => set_weight(&mut pool.io_weight, s, sink),
        ("Cgroup", "IOMax") => add_io_max(pool, s, sink),
        ("Cgroup", "IOReadBandwidthMax") => add_io_field(pool, IoField::ReadBps, s, sink),
        ("Cgroup", "IOWriteBandwidthMax") => add_io_field(pool, IoField::WriteBps, s, sink),
        ("Cgroup", "IOReadIOPSMax") => add_io_field(pool, IoField::ReadIops, s, sink),
        ("Cgroup", "IOWriteIOPSMax") => add_io_field(pool, IoField::WriteIops, s, sink),
        ("Cgroup", "TasksMax") => set_tasks_max(pool, s, sink),
        _ => return false,
    };
    true
}

/// `Path=`: absolute; under /sys/fs/cgroup, below it and none of runr's
/// own groups. Empty goes back to `NAME` at the root.
fn set_path(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        pool.path = None;
        return Ok(());
    }
    let Some(path) = settings::absolute_path(s, s.value, false, sink)? else {
        return Ok(());
    };
    match check_group_path(&path) {
        Ok(()) => pool.path = Some(path),
        Err(why) => invalid(s, &why, sink),
    }
    Ok(())
}

fn parse_memory(value: &str) -> Option<MemoryLimit> {
    if value == "infinity" {
        return Some(MemoryLimit::Infinity);
    }
    if let Some(pct) = value.strip_suffix('%') {
        let permille = parse_permille(pct)?;
        return (permille <= 1000).then_some(MemoryLimit::Permille(permille));
    }
    values::parse_size_iec(value).ok().map(MemoryLimit::Bytes)
}

/// `12.5` -> 125 (per mille), at most one decimal.
fn parse_permille(pct: &str) -> Option<u32> {
    let (whole, tenth) = match pct.split_once('.') {
        Some((w, t)) if t.len() == 1 => (w, t),
        Some(_) => return None,
        None => (pct, "0"),
    };
    let whole: u32 = whole.parse().ok()?;
    let tenth: u32 = tenth.parse().ok()?;
    whole.checked_mul(10)?.checked_add(tenth)
}

fn set_memory(target: &mut Option<MemoryLimit>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *target = None;
        return Ok(());
    }
    match parse_memory(s.value) {
        Some(limit) => *target = Some(limit),
        None => invalid(
            s,
            "bytes with K/M/G/T, a percentage of RAM, or infinity",
            sink,
        ),
    }
    Ok(())
}

/// `200%`, or `max` / `QUOTA` with an optional `PERIOD` (microseconds).
pub fn parse_cpu_max(value: &str) -> Option<CpuMax> {
    if let Some(pct) = value.strip_suffix('%') {
        return parse_permille(pct).filter(|p| *p > 0).map(CpuMax::Permille);
    }
    let words: Vec<&str> = value.split_whitespace().collect();
    let quota_ok = |w: &str| w == "max" || w.parse::<u64>().is_ok_and(|n| n > 0);
    let period_ok = |w: &str| {
        w.parse::<u64>()
            .is_ok_and(|n| (1000..=1_000_000).contains(&n))
    };
    let valid = match words.as_slice() {
        [q] => quota_ok(q),
        [q, p] => quota_ok(q) && period_ok(p),
        _ => false,
    };
    valid.then(|| CpuMax::Raw(words.join(" ")))
}

fn set_cpu_max(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        pool.cpu_max = None;
        return Ok(());
    }
    match parse_cpu_max(s.value) {
        Some(max) => pool.cpu_max = Some(max),
        None => invalid(
            s,
            "a percentage of one CPU such as 200%, or QUOTA [PERIOD] in microseconds, or max",
            sink,
        ),
    }
    Ok(())
}

fn set_weight(target: &mut Option<u32>, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        *target = None;
        return Ok(());
    }
    match s.value.parse::<u32>() {
        Ok(w) if (1..=10_000).contains(&w) => *target = Some(w),
        _ => invalid(s, "a weight from 1 to 10000", sink),
    }
    Ok(())
}

/// One field's value: `max` (or `infinity`), else a size (bytes per second)
/// or a count (I/O operations per second), above 0.
fn parse_rate(field: IoField, value: &str) -> Result<Rate, String> {
    if value == "max" || value == "infinity" {
        return Ok(None);
    }
    let n = if field.is_bytes() {
        values::parse_size_iec(value)
            .map_err(|_| format!("{}:{value} is not a size", field.name()))?
    } else {
        value
            .parse::<u64>()
            .map_err(|_| format!("{}:{value} is not a number", field.name()))?
    };
    if n == 0 {
        return Err(format!("{}:{value} is not above 0", field.name()));
    }
    Ok(Some(n))
}

/// Sets the fields given for `path`: in its entry if there is one, else in
/// a new one.
fn merge_io(pool: &mut Pool, path: String, fields: &[(IoField, Rate)]) {
    let at = match pool.io_max.iter().position(|e| e.path == path) {
        Some(at) => at,
        None => {
            pool.io_max.push(IoMax {
                path,
                ..IoMax::default()
            });
            pool.io_max.len() - 1
        }
    };
    for (field, rate) in fields {
        *field.get_mut(&mut pool.io_max[at]) = Some(*rate);
    }
}

/// `IOMax=PATH FIELD:VALUE...`; empty clears every disk.
fn add_io_max(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    let mut words = s.value.split_whitespace();
    let Some(path) = words.next() else {
        pool.io_max.clear();
        return Ok(());
    };
    let mut fields: Vec<(IoField, Rate)> = Vec::new();
    for word in words {
        let parsed = word
            .split_once(':')
            .ok_or_else(|| format!("'{word}' is not FIELD:VALUE"))
            .and_then(|(name, value)| {
                let field = IoField::ALL
                    .into_iter()
                    .find(|f| f.name() == name)
                    .ok_or_else(|| {
                        format!(
                            "unknown field '{name}', not read_bps, write_bps, read_iops or write_iops"
                        )
                    })?;
                if fields.iter().any(|(f, _)| *f == field) {
                    return Err(format!("{name} is given twice"));
                }
                Ok((field, parse_rate(field, value)?))
            });
        match parsed {
            Ok(field) => fields.push(field),
            Err(why) => {
                invalid(s, &why, sink);
                return Ok(());
            }
        }
    }
    if fields.is_empty() {
        invalid(
            s,
            "no limit: read_bps:, write_bps:, read_iops: or write_iops:",
            sink,
        );
        return Ok(());
    }
    let Some(path) = settings::absolute_path(s, path, false, sink)? else {
        return Ok(());
    };
    merge_io(pool, path, &fields);
    Ok(())
}

/// `IOReadBandwidthMax=PATH BYTES` and its siblings: one field of
/// `IOMax=`; empty clears that field of every disk.
fn add_io_field(
    pool: &mut Pool,
    field: IoField,
    s: &Setting,
    sink: &mut Sink,
) -> Result<(), Fatal> {
    if s.value.is_empty() {
        for entry in &mut pool.io_max {
            *field.get_mut(entry) = None;
        }
        pool.io_max.retain(|e| !e.is_empty());
        return Ok(());
    }
    let words: Vec<&str> = s.value.split_whitespace().collect();
    let [path, value] = words.as_slice() else {
        let what = if field.is_bytes() { "BYTES" } else { "COUNT" };
        invalid(s, &format!("PATH {what}"), sink);
        return Ok(());
    };
    let rate = match parse_rate(field, value) {
        Ok(rate) => rate,
        Err(why) => {
            invalid(s, &why, sink);
            return Ok(());
        }
    };
    let Some(path) = settings::absolute_path(s, path, false, sink)? else {
        return Ok(());
    };
    merge_io(pool, path, &[(field, rate)]);
    Ok(())
}

fn set_tasks_max(pool: &mut Pool, s: &Setting, sink: &mut Sink) -> Result<(), Fatal> {
    if s.value.is_empty() {
        pool.tasks_max = None;
        return Ok(());
    }
    if s.value == "infinity" {
        pool.tasks_max = Some(None);
        return Ok(());
    }
    match s.value.parse::<u64>() {
        Ok(n) if n > 0 => pool.tasks_max = Some(Some(n)),
        _ => invalid(s, "a number above 0, or infinity", sink),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Pool, Vec<String>) {
        let (pool, diags) = parse_pool("db", Path::new("/etc/runr/db.cgroup"), text);
        (pool, diags.iter().map(|d| d.to_string()).collect())
    }

    fn io(path: &str, fields: &[(IoField, Rate)]) -> IoMax {
        let mut entry = IoMax {
            path: path.into(),
            ..IoMax::default()
        };
        for (field, rate) in fields {
            *field.get_mut(&mut entry) = Some(*rate);
        }
        entry
    }

    use IoField::{ReadBps, ReadIops, WriteBps, WriteIops};

    #[test]
    fn the_readme_form() {
        let (pool, msgs) = parse(
            "[Cgroup]\n\
             Name=pg-pool               # the group at the cgroup root\n\
             # a whole comment line, where Path= could go\n\
             MemoryMax=4G               # limit on memory\n\
             CpuMax=200%                # two CPUs\n\
             IOMax=/pgdata read_bps:500M write_bps:200M read_iops:10000 write_iops:5000\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.name, "pg-pool");
        assert_eq!(pool.path, None);
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(4 << 30)));
        assert_eq!(pool.cpu_max, Some(CpuMax::Permille(2000)));
        assert_eq!(
            pool.io_max,
            [io(
                "/pgdata",
                &[
                    (ReadBps, Some(500 << 20)),
                    (WriteBps, Some(200 << 20)),
                    (ReadIops, Some(10000)),
                    (WriteIops, Some(5000)),
                ]
            )]
        );
    }

    #[test]
    fn systemd_style_names_still_apply() {
        let (pool, msgs) = parse(
            "[Unit]\nDescription=Database\n[Cgroup]\nMemoryMax=4G\nMemoryHigh=50%\nCPUQuota=150%\nCPUWeight=200\n\
             IOWeight=100\nIOReadBandwidthMax=/var/lib 50M\nIOWriteBandwidthMax=/var/lib infinity\n\
             IOReadIOPSMax=/srv 300\nIOWriteIOPSMax=/srv max\nTasksMax=512\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.name, "db", "no Name=: the file's name");
        assert_eq!(pool.description.as_deref(), Some("Database"));
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(4 << 30)));
        assert_eq!(pool.memory_high, Some(MemoryLimit::Permille(500)));
        assert_eq!(pool.cpu_max, Some(CpuMax::Permille(1500)));
        assert_eq!(pool.cpu_weight, Some(200));
        assert_eq!(pool.io_weight, Some(100));
        assert_eq!(
            pool.io_max,
            [
                io("/var/lib", &[(ReadBps, Some(50 << 20)), (WriteBps, None)]),
                io("/srv", &[(ReadIops, Some(300)), (WriteIops, None)]),
            ]
        );
        assert_eq!(pool.tasks_max, Some(Some(512)));
    }

    #[test]
    fn name_and_path() {
        let (pool, msgs) = parse("[Cgroup]\nName=pg-pool\nPath=/sys/fs/cgroup/custom-name\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.name, "pg-pool");
        assert_eq!(pool.path.as_deref(), Some("/sys/fs/cgroup/custom-name"));
        let (pool, msgs) = parse("[Cgroup]\nPath=/sys/fs/cgroup//db/./primary/\n");
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.name, "db");
        assert_eq!(pool.path.as_deref(), Some("/sys/fs/cgroup/db/primary"));
        // Empty assignments go back to the defaults.
        let (pool, _) = parse("[Cgroup]\nName=x\nName=\nPath=/sys/fs/cgroup/y\nPath=\n");
        assert_eq!((pool.name.as_str(), pool.path), ("db", None));
    }

    #[test]
    fn names_and_paths_that_are_refused() {
        let (pool, msgs) = parse(
            "[Cgroup]\nName=supervisor\nName=system.slice\nName=a/b\nName=..\nName=a b\n\
             Path=relative\nPath=/sys/fs/cgroup\nPath=/sys/fs/cgroup/supervisor\n\
             Path=/sys/fs/cgroup/system.slice/x.service\nPath=/sys/fs/cgroup/../etc\n",
        );
        assert_eq!((pool.name.as_str(), pool.path), ("db", None));
        assert_eq!(
            msgs,
            [
                "/etc/runr/db.cgroup:2: Invalid Name= value 'supervisor' (the supervisor's own group), ignoring.",
                "/etc/runr/db.cgroup:3: Invalid Name= value 'system.slice' (the services' own groups are there), ignoring.",
                "/etc/runr/db.cgroup:4: Invalid Name= value 'a/b' (a pool name is one path component), ignoring.",
                "/etc/runr/db.cgroup:5: Invalid Name= value '..' (not a group name), ignoring.",
                "/etc/runr/db.cgroup:6: Invalid Name= value 'a b' (a pool name holds no blanks or control characters), ignoring.",
                "/etc/runr/db.cgroup:7: Path= path is not absolute, ignoring: relative",
                "/etc/runr/db.cgroup:8: Invalid Path= value '/sys/fs/cgroup' (the cgroup root itself), ignoring.",
                "/etc/runr/db.cgroup:9: Invalid Path= value '/sys/fs/cgroup/supervisor' (the supervisor's own group), ignoring.",
                "/etc/runr/db.cgroup:10: Invalid Path= value '/sys/fs/cgroup/system.slice/x.service' (the services' own groups are there), ignoring.",
                "/etc/runr/db.cgroup:11: Path= path is not normalized, ignoring: /sys/fs/cgroup/../etc",
            ]
        );
    }

    #[test]
    fn a_file_named_like_runrs_own_groups_needs_a_name_or_a_path() {
        let path = Path::new("/etc/runr/supervisor.cgroup");
        let (pool, diags) = parse_pool("supervisor", path, "[Cgroup]\nMemoryMax=1G\n");
        assert_eq!(pool.name, "supervisor");
        assert_eq!(
            diags.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "/etc/runr/supervisor.cgroup: the pool is named 'supervisor' after its file (the supervisor's own group); give it a Name= or a Path=."
            ]
        );
        let (_, diags) = parse_pool("supervisor", path, "[Cgroup]\nName=sup\n");
        assert!(diags.is_empty());
        let (_, diags) = parse_pool("supervisor", path, "[Cgroup]\nPath=/sys/fs/cgroup/sup\n");
        assert!(diags.is_empty());
    }

    #[test]
    fn cpu_max_percent_raw_and_aliases() {
        let cases = [
            ("CpuMax=200%", CpuMax::Permille(2000)),
            ("CpuMax=12.5%", CpuMax::Permille(125)),
            ("CpuMax=50000 100000", CpuMax::Raw("50000 100000".into())),
            ("CpuMax=50000", CpuMax::Raw("50000".into())),
            ("CpuMax=max", CpuMax::Raw("max".into())),
            ("CpuMax=max   200000", CpuMax::Raw("max 200000".into())),
            ("CPUMax=50000 100000", CpuMax::Raw("50000 100000".into())),
            ("CPUMax=150%", CpuMax::Permille(1500)),
            ("CPUQuota=20%", CpuMax::Permille(200)),
            ("CPUQuota=max", CpuMax::Raw("max".into())),
        ];
        for (line, want) in cases {
            let (pool, msgs) = parse(&format!("[Cgroup]\n{line}\n"));
            assert!(msgs.is_empty(), "{line}: {msgs:?}");
            assert_eq!(pool.cpu_max, Some(want), "{line}");
        }
        // The aliases are one key: the last assignment wins, empty clears.
        let (pool, _) = parse("[Cgroup]\nCPUMax=50000 100000\nCPUQuota=150%\n");
        assert_eq!(pool.cpu_max, Some(CpuMax::Permille(1500)));
        let (pool, _) = parse("[Cgroup]\nCpuMax=200%\nCpuMax=\n");
        assert_eq!(pool.cpu_max, None);
    }

    #[test]
    fn bad_cpu_max_values() {
        let (pool, msgs) = parse(
            "[Cgroup]\nCpuMax=200%\nCpuMax=lots\nCpuMax=0%\nCpuMax=1.25%\nCpuMax=0 100000\nCpuMax=50000 10\nCPUQuota=fast\nCPUMax=1 2 3\n",
        );
        assert_eq!(
            pool.cpu_max,
            Some(CpuMax::Permille(2000)),
            "bad lines are ignored"
        );
        let why = "a percentage of one CPU such as 200%, or QUOTA [PERIOD] in microseconds, or max";
        let want: Vec<String> = [
            (3, "CpuMax", "lots"),
            (4, "CpuMax", "0%"),
            (5, "CpuMax", "1.25%"),
            (6, "CpuMax", "0 100000"),
            (7, "CpuMax", "50000 10"),
            (8, "CPUQuota", "fast"),
            (9, "CPUMax", "1 2 3"),
        ]
        .iter()
        .map(|(line, key, value)| {
            format!("/etc/runr/db.cgroup:{line}: Invalid {key}= value '{value}' ({why}), ignoring.")
        })
        .collect();
        assert_eq!(msgs, want);
    }

    #[test]
    fn io_max_fields_alone_and_together_in_any_order() {
        let cases: [(&str, &[(IoField, Rate)]); 7] = [
            ("read_bps:500M", &[(ReadBps, Some(500 << 20))]),
            ("write_bps:200K", &[(WriteBps, Some(200 << 10))]),
            ("read_iops:10000", &[(ReadIops, Some(10000))]),
            ("write_iops:5000", &[(WriteIops, Some(5000))]),
            (
                "write_bps:1G read_iops:max",
                &[(WriteBps, Some(1 << 30)), (ReadIops, None)],
            ),
            (
                "write_iops:1 read_bps:2T write_bps:infinity",
                &[
                    (WriteIops, Some(1)),
                    (ReadBps, Some(2 << 40)),
                    (WriteBps, None),
                ],
            ),
            (
                "read_bps:1 write_bps:2 read_iops:3 write_iops:4",
                &[
                    (ReadBps, Some(1)),
                    (WriteBps, Some(2)),
                    (ReadIops, Some(3)),
                    (WriteIops, Some(4)),
                ],
            ),
        ];
        for (fields, want) in cases {
            let (pool, msgs) = parse(&format!("[Cgroup]\nIOMax=/pgdata {fields}\n"));
            assert!(msgs.is_empty(), "{fields}: {msgs:?}");
            assert_eq!(pool.io_max, [io("/pgdata", want)], "{fields}");
        }
    }

    #[test]
    fn io_max_lines_add_disks_merge_a_path_and_clear() {
        let (pool, msgs) = parse(
            "[Cgroup]\nIOMax=/pgdata read_bps:500M\nIOMax=/wal write_iops:100\n\
             IOMax=/pgdata write_bps:200M read_bps:1G\nIOWriteBandwidthMax=/wal 5M\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            pool.io_max,
            [
                io(
                    "/pgdata",
                    &[(ReadBps, Some(1 << 30)), (WriteBps, Some(200 << 20))]
                ),
                io("/wal", &[(WriteBps, Some(5 << 20)), (WriteIops, Some(100))]),
            ]
        );
        // An empty IOMax= clears every disk; an empty alias clears its field.
        let (pool, _) = parse("[Cgroup]\nIOMax=/a read_bps:1\nIOMax=\nIOMax=/b write_bps:2\n");
        assert_eq!(pool.io_max, [io("/b", &[(WriteBps, Some(2))])]);
        let (pool, _) = parse(
            "[Cgroup]\nIOMax=/a read_bps:1 write_bps:2\nIOMax=/b read_bps:3\nIOReadBandwidthMax=\n",
        );
        assert_eq!(pool.io_max, [io("/a", &[(WriteBps, Some(2))])]);
    }

    #[test]
    fn bad_io_max_values() {
        let (pool, msgs) = parse(
            "[Cgroup]\nIOMax=/pgdata\nIOMax=/pgdata read_bps\nIOMax=/pgdata read:1\nIOMax=/pgdata read_bps:lots\n\
             IOMax=/pgdata read_iops:1K\nIOMax=/pgdata write_iops:0\nIOMax=/pgdata read_bps:1 read_bps:2\n\
             IOMax=relative read_bps:1M\nIOReadBandwidthMax=/var/lib\nIOReadBandwidthMax=relative 5M\n\
             IOWriteBandwidthMax=/var/lib fast\nIOReadIOPSMax=/var/lib 1.5\nIOMax=/ok write_bps:1M\n",
        );
        assert_eq!(pool.io_max, [io("/ok", &[(WriteBps, Some(1 << 20))])]);
        assert_eq!(
            msgs,
            [
                "/etc/runr/db.cgroup:2: Invalid IOMax= value '/pgdata' (no limit: read_bps:, write_bps:, read_iops: or write_iops:), ignoring.",
                "/etc/runr/db.cgroup:3: Invalid IOMax= value '/pgdata read_bps' ('read_bps' is not FIELD:VALUE), ignoring.",
                "/etc/runr/db.cgroup:4: Invalid IOMax= value '/pgdata read:1' (unknown field 'read', not read_bps, write_bps, read_iops or write_iops), ignoring.",
                "/etc/runr/db.cgroup:5: Invalid IOMax= value '/pgdata read_bps:lots' (read_bps:lots is not a size), ignoring.",
                "/etc/runr/db.cgroup:6: Invalid IOMax= value '/pgdata read_iops:1K' (read_iops:1K is not a number), ignoring.",
                "/etc/runr/db.cgroup:7: Invalid IOMax= value '/pgdata write_iops:0' (write_iops:0 is not above 0), ignoring.",
                "/etc/runr/db.cgroup:8: Invalid IOMax= value '/pgdata read_bps:1 read_bps:2' (read_bps is given twice), ignoring.",
                "/etc/runr/db.cgroup:9: IOMax= path is not absolute, ignoring: relative",
                "/etc/runr/db.cgroup:10: Invalid IOReadBandwidthMax= value '/var/lib' (PATH BYTES), ignoring.",
                "/etc/runr/db.cgroup:11: IOReadBandwidthMax= path is not absolute, ignoring: relative",
                "/etc/runr/db.cgroup:12: Invalid IOWriteBandwidthMax= value '/var/lib fast' (write_bps:fast is not a size), ignoring.",
                "/etc/runr/db.cgroup:13: Invalid IOReadIOPSMax= value '/var/lib 1.5' (read_iops:1.5 is not a number), ignoring.",
            ]
        );
    }

    #[test]
    fn inline_comments() {
        let (pool, msgs) = parse(
            "[Cgroup] # the pool\nMemoryMax=4G   # memory.max\nTasksMax=64\t# pids.max\n\
             CpuMax=50000 100000 # raw\nName=a#b\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(4 << 30)));
        assert_eq!(pool.tasks_max, Some(Some(64)));
        assert_eq!(pool.cpu_max, Some(CpuMax::Raw("50000 100000".into())));
        assert_eq!(
            pool.name, "a#b",
            "a # after a character is part of the value"
        );
        // A value that is all comment is an empty assignment.
        let (pool, _) = parse("[Cgroup]\nMemoryMax=4G\nMemoryMax= # none\n");
        assert_eq!(pool.memory_max, None);
    }

    #[test]
    fn bad_values_and_unknowns() {
        let (pool, msgs) = parse(
            "[Cgroup]\nMemoryMax=lots\nMemoryHigh=120%\nCPUWeight=0\nIOWeight=x\nTasksMax=-1\nFoo=1\nMemoryMax=1G\n[Service]\nX=1\n",
        );
        assert_eq!(pool.memory_max, Some(MemoryLimit::Bytes(1 << 30)));
        assert_eq!(
            msgs,
            [
                "/etc/runr/db.cgroup:2: Invalid MemoryMax= value 'lots' (bytes with K/M/G/T, a percentage of RAM, or infinity), ignoring.",
                "/etc/runr/db.cgroup:3: Invalid MemoryHigh= value '120%' (bytes with K/M/G/T, a percentage of RAM, or infinity), ignoring.",
                "/etc/runr/db.cgroup:4: Invalid CPUWeight= value '0' (a weight from 1 to 10000), ignoring.",
                "/etc/runr/db.cgroup:5: Invalid IOWeight= value 'x' (a weight from 1 to 10000), ignoring.",
                "/etc/runr/db.cgroup:6: Invalid TasksMax= value '-1' (a number above 0, or infinity), ignoring.",
                "/etc/runr/db.cgroup:7: Unknown key 'Foo' in section [Cgroup], ignoring.",
                "/etc/runr/db.cgroup:9: Unknown section 'Service'. Ignoring.",
            ]
        );
    }

    #[test]
    fn cgroup_targets() {
        use CgroupTarget::{Group, Pool};
        assert_eq!(parse_cgroup_target("pg-pool"), Ok(Pool("pg-pool".into())));
        assert_eq!(
            parse_cgroup_target("/sys/fs/cgroup/pg-pool/cgroup.procs"),
            Ok(Group("/sys/fs/cgroup/pg-pool".into()))
        );
        assert_eq!(
            parse_cgroup_target("/sys/fs/cgroup/pg-pool/"),
            Ok(Group("/sys/fs/cgroup/pg-pool".into()))
        );
        assert_eq!(
            parse_cgroup_target("/sys/fs/cgroup/db/primary"),
            Ok(Group("/sys/fs/cgroup/db/primary".into()))
        );
        assert_eq!(
            parse_cgroup_target("/srv/cgroup2/db"),
            Ok(Group("/srv/cgroup2/db".into()))
        );
        for (value, why) in [
            ("supervisor", "the supervisor's own group"),
            ("a/b", "a pool name is one path component"),
            ("/sys/fs/cgroup/cgroup.procs", "the cgroup root itself"),
            ("/sys/fs/cgroup", "the cgroup root itself"),
            (
                "/sys/fs/cgroup/system.slice",
                "the services' own groups are there",
            ),
            (
                "/sys/fs/cgroup/supervisor/cgroup.procs",
                "the supervisor's own group",
            ),
            ("/sys/fs/../x", "not a normalized absolute path"),
            (
                "/sys/fs/cgroup/pg-pool/cgroup.procs  # join shared cgroup",
                "holds a blank; in a unit file a comment goes on a line of its own",
            ),
        ] {
            assert_eq!(parse_cgroup_target(value), Err(why.to_string()), "{value}");
        }
        assert_eq!(below_cgroup_mount("/sys/fs/cgroup/a/b"), Some("a/b"));
        assert_eq!(below_cgroup_mount("/sys/fs/cgroup"), Some(""));
        assert_eq!(below_cgroup_mount("/sys/fs/cgroupx"), None);
    }
}

//! A stored record seen as journald's fields (`MESSAGE=`, `PRIORITY=`,
//! `_SYSTEMD_UNIT=` ...), for the verbose, export and JSON outputs and for
//! `FIELD=VALUE` matches.
//!
//! Only fields runr knows for certain are given: it does not record a
//! process's `_UID`, `_COMM`, `_EXE`, `_CMDLINE`, capabilities or cgroup,
//! nor systemd's `CODE_*`, `MESSAGE_ID` and `JOB_*` fields.

use crate::logs::record::{Record, Stream};

/// journald's cursor for a record (opaque to readers):
/// `s=SEQNUM_ID;i=SEQNUM;b=BOOT;m=MONOTONIC;t=REALTIME;x=HASH`, all hex.
pub fn cursor(record: &Record) -> String {
    format!(
        "s={};i={:x};b={};m={:x};t={:x};x={:x}",
        record.boot_id,
        record.seqnum,
        record.boot_id,
        record.monotonic,
        record.realtime,
        entry_hash(record)
    )
}

/// A 64-bit hash of the record's fields (journald's `x=` part), FNV-1a.
fn entry_hash(record: &Record) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (_, value) in record_fields(record) {
        for byte in value {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The record's fields, in the order journald stores a new entry's fields
/// (its "entry items"). `_BOOT_ID` is left out: outputs print it with the
/// timestamps.
pub fn record_fields(record: &Record) -> Vec<(&'static str, Vec<u8>)> {
    let text = |s: &str| s.as_bytes().to_vec();
    let mut fields: Vec<(&'static str, Vec<u8>)> = Vec::with_capacity(12);
    fields.push(("SYSLOG_FACILITY", text(&record.facility.to_string())));
    if !record.hostname.is_empty() {
        fields.push(("_HOSTNAME", text(&record.hostname)));
    }
    fields.push(("_RUNTIME_SCOPE", text("system")));
    fields.push(("_TRANSPORT", text(record.stream.transport())));
    if !record.identifier.is_empty() {
        fields.push(("SYSLOG_IDENTIFIER", text(&record.identifier)));
    }
    if record.pid != 0 {
        fields.push(("_PID", text(&record.pid.to_string())));
    }
    let invocation = (!record.invocation_id.is_null()).then(|| record.invocation_id.to_string());
    match record.stream {
        Stream::Supervisor => {
            if !record.unit.is_empty() {
                fields.push(("UNIT", text(&record.unit)));
            }
            if let Some(id) = invocation {
                fields.push(("INVOCATION_ID", id.into_bytes()));
            }
        }
        _ => {
            if !record.unit.is_empty() {
                fields.push(("_SYSTEMD_UNIT", text(&record.unit)));
            }
            if let Some(id) = invocation {
                fields.push(("_SYSTEMD_INVOCATION_ID", id.into_bytes()));
            }
        }
    }
    fields.push(("PRIORITY", text(&record.priority.to_string())));
    fields.push(("MESSAGE", record.message.clone()));
    fields
}

/// One field's value, `_BOOT_ID` included.
pub fn field_value(record: &Record, name: &str) -> Option<Vec<u8>> {
    if name == "_BOOT_ID" {
        return Some(record.boot_id.to_string().into_bytes());
    }
    record_fields(record)
        .into_iter()
        .find(|(field, _)| *field == name)
        .map(|(_, value)| value)
}

/// Whether journalctl would print the value as text: valid UTF-8 without
/// control characters other than newline and tab.
pub fn is_printable(value: &[u8]) -> bool {
    match std::str::from_utf8(value) {
        Ok(text) => !text
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}'),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::record::Id128;

    fn record(stream: Stream) -> Record {
        Record {
            realtime: 1,
            monotonic: 2,
            boot_id: Id128([1; 16]),
            seqnum: 3,
            unit: "a.service".into(),
            pid: 7,
            priority: 3,
            facility: 3,
            stream,
            invocation_id: Id128([2; 16]),
            identifier: "a".into(),
            message: b"hi".to_vec(),
            hostname: "h".into(),
        }
    }

    #[test]
    fn service_and_supervisor_fields() {
        let names =
            |r: &Record| -> Vec<&str> { record_fields(r).iter().map(|(n, _)| *n).collect() };
        let out = names(&record(Stream::Stdout));
        assert!(out.contains(&"_SYSTEMD_UNIT") && !out.contains(&"UNIT"));
        assert_eq!(out.last(), Some(&"MESSAGE"));
        let sup = names(&record(Stream::Supervisor));
        assert!(sup.contains(&"UNIT") && sup.contains(&"INVOCATION_ID"));
        assert_eq!(
            field_value(&record(Stream::Stdout), "_TRANSPORT"),
            Some(b"stdout".to_vec())
        );
        assert!(cursor(&record(Stream::Stdout)).starts_with("s=0101"));
    }

    #[test]
    fn printable_values() {
        assert!(is_printable(b"a\tb\nc"));
        assert!(is_printable("ünï".as_bytes()));
        assert!(!is_printable(b"a\x01b"));
        assert!(!is_printable(b"\xff"));
    }
}

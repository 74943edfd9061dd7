//! Masks what differs from one run of a journalctl command to the next,
//! and nothing else: timestamps in every output mode's format, PIDs, the
//! host name, boot and invocation IDs, cursors, and disk usage figures.
//! Both sides of a comparison go through it. (The shared normaliser of
//! the systemctl goldens lives in tests/common/normalise.rs on its
//! branch; this one knows the journal's formats.)
#![allow(dead_code)]

use regex_automata::meta::Regex;

struct Mask {
    pattern: Regex,
    with: &'static str,
}

fn masks() -> Vec<Mask> {
    let rules: &[(&str, &str)] = &[
        // Cursors first: they hold IDs and hex times.
        (
            r"s=[0-9a-f]{32};i=[0-9a-f]+;b=[0-9a-f]{32};m=[0-9a-f]+;t=[0-9a-f]+;x=[0-9a-f]+",
            "<CURSOR>",
        ),
        (r"[0-9a-f]{32}", "<ID>"),
        (
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})? [A-Z]+",
            "<DATE>",
        ),
        (
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?[+-][0-9]{4}",
            "<DATE>",
        ),
        (
            r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?",
            "<DATE>",
        ),
        (r"(?m)^[0-9]{10}\.[0-9]{6}", "<DATE>"),
        (r"(?m)^\[ *[0-9]+\.[0-9]{6}\]", "<MONOTONIC>"),
        (
            r#"(__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_SOURCE_REALTIME_TIMESTAMP)(" : "|":"|=)[0-9]+"#,
            "${1}${2}<USEC>",
        ),
        (r"\[[0-9]+\]:", "[<PID>]:"),
        (r#"_PID(" : "|":"|=)[0-9]+"#, "_PID${1}<PID>"),
        (r"take up [0-9.]+[BKMGTPE] in", "take up <SIZE> in"),
    ];
    rules
        .iter()
        .map(|(pattern, with)| Mask {
            pattern: Regex::new(pattern).expect("mask pattern"),
            with,
        })
        .collect()
}

/// Replaces every match, expanding `${1}`-style groups in `with`.
fn replace_all(pattern: &Regex, text: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut caps = pattern.create_captures();
    let mut at = 0;
    while at <= text.len() {
        let input = regex_automata::Input::new(text).span(at..text.len());
        pattern.search_captures(&input, &mut caps);
        let Some(m) = caps.get_match() else { break };
        out.push_str(&text[last..m.start()]);
        caps.interpolate_string_into(text, with, &mut out);
        last = m.end();
        at = if m.end() == m.start() {
            m.end() + 1
        } else {
            m.end()
        };
    }
    out.push_str(&text[last.min(text.len())..]);
    out
}

/// Masks one output; `hostname` is the host name the entries carry.
pub fn normalise_journal(text: &str, hostname: &str) -> String {
    let mut out = text.to_string();
    for mask in masks() {
        out = replace_all(&mask.pattern, &out, mask.with);
    }
    if !hostname.is_empty() {
        let host = Regex::new(&format!(r"\b{}\b", regex_escape(hostname))).expect("host pattern");
        out = replace_all(&host, &out, "<HOST>");
    }
    out
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_volatile_part_only() {
        let golden = "Nov 21 17:01:42 oracle chatty[135]: hello 42\n";
        assert_eq!(
            normalise_journal(golden, "oracle"),
            "<DATE> <HOST> chatty[<PID>]: hello 42\n"
        );
        let precise = "Nov  1 17:01:42.176386 oracle systemd[1]: x\n";
        assert_eq!(
            normalise_journal(precise, "oracle"),
            "<DATE> <HOST> systemd[<PID>]: x\n"
        );
        let json = r#"{"__CURSOR":"s=d452e843d7394e89be88bfed8d6d365d;i=28;b=1c489f606d144d52b75ef58408ec662e;m=8aecb4cc;t=660cc509aba95;x=bf2e40daa61a70d7","_PID":"1","__REALTIME_TIMESTAMP":"1795280502176405"}"#;
        assert_eq!(
            normalise_journal(json, "oracle"),
            r#"{"__CURSOR":"<CURSOR>","_PID":"<PID>","__REALTIME_TIMESTAMP":"<USEC>"}"#
        );
        assert_eq!(
            normalise_journal("[ 2330.768588] h x[1]: y\n1795280502.176386 h", "h"),
            "<MONOTONIC> <HOST> x[<PID>]: y\n<DATE> <HOST>"
        );
        assert_eq!(
            normalise_journal(
                "Archived and active journals take up 8.0M in the file system.",
                ""
            ),
            "Archived and active journals take up <SIZE> in the file system."
        );
    }
}

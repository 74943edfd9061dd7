//! The unit-file grammar of systemd.syntax(7), as systemd 252's
//! `config_parse()` reads it (src/shared/conf-parser.c):
//!
//! - Lines end at `\n`, `\r` or NUL, and at any run of those in which no
//!   marker repeats (so `\r\n` and `\n\r` end one line, `\n\n` two).
//! - A line whose first non-blank character is `#` or `;` is a comment. That
//!   holds inside a continuation too: a comment line in the middle of a
//!   continued value is dropped and the continuation goes on.
//! - A line ending in an odd number of backslashes continues on the next
//!   line; the final backslash becomes a space. The logical line takes the
//!   number of its last physical line; one left open at the end of the file
//!   takes the number after the last line.
//! - Leading and trailing whitespace (space, tab, CR, LF) is trimmed; empty
//!   lines are skipped.
//! - `[Name]` opens a section. A header line not ending in `]`, or whose name
//!   holds a control character, a quote or a backslash, stops the file.
//! - Anything else is `key = value`, split at the first `=`, both sides
//!   trimmed. A line that is not valid UTF-8 stops the file.
//!
//! The parser is pure: it never sees a path. Diagnostics carry the line and a
//! message; the caller prefixes `path:line: `.

use std::fmt;

/// A parsed unit file: its sections in file order, and what was wrong with
/// its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFile {
    pub sections: Vec<Section>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `[Name]` and the assignments up to the next header. A name may repeat;
/// each header starts a new `Section`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub line: u32,
    pub entries: Vec<Entry>,
}

/// One `key=value` assignment, both sides trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// A problem with one logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: u32,
    /// Index in `UnitFile::sections` of the section the line sits in, if any.
    /// A reader that ignores a section (unknown, `X-`) drops the warnings of
    /// its lines too, as systemd does.
    pub section: Option<usize>,
    pub kind: DiagnosticKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// An assignment before the first section header (warning).
    AssignmentOutsideSection,
    /// A line with no `=` (warning).
    MissingEquals,
    /// A line starting with `=` (warning).
    MissingKeyName,
    /// `[Name` without the closing bracket (fatal: the file stops here).
    InvalidSectionHeader(String),
    /// `[Na"me]`: quotes, backslashes or control characters (fatal).
    BadCharactersInSectionHeader(String),
    /// A line that is not UTF-8 (fatal); the text has each bad byte
    /// replaced by U+FFFD.
    InvalidUtf8(String),
}

impl Diagnostic {
    /// Whether systemd stops reading the file at this line (and the unit
    /// fails to load).
    pub fn is_fatal(&self) -> bool {
        self.kind.is_fatal()
    }

    /// Whether this problem only matters inside a section the reader keeps:
    /// systemd checks these after it has skipped lines of ignored sections.
    pub fn is_silenced_in_ignored_section(&self) -> bool {
        matches!(
            self.kind,
            DiagnosticKind::MissingEquals | DiagnosticKind::MissingKeyName
        )
    }
}

impl DiagnosticKind {
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            DiagnosticKind::InvalidSectionHeader(_)
                | DiagnosticKind::BadCharactersInSectionHeader(_)
                | DiagnosticKind::InvalidUtf8(_)
        )
    }

    /// The errno name systemd reports when a fatal problem stops the load.
    pub fn fatal_errno(&self) -> Option<Errno> {
        match self {
            DiagnosticKind::InvalidSectionHeader(_)
            | DiagnosticKind::BadCharactersInSectionHeader(_) => Some(Errno::BadMessage),
            DiagnosticKind::InvalidUtf8(_) => Some(Errno::InvalidArgument),
            _ => None,
        }
    }
}

/// The two errors a fatal line can end the load with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errno {
    BadMessage,
    InvalidArgument,
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiagnosticKind::AssignmentOutsideSection => {
                f.write_str("Assignment outside of section. Ignoring.")
            }
            DiagnosticKind::MissingEquals => f.write_str("Missing '=', ignoring line."),
            DiagnosticKind::MissingKeyName => {
                f.write_str("Missing key name before '=', ignoring line.")
            }
            DiagnosticKind::InvalidSectionHeader(l) => write!(f, "Invalid section header '{l}'"),
            DiagnosticKind::BadCharactersInSectionHeader(l) => {
                write!(f, "Bad characters in section header '{l}'")
            }
            DiagnosticKind::InvalidUtf8(l) => {
                write!(f, "String is not UTF-8 clean, ignoring assignment: {l}")
            }
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

/// One item of a unit file in line order, for readers that must interleave
/// their own diagnostics with the grammar's (as systemd does, line by line).
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    SectionHeader {
        index: usize,
        section: &'a Section,
    },
    Entry {
        section_index: usize,
        section: &'a Section,
        entry: &'a Entry,
    },
    Diagnostic(&'a Diagnostic),
}

impl Item<'_> {
    pub fn line(&self) -> u32 {
        match self {
            Item::SectionHeader { section, .. } => section.line,
            Item::Entry { entry, .. } => entry.line,
            Item::Diagnostic(d) => d.line,
        }
    }
}

impl UnitFile {
    /// Every header, assignment and diagnostic, ordered by line.
    pub fn items(&self) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        for (index, section) in self.sections.iter().enumerate() {
            items.push(Item::SectionHeader { index, section });
            for entry in &section.entries {
                items.push(Item::Entry {
                    section_index: index,
                    section,
                    entry,
                });
            }
        }
        items.extend(self.diagnostics.iter().map(Item::Diagnostic));
        // Each logical line yields at most one item, so the order is total.
        items.sort_by_key(Item::line);
        items
    }

    /// The first fatal diagnostic, if reading stopped early.
    pub fn fatal(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_fatal())
    }

    /// All values of `key` in every section named `section`, in file order
    /// (a convenience for simple readers such as syslog.conf).
    pub fn values<'a>(
        &'a self,
        section: &'a str,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.sections
            .iter()
            .filter(move |s| s.name == section)
            .flat_map(|s| s.entries.iter())
            .filter(move |e| e.key == key)
    }
}

/// Renders sections as a unit file that parses back to the same sections,
/// except for a value ending in an odd number of backslashes (possible when
/// the source had blanks after the backslash), which the grammar cannot
/// express without a continuation.
impl fmt::Display for UnitFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, section) in self.sections.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "[{}]", section.name)?;
            for entry in &section.entries {
                writeln!(f, "{}={}", entry.key, entry.value)?;
            }
        }
        Ok(())
    }
}

/// Parses unit-file text.
pub fn parse(text: &str) -> UnitFile {
    parse_bytes(text.as_bytes())
}

/// Parses a file of runr's own that allows comments after a value: on a
/// line that is not a comment line, a `#` that follows a space or a tab
/// starts a comment running to the end of that line (the blanks before it
/// go too). A `#` right after another character is kept. Unit files never
/// take this grammar: systemd keeps `K=v # x` as the value `v # x`.
pub fn parse_with_inline_comments(text: &str) -> UnitFile {
    parse_lines(text.as_bytes(), true)
}

/// Parses the raw bytes of a unit file (which need not be UTF-8: a line that
/// is not stops the file with a diagnostic, as in systemd).
pub fn parse_bytes(bytes: &[u8]) -> UnitFile {
    parse_lines(bytes, false)
}

fn parse_lines(bytes: &[u8], inline_comments: bool) -> UnitFile {
    let mut parser = Parser::default();
    let mut continuation: Option<Vec<u8>> = None;
    let mut line_number: u32 = 0;
    let mut bom_seen = false;

    for raw in split_lines(bytes) {
        line_number = line_number.saturating_add(1);
        if is_comment_line(raw) {
            continue;
        }
        let mut line = raw;
        if !bom_seen && let Some(rest) = line.strip_prefix(UTF8_BOM) {
            line = rest;
            bom_seen = true;
        }
        if inline_comments {
            line = cut_inline_comment(line);
        }
        let mut logical = continuation.take().unwrap_or_default();
        logical.extend_from_slice(line);
        if ends_with_escape(&logical) {
            // The continuation backslash becomes a blank.
            if let Some(last) = logical.last_mut() {
                *last = b' ';
            }
            continuation = Some(logical);
            continue;
        }
        if parser.logical_line(line_number, &logical).is_break() {
            return parser.file;
        }
    }
    if let Some(logical) = continuation {
        let _ = parser.logical_line(line_number.saturating_add(1), &logical);
    }
    parser.file
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const WHITESPACE: &[u8] = b" \t\n\r";

/// Splits at systemd's end-of-line markers (see the module comment).
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    const ZERO: u8 = 1;
    const TEN: u8 = 2;
    const THIRTEEN: u8 = 4;
    let marker = |c: u8| match c {
        b'\n' => TEN,
        b'\r' => THIRTEEN,
        0 => ZERO,
        _ => 0,
    };
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if marker(bytes[i]) == 0 {
            i += 1;
            continue;
        }
        let end = i;
        let mut seen = 0u8;
        while i < bytes.len() {
            let m = marker(bytes[i]);
            if seen & ZERO != 0 || m == 0 || seen & m != 0 {
                break;
            }
            seen |= m;
            i += 1;
        }
        lines.push(&bytes[start..end]);
        start = i;
    }
    if start < bytes.len() {
        lines.push(&bytes[start..]);
    }
    lines
}

/// The line up to a `#` that follows a blank, without the blanks before it.
fn cut_inline_comment(line: &[u8]) -> &[u8] {
    let blank = |c: &u8| matches!(c, b' ' | b'\t');
    let Some(at) = (1..line.len()).find(|&i| line[i] == b'#' && blank(&line[i - 1])) else {
        return line;
    };
    let kept = &line[..at];
    let n = kept.iter().rev().take_while(|c| blank(c)).count();
    &kept[..kept.len() - n]
}

fn is_comment_line(line: &[u8]) -> bool {
    matches!(trim_start(line).first(), Some(b'#' | b';'))
}

/// True when the line ends in an unescaped backslash.
fn ends_with_escape(line: &[u8]) -> bool {
    line.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| WHITESPACE.contains(c)).count();
    &s[n..]
}

fn trim(s: &[u8]) -> &[u8] {
    let s = trim_start(s);
    let n = s
        .iter()
        .rev()
        .take_while(|c| WHITESPACE.contains(c))
        .count();
    &s[..s.len() - n]
}

/// systemd's `string_is_safe()`: no control characters, quotes or backslashes.
fn is_safe_section_name(name: &str) -> bool {
    !name
        .chars()
        .any(|c| (c as u32) < 0x20 || matches!(c, '"' | '\'' | '\\' | '\x7f'))
}

/// Replaces each byte that does not start a valid UTF-8 sequence with
/// U+FFFD, one replacement per byte, as systemd's `utf8_escape_invalid()`.
pub fn escape_invalid_utf8(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = bad.get(1..).unwrap_or_default();
            }
        }
    }
    out
}

#[derive(Default)]
struct Parser {
    file: UnitFile,
}

enum Flow {
    Continue,
    Stop,
}

impl Flow {
    fn is_break(&self) -> bool {
        matches!(self, Flow::Stop)
    }
}

impl Parser {
    fn current_section(&self) -> Option<usize> {
        self.file.sections.len().checked_sub(1)
    }

    fn diagnose(&mut self, line: u32, kind: DiagnosticKind) -> Flow {
        let fatal = kind.is_fatal();
        let section = self.current_section();
        self.file.diagnostics.push(Diagnostic {
            line,
            section,
            kind,
        });
        if fatal { Flow::Stop } else { Flow::Continue }
    }

    fn logical_line(&mut self, line: u32, raw: &[u8]) -> Flow {
        let trimmed = trim(raw);
        if trimmed.is_empty() {
            return Flow::Continue;
        }
        let Ok(text) = std::str::from_utf8(trimmed) else {
            return self.diagnose(
                line,
                DiagnosticKind::InvalidUtf8(escape_invalid_utf8(trimmed)),
            );
        };
        if let Some(inner) = text.strip_prefix('[') {
            let Some(name) = inner.strip_suffix(']') else {
                return self.diagnose(line, DiagnosticKind::InvalidSectionHeader(text.to_string()));
            };
            if !is_safe_section_name(name) {
                return self.diagnose(
                    line,
                    DiagnosticKind::BadCharactersInSectionHeader(text.to_string()),
                );
            }
            self.file.sections.push(Section {
                name: name.to_string(),
                line,
                entries: Vec::new(),
            });
            return Flow::Continue;
        }
        let Some(section) = self.file.sections.last_mut() else {
            return self.diagnose(line, DiagnosticKind::AssignmentOutsideSection);
        };
        let Some((key, value)) = text.split_once('=') else {
            return self.diagnose(line, DiagnosticKind::MissingEquals);
        };
        if key.is_empty() {
            return self.diagnose(line, DiagnosticKind::MissingKeyName);
        }
        section.entries.push(Entry {
            key: trim_str(key).to_string(),
            value: trim_str(value).to_string(),
            line,
        });
        Flow::Continue
    }
}

fn trim_str(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entries(file: &UnitFile) -> Vec<(String, String, String, u32)> {
        file.sections
            .iter()
            .flat_map(|s| {
                s.entries
                    .iter()
                    .map(move |e| (s.name.clone(), e.key.clone(), e.value.clone(), e.line))
            })
            .collect()
    }

    fn entry(section: &str, key: &str, value: &str, line: u32) -> (String, String, String, u32) {
        (section.into(), key.into(), value.into(), line)
    }

    fn messages(file: &UnitFile) -> Vec<(u32, String)> {
        file.diagnostics
            .iter()
            .map(|d| (d.line, d.to_string()))
            .collect()
    }

    #[test]
    fn sections_and_assignments() {
        let f = parse("[Unit]\nDescription=hello world\n\n[Service]\nExecStart=/bin/true\n");
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[0].name, "Unit");
        assert_eq!(f.sections[0].line, 1);
        assert_eq!(f.sections[1].line, 4);
        assert_eq!(
            entries(&f),
            vec![
                entry("Unit", "Description", "hello world", 2),
                entry("Service", "ExecStart", "/bin/true", 5)
            ]
        );
        assert!(f.diagnostics.is_empty());
    }

    #[test]
    fn whitespace_around_key_and_value_is_trimmed() {
        let f = parse("[A]\n  Key \t=  \tsome value \t \r\n");
        assert_eq!(entries(&f), vec![entry("A", "Key", "some value", 2)]);
    }

    #[test]
    fn value_splits_at_first_equals() {
        let f = parse("[A]\nEnvironment=A=B C=D\n");
        assert_eq!(entries(&f), vec![entry("A", "Environment", "A=B C=D", 2)]);
    }

    #[test]
    fn empty_value_is_kept() {
        let f = parse("[A]\nExecStart=\n");
        assert_eq!(entries(&f), vec![entry("A", "ExecStart", "", 2)]);
    }

    #[test]
    fn comments_with_hash_and_semicolon_are_skipped() {
        let f = parse("# c\n; c\n[A]\n   # indented\nK=v # not a comment\n");
        assert_eq!(entries(&f), vec![entry("A", "K", "v # not a comment", 5)]);
        assert!(f.diagnostics.is_empty());
    }

    #[test]
    fn inline_comments_only_where_asked_for() {
        let text =
            "[A] # section\nK=v   # comment\nL=a#b\nM=x\t# tab\nN= # all comment\n# line\nO=1\n";
        let f = parse_with_inline_comments(text);
        assert_eq!(
            entries(&f),
            vec![
                entry("A", "K", "v", 2),
                entry("A", "L", "a#b", 3),
                entry("A", "M", "x", 4),
                entry("A", "N", "", 5),
                entry("A", "O", "1", 7),
            ]
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        // A continued value loses the comment of each of its lines.
        let f = parse_with_inline_comments("[A]\nK=a # one \\\nL=b\nM=c \\ # two\n  d # three\n");
        assert_eq!(
            entries(&f),
            vec![
                entry("A", "K", "a", 2),
                entry("A", "L", "b", 3),
                entry("A", "M", "c    d", 5)
            ]
        );
        // Unit files keep systemd's rule.
        let f = parse("[A]\nK=v   # comment\n");
        assert_eq!(entries(&f), vec![entry("A", "K", "v   # comment", 2)]);
    }

    #[test]
    fn continuation_takes_the_line_number_of_its_last_line() {
        let f = parse("[A]\nK=a \\\n  b \\\n  c\nL=d\n");
        assert_eq!(
            entries(&f),
            vec![entry("A", "K", "a    b    c", 4), entry("A", "L", "d", 5)]
        );
    }

    #[test]
    fn comment_lines_inside_a_continuation_are_dropped() {
        let f = parse("[A]\nK=a\\\n# comment\n; another\nb\n");
        assert_eq!(entries(&f), vec![entry("A", "K", "a b", 5)]);
    }

    #[test]
    fn empty_line_ends_a_continuation() {
        let f = parse("[A]\nK=a\\\n\nL=b\n");
        assert_eq!(
            entries(&f),
            vec![entry("A", "K", "a", 3), entry("A", "L", "b", 4)]
        );
    }

    #[test]
    fn escaped_backslash_does_not_continue() {
        let f = parse("[A]\nK=a\\\\\nL=b\n");
        assert_eq!(
            entries(&f),
            vec![entry("A", "K", "a\\\\", 2), entry("A", "L", "b", 3)]
        );
    }

    #[test]
    fn continuation_open_at_end_of_file_is_numbered_past_the_last_line() {
        let f = parse("[A]\nK=a\\");
        assert_eq!(entries(&f), vec![entry("A", "K", "a", 3)]);
        let f = parse("[A]\nK=a\\\n");
        assert_eq!(entries(&f), vec![entry("A", "K", "a", 3)]);
    }

    #[test]
    fn crlf_cr_and_nul_end_lines() {
        let f = parse("[A]\r\nK=1\rL=2\0M=3\n\rN=4");
        assert_eq!(
            entries(&f),
            vec![
                entry("A", "K", "1", 2),
                entry("A", "L", "2", 3),
                entry("A", "M", "3", 4),
                entry("A", "N", "4", 5)
            ]
        );
    }

    #[test]
    fn repeated_markers_make_empty_lines() {
        let f = parse("[A]\n\n\r\rK=1\n");
        assert_eq!(entries(&f), vec![entry("A", "K", "1", 4)]);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let f = parse("\u{FEFF}[A]\nK=v\n");
        assert_eq!(f.sections[0].name, "A");
    }

    #[test]
    fn assignment_outside_section() {
        let f = parse("K=v\n[A]\n");
        assert_eq!(
            messages(&f),
            vec![(1, "Assignment outside of section. Ignoring.".into())]
        );
        assert!(entries(&f).is_empty());
    }

    #[test]
    fn missing_equals_and_missing_key() {
        let f = parse("[A]\nFoo\n=bar\n  = x\n");
        assert_eq!(
            messages(&f),
            vec![
                (2, "Missing '=', ignoring line.".into()),
                (3, "Missing key name before '=', ignoring line.".into()),
                (4, "Missing key name before '=', ignoring line.".into()),
            ]
        );
        assert_eq!(f.diagnostics[0].section, Some(0));
    }

    #[test]
    fn invalid_section_header_stops_the_file() {
        let f = parse("[A]\nK=1\n[Service\nL=2\n");
        assert_eq!(
            messages(&f),
            vec![(3, "Invalid section header '[Service'".into())]
        );
        assert_eq!(entries(&f), vec![entry("A", "K", "1", 2)]);
        assert_eq!(
            f.fatal().and_then(|d| d.kind.fatal_errno()),
            Some(Errno::BadMessage)
        );
    }

    #[test]
    fn bad_characters_in_section_header_stop_the_file() {
        let f = parse("[A\"B]\nK=1\n");
        assert_eq!(
            messages(&f),
            vec![(1, "Bad characters in section header '[A\"B]'".into())]
        );
        assert!(f.sections.is_empty());
    }

    #[test]
    fn section_names_keep_inner_brackets_and_blanks() {
        let f = parse("[ A]B ]\n");
        assert_eq!(f.sections[0].name, " A]B ");
    }

    #[test]
    fn invalid_utf8_stops_the_file() {
        let f = parse_bytes(b"[A]\nK=\xff\xfe\nL=1\n");
        assert_eq!(
            messages(&f),
            vec![(
                2,
                "String is not UTF-8 clean, ignoring assignment: K=\u{FFFD}\u{FFFD}".into()
            )]
        );
        assert_eq!(
            f.fatal().and_then(|d| d.kind.fatal_errno()),
            Some(Errno::InvalidArgument)
        );
        assert!(entries(&f).is_empty());
    }

    #[test]
    fn items_interleave_by_line() {
        let f = parse("K=v\n[A]\nFoo\nL=1\n");
        let lines: Vec<u32> = f.items().iter().map(Item::line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4]);
    }

    #[test]
    fn duplicate_sections_stay_separate() {
        let f = parse("[A]\nK=1\n[B]\n[A]\nK=2\n");
        assert_eq!(f.sections.len(), 3);
        assert_eq!(
            f.values("A", "K")
                .map(|e| e.value.as_str())
                .collect::<Vec<_>>(),
            vec!["1", "2"]
        );
    }

    #[test]
    fn display_renders_what_parses_back() {
        let text = "[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/echo a\\\\\n";
        let f = parse(text);
        assert_eq!(f.to_string(), text);
    }

    fn same_sections(a: &UnitFile, b: &UnitFile) -> bool {
        a.sections.len() == b.sections.len()
            && a.sections.iter().zip(&b.sections).all(|(x, y)| {
                x.name == y.name
                    && x.entries.len() == y.entries.len()
                    && x.entries
                        .iter()
                        .zip(&y.entries)
                        .all(|(p, q)| p.key == q.key && p.value == q.value)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let f = parse_bytes(&bytes);
            let _ = f.items();
            for d in &f.diagnostics { let _ = d.to_string(); }
        }

        #[test]
        fn never_panics_on_unit_like_text(text in "([\\[\\]=#;\\\\ \ta-zA-Z\n\r]{0,12}){0,20}") {
            let _ = parse(&text);
        }

        #[test]
        fn rendered_file_reparses_to_the_same_sections(text in "([\\[\\]=#;\\\\ \ta-zA-Z\n]{0,12}){0,20}") {
            let first = parse(&text);
            let inexpressible = first.sections.iter().flat_map(|s| &s.entries).any(|e| ends_with_escape(e.value.as_bytes()));
            prop_assume!(!inexpressible);
            let second = parse(&first.to_string());
            prop_assert!(same_sections(&first, &second), "{:?}\n{:?}", first, second);
        }
    }
}

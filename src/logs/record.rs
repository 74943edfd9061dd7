//! One log record as the journal stores it, and journald's rule for
//! cutting a byte stream into records.
//!
//! A [`Record`] owns its fields (what a reader gets back); an [`Entry`]
//! borrows them (what a writer appends), so appending a line costs no
//! allocation. The writer stamps the boot ID and the sequence number.

use std::fmt;

/// A 128-bit ID: the boot ID (one per supervisor run) or an invocation ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Id128(pub [u8; 16]);

impl Id128 {
    pub const NULL: Id128 = Id128([0; 16]);

    /// A random ID (from the kernel's random pool), made the way systemd
    /// makes a v4 UUID so that it prints like `sd_id128_randomize()`'s.
    pub fn random() -> Id128 {
        let mut bytes = [0u8; 16];
        if !fill_random(&mut bytes) {
            fill_from_clock(&mut bytes);
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Id128(bytes)
    }

    pub fn is_null(&self) -> bool {
        self.0 == [0; 16]
    }

    /// 32 lowercase hex digits, as journalctl prints `_BOOT_ID`.
    pub fn parse(text: &str) -> Option<Id128> {
        let digits: Vec<u8> = text.bytes().filter(|b| *b != b'-').collect();
        if digits.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, pair) in digits.chunks(2).enumerate() {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            out[i] = (high * 16 + low) as u8;
        }
        Some(Id128(out))
    }
}

impl fmt::Display for Id128 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fn fill_random(bytes: &mut [u8; 16]) -> bool {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(bytes))
        .is_ok()
}

/// Fallback where /dev/urandom is missing (a bare chroot): time and PID
/// mixed, unique enough to tell supervisor runs apart.
fn fill_from_clock(bytes: &mut [u8; 16]) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mixed =
        nanos ^ ((std::process::id() as u128) << 64) ^ 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
    *bytes = mixed.to_le_bytes();
}

/// Where a line came from; `_TRANSPORT` in journald's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Stream {
    Stdout = 0,
    Stderr = 1,
    Syslog = 2,
    Supervisor = 3,
}

impl Stream {
    pub fn from_u8(value: u8) -> Option<Stream> {
        match value {
            0 => Some(Stream::Stdout),
            1 => Some(Stream::Stderr),
            2 => Some(Stream::Syslog),
            3 => Some(Stream::Supervisor),
            _ => None,
        }
    }

    /// journald's `_TRANSPORT=` value.
    pub fn transport(self) -> &'static str {
        match self {
            Stream::Stdout | Stream::Stderr => "stdout",
            Stream::Syslog => "syslog",
            Stream::Supervisor => "journal",
        }
    }
}

/// syslog priorities (the low three bits of PRI).
pub const LOG_EMERG: u8 = 0;
pub const LOG_ERR: u8 = 3;
pub const LOG_WARNING: u8 = 4;
pub const LOG_NOTICE: u8 = 5;
pub const LOG_INFO: u8 = 6;
pub const LOG_DEBUG: u8 = 7;
/// syslog facility `daemon` (3), what journald gives service output.
pub const LOG_DAEMON: u8 = 3;

/// A record being appended: borrowed fields, no allocation.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// CLOCK_REALTIME in microseconds since the epoch.
    pub realtime: u64,
    /// CLOCK_MONOTONIC in microseconds.
    pub monotonic: u64,
    pub unit: &'a str,
    pub pid: u32,
    /// 0 (emerg) ..= 7 (debug).
    pub priority: u8,
    pub facility: u8,
    pub stream: Stream,
    pub invocation_id: Id128,
    pub identifier: &'a str,
    pub message: &'a [u8],
    pub hostname: &'a str,
}

/// A record read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub realtime: u64,
    pub monotonic: u64,
    pub boot_id: Id128,
    /// Position in the store, counting from 1, never reused.
    pub seqnum: u64,
    pub unit: String,
    pub pid: u32,
    pub priority: u8,
    pub facility: u8,
    pub stream: Stream,
    pub invocation_id: Id128,
    pub identifier: String,
    pub message: Vec<u8>,
    pub hostname: String,
}

impl Record {
    pub fn entry(&self) -> Entry<'_> {
        Entry {
            realtime: self.realtime,
            monotonic: self.monotonic,
            unit: &self.unit,
            pid: self.pid,
            priority: self.priority,
            facility: self.facility,
            stream: self.stream,
            invocation_id: self.invocation_id,
            identifier: &self.identifier,
            message: &self.message,
            hostname: &self.hostname,
        }
    }
}

/// journald's default `LineMax=`: 48K.
pub const DEFAULT_LINE_MAX: usize = 48 * 1024;
/// journald refuses a `LineMax=` below 79 bytes.
pub const MIN_LINE_MAX: usize = 79;

/// Why a line ended, as journald tells it apart (`_LINE_BREAK=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreak {
    Newline,
    Nul,
    LineMax,
    Eof,
}

/// Cuts a service's output into records the way journald does: at a
/// newline or a NUL byte, after `line_max` bytes without either, and the
/// rest at end of file. One buffer, reused; lines are handed out as slices.
#[derive(Debug)]
pub struct LineSplitter {
    line_max: usize,
    pending: Vec<u8>,
}

impl LineSplitter {
    pub fn new(line_max: usize) -> LineSplitter {
        LineSplitter {
            line_max: line_max.max(MIN_LINE_MAX),
            pending: Vec::new(),
        }
    }

    /// Feeds a chunk read from the pipe; `emit` gets each completed line
    /// without its terminator.
    pub fn feed(&mut self, mut chunk: &[u8], emit: &mut dyn FnMut(&[u8], LineBreak)) {
        while !chunk.is_empty() {
            let room = self.line_max - self.pending.len();
            let window = &chunk[..chunk.len().min(room)];
            match find_line_end(window) {
                Some(end) => {
                    let why = if window[end] == 0 {
                        LineBreak::Nul
                    } else {
                        LineBreak::Newline
                    };
                    self.emit_with(&window[..end], why, emit);
                    chunk = &chunk[end + 1..];
                }
                None if window.len() == room => {
                    self.emit_with(window, LineBreak::LineMax, emit);
                    chunk = &chunk[room..];
                }
                None => {
                    self.pending.extend_from_slice(window);
                    chunk = &[];
                }
            }
        }
    }

    /// The next line of `text` from `from`, where a line starts, cut as
    /// [`LineSplitter::feed`] cuts it: its range (without the terminator)
    /// and where the next one starts; `None` when what is left is a
    /// partial line. For reading lines where they were read (the caller
    /// puts the pending partial line in front, [`Self::take_pending`], and
    /// keeps what is left, [`Self::keep_pending`]).
    pub fn next_line(&self, text: &[u8], from: usize) -> Option<(std::ops::Range<usize>, usize)> {
        let window = text.get(from..text.len().min(from + self.line_max))?;
        match find_line_end(window) {
            Some(end) => Some((from..from + end, from + end + 1)),
            None if window.len() == self.line_max => {
                Some((from..from + self.line_max, from + self.line_max))
            }
            None => None,
        }
    }

    /// Bytes of the partial line read so far.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Moves the partial line into `into` (which is as long as it).
    pub fn take_pending(&mut self, into: &mut [u8]) {
        let n = into.len().min(self.pending.len());
        into[..n].copy_from_slice(&self.pending[..n]);
        self.pending.clear();
    }

    /// Keeps `partial` as the start of the next line.
    pub fn keep_pending(&mut self, partial: &[u8]) {
        self.pending.extend_from_slice(partial);
    }

    /// End of file: a partial last line becomes a record of its own.
    pub fn finish(&mut self, emit: &mut dyn FnMut(&[u8], LineBreak)) {
        if !self.pending.is_empty() {
            emit(&self.pending, LineBreak::Eof);
            self.pending.clear();
        }
    }

    /// Emits `tail` after what is pending, copying only when a line spans
    /// two reads.
    fn emit_with(&mut self, tail: &[u8], why: LineBreak, emit: &mut dyn FnMut(&[u8], LineBreak)) {
        if self.pending.is_empty() {
            emit(tail, why);
        } else {
            self.pending.extend_from_slice(tail);
            emit(&self.pending, why);
            self.pending.clear();
        }
    }
}

/// The first newline or NUL byte in `bytes`. Every byte a service writes
/// passes through here, so it tests eight bytes at a time: a word has a
/// zero byte when `(w - 0x01..01) & !w & 0x80..80` is not zero, and a
/// newline where `w ^ 0x0a..0a` has one.
fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = LOW * b'\n' as u64;
    let has_zero_byte = |word: u64| word.wrapping_sub(LOW) & !word & HIGH != 0;
    let mut clean = 0;
    for chunk in bytes.chunks_exact(8) {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(eight);
        if has_zero_byte(word) || has_zero_byte(word ^ NEWLINES) {
            break;
        }
        clean += 8;
    }
    bytes[clean..]
        .iter()
        .position(|b| *b == b'\n' || *b == 0)
        .map(|i| clean + i)
}

/// `SyslogLevelPrefix=`: a line starting `<N>` (N one digit 0-7, or a full
/// PRI up to 191 as sd-daemon(3) allows) sets the priority and is removed.
pub fn strip_level_prefix(line: &[u8]) -> (Option<u8>, &[u8]) {
    let Some(rest) = line.strip_prefix(b"<") else {
        return (None, line);
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || rest.get(digits) != Some(&b'>') {
        return (None, line);
    }
    let value: u32 = rest[..digits]
        .iter()
        .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
    if value > 191 {
        return (None, line);
    }
    (Some((value & 7) as u8), &rest[digits + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line_max: usize, chunks: &[&[u8]]) -> Vec<(Vec<u8>, LineBreak)> {
        let mut splitter = LineSplitter::new(line_max);
        let mut out = Vec::new();
        for chunk in chunks {
            splitter.feed(chunk, &mut |line, why| out.push((line.to_vec(), why)));
        }
        splitter.finish(&mut |line, why| out.push((line.to_vec(), why)));
        out
    }

    #[test]
    fn newline_and_nul_end_lines() {
        let out = split(100, &[b"one\ntwo\0three\n"]);
        assert_eq!(
            out,
            vec![
                (b"one".to_vec(), LineBreak::Newline),
                (b"two".to_vec(), LineBreak::Nul),
                (b"three".to_vec(), LineBreak::Newline)
            ]
        );
    }

    #[test]
    fn a_line_spanning_reads_is_joined() {
        let out = split(100, &[b"hel", b"lo\nwor", b"ld"]);
        assert_eq!(
            out,
            vec![
                (b"hello".to_vec(), LineBreak::Newline),
                (b"world".to_vec(), LineBreak::Eof)
            ]
        );
    }

    #[test]
    fn long_lines_split_at_line_max() {
        let long = vec![b'x'; 200];
        let mut input = long.clone();
        input.push(b'\n');
        let out = split(79, &[&input[..50], &input[50..]]);
        let lens: Vec<(usize, LineBreak)> = out.iter().map(|(l, w)| (l.len(), *w)).collect();
        assert_eq!(
            lens,
            vec![
                (79, LineBreak::LineMax),
                (79, LineBreak::LineMax),
                (42, LineBreak::Newline)
            ]
        );
    }

    #[test]
    fn a_line_of_exactly_line_max_then_newline_gives_an_empty_line() {
        // journald cuts at LineMax before it sees the newline that follows.
        let mut input = vec![b'y'; 79];
        input.push(b'\n');
        let out = split(79, &[&input]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].1, LineBreak::LineMax);
        assert_eq!(out[1], (Vec::new(), LineBreak::Newline));
    }

    #[test]
    fn line_max_has_a_floor() {
        let out = split(3, &[&[b'z'; 100]]);
        assert_eq!(out[0].0.len(), MIN_LINE_MAX);
    }

    #[test]
    fn line_ends_are_found_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for end in [b'\n', 0] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = end;
                    assert_eq!(find_line_end(&bytes), Some(at), "len {len} at {at}");
                }
            }
            assert_eq!(find_line_end(&vec![0xffu8; len]), None);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn line_ends_match_a_byte_by_byte_search(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..100)) {
            let naive = bytes.iter().position(|b| *b == b'\n' || *b == 0);
            proptest::prop_assert_eq!(find_line_end(&bytes), naive);
        }

        /// Lines cut where they were read (the pending part put in front
        /// of each read) are the lines `feed` gives.
        #[test]
        fn lines_cut_in_place_are_the_lines_fed(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', b'\n', 0]), 0..400),
            cut in 1usize..200,
        ) {
            let chunks: Vec<&[u8]> = bytes.chunks(cut).collect();
            let fed: Vec<Vec<u8>> = split(79, &chunks).into_iter().map(|(l, _)| l).collect();
            let mut splitter = LineSplitter::new(79);
            let mut in_place = Vec::new();
            for chunk in &chunks {
                let mut text = vec![0; splitter.pending_len()];
                splitter.take_pending(&mut text);
                text.extend_from_slice(chunk);
                let mut from = 0;
                while let Some((line, next)) = splitter.next_line(&text, from) {
                    in_place.push(text[line].to_vec());
                    from = next;
                }
                splitter.keep_pending(&text[from..]);
            }
            splitter.finish(&mut |line, _| in_place.push(line.to_vec()));
            proptest::prop_assert_eq!(in_place, fed);
        }
    }

    #[test]
    fn level_prefix() {
        assert_eq!(strip_level_prefix(b"<3>boom"), (Some(3), &b"boom"[..]));
        assert_eq!(strip_level_prefix(b"<30>x"), (Some(6), &b"x"[..]));
        assert_eq!(strip_level_prefix(b"<192>x"), (None, &b"<192>x"[..]));
        assert_eq!(strip_level_prefix(b"<x>y"), (None, &b"<x>y"[..]));
        assert_eq!(strip_level_prefix(b"<3"), (None, &b"<3"[..]));
    }

    #[test]
    fn id128_prints_and_parses() {
        let id = Id128::random();
        assert!(!id.is_null());
        assert_eq!(id.to_string().len(), 32);
        assert_eq!(Id128::parse(&id.to_string()), Some(id));
        assert_ne!(Id128::random(), id);
        assert_eq!(Id128::parse("xyz"), None);
    }
}

//! The bytes of a segment file: header, record frames, summary, footer.
//! Encoding and decoding only; no file handling here. The layout is
//! described in the parent module's documentation.

use flate2::Crc;

use crate::logs::record::{Entry, Id128, Record, Stream};

pub const HEADER_MAGIC: &[u8; 8] = b"RUNRJNL\x01";
pub const HEADER_LEN: usize = 64;
pub const SUMMARY_MAGIC: &[u8; 8] = b"RJSUMMRY";
pub const FOOTER_MAGIC: &[u8; 8] = b"RJFOOTER";
pub const FOOTER_LEN: usize = 16;
/// Leading length and checksum, then the fixed part of the payload.
pub const FRAME_HEAD: usize = 8;
pub const FRAME_TAIL: usize = 4;
pub const PAYLOAD_FIXED: usize = 56;
pub const FRAME_MIN: usize = FRAME_HEAD + PAYLOAD_FIXED + FRAME_TAIL;
/// Anything longer is corruption, not a record (a syslog datagram is at
/// most 64 KiB, a stdout line at most LineMax).
pub const FRAME_MAX: usize = 16 << 20;
/// A sparse-index entry is started every this many bytes of frames.
pub const BLOCK_BYTES: u64 = 64 * 1024;
/// Bit 63 of a block's unit mask stands for every unit past the 63rd.
pub const OVERFLOW_UNIT_BIT: u32 = 63;

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(bytes);
    crc.sum()
}

// The release build optimises for size and would otherwise leave these
// as calls, made several times per record read or written.
#[inline]
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
#[inline]
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
#[inline]
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(raw)
}

/// What every segment starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    pub boot_id: Id128,
    pub first_seqnum: u64,
    pub created_realtime: u64,
}

impl SegmentHeader {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(HEADER_MAGIC);
        out[8..12].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
        out[16..32].copy_from_slice(&self.boot_id.0);
        out[32..40].copy_from_slice(&self.first_seqnum.to_le_bytes());
        out[40..48].copy_from_slice(&self.created_realtime.to_le_bytes());
        let crc = crc32(&out[..60]);
        out[60..64].copy_from_slice(&crc.to_le_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<SegmentHeader> {
        if bytes.len() < HEADER_LEN
            || &bytes[0..8] != HEADER_MAGIC
            || u32_at(bytes, 8) as usize != HEADER_LEN
        {
            return None;
        }
        if crc32(&bytes[..60]) != u32_at(bytes, 60) {
            return None;
        }
        let mut boot = [0u8; 16];
        boot.copy_from_slice(&bytes[16..32]);
        Some(SegmentHeader {
            boot_id: Id128(boot),
            first_seqnum: u64_at(bytes, 32),
            created_realtime: u64_at(bytes, 40),
        })
    }
}

fn clip(text: &str) -> &[u8] {
    let bytes = text.as_bytes();
    &bytes[..bytes.len().min(u16::MAX as usize)]
}

/// Appends one frame to `out` (no allocation beyond `out` growing) and
/// returns its length.
pub fn encode_frame(out: &mut Vec<u8>, seqnum: u64, entry: &Entry<'_>) -> usize {
    let unit = clip(entry.unit);
    let identifier = clip(entry.identifier);
    let hostname = clip(entry.hostname);
    let room = FRAME_MAX - FRAME_MIN - unit.len() - identifier.len() - hostname.len();
    let message = &entry.message[..entry.message.len().min(room)];
    let payload_len =
        PAYLOAD_FIXED + unit.len() + identifier.len() + hostname.len() + message.len();
    let frame_len = (FRAME_HEAD + payload_len + FRAME_TAIL) as u32;
    // The fixed part is put together on the stack and appended in one go:
    // this runs for every line, and a dozen small appends cost more than
    // the record's bytes.
    let mut fixed = [0u8; FRAME_HEAD + PAYLOAD_FIXED];
    let mut put = |at: usize, bytes: &[u8]| fixed[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, &frame_len.to_le_bytes());
    // 4..8: the checksum, filled in below.
    put(8, &seqnum.to_le_bytes());
    put(16, &entry.realtime.to_le_bytes());
    put(24, &entry.monotonic.to_le_bytes());
    put(32, &entry.invocation_id.0);
    put(48, &entry.pid.to_le_bytes());
    put(
        52,
        &[entry.priority & 7, entry.facility, entry.stream as u8, 0],
    );
    put(56, &(unit.len() as u16).to_le_bytes());
    put(58, &(identifier.len() as u16).to_le_bytes());
    put(60, &(hostname.len() as u16).to_le_bytes());
    out.reserve(frame_len as usize);
    let start = out.len();
    out.extend_from_slice(&fixed);
    out.extend_from_slice(unit);
    out.extend_from_slice(identifier);
    out.extend_from_slice(hostname);
    out.extend_from_slice(message);
    let crc = crc32(&out[start + FRAME_HEAD..]);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&frame_len.to_le_bytes());
    frame_len as usize
}

/// The fields of a frame that queries look at before deciding to decode
/// the rest: borrowed from the frame bytes.
#[derive(Debug, Clone, Copy)]
pub struct FrameView<'a> {
    pub seqnum: u64,
    pub realtime: u64,
    pub monotonic: u64,
    pub unit: &'a [u8],
    payload: &'a [u8],
}

/// Checks the framing of the bytes at the start of `bytes` (length at
/// both ends, checksum) and returns the frame's length and view; `None`
/// for a torn or damaged frame.
pub fn check_frame(bytes: &[u8]) -> Option<(usize, FrameView<'_>)> {
    let (len, view) = frame_view(bytes)?;
    (crc32(view.payload) == u32_at(bytes, 4)).then_some((len, view))
}

/// The framing of the bytes at the start of `bytes` without the checksum:
/// for frames this process has just encoded (the writer's summary), where
/// a second pass over every byte would buy nothing.
pub fn frame_view(bytes: &[u8]) -> Option<(usize, FrameView<'_>)> {
    if bytes.len() < FRAME_MIN {
        return None;
    }
    let len = u32_at(bytes, 0) as usize;
    if !(FRAME_MIN..=FRAME_MAX).contains(&len) || len > bytes.len() {
        return None;
    }
    if u32_at(bytes, len - FRAME_TAIL) as usize != len {
        return None;
    }
    let payload = &bytes[FRAME_HEAD..len - FRAME_TAIL];
    let strings =
        u16_at(payload, 48) as usize + u16_at(payload, 50) as usize + u16_at(payload, 52) as usize;
    if PAYLOAD_FIXED + strings > payload.len() {
        return None;
    }
    let unit_len = u16_at(payload, 48) as usize;
    Some((
        len,
        FrameView {
            seqnum: u64_at(payload, 0),
            realtime: u64_at(payload, 8),
            monotonic: u64_at(payload, 16),
            unit: &payload[PAYLOAD_FIXED..PAYLOAD_FIXED + unit_len],
            payload,
        },
    ))
}

impl FrameView<'_> {
    /// The whole record; the boot ID comes from the segment's header.
    pub fn to_record(&self, boot_id: Id128) -> Record {
        let p = self.payload;
        let unit_len = u16_at(p, 48) as usize;
        let ident_len = u16_at(p, 50) as usize;
        let host_len = u16_at(p, 52) as usize;
        let ident_at = PAYLOAD_FIXED + unit_len;
        let host_at = ident_at + ident_len;
        let message_at = host_at + host_len;
        let mut invocation = [0u8; 16];
        invocation.copy_from_slice(&p[24..40]);
        Record {
            realtime: self.realtime,
            monotonic: self.monotonic,
            boot_id,
            seqnum: self.seqnum,
            unit: String::from_utf8_lossy(self.unit).into_owned(),
            pid: u32_at(p, 40),
            priority: p[44] & 7,
            facility: p[45],
            stream: Stream::from_u8(p[46]).unwrap_or(Stream::Stdout),
            invocation_id: Id128(invocation),
            identifier: String::from_utf8_lossy(&p[ident_at..host_at]).into_owned(),
            hostname: String::from_utf8_lossy(&p[host_at..message_at]).into_owned(),
            message: p[message_at..].to_vec(),
        }
    }
}

/// One entry of the sparse index: where a run of about [`BLOCK_BYTES`] of
/// frames starts, and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Block {
    pub offset: u64,
    pub first_seqnum: u64,
    pub min_realtime: u64,
    pub max_realtime: u64,
    /// Bit i: the segment's unit i has a record here (bit 63: any unit
    /// from the 64th on).
    pub unit_mask: u64,
}

/// What a sealed segment holds, written after its last frame.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub records: u64,
    pub first_seqnum: u64,
    pub last_seqnum: u64,
    pub min_realtime: u64,
    pub max_realtime: u64,
    pub first_monotonic: u64,
    pub last_monotonic: u64,
    /// Where frames end (the summary's own offset).
    pub data_end: u64,
    pub units: Vec<String>,
    pub blocks: Vec<Block>,
}

pub fn unit_bit(index: usize) -> u64 {
    1u64 << (index as u32).min(OVERFLOW_UNIT_BIT)
}

impl Summary {
    /// Mask of the given units' bits; 0 when none of them is here.
    pub fn mask_of(&self, units: &[String]) -> u64 {
        units
            .iter()
            .filter_map(|u| self.units.iter().position(|have| have == u))
            .fold(0, |mask, i| mask | unit_bit(i))
    }

    /// Counts a frame at `offset` into the summary (the writer's running
    /// summary and a reader's scan of an unsealed segment share this).
    pub fn add(&mut self, offset: u64, len: u64, frame: &FrameView<'_>) {
        if self.records == 0 {
            self.first_seqnum = frame.seqnum;
            self.min_realtime = frame.realtime;
            self.first_monotonic = frame.monotonic;
        }
        self.records += 1;
        self.last_seqnum = frame.seqnum;
        self.min_realtime = self.min_realtime.min(frame.realtime);
        self.max_realtime = self.max_realtime.max(frame.realtime);
        self.last_monotonic = frame.monotonic;
        let index = match self.units.iter().position(|u| u.as_bytes() == frame.unit) {
            Some(i) => i,
            None => {
                self.units
                    .push(String::from_utf8_lossy(frame.unit).into_owned());
                self.units.len() - 1
            }
        };
        let start_block = match self.blocks.last() {
            None => true,
            Some(last) => offset >= last.offset + BLOCK_BYTES,
        };
        if start_block {
            self.blocks.push(Block {
                offset,
                first_seqnum: frame.seqnum,
                min_realtime: frame.realtime,
                max_realtime: frame.realtime,
                unit_mask: 0,
            });
        }
        if let Some(block) = self.blocks.last_mut() {
            block.min_realtime = block.min_realtime.min(frame.realtime);
            block.max_realtime = block.max_realtime.max(frame.realtime);
            block.unit_mask |= unit_bit(index);
        }
        self.data_end = offset + len;
    }

    /// The summary and the footer, ready to append at `data_end`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.blocks.len() * 40);
        out.extend_from_slice(SUMMARY_MAGIC);
        for value in [
            self.records,
            self.first_seqnum,
            self.last_seqnum,
            self.min_realtime,
            self.max_realtime,
            self.first_monotonic,
            self.last_monotonic,
        ] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        out.extend_from_slice(&(self.units.len() as u32).to_le_bytes());
        for unit in &self.units {
            let name = clip(unit);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(name);
        }
        out.extend_from_slice(&(self.blocks.len() as u32).to_le_bytes());
        for b in &self.blocks {
            for value in [
                b.offset,
                b.first_seqnum,
                b.min_realtime,
                b.max_realtime,
                b.unit_mask,
            ] {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&self.data_end.to_le_bytes());
        out.extend_from_slice(FOOTER_MAGIC);
        out
    }

    /// Reads a summary from `bytes` (from its magic up to the footer);
    /// `None` when damaged.
    pub fn decode(bytes: &[u8], data_end: u64) -> Option<Summary> {
        let mut r = Cursor { bytes, at: 0 };
        if r.take(8)? != SUMMARY_MAGIC {
            return None;
        }
        let mut s = Summary {
            records: r.u64()?,
            first_seqnum: r.u64()?,
            last_seqnum: r.u64()?,
            min_realtime: r.u64()?,
            max_realtime: r.u64()?,
            first_monotonic: r.u64()?,
            last_monotonic: r.u64()?,
            data_end,
            ..Summary::default()
        };
        let units = r.u32()? as usize;
        for _ in 0..units {
            let len = r.u16()? as usize;
            s.units
                .push(String::from_utf8_lossy(r.take(len)?).into_owned());
        }
        let blocks = r.u32()? as usize;
        for _ in 0..blocks {
            s.blocks.push(Block {
                offset: r.u64()?,
                first_seqnum: r.u64()?,
                min_realtime: r.u64()?,
                max_realtime: r.u64()?,
                unit_mask: r.u64()?,
            });
        }
        let covered = r.at;
        let crc = r.u32()?;
        (crc32(&bytes[..covered]) == crc).then_some(s)
    }
}

/// Reads the footer (the last [`FOOTER_LEN`] bytes of a sealed segment):
/// the summary's offset.
pub fn decode_footer(bytes: &[u8]) -> Option<u64> {
    (bytes.len() == FOOTER_LEN && &bytes[8..16] == FOOTER_MAGIC).then(|| u64_at(bytes, 0))
}

/// A bounds-checked little-endian reader.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16_at(b, 0))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32_at(b, 0))
    }
    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| u64_at(b, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(unit: &'a str, message: &'a [u8]) -> Entry<'a> {
        Entry {
            realtime: 1_700_000_000_000_000,
            monotonic: 42,
            unit,
            pid: 1234,
            priority: 3,
            facility: 3,
            stream: Stream::Stderr,
            invocation_id: Id128([7; 16]),
            identifier: "app",
            message,
            hostname: "host",
        }
    }

    #[test]
    fn a_frame_round_trips() {
        let mut out = Vec::new();
        let message = b"bad \xff byte";
        let len = encode_frame(&mut out, 9, &entry("a.service", message));
        assert_eq!(len, out.len());
        let (checked, view) = check_frame(&out).expect("valid frame");
        assert_eq!(checked, len);
        let record = view.to_record(Id128([1; 16]));
        assert_eq!(record.seqnum, 9);
        assert_eq!(record.unit, "a.service");
        assert_eq!(record.identifier, "app");
        assert_eq!(record.hostname, "host");
        assert_eq!(record.message, message.to_vec());
        assert_eq!(record.stream, Stream::Stderr);
        assert_eq!(record.pid, 1234);
        assert_eq!(record.invocation_id, Id128([7; 16]));
    }

    #[test]
    fn torn_and_flipped_frames_are_refused() {
        let mut out = Vec::new();
        encode_frame(&mut out, 1, &entry("a.service", b"hello"));
        for cut in 0..out.len() {
            assert!(check_frame(&out[..cut]).is_none(), "cut at {cut}");
        }
        for at in 0..out.len() {
            let mut flipped = out.clone();
            flipped[at] ^= 0x10;
            assert!(check_frame(&flipped).is_none(), "flip at {at}");
        }
    }

    #[test]
    fn header_and_summary_round_trip() {
        let header = SegmentHeader {
            boot_id: Id128([3; 16]),
            first_seqnum: 77,
            created_realtime: 5,
        };
        assert_eq!(SegmentHeader::decode(&header.encode()), Some(header));
        let mut frames = Vec::new();
        let mut summary = Summary::default();
        for (i, unit) in ["a", "b", "a"].iter().enumerate() {
            let offset = frames.len() as u64;
            let len = encode_frame(&mut frames, i as u64 + 1, &entry(unit, b"x"));
            let (_, view) = check_frame(&frames[offset as usize..]).expect("frame");
            summary.add(offset + HEADER_LEN as u64, len as u64, &view);
        }
        assert_eq!(summary.units, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(summary.blocks.len(), 1);
        assert_eq!(summary.blocks[0].unit_mask, 0b11);
        let bytes = summary.encode();
        let footer = &bytes[bytes.len() - FOOTER_LEN..];
        assert_eq!(decode_footer(footer), Some(summary.data_end));
        assert_eq!(
            Summary::decode(&bytes[..bytes.len() - FOOTER_LEN], summary.data_end),
            Some(summary.clone())
        );
        assert_eq!(summary.mask_of(&["b".to_string(), "zz".to_string()]), 0b10);
    }
}

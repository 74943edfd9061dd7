//! One segment file seen from a reader: opened read-only, its header and
//! (when sealed) its summary read, its frames walked forward or backward
//! through one reusable buffer.

use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::format::{
    FOOTER_LEN, FRAME_MAX, FRAME_MIN, FRAME_TAIL, FrameView, HEADER_LEN, SegmentHeader, Summary,
    check_frame, decode_footer,
};

/// Segment files are named by their first sequence number, so that the
/// names sort oldest first: `0000000000000001.rjnl`.
pub const SEGMENT_SUFFIX: &str = ".rjnl";

pub fn segment_file_name(first_seqnum: u64) -> String {
    format!("{first_seqnum:016x}{SEGMENT_SUFFIX}")
}

/// The first sequence number a segment file's name carries.
pub fn parse_segment_name(name: &str) -> Option<u64> {
    let hex = name.strip_suffix(SEGMENT_SUFFIX)?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// The segment files of a directory, oldest first, by their names only
/// (no look at each file: a reader opens only those it needs).
pub fn list_segment_names(dir: &Path) -> io::Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        if let Some(seq) = name.to_str().and_then(parse_segment_name) {
            out.push((seq, entry.path()));
        }
    }
    out.sort_by_key(|(seq, _)| *seq);
    Ok(out)
}

/// The segment files of a directory, oldest first, with their sizes.
pub fn list_segments(dir: &Path) -> io::Result<Vec<(u64, PathBuf, u64)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(seq) = name.to_str().and_then(parse_segment_name) else {
            continue;
        };
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push((seq, entry.path(), size));
    }
    out.sort_by_key(|(seq, _, _)| *seq);
    Ok(out)
}

const CHUNK: usize = 256 * 1024;

/// A window of file bytes `[start, start + bytes.len())`, refilled on demand.
/// One window serves one segment for one query: the bytes it holds are not
/// re-read, so a fresh one is needed to see what the writer added since.
#[derive(Default)]
pub struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    /// The bytes `[from, to)`, reading around them (ahead when walking
    /// forward, behind when walking backward) so that the next frames are
    /// in the buffer too. `None` when the file is shorter.
    fn get(
        &mut self,
        file: &File,
        from: u64,
        to: u64,
        forward: bool,
        limit: (u64, u64),
    ) -> io::Result<Option<&[u8]>> {
        let end = self.start + self.bytes.len() as u64;
        if !(from >= self.start && to <= end) {
            let want = (to - from).max(CHUNK as u64);
            let (read_from, read_to) = if forward {
                (from, (from + want).min(limit.1))
            } else {
                (to.saturating_sub(want).max(limit.0), to)
            };
            let (read_from, read_to) = (read_from.min(from), read_to.max(to));
            self.bytes.resize((read_to - read_from) as usize, 0);
            let got = read_fully_at(file, &mut self.bytes, read_from)?;
            self.bytes.truncate(got);
            self.start = read_from;
        }
        let end = self.start + self.bytes.len() as u64;
        if to > end {
            return Ok(None);
        }
        Ok(Some(
            &self.bytes[(from - self.start) as usize..(to - self.start) as usize],
        ))
    }
}

fn read_fully_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

fn u32_le(bytes: &[u8]) -> usize {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
}

/// An open segment.
pub struct Segment {
    pub path: PathBuf,
    pub file: File,
    pub header: SegmentHeader,
    /// Set once sealed: read from the file's end, never changes again.
    pub sealed: Option<Summary>,
    /// Size when last looked at.
    pub size: u64,
}

impl Segment {
    /// Opens a segment read-only; `Ok(None)` for a file that is not (yet)
    /// a segment, such as one whose header is still being written.
    pub fn open(path: &Path) -> io::Result<Option<Segment>> {
        let file = File::open(path)?;
        let mut head = [0u8; HEADER_LEN];
        if read_fully_at(&file, &mut head, 0)? < HEADER_LEN {
            return Ok(None);
        }
        let Some(header) = SegmentHeader::decode(&head) else {
            return Ok(None);
        };
        let mut segment = Segment {
            path: path.to_path_buf(),
            file,
            header,
            sealed: None,
            size: 0,
        };
        segment.refresh()?;
        Ok(Some(segment))
    }

    /// Looks at the file again: its size, and whether the writer sealed it.
    pub fn refresh(&mut self) -> io::Result<()> {
        if self.sealed.is_some() {
            return Ok(());
        }
        self.size = self.file.metadata()?.len();
        self.sealed = read_summary(&self.file, self.size)?;
        Ok(())
    }

    /// Where frames end: the summary's offset when sealed, else the file's size.
    pub fn data_end(&self) -> u64 {
        self.sealed
            .as_ref()
            .map(|s| s.data_end)
            .unwrap_or(self.size)
    }

    /// The summary: the sealed one, or one made by reading every frame of an
    /// unsealed segment (bounded by the segment size).
    pub fn summary(&self, window: &mut Window) -> io::Result<Summary> {
        if let Some(s) = &self.sealed {
            return Ok(s.clone());
        }
        let mut summary = Summary {
            data_end: HEADER_LEN as u64,
            ..Summary::default()
        };
        let end = self.scan_forward(
            window,
            HEADER_LEN as u64,
            self.size,
            &mut |offset, len, frame| {
                summary.add(offset, len, frame);
                ControlFlow::Continue(())
            },
        )?;
        summary.data_end = end;
        Ok(summary)
    }

    /// Visits frames from `from` up to `to`; returns where the intact frames
    /// end (a torn last frame is not visited). A damaged frame whose two
    /// lengths still agree is skipped; anything else ends the walk.
    pub fn scan_forward(
        &self,
        window: &mut Window,
        from: u64,
        to: u64,
        visit: &mut dyn FnMut(u64, u64, &FrameView<'_>) -> ControlFlow<()>,
    ) -> io::Result<u64> {
        let mut at = from;
        while at + FRAME_MIN as u64 <= to {
            let Some(head) = window.get(&self.file, at, at + 4, true, (from, to))? else {
                break;
            };
            let len = u32_le(head);
            if !(FRAME_MIN..=FRAME_MAX).contains(&len) || at + len as u64 > to {
                break;
            }
            let Some(bytes) = window.get(&self.file, at, at + len as u64, true, (from, to))? else {
                break;
            };
            match check_frame(bytes) {
                Some((_, view)) => {
                    if visit(at, len as u64, &view).is_break() {
                        return Ok(at + len as u64);
                    }
                }
                None if u32_le(&bytes[len - FRAME_TAIL..]) == len => {}
                None => break,
            }
            at += len as u64;
        }
        Ok(at)
    }

    /// Visits frames from the last one before `to` back to `from`. Returns
    /// false when a frame does not check out (a torn tail being written, or
    /// damage), so the caller can find the intact end forward and retry.
    pub fn scan_backward(
        &self,
        window: &mut Window,
        from: u64,
        to: u64,
        visit: &mut dyn FnMut(u64, &FrameView<'_>) -> ControlFlow<()>,
    ) -> io::Result<bool> {
        let mut end = to;
        while end >= from + FRAME_MIN as u64 {
            let Some(tail) = window.get(&self.file, end - 4, end, false, (from, to))? else {
                return Ok(false);
            };
            let len = u32_le(tail) as u64;
            if !(FRAME_MIN as u64..=FRAME_MAX as u64).contains(&len) || end - from < len {
                return Ok(false);
            }
            let start = end - len;
            let Some(bytes) = window.get(&self.file, start, end, false, (from, to))? else {
                return Ok(false);
            };
            let Some((_, view)) = check_frame(bytes) else {
                return Ok(false);
            };
            if visit(start, &view).is_break() {
                return Ok(true);
            }
            end = start;
        }
        Ok(end == from)
    }

    /// The last frame's end that checks out, for a segment still being
    /// written (its very end may be a frame half written).
    pub fn intact_end(&self, window: &mut Window) -> io::Result<u64> {
        self.scan_forward(
            window,
            HEADER_LEN as u64,
            self.data_end(),
            &mut |_, _, _| ControlFlow::Continue(()),
        )
    }
}

/// The summary of a sealed segment of `size` bytes, `None` when unsealed.
fn read_summary(file: &File, size: u64) -> io::Result<Option<Summary>> {
    if size < (HEADER_LEN + FOOTER_LEN) as u64 {
        return Ok(None);
    }
    let mut footer = [0u8; FOOTER_LEN];
    if read_fully_at(file, &mut footer, size - FOOTER_LEN as u64)? < FOOTER_LEN {
        return Ok(None);
    }
    let Some(data_end) = decode_footer(&footer) else {
        return Ok(None);
    };
    let summary_end = size - FOOTER_LEN as u64;
    if data_end < HEADER_LEN as u64 || data_end > summary_end {
        return Ok(None);
    }
    let mut bytes = vec![0u8; (summary_end - data_end) as usize];
    if read_fully_at(file, &mut bytes, data_end)? < bytes.len() {
        return Ok(None);
    }
    Ok(Summary::decode(&bytes, data_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_sequence_number() {
        assert_eq!(segment_file_name(0x1f), "000000000000001f.rjnl");
        assert_eq!(parse_segment_name("000000000000001f.rjnl"), Some(0x1f));
        assert_eq!(parse_segment_name("1f.rjnl"), None);
        assert_eq!(parse_segment_name("000000000000001f.tmp"), None);
    }
}

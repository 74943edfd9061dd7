//! Queries over a journal directory, for the journalctl face and `runr
//! log`: the last N records, a time range, the boots, what came after a
//! cursor. Sealed segments are skipped or entered through their summary
//! (time range, units, sparse index), so a query reads the segments and
//! blocks that can hold its answer, not the whole store. Segments are
//! opened when a query first needs them: the last lines of a unit take a
//! directory listing and the newest segment or two, however large the
//! store.

use std::cell::OnceCell;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::format::{Block, FrameView, HEADER_LEN, Summary};
use super::segment::{Segment, Window, list_segment_names};
use crate::logs::record::{Id128, Record};

/// Which records a query wants. Empty `units`: every unit.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub units: Vec<String>,
    pub boot: Option<Id128>,
}

impl Filter {
    fn wants_unit(&self, unit: &[u8]) -> bool {
        self.units.is_empty() || self.units.iter().any(|u| u.as_bytes() == unit)
    }

    fn wants_segment(&self, segment: &Segment) -> bool {
        if self.boot.is_some_and(|boot| boot != segment.header.boot_id) {
            return false;
        }
        match &segment.sealed {
            Some(summary) => self.units.is_empty() || summary.mask_of(&self.units) != 0,
            None => true,
        }
    }

    /// The bits of a sealed segment's unit mask this filter wants.
    fn mask(&self, segment: &Segment) -> u64 {
        match &segment.sealed {
            Some(summary) if !self.units.is_empty() => summary.mask_of(&self.units),
            _ => u64::MAX,
        }
    }
}

/// One supervisor run in the store, as `--list-boots` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootInfo {
    pub boot_id: Id128,
    pub first_realtime: u64,
    pub last_realtime: u64,
}

/// Where a follower stands: the last sequence number it has seen, and
/// where in which segment to read on from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub seqnum: u64,
    position: Option<(PathBuf, u64)>,
}

impl Cursor {
    /// Everything after `seqnum` (0: from the beginning).
    pub fn after(seqnum: u64) -> Cursor {
        Cursor {
            seqnum,
            position: None,
        }
    }
}

pub struct JournalReader {
    directory: PathBuf,
    /// The directory's segment files, oldest first.
    listed: Vec<Listed>,
}

/// A segment file as listed, opened (header and summary read) the first
/// time a query needs it.
struct Listed {
    path: PathBuf,
    /// From the file's name, known without opening it.
    first_seqnum: u64,
    /// `Some(None)`: not a segment when looked at (its header still being
    /// written) or gone; looked at again by the next refresh.
    opened: OnceCell<Option<Segment>>,
}

impl Listed {
    fn new(first_seqnum: u64, path: PathBuf) -> Listed {
        Listed {
            path,
            first_seqnum,
            opened: OnceCell::new(),
        }
    }

    fn segment(&self) -> io::Result<Option<&Segment>> {
        if let Some(opened) = self.opened.get() {
            return Ok(opened.as_ref());
        }
        let opened = match Segment::open(&self.path) {
            Ok(segment) => segment,
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        Ok(self.opened.get_or_init(|| opened).as_ref())
    }
}

/// The byte ranges of a segment worth reading for a filter, oldest first:
/// the sparse index's blocks that can hold wanted records, or all frames.
fn ranges(segment: &Segment, want: &dyn Fn(&Block) -> bool) -> Vec<(u64, u64)> {
    let Some(summary) = &segment.sealed else {
        return vec![(HEADER_LEN as u64, segment.size)];
    };
    let ends = summary
        .blocks
        .iter()
        .skip(1)
        .map(|b| b.offset)
        .chain([summary.data_end]);
    summary
        .blocks
        .iter()
        .zip(ends)
        .filter(|(b, _)| want(b))
        .map(|(b, end)| (b.offset, end))
        .collect()
}

/// Pushes the wanted records of `range`, newest first, until `out` holds
/// `n`; false when a frame did not check out.
fn collect_backward(
    segment: &Segment,
    window: &mut Window,
    (from, to): (u64, u64),
    wanted: &mut dyn FnMut(&FrameView<'_>) -> bool,
    keep: &dyn Fn(&Record) -> bool,
    n: usize,
    out: &mut Vec<Record>,
) -> io::Result<bool> {
    segment.scan_backward(window, from, to, &mut |_, frame| {
        if wanted(frame) {
            let record = frame.to_record(segment.header.boot_id);
            if keep(&record) {
                out.push(record);
            }
        }
        if out.len() >= n {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
}

impl JournalReader {
    pub fn open(directory: impl Into<PathBuf>) -> io::Result<JournalReader> {
        let mut reader = JournalReader {
            directory: directory.into(),
            listed: Vec::new(),
        };
        reader.refresh()?;
        Ok(reader)
    }

    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Sees segments added, sealed or deleted since the last look. Sealed
    /// segments already open are kept as they are (they never change).
    pub fn refresh(&mut self) -> io::Result<()> {
        let names = list_segment_names(&self.directory)?;
        let mut old = std::mem::take(&mut self.listed);
        for (first_seqnum, path) in names {
            let known = old
                .iter()
                .position(|l| l.path == path)
                .map(|i| old.swap_remove(i));
            let listed = match known {
                Some(mut listed) => {
                    match listed.opened.get_mut() {
                        Some(Some(segment)) => segment.refresh()?,
                        Some(None) => listed.opened = OnceCell::new(),
                        None => {}
                    }
                    listed
                }
                None => Listed::new(first_seqnum, path),
            };
            self.listed.push(listed);
        }
        Ok(())
    }

    /// Every segment, opened, oldest first (for queries that look at all
    /// of them: time ranges, boots, units).
    fn segments(&self) -> io::Result<Vec<&Segment>> {
        let mut out = Vec::with_capacity(self.listed.len());
        for listed in &self.listed {
            out.extend(listed.segment()?);
        }
        Ok(out)
    }

    /// Bytes the store uses on disk.
    pub fn disk_usage(&self) -> u64 {
        self.listed
            .iter()
            .map(|l| std::fs::metadata(&l.path).map_or(0, |m| m.len()))
            .sum()
    }

    /// The last `n` records the filter wants, oldest first.
    pub fn tail(&self, filter: &Filter, n: usize) -> io::Result<Vec<Record>> {
        self.tail_upto(filter, n, u64::MAX)
    }

    /// The last `n` wanted records whose sequence number is at most
    /// `upto` (to start following exactly where the tail ended).
    pub fn tail_upto(&self, filter: &Filter, n: usize, upto: u64) -> io::Result<Vec<Record>> {
        self.tail_where(filter, n, upto, &|_| true)
    }

    /// The last `n` records the filter wants and `keep` accepts, whose
    /// sequence number is at most `upto`, oldest first (for queries the
    /// index cannot answer alone: priorities, identifiers, patterns).
    pub fn tail_where(
        &self,
        filter: &Filter,
        n: usize,
        upto: u64,
        keep: &dyn Fn(&Record) -> bool,
    ) -> io::Result<Vec<Record>> {
        let mut out = Vec::new();
        if n == 0 {
            return Ok(out);
        }
        for listed in self.listed.iter().rev() {
            if out.len() >= n {
                break;
            }
            if listed.first_seqnum > upto {
                continue;
            }
            let Some(segment) = listed.segment()? else {
                continue;
            };
            if !filter.wants_segment(segment) || segment.header.first_seqnum > upto {
                continue;
            }
            let mask = filter.mask(segment);
            let mut window = Window::default();
            for (from, to) in ranges(segment, &|b| b.unit_mask & mask != 0)
                .into_iter()
                .rev()
            {
                let mark = out.len();
                let wanted = &mut |frame: &FrameView<'_>| {
                    frame.seqnum <= upto && filter.wants_unit(frame.unit)
                };
                if !collect_backward(segment, &mut window, (from, to), wanted, keep, n, &mut out)? {
                    // A torn or half-written tail: walk back from the last
                    // frame that checks out instead.
                    out.truncate(mark);
                    let end = segment.scan_forward(
                        &mut Window::default(),
                        from,
                        to,
                        &mut |_, _, _| ControlFlow::Continue(()),
                    )?;
                    collect_backward(
                        segment,
                        &mut Window::default(),
                        (from, end),
                        wanted,
                        keep,
                        n,
                        &mut out,
                    )?;
                }
                if out.len() >= n {
                    break;
                }
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Every wanted record with `since <= realtime <= until`, oldest first,
    /// until `visit` breaks.
    pub fn range(
        &self,
        filter: &Filter,
        since: Option<u64>,
        until: Option<u64>,
        visit: &mut dyn FnMut(Record) -> ControlFlow<()>,
    ) -> io::Result<()> {
        let since = since.unwrap_or(0);
        let until = until.unwrap_or(u64::MAX);
        for segment in self.segments()? {
            if !filter.wants_segment(segment) {
                continue;
            }
            let outside =
                |s: &Summary| s.records == 0 || s.max_realtime < since || s.min_realtime > until;
            if segment.sealed.as_ref().is_some_and(outside) {
                continue;
            }
            let mask = filter.mask(segment);
            let wanted = |b: &Block| {
                b.unit_mask & mask != 0 && b.max_realtime >= since && b.min_realtime <= until
            };
            let mut window = Window::default();
            for (from, to) in ranges(segment, &wanted) {
                let mut stop = false;
                segment.scan_forward(&mut window, from, to, &mut |_, _, frame| {
                    if (since..=until).contains(&frame.realtime) && filter.wants_unit(frame.unit) {
                        stop = visit(frame.to_record(segment.header.boot_id)).is_break();
                    }
                    if stop {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })?;
                if stop {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// A cursor at the current end of the store: following from it yields
    /// only what is written from now on.
    pub fn end_cursor(&self) -> io::Result<Cursor> {
        let mut newest = None;
        for listed in self.listed.iter().rev() {
            newest = listed.segment()?;
            if newest.is_some() {
                break;
            }
        }
        let Some(segment) = newest else {
            return Ok(Cursor::default());
        };
        let mut seqnum = segment.header.first_seqnum.saturating_sub(1);
        let end = segment.scan_forward(
            &mut Window::default(),
            HEADER_LEN as u64,
            segment.data_end(),
            &mut |_, _, f| {
                seqnum = f.seqnum;
                ControlFlow::Continue(())
            },
        )?;
        Ok(Cursor {
            seqnum,
            position: Some((segment.path.clone(), end)),
        })
    }

    /// The wanted records written after `cursor`, oldest first; moves the
    /// cursor past them. Call [`refresh`](Self::refresh) first to see new
    /// segments.
    pub fn read_after(
        &self,
        cursor: &mut Cursor,
        filter: &Filter,
        visit: &mut dyn FnMut(Record),
    ) -> io::Result<()> {
        let resume = cursor.position.as_ref().and_then(|(path, offset)| {
            self.listed
                .iter()
                .position(|l| &l.path == path)
                .map(|i| (i, *offset))
        });
        let (first, mut offset) = match resume {
            Some(found) => found,
            None => {
                let next = cursor.seqnum.saturating_add(1);
                let i = self
                    .listed
                    .iter()
                    .rposition(|l| l.first_seqnum <= next)
                    .unwrap_or(0);
                (i, HEADER_LEN as u64)
            }
        };
        for listed in self.listed.iter().skip(first) {
            let Some(segment) = listed.segment()? else {
                offset = HEADER_LEN as u64;
                continue;
            };
            let from = match &segment.sealed {
                Some(s) if offset == HEADER_LEN as u64 => s
                    .blocks
                    .iter()
                    .rev()
                    .find(|b| b.first_seqnum <= cursor.seqnum.saturating_add(1))
                    .map_or(HEADER_LEN as u64, |b| b.offset),
                _ => offset,
            };
            let wanted = filter.wants_segment(segment);
            let end = segment.scan_forward(
                &mut Window::default(),
                from,
                segment.data_end(),
                &mut |_, _, frame| {
                    if frame.seqnum > cursor.seqnum {
                        cursor.seqnum = frame.seqnum;
                        if wanted && filter.wants_unit(frame.unit) {
                            visit(frame.to_record(segment.header.boot_id));
                        }
                    }
                    ControlFlow::Continue(())
                },
            )?;
            cursor.position = Some((segment.path.clone(), end));
            offset = HEADER_LEN as u64;
        }
        Ok(())
    }

    /// The supervisor runs in the store, oldest first.
    pub fn boots(&self) -> io::Result<Vec<BootInfo>> {
        let mut out: Vec<BootInfo> = Vec::new();
        for segment in self.segments()? {
            let Some((first, last)) = self.time_edges(segment)? else {
                continue;
            };
            match out.last_mut() {
                Some(boot) if boot.boot_id == segment.header.boot_id => {
                    boot.first_realtime = boot.first_realtime.min(first);
                    boot.last_realtime = boot.last_realtime.max(last);
                }
                _ => out.push(BootInfo {
                    boot_id: segment.header.boot_id,
                    first_realtime: first,
                    last_realtime: last,
                }),
            }
        }
        Ok(out)
    }

    /// Every unit with records in the store, in order of first appearance
    /// (for resolving `-u` globs).
    pub fn units(&self) -> io::Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for segment in self.segments()? {
            let summary = segment.summary(&mut Window::default())?;
            for unit in summary.units {
                if !out.contains(&unit) {
                    out.push(unit);
                }
            }
        }
        Ok(out)
    }

    /// The first and last record's realtime of a segment: from the summary,
    /// or from its first and last frame while it is being written.
    fn time_edges(&self, segment: &Segment) -> io::Result<Option<(u64, u64)>> {
        if let Some(s) = &segment.sealed {
            return Ok((s.records > 0).then_some((s.min_realtime, s.max_realtime)));
        }
        let mut edges: Option<(u64, u64)> = None;
        segment.scan_forward(
            &mut Window::default(),
            HEADER_LEN as u64,
            segment.size,
            &mut |_, _, f| {
                edges =
                    Some(edges.map_or((f.realtime, f.realtime), |(first, _)| (first, f.realtime)));
                ControlFlow::Continue(())
            },
        )?;
        Ok(edges)
    }
}

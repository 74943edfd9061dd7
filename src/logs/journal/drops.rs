//! The drop-and-count rule shared by the journal and the rotated files: a
//! write that fails drops its lines and counts them; the first failure
//! and the recovery are each reported once.

use std::io;

/// What the caller should tell the user: said once when writing starts
/// failing, once when it works again.
#[derive(Debug)]
pub enum Report {
    Failed(io::Error),
    Resumed { dropped: u64 },
}

#[derive(Debug, Default)]
pub struct DropCounter {
    dropped: u64,
    /// `Some(dropped count when it started)` while writes fail.
    failing_since: Option<u64>,
}

impl DropCounter {
    /// Records dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn is_failing(&self) -> bool {
        self.failing_since.is_some()
    }

    /// A write of `records` failed: they are dropped.
    pub fn failed(&mut self, records: u64, error: io::Error) -> Option<Report> {
        let before = self.dropped;
        self.dropped += records;
        if self.failing_since.is_some() {
            return None;
        }
        self.failing_since = Some(before);
        Some(Report::Failed(error))
    }

    /// A write worked.
    pub fn succeeded(&mut self) -> Option<Report> {
        self.failing_since.take().map(|before| Report::Resumed {
            dropped: self.dropped - before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_and_recovery_are_reported_once() {
        let mut counter = DropCounter::default();
        assert!(counter.succeeded().is_none());
        assert!(matches!(
            counter.failed(2, io::Error::other("full")),
            Some(Report::Failed(_))
        ));
        assert!(counter.failed(3, io::Error::other("full")).is_none());
        assert_eq!(counter.dropped(), 5);
        assert!(matches!(
            counter.succeeded(),
            Some(Report::Resumed { dropped: 5 })
        ));
        assert!(counter.succeeded().is_none());
        assert!(matches!(
            counter.failed(1, io::Error::other("full")),
            Some(Report::Failed(_))
        ));
        assert!(matches!(
            counter.succeeded(),
            Some(Report::Resumed { dropped: 1 })
        ));
        assert_eq!(counter.dropped(), 6);
    }
}

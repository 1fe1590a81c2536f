//! Planning log queries: which block range to ask for next, for which listeners together,
//! and how many blocks per request — shrunk when a node refuses, grown again later.

use crate::source::RangeHint;

/// Logs per `eth_getLogs` answer the sizer aims for: big enough to amortise a request,
/// small enough that memory stays flat however dense the chain is.
pub const TARGET_LOGS: usize = 4_000;

/// Blocks per request to start with (grown while answers are sparse).
const START_BLOCKS: u64 = 100;

/// Adaptive request size in blocks.
#[derive(Clone, Debug)]
pub struct RangeSizer {
    size: u64,
    max: u64,
    /// Successful requests since the last shrink; growth waits for a few.
    streak: u32,
}

impl RangeSizer {
    pub fn new(max: u64) -> Self {
        let max = max.max(1);
        Self {
            size: max.min(START_BLOCKS),
            max,
            streak: 0,
        }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The node refused `[from, to]`; returns the new, smaller `to` for a retry.
    pub fn refused(&mut self, from: u64, to: u64, hint: RangeHint) -> u64 {
        let asked = to - from + 1;
        let next = match hint {
            RangeHint::Range(a, b) if a == from && b >= a && b < to => b - a + 1,
            RangeHint::MaxBlocks(n) if n < asked => n,
            _ => asked / 2,
        }
        .max(1);
        self.size = next;
        self.streak = 0;
        from + next - 1
    }

    /// A request over `blocks` blocks returned `logs` logs. Dense answers shrink the size
    /// towards [`TARGET_LOGS`]; sparse ones let it double (at once when very sparse, after
    /// a few successes otherwise), up to the maximum.
    pub fn succeeded(&mut self, blocks: u64, logs: usize) {
        if logs > TARGET_LOGS {
            let fit = (blocks as u128 * TARGET_LOGS as u128 / logs as u128) as u64;
            self.size = fit.clamp(1, self.size);
            self.streak = 0;
            return;
        }
        self.streak += 1;
        let needed = if logs < TARGET_LOGS / 8 { 1 } else { 4 };
        if self.streak >= needed && logs < TARGET_LOGS / 2 && self.size < self.max {
            self.size = (self.size * 2).min(self.max);
            self.streak = 0;
        }
    }
}

/// Where each listener stands, to choose the next range: the lowest next block among
/// them, up to the point where a listener further ahead joins, capped at `target`.
/// Returns `(from, to, listeners)` or None when all are at `target`.
pub fn next_span(next_blocks: &[(i64, u64)], target: u64) -> Option<(u64, u64, Vec<i64>)> {
    let from = next_blocks
        .iter()
        .map(|(_, n)| *n)
        .filter(|n| *n <= target)
        .min()?;
    let join = next_blocks
        .iter()
        .map(|(_, n)| *n)
        .filter(|n| *n > from)
        .min()
        .map_or(target, |n| (n - 1).min(target));
    let listeners = next_blocks
        .iter()
        .filter(|(_, n)| *n == from)
        .map(|(id, _)| *id)
        .collect();
    Some((from, join, listeners))
}

/// Splits `[from, to]` into consecutive chunks of at most `size` blocks, at most `max`
/// chunks. The first ones ramp up (an eighth, a quarter, a half of `size`): requests in
/// flight share the node, so equal chunks would all come back at once, late, while the
/// decoder and the writer wait; a small first chunk sets them to work at once.
pub fn chunks(from: u64, to: u64, size: u64, max: usize) -> Vec<(u64, u64)> {
    let size = size.max(1);
    let mut out = Vec::new();
    let mut lo = from;
    while lo <= to && out.len() < max {
        let ramp = [8, 4, 2].get(out.len()).copied().unwrap_or(1);
        let hi = lo.saturating_add((size / ramp).max(1) - 1).min(to);
        out.push((lo, hi));
        let Some(next) = hi.checked_add(1) else {
            break;
        };
        lo = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizer_follows_hints_and_grows_back() {
        let mut s = RangeSizer::new(1000);
        assert_eq!(s.size(), 100, "starts small, grows while sparse");
        s.succeeded(100, 0);
        s.succeeded(200, 0);
        s.succeeded(400, 0);
        s.succeeded(800, 0);
        assert_eq!(s.size(), 1000);
        assert_eq!(s.refused(100, 1099, RangeHint::Range(100, 199)), 199);
        assert_eq!(s.size(), 100);
        assert_eq!(s.refused(100, 199, RangeHint::Halve), 149);
        assert_eq!(s.refused(100, 149, RangeHint::MaxBlocks(20)), 119);
        s.succeeded(20, 0);
        assert_eq!(s.size(), 40, "a sparse answer doubles the size at once");
        s.succeeded(40, 40_000);
        assert_eq!(
            s.size(),
            4,
            "a dense answer shrinks it towards the log target"
        );
        assert_eq!(
            s.refused(5, 5, RangeHint::Halve),
            5,
            "one block cannot shrink"
        );
    }

    #[test]
    fn spans_merge_listeners_when_they_meet() {
        // listener 1 at block 0, listener 2 already at 50: first catch 1 up to 49.
        assert_eq!(next_span(&[(1, 0), (2, 50)], 100), Some((0, 49, vec![1])));
        assert_eq!(
            next_span(&[(1, 50), (2, 50)], 100),
            Some((50, 100, vec![1, 2]))
        );
        assert_eq!(next_span(&[(1, 101)], 100), None);
    }

    #[test]
    fn chunks_cover_the_range_exactly() {
        assert_eq!(
            chunks(0, 99, 16, 10),
            vec![
                (0, 1),
                (2, 5),
                (6, 13),
                (14, 29),
                (30, 45),
                (46, 61),
                (62, 77),
                (78, 93),
                (94, 99)
            ],
            "ramps up, then full chunks"
        );
        assert_eq!(chunks(0, 9, 4, 2), vec![(0, 0), (1, 1)]);
        assert_eq!(chunks(5, 5, 1, 3), vec![(5, 5)]);
        assert_eq!(
            chunks(u64::MAX - 1, u64::MAX, 16, 10),
            vec![(u64::MAX - 1, u64::MAX)]
        );
    }
}

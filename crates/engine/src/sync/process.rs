//! Turning a chunk's raw logs into a commit: headers and timestamps, decoding, matching.

use std::collections::BTreeMap;

use alloy_primitives::B256;

use super::fetch::Chunk;
use super::{ChainStore, NetworkSync, Span, SyncError, Tools, REORG_WINDOW};
use crate::event::EventStatus;
use crate::store::{BlockRecord, Commit, NewEvent, StoreError};

impl<S: ChainStore> NetworkSync<S> {
    pub(super) async fn build_commit(
        &self,
        tools: &mut Tools<'_>,
        span: &Span,
        chunk: Chunk,
    ) -> Result<Commit, SyncError> {
        let (matcher, tokens) = (tools.matcher, &mut *tools.tokens);
        let (active, final_block) = (&span.active[..], span.final_block);
        let Chunk {
            lo,
            hi,
            headers: recent,
            logs,
        } = chunk;
        let window_start = span.head.saturating_sub(REORG_WINDOW);
        self.check_headers(&recent).await?;
        let mut times: BTreeMap<u64, i64> = recent.iter().map(|b| (b.number, b.time)).collect();
        for l in &logs {
            let n: u64 = l.block_number.map_or(0, |b| b.to());
            if let Some(t) = l.block_timestamp {
                times.entry(n).or_insert(t.to::<u64>() as i64);
            }
            if let Ok(i) = recent.binary_search_by_key(&n, |b| b.number) {
                if Some(recent[i].hash) != l.block_hash {
                    return Err(SyncError::Moved(n));
                }
            }
        }
        let mut events = Vec::with_capacity(logs.len());
        let mut undecodable: BTreeMap<i64, u64> = BTreeMap::new();
        let mut failures: BTreeMap<i64, Failure> = BTreeMap::new();
        for log in logs {
            let dec = if matcher.needs_decimals(&log, active) {
                tokens.decimals(&self.source, log.address).await?
            } else {
                None
            };
            let outcome = matcher.match_log(&log, active, dec);
            if !outcome.undecodable.is_empty() {
                tracing::debug!(network = %self.spec.name, tx = ?log.transaction_hash, log_index = ?log.log_index, reason = %outcome.reason, "log does not fit its ABI; counted");
                for l in outcome.undecodable {
                    *undecodable.entry(l).or_default() += 1;
                }
            }
            for (l, error) in outcome.failed {
                *undecodable.entry(l).or_default() += 1;
                let first = || Failure {
                    block: log.block_number.map_or(0, |b| b.to()),
                    tx: log.transaction_hash.unwrap_or_default(),
                    error,
                    logs: 0,
                };
                failures.entry(l).or_insert_with(first).logs += 1;
            }
            if let Some(m) = outcome.matched {
                // History and deliveries show amounts in token units: know the token
                // (asked once per contract, then kept in the store).
                tokens.learn(&self.source, log.address).await?;
                let number: u64 = log.block_number.map_or(0, |b| b.to());
                let (def, amount, listeners) = (m.def.clone(), m.amount, m.listeners);
                events.push(NewEvent {
                    block_number: number,
                    block_hash: log.block_hash.unwrap_or_default(),
                    block_time: times.get(&number).copied(),
                    tx_hash: log.transaction_hash.unwrap_or_default(),
                    log_index: log.log_index.map_or(0, |i| i.to()),
                    contract: log.address,
                    topics: log.topics,
                    data: log.data.0.into(),
                    def,
                    amount,
                    status: if number <= final_block {
                        EventStatus::Confirmed
                    } else {
                        EventStatus::Pending
                    },
                    listeners,
                });
            }
        }
        self.warn_failures(failures);
        self.fill_times(&mut events, &mut times).await?;
        // Timestamps of the blocks with events: the window's headers (sorted), then one
        // record per other block, in the events' (block) order.
        let headers = recent.len();
        let mut blocks = recent;
        for e in &events {
            let n = e.block_number;
            let known = blocks.last().is_some_and(|b| b.number == n)
                || blocks[..headers]
                    .binary_search_by_key(&n, |b| b.number)
                    .is_ok()
                || blocks[headers..].iter().any(|b| b.number == n);
            if !known {
                if let Some(t) = e.block_time {
                    blocks.push(BlockRecord {
                        number: e.block_number,
                        hash: e.block_hash,
                        parent_hash: Default::default(),
                        time: t,
                    });
                }
            }
        }
        Ok(Commit {
            network_id: self.network_id,
            from_block: lo,
            to_block: hi,
            listeners: active.to_vec(),
            events,
            blocks,
            undecodable: undecodable.into_iter().collect(),
            prune_below: window_start,
            routed: self.routed.clone(),
            tokens: tokens.take_unsaved(),
        })
    }

    /// One WARN per listener whose condition failed in this chunk (not one per log).
    fn warn_failures(&self, failures: BTreeMap<i64, Failure>) {
        for (id, f) in failures {
            let listener = self
                .listeners
                .iter()
                .find(|(r, _)| r.id == id)
                .map_or("", |(r, _)| r.name.as_str());
            tracing::warn!(
                network = %self.spec.name,
                listener,
                logs = f.logs,
                first_block = f.block,
                first_tx = %format!("{:#x}", f.tx),
                error = %f.error,
                "condition could not be evaluated; the logs are counted as could not be decoded or evaluated"
            );
        }
    }

    /// Checks the headers of the part of a chunk inside the reorg window (see [`moved_at`]).
    async fn check_headers(&self, headers: &[BlockRecord]) -> Result<(), SyncError> {
        if headers.is_empty() {
            // Below the window: nothing to check.
            return Ok(());
        }
        let moved = self
            .store
            .moved_at(self.network_id, headers.to_vec())
            .await?;
        match moved {
            Some(n) => Err(SyncError::Moved(n)),
            None => Ok(()),
        }
    }

    /// Timestamps for events whose block time is not known yet: cached, else fetched once.
    async fn fill_times(
        &self,
        events: &mut [NewEvent],
        times: &mut BTreeMap<u64, i64>,
    ) -> Result<(), SyncError> {
        let missing: Vec<u64> = {
            let mut m: Vec<u64> = events
                .iter()
                .filter(|e| e.block_time.is_none())
                .map(|e| e.block_number)
                .collect();
            m.dedup();
            m
        };
        // Stored times first (read beside the writer, never waiting for it).
        let kept = self.store.block_times(self.network_id, missing).await?;
        let mut to_fetch = Vec::new();
        for (n, time) in kept {
            match time {
                Some(t) if t != 0 => {
                    times.insert(n, t);
                }
                _ => to_fetch.push(n),
            }
        }
        let fetched = super::fetch::fetch_headers(&self.source, to_fetch).await?;
        times.extend(fetched.iter().map(|h| (h.number, h.time)));
        for e in events.iter_mut().filter(|e| e.block_time.is_none()) {
            e.block_time = times.get(&e.block_number).copied();
        }
        Ok(())
    }
}

/// A listener's condition failing in a chunk: on its first log, and on how many.
struct Failure {
    block: u64,
    tx: B256,
    error: String,
    logs: u64,
}

/// Where a chunk's window headers stop fitting what is stored, if anywhere: they must form
/// a chain with each other and with the stored header below them, and agree with headers
/// already stored at their heights and just above (another listener's). A mismatch is the
/// chain moving: the next step's reorg check finds where it began.
pub(super) fn moved_at(
    headers: &[BlockRecord],
    stored: impl Fn(u64) -> Result<Option<BlockRecord>, StoreError>,
) -> Result<Option<u64>, StoreError> {
    let (Some(first), Some(last)) = (headers.first(), headers.last()) else {
        return Ok(None);
    };
    let below = match first.number.checked_sub(1) {
        Some(n) => stored(n)?,
        None => None,
    };
    let mut parent = below.map(|b| b.hash);
    for h in headers {
        if parent.is_some_and(|p| p != h.parent_hash)
            || stored(h.number)?.is_some_and(|s| s.hash != h.hash)
        {
            return Ok(Some(h.number));
        }
        parent = Some(h.hash);
    }
    let above = match last.number.checked_add(1) {
        Some(n) => stored(n)?,
        None => None,
    };
    // A block kept only for its time has no parent hash to compare.
    let parent_differs =
        above.is_some_and(|a| a.parent_hash != B256::ZERO && a.parent_hash != last.hash);
    Ok(parent_differs.then_some(last.number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A chain of headers `from..=to` on branch `branch` (its hashes differ per branch
    /// from block `fork` on).
    fn chain(from: u64, to: u64, fork: u64, branch: u8) -> Vec<BlockRecord> {
        let hash = |n: u64| {
            let mut b = [0u8; 32];
            b[..8].copy_from_slice(&n.to_be_bytes());
            b[31] = if n >= fork { branch } else { 0 };
            B256::from(b)
        };
        (from..=to)
            .map(|n| BlockRecord {
                number: n,
                hash: hash(n),
                parent_hash: if n == 0 { B256::ZERO } else { hash(n - 1) },
                time: n as i64,
            })
            .collect()
    }

    fn check(headers: &[BlockRecord], stored: &[BlockRecord]) -> Option<u64> {
        let by_number: BTreeMap<u64, BlockRecord> = stored.iter().map(|b| (b.number, *b)).collect();
        moved_at(headers, |n| Ok(by_number.get(&n).copied())).expect("lookup")
    }

    #[test]
    fn headers_must_fit_the_stored_ones_below_at_and_above_them() {
        let stored = chain(0, 20, 15, 1);
        // The next blocks on the same branch fit, alone or over what is stored.
        assert_eq!(check(&chain(21, 25, 15, 1), &stored), None);
        assert_eq!(check(&chain(10, 20, 15, 1), &stored), None);
        // The chain moved at 15: the parent check catches it right above the stored tip...
        assert_eq!(check(&chain(21, 25, 15, 2), &stored[..=20]), Some(21));
        // ...and the stored headers at the same heights catch it below (a listener
        // catching up behind another one).
        assert_eq!(check(&chain(12, 18, 15, 2), &stored), Some(15));
        // Stored headers above the chunk must hang from its last one.
        assert_eq!(check(&chain(10, 14, 15, 2), &stored), None);
        let mut moved_above = stored.clone();
        moved_above[15].parent_hash = B256::repeat_byte(9);
        assert_eq!(check(&chain(10, 14, 15, 1), &moved_above), Some(14));
        // A block kept only for its time has no parent hash: nothing to compare.
        let mut time_only = stored.clone();
        time_only[15].parent_hash = B256::ZERO;
        assert_eq!(check(&chain(10, 14, 15, 1), &time_only), None);
        assert_eq!(check(&[], &stored), None);
    }
}

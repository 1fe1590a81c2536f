//! Turning a chunk's raw logs into a commit: headers and timestamps, decoding, matching.

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt, TryStreamExt};

use super::tokens::TokenCache;
use super::{lock, NetworkSync, SyncError, REORG_WINDOW};
use crate::event::EventStatus;
use crate::matcher::Matcher;
use crate::source::{BlockTag, RpcLog};
use crate::store::{BlockRecord, Commit, NewEvent};

impl NetworkSync {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn build_commit(
        &self,
        matcher: &Matcher,
        tokens: &mut TokenCache,
        (lo, hi): (u64, u64),
        active: &[i64],
        logs: Vec<RpcLog>,
        head: u64,
        final_block: u64,
    ) -> Result<Commit, SyncError> {
        let window_start = head.saturating_sub(REORG_WINDOW);
        let recent = self.recent_headers(lo.max(window_start), hi).await?;
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
        for log in logs {
            let dec = if matcher.needs_decimals(&log, active) {
                tokens.decimals(self, log.address).await?
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
            if let Some(m) = outcome.matched {
                // History and deliveries show amounts in token units: know the token
                // (asked once per contract, then kept in the store).
                tokens.learn(self, log.address).await?;
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

    /// Headers of `[from, to]` (the part of a chunk inside the reorg window), checked to
    /// form a chain with each other and with the stored header below them.
    async fn recent_headers(&self, from: u64, to: u64) -> Result<Vec<BlockRecord>, SyncError> {
        if from > to {
            return Ok(Vec::new());
        }
        let headers: Vec<BlockRecord> = stream::iter(from..=to)
            .map(|n| async move {
                match self.source.header(BlockTag::Number(n)).await? {
                    Some(h) => Ok(BlockRecord {
                        number: n,
                        hash: h.hash,
                        parent_hash: h.parent_hash,
                        time: h.timestamp.to::<u64>() as i64,
                    }),
                    None => Err(SyncError::Moved(n)),
                }
            })
            .buffered(8)
            .try_collect()
            .await?;
        let below = self.stored_block(from.checked_sub(1))?;
        let mut parent = below.map(|b| b.hash);
        for h in &headers {
            if parent.is_some_and(|p| p != h.parent_hash) {
                return Err(SyncError::Moved(h.number));
            }
            parent = Some(h.hash);
        }
        Ok(headers)
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
        let mut to_fetch = Vec::new();
        {
            let store = lock(&self.store);
            for n in missing {
                match store.block(self.network_id, n)? {
                    Some(b) if b.time != 0 => {
                        times.insert(n, b.time);
                    }
                    _ => to_fetch.push(n),
                }
            }
        }
        let fetched: Vec<(u64, i64)> = stream::iter(to_fetch)
            .map(|n| async move {
                let h = self
                    .source
                    .header(BlockTag::Number(n))
                    .await?
                    .ok_or(SyncError::Moved(n))?;
                Ok::<_, SyncError>((n, h.timestamp.to::<u64>() as i64))
            })
            .buffered(8)
            .try_collect()
            .await?;
        times.extend(fetched);
        for e in events.iter_mut().filter(|e| e.block_time.is_none()) {
            e.block_time = times.get(&e.block_number).copied();
        }
        Ok(())
    }
}

impl NetworkSync {
    fn stored_block(&self, n: Option<u64>) -> Result<Option<BlockRecord>, SyncError> {
        match n {
            Some(n) => Ok(lock(&self.store).block(self.network_id, n)?),
            None => Ok(None),
        }
    }
}

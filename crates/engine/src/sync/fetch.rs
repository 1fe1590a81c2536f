//! Fetching a span of blocks: chunks requested in parallel, each split further when the
//! node refuses its size, results committed strictly in block order.

use std::sync::Mutex;

use alloy_primitives::U64;
use futures_util::stream::{self, StreamExt};

use super::{lock, tokens, NetworkSync, SyncError, CHUNKS_PER_STEP, PARALLEL};
use crate::matcher::Matcher;
use crate::plan::{chunks, RangeSizer};
use crate::source::{LogFilter, RpcError, RpcLog};
use crate::store::{Commit, Committed, StoreError};

/// A chunk being written on a blocking thread.
type Writing = tokio::task::JoinHandle<Result<(Commit, Committed), SyncError>>;

impl NetworkSync {
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn fetch_and_commit(
        &self,
        matcher: &Matcher,
        sizer: &Mutex<RangeSizer>,
        decimals: &mut tokens::TokenCache,
        (from, to): (u64, u64),
        active: &[i64],
        head: u64,
        final_block: u64,
    ) -> Result<(), SyncError> {
        let size = sizer.lock().map_or(1, |s| s.size());
        let plan = chunks(from, to, size, CHUNKS_PER_STEP);
        let selections = matcher.selection(active);
        let selections = &selections;
        let mut results = stream::iter(plan.into_iter().map(|(lo, hi)| async move {
            let mut logs = Vec::new();
            for sel in selections {
                let filter = LogFilter {
                    from_block: U64::from(lo),
                    to_block: U64::from(hi),
                    address: sel.addresses.clone(),
                    topics: sel.topics.clone(),
                };
                logs.extend(self.fetch_chunk(filter, sizer).await?);
            }
            if selections.len() > 1 {
                // Two queries can return the same log.
                logs.sort_by_key(|l| (l.block_number, l.log_index));
                logs.dedup_by_key(|l| (l.block_number, l.log_index));
            }
            Ok::<_, SyncError>((lo, hi, logs))
        }))
        .buffered(PARALLEL);
        // A chunk is decoded while the one before it is written on another thread; the
        // writes stay in block order. Inside the reorg window a chunk waits for the write
        // before it, since its headers are checked against the stored ones.
        let window_start = head.saturating_sub(super::REORG_WINDOW);
        let mut writing: Option<Writing> = None;
        let outcome = async {
            while let Some(result) = results.next().await {
                let (lo, hi, logs) = result?;
                if hi >= window_start {
                    if let Some(w) = writing.take() {
                        self.finish(w).await?;
                    }
                }
                let commit = self
                    .build_commit(matcher, decimals, (lo, hi), active, logs, head, final_block)
                    .await?;
                if let Some(w) = writing.take() {
                    self.finish(w).await?;
                }
                let store = self.store.clone();
                writing = Some(tokio::task::spawn_blocking(move || {
                    let done = lock(&store).commit(&commit)?;
                    Ok((commit, done))
                }));
            }
            Ok::<_, SyncError>(())
        }
        .await;
        // A write in flight is finished (counted and announced) even when a later chunk
        // failed, so that the retried step starts from what is really stored.
        let last = match writing {
            Some(w) => self.finish(w).await,
            None => Ok(()),
        };
        outcome.and(last)
    }

    /// Waits for a chunk's write, then counts and announces what it stored.
    async fn finish(&self, writing: Writing) -> Result<(), SyncError> {
        let (commit, done) = writing
            .await
            .map_err(|e| StoreError::WriterStopped(e.to_string()))??;
        self.count(&done);
        if !self.routed.is_empty() && !commit.events.is_empty() {
            self.waker.wake();
        }
        tracing::debug!(network = %self.spec.name, from = commit.from_block, to = commit.to_block, events = commit.events.len(), "committed");
        self.announce(&done.fresh)
    }

    /// All logs of `[from, to]`, shrinking requests the node refuses.
    async fn fetch_chunk(
        &self,
        mut filter: LogFilter,
        sizer: &Mutex<RangeSizer>,
    ) -> Result<Vec<RpcLog>, SyncError> {
        let end: u64 = filter.to_block.to();
        let mut lo: u64 = filter.from_block.to();
        let mut hi = end;
        let mut out = Vec::new();
        loop {
            filter.from_block = U64::from(lo);
            filter.to_block = U64::from(hi);
            match self.source.logs(&filter).await {
                Ok(logs) => {
                    check_logs(&logs, lo, hi, &self.spec.name)?;
                    if let Ok(mut s) = sizer.lock() {
                        s.succeeded(hi - lo + 1, logs.len());
                    }
                    out.extend(logs);
                    if hi >= end {
                        break;
                    }
                    lo = hi + 1;
                    let size = sizer.lock().map_or(1, |s| s.size());
                    hi = lo.saturating_add(size - 1).min(end);
                }
                Err(RpcError::RangeTooLarge { hint, message, .. }) if hi > lo => {
                    let next = sizer.lock().map_or(lo, |mut s| s.refused(lo, hi, hint));
                    tracing::info!(network = %self.spec.name, from = lo, to = hi, retry_to = next, %message, "range refused; splitting");
                    hi = next;
                }
                Err(e) => return Err(e.into()),
            }
        }
        out.sort_by_key(|l| (l.block_number, l.log_index));
        Ok(out)
    }
}

/// Every log must be complete, canonical and inside the asked range: an answer that is
/// not is garbage to retry, never a reason to drop a log.
fn check_logs(logs: &[RpcLog], lo: u64, hi: u64, network: &str) -> Result<(), SyncError> {
    for l in logs {
        let ok = l.block_hash.is_some()
            && l.transaction_hash.is_some()
            && l.log_index.is_some()
            && l.block_number
                .is_some_and(|b| (lo..=hi).contains(&b.to::<u64>()));
        if !ok || l.removed {
            return Err(RpcError::Garbage {
                endpoint: network.to_string(),
                message: format!("eth_getLogs for blocks {lo}..={hi} returned an incomplete, removed or out-of-range log"),
            }
            .into());
        }
    }
    Ok(())
}

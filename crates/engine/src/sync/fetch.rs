//! Fetching a span of blocks: chunks requested in parallel (inside the reorg window, the
//! headers before the logs; the newest blocks by hash), each split further when the node
//! refuses its size, results committed strictly in block order.

use std::sync::{Arc, Mutex};

use alloy_primitives::U64;
use futures_util::stream::{self, StreamExt, TryStreamExt};

use super::{ChainStore, NetworkSync, Span, SyncError, Tools, CHUNKS_PER_STEP, PARALLEL};
use crate::matcher::Selection;
use crate::plan::{chunks, RangeSizer};
use crate::source::{BlockTag, LogFilter, RangeHint, RpcError, RpcLog, Source};
use crate::store::{BlockRecord, Commit, Committed, StoreError};

/// While the writer is busy, decoded chunks pile up for the next transaction: this many
/// events at most (a chunk may add more).
const GROUP_EVENTS: usize = 16_384;
/// ... and a group is written once its first chunk is this old, when the next one
/// arrives (progress shows, and a crash loses little).
const GROUP_AGE: std::time::Duration = std::time::Duration::from_millis(250);

/// A chunk being written by the writer thread.
type Writing = tokio::task::JoinHandle<Result<(Commit, Committed), SyncError>>;

impl<S: ChainStore> NetworkSync<S> {
    pub(super) async fn fetch_and_commit(
        &self,
        tools: &mut Tools<'_>,
        span: &Span,
    ) -> Result<(), SyncError> {
        let sizer = tools.sizer;
        let (to, head) = (span.to, span.head);
        let size = sizer.lock().map_or(1, |s| s.size());
        let plan = chunks(span.from, to, size, CHUNKS_PER_STEP);
        let selections = Arc::new(tools.matcher.selection(&span.active));
        let window_start = head.saturating_sub(super::REORG_WINDOW);
        // Each chunk is fetched and parsed on a task of its own, beside the decoding.
        let mut results = stream::iter(plan.into_iter().map(|(lo, hi)| {
            let fetch = Fetch {
                source: self.source.clone(),
                network: self.spec.name.clone(),
                selections: selections.clone(),
                sizer: sizer.clone(),
                window_start,
                tip_start: head.saturating_sub(TIP_BLOCKS - 1).max(window_start),
            };
            Spawned(tokio::spawn(fetch.chunk(lo, hi)))
        }))
        .buffered(PARALLEL);
        // A chunk is decoded while the one before it is written on another thread; the
        // writes stay in block order. Inside the reorg window a chunk waits for the write
        // before it, since its headers are checked against the stored ones.
        let mut writing: Option<Writing> = None;
        // While a write is in flight, the chunks decoded meanwhile are written together
        // next, up to GROUP_EVENTS: each transaction rewrites the index pages it touched,
        // so fewer, larger ones write less.
        let mut pending: Option<Commit> = None;
        let mut pending_since = std::time::Instant::now();
        let outcome = async {
            while let Some(result) = results.next().await {
                let chunk = result?;
                let hi = chunk.hi;
                if hi >= window_start {
                    self.drain(&mut writing, &mut pending).await?;
                }
                let commit = self.build_commit(tools, span, chunk).await?;
                let commit = match pending.take() {
                    Some(mut p) => {
                        p.absorb(commit);
                        p
                    }
                    None => {
                        pending_since = std::time::Instant::now();
                        commit
                    }
                };
                // Chunks wait for each other only while the writer is busy.
                if commit.events.len() < GROUP_EVENTS
                    && pending_since.elapsed() < GROUP_AGE
                    && writing.as_ref().is_some_and(|w| !w.is_finished())
                    && hi < window_start
                    && hi < to
                {
                    pending = Some(commit);
                    continue;
                }
                if let Some(w) = writing.take() {
                    self.finish(w).await?;
                }
                writing = Some(self.write(commit));
            }
            Ok::<_, SyncError>(())
        }
        .await;
        // No more requests once a chunk failed.
        drop(results);
        // What was decoded is written, and a write in flight finished (counted and
        // announced), even when a later chunk failed: the retried step starts from what is
        // really stored. Nothing is written after a write that failed.
        let last = self.drain(&mut writing, &mut pending).await;
        outcome.and(last)
    }

    /// Finishes the write in flight, then writes what is pending and waits for it; nothing
    /// is written after a write that failed.
    async fn drain(
        &self,
        writing: &mut Option<Writing>,
        pending: &mut Option<Commit>,
    ) -> Result<(), SyncError> {
        if let Some(w) = writing.take() {
            if let Err(e) = self.finish(w).await {
                // Nothing is written after a write that failed: not even what waited.
                pending.take();
                return Err(e);
            }
        }
        if let Some(p) = pending.take() {
            self.finish(self.write(p)).await?;
        }
        Ok(())
    }

    /// Writes a commit on a blocking thread.
    fn write(&self, commit: Commit) -> Writing {
        let store = self.store.clone();
        tokio::spawn(async move { Ok(store.commit(commit).await?) })
    }

    /// Waits for a chunk's write, then counts and announces what it stored.
    async fn finish(&self, writing: Writing) -> Result<(), SyncError> {
        let (commit, done) = writing
            .await
            .map_err(|e| StoreError::WriterStopped(e.to_string()))??;
        self.count(&done);
        if !commit.events.is_empty() {
            // Delivery workers and team streams follow commits.
            self.waker.wake();
        }
        tracing::debug!(network = %self.spec.name, from = commit.from_block, to = commit.to_block, events = commit.events.len(), "committed");
        self.announce(done.fresh).await
    }
}

/// What a chunk's task needs to fetch it.
struct Fetch {
    source: Arc<Source>,
    network: String,
    selections: Arc<Vec<Selection>>,
    sizer: Arc<Mutex<RangeSizer>>,
    /// The first block of the reorg window: headers from here on are read with the logs.
    window_start: u64,
    /// The first block near enough to the head to be read by hash (see [`TIP_BLOCKS`]).
    tip_start: u64,
}

/// Blocks this close to the head are read by hash, one request each. Behind a provider's
/// load balancer, a node a few blocks behind the others answers a range over blocks it
/// does not have yet with no logs; asked for a block hash it does not know, it refuses.
const TIP_BLOCKS: u64 = 8;

/// A chunk as read: its blocks, the headers of its part inside the reorg window, its logs.
pub(super) struct Chunk {
    pub lo: u64,
    pub hi: u64,
    pub headers: Vec<BlockRecord>,
    pub logs: Vec<RpcLog>,
}

impl Fetch {
    /// The window's headers, then the logs of blocks `[lo, hi]` for every selection, in
    /// block order.
    async fn chunk(self, lo: u64, hi: u64) -> Result<Chunk, SyncError> {
        let headers = fetch_headers(&self.source, lo.max(self.window_start)..=hi).await?;
        // The window's headers cover the tip: its blocks are read by hash, the rest by range.
        let tip: Vec<&BlockRecord> = headers
            .iter()
            .filter(|h| h.number >= self.tip_start)
            .collect();
        let range_to = match tip.first() {
            Some(first) => first.number.checked_sub(1).filter(|n| *n >= lo),
            None => Some(hi),
        };
        let mut logs = Vec::new();
        for sel in self.selections.iter() {
            if let Some(to) = range_to {
                let filter = LogFilter {
                    from_block: U64::from(lo),
                    to_block: U64::from(to),
                    address: sel.addresses.clone(),
                    topics: sel.topics.clone(),
                };
                append(&mut logs, self.range(filter).await?);
            }
            let of = (sel.addresses.as_slice(), sel.topics.as_slice());
            for h in &tip {
                let found = match self.source.logs_of_block(of, h.number, h.hash).await {
                    // The endpoint's backend does not have the block yet: read it again
                    // shortly, as when the chain moves, rather than report a node problem.
                    Err(RpcError::Rpc { message, .. }) if block_unknown(&message) => {
                        return Err(SyncError::Moved(h.number));
                    }
                    Err(RpcError::TooLarge { limit_mb, .. }) => {
                        return Err(SyncError::BlockTooLarge {
                            block: h.number,
                            limit_mb,
                        });
                    }
                    found => found?,
                };
                check_logs(&found, h.number, h.number, &self.network)?;
                if found.iter().any(|l| l.block_hash != Some(h.hash)) {
                    return Err(RpcError::Garbage {
                        endpoint: self.network.clone(),
                        message: format!(
                            "eth_getLogs by the hash of block {} returned logs of another block",
                            h.number
                        ),
                    }
                    .into());
                }
                append(&mut logs, in_order(found, &self.network)?);
            }
        }
        if self.selections.len() > 1 {
            // Two queries can return the same log.
            logs = in_order(logs, &self.network)?;
        }
        Ok(Chunk {
            lo,
            hi,
            headers,
            logs,
        })
    }

    /// All logs of `[from, to]`, shrinking requests the node refuses.
    async fn range(&self, mut filter: LogFilter) -> Result<Vec<RpcLog>, SyncError> {
        let sizer = &self.sizer;
        let end: u64 = filter.to_block.to();
        let mut lo: u64 = filter.from_block.to();
        let mut hi = end;
        let mut out = Vec::new();
        loop {
            filter.from_block = U64::from(lo);
            filter.to_block = U64::from(hi);
            match self.source.logs(&filter).await {
                Ok(logs) => {
                    check_logs(&logs, lo, hi, &self.network)?;
                    if let Ok(mut s) = sizer.lock() {
                        s.succeeded(hi - lo + 1, logs.len());
                    }
                    append(&mut out, logs);
                    if hi >= end {
                        break;
                    }
                    lo = hi + 1;
                    let size = sizer.lock().map_or(1, |s| s.size());
                    hi = lo.saturating_add(size - 1).min(end);
                }
                Err(RpcError::RangeTooLarge { hint, message, .. }) if hi > lo => {
                    let next = sizer.lock().map_or(lo, |mut s| s.refused(lo, hi, hint));
                    tracing::info!(network = %self.network, from = lo, to = hi, retry_to = next, %message, "range refused; splitting");
                    hi = next;
                }
                // An answer over our own cap is split like a provider's "too many results".
                Err(e @ RpcError::TooLarge { .. }) if hi > lo => {
                    let next = sizer
                        .lock()
                        .map_or(lo, |mut s| s.refused(lo, hi, RangeHint::Halve));
                    tracing::info!(network = %self.network, from = lo, to = hi, retry_to = next, error = %e, "answer too large; splitting");
                    hi = next;
                }
                Err(RpcError::TooLarge { limit_mb, .. }) => {
                    return Err(SyncError::BlockTooLarge {
                        block: lo,
                        limit_mb,
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        in_order(out, &self.network)
    }
}

/// Headers of these blocks, in order; a block the node does not have is the chain moving.
/// For a chunk, the part inside the reorg window, read before the chunk's logs: should the chain move in between, the headers kept are the old branch's,
/// and the next step's reorg check sees it. Read after the logs, a block that has logs
/// only on the new branch would be stored as seen, without them.
pub(super) async fn fetch_headers(
    source: &Source,
    numbers: impl IntoIterator<Item = u64>,
) -> Result<Vec<BlockRecord>, SyncError> {
    stream::iter(numbers)
        .map(|n| async move {
            match source.header(BlockTag::Number(n)).await? {
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
        .await
}

/// Whether a node's error says it does not know the block asked for by hash.
fn block_unknown(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "unknown block",
        "block not found",
        "header not found",
        "could not be found",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// Adds `more` to `logs`, moving it whole when `logs` is empty (one request covered it).
fn append(logs: &mut Vec<RpcLog>, more: Vec<RpcLog>) {
    if logs.is_empty() {
        *logs = more;
    } else {
        logs.extend(more);
    }
}

/// Logs in block order, each once. A node that repeats a log is not believed to hold two;
/// two different logs at one position are garbage to retry.
fn in_order(mut logs: Vec<RpcLog>, network: &str) -> Result<Vec<RpcLog>, SyncError> {
    logs.sort_by_key(|l| (l.block_number, l.log_index));
    // The same log (whether or not an endpoint adds its block time).
    let same = |a: &RpcLog, b: &RpcLog| {
        (
            a.block_number,
            a.log_index,
            a.block_hash,
            a.transaction_hash,
        ) == (
            b.block_number,
            b.log_index,
            b.block_hash,
            b.transaction_hash,
        ) && (a.address, &a.topics, &a.data) == (b.address, &b.topics, &b.data)
    };
    logs.dedup_by(|a, b| same(a, b));
    let position = |l: &RpcLog| (l.block_number, l.log_index);
    if logs.windows(2).any(|w| position(&w[0]) == position(&w[1])) {
        return Err(RpcError::Garbage {
            endpoint: network.to_string(),
            message: "eth_getLogs returned two different logs at one position".into(),
        }
        .into());
    }
    Ok(logs)
}

/// A chunk's task; dropping it (a step that failed) stops the task.
struct Spawned<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Spawned<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> std::future::Future for Spawned<Result<T, SyncError>> {
    type Output = Result<T, SyncError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        // A task ends only by finishing or by panicking (it is aborted only when dropped):
        // a panic is a bug, passed on rather than retried as if the node had failed.
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|joined| match joined {
                Ok(result) => result,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => Err(SyncError::Rpc(RpcError::Transport {
                    endpoint: "log request".into(),
                    message: format!("the request's task stopped: {e}"),
                })),
            })
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes, B256};

    fn log(block: u64, index: u64, data: u8) -> RpcLog {
        RpcLog {
            address: Address::ZERO,
            topics: vec![B256::ZERO],
            data: Bytes::from(vec![data]),
            block_number: Some(U64::from(block)),
            block_hash: Some(B256::repeat_byte(1)),
            transaction_hash: Some(B256::repeat_byte(2)),
            log_index: Some(U64::from(index)),
            removed: false,
            block_timestamp: None,
        }
    }

    #[test]
    fn a_block_the_node_lacks_is_told_from_other_errors() {
        assert!(block_unknown("unknown block"));
        assert!(block_unknown("Block not found"));
        assert!(block_unknown("header not found"));
        assert!(block_unknown("Block 0x12ab could not be found"));
        assert!(!block_unknown("query timeout exceeded"));
    }

    #[test]
    fn a_repeated_log_is_kept_once_and_a_clash_is_refused() {
        let mut timed = log(2, 0, 1);
        timed.block_timestamp = Some(U64::from(7));
        let logs = vec![log(2, 0, 1), log(1, 5, 1), timed];
        let got = in_order(logs, "n").expect("in order");
        assert_eq!(got, vec![log(1, 5, 1), log(2, 0, 1)]);
        let clash = vec![log(2, 0, 1), log(2, 0, 9)];
        let err = in_order(clash, "n").expect_err("two logs at one position");
        assert!(err.to_string().contains("two different logs"), "{err}");
    }
}

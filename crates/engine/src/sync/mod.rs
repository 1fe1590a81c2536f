//! Following one network: backfill from each listener's start block, then live, with
//! reorg detection, confirmations and backoff. Backfill and live are one loop, so the
//! handoff between them neither skips nor repeats a block.

mod fetch;
mod process;
mod reconcile;
mod reorg;
mod retry;
mod start;
mod store;

pub use reconcile::TokenCheckHandle;
pub use start::{Start, StartError};
pub use store::{ChainStore, NewListener};

use retry::Retries;
mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{watch, Notify};

use crate::hub::Hub;
use crate::matcher::Matcher;
use crate::model::{Confirmations, ListenerSpec, NetworkSpec};
use crate::plan::{next_span, RangeSizer};
use crate::source::ws::follow_heads;
use crate::source::{BlockTag, RpcError, Source};
use crate::status::ListenerPhase;
use crate::store::{Db, ListenerRecord, StoreError};

/// Blocks below the head whose headers are kept to detect reorgs by parent hash.
pub const REORG_WINDOW: u64 = 256;
/// Log requests in flight at once per network.
const PARALLEL: usize = 4;
/// Reads in a row that found the chain moving before it is shown as a problem (about 3 s
/// of quick retries).
const MOVED_QUIETLY: u32 = 30;
/// Failed steps in a row after which the network says it is stuck, where and why.
const STUCK_AFTER: u32 = 5;
/// Chunks planned per step of a backfill: the requests stay PARALLEL deep through them,
/// and the head, reorg and confirmation checks between steps come less often.
const CHUNKS_PER_STEP: usize = 64;

/// Why a sync step did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chain changed under a request (a reorg in progress): start the step again.
    #[error("the chain changed while reading block {0}; reading again")]
    Moved(u64),
    /// One block's logs are over the answer cap: no split can help.
    #[error("the logs of block {block} are larger than max_response_mb = {limit_mb} MB; raise max_response_mb for this network to read them")]
    BlockTooLarge { block: u64, limit_mb: u64 },
    /// A listener's condition does not compile (validation refuses it first).
    #[error("a listener's condition: {0}")]
    Condition(#[from] crate::matcher::condition::ConditionError),
}

/// One network's follower, over the database's [`ChainStore`] view.
pub struct NetworkSync<S: ChainStore = Db> {
    pub spec: NetworkSpec,
    pub network_id: i64,
    pub source: Arc<Source>,
    pub listeners: Vec<(ListenerRecord, ListenerSpec)>,
    pub store: S,
    pub hub: Arc<Hub>,
    /// Stop once every listener reached the head less the confirmation depth.
    pub until_head: bool,
    /// Listeners with delivery targets.
    pub routed: Vec<i64>,
    /// Tells the delivery workers that messages were queued.
    pub waker: crate::deliver::Waker,
    /// Events matched per listener, counted once at start and then kept up to date (a
    /// count over a million rows per step would slow the live path).
    pub matched: Mutex<HashMap<i64, u64>>,
    /// Changes when the user asks for the tokens to be checked against the chain now.
    pub check_tokens: watch::Receiver<u64>,
}

/// One step's plan: the blocks to read, the listeners that read them, and where the
/// chain stands.
pub(super) struct Span {
    pub from: u64,
    pub to: u64,
    pub active: Vec<i64>,
    pub head: u64,
    /// The highest block whose events count as confirmed.
    pub final_block: u64,
}

/// What a step works with: the listeners' matcher, the request sizer, the token facts.
pub(super) struct Tools<'a> {
    pub matcher: &'a Matcher,
    pub sizer: &'a Arc<Mutex<RangeSizer>>,
    pub tokens: &'a mut tokens::TokenCache,
}

enum Step {
    Progress,
    CaughtUp,
}

/// A following engine checks its tokens against the chain this often.
const CHECK_TOKENS_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

impl<S: ChainStore> NetworkSync<S> {
    /// Runs until shut down (or, with `until_head`, until caught up). Returns an error only
    /// for problems that retrying cannot fix (the database, a block over the answer cap);
    /// while following, a block over the cap stops only this network.
    pub async fn run(self, shutdown: watch::Receiver<bool>) -> Result<(), SyncError> {
        // However the follower ends (also by a panic), its bulk load ends with it.
        let _bulk = LeaveBulk(&self);
        match self.follow(shutdown).await {
            Err(e @ SyncError::BlockTooLarge { .. }) if !self.until_head => {
                tracing::error!(network = %self.spec.name, error = %e, "this network stops");
                Ok(())
            }
            other => other,
        }
    }

    async fn follow(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), SyncError> {
        let matcher = Matcher::new(self.listeners.iter().map(|(r, s)| (r.id, s)))?;
        let sizer = Arc::new(Mutex::new(RangeSizer::new(self.spec.max_block_range)));
        let known = self.store.known_tokens(self.network_id).await?;
        let mut decimals = tokens::TokenCache::known(known);
        let wake = Arc::new(Notify::new());
        if !self.until_head {
            let ws = self
                .spec
                .rpc
                .iter()
                .find(|u| u.starts_with("ws://") || u.starts_with("wss://"));
            if let Some(url) = ws {
                tokio::spawn(follow_heads(url.clone(), wake.clone(), shutdown.clone()));
            }
        }
        let mut retries = Retries::default();
        let mut caught_up = false;
        let mut last_check: Option<std::time::Instant> = None;
        // A request made while a step runs is seen at the next wait.
        let mut check = self.check_tokens.clone();
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let was_caught_up = std::mem::take(&mut caught_up);
            // A stop ends the step at once, requests in flight included: a write in flight
            // finishes on its own thread, and what was not written is read again next run.
            let stepped = tokio::select! {
                r = self.step(&matcher, &sizer, &mut decimals) => r,
                _ = shutdown.changed() => return Ok(()),
            };
            let stepped = match stepped {
                Ok(Step::CaughtUp) if !was_caught_up => self
                    .end_bulk()
                    .await
                    .map(|()| Step::CaughtUp)
                    .map_err(SyncError::from),
                other => other,
            };
            let wait = match stepped {
                Ok(Step::Progress) => {
                    retries = Retries::default();
                    continue;
                }
                Ok(Step::CaughtUp) => {
                    let went_back = self.head_went_back();
                    self.hub.network(&self.spec.name, |n| n.error = went_back);
                    self.hub.set_phase_all(&self.spec.name, ListenerPhase::Live);
                    retries = Retries::default();
                    caught_up = true;
                    if self.until_head {
                        self.check_tokens().await;
                        return Ok(());
                    }
                    if last_check.is_none_or(|t| t.elapsed() >= CHECK_TOKENS_EVERY) {
                        self.check_tokens().await;
                        last_check = Some(std::time::Instant::now());
                    }
                    self.spec.poll_interval
                }
                Err(e) => self.failed(e, &mut retries).await?,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                // A new head ends the wait, but not a backoff after an error.
                _ = wake.notified(), if caught_up => {}
                // Asked to check the tokens: at the next caught-up step.
                Ok(()) = check.changed(), if caught_up => last_check = None,
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Checks the tokens against the chain at the confirmed block; a failure (the node) is
    /// logged and tried again at the next check.
    async fn check_tokens(&self) {
        let block = match self.source.block_number().await {
            Ok(head) => self.final_block(head).await,
            Err(e) => Err(e.into()),
        };
        let done = match block {
            Ok(b) => self.reconcile(b).await.map(|n| (b, n)),
            Err(e) => Err(e),
        };
        match done {
            Ok((_, (0, _))) => {}
            Ok((block, (checked, mismatched))) => tracing::info!(
                network = %self.spec.name, block, checked, mismatched, "tokens checked against the chain"
            ),
            Err(e) => {
                tracing::warn!(network = %self.spec.name, error = %e, "cannot check the tokens against the chain now")
            }
        }
    }

    async fn step(
        &self,
        matcher: &Matcher,
        sizer: &Arc<Mutex<RangeSizer>>,
        decimals: &mut tokens::TokenCache,
    ) -> Result<Step, SyncError> {
        let head = self.source.block_number().await?;
        if self.detect_reorg(head).await? {
            return Ok(Step::Progress);
        }
        let final_block = self.final_block(head).await?;
        self.confirm(final_block).await?;
        let target = if self.until_head { final_block } else { head };
        let nexts = self.next_blocks().await?;
        let endpoints = self.source.endpoint_status();
        let went_back = self.head_went_back();
        self.hub.network(&self.spec.name, |n| {
            n.head = Some(head);
            n.endpoints = endpoints;
            n.error = went_back;
        });
        let Some((from, to, active)) = next_span(&nexts, target) else {
            self.report_progress(head).await?;
            return Ok(Step::CaughtUp);
        };
        // A long backfill into a small database builds the amount index at the end.
        if from + 2 * REORG_WINDOW < head {
            self.store.begin_bulk_if_small(self.network_id).await?;
        }
        for (rec, _) in self
            .listeners
            .iter()
            .filter(|(r, _)| active.contains(&r.id))
        {
            if to + 1 < head {
                self.hub
                    .listener(&rec.name, |l| l.phase = ListenerPhase::Backfilling);
            }
        }
        let span = Span {
            from,
            to,
            active,
            head,
            final_block,
        };
        let mut tools = Tools {
            matcher,
            sizer,
            tokens: decimals,
        };
        self.fetch_and_commit(&mut tools, &span).await?;
        self.report_progress(head).await?;
        Ok(Step::Progress)
    }

    /// The status line while the node's head is below one it reported before (logged the
    /// first time).
    fn head_went_back(&self) -> Option<String> {
        let (message, first) = self.source.head_went_back()?;
        if first {
            tracing::warn!(network = %self.spec.name, "{message}");
        }
        Some(message)
    }

    /// The highest block whose events count as confirmed.
    async fn final_block(&self, head: u64) -> Result<u64, SyncError> {
        let tag = match self.spec.confirmations {
            Confirmations::Blocks(n) => return Ok(head.saturating_sub(n)),
            Confirmations::Safe => BlockTag::Safe,
            Confirmations::Finalized => BlockTag::Finalized,
        };
        Ok(self
            .source
            .header(tag)
            .await?
            .map_or(0, |h| h.number.to::<u64>().min(head)))
    }

    /// Each active listener's next unprocessed block.
    async fn next_blocks(&self) -> Result<Vec<(i64, u64)>, SyncError> {
        let active: Vec<(i64, u64)> = self
            .listeners
            .iter()
            .filter(|(_, spec)| !spec.paused)
            .map(|(rec, _)| (rec.id, rec.from_block))
            .collect();
        let covered = self.store.coverage(active.clone()).await?;
        let next = active
            .iter()
            .zip(covered)
            .map(|((id, from), (to, _))| (*id, to.map_or(*from, |c| c + 1)))
            .collect();
        Ok(next)
    }

    async fn confirm(&self, final_block: u64) -> Result<(), SyncError> {
        let ids = self
            .store
            .confirm_up_to(self.network_id, final_block)
            .await?;
        if !ids.is_empty() {
            self.waker.wake();
        }
        self.announce(ids).await
    }

    /// Adds a commit's new rows and matches to the counts on the status board.
    fn count(&self, done: &crate::store::Committed) {
        let mut matched = self.matched.lock().unwrap_or_else(|p| p.into_inner());
        for (l, n) in &done.matched {
            *matched.entry(*l).or_default() += n;
        }
        drop(matched);
        if done.inserted > 0 {
            self.hub.update(|b| b.events_stored += done.inserted);
        }
    }

    async fn report_progress(&self, head: u64) -> Result<(), SyncError> {
        let asked: Vec<(i64, u64)> = self
            .listeners
            .iter()
            .map(|(rec, _)| (rec.id, rec.from_block))
            .collect();
        let read = self.store.coverage(asked).await?;
        let matched = self
            .matched
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut rows = Vec::new();
        let mut synced: Option<u64> = None;
        for ((rec, spec), (covered, undecodable)) in self.listeners.iter().zip(read) {
            let events = matched.get(&rec.id).copied().unwrap_or(0);
            if !spec.paused {
                synced = Some(synced.map_or(covered.unwrap_or(0), |s| s.min(covered.unwrap_or(0))));
            }
            rows.push((rec.name.clone(), covered, events, undecodable));
        }
        self.hub.update(|b| {
            for (name, covered, events, undecodable) in rows {
                if let Some(l) = b.listeners.iter_mut().find(|l| l.name == name) {
                    l.covered_to = covered;
                    l.events = events;
                    l.undecodable = undecodable;
                }
            }
            if let Some(n) = b.networks.iter_mut().find(|n| n.name == self.spec.name) {
                n.synced_to = synced;
                n.lag = synced.map(|s| head.saturating_sub(s));
            }
        });
        Ok(())
    }

    /// Sends the stored form of these events (new or changed) to subscribers.
    async fn announce(&self, ids: Vec<i64>) -> Result<(), SyncError> {
        // Nobody listening (the headless binary): the store has everything; skip the reads.
        if ids.is_empty() || !self.hub.has_subscribers() {
            return Ok(());
        }
        let events = self.store.events_by_ids(ids).await?;
        for e in events {
            self.hub.send(crate::hub::Notice::Event(e));
        }
        Ok(())
    }
}

/// Ends a follower's bulk load when dropped.
struct LeaveBulk<'a, S: ChainStore>(&'a NetworkSync<S>);

impl<S: ChainStore> Drop for LeaveBulk<'_, S> {
    fn drop(&mut self) {
        let queued = self
            .0
            .store
            .leave_bulk_soon(self.0.network_id, self.0.spec.name.clone());
        if !queued {
            // Left for the next start, which ends a bulk load a stopped run left behind.
            tracing::debug!(network = %self.0.spec.name, "bulk load left to the next start");
        }
    }
}

impl<S: ChainStore> NetworkSync<S> {
    /// Caught up: builds the amount index if no bulk load is left (on the writer's
    /// thread: on a large database it takes seconds).
    async fn end_bulk(&self) -> Result<(), StoreError> {
        self.store.end_bulk(self.network_id).await
    }
}

//! What a network's follower needs of the database, and nothing more: [`ChainStore`].
//! [`Db`] answers it through the writer thread (writes, in order) and the read pool
//! (reads, beside the writer); a test can answer it with a fake where SQLite is not the
//! point.

use std::future::Future;

use alloy_primitives::{Address, B256};

use super::process::moved_at;
use crate::event::StoredEvent;
use crate::store::{
    BlockRecord, Commit, Committed, Db, ListenerRecord, Register, StoreError, TokenCheck,
    TokenInfo, TokenState, SMALL_DATABASE,
};

type Answer<T> = Result<T, StoreError>;

/// A new listener's registration: its name, definition hash, first block, and the head
/// when it was registered.
pub struct NewListener {
    pub name: String,
    pub spec_hash: String,
    pub from_block: u64,
    pub head: u64,
    /// The contracts whose every ERC-20 transfer it stores (empty: any), if it does.
    pub whole_transfers: Option<Vec<alloy_primitives::Address>>,
}

/// The follower's view of the database.
pub trait ChainStore: Clone + Send + Sync + 'static {
    /// The network's id, registered on first use.
    fn upsert_network(
        &self,
        name: String,
        chain_id: u64,
    ) -> impl Future<Output = Answer<i64>> + Send;
    fn upsert_listener(
        &self,
        network: i64,
        listener: NewListener,
    ) -> impl Future<Output = Answer<ListenerRecord>> + Send;
    /// The targets a listener delivers to, each with whether it takes its first backfill.
    fn set_routes(
        &self,
        listener: i64,
        routes: Vec<(String, bool)>,
    ) -> impl Future<Output = Answer<()>> + Send;
    /// Events matched and logs not decoded, of one listener.
    fn listener_counts(&self, listener: i64) -> impl Future<Output = Answer<(u64, u64)>> + Send;
    /// The first block a listener named `latest` was given when it was first stored.
    fn stored_from_block(
        &self,
        name: String,
        spec_hash: String,
    ) -> impl Future<Output = Answer<Option<u64>>> + Send;
    fn known_tokens(
        &self,
        network: i64,
    ) -> impl Future<Output = Answer<Vec<(Address, TokenInfo)>>> + Send;
    /// For each (listener, first block): the last block it covers, and its undecodable count.
    fn coverage(
        &self,
        listeners: Vec<(i64, u64)>,
    ) -> impl Future<Output = Answer<Vec<(Option<u64>, u64)>>> + Send;
    fn events_by_ids(&self, ids: Vec<i64>)
        -> impl Future<Output = Answer<Vec<StoredEvent>>> + Send;
    fn block(
        &self,
        network: i64,
        number: u64,
    ) -> impl Future<Output = Answer<Option<BlockRecord>>> + Send;
    fn latest_block(
        &self,
        network: i64,
    ) -> impl Future<Output = Answer<Option<BlockRecord>>> + Send;
    fn event_block_at_or_below(
        &self,
        network: i64,
        number: u64,
    ) -> impl Future<Output = Answer<Option<(u64, B256)>>> + Send;
    /// The stored time of each of these blocks, where it is known.
    fn block_times(
        &self,
        network: i64,
        numbers: Vec<u64>,
    ) -> impl Future<Output = Answer<Vec<(u64, Option<i64>)>>> + Send;
    /// The first of these headers that does not fit the stored ones (see [`moved_at`]).
    fn moved_at(
        &self,
        network: i64,
        headers: Vec<BlockRecord>,
    ) -> impl Future<Output = Answer<Option<u64>>> + Send;
    /// Stores a chunk's events and coverage in one transaction.
    fn commit(&self, commit: Commit) -> impl Future<Output = Answer<(Commit, Committed)>> + Send;
    /// Marks events up to `block` confirmed; the ids that changed.
    fn confirm_up_to(
        &self,
        network: i64,
        block: u64,
    ) -> impl Future<Output = Answer<Vec<i64>>> + Send;
    /// Marks what is above `ancestor` removed; the ids that changed.
    fn rollback_to(
        &self,
        network: i64,
        ancestor: u64,
    ) -> impl Future<Output = Answer<Vec<i64>>> + Send;
    /// A long backfill folds its transfers into the token state at the end; into a small
    /// database it builds the amount index at the end too.
    fn begin_bulk_if_small(&self, network: i64) -> impl Future<Output = Answer<()>> + Send;
    fn end_bulk(&self, network: i64) -> impl Future<Output = Answer<()>> + Send;
    /// Ends a bulk load without waiting (a follower that stops); false when it could not
    /// be queued.
    fn leave_bulk_soon(&self, network: i64, name: String) -> bool;
    /// The network's tokens with their register at `block` (or why there is none). A store
    /// without token state has none to check.
    fn registers(
        &self,
        _network: String,
        _block: u64,
    ) -> impl Future<Output = Answer<Vec<(TokenState, Result<Register, String>)>>> + Send {
        async { Ok(Vec::new()) }
    }
    /// Records a check of a token against the chain.
    fn record_check(&self, _check: TokenCheck) -> impl Future<Output = Answer<()>> + Send {
        async { Ok(()) }
    }
}

impl ChainStore for Db {
    async fn upsert_network(&self, name: String, chain_id: u64) -> Answer<i64> {
        self.writer
            .run(move |s| s.upsert_network(&name, chain_id))
            .await
    }

    async fn upsert_listener(&self, network: i64, l: NewListener) -> Answer<ListenerRecord> {
        self.writer
            .run(move |s| {
                let rec =
                    s.upsert_listener(&l.name, network, &l.spec_hash, l.from_block, l.head)?;
                s.set_whole_transfers(rec.id, l.whole_transfers.as_deref())?;
                Ok(rec)
            })
            .await
    }

    async fn set_routes(&self, listener: i64, routes: Vec<(String, bool)>) -> Answer<()> {
        self.writer
            .run(move |s| s.set_routes(listener, &routes))
            .await
    }

    async fn listener_counts(&self, listener: i64) -> Answer<(u64, u64)> {
        self.readers.run(move |s| s.listener_counts(listener)).await
    }

    async fn stored_from_block(&self, name: String, spec_hash: String) -> Answer<Option<u64>> {
        self.readers
            .run(move |s| s.stored_from_block(&name, &spec_hash))
            .await
    }

    async fn known_tokens(&self, network: i64) -> Answer<Vec<(Address, TokenInfo)>> {
        self.readers.run(move |s| s.known_tokens(network)).await
    }

    async fn coverage(&self, listeners: Vec<(i64, u64)>) -> Answer<Vec<(Option<u64>, u64)>> {
        self.readers
            .run(move |s| {
                let mut out = Vec::with_capacity(listeners.len());
                for (id, from) in listeners {
                    out.push((s.covered_to(id, from)?, s.undecodable(id)?));
                }
                Ok(out)
            })
            .await
    }

    async fn events_by_ids(&self, ids: Vec<i64>) -> Answer<Vec<StoredEvent>> {
        self.readers.run(move |s| s.events_by_ids(&ids)).await
    }

    async fn block(&self, network: i64, number: u64) -> Answer<Option<BlockRecord>> {
        self.readers.run(move |s| s.block(network, number)).await
    }

    async fn latest_block(&self, network: i64) -> Answer<Option<BlockRecord>> {
        self.readers.run(move |s| s.latest_block(network)).await
    }

    async fn event_block_at_or_below(&self, network: i64, n: u64) -> Answer<Option<(u64, B256)>> {
        self.readers
            .run(move |s| s.event_block_at_or_below(network, n))
            .await
    }

    async fn block_times(
        &self,
        network: i64,
        numbers: Vec<u64>,
    ) -> Answer<Vec<(u64, Option<i64>)>> {
        self.readers
            .run(move |s| {
                let mut out = Vec::with_capacity(numbers.len());
                for n in numbers {
                    out.push((n, s.block(network, n)?.map(|b| b.time)));
                }
                Ok(out)
            })
            .await
    }

    async fn moved_at(&self, network: i64, headers: Vec<BlockRecord>) -> Answer<Option<u64>> {
        self.readers
            .run(move |s| moved_at(&headers, |n| s.block(network, n)))
            .await
    }

    async fn commit(&self, commit: Commit) -> Answer<(Commit, Committed)> {
        self.writer
            .run(move |store| {
                let started = std::time::Instant::now();
                let done = store.commit(&commit)?;
                tracing::debug!(events = commit.events.len(), took = ?started.elapsed(), "written");
                Ok((commit, done))
            })
            .await
    }

    async fn confirm_up_to(&self, network: i64, block: u64) -> Answer<Vec<i64>> {
        self.writer
            .run(move |s| s.confirm_up_to(network, block))
            .await
    }

    async fn rollback_to(&self, network: i64, ancestor: u64) -> Answer<Vec<i64>> {
        self.writer
            .run(move |s| s.rollback_to(network, ancestor))
            .await
    }

    async fn begin_bulk_if_small(&self, network: i64) -> Answer<()> {
        self.writer
            .run(move |store| {
                store.begin_deferring(network);
                if store.last_event_id()? < SMALL_DATABASE {
                    store.begin_bulk(network)?;
                }
                Ok(())
            })
            .await
    }

    async fn end_bulk(&self, network: i64) -> Answer<()> {
        self.writer.run(move |s| s.end_bulk(network)).await
    }

    async fn registers(
        &self,
        network: String,
        block: u64,
    ) -> Answer<Vec<(TokenState, Result<Register, String>)>> {
        self.readers
            .run(move |s| {
                let mut out = Vec::new();
                for state in s
                    .token_states()?
                    .into_iter()
                    .filter(|t| t.network == network)
                {
                    let Ok(token) = state.token.parse::<Address>() else {
                        continue;
                    };
                    let register = s
                        .register(&network, token, Some(block))
                        .map_err(|e| e.to_string());
                    out.push((state, register));
                }
                Ok(out)
            })
            .await
    }

    async fn record_check(&self, c: TokenCheck) -> Answer<()> {
        self.writer.run(move |s| s.record_check(&c)).await
    }

    fn leave_bulk_soon(&self, network: i64, name: String) -> bool {
        self.writer.spawn(move |store| {
            if let Err(e) = store.leave_bulk(network) {
                tracing::warn!(network = %name, error = %e, "ending a bulk load failed");
            }
        })
    }
}

//! Narrow views of the database, one per stage that uses it: what a delivery worker reads
//! and records ([`OutboxStore`]), what a network's follower reads and writes
//! ([`ChainStore`]). [`Db`] implements them through the writer thread and the read pool;
//! tests of a stage can implement them with a fake where a real database is not the point.

use std::future::Future;

use super::{AttemptRecord, Db, Lane, OnPark, Queued, StoreError};

type Answer<T> = Result<T, StoreError>;

/// What a delivery worker reads and records, per target (`webhook:ops`).
pub trait OutboxStore: Clone + Send + Sync + 'static {
    /// Lanes (one per listener) with something queued.
    fn lanes(&self, target: String) -> impl Future<Output = Answer<Vec<Lane>>> + Send;
    /// The next messages of one lane, in order.
    fn lane_batch(
        &self,
        target: String,
        listener: i64,
        limit: u32,
    ) -> impl Future<Output = Answer<Vec<Queued>>> + Send;
    /// Queued, parked and held counts.
    fn target_counts(&self, target: String)
        -> impl Future<Output = Answer<(u64, u64, u64)>> + Send;
    /// Messages still queued for any of these targets (all when empty).
    fn queued_count(&self, targets: Vec<String>) -> impl Future<Output = Answer<u64>> + Send;
    /// Holds what is queued in a lane behind a parked message; how many.
    fn hold_lane(
        &self,
        target: String,
        listener: i64,
    ) -> impl Future<Output = Answer<usize>> + Send;
    /// Lets a target's held messages go on; how many.
    fn release_held(&self, target: String) -> impl Future<Output = Answer<usize>> + Send;
    /// Records what became of each attempt.
    fn record_attempts(
        &self,
        records: Vec<AttemptRecord>,
        on_park: OnPark,
    ) -> impl Future<Output = Answer<Vec<AttemptRecord>>> + Send;
}

impl OutboxStore for Db {
    async fn lanes(&self, target: String) -> Answer<Vec<Lane>> {
        self.readers.run(move |s| s.lanes(&target)).await
    }

    async fn lane_batch(&self, target: String, listener: i64, limit: u32) -> Answer<Vec<Queued>> {
        self.readers
            .run(move |s| s.lane_batch(&target, listener, limit))
            .await
    }

    async fn target_counts(&self, target: String) -> Answer<(u64, u64, u64)> {
        self.readers.run(move |s| s.target_counts(&target)).await
    }

    async fn queued_count(&self, targets: Vec<String>) -> Answer<u64> {
        self.readers.run(move |s| s.queued_count(&targets)).await
    }

    async fn hold_lane(&self, target: String, listener: i64) -> Answer<usize> {
        self.writer
            .run(move |s| s.hold_lane(&target, listener))
            .await
    }

    async fn release_held(&self, target: String) -> Answer<usize> {
        self.writer.run(move |s| s.release_held(&target)).await
    }

    async fn record_attempts(
        &self,
        records: Vec<AttemptRecord>,
        on_park: OnPark,
    ) -> Answer<Vec<AttemptRecord>> {
        self.writer
            .run(move |s| s.record_attempts(&records, on_park).map(|()| records))
            .await
    }
}

//! The follower against its narrow view of the database (`ChainStore`), on a real node: a
//! store whose commits fail says so and is retried or stops, as the kind of failure asks,
//! with nothing lost and nothing written after a failed write.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{Address, B256};
use tokenwatch_engine::deliver::Outbox;
use tokenwatch_engine::hub::Hub;
use tokenwatch_engine::status::NetworkStatus;
use tokenwatch_engine::store::{
    BlockRecord, Commit, Committed, Db, ListenerRecord, Readers, StoreError, TokenInfo, Writer,
};
use tokenwatch_engine::sync::{ChainStore, NewListener, Start, SyncError};
use tokenwatch_engine::StoredEvent;
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::Anvil;

type Answer<T> = Result<T, StoreError>;

/// The real database, whose next commits fail with `error` while `fail` is above 0.
#[derive(Clone)]
struct Failing {
    db: Db,
    fail: Arc<AtomicU32>,
    error: fn() -> StoreError,
}

fn disk_full() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        Some("database or disk is full".into()),
    ))
}

fn corrupt() -> StoreError {
    StoreError::Corrupt("a page of the events table".into())
}

impl ChainStore for Failing {
    async fn upsert_network(&self, name: String, chain_id: u64) -> Answer<i64> {
        self.db.upsert_network(name, chain_id).await
    }
    async fn upsert_listener(&self, network: i64, l: NewListener) -> Answer<ListenerRecord> {
        self.db.upsert_listener(network, l).await
    }
    async fn set_routes(&self, listener: i64, routes: Vec<(String, bool)>) -> Answer<()> {
        self.db.set_routes(listener, routes).await
    }
    async fn listener_counts(&self, listener: i64) -> Answer<(u64, u64)> {
        self.db.listener_counts(listener).await
    }
    async fn stored_from_block(&self, name: String, hash: String) -> Answer<Option<u64>> {
        self.db.stored_from_block(name, hash).await
    }
    async fn known_tokens(&self, network: i64) -> Answer<Vec<(Address, TokenInfo)>> {
        self.db.known_tokens(network).await
    }
    async fn coverage(&self, listeners: Vec<(i64, u64)>) -> Answer<Vec<(Option<u64>, u64)>> {
        self.db.coverage(listeners).await
    }
    async fn events_by_ids(&self, ids: Vec<i64>) -> Answer<Vec<StoredEvent>> {
        self.db.events_by_ids(ids).await
    }
    async fn block(&self, network: i64, n: u64) -> Answer<Option<BlockRecord>> {
        self.db.block(network, n).await
    }
    async fn latest_block(&self, network: i64) -> Answer<Option<BlockRecord>> {
        self.db.latest_block(network).await
    }
    async fn event_block_at_or_below(&self, network: i64, n: u64) -> Answer<Option<(u64, B256)>> {
        self.db.event_block_at_or_below(network, n).await
    }
    async fn block_times(&self, network: i64, n: Vec<u64>) -> Answer<Vec<(u64, Option<i64>)>> {
        self.db.block_times(network, n).await
    }
    async fn moved_at(&self, network: i64, headers: Vec<BlockRecord>) -> Answer<Option<u64>> {
        self.db.moved_at(network, headers).await
    }
    async fn commit(&self, commit: Commit) -> Answer<(Commit, Committed)> {
        let left = self.fail.load(Ordering::SeqCst);
        if left > 0 && !commit.events.is_empty() {
            self.fail.store(left - 1, Ordering::SeqCst);
            return Err((self.error)());
        }
        self.db.commit(commit).await
    }
    async fn confirm_up_to(&self, network: i64, block: u64) -> Answer<Vec<i64>> {
        self.db.confirm_up_to(network, block).await
    }
    async fn rollback_to(&self, network: i64, ancestor: u64) -> Answer<Vec<i64>> {
        self.db.rollback_to(network, ancestor).await
    }
    async fn begin_bulk_if_small(&self, network: i64) -> Answer<()> {
        self.db.begin_bulk_if_small(network).await
    }
    async fn end_bulk(&self, network: i64) -> Answer<()> {
        self.db.end_bulk(network).await
    }
    fn leave_bulk_soon(&self, network: i64, name: String) -> bool {
        self.db.leave_bulk_soon(network, name)
    }
}

/// Follows the token's transfers until the head through `store`; the follower's result
/// and the status board it left.
async fn follow(
    anvil: &Anvil,
    token: &str,
    store: Failing,
) -> (Result<(), SyncError>, tokenwatch_engine::EngineStatus) {
    let text = network(anvil, 0)
        + &listener(
            "t",
            &[token.to_string()],
            &["erc20:Transfer"],
            "from_block = 0",
        );
    let config = parse_config(&text);
    let hub = Hub::new("test".into());
    // The engine puts a network on the status board before it starts it.
    hub.update(|b| {
        b.networks.push(NetworkStatus {
            name: "local".into(),
            chain_id: anvil.chain_id(),
            head: None,
            synced_to: None,
            lag: None,
            endpoints: Vec::new(),
            error: None,
        })
    });
    let start = Start {
        store: store.clone(),
        hub: hub.clone(),
        until_head: true,
        routes: Arc::new(Vec::new()),
        waker: Outbox::new(store.db.clone()).waker(),
        check_tokens: tokio::sync::watch::channel(0).1,
    };
    let sync = start
        .prepare(&config.networks[0], &config.listeners)
        .await
        .expect("start");
    let (_stop, stop) = tokio::sync::watch::channel(false);
    let result = tokio::time::timeout(Duration::from_secs(30), sync.run(stop))
        .await
        .expect("the follower ended in time");
    (result, hub.status())
}

fn open(dir: &std::path::Path, fail: u32, error: fn() -> StoreError) -> Failing {
    let path = dir.join("e.db");
    let (writer, _thread) = Writer::open(&path).expect("open");
    Failing {
        db: Db {
            writer,
            readers: Readers::new(&path),
        },
        fail: Arc::new(AtomicU32::new(fail)),
        error,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_is_retried_until_it_takes_the_write_and_nothing_is_lost() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 5).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 3, disk_full);
    let (result, _) = follow(&anvil, &token.address().to_string(), store.clone()).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        store.fail.load(Ordering::SeqCst),
        0,
        "three writes were refused"
    );
    let chain = chain_logs(&anvil, &token.address().to_string()).await;
    let stored = live_keys(&stored_rows(&dir.path().join("e.db"), None));
    assert_eq!(
        stored, chain,
        "every transfer stored once after the refusals"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_database_stops_the_network_naming_why_and_writes_nothing_after() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 5).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(dir.path(), 1, corrupt);
    let (result, status) = follow(&anvil, &token.address().to_string(), store).await;
    assert!(
        matches!(result, Err(SyncError::Store(StoreError::Corrupt(_)))),
        "{result:?}"
    );
    let shown = status.networks[0].error.clone().unwrap_or_default();
    assert!(
        shown.starts_with("Stopped:") && shown.contains("corrupt"),
        "{shown}"
    );
    assert!(stored_rows(&dir.path().join("e.db"), None).is_empty());
}

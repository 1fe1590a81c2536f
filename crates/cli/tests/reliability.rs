//! Fault scenarios against a real anvil: reorgs, SIGKILL during backfill, a node that goes
//! away and comes back. Each ends with the stored set equal to the chain's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use tokenwatch_engine::store::{EventFilter, Store};
use tokenwatch_engine::{Config, Engine, EventStatus, RunOptions};
use tokenwatch_testkit::{Anvil, Contract};

type Key = (u64, String, u64);

/// (live keys, removed keys) stored for the listener.
fn stored(db: &std::path::Path) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let (mut live, mut removed) = (BTreeSet::new(), BTreeSet::new());
    let Ok(store) = Store::open_reader(db) else {
        return (live, removed);
    };
    store
        .for_each_event(&EventFilter::default(), |e| {
            let k = (e.block_number, e.tx_hash.clone(), e.log_index);
            if e.status == EventStatus::Removed {
                removed.insert(k);
            } else {
                live.insert(k);
            }
            Ok(())
        })
        .expect("read events");
    (live, removed)
}

async fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn config(anvil: &Anvil, token: &Contract, confirmations: u64, extra: &str) -> Config {
    let text = format!(
        "{}{extra}\n[[listeners]]\nname = \"t\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
        network(anvil, confirmations),
        token.address()
    );
    Config::parse(&text, std::path::Path::new(".")).expect("valid config")
}

async fn reorg_case(depth: u64) {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 8).await;
    let accounts = anvil.accounts().await.expect("accounts");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(config(&anvil, &token, 2, ""), &db, RunOptions::default())
        .await
        .expect("engine");
    let chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    wait_until("backfill", Duration::from_secs(30), || {
        stored(&db).0 == chain
    })
    .await;

    // Replace the last `depth` blocks; one new transfer lands in the new branch.
    let tx = transfer_request(&token, &accounts);
    anvil.reorg(depth, &[(tx, 0)]).await.expect("reorg");
    let new_chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    let orphaned: BTreeSet<Key> = chain.difference(&new_chain).cloned().collect();
    assert_eq!(
        orphaned.len() as u64,
        depth,
        "each replaced block held one transfer"
    );
    wait_until("reorg handled", Duration::from_secs(60), || {
        let (live, removed) = stored(&db);
        live == new_chain && removed == orphaned
    })
    .await;
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_of_depth_1_marks_removed_and_stores_the_new_branch() {
    reorg_case(1).await;
}

/// Deeper than the 256 headers kept for reorg checks, with empty blocks in between: the
/// blocks of stored events below the kept headers are checked instead, so nothing
/// orphaned stays live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_below_the_kept_headers_is_rolled_back_entirely() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 20).await;
    let accounts = anvil.accounts().await.expect("accounts");
    anvil.mine(300).await.expect("mine");
    transfers(&token, &accounts, 5).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(config(&anvil, &token, 2, ""), &db, RunOptions::default())
        .await
        .expect("engine");
    let chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    wait_until("backfill", Duration::from_secs(30), || {
        stored(&db).0 == chain
    })
    .await;

    // 310 blocks replaced: the 5 late transfers, 300 empty blocks, 5 early transfers.
    let tx = transfer_request(&token, &accounts);
    anvil.reorg(310, &[(tx, 0)]).await.expect("reorg");
    let new_chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    let orphaned: BTreeSet<Key> = chain.difference(&new_chain).cloned().collect();
    assert_eq!(orphaned.len(), 10);
    wait_until("reorg handled", Duration::from_secs(60), || {
        let (live, removed) = stored(&db);
        live == new_chain && removed == orphaned
    })
    .await;
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_of_depth_5_marks_removed_and_stores_the_new_branch() {
    reorg_case(5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_backfill_then_resume_stores_exactly_the_chain() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let spammer = anvil.deploy("EventSpammer", &[]).await.expect("deploy");
    for _ in 0..40 {
        spammer
            .send("spam", &[&accounts[1].to_string(), "250"])
            .await
            .expect("spam");
        // Spread over 640 blocks: far enough below the head for a bulk load (the amount
        // index is built at the end), and the backfill writes many times.
        anvil.mine(15).await.expect("mine");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{}max_block_range = 1\n[[listeners]]\nname = \"t\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
        network(&anvil, 0),
        spammer.address()
    );
    let config = write(dir.path(), "c.toml", &text);
    let db = dir.path().join("e.db");
    // Rows stored so far, whether the amount index exists (it is left out while a bulk
    // load runs) and whether transfers wait to be folded into the token state, read without
    // disturbing the writer.
    let peek = |db: &std::path::Path| -> (i64, bool, bool) {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
        let Ok(conn) = rusqlite::Connection::open_with_flags(db, flags) else {
            return (0, false, false);
        };
        let waiting = conn
            .query_row(
                "SELECT count(*) FROM token_totals WHERE pending_from IS NOT NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|n| n > 0);
        let rows = conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap_or(0);
        let indexed = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'events_amount'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|n| n > 0);
        (rows, indexed, waiting)
    };
    let mut seed = std::process::id() as u64;
    let (mut before, mut mid_backfill, mut cut_bulk_load, mut cut_fold) = (0i64, 0, false, false);
    for round in 0..6 {
        let mut child = run_command(&config, &db).spawn().expect("spawn");
        // Killed at a random moment once this run has stored something of its own.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while peek(&db).0 <= before && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = (seed >> 33) % 120;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let (after, indexed, waiting) = peek(&db);
        eprintln!("round {round}: killed {ms} ms after its first write, {after} events stored");
        if before < after && after < 10_000 {
            mid_backfill += 1;
        }
        cut_bulk_load |= !indexed && after < 10_000;
        cut_fold |= waiting;
        before = after;
        if after >= 10_000 {
            break;
        }
    }
    assert!(
        mid_backfill >= 3,
        "only {mid_backfill} kills landed in the middle of the backfill"
    );
    assert!(cut_bulk_load, "no kill interrupted the bulk load");
    assert!(cut_fold, "no kill left transfers waiting to be folded in");
    let out = run_until_head_cli(&config, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let chain: BTreeSet<Key> = chain_logs(&anvil, &spammer.address().to_string())
        .await
        .into_iter()
        .collect();
    assert_eq!(chain.len(), 10_000);
    let (live, removed) = stored(&db);
    assert!(removed.is_empty());
    assert_eq!(live.len(), chain.len(), "no event missing or doubled");
    assert_eq!(live, chain);
    let conn = rusqlite::Connection::open(&db).expect("open");
    let indexed: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'events_amount'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert!(indexed, "the amount index is back after the bulk load");
    drop(conn);

    // The token state holds each transfer once: 40 times 1 + 2 + … + 250 to accounts[1],
    // as much out of the spammer (which mints nothing: its balance is below zero).
    let token = spammer.address().to_string();
    let out = tokenwatch(&[
        "holders",
        "--db",
        db.to_str().expect("utf-8"),
        "--network",
        "local",
        "--token",
        &token,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
    let held: Vec<(String, String)> = rows
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| {
            let r = r.expect("row");
            (r["holder"].clone(), r["balance"].clone())
        })
        .collect();
    assert_eq!(
        held,
        [(accounts[1].to_string(), (40 * 125 * 251).to_string())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_down_then_back_the_engine_catches_up() {
    let mut anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(config(&anvil, &token, 0, ""), &db, RunOptions::default())
        .await
        .expect("engine");
    wait_until("backfill", Duration::from_secs(30), || {
        stored(&db).0.len() == 4
    })
    .await;
    anvil.stop().await.expect("stop node");
    // The outage is seen and shown, not taken for a quiet chain.
    wait_until("the outage shown", Duration::from_secs(30), || {
        engine.status().networks[0].error.is_some()
    })
    .await;
    anvil.restart().await.expect("restart node");
    let accounts = anvil.accounts().await.expect("accounts");
    token
        .send("transfer", &[&accounts[2].to_string(), "99"])
        .await
        .expect("transfer");
    let chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    wait_until("catch-up after the outage", Duration::from_secs(60), || {
        stored(&db).0 == chain
    })
    .await;
    wait_until(
        "the outage no longer shown",
        Duration::from_secs(30),
        || engine.status().networks[0].error.is_none(),
    )
    .await;
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_heads_wake_the_engine_and_a_dropped_subscription_recovers() {
    let mut anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 2).await;
    let accounts = anvil.accounts().await.expect("accounts");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    // Polling once a minute: only the WebSocket subscription can make this fast.
    let text = format!(
        "[[networks]]\nname = \"local\"\nchain_id = {}\nrpc = [\"{}\", \"{}\"]\nconfirmations = 0\npoll_interval_ms = 60000\n\n[[listeners]]\nname = \"t\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
        anvil.chain_id(),
        anvil.url(),
        anvil.ws_url(),
        token.address()
    );
    let config = Config::parse(&text, std::path::Path::new(".")).expect("config");
    let engine = Engine::start(config, &db, RunOptions::default())
        .await
        .expect("engine");
    wait_until("backfill", Duration::from_secs(30), || {
        stored(&db).0.len() == 3
    })
    .await;
    // Whether the subscription is up yet or not: once it is, a head (or the subscription's
    // own answer) wakes the engine; polling alone would take a minute.
    token
        .send("transfer", &[&accounts[3].to_string(), "5"])
        .await
        .expect("transfer");
    wait_until("live event via newHeads", Duration::from_secs(10), || {
        stored(&db).0.len() == 4
    })
    .await;

    // The node restarts: the subscription drops, reconnects, and the gap is filled.
    anvil.stop().await.expect("stop");
    anvil.restart().await.expect("restart");
    token
        .send("transfer", &[&accounts[4].to_string(), "6"])
        .await
        .expect("transfer");
    token
        .send("transfer", &[&accounts[4].to_string(), "7"])
        .await
        .expect("transfer");
    let chain: BTreeSet<Key> = chain_logs(&anvil, &token.address().to_string())
        .await
        .into_iter()
        .collect();
    wait_until(
        "gap filled after reconnect",
        Duration::from_secs(30),
        || stored(&db).0 == chain,
    )
    .await;
    engine.shutdown().await.expect("shutdown");
}

//! Listeners added, paused, resumed and removed while the engine runs, without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::time::{Duration, Instant};

use tokenwatch_engine::status::ListenerPhase;
use tokenwatch_engine::store::{EventFilter, Store};
use tokenwatch_engine::{Config, Engine, RunOptions};
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::{Anvil, Contract};

fn count(db: &std::path::Path, listener: &str) -> usize {
    let Ok(store) = Store::open_reader(db) else {
        return 0;
    };
    let filter = EventFilter {
        listener: Some(listener.into()),
        ..EventFilter::default()
    };
    store.for_each_event(&filter, |_| Ok(())).unwrap_or(0) as usize
}

async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn config(anvil: &Anvil, listeners: &[(&str, &Contract, bool)]) -> Config {
    let mut text = network(anvil, 0);
    for (name, token, paused) in listeners {
        text.push_str(&format!(
            "\n[[listeners]]\nname = \"{name}\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\npaused = {paused}\n",
            token.address()
        ));
    }
    Config::parse(&text, std::path::Path::new(".")).expect("config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_change_while_the_engine_runs() {
    let anvil = Anvil::start().await.expect("anvil");
    let acc = anvil.accounts().await.expect("accounts");
    let one = anvil
        .deploy("TestERC20", &["One", "ONE", "18"])
        .await
        .expect("deploy");
    let two = anvil
        .deploy("TestERC20", &["Two", "TWO", "18"])
        .await
        .expect("deploy");
    one.send("mint", &[&acc[0].to_string(), "1000"])
        .await
        .expect("mint");
    two.send("mint", &[&acc[0].to_string(), "1000"])
        .await
        .expect("mint");
    two.send("transfer", &[&acc[1].to_string(), "1"])
        .await
        .expect("transfer");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");

    let mut engine = Engine::start(
        config(&anvil, &[("a", &one, false)]),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    wait_until("a backfilled", || count(&db, "a") == 1).await;

    // Add a listener: it backfills from its start block; the first keeps following.
    engine
        .apply(config(&anvil, &[("a", &one, false), ("b", &two, false)]))
        .await;
    wait_until("b backfilled", || count(&db, "b") == 2).await;
    one.send("transfer", &[&acc[2].to_string(), "2"])
        .await
        .expect("transfer");
    wait_until("a follows live", || count(&db, "a") == 2).await;

    // Pause a: nothing new is stored for it, and the status says paused.
    engine
        .apply(config(&anvil, &[("a", &one, true), ("b", &two, false)]))
        .await;
    one.send("transfer", &[&acc[3].to_string(), "3"])
        .await
        .expect("transfer");
    two.send("transfer", &[&acc[3].to_string(), "3"])
        .await
        .expect("transfer");
    wait_until("b follows while a is paused", || count(&db, "b") == 3).await;
    assert_eq!(count(&db, "a"), 2, "a paused: nothing new stored");
    let phase = |e: &Engine, n: &str| {
        e.status()
            .listeners
            .iter()
            .find(|l| l.name == n)
            .map(|l| l.phase.clone())
    };
    assert_eq!(phase(&engine, "a"), Some(ListenerPhase::Paused));

    // Resume a: it catches up on what happened while paused.
    engine
        .apply(config(&anvil, &[("a", &one, false), ("b", &two, false)]))
        .await;
    wait_until("a caught up after resume", || count(&db, "a") == 3).await;

    // Remove b: gone from the status, its stored events stay.
    engine.apply(config(&anvil, &[("a", &one, false)])).await;
    assert_eq!(phase(&engine, "b"), None);
    assert_eq!(count(&db, "b"), 3);
    engine.shutdown().await.expect("shutdown");
}

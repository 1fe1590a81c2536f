//! A following engine checks its tokens against the chain when asked, not only every ten
//! minutes: a balance changed behind its back (no event) is found at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::time::Duration;

use tokenwatch_engine::store::Store;
use tokenwatch_engine::{Engine, RunOptions};
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::Anvil;

/// The token's check result, once it is `want` (or after `wait`).
async fn reconciliation(db: &std::path::Path, want: &str, wait: Duration) -> String {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let got = Store::open_reader(db)
            .and_then(|s| s.token_states())
            .map(|t| {
                t.first()
                    .map(|t| t.reconciliation.clone())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        if got == want || tokio::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_asked_for_runs_at_once_while_following() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Asked", "ASK", "0"])
        .await
        .expect("deploy");
    token
        .send("mint", &[&accounts[1].to_string(), "100"])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let config = parse_config(&format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "ask",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0"
        )
    ));
    let engine = Engine::start(config, &db, RunOptions::default())
        .await
        .expect("start");
    // Caught up, the engine checks once by itself.
    assert_eq!(
        reconciliation(&db, "ok", Duration::from_secs(20)).await,
        "ok"
    );
    // A balance changes with no event; the next periodic check is ten minutes away.
    token
        .send("rebase", &[&accounts[1].to_string(), "150"])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(reconciliation(&db, "mismatch", Duration::ZERO).await, "ok");
    engine.token_check().check_now();
    let got = reconciliation(&db, "mismatch", Duration::from_secs(10)).await;
    let state = Store::open_reader(&db).unwrap().token_states().unwrap();
    assert_eq!(
        got, "mismatch",
        "asked, the engine checks at once: {state:?}"
    );
    engine.shutdown().await.expect("shutdown");
}

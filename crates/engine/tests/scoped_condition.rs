//! A clause for one event on a real chain: a listener on a security token's Transfer,
//! AddressFrozen, TokensFrozen and RecoverySuccess with `Transfer(to == …)` stores the
//! transfers to that wallet and every event of the other kinds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use tokenwatch_testkit::system::*;
use tokenwatch_testkit::Anvil;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clause_for_transfers_filters_transfers_and_keeps_the_other_events() {
    let anvil = Anvil::start().await.expect("anvil");
    let acc = anvil.accounts().await.expect("accounts");
    let (a0, a1, a2) = (acc[0].to_string(), acc[1].to_string(), acc[2].to_string());
    let bond = anvil
        .deploy("SecurityToken", &["Demo Bond", "DBOND", "18"])
        .await
        .expect("deploy");
    let mut wanted = Vec::new();
    // Transfer to a1 (a mint): not to a2, left out.
    bond.send("mint", &[&a1, "1000"]).await.expect("mint");
    // Transfer to a2: stored.
    let r = bond
        .send_from(acc[1], "transfer", &[&a2, "100"])
        .await
        .expect("transfer");
    wanted.push((r.transaction_hash, "Transfer"));
    // AddressFrozen, both ways: stored, it has no `to`.
    for frozen in ["true", "false"] {
        let r = bond
            .send("setAddressFrozen", &[&a1, frozen])
            .await
            .expect("freeze");
        wanted.push((r.transaction_hash, "AddressFrozen"));
    }
    // TokensFrozen: stored.
    let r = bond
        .send("freezePartialTokens", &[&a1, "600"])
        .await
        .expect("freeze tokens");
    wanted.push((r.transaction_hash, "TokensFrozen"));
    // Recovery of a1 to a0: TokensUnfrozen (not watched), Transfer to a0 (left out),
    // TokensFrozen and RecoverySuccess (stored).
    let r = bond
        .send("recoveryAddress", &[&a1, &a0, &a2])
        .await
        .expect("recovery");
    wanted.push((r.transaction_hash, "TokensFrozen"));
    wanted.push((r.transaction_hash, "RecoverySuccess"));

    let dir = tempfile::tempdir().expect("tempdir");
    let events = [
        "erc3643:AddressFrozen",
        "erc3643:TokensFrozen",
        "erc3643:RecoverySuccess",
        "erc3643:Transfer",
    ];
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "bond",
            &[bond.address().to_string()],
            &events,
            &format!("from_block = 0\nwhere = \"Transfer(to == {a2})\""),
        )
    );
    let db = dir.path().join("scoped.db");
    run_until_head(parse_config(&text), &db).await;

    let mut stored: Vec<(String, String)> = stored_rows(&db, Some("bond"))
        .into_iter()
        .map(|e| (e.tx_hash, e.event))
        .collect();
    stored.sort();
    let mut wanted: Vec<(String, String)> = wanted
        .into_iter()
        .map(|(tx, event)| (format!("{tx:#x}"), event.to_string()))
        .collect();
    wanted.sort();
    assert_eq!(stored, wanted);
}

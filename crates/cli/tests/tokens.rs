//! Token state against a real chain: a token with random mints, transfers and burns among
//! many holders and a reorg, whose holder register from `tokenwatch holders` is compared
//! with `balanceOf` read at the same block, at several blocks; `tokenwatch tokens` and the
//! reconciliation `run --until-head` does; a balance changed without an event (a rebasing
//! token) reported as a mismatch; a history that starts late refused as partial.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;
use tokenwatch_testkit::{Address, Anvil, Contract, U256};

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random operations: mints to dev accounts and to fresh addresses, transfers and burns
/// between dev accounts. Returns every address that may hold tokens.
async fn activity(
    token: &Contract,
    accounts: &[Address],
    rng: &mut Rng,
    ops: usize,
) -> Vec<Address> {
    let mut holders: Vec<Address> = accounts.to_vec();
    for _ in 0..ops {
        let from = accounts[rng.below(accounts.len() as u64) as usize];
        let balance = balance_of(token, from, None).await;
        match rng.below(6) {
            0 | 1 => {
                let to = if rng.below(2) == 0 {
                    let fresh = Address::from_word(U256::from(rng.next()).into());
                    holders.push(fresh);
                    fresh
                } else {
                    from
                };
                let amount = (1 + rng.below(1_000_000)).to_string();
                token
                    .send("mint", &[&to.to_string(), &amount])
                    .await
                    .expect("mint");
            }
            2 if balance > U256::ZERO => {
                let amount = (U256::from(rng.next()) % balance).to_string();
                token
                    .send_from(from, "burn", &[&amount])
                    .await
                    .expect("burn");
            }
            _ if balance > U256::ZERO => {
                let to = accounts[rng.below(accounts.len() as u64) as usize];
                let amount = (U256::from(1 + rng.next()) % balance + U256::from(1)).min(balance);
                token
                    .send_from(from, "transfer", &[&to.to_string(), &amount.to_string()])
                    .await
                    .expect("transfer");
            }
            _ => {}
        }
    }
    holders
}

/// `balanceOf(holder)` read with `eth_call` at `block` (the latest when `None`).
async fn balance_of(token: &Contract, holder: Address, block: Option<u64>) -> U256 {
    let data = format!(
        "0x70a08231{:0>64}",
        holder.to_string().to_lowercase().trim_start_matches("0x")
    );
    let tag = block.map_or("latest".to_string(), |b| format!("{b:#x}"));
    let out = token
        .rpc()
        .rpc(
            "eth_call",
            serde_json::json!([{"to": token.address(), "data": data}, tag]),
        )
        .await
        .expect("eth_call");
    let hex = out
        .as_str()
        .expect("hex")
        .trim_start_matches("0x")
        .to_string();
    U256::from_str_radix(&hex, 16).expect("word")
}

/// `run --until-head`, which must succeed.
fn run_ok(cfg: &Path, db: &Path) -> std::process::Output {
    let out = run_until_head_cli(cfg, db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn config(anvil: &Anvil, token: &Contract, from_block: u64) -> String {
    format!(
        "{}{}",
        network(anvil, 0),
        listener(
            "dusd",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            &format!("from_block = {from_block}")
        )
    )
}

/// `tokenwatch holders` at `block`: holder -> balance, and the rows as CSV maps.
fn holders_at(
    db: &Path,
    token: &Contract,
    block: u64,
) -> (BTreeMap<Address, U256>, Vec<BTreeMap<String, String>>) {
    let out = tokenwatch(&[
        "holders",
        "--db",
        db.to_str().unwrap(),
        "--network",
        "local",
        "--token",
        &token.address().to_string(),
        "--at-block",
        &block.to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_maps(&out.stdout);
    let balances = rows
        .iter()
        .map(|r| (r["holder"].parse().unwrap(), r["balance"].parse().unwrap()))
        .collect();
    (balances, rows)
}

fn csv_maps(bytes: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect()
}

fn tokens_csv(db: &Path) -> Vec<BTreeMap<String, String>> {
    let out = tokenwatch(&["tokens", "--db", db.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    csv_maps(&out.stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn derived_balances_equal_balance_of_at_every_checked_block_through_a_reorg() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Dollar", "DUSD", "6"])
        .await
        .expect("deploy");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut holders = activity(&token, &accounts, &mut rng, 60).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(dir.path(), "t.toml", &config(&anvil, &token, 0));
    run_ok(&cfg, &db);

    // A reorg replaces the last three blocks (their transfers gone) with one other transfer.
    let stored_head = anvil.block_number().await.unwrap();
    let request = token
        .tx_request(
            &Default::default(),
            "mint",
            &[&accounts[3].to_string(), "777"],
        )
        .unwrap();
    anvil.reorg(3, &[(request, 1)]).await.expect("reorg");
    holders.extend(activity(&token, &accounts, &mut rng, 20).await);
    let out = run_ok(&cfg, &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("agrees with the chain at block"),
        "{stderr}"
    );

    holders.sort();
    holders.dedup();
    let head = anvil.block_number().await.unwrap();
    for block in [2, head / 3, stored_head - 2, stored_head, head - 1, head] {
        let (derived, rows) = holders_at(&db, &token, block);
        let mut total = U256::ZERO;
        for h in &holders {
            let chain = balance_of(&token, *h, Some(block)).await;
            total += chain;
            assert_eq!(
                derived.get(h).copied().unwrap_or_default(),
                chain,
                "{h} at block {block}"
            );
        }
        assert_eq!(
            derived.values().copied().sum::<U256>(),
            total,
            "nobody else holds any at {block}"
        );
        if let Some(top) = rows.first() {
            assert_eq!(top["symbol"], "DUSD");
            assert_eq!(top["block_number"], block.to_string());
            let units = tokenwatch_engine::units::exact(&top["balance"], 6).unwrap();
            assert_eq!(top["balance_units"], units);
        }
    }
    let supply = {
        let out = token.call("totalSupply", &[]).await.unwrap();
        out[0].as_uint().unwrap().0
    };
    let listed = tokens_csv(&db);
    assert_eq!(listed.len(), 1);
    let t = &listed[0];
    assert_eq!(
        [
            &t["symbol"],
            &t["decimals"],
            &t["supply"],
            &t["reconciliation"],
            &t["complete_from_block"]
        ],
        ["DUSD", "6", &supply.to_string(), "ok", "0"]
    );
    assert_eq!(t["reconciled_block"], head.to_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_balance_changed_without_an_event_is_reported_never_corrected() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Rebase", "RBS", "18"])
        .await
        .expect("deploy");
    for a in &accounts[..4] {
        token.send("mint", &[&a.to_string(), "1000"]).await.unwrap();
    }
    // As a rebasing token does: a balance grows, no Transfer says so.
    token
        .send("rebase", &[&accounts[0].to_string(), "1500"])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(dir.path(), "t.toml", &config(&anvil, &token, 0));
    let out = run_ok(&cfg, &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("RBS") && stderr.contains("DISAGREES"),
        "{stderr}"
    );
    let t = &tokens_csv(&db)[0];
    assert_eq!(t["reconciliation"], "mismatch");
    assert_eq!(
        t["supply"], "4000",
        "the stored transfers' supply, not corrected"
    );
    let (derived, _) = holders_at(&db, &token, anvil.block_number().await.unwrap());
    assert_eq!(derived[&accounts[0]], U256::from(1000));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_history_that_starts_after_the_tokens_first_transfer_is_partial() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Late", "LATE", "0"])
        .await
        .expect("deploy");
    for a in &accounts[..3] {
        token.send("mint", &[&a.to_string(), "10"]).await.unwrap();
    }
    let start = anvil.block_number().await.unwrap();
    token
        .send_from(accounts[0], "transfer", &[&accounts[1].to_string(), "4"])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(dir.path(), "t.toml", &config(&anvil, &token, start));
    run_ok(&cfg, &db);
    let t = &tokens_csv(&db)[0];
    assert_eq!(t["complete_from_block"], start.to_string());
    assert_eq!(t["reconciliation"], "unchecked");
    let refused = tokenwatch(&[
        "holders",
        "--db",
        db.to_str().unwrap(),
        "--network",
        "local",
        "--token",
        &token.address().to_string(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains(&format!("partial since block {start}")),
        "{message}"
    );

    // A token created after the listener's start is complete.
    let fresh = anvil
        .deploy("TestERC20", &["New", "NEW", "0"])
        .await
        .expect("deploy");
    fresh
        .send("mint", &[&accounts[0].to_string(), "5"])
        .await
        .unwrap();
    let both = format!(
        "{}{}",
        config(&anvil, &token, start),
        listener(
            "new",
            &[fresh.address().to_string()],
            &["erc20:Transfer"],
            &format!("from_block = {start}")
        )
    );
    let cfg = write(dir.path(), "both.toml", &both);
    run_ok(&cfg, &db);
    let listed = tokens_csv(&db);
    let new = listed.iter().find(|t| t["symbol"] == "NEW").expect("NEW");
    assert_eq!(new["reconciliation"], "ok", "{new:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn transfers_from_a_contract_that_is_no_token_are_not_called_a_mismatch() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let spammer = anvil.deploy("EventSpammer", &[]).await.expect("deploy");
    spammer
        .send("spam", &[&accounts[1].to_string(), "5"])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(dir.path(), "t.toml", &config(&anvil, &spammer, 0));
    let out = run_ok(&cfg, &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("DISAGREES"), "{stderr}");
    let t = &tokens_csv(&db)[0];
    assert_eq!(
        (t["reconciliation"].as_str(), t["holders"].as_str()),
        ("unchecked", "1")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_labels_holders_from_the_address_book() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Labelled", "LBL", "0"])
        .await
        .expect("deploy");
    for (a, n) in accounts[..3].iter().zip(["300", "200", "100"]) {
        token.send("mint", &[&a.to_string(), n]).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(dir.path(), "t.toml", &config(&anvil, &token, 0));
    run_ok(&cfg, &db);
    {
        let store = tokenwatch_engine::store::Store::open(&db).expect("open");
        store.set_label(None, accounts[0], "Treasury").unwrap();
        store
            .set_label(Some("local"), accounts[0], "Local treasury")
            .unwrap();
        store
            .set_label(Some("mainnet"), accounts[1], "Elsewhere")
            .unwrap();
        store.set_label(None, accounts[2], "=Investor").unwrap();
    }
    let (_, rows) = holders_at(&db, &token, anvil.block_number().await.unwrap());
    let labels: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["balance"].as_str(), r["label"].as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("300", "Local treasury"),
            ("200", ""),
            ("100", "'=Investor")
        ],
        "the network's own label wins; another network's does not hold; a formula is escaped"
    );
}

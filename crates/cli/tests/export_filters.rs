//! `tokenwatch export` takes History's sharper filters and its orders: the contract by
//! symbol, an address as sender or receiver, an amount range in token units, and the sort.
//! A value that is not one is refused with exit 2, naming the field.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use common::*;
use tokenwatch_testkit::Anvil;

/// The `value` cells of an export (one per row, in the file's order).
fn values(db: &std::path::Path, extra: &[&str]) -> Vec<u64> {
    export(db, extra)
        .iter()
        .map(|r| r[16].parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn export_filters_by_symbol_direction_amount_and_sorts() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    // A mint of 1e9 to account 0, then transfers of 1..=10 to accounts 1..5 in turn.
    let token = token_with_transfers(&anvil, 10).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(
        dir.path(),
        "t.toml",
        &format!(
            "{}{}",
            network(&anvil, 0),
            listener(
                "t",
                &[token.address().to_string()],
                &["erc20:Transfer"],
                "from_block = 0"
            )
        ),
    );
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db_ = db.as_path();

    // By symbol, any case; to account 1 (transfers 1 and 6); from account 0 (all ten).
    let one = accounts[1].to_string();
    assert_eq!(
        values(
            db_,
            &["--contract", "t", "--address", &one, "--direction", "to"]
        ),
        [1, 6]
    );
    assert_eq!(
        values(db_, &["--address", &one, "--direction", "from"]),
        Vec::<u64>::new()
    );
    let zero = accounts[0].to_string();
    assert_eq!(
        values(db_, &["--address", &zero, "--direction", "from"]).len(),
        10
    );
    // 18 decimals: 5 raw is 0.000000000000000005 T.
    let min = "0.000000000000000005";
    let max = "0.000000000000000008";
    assert_eq!(
        values(db_, &["--min-amount", min, "--max-amount", max]),
        [5, 6, 7, 8]
    );
    assert_eq!(
        values(
            db_,
            &["--min-amount", min, "--max-amount", max, "--sort", "newest"]
        ),
        [8, 7, 6, 5]
    );
    assert_eq!(
        values(db_, &["--sort", "amount-desc"])[..3],
        [1_000_000_000, 10, 9]
    );

    for (args, named) in [
        (vec!["--min-amount", "lots"], "amount"),
        (vec!["--address", "0x12"], "address"),
        (vec!["--contract", "NOPE"], "NOPE"),
    ] {
        let mut all = vec!["export", "--db", db.to_str().unwrap()];
        all.extend(args.iter().copied());
        let out = tokenwatch(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.to_lowercase().contains(&named.to_lowercase()),
            "{args:?}: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_takes_a_tokens_name_as_its_contract() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["Test Dollar", "TDL", "6"])
        .await
        .expect("deploy");
    token
        .send("mint", &[&accounts[0].to_string(), "1000"])
        .await
        .expect("mint");
    token
        .send("transfer", &[&accounts[1].to_string(), "7"])
        .await
        .expect("transfer");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = write(
        dir.path(),
        "t.toml",
        &format!(
            "{}{}",
            network(&anvil, 0),
            listener("t", &[], &["erc20:Transfer"], "from_block = 0")
        ),
    );
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The name the contract's name() answers, in any case.
    assert_eq!(values(&db, &["--contract", "test DOLLAR"]), [1000, 7]);
}

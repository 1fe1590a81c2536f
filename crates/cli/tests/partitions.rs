//! `tokenwatch registers` of an ERC-1400 token on a real chain: issues, transfers (one into
//! another partition), redemptions stored by `run --until-head` must give the balances per
//! partition the contract's `balanceOfByPartition` gives; partition names that are not
//! printable show as hex, and one that a spreadsheet would run is escaped. A reorg that
//! takes transfers and a redemption away takes them out of the register too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::collections::BTreeSet;

use common::*;
use tokenwatch_testkit::{Address, Anvil, B256, U256};

/// A partition name as the contract takes it: text padded with zero bytes.
fn partition(name: &[u8]) -> String {
    B256::right_padding_from(name).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_partition_register_says_what_balance_of_by_partition_says() {
    let anvil = Anvil::start().await.expect("anvil");
    let a = anvil.accounts().await.expect("accounts");
    let token = anvil.deploy("PartitionToken", &[]).await.expect("deploy");
    let s = |x: &Address| x.to_string();
    let (class_a, locked, binary, formula) = (
        partition(b"class A"),
        partition(b"locked"),
        B256::repeat_byte(0x01).to_string(),
        partition(b"=HYPERLINK(\"x\")"),
    );
    for (p, who, v) in [
        (&class_a, a[1], "1000"),
        (&class_a, a[2], "500"),
        (&locked, a[1], "300"),
        (&binary, a[3], "7"),
        (&formula, a[4], "9"),
    ] {
        token
            .send("issueByPartition", &[p, &s(&who), v, "0x"])
            .await
            .expect("issue");
    }
    token
        .send_from(
            a[1],
            "transferByPartition",
            &[&class_a, &s(&a[3]), "400", "0x"],
        )
        .await
        .expect("transfer");
    token
        .send_from(
            a[2],
            "transferByPartitionTo",
            &[&class_a, &locked, &s(&a[3]), "200"],
        )
        .await
        .expect("transfer to another partition");
    token
        .send_from(a[1], "redeemByPartition", &[&locked, "300", "0x"])
        .await
        .expect("redeem");

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let cfg = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "parts",
            &[token.address().to_string()],
            &["erc1400"],
            "from_block = 0"
        )
    );
    let cfg = write(dir.path(), "t.toml", &cfg);
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let got = partition_rows(&db, &token.address().to_string());
    let row = |p: &str, w: Address, v: &str| (p.to_string(), w, v.to_string());
    // By partition (its bytes), then largest first.
    assert_eq!(
        got,
        [
            row(&binary, a[3], "7"),
            row("'=HYPERLINK(\"x\")", a[4], "9"),
            row("class A", a[1], "600"),
            row("class A", a[3], "400"),
            row("class A", a[2], "300"),
            row("locked", a[3], "200"),
        ],
        "a[1]'s locked tokens were all redeemed"
    );

    let partitions = [
        (&class_a, "class A"),
        (&locked, "locked"),
        (&binary, binary.as_str()),
        (&formula, "'=HYPERLINK(\"x\")"),
    ];
    contract_agrees(&token, &a[..5], &partitions, &got).await;

    // A reorg takes the last three blocks away (both transfers and the redemption): the
    // next run takes their partition events back out.
    anvil.reorg(3, &[]).await.expect("reorg");
    let out = run_until_head_cli(&cfg, &db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = partition_rows(&db, &token.address().to_string());
    assert_eq!(
        got,
        [
            row(&binary, a[3], "7"),
            row("'=HYPERLINK(\"x\")", a[4], "9"),
            row("class A", a[1], "1000"),
            row("class A", a[2], "500"),
            row("locked", a[1], "300"),
        ]
    );
    contract_agrees(&token, &a[..5], &partitions, &got).await;
}

/// (partition as shown, holder, balance) of every `partition` row of `tokenwatch registers`.
fn partition_rows(db: &std::path::Path, token: &str) -> Vec<(String, Address, String)> {
    let out = tokenwatch(&[
        "registers",
        "--db",
        db.to_str().unwrap(),
        "--network",
        "local",
        "--token",
        token,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (reg, part, who, value) = (
        col("register"),
        col("partition"),
        col("address"),
        col("value"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    rows.iter()
        .map(|r| {
            assert_eq!(&r[reg], "partition", "{r:?}");
            (
                r[part].to_string(),
                r[who].parse().unwrap(),
                r[value].to_string(),
            )
        })
        .collect()
}

/// The contract's `balanceOfByPartition` gives every listed balance, and zero for holders
/// not listed.
async fn contract_agrees(
    token: &tokenwatch_testkit::Contract,
    holders: &[Address],
    partitions: &[(&String, &str)],
    got: &[(String, Address, String)],
) {
    let listed: BTreeSet<_> = got.iter().cloned().collect();
    for (raw, shown) in partitions {
        for holder in holders {
            let v = token
                .call("balanceOfByPartition", &[raw, &holder.to_string()])
                .await
                .unwrap()[0]
                .as_uint()
                .unwrap()
                .0;
            let expected = (v != U256::ZERO).then(|| (shown.to_string(), *holder, v.to_string()));
            let found = listed
                .iter()
                .find(|r| r.0 == *shown && r.1 == *holder)
                .cloned();
            assert_eq!(found, expected, "{shown} {holder}");
        }
    }
}

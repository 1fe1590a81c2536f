//! A condition that fails on real logs (an overflow): the logs are counted for the listener
//! like undecodable ones and logged at WARN once per listener and chunk of blocks, not once per log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use common::*;
use tokenwatch_testkit::{Anvil, U256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overflowing_condition_is_counted_and_logged_per_chunk_not_per_log() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["T", "T", "18"])
        .await
        .expect("deploy");
    // A value of 2^190 or more cubed overflows; 5 cubed does not.
    let huge = (U256::from(1u8) << 200usize).to_string();
    let mint = token
        .send("mint", &[&accounts[0].to_string(), &huge])
        .await
        .expect("mint");
    let big = (U256::from(1u8) << 190usize).to_string();
    for _ in 0..10 {
        token
            .send("transfer", &[&accounts[1].to_string(), &big])
            .await
            .expect("transfer");
    }
    let small = token
        .send("transfer", &[&accounts[2].to_string(), "5"])
        .await
        .expect("transfer");

    let dir = tempfile::tempdir().expect("tempdir");
    let c = [token.address().to_string()];
    let text = format!(
        "{}{}{}",
        network(&anvil, 0),
        listener(
            "cube",
            &c,
            &["erc20:Transfer"],
            "from_block = 0\nwhere = \"value * value * value > 1\""
        ),
        listener(
            "plain",
            &c,
            &["erc20:Transfer"],
            "from_block = 0\nwhere = \"value > 1\""
        )
    );
    let config = write(dir.path(), "tokenwatch.toml", &text);
    let db = dir.path().join("c.db");
    let out = run_until_head_cli(&config, &db);
    let stderr = plain(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");

    let cube = stored_rows(&db, Some("cube"));
    assert_eq!(cube.len(), 1, "only the small transfer matches");
    assert_eq!(cube[0].tx_hash, format!("{:#x}", small.transaction_hash));
    assert_eq!(stored_rows(&db, Some("plain")).len(), 12);
    assert_eq!(
        counts(&db),
        [("cube".to_string(), 11), ("plain".to_string(), 0)]
    );

    // One line per chunk of blocks (anvil's few blocks come in one or two: the newest
    // are read apart), each with the chunk's count and its first failing log.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("condition could not be evaluated"))
        .collect();
    assert!(
        (1..=2).contains(&warnings.len()),
        "one line per chunk, not per log:\n{stderr}"
    );
    let logs: u64 = warnings.iter().map(|w| field(w, "logs=")).sum();
    assert_eq!(logs, 11, "{stderr}");
    for part in [
        "listener=\"cube\"".to_string(),
        format!("first_block={}", mint.block_number),
        format!("first_tx={:#x}", mint.transaction_hash),
        "error=`value * value * value`: number overflows 256 bits".to_string(),
    ] {
        assert!(
            warnings[0].contains(&part),
            "{part} missing from {}",
            warnings[0]
        );
    }
}

/// The text without its terminal colour codes (`ESC[…m`).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        rest = rest.find('m').map_or("", |m| &rest[m + 1..]);
    }
    out.push_str(rest);
    out
}

/// The number after `key` in a log line.
fn field(line: &str, key: &str) -> u64 {
    let at = line.find(key).expect("field") + key.len();
    let digits: String = line[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number")
}

/// The listeners' counts of logs that could not be decoded or evaluated, by name.
fn counts(db: &std::path::Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut q = conn
        .prepare("SELECT name, undecodable FROM listeners ORDER BY name")
        .expect("query");
    q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("counts")
}

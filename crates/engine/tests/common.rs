//! Helpers shared by the engine's system tests: the `tokenwatch` binary, configs, chain reads.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tokenwatch_testkit::Anvil;

pub fn tokenwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenwatch"))
        .args(args)
        .env("TOKENWATCH_LOG", "warn")
        .output()
        .expect("run tokenwatch")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// A network section for this anvil.
pub fn network(anvil: &Anvil, confirmations: u64) -> String {
    format!(
        "[[networks]]\nname = \"local\"\nchain_id = {}\nrpc = [\"{}\"]\nconfirmations = {confirmations}\npoll_interval_ms = 100\n",
        anvil.chain_id(),
        anvil.url()
    )
}

/// CSV rows (without header) of `tokenwatch export`.
pub fn export(db: &Path, extra: &[&str]) -> Vec<csv::StringRecord> {
    let mut args = vec!["export", "--db", db.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let out = tokenwatch(&args);
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.records().map(|x| x.expect("csv row")).collect()
}

/// (block_number, tx_hash, log_index) of every log the chain holds for `address`.
pub async fn chain_logs(anvil: &Anvil, address: &str) -> Vec<(u64, String, u64)> {
    let logs = anvil
        .logs(serde_json::json!({"fromBlock": "0x0", "toBlock": "latest", "address": address}))
        .await
        .expect("eth_getLogs");
    let mut out: Vec<_> = logs
        .iter()
        .map(|l| {
            (
                l.block_number,
                format!("{:#x}", l.transaction_hash),
                l.log_index,
            )
        })
        .collect();
    out.sort();
    out
}

/// The same triple from exported rows (columns block_number, tx_hash, log_index).
pub fn keys(rows: &[csv::StringRecord]) -> Vec<(u64, String, u64)> {
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r[2].parse().expect("block"),
                r[5].to_string(),
                r[6].parse().expect("log index"),
            )
        })
        .collect();
    out.sort();
    out
}

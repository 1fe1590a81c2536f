//! Helpers for the system tests of the engine and of the `tokenwatch` binary: config
//! sections, the engine run through its library API, stored rows, chain reads.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers fail the test loudly

use std::path::{Path, PathBuf};

use crate::{Address, Anvil, Contract};

/// Writes `text` to `dir/name`; returns the path.
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

/// (block_number, tx_hash, log_index) of one log.
pub type LogKey = (u64, String, u64);

pub fn key_of(e: &tokenwatch_engine::StoredEvent) -> LogKey {
    (e.block_number, e.tx_hash.clone(), e.log_index)
}

/// Every stored (event, listener) row for `listener` (all listeners when `None`), in chain
/// order, read through a separate read-only connection; empty while the database does not
/// exist yet.
pub fn stored_rows(db: &Path, listener: Option<&str>) -> Vec<tokenwatch_engine::StoredEvent> {
    use tokenwatch_engine::store::{EventFilter, Store};
    let Ok(store) = Store::open_reader(db) else {
        return Vec::new();
    };
    let filter = EventFilter {
        listener: listener.map(str::to_string),
        ..EventFilter::default()
    };
    let mut out = Vec::new();
    store
        .for_each_event(&filter, |e| {
            out.push(e);
            Ok(())
        })
        .expect("read events");
    out
}

/// Sorted keys of the rows with this status test; duplicates are kept so a doubled row shows.
fn keys_where(
    rows: &[tokenwatch_engine::StoredEvent],
    f: impl Fn(tokenwatch_engine::EventStatus) -> bool,
) -> Vec<LogKey> {
    let mut out: Vec<LogKey> = rows.iter().filter(|e| f(e.status)).map(key_of).collect();
    out.sort();
    out
}

/// Keys of rows not marked removed (pending or confirmed), sorted, duplicates kept.
pub fn live_keys(rows: &[tokenwatch_engine::StoredEvent]) -> Vec<LogKey> {
    keys_where(rows, |s| s != tokenwatch_engine::EventStatus::Removed)
}

/// Keys of rows marked removed, sorted, duplicates kept.
pub fn removed_keys(rows: &[tokenwatch_engine::StoredEvent]) -> Vec<LogKey> {
    keys_where(rows, |s| s == tokenwatch_engine::EventStatus::Removed)
}

/// Polls `f` every 100 ms until it holds; fails the test after `timeout`, with `detail()`.
pub async fn eventually(
    what: &str,
    timeout: std::time::Duration,
    mut f: impl FnMut() -> bool,
    detail: impl Fn() -> String,
) {
    let deadline = std::time::Instant::now() + timeout;
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}; {}",
            detail()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Parses a configuration (relative paths against the current directory).
pub fn parse_config(text: &str) -> tokenwatch_engine::Config {
    tokenwatch_engine::Config::parse(text, Path::new("."))
        .unwrap_or_else(|p| panic!("invalid config {p:?}:\n{text}"))
}

/// A listener section.
pub fn listener(name: &str, contracts: &[String], events: &[&str], extra: &str) -> String {
    let q = |v: &[String]| {
        v.iter()
            .map(|s| format!("\"{}\"", s.replace('"', "\\\"")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let events: Vec<String> = events.iter().map(|s| s.to_string()).collect();
    format!(
        "\n[[listeners]]\nname = \"{name}\"\nnetwork = \"local\"\ncontracts = [{}]\nevents = [{}]\n{extra}\n",
        q(contracts),
        q(&events)
    )
}

/// Runs the engine (library API) until everything up to the head is stored; returns the
/// final status board.
pub async fn run_until_head(
    config: tokenwatch_engine::Config,
    db: &Path,
) -> tokenwatch_engine::EngineStatus {
    let mut engine = tokenwatch_engine::Engine::start(
        config,
        db,
        tokenwatch_engine::RunOptions {
            until_head: true,
            ..Default::default()
        },
    )
    .await
    .expect("engine start");
    tokio::time::timeout(std::time::Duration::from_secs(45), engine.wait())
        .await
        .expect("engine reached the head in time")
        .expect("engine run");
    engine.status()
}

/// The status of listener `name`.
pub fn listener_status<'a>(
    status: &'a tokenwatch_engine::EngineStatus,
    name: &str,
) -> &'a tokenwatch_engine::status::ListenerStatus {
    status
        .listeners
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no listener {name:?} in {status:?}"))
}

/// Keys of every log `eth_getLogs` returns for `filter` (fromBlock 0 to latest are added
/// when missing), sorted.
pub async fn chain_keys(anvil: &Anvil, mut filter: serde_json::Value) -> Vec<LogKey> {
    filter
        .as_object_mut()
        .expect("filter object")
        .entry("fromBlock")
        .or_insert("0x0".into());
    filter
        .as_object_mut()
        .expect("filter object")
        .entry("toBlock")
        .or_insert("latest".into());
    let logs = anvil.logs(filter).await.expect("eth_getLogs");
    let mut out: Vec<LogKey> = logs
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

/// An address as a 32-byte topic (left-padded), for `eth_getLogs` filters.
pub fn address_topic(a: &Address) -> String {
    format!("0x{:0>64}", alloy_hex(a.as_slice()))
}

fn alloy_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A request for a transfer of 4242 units to dev account 7: a new branch's transaction in
/// reorg tests.
pub fn transfer_request(token: &Contract, accounts: &[Address]) -> serde_json::Value {
    token
        .tx_request(
            &Default::default(),
            "transfer",
            &[&accounts[7].to_string(), "4242"],
        )
        .expect("tx")
}

/// A fresh TestERC20 with a mint and `n` transfers, one block each.
pub async fn token_with_transfers(anvil: &Anvil, n: usize) -> crate::Contract {
    let accounts = anvil.accounts().await.expect("accounts");
    let token = anvil
        .deploy("TestERC20", &["T", "T", "18"])
        .await
        .expect("deploy");
    token
        .send("mint", &[&accounts[0].to_string(), "1000000000"])
        .await
        .expect("mint");
    transfers(&token, &accounts, n).await;
    token
}

/// `n` transfers of 1, 2, 3, ... to accounts 1 to 5 in turn, one block each.
pub async fn transfers(token: &crate::Contract, accounts: &[crate::Address], n: usize) {
    for i in 0..n {
        token
            .send(
                "transfer",
                &[&accounts[1 + i % 5].to_string(), &(i + 1).to_string()],
            )
            .await
            .expect("transfer");
    }
}

//! JSON-RPC client for a node (anvil): the raw `rpc` call plus typed helpers for the
//! calls tests need (blocks, logs, mining, snapshots, reorgs, receipts).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, U256};
use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::types::{parse_quantity, Log, Receipt};

/// How long [`Rpc::wait_receipt`] waits by default.
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A JSON-RPC error object returned by the node. Reachable from an `anyhow::Error` with
/// `err.downcast_ref::<RpcError>()`.
#[derive(Debug, Clone)]
pub struct RpcError {
    pub method: String,
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: {} (code {})",
            self.method, self.message, self.code
        )?;
        if let Some(data) = &self.data {
            write!(f, ", data: {data}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RpcError {}

/// A cheap-to-clone HTTP JSON-RPC client bound to one URL.
#[derive(Clone)]
pub struct Rpc {
    url: String,
    http: reqwest::Client,
    next_id: Arc<AtomicU64>,
}

impl fmt::Debug for Rpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rpc").field("url", &self.url).finish()
    }
}

impl Rpc {
    /// A client for `url` (e.g. `http://127.0.0.1:8545`).
    pub fn new(url: impl Into<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .context("building HTTP client")?;
        Ok(Self {
            url: url.into(),
            http,
            next_id: Arc::new(AtomicU64::new(1)),
        })
    }

    /// The node's HTTP URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with `params` (normally a JSON array) and returns the `result`.
    /// A JSON-RPC error becomes an [`RpcError`].
    pub async fn rpc(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let resp = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("{method}: request to {} failed", self.url))?;
        let status = resp.status();
        let text = resp
            .text()
            .await
            .with_context(|| format!("{method}: reading response"))?;
        let mut value: Value = serde_json::from_str(&text).with_context(|| {
            format!(
                "{method}: HTTP {status}, response is not JSON: {}",
                truncate(&text, 300)
            )
        })?;
        if let Some(err) = value.get("error").filter(|e| !e.is_null()) {
            return Err(RpcError {
                method: method.to_string(),
                code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
                message: err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                data: err.get("data").cloned(),
            }
            .into());
        }
        match value.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => bail!(
                "{method}: HTTP {status}, no result in {}",
                truncate(&text, 300)
            ),
        }
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64> {
        parse_quantity(&self.rpc("eth_chainId", json!([])).await?)
    }

    /// `eth_blockNumber`.
    pub async fn block_number(&self) -> Result<u64> {
        parse_quantity(&self.rpc("eth_blockNumber", json!([])).await?)
    }

    /// Mines `n` blocks now (`anvil_mine`), whatever the mining mode.
    pub async fn mine(&self, n: u64) -> Result<()> {
        self.rpc("anvil_mine", json!([format!("{n:#x}")])).await?;
        Ok(())
    }

    /// Turns automine on or off (`evm_setAutomine`). With automine off, transactions wait
    /// in the pool until [`mine`](Self::mine) (or interval mining) puts them in a block.
    pub async fn set_automine(&self, on: bool) -> Result<()> {
        self.rpc("evm_setAutomine", json!([on])).await?;
        Ok(())
    }

    /// Switches to interval mining, one block every `secs` seconds (`evm_setIntervalMining`);
    /// `0` disables interval mining.
    pub async fn set_interval_mining(&self, secs: u64) -> Result<()> {
        self.rpc("evm_setIntervalMining", json!([secs])).await?;
        Ok(())
    }

    /// Whether automine is on (`anvil_getAutomine`).
    pub async fn automine(&self) -> Result<bool> {
        self.rpc("anvil_getAutomine", json!([]))
            .await?
            .as_bool()
            .ok_or_else(|| anyhow!("anvil_getAutomine: not a bool"))
    }

    /// Takes a snapshot of the chain (`evm_snapshot`) and returns its id.
    pub async fn snapshot(&self) -> Result<U256> {
        let v = self.rpc("evm_snapshot", json!([])).await?;
        let s = v
            .as_str()
            .ok_or_else(|| anyhow!("evm_snapshot: unexpected result {v}"))?;
        U256::from_str_radix(s.trim_start_matches("0x"), 16)
            .with_context(|| format!("evm_snapshot: bad id {s}"))
    }

    /// Reverts the chain to snapshot `id` (`evm_revert`): blocks after the snapshot are dropped,
    /// and the next mined blocks reuse their heights with new hashes. A snapshot can be used once.
    pub async fn revert(&self, id: U256) -> Result<()> {
        let ok = self.rpc("evm_revert", json!([format!("{id:#x}")])).await?;
        if ok.as_bool() != Some(true) {
            bail!("evm_revert({id:#x}) returned {ok}: unknown or already used snapshot");
        }
        Ok(())
    }

    /// Replaces the last `depth` blocks with `depth` new blocks (`anvil_reorg`), so the chain
    /// keeps its height but every block above `head - depth` gets a new hash.
    ///
    /// `txs` are `(transaction request JSON, block offset)` pairs to put into the new blocks:
    /// the request is an `eth_sendTransaction`-style object (`from` defaults to the first dev
    /// account; nonce and gas are filled in by anvil), or a raw signed tx as a hex string; the
    /// offset counts from the first new block (0 = height `head - depth + 1`) and must be
    /// `< depth`. With an empty list the new blocks are empty, so the transactions and logs of
    /// the replaced blocks disappear (anvil does not put them back in the pool).
    /// See [`Contract::tx_request`](crate::Contract::tx_request) to build requests.
    pub async fn reorg(&self, depth: u64, txs: &[(Value, u64)]) -> Result<()> {
        let pairs: Vec<Value> = txs.iter().map(|(tx, offset)| json!([tx, offset])).collect();
        self.rpc("anvil_reorg", json!([depth, pairs])).await?;
        Ok(())
    }

    /// The node's unlocked dev accounts (`eth_accounts`; 10 on a default anvil).
    pub async fn accounts(&self) -> Result<Vec<Address>> {
        let v = self.rpc("eth_accounts", json!([])).await?;
        serde_json::from_value(v).context("eth_accounts: bad result")
    }

    /// `eth_getLogs` with a filter object such as
    /// `json!({"fromBlock": "0x0", "toBlock": "latest", "address": addr})`.
    pub async fn logs(&self, filter: Value) -> Result<Vec<Log>> {
        let v = self.rpc("eth_getLogs", json!([filter])).await?;
        let items = v
            .as_array()
            .ok_or_else(|| anyhow!("eth_getLogs: result is not an array"))?;
        items.iter().map(Log::from_json).collect()
    }

    /// `eth_getBlockByNumber(number, false)` (transaction hashes only); `None` above the head.
    pub async fn get_block(&self, number: u64) -> Result<Option<Value>> {
        let v = self
            .rpc(
                "eth_getBlockByNumber",
                json!([format!("{number:#x}"), false]),
            )
            .await?;
        Ok(if v.is_null() { None } else { Some(v) })
    }

    /// The hash of the block at `number`; error if there is none.
    pub async fn block_hash(&self, number: u64) -> Result<B256> {
        let block = self
            .get_block(number)
            .await?
            .ok_or_else(|| anyhow!("no block at height {number}"))?;
        serde_json::from_value(block["hash"].clone()).context("block without hash")
    }

    /// `eth_getCode` at the latest block.
    pub async fn code(&self, address: Address) -> Result<Vec<u8>> {
        let v = self.rpc("eth_getCode", json!([address, "latest"])).await?;
        let s = v
            .as_str()
            .ok_or_else(|| anyhow!("eth_getCode: not a string"))?;
        alloy_primitives::hex::decode(s).context("eth_getCode: bad hex")
    }

    /// Sends an `eth_sendTransaction` request (the node signs for its unlocked accounts) and
    /// returns the transaction hash without waiting for it to be mined.
    pub async fn send_transaction(&self, tx: Value) -> Result<B256> {
        let v = self.rpc("eth_sendTransaction", json!([tx])).await?;
        serde_json::from_value(v).context("eth_sendTransaction: bad tx hash")
    }

    /// The receipt of `tx`, or `None` while it is pending. Does not check the status.
    pub async fn receipt(&self, tx: B256) -> Result<Option<Receipt>> {
        let v = self.rpc("eth_getTransactionReceipt", json!([tx])).await?;
        if v.is_null() {
            return Ok(None);
        }
        Receipt::from_json(v).map(Some)
    }

    /// Waits (up to [`DEFAULT_RECEIPT_TIMEOUT`]) until `tx` is mined and returns its receipt;
    /// a reverted transaction is an error carrying the revert reason when it can be found.
    pub async fn wait_receipt(&self, tx: B256) -> Result<Receipt> {
        self.wait_receipt_timeout(tx, DEFAULT_RECEIPT_TIMEOUT).await
    }

    /// [`wait_receipt`](Self::wait_receipt) with an explicit timeout.
    pub async fn wait_receipt_timeout(&self, tx: B256, timeout: Duration) -> Result<Receipt> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(5);
        loop {
            if let Some(receipt) = self.receipt(tx).await? {
                if !receipt.status {
                    let reason = self.revert_reason(tx, receipt.block_number).await;
                    bail!(
                        "transaction {tx} reverted in block {}: {}",
                        receipt.block_number,
                        reason.unwrap_or_else(|| "no revert reason".to_string())
                    );
                }
                return Ok(receipt);
            }
            if start.elapsed() >= timeout {
                bail!("transaction {tx} not mined after {timeout:?} (automine off? call mine())");
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_millis(100));
        }
    }

    /// Replays a mined transaction with `eth_call` on its parent block's state to get the
    /// revert reason (best effort: later transactions of the same block are not replayed).
    async fn revert_reason(&self, tx: B256, block: u64) -> Option<String> {
        let t = self
            .rpc("eth_getTransactionByHash", json!([tx]))
            .await
            .ok()?;
        let call = json!({
            "from": t.get("from")?, "to": t.get("to")?, "input": t.get("input")?,
            "value": t.get("value")?, "gas": t.get("gas")?,
        });
        let parent = format!("{:#x}", block.saturating_sub(1));
        match self.rpc("eth_call", json!([call, parent])).await {
            Ok(_) => None,
            Err(e) => Some(
                e.downcast_ref::<RpcError>()
                    .map_or_else(|| e.to_string(), revert_message),
            ),
        }
    }
}

/// The human-readable part of a revert error: anvil puts the decoded reason in the message
/// (`execution reverted: ERC20: insufficient balance`); otherwise the `Error(string)` payload
/// in `data` is decoded.
pub(crate) fn revert_message(err: &RpcError) -> String {
    if err.message.contains(':') || err.data.is_none() {
        return err.message.clone();
    }
    let decoded = err
        .data
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|d| alloy_primitives::hex::decode(d).ok())
        .and_then(|d| crate::types::decode_error_string(&d));
    match decoded {
        Some(reason) => format!("{}: {reason}", err.message),
        None => err.message.clone(),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

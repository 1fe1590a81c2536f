//! Plain data types returned by the harness (receipts, logs) and small JSON/hex parsers.

use alloy_dyn_abi::DynSolType;
use alloy_primitives::{Address, Bytes, B256};
use anyhow::{anyhow, Context, Result};
use serde_json::Value;

/// A log as returned by `eth_getLogs` or in a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    pub address: Address,
    pub topics: Vec<B256>,
    pub data: Bytes,
    pub block_number: u64,
    pub block_hash: B256,
    pub transaction_hash: B256,
    pub transaction_index: u64,
    pub log_index: u64,
    pub removed: bool,
}

impl Log {
    /// Parses a JSON-RPC log object.
    pub fn from_json(v: &Value) -> Result<Self> {
        let field = |name: &str| v.get(name).cloned().unwrap_or(Value::Null);
        let parse = || -> Result<Self> {
            Ok(Self {
                address: serde_json::from_value(field("address")).context("address")?,
                topics: serde_json::from_value(field("topics")).context("topics")?,
                data: serde_json::from_value(field("data")).context("data")?,
                block_number: parse_quantity(&field("blockNumber")).context("blockNumber")?,
                block_hash: serde_json::from_value(field("blockHash")).context("blockHash")?,
                transaction_hash: serde_json::from_value(field("transactionHash"))
                    .context("transactionHash")?,
                transaction_index: parse_quantity(&field("transactionIndex"))
                    .context("transactionIndex")?,
                log_index: parse_quantity(&field("logIndex")).context("logIndex")?,
                removed: field("removed").as_bool().unwrap_or(false),
            })
        };
        parse().with_context(|| format!("bad log object: {v}"))
    }

    /// The event selector (`topics[0]`), if any (anonymous events have none).
    pub fn topic0(&self) -> Option<B256> {
        self.topics.first().copied()
    }
}

/// A transaction receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub transaction_hash: B256,
    pub block_number: u64,
    pub block_hash: B256,
    /// `true` on success.
    pub status: bool,
    pub gas_used: u64,
    /// Set for contract creations.
    pub contract_address: Option<Address>,
    pub logs: Vec<Log>,
    /// The receipt exactly as the node returned it.
    pub raw: Value,
}

impl Receipt {
    /// Parses a JSON-RPC receipt object.
    pub fn from_json(raw: Value) -> Result<Self> {
        let field = |name: &str| raw.get(name).cloned().unwrap_or(Value::Null);
        let parse = || -> Result<Self> {
            let logs = field("logs");
            let logs = logs
                .as_array()
                .ok_or_else(|| anyhow!("logs is not an array"))?;
            Ok(Self {
                transaction_hash: serde_json::from_value(field("transactionHash"))
                    .context("transactionHash")?,
                block_number: parse_quantity(&field("blockNumber")).context("blockNumber")?,
                block_hash: serde_json::from_value(field("blockHash")).context("blockHash")?,
                status: parse_quantity(&field("status")).context("status")? == 1,
                gas_used: parse_quantity(&field("gasUsed")).context("gasUsed")?,
                contract_address: serde_json::from_value(field("contractAddress"))
                    .context("contractAddress")?,
                logs: logs.iter().map(Log::from_json).collect::<Result<_>>()?,
                raw: Value::Null,
            })
        };
        let mut receipt = parse().with_context(|| format!("bad receipt: {raw}"))?;
        receipt.raw = raw;
        Ok(receipt)
    }
}

/// Parses a hex quantity (`"0x1a"`) or a JSON number into a `u64`.
pub fn parse_quantity(v: &Value) -> Result<u64> {
    match v {
        Value::String(s) => {
            let hex = s
                .strip_prefix("0x")
                .ok_or_else(|| anyhow!("quantity {s:?} without 0x"))?;
            u64::from_str_radix(hex, 16).with_context(|| format!("bad quantity {s:?}"))
        }
        Value::Number(n) => n.as_u64().ok_or_else(|| anyhow!("bad quantity {n}")),
        other => Err(anyhow!("expected a quantity, got {other}")),
    }
}

/// Decodes `Error(string)` revert data (selector `0x08c379a0`).
pub(crate) fn decode_error_string(data: &[u8]) -> Option<String> {
    let payload = data.strip_prefix(&[0x08, 0xc3, 0x79, 0xa0])?;
    DynSolType::String
        .abi_decode(payload)
        .ok()?
        .as_str()
        .map(str::to_string)
}

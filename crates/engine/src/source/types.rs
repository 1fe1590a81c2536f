//! The JSON shapes of the RPC answers the engine reads, parsed straight into alloy types.

use alloy_primitives::{Address, Bytes, B256, U64};
use serde::{Deserialize, Serialize};

/// A log as `eth_getLogs` returns it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcLog {
    pub address: Address,
    pub topics: Vec<B256>,
    pub data: Bytes,
    pub block_number: Option<U64>,
    pub block_hash: Option<B256>,
    pub transaction_hash: Option<B256>,
    pub log_index: Option<U64>,
    #[serde(default)]
    pub removed: bool,
    /// Some nodes include the block time in logs; others do not.
    pub block_timestamp: Option<U64>,
}

/// The header fields the engine needs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcHeader {
    pub number: U64,
    pub hash: B256,
    pub parent_hash: B256,
    pub timestamp: U64,
}

/// An `eth_getLogs` filter over a block range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFilter {
    pub from_block: U64,
    pub to_block: U64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<Address>,
    /// Position 0: any of these topic0 values; later positions: indexed-argument filters.
    pub topics: Vec<Option<Vec<B256>>>,
}

/// A block by number or by tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockTag {
    Number(u64),
    Latest,
    Safe,
    Finalized,
}

impl BlockTag {
    pub fn to_param(self) -> serde_json::Value {
        match self {
            BlockTag::Number(n) => serde_json::Value::String(format!("0x{n:x}")),
            BlockTag::Latest => "latest".into(),
            BlockTag::Safe => "safe".into(),
            BlockTag::Finalized => "finalized".into(),
        }
    }
}

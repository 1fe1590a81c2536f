//! A stored event as the app, the CSV export and deliveries see it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where an event stands with respect to the chain's finality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum EventStatus {
    /// In a block not yet deep enough for the network's confirmation policy.
    Pending,
    /// Deep enough; will not be retracted unless a reorg exceeds the policy.
    Confirmed,
    /// Its block was orphaned by a reorg.
    Removed,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Pending => "pending",
            EventStatus::Confirmed => "confirmed",
            EventStatus::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(EventStatus::Pending),
            "confirmed" => Some(EventStatus::Confirmed),
            "removed" => Some(EventStatus::Removed),
            _ => None,
        }
    }
}

/// One matched, decoded and stored event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StoredEvent {
    #[ts(type = "number")]
    pub id: i64,
    pub network: String,
    #[ts(type = "number")]
    pub chain_id: u64,
    #[ts(type = "number")]
    pub block_number: u64,
    pub block_hash: String,
    /// Block timestamp, seconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub block_time: Option<i64>,
    pub tx_hash: String,
    #[ts(type = "number")]
    pub log_index: u64,
    pub contract: String,
    /// Event name, e.g. `Transfer`.
    pub event: String,
    /// Canonical signature, e.g. `Transfer(address,address,uint256)`.
    pub signature: String,
    /// The listener this copy is for: a delivery's, or in History the first that matched.
    pub listener: String,
    /// Every listener that holds the log, the first one first.
    pub listeners: Vec<String>,
    pub status: EventStatus,
    /// Decoded arguments, keyed by name, values as produced by `decode::args_to_json`.
    #[ts(type = "Record<string, unknown>")]
    pub args: serde_json::Value,
    /// The keys of `args` in ABI order.
    pub arg_names: Vec<String>,
    /// The contract's `decimals()`, when known (fetched for listeners that deliver).
    pub decimals: Option<u8>,
    /// The contract's `symbol()`, when known.
    pub symbol: Option<String>,
}

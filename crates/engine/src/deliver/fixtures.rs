//! A message for the delivery tests: a stored event on `mainnet` with placeholder hashes,
//! for each test to change what it is about.

use serde_json::json;

use crate::event::{EventStatus, StoredEvent};
use crate::store::Queued;

/// Event 1, `event` with `signature`, pending, of listener `ops`, no arguments.
pub(crate) fn stored(event: &str, signature: &str) -> StoredEvent {
    StoredEvent {
        id: 1,
        network: "mainnet".into(),
        chain_id: 1,
        block_number: 7,
        block_hash: "0x01".into(),
        block_time: None,
        tx_hash: "0x02".into(),
        log_index: 0,
        contract: "0x03".into(),
        event: event.into(),
        signature: signature.into(),
        listener: "ops".into(),
        listeners: vec!["ops".into()],
        status: EventStatus::Pending,
        args: json!({}),
        arg_names: vec![],
        decimals: None,
        symbol: None,
    }
}

/// Message `id` announcing `status` about `event`, not tried yet.
pub(crate) fn queued(id: i64, status: EventStatus, event: StoredEvent) -> Queued {
    Queued {
        id,
        status,
        attempts: 0,
        event,
    }
}

//! A stored register event read for the registers (`compliance`, `identities`): its place,
//! its transaction, its event's name, and its topics and data to read the arguments from.

use alloy_primitives::{Address, B256, U256};

use super::compliance::RegisterChange;
use super::StoreError;

/// A stored register event, its arguments read from its topics and data.
pub(super) struct Row {
    pub(super) change: RegisterChange,
    pub(super) topics: Vec<B256>,
    pub(super) data: Vec<u8>,
}

impl Row {
    pub(super) fn address(&self, topic: usize) -> Option<Address> {
        self.topics
            .get(topic)
            .map(|t| Address::from_slice(&t[12..]))
    }

    /// The first word of the data.
    pub(super) fn word(&self) -> Option<U256> {
        self.data.get(..32).map(U256::from_be_slice)
    }
}

/// Reads a row of `id, block_number, block_time, tx_hash, topics, data`, naming its event
/// from `kinds` (topic0 in hex, name; empty when not there).
pub(super) fn read_row(r: &rusqlite::Row<'_>, kinds: &[(&str, &str)]) -> Result<Row, StoreError> {
    let topics: Vec<B256> = r
        .get_ref(4)?
        .as_blob()?
        .chunks_exact(32)
        .map(B256::from_slice)
        .collect();
    let topic0 = topics
        .first()
        .map(|t| alloy_primitives::hex::encode(t.as_slice()));
    let event = kinds
        .iter()
        .find(|(hash, _)| topic0.as_deref() == Some(*hash))
        .map_or("", |(_, name)| *name);
    let tx = B256::try_from(r.get_ref(3)?.as_blob()?)
        .map_err(|e| StoreError::Corrupt(format!("a transaction hash: {e}")))?;
    Ok(Row {
        change: RegisterChange {
            event_id: r.get(0)?,
            block: r.get::<_, i64>(1)? as u64,
            time: r.get(2)?,
            tx: tx.to_string(),
            event: event.to_string(),
            value: String::new(),
        },
        topics,
        data: r.get(5)?,
    })
}

//! Event definitions stored once (`event_kinds`), and the arguments of stored events
//! decoded back from their raw topics and data with them. Storing the raw log instead of
//! its arguments as text keeps the write path short; reads decode a page at a time.

use std::collections::HashMap;

use alloy_primitives::B256;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

use super::{Store, StoreError};
use crate::abi::json::{def_keys, event_args_to_json};
use crate::abi::EventDef;
use crate::decode::decode_log;

/// The id of `def` in `event_kinds`, added when new.
pub(super) fn id_of(tx: &Transaction<'_>, def: &EventDef) -> Result<i64, StoreError> {
    let abi = serde_json::to_string(&def.event)
        .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", def.signature)))?;
    let known: Option<i64> = tx
        .prepare_cached("SELECT id FROM event_kinds WHERE abi = ?1")?
        .query_row([&abi], |r| r.get(0))
        .optional()?;
    if let Some(id) = known {
        return Ok(id);
    }
    let names = serde_json::to_string(&def_keys(def)).unwrap_or_else(|_| "[]".into());
    tx.prepare_cached(
        "INSERT INTO event_kinds (abi, name, signature, arg_names) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![abi, def.event.name, def.signature, names])?;
    Ok(tx.last_insert_rowid())
}

/// One stored definition.
pub(crate) struct Kind {
    pub def: EventDef,
    pub arg_names: Vec<String>,
}

/// The stored definitions, by id (a database holds a handful).
pub(crate) struct Kinds(HashMap<i64, Kind>);

impl Store {
    /// Reads every stored definition.
    pub(crate) fn kinds(&self) -> Result<Kinds, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, abi FROM event_kinds")?;
        let mut rows = stmt.query([])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let abi: String = r.get(1)?;
            let bad = |e: String| StoreError::Corrupt(format!("event definition {id}: {e}"));
            let event = serde_json::from_str(&abi).map_err(|e| bad(e.to_string()))?;
            let def = EventDef::from_event(event).map_err(|e| bad(e.to_string()))?;
            let arg_names = def_keys(&def);
            out.insert(id, Kind { def, arg_names });
        }
        Ok(Kinds(out))
    }
}

impl Kinds {
    pub fn get(&self, id: i64) -> Result<&Kind, StoreError> {
        self.0
            .get(&id)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown event definition {id}")))
    }

    /// The arguments of a stored log (topics as 32-byte words back to back), as JSON.
    pub fn args(&self, id: i64, topics: &[u8], data: &[u8]) -> Result<Value, StoreError> {
        let kind = self.get(id)?;
        if !topics.len().is_multiple_of(32) {
            return Err(StoreError::Corrupt(format!(
                "stored topics of {} bytes",
                topics.len()
            )));
        }
        let topics: Vec<B256> = topics.chunks_exact(32).map(B256::from_slice).collect();
        let args = decode_log(&kind.def, &topics, data).map_err(|e| {
            StoreError::Corrupt(format!("a stored {} log: {e}", kind.def.signature))
        })?;
        Ok(event_args_to_json(&kind.def, &args))
    }
}

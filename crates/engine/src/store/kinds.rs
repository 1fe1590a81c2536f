//! Event definitions stored once (`event_kinds`), and the arguments of stored events
//! decoded back from their raw topics and data with them. Storing the raw log instead of
//! its arguments as text keeps the write path short; reads decode a page at a time.

use std::collections::HashMap;
use std::sync::Arc;

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::B256;
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

use super::{Store, StoreError};
use crate::abi::is_value_type;
use crate::abi::json::{arg_json, def_keys, event_args_to_json, write_value_json};
use crate::abi::EventDef;
use crate::decode::decode_log;
use crate::value::DecodedArg;

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
    tx.prepare_cached("INSERT INTO event_kinds (abi, name, signature) VALUES (?1, ?2, ?3)")?
        .execute(params![abi, def.event.name, def.signature])?;
    Ok(tx.last_insert_rowid())
}

/// The `event_kinds` ids of a commit's definitions, by address: a commit holds the
/// matcher's few shared ones.
#[derive(Default)]
pub(super) struct KindIds(HashMap<*const EventDef, i64>);

impl KindIds {
    pub(super) fn id(
        &mut self,
        tx: &Transaction<'_>,
        def: &Arc<EventDef>,
    ) -> Result<i64, StoreError> {
        if let Some(id) = self.0.get(&Arc::as_ptr(def)) {
            return Ok(*id);
        }
        let id = id_of(tx, def)?;
        self.0.insert(Arc::as_ptr(def), id);
        Ok(id)
    }
}

/// One stored definition.
pub(crate) struct Kind {
    pub def: EventDef,
    /// The keys of its arguments' JSON, in ABI order.
    pub arg_names: Vec<String>,
    /// Positions of `arg_names` in sorted order (a JSON object's key order).
    sorted: Vec<usize>,
    /// Each key as JSON text with its colon: `"from":`.
    key_json: Vec<String>,
}

/// The stored definitions, by id (a database holds a handful). While it lives, the
/// connection reads one snapshot: rows read with it cannot name a definition the writer
/// added after it was read.
pub(crate) struct Kinds<'c> {
    by_id: HashMap<i64, Kind>,
    conn: &'c rusqlite::Connection,
}

impl Drop for Kinds<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.conn.execute_batch("RELEASE kinds") {
            tracing::warn!(error = %e, "ending a read snapshot failed");
        }
    }
}

impl Store {
    /// Reads every stored definition and keeps the read snapshot until dropped (declare
    /// it before the statements that use it).
    pub(crate) fn kinds(&self) -> Result<Kinds<'_>, StoreError> {
        self.conn.execute_batch("SAVEPOINT kinds")?;
        let mut kinds = Kinds {
            by_id: HashMap::new(),
            conn: &self.conn,
        };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, abi FROM event_kinds")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let abi: String = r.get(1)?;
            let bad = |e: String| StoreError::Corrupt(format!("event definition {id}: {e}"));
            let event = serde_json::from_str(&abi).map_err(|e| bad(e.to_string()))?;
            let def = EventDef::from_event(event).map_err(|e| bad(e.to_string()))?;
            let arg_names = def_keys(&def);
            let mut sorted: Vec<usize> = (0..arg_names.len()).collect();
            sorted.sort_by(|a, b| arg_names[*a].cmp(&arg_names[*b]));
            let key_json = arg_names
                .iter()
                .map(|k| format!("{}:", Value::String(k.clone())))
                .collect();
            kinds.by_id.insert(
                id,
                Kind {
                    def,
                    arg_names,
                    sorted,
                    key_json,
                },
            );
        }
        Ok(kinds)
    }
}

impl Kinds<'_> {
    /// The definitions with this signature and these argument names: their rows fill the
    /// same export columns.
    pub fn same_shape(&self, signature: &str, names: &[String]) -> Vec<i64> {
        let mut ids: Vec<i64> = (self.by_id.iter())
            .filter(|(_, k)| k.def.signature == signature && k.arg_names == names)
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    pub fn get(&self, id: i64) -> Result<&Kind, StoreError> {
        self.by_id
            .get(&id)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown event definition {id}")))
    }

    /// The arguments of a stored log (topics as 32-byte words back to back), as JSON.
    pub fn args(&self, id: i64, topics: &[u8], data: &[u8]) -> Result<Value, StoreError> {
        let kind = self.get(id)?;
        Ok(event_args_to_json(&kind.def, &kind.decode(topics, data)?))
    }
}

impl Kind {
    /// Decodes a stored log.
    pub fn decode(&self, topics: &[u8], data: &[u8]) -> Result<Vec<DecodedArg>, StoreError> {
        let topics: Vec<B256> = self.topics(topics)?.collect();
        decode_log(&self.def, &topics, data).map_err(|e| self.corrupt(e.to_string()))
    }

    /// Stored topics (32-byte words back to back) as words.
    fn topics<'a>(&self, raw: &'a [u8]) -> Result<impl Iterator<Item = B256> + 'a, StoreError> {
        if !raw.len().is_multiple_of(32) {
            return Err(self.corrupt(format!("topics of {} bytes", raw.len())));
        }
        Ok(raw.chunks_exact(32).map(B256::from_slice))
    }

    fn corrupt(&self, e: String) -> StoreError {
        StoreError::Corrupt(format!("a stored {} log: {e}", self.def.signature))
    }

    /// Appends the JSON text of a stored log's arguments: the text of
    /// [`event_args_to_json`], written without building it.
    pub fn write_args(
        &self,
        out: &mut String,
        topics: &[u8],
        data: &[u8],
    ) -> Result<(), StoreError> {
        let decoded = self
            .def
            .layout
            .decode_log_parts(self.topics(topics)?, data)
            .map_err(|e| self.corrupt(e.to_string()))?;
        let (mut indexed, mut body) = (decoded.indexed.iter(), decoded.body.iter());
        let inputs = &self.def.event.inputs;
        let values: Vec<&DynSolValue> = inputs
            .iter()
            .map(|p| {
                if p.indexed {
                    indexed.next()
                } else {
                    body.next()
                }
            })
            .collect::<Option<_>>()
            .ok_or_else(|| self.corrupt("a parameter is missing".into()))?;
        out.push('{');
        for (n, &i) in self.sorted.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(&self.key_json[i]);
            let p = &inputs[i];
            let hashed = p.indexed && self.def.types.get(i).is_some_and(|t| !is_value_type(t));
            let components = if hashed { &[][..] } else { &p.components[..] };
            write_value_json(out, values[i], components);
        }
        out.push('}');
        Ok(())
    }

    /// The JSON value of the argument named `name`, if the definition has one.
    pub fn arg(&self, args: &[DecodedArg], name: &str) -> Option<Value> {
        let i = self.arg_names.iter().position(|n| n == name)?;
        Some(arg_json(&self.def, args, i))
    }
}

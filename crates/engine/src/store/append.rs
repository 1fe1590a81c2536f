//! Appending: a commit whose blocks all lie above every event stored for its network
//! cannot meet a stored event (the unique key holds the block number), so its events go in
//! with multi-row inserts, and their ids follow from the last one. An event names its first
//! listener; a second or third one gets an `also_matched` row. A
//! backfill and the live follower commit this way; a listener catching up behind another,
//! or a block coming back after a reorg, take the checked path in `commit`.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Transaction};

use super::amount::AmountKey;
use super::commit::{status_code, Commit, Committed, NewEvent};
use super::{holdings, kinds, outbox, schema, StoreError};

/// Rows per multi-row insert.
const ROWS: usize = 16;

/// Repeats a row of placeholders [`ROWS`] times, comma-separated.
macro_rules! rows {
    ($row:tt) => {
        concat!(
            $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row, ",",
            $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row, ",", $row
        )
    };
}

macro_rules! insert_events {
    ($($values:tt)+) => {
        concat!(
            "INSERT OR IGNORE INTO events (network_id, block_number, log_index, block_hash, block_time, tx_hash, contract, kind, topics, data, status, amount, stored_at, stored_status, listener_id, role, event, signature, args, arg_names) VALUES ",
            $($values)+
        )
    };
}

/// One event row (also the checked path's insert: a known log is ignored there, then found).
pub(super) const EVENTS_ONE: &str = insert_events!("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'','','','')");
const EVENTS_MANY: &str = insert_events!(rows!("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'','','','')"));
/// A listener that matched an event after its first one.
pub(super) const ALSO_MATCHED: &str =
    "INSERT OR IGNORE INTO also_matched (listener_id, event_id) VALUES (?1, ?2)";
/// Parameters per event row.
const EVENT_PARAMS: usize = 16;

/// Whether `c` lies wholly above every event stored for its network.
pub(super) fn applies(tx: &Transaction<'_>, c: &Commit) -> Result<bool, StoreError> {
    let highest: Option<i64> = tx
        .prepare_cached("SELECT max(block_number) FROM events WHERE network_id = ?1")?
        .query_row([c.network_id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(highest.is_none_or(|h| (c.from_block as i64) > h))
}

/// Inserts the commit's events and their other listeners, and queues their deliveries.
/// Their transfers are added to `transfers`, for the caller to write.
pub(super) fn insert(
    tx: &Transaction<'_>,
    c: &Commit,
    now: i64,
    transfers: &mut holdings::Deltas,
) -> Result<Committed, StoreError> {
    let ids = insert_events(tx, c, now)?;
    for e in &c.events {
        transfers.add_new(c.network_id, e);
    }
    let others = (c.events.iter().zip(&ids))
        .flat_map(|(e, id)| e.listeners.iter().skip(1).map(move |l| (*l, *id)));
    let mut also = None;
    for (listener, event) in others {
        let stmt = match &mut also {
            Some(s) => s,
            None => also.insert(tx.prepare_cached(ALSO_MATCHED)?),
        };
        appended(stmt.execute(params![listener, event])?, 1)?;
    }
    let mut matched: BTreeMap<i64, u64> = BTreeMap::new();
    for (e, id) in c.events.iter().zip(&ids) {
        for l in &e.listeners {
            *matched.entry(*l).or_default() += 1;
            if c.routed.contains(l) {
                outbox::enqueue(tx, *l, *id, e.block_number, e.status, now)?;
            }
        }
    }
    Ok(Committed {
        inserted: ids.len() as u64,
        fresh: ids,
        matched,
    })
}

/// Inserts the commit's events, in order. Returns their ids: a multi-row insert takes
/// consecutive row ids (each new id is the highest plus one, and the transaction is the
/// only writer), so they follow from the last one. Each statement is taken from the cache
/// once per commit: taking it and putting it back clears its bindings and hashes its text.
fn insert_events(tx: &Transaction<'_>, c: &Commit, now: i64) -> Result<Vec<i64>, StoreError> {
    let mut kinds = kinds::KindIds::default();
    let mut ids = Vec::with_capacity(c.events.len());
    let mut groups = c.events.chunks_exact(ROWS);
    if groups.len() > 0 {
        let mut stmt = tx.prepare_cached(EVENTS_MANY)?;
        for group in &mut groups {
            for (i, e) in group.iter().enumerate() {
                let kind = kinds.id(tx, &e.def)?;
                bind_event(&mut stmt, i * EVENT_PARAMS, c.network_id, e, kind, now)?;
            }
            appended(stmt.raw_execute()?, ROWS)?;
            let last = tx.last_insert_rowid();
            ids.extend(last + 1 - ROWS as i64..=last);
        }
    }
    let rest = groups.remainder();
    if !rest.is_empty() {
        let mut stmt = tx.prepare_cached(EVENTS_ONE)?;
        for e in rest {
            let kind = kinds.id(tx, &e.def)?;
            bind_event(&mut stmt, 0, c.network_id, e, kind, now)?;
            appended(stmt.raw_execute()?, 1)?;
            ids.push(tx.last_insert_rowid());
        }
    }
    Ok(ids)
}

/// Binds one event's values from parameter `at + 1` on.
pub(super) fn bind_event(
    stmt: &mut rusqlite::CachedStatement<'_>,
    at: usize,
    network_id: i64,
    e: &NewEvent,
    kind: i64,
    now: i64,
) -> Result<(), StoreError> {
    // Up to four topics (all a log can have) are joined without an allocation.
    let mut joined = [0u8; 4 * 32];
    let more: Vec<u8>;
    let topics: &[u8] = if e.topics.len() <= 4 {
        for (slot, t) in joined.chunks_exact_mut(32).zip(&e.topics) {
            slot.copy_from_slice(t.as_slice());
        }
        &joined[..32 * e.topics.len()]
    } else {
        more = e.topics.iter().flat_map(|t| t.0).collect();
        &more
    };
    let amount = e.amount.map(AmountKey::new);
    let status = status_code(e.status);
    stmt.raw_bind_parameter(at + 1, network_id)?;
    stmt.raw_bind_parameter(at + 2, e.block_number as i64)?;
    stmt.raw_bind_parameter(at + 3, e.log_index as i64)?;
    stmt.raw_bind_parameter(at + 4, e.block_hash.as_slice())?;
    stmt.raw_bind_parameter(at + 5, e.block_time)?;
    stmt.raw_bind_parameter(at + 6, e.tx_hash.as_slice())?;
    stmt.raw_bind_parameter(at + 7, e.contract.as_slice())?;
    stmt.raw_bind_parameter(at + 8, kind)?;
    stmt.raw_bind_parameter(at + 9, topics)?;
    stmt.raw_bind_parameter(at + 10, e.data.as_slice())?;
    stmt.raw_bind_parameter(at + 11, status)?;
    stmt.raw_bind_parameter(at + 12, amount.as_ref().map(|a| a.as_str()))?;
    stmt.raw_bind_parameter(at + 13, now)?;
    stmt.raw_bind_parameter(at + 14, status)?;
    stmt.raw_bind_parameter(at + 15, e.listeners.first())?;
    stmt.raw_bind_parameter(at + 16, schema::role_of(&e.topics))?;
    Ok(())
}

/// Checks that every row went in. The inserts say `OR IGNORE` only so that SQLite needs no
/// statement journal (a copy of every page a multi-row statement touches, in case it fails
/// half-way); a row left out here would be a bug, and the transaction is dropped.
fn appended(rows: usize, expected: usize) -> Result<(), StoreError> {
    if rows == expected {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "{rows} of {expected} appended rows went in: the batch repeats a log, or the database changed under the writer"
        )))
    }
}

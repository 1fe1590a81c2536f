//! What a stream publisher reads: stored events and their later status changes in commit
//! order (event ids and change ids only grow), after a cursor it keeps per stream. Events a
//! subscription brought are not published again.

use rusqlite::{params, OptionalExtension, Row};

use super::commit::status_from_code;
use super::query::SEPARATOR;
use super::{Store, StoreError};
use crate::event::EventStatus;

/// How far a stream has published: the last event and status change the broker confirmed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalCursor {
    pub event_id: i64,
    pub change_id: i64,
}

/// A stored event as stored, with the status it was stored with.
#[derive(Clone, Debug, PartialEq)]
pub struct JournalEvent {
    pub id: i64,
    pub network: String,
    pub chain_id: u64,
    /// Every listener that holds it, the first one first.
    pub listeners: Vec<String>,
    pub block_number: u64,
    pub block_hash: Vec<u8>,
    pub block_time: Option<i64>,
    pub tx_hash: Vec<u8>,
    pub log_index: u64,
    pub contract: Vec<u8>,
    /// The event's ABI (JSON); `None` for rows stored before definitions were kept.
    pub abi: Option<String>,
    pub topics: Vec<u8>,
    pub data: Vec<u8>,
    pub status: EventStatus,
    pub decimals: Option<u8>,
    pub symbol: Option<String>,
    /// The token's `name()`, when known.
    pub token_name: Option<String>,
}

/// A later status of a stored event, named by its log.
#[derive(Clone, Debug, PartialEq)]
pub struct JournalChange {
    pub id: i64,
    pub event_id: i64,
    pub network: String,
    pub listeners: Vec<String>,
    pub block_number: u64,
    pub block_hash: Vec<u8>,
    pub log_index: u64,
    pub status: EventStatus,
    pub at_ms: i64,
}

/// What a local listener has covered, and which contracts' every transfer it stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerState {
    pub network: String,
    pub chain_id: u64,
    pub name: String,
    /// Covered block ranges, inclusive, in order.
    pub ranges: Vec<(u64, u64)>,
    /// Contracts whose every transfer it stores (empty bytes: any); `None`: none whole.
    pub whole: Option<Vec<Vec<u8>>>,
}

/// The block a local token's contract was created in, when looked up.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenBirth {
    pub network: String,
    pub chain_id: u64,
    pub token: Vec<u8>,
    pub created_block: u64,
}

const EVENTS: &str = concat!(
    "SELECT e.id, n.name, n.chain_id, e.block_number, e.block_hash, e.block_time, e.tx_hash,
        e.log_index, e.contract, k.abi, e.topics, e.data, coalesce(e.stored_status, e.status),
        t.decimals, t.symbol, t.name, ",
    "(SELECT name FROM listeners WHERE id = e.listener_id),
    (SELECT group_concat(la.name, char(31)) FROM also_matched a
        JOIN listeners la ON la.id = a.listener_id WHERE a.event_id = e.id)",
    " FROM events e JOIN networks n ON n.id = e.network_id
     LEFT JOIN event_kinds k ON k.id = e.kind
     LEFT JOIN tokens t ON t.network_id = e.network_id AND t.address = e.contract
     WHERE e.id > ?1 AND n.subscription IS NULL ORDER BY e.id LIMIT ?2"
);

const CHANGES: &str = concat!(
    "SELECT c.id, c.event_id, n.name, e.block_number, e.block_hash, e.log_index, c.status, c.at, ",
    "(SELECT name FROM listeners WHERE id = e.listener_id),
    (SELECT group_concat(la.name, char(31)) FROM also_matched a
        JOIN listeners la ON la.id = a.listener_id WHERE a.event_id = e.id)",
    " FROM status_changes c JOIN events e ON e.id = c.event_id JOIN networks n ON n.id = e.network_id
     WHERE c.id > ?1 AND n.subscription IS NULL ORDER BY c.id LIMIT ?2"
);

impl Store {
    /// Up to `limit` events after the cursor, then up to `limit` status changes after it
    /// about events up to the last one read (a change about a later event waits for it).
    pub fn journal(
        &self,
        after: JournalCursor,
        limit: u32,
    ) -> Result<(Vec<JournalEvent>, Vec<JournalChange>), StoreError> {
        let events: Vec<JournalEvent> = self
            .conn
            .prepare_cached(EVENTS)?
            .query_map(params![after.event_id, limit], read_event)?
            .collect::<Result<_, _>>()?;
        let bound = events.last().map_or(after.event_id, |e| e.id);
        let mut changes = Vec::new();
        let mut stmt = self.conn.prepare_cached(CHANGES)?;
        let mut rows = stmt.query(params![after.change_id, limit])?;
        while let Some(r) = rows.next()? {
            let change = read_change(r)?;
            if change.event_id > bound {
                break;
            }
            changes.push(change);
        }
        Ok((events, changes))
    }

    /// Every local listener's coverage and whole-transfer contracts.
    pub fn listener_states(&self) -> Result<Vec<ListenerState>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.id, l.name, n.name, n.chain_id FROM listeners l JOIN networks n ON n.id = l.network_id
             WHERE n.subscription IS NULL ORDER BY l.id",
        )?;
        let listeners: Vec<(i64, String, String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut ranges = self.conn.prepare_cached(
            "SELECT start_block, end_block FROM coverage WHERE listener_id = ?1 ORDER BY start_block",
        )?;
        let mut whole = self.conn.prepare_cached(
            "SELECT contract FROM whole_transfers WHERE listener_id = ?1 ORDER BY contract",
        )?;
        let mut out = Vec::with_capacity(listeners.len());
        for (id, name, network, chain_id) in listeners {
            let r: Vec<(u64, u64)> = ranges
                .query_map([id], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<Result<_, _>>()?;
            let w: Vec<Vec<u8>> = whole
                .query_map([id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            out.push(ListenerState {
                network,
                chain_id: chain_id as u64,
                name,
                ranges: r,
                whole: (!w.is_empty()).then_some(w),
            });
        }
        Ok(out)
    }

    /// The creation blocks known of local tokens.
    pub fn token_births(&self) -> Result<Vec<TokenBirth>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.name, n.chain_id, t.token, t.created_block FROM token_totals t
               JOIN networks n ON n.id = t.network_id
             WHERE n.subscription IS NULL AND t.created_block IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenBirth {
                network: r.get(0)?,
                chain_id: r.get::<_, i64>(1)? as u64,
                token: r.get(2)?,
                created_block: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where stream `name` stands (nothing published yet: zeros).
    pub fn stream_cursor(&self, name: &str) -> Result<JournalCursor, StoreError> {
        let found = self
            .conn
            .prepare_cached("SELECT event_id, change_id FROM stream_cursors WHERE name = ?1")?
            .query_row([name], |r| {
                Ok(JournalCursor {
                    event_id: r.get(0)?,
                    change_id: r.get(1)?,
                })
            })
            .optional()?;
        Ok(found.unwrap_or_default())
    }

    /// Records what the broker confirmed for stream `name`.
    pub fn set_stream_cursor(&self, name: &str, at: JournalCursor) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO stream_cursors (name, event_id, change_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![name, at.event_id, at.change_id])?;
        Ok(())
    }

    /// The newest event and status change a stream could publish.
    pub fn journal_end(&self) -> Result<JournalCursor, StoreError> {
        let max = |sql: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))?
                .unwrap_or(0))
        };
        Ok(JournalCursor {
            event_id: max("SELECT max(id) FROM events")?,
            change_id: max("SELECT max(id) FROM status_changes")?,
        })
    }
}

fn listeners(first: Option<String>, others: Option<String>) -> Vec<String> {
    let mut out: Vec<String> = first.into_iter().collect();
    if let Some(o) = others {
        out.extend(o.split(SEPARATOR).map(str::to_string));
    }
    out
}

fn read_event(r: &Row<'_>) -> rusqlite::Result<JournalEvent> {
    let status = status_from_code(r.get(12)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(12, rusqlite::types::Type::Integer, e.into())
    })?;
    Ok(JournalEvent {
        id: r.get(0)?,
        network: r.get(1)?,
        chain_id: r.get::<_, i64>(2)? as u64,
        block_number: r.get::<_, i64>(3)? as u64,
        block_hash: r.get(4)?,
        block_time: r.get(5)?,
        tx_hash: r.get(6)?,
        log_index: r.get::<_, i64>(7)? as u64,
        contract: r.get(8)?,
        abi: r.get(9)?,
        topics: r.get::<_, Option<Vec<u8>>>(10)?.unwrap_or_default(),
        data: r.get::<_, Option<Vec<u8>>>(11)?.unwrap_or_default(),
        status,
        decimals: r.get(13)?,
        symbol: r.get(14)?,
        token_name: r.get(15)?,
        listeners: listeners(r.get(16)?, r.get(17)?),
    })
}

fn read_change(r: &Row<'_>) -> Result<JournalChange, StoreError> {
    Ok(JournalChange {
        id: r.get(0)?,
        event_id: r.get(1)?,
        network: r.get(2)?,
        block_number: r.get::<_, i64>(3)? as u64,
        block_hash: r.get(4)?,
        log_index: r.get::<_, i64>(5)? as u64,
        status: status_from_code(r.get(6)?)?,
        at_ms: r.get(7)?,
        listeners: listeners(r.get(8)?, r.get(9)?),
    })
}

//! Reading stored events back: the live feed, the export and the status counters.

use alloy_primitives::hex;
use rusqlite::Row;

use super::commit::status_from_code;
use super::filter::{self, EventFilter};
use super::kinds::{Kind, Kinds};
use super::{HistorySort, Store, StoreError};
use crate::event::{EventStatus, StoredEvent};

/// The names of an event's listeners after its first, joined by [`SEPARATOR`] (NULL: none).
macro_rules! other_listeners {
    () => {
        "(SELECT group_concat(la.name, char(31)) FROM also_matched a
            JOIN listeners la ON la.id = a.listener_id WHERE a.event_id = e.id)"
    };
}
/// The columns [`row_to_event`] reads, in its order (with `filter::FROM` or `TOKEN_JOIN`):
/// `l` is the listener the row is for, then come the event's first and other listeners.
pub(super) const COLUMNS: &str = concat!(
    "e.id, n.name, n.chain_id, e.block_number, e.block_hash, e.block_time, e.tx_hash, e.log_index, e.contract, e.event, e.signature, l.name, e.status, e.args, e.arg_names, t.decimals, t.symbol, e.kind, e.topics, e.data, ",
    "(SELECT name FROM listeners WHERE id = e.listener_id), ",
    other_listeners!()
);
/// How many columns [`COLUMNS`] names (a query may select more after them).
pub(super) const COLUMN_COUNT: usize = 22;

/// Separates listener names in `other_listeners!` (names hold no control characters).
pub(crate) const SEPARATOR: char = '\u{1f}';

/// The order stored: block order within a network.
const STORED_ORDER: &str = " ORDER BY e.id LIMIT coalesce(:limit, -1)";

/// A stored row as the CSV export reads it: borrowed, hashes as bytes.
pub(crate) struct RawRow<'a> {
    pub network: &'a str,
    pub chain_id: i64,
    pub block_number: i64,
    pub block_hash: &'a [u8],
    pub block_time: Option<i64>,
    pub tx_hash: &'a [u8],
    pub log_index: i64,
    pub contract: &'a [u8],
    pub event: &'a str,
    pub signature: &'a str,
    /// The event's first listener.
    pub listener: &'a str,
    /// Its other listeners, joined by [`SEPARATOR`].
    pub other_listeners: Option<&'a str>,
    /// The emitting token's decimals and symbol, when known.
    pub decimals: Option<u8>,
    pub symbol: Option<&'a str>,
    pub status: EventStatus,
    pub args: RawArgs<'a>,
}

/// The arguments of a [`RawRow`].
pub(crate) enum RawArgs<'a> {
    /// JSON text stored by schema 7 and earlier.
    Text(&'a str),
    /// The stored log, for the reader to decode with its definition.
    Log {
        kind: &'a Kind,
        topics: &'a [u8],
        data: &'a [u8],
    },
}

/// Joins the token facts of `e.contract`, if known.
pub(super) const TOKEN_JOIN: &str =
    " LEFT JOIN tokens t ON t.network_id = e.network_id AND t.address = e.contract";

impl Store {
    /// The newest `limit` matched events, newest first.
    pub fn recent_events(&self, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = [
            "SELECT ",
            COLUMNS,
            filter::FROM,
            " ORDER BY e.id DESC LIMIT ?1",
        ]
        .concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit], |r| row_to_event(r, &kinds))?;
        collect(rows)
    }

    /// The events with these ids that a listener holds.
    pub fn events_by_ids(&self, ids: &[i64]) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = ["SELECT ", COLUMNS, filter::FROM, " WHERE e.id = ?1"].concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(collect(stmt.query_map([id], |r| row_to_event(r, &kinds))?)?);
        }
        Ok(out)
    }

    /// Calls `f` for each matching event in the order stored (block order within each
    /// network), without holding them all in memory.
    pub fn for_each_event(
        &self,
        filter: &EventFilter,
        mut f: impl FnMut(StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let sql = [
            "SELECT ",
            COLUMNS,
            filter::FROM,
            filter::WHERE,
            STORED_ORDER,
        ]
        .concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare(&sql)?;
        filter::bind(&mut stmt, &filter::values(&self.conn, filter)?)?;
        let mut rows = stmt.raw_query();
        let mut n = 0;
        while let Some(row) = rows.next()? {
            f(row_to_event(row, &kinds)??)?;
            n += 1;
        }
        Ok(n)
    }

    /// Calls `f` with each matching row's columns as stored, in `sort` order (History's),
    /// without building events (the CSV export's fast path).
    pub(crate) fn for_each_raw(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        mut f: impl FnMut(&RawRow<'_>) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let sql = [
            "SELECT n.name, n.chain_id, e.block_number, e.block_hash, e.block_time, e.tx_hash,
                    e.log_index, e.contract, e.event, e.signature, l.name, e.status, e.args,
                    e.kind, e.topics, e.data, ",
            other_listeners!(),
            ", t.decimals, t.symbol",
            filter::FROM,
            filter::WHERE,
            sort.order_by(),
            " LIMIT coalesce(:limit, -1)",
        ]
        .concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare(&sql)?;
        filter::bind(&mut stmt, &filter::values(&self.conn, filter)?)?;
        let mut rows = stmt.raw_query();
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> Result<&str, StoreError> {
                Ok(r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
            };
            let text_or_null = |i: usize| -> Result<Option<&str>, StoreError> {
                Ok(r.get_ref(i)?
                    .as_str_or_null()
                    .map_err(rusqlite::Error::from)?)
            };
            let blob = |i: usize| -> Result<&[u8], StoreError> {
                Ok(r.get_ref(i)?.as_blob().map_err(rusqlite::Error::from)?)
            };
            let (event, signature, args) = match r.get::<_, Option<i64>>(13)? {
                Some(kind) => {
                    let kind = kinds.get(kind)?;
                    let args = RawArgs::Log {
                        kind,
                        topics: blob(14)?,
                        data: blob(15)?,
                    };
                    (
                        kind.def.event.name.as_str(),
                        kind.def.signature.as_str(),
                        args,
                    )
                }
                None => (text(8)?, text(9)?, RawArgs::Text(text(12)?)),
            };
            f(&RawRow {
                network: text(0)?,
                chain_id: r.get(1)?,
                block_number: r.get(2)?,
                block_hash: blob(3)?,
                block_time: r.get(4)?,
                tx_hash: blob(5)?,
                log_index: r.get(6)?,
                contract: blob(7)?,
                event,
                signature,
                listener: text(10)?,
                other_listeners: text_or_null(16)?,
                decimals: r.get(17)?,
                symbol: text_or_null(18)?,
                status: status_from_code(r.get(11)?)?,
                args,
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// The token facts already stored for a network's contracts.
    pub fn known_tokens(
        &self,
        network_id: i64,
    ) -> Result<Vec<(alloy_primitives::Address, super::TokenInfo)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT address, decimals, symbol, name FROM tokens WHERE network_id = ?1")?;
        let mut rows = stmt.query([network_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let address: Vec<u8> = r.get(0)?;
            let Ok(address) = alloy_primitives::Address::try_from(address.as_slice()) else {
                continue;
            };
            out.push((
                address,
                super::TokenInfo {
                    decimals: r.get(1)?,
                    symbol: r.get(2)?,
                    name: r.get(3)?,
                },
            ));
        }
        Ok(out)
    }

    /// Number of stored events a listener holds (each log once): History's rows.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM events WHERE listener_id IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

fn collect(
    rows: impl Iterator<Item = rusqlite::Result<Result<StoredEvent, StoreError>>>,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

pub(super) fn row_to_event(
    r: &Row<'_>,
    kinds: &Kinds,
) -> rusqlite::Result<Result<StoredEvent, StoreError>> {
    let status: i64 = r.get(12)?;
    let hex0x = |b: Vec<u8>| format!("0x{}", hex::encode(b));
    let contract: Vec<u8> = r.get(8)?;
    let event = StoredEvent {
        id: r.get(0)?,
        network: r.get(1)?,
        chain_id: r.get::<_, i64>(2)? as u64,
        block_number: r.get::<_, i64>(3)? as u64,
        block_hash: hex0x(r.get(4)?),
        block_time: r.get(5)?,
        tx_hash: hex0x(r.get(6)?),
        log_index: r.get::<_, i64>(7)? as u64,
        contract: checksummed(&contract),
        event: r.get(9)?,
        signature: r.get(10)?,
        listener: r.get(11)?,
        listeners: listeners(r.get(20)?, r.get_ref(21)?.as_str_or_null()?),
        status: EventStatus::Pending,
        args: serde_json::Value::Null,
        arg_names: Vec::new(),
        decimals: r.get(15)?,
        symbol: r.get(16)?,
    };
    let Some(kind) = r.get::<_, Option<i64>>(17)? else {
        let args: String = r.get(13)?;
        let names: String = r.get(14)?;
        return Ok(finish(event, status, &args, &names));
    };
    let topics = r.get_ref(18)?.as_blob()?;
    let data = r.get_ref(19)?.as_blob()?;
    Ok(decoded(event, status, kinds, kind, topics, data))
}

/// An event's listeners: its first, then the others as `other_listeners!` joins them.
fn listeners(first: Option<String>, others: Option<&str>) -> Vec<String> {
    let others = others.into_iter().flat_map(|s| s.split(SEPARATOR));
    first
        .into_iter()
        .chain(others.map(str::to_string))
        .collect()
}

/// Completes a row of schema 8 or later: arguments decoded from the stored log.
fn decoded(
    mut e: StoredEvent,
    status: i64,
    kinds: &Kinds,
    kind: i64,
    topics: &[u8],
    data: &[u8],
) -> Result<StoredEvent, StoreError> {
    e.status = status_from_code(status)?;
    let k = kinds.get(kind)?;
    e.event = k.def.event.name.clone();
    e.signature = k.def.signature.clone();
    e.args = kinds.args(kind, topics, data)?;
    e.arg_names = k.arg_names.clone();
    Ok(e)
}

/// The checksummed form of a stored address (hex when it is not 20 bytes).
pub(crate) fn checksummed(bytes: &[u8]) -> String {
    let mut s = String::new();
    push_checksummed(&mut s, bytes);
    s
}

/// Appends [`checksummed`]'s text to `out`.
pub(crate) fn push_checksummed(out: &mut String, bytes: &[u8]) {
    match alloy_primitives::Address::try_from(bytes) {
        Ok(a) => crate::abi::json::with_checksum(&a, |s| out.push_str(s)),
        Err(_) => {
            out.push_str("0x");
            out.push_str(&hex::encode(bytes));
        }
    }
}

fn finish(
    mut e: StoredEvent,
    status: i64,
    args: &str,
    names: &str,
) -> Result<StoredEvent, StoreError> {
    let corrupt = |what: &str, err: serde_json::Error| {
        StoreError::Corrupt(format!("event {}: {what} are not JSON: {err}", e.id))
    };
    e.status = status_from_code(status)?;
    e.args = serde_json::from_str(args).map_err(|err| corrupt("arguments", err))?;
    e.arg_names = serde_json::from_str(names).map_err(|err| corrupt("argument names", err))?;
    Ok(e)
}

impl Store {
    /// The argument names (ABI order) of the filtered events when they all share one
    /// signature and the same argument names, and which of them is the amount (History's
    /// Amount column); `None` when there are none, or when two differ (an ERC-721
    /// `Transfer` has `tokenId` where an ERC-20 one has `value`, a WETH ABI names them
    /// `src, dst, wad`). Stops at the first different one.
    pub fn single_signature_args(
        &self,
        filter: &EventFilter,
    ) -> Result<Option<ArgColumns>, StoreError> {
        let first_sql = [
            "SELECT e.kind, e.signature, e.arg_names",
            filter::FROM,
            filter::WHERE,
            " LIMIT 1",
        ]
        .concat();
        let other_sql = [
            "SELECT 1",
            filter::FROM,
            filter::WHERE,
            " AND CASE WHEN e.kind IS NULL THEN e.signature <> :first OR e.arg_names <> :names
                  ELSE e.kind NOT IN (SELECT value FROM json_each(:same)) END LIMIT 1",
        ]
        .concat();
        let mut values = filter::values(&self.conn, filter)?;
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare(&first_sql)?;
        filter::bind(&mut stmt, &values)?;
        let mut rows = stmt.raw_query();
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let mut amount_at = None;
        let (first, names) = match row.get::<_, Option<i64>>(0)? {
            Some(kind) => {
                let k = kinds.get(kind)?;
                amount_at = k.def.amount_at;
                (k.def.signature.clone(), k.arg_names.clone())
            }
            None => {
                let names: String = row.get(2)?;
                let names: Vec<String> = serde_json::from_str(&names).map_err(|e| {
                    StoreError::Corrupt(format!("argument names are not JSON: {e}"))
                })?;
                (row.get(1)?, names)
            }
        };
        let same = serde_json::to_string(&kinds.same_shape(&first, &names))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let names_json =
            serde_json::to_string(&names).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        values.push((":first", rusqlite::types::Value::Text(first)));
        values.push((":names", rusqlite::types::Value::Text(names_json)));
        values.push((":same", rusqlite::types::Value::Text(same)));
        let mut stmt = self.conn.prepare(&other_sql)?;
        filter::bind(&mut stmt, &values)?;
        let mut rows = stmt.raw_query();
        Ok(match rows.next()? {
            Some(_) => None,
            None => Some(ArgColumns { names, amount_at }),
        })
    }
}

/// The argument columns of an export of one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgColumns {
    /// In ABI order.
    pub names: Vec<String>,
    /// Which one is an amount of the emitting token (unknown for rows of schema 7).
    pub amount_at: Option<usize>,
}

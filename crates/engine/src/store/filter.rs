//! Which stored events a query selects: the filter shared by History, the CSV export
//! (app and headless) and the dashboard, and its SQL. Values are always bound, never
//! spliced into the statement.

use alloy_primitives::Address;
use rusqlite::types::Value;
use rusqlite::{Connection, Statement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::filter_values::{contract, direction, units};
use super::StoreError;
use crate::event::EventStatus;

/// Which events to read. Empty fields select everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct EventFilter {
    pub listener: Option<String>,
    pub network: Option<String>,
    /// Event name (`Transfer`) or canonical signature (`Transfer(address,address,uint256)`).
    pub event: Option<String>,
    /// The emitting contract: an address, or a token symbol (any case) one contract has.
    pub contract: Option<String>,
    /// An address that appears in any argument (indexed or not), or in `direction`'s one.
    pub address: Option<String>,
    /// Where `address` must be: the first indexed argument (`from`) or the second (`to`).
    pub direction: Option<Direction>,
    /// Amount bounds in token units ("1000", "2.5"), inclusive; a bound leaves out events of
    /// tokens whose decimals are unknown.
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub status: Option<EventStatus>,
    #[ts(type = "number | null")]
    pub from_block: Option<u64>,
    #[ts(type = "number | null")]
    pub to_block: Option<u64>,
    /// Block time bounds, seconds since the Unix epoch, inclusive.
    #[ts(type = "number | null")]
    pub from_time: Option<i64>,
    #[ts(type = "number | null")]
    pub to_time: Option<i64>,
    /// At most this many rows.
    #[ts(type = "number | null")]
    pub limit: Option<u64>,
}

/// Which side of a transfer the address filter looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Direction {
    /// The first indexed argument (`from` of a `Transfer`).
    From,
    /// The second indexed argument (`to` of a `Transfer`).
    To,
}

/// The `FROM` part every filtered query shares: one row per event a listener holds, `l`
/// its first listener. Events are the outer loop, so that their row order or amount index
/// serves the sort.
pub(super) const FROM: &str = " FROM events e
    CROSS JOIN listeners l ON l.id = e.listener_id
    JOIN networks n ON n.id = e.network_id
    LEFT JOIN tokens t ON t.network_id = e.network_id AND t.address = e.contract";

/// The `WHERE` clause of an [`EventFilter`]; bind it with [`bind`].
/// Names (listener, network, event) match in any case.
pub(super) const WHERE: &str = " WHERE (:listener IS NULL OR l.name = :listener COLLATE NOCASE
         OR e.id IN (SELECT a.event_id FROM also_matched a JOIN listeners la ON la.id = a.listener_id
                      WHERE la.name = :listener COLLATE NOCASE))
    AND (:network IS NULL OR n.name = :network COLLATE NOCASE)
    AND (:event IS NULL OR e.event = :event COLLATE NOCASE OR e.signature = :event COLLATE NOCASE
         OR e.kind IN (SELECT id FROM event_kinds
                        WHERE name = :event COLLATE NOCASE OR signature = :event COLLATE NOCASE))
    AND (:contract IS NULL OR e.contract = :contract)
    AND (:address IS NULL OR CASE :direction
           WHEN 1 THEN substr(e.topics, 33, 32) = :address
           WHEN 2 THEN substr(e.topics, 65, 32) = :address
           ELSE tw_has_word(e.topics, e.data, :address) END)
    AND (:min_amount IS NULL OR e.amount >= tw_amount_key(:min_amount, t.decimals, 1))
    AND (:max_amount IS NULL OR e.amount <= tw_amount_key(:max_amount, t.decimals, 0))
    AND (:status IS NULL OR e.status = :status)
    AND (:from_block IS NULL OR e.block_number >= :from_block)
    AND (:to_block IS NULL OR e.block_number <= :to_block)
    AND (:from_time IS NULL OR e.block_time >= :from_time)
    AND (:to_time IS NULL OR e.block_time <= :to_time)
    AND (:min_id IS NULL OR e.id >= :min_id) AND (:max_id IS NULL OR e.id <= :max_id)";

/// A problem with a filter value, naming the field.
fn bad(field: &str, value: &str) -> StoreError {
    StoreError::BadFilter(format!(
        "{field}: \"{value}\" is not an address (0x and 40 hex digits)"
    ))
}

pub(super) fn address(field: &str, value: &Option<String>) -> Result<Value, StoreError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(Value::Null),
        Some(s) => s
            .parse::<Address>()
            .map(|a| Value::Blob(a.to_vec()))
            .map_err(|_| bad(field, s)),
    }
}

/// An address as the 32-byte word an argument holds it in (12 zero bytes, then it).
fn word(field: &str, value: &Option<String>) -> Result<Value, StoreError> {
    Ok(match address(field, value)? {
        Value::Blob(a) => Value::Blob([[0u8; 12].as_slice(), &a].concat()),
        other => other,
    })
}

/// Whether one of a log's argument words is `word`: an indexed topic (after topic0) or a
/// 32-byte word of its data (ABI encoding keeps every value, also inside arrays, on word
/// boundaries). Bytes that only happen to contain it elsewhere (the zero address inside a
/// small amount) do not count. Registered on every connection as `tw_has_word`.
pub(super) fn has_word(topics: &[u8], data: &[u8], word: &[u8]) -> bool {
    let topics = topics.get(32..).unwrap_or_default();
    topics
        .chunks_exact(32)
        .chain(data.chunks_exact(32))
        .any(|w| w == word)
}

fn text(v: &Option<String>) -> Value {
    match v.as_deref().map(str::trim) {
        None | Some("") => Value::Null,
        Some(s) => Value::Text(s.to_string()),
    }
}

/// A bound above `i64::MAX` (only unsigned ones can be) stays a bound: the largest.
fn int<T: TryInto<i64>>(v: Option<T>) -> Value {
    v.map_or(Value::Null, |n| {
        Value::Integer(n.try_into().unwrap_or(i64::MAX))
    })
}

/// The named values of a filter, plus `:limit` (use as `LIMIT coalesce(:limit, -1)`).
/// A contract given by symbol is looked up in `conn`'s tokens.
pub(super) fn values(
    conn: &Connection,
    f: &EventFilter,
) -> Result<Vec<(&'static str, Value)>, StoreError> {
    Ok(vec![
        (":listener", text(&f.listener)),
        (":network", text(&f.network)),
        (":event", text(&f.event)),
        (":contract", contract(conn, f)?),
        (":address", word("address", &f.address)?),
        (":direction", direction(f)),
        (":min_amount", units("minimum amount", &f.min_amount)?),
        (":max_amount", units("maximum amount", &f.max_amount)?),
        (":status", int(f.status.map(super::commit::status_code))),
        (":from_block", int(f.from_block)),
        (":to_block", int(f.to_block)),
        (":from_time", int(f.from_time)),
        (":to_time", int(f.to_time)),
        (":limit", int(f.limit)),
        // Event id bounds a caller may set to narrow a scan (see `Store::id_bounds`).
        (":min_id", Value::Null),
        (":max_id", Value::Null),
    ])
}

/// Replaces the value of `name`.
pub(super) fn set(values: &mut [(&'static str, Value)], name: &str, value: Value) {
    if let Some(slot) = values.iter_mut().find(|(n, _)| *n == name) {
        slot.1 = value;
    }
}

/// Binds every named value the statement uses (and only those).
pub(super) fn bind(stmt: &mut Statement<'_>, values: &[(&str, Value)]) -> Result<(), StoreError> {
    for (name, value) in values {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    Ok(())
}

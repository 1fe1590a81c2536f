//! History and dashboard reads: one page of the filtered, sorted events, how many there
//! are, events over time per listener, and the most active tokens and addresses.

use std::collections::HashMap;

use alloy_primitives::Address;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::filter::{self, EventFilter};
use super::query::{checksummed, row_to_event, COLUMNS};
use super::{Store, StoreError};
use crate::event::StoredEvent;

/// The orders History offers. Each one is served by an index or the row order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum HistorySort {
    /// Latest stored first (block order within a network).
    #[default]
    Newest,
    Oldest,
    /// Largest amount (the first unsigned amount argument) first; events without one last.
    AmountDesc,
    /// Smallest amount first; events without one first.
    AmountAsc,
}

impl HistorySort {
    pub(super) fn order_by(self) -> &'static str {
        match self {
            HistorySort::Newest => " ORDER BY e.id DESC",
            HistorySort::Oldest => " ORDER BY e.id",
            // Events without an amount have a NULL one: last when descending, first when
            // ascending, as SQLite orders NULLs (so the amount index serves both).
            HistorySort::AmountDesc => " ORDER BY e.amount DESC, e.id DESC",
            HistorySort::AmountAsc => " ORDER BY e.amount, e.id",
        }
    }

    /// The keyset condition that starts a page at a row, for the orders that have one.
    fn keyset(self) -> Option<&'static str> {
        match self {
            HistorySort::Newest => Some(" AND e.id <= :at_event"),
            HistorySort::Oldest => Some(" AND e.id >= :at_event"),
            _ => None,
        }
    }
}

/// Whether a filter narrows by listener at most: its rows and count are read off the
/// listener index and `also_matched` alone.
fn listener_only(f: &EventFilter) -> bool {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    blank(&f.network)
        && blank(&f.event)
        && blank(&f.contract)
        && blank(&f.address)
        && blank(&f.min_amount)
        && blank(&f.max_amount)
        && f.status.is_none()
        && f.from_block.is_none()
        && f.to_block.is_none()
        && f.from_time.is_none()
        && f.to_time.is_none()
}

/// `SELECT` of the event ids of the filtered rows (as `e.id`, in no order yet).
fn keys_of(filter: &EventFilter) -> String {
    match (listener_only(filter), has_listener(filter)) {
        (true, false) => ALL_KEYS.to_string(),
        (true, true) => LISTENER_KEYS.to_string(),
        (false, _) => ["SELECT e.id", filter::FROM, filter::WHERE].concat(),
    }
}

/// Ids of the events some listener holds.
const ALL_KEYS: &str = "SELECT e.id FROM events e WHERE e.listener_id IS NOT NULL";

fn has_listener(f: &EventFilter) -> bool {
    f.listener.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Ids of the events a listener holds, first or not: both arms walk an index in id order,
/// so an ordered union merges them without sorting.
const LISTENER_KEYS: &str = "SELECT e.id FROM (
      SELECT id FROM events
       WHERE listener_id = (SELECT id FROM listeners WHERE name = :listener COLLATE NOCASE)
      UNION
      SELECT event_id AS id FROM also_matched
       WHERE listener_id = (SELECT id FROM listeners WHERE name = :listener COLLATE NOCASE)) e
    WHERE 1";

/// Events over time of one listener: `[bucket start (Unix seconds), events]`, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ListenerSeries {
    pub listener: String,
    #[ts(type = "Array<[number, number]>")]
    pub points: Vec<(i64, u64)>,
}

/// A contract or address and how many events it took part in.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TopEntry {
    pub network: String,
    pub address: String,
    /// The token symbol, when the address is a token whose symbol is known.
    pub symbol: Option<String>,
    #[ts(type = "number")]
    pub count: u64,
}

/// What the dashboard shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Dashboard {
    /// The window ends at the newest stored block time; `null` when nothing is stored.
    #[ts(type = "number | null")]
    pub until: Option<i64>,
    #[ts(type = "number")]
    pub bucket_secs: i64,
    pub series: Vec<ListenerSeries>,
    /// Emitting contracts with the most events in the window.
    pub top_contracts: Vec<TopEntry>,
    /// Addresses appearing most often in the arguments of the latest events.
    pub top_addresses: Vec<TopEntry>,
    /// How many of the latest events `top_addresses` looked at.
    #[ts(type = "number")]
    pub address_sample: u64,
}

/// How many rows a filtered History has, and in block order the key of every `every`-th
/// row: found in one scan (the count's), they let any page start at its first row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HistoryIndex {
    #[ts(type = "number")]
    pub count: u64,
    pub every: u32,
    /// Event ids of rows 0, every, 2 * every, ... (empty for amount orders).
    #[ts(type = "Array<number>")]
    pub anchors: Vec<i64>,
}

/// Addresses are counted over this many latest events.
const ADDRESS_SAMPLE: i64 = 5_000;
const TOP: i64 = 8;

impl Store {
    /// Rows `offset..offset + limit` of the filtered history in `sort` order. In block
    /// order a deep page first finds its first row on the narrowest index, then reads
    /// the page from there, so scrolling to the middle of a million rows stays fast.
    pub fn history_page(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        if sort.keyset().is_some() && offset > 0 {
            return match self.row_at(filter, sort, offset)? {
                Some(anchor) => self.history_page_from(filter, sort, anchor, limit),
                None => Ok(Vec::new()),
            };
        }
        let mut values = self.narrowed(filter)?;
        values.push((":offset", Value::Integer(offset as i64)));
        self.read_page(sort, "", " OFFSET :offset", values, limit)
    }

    /// The count of the filtered History and, in block order, its page anchors.
    pub fn history_index(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        every: u32,
    ) -> Result<HistoryIndex, StoreError> {
        if sort.keyset().is_none() {
            return Ok(HistoryIndex {
                count: self.history_count(filter)?,
                every,
                anchors: Vec::new(),
            });
        }
        let sql = [keys_of(filter).as_str(), sort.order_by()].concat();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        filter::bind(&mut stmt, &self.narrowed(filter)?)?;
        let mut rows = stmt.raw_query();
        let every = every.max(1);
        let mut index = HistoryIndex {
            every,
            ..HistoryIndex::default()
        };
        while let Some(r) = rows.next()? {
            if index.count.is_multiple_of(u64::from(every)) {
                index.anchors.push(r.get(0)?);
            }
            index.count += 1;
        }
        Ok(index)
    }

    /// `limit` rows of the filtered History in block order, starting at the event
    /// `anchor` (from [`Store::history_index`]).
    pub fn history_page_from(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        anchor: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let Some(keyset) = sort.keyset() else {
            return Err(StoreError::BadFilter(
                "pages in amount order have no anchors".into(),
            ));
        };
        let mut values = self.narrowed(filter)?;
        values.push((":at_event", Value::Integer(anchor)));
        self.read_page(sort, keyset, "", values, limit)
    }

    /// Runs one page query: the filter, an optional keyset condition, the order, `limit`
    /// rows and what follows the limit (an offset).
    fn read_page(
        &self,
        sort: HistorySort,
        keyset: &str,
        after_limit: &str,
        mut values: Vec<(&'static str, Value)>,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        values.push((":page", Value::Integer(i64::from(limit))));
        let sql = [
            "SELECT ",
            COLUMNS,
            filter::FROM,
            filter::WHERE,
            keyset,
            sort.order_by(),
            " LIMIT :page",
            after_limit,
        ]
        .concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        filter::bind(&mut stmt, &values)?;
        let mut rows = stmt.raw_query();
        let mut out = Vec::with_capacity(limit as usize);
        while let Some(row) = rows.next()? {
            out.push(row_to_event(row, &kinds)??);
        }
        Ok(out)
    }

    /// The event of row `offset` in block order.
    fn row_at(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        offset: u64,
    ) -> Result<Option<i64>, StoreError> {
        let sql = [
            keys_of(filter).as_str(),
            sort.order_by(),
            " LIMIT 1 OFFSET :at",
        ]
        .concat();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut values = self.narrowed(filter)?;
        values.push((":at", Value::Integer(offset as i64)));
        filter::bind(&mut stmt, &values)?;
        let mut rows = stmt.raw_query();
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// The filter's values, with event id bounds when it has a block range: ids grow with
    /// block numbers within a network, so the bounds (read off the block index) let a
    /// scan skip everything outside the range.
    fn narrowed(&self, filter: &EventFilter) -> Result<Vec<(&'static str, Value)>, StoreError> {
        let mut values = filter::values(&self.conn, filter)?;
        if filter.from_block.is_none() && filter.to_block.is_none() {
            return Ok(values);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT min(id), max(id) FROM events
              WHERE network_id IN (SELECT id FROM networks
                                   WHERE :network IS NULL OR name = :network COLLATE NOCASE)
                AND block_number >= coalesce(:from_block, 0)
                AND block_number <= coalesce(:to_block, 9223372036854775807)",
        )?;
        filter::bind(&mut stmt, &values)?;
        let mut rows = stmt.raw_query();
        let (lo, hi): (Option<i64>, Option<i64>) = match rows.next()? {
            Some(r) => (r.get(0)?, r.get(1)?),
            None => (None, None),
        };
        // An empty range: bounds that select nothing.
        let (lo, hi) = (lo.unwrap_or(1), hi.unwrap_or(0));
        filter::set(&mut values, ":min_id", Value::Integer(lo));
        filter::set(&mut values, ":max_id", Value::Integer(hi));
        Ok(values)
    }

    /// How many rows the filtered history has (one per event).
    pub fn history_count(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        let sql = ["SELECT count(*) FROM (", keys_of(filter).as_str(), ")"].concat();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        filter::bind(&mut stmt, &self.narrowed(filter)?)?;
        let mut rows = stmt.raw_query();
        let n: i64 = match rows.next()? {
            Some(r) => r.get(0)?,
            None => 0,
        };
        Ok(n as u64)
    }

    /// Events per `bucket_secs` per listener over the `window_secs` before the newest
    /// stored block time, the busiest contracts in that window and the busiest addresses
    /// among the latest events. Removed events do not count.
    ///
    /// Each network's events are found by block number, not by id: a listener that
    /// backfills old blocks stores them after today's, with higher ids.
    pub fn dashboard(&self, window_secs: i64, bucket_secs: i64) -> Result<Dashboard, StoreError> {
        let bucket_secs = bucket_secs.max(1);
        let networks: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM networks")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut until: Option<i64> = None;
        for &n in &networks {
            if let Some(t) = self.newest_time(n)? {
                until = Some(until.map_or(t, |u: i64| u.max(t)));
            }
        }
        let Some(until) = until else {
            return Ok(Dashboard {
                bucket_secs,
                ..Dashboard::default()
            });
        };
        let since = until - window_secs;
        let mut series = Vec::new();
        let mut top_contracts = Vec::new();
        for &n in &networks {
            let Some(first_block) = self.first_block_since(n, since)? else {
                continue;
            };
            // Listeners belong to one network: the series of two networks never merge.
            series.extend(self.series(n, first_block, since, bucket_secs)?);
            top_contracts.extend(self.top_contracts(n, first_block, since)?);
        }
        series.sort_by(|a, b| a.listener.cmp(&b.listener));
        top_contracts.sort_by_key(|t| std::cmp::Reverse(t.count));
        top_contracts.truncate(TOP as usize);
        Ok(Dashboard {
            until: Some(until),
            bucket_secs,
            series,
            top_contracts,
            top_addresses: self.top_addresses()?,
            address_sample: ADDRESS_SAMPLE as u64,
        })
    }

    /// The block time of the network's newest block with a known time.
    fn newest_time(&self, network_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT block_time FROM events WHERE network_id = ?1 AND block_time IS NOT NULL
                 ORDER BY block_number DESC LIMIT 1",
            )?
            .query_row([network_id], |r| r.get(0))
            .optional()?)
    }

    /// The network's first block inside the window: block times grow with block numbers,
    /// so walking back from the newest stops at the window's start instead of reading all.
    fn first_block_since(&self, network_id: i64, since: i64) -> Result<Option<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT block_number, block_time FROM events WHERE network_id = ?1
             ORDER BY block_number DESC",
        )?;
        let mut rows = stmt.query([network_id])?;
        let mut first = None;
        while let Some(r) = rows.next()? {
            let time: Option<i64> = r.get(1)?;
            if time.is_some_and(|t| t < since) {
                break;
            }
            first = Some(r.get(0)?);
        }
        Ok(first)
    }

    fn series(
        &self,
        network_id: i64,
        first_block: i64,
        since: i64,
        bucket: i64,
    ) -> Result<Vec<ListenerSeries>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.name, h.t, count(*) FROM (
                 SELECT e.listener_id AS lid, (e.block_time / ?2) * ?2 AS t FROM events e
                  WHERE e.network_id = ?3 AND e.block_number >= ?4 AND e.block_time >= ?1
                    AND e.status != 2
                 UNION ALL
                 SELECT a.listener_id, (e.block_time / ?2) * ?2 FROM events e
                   JOIN also_matched a ON a.event_id = e.id
                  WHERE e.network_id = ?3 AND e.block_number >= ?4 AND e.block_time >= ?1
                    AND e.status != 2) h
               JOIN listeners l ON l.id = h.lid
              GROUP BY l.name, h.t ORDER BY l.name, h.t",
        )?;
        let mut rows = stmt.query(rusqlite::params![since, bucket, network_id, first_block])?;
        let mut out: Vec<ListenerSeries> = Vec::new();
        while let Some(r) = rows.next()? {
            let (name, t, n): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            match out.last_mut() {
                Some(s) if s.listener == name => s.points.push((t, n as u64)),
                _ => out.push(ListenerSeries {
                    listener: name,
                    points: vec![(t, n as u64)],
                }),
            }
        }
        Ok(out)
    }

    fn top_contracts(
        &self,
        network_id: i64,
        first_block: i64,
        since: i64,
    ) -> Result<Vec<TopEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.name, e.contract, t.symbol, count(*) AS c FROM events e
               JOIN networks n ON n.id = e.network_id
               LEFT JOIN tokens t ON t.network_id = e.network_id AND t.address = e.contract
              WHERE e.network_id = ?3 AND e.block_number >= ?4 AND e.block_time >= ?1
                AND e.status != 2
              GROUP BY e.contract ORDER BY c DESC LIMIT ?2",
        )?;
        let mut rows = stmt.query(rusqlite::params![since, TOP, network_id, first_block])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let contract: Vec<u8> = r.get(1)?;
            out.push(TopEntry {
                network: r.get(0)?,
                address: checksummed(&contract),
                symbol: r.get(2)?,
                count: r.get::<_, i64>(3)? as u64,
            });
        }
        Ok(out)
    }

    /// The addresses seen most in the arguments of the latest events.
    fn top_addresses(&self) -> Result<Vec<TopEntry>, StoreError> {
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT n.name, e.kind, e.args, e.topics, e.data
               FROM (SELECT network_id, kind, args, topics, data FROM events ORDER BY id DESC LIMIT ?1) e
               JOIN networks n ON n.id = e.network_id",
        )?;
        let mut rows = stmt.query([ADDRESS_SAMPLE])?;
        let mut counts: HashMap<(String, Address), u64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let args = match r.get::<_, Option<i64>>(1)? {
                Some(kind) => {
                    kinds.args(kind, r.get_ref(3)?.as_blob()?, r.get_ref(4)?.as_blob()?)?
                }
                None => serde_json::from_str(r.get_ref(2)?.as_str()?)
                    .map_err(|e| StoreError::Corrupt(format!("arguments are not JSON: {e}")))?,
            };
            let serde_json::Value::Object(args) = args else {
                continue;
            };
            let addresses = args
                .values()
                .filter_map(|v| v.as_str())
                .filter(|s| s.len() == 42 && s.starts_with("0x"))
                .filter_map(|s| s.parse::<Address>().ok());
            for a in addresses {
                *counts.entry((r.get(0)?, a)).or_default() += 1;
            }
        }
        let mut ranked: Vec<((String, Address), u64)> = counts.into_iter().collect();
        ranked.sort_by(|(ka, a), (kb, b)| b.cmp(a).then_with(|| ka.cmp(kb)));
        Ok(ranked
            .into_iter()
            .take(TOP as usize)
            .map(|((network, address), count)| TopEntry {
                network,
                address: address.to_checksum(None),
                symbol: None,
                count,
            })
            .collect())
    }
}

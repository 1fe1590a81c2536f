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
    fn order_by(self) -> &'static str {
        match self {
            HistorySort::Newest => " ORDER BY m.event_id DESC, m.listener_id DESC",
            HistorySort::Oldest => " ORDER BY m.event_id, m.listener_id",
            // Events without an amount have a NULL one: last when descending, first when
            // ascending, as SQLite orders NULLs (so the amount index serves both).
            HistorySort::AmountDesc => " ORDER BY e.amount DESC, e.id DESC, m.listener_id DESC",
            HistorySort::AmountAsc => " ORDER BY e.amount, e.id, m.listener_id",
        }
    }

    /// The `FROM` whose outer loop walks the index this order needs.
    fn tables(self) -> &'static str {
        match self {
            HistorySort::Newest | HistorySort::Oldest => filter::FROM,
            HistorySort::AmountDesc | HistorySort::AmountAsc => filter::FROM_EVENTS,
        }
    }

    /// The keyset condition that starts a page at a row, for the orders that have one.
    fn keyset(self) -> Option<&'static str> {
        match self {
            HistorySort::Newest => {
                Some(" AND (m.event_id, m.listener_id) <= (:at_event, :at_listener)")
            }
            HistorySort::Oldest => {
                Some(" AND (m.event_id, m.listener_id) >= (:at_event, :at_listener)")
            }
            _ => None,
        }
    }
}

/// Whether a filter only narrows by listener: such pages and counts need only the
/// `matches` table and its indexes.
fn matches_only(f: &EventFilter) -> bool {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    blank(&f.network)
        && blank(&f.event)
        && blank(&f.contract)
        && blank(&f.address)
        && f.status.is_none()
        && f.from_block.is_none()
        && f.to_block.is_none()
        && f.from_time.is_none()
        && f.to_time.is_none()
}

/// `SELECT` of the (event, listener) keys of the filtered rows, on `matches` alone when
/// the filter allows it.
fn keys_of(filter: &EventFilter) -> String {
    if matches_only(filter) {
        ["SELECT m.event_id, m.listener_id", MATCHES_ONLY].concat()
    } else {
        [
            "SELECT m.event_id, m.listener_id",
            filter::FROM,
            filter::WHERE,
        ]
        .concat()
    }
}

/// `matches` rows of the listener named `:listener` (all when null), for [`matches_only`] filters.
const MATCHES_ONLY: &str = " FROM matches m
    WHERE (:listener IS NULL OR m.listener_id = (SELECT id FROM listeners WHERE name = :listener))";

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
    /// `[event id, listener id]` of rows 0, every, 2 * every, ... (empty for amount orders).
    #[ts(type = "Array<[number, number]>")]
    pub anchors: Vec<(i64, i64)>,
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
                index.anchors.push((r.get(0)?, r.get(1)?));
            }
            index.count += 1;
        }
        Ok(index)
    }

    /// `limit` rows of the filtered History in block order, starting at the row whose key
    /// is `anchor` (from [`Store::history_index`]).
    pub fn history_page_from(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        anchor: (i64, i64),
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let Some(keyset) = sort.keyset() else {
            return Err(StoreError::BadFilter(
                "pages in amount order have no anchors".into(),
            ));
        };
        let mut values = self.narrowed(filter)?;
        values.push((":at_event", Value::Integer(anchor.0)));
        values.push((":at_listener", Value::Integer(anchor.1)));
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
            sort.tables(),
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

    /// The (event, listener) of row `offset` in block order.
    fn row_at(
        &self,
        filter: &EventFilter,
        sort: HistorySort,
        offset: u64,
    ) -> Result<Option<(i64, i64)>, StoreError> {
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
            Some(r) => Some((r.get(0)?, r.get(1)?)),
            None => None,
        })
    }

    /// The filter's values, with event id bounds when it has a block range: ids grow with
    /// block numbers within a network, so the bounds (read off the block index) let a
    /// scan skip everything outside the range.
    fn narrowed(&self, filter: &EventFilter) -> Result<Vec<(&'static str, Value)>, StoreError> {
        let mut values = filter::values(filter)?;
        if filter.from_block.is_none() && filter.to_block.is_none() {
            return Ok(values);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT min(id), max(id) FROM events
              WHERE network_id IN (SELECT id FROM networks WHERE :network IS NULL OR name = :network)
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

    /// How many rows the filtered history has (one per event and listener).
    pub fn history_count(&self, filter: &EventFilter) -> Result<u64, StoreError> {
        let sql = if matches_only(filter) {
            ["SELECT count(*)", MATCHES_ONLY].concat()
        } else {
            ["SELECT count(*)", filter::FROM, filter::WHERE].concat()
        };
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
            "SELECT l.name, (e.block_time / ?2) * ?2 AS t, count(*) FROM events e
               JOIN matches m ON m.event_id = e.id
               JOIN listeners l ON l.id = m.listener_id
              WHERE e.network_id = ?3 AND e.block_number >= ?4 AND e.block_time >= ?1
                AND e.status != 2
              GROUP BY l.name, t ORDER BY l.name, t",
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

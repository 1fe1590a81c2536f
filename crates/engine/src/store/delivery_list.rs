//! Deliveries and attempts as the user sees them: lists, per-target counts (queued,
//! parked, held) and what a run made.

use rusqlite::params;

use super::commit::status_from_code;
use super::{DeliveryState, Store, StoreError};
use crate::event::EventStatus;

/// One delivery attempt as the app lists it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AttemptRow {
    #[ts(type = "number")]
    pub delivery_id: i64,
    pub target: String,
    pub listener: String,
    /// `chain_id:tx_hash:log_index`.
    pub key: String,
    pub event: String,
    /// The event status the message announced (`removed`: a retraction).
    pub status: EventStatus,
    /// Milliseconds since the epoch.
    #[ts(type = "number")]
    pub at_ms: i64,
    pub ok: bool,
    /// HTTP status, when there was one.
    pub code: Option<u16>,
    #[ts(type = "number")]
    pub latency_ms: i64,
    pub error: Option<String>,
    /// Where the delivery stands now.
    pub state: String,
}

/// A delivery as listed to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRow {
    pub id: i64,
    pub target: String,
    pub listener: String,
    pub key: String,
    pub event: String,
    pub block_number: u64,
    pub status: EventStatus,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub done_at: Option<i64>,
    /// Held: how many parked messages of its lane it waits behind.
    pub parked_ahead: u64,
}

/// `chain_id:0x<tx hash>:log_index`, as in the delivered payload.
fn idempotency_key(chain_id: i64, tx: &[u8], log_index: i64) -> String {
    format!(
        "{chain_id}:0x{}:{log_index}",
        alloy_primitives::hex::encode(tx)
    )
}

/// How many deliveries stand in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub queued: u64,
    pub delivered: u64,
    pub parked: u64,
    pub held: u64,
    pub dropped: u64,
}

impl Store {
    /// (queued, parked, held) deliveries of one target.
    pub fn target_counts(&self, target: &str) -> Result<(u64, u64, u64), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 2), 0), coalesce(sum(state = 4), 0)
             FROM deliveries WHERE target = ?1 AND state != 1",
        )?;
        Ok(stmt.query_row([target], |r| {
            let n = |i| r.get::<_, i64>(i).map(|n| n as u64);
            Ok((n(0)?, n(1)?, n(2)?))
        })?)
    }

    /// The id of the newest delivery (0 when none): a run counts what it made after it.
    pub fn last_delivery_id(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM deliveries", [], |r| {
                r.get(0)
            })?)
    }

    /// How the deliveries made after delivery `since` stand.
    pub fn counts_since(&self, since: i64) -> Result<DeliveryCounts, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT state, count(*) FROM deliveries WHERE id > ?1 GROUP BY state",
        )?;
        let mut counts = DeliveryCounts::default();
        let rows = stmt.query_map([since], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            let slot = match DeliveryState::from_code(state)? {
                DeliveryState::Queued => &mut counts.queued,
                DeliveryState::Delivered => &mut counts.delivered,
                DeliveryState::Parked => &mut counts.parked,
                DeliveryState::Held => &mut counts.held,
                DeliveryState::Dropped => &mut counts.dropped,
            };
            *slot = n as u64;
        }
        Ok(counts)
    }

    /// Queued deliveries of these targets (all targets when empty).
    pub fn queued_count(&self, targets: &[String]) -> Result<u64, StoreError> {
        Ok(self
            .count_per_target(DeliveryState::Queued)?
            .into_iter()
            .filter(|(t, _)| targets.is_empty() || targets.contains(t))
            .map(|(_, n)| n)
            .sum())
    }

    /// (target, count) of the deliveries in a state.
    pub fn count_per_target(&self, state: DeliveryState) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT target, count(*) FROM deliveries WHERE state = ?1 GROUP BY target ORDER BY target",
        )?;
        let rows = stmt.query_map([state.code()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deliveries in a state (every state when `None`), newest first.
    pub fn deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        self.rows_in(state.map_or(i64::MAX, |s| 1 << s.code()), limit)
    }

    /// Parked and held deliveries (what waits for a redelivery), newest first.
    pub fn waiting_deliveries(&self, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
        let mask = 1 << DeliveryState::Parked.code() | 1 << DeliveryState::Held.code();
        self.rows_in(mask, limit)
    }

    /// Deliveries whose state's bit is set in `mask`, newest first.
    fn rows_in(&self, mask: i64, limit: u32) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.target, l.name, n.chain_id, e.tx_hash, e.log_index,
                    coalesce(k.name, e.event), e.block_number,
                    d.status, d.state, d.attempts, d.last_error, d.created_at, d.done_at,
                    CASE WHEN d.state = 4 THEN (SELECT count(*) FROM deliveries p
                        WHERE p.target = d.target AND p.state = 2 AND p.listener_id = d.listener_id)
                    ELSE 0 END
             FROM deliveries d JOIN events e ON e.id = d.event_id
             LEFT JOIN event_kinds k ON k.id = e.kind
             JOIN listeners l ON l.id = d.listener_id JOIN networks n ON n.id = e.network_id
             WHERE (?1 >> d.state) & 1 ORDER BY d.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![mask, limit], |r| {
            let tx: Vec<u8> = r.get(4)?;
            Ok((
                DeliveryRow {
                    id: r.get(0)?,
                    target: r.get(1)?,
                    listener: r.get(2)?,
                    key: idempotency_key(r.get(3)?, &tx, r.get(5)?),
                    event: r.get(6)?,
                    block_number: r.get::<_, i64>(7)? as u64,
                    status: EventStatus::Pending,
                    state: DeliveryState::Queued,
                    attempts: r.get::<_, i64>(10)? as u32,
                    last_error: r.get(11)?,
                    created_at: r.get(12)?,
                    done_at: r.get(13)?,
                    parked_ahead: r.get::<_, i64>(14)? as u64,
                },
                r.get::<_, i64>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut d, status, state) = row?;
            d.status = status_from_code(status)?;
            d.state = DeliveryState::from_code(state)?;
            out.push(d);
        }
        Ok(out)
    }

    /// The latest attempts of every target, newest first.
    pub fn recent_attempts(&self, limit: u32) -> Result<Vec<AttemptRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.delivery_id, d.target, l.name, n.chain_id, e.tx_hash, e.log_index,
                    coalesce(k.name, e.event), d.status,
                    a.at, a.ok, a.code, a.latency_ms, a.error, d.state
             FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
             JOIN events e ON e.id = d.event_id LEFT JOIN event_kinds k ON k.id = e.kind JOIN listeners l ON l.id = d.listener_id
             JOIN networks n ON n.id = e.network_id
             ORDER BY a.id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            let tx: Vec<u8> = r.get(4)?;
            Ok((
                AttemptRow {
                    delivery_id: r.get(0)?,
                    target: r.get(1)?,
                    listener: r.get(2)?,
                    key: idempotency_key(r.get(3)?, &tx, r.get(5)?),
                    event: r.get(6)?,
                    status: EventStatus::Pending,
                    at_ms: r.get(8)?,
                    ok: r.get(9)?,
                    code: r.get(10)?,
                    latency_ms: r.get(11)?,
                    error: r.get(12)?,
                    state: String::new(),
                },
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut a, status, state) = row?;
            a.status = status_from_code(status)?;
            a.state = DeliveryState::from_code(state)?.as_str().to_string();
            out.push(a);
        }
        Ok(out)
    }
}

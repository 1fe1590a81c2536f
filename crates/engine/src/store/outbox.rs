//! The delivery outbox: messages written in the same transaction as the events they
//! carry, read back lane by lane (one lane per target and listener, in order), and the
//! record of every attempt.

use rusqlite::{params, Transaction};

use super::commit::{status_code, status_from_code};
use super::query::{row_to_event, COLUMNS, COLUMN_COUNT, TOKEN_JOIN};
use super::{Store, StoreError};
use crate::event::{EventStatus, StoredEvent};

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    Queued,
    Delivered,
    /// Gave up after the target's attempts; waits for a redelivery.
    Parked,
    /// Never delivered, and its event was removed by a reorg meanwhile: nothing to say.
    Dropped,
}

impl DeliveryState {
    fn code(self) -> i64 {
        match self {
            DeliveryState::Queued => 0,
            DeliveryState::Delivered => 1,
            DeliveryState::Parked => 2,
            DeliveryState::Dropped => 3,
        }
    }

    pub(super) fn from_code(c: i64) -> Result<Self, StoreError> {
        match c {
            0 => Ok(DeliveryState::Queued),
            1 => Ok(DeliveryState::Delivered),
            2 => Ok(DeliveryState::Parked),
            3 => Ok(DeliveryState::Dropped),
            other => Err(StoreError::Corrupt(format!(
                "unknown delivery state {other}"
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Parked => "parked",
            DeliveryState::Dropped => "dropped",
        }
    }
}

/// A queued delivery with the event it carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Queued {
    pub id: i64,
    /// The status this message announces (`Removed`: a retraction).
    pub status: EventStatus,
    pub attempts: u32,
    /// The event as stored now; `listener` is the lane's listener.
    pub event: StoredEvent,
}

/// The head of one lane of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane {
    pub listener_id: i64,
    /// Milliseconds since the epoch before which the head is not retried.
    pub next_at: i64,
}

/// What became of one attempt, and what happens next.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    pub delivery_id: i64,
    pub at_ms: i64,
    pub ok: bool,
    pub code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next: NextStep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    Done,
    RetryAt(i64),
    Park,
    /// Not an attempt: ask again at this time (attempts and the log are untouched).
    Defer(i64),
}

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
}

/// `chain_id:0x<tx hash>:log_index`, as in the delivered payload.
fn idempotency_key(chain_id: i64, tx: &[u8], log_index: i64) -> String {
    format!(
        "{chain_id}:0x{}:{log_index}",
        alloy_primitives::hex::encode(tx)
    )
}

/// Queues the event for every target of the listener that takes it: all of them when the
/// block is past the listener's first backfill, else those routed with `history`. A
/// target whose last message about this event already said this status is skipped (a
/// listener redefined and matched again does not announce twice); one dropped by a reorg
/// does not count, since it was never sent.
pub(super) fn enqueue(
    tx: &Transaction<'_>,
    listener_id: i64,
    event_id: i64,
    block_number: u64,
    status: EventStatus,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO deliveries (target, listener_id, event_id, status, created_at)
         SELECT r.target, r.listener_id, ?2, ?3, ?5 FROM routes r JOIN listeners l ON l.id = r.listener_id
         WHERE r.listener_id = ?1 AND (r.history = 1 OR l.created_head IS NULL OR ?4 > l.created_head)
           AND (SELECT d.status FROM deliveries d
                WHERE d.event_id = ?2 AND d.target = r.target AND d.listener_id = r.listener_id
                  AND d.state != 3
                ORDER BY d.id DESC LIMIT 1) IS NOT ?3
         ORDER BY r.target",
    )?;
    Ok(stmt.execute(params![
        listener_id,
        event_id,
        status_code(status),
        block_number as i64,
        now_ms
    ])?)
}

/// Queues a retraction, to the same targets, of every event above `ancestor` that is about
/// to be removed and was announced: delivered, queued (so perhaps in flight), or parked
/// after an attempt (a receiver may have kept a message it answered too late). Parked
/// messages about those events will never be true again: they are dropped.
pub(super) fn retract_above(
    tx: &Transaction<'_>,
    network_id: i64,
    ancestor: u64,
    now_ms: i64,
) -> Result<usize, StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO deliveries (target, listener_id, event_id, status, created_at)
         SELECT DISTINCT d.target, d.listener_id, d.event_id, 2, ?3
         FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE e.network_id = ?1 AND e.block_number > ?2 AND e.status != 2 AND d.status != 2
           AND (d.state IN (0, 1) OR (d.state = 2 AND d.attempts > 0))
         ORDER BY d.event_id, d.target, d.listener_id",
    )?;
    let n = stmt.execute(params![network_id, ancestor as i64, now_ms])?;
    tx.prepare_cached(
        "UPDATE deliveries SET state = 3, done_at = ?3,
            last_error = 'its event was removed by a reorg before it was delivered'
         WHERE state = 2 AND status != 2 AND event_id IN
            (SELECT id FROM events WHERE network_id = ?1 AND block_number > ?2 AND status != 2)",
    )?
    .execute(params![network_id, ancestor as i64, now_ms])?;
    Ok(n)
}

impl Store {
    /// Sets the targets a listener feeds; `(target, history)` pairs.
    pub fn set_routes(
        &self,
        listener_id: i64,
        routes: &[(String, bool)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM routes WHERE listener_id = ?1", [listener_id])?;
        for (target, history) in routes {
            tx.execute(
                "INSERT OR REPLACE INTO routes (listener_id, target, history) VALUES (?1, ?2, ?3)",
                params![listener_id, target, *history],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The first queued delivery of each lane of a target.
    pub fn lanes(&self, target: &str) -> Result<Vec<Lane>, StoreError> {
        // SQLite takes the bare column `next_at` from the row holding min(id).
        let mut stmt = self.conn.prepare_cached(
            "SELECT listener_id, min(id), next_at FROM deliveries
             WHERE target = ?1 AND state = 0 GROUP BY listener_id",
        )?;
        let rows = stmt.query_map([target], |r| {
            Ok(Lane {
                listener_id: r.get(0)?,
                next_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` queued deliveries of one lane, oldest first. A delivery whose stored
    /// event cannot be read back (a damaged row) is parked with the reason, so it neither
    /// goes out half-read nor stalls the messages behind it.
    pub fn lane_batch(
        &self,
        target: &str,
        listener_id: i64,
        limit: u32,
    ) -> Result<Vec<Queued>, StoreError> {
        let sql = [
            "SELECT ",
            COLUMNS,
            ", d.id, d.status, d.attempts FROM deliveries d
             JOIN events e ON e.id = d.event_id
             JOIN listeners l ON l.id = d.listener_id
             JOIN networks n ON n.id = e.network_id",
            TOKEN_JOIN,
            " WHERE d.target = ?1 AND d.state = 0 AND d.listener_id = ?2
             ORDER BY d.id LIMIT ?3",
        ]
        .concat();
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![target, listener_id, limit], |r| {
            Ok((
                row_to_event(r, &kinds)?,
                r.get::<_, i64>(COLUMN_COUNT)?,
                r.get::<_, i64>(COLUMN_COUNT + 1)?,
                r.get::<_, i64>(COLUMN_COUNT + 2)?,
            ))
        })?;
        let mut out = Vec::new();
        let mut unreadable = Vec::new();
        for row in rows {
            let (event, id, status, attempts) = row?;
            match (event, status_from_code(status)) {
                (Ok(event), Ok(status)) => out.push(Queued {
                    id,
                    status,
                    attempts: attempts as u32,
                    event,
                }),
                (Err(e), _) | (_, Err(e)) => unreadable.push((id, e.to_string())),
            }
        }
        drop(stmt);
        for (id, reason) in unreadable {
            tracing::error!(target, delivery = id, %reason, "cannot read a queued message's event; parked");
            self.conn.execute(
                "UPDATE deliveries SET state = ?2, done_at = ?3, last_error = ?4 WHERE id = ?1",
                params![
                    id,
                    DeliveryState::Parked.code(),
                    super::now_ms(),
                    format!("the stored event cannot be read: {reason}")
                ],
            )?;
        }
        Ok(out)
    }

    /// Records attempts and their consequences in one transaction.
    pub fn record_attempts(&mut self, attempts: &[AttemptRecord]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut log = tx.prepare_cached(
                "INSERT INTO delivery_attempts (delivery_id, at, ok, code, latency_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut update = tx.prepare_cached(
                "UPDATE deliveries SET attempts = attempts + 1, state = ?2, next_at = ?3, last_error = ?4,
                 done_at = CASE WHEN ?2 = 0 THEN NULL ELSE ?5 END WHERE id = ?1",
            )?;
            let mut defer =
                tx.prepare_cached("UPDATE deliveries SET next_at = ?2 WHERE id = ?1")?;
            let mut park_rest = tx.prepare_cached(
                "UPDATE deliveries SET state = 2, done_at = ?2,
                    last_error = 'parked with an earlier message of its listener (the target kept failing)'
                 WHERE state = 0 AND id > ?1 AND (target, listener_id) =
                    (SELECT target, listener_id FROM deliveries WHERE id = ?1)",
            )?;
            for a in attempts {
                if let NextStep::Defer(t) = a.next {
                    defer.execute(params![a.delivery_id, t])?;
                    continue;
                }
                log.execute(params![
                    a.delivery_id,
                    a.at_ms,
                    a.ok,
                    a.code,
                    a.latency_ms,
                    a.error
                ])?;
                let (state, next_at) = match a.next {
                    NextStep::Done => (DeliveryState::Delivered, 0),
                    NextStep::RetryAt(t) => (DeliveryState::Queued, t),
                    NextStep::Park | NextStep::Defer(_) => (DeliveryState::Parked, 0),
                };
                update.execute(params![
                    a.delivery_id,
                    state.code(),
                    next_at,
                    a.error,
                    a.at_ms
                ])?;
                if a.next == NextStep::Park {
                    // The target kept failing: park the rest of the lane too, so a
                    // redelivery sends them in order and `--until-head` does not wait out
                    // each one's retries.
                    park_rest.execute(params![a.delivery_id, a.at_ms])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// (queued, parked) deliveries of one target.
    pub fn target_counts(&self, target: &str) -> Result<(u64, u64), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(sum(state = 0), 0), coalesce(sum(state = 2), 0) FROM deliveries WHERE target = ?1 AND state != 1",
        )?;
        Ok(stmt.query_row([target], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?)
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

    /// Deliveries in a state, newest first.
    pub fn deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.target, l.name, n.chain_id, e.tx_hash, e.log_index,
                    coalesce(k.name, e.event), e.block_number,
                    d.status, d.state, d.attempts, d.last_error, d.created_at, d.done_at
             FROM deliveries d JOIN events e ON e.id = d.event_id
             LEFT JOIN event_kinds k ON k.id = e.kind
             JOIN listeners l ON l.id = d.listener_id JOIN networks n ON n.id = e.network_id
             WHERE ?1 IS NULL OR d.state = ?1 ORDER BY d.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![state.map(|s| s.code()), limit], |r| {
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

    /// Queues parked deliveries again (of one target, or all); returns how many. A parked
    /// message that a later one about the same event replaced (a retraction, then the event
    /// back) is dropped instead: sent now, it would arrive after the news it is older than.
    pub fn requeue_parked(&self, target: Option<&str>) -> Result<usize, StoreError> {
        // Dropped deliveries (their event was removed) are not parked and stay as they are.
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "UPDATE deliveries SET state = 3, done_at = ?2,
                last_error = 'a later message about its event replaced it'
             WHERE state = 2 AND (?1 IS NULL OR target = ?1) AND EXISTS
                (SELECT 1 FROM deliveries n WHERE n.event_id = deliveries.event_id
                    AND n.target = deliveries.target AND n.listener_id = deliveries.listener_id
                    AND n.id > deliveries.id)",
            params![target, super::now_ms()],
        )?;
        let n = tx.execute(
            "UPDATE deliveries SET state = 0, attempts = 0, next_at = 0, done_at = NULL
             WHERE state = 2 AND (?1 IS NULL OR target = ?1)",
            [target],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// A random id of this database, made on first use; keeps message ids unique.
    pub fn instance_id(&self) -> Result<String, StoreError> {
        if let Some(id) = self.meta("instance")? {
            return Ok(id);
        }
        let seed = format!(
            "{}:{}:{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            self.path.display()
        );
        let id = alloy_primitives::hex::encode(&alloy_primitives::keccak256(seed)[..6]);
        self.set_meta("instance", &id)?;
        Ok(id)
    }

    /// A small persistent setting (e.g. the configuration file the last run used).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}

//! The delivery outbox: messages written in the same transaction as the events they
//! carry, read back lane by lane (one lane per target and listener, in order), and the
//! record of every attempt.

use rusqlite::{params, Transaction};

use super::commit::{status_code, status_from_code};
use super::hold::{self, OnPark};
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
    /// Queued behind a message of its lane that was parked: waits for a redelivery to
    /// send that one first (`on_park = "hold"`, the default).
    Held,
}

impl DeliveryState {
    pub(super) fn code(self) -> i64 {
        match self {
            DeliveryState::Queued => 0,
            DeliveryState::Delivered => 1,
            DeliveryState::Parked => 2,
            DeliveryState::Dropped => 3,
            DeliveryState::Held => 4,
        }
    }

    pub(super) fn from_code(c: i64) -> Result<Self, StoreError> {
        match c {
            0 => Ok(DeliveryState::Queued),
            1 => Ok(DeliveryState::Delivered),
            2 => Ok(DeliveryState::Parked),
            3 => Ok(DeliveryState::Dropped),
            4 => Ok(DeliveryState::Held),
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
            DeliveryState::Held => "held",
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
    /// The lane has a message parked after its attempts: a holding target sends nothing
    /// of it before a redelivery.
    pub behind_parked: bool,
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
/// after an attempt (a receiver may have kept a message it answered too late). Parked and
/// held messages about those events will never be true again: they are dropped, and a lane
/// left with nothing parked goes on.
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
           AND (d.state IN (0, 1) OR (d.state IN (2, 4) AND d.attempts > 0))
         ORDER BY d.event_id, d.target, d.listener_id",
    )?;
    let n = stmt.execute(params![network_id, ancestor as i64, now_ms])?;
    let lanes = hold::parked_lanes_above(tx, network_id, ancestor)?;
    tx.prepare_cached(
        "UPDATE deliveries SET state = 3, done_at = ?3,
            last_error = 'its event was removed by a reorg before it was delivered'
         WHERE state IN (2, 4) AND status != 2 AND event_id IN
            (SELECT id FROM events WHERE network_id = ?1 AND block_number > ?2 AND status != 2)",
    )?
    .execute(params![network_id, ancestor as i64, now_ms])?;
    hold::release_lanes(tx, &lanes)?;
    Ok(n)
}

/// The head of each lane of target `?1`, and whether a parked message holds it. (SQLite
/// takes the bare column `next_at` from the row holding min(id).)
pub(super) const LANES: &str = "SELECT d.listener_id, min(d.id), d.next_at, EXISTS
        (SELECT 1 FROM deliveries p INDEXED BY deliveries_parked WHERE p.target = ?1 AND p.listener_id = d.listener_id
            AND p.state = 2 AND p.attempts > 0)
     FROM deliveries d WHERE d.target = ?1 AND d.state = 0 GROUP BY d.listener_id";

/// Up to `?3` queued messages of lane (`?1`, `?2`) with their events, oldest first.
pub(super) fn lane_batch_sql() -> String {
    [
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
    .concat()
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
        let mut stmt = self.conn.prepare_cached(LANES)?;
        let rows = stmt.query_map([target], |r| {
            Ok(Lane {
                listener_id: r.get(0)?,
                next_at: r.get(2)?,
                behind_parked: r.get(3)?,
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
        let kinds = self.kinds()?;
        let mut stmt = self.conn.prepare_cached(&lane_batch_sql())?;
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

    /// Records attempts and their consequences in one transaction; a park holds the rest
    /// of its lane, or parks it too (see [`OnPark`]).
    pub fn record_attempts(
        &mut self,
        attempts: &[AttemptRecord],
        on_park: OnPark,
    ) -> Result<(), StoreError> {
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
                    // The rest of the lane waits (or is parked too): a redelivery sends
                    // them in order, and `--until-head` does not wait out their retries.
                    hold::after_park(&tx, a.delivery_id, a.at_ms, on_park)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Queues parked deliveries again (of one target, or all), and the held ones behind
    /// them: lanes go oldest first, so the parked ones go before; returns how many. A parked
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
             WHERE state IN (2, 4) AND (?1 IS NULL OR target = ?1)",
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

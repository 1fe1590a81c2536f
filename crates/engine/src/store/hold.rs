//! Order after a park: in a lane (target, listener) whose message was parked after its
//! attempts, the messages behind it are *held* (a stored state) until a redelivery sends
//! the parked ones and then them, in order. A message parked because its event cannot be
//! read was never tried and holds nothing back.

use rusqlite::{params, Transaction};

use super::{Store, StoreError};

pub use crate::model::OnPark;

/// Holds the queued messages of lane (`?1`, `?2`) if a message of it is parked after its
/// attempts.
pub(super) const HOLD_LANE: &str = "UPDATE deliveries SET state = 4
     WHERE target = ?1 AND state = 0 AND listener_id = ?2 AND EXISTS
        (SELECT 1 FROM deliveries p INDEXED BY deliveries_parked WHERE p.target = ?1 AND p.listener_id = ?2
            AND p.state = 2 AND p.attempts > 0)";

/// Holds the queued messages of the lane of delivery `?1` (it was just parked).
pub(super) const HOLD_REST: &str = "UPDATE deliveries SET state = 4
     WHERE state = 0 AND (target, listener_id) = (SELECT target, listener_id FROM deliveries WHERE id = ?1)";

/// Parks the queued messages of the lane of delivery `?1` with it (`on_park = "skip"`).
const PARK_REST: &str = "UPDATE deliveries SET state = 2, done_at = ?2,
        last_error = 'parked with an earlier message of its listener (the target kept failing)'
     WHERE state = 0 AND id > ?1 AND (target, listener_id) =
        (SELECT target, listener_id FROM deliveries WHERE id = ?1)";

/// After delivery `id` was parked: the rest of its lane is held, or parked with it.
pub(super) fn after_park(
    tx: &Transaction<'_>,
    id: i64,
    at_ms: i64,
    on_park: OnPark,
) -> Result<(), StoreError> {
    match on_park {
        OnPark::Hold => tx.prepare_cached(HOLD_REST)?.execute([id])?,
        OnPark::Skip => tx.prepare_cached(PARK_REST)?.execute(params![id, at_ms])?,
    };
    Ok(())
}

/// Releases the held messages of lanes that lost their last parked message to a reorg
/// above `ancestor` (`lanes`: those lanes, read before the drop).
pub(super) fn release_lanes(
    tx: &Transaction<'_>,
    lanes: &[(String, i64)],
) -> Result<(), StoreError> {
    let mut release = tx.prepare_cached(
        "UPDATE deliveries SET state = 0
         WHERE target = ?1 AND state = 4 AND listener_id = ?2 AND NOT EXISTS
            (SELECT 1 FROM deliveries p INDEXED BY deliveries_parked WHERE p.target = ?1 AND p.listener_id = ?2
                AND p.state = 2 AND p.attempts > 0)",
    )?;
    for (target, listener) in lanes {
        release.execute(params![target, listener])?;
    }
    Ok(())
}

/// Lanes with a message parked after its attempts about an event above `ancestor`.
pub(super) fn parked_lanes_above(
    tx: &Transaction<'_>,
    network_id: i64,
    ancestor: u64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT DISTINCT target, listener_id FROM deliveries
         WHERE state = 2 AND attempts > 0 AND event_id IN
            (SELECT id FROM events WHERE network_id = ?1 AND block_number > ?2 AND status != 2)",
    )?;
    let rows = stmt.query_map(params![network_id, ancestor as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Holds the queued messages of a lane that has a message parked after its attempts
    /// (new ones, queued after the park); returns how many. One statement: a redelivery
    /// committed meanwhile leaves nothing to hold behind.
    pub fn hold_lane(&self, target: &str, listener_id: i64) -> Result<usize, StoreError> {
        let mut stmt = self.conn.prepare_cached(HOLD_LANE)?;
        Ok(stmt.execute(params![target, listener_id])?)
    }

    /// Queues the held messages of a target again (it no longer holds: `on_park = "skip"`).
    pub fn release_held(&self, target: &str) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE deliveries SET state = 0 WHERE target = ?1 AND state = 4",
            [target],
        )?)
    }
}

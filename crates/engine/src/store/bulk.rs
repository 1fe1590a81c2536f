//! Bulk loading. Amounts arrive in random order, so each insert into the amount index
//! lands at a random place: during a long backfill into a small database it costs as much
//! as the rest of the row. A network that starts such a backfill leaves the index out;
//! it is built once, in one sorted pass, when no network is bulk loading any more.
//! Meanwhile foreign keys are not checked either (three lookups per event): the engine
//! only appends events and their matches then, and nothing deletes listeners or networks.

use super::{Store, StoreError};

/// Below this many stored events a bulk load always pays: rebuilding the index over them
/// takes a fraction of a second.
pub const SMALL_DATABASE: i64 = 200_000;

impl Store {
    /// `network_id` starts a bulk load: the amount index is dropped until none is left, and
    /// its token state is folded in at the end.
    pub fn begin_bulk(&mut self, network_id: i64) -> Result<(), StoreError> {
        self.begin_deferring(network_id);
        if self.bulk.insert(network_id) && self.bulk.len() == 1 {
            self.conn
                .execute_batch("DROP INDEX IF EXISTS events_amount")?;
            self.conn.pragma_update(None, "foreign_keys", "OFF")?;
            tracing::info!(
                network_id,
                "bulk load: the amount index is built at the end"
            );
        }
        Ok(())
    }

    /// `network_id` stops bulk loading without waiting for the index (shutting down); its
    /// token state is folded in.
    pub fn leave_bulk(&mut self, network_id: i64) -> Result<(), StoreError> {
        self.stop_deferring(network_id)?;
        if self.bulk.remove(&network_id) && self.bulk.is_empty() {
            self.conn.pragma_update(None, "foreign_keys", "ON")?;
        }
        Ok(())
    }

    /// `network_id` caught up. When no bulk load is left, a missing amount index (also one
    /// left out by a run that was stopped or killed) is built.
    pub fn end_bulk(&mut self, network_id: i64) -> Result<(), StoreError> {
        self.leave_bulk(network_id)?;
        if self.bulk.is_empty() && !self.has_amount_index()? {
            // What is committed is copied into the database while the index is built, so
            // that closing has only the index left to copy.
            if let Some(c) = &mut self.checkpointer {
                c.nudge();
            }
            let t = std::time::Instant::now();
            self.conn
                .execute_batch("CREATE INDEX IF NOT EXISTS events_amount ON events(amount)")?;
            tracing::info!(network_id, took = ?t.elapsed(), "amount index built");
        }
        Ok(())
    }

    pub(super) fn has_amount_index(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'events_amount'",
            )?
            .exists([])?)
    }

    /// Whether foreign keys are checked now (they are not during a bulk load).
    #[cfg(test)]
    pub(super) fn checks_foreign_keys(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))?)
    }

    /// The highest event id: how many events the database holds, without counting them.
    pub fn last_event_id(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?)
    }
}

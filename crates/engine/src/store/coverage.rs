//! Which block ranges each listener has fully processed, kept as merged ranges.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

impl Store {
    /// Ranges `[start, end]` (inclusive) the listener has covered, ascending.
    pub fn coverage(&self, listener_id: i64) -> Result<Vec<(u64, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT start_block, end_block FROM coverage WHERE listener_id = ?1 ORDER BY start_block",
        )?;
        let rows = stmt.query_map([listener_id], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last block of the contiguous coverage that starts at `from_block`, if any.
    pub fn covered_to(&self, listener_id: i64, from_block: u64) -> Result<Option<u64>, StoreError> {
        let end: Option<i64> = self
            .conn
            .query_row(
                "SELECT end_block FROM coverage WHERE listener_id = ?1 AND start_block <= ?2 AND end_block >= ?2 - 1 ORDER BY start_block DESC LIMIT 1",
                params![listener_id, from_block as i64],
                |r| r.get(0),
            )
            .optional()?;
        Ok(end.map(|e| e as u64).filter(|e| *e >= from_block))
    }
}

/// Adds `[start, end]` to the listener's coverage, merging touching or overlapping ranges.
pub(super) fn extend(
    conn: &Connection,
    listener_id: i64,
    start: u64,
    end: u64,
) -> Result<(), StoreError> {
    let (mut lo, mut hi) = (start as i64, end as i64);
    let mut stmt = conn.prepare_cached(
        "SELECT start_block, end_block FROM coverage WHERE listener_id = ?1 AND start_block <= ?3 + 1 AND end_block >= ?2 - 1",
    )?;
    let touching: Vec<(i64, i64)> = stmt
        .query_map(params![listener_id, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (s, e) in &touching {
        lo = lo.min(*s);
        hi = hi.max(*e);
    }
    let mut del =
        conn.prepare_cached("DELETE FROM coverage WHERE listener_id = ?1 AND start_block = ?2")?;
    for (s, _) in &touching {
        del.execute(params![listener_id, s])?;
    }
    conn.prepare_cached(
        "INSERT INTO coverage (listener_id, start_block, end_block) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![listener_id, lo, hi])?;
    Ok(())
}

/// Forgets coverage above `ancestor` for every listener of the network (after a reorg).
pub(super) fn truncate(
    conn: &Connection,
    network_id: i64,
    ancestor: u64,
) -> Result<(), StoreError> {
    let a = ancestor as i64;
    conn.execute(
        "DELETE FROM coverage WHERE start_block > ?2 AND listener_id IN (SELECT id FROM listeners WHERE network_id = ?1)",
        params![network_id, a],
    )?;
    conn.execute(
        "UPDATE coverage SET end_block = ?2 WHERE end_block > ?2 AND listener_id IN (SELECT id FROM listeners WHERE network_id = ?1)",
        params![network_id, a],
    )?;
    Ok(())
}

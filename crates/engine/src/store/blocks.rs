//! Recent canonical block headers per network: parent-hash checks find reorgs, and the
//! timestamps are fetched once per block.

use alloy_primitives::B256;
use rusqlite::{params, Connection, OptionalExtension};

use super::{Store, StoreError};

/// A block header as far as the engine needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRecord {
    pub number: u64,
    pub hash: B256,
    pub parent_hash: B256,
    pub time: i64,
}

impl Store {
    /// The stored canonical header at `number`, if kept.
    pub fn block(&self, network_id: i64, number: u64) -> Result<Option<BlockRecord>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT hash, parent_hash, time FROM blocks WHERE network_id = ?1 AND number = ?2",
            )?
            .query_row(params![network_id, number as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        row.map(|(h, p, time)| {
            Ok(BlockRecord {
                number,
                hash: b256(&h)?,
                parent_hash: b256(&p)?,
                time,
            })
        })
        .transpose()
    }

    /// The highest stored header of the network.
    pub fn latest_block(&self, network_id: i64) -> Result<Option<BlockRecord>, StoreError> {
        let n: Option<i64> = self.conn.query_row(
            "SELECT max(number) FROM blocks WHERE network_id = ?1",
            [network_id],
            |r| r.get(0),
        )?;
        match n {
            Some(n) => self.block(network_id, n as u64),
            None => Ok(None),
        }
    }
}

pub(super) fn put(conn: &Connection, network_id: i64, b: &BlockRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO blocks (network_id, number, hash, parent_hash, time) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        network_id,
        b.number as i64,
        b.hash.as_slice(),
        b.parent_hash.as_slice(),
        b.time
    ])?;
    Ok(())
}

/// Drops headers above `ancestor` (orphaned) and below `keep_from` (no longer needed for
/// reorg checks), keeping the timestamps of blocks that carry events.
pub(super) fn prune(
    conn: &Connection,
    network_id: i64,
    ancestor: Option<u64>,
    keep_from: u64,
) -> Result<(), StoreError> {
    if let Some(a) = ancestor {
        conn.execute(
            "DELETE FROM blocks WHERE network_id = ?1 AND number > ?2",
            params![network_id, a as i64],
        )?;
    }
    conn.prepare_cached(
        "DELETE FROM blocks WHERE network_id = ?1 AND number < ?2 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.network_id = ?1 AND e.block_number = blocks.number)",
    )?
    .execute(params![network_id, keep_from as i64])?;
    Ok(())
}

pub(super) fn b256(bytes: &[u8]) -> Result<B256, StoreError> {
    B256::try_from(bytes)
        .map_err(|_| StoreError::Corrupt(format!("expected 32 bytes, found {}", bytes.len())))
}

//! Networks and listeners as the database knows them: stable ids for names, and a reset
//! of a listener's coverage when what it watches changes.

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};

/// A listener's stored identity and progress.
#[derive(Clone, Debug, PartialEq)]
pub struct ListenerRecord {
    pub id: i64,
    pub name: String,
    pub network_id: i64,
    pub from_block: u64,
    /// Chain head when the listener was first stored: events at or below it are history.
    pub created_head: Option<u64>,
}

impl Store {
    /// Returns the id of the network, creating it. A name already stored with another
    /// chain id is refused: its events belong to another chain.
    pub fn upsert_network(&self, name: &str, chain_id: u64) -> Result<i64, StoreError> {
        let found: Option<(i64, i64, Option<String>)> = self
            .conn
            .query_row(
                "SELECT id, chain_id, subscription FROM networks WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((_, _, Some(sub))) = &found {
            return Err(StoreError::NameTaken(format!(
                "network \"{name}\" is configured here, but subscription \"{sub}\" brought a network of this name: give this one another name"
            )));
        }
        match found.map(|(id, chain, _)| (id, chain)) {
            Some((id, stored)) if stored as u64 == chain_id => Ok(id),
            Some((_, stored)) => Err(StoreError::Corrupt(format!(
                "network \"{name}\" is stored with chain id {stored} but is now configured with chain id {chain_id}; give it another name"
            ))),
            None => {
                self.conn.execute(
                    "INSERT INTO networks (name, chain_id) VALUES (?1, ?2)",
                    params![name, chain_id as i64],
                )?;
                Ok(self.conn.last_insert_rowid())
            }
        }
    }

    /// Returns the listener, creating it. When its definition (`spec_hash`) or start
    /// block changed, its coverage is cleared so it is processed again; stored events stay.
    pub fn upsert_listener(
        &self,
        name: &str,
        network_id: i64,
        spec_hash: &str,
        from_block: u64,
        head: u64,
    ) -> Result<ListenerRecord, StoreError> {
        let owner: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT subscription FROM listeners WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(Some(sub)) = owner {
            return Err(StoreError::NameTaken(format!(
                "listener \"{name}\" is configured here, but subscription \"{sub}\" brought a listener of this name: give this one another name"
            )));
        }
        let found: Option<(i64, i64, String, i64, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT id, network_id, spec_hash, from_block, created_head FROM listeners WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let (id, created_head) = match found {
            Some((id, net, hash, from, created))
                if net == network_id && hash == spec_hash && from as u64 == from_block =>
            {
                (id, created)
            }
            Some((id, _, _, _, _)) => {
                // One transaction: a crash must not leave the new definition with the
                // old coverage. What it matched under the old definition no longer applies.
                let tx = self.conn.unchecked_transaction()?;
                // A redefined listener is a new one over the chain: what it now matches up
                // to this head is its history (not announced as news).
                tx.execute(
                    "UPDATE listeners SET network_id = ?2, spec_hash = ?3, from_block = ?4, undecodable = 0, created_head = ?5 WHERE id = ?1",
                    params![id, network_id, spec_hash, from_block as i64, head as i64],
                )?;
                tx.execute("DELETE FROM coverage WHERE listener_id = ?1", [id])?;
                forget_matches(&tx, id)?;
                tx.commit()?;
                (id, Some(head as i64))
            }
            None => {
                self.conn.execute(
                    "INSERT INTO listeners (name, network_id, spec_hash, from_block, created_head) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![name, network_id, spec_hash, from_block as i64, head as i64],
                )?;
                (self.conn.last_insert_rowid(), Some(head as i64))
            }
        };
        Ok(ListenerRecord {
            id,
            name: name.to_string(),
            network_id,
            from_block,
            created_head: created_head.map(|h| h as u64),
        })
    }

    /// Records which contracts' every ERC-20 transfer the listener stores (empty: any
    /// contract's), or that it stores none whole.
    pub fn set_whole_transfers(
        &self,
        listener_id: i64,
        contracts: Option<&[alloy_primitives::Address]>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM whole_transfers WHERE listener_id = ?1",
            [listener_id],
        )?;
        let mut add = tx.prepare_cached(
            "INSERT OR IGNORE INTO whole_transfers (listener_id, contract) VALUES (?1, ?2)",
        )?;
        match contracts {
            None => {}
            Some([]) => {
                add.execute(params![listener_id, Vec::<u8>::new()])?;
            }
            Some(list) => {
                for c in list {
                    add.execute(params![listener_id, c.as_slice()])?;
                }
            }
        }
        drop(add);
        tx.commit()?;
        Ok(())
    }

    /// Adds to a listener's count of logs that could not be decoded or evaluated.
    pub fn add_undecodable(&self, listener_id: i64, n: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE listeners SET undecodable = undecodable + ?2 WHERE id = ?1",
            params![listener_id, n as i64],
        )?;
        Ok(())
    }

    /// The listener's count of logs that could not be decoded or evaluated.
    pub fn undecodable(&self, listener_id: i64) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT undecodable FROM listeners WHERE id = ?1",
            [listener_id],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Events matched by the listener and its undecodable-log count.
    pub fn listener_counts(&self, listener_id: i64) -> Result<(u64, u64), StoreError> {
        let events: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM events WHERE listener_id = ?1)
                  + (SELECT count(*) FROM also_matched WHERE listener_id = ?1)",
            [listener_id],
            |r| r.get(0),
        )?;
        let undecodable: i64 = self.conn.query_row(
            "SELECT undecodable FROM listeners WHERE id = ?1",
            [listener_id],
            |r| r.get(0),
        )?;
        Ok((events as u64, undecodable as u64))
    }
}

impl Store {
    /// The start block stored for a listener with this definition, if any.
    pub fn stored_from_block(
        &self,
        name: &str,
        spec_hash: &str,
    ) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT from_block FROM listeners WHERE name = ?1 AND spec_hash = ?2",
                [name, spec_hash],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.map(|n| n as u64))
    }
}

/// Takes listener `id` off every event it matched: an event it was the first listener of
/// passes to its next one (or to none).
fn forget_matches(tx: &rusqlite::Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE events SET listener_id =
            (SELECT min(a.listener_id) FROM also_matched a WHERE a.event_id = events.id)
          WHERE listener_id = ?1",
        [id],
    )?;
    tx.execute(
        "DELETE FROM also_matched
          WHERE listener_id = ?1
             OR listener_id = (SELECT e.listener_id FROM events e WHERE e.id = also_matched.event_id)",
        [id],
    )?;
    Ok(())
}

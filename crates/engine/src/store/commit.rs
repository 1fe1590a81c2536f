//! The one write path of the sync loop: events, their listeners, coverage and headers of a block
//! range commit together; reorg rollbacks and confirmations likewise.

use std::collections::BTreeMap;
use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use rusqlite::{params, OptionalExtension};

use super::{
    append, blocks, coverage, fold, holdings, kinds, outbox, BlockRecord, Store, StoreError,
};
use crate::abi::EventDef;
use crate::event::EventStatus;

/// A decoded, matched log ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub block_number: u64,
    pub block_hash: B256,
    pub block_time: Option<i64>,
    pub tx_hash: B256,
    pub log_index: u64,
    pub contract: Address,
    pub topics: Vec<B256>,
    pub data: Vec<u8>,
    /// The definition the log was decoded with: stored once, the arguments are decoded
    /// from `topics` and `data` again when read.
    pub def: Arc<EventDef>,
    pub amount: Option<U256>,
    pub status: EventStatus,
    /// Listeners that matched this log.
    pub listeners: Vec<i64>,
}

/// Everything learnt from one block range of one network.
#[derive(Debug, Default)]
pub struct Commit {
    pub network_id: i64,
    /// Inclusive range now covered for `listeners`.
    pub from_block: u64,
    pub to_block: u64,
    pub listeners: Vec<i64>,
    pub events: Vec<NewEvent>,
    pub blocks: Vec<BlockRecord>,
    /// (listener, count) of logs with a watched topic that could not be decoded, or on
    /// which its condition failed (an overflow).
    pub undecodable: Vec<(i64, u64)>,
    /// Headers below this number are no longer needed for reorg checks.
    pub prune_below: u64,
    /// Listeners with delivery targets: their new matches are queued in the outbox.
    pub routed: Vec<i64>,
    /// Token facts learnt for contracts of these events.
    pub tokens: Vec<(Address, TokenInfo)>,
}

impl Commit {
    /// Appends the commit of the range right after this one (same network and listeners).
    pub fn absorb(&mut self, next: Commit) {
        self.to_block = next.to_block;
        self.events.extend(next.events);
        self.blocks.extend(next.blocks);
        self.undecodable.extend(next.undecodable);
        self.prune_below = self.prune_below.max(next.prune_below);
        self.tokens.extend(next.tokens);
    }
}

/// What a token contract says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenInfo {
    pub decimals: Option<u8>,
    pub symbol: Option<String>,
    /// Its `name()` ("USD Coin"), when known.
    pub name: Option<String>,
}

/// What a commit changed.
#[derive(Debug, Default, PartialEq)]
pub struct Committed {
    /// Events stored for the first time, or back after a reorg had removed them.
    pub fresh: Vec<i64>,
    /// Rows added to the events table.
    pub inserted: u64,
    /// New matches per listener.
    pub matched: BTreeMap<i64, u64>,
}

impl Store {
    /// Writes a range atomically (a repeat of a known log only adds missing matches).
    /// During a deep backfill the transfers wait to be folded into the token state.
    pub fn commit(&mut self, c: &Commit) -> Result<Committed, StoreError> {
        if !self.defers(c.network_id) {
            let tx = self.conn.transaction()?;
            let mut transfers = holdings::Deltas::default();
            let done = commit_in(&tx, c, now_ms(), &mut transfers)?;
            transfers.apply(&tx)?;
            tx.commit()?;
            self.committed(&done);
            if self.pending.is_some() && self.deferring.is_empty() {
                self.fold_or_warn();
            }
            return Ok(done);
        }
        let pending = self.pending.get_or_insert_with(Default::default);
        let done = fold::commit_deferred(&mut self.conn, pending, c)?;
        let due = pending.due();
        self.committed(&done);
        if due {
            self.fold_or_warn();
        }
        Ok(done)
    }

    fn committed(&mut self, done: &Committed) {
        if let Some(c) = &mut self.checkpointer {
            c.committed(done.inserted);
        }
    }

    /// Undoes everything above the common ancestor of a reorg: events there become
    /// `removed`, headers and coverage above it are forgotten. Returns the removed ids.
    pub fn rollback_to(&mut self, network_id: i64, ancestor: u64) -> Result<Vec<i64>, StoreError> {
        self.fold()?;
        let tx = self.conn.transaction()?;
        outbox::retract_above(&tx, network_id, ancestor, now_ms())?;
        let removed = set_status(
            &tx,
            "UPDATE events SET status = 2 WHERE network_id = ?1 AND block_number > ?2 AND status != 2 RETURNING id",
            (network_id, ancestor),
            EventStatus::Removed,
        )?;
        holdings::apply_stored(&tx, &removed, -1)?;
        coverage::truncate(&tx, network_id, ancestor)?;
        blocks::prune(&tx, network_id, Some(ancestor), 0)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Marks pending events at or below `block` confirmed. Returns their ids.
    pub fn confirm_up_to(&mut self, network_id: i64, block: u64) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction()?;
        let confirmed = set_status(
            &tx,
            "UPDATE events SET status = 1 WHERE network_id = ?1 AND status = 0 AND block_number <= ?2 RETURNING id",
            (network_id, block),
            EventStatus::Confirmed,
        )?;
        tx.commit()?;
        Ok(confirmed)
    }

    /// The highest block at or below `n` holding a stored, not removed, event, with its hash.
    pub fn event_block_at_or_below(
        &self,
        network_id: i64,
        n: u64,
    ) -> Result<Option<(u64, B256)>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT block_number, block_hash FROM events
                 WHERE network_id = ?1 AND block_number <= ?2 AND status != 2
                 ORDER BY block_number DESC LIMIT 1",
            )?
            .query_row(params![network_id, n as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        row.map(|(b, h): (i64, Vec<u8>)| Ok((b as u64, super::blocks::b256(&h)?)))
            .transpose()
    }

    /// Highest block of the network with a stored, not removed, event.
    pub fn last_event_block(&self, network_id: i64) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT max(block_number) FROM events WHERE network_id = ?1 AND status != 2",
                [network_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(n.map(|n| n as u64))
    }
}

/// Writes a commit inside `tx` (the sync loop's commit, or a batch a subscription brought).
/// The transfers of newly stored events are added to `transfers`, not yet in the token
/// state: the caller writes them now or folds them in later (see `fold`).
pub(super) fn commit_in(
    tx: &rusqlite::Transaction<'_>,
    c: &Commit,
    now: i64,
    transfers: &mut holdings::Deltas,
) -> Result<Committed, StoreError> {
    let done = if append::applies(tx, c)? {
        append::insert(tx, c, now, transfers)?
    } else {
        insert_checked(tx, c, now, transfers)?
    };
    let mut token = tx.prepare_cached(
        "INSERT OR REPLACE INTO tokens (network_id, address, decimals, symbol, name) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (address, info) in &c.tokens {
        token.execute(params![
            c.network_id,
            address.as_slice(),
            info.decimals,
            info.symbol,
            info.name
        ])?;
    }
    for b in &c.blocks {
        blocks::put(tx, c.network_id, b)?;
    }
    for l in &c.listeners {
        coverage::extend(tx, *l, c.from_block, c.to_block)?;
    }
    let mut undecodable =
        tx.prepare_cached("UPDATE listeners SET undecodable = undecodable + ?2 WHERE id = ?1")?;
    for (l, n) in &c.undecodable {
        undecodable.execute(params![l, *n as i64])?;
    }
    blocks::prune(tx, c.network_id, None, c.prune_below)?;
    Ok(done)
}

/// Inserts the commit's events one by one: a known log is found and only gains the
/// listeners it lacks (or comes back, when a reorg had removed it). A log that comes back
/// is in the token state at once; new ones are added to `transfers` as
/// [`append::insert`] does.
fn insert_checked(
    tx: &rusqlite::Transaction<'_>,
    c: &Commit,
    now: i64,
    transfers: &mut holdings::Deltas,
) -> Result<Committed, StoreError> {
    let mut done = Committed::default();
    let mut insert = tx.prepare_cached(append::EVENTS_ONE)?;
    let mut find = tx.prepare_cached(
        "SELECT id FROM events WHERE network_id = ?1 AND block_number = ?2 AND log_index = ?3 AND block_hash = ?4",
    )?;
    let mut revive =
        tx.prepare_cached("UPDATE events SET status = ?2 WHERE id = ?1 AND status = 2")?;
    let mut first = tx.prepare_cached(
        "UPDATE events SET listener_id = ?2 WHERE id = ?1 AND listener_id IS NULL",
    )?;
    let mut primary = tx.prepare_cached("SELECT listener_id = ?2 FROM events WHERE id = ?1")?;
    let mut also = tx.prepare_cached(append::ALSO_MATCHED)?;
    let mut kinds = kinds::KindIds::default();
    let mut back = holdings::Deltas::default();
    for e in &c.events {
        let kind = kinds.id(tx, &e.def)?;
        append::bind_event(&mut insert, 0, c.network_id, e, kind, now)?;
        if insert.raw_execute()? == 1 {
            transfers.add_new(c.network_id, e);
            let id = tx.last_insert_rowid();
            done.inserted += 1;
            done.fresh.push(id);
            for l in e.listeners.iter().skip(1) {
                also.execute(params![l, id])?;
            }
            for l in &e.listeners {
                *done.matched.entry(*l).or_default() += 1;
                if c.routed.contains(l) {
                    outbox::enqueue(tx, *l, id, e.block_number, e.status, now)?;
                }
            }
            continue;
        }
        let id: i64 = find.query_row(
            params![
                c.network_id,
                e.block_number as i64,
                e.log_index as i64,
                e.block_hash.as_slice()
            ],
            |r| r.get(0),
        )?;
        // The block came back after a reorg had removed it.
        let revived = revive.execute(params![id, status_code(e.status)])? == 1;
        if revived {
            back.add_new(c.network_id, e);
            done.fresh.push(id);
            note_change(tx, id, e.status, now)?;
        }
        for l in &e.listeners {
            // The event's first listener, or one more.
            let new_match = first.execute(params![id, l])? == 1
                || (!primary.query_row(params![id, l], |r| r.get::<_, bool>(0))?
                    && also.execute(params![l, id])? == 1);
            if new_match {
                *done.matched.entry(*l).or_default() += 1;
            }
            if (new_match || revived) && c.routed.contains(l) {
                outbox::enqueue(tx, *l, id, e.block_number, e.status, now)?;
            }
        }
    }
    back.apply(tx)?;
    Ok(done)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Runs `update` (`UPDATE events SET status … RETURNING id`, bound to a network and a
/// block) and records the change in each event's status history. Returns the ids.
fn set_status(
    tx: &rusqlite::Transaction<'_>,
    update: &str,
    (network_id, block): (i64, u64),
    status: EventStatus,
) -> Result<Vec<i64>, StoreError> {
    let ids: Vec<i64> = tx
        .prepare_cached(update)?
        .query_map(params![network_id, block as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let now = now_ms();
    for id in &ids {
        note_change(tx, *id, status, now)?;
    }
    Ok(ids)
}

/// Records that event `id` took `status` at `at_ms`, for its status history.
pub(super) fn note_change(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    status: EventStatus,
    at_ms: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO status_changes (event_id, at, status) VALUES (?1, ?2, ?3)")?
        .execute(params![id, at_ms, status_code(status)])?;
    Ok(())
}

pub(super) fn status_code(s: EventStatus) -> i64 {
    match s {
        EventStatus::Pending => 0,
        EventStatus::Confirmed => 1,
        EventStatus::Removed => 2,
    }
}

pub(super) fn status_from_code(c: i64) -> Result<EventStatus, StoreError> {
    match c {
        0 => Ok(EventStatus::Pending),
        1 => Ok(EventStatus::Confirmed),
        2 => Ok(EventStatus::Removed),
        other => Err(StoreError::Corrupt(format!("unknown event status {other}"))),
    }
}

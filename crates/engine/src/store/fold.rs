//! The token state during a deep backfill. Writing the balance of every holder a commit
//! touches costs a read and a write (2-3 µs each): with transfers among many holders that
//! more than doubles the writer's time. While a network backfills far behind its head, its
//! commits' transfers are summed in memory instead and written at once ("folded") when the
//! backfill ends or stops, before a reorg rolls back, and when the sums grow large.
//!
//! A token whose transfers wait is marked in `token_totals.pending_from` (the first event
//! id not in its state) in the transaction that stores them. Readers see the mark and say
//! that the state is being brought up to date; a writer that opens after a crash folds the
//! marked tokens' events from that id on, so nothing is lost.

use std::collections::{HashMap, HashSet};

use alloy_primitives::Address;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use super::commit::{commit_in, now_ms, Commit, Committed};
use super::holdings::{Deltas, Transfer};
use super::{Store, StoreError};

/// Sums over this many holders are folded (bounds the memory: about 100 bytes each).
const FOLD_HOLDERS: usize = 1_000_000;
/// Sums over this many events are folded (bounds what a crash leaves to fold again).
const FOLD_EVENTS: u64 = 5_000_000;

/// Transfers stored but not yet in the token state.
#[derive(Default)]
pub(super) struct Pending {
    deltas: Deltas,
    /// Tokens marked in `token_totals`.
    marked: HashSet<(i64, Address)>,
    events: u64,
    /// A commit failed after adding to the sums: they are read back from the events.
    stale: bool,
}

impl Pending {
    /// Whether the sums have grown enough to be folded now.
    pub(super) fn due(&self) -> bool {
        self.deltas.holders() >= FOLD_HOLDERS || self.events >= FOLD_EVENTS
    }
}

impl Store {
    /// `network_id` backfills far behind its head: its transfers are folded in later.
    pub fn begin_deferring(&mut self, network_id: i64) {
        self.deferring.insert(network_id);
    }

    /// `network_id` stopped backfilling: what waits is folded in (also what a failed fold
    /// left).
    pub(super) fn stop_deferring(&mut self, network_id: i64) -> Result<(), StoreError> {
        if self.deferring.remove(&network_id) || self.pending.is_some() {
            self.fold()?;
        }
        Ok(())
    }

    /// Folds after a commit that is stored already: a failure (a full disk) is said and
    /// the sums wait for the next try, at the next commit or the end of the backfill.
    pub(super) fn fold_or_warn(&mut self) {
        if let Err(e) = self.fold() {
            tracing::warn!(error = %e, "folding transfers into the token state failed; tried again later");
        }
    }

    /// Whether the commits of `network_id` leave their transfers to a later fold.
    pub(super) fn defers(&self, network_id: i64) -> bool {
        self.deferring.contains(&network_id)
    }

    /// Writes the transfers that wait into the token state, and clears the marks.
    pub(super) fn fold(&mut self) -> Result<(), StoreError> {
        let Some(p) = self.pending.as_mut() else {
            return Ok(());
        };
        if p.stale {
            recover(&mut self.conn)?;
            self.pending = None;
            return Ok(());
        }
        let t = std::time::Instant::now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        p.deltas.apply(&tx)?;
        unmark(&tx)?;
        tx.commit()?;
        tracing::debug!(events = p.events, holders = p.deltas.holders(), took = ?t.elapsed(), "token state folded in");
        self.pending = None;
        Ok(())
    }
}

/// Writes `c`, its transfers added to the sums that wait and its tokens marked.
pub(super) fn commit_deferred(
    conn: &mut Connection,
    pending: &mut Pending,
    c: &Commit,
) -> Result<Committed, StoreError> {
    let tx = conn.transaction()?;
    let (deltas, marked) = (&mut pending.deltas, &pending.marked);
    let written = next_event_id(&tx).and_then(|first_id| {
        let done = commit_in(&tx, c, now_ms(), deltas)?;
        let new = mark(&tx, marked, c, first_id)?;
        tx.commit()?;
        Ok((done, new))
    });
    match written {
        Ok((done, new)) => {
            pending.marked.extend(new);
            pending.events += done.inserted;
            Ok(done)
        }
        Err(e) => {
            pending.stale = true;
            Err(e)
        }
    }
}

/// The id the next stored event takes (ids are the highest plus one).
fn next_event_id(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    Ok(
        tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM events", [], |r| {
            r.get(0)
        })?,
    )
}

/// Marks the tokens of `c`'s transfers not marked yet: their state lacks the events from
/// `first_id` on. Returns the newly marked ones.
fn mark(
    tx: &Transaction<'_>,
    marked: &HashSet<(i64, Address)>,
    c: &Commit,
    first_id: i64,
) -> Result<Vec<(i64, Address)>, StoreError> {
    let mut new: Vec<(i64, Address)> = Vec::new();
    for e in &c.events {
        let key = (c.network_id, e.contract);
        if Transfer::of(e).is_some() && !marked.contains(&key) && !new.contains(&key) {
            new.push(key);
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO token_totals (network_id, token, minted, burned, holders, transfers, pending_from)
         VALUES (?1, ?2, zeroblob(32), zeroblob(32), 0, 0, ?3)
         ON CONFLICT DO UPDATE SET pending_from = coalesce(pending_from, excluded.pending_from)",
    )?;
    for (net, token) in &new {
        stmt.execute(params![net, token.as_slice(), first_id])?;
    }
    Ok(new)
}

fn unmark(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE token_totals SET pending_from = NULL WHERE pending_from IS NOT NULL",
        [],
    )?;
    Ok(())
}

/// Folds in the transfers a writer that stopped without folding left marked. Returns how
/// many it found.
pub(super) fn recover(conn: &mut Connection) -> Result<u64, StoreError> {
    const MARKED: &str = "SELECT network_id, token, pending_from FROM token_totals
                           WHERE pending_from IS NOT NULL";
    if !conn.prepare_cached(MARKED)?.exists([])? {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut marks: HashMap<(i64, Address), i64> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(MARKED)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let token = Address::try_from(r.get_ref(1)?.as_blob()?).unwrap_or_default();
            marks.insert((r.get(0)?, token), r.get(2)?);
        }
    }
    let first = marks.values().copied().min().unwrap_or_default();
    let (mut deltas, mut found) = (Deltas::default(), 0u64);
    {
        let mut stmt = tx.prepare(
            "SELECT id, network_id, contract, block_number, topics, data FROM events
              WHERE id >= ?1 AND status != 2",
        )?;
        let mut rows = stmt.query([first])?;
        while let Some(r) = rows.next()? {
            let Some(t) = Transfer::read(r.get_ref(4)?.as_blob()?, r.get_ref(5)?.as_blob()?) else {
                continue;
            };
            let token = Address::try_from(r.get_ref(2)?.as_blob()?).unwrap_or_default();
            let key = (r.get::<_, i64>(1)?, token);
            if marks
                .get(&key)
                .is_some_and(|from| r.get::<_, i64>(0).is_ok_and(|id| id >= *from))
            {
                deltas.add(key.0, token, r.get::<_, i64>(3)? as u64, &t, 1);
                found += 1;
            }
        }
    }
    deltas.apply(&tx)?;
    unmark(&tx)?;
    tx.commit()?;
    tracing::info!(
        transfers = found,
        "token state: folded in the transfers a stopped run left"
    );
    Ok(found)
}

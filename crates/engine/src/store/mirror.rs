//! What a subscription brings, written like the sync loop's commits: events through the
//! same insert (token state included), status changes with their history, and the next
//! stream offset, all in one transaction, so a subscriber killed at any moment resumes
//! exactly. Networks and listeners are created on first sight, marked as the
//! subscription's; a name taken here by something else is refused.

use alloy_primitives::B256;
use rusqlite::{params, OptionalExtension, Transaction};

use super::commit::{commit_in, note_change, status_code, status_from_code};
use super::{holdings, now_ms, Commit, NewEvent, Store, StoreError, TokenInfo};
use crate::event::EventStatus;

/// An event as a publisher stored it.
#[derive(Clone, Debug, PartialEq)]
pub struct MirrorEvent {
    pub network: String,
    pub chain_id: u64,
    /// Its listeners by name, the first one first.
    pub listeners: Vec<String>,
    /// The event (its `listeners` ids are filled here).
    pub event: NewEvent,
    pub token: Option<TokenInfo>,
}

/// A later status of an event, named by its log.
#[derive(Clone, Debug, PartialEq)]
pub struct MirrorChange {
    pub network: String,
    pub block_number: u64,
    pub block_hash: B256,
    pub log_index: u64,
    pub status: EventStatus,
}

/// What a publisher's listener has covered (replaces what the subscriber had).
#[derive(Clone, Debug, PartialEq)]
pub struct MirrorListener {
    pub network: String,
    pub chain_id: u64,
    pub name: String,
    pub ranges: Vec<(u64, u64)>,
    /// Contracts whose every transfer it stores (empty bytes: any); `None`: none whole.
    pub whole: Option<Vec<Vec<u8>>>,
}

/// The block a token's contract was created in.
#[derive(Clone, Debug, PartialEq)]
pub struct MirrorToken {
    pub network: String,
    pub chain_id: u64,
    pub contract: alloy_primitives::Address,
    pub created_block: u64,
}

/// One entry of the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum MirrorItem {
    Event(Box<MirrorEvent>),
    Change(MirrorChange),
    Listener(MirrorListener),
    Token(MirrorToken),
    /// A message that could not be read (counted, and logged by the reader).
    Skipped,
}

/// Consecutive messages of one subscription and where the stream goes on after them.
#[derive(Clone, Debug, Default)]
pub struct MirrorBatch {
    pub subscription: String,
    pub stream: String,
    pub items: Vec<MirrorItem>,
    pub next_offset: u64,
    /// Messages the stream no longer held when they were asked for, in words.
    pub lacking: Option<String>,
    /// Queue the new events for the subscription's pop-ups (after its first catch-up).
    pub announce: bool,
    /// Desktop pop-ups for the listeners it brings.
    pub notify: bool,
}

/// What a batch changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mirrored {
    /// Events stored for the first time, or back after a reorg had removed them.
    pub fresh: Vec<i64>,
    /// Events whose status changed, with the new status.
    pub changed: Vec<(i64, EventStatus)>,
    pub inserted: u64,
}

/// Where a subscription stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubscriptionState {
    pub next_offset: u64,
    pub caught_up: bool,
    pub messages: u64,
    pub skipped: u64,
    pub lacking: Option<String>,
}

impl Store {
    /// Writes a batch of a subscription and its next offset in one transaction.
    pub fn mirror(&mut self, b: &MirrorBatch) -> Result<Mirrored, StoreError> {
        let tx = self.conn.transaction()?;
        let now = now_ms();
        let mut out = Mirrored::default();
        let mut ids = Ids::default();
        let mut pending: Option<Commit> = None;
        let mut skipped = 0u64;
        for item in &b.items {
            match item {
                MirrorItem::Event(m) => {
                    let network_id = ids.network(&tx, b, &m.network, m.chain_id)?;
                    let mut e = m.event.clone();
                    e.listeners = (m.listeners.iter())
                        .map(|l| ids.listener(&tx, b, l, network_id))
                        .collect::<Result<_, _>>()?;
                    if pending.as_ref().is_some_and(|c| c.network_id != network_id) {
                        flush(&tx, pending.take(), now, &mut out)?;
                    }
                    let c = pending.get_or_insert_with(|| Commit {
                        network_id,
                        from_block: e.block_number,
                        ..Commit::default()
                    });
                    c.from_block = c.from_block.min(e.block_number);
                    c.to_block = c.to_block.max(e.block_number);
                    if b.announce && b.notify {
                        c.routed.extend(e.listeners.iter().copied());
                    }
                    if let Some(t) = &m.token {
                        c.tokens.push((e.contract, t.clone()));
                    }
                    c.events.push(e);
                }
                MirrorItem::Change(ch) => {
                    flush(&tx, pending.take(), now, &mut out)?;
                    if let Some(change) = change_status(&tx, ch, now)? {
                        out.changed.push(change);
                    }
                }
                MirrorItem::Listener(m) => {
                    flush(&tx, pending.take(), now, &mut out)?;
                    let network_id = ids.network(&tx, b, &m.network, m.chain_id)?;
                    let listener = ids.listener(&tx, b, &m.name, network_id)?;
                    set_coverage(&tx, listener, m)?;
                }
                MirrorItem::Token(t) => {
                    flush(&tx, pending.take(), now, &mut out)?;
                    let network_id = ids.network(&tx, b, &t.network, t.chain_id)?;
                    tx.prepare_cached(
                        "UPDATE token_totals SET created_block = ?3 WHERE network_id = ?1 AND token = ?2",
                    )?
                    .execute(params![network_id, t.contract.as_slice(), t.created_block as i64])?;
                }
                MirrorItem::Skipped => skipped += 1,
            }
        }
        flush(&tx, pending.take(), now, &mut out)?;
        tx.prepare_cached(
            "INSERT INTO subscriptions (name, stream, next_offset, messages, skipped, lacking)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name) DO UPDATE SET stream = ?2, next_offset = ?3,
                messages = messages + ?4, skipped = skipped + ?5, lacking = coalesce(?6, lacking)",
        )?
        .execute(params![
            b.subscription,
            b.stream,
            b.next_offset as i64,
            b.items.len() as i64,
            skipped as i64,
            b.lacking
        ])?;
        tx.commit()?;
        if let Some(c) = &mut self.checkpointer {
            c.committed(out.inserted);
        }
        Ok(out)
    }

    /// Where subscription `name` stands (never read: the stream's start).
    pub fn subscription_state(&self, name: &str) -> Result<SubscriptionState, StoreError> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT next_offset, caught_up, messages, skipped, lacking FROM subscriptions WHERE name = ?1",
            )?
            .query_row([name], |r| {
                Ok(SubscriptionState {
                    next_offset: r.get::<_, i64>(0)? as u64,
                    caught_up: r.get(1)?,
                    messages: r.get::<_, i64>(2)? as u64,
                    skipped: r.get::<_, i64>(3)? as u64,
                    lacking: r.get(4)?,
                })
            })
            .optional()?;
        Ok(found.unwrap_or_default())
    }

    /// Records that a subscription has read its stream to the end once: what comes after
    /// is news.
    pub fn set_caught_up(&self, name: &str, stream: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO subscriptions (name, stream, caught_up) VALUES (?1, ?2, 1)
                 ON CONFLICT (name) DO UPDATE SET caught_up = 1",
            )?
            .execute(params![name, stream])?;
        Ok(())
    }

    /// The networks subscriptions brought, with the subscription's name.
    pub fn subscribed_networks(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, subscription FROM networks WHERE subscription IS NOT NULL ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn flush(
    tx: &Transaction<'_>,
    c: Option<Commit>,
    now: i64,
    out: &mut Mirrored,
) -> Result<(), StoreError> {
    let Some(mut c) = c else {
        return Ok(());
    };
    c.routed.sort_unstable();
    c.routed.dedup();
    let mut transfers = holdings::Deltas::default();
    let done = commit_in(tx, &c, now, &mut transfers)?;
    transfers.apply(tx)?;
    out.inserted += done.inserted;
    out.fresh.extend(done.fresh);
    Ok(())
}

/// Replaces a mirrored listener's coverage and whole-transfer contracts.
fn set_coverage(tx: &Transaction<'_>, listener: i64, m: &MirrorListener) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM coverage WHERE listener_id = ?1")?
        .execute([listener])?;
    let mut add = tx.prepare_cached(
        "INSERT OR REPLACE INTO coverage (listener_id, start_block, end_block) VALUES (?1, ?2, ?3)",
    )?;
    for (start, end) in &m.ranges {
        add.execute(params![listener, *start as i64, *end as i64])?;
    }
    tx.prepare_cached("DELETE FROM whole_transfers WHERE listener_id = ?1")?
        .execute([listener])?;
    let mut whole = tx.prepare_cached(
        "INSERT OR IGNORE INTO whole_transfers (listener_id, contract) VALUES (?1, ?2)",
    )?;
    for c in m.whole.iter().flatten() {
        whole.execute(params![listener, c.as_slice()])?;
    }
    Ok(())
}

/// Sets a mirrored event's status, with its history and token state; `None` when it is
/// unknown here or already has it.
fn change_status(
    tx: &Transaction<'_>,
    ch: &MirrorChange,
    now: i64,
) -> Result<Option<(i64, EventStatus)>, StoreError> {
    let found: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT e.id, e.status FROM events e JOIN networks n ON n.id = e.network_id
             WHERE n.name = ?1 AND e.block_number = ?2 AND e.log_index = ?3 AND e.block_hash = ?4",
        )?
        .query_row(
            params![
                ch.network,
                ch.block_number as i64,
                ch.log_index as i64,
                ch.block_hash.as_slice()
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, old)) = found else {
        return Ok(None);
    };
    let old = status_from_code(old)?;
    if old == ch.status {
        return Ok(None);
    }
    tx.prepare_cached("UPDATE events SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status_code(ch.status)])?;
    note_change(tx, id, ch.status, now)?;
    match (old, ch.status) {
        (EventStatus::Removed, _) => holdings::apply_stored(tx, &[id], 1)?,
        (_, EventStatus::Removed) => holdings::apply_stored(tx, &[id], -1)?,
        _ => {}
    }
    Ok(Some((id, ch.status)))
}

/// Local ids of the names a batch uses, created on first sight.
#[derive(Default)]
struct Ids {
    /// (name, chain id, local id): a name seen again with another chain id is looked up
    /// again, and refused there.
    networks: Vec<(String, u64, i64)>,
    listeners: Vec<(String, i64)>,
}

impl Ids {
    fn network(
        &mut self,
        tx: &Transaction<'_>,
        b: &MirrorBatch,
        name: &str,
        chain_id: u64,
    ) -> Result<i64, StoreError> {
        if let Some((_, _, id)) =
            (self.networks.iter()).find(|(n, c, _)| n == name && *c == chain_id)
        {
            return Ok(*id);
        }
        let found: Option<(i64, i64, Option<String>)> = tx
            .prepare_cached("SELECT id, chain_id, subscription FROM networks WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let id = match found {
            Some((id, chain, Some(sub))) if sub == b.subscription && chain as u64 == chain_id => id,
            Some((_, chain, Some(sub))) if sub == b.subscription => {
                return Err(StoreError::NameTaken(format!(
                    "subscription \"{sub}\" brings network \"{name}\" with chain id {chain_id}, but it brought it before with chain id {chain}: two publishers give one name to two chains"
                )))
            }
            Some((_, _, owner)) => return Err(taken("network", name, &b.subscription, owner)),
            None => {
                tx.prepare_cached(
                    "INSERT INTO networks (name, chain_id, subscription) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![name, chain_id as i64, b.subscription])?;
                tx.last_insert_rowid()
            }
        };
        self.networks.push((name.to_string(), chain_id, id));
        Ok(id)
    }

    fn listener(
        &mut self,
        tx: &Transaction<'_>,
        b: &MirrorBatch,
        name: &str,
        network_id: i64,
    ) -> Result<i64, StoreError> {
        if let Some((_, id)) = self.listeners.iter().find(|(n, _)| n == name) {
            return Ok(*id);
        }
        let found: Option<(i64, i64, Option<String>)> = tx
            .prepare_cached("SELECT id, network_id, subscription FROM listeners WHERE name = ?1")?
            .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let id = match found {
            Some((id, net, Some(sub))) if sub == b.subscription && net == network_id => id,
            Some((_, _, owner)) => return Err(taken("listener", name, &b.subscription, owner)),
            None => {
                tx.prepare_cached(
                    "INSERT INTO listeners (name, network_id, spec_hash, from_block, subscription)
                     VALUES (?1, ?2, 'subscription', 0, ?3)",
                )?
                .execute(params![name, network_id, b.subscription])?;
                let id = tx.last_insert_rowid();
                if b.notify {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO routes (listener_id, target, history) VALUES (?1, 'desktop', 1)",
                    )?
                    .execute([id])?;
                }
                id
            }
        };
        self.listeners.push((name.to_string(), id));
        Ok(id)
    }
}

fn taken(what: &str, name: &str, subscription: &str, owner: Option<String>) -> StoreError {
    let here = match owner {
        Some(other) => format!("subscription \"{other}\" already brought one"),
        None => format!("a {what} of this name is configured here"),
    };
    StoreError::NameTaken(format!(
        "subscription \"{subscription}\" brings {what} \"{name}\", but {here}: rename one of them (names must be unique across local networks and subscriptions)"
    ))
}

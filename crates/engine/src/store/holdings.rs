//! Token state derived from the stored ERC-20 `Transfer` events: every holder's balance and
//! each token's minted, burned and holder count. It changes in the transaction that stores,
//! removes or brings back the events, so it always agrees with them: a commit adds its
//! transfers, a reorg subtracts the removed ones. A mint is a transfer from the zero
//! address, a burn one to it.

use std::collections::HashMap;

use alloy_primitives::{Address, I256, U256};
use rusqlite::{params, OptionalExtension, Transaction};

use super::StoreError;
use crate::model::ERC20_TRANSFER as TRANSFER_TOPIC;

/// An ERC-20 transfer read off a log: three topics and one word of data (an ERC-721
/// `Transfer` has four topics and is not one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub from: Address,
    pub to: Address,
    pub value: U256,
}

impl Transfer {
    /// The transfer a log with these topics (joined, 32 bytes each) and data is, if any.
    pub fn read(topics: &[u8], data: &[u8]) -> Option<Transfer> {
        if topics.len() != 96 || data.len() != 32 || topics[..32] != TRANSFER_TOPIC[..] {
            return None;
        }
        Some(Transfer {
            from: Address::from_slice(&topics[44..64]),
            to: Address::from_slice(&topics[76..96]),
            value: U256::from_be_slice(data),
        })
    }

    /// The transfer a new event is, if any.
    pub(super) fn of(e: &super::NewEvent) -> Option<Transfer> {
        let [t0, from, to] = e.topics.as_slice() else {
            return None;
        };
        (*t0 == TRANSFER_TOPIC && e.data.len() == 32).then(|| Transfer {
            from: Address::from_word(*from),
            to: Address::from_word(*to),
            value: U256::from_be_slice(&e.data),
        })
    }
}

/// What a set of transfers changes, summed per token and holder before it is written (a
/// batch of thousands of transfers among a few holders writes a few rows). Logs come in
/// runs (one contract, often the same sender): a run adds up before it is hashed.
#[derive(Default)]
pub(super) struct Deltas {
    balances: HashMap<HolderKey, I256>,
    /// Each token (network, contract) by its slot, with its sums.
    tokens: Vec<((i64, Address), TokenDelta)>,
    slots: HashMap<(i64, Address), u32>,
    /// The run being added up: its token, sender and receiver, and their sums.
    run: Option<Run>,
}

/// A holder of the token in a slot: 24 bytes to hash and to keep.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct HolderKey {
    slot: u32,
    holder: Address,
}

struct Run {
    slot: u32,
    total: TokenDelta,
    from: (Address, I256),
    to: (Address, I256),
}

#[derive(Default)]
struct TokenDelta {
    minted: I256,
    burned: I256,
    transfers: i64,
    first_block: Option<u64>,
}

impl Deltas {
    /// Adds a new event's transfer, if it is one.
    pub(super) fn add_new(&mut self, network_id: i64, e: &super::NewEvent) {
        if let Some(t) = Transfer::of(e) {
            self.add(network_id, e.contract, e.block_number, &t, 1);
        }
    }

    /// Adds (`sign` 1) or takes back (`sign` -1) a transfer of `token` seen at `block`.
    pub(super) fn add(
        &mut self,
        network_id: i64,
        token: Address,
        block: u64,
        t: &Transfer,
        sign: i8,
    ) {
        let value = I256::from_raw(t.value);
        let signed = if sign < 0 {
            value.wrapping_neg()
        } else {
            value
        };
        let key = (network_id, token);
        let slot = match &self.run {
            Some(r) if self.tokens[r.slot as usize].0 == key => r.slot,
            _ => self.slot(key),
        };
        let same = (self.run.as_ref())
            .is_some_and(|r| r.slot == slot && r.from.0 == t.from && r.to.0 == t.to);
        if !same {
            self.end_run();
            self.run = Some(Run {
                slot,
                total: TokenDelta::default(),
                from: (t.from, I256::ZERO),
                to: (t.to, I256::ZERO),
            });
        }
        let Some(run) = self.run.as_mut() else {
            return;
        };
        let total = &mut run.total;
        total.transfers += i64::from(sign);
        if sign > 0 {
            total.first_block = Some(total.first_block.map_or(block, |b| b.min(block)));
        }
        if t.from == Address::ZERO {
            total.minted = total.minted.wrapping_add(signed);
        } else {
            run.from.1 = run.from.1.wrapping_sub(signed);
        }
        if t.to == Address::ZERO {
            total.burned = total.burned.wrapping_add(signed);
        } else {
            run.to.1 = run.to.1.wrapping_add(signed);
        }
    }

    /// The slot of a token, given one when new.
    fn slot(&mut self, key: (i64, Address)) -> u32 {
        let next = self.tokens.len() as u32;
        let slot = *self.slots.entry(key).or_insert(next);
        if slot == next {
            self.tokens.push((key, TokenDelta::default()));
        }
        slot
    }

    /// Adds the run's sums to the per-token and per-holder sums.
    fn end_run(&mut self) {
        let Some(run) = self.run.take() else {
            return;
        };
        for (holder, delta) in [run.from, run.to] {
            if holder != Address::ZERO {
                let key = HolderKey {
                    slot: run.slot,
                    holder,
                };
                let b = self.balances.entry(key).or_default();
                *b = b.wrapping_add(delta);
            }
        }
        self.tokens[run.slot as usize].1.add(&run.total);
    }

    /// How many holders' balances these sums change.
    pub(super) fn holders(&self) -> usize {
        self.balances.len()
    }

    /// Writes the sums into the token state, holders in key order (neighbouring rows of
    /// the balance index, so each page is visited once). The sums are kept: when the
    /// transaction fails they can be written again.
    pub(super) fn apply(&mut self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        self.end_run();
        let mut sorted: Vec<((i64, Address, Address), &I256)> = (self.balances.iter())
            .filter(|(_, d)| !d.is_zero())
            .map(|(k, d)| {
                let (net, token) = self.tokens[k.slot as usize].0;
                ((net, token, k.holder), d)
            })
            .collect();
        sorted.sort_unstable_by_key(|(key, _)| *key);
        let mut holders: HashMap<(i64, Address), i64> = HashMap::new();
        {
            let mut read = tx.prepare_cached(
                "SELECT balance FROM balances WHERE network_id = ?1 AND token = ?2 AND holder = ?3",
            )?;
            let mut write = tx.prepare_cached(
                "INSERT OR REPLACE INTO balances (network_id, token, holder, balance) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut delete = tx.prepare_cached(
                "DELETE FROM balances WHERE network_id = ?1 AND token = ?2 AND holder = ?3",
            )?;
            for ((net, token, holder), delta) in sorted {
                let key = params![net, token.as_slice(), holder.as_slice()];
                let old: Option<Vec<u8>> = read.query_row(key, |r| r.get(0)).optional()?;
                let old = old.map_or(I256::ZERO, |b| signed(&b));
                let new = old.wrapping_add(*delta);
                if new.is_zero() {
                    delete.execute(key)?;
                } else {
                    write.execute(params![net, token.as_slice(), holder.as_slice(), word(new)])?;
                }
                let change = i64::from(new.is_positive()) - i64::from(old.is_positive());
                *holders.entry((net, token)).or_default() += change;
            }
        }
        for ((net, token), d) in &self.tokens {
            let n = holders.get(&(*net, *token)).copied().unwrap_or_default();
            add_totals(tx, *net, *token, d, n)?;
        }
        Ok(())
    }
}

impl TokenDelta {
    fn add(&mut self, d: &TokenDelta) {
        self.minted = self.minted.wrapping_add(d.minted);
        self.burned = self.burned.wrapping_add(d.burned);
        self.transfers += d.transfers;
        self.first_block = match (self.first_block, d.first_block) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Adds one token's changes to its totals row.
fn add_totals(
    tx: &Transaction<'_>,
    net: i64,
    token: Address,
    d: &TokenDelta,
    holders: i64,
) -> Result<(), StoreError> {
    type Row = (Vec<u8>, Vec<u8>, i64, i64, Option<i64>);
    let old: Option<Row> = tx
        .prepare_cached(
            "SELECT minted, burned, holders, transfers, first_block FROM token_totals
              WHERE network_id = ?1 AND token = ?2",
        )?
        .query_row(params![net, token.as_slice()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let (minted, burned, n, transfers, first) = match old {
        Some((m, b, n, t, f)) => (signed(&m), signed(&b), n, t, f),
        None => (I256::ZERO, I256::ZERO, 0, 0, None),
    };
    let first = match (first, d.first_block) {
        (Some(f), Some(b)) => Some(f.min(b as i64)),
        (f, b) => f.or(b.map(|b| b as i64)),
    };
    tx.prepare_cached(
        "INSERT INTO token_totals (network_id, token, minted, burned, holders, transfers, first_block)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO UPDATE SET minted = excluded.minted, burned = excluded.burned,
            holders = excluded.holders, transfers = excluded.transfers, first_block = excluded.first_block",
    )?
    .execute(params![
        net,
        token.as_slice(),
        word(minted.wrapping_add(d.minted)),
        word(burned.wrapping_add(d.burned)),
        n + holders,
        transfers + d.transfers,
        first
    ])?;
    Ok(())
}

/// A stored 32-byte two's complement word.
pub(super) fn signed(b: &[u8]) -> I256 {
    if b.len() == 32 {
        I256::from_raw(U256::from_be_slice(b))
    } else {
        I256::ZERO
    }
}

fn word(v: I256) -> Vec<u8> {
    v.into_raw().to_be_bytes::<32>().to_vec()
}

/// Adds (`sign` 1) or takes back (`sign` -1) the transfers among the stored events `ids`.
pub(super) fn apply_stored(tx: &Transaction<'_>, ids: &[i64], sign: i8) -> Result<(), StoreError> {
    let mut deltas = Deltas::default();
    let mut read = tx.prepare_cached(
        "SELECT network_id, contract, block_number, topics, data FROM events WHERE id = ?1",
    )?;
    for id in ids {
        read.query_row([id], |r| {
            let topics = r.get_ref(3)?.as_blob()?;
            let data = r.get_ref(4)?.as_blob()?;
            if let Some(t) = Transfer::read(topics, data) {
                let token = Address::try_from(r.get_ref(1)?.as_blob()?).unwrap_or_default();
                deltas.add(r.get(0)?, token, r.get::<_, i64>(2)? as u64, &t, sign);
            }
            Ok(())
        })?;
    }
    deltas.apply(tx)
}

/// Builds the token state from every stored event, once (a database from before it
/// existed); later opens find it built.
pub(super) fn build_once(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    const BUILT: &str = "SELECT 1 FROM meta WHERE key = 'holdings'";
    if conn.prepare_cached(BUILT)?.exists([])? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if tx.prepare_cached(BUILT)?.exists([])? {
        return Ok(());
    }
    let mut deltas = Deltas::default();
    {
        let mut stmt = tx.prepare(
            "SELECT network_id, contract, block_number, topics, data FROM events
              WHERE status != 2 AND length(topics) = 96 AND substr(topics, 1, 32) = ?1",
        )?;
        let mut rows = stmt.query([TRANSFER_TOPIC.as_slice()])?;
        while let Some(r) = rows.next()? {
            if let Some(t) = Transfer::read(r.get_ref(3)?.as_blob()?, r.get_ref(4)?.as_blob()?) {
                let token = Address::try_from(r.get_ref(1)?.as_blob()?).unwrap_or_default();
                deltas.add(r.get(0)?, token, r.get::<_, i64>(2)? as u64, &t, 1);
            }
        }
    }
    deltas.apply(&tx)?;
    tx.execute("INSERT INTO meta (key, value) VALUES ('holdings', '1')", [])?;
    tx.commit()?;
    Ok(())
}

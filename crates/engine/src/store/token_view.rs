//! What the Tokens screen reads besides the totals: the largest holders, supply over time
//! (its mints and burns, through their own small index) and one address's balance over time.

use alloy_primitives::{Address, I256};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::holdings::{signed, Transfer};
use super::query::checksummed;
use super::schema::ROLE_MINT_OR_BURN;
use super::{Register, Store, StoreError};

/// Digits of a share after the point.
const SHARE_PLACES: u8 = 6;
/// Most points of an address's history returned (its newest).
pub const MAX_POINTS: usize = 2_000;

/// A holder and its part of the supply.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HolderRow {
    pub address: String,
    /// Raw integer.
    pub balance: String,
    /// Of the supply, a decimal fraction ("0.25"); null when the supply is not positive.
    pub share: Option<String>,
}

/// Mints and burns in one time bucket, and the supply at its end. Amounts are raw integers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplyPoint {
    /// Start of the bucket, seconds since the epoch.
    #[ts(type = "number")]
    pub time: i64,
    #[ts(type = "number")]
    pub last_block: u64,
    pub minted: String,
    pub burned: String,
    pub supply: String,
    #[ts(type = "number")]
    pub mints: u64,
    #[ts(type = "number")]
    pub burns: u64,
}

/// The token's supply over time: buckets with mints or burns, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupplySeries {
    #[ts(type = "number")]
    pub bucket_secs: i64,
    pub points: Vec<SupplyPoint>,
}

/// One change of an address's balance.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BalancePoint {
    #[ts(type = "number")]
    pub event_id: i64,
    #[ts(type = "number")]
    pub block: u64,
    #[ts(type = "number | null")]
    pub time: Option<i64>,
    /// Signed raw integer.
    pub change: String,
    /// After the change.
    pub balance: String,
}

/// An address's balance in a token over time, from the stored transfers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AddressHistory {
    pub address: String,
    pub balance: String,
    /// Transfers in or out, all of them (`points` keeps the newest [`MAX_POINTS`]).
    #[ts(type = "number")]
    pub transfers: u64,
    pub points: Vec<BalancePoint>,
}

/// The first rows of a holder register, as the screen shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RegisterPage {
    #[ts(type = "number")]
    pub block: u64,
    /// Holders in the whole register.
    #[ts(type = "number")]
    pub holders: u64,
    /// The largest, share of the register's total.
    pub rows: Vec<HolderRow>,
}

impl Register {
    /// Its first `limit` rows, each with its share of the holders' total (as the CSV has it).
    pub fn page(&self, limit: usize) -> RegisterPage {
        let total = self
            .holders
            .iter()
            .fold(alloy_primitives::U256::ZERO, |sum, (_, b)| {
                sum.saturating_add(b.into_raw())
            });
        let rows = self.holders.iter().take(limit).map(|(a, b)| HolderRow {
            address: a.to_checksum(None),
            balance: b.to_string(),
            share: crate::units::fraction(b.into_raw(), total, SHARE_PLACES),
        });
        RegisterPage {
            block: self.block,
            holders: self.holders.len() as u64,
            rows: rows.collect(),
        }
    }
}

impl Store {
    /// The `limit` largest holders of a token now, with their share of the supply.
    pub fn top_holders(
        &self,
        network: &str,
        token: Address,
        limit: u32,
    ) -> Result<Vec<HolderRow>, StoreError> {
        let Some(state) = self.token_state(network, token)? else {
            return Ok(Vec::new());
        };
        let supply: I256 = state.supply.parse().unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.holder, b.balance FROM balances b JOIN networks n ON n.id = b.network_id
              WHERE n.name = ?1 AND b.token = ?2 AND b.balance < X'80'
              ORDER BY b.balance DESC, b.holder LIMIT ?3",
        )?;
        let mut rows = stmt.query(params![network, token.as_slice(), limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let balance = signed(r.get_ref(1)?.as_blob()?);
            let share = supply
                .is_positive()
                .then(|| {
                    crate::units::fraction(balance.into_raw(), supply.into_raw(), SHARE_PLACES)
                })
                .flatten();
            out.push(HolderRow {
                address: checksummed(r.get_ref(0)?.as_blob()?),
                balance: balance.to_string(),
                share,
            });
        }
        Ok(out)
    }

    /// Mints and burns of a token in about `buckets` time buckets, with the supply after
    /// each. Reads only the token's mints and burns (their partial index).
    pub fn supply_series(
        &self,
        network: &str,
        token: Address,
        buckets: u32,
    ) -> Result<SupplySeries, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.block_number, e.block_time, e.topics, e.data FROM events e INDEXED BY events_role
              WHERE e.network_id = (SELECT id FROM networks WHERE name = ?1) AND e.contract = ?2
                AND e.role = ?3 AND e.status != 2 ORDER BY e.block_number",
        )?;
        let mut rows = stmt.query(params![network, token.as_slice(), ROLE_MINT_OR_BURN])?;
        let mut moves = Vec::new();
        while let Some(r) = rows.next()? {
            let Some(t) = Transfer::read(r.get_ref(2)?.as_blob()?, r.get_ref(3)?.as_blob()?) else {
                continue;
            };
            let block = r.get::<_, i64>(0)? as u64;
            moves.push((block, r.get::<_, Option<i64>>(1)?, t));
        }
        Ok(bucket(&moves, buckets))
    }

    /// `address`'s balance in `token` after each of its stored transfers, oldest first.
    /// Scans the network's events as History's address filter does.
    pub fn address_history(
        &self,
        network: &str,
        token: Address,
        address: Address,
    ) -> Result<AddressHistory, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.block_number, e.block_time, e.topics, e.data FROM events e
              WHERE e.network_id = (SELECT id FROM networks WHERE name = ?1) AND e.contract = ?2
                AND e.status != 2 AND tw_has_word(e.topics, e.data, ?3)
              ORDER BY e.block_number, e.log_index",
        )?;
        let word = [[0u8; 12].as_slice(), address.as_slice()].concat();
        let mut rows = stmt.query(params![network, token.as_slice(), word])?;
        let (mut balance, mut transfers) = (I256::ZERO, 0u64);
        let mut points = std::collections::VecDeque::new();
        while let Some(r) = rows.next()? {
            let Some(t) = Transfer::read(r.get_ref(3)?.as_blob()?, r.get_ref(4)?.as_blob()?) else {
                continue;
            };
            let v = I256::from_raw(t.value);
            let change = match (t.from == address, t.to == address) {
                (true, false) => v.wrapping_neg(),
                (false, true) => v,
                _ => I256::ZERO,
            };
            balance = balance.wrapping_add(change);
            transfers += 1;
            if points.len() == MAX_POINTS {
                points.pop_front();
            }
            points.push_back(BalancePoint {
                event_id: r.get(0)?,
                block: r.get::<_, i64>(1)? as u64,
                time: r.get(2)?,
                change: change.to_string(),
                balance: balance.to_string(),
            });
        }
        Ok(AddressHistory {
            address: address.to_checksum(None),
            balance: balance.to_string(),
            transfers,
            points: points.into(),
        })
    }
}

/// Sums mints and burns (block, time, transfer; oldest first) into time buckets.
fn bucket(moves: &[(u64, Option<i64>, Transfer)], buckets: u32) -> SupplySeries {
    let times = moves.iter().filter_map(|m| m.1);
    let (Some(first), Some(last)) = (times.clone().min(), times.max()) else {
        return SupplySeries::default();
    };
    // `n` buckets of `secs` cover first..=last.
    let n = i64::from(buckets.clamp(1, 1_000));
    let secs = ((last - first + 1) + n - 1) / n;
    let mut out: Vec<SupplyPoint> = Vec::new();
    let (mut supply, mut minted, mut burned) = (I256::ZERO, I256::ZERO, I256::ZERO);
    let mut time = first;
    for (block, at, t) in moves {
        time = at.unwrap_or(time);
        let start = first + (time - first) / secs * secs;
        if out.last().is_none_or(|p| p.time != start) {
            (minted, burned) = (I256::ZERO, I256::ZERO);
            out.push(SupplyPoint {
                time: start,
                ..SupplyPoint::default()
            });
        }
        let v = I256::from_raw(t.value);
        let Some(p) = out.last_mut() else { continue };
        if t.from == Address::ZERO && t.to != Address::ZERO {
            minted = minted.wrapping_add(v);
            supply = supply.wrapping_add(v);
            p.mints += 1;
        } else if t.to == Address::ZERO && t.from != Address::ZERO {
            burned = burned.wrapping_add(v);
            supply = supply.wrapping_sub(v);
            p.burns += 1;
        }
        p.last_block = *block;
        p.minted = minted.to_string();
        p.burned = burned.to_string();
        p.supply = supply.to_string();
    }
    SupplySeries {
        bucket_secs: secs,
        points: out,
    }
}

#[cfg(test)]
#[path = "token_view_tests.rs"]
mod tests;

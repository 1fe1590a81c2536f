//! A token's number of holders over time, replayed from its stored ERC-20 transfers when
//! asked (the Tokens screen loads it beside supply over time).

use std::collections::HashMap;

use alloy_primitives::{Address, I256};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::holdings::Transfer;
use super::{Store, StoreError};

/// The holders at the end of one time bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HolderPoint {
    /// Start of the bucket, seconds since the epoch.
    #[ts(type = "number")]
    pub time: i64,
    #[ts(type = "number")]
    pub last_block: u64,
    /// Addresses with a positive balance after the bucket's last transfer.
    #[ts(type = "number")]
    pub holders: u64,
}

/// The token's holder count over time: buckets with transfers, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HolderSeries {
    #[ts(type = "number")]
    pub bucket_secs: i64,
    pub points: Vec<HolderPoint>,
}

/// Balances while the transfers are replayed, and how many are positive.
#[derive(Default)]
struct Replay {
    balances: HashMap<Address, I256>,
    holders: u64,
}

impl Replay {
    fn change(&mut self, who: Address, delta: I256) {
        if who == Address::ZERO {
            return;
        }
        let b = self.balances.entry(who).or_default();
        let before = b.is_positive();
        *b = b.wrapping_add(delta);
        match (before, b.is_positive()) {
            (false, true) => self.holders += 1,
            (true, false) => self.holders = self.holders.saturating_sub(1),
            _ => {}
        }
    }
}

impl Store {
    /// The holders of `token` in about `buckets` time buckets, replaying every stored
    /// transfer of it (not removed by a reorg) in block and log order.
    pub fn holder_series(
        &self,
        network: &str,
        token: Address,
        buckets: u32,
    ) -> Result<HolderSeries, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT block_number, block_time, topics, data FROM events
              WHERE network_id = (SELECT id FROM networks WHERE name = ?1) AND contract = ?2
                AND status != 2 AND length(topics) = 96
              ORDER BY block_number, log_index",
        )?;
        let mut rows = stmt.query(params![network, token.as_slice()])?;
        let mut moves = Vec::new();
        while let Some(r) = rows.next()? {
            if let Some(t) = Transfer::read(r.get_ref(2)?.as_blob()?, r.get_ref(3)?.as_blob()?) {
                moves.push((r.get::<_, i64>(0)? as u64, r.get::<_, Option<i64>>(1)?, t));
            }
        }
        Ok(bucket(&moves, buckets))
    }
}

/// Replays the transfers (block, time, transfer; oldest first) into time buckets.
fn bucket(moves: &[(u64, Option<i64>, Transfer)], buckets: u32) -> HolderSeries {
    let times = moves.iter().filter_map(|m| m.1);
    let (Some(first), Some(last)) = (times.clone().min(), times.max()) else {
        return HolderSeries::default();
    };
    let n = i64::from(buckets.clamp(1, 1_000));
    let secs = ((last - first + 1) + n - 1) / n;
    let mut out: Vec<HolderPoint> = Vec::new();
    let mut replay = Replay::default();
    let mut time = first;
    for (block, at, t) in moves {
        time = at.unwrap_or(time);
        let start = first + (time - first) / secs * secs;
        if out.last().is_none_or(|p| p.time != start) {
            out.push(HolderPoint {
                time: start,
                ..HolderPoint::default()
            });
        }
        let v = I256::from_raw(t.value);
        replay.change(t.from, v.wrapping_neg());
        replay.change(t.to, v);
        if let Some(p) = out.last_mut() {
            p.last_block = *block;
            p.holders = replay.holders;
        }
    }
    HolderSeries {
        bucket_secs: secs,
        points: out,
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256, U256};

    use super::super::tests::{commit, event, setup};
    use crate::model::ERC20_TRANSFER;
    use crate::store::NewEvent;

    const TOKEN: Address = Address::repeat_byte(0x11);

    fn transfer(block: u64, from: u8, to: u8, v: u64, l: i64) -> NewEvent {
        let topic = |b: u8| B256::left_padding_from(Address::repeat_byte(b).as_slice());
        let topic = |b: u8| if b == 0 { B256::ZERO } else { topic(b) };
        NewEvent {
            topics: vec![ERC20_TRANSFER, topic(from), topic(to)],
            data: U256::from(v).to_be_bytes::<32>().to_vec(),
            amount: Some(U256::from(v)),
            ..event(block, 0, block as u8, vec![l])
        }
    }

    #[test]
    fn the_holder_count_follows_mints_transfers_and_burns_and_a_reorg() {
        let (_d, mut store, net, l) = setup();
        // Mints to 0xa1, 0xa2, 0xa3; 0xa1 sends all it has to 0xa2; 0xa3's tokens burned.
        let events = vec![
            transfer(1, 0x00, 0xa1, 10, l),
            transfer(2, 0x00, 0xa2, 5, l),
            transfer(3, 0x00, 0xa3, 7, l),
            transfer(4, 0xa1, 0xa2, 10, l),
            transfer(5, 0xa3, 0x00, 7, l),
        ];
        store
            .commit(&commit(net, (0, 5), vec![l], events))
            .expect("commit");
        let series = store.holder_series("local", TOKEN, 100).expect("series");
        let counts: Vec<(u64, u64)> = series
            .points
            .iter()
            .map(|p| (p.last_block, p.holders))
            .collect();
        assert_eq!(counts, [(1, 1), (2, 2), (3, 3), (4, 2), (5, 1)]);
        assert_eq!(series.bucket_secs, 1);
        let token = store
            .token_state("local", TOKEN)
            .expect("read")
            .expect("known");
        assert_eq!(
            token.holders, 1,
            "the last point is the token's holder count"
        );

        // A reorg takes blocks 4 and 5 away; two buckets of a 2-second span.
        store.rollback_to(net, 3).expect("rollback");
        let series = store.holder_series("local", TOKEN, 2).expect("series");
        let counts: Vec<(u64, u64)> = series
            .points
            .iter()
            .map(|p| (p.last_block, p.holders))
            .collect();
        assert_eq!(counts, [(2, 2), (3, 3)]);
    }
}

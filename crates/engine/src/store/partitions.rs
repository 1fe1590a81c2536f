//! A token's ERC-1400 balances per partition at the head, summed at read time from its stored
//! `IssuedByPartition`, `TransferByPartition` (with a following `ChangedPartition`) and
//! `RedeemedByPartition` events.

use std::collections::{BTreeMap, VecDeque};

use alloy_primitives::{b256, Address, B256, I256, U256};
use rusqlite::params;

use super::compliance::{RegisterChange, RegisterEntry, RegisterKind};
use super::schema::{REGISTER_ROWS, ROLE_REGISTER};
use super::{Store, StoreError};

/// The changes kept with each balance, newest last.
pub const PARTITION_HISTORY: usize = 10;

/// The partition events, by topic0.
const TRANSFER: B256 = b256!("ff4e9a26af4eb73b8bacfaa4abd4fea03d9448e7b912dc5ff4019048875aa2d4");
const ISSUED: B256 = b256!("f0ded82afbb1bb3ff3fc48cb2a26584aa84e4af0bf309c804ecdb94d0f6a98bb");
const REDEEMED: B256 = b256!("ce306c3dbc4a497124b5a4f2be8388b41084c1d74663da27ecee1186c00239bf");
const CHANGED: B256 = b256!("67c8ba31d2dd11f1384577b3405b04ed91eed1231e408432ad2458cab37b2fa1");

/// The topic0 of the partition events, the ones a token emits itself.
pub(super) fn partition_topics() -> [B256; 4] {
    [TRANSFER, ISSUED, REDEEMED, CHANGED]
}

/// The partition register of a token.
#[derive(Default)]
pub(super) struct Partitions {
    pub(super) events: u64,
    pub(super) entries: Vec<RegisterEntry>,
}

/// One change of a balance, made into a [`RegisterChange`] only when it is kept.
#[derive(Clone, Copy)]
struct Change {
    event_id: i64,
    block: u64,
    time: Option<i64>,
    tx: B256,
    event: &'static str,
    delta: I256,
}

impl Change {
    fn shown(self) -> RegisterChange {
        let value = if self.delta.is_negative() {
            self.delta.to_string()
        } else {
            format!("+{}", self.delta)
        };
        RegisterChange {
            event_id: self.event_id,
            block: self.block,
            time: self.time,
            tx: self.tx.to_string(),
            event: self.event.to_string(),
            value,
        }
    }
}

struct Open {
    balance: I256,
    history: VecDeque<Change>,
}

/// The last transfer read: a `ChangedPartition` right after it moves what it sent.
struct Sent {
    tx: B256,
    partition: B256,
    to: Address,
    value: I256,
}

#[derive(Default)]
struct Balances {
    open: BTreeMap<(B256, Address), Open>,
    last: Option<Sent>,
}

/// A stored partition event.
struct Log<'a> {
    topics: &'a [u8],
    data: &'a [u8],
    change: Change,
}

impl Log<'_> {
    fn topic(&self, i: usize) -> Option<B256> {
        self.topics.get(i * 32..i * 32 + 32).map(B256::from_slice)
    }

    fn address(&self, i: usize) -> Option<Address> {
        self.topics
            .get(i * 32 + 12..i * 32 + 32)
            .map(Address::from_slice)
    }

    fn word(&self, i: usize) -> Option<I256> {
        let w = self.data.get(i * 32..i * 32 + 32)?;
        Some(I256::from_raw(U256::from_be_slice(w)))
    }
}

impl Balances {
    fn add(&mut self, partition: B256, who: Address, delta: I256, change: Change) {
        let e = self.open.entry((partition, who)).or_insert(Open {
            balance: I256::ZERO,
            history: VecDeque::new(),
        });
        e.balance = e.balance.saturating_add(delta);
        if e.history.len() == PARTITION_HISTORY {
            e.history.pop_front();
        }
        e.history.push_back(Change { delta, ..change });
    }

    /// Applies one event; one whose arguments cannot be read is left out.
    fn apply(&mut self, log: &Log<'_>) -> Option<()> {
        let partition = log.topic(1)?;
        let last = self.last.take();
        let c = log.change;
        match c.event {
            "TransferByPartition" => {
                let (from, to, value) = (log.address(2)?, log.address(3)?, log.word(1)?);
                self.add(partition, from, value.wrapping_neg(), c);
                self.add(partition, to, value, c);
                let tx = c.tx;
                self.last = Some(Sent {
                    tx,
                    partition,
                    to,
                    value,
                });
            }
            "IssuedByPartition" => self.add(partition, log.address(3)?, log.word(0)?, c),
            "RedeemedByPartition" => {
                self.add(partition, log.address(3)?, log.word(0)?.wrapping_neg(), c)
            }
            "ChangedPartition" => {
                let (to_partition, value) = (log.topic(2)?, log.word(0)?);
                let sent =
                    last.filter(|s| s.tx == c.tx && s.partition == partition && s.value == value)?;
                self.add(partition, sent.to, value.wrapping_neg(), c);
                self.add(to_partition, sent.to, value, c);
            }
            _ => return None,
        }
        Some(())
    }

    /// The balances that are not zero, by partition, then largest first, then holder.
    fn entries(self) -> Vec<RegisterEntry> {
        let mut out: Vec<(B256, Address, Open)> = self
            .open
            .into_iter()
            .filter(|(_, o)| !o.balance.is_zero())
            .map(|((p, who), o)| (p, who, o))
            .collect();
        out.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.2.balance.cmp(&a.2.balance))
                .then(a.1.cmp(&b.1))
        });
        out.into_iter()
            .map(|(p, who, o)| {
                let history = o.history.into_iter().map(Change::shown).collect();
                let mut e = RegisterEntry::new(RegisterKind::Partition, who, history);
                e.value = o.balance.to_string();
                e.partition = Some(partition_name(p));
                e
            })
            .collect()
    }
}

/// The event's name by its topic0, `None` for another event.
fn event_name(topic0: &[u8]) -> Option<&'static str> {
    [
        (TRANSFER, "TransferByPartition"),
        (ISSUED, "IssuedByPartition"),
        (REDEEMED, "RedeemedByPartition"),
        (CHANGED, "ChangedPartition"),
    ]
    .into_iter()
    .find(|(t, _)| t.as_slice() == topic0)
    .map(|(_, name)| name)
}

/// A bytes32 partition as text when it is printable ASCII padded with zero bytes, else 0x-hex.
pub fn partition_name(p: B256) -> String {
    let text = p.as_slice();
    let end = text.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let body = &text[..end];
    if !body.is_empty() && body.iter().all(|b| (0x20..0x7f).contains(b)) {
        return String::from_utf8_lossy(body).into_owned();
    }
    p.to_string()
}

impl Store {
    /// The partition balances of `token` on network `network_id`.
    pub(super) fn partitions(
        &self,
        network_id: i64,
        token: Address,
    ) -> Result<Partitions, StoreError> {
        let mut stmt = self.conn.prepare_cached(REGISTER_ROWS)?;
        let mut rows = stmt.query(params![network_id, token.as_slice(), ROLE_REGISTER])?;
        let mut balances = Balances::default();
        let mut events = 0;
        while let Some(r) = rows.next()? {
            let topics = r.get_ref(4)?.as_blob()?;
            let Some(event) = topics.get(..32).and_then(event_name) else {
                continue;
            };
            let tx = B256::try_from(r.get_ref(3)?.as_blob()?)
                .map_err(|e| StoreError::Corrupt(format!("a transaction hash: {e}")))?;
            let change = Change {
                event_id: r.get(0)?,
                block: r.get::<_, i64>(1)? as u64,
                time: r.get(2)?,
                tx,
                event,
                delta: I256::ZERO,
            };
            let data = r.get_ref(5)?.as_blob()?;
            events += 1;
            balances.apply(&Log {
                topics,
                data,
                change,
            });
        }
        Ok(Partitions {
            events,
            entries: balances.entries(),
        })
    }
}

#[cfg(test)]
#[path = "partitions_tests.rs"]
mod tests;

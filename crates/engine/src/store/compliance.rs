//! A token's registers read from its stored events: ERC-3643 frozen wallets and amounts,
//! agents, the pause and recoveries (here), identities (`identities`) and ERC-1400 partition
//! balances (`partitions`), each entry with the events that set it.

use std::collections::BTreeMap;

use alloy_primitives::{Address, I256};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::register_row::{read_row, Row};
use super::schema::ROLE_COMPLIANCE;
use super::{Store, StoreError};

/// Which register an entry is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RegisterKind {
    FrozenWallet,
    FrozenAmount,
    Agent,
    Paused,
    Recovery,
    Identity,
    Partition,
}

impl RegisterKind {
    /// As the CSV names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FrozenWallet => "frozen_wallet",
            Self::FrozenAmount => "frozen_amount",
            Self::Agent => "agent",
            Self::Paused => "paused",
            Self::Recovery => "recovery",
            Self::Identity => "identity",
            Self::Partition => "partition",
        }
    }
}

/// One stored event that changed an entry.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RegisterChange {
    #[ts(type = "number")]
    pub event_id: i64,
    #[ts(type = "number")]
    pub block: u64,
    #[ts(type = "number | null")]
    pub time: Option<i64>,
    pub tx: String,
    /// The event's name (`AddressFrozen`).
    pub event: String,
    /// What it set: `true`/`false`, a signed raw amount (`+100`, `-40`), `added`/`removed`,
    /// the new wallet of a recovery, an identity, or a country (`France (250)`, `code 999`).
    pub value: String,
}

/// A current entry of a register, set by the last of its `history`.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RegisterEntry {
    pub register: RegisterKind,
    /// The wallet, agent, pausing account, a recovery's lost wallet, an investor's wallet or
    /// a partition's holder.
    pub address: String,
    /// `true`, a raw frozen amount, a recovery's new wallet, an investor's identity or a raw
    /// partition balance.
    pub value: String,
    /// An investor's ISO 3166 numeric country, when an event set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub country: Option<u16>,
    /// Its English name, when the code is a country.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub country_name: Option<String>,
    /// A partition's name: text when printable, else 0x-hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub partition: Option<String>,
    #[ts(type = "number")]
    pub since_block: u64,
    #[ts(type = "number | null")]
    pub since_time: Option<i64>,
    /// Oldest first.
    pub history: Vec<RegisterChange>,
}

/// A token's registers now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ComplianceRegisters {
    pub network: String,
    #[ts(type = "number")]
    pub chain_id: u64,
    pub token: String,
    /// Stored register events (zero: the token has none, the screen shows no section).
    #[ts(type = "number")]
    pub events: u64,
    /// Frozen wallets, frozen amounts, agents, paused, recoveries oldest first, identities,
    /// then partition balances.
    pub entries: Vec<RegisterEntry>,
    /// The identity registry named by the token's last stored `IdentityRegistryAdded`.
    pub registry: Option<String>,
    /// Stored events of that registry that set identities.
    #[ts(type = "number")]
    pub identity_events: u64,
    /// Stored ERC-1400 partition events of the token.
    #[ts(type = "number")]
    pub partition_events: u64,
}

/// The topic0 of each register event, with its name.
const KINDS: [(&str, &str); 8] = [
    (
        "7fa523c84ab8d7fc5b72f08b9e46dbbf10c39e119a075b3e317002d14bc9f436",
        "AddressFrozen",
    ),
    (
        "a065e63c631c86f1b9f66a4a2f63f2093bf1c2168d23290259dbd969e0222a45",
        "TokensFrozen",
    ),
    (
        "9bed35cb62ad0dba04f9d5bfee4b5bc91443e77da8a65c4c84834c51bb08b0d6",
        "TokensUnfrozen",
    ),
    (
        "f0c9129a94f30f1caaceb63e44b9811d0a3edf1d6c23757f346093af5553fed0",
        "RecoverySuccess",
    ),
    (
        "62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258",
        "Paused",
    ),
    (
        "5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa",
        "Unpaused",
    ),
    (
        "f68e73cec97f2d70aa641fb26e87a4383686e2efacb648f2165aeb02ac562ec5",
        "AgentAdded",
    ),
    (
        "ed9c8ad8d5a0a66898ea49d2956929c93ae2e8bd50281b2ed897c5d1a6737e0b",
        "AgentRemoved",
    ),
];

/// An entry while the events are read: its value and the events so far.
struct Open {
    value: I256,
    history: Vec<RegisterChange>,
}

#[derive(Default)]
struct Registers {
    frozen: BTreeMap<Address, Open>,
    amounts: BTreeMap<Address, Open>,
    agents: BTreeMap<Address, Open>,
    paused: Option<(Address, Open)>,
    recoveries: Vec<RegisterEntry>,
}

impl Registers {
    /// Applies one event; one whose arguments cannot be read is left out.
    fn apply(&mut self, mut row: Row) -> Option<()> {
        let set = |map: &mut BTreeMap<Address, Open>, who: Address, v: I256, c| {
            let e = map.entry(who).or_insert(Open {
                value: I256::ZERO,
                history: Vec::new(),
            });
            e.value = v;
            e.history.push(c);
        };
        match row.change.event.as_str() {
            "AddressFrozen" => {
                let who = row.address(1)?;
                let frozen = row.topics.get(2)?[31] != 0;
                row.change.value = frozen.to_string();
                set(&mut self.frozen, who, flag(frozen), row.change);
            }
            "TokensFrozen" | "TokensUnfrozen" => {
                let who = row.address(1)?;
                let amount = I256::from_raw(row.word()?);
                let signed = if row.change.event == "TokensFrozen" {
                    amount
                } else {
                    -amount
                };
                row.change.value = if signed.is_negative() {
                    signed.to_string()
                } else {
                    format!("+{signed}")
                };
                let before = self.amounts.get(&who).map_or(I256::ZERO, |o| o.value);
                set(
                    &mut self.amounts,
                    who,
                    before.saturating_add(signed),
                    row.change,
                );
            }
            "AgentAdded" | "AgentRemoved" => {
                let who = row.address(1)?;
                let added = row.change.event == "AgentAdded";
                row.change.value = if added { "added" } else { "removed" }.into();
                set(&mut self.agents, who, flag(added), row.change);
            }
            "Paused" | "Unpaused" => {
                let who = match row.data.get(12..32) {
                    Some(a) => Address::from_slice(a),
                    None => row.address(1)?,
                };
                let paused = row.change.event == "Paused";
                row.change.value = paused.to_string();
                let mut history = self
                    .paused
                    .take()
                    .map(|(_, o)| o.history)
                    .unwrap_or_default();
                history.push(row.change);
                let value = flag(paused);
                self.paused = Some((who, Open { value, history }));
            }
            "RecoverySuccess" => {
                let (lost, new) = (row.address(1)?, row.address(2)?);
                row.change.value = new.to_checksum(None);
                let mut entry = RegisterEntry::new(RegisterKind::Recovery, lost, vec![row.change]);
                entry.value = new.to_checksum(None);
                self.recoveries.push(entry);
            }
            _ => return None,
        }
        Some(())
    }

    /// The current entries: what is frozen, held or paused now.
    fn entries(self) -> Vec<RegisterEntry> {
        let mut out = Vec::new();
        let mut push = |register, who: Address, value: String, o: Open| {
            let mut entry = RegisterEntry::new(register, who, o.history);
            entry.value = value;
            out.push(entry);
        };
        for (who, o) in self.frozen.into_iter().filter(|(_, o)| !o.value.is_zero()) {
            push(RegisterKind::FrozenWallet, who, "true".into(), o);
        }
        for (who, o) in self.amounts.into_iter().filter(|(_, o)| !o.value.is_zero()) {
            push(RegisterKind::FrozenAmount, who, o.value.to_string(), o);
        }
        for (who, o) in self.agents.into_iter().filter(|(_, o)| !o.value.is_zero()) {
            push(RegisterKind::Agent, who, "true".into(), o);
        }
        if let Some((who, o)) = self.paused {
            let value = (!o.value.is_zero()).to_string();
            push(RegisterKind::Paused, who, value, o);
        }
        out.extend(self.recoveries);
        out
    }
}

impl RegisterEntry {
    /// An entry of `who` set by `history` (oldest first), since the last of it.
    pub(super) fn new(register: RegisterKind, who: Address, history: Vec<RegisterChange>) -> Self {
        let last = history.last();
        Self {
            register,
            address: who.to_checksum(None),
            value: String::new(),
            country: None,
            country_name: None,
            partition: None,
            since_block: last.map_or(0, |c| c.block),
            since_time: last.and_then(|c| c.time),
            history,
        }
    }
}

impl Store {
    /// The registers of `token` on `network` from its stored events that were not removed,
    /// in block and log order. `None` when the network is unknown or the token has neither
    /// register events nor token state.
    pub fn compliance(
        &self,
        network: &str,
        token: Address,
    ) -> Result<Option<ComplianceRegisters>, StoreError> {
        let found: Option<(i64, i64)> = self
            .conn
            .prepare_cached("SELECT id, chain_id FROM networks WHERE name = ?1")?
            .query_row([network], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((network_id, chain_id)) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, block_number, block_time, tx_hash, topics, data FROM events INDEXED BY events_role
              WHERE network_id = ?1 AND contract = ?2 AND role = ?3 AND status <> 2
              ORDER BY block_number, log_index",
        )?;
        let mut rows = stmt.query(params![network_id, token.as_slice(), ROLE_COMPLIANCE])?;
        let mut registers = Registers::default();
        let mut events = 0;
        while let Some(r) = rows.next()? {
            events += 1;
            registers.apply(read_row(r, &KINDS)?);
        }
        drop(rows);
        let identities = self.identities(network_id, token)?;
        let partitions = self.partitions(network_id, token)?;
        let none = events + identities.events + partitions.events == 0;
        if none && self.token_state(network, token)?.is_none() {
            return Ok(None);
        }
        let mut entries = registers.entries();
        entries.extend(identities.entries);
        entries.extend(partitions.entries);
        Ok(Some(ComplianceRegisters {
            network: network.to_string(),
            chain_id: chain_id as u64,
            token: token.to_checksum(None),
            events,
            entries,
            registry: identities.registry.map(|a| a.to_checksum(None)),
            identity_events: identities.events,
            partition_events: partitions.events,
        }))
    }
}

/// One for true, zero for false.
fn flag(b: bool) -> I256 {
    if b {
        I256::ONE
    } else {
        I256::ZERO
    }
}

#[cfg(test)]
#[path = "compliance_tests.rs"]
mod tests;

//! A token's ERC-3643 identity register: the wallets its identity registry holds, with their
//! identity and country, from the registry's stored events. The registry is the one named by
//! the token's last stored `IdentityRegistryAdded`; its events count under any listener.

use std::collections::BTreeMap;

use alloy_primitives::Address;
use rusqlite::{params, OptionalExtension};

use super::compliance::{RegisterChange, RegisterEntry, RegisterKind};
use super::register_row::{read_row, Row};
use super::schema::{REGISTER_ROWS, ROLE_REGISTER};
use super::{Store, StoreError};
use crate::countries::country_name;

/// topic0 of `IdentityRegistryAdded(address indexed _identityRegistry)`.
const REGISTRY_ADDED: &str = "X'd2be862d755bca7e0d39772b2cab3a5578da9c285f69199f4c063c2294a7f36c'";

/// The topic0 of each identity event, with its name.
const KINDS: [(&str, &str); 4] = [
    (
        "6ae73635c50d24a45af6fbd5e016ac4bed179addbc8bf24e04ff0fcc6d33af19",
        "IdentityRegistered",
    ),
    (
        "59d6590e225b81befe259af056324092801080acbb7feab310eb34678871f327",
        "IdentityRemoved",
    ),
    (
        "e98082932c8056a0f514da9104e4a66bc2cbaef102ad59d90c4b24220ebf6010",
        "IdentityUpdated",
    ),
    (
        "04ed3b726495c2dca1ff1215d9ca54e1a4030abb5e82b0f6ce55702416cee853",
        "CountryUpdated",
    ),
];

/// The identity register of a token.
#[derive(Default)]
pub(super) struct Identities {
    pub(super) registry: Option<Address>,
    pub(super) events: u64,
    pub(super) entries: Vec<RegisterEntry>,
}

/// An investor's wallet while the events are read.
struct Open {
    identity: Address,
    registered: bool,
    country: Option<u16>,
    history: Vec<RegisterChange>,
}

#[derive(Default)]
struct Register(BTreeMap<Address, Open>);

impl Register {
    fn wallet(&mut self, who: Address) -> &mut Open {
        self.0.entry(who).or_insert(Open {
            identity: Address::ZERO,
            registered: false,
            country: None,
            history: Vec::new(),
        })
    }

    /// Applies one event; one whose arguments cannot be read is left out.
    fn apply(&mut self, mut row: Row) -> Option<()> {
        match row.change.event.as_str() {
            "IdentityRegistered" | "IdentityRemoved" => {
                let (who, identity) = (row.address(1)?, row.address(2)?);
                let registered = row.change.event == "IdentityRegistered";
                row.change.value = identity.to_checksum(None);
                let w = self.wallet(who);
                w.identity = identity;
                w.registered = registered;
                if !registered {
                    // The registry forgets the country with the identity.
                    w.country = None;
                }
                w.history.push(row.change);
            }
            // Names the identities, not the wallet: every wallet of the old identity moves.
            "IdentityUpdated" => {
                let (old, new) = (row.address(1)?, row.address(2)?);
                row.change.value = new.to_checksum(None);
                for w in self.0.values_mut() {
                    if w.registered && w.identity == old {
                        w.identity = new;
                        w.history.push(row.change.clone());
                    }
                }
            }
            "CountryUpdated" => {
                let who = row.address(1)?;
                let word = row.topics.get(2)?;
                let code = u16::from_be_bytes([word[30], word[31]]);
                row.change.value = match country_name(code) {
                    Some(name) => format!("{name} ({code})"),
                    None => format!("code {code}"),
                };
                let w = self.wallet(who);
                w.country = Some(code);
                w.history.push(row.change);
            }
            _ => return None,
        }
        Some(())
    }

    /// The wallets registered now, by address.
    fn entries(self) -> Vec<RegisterEntry> {
        self.0
            .into_iter()
            .filter(|(_, w)| w.registered)
            .map(|(who, w)| {
                let mut e = RegisterEntry::new(RegisterKind::Identity, who, w.history);
                e.value = w.identity.to_checksum(None);
                e.country = w.country;
                e.country_name = w.country.and_then(country_name).map(str::to_string);
                e
            })
            .collect()
    }
}

impl Store {
    /// The identity register of `token` on network `network_id`: empty when no
    /// `IdentityRegistryAdded` of the token is stored.
    pub(super) fn identities(
        &self,
        network_id: i64,
        token: Address,
    ) -> Result<Identities, StoreError> {
        let sql = [
            "SELECT topics FROM events INDEXED BY events_role
              WHERE network_id = ?1 AND contract = ?2 AND role = ?3 AND status <> 2
                AND substr(topics, 1, 32) = ",
            REGISTRY_ADDED,
            " ORDER BY block_number DESC, log_index DESC LIMIT 1",
        ]
        .concat();
        let topics: Option<Vec<u8>> = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![network_id, token.as_slice(), ROLE_REGISTER], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(registry) = topics
            .as_deref()
            .and_then(|t| t.get(44..64))
            .map(Address::from_slice)
        else {
            return Ok(Identities::default());
        };
        let mut stmt = self.conn.prepare_cached(REGISTER_ROWS)?;
        let mut rows = stmt.query(params![network_id, registry.as_slice(), ROLE_REGISTER])?;
        let mut register = Register::default();
        let mut events = 0;
        while let Some(r) = rows.next()? {
            let row = read_row(r, &KINDS)?;
            if !row.change.event.is_empty() {
                events += 1;
                register.apply(row);
            }
        }
        Ok(Identities {
            registry: Some(registry),
            events,
            entries: register.entries(),
        })
    }
}

#[cfg(test)]
#[path = "identities_tests.rs"]
mod tests;

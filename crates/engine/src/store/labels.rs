//! The address book: a label per address, for one network or for all of them (a
//! network's own label wins). The zero address starts as "mint / burn".

use std::collections::HashMap;

use alloy_primitives::Address;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::query::checksummed;
use super::{Store, StoreError};

/// One entry of the address book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AddressLabel {
    /// Checksummed.
    pub address: String,
    pub label: String,
    /// `None`: the label holds on every network.
    pub network: Option<String>,
}

/// Longest label kept, in characters.
pub const MAX_LABEL: usize = 100;

/// Why a label or a network name is refused (plain words, for the user).
pub fn check_label(label: &str) -> Result<(), String> {
    if label.trim().is_empty() {
        return Err("the label is empty".into());
    }
    if label.chars().any(char::is_control) {
        return Err("the label has a control character (a line break, a tab…)".into());
    }
    if let Some(c) = label.chars().find(|c| reorders(*c)) {
        return Err(format!(
            "the label has a character that reorders text (U+{:04X})",
            u32::from(c)
        ));
    }
    if label.chars().count() > MAX_LABEL {
        return Err(format!("the label is longer than {MAX_LABEL} characters"));
    }
    Ok(())
}

/// Bidirectional overrides and isolates: they make text read in another order than it is.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Why a network name given with a label is refused.
pub fn check_network(network: &str) -> Result<(), String> {
    if network.chars().any(char::is_control) {
        return Err("the network name has a control character".into());
    }
    Ok(())
}

/// The stored form of a label's scope: `''` for every network.
fn scope(network: Option<&str>) -> &str {
    network.map(str::trim).unwrap_or_default()
}

impl Store {
    /// Every label, by network (all networks first) then address.
    pub fn labels(&self) -> Result<Vec<AddressLabel>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT network, address, label FROM labels ORDER BY network, address",
        )?;
        let rows = stmt.query_map([], |r| {
            let network: String = r.get(0)?;
            Ok(AddressLabel {
                address: checksummed(r.get_ref(1)?.as_blob()?),
                label: r.get(2)?,
                network: (!network.is_empty()).then_some(network),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Labels `address` (on `network`, or on all networks when `None`); an empty label
    /// removes it. Refuses labels with control characters.
    pub fn set_label(
        &self,
        network: Option<&str>,
        address: Address,
        label: &str,
    ) -> Result<(), StoreError> {
        let network = scope(network);
        check_network(network).map_err(StoreError::BadLabel)?;
        let label = label.trim();
        if label.is_empty() {
            self.conn.execute(
                "DELETE FROM labels WHERE network = ?1 AND address = ?2",
                params![network, address.as_slice()],
            )?;
            return Ok(());
        }
        check_label(label).map_err(StoreError::BadLabel)?;
        self.conn.execute(
            "INSERT INTO labels (network, address, label) VALUES (?1, ?2, ?3)
             ON CONFLICT (network, address) DO UPDATE SET label = excluded.label",
            params![network, address.as_slice(), label],
        )?;
        Ok(())
    }

    /// The labels that hold on `network`: its own, else those for all networks.
    pub fn labels_on(&self, network: &str) -> Result<HashMap<Address, String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT address, label FROM labels WHERE network = '' OR network = ?1
              ORDER BY network != ''",
        )?;
        let mut rows = stmt.query([network])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            if let Ok(a) = Address::try_from(r.get_ref(0)?.as_blob()?) {
                out.insert(a, r.get(1)?);
            }
        }
        Ok(out)
    }

    /// The addresses labelled `label` (any case) on `network` (every network when `None`).
    pub fn addresses_labelled(
        &self,
        label: &str,
        network: Option<&str>,
    ) -> Result<Vec<Address>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT address FROM labels
              WHERE label = ?1 COLLATE NOCASE AND (?2 IS NULL OR network = '' OR network = ?2)
              ORDER BY address",
        )?;
        let mut rows = stmt.query(params![label.trim(), network])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            if let Ok(a) = Address::try_from(r.get_ref(0)?.as_blob()?) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Adds or replaces labels in one transaction: all of them or none.
    pub fn put_labels(
        &self,
        labels: &[(Option<String>, Address, String)],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO labels (network, address, label) VALUES (?1, ?2, ?3)
                 ON CONFLICT (network, address) DO UPDATE SET label = excluded.label",
            )?;
            for (network, address, label) in labels {
                put.execute(params![
                    scope(network.as_deref()),
                    address.as_slice(),
                    label
                ])?;
            }
        }
        tx.commit()?;
        Ok(labels.len())
    }
}

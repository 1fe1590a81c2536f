//! CSV of token state: the holder register of a token at a block, and the list of tokens
//! with their totals and reconciliation. Chain text (symbols) is escaped like the export's.

use std::io::Write;

use alloy_primitives::{I256, U256};

use super::{escape_formula, ExportError};
use crate::store::{Register, TokenState};

/// The register's columns.
pub const HOLDER_COLUMNS: &[&str] = &[
    "network",
    "chain_id",
    "token",
    "symbol",
    "decimals",
    "block_number",
    "holder",
    "label",
    "balance",
    "balance_units",
    "share",
];

/// The token list's columns.
pub const TOKEN_COLUMNS: &[&str] = &[
    "network",
    "chain_id",
    "token",
    "symbol",
    "decimals",
    "holders",
    "supply",
    "minted",
    "burned",
    "complete_from_block",
    "reconciled_block",
    "reconciliation",
];

/// Digits of a holder's share after the point.
const SHARE_PLACES: u8 = 12;

/// Writes the register, largest holder first; `label` names an address. Returns the rows.
pub fn write_register(
    r: &Register,
    label: &dyn Fn(&alloy_primitives::Address) -> Option<String>,
    out: impl Write,
) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HOLDER_COLUMNS)?;
    let total = r
        .holders
        .iter()
        .fold(U256::ZERO, |sum, (_, b)| sum.saturating_add(b.into_raw()));
    let s = &r.state;
    let decimals = s.decimals.map(|d| d.to_string()).unwrap_or_default();
    for (holder, balance) in &r.holders {
        let raw = balance.to_string();
        let units = s
            .decimals
            .and_then(|d| crate::units::exact(&raw, d))
            .unwrap_or_default();
        let share = positive(*balance)
            .and_then(|b| crate::units::fraction(b, total, SHARE_PLACES))
            .unwrap_or_default();
        let record = [
            s.network.clone(),
            s.chain_id.to_string(),
            s.token.clone(),
            s.symbol.clone().unwrap_or_default(),
            decimals.clone(),
            r.block.to_string(),
            holder.to_checksum(None),
            label(holder).unwrap_or_default(),
            raw,
            units,
            share,
        ];
        w.write_record(record.iter().map(|c| escape_formula(c)))?;
    }
    w.flush()?;
    Ok(r.holders.len() as u64)
}

fn positive(b: I256) -> Option<U256> {
    b.is_positive().then(|| b.into_raw())
}

/// Writes one row per token. Returns the rows.
pub fn write_tokens(states: &[TokenState], out: impl Write) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(TOKEN_COLUMNS)?;
    let opt = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    for s in states {
        let record = [
            s.network.clone(),
            s.chain_id.to_string(),
            s.token.clone(),
            s.symbol.clone().unwrap_or_default(),
            s.decimals.map(|d| d.to_string()).unwrap_or_default(),
            s.holders.to_string(),
            s.supply.clone(),
            s.minted.clone(),
            s.burned.clone(),
            opt(s.complete_from_block),
            opt(s.reconciled_block),
            s.reconciliation.clone(),
        ];
        w.write_record(record.iter().map(|c| escape_formula(c)))?;
    }
    w.flush()?;
    Ok(states.len() as u64)
}

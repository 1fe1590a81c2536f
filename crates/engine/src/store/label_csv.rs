//! The address book as CSV (`address,label,network`; an empty network: all networks):
//! an import is read whole and refused at its first bad row, naming the line, so nothing
//! is half-imported.

use std::collections::HashMap;

use alloy_primitives::Address;

use super::labels::{check_label, check_network};
use super::{Store, StoreError};

/// The columns, in the order an export writes them.
pub const LABEL_COLUMNS: [&str; 3] = ["address", "label", "network"];

/// One row to import: the network (`None`: all), the address, the label.
pub type LabelRow = (Option<String>, Address, String);

/// Reads an address book CSV. The header names the three columns (any order); every row
/// has an address, a label without control characters, and at most one row per address
/// and network.
pub fn read_labels_csv(text: &str) -> Result<Vec<LabelRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("line 1: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            format!(
                "line 1: the header has no \"{name}\" column (it must be address,label,network)"
            )
        })
    };
    let (a, l, n) = (column("address")?, column("label")?, column("network")?);
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Address), u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            format!("line {line}: {e}")
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |why: String| format!("line {line}: {why}");
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let address = crate::config::parse_address(cell(a)).map_err(at)?;
        let label = unescape(cell(l));
        check_label(&label).map_err(at)?;
        let network = cell(n).to_string();
        check_network(&network).map_err(at)?;
        if let Some(first) = seen.insert((network.clone(), address), line) {
            let on = if network.is_empty() {
                "for all networks".to_string()
            } else {
                format!("on network \"{network}\"")
            };
            return Err(at(format!(
                "{} {on} is labelled again (first on line {first})",
                address.to_checksum(None)
            )));
        }
        rows.push(((!network.is_empty()).then_some(network), address, label));
    }
    Ok(rows)
}

/// A label as an export wrote it: the apostrophe that keeps a spreadsheet from reading
/// `=…` as a formula goes.
fn unescape(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

impl Store {
    /// Imports an address book CSV: every row, or none when one is bad. Returns the rows.
    pub fn import_labels(&self, text: &str) -> Result<usize, StoreError> {
        let rows = read_labels_csv(text).map_err(StoreError::BadLabel)?;
        self.put_labels(&rows)
    }
}

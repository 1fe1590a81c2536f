//! The address book as CSV: `address,label,network` (an empty network: all networks),
//! labels escaped like every cell a spreadsheet could read as a formula.

use std::io::Write;

use super::{escape_formula, ExportError};
use crate::store::{AddressLabel, LABEL_COLUMNS};

/// Writes the labels; returns the rows.
pub fn write_labels(labels: &[AddressLabel], out: impl Write) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(LABEL_COLUMNS)?;
    for l in labels {
        let network = l.network.clone().unwrap_or_default();
        w.write_record([
            l.address.clone(),
            escape_formula(&l.label),
            escape_formula(&network),
        ])?;
    }
    w.flush()?;
    Ok(labels.len() as u64)
}

//! CSV export of stored events: the fixed columns, then one column per argument when a
//! single signature is exported, else a JSON `args` column. Formula-looking cells are escaped.

mod cells;
pub mod labels;
pub mod out;
pub use crate::utc::rfc3339;
pub mod tokens;

use std::io::Write;
use std::path::Path;

use crate::store::{EventFilter, HistorySort, Store, StoreError};

/// The fixed leading columns, shared with the app's export.
pub const COLUMNS: &[&str] = &[
    "network",
    "chain_id",
    "block_number",
    "block_hash",
    "block_time",
    "tx_hash",
    "log_index",
    "contract",
    "event",
    "signature",
    "listeners",
    "status",
    "token_symbol",
    "token_decimals",
];

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the CSV: {0}")]
    Write(#[from] csv::Error),
    #[error("cannot write the CSV: {0}")]
    Io(#[from] std::io::Error),
    /// The output file cannot be used (bad input, not a failure while writing).
    #[error("{0}")]
    Target(String),
}

/// Writes the export to `path` by the rules of [`out::to_path`], rows in `sort` order.
pub fn export_to_file(
    store: &Store,
    filter: &EventFilter,
    sort: HistorySort,
    path: &Path,
    db: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    out::to_path(path, db, |w| {
        export_csv_with(store, filter, sort, w, progress)
    })
}

/// Writes the filtered events as CSV in stored order; returns the number of rows.
pub fn export_csv(
    store: &Store,
    filter: &EventFilter,
    out: impl Write,
) -> Result<u64, ExportError> {
    export_csv_with(store, filter, HistorySort::Oldest, out, &mut |_| {})
}

/// Rows between two calls of the progress callback.
pub const PROGRESS_EVERY: u64 = 10_000;

/// As [`export_csv`] in `sort` order, calling `progress(rows written)` every
/// [`PROGRESS_EVERY`] rows.
pub fn export_csv_with(
    store: &Store,
    filter: &EventFilter,
    sort: HistorySort,
    out: impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    // One read snapshot for the columns and the rows: a row the writer adds meanwhile,
    // of another signature, cannot end up under these columns.
    let _snapshot = store.kinds()?;
    let layout = cells::Layout::new(store.single_signature_args(filter)?);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(layout.header().iter().map(|h| escape_formula(h)))?;
    let mut failed = None;
    let mut written = 0u64;
    let mut cells = cells::Cells::default();
    let result = store.for_each_raw(filter, sort, |r| {
        let record = cells.fill(r, &layout)?;
        if let Err(err) = w.write_record(record) {
            failed = Some(ExportError::Write(err));
            return Err(StoreError::Stopped);
        }
        written += 1;
        if written.is_multiple_of(PROGRESS_EVERY) {
            progress(written);
        }
        Ok(())
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let n = result?;
    w.flush()?;
    Ok(n)
}

/// A cell a spreadsheet would read as a formula gets a leading apostrophe.
pub fn escape_formula(s: &str) -> String {
    if needs_escape(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// [`escape_formula`] in place.
fn escape_formula_in_place(cell: &mut String) {
    if needs_escape(cell) {
        cell.insert(0, '\'');
    }
}

/// Whether a spreadsheet would read the cell as a formula.
fn needs_escape(s: &str) -> bool {
    match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        // A negative number is data, not a formula.
        Some('-') => !plain_number(&s[1..]),
        _ => false,
    }
}

/// `12`, `1.5`, `2e-3`: digits, a fraction, an exponent (not `inf`, `nan` or a sign).
fn plain_number(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_escaped_numbers_are_not() {
        assert_eq!(escape_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(escape_formula("+1+2"), "'+1+2");
        assert_eq!(escape_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape_formula("-2+3"), "'-2+3");
        assert_eq!(escape_formula("-5"), "-5");
        assert_eq!(escape_formula("-1.25e-3"), "-1.25e-3");
        for looks_like_a_number in ["-inf", "-NaN", "--1", "-+1", "-", "-1e", "-.5"] {
            assert_eq!(
                escape_formula(looks_like_a_number),
                format!("'{looks_like_a_number}")
            );
        }
        assert_eq!(escape_formula("0xabc"), "0xabc");
    }

    #[test]
    fn an_argument_named_like_a_fixed_column_gets_a_prefix() {
        let fixed: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        assert_eq!(cells::arg_column("value", &fixed), "value");
        assert_eq!(cells::arg_column("status", &fixed), "arg_status");
    }

    #[test]
    fn times_format_as_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_714_564_800), "2024-05-01T12:00:00Z");
    }
}

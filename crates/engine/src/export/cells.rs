//! One CSV row of the export: the fixed columns, the token's symbol and decimals, then the
//! arguments (one column each, the amount followed by its value in token units) or one JSON
//! `args` column. Cells are reused from row to row (a million rows make no garbage).

use std::fmt::Write as _;

use super::{escape_formula_in_place, rfc3339, COLUMNS};
use crate::store::{ArgColumns, RawArgs, RawRow, StoreError, SEPARATOR};

/// Where the argument cells go.
pub(super) struct Layout {
    args: Option<ArgColumns>,
}

impl Layout {
    pub(super) fn new(args: Option<ArgColumns>) -> Self {
        Layout { args }
    }

    /// The header row.
    pub(super) fn header(&self) -> Vec<String> {
        let mut header: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        let Some(a) = &self.args else {
            header.push("args".into());
            return header;
        };
        for (i, n) in a.names.iter().enumerate() {
            let column = arg_column(n, &header);
            header.push(column);
            if a.amount_at == Some(i) {
                let units = arg_column(&format!("{n}_units"), &header);
                header.push(units);
            }
        }
        header
    }

    fn width(&self) -> usize {
        COLUMNS.len()
            + self.args.as_ref().map_or(1, |a| {
                a.names.len() + usize::from(a.amount_at.is_some_and(|i| i < a.names.len()))
            })
    }

    /// The column of argument `i`.
    fn column(&self, i: usize) -> usize {
        let shift = self
            .args
            .as_ref()
            .and_then(|a| a.amount_at)
            .is_some_and(|at| at < i);
        COLUMNS.len() + i + usize::from(shift)
    }
}

/// One CSV record, its cells reused.
#[derive(Default)]
pub(super) struct Cells {
    cells: Vec<String>,
    /// The last block time written, formatted (the rows of a block share it).
    time: Option<(i64, String)>,
}

impl Cells {
    pub(super) fn fill(
        &mut self,
        r: &RawRow<'_>,
        layout: &Layout,
    ) -> Result<&[String], StoreError> {
        self.cells.resize(layout.width(), String::new());
        self.cells.iter_mut().for_each(String::clear);
        self.fixed(r);
        let c = &mut self.cells;
        let fixed = COLUMNS.len();
        match (&layout.args, &r.args) {
            (None, RawArgs::Text(text)) => c[fixed].push_str(text),
            (None, RawArgs::Log { kind, topics, data }) => {
                kind.write_args(&mut c[fixed], topics, data)?
            }
            (Some(a), RawArgs::Log { kind, topics, data }) => {
                let args = kind.decode(topics, data)?;
                for (i, n) in a.names.iter().enumerate() {
                    c[layout.column(i)] = cell(kind.arg(&args, n).as_ref());
                }
            }
            (Some(a), RawArgs::Text(text)) => {
                let args: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(text)
                        .map_err(|e| StoreError::Corrupt(format!("arguments are not JSON: {e}")))?;
                for (i, n) in a.names.iter().enumerate() {
                    c[layout.column(i)] = cell(args.get(n));
                }
            }
        }
        if let (Some(at), Some(decimals)) =
            (layout.args.as_ref().and_then(|a| a.amount_at), r.decimals)
        {
            let raw = layout.column(at);
            if let Some(units) = crate::units::exact(&c[raw], decimals) {
                c[raw + 1] = units;
            }
        }
        c.iter_mut().for_each(escape_formula_in_place);
        Ok(&self.cells)
    }

    /// The columns every row has.
    fn fixed(&mut self, r: &RawRow<'_>) {
        let c = &mut self.cells;
        c[0].push_str(r.network);
        let _ = write!(c[1], "{}", r.chain_id);
        let _ = write!(c[2], "{}", r.block_number);
        hex0x(&mut c[3], r.block_hash);
        if let Some(t) = r.block_time {
            match &self.time {
                Some((last, text)) if *last == t => c[4].push_str(text),
                _ => {
                    let text = rfc3339(t);
                    c[4].push_str(&text);
                    self.time = Some((t, text));
                }
            }
        }
        hex0x(&mut c[5], r.tx_hash);
        let _ = write!(c[6], "{}", r.log_index);
        crate::store::push_checksummed(&mut c[7], r.contract);
        c[8].push_str(r.event);
        c[9].push_str(r.signature);
        c[10].push_str(r.listener);
        for other in r
            .other_listeners
            .into_iter()
            .flat_map(|o| o.split(SEPARATOR))
        {
            c[10].push_str("; ");
            c[10].push_str(other);
        }
        c[11].push_str(r.status.as_str());
        c[12].push_str(r.symbol.unwrap_or_default());
        if let Some(d) = r.decimals {
            let _ = write!(c[13], "{d}");
        }
    }
}

fn hex0x(out: &mut String, bytes: &[u8]) {
    out.push_str("0x");
    let mut buf = [0u8; 64];
    match alloy_primitives::hex::encode_to_slice(bytes, &mut buf[..(bytes.len() * 2).min(64)]) {
        Ok(()) if bytes.len() <= 32 => {
            out.push_str(std::str::from_utf8(&buf[..bytes.len() * 2]).unwrap_or_default())
        }
        _ => out.push_str(&alloy_primitives::hex::encode(bytes)),
    }
}

/// An argument's column name: its own, unless a column before it has it (an argument named
/// `status` must not be read as the event's status), then `arg_` before it.
pub(super) fn arg_column(name: &str, taken: &[String]) -> String {
    let mut column = name.to_string();
    while taken.contains(&column) {
        column.insert_str(0, "arg_");
    }
    column
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_amount_is_followed_by_its_units_column() {
        let layout = Layout::new(Some(ArgColumns {
            names: vec!["from".into(), "to".into(), "value".into(), "memo".into()],
            amount_at: Some(2),
        }));
        let header = layout.header();
        assert_eq!(
            header[COLUMNS.len()..],
            ["from", "to", "value", "value_units", "memo"]
        );
        assert_eq!(layout.width(), header.len());
        assert_eq!(layout.column(3), COLUMNS.len() + 4);
        let no_amount = Layout::new(Some(ArgColumns {
            names: vec!["account".into()],
            amount_at: None,
        }));
        assert_eq!(no_amount.header()[COLUMNS.len()..], ["account"]);
    }
}

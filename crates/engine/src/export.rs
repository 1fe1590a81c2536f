//! CSV export of stored events: the fixed columns, then one column per argument when a
//! single signature is exported, else a JSON `args` column. Formula-looking cells are escaped.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::{EventFilter, RawArgs, RawRow, Store, StoreError, SEPARATOR};

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

/// Writes the export to `path`. A regular file (or a new one) is written through a
/// temporary file beside it, synced and renamed into place once complete: a failed export
/// leaves what was at `path` as it was. A symlink is followed (the file it points to is
/// replaced in its own folder). A FIFO or a character device (`/dev/stdout`, a named pipe)
/// is written into directly, never replaced; a folder, a block device or a socket is
/// refused. Refuses to write over the database `db` (or its log files).
pub fn export_to_file(
    store: &Store,
    filter: &EventFilter,
    path: &Path,
    db: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    if is_database(path, db) {
        return Err(ExportError::Target(format!(
            "{} is the database being exported; choose another file for the CSV",
            path.display()
        )));
    }
    let path = &follow_links(path)?;
    match std::fs::metadata(path).map(|m| m.file_type()) {
        Err(_) => {}
        Ok(t) if t.is_file() => {}
        Ok(t) if is_stream(&t) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| ExportError::Target(format!("cannot open {}: {e}", path.display())))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            let rows = export_csv_with(store, filter, &mut out, progress)?;
            out.into_inner().map_err(|e| e.into_error())?;
            return Ok(rows);
        }
        Ok(t) => {
            let what = if t.is_dir() {
                "a folder"
            } else {
                "a special file (a device or a socket)"
            };
            return Err(ExportError::Target(format!(
                "{} is {what}; choose a file for the CSV",
                path.display()
            )));
        }
    }
    replace_atomically(store, filter, path, progress)
}

/// Writes a regular file through `FILE.part`; an existing file keeps its mode, a new one
/// is private.
fn replace_atomically(
    store: &Store,
    filter: &EventFilter,
    path: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let file = crate::files::create_temp(&tmp)
        .map_err(|e| ExportError::Target(format!("cannot create {}: {e}", tmp.display())))?;
    if let Ok(m) = std::fs::metadata(path) {
        file.set_permissions(m.permissions())?;
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = export_csv_with(store, filter, &mut out, progress).and_then(|rows| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        Ok(rows)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Whether a file of this type is a stream to write into (a FIFO, a character device).
fn is_stream(t: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        t.is_fifo() || t.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = t;
        false
    }
}

/// `path` with its symlinks followed to the file they name (which may not exist yet).
fn follow_links(path: &Path) -> Result<PathBuf, ExportError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(ExportError::Target(format!(
        "{} is a loop of symbolic links",
        path.display()
    )))
}

/// Whether `path` names the database file or one of its companions.
fn is_database(path: &Path, db: &Path) -> bool {
    // The same file whatever the name (a link, `./`, another spelling); a file that does
    // not exist yet is not the database.
    let Ok(target) = std::fs::canonicalize(path) else {
        return false;
    };
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        std::fs::canonicalize(PathBuf::from(name)).is_ok_and(|p| p == target)
    })
}

/// Writes the filtered events as CSV; returns the number of rows.
pub fn export_csv(
    store: &Store,
    filter: &EventFilter,
    out: impl Write,
) -> Result<u64, ExportError> {
    export_csv_with(store, filter, out, &mut |_| {})
}

/// Rows between two calls of the progress callback.
pub const PROGRESS_EVERY: u64 = 10_000;

/// As [`export_csv`], calling `progress(rows written)` every [`PROGRESS_EVERY`] rows.
pub fn export_csv_with(
    store: &Store,
    filter: &EventFilter,
    out: impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    // One read snapshot for the columns and the rows: a row the writer adds meanwhile,
    // of another signature, cannot end up under these columns.
    let _snapshot = store.kinds()?;
    let arg_names = store.single_signature_args(filter)?;
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
    match &arg_names {
        Some(names) => {
            for n in names {
                let column = arg_column(n, &header);
                header.push(column);
            }
        }
        None => header.push("args".into()),
    }
    w.write_record(header.iter().map(|h| escape_formula(h)))?;
    let mut failed = None;
    let mut written = 0u64;
    let mut cells = Cells::default();
    let result = store.for_each_raw(filter, |r| {
        let record = cells.fill(r, arg_names.as_deref())?;
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

/// One CSV record, its cells reused from row to row (a million rows make no garbage;
/// addresses' checksums are remembered per thread).
#[derive(Default)]
struct Cells {
    cells: Vec<String>,
    /// The last block time written, formatted (the rows of a block share it).
    time: Option<(i64, String)>,
}

impl Cells {
    fn fill(
        &mut self,
        r: &RawRow<'_>,
        arg_names: Option<&[String]>,
    ) -> Result<&[String], StoreError> {
        use std::fmt::Write as _;
        let width = COLUMNS.len() + arg_names.map_or(1, <[String]>::len);
        self.cells.resize(width, String::new());
        let c = &mut self.cells;
        c.iter_mut().for_each(String::clear);
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
        match (arg_names, &r.args) {
            (None, RawArgs::Text(text)) => c[12].push_str(text),
            (None, RawArgs::Log { kind, topics, data }) => {
                kind.write_args(&mut c[12], topics, data)?
            }
            (Some(names), RawArgs::Log { kind, topics, data }) => {
                let args = kind.decode(topics, data)?;
                for (i, n) in names.iter().enumerate() {
                    c[COLUMNS.len() + i] = cell(kind.arg(&args, n).as_ref());
                }
            }
            (Some(names), RawArgs::Text(text)) => {
                let args: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(text)
                        .map_err(|e| StoreError::Corrupt(format!("arguments are not JSON: {e}")))?;
                for (i, n) in names.iter().enumerate() {
                    c[COLUMNS.len() + i] = cell(args.get(n));
                }
            }
        }
        for cell in c.iter_mut() {
            if needs_escape(cell) {
                cell.insert(0, '\'');
            }
        }
        Ok(&self.cells)
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

/// An argument's column name: its own, unless a fixed column has it (an argument named
/// `status` must not be read as the event's status), then `arg_` before it.
fn arg_column(name: &str, taken: &[String]) -> String {
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

/// A cell a spreadsheet would read as a formula gets a leading apostrophe.
pub fn escape_formula(s: &str) -> String {
    if needs_escape(s) {
        format!("'{s}")
    } else {
        s.to_string()
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

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
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
        assert_eq!(arg_column("value", &fixed), "value");
        assert_eq!(arg_column("status", &fixed), "arg_status");
    }

    #[test]
    fn times_format_as_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_714_564_800), "2024-05-01T12:00:00Z");
    }
}

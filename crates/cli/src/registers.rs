//! `tokenwatch registers`: a token's registers (ERC-3643 frozen wallets and amounts, agents,
//! the pause, recoveries, identities; ERC-1400 partition balances) from its stored events, as CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenwatch_engine::export::{escape_formula, out, ExportError};
use tokenwatch_engine::store::{ComplianceRegisters, Store};
use tokenwatch_engine::utc::rfc3339;
use tokenwatch_engine::Address;

use crate::{BAD_INPUT, FAILURE};

/// The CSV's columns.
pub const COLUMNS: &[&str] = &[
    "network",
    "chain_id",
    "token",
    "register",
    "address",
    "value",
    "since_block",
    "since_time",
    "partition",
    "country",
    "country_name",
];

/// `registers`: the current entries of one token's registers.
pub fn registers(db: &Path, network: &str, token: &str, out_path: Option<PathBuf>) -> ExitCode {
    let token: Address = match tokenwatch_engine::config::parse_address(token) {
        Ok(a) => a,
        Err(e) => return exit(BAD_INPUT, &format!("--token: {e}")),
    };
    let store = match Store::open_reader(db) {
        Ok(s) => s,
        Err(e) => return exit(BAD_INPUT, &e.to_string()),
    };
    let registers = match store.compliance(network, token) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return exit(
                BAD_INPUT,
                &format!(
                    "no stored event of token {} on network \"{network}\"",
                    token.to_checksum(None)
                ),
            )
        }
        Err(e) => return exit(FAILURE, &e.to_string()),
    };
    let written = match &out_path {
        Some(p) => out::to_path(p, db, |w| write(&registers, w)),
        None => write(&registers, std::io::stdout().lock()),
    };
    match written {
        Ok(n) => {
            eprintln!("wrote {n} register entries of {}", registers.token);
            ExitCode::SUCCESS
        }
        Err(e @ ExportError::Target(_)) => exit(BAD_INPUT, &e.to_string()),
        Err(e) => exit(FAILURE, &e.to_string()),
    }
}

/// Writes the entries; returns how many.
fn write(r: &ComplianceRegisters, out: impl Write) -> Result<u64, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for e in &r.entries {
        let time = e.since_time.map(rfc3339).unwrap_or_default();
        let record = [
            r.network.clone(),
            r.chain_id.to_string(),
            r.token.clone(),
            e.register.as_str().to_string(),
            e.address.clone(),
            e.value.clone(),
            e.since_block.to_string(),
            time,
            e.partition.clone().unwrap_or_default(),
            e.country.map(|c| c.to_string()).unwrap_or_default(),
            e.country_name.clone().unwrap_or_default(),
        ];
        w.write_record(record.iter().map(|c| escape_formula(c)))?;
    }
    w.flush()?;
    Ok(r.entries.len() as u64)
}

fn exit(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

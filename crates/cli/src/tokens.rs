//! `tokenwatch holders` and `tokenwatch tokens`: the token state derived from the stored
//! transfers, as CSV.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenwatch_engine::export::tokens::{write_register, write_tokens};
use tokenwatch_engine::export::{out, ExportError};
use tokenwatch_engine::store::{RegisterError, Store};
use tokenwatch_engine::Address;

use crate::{BAD_INPUT, FAILURE};

/// Where the register is taken.
pub enum At {
    Head,
    Block(u64),
    Time(String),
}

/// `holders`: the holder register of one token.
pub fn holders(
    db: &Path,
    network: &str,
    token: &str,
    at: At,
    out_path: Option<PathBuf>,
) -> ExitCode {
    let token: Address = match tokenwatch_engine::config::parse_address(token) {
        Ok(a) => a,
        Err(e) => return bad(&format!("--token: {e}")),
    };
    let store = match Store::open_reader(db) {
        Ok(s) => s,
        Err(e) => return bad(&e.to_string()),
    };
    let block = match at {
        At::Head => None,
        At::Block(n) => Some(n),
        At::Time(t) => {
            let Some(secs) = tokenwatch_engine::config::parse_date(&t) else {
                return bad(&format!("--at-time: \"{t}\" is not a date (2024-05-01) or a UTC time (2024-05-01T12:00:00Z)"));
            };
            match store.block_at_time(network, secs) {
                Ok(Some(b)) => Some(b),
                Ok(None) => {
                    return bad(&format!(
                        "no stored block of network \"{network}\" is as old as {t}"
                    ))
                }
                Err(e) => return fail(&e.to_string()),
            }
        }
    };
    let register = match store.register(network, token, block) {
        Ok(r) => r,
        Err(RegisterError::Store(e)) => return fail(&e.to_string()),
        Err(e) => return bad(&e.to_string()),
    };
    let labels = match store.labels_on(network) {
        Ok(l) => l,
        Err(e) => return fail(&e.to_string()),
    };
    let label = |a: &Address| labels.get(a).cloned();
    let written = match &out_path {
        Some(p) => out::to_path(p, db, |w| write_register(&register, &label, w)),
        None => write_register(&register, &label, std::io::stdout().lock()),
    };
    finish(
        written,
        &format!(
            "holders of {} at block {}",
            register.state.token, register.block
        ),
    )
}

/// `tokens`: every token with stored transfers.
pub fn tokens(db: &Path, out_path: Option<PathBuf>) -> ExitCode {
    let store = match Store::open_reader(db) {
        Ok(s) => s,
        Err(e) => return bad(&e.to_string()),
    };
    let states = match store.token_states() {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let written = match &out_path {
        Some(p) => out::to_path(p, db, |w| write_tokens(&states, w)),
        None => write_tokens(&states, std::io::stdout().lock()),
    };
    finish(written, "tokens")
}

/// After `run --until-head`: how each token compared with the chain, one line each.
pub fn summarize_checks(db: &Path) {
    let states = match Store::open_reader(db).and_then(|s| s.token_states()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read the token checks: {e}");
            return;
        }
    };
    for s in states {
        let name = s.symbol.as_deref().unwrap_or(&s.token);
        let line = match (s.reconciliation.as_str(), s.reconciled_block) {
            ("ok", Some(b)) => format!("{name} ({}): agrees with the chain at block {b}", s.token),
            ("mismatch", Some(b)) => format!(
                "{name} ({}): DISAGREES with the chain at block {b}: {}",
                s.token,
                s.reconciliation_note.as_deref().unwrap_or("")
            ),
            _ if !s.complete => format!(
                "{name} ({}): not checked, its stored history is partial{}",
                s.token,
                s.complete_from_block
                    .map(|b| format!(" (since block {b})"))
                    .unwrap_or_else(|| " (no listener stores all its transfers)".into())
            ),
            _ => format!("{name} ({}): not checked", s.token),
        };
        eprintln!(
            "{}",
            line.chars().filter(|c| !c.is_control()).collect::<String>()
        );
    }
}

fn finish(written: Result<u64, ExportError>, what: &str) -> ExitCode {
    match written {
        Ok(n) => {
            eprintln!("wrote {n} {what}");
            ExitCode::SUCCESS
        }
        Err(e @ ExportError::Target(_)) => bad(&e.to_string()),
        Err(e) => fail(&e.to_string()),
    }
}

fn bad(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(BAD_INPUT)
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(FAILURE)
}

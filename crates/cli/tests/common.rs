//! Helpers shared by the CLI's system tests: the `tokenwatch` binary, its CSV export, tokens
//! with transfers; the helpers the engine's tests use too come from `tokenwatch_testkit::system`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub use tokenwatch_testkit::system::*;

pub fn tokenwatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tokenwatch"))
        .args(args)
        .env("TOKENWATCH_LOG", "warn")
        .output()
        .expect("run tokenwatch")
}

/// `tokenwatch run --config CONFIG --db DB`, to add to and start.
pub fn run_command(config: &Path, db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenwatch"));
    cmd.args(["run", "--config"])
        .arg(config)
        .arg("--db")
        .arg(db)
        .env("TOKENWATCH_LOG", "warn");
    cmd
}

/// `tokenwatch run --config CONFIG --db DB --until-head`.
pub fn run_until_head_cli(config: &Path, db: &Path) -> Output {
    run_command(config, db)
        .arg("--until-head")
        .output()
        .expect("run tokenwatch")
}

/// CSV rows (without header) of `tokenwatch export`.
pub fn export(db: &Path, extra: &[&str]) -> Vec<csv::StringRecord> {
    let mut args = vec!["export", "--db", db.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let out = tokenwatch(&args);
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.records().map(|x| x.expect("csv row")).collect()
}

/// The same triple from exported rows (columns block_number, tx_hash, log_index).
pub fn keys(rows: &[csv::StringRecord]) -> Vec<(u64, String, u64)> {
    let mut out: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r[2].parse().expect("block"),
                r[5].to_string(),
                r[6].parse().expect("log index"),
            )
        })
        .collect();
    out.sort();
    out
}

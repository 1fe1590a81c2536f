//! A database made by the previous release (schema 10, one `matches` row per listener and
//! event) opens with today's code: one History row per log with every listener that
//! matched it, the same events, deliveries and export cells, and a log no listener holds
//! any more stays stored but out of History. The fixture and how it was made:
//! `tests/fixtures/README.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::collections::BTreeMap;
use std::path::PathBuf;

use tokenwatch_engine::store::{EventFilter, HistorySort, Store};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of the schema-10 database, opened (and so migrated) by today's store.
fn migrated() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("db.sqlite");
    std::fs::copy(fixture("schema10.sqlite"), &db).expect("copy");
    let version = |db: &PathBuf| -> i64 {
        let c = rusqlite::Connection::open(db).expect("open");
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version")
    };
    assert_eq!(version(&db), 10, "the fixture is a schema-10 database");
    let store = Store::open(&db).expect("migrate");
    (dir, db, store)
}

/// CSV rows keyed by (tx hash, log index): each cell by its column, and the listeners
/// cell split.
type Rows = BTreeMap<(String, String), (BTreeMap<String, String>, Vec<String>)>;

/// Reads an export; rows of one log (the old export wrote one per listener) merge.
fn by_log(csv: &[u8], listeners_col: &str) -> Rows {
    let mut reader = csv::Reader::from_reader(csv);
    let header = reader.headers().expect("header").clone();
    let mut out = Rows::new();
    for r in reader.records() {
        let r = r.expect("row");
        let mut cells: BTreeMap<String, String> = header
            .iter()
            .zip(r.iter())
            .map(|(h, c)| (h.to_string(), c.to_string()))
            .collect();
        let names = cells.remove(listeners_col).expect("listeners column");
        let key = (cells["tx_hash"].clone(), cells["log_index"].clone());
        let entry = out
            .entry(key)
            .or_insert_with(|| (cells.clone(), Vec::new()));
        assert_eq!(entry.0, cells, "one log, the same cells");
        entry.1.extend(names.split("; ").map(String::from));
    }
    out
}

/// `rows` with only the given columns.
fn only(rows: &Rows, columns: &[String]) -> Rows {
    rows.iter()
        .map(|(k, (cells, l))| {
            let kept = cells
                .iter()
                .filter(|(c, _)| columns.contains(c))
                .map(|(c, v)| (c.clone(), v.clone()))
                .collect();
            (k.clone(), (kept, l.clone()))
        })
        .collect()
}

#[test]
fn a_schema_10_database_opens_as_one_row_per_log_with_its_listeners() {
    let (_dir, db, store) = migrated();
    let all = EventFilter::default();
    let rows: i64 = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("rows");
    assert_eq!(rows, 13, "every stored log kept");
    assert_eq!(
        store.event_count().expect("count"),
        12,
        "the header counts History's rows"
    );
    assert_eq!(
        store.history_count(&all).expect("count"),
        12,
        "History: the 12 logs a listener holds, once each (the mint's listener was redefined away)"
    );
    let count = |name: &str| {
        store
            .history_count(&EventFilter {
                listener: Some(name.into()),
                ..EventFilter::default()
            })
            .expect("count")
    };
    assert_eq!(
        (count("transfers"), count("big"), count("mints")),
        (12, 5, 0)
    );
    let newest = store
        .history_page(&all, HistorySort::Newest, 0, 20)
        .expect("page");
    let listeners: Vec<(String, Vec<String>)> = newest
        .iter()
        .map(|e| {
            (
                e.args["value"].as_str().expect("value").to_string(),
                e.listeners.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, Vec<String>)> = (1..=12)
        .rev()
        .map(|v| {
            let mut l = vec!["transfers".to_string()];
            if v >= 8 {
                l.push("big".into());
            }
            (v.to_string(), l)
        })
        .collect();
    assert_eq!(listeners, expected);

    // The export of the migrated database holds the old export's cells, one row per log.
    let mut csv = Vec::new();
    tokenwatch_engine::export::export_csv(&store, &all, &mut csv).expect("export");
    let old = by_log(
        &std::fs::read(fixture("schema10-export.csv")).expect("old export"),
        "listener",
    );
    let new = by_log(&csv, "listeners");
    let old_columns: Vec<String> = old
        .values()
        .next()
        .expect("rows")
        .0
        .keys()
        .cloned()
        .collect();
    assert_eq!(only(&new, &old_columns), old);
    // And the token's facts, new since: symbol, decimals, the value in token units.
    let (cells, _) = new.values().find(|(c, _)| c["value"] == "12").expect("12");
    assert_eq!(
        [
            &cells["token_symbol"],
            &cells["token_decimals"],
            &cells["value_units"]
        ],
        ["T", "18", "0.000000000000000012"]
    );
    assert_eq!(
        csv.iter().filter(|b| **b == b'\n').count(),
        13,
        "header + 12 rows"
    );

    // What was delivered stays delivered, and each event still shows its announcement.
    let deliveries = store.deliveries(None, 100).expect("deliveries");
    assert_eq!(deliveries.len(), 12);
    assert!(deliveries.iter().all(|d| d.state.as_str() == "delivered"));
    let detail = store
        .event_detail(newest[0].id)
        .expect("detail")
        .expect("found");
    assert_eq!(detail.listeners, ["transfers", "big"]);
    assert_eq!(detail.announcements.len(), 1);
    // The token state is built from the stored transfers on the first open.
    let tokens = store.token_states().expect("tokens");
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(
        (
            t.symbol.as_deref(),
            t.supply.as_str(),
            t.minted.as_str(),
            t.holders,
            t.transfers
        ),
        (Some("T"), "1000000000", "1000000000", 6, 13)
    );
    assert_eq!(
        t.complete_from_block, None,
        "which listeners keep every transfer is known once the engine runs them"
    );
    drop(store);

    // Opening again changes nothing.
    let again = Store::open(&db).expect("reopen");
    assert_eq!(again.history_count(&all).expect("count"), 12);
}

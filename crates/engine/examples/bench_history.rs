//! History benchmark (issue 4): with a million stored events, how long the app's backend
//! takes to open History (count + first page), scroll (pages at random offsets), filter,
//! sort, and export everything to CSV. Each measurement opens a reader connection the way
//! the app's commands do.
//!
//! `cargo run --release -p tokenwatch-engine --example bench_history -- [--events N]
//!  [--db FILE] [--repeats N] [--out FILE]` (or `scripts/bench.sh history`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use alloy_primitives::{Address, B256, U256};
use tokenwatch_engine::abi::{resolve_event_spec, EventDef};
use tokenwatch_engine::event::EventStatus;
use tokenwatch_engine::export::export_csv;
use tokenwatch_engine::store::{
    Commit, Direction, EventFilter, HistorySort, NewEvent, Store, TokenInfo,
};
use tokenwatch_testkit::bench::Rng;

const PAGE: u32 = 200;
const PER_BLOCK: u64 = 20;

struct Args {
    events: u64,
    db: PathBuf,
    repeats: usize,
    out: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        events: 1_000_000,
        db: std::env::temp_dir().join("tokenwatch-bench-history.db"),
        repeats: 40,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--events" => a.events = value()?.parse()?,
            "--db" => a.db = value()?.into(),
            "--repeats" => a.repeats = value()?.parse()?,
            "--out" => a.out = Some(value()?.into()),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

fn holder(i: u64) -> Address {
    let mut b = [0u8; 20];
    b[..8].copy_from_slice(&(i + 1).to_be_bytes());
    b[19] = 0x77;
    Address::from(b)
}

/// Fills a fresh database: three token contracts, 500 holders, transfers and approvals.
fn fill(path: &std::path::Path, n: u64) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut store = Store::open(path)?;
    let net = store.upsert_network("mainnet", 1)?;
    let transfers = store.upsert_listener("usdc-transfers", net, "a", 0, 0)?.id;
    let approvals = store.upsert_listener("weth-approvals", net, "b", 0, 0)?.id;
    let whales = store.upsert_listener("big-transfers", net, "c", 0, 0)?.id;
    let contracts = [
        Address::repeat_byte(0xa0),
        Address::repeat_byte(0xc0),
        Address::repeat_byte(0xd0),
    ];
    let one = |spec: &str| -> anyhow::Result<Arc<EventDef>> {
        Ok(Arc::new(resolve_event_spec(spec)?.remove(0)))
    };
    let transfer_def = one("erc20:Transfer")?;
    let approval_def = one("erc20:Approval")?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut block = 18_000_000u64;
    let mut made = 0u64;
    let mut first = true;
    while made < n {
        let mut events = Vec::new();
        let from_block = block;
        while events.len() < 10_000 && made < n {
            let i = made % PER_BLOCK;
            if i == 0 && made > 0 {
                block += 1;
            }
            let contract = contracts[(rng.next_u64() % 3) as usize];
            let (a, b) = (holder(rng.next_u64() % 500), holder(rng.next_u64() % 500));
            let value = U256::from(rng.next_u64() % 10_000_000_000) * U256::from(1_000_000u64);
            let approval = rng.next_u64().is_multiple_of(5);
            let def = if approval {
                &approval_def
            } else {
                &transfer_def
            };
            let mut listeners = vec![if approval { approvals } else { transfers }];
            if !approval && value > U256::from(9_000_000_000_000_000u64) {
                listeners.push(whales);
            }
            let topic = |x: Address| B256::left_padding_from(x.as_slice());
            events.push(NewEvent {
                block_number: block,
                block_hash: B256::from(U256::from(block)),
                block_time: Some(1_700_000_000 + block as i64 * 12 - 18_000_000 * 12),
                tx_hash: B256::from(U256::from(made) << 64 | U256::from(rng.next_u64())),
                log_index: i,
                contract,
                topics: vec![def.topic0, topic(a), topic(b)],
                data: value.to_be_bytes::<32>().to_vec(),
                def: def.clone(),
                amount: Some(value),
                status: if made + 2_000 > n {
                    EventStatus::Pending
                } else {
                    EventStatus::Confirmed
                },
                listeners,
            });
            made += 1;
        }
        let tokens = if first {
            first = false;
            [("USDC", 6), ("WETH", 18), ("TUSD", 18)]
                .iter()
                .zip(contracts)
                .map(|((s, d), c)| {
                    (
                        c,
                        TokenInfo {
                            decimals: Some(*d),
                            symbol: Some(s.to_string()),
                            name: None,
                        },
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        store.commit(&Commit {
            network_id: net,
            from_block,
            to_block: block,
            listeners: vec![transfers, approvals, whales],
            events,
            tokens,
            ..Commit::default()
        })?;
        block += 1;
    }
    Ok(())
}

/// Keeps a result alive until measured, then drops it.
fn used<T>(value: T) -> anyhow::Result<()> {
    drop(std::hint::black_box(value));
    Ok(())
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    let i = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs[i]
}

/// Runs `f` `repeats` times on a fresh reader each time; returns (p50, p95, max) in ms.
fn measure(
    db: &std::path::Path,
    repeats: usize,
    mut f: impl FnMut(&Store, usize) -> anyhow::Result<()>,
) -> anyhow::Result<(f64, f64, f64)> {
    let mut times = Vec::with_capacity(repeats);
    for i in 0..repeats {
        let t = Instant::now();
        let store = Store::open_reader(db)?;
        f(&store, i)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let max = times.iter().cloned().fold(0.0, f64::max);
    Ok((percentile(times.clone(), 0.5), percentile(times, 0.95), max))
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let existing = Store::open_reader(&a.db)
        .ok()
        .and_then(|s| s.event_count().ok());
    if existing != Some(a.events) {
        let t = Instant::now();
        fill(&a.db, a.events)?;
        eprintln!(
            "filled {} events in {:.1} s",
            a.events,
            t.elapsed().as_secs_f64()
        );
    }
    let rows = Store::open_reader(&a.db)?.history_count(&EventFilter::default())?;
    eprintln!(
        "{} events, {rows} history rows, db {} MiB",
        a.events,
        std::fs::metadata(&a.db)?.len() >> 20
    );
    let mut rng = Rng(42);
    let offsets: Vec<u64> = (0..a.repeats)
        .map(|_| rng.next_u64() % rows.saturating_sub(PAGE as u64).max(1))
        .collect();
    let who = holder(123).to_string();
    let filters: Vec<(&str, EventFilter)> = vec![
        (
            "listener",
            EventFilter {
                listener: Some("weth-approvals".into()),
                ..Default::default()
            },
        ),
        (
            "event",
            EventFilter {
                event: Some("Approval".into()),
                ..Default::default()
            },
        ),
        (
            "address",
            EventFilter {
                address: Some(who.clone()),
                ..Default::default()
            },
        ),
        (
            "contract",
            EventFilter {
                contract: Some(Address::repeat_byte(0xc0).to_string()),
                ..Default::default()
            },
        ),
        (
            "status",
            EventFilter {
                status: Some(EventStatus::Pending),
                ..Default::default()
            },
        ),
        (
            "blocks",
            EventFilter {
                from_block: Some(18_020_000),
                to_block: Some(18_020_500),
                ..Default::default()
            },
        ),
        (
            "event, other case",
            EventFilter {
                event: Some("approval".into()),
                ..Default::default()
            },
        ),
        (
            "contract by symbol",
            EventFilter {
                contract: Some("weth".into()),
                ..Default::default()
            },
        ),
        (
            "address as from",
            EventFilter {
                address: Some(who.clone()),
                direction: Some(Direction::From),
                ..Default::default()
            },
        ),
        (
            "amount >= 1,000 units",
            EventFilter {
                min_amount: Some("1,000".into()),
                ..Default::default()
            },
        ),
    ];
    let mut results = serde_json::Map::new();
    let mut report = |name: &str, r: (f64, f64, f64)| {
        println!(
            "{name:<34} p50 {:>8.1} ms   p95 {:>8.1} ms   max {:>8.1} ms",
            r.0, r.1, r.2
        );
        results.insert(
            name.into(),
            serde_json::json!({"p50_ms": r.0, "p95_ms": r.1, "max_ms": r.2}),
        );
    };
    let all = EventFilter::default();
    report(
        "open: first page",
        measure(&a.db, a.repeats, |s, _| {
            used(s.history_page(&all, HistorySort::Newest, 0, PAGE)?)
        })?,
    );
    report(
        "open: count",
        measure(&a.db, a.repeats, |s, _| used(s.history_count(&all)?))?,
    );
    report(
        "scroll: page at a random offset",
        measure(&a.db, a.repeats, |s, i| {
            used(s.history_page(&all, HistorySort::Newest, offsets[i], PAGE)?)
        })?,
    );
    for sort in [HistorySort::Oldest, HistorySort::AmountDesc] {
        report(
            &format!("sort {sort:?}: first page"),
            measure(&a.db, a.repeats, |s, _| {
                used(s.history_page(&all, sort, 0, PAGE)?)
            })?,
        );
    }
    for (name, f) in &filters {
        report(
            &format!("filter {name}: first page"),
            measure(&a.db, a.repeats, |s, _| {
                used(s.history_page(f, HistorySort::Newest, 0, PAGE)?)
            })?,
        );
        report(
            &format!("filter {name}: count"),
            measure(&a.db, a.repeats, |s, _| used(s.history_count(f)?))?,
        );
    }
    report(
        "dashboard (24 h, hourly)",
        measure(&a.db, a.repeats.min(10), |s, _| {
            used(s.dashboard(86_400, 3_600)?)
        })?,
    );
    let t = Instant::now();
    let read = Store::open_reader(&a.db)?.for_each_event(&all, |e| {
        used(e).map_err(|_| tokenwatch_engine::store::StoreError::Stopped)
    })?;
    println!(
        "read all rows (no CSV): {read} rows in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let out = std::env::temp_dir().join("tokenwatch-bench-history.csv");
    let t = Instant::now();
    let n = export_csv(
        &Store::open_reader(&a.db)?,
        &all,
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?),
    )?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "export: {n} rows in {secs:.2} s ({:.0} rows/s, {} MiB)",
        n as f64 / secs,
        std::fs::metadata(&out)?.len() >> 20
    );
    results.insert(
        "export".into(),
        serde_json::json!({"rows": n, "seconds": secs}),
    );
    let _ = std::fs::remove_file(&out);
    if let Some(path) = a.out {
        std::fs::write(
            path,
            serde_json::to_string_pretty(
                &serde_json::json!({"events": a.events, "rows": rows, "results": results}),
            )?,
        )?;
    }
    Ok(())
}

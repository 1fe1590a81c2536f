//! Token state benchmark (issue 18): a token with N transfers among H holders, written as
//! a backfill writes them (groups of 20,000, 50 per block), then the holder register at the
//! head and at past blocks, and the token list. The same writes as ERC-20 `Approval`s,
//! which carry no token state, give what the state costs the writer.
//!
//! `cargo run --release -p tokenwatch-engine --example bench_tokens -- [--transfers N]
//!  [--holders H] [--dir DIR] [--repeats R]`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, B256, U256};
use tokenwatch_engine::abi::resolve_event_spec;
use tokenwatch_engine::event::EventStatus;
use tokenwatch_engine::store::{Commit, NewEvent, Store};
use tokenwatch_testkit::bench::Rng;

const PER_BLOCK: u64 = 50;
const GROUP: u64 = 20_000;

struct Args {
    transfers: u64,
    holders: u64,
    dir: PathBuf,
    repeats: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        transfers: 1_000_000,
        holders: 100_000,
        dir: std::env::temp_dir(),
        repeats: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--transfers" => a.transfers = value.parse()?,
            "--holders" => a.holders = value.parse()?,
            "--dir" => a.dir = value.into(),
            "--repeats" => a.repeats = value.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

fn holder_word(n: u64) -> B256 {
    let mut b = [0u8; 32];
    b[12..20].copy_from_slice(&0x7e57_0000_0000_0000u64.to_be_bytes());
    b[24..].copy_from_slice(&(n + 1).to_be_bytes());
    B256::from(b)
}

/// The commits: first a mint to every holder, then transfers between random holders of at
/// most what a mint gave (balances stay positive often enough for a realistic register).
fn commits(a: &Args, network_id: i64, listener: i64, event: &str) -> anyhow::Result<Vec<Commit>> {
    let def = Arc::new(resolve_event_spec(event)?.remove(0));
    let contract = Address::repeat_byte(0x70);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut out = Vec::new();
    let mut made = 0;
    while made < a.transfers {
        // The first range starts at block 0: the token's whole history is stored.
        let first_block = if made == 0 { 0 } else { 1 + made / PER_BLOCK };
        let mut events = Vec::new();
        while events.len() < GROUP as usize && made < a.transfers {
            let block = 1 + made / PER_BLOCK;
            let (from, to, value) = if made < a.holders {
                (B256::ZERO, holder_word(made), U256::from(1_000_000_000u64))
            } else {
                let from = holder_word(rng.next_u64() % a.holders);
                let to = holder_word(rng.next_u64() % a.holders);
                (from, to, U256::from(rng.next_u64() % 1_000_000))
            };
            events.push(NewEvent {
                block_number: block,
                block_hash: B256::from(U256::from(block) * U256::from(0x9e37_79b9u64)),
                block_time: Some(1_700_000_000 + block as i64),
                tx_hash: B256::from(U256::from(made)),
                log_index: made % PER_BLOCK,
                contract,
                topics: vec![def.topic0, from, to],
                data: value.to_be_bytes::<32>().to_vec(),
                def: def.clone(),
                amount: Some(value),
                status: EventStatus::Confirmed,
                listeners: vec![listener],
            });
            made += 1;
        }
        out.push(Commit {
            network_id,
            from_block: first_block,
            to_block: 1 + (made - 1) / PER_BLOCK,
            listeners: vec![listener],
            events,
            ..Commit::default()
        });
    }
    Ok(out)
}

/// Writes the events into a fresh database; returns it and the time the commits took.
fn fill(a: &Args, db: &Path, event: &str) -> anyhow::Result<(Store, Duration)> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(db)?;
    let net = store.upsert_network("bench", 31337)?;
    let listener = store.upsert_listener("token", net, "x", 0, 0)?.id;
    store.set_whole_transfers(listener, Some(&[]))?;
    let work = commits(a, net, listener, event)?;
    let t = Instant::now();
    store.begin_bulk(net)?;
    for c in &work {
        store.commit(c)?;
    }
    let commits = t.elapsed();
    store.end_bulk(net)?;
    eprintln!(
        "  {event}: commits {:.2} s, end of the bulk load {:.2} s",
        commits.as_secs_f64(),
        (t.elapsed() - commits).as_secs_f64()
    );
    Ok((store, t.elapsed()))
}

fn percentiles(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:8.1} ms   p95 {:8.1} ms   max {:8.1} ms",
        at(0.5),
        at(0.95),
        at(1.0)
    )
}

fn time(repeats: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<String> {
    let mut ms = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok(percentiles(ms))
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let approvals = a.dir.join("tokenwatch-bench-approvals.db");
    let transfers = a.dir.join("tokenwatch-bench-tokens.db");
    let (store, plain) = fill(&a, &approvals, "erc20:Approval")?;
    drop(store);
    let (store, with_state) = fill(&a, &transfers, "erc20:Transfer")?;
    drop(store);
    println!(
        "{} events among {} holders: written as Approvals in {:.2} s, as Transfers (with the token state) in {:.2} s: {:+.1} %",
        a.transfers,
        a.holders,
        plain.as_secs_f64(),
        with_state.as_secs_f64(),
        (with_state.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
    );
    let store = Store::open_reader(&transfers)?;
    let token = Address::repeat_byte(0x70);
    let head = 1 + (a.transfers - 1) / PER_BLOCK;
    let register = store.register("bench", token, None)?;
    println!(
        "register at the head: {} holders, block {}",
        register.holders.len(),
        register.block
    );
    println!(
        "register at the head          {}",
        time(a.repeats, || Ok(store
            .register("bench", token, None)
            .map(drop)?))?
    );
    for (name, block) in [
        ("half-way", head / 2),
        ("near the start", head / 10),
        ("one block back", head - 1),
    ] {
        let r = time(a.repeats, || {
            Ok(store.register("bench", token, Some(block)).map(drop)?)
        })?;
        println!("register {name:<20} {r}");
    }
    println!(
        "token list                    {}",
        time(a.repeats, || Ok(store.token_states().map(drop)?))?
    );
    for db in [approvals, transfers] {
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    }
    Ok(())
}

//! Writer benchmark (issue 3): the store's part of a backfill alone, with no node and no
//! decoding. It writes N ERC-20 Transfers the way `tokenwatch run` does (a bulk load,
//! groups of 20,000 events, one listener, then the deferred indexes), into a fresh
//! database, and prints microseconds per event. Stable under `valgrind --tool=callgrind`.
//!
//! `cargo run --release -p tokenwatch-engine --example bench_writer -- [--events N]
//!  [--db FILE] [--repeats N]`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use alloy_primitives::{Address, B256, U256};
use tokenwatch_engine::abi::resolve_event_spec;
use tokenwatch_engine::event::EventStatus;
use tokenwatch_engine::store::{Commit, NewEvent, Store};
use tokenwatch_testkit::bench::Rng;

const PER_BLOCK: u64 = 50;
const GROUP: u64 = 20_000;

/// 32 random bytes.
fn word(rng: &mut Rng) -> B256 {
    let mut b = [0u8; 32];
    for c in b.chunks_mut(8) {
        c.copy_from_slice(&rng.next_u64().to_be_bytes());
    }
    B256::from(b)
}

/// The commits of a backfill of `n` Transfers by 1,000 holders of one token.
fn commits(network_id: i64, listener: i64, n: u64) -> anyhow::Result<Vec<Commit>> {
    let def = Arc::new(resolve_event_spec("erc20:Transfer")?.remove(0));
    let contract = Address::repeat_byte(0x5f);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    let mut made = 0;
    while made < n {
        let first_block = 2 + made / PER_BLOCK;
        let mut events = Vec::new();
        while events.len() < GROUP as usize && made < n {
            let block = 2 + made / PER_BLOCK;
            let holder = |r: &mut Rng| {
                let mut b = [0u8; 32];
                b[24..].copy_from_slice(&(r.next_u64() % 1_000).to_be_bytes());
                B256::from(b)
            };
            let value =
                U256::from(rng.next_u64() % 1_000_000_000) * U256::from(10u64).pow(U256::from(12));
            events.push(NewEvent {
                block_number: block,
                block_hash: B256::from(U256::from(block) * U256::from(0x9e37_79b9u64)),
                block_time: Some(1_700_000_000 + block as i64),
                tx_hash: word(&mut rng),
                log_index: made % PER_BLOCK,
                contract,
                topics: vec![def.topic0, holder(&mut rng), holder(&mut rng)],
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
            to_block: 2 + (made - 1) / PER_BLOCK,
            listeners: vec![listener],
            events,
            ..Commit::default()
        });
    }
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let mut events = 200_000u64;
    let mut db = std::env::temp_dir().join("tokenwatch-bench-writer.db");
    let mut repeats = 3;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--events" => events = value.parse()?,
            "--db" => db = PathBuf::from(value),
            "--repeats" => repeats = value.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    for run in 1..=repeats {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let mut store = Store::open(&db)?;
        let net = store.upsert_network("bench", 31337)?;
        let listener = store.upsert_listener("transfers", net, "x", 0, 0)?.id;
        let work = commits(net, listener, events)?;
        let t = Instant::now();
        store.begin_bulk(net)?;
        for c in &work {
            store.commit(c)?;
        }
        let written = t.elapsed();
        store.end_bulk(net)?;
        let total = t.elapsed();
        let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / events as f64;
        println!(
            "run {run}: {events} events, written in {:.3} s ({:.2} µs/event), with the deferred indexes {:.3} s ({:.2} µs/event)",
            written.as_secs_f64(),
            per(written),
            total.as_secs_f64(),
            per(total)
        );
    }
    Ok(())
}

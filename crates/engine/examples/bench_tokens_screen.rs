//! Tokens screen benchmark (issue 18): a token with N transfers among H holders (a mint to
//! each holder, then random transfers, every 500th a burn), written as a backfill writes
//! them; then what the screen reads when it opens (the token list, the top holders, supply
//! over time), holders over time, the register's first page, and one holder's balance over time.
//!
//! `cargo run --release -p tokenwatch-engine --example bench_tokens_screen -- [--transfers N]
//!  [--holders H] [--dir DIR] [--repeats R]`

use std::sync::Arc;
use std::time::Instant;

use alloy_primitives::{Address, B256, U256};
use tokenwatch_engine::abi::resolve_event_spec;
use tokenwatch_engine::event::EventStatus;
use tokenwatch_engine::store::{Commit, NewEvent, Store};
use tokenwatch_testkit::bench::Rng;

const PER_BLOCK: u64 = 50;
const GROUP: u64 = 20_000;

fn holder(n: u64) -> Address {
    let mut b = [0u8; 20];
    b[..8].copy_from_slice(&0x7e57_0000_0000_0000u64.to_be_bytes());
    b[12..].copy_from_slice(&(n + 1).to_be_bytes());
    Address::from(b)
}

fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn time(repeats: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<String> {
    let mut ms = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    Ok(format!(
        "p50 {:7.1} ms   max {:7.1} ms",
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    ))
}

fn main() -> anyhow::Result<()> {
    let (transfers, holders) = (
        arg("--transfers", 1_000_000u64),
        arg("--holders", 100_000u64),
    );
    let repeats = arg("--repeats", 5usize);
    let db = std::path::PathBuf::from(arg("--dir", std::env::temp_dir().display().to_string()))
        .join("tokenwatch-bench-screen.db");
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let def = Arc::new(resolve_event_spec("erc20:Transfer")?.remove(0));
    let token = Address::repeat_byte(0x70);
    let mut store = Store::open(&db)?;
    let net = store.upsert_network("bench", 31337)?;
    let listener = store.upsert_listener("token", net, "x", 0, 0)?.id;
    store.set_whole_transfers(listener, Some(&[]))?;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let t = Instant::now();
    store.begin_bulk(net)?;
    let mut made = 0;
    while made < transfers {
        // From block 0: the token's whole history is stored.
        let first_block = if made == 0 { 0 } else { 1 + made / PER_BLOCK };
        let mut events = Vec::new();
        while events.len() < GROUP as usize && made < transfers {
            let block = 1 + made / PER_BLOCK;
            let (from, to, value) = if made < holders {
                (Address::ZERO, holder(made), 1_000_000_000u64)
            } else {
                let from = holder(rng.next_u64() % holders);
                let to = if made % 500 == 0 {
                    Address::ZERO
                } else {
                    holder(rng.next_u64() % holders)
                };
                (from, to, rng.next_u64() % 1_000_000)
            };
            let word = |a: Address| B256::left_padding_from(a.as_slice());
            events.push(NewEvent {
                block_number: block,
                block_hash: B256::from(U256::from(block) * U256::from(0x9e37_79b9u64)),
                block_time: Some(1_700_000_000 + 12 * block as i64),
                tx_hash: B256::from(U256::from(made)),
                log_index: made % PER_BLOCK,
                contract: token,
                topics: vec![def.topic0, word(from), word(to)],
                data: U256::from(value).to_be_bytes::<32>().to_vec(),
                def: def.clone(),
                amount: Some(U256::from(value)),
                status: EventStatus::Confirmed,
                listeners: vec![listener],
            });
            made += 1;
        }
        store.commit(&Commit {
            network_id: net,
            from_block: first_block,
            to_block: 1 + (made - 1) / PER_BLOCK,
            listeners: vec![listener],
            events,
            ..Commit::default()
        })?;
    }
    store.end_bulk(net)?;
    drop(store);
    println!(
        "{transfers} transfers among {holders} holders written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let store = Store::open_reader(&db)?;
    let state = store.token_state("bench", token)?;
    println!("holders now: {:?}", state.map(|s| s.holders));
    let open = time(repeats, || {
        store.token_states()?;
        store.top_holders("bench", token, 10)?;
        store.supply_series("bench", token, 60)?;
        store.labels()?;
        Ok(())
    })?;
    println!("screen opens (list, top 10, supply, labels) {open}");
    println!(
        "  token list          {}",
        time(repeats, || Ok(store.token_states().map(drop)?))?
    );
    println!(
        "  top 10 holders      {}",
        time(repeats, || Ok(store
            .top_holders("bench", token, 10)
            .map(drop)?))?
    );
    println!(
        "  supply over time    {}",
        time(repeats, || Ok(store
            .supply_series("bench", token, 60)
            .map(drop)?))?
    );
    println!(
        "  holders over time   {} (loaded after the screen opens)",
        time(repeats, || Ok(store
            .holder_series("bench", token, 60)
            .map(drop)?))?
    );
    println!(
        "  labels              {}",
        time(repeats, || Ok(store.labels().map(drop)?))?
    );
    println!(
        "register page (head)  {}",
        time(repeats, || Ok(store
            .register("bench", token, None)
            .map(|r| drop(r.page(200)))?))?
    );
    println!(
        "a holder's balance    {}",
        time(repeats, || Ok(store
            .address_history("bench", token, holder(7))
            .map(drop)?))?
    );
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    Ok(())
}

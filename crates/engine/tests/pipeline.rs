//! The pipeline end to end through the library API against a real anvil: the handoff from
//! backfill to live under continuous mining, pending -> confirmed, reorgs deeper than the
//! confirmation policy, a head that goes backwards, listeners added or changed between runs,
//! network-wide listeners with conditions, and start blocks given as `latest` or a date.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::time::Duration;

use serde_json::json;
use tokenwatch_engine::hub::Notice;
use tokenwatch_engine::status::ListenerPhase;
use tokenwatch_engine::{Engine, EventStatus, RunOptions};
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::{Address, Anvil, AnvilOptions, Contract, TxOptions, B256, U256};

const TRANSFER: &str = "erc20:Transfer";

async fn erc20(anvil: &Anvil, supply_to: Address) -> Contract {
    let token = anvil
        .deploy("TestERC20", &["T", "T", "18"])
        .await
        .expect("deploy");
    token
        .send("mint", &[&supply_to.to_string(), "1000000000"])
        .await
        .expect("mint");
    token
}

fn transfer_config(anvil: &Anvil, confirmations: u64, token: &Contract, extra_net: &str) -> String {
    format!(
        "{}{extra_net}{}",
        network(anvil, confirmations),
        listener(
            "t",
            &[token.address().to_string()],
            &[TRANSFER],
            "from_block = 0"
        )
    )
}

/// Backfill hands over to live while blocks keep coming: anvil mines a block every second
/// and a background task sends a transfer every 100-200 ms before, during and after the
/// engine's backfill (many transfers per block, several blocks appearing mid-backfill, with
/// small `eth_getLogs` ranges so the backfill takes several steps). Once the sender stops and
/// everything is mined, the stored (block, tx, log index) list equals the chain's logs exactly:
/// no block skipped at the handoff, none processed twice, nothing marked removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_hands_over_to_live_under_continuous_mining_without_gap_or_duplicate() {
    let anvil = Anvil::start_with(AnvilOptions {
        block_time: Some(Duration::from_secs(1)),
        ..AnvilOptions::default()
    })
    .await
    .expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await;
    // History for the backfill: a few hundred blocks.
    anvil.mine(300).await.expect("mine");

    let sender = {
        let token = token.clone();
        let accounts = accounts.clone();
        tokio::spawn(async move {
            let start = std::time::Instant::now();
            let mut hashes: Vec<B256> = Vec::new();
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            while start.elapsed() < Duration::from_secs(10) {
                let to = accounts[1 + hashes.len() % 5].to_string();
                let amount = (hashes.len() + 1).to_string();
                let hash = token
                    .submit(&TxOptions::default(), "transfer", &[&to, &amount])
                    .await
                    .expect("submit transfer");
                hashes.push(hash);
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                tokio::time::sleep(Duration::from_millis(100 + seed % 101)).await;
            }
            hashes
        })
    };
    // Let some transfers land before the engine starts (they are history for it).
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let config = parse_config(&transfer_config(
        &anvil,
        0,
        &token,
        "max_block_range = 25\n",
    ));
    let engine = Engine::start(config, &db, RunOptions::default())
        .await
        .expect("engine");

    // The engine goes live while the sender is still sending.
    eventually(
        "the listener to go live",
        Duration::from_secs(20),
        || listener_status(&engine.status(), "t").phase == ListenerPhase::Live,
        || format!("{:?}", engine.status()),
    )
    .await;
    assert!(
        !sender.is_finished(),
        "the engine went live while transfers were still being sent"
    );
    let hashes = sender.await.expect("sender task");
    assert!(hashes.len() >= 40, "sent {} transfers", hashes.len());
    let mut blocks = std::collections::BTreeSet::new();
    for h in &hashes {
        let r = anvil.wait_receipt(*h).await.expect("transfer mined");
        blocks.insert(r.block_number);
    }
    assert!(
        blocks.len() >= 8,
        "transfers spread over {} blocks",
        blocks.len()
    );

    let chain = chain_logs(&anvil, &token.address().to_string()).await;
    assert_eq!(chain.len(), hashes.len() + 1, "every transfer and the mint");
    eventually(
        "the engine to catch up",
        Duration::from_secs(20),
        || live_keys(&stored_rows(&db, Some("t"))) == chain,
        || {
            let live = live_keys(&stored_rows(&db, Some("t")));
            format!("stored {} of {} chain logs", live.len(), chain.len())
        },
    )
    .await;
    // A moment later (more empty blocks mined), still exactly the chain: nothing doubled late.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rows = stored_rows(&db, Some("t"));
    assert_eq!(live_keys(&rows), chain, "no gap, no duplicate");
    assert!(removed_keys(&rows).is_empty(), "nothing marked removed");
    engine.shutdown().await.expect("shutdown");
}

/// With `confirmations = 3` a new transfer is stored `pending`, stays pending while it is
/// only 2 blocks deep, and turns `confirmed` when it is 3 deep; subscribers get a
/// `Notice::Event` for each state of the same stored event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_event_becomes_confirmed_after_the_confirmation_depth() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await; // deploy block 1, mint block 2
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(
        parse_config(&transfer_config(&anvil, 3, &token, "")),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let mut notices = engine.subscribe();
    let status_of = |tx: &str| {
        stored_rows(&db, Some("t"))
            .into_iter()
            .find(|e| e.tx_hash == tx)
            .map(|e| e.status)
    };
    let synced_to = || engine.status().networks[0].synced_to;

    let receipt = token
        .send("transfer", &[&accounts[1].to_string(), "250"])
        .await
        .expect("transfer");
    assert_eq!(receipt.block_number, 3);
    let tx = format!("{:#x}", receipt.transaction_hash);
    eventually(
        "the transfer to be stored",
        Duration::from_secs(20),
        || status_of(&tx).is_some(),
        || format!("{:?}", engine.status()),
    )
    .await;
    assert_eq!(status_of(&tx), Some(EventStatus::Pending));

    // Two blocks on top: head 5, the transfer is 2 deep, confirmed needs 3.
    anvil.mine(2).await.expect("mine");
    eventually(
        "the engine to process block 5",
        Duration::from_secs(20),
        || synced_to() == Some(5),
        || format!("{:?}", engine.status()),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        status_of(&tx),
        Some(EventStatus::Pending),
        "2 blocks deep is not yet confirmed"
    );
    // The mint in block 2 is 3 deep at head 5.
    let mint = stored_rows(&db, Some("t"))
        .into_iter()
        .find(|e| e.block_number == 2)
        .expect("mint stored");
    assert_eq!(mint.status, EventStatus::Confirmed);

    anvil.mine(1).await.expect("mine");
    eventually(
        "the transfer to be confirmed",
        Duration::from_secs(20),
        || status_of(&tx) == Some(EventStatus::Confirmed),
        || format!("{:?}", status_of(&tx)),
    )
    .await;

    // The notices: pending, then confirmed, for the same stored event.
    let mut seen: Vec<(i64, EventStatus)> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.iter().any(|(_, s)| *s == EventStatus::Confirmed) {
        let n = tokio::time::timeout_at(deadline, notices.recv())
            .await
            .unwrap_or_else(|_| panic!("no confirmed notice in time; seen {seen:?}"));
        match n {
            Ok(Notice::Event(e)) if e.tx_hash == tx => seen.push((e.id, e.status)),
            Ok(_) => {}
            Err(e) => panic!("notice channel: {e}"),
        }
    }
    assert_eq!(seen.len(), 2, "one notice per state: {seen:?}");
    assert_eq!(seen[0].1, EventStatus::Pending);
    assert_eq!(seen[1].1, EventStatus::Confirmed);
    assert_eq!(seen[0].0, seen[1].0, "the same stored event");
    engine.shutdown().await.expect("shutdown");
}

/// A reorg of 64 blocks while the policy is 2 confirmations: events that were already
/// `confirmed` in the orphaned blocks are marked `removed` (not left as if nothing happened),
/// the transfer re-inserted into the new branch is stored, and subscribers get an alert that
/// names the depth, plus a `removed` notice per orphaned event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_deeper_than_the_policy_removes_confirmed_events_and_alerts() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await; // blocks 1, 2
    for i in 0..70usize {
        token
            .send(
                "transfer",
                &[&accounts[1 + i % 5].to_string(), &(i + 1).to_string()],
            )
            .await
            .expect("transfer");
    }
    let head = anvil.block_number().await.expect("head");
    assert_eq!(head, 72);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(
        parse_config(&transfer_config(&anvil, 2, &token, "")),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let mut notices = engine.subscribe();
    let address = token.address().to_string();
    let chain = chain_logs(&anvil, &address).await;
    eventually(
        "the backfill",
        Duration::from_secs(30),
        || live_keys(&stored_rows(&db, Some("t"))) == chain,
        || format!("{:?}", engine.status()),
    )
    .await;
    let rows = stored_rows(&db, Some("t"));
    let confirmed_before: Vec<LogKey> = rows
        .iter()
        .filter(|e| e.status == EventStatus::Confirmed)
        .map(key_of)
        .collect();
    assert_eq!(
        confirmed_before.len(),
        69,
        "blocks up to head - 2 are confirmed"
    );

    let tx = transfer_request(&token, &accounts);
    anvil.reorg(64, &[(tx, 0)]).await.expect("reorg");
    let new_chain = chain_logs(&anvil, &address).await;
    let orphaned: Vec<LogKey> = chain
        .iter()
        .filter(|k| !new_chain.contains(k))
        .cloned()
        .collect();
    assert_eq!(orphaned.len(), 64);
    assert!(
        orphaned
            .iter()
            .filter(|k| confirmed_before.contains(k))
            .count()
            >= 62,
        "most orphaned events had been confirmed"
    );
    eventually(
        "the reorg to be handled",
        Duration::from_secs(30),
        || {
            let rows = stored_rows(&db, Some("t"));
            live_keys(&rows) == new_chain && removed_keys(&rows) == orphaned
        },
        || {
            let rows = stored_rows(&db, Some("t"));
            format!(
                "live {} (want {}), removed {} (want 64)",
                live_keys(&rows).len(),
                new_chain.len(),
                removed_keys(&rows).len()
            )
        },
    )
    .await;

    let mut alert = None;
    let mut removed_notices = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while alert.is_none() || removed_notices.len() < orphaned.len() {
        let n = tokio::time::timeout_at(deadline, notices.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "alert {alert:?} and {} removed notices by now",
                    removed_notices.len()
                )
            });
        match n {
            Ok(Notice::Alert(text)) => alert = Some(text),
            Ok(Notice::Event(e)) if e.status == EventStatus::Removed => {
                removed_notices.insert(key_of(&e));
            }
            Ok(_) => {}
            Err(e) => panic!("notice channel: {e}"),
        }
    }
    let alert = alert.expect("alert");
    assert!(
        alert.contains("64 blocks"),
        "the alert names the depth: {alert}"
    );
    assert_eq!(
        removed_notices.into_iter().collect::<Vec<_>>(),
        orphaned,
        "a removed notice per orphaned event"
    );
    engine.shutdown().await.expect("shutdown");
}

/// A head that goes backwards is not by itself a reorg. The chain is snapshotted, 5 empty
/// blocks are mined and processed, then the node is reverted to the snapshot: its head drops
/// by 5 while every block the engine stored events for keeps its hash (as with a node that
/// lags behind). The engine must not mark anything removed, must not crash or stall, and —
/// what really matters — must not treat the heights it already covered as done: the new
/// blocks mined at those heights (with transfers) are different blocks, and their events must
/// be stored once the node's chain has grown past the old head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_going_backwards_removes_nothing_and_later_blocks_are_stored() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await;
    for i in 0..5usize {
        token
            .send("transfer", &[&accounts[1 + i].to_string(), "10"])
            .await
            .expect("transfer");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(
        parse_config(&transfer_config(&anvil, 0, &token, "")),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let address = token.address().to_string();
    let before = chain_logs(&anvil, &address).await;
    eventually(
        "the backfill",
        Duration::from_secs(20),
        || live_keys(&stored_rows(&db, Some("t"))) == before,
        || format!("{:?}", engine.status()),
    )
    .await;

    let snapshot = anvil.snapshot().await.expect("snapshot");
    let low = anvil.block_number().await.expect("head");
    anvil.mine(5).await.expect("mine");
    let high = low + 5;
    eventually(
        "the engine to process the empty blocks",
        Duration::from_secs(20),
        || engine.status().networks[0].synced_to == Some(high),
        || format!("{:?}", engine.status()),
    )
    .await;
    anvil.revert(snapshot).await.expect("revert");
    assert_eq!(anvil.block_number().await.expect("head"), low);
    eventually(
        "the engine to see the lower head",
        Duration::from_secs(20),
        || engine.status().networks[0].head == Some(low),
        || format!("{:?}", engine.status()),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rows = stored_rows(&db, Some("t"));
    assert_eq!(live_keys(&rows), before, "nothing changed");
    assert!(removed_keys(&rows).is_empty(), "nothing marked removed");
    assert!(engine.status().running);

    // New blocks at the reverted heights and beyond, each with a transfer.
    for i in 0..7usize {
        token
            .send(
                "transfer",
                &[&accounts[6].to_string(), &(100 + i).to_string()],
            )
            .await
            .expect("transfer");
    }
    assert!(anvil.block_number().await.expect("head") > high);
    let after = chain_logs(&anvil, &address).await;
    assert_eq!(after.len(), before.len() + 7);
    eventually(
        "the new blocks' events",
        Duration::from_secs(20),
        || live_keys(&stored_rows(&db, Some("t"))) == after,
        || format!("{:?}", live_keys(&stored_rows(&db, Some("t")))),
    )
    .await;
    assert!(removed_keys(&stored_rows(&db, Some("t"))).is_empty());
    engine.shutdown().await.expect("shutdown");
}

/// The other side of the previous test: a reorg onto a *shorter* branch. The node is
/// reverted 5 blocks (the last of them held a stored transfer) and mines only 2 new blocks
/// with other transfers, so its head stays 3 below the old one. Its blocks at those heights
/// differ from the stored headers, so this is not a lagging node but a reorg: the orphaned
/// transfer must be marked removed and the new ones stored, without waiting until the new
/// branch grows past the old height (which may take long, or never happen on a quiet chain).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_onto_a_shorter_branch_is_handled_without_waiting_for_the_old_height() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let engine = Engine::start(
        parse_config(&transfer_config(&anvil, 0, &token, "")),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let address = token.address().to_string();
    let snapshot = anvil.snapshot().await.expect("snapshot");
    anvil.mine(4).await.expect("mine");
    token
        .send("transfer", &[&accounts[1].to_string(), "1"])
        .await
        .expect("transfer");
    let old_branch = chain_logs(&anvil, &address).await;
    eventually(
        "the old branch",
        Duration::from_secs(20),
        || live_keys(&stored_rows(&db, Some("t"))) == old_branch,
        || format!("{:?}", engine.status()),
    )
    .await;
    let old_head = anvil.block_number().await.expect("head");
    anvil.revert(snapshot).await.expect("revert");
    for v in ["2", "3"] {
        token
            .send("transfer", &[&accounts[2].to_string(), v])
            .await
            .expect("transfer");
    }
    assert_eq!(anvil.block_number().await.expect("head"), old_head - 3);
    let new_branch = chain_logs(&anvil, &address).await;
    let orphaned: Vec<LogKey> = old_branch
        .iter()
        .filter(|k| !new_branch.contains(k))
        .cloned()
        .collect();
    assert_eq!(orphaned.len(), 1);
    eventually(
        "the shorter branch to be taken",
        Duration::from_secs(10),
        || {
            let rows = stored_rows(&db, Some("t"));
            live_keys(&rows) == new_branch && removed_keys(&rows) == orphaned
        },
        || {
            let rows = stored_rows(&db, Some("t"));
            format!(
                "live {:?} removed {:?}",
                live_keys(&rows),
                removed_keys(&rows)
            )
        },
    )
    .await;
    engine.shutdown().await.expect("shutdown");
}

/// Restarting with a second listener (another contract, `from_block = 0`) backfills it from
/// block 0 while the first one, already live, just continues; both end equal to the chain,
/// without duplicates, including transfers sent while the second one backfills.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_added_later_is_backfilled_while_the_first_continues() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let a = erc20(&anvil, accounts[0]).await;
    let b = erc20(&anvil, accounts[0]).await;
    let send_both = |n: usize, base: usize| {
        let (a, b, accounts) = (a.clone(), b.clone(), accounts.clone());
        async move {
            for i in 0..n {
                let to = accounts[1 + i % 5].to_string();
                let v = (base + i).to_string();
                a.send("transfer", &[&to, &v]).await.expect("transfer a");
                b.send("transfer", &[&to, &v]).await.expect("transfer b");
            }
        }
    };
    send_both(10, 1).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let la = listener(
        "a",
        &[a.address().to_string()],
        &[TRANSFER],
        "from_block = 0",
    );
    let lb = listener(
        "b",
        &[b.address().to_string()],
        &[TRANSFER],
        "from_block = 0",
    );
    let (addr_a, addr_b) = (a.address().to_string(), b.address().to_string());

    let engine = Engine::start(
        parse_config(&format!("{}{la}", network(&anvil, 0))),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    send_both(3, 100).await;
    let chain_a = chain_logs(&anvil, &addr_a).await;
    eventually(
        "listener a",
        Duration::from_secs(20),
        || live_keys(&stored_rows(&db, Some("a"))) == chain_a,
        || format!("{:?}", engine.status()),
    )
    .await;
    engine.shutdown().await.expect("shutdown");
    assert!(stored_rows(&db, Some("b")).is_empty());

    send_both(3, 200).await;
    let engine = Engine::start(
        parse_config(&format!("{}{la}{lb}", network(&anvil, 0))),
        &db,
        RunOptions::default(),
    )
    .await
    .expect("engine");
    send_both(5, 300).await;
    let (chain_a, chain_b) = (
        chain_logs(&anvil, &addr_a).await,
        chain_logs(&anvil, &addr_b).await,
    );
    assert_eq!(chain_b.len(), 22);
    eventually(
        "both listeners",
        Duration::from_secs(30),
        || {
            live_keys(&stored_rows(&db, Some("a"))) == chain_a
                && live_keys(&stored_rows(&db, Some("b"))) == chain_b
        },
        || format!("{:?}", engine.status()),
    )
    .await;
    let status = engine.status();
    assert_eq!(listener_status(&status, "b").from_block, 0);
    assert!(stored_rows(&db, None)
        .iter()
        .all(|e| e.status != EventStatus::Removed));
    engine.shutdown().await.expect("shutdown");
}

/// Changing a listener's `where` between runs re-processes its range (its coverage is
/// reset): afterwards it holds exactly the events matching the new condition — none that
/// only the old condition matched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_whose_condition_changes_ends_with_exactly_the_new_matches() {
    condition_change_case(true).await;
}

/// The part of the previous test that holds today: after the change, the range is processed
/// again, so every event the new condition matches is stored, including the ones the old
/// condition had skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_whose_condition_changes_is_reprocessed_from_its_start() {
    condition_change_case(false).await;
}

async fn condition_change_case(exact: bool) {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await; // mint of 1e9
    for v in [100u64, 200, 600, 700, 800, 499, 500] {
        token
            .send("transfer", &[&accounts[1].to_string(), &v.to_string()])
            .await
            .expect("transfer");
    }
    let logs = anvil
        .logs(json!({"fromBlock": "0x0", "toBlock": "latest", "address": token.address()}))
        .await
        .expect("logs");
    let keys_with = |f: &dyn Fn(U256) -> bool| {
        let mut k: Vec<LogKey> = logs
            .iter()
            .filter(|l| f(U256::from_be_slice(&l.data)))
            .map(|l| {
                (
                    l.block_number,
                    format!("{:#x}", l.transaction_hash),
                    l.log_index,
                )
            })
            .collect();
        k.sort();
        k
    };
    let big = keys_with(&|v| v >= U256::from(500));
    let small = keys_with(&|v| v < U256::from(500));
    assert_eq!((big.len(), small.len()), (5, 3));

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let config = |cond: &str| {
        parse_config(&format!(
            "{}{}",
            network(&anvil, 0),
            listener(
                "w",
                &[token.address().to_string()],
                &[TRANSFER],
                &format!("from_block = 0\nwhere = \"{cond}\"")
            )
        ))
    };
    let status = run_until_head(config("value >= 500"), &db).await;
    assert_eq!(live_keys(&stored_rows(&db, Some("w"))), big);
    assert_eq!(listener_status(&status, "w").events, 5);

    let status = run_until_head(config("value < 500"), &db).await;
    let rows = stored_rows(&db, Some("w"));
    let live = live_keys(&rows);
    assert!(
        small.iter().all(|k| live.contains(k)),
        "the skipped range was processed again: {live:?}"
    );
    if exact {
        assert_eq!(live, small, "exactly the events the new condition matches");
        assert_eq!(listener_status(&status, "w").events, 3);
    }
}

/// A listener without `contracts` watches the whole network: with two tokens deployed and
/// transfers to several accounts on both, `to == <account 3>` stores exactly the transfers
/// to account 3, from both tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_wide_listener_with_a_condition_stores_matches_of_every_token() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let a = erc20(&anvil, accounts[0]).await;
    let b = erc20(&anvil, accounts[0]).await;
    for i in 0..12usize {
        let to = accounts[1 + i % 4].to_string(); // accounts 1..=4
        let token = if i % 3 == 0 { &a } else { &b };
        token
            .send("transfer", &[&to, &(i + 1).to_string()])
            .await
            .expect("transfer");
    }
    let target = accounts[3];
    let expected = chain_keys(
        &anvil,
        json!({"topics": [
            format!("{:#x}", tokenwatch_testkit::keccak256("Transfer(address,address,uint256)")),
            null,
            address_topic(&target)
        ]}),
    )
    .await;
    let contracts_hit: std::collections::BTreeSet<_> = anvil
        .logs(json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [null, null, address_topic(&target)]}))
        .await
        .expect("logs")
        .iter()
        .map(|l| l.address)
        .collect();
    assert_eq!(contracts_hit.len(), 2, "both tokens sent to account 3");
    assert_eq!(expected.len(), 3);

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "to3",
            &[],
            &[TRANSFER],
            &format!("from_block = 0\nwhere = \"to == {target}\"")
        )
    );
    run_until_head(parse_config(&text), &db).await;
    let rows = stored_rows(&db, Some("to3"));
    assert_eq!(live_keys(&rows), expected);
    assert!(rows
        .iter()
        .all(|e| e.args["to"].as_str() == Some(target.to_checksum(None).as_str())));
}

/// `from_block = "latest"` starts at the head seen when the listener is first stored:
/// nothing from before is stored, everything after is — including what happens while the
/// engine is stopped (a restart keeps the start block rather than jumping to the new head).
///
/// Here the head block at start holds no event (an empty block is mined first), so the
/// question of the head block itself (next test) does not arise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_latest_stores_everything_after_start_including_while_stopped() {
    from_latest_case(true).await;
}

/// `from_block = "latest"` means "from now on": events in the head block that existed
/// before the engine started are history and are not stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_latest_does_not_store_the_head_block_seen_at_start() {
    from_latest_case(false).await;
}

async fn from_latest_case(empty_head_block: bool) {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await;
    for _ in 0..3 {
        token
            .send("transfer", &[&accounts[1].to_string(), "5"])
            .await
            .expect("transfer");
    }
    if empty_head_block {
        anvil.mine(1).await.expect("mine");
    }
    let start_head = anvil.block_number().await.expect("head");
    let history = chain_logs(&anvil, &token.address().to_string()).await;
    assert_eq!(
        history.last().map(|k| k.0 == start_head),
        Some(!empty_head_block)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "l",
            &[token.address().to_string()],
            &[TRANSFER],
            "from_block = \"latest\""
        )
    );
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    eventually(
        "the listener to go live",
        Duration::from_secs(20),
        || listener_status(&engine.status(), "l").phase == ListenerPhase::Live,
        || format!("{:?}", engine.status()),
    )
    .await;
    for i in 0..3usize {
        token
            .send(
                "transfer",
                &[&accounts[2].to_string(), &(i + 1).to_string()],
            )
            .await
            .expect("transfer");
    }
    let new_logs = |all: Vec<LogKey>| -> Vec<LogKey> {
        all.into_iter().filter(|k| !history.contains(k)).collect()
    };
    let after = new_logs(chain_logs(&anvil, &token.address().to_string()).await);
    assert_eq!(after.len(), 3);
    assert_eq!(
        listener_status(&engine.status(), "l").from_block,
        start_head + 1,
        "latest = the first block after the head seen when the listener was first stored"
    );
    eventually(
        "the transfers after start",
        Duration::from_secs(20),
        || {
            let live = live_keys(&stored_rows(&db, Some("l")));
            after.iter().all(|k| live.contains(k))
        },
        || format!("{:?}", live_keys(&stored_rows(&db, Some("l")))),
    )
    .await;
    assert_eq!(
        live_keys(&stored_rows(&db, Some("l"))),
        after,
        "nothing from before the start (head at start: block {start_head})"
    );
    engine.shutdown().await.expect("shutdown");

    // While stopped: two more transfers; after a restart they are stored too.
    for _ in 0..2 {
        token
            .send("transfer", &[&accounts[3].to_string(), "9"])
            .await
            .expect("transfer");
    }
    let after = new_logs(chain_logs(&anvil, &token.address().to_string()).await);
    assert_eq!(after.len(), 5);
    let status = run_until_head(parse_config(&text), &db).await;
    assert_eq!(listener_status(&status, "l").from_block, start_head + 1);
    assert_eq!(live_keys(&stored_rows(&db, Some("l"))), after);
}

/// A date start resolves to the first block whose timestamp is at or after it: on anvil
/// (genesis = now) 2020-01-01 is block 0, so everything is stored; a block is then given the
/// timestamp 2030-01-01T00:00:00Z, and a listener starting at that date stores exactly the
/// events from that block on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_start_resolves_to_the_first_block_at_or_after_the_date() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = erc20(&anvil, accounts[0]).await;
    for _ in 0..3 {
        token
            .send("transfer", &[&accounts[1].to_string(), "5"])
            .await
            .expect("transfer");
    }
    const Y2030: u64 = 1_893_456_000; // 2030-01-01T00:00:00Z
    anvil
        .rpc("evm_setNextBlockTimestamp", json!([Y2030]))
        .await
        .expect("set timestamp");
    let first_2030 = token
        .send("transfer", &[&accounts[2].to_string(), "6"])
        .await
        .expect("transfer")
        .block_number;
    for _ in 0..2 {
        token
            .send("transfer", &[&accounts[2].to_string(), "7"])
            .await
            .expect("transfer");
    }
    let ts = |b: serde_json::Value| {
        tokenwatch_testkit::parse_quantity(&b["timestamp"]).expect("timestamp")
    };
    assert_eq!(
        ts(anvil.get_block(first_2030).await.unwrap().unwrap()),
        Y2030
    );
    assert!(ts(anvil.get_block(first_2030 - 1).await.unwrap().unwrap()) < Y2030);

    let address = token.address().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let c = [address.clone()];
    let text = format!(
        "{}{}{}{}",
        network(&anvil, 0),
        listener("since2020", &c, &[TRANSFER], "from_block = \"2020-01-01\""),
        listener("since2030", &c, &[TRANSFER], "from_block = \"2030-01-01\""),
        listener(
            "since2029eve",
            &c,
            &[TRANSFER],
            "from_block = \"2029-12-31T23:59:59Z\""
        ),
    );
    let status = run_until_head(parse_config(&text), &db).await;
    let chain = chain_logs(&anvil, &address).await;
    assert_eq!(listener_status(&status, "since2020").from_block, 0);
    assert_eq!(live_keys(&stored_rows(&db, Some("since2020"))), chain);
    let later: Vec<LogKey> = chain
        .iter()
        .filter(|k| k.0 >= first_2030)
        .cloned()
        .collect();
    assert_eq!(later.len(), 3);
    for name in ["since2030", "since2029eve"] {
        assert_eq!(
            listener_status(&status, name).from_block,
            first_2030,
            "{name}"
        );
        assert_eq!(live_keys(&stored_rows(&db, Some(name))), later, "{name}");
    }
}

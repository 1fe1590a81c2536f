//! What watching every contract costs: the Transfer logs of two tokens in a real anvil's
//! latest blocks are counted, from both contracts, and other events are not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::time::Duration;

use tokenwatch_engine::abi::resolve_event_spec;
use tokenwatch_engine::source::measure_activity;
use tokenwatch_testkit::Anvil;

const WAIT: Duration = Duration::from_secs(5);

fn topic0(spec: &str) -> alloy_primitives::B256 {
    resolve_event_spec(spec).unwrap()[0].topic0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latest_blocks_logs_of_every_contract_are_counted() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.unwrap();
    for symbol in ["AAA", "BBB"] {
        let token = anvil
            .deploy("TestERC20", &[symbol, symbol, "6"])
            .await
            .unwrap();
        token
            .send("mint", &[&accounts[0].to_string(), "1000"])
            .await
            .unwrap();
        token
            .send("transfer", &[&accounts[1].to_string(), "5"])
            .await
            .unwrap();
        token
            .send("approve", &[&accounts[2].to_string(), "5"])
            .await
            .unwrap();
    }
    let urls = [anvil.url()];
    // Every block so far: two mints and two transfers, from two contracts.
    let all = measure_activity(&urls, vec![topic0("erc20:Transfer")], 100, WAIT)
        .await
        .unwrap();
    assert_eq!(
        (all.blocks, all.events),
        (anvil.block_number().await.unwrap() + 1, 4)
    );
    // The last 3 blocks (one per transaction): BBB's mint, transfer and approval.
    let last = measure_activity(&urls, vec![topic0("erc20:Transfer")], 3, WAIT)
        .await
        .unwrap();
    assert_eq!((last.blocks, last.events), (3, 2));
    let both = measure_activity(
        &urls,
        vec![topic0("erc20:Transfer"), topic0("erc20:Approval")],
        3,
        WAIT,
    )
    .await
    .unwrap();
    assert_eq!(both.events, 3);
}

//! A node behind a difficult provider: refused ranges in each provider's wording, rate
//! limits, JSON-RPC errors in HTTP 200, garbage, hangs, dropped connections, a dead first
//! endpoint. The engine splits, backs off, fails over, and stores exactly the chain's logs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use common::*;
use tokenwatch_testkit::{Anvil, Contract, Fault, Refusal, RpcProxy};

async fn busy_chain(anvil: &Anvil) -> Contract {
    token_with_transfers(anvil, 40).await
}

fn config_for(anvil: &Anvil, rpc: &[String], token: &Contract) -> String {
    let list: Vec<String> = rpc.iter().map(|u| format!("\"{u}\"")).collect();
    format!(
        "[[networks]]\nname = \"local\"\nchain_id = {}\nrpc = [{}]\nconfirmations = 0\nrequest_timeout_ms = 1000\n\n[[listeners]]\nname = \"t\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
        anvil.chain_id(),
        list.join(", "),
        token.address()
    )
}

/// `tokenwatch run --until-head` against `rpc` into a fresh database `dir/name.db`, the
/// network's config ending with `extra`; it must exit 0. Returns the database and stderr.
fn run_into(
    dir: &std::path::Path,
    name: &str,
    (anvil, token): (&Anvil, &Contract),
    rpc: &[String],
    extra: &str,
) -> (std::path::PathBuf, String) {
    let text = config_for(anvil, rpc, token).replace(
        "request_timeout_ms = 1000\n",
        &format!("request_timeout_ms = 1000\n{extra}"),
    );
    let config = write(dir, &format!("{name}.toml"), &text);
    let db = dir.join(format!("{name}.db"));
    let out = run_until_head_cli(&config, &db);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (db, stderr)
}

/// The token's logs on the chain, checked to be what `db` stores.
async fn stored_equals_chain(anvil: &Anvil, token: &Contract, db: &std::path::Path) -> Vec<LogKey> {
    let chain = chain_logs(anvil, &token.address().to_string()).await;
    assert_eq!(
        keys(&export(db, &[])),
        chain,
        "stored events equal the chain's"
    );
    chain
}

async fn run_until_head(anvil: &Anvil, token: &Contract, rpc: &[String]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _) = run_into(dir.path(), "e", (anvil, token), rpc, "");
    assert_eq!(stored_equals_chain(anvil, token, &db).await.len(), 41);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_ranges_are_split_in_every_providers_wording() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = busy_chain(&anvil).await;
    for style in [
        Refusal::Alchemy,
        Refusal::Infura,
        Refusal::QuickNode,
        Refusal::Base,
    ] {
        let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
        proxy.limit_log_range(7, style);
        run_until_head(&anvil, &token, &[proxy.url()]).await;
        assert!(
            proxy.stats().refused > 0,
            "{style:?}: the proxy refused some ranges"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_never_read_as_no_logs() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = busy_chain(&anvil).await;
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.limit_log_range(10, Refusal::Infura);
    // Every kind of fault, each followed by a good answer so the backoff stays short.
    let kinds = [
        Fault::RateLimited,
        Fault::RpcError(-32000, "internal error".into()),
        Fault::Garbage,
        Fault::ServerError,
        Fault::Drop,
        Fault::Hang(std::time::Duration::from_secs(3)),
    ];
    let mut faults = Vec::new();
    for _ in 0..3 {
        for k in &kinds {
            faults.extend([k.clone(), Fault::Pass, Fault::Pass]);
        }
    }
    let n = faults.iter().filter(|f| **f != Fault::Pass).count() as u64;
    proxy.inject(faults);
    run_until_head(&anvil, &token, &[proxy.url()]).await;
    assert_eq!(proxy.stats().faulted, n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_first_endpoint_fails_over_to_the_second() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = busy_chain(&anvil).await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    run_until_head(
        &anvil,
        &token,
        &[format!("http://127.0.0.1:{dead}"), anvil.url()],
    )
    .await;
}

/// A first endpoint stuck 30 blocks behind (its head is old, blocks above it do not exist,
/// its logs stop there): the engine takes the head from the endpoint that is up to date,
/// reads recent blocks there, marks the stuck one lagging, and stores the whole chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_endpoint_is_not_trusted_for_blocks_it_does_not_have() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = busy_chain(&anvil).await;
    let head = anvil.block_number().await.expect("head");
    let stuck = RpcProxy::start(&anvil.url()).await.expect("proxy");
    stuck.freeze_at(head - 30);
    run_until_head(&anvil, &token, &[stuck.url(), anvil.url()]).await;

    // The status board says which endpoint lags, in words.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tokenwatch_engine::Config::parse(
        &config_for(&anvil, &[stuck.url(), anvil.url()], &token),
        std::path::Path::new("."),
    )
    .expect("config");
    let db = dir.path().join("e.db");
    let status = common::run_until_head(config, &db).await;
    let endpoints = &status.networks[0].endpoints;
    assert_eq!(
        endpoints[0].health,
        tokenwatch_engine::status::EndpointHealth::Lagging
    );
    assert_eq!(
        endpoints[0].last_error.as_deref(),
        Some("30 blocks behind the other endpoints")
    );
    assert_eq!(
        endpoints[1].health,
        tokenwatch_engine::status::EndpointHealth::Ok
    );
}

/// The chain moves right after the node answered a log query: the newest `depth` blocks,
/// empty, are replaced, and the first new one holds a transfer. The header kept for that
/// block must be the one its logs came from, so that the next step sees the move and reads
/// the new block's logs (a header read after the logs would vouch for logs never read).
async fn chain_moving_after_the_log_query_loses_nothing(depth: u64, max_block_range: u64) {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 4).await;
    anvil.mine(depth).await.expect("empty blocks on top");
    let head = anvil.block_number().await.expect("head");
    let moved = head - (depth - 1);
    let accounts = anvil.accounts().await.expect("accounts");
    let tx = transfer_request(&token, &accounts);
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.after_logs_covering(
        moved,
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "anvil_reorg", "params": [depth, [[tx, 0]]]}),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let range = format!("max_block_range = {max_block_range}\n");
    let (db, _) = run_into(dir.path(), "e", (&anvil, &token), &[proxy.url()], &range);
    assert_eq!(
        anvil.block_number().await.expect("head"),
        head,
        "the reorg kept the height"
    );
    let chain = stored_equals_chain(&anvil, &token, &db).await;
    assert!(
        chain.iter().any(|(block, _, _)| *block == moved),
        "the reorg ran after the log query and put a transfer in block {moved}"
    );
}

/// The newest block, read by its hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_moving_between_logs_and_headers_loses_nothing() {
    chain_moving_after_the_log_query_loses_nothing(1, 10_000).await;
}

/// A block well below the tip, read by a range of 4 blocks after its header; no block of
/// that range is read by hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_moving_below_the_tip_between_logs_and_headers_loses_nothing() {
    chain_moving_after_the_log_query_loses_nothing(16, 4).await;
}

/// Most nodes send logs without `blockTimestamp`: each event still gets its block's time,
/// read from the block's header, the same as from a node that sends it. The transfers lie
/// below the reorg window, where no header is read for its hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_without_block_times_get_them_from_the_headers() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 12).await;
    anvil.mine(300).await.expect("blocks above the transfers");
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.drop_log_times();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut exports = Vec::new();
    for (name, url) in [("direct", anvil.url()), ("no-times", proxy.url())] {
        let (db, _) = run_into(dir.path(), name, (&anvil, &token), &[url], "");
        let times: Vec<(String, String)> = export(&db, &[])
            .iter()
            .map(|r| (r[2].to_string(), r[4].to_string()))
            .collect();
        exports.push(times);
    }
    assert_eq!(exports[0].len(), 13, "the mint and 12 transfers");
    assert!(
        exports[0].iter().all(|(_, t)| !t.is_empty()),
        "{:?}",
        exports[0]
    );
    assert_eq!(exports[1], exports[0], "the same block times either way");
    assert!(
        proxy.stats().times_dropped >= 13,
        "the node sent block times, and the proxy left them out: {:?}",
        proxy.stats()
    );
}

/// One URL, and behind it a backend a block behind the one that answered the head (a
/// provider's load balancer): its range answers leave out the newest block's logs. Blocks
/// at the tip are read by hash, which such a backend refuses until it has the block, so
/// the transfer in the newest block is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_behind_the_head_does_not_hide_the_newest_logs() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 6).await;
    let head = anvil.block_number().await.expect("head");
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.lag_logs(1, 3);
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _) = run_into(dir.path(), "e", (&anvil, &token), &[proxy.url()], "");
    let chain = stored_equals_chain(&anvil, &token, &db).await;
    assert!(
        chain.iter().any(|(block, _, _)| *block == head),
        "the newest block holds a transfer"
    );
    assert!(proxy.stats().lagged > 0, "the backend's lag showed");
}

/// A backend that keeps lacking the newest block: after the quick, quiet retries the problem
/// is reported (here in the log; in the app on the network), and the engine goes on trying
/// until the backend has the block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_keeps_lacking_a_block_is_reported_and_waited_for() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.lag_logs(1, 32);
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, stderr) = run_into(dir.path(), "e", (&anvil, &token), &[proxy.url()], "");
    assert!(
        stderr.contains("keeps changing between reads, or the endpoint does not have it"),
        "{stderr}"
    );
    assert_eq!(proxy.stats().lagged, 32);
    stored_equals_chain(&anvil, &token, &db).await;
}

//! A hostile node: answers over the size cap, answers that never end or trickle in, and
//! values no chain can hold. Memory stays bounded, a stop is prompt, and nothing
//! impossible is stored.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tokenwatch_testkit::{Anvil, Contract, LogsAnswer, RpcProxy, Tamper};

/// A config for `rpc` watching every Transfer of `contract`; `extra` ends the network.
fn config(anvil: &Anvil, rpc: &str, contract: &Contract, extra: &str) -> String {
    format!(
        "[[networks]]\nname = \"local\"\nchain_id = {}\nrpc = [\"{rpc}\"]\nconfirmations = 0\npoll_interval_ms = 100\n{extra}\n{}",
        anvil.chain_id(),
        listener(
            "t",
            &[contract.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0"
        )
    )
}

/// `tokenwatch run` (following) at info level, its log written to `dir/run.log`.
fn spawn_run(dir: &Path, config: &Path, db: &Path) -> (Child, PathBuf) {
    let log = dir.join("run.log");
    let child = run_command(config, db)
        .env("TOKENWATCH_LOG", "info")
        .stderr(std::fs::File::create(&log).expect("log file"))
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn run");
    (child, log)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Waits until the run's log says `text`.
async fn log_says(log: &Path, text: &str, timeout: Duration) {
    eventually(
        &format!("the log to say {text:?}"),
        timeout,
        || read(log).contains(text),
        || read(log),
    )
    .await;
}

fn sigterm(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// The largest resident size (KiB) the process has had so far.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_over_the_cap_are_split_and_a_block_over_it_stops_the_network() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let spammer = anvil.deploy("EventSpammer", &[]).await.expect("deploy");
    let to = accounts[1].to_string();
    // Two blocks of 1,000 logs: about 0.65 MB each, 1.3 MB together.
    for _ in 0..2 {
        spammer.send("spam", &[&to, "1000"]).await.expect("spam");
    }
    // Below the newest blocks (read one by one, by hash) they are read as one range.
    anvil.client().mine(10).await.expect("mine");
    let dir = tempfile::tempdir().expect("tempdir");
    let text = config(&anvil, &anvil.url(), &spammer, "max_response_mb = 1");
    let cfg = write(dir.path(), "c.toml", &text);
    let db = dir.path().join("e.db");
    let out = run_command(&cfg, &db)
        .arg("--until-head")
        .env("TOKENWATCH_LOG", "info")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("answer too large; splitting"), "{stderr}");
    let chain = chain_logs(&anvil, &spammer.address().to_string()).await;
    assert_eq!(chain.len(), 2000);
    assert_eq!(keys(&export(&db, &[])), chain, "every log stored once");

    // One block of 2,000 logs is over 1 MB by itself: no split helps (a newest block,
    // read by its hash).
    let big = spammer.send("spam", &[&to, "2000"]).await.expect("spam");
    let out = run_until_head_cli(&cfg, &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let want = format!(
        "the logs of block {} are larger than max_response_mb = 1 MB",
        big.block_number
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert_eq!(export(&db, &[]).len(), 2000, "what was stored stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_answer_is_cut_at_the_cap_and_memory_stays_bounded() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.answer_logs(Some(LogsAnswer::Endless));
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "c.toml",
        &config(&anvil, &proxy.url(), &token, ""),
    );
    let db = dir.path().join("e.db");
    let mut child = run_command(&cfg, &db)
        .arg("--until-head")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut peak = 0;
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("larger than max_response_mb = 32 MB"),
        "{stderr}"
    );
    eprintln!("peak memory of run: {} MB", peak / 1024);
    assert!(peak > 0, "the run's memory was read");
    assert!(peak < 300 * 1024, "peak memory {} MB", peak / 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_a_trickled_request_within_5_seconds() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    proxy.answer_logs(Some(LogsAnswer::Trickle(Duration::from_millis(500))));
    let dir = tempfile::tempdir().expect("tempdir");
    let text = config(&anvil, &proxy.url(), &token, "request_timeout_ms = 120000");
    let cfg = write(dir.path(), "c.toml", &text);
    let (mut child, log) = spawn_run(dir.path(), &cfg, &dir.path().join("e.db"));
    // chain id, head, then a log query that trickles in.
    eventually(
        "a log query in flight",
        Duration::from_secs(20),
        || proxy.stats().requests >= 3,
        || read(&log),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    sigterm(&child);
    let asked = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "still running 5 s after SIGTERM: {}",
            read(&log)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("stopped {:?} after SIGTERM", asked.elapsed());
    assert_eq!(
        child.wait().expect("exit").code(),
        Some(0),
        "{}",
        read(&log)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impossible_values_are_refused_named_and_nothing_of_them_stored() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let token = token_with_transfers(&anvil, 3).await;
    let proxy = RpcProxy::start(&anvil.url()).await.expect("proxy");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "c.toml",
        &config(&anvil, &proxy.url(), &token, ""),
    );
    let db = dir.path().join("e.db");
    let address = token.address().to_string();
    let stored_is_chain = async |what: &str| {
        let chain = chain_logs(&anvil, &address).await;
        eventually(
            what,
            Duration::from_secs(20),
            || keys(&export(&db, &[])) == chain,
            || format!("{:?}", export(&db, &[])),
        )
        .await;
    };

    proxy.tamper(Some(Tamper::LogIndexMax));
    let (mut child, log) = spawn_run(dir.path(), &cfg, &db);
    let endpoint = proxy.url();
    log_says(
        &log,
        "answered an impossible logIndex",
        Duration::from_secs(20),
    )
    .await;
    let line = read(&log)
        .lines()
        .find(|l| l.contains("impossible logIndex"))
        .unwrap_or_default()
        .to_string();
    assert!(line.contains("WARN") && line.contains(&endpoint), "{line}");
    assert!(
        export(&db, &[]).is_empty(),
        "nothing stored from the impossible answer"
    );
    proxy.tamper(None);
    stored_is_chain("the chain stored once the answers are sane").await;

    // Headers with a time after the year 9999.
    proxy.tamper(Some(Tamper::HeaderTimeMax));
    transfers(&token, &accounts, 1).await;
    log_says(
        &log,
        "answered an impossible timestamp",
        Duration::from_secs(20),
    )
    .await;
    proxy.tamper(None);
    stored_is_chain("the new transfer stored once the headers are sane").await;
    let rows = export(&db, &[]);
    assert!(
        rows.iter()
            .all(|r| !r[4].starts_with("1969") && !r[4].is_empty()),
        "block times are real: {rows:?}"
    );

    // Logs whose block hash no header has: the network says it is stuck, and why.
    proxy.tamper(Some(Tamper::LogBlockHash));
    transfers(&token, &accounts, 1).await;
    log_says(&log, "Stuck at block", Duration::from_secs(30)).await;
    proxy.tamper(None);
    stored_is_chain("the transfer stored once the hashes agree").await;

    // A head that goes backwards.
    let head = anvil.client().block_number().await.expect("head");
    proxy.freeze_at(head - 2);
    log_says(
        &log,
        &format!("head went back from block {head} to {}", head - 2),
        Duration::from_secs(20),
    )
    .await;
    sigterm(&child);
    assert_eq!(
        child.wait().expect("exit").code(),
        Some(0),
        "{}",
        read(&log)
    );
}

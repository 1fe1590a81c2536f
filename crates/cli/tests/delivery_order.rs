//! Order after a park, against a real receiver that resets its first connections and the
//! `tokenwatch` binary on a real anvil: messages created after a park wait behind it
//! ("held") until a redelivery sends them all in block order, `on_park = "skip"` lets
//! them go on, and `run --until-head` exits with held messages and says so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tokenwatch_testkit::{Anvil, Contract};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A webhook receiver on a local port: resets its first `resets` connections (the sender
/// sees "connection reset by peer"), then answers 200 and keeps each body, in arrival order.
struct ResettingReceiver {
    port: u16,
    got: Arc<Mutex<Vec<serde_json::Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ResettingReceiver {
    async fn start(resets: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let left = Arc::new(AtomicUsize::new(resets));
        let (got2, left2) = (got.clone(), left.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let reset = left2
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                if reset {
                    stream.set_zero_linger().expect("linger");
                    drop(stream);
                } else {
                    tokio::spawn(serve(stream, got2.clone()));
                }
            }
        });
        Self { port, got, task }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    /// Block numbers of the messages received so far, in arrival order.
    fn blocks(&self) -> Vec<u64> {
        let got = self.got.lock().unwrap_or_else(|p| p.into_inner());
        got.iter()
            .map(|b| b["data"]["block_number"].as_u64().expect("block_number"))
            .collect()
    }
}

impl Drop for ResettingReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Keep-alive HTTP/1.1 on one connection: every request is kept and answered 200.
async fn serve(stream: TcpStream, got: Arc<Mutex<Vec<serde_json::Value>>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut len = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end().to_ascii_lowercase();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("content-length:") {
                len = v.trim().parse().expect("content-length");
            }
        }
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        got.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(serde_json::from_slice(&body).expect("json body"));
        let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        if reader.get_mut().write_all(ok.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A config delivering the token's transfers to webhook `ops`: two attempts, quick retries.
fn config(anvil: &Anvil, token: &Contract, url: &str, extra: &str) -> String {
    format!(
        "{}\n[[webhooks]]\nname = \"ops\"\nurl = \"{url}\"\nmax_attempts = 2\nretry_initial_ms = 50\nretry_max_ms = 100\n{extra}\n{}",
        network(anvil, 0),
        listener(
            "transfers",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0\nwebhooks = [\"ops\"]",
        )
    )
}

/// Lines of `tokenwatch deliveries` (parked and held ones), header left out; none while
/// the database does not exist yet.
fn waiting(db: &Path) -> Vec<String> {
    if !db.exists() {
        return Vec::new();
    }
    let out = tokenwatch(&["deliveries", "--db", db.to_str().expect("path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// Block numbers of the token's logs, in chain order.
async fn chain_blocks(anvil: &Anvil, token: &Contract) -> Vec<u64> {
    chain_logs(anvil, &token.address().to_string())
        .await
        .into_iter()
        .map(|(b, _, _)| b)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_after_a_park_wait_for_the_redelivery_and_then_all_go_in_block_order() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let accounts = anvil.accounts().await.expect("accounts");
    let receiver = ResettingReceiver::start(2).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "config.toml",
        &config(&anvil, &token, &receiver.url(), ""),
    );
    let db = dir.path().join("events.db");
    let mut run = run_command(&cfg, &db)
        .spawn()
        .expect("start tokenwatch run");

    // The first message (the mint) meets both resets and is parked; the three behind it wait.
    eventually(
        "the first message parked",
        Duration::from_secs(30),
        || waiting(&db).iter().any(|l| l.contains("\tparked\t")),
        || format!("{:?}", waiting(&db)),
    )
    .await;
    // New events after the park, with the receiver answering again.
    transfers(&token, &accounts, 3).await;
    eventually(
        "all seven events stored",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 7,
        || format!("{} stored", stored_rows(&db, None).len()),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.blocks(),
        Vec::<u64>::new(),
        "nothing may overtake the parked message"
    );
    eventually(
        "six held behind the parked one",
        Duration::from_secs(10),
        || {
            waiting(&db)
                .iter()
                .filter(|l| l.contains("held behind 1 parked"))
                .count()
                == 6
        },
        || format!("{:#?}", waiting(&db)),
    )
    .await;
    let list = waiting(&db);
    assert_eq!(list.len(), 7, "{list:#?}");
    assert_eq!(
        list.iter().filter(|l| l.contains("\tparked\t")).count(),
        1,
        "{list:#?}"
    );

    // Killed while holding: nothing is lost, and a redelivery sends all seven in order.
    run.kill().expect("SIGKILL");
    run.wait().expect("reaped");
    let redo = tokenwatch(&["redeliver", "--db", db.to_str().expect("path")]);
    assert!(
        redo.status.success(),
        "{}",
        String::from_utf8_lossy(&redo.stderr)
    );
    assert_eq!(
        receiver.blocks(),
        chain_blocks(&anvil, &token).await,
        "every message once, in block order"
    );
    assert!(waiting(&db).is_empty(), "{:#?}", waiting(&db));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_on_park_skip_later_messages_go_on() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let accounts = anvil.accounts().await.expect("accounts");
    let receiver = ResettingReceiver::start(2).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "config.toml",
        &config(&anvil, &token, &receiver.url(), "on_park = \"skip\""),
    );
    let db = dir.path().join("events.db");
    let mut run = run_command(&cfg, &db)
        .spawn()
        .expect("start tokenwatch run");
    eventually(
        "the first four parked",
        Duration::from_secs(30),
        || waiting(&db).len() == 4,
        || format!("{:?}", waiting(&db)),
    )
    .await;
    transfers(&token, &accounts, 3).await;
    let chain = chain_blocks(&anvil, &token).await;
    eventually(
        "the three new ones delivered past the parked ones",
        Duration::from_secs(30),
        || receiver.blocks() == chain[4..],
        || format!("{:?}", receiver.blocks()),
    )
    .await;
    let list = waiting(&db);
    assert!(
        list.iter().all(|l| l.contains("\tparked\t")),
        "nothing held: {list:#?}"
    );
    run.kill().expect("SIGKILL");
    run.wait().expect("reaped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn until_head_exits_with_messages_held_behind_a_park_and_says_so() {
    let anvil = Anvil::start().await.expect("anvil");
    let token = token_with_transfers(&anvil, 3).await;
    let receiver = ResettingReceiver::start(2).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "config.toml",
        &config(&anvil, &token, &receiver.url(), ""),
    );
    let db = dir.path().join("events.db");
    let out = run_until_head_cli(&cfg, &db);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("4 deliveries: 0 delivered, 1 parked, 3 held behind parked ones"),
        "{said}"
    );
    assert!(receiver.blocks().is_empty());
}

#[test]
fn an_unknown_on_park_is_refused_naming_the_allowed_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[[networks]]\nname = \"local\"\nchain_id = 31337\nrpc = [\"http://127.0.0.1:8545\"]\n\
        [[webhooks]]\nname = \"ops\"\nurl = \"http://127.0.0.1:9/hook\"\non_park = \"later\"\n\
        [[rabbitmq]]\nname = \"bus\"\nurl = \"amqp://127.0.0.1:5672/%2f\"\nexchange = \"tw\"\non_park = \"drop\"\n";
    let cfg = write(dir.path(), "config.toml", text);
    let out = tokenwatch(&["check", "--config", cfg.to_str().expect("path")]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    for (at, value) in [("webhooks[0]", "later"), ("rabbitmq[0]", "drop")] {
        assert!(
            said.lines().any(|l| l.contains(at)
                && l.contains("on_park")
                && l.contains(&format!("\"{value}\""))
                && l.contains("\"hold\"")
                && l.contains("\"skip\"")),
            "{said}"
        );
    }
}

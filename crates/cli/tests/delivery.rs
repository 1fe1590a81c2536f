//! Delivery against real receivers: a local HTTP webhook receiver and the `tokenwatch`
//! binary or the library engine on a real anvil. Signatures verify, every event arrives in
//! order, a receiver that is down gets everything when it is back, one that fails forever
//! is parked without blocking others, a SIGKILL between storing and delivering loses
//! nothing, and a reorg retracts what was announced.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use hmac::{Hmac, Mac};
use tokenwatch_engine::store::Store;
use tokenwatch_engine::{Engine, RunOptions};
use tokenwatch_testkit::{Address, Answer, Anvil, Contract, Received, Receiver};

/// The secret from the issue and the Standard Webhooks examples.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A token with a mint and `n` transfers, and the dev accounts.
async fn token_and_accounts(anvil: &Anvil, n: usize) -> (Contract, Vec<Address>) {
    let token = token_with_transfers(anvil, n).await;
    (token, anvil.accounts().await.expect("accounts"))
}

fn config(anvil: &Anvil, token: &Contract, webhooks: &str, listener_extra: &str) -> String {
    format!(
        "{}{webhooks}{}",
        network(anvil, 0),
        listener(
            "transfers",
            &[token.address().to_string()],
            &["erc20:Transfer"],
            &format!("from_block = 0\n{listener_extra}"),
        )
    )
}

fn webhook(name: &str, url: &str, extra: &str) -> String {
    format!("\n[[webhooks]]\nname = \"{name}\"\nurl = \"{url}\"\n{extra}\n")
}

/// Verifies a request as a Standard Webhooks receiver would; returns the payload.
fn verify(r: &Received) -> serde_json::Value {
    let id = r.header("webhook-id").expect("webhook-id");
    let ts = r.header("webhook-timestamp").expect("webhook-timestamp");
    let sig = r.header("webhook-signature").expect("webhook-signature");
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(SECRET.trim_start_matches("whsec_"))
        .expect("secret");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
    assert_eq!(sig, expected, "signature of {id}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let ts: i64 = ts.parse().expect("timestamp is seconds");
    assert!((now - ts).abs() < 300, "timestamp {ts} is current");
    r.json()
}

/// `chain_id:tx_hash:log_index` of every log of the token, in chain order.
async fn chain_idempotency_keys(anvil: &Anvil, token: &Contract) -> Vec<String> {
    chain_logs(anvil, &token.address().to_string())
        .await
        .into_iter()
        .map(|(_, tx, i)| format!("{}:{tx}:{i}", anvil.chain_id()))
        .collect()
}

fn keys_of(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| {
            r.json()["data"]["idempotency_key"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_gets_every_event_signed_and_in_order_before_run_exits() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 10).await;
    let receiver = Receiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("tempdir");
    // The documented form: a literal whsec_ secret, listener naming the webhook.
    let text = config(
        &anvil,
        &token,
        &webhook(
            "ops",
            &receiver.url(),
            &format!("secret = \"{SECRET}\"\nheaders = {{ \"X-Team\" = \"treasury\" }}"),
        ),
        "webhooks = [\"ops\"]",
    );
    let cfg = write(dir.path(), "config.toml", &text);
    let db = dir.path().join("events.db");

    let out = run_until_head_cli(&cfg, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Everything arrived before the process exited.
    let got = receiver.received();
    let expected = chain_idempotency_keys(&anvil, &token).await;
    assert_eq!(expected.len(), 11);
    assert_eq!(keys_of(&got), expected, "each event once, in chain order");
    let mut ids = std::collections::HashSet::new();
    for r in &got {
        let p = verify(r);
        assert!(ids.insert(r.header("webhook-id").expect("id").to_string()));
        assert_eq!(r.header("x-team"), Some("treasury"), "configured header");
        assert_eq!(p["type"], "event.confirmed");
        let d = &p["data"];
        assert_eq!(d["network"], "local");
        assert_eq!(d["chain_id"], anvil.chain_id());
        assert_eq!(d["listener"], "transfers");
        assert_eq!(d["event"], "Transfer");
        assert_eq!(d["status"], "confirmed");
        assert_eq!(d["contract"], token.address().to_string());
        assert!(d["args"]["value"].is_string(), "{d}");
        assert_eq!(
            d["token"],
            serde_json::json!({"decimals": 18, "symbol": "T"})
        );
    }
    // The last transfer: value 10 to account 5.
    assert_eq!(got[10].json()["data"]["args"]["value"], "10");

    // A second run has nothing new to say.
    let again = run_until_head_cli(&cfg, &db);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(receiver.received().len(), 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_down_for_a_while_gets_everything_in_order_when_back() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, accounts) = token_and_accounts(&anvil, 3).await;
    let mut receiver = Receiver::start().await.expect("receiver");
    receiver.stop();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    // The secret from an environment variable.
    std::env::set_var("TW_TEST_DOWN_SECRET", SECRET);
    let text = config(
        &anvil,
        &token,
        &webhook(
            "ops",
            &receiver.url(),
            "secret_env = \"TW_TEST_DOWN_SECRET\"\nretry_initial_ms = 100\nretry_max_ms = 400\nmax_attempts = 1000",
        ),
        "webhooks = [\"ops\"]",
    );
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    transfers(&token, &accounts, 3).await;
    eventually(
        "all events stored",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 7,
        || format!("{:?}", engine.status()),
    )
    .await;
    // The engine keeps trying while the receiver is down: all seven wait, the reason shown.
    eventually(
        "seven deliveries queued behind a failing attempt",
        Duration::from_secs(10),
        || {
            engine.status().targets.iter().any(|t| {
                t.target == "webhook:ops"
                    && t.queued == 7
                    && t.parked == 0
                    && t.last_error.is_some()
                    && t.last_ok_ms.is_none()
            })
        },
        || format!("{:?}", engine.status().targets),
    )
    .await;
    receiver.resume().await.expect("receiver back");
    transfers(&token, &accounts, 3).await;
    let expected = chain_idempotency_keys(&anvil, &token).await;
    assert_eq!(expected.len(), 10);
    let got = receiver
        .wait_for(10, Duration::from_secs(30))
        .await
        .expect("deliveries after the receiver came back");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_keys = keys_of(&receiver.received());
    assert_eq!(
        got_keys, expected,
        "nothing lost, nothing doubled, in order"
    );
    for r in &got {
        verify(r);
    }
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_a_failure_not_a_delivery() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 1).await;
    let moved = Receiver::start().await.expect("receiver");
    moved.set_answer(Answer::Status(302));
    let dir = tempfile::tempdir().expect("tempdir");
    let hook = webhook(
        "moved",
        &moved.url(),
        &format!("secret = \"{SECRET}\"\nmax_attempts = 2\nretry_initial_ms = 20"),
    );
    let cfg = write(
        dir.path(),
        "config.toml",
        &config(&anvil, &token, &hook, "webhooks = [\"moved\"]"),
    );
    let db = dir.path().join("events.db");
    let out = run_until_head_cli(&cfg, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(moved.received().len(), 2, "tried twice, as configured");
    let list = tokenwatch(&["deliveries", "--db", db.to_str().expect("path")]);
    let text = String::from_utf8_lossy(&list.stdout);
    let parked: Vec<&str> = text.lines().skip(1).collect();
    assert!(!parked.is_empty(), "{text}");
    assert!(parked.iter().all(|l| l.contains("webhook:moved")), "{text}");
    assert!(parked[parked.len() - 1].contains("HTTP 302"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_receiver_is_parked_without_blocking_the_other_and_redelivered_later() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 4).await;
    let good = Receiver::start().await.expect("receiver");
    let bad = Receiver::start().await.expect("receiver");
    bad.set_answer(Answer::Status(500));
    let dir = tempfile::tempdir().expect("tempdir");
    let hooks = format!(
        "{}{}",
        webhook("good", &good.url(), &format!("secret = \"{SECRET}\"")),
        webhook(
            "broken",
            &bad.url(),
            &format!("secret = \"{SECRET}\"\nmax_attempts = 3\nretry_initial_ms = 20"),
        )
    );
    let cfg = write(
        dir.path(),
        "config.toml",
        &config(&anvil, &token, &hooks, "webhooks = [\"broken\", \"good\"]"),
    );
    let db = dir.path().join("events.db");
    let out = run_until_head_cli(&cfg, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let expected = chain_idempotency_keys(&anvil, &token).await;
    assert_eq!(
        keys_of(&good.received()),
        expected,
        "the good target got everything"
    );
    // The first message was tried three times with the same id; then it was parked, and
    // the rest of its lane held behind it (in order, waiting for a redelivery).
    let tried = bad.received();
    assert_eq!(tried.len(), 3);
    let first_id = tried[0].header("webhook-id").map(str::to_string);
    assert!(tried
        .iter()
        .all(|r| r.header("webhook-id").map(str::to_string) == first_id));
    assert_eq!(keys_of(&tried[..1]), expected[..1]);

    let list = tokenwatch(&["deliveries", "--db", db.to_str().expect("path")]);
    assert!(list.status.success());
    let text = String::from_utf8_lossy(&list.stdout);
    let parked: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(parked.len(), expected.len(), "{text}");
    assert!(
        parked.iter().all(|l| l.contains("webhook:broken")),
        "{text}"
    );
    // Newest first: the last line is the message that was tried.
    assert!(parked[parked.len() - 1].contains("HTTP 500"), "{text}");
    assert!(
        parked[..parked.len() - 1]
            .iter()
            .all(|l| l.contains("held behind 1 parked")),
        "{text}"
    );

    // Fixed: one command sends them again, with the same ids.
    bad.set_answer(Answer::Status(200));
    let redo = tokenwatch(&["redeliver", "--db", db.to_str().expect("path")]);
    assert!(
        redo.status.success(),
        "{}",
        String::from_utf8_lossy(&redo.stderr)
    );
    let after: Vec<Received> = bad.received().split_off(tried.len());
    assert_eq!(keys_of(&after), expected);
    assert_eq!(
        after[0].header("webhook-id").map(str::to_string),
        first_id,
        "same id again"
    );
    for r in &after {
        verify(r);
    }
    let list = tokenwatch(&["deliveries", "--db", db.to_str().expect("path")]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout).lines().count(),
        1,
        "nothing parked"
    );
}

/// `tokenwatch redeliver` while a run holds the database: the parked message and the ones
/// held behind it are queued again, and the running process sends them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redeliver_during_a_run_is_sent_by_that_run() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 2).await;
    let receiver = Receiver::start().await.expect("receiver");
    receiver.set_answer(Answer::Status(500));
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    let text = config(
        &anvil,
        &token,
        &webhook(
            "ops",
            &receiver.url(),
            &format!("secret = \"{SECRET}\"\nmax_attempts = 1"),
        ),
        "webhooks = [\"ops\"]",
    );
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    eventually(
        "one delivery parked, two held behind it",
        Duration::from_secs(30),
        || {
            engine
                .status()
                .targets
                .iter()
                .any(|t| t.target == "webhook:ops" && t.parked == 1 && t.held == 2 && t.queued == 0)
        },
        || format!("{:?}", engine.status().targets),
    )
    .await;
    let tried = receiver.received().len();
    receiver.set_answer(Answer::Status(200));
    let redo = tokenwatch(&["redeliver", "--db", db.to_str().expect("path")]);
    let said = String::from_utf8_lossy(&redo.stdout);
    assert!(
        redo.status.success(),
        "{}",
        String::from_utf8_lossy(&redo.stderr)
    );
    assert!(said.contains("the running tokenwatch sends them"), "{said}");
    let got = receiver
        .wait_for(tried + 3, Duration::from_secs(30))
        .await
        .expect("sent by the running engine");
    let expected = chain_idempotency_keys(&anvil, &token).await;
    assert_eq!(keys_of(&got[tried..]), expected, "all three, in order");
    engine.shutdown().await.expect("shutdown");
}

/// A config delivering to webhook `ops` at `receiver`, which takes requests and never
/// answers (a 60 s timeout: stored, not yet delivered).
fn silent_receiver_config(
    dir: &Path,
    anvil: &Anvil,
    token: &Contract,
    receiver: &Receiver,
) -> PathBuf {
    receiver.set_answer(Answer::Hang);
    let hook = webhook(
        "ops",
        &receiver.url(),
        &format!("secret = \"{SECRET}\"\ntimeout_ms = 60000"),
    );
    write(
        dir,
        "config.toml",
        &config(anvil, token, &hook, "webhooks = [\"ops\"]"),
    )
}

/// `run --until-head` waits for its deliveries; interrupted before they are done, it says
/// so with exit 1, and what was not delivered stays queued for the next run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn until_head_interrupted_before_its_deliveries_are_done_exits_1() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 2).await;
    let receiver = Receiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = silent_receiver_config(dir.path(), &anvil, &token, &receiver);
    let db = dir.path().join("events.db");
    let mut child = run_command(&cfg, &db)
        .arg("--until-head")
        .spawn()
        .expect("spawn tokenwatch");
    receiver
        .wait_for(1, Duration::from_secs(30))
        .await
        .expect("first attempt");
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(interrupt.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running after SIGINT"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        status.code(),
        Some(1),
        "interrupted before its deliveries were done"
    );
    let queued = Store::open_reader(&db)
        .expect("db")
        .queued_count(&[])
        .expect("count");
    assert_eq!(queued, 3, "every delivery still queued for the next run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_between_storing_and_delivering_loses_nothing_and_keeps_the_id() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, _) = token_and_accounts(&anvil, 5).await;
    let receiver = Receiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = silent_receiver_config(dir.path(), &anvil, &token, &receiver);
    let db = dir.path().join("events.db");
    let mut child = run_command(&cfg, &db).spawn().expect("spawn tokenwatch");
    let first = receiver
        .wait_for(1, Duration::from_secs(30))
        .await
        .expect("first attempt")[0]
        .clone();
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let queued = Store::open_reader(&db)
        .expect("db")
        .queued_count(&[])
        .expect("count");
    assert_eq!(queued, 6, "all six deliveries still queued after the kill");

    receiver.set_answer(Answer::Status(200));
    let out = run_until_head_cli(&cfg, &db);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = receiver.received();
    let expected = chain_idempotency_keys(&anvil, &token).await;
    assert_eq!(
        keys_of(&got[1..]),
        expected,
        "every event after the restart, in order"
    );
    assert_eq!(
        got[1].header("webhook-id"),
        first.header("webhook-id"),
        "same message id"
    );
    assert_eq!(
        keys_of(&got[..1]),
        keys_of(&got[1..2]),
        "same idempotency key"
    );
    for r in &got {
        verify(r);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reorg_delivers_a_retraction_for_an_announced_event() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, accounts) = token_and_accounts(&anvil, 0).await;
    let receiver = Receiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    let text = config(
        &anvil,
        &token,
        &webhook("ops", &receiver.url(), &format!("secret = \"{SECRET}\"")),
        "webhooks = [\"ops\"]",
    )
    .replace("confirmations = 0", "confirmations = 3");
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    receiver
        .wait_for(1, Duration::from_secs(30))
        .await
        .expect("mint announced");
    token
        .send("transfer", &[&accounts[1].to_string(), "77"])
        .await
        .expect("transfer");
    let got = receiver
        .wait_for(2, Duration::from_secs(30))
        .await
        .expect("transfer announced");
    let announced = got[1].json();
    assert_eq!(announced["type"], "event.pending");
    assert_eq!(announced["data"]["args"]["value"], "77");

    // Replace the transfer's block with one holding another transfer.
    let tx = token
        .tx_request(
            &tokenwatch_testkit::TxOptions::default(),
            "transfer",
            &[&accounts[2].to_string(), "88"],
        )
        .expect("tx");
    anvil.reorg(1, &[(tx, 0)]).await.expect("reorg");
    let got = receiver
        .wait_for(4, Duration::from_secs(30))
        .await
        .expect("retraction and new event");
    let retraction = got
        .iter()
        .map(verify)
        .find(|p| p["type"] == "event.removed")
        .expect("a retraction");
    assert_eq!(
        retraction["data"]["idempotency_key"],
        announced["data"]["idempotency_key"]
    );
    assert_eq!(retraction["data"]["status"], "removed");
    assert!(got
        .iter()
        .any(|r| r.json()["data"]["args"]["value"] == "88"));
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_webhooks_skip_the_first_backfill_but_announce_new_events() {
    let anvil = Anvil::start().await.expect("anvil");
    let (token, accounts) = token_and_accounts(&anvil, 5).await;
    let slack = Receiver::start().await.expect("receiver");
    let data = Receiver::start().await.expect("receiver");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    let hooks = format!(
        "{}{}",
        webhook("team", &slack.url(), "format = \"slack\""),
        webhook("data", &data.url(), "")
    );
    let text = config(&anvil, &token, &hooks, "webhooks = [\"team\", \"data\"]");
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    data.wait_for(6, Duration::from_secs(30))
        .await
        .expect("history to the data webhook");
    token
        .send("transfer", &[&accounts[3].to_string(), "4321"])
        .await
        .expect("transfer");
    let got = slack
        .wait_for(1, Duration::from_secs(30))
        .await
        .expect("new event to slack");
    data.wait_for(7, Duration::from_secs(30))
        .await
        .expect("new event to data");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        slack.received().len(),
        1,
        "history was not posted to the chat"
    );
    let text = got[0].json()["text"].as_str().unwrap_or("").to_string();
    assert!(
        text.starts_with("Transfer on local (transfers): from 0xf39F…2266"),
        "{text}"
    );
    // Slack shows `&lt;` as `<` (its escaping of & < >).
    assert!(text.contains("value &lt; 0.000001 T"), "{text}");
    assert!(
        got[0].header("webhook-signature").is_none(),
        "unsigned without a secret"
    );
    engine.shutdown().await.expect("shutdown");
}

#[test]
fn bad_delivery_config_names_each_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"
[[networks]]
name = "local"
chain_id = 31337
rpc = ["http://127.0.0.1:8545"]

[[webhooks]]
name = "ops"
url = "ftp://example.com/hook"
secret = "whsec_%%%"

[[webhooks]]
name = "env"
url = "http://127.0.0.1:9000/hook"
secret_env = "TW_SURELY_NOT_SET_VARIABLE"
headers = { "webhook-id" = "x", "bad name" = "y" }

[[rabbitmq]]
name = "bus"
url = "http://127.0.0.1:5672"
exchange = "events"

[[rabbitmq]]
name = "long"
url = "amqp://127.0.0.1:5672"
exchange = "EXCHANGE"

[[listeners]]
name = "transfers"
network = "local"
events = ["erc20:Transfer"]
webhooks = ["ops", "missing"]
rabbitmq = ["nope"]
"#;
    let text = text.replace("EXCHANGE", &"x".repeat(256));
    let cfg = write(dir.path(), "config.toml", &text);
    let out = tokenwatch(&["check", "--config", cfg.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "webhooks[0] (\"ops\").url: \"ftp://example.com/hook\" is not an http:// or https:// URL",
        "webhooks[0] (\"ops\").secret: the secret is not whsec_ followed by base64",
        "webhooks[1] (\"env\").secret_env: environment variable TW_SURELY_NOT_SET_VARIABLE is not set",
        "webhooks[1] (\"env\").headers.\"webhook-id\": is set by Tokenwatch itself",
        "webhooks[1] (\"env\").headers.\"bad name\": is not a valid header name",
        "rabbitmq[0] (\"bus\").url: \"http://127.0.0.1:5672\" is not an amqp:// or amqps:// URL",
        "listeners[0] (\"transfers\").webhooks[1]: unknown webhook \"missing\"; defined: ops, env",
        "rabbitmq[1] (\"long\").exchange: an exchange name is at most 255 bytes (AMQP)",
        "listeners[0] (\"transfers\").rabbitmq[0]: unknown rabbitmq target \"nope\"; defined: bus, long",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

/// A clock the test moves by hand (minutes of the local day and a monotonic instant).
struct TestClock(std::sync::Mutex<(std::time::Instant, u32)>);

impl tokenwatch_engine::deliver::desktop::Clock for TestClock {
    fn now(&self) -> std::time::Instant {
        self.0.lock().expect("clock").0
    }
    fn local_minute_of_day(&self) -> u32 {
        self.0.lock().expect("clock").1
    }
}

impl TestClock {
    fn at(minute_of_day: u32) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self(std::sync::Mutex::new((
            std::time::Instant::now(),
            minute_of_day,
        ))))
    }

    fn set(&self, advance: Duration, minute_of_day: u32) {
        let mut g = self.0.lock().expect("clock");
        g.0 += advance;
        g.1 = minute_of_day;
    }
}

/// Engine options with a desktop target that records into `shown` on `clock`'s time.
fn desktop_options(
    shown: &std::sync::Arc<Shown>,
    clock: &std::sync::Arc<TestClock>,
    policy: tokenwatch_engine::deliver::desktop::DesktopPolicy,
) -> RunOptions {
    use tokenwatch_engine::deliver::desktop::DesktopSink;
    use tokenwatch_engine::deliver::{RetryPolicy, Target, TargetKey};
    RunOptions {
        host_targets: vec![Target {
            key: TargetKey::Desktop,
            sink: std::sync::Arc::new(DesktopSink::new(shown.clone(), clock.clone(), policy)),
            retry: RetryPolicy::default(),
        }],
        ..RunOptions::default()
    }
}

/// Records pop-ups instead of showing them (the app's OS notifier is tested end to end).
#[derive(Default)]
struct Shown(std::sync::Mutex<Vec<tokenwatch_engine::deliver::desktop::Popup>>);

impl tokenwatch_engine::deliver::desktop::Notifier for Shown {
    fn show(
        &self,
        p: &tokenwatch_engine::deliver::desktop::Popup,
    ) -> Result<(), tokenwatch_engine::deliver::desktop::NotifyError> {
        self.0.lock().expect("shown").push(p.clone());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desktop_popups_skip_history_wait_out_quiet_hours_and_summarise_bursts() {
    use std::sync::Arc;
    use tokenwatch_engine::deliver::desktop::{parse_quiet_hours, DesktopPolicy};

    let anvil = Anvil::start().await.expect("anvil");
    let (token, accounts) = token_and_accounts(&anvil, 5).await;
    let clock = TestClock::at(23 * 60);
    let shown = Arc::new(Shown::default());
    let policy = DesktopPolicy {
        burst: 3,
        window: Duration::from_secs(60),
        quiet_hours: Some(parse_quiet_hours("22:00-07:00").expect("range")),
        recheck: Duration::from_millis(100),
    };
    let opts = desktop_options(&shown, &clock, policy);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    let engine = Engine::start(
        parse_config(&config(&anvil, &token, "", "notify = true")),
        &db,
        opts,
    )
    .await
    .expect("engine");
    eventually(
        "the history stored",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 6,
        || format!("{:?}", engine.status()),
    )
    .await;
    // Six new transfers during quiet hours: stored, not shown.
    transfers(&token, &accounts, 6).await;
    eventually(
        "the new events stored",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 12,
        || format!("{:?}", engine.status()),
    )
    .await;
    // Queued for the desktop (held by the quiet hours), the history not at all.
    let desktop_queued = |n: u64| {
        let status = engine.status();
        status
            .targets
            .iter()
            .any(|t| t.target == "desktop" && t.queued == n)
    };
    eventually(
        "six pop-ups held",
        Duration::from_secs(10),
        || desktop_queued(6),
        || format!("{:?}", engine.status().targets),
    )
    .await;
    assert!(
        shown.0.lock().expect("shown").is_empty(),
        "nothing during quiet hours, no history"
    );

    // 07:00: two pop-ups and one summary for the other four.
    clock.set(Duration::from_secs(8 * 3600), 7 * 60);
    eventually(
        "pop-ups after the quiet hours",
        Duration::from_secs(10),
        || shown.0.lock().expect("shown").len() >= 3,
        || format!("{:?}", engine.status().targets),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let popups = shown.0.lock().expect("shown").clone();
    assert_eq!(popups.len(), 3, "{popups:?}");
    // TestERC20 "T" with 18 decimals; the transfers move 1, 2, ... base units.
    assert_eq!(popups[0].title, "New Transfer of < 0.000001 T on local");
    assert!(
        popups[0]
            .body
            .starts_with("from 0xf39F…2266, to 0x7099…79C8"),
        "{}",
        popups[0].body
    );
    assert_eq!(popups[2].title, "4 Transfer events on local");
    assert_eq!(popups[2].event_id, None);

    // The window is full: the next one waits for it, then shows.
    transfers(&token, &accounts, 1).await;
    eventually(
        "the next event stored and held for the window",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 13 && desktop_queued(1),
        || format!("{:?}", engine.status().targets),
    )
    .await;
    assert_eq!(shown.0.lock().expect("shown").len(), 3);
    clock.set(Duration::from_secs(61), 7 * 60 + 1);
    eventually(
        "the pop-up after the window",
        Duration::from_secs(10),
        || shown.0.lock().expect("shown").len() == 4,
        || format!("{:?}", engine.status().targets),
    )
    .await;
    // The status board follows the attempt's record, a moment after the pop-up.
    let desktop_queue = || {
        engine
            .status()
            .targets
            .iter()
            .find(|t| t.target == "desktop")
            .map(|d| (d.queued, d.parked))
    };
    eventually(
        "the desktop queue reported empty",
        Duration::from_secs(10),
        || desktop_queue() == Some((0, 0)),
        || format!("{:?}", desktop_queue()),
    )
    .await;
    engine.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_while_the_app_was_closed_are_announced_when_it_catches_up() {
    use std::sync::Arc;
    use tokenwatch_engine::deliver::desktop::DesktopPolicy;

    let anvil = Anvil::start().await.expect("anvil");
    let (token, accounts) = token_and_accounts(&anvil, 2).await;
    let clock = TestClock::at(12 * 60);
    let shown = Arc::new(Shown::default());
    let opts = || desktop_options(&shown, &clock, DesktopPolicy::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("events.db");
    let text = config(&anvil, &token, "", "notify = true");
    let engine = Engine::start(parse_config(&text), &db, opts())
        .await
        .expect("engine");
    eventually(
        "the history stored",
        Duration::from_secs(30),
        || stored_rows(&db, None).len() == 3,
        || format!("{:?}", engine.status()),
    )
    .await;
    engine.shutdown().await.expect("shutdown");

    // Closed: eight transfers happen meanwhile.
    transfers(&token, &accounts, 8).await;
    let engine = Engine::start(parse_config(&text), &db, opts())
        .await
        .expect("engine again");
    eventually(
        "the catch-up announced",
        Duration::from_secs(30),
        || shown.0.lock().expect("shown").len() >= 3,
        || format!("{:?}", engine.status().targets),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let popups = shown.0.lock().expect("shown").clone();
    let titles: Vec<&str> = popups.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "New Transfer of < 0.000001 T on local",
            "New Transfer of < 0.000001 T on local",
            "6 Transfer events on local"
        ],
        "the eight missed transfers, summarised; the three of the first backfill not at all"
    );
    engine.shutdown().await.expect("shutdown");
}

//! Delivery facing hostile input on a real anvil and real receivers: event text chosen by
//! whoever emits it reaches chat services inert and capped (and data webhooks unchanged),
//! and a receiver whose answer never ends cannot fill memory or hold a delivery.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokenwatch_engine::store::Store;
use tokenwatch_engine::{Engine, RunOptions};
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::{Anvil, Contract, Received, Receiver};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HOSTILE: &str = "<!channel> <https://evil.example/claim|Claim your airdrop> @everyone";

fn webhook(name: &str, url: &str, extra: &str) -> String {
    format!("\n[[webhooks]]\nname = \"{name}\"\nurl = \"{url}\"\n{extra}\n")
}

/// A config watching EventZoo's `BytesString(bytes data, string text)` into `hooks`.
fn zoo_config(anvil: &Anvil, zoo: &Contract, hooks: &str, names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(
        "{}{hooks}{}",
        network(anvil, 0),
        listener(
            "zoo",
            &[zoo.address().to_string()],
            &["event BytesString(bytes data, string text)"],
            &format!("from_block = 0\nwebhooks = [{}]", names.join(", ")),
        )
    )
}

/// The value after `text ` in a chat line, up to the block.
fn text_value(line: &str) -> &str {
    let after = line.split_once(", text ").map_or("", |(_, v)| v);
    after.split(" — block").next().unwrap_or("")
}

fn field(r: &Received, key: &str) -> String {
    r.json()[key].as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_text_reaches_chats_inert_and_capped_and_data_webhooks_unchanged() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    zoo.send("emitBytesString", &["0x01", "history"])
        .await
        .expect("emit");
    let (slack, discord, telegram, data) = (
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
        Receiver::start().await.expect("receiver"),
    );
    let hooks = [
        webhook("slack", &slack.url(), "format = \"slack\""),
        webhook("discord", &discord.url(), "format = \"discord\""),
        webhook(
            "telegram",
            &telegram.url(),
            "format = \"telegram\"\nchat_id = \"-100\"",
        ),
        webhook("data", &data.url(), ""),
    ]
    .concat();
    let text = zoo_config(
        &anvil,
        &zoo,
        &hooks,
        &["slack", "discord", "telegram", "data"],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::start(
        parse_config(&text),
        &dir.path().join("e.db"),
        RunOptions::default(),
    )
    .await
    .expect("engine");
    let wait = Duration::from_secs(30);
    data.wait_for(1, wait).await.expect("history to data");
    let long = "ü*".repeat(1500);
    zoo.send("emitBytesString", &["0x02", HOSTILE])
        .await
        .expect("emit hostile");
    zoo.send("emitBytesString", &["0x03", &long])
        .await
        .expect("emit long");
    let data_got = data.wait_for(3, wait).await.expect("data");
    let slack_got = slack.wait_for(2, wait).await.expect("slack");
    let discord_got = discord.wait_for(2, wait).await.expect("discord");
    let telegram_got = telegram.wait_for(2, wait).await.expect("telegram");

    // Data carries the exact strings.
    assert_eq!(data_got[1].json()["data"]["args"]["text"], HOSTILE);
    assert_eq!(data_got[2].json()["data"]["args"]["text"], long.as_str());

    // Slack: no <!channel>, no <url|label> link, no mention.
    let s = field(&slack_got[0], "text");
    assert_eq!(
        text_value(&s),
        "&lt;!channel&gt; &lt;https://evil.example/claim|Claim your airdrop&gt; @everyone",
        "{s}"
    );
    assert!(!s.contains('<') && !s.contains('>'), "{s}");

    // Discord: no mention pings whatever the text, markdown and @everyone neutralised.
    let d = &discord_got[0];
    assert_eq!(
        d.json()["allowed_mentions"],
        serde_json::json!({"parse": []})
    );
    let c = field(d, "content");
    assert_eq!(
        text_value(&c),
        "\\<!channel\\> \\<https\\://evil.example/claim\\|Claim your airdrop\\> @\u{200B}everyone",
        "{c}"
    );
    assert!(!c.contains("@everyone"), "{c}");

    // Telegram: sent as plain text (no parse_mode), so the text is shown as written.
    let t = &telegram_got[0];
    assert!(t.json().get("parse_mode").is_none(), "{:?}", t.json());
    assert_eq!(text_value(&field(t, "text")), HOSTILE);

    // 3,000 characters: every chat message keeps its start and `…`, within the limit.
    for (r, key, limit) in [
        (&slack_got[1], "text", 3000),
        (&discord_got[1], "content", 2000),
        (&telegram_got[1], "text", 4096),
    ] {
        let line = field(r, key);
        let value = text_value(&line);
        assert!(value.starts_with("ü"), "{line}");
        assert!(value.ends_with('…'), "{line}");
        assert!(value.chars().count() <= 200, "{} characters", value.len());
        assert!(line.chars().count() <= limit, "{line}");
        assert!(line.contains(" — block "), "the line ends as usual: {line}");
    }
    engine.shutdown().await.expect("shutdown");
}

/// How a hostile receiver sends its endless answer body.
#[derive(Clone, Copy)]
enum Pace {
    /// 64 KiB chunks as fast as the socket takes them (up to 128 MiB, so an unbounded
    /// reader fails this test instead of exhausting the machine, then silence).
    Flood,
    /// One byte every 200 ms.
    Trickle,
}

/// A receiver answering every request `HTTP/1.1 500` with a chunked body that never ends.
/// Returns its URL, the bytes written, and whether the sender dropped the connection.
async fn endless_500(pace: Pace) -> (String, Arc<AtomicU64>, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let written = Arc::new(AtomicU64::new(0));
    let dropped = Arc::new(AtomicBool::new(false));
    let (w, d) = (written.clone(), dropped.clone());
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let (w, d) = (w.clone(), d.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|x| x == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let start = "HTTP/1.1 500 Internal Server Error\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n";
                if conn.write_all(start.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = match pace {
                    Pace::Flood => format!("10000\r\n{}\r\n", "E".repeat(0x10000)),
                    Pace::Trickle => "1\r\nE\r\n".to_string(),
                };
                loop {
                    if w.load(Ordering::Relaxed) >= 128 << 20 {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                    }
                    if conn.write_all(chunk.as_bytes()).await.is_err() {
                        d.store(true, Ordering::Relaxed);
                        return;
                    }
                    w.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    if let Pace::Trickle = pace {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
        }
    });
    (url, written, dropped)
}

/// A value of `/proc/self/status` in bytes (e.g. `VmRSS`, `VmHWM`).
fn proc_status(key: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("a kB value");
    kb * 1024
}

/// Runs the engine against an endless receiver until the event's first attempt is
/// recorded; returns that attempt and how long it took from the emit.
async fn first_attempt(
    url: &str,
    timeout_ms: u64,
) -> (tokenwatch_engine::store::AttemptRow, Duration) {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    let hook = webhook(
        "ops",
        url,
        &format!("timeout_ms = {timeout_ms}\nmax_attempts = 1"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = zoo_config(&anvil, &zoo, &hook, &["ops"]);
    let engine = Engine::start(parse_config(&text), &db, RunOptions::default())
        .await
        .expect("engine");
    let emitted = Instant::now();
    zoo.send("emitBytesString", &["0x01", "x"])
        .await
        .expect("emit");
    let attempts = || {
        Store::open_reader(&db)
            .and_then(|s| s.recent_attempts(10))
            .unwrap_or_default()
    };
    eventually(
        "the first attempt",
        Duration::from_secs(60),
        || !attempts().is_empty(),
        String::new,
    )
    .await;
    let took = emitted.elapsed();
    engine.shutdown().await.expect("shutdown");
    let attempt = attempts().pop().expect("an attempt");
    (attempt, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_error_body_is_read_up_to_4_kib_then_dropped() {
    let (url, written, dropped) = endless_500(Pace::Flood).await;
    // Peak memory from here on: reset the high-water mark where the kernel allows it.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = proc_status("VmRSS");
    let (attempt, took) = first_attempt(&url, 20_000).await;
    let growth = proc_status("VmHWM").saturating_sub(before);
    assert!(!attempt.ok);
    assert_eq!(attempt.code, Some(500));
    let error = attempt.error.unwrap_or_default();
    assert!(
        error.starts_with("the receiver answered HTTP 500"),
        "{error}"
    );
    assert!(error.chars().count() < 300, "{error}");
    assert!(
        growth < 50 << 20,
        "memory grew by {} MB while the receiver sent {} MB",
        growth >> 20,
        written.load(Ordering::Relaxed) >> 20
    );
    assert!(
        took < Duration::from_secs(15),
        "recorded {took:?} after the emit, with a 20 s timeout: the body was not cut off"
    );
    eventually(
        "the receiver to see the connection dropped",
        Duration::from_secs(10),
        || dropped.load(Ordering::Relaxed),
        || format!("{} bytes written", written.load(Ordering::Relaxed)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_error_body_holds_a_delivery_no_longer_than_its_timeout() {
    let (url, _, _) = endless_500(Pace::Trickle).await;
    let (attempt, took) = first_attempt(&url, 1_500).await;
    assert!(!attempt.ok);
    assert_eq!(attempt.code, Some(500));
    assert!(
        took < Duration::from_secs(8),
        "recorded {took:?} after the emit, with a 1.5 s timeout"
    );
}

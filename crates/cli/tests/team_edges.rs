//! Team mode's edges against a real `rabbitmq-server`: a subscriber that starts after the
//! stream's retention dropped old messages says which it lacks and imports the rest; names
//! a subscription brings cannot be taken by local networks, nor the other way round.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::path::Path;

use common::*;
use tokenwatch_testkit::{Anvil, RabbitMq};

fn rows_text(rows: &[csv::StringRecord]) -> Vec<String> {
    rows.iter()
        .map(|r| r.iter().collect::<Vec<_>>().join(","))
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write config");
    p
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `run --until-head`, killed with its log shown if it takes over two minutes.
fn until_head(config: &Path, db: &Path) -> std::process::Output {
    let log = db.with_extension("stderr");
    let mut child = run_command(config, db)
        .arg("--until-head")
        .env("TOKENWATCH_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let stderr = std::fs::read(&log).unwrap_or_default();
            return std::process::Output {
                status,
                stdout: Vec::new(),
                stderr,
            };
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "run --until-head on {} did not end within 120 s:\n{}",
                db.display(),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_gaps_are_reported_and_names_cannot_collide() {
    assert!(
        RabbitMq::available(),
        "rabbitmq-server is not installed; run scripts/install-system-deps.sh"
    );
    let broker = RabbitMq::start().await.expect("rabbitmq");
    let anvil = Anvil::start().await.expect("anvil");
    let spammer = anvil.deploy("EventSpammer", &[]).await.expect("deploy");
    let to = anvil.accounts().await.expect("accounts")[1].to_string();
    for _ in 0..8 {
        spammer.send("spam", &[&to, "500"]).await.expect("spam");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let spam = listener(
        "spam",
        &[spammer.address().to_string()],
        &["erc20:Transfer"],
        "from_block = 0",
    );
    // About 3.5 MB of messages into a stream that keeps 1.5 MB in 200 kB segments.
    let publisher = write(
        dir.path(),
        "publisher.toml",
        &format!(
            "{}{spam}\n[[rabbitmq]]\nname = \"team\"\nurl = \"{}\"\nstream = \"small\"\nmax_bytes = 1500000\nsegment_bytes = 200000\n",
            network(&anvil, 0),
            broker.url()
        ),
    );
    let pub_db = dir.path().join("publisher.db");
    let out = until_head(&publisher, &pub_db);
    assert!(out.status.success(), "publisher: {}", stderr(&out));
    let subscription = format!(
        "[[subscriptions]]\nname = \"desk\"\nurl = \"{}\"\nstream = \"small\"\n",
        broker.url()
    );
    let subscriber = write(dir.path(), "subscriber.toml", &subscription);
    let sub_db = dir.path().join("subscriber.db");
    let out = until_head(&subscriber, &sub_db);
    assert!(out.status.success(), "subscriber: {}", stderr(&out));
    let sub_log = stderr(&out);

    // What the stream still held arrived, the rest is named as lacking.
    let (all, got) = (
        rows_text(&export(&pub_db, &[])),
        rows_text(&export(&sub_db, &[])),
    );
    assert_eq!(all.len(), 4000);
    assert!(
        !got.is_empty() && got.len() < all.len(),
        "the subscriber holds {} of {} events: retention should have dropped some\n{sub_log}",
        got.len(),
        all.len()
    );
    assert_eq!(
        got[..],
        all[all.len() - got.len()..],
        "the newest events, in order"
    );
    let conn = rusqlite::Connection::open(&sub_db).expect("open");
    let lacking: String = conn
        .query_row(
            "SELECT lacking FROM subscriptions WHERE name = 'desk'",
            [],
            |r| r.get(0),
        )
        .expect("lacking is recorded");
    assert!(
        lacking.starts_with("messages 0 to ")
            && lacking.contains("were gone")
            && lacking.contains("of network \"local\" on)"),
        "{lacking}"
    );
    drop(conn);
    let first_block = export(&sub_db, &[])[0][2].to_string();
    assert!(
        lacking.contains(&format!("from block {first_block} of")),
        "the gap names where the chain picks up again: {lacking}"
    );

    // The subscriber's database holds network "local" from the subscription: a local
    // network of that name is refused, naming the subscription.
    let mixed = write(
        dir.path(),
        "mixed.toml",
        &format!("{}{spam}\n{subscription}", network(&anvil, 0)),
    );
    let out = until_head(&mixed, &sub_db);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("subscription \"desk\" brought a network of this name"),
        "{text}"
    );

    // The other way round: a database whose "local" is a local network cannot take the
    // subscription's "local".
    // A broker that takes nothing: `run --until-head` ends with the stream named, and
    // what it stored stays for the next run.
    let down = write(
        dir.path(),
        "down.toml",
        &format!(
            "{}{spam}\n[[rabbitmq]]\nname = \"team\"\nurl = \"amqp://guest:guest@127.0.0.1:1/%2f\"\nstream = \"gone\"\ntimeout_ms = 1000\n",
            network(&anvil, 0)
        ),
    );
    let down_db = dir.path().join("down.db");
    let started = std::time::Instant::now();
    let out = until_head(&down, &down_db);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("team stream \"gone\" took nothing for a while"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(export(&down_db, &[]).len(), 4000, "the events stay stored");

    let out = until_head(&mixed, &dir.path().join("mixed.db"));
    assert!(!out.status.success(), "a name collision must fail the run");
    let text = stderr(&out);
    assert!(
        text.contains("subscription \"desk\"") && text.contains("\"local\""),
        "{text}"
    );
}

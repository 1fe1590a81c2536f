//! Team mode against a real `rabbitmq-server` and anvil: a headless engine publishes a
//! 100k-event backfill to a stream while one subscriber is SIGKILLed again and again and
//! the broker restarts; a second subscriber starts after the backfill; a reorg removes
//! events on the publisher's chain. Then both subscribers' exports equal the publisher's:
//! same rows, same order, same statuses, none twice. (About 90 s on 2 cores.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tokenwatch_testkit::{Anvil, RabbitMq};

const STREAM: &str = "tw.events";

struct Proc {
    config: PathBuf,
    db: PathBuf,
    child: Option<Child>,
}

impl Proc {
    fn new(dir: &Path, name: &str, config: &str) -> Proc {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, config).expect("write config");
        Proc {
            config: path,
            db: dir.join(format!("{name}.db")),
            child: None,
        }
    }

    fn start(&mut self) {
        let child = run_command(&self.config, &self.db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tokenwatch run");
        self.child = Some(child);
    }

    /// SIGKILL: no chance to finish a write or an ack.
    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().expect("kill");
            c.wait().expect("wait");
        }
    }

    fn export(&self) -> Vec<csv::StringRecord> {
        export(&self.db, &[])
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

fn subscription(broker: &RabbitMq) -> String {
    format!(
        "[[subscriptions]]\nname = \"desk\"\nurl = \"{}\"\nstream = \"{STREAM}\"\n",
        broker.url()
    )
}

fn rows_text(rows: &[csv::StringRecord]) -> Vec<String> {
    rows.iter()
        .map(|r| r.iter().collect::<Vec<_>>().join(","))
        .collect()
}

/// Waits until `sub`'s export equals the publisher's, and says how they differ if not.
async fn same_export(publisher: &Proc, sub: &Proc, what: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let (want, got) = (rows_text(&publisher.export()), rows_text(&sub.export()));
        if want == got && !want.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            let first = want.iter().zip(&got).position(|(a, b)| a != b);
            panic!(
                "{what}: the subscriber's export differs from the publisher's: {} rows against {}; first difference at {first:?}: {:?} / {:?}",
                got.len(),
                want.len(),
                first.and_then(|i| want.get(i)),
                first.and_then(|i| got.get(i)),
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_mirror_a_backfill_through_kills_a_broker_restart_and_a_reorg() {
    assert!(
        RabbitMq::available(),
        "rabbitmq-server is not installed; run scripts/install-system-deps.sh"
    );
    let mut broker = RabbitMq::start().await.expect("rabbitmq");
    let anvil = Anvil::start().await.expect("anvil");
    let spammer = anvil.deploy("EventSpammer", &[]).await.expect("deploy");
    let to = anvil.accounts().await.expect("accounts")[1].to_string();
    for _ in 0..10 {
        spammer.send("spam", &[&to, "10000"]).await.expect("spam");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let publisher_config = format!(
        "{}{}\n[[rabbitmq]]\nname = \"team\"\nurl = \"{}\"\nstream = \"{STREAM}\"\nmax_age = \"7D\"\n",
        network(&anvil, 2),
        listener(
            "spam",
            &[spammer.address().to_string()],
            &["erc20:Transfer"],
            "from_block = 0"
        ),
        broker.url()
    );
    let mut publisher = Proc::new(dir.path(), "publisher", &publisher_config);
    let mut a = Proc::new(dir.path(), "a", &subscription(&broker));
    let mut b = Proc::new(dir.path(), "b", &subscription(&broker));
    publisher.start();
    a.start();
    // Subscriber A is killed while it reads, the broker is killed and restarted under
    // both, and A is killed again right after.
    for pause in [1500, 1000] {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        a.kill();
        a.start();
    }
    broker.restart().await.expect("broker restart");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.kill();
    a.start();
    same_export(
        &publisher,
        &a,
        "after the backfill",
        Duration::from_secs(180),
    )
    .await;
    assert_eq!(publisher.export().len(), 100_000);

    // B starts after the backfill and reads the stream from its start.
    b.start();
    // Three more events, then a reorg takes their block away: removed reaches both.
    spammer.send("spam", &[&to, "3"]).await.expect("spam");
    let published = |p: &Proc| p.export().len() == 100_003;
    tokenwatch_testkit::system::eventually(
        "the publisher stores the new block",
        Duration::from_secs(30),
        || published(&publisher),
        || format!("{} rows", publisher.export().len()),
    )
    .await;
    anvil.client().reorg(1, &[]).await.expect("reorg");
    anvil.mine(4).await.expect("mine");
    tokenwatch_testkit::system::eventually(
        "the publisher marks the reorged events removed",
        Duration::from_secs(30),
        || {
            publisher
                .export()
                .iter()
                .filter(|r| &r[11] == "removed")
                .count()
                == 3
        },
        || "not yet".into(),
    )
    .await;
    same_export(&publisher, &a, "subscriber A", Duration::from_secs(60)).await;
    same_export(&publisher, &b, "subscriber B", Duration::from_secs(180)).await;
    let rows = b.export();
    assert_eq!(rows.iter().filter(|r| &r[11] == "removed").count(), 3);
    assert!(rows.iter().all(|r| &r[10] == "spam"), "listeners column");

    // The Tokens views agree: holders, supply, minted, burned and from which block the
    // history is whole (a subscriber has no RPC: it does not reconcile).
    let want = tokens(&publisher.db);
    assert!(
        !want.is_empty() && want[0].ends_with(",0"),
        "complete from block 0: {want:?}"
    );
    tokenwatch_testkit::system::eventually(
        "subscriber B's token state equals the publisher's",
        Duration::from_secs(30),
        || tokens(&b.db) == want && tokens(&a.db) == want,
        || format!("{:?} / {:?} / {want:?}", tokens(&a.db), tokens(&b.db)),
    )
    .await;
}

/// `tokenwatch tokens` rows up to `complete_from_block` (the reconciliation columns left out).
fn tokens(db: &Path) -> Vec<String> {
    let out = tokenwatch(&["tokens", "--db", db.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    r.records()
        .map(|x| {
            x.expect("row")
                .iter()
                .take(10)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

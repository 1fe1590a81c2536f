//! `tokenwatch-bench-team`: the team mode benchmark (run it with `scripts/bench.sh team`).
//!
//! A private `rabbitmq-server` and anvil on the same machine, the release `tokenwatch`:
//!
//! - throughput: a publisher database holding N stored `Transfer` events (a plain
//!   `run --until-head` first) starts publishing them to a stream while a subscriber reads
//!   it; events/s from the publisher's start to the subscriber holding all N (publish
//!   plus ingest), and the publisher's own rate to its last confirmed batch;
//! - latency: both following, one transfer per sample; from the publisher's commit to
//!   the subscriber's commit of the same log (`stored_at` of each database, one clock).
//!
//! Writes JSON (`--out`) and prints a summary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tokenwatch_testkit::bench::{loadavg, machine, percentile, utc_now, versions};
use tokenwatch_testkit::{Anvil, Contract, RabbitMq};

const STREAM: &str = "bench.events";

struct Args {
    tokenwatch: PathBuf,
    events: u64,
    samples: usize,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        tokenwatch: PathBuf::from("target/release/tokenwatch"),
        events: 100_000,
        samples: 200,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tokenwatch" => a.tokenwatch = PathBuf::from(value()?),
            "--events" => a.events = value()?.parse().context("--events")?,
            "--samples" => a.samples = value()?.parse().context("--samples")?,
            "--quick" => {
                a.events = 10_000;
                a.samples = 30;
            }
            "--out" => a.out = Some(PathBuf::from(value()?)),
            other => bail!(
                "unknown argument {other}\nusage: tokenwatch-bench-team [--tokenwatch PATH] [--events N] [--samples N] [--quick] [--out FILE]"
            ),
        }
    }
    Ok(a)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let args = parse_args()?;
    if !RabbitMq::available() {
        bail!("rabbitmq-server is not installed; run scripts/install-system-deps.sh");
    }
    let started = utc_now();
    let load_before = loadavg();
    let broker = RabbitMq::start().await?;
    let anvil = Anvil::start().await?;
    let spammer = anvil.deploy("EventSpammer", &[]).await?;
    let to = anvil.accounts().await?[1].to_string();
    let mut left = args.events;
    while left > 0 {
        let n = left.min(10_000);
        spammer.send("spam", &[&to, &n.to_string()]).await?;
        left -= n;
    }
    eprintln!("chain ready: {} events", args.events);
    let dir = std::env::temp_dir().join(format!("tokenwatch-bench-team-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (pub_db, sub_db) = (dir.join("publisher.db"), dir.join("subscriber.db"));
    let plain = dir.join("plain.toml");
    std::fs::write(&plain, publisher_config(&anvil, &spammer, None))?;
    let status = engine(&args, &plain, &pub_db, true).status()?;
    if !status.success() {
        bail!("the publisher's backfill failed: {status}");
    }
    let publishing = dir.join("publisher.toml");
    std::fs::write(
        &publishing,
        publisher_config(&anvil, &spammer, Some(&broker.url())),
    )?;
    let subscribing = dir.join("subscriber.toml");
    std::fs::write(
        &subscribing,
        format!(
            "[[subscriptions]]\nname = \"desk\"\nurl = \"{}\"\nstream = \"{STREAM}\"\nnotify = false\n",
            broker.url()
        ),
    )?;

    let t0 = Instant::now();
    let publisher = Running(engine(&args, &publishing, &pub_db, false).spawn()?);
    wait_for_stream(&broker).await?;
    let subscriber = Running(engine(&args, &subscribing, &sub_db, false).spawn()?);
    let mut published_s = None;
    let deadline = t0 + Duration::from_secs(600);
    loop {
        if published_s.is_none() && cursor(&pub_db)? >= last_event(&pub_db)? {
            published_s = Some(t0.elapsed().as_secs_f64());
        }
        if count(&sub_db)? >= args.events {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "the subscriber holds {} of {} events after 600 s",
                count(&sub_db)?,
                args.events
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let total_s = t0.elapsed().as_secs_f64();
    let published_s = published_s.unwrap_or(total_s);
    let throughput = json!({
        "events": args.events,
        "publish_and_ingest_s": total_s,
        "events_per_s": args.events as f64 / total_s,
        "publisher_done_s": published_s,
        "publisher_events_per_s": args.events as f64 / published_s,
    });
    println!("{}", serde_json::to_string_pretty(&throughput)?);

    let latency = live_latency(&args, &spammer, &to, &pub_db, &sub_db).await?;
    println!("{}", serde_json::to_string_pretty(&latency)?);
    drop((publisher, subscriber));
    let out = json!({
        "benchmark": "team",
        "started": started,
        "machine": machine(),
        "versions": versions(&args.tokenwatch),
        "load_before": load_before,
        "load_after": loadavg(),
        "throughput": throughput,
        "latency": latency,
    });
    if let Some(path) = &args.out {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, serde_json::to_string_pretty(&out)?)?;
        eprintln!("wrote {}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn publisher_config(anvil: &Anvil, contract: &Contract, broker: Option<&str>) -> String {
    let stream = broker.map_or(String::new(), |url| {
        format!("[[rabbitmq]]\nname = \"team\"\nurl = \"{url}\"\nstream = \"{STREAM}\"\n")
    });
    format!(
        r#"
[[networks]]
name = "bench"
chain_id = {}
rpc = ["{}", "{}"]
poll_interval_ms = 100

{stream}

[[listeners]]
name = "transfers"
network = "bench"
contracts = ["{}"]
events = ["erc20:Transfer"]
from_block = 0
"#,
        anvil.chain_id(),
        anvil.url(),
        anvil.ws_url(),
        contract.address(),
    )
}

fn engine(args: &Args, config: &Path, db: &Path, until_head: bool) -> Command {
    let mut cmd = Command::new(&args.tokenwatch);
    cmd.arg("run")
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db);
    if until_head {
        cmd.arg("--until-head");
    }
    cmd.env("TOKENWATCH_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

async fn wait_for_stream(broker: &RabbitMq) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while broker.queue_len(STREAM).await.is_err() {
        if Instant::now() > deadline {
            bail!("the publisher did not declare the stream within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

fn read<T: rusqlite::types::FromSql>(db: &Path, sql: &str) -> Result<T> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

fn count(db: &Path) -> Result<u64> {
    if !db.exists() {
        return Ok(0);
    }
    Ok(read::<Option<i64>>(db, "SELECT count(*) FROM events")
        .unwrap_or(Some(0))
        .unwrap_or(0) as u64)
}

fn cursor(db: &Path) -> Result<i64> {
    Ok(
        read::<Option<i64>>(db, "SELECT max(event_id) FROM stream_cursors")
            .unwrap_or(None)
            .unwrap_or(0),
    )
}

fn last_event(db: &Path) -> Result<i64> {
    Ok(read::<Option<i64>>(db, "SELECT max(id) FROM events")?.unwrap_or(0))
}

/// One transfer per sample; publisher commit to subscriber commit of the same log.
async fn live_latency(
    args: &Args,
    spammer: &Contract,
    to: &str,
    pub_db: &Path,
    sub_db: &Path,
) -> Result<Value> {
    let base = count(sub_db)?;
    for i in 0..args.samples {
        spammer.send("spam", &[to, "1"]).await?;
        let want = base + i as u64 + 1;
        let deadline = Instant::now() + Duration::from_secs(10);
        while count(sub_db)? < want {
            if Instant::now() > deadline {
                bail!("sample {i} did not reach the subscriber within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let conn = rusqlite::Connection::open(sub_db)?;
    conn.execute("ATTACH DATABASE ?1 AS p", [pub_db.to_string_lossy()])?;
    let mut stmt = conn.prepare(
        "SELECT s.stored_at - e.stored_at FROM events s JOIN p.events e
           ON e.block_number = s.block_number AND e.log_index = s.log_index AND e.block_hash = s.block_hash
         ORDER BY s.id DESC LIMIT ?1",
    )?;
    let mut ms: Vec<f64> = stmt
        .query_map([args.samples as i64], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|v| v as f64)
        .collect();
    ms.sort_by(f64::total_cmp);
    Ok(json!({
        "samples": ms.len(),
        "commit_to_commit_ms_p50": percentile(&ms, 50.0),
        "commit_to_commit_ms_p99": percentile(&ms, 99.0),
        "commit_to_commit_ms_max": ms.last().copied().unwrap_or(f64::NAN),
    }))
}

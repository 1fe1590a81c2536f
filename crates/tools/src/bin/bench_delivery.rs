//! `tokenwatch-bench-delivery`: the delivery benchmark (run it with `scripts/bench.sh delivery`).
//!
//! On a private anvil holding N `Transfer` events (EventSpammer), with the release
//! `tokenwatch` binary:
//!
//! - webhook throughput: `tokenwatch run --until-head` with one signed standard webhook to
//!   a local HTTP receiver (the harness's, keep-alive, answers 200 at once); deliveries/s
//!   from the first to the last request received, and the engine's own figures from its
//!   `delivery_attempts` table (rate, attempt latency p50/p99);
//! - RabbitMQ throughput: the same to a private `rabbitmq-server` (persistent messages,
//!   publisher confirms, one at a time), counted in the bound queue;
//! - latency: `tokenwatch run` following the chain (WebSocket heads), one transfer per
//!   sample (automine mines it on arrival); from sending the transaction (an upper bound of
//!   "mined") and from its receipt (a lower bound) to the webhook request's arrival.
//!
//! Writes JSON (`--out`) and prints a summary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tokenwatch_testkit::bench::{loadavg, machine, percentile, utc_now, versions};
use tokenwatch_testkit::{Anvil, Contract, RabbitMq, Receiver};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Args {
    tokenwatch: PathBuf,
    events: u64,
    samples: usize,
    rabbitmq: bool,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        tokenwatch: PathBuf::from("target/release/tokenwatch"),
        events: 20_000,
        samples: 100,
        rabbitmq: RabbitMq::available(),
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tokenwatch" => a.tokenwatch = PathBuf::from(value()?),
            "--events" => a.events = value()?.parse().context("--events")?,
            "--samples" => a.samples = value()?.parse().context("--samples")?,
            "--no-rabbitmq" => a.rabbitmq = false,
            "--quick" => {
                a.events = 2_000;
                a.samples = 20;
            }
            "--out" => a.out = Some(PathBuf::from(value()?)),
            other => bail!(
                "unknown argument {other}\nusage: tokenwatch-bench-delivery [--tokenwatch PATH] [--events N] [--samples N] [--no-rabbitmq] [--quick] [--out FILE]"
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
    let started = utc_now();
    let load_before = loadavg();
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let spammer = anvil.deploy("EventSpammer", &[]).await?;
    let to = accounts[1].to_string();
    let mut left = args.events;
    while left > 0 {
        let n = left.min(5_000);
        spammer.send("spam", &[&to, &n.to_string()]).await?;
        left -= n;
    }
    eprintln!("chain ready: {} events", args.events);
    let dir =
        std::env::temp_dir().join(format!("tokenwatch-bench-delivery-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    let webhook = webhook_throughput(&args, &anvil, &spammer, &dir).await?;
    println!("{}", serde_json::to_string_pretty(&webhook)?);
    let rabbit = if args.rabbitmq {
        let r = rabbit_throughput(&args, &anvil, &spammer, &dir).await?;
        println!("{}", serde_json::to_string_pretty(&r)?);
        r
    } else {
        json!({"skipped": "rabbitmq-server not installed or --no-rabbitmq"})
    };
    let latency = live_latency(&args, &anvil, &spammer, &dir).await?;
    println!("{}", serde_json::to_string_pretty(&latency)?);

    let out = json!({
        "benchmark": "delivery",
        "started": started,
        "machine": machine(),
        "versions": versions(&args.tokenwatch),
        "load_before": load_before,
        "load_after": loadavg(),
        "events": args.events,
        "webhook": webhook,
        "rabbitmq": rabbit,
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

fn config(anvil: &Anvil, contract: &Contract, target: &str, listener_target: &str) -> String {
    format!(
        r#"
[[networks]]
name = "bench"
chain_id = {}
rpc = ["{}", "{}"]
poll_interval_ms = 100

{target}

[[listeners]]
name = "transfers"
network = "bench"
contracts = ["{}"]
events = ["erc20:Transfer"]
from_block = 0
{listener_target}
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

/// The engine's own record: rate between its first and last attempt, attempt latencies.
fn engine_figures(db: &Path) -> Result<Value> {
    let conn = rusqlite::Connection::open(db)?;
    let (n, first, last): (i64, i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(min(at), 0), coalesce(max(at), 0) FROM delivery_attempts WHERE ok = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let failed: i64 = conn.query_row(
        "SELECT count(*) FROM delivery_attempts WHERE ok = 0",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare("SELECT latency_ms FROM delivery_attempts WHERE ok = 1")?;
    let mut lat: Vec<f64> = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|v| v as f64)
        .collect();
    lat.sort_by(f64::total_cmp);
    let secs = (last - first) as f64 / 1000.0;
    Ok(json!({
        "delivered": n,
        "failed_attempts": failed,
        "deliveries_per_s": if secs > 0.0 { n as f64 / secs } else { f64::NAN },
        "attempt_latency_ms_p50": percentile(&lat, 50.0),
        "attempt_latency_ms_p99": percentile(&lat, 99.0),
    }))
}

async fn webhook_throughput(args: &Args, anvil: &Anvil, c: &Contract, dir: &Path) -> Result<Value> {
    let receiver = Receiver::start().await?;
    let target = format!(
        "[[webhooks]]\nname = \"bench\"\nurl = \"{}\"\nsecret = \"{SECRET}\"",
        receiver.url()
    );
    let cfg = dir.join("webhook.toml");
    std::fs::write(&cfg, config(anvil, c, &target, "webhooks = [\"bench\"]"))?;
    let db = dir.join("webhook.db");
    let t0 = Instant::now();
    let status = engine(args, &cfg, &db, true).status()?;
    let wall = t0.elapsed().as_secs_f64();
    if !status.success() {
        bail!("tokenwatch run failed: {status}");
    }
    let got = receiver.received();
    if got.len() as u64 != args.events {
        bail!("receiver got {} of {} events", got.len(), args.events);
    }
    let span = got[got.len() - 1]
        .at
        .duration_since(got[0].at)
        .as_secs_f64();
    Ok(json!({
        "run_until_head_wall_s": wall,
        "received": got.len(),
        "receiver_deliveries_per_s": got.len() as f64 / span,
        "engine": engine_figures(&db)?,
    }))
}

async fn rabbit_throughput(args: &Args, anvil: &Anvil, c: &Contract, dir: &Path) -> Result<Value> {
    let broker = RabbitMq::start().await?;
    broker.bind_queue("tokenwatch", "bench", "#").await?;
    let target = format!(
        "[[rabbitmq]]\nname = \"bus\"\nurl = \"{}\"\nexchange = \"tokenwatch\"",
        broker.url()
    );
    let cfg = dir.join("rabbit.toml");
    std::fs::write(&cfg, config(anvil, c, &target, "rabbitmq = [\"bus\"]"))?;
    let db = dir.join("rabbit.db");
    let t0 = Instant::now();
    let status = engine(args, &cfg, &db, true).status()?;
    let wall = t0.elapsed().as_secs_f64();
    if !status.success() {
        bail!("tokenwatch run failed: {status}");
    }
    let queued = broker.queue_len("bench").await?;
    if u64::from(queued) < args.events {
        bail!("the queue holds {queued} of {} messages", args.events);
    }
    Ok(json!({
        "run_until_head_wall_s": wall,
        "in_queue": queued,
        "engine": engine_figures(&db)?,
    }))
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn live_latency(args: &Args, anvil: &Anvil, c: &Contract, dir: &Path) -> Result<Value> {
    let receiver = Receiver::start().await?;
    let target = format!(
        "[[webhooks]]\nname = \"live\"\nurl = \"{}\"\nsecret = \"{SECRET}\"",
        receiver.url()
    );
    let cfg = dir.join("live.toml");
    std::fs::write(&cfg, config(anvil, c, &target, "webhooks = [\"live\"]"))?;
    let db = dir.join("live.db");
    let _engine = Running(engine(args, &cfg, &db, false).spawn()?);
    wait_count(&receiver, args.events as usize, Duration::from_secs(300)).await?;
    let to = anvil.accounts().await?[2].to_string();
    // Automine mines the block as the transaction arrives: sending bounds "mined" from
    // below, the receipt's answer from above.
    let (mut from_send, mut from_receipt) = (Vec::new(), Vec::new());
    for _ in 0..args.samples {
        let before = receiver.count();
        let sent = Instant::now();
        c.send("spam", &[&to, "1"]).await?;
        let receipt = Instant::now();
        wait_count(&receiver, before + 1, Duration::from_secs(30)).await?;
        let at = receiver.received()[before].at;
        from_send.push(at.saturating_duration_since(sent).as_secs_f64() * 1000.0);
        from_receipt.push(at.saturating_duration_since(receipt).as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    from_send.sort_by(f64::total_cmp);
    from_receipt.sort_by(f64::total_cmp);
    Ok(json!({
        "samples": from_send.len(),
        "mined_to_webhook_ms_p50": percentile(&from_send, 50.0),
        "mined_to_webhook_ms_p99": percentile(&from_send, 99.0),
        "mined_to_webhook_ms_max": from_send.last().copied().unwrap_or(f64::NAN),
        "receipt_to_webhook_ms_p50": percentile(&from_receipt, 50.0),
        "receipt_to_webhook_ms_p99": percentile(&from_receipt, 99.0),
        "engine": engine_figures(&db)?,
    }))
}

async fn wait_count(r: &Receiver, n: usize, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while r.count() < n {
        if Instant::now() > deadline {
            bail!(
                "receiver has {} of {n} requests after {timeout:?}",
                r.count()
            );
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

//! `tokenwatch-bench`: the engine benchmark (run it with `scripts/bench.sh`).
//!
//! On a private anvil holding N ERC-20-shaped `Transfer` events (several sizes, built up in
//! stages on one chain) it measures:
//!
//! - (a) the node's ceiling: a raw HTTP client fetching the same logs (`eth_getLogs`, same
//!   address and topic filter as the engine), counting them without decoding or storing,
//!   swept over request sizes and concurrency;
//! - (b) `tokenwatch run --until-head` end to end into a fresh database: wall time, events/s,
//!   CPU time of the engine and of anvil, peak RSS (`VmHWM`, polled);
//! - (c) live latency: `tokenwatch run` following the chain; each sample mines one block with
//!   one event (`evm_mine`, automine off) and measures from the moment this process receives
//!   the node's `newHeads` notification for the block to the moment the engine's `committed`
//!   log line for it (printed right after the SQLite commit) arrives on its stderr pipe; the
//!   same from `evm_mine`'s answer and request are kept as cross-checks;
//! - (d) peak memory of (b) at each size and of (c).
//!
//! Each engine run is paired with one raw pass at the best size and concurrency just
//! before it; the median of the per-pair ratios is reported beside the ratio of medians.
//!
//! Writes everything as JSON (`--out`) and prints a summary.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokenwatch_testkit::bench::{
    loadavg, machine, median, percentile, tail, utc_now, versions, Rng,
};
use tokenwatch_testkit::{Anvil, AnvilOptions, Contract, TxOptions};

const USAGE: &str = "usage: tokenwatch-bench [options]

  --tokenwatch PATH        the tokenwatch binary (default: next to this one)
  --sizes N,N,..           chain sizes in events, ascending (default 50000,200000)
  --events-per-block N     events per event-carrying block, one tx each (default 1000)
  --block-gap N            one event block every N blocks (default 20)
  --chunks E,E,..          raw client request sizes, in events per request
                           (default 1000,2000,5000,10000,50000,all; at least
                           --events-per-block: a request covers whole blocks)
  --concurrency C,C,..     raw client requests in flight (default 1,2,4,8)
  --raw-parse MODE         how the raw client checks an answer: `count` (find each
                           \"logIndex\" key, the least client work; default) or `json`
                           (parse the answer into a list of raw JSON values)
  --tuned-range N          max_block_range of the second engine config (default 100)
  --raw-repeats N          timed passes per raw configuration (default 3)
  --engine-repeats N       timed tokenwatch runs per size and config (default 3)
  --latency-samples N      live latency samples per config (default 250)
  --poll-ms N              poll_interval_ms for the live runs (default 20)
  --holders H              transfers between random holders among H addresses (a token
                           with many holders) instead of from the contract to a few
  --work DIR               working directory (default: a fresh temp dir)
  --out FILE               write the results as JSON here
  --quick                  a smoke run: sizes 20000, 1 repeat, 40 samples
  --serve                  only build the chain (largest size), write <work>/bench.toml
                           for it and keep the node up until Ctrl-C (for profiling)";

struct Args {
    tokenwatch: PathBuf,
    sizes: Vec<u64>,
    per_block: u64,
    gap: u64,
    chunks: Vec<Option<u64>>,
    concurrency: Vec<usize>,
    raw_repeats: usize,
    raw_json: bool,
    tuned_range: u64,
    engine_repeats: usize,
    samples: usize,
    poll_ms: u64,
    work: Option<PathBuf>,
    out: Option<PathBuf>,
    serve: bool,
    holders: Option<u64>,
}

fn parse_list<T: std::str::FromStr>(s: &str, what: &str) -> Result<Vec<T>> {
    s.split(',')
        .map(|x| {
            x.trim()
                .parse()
                .map_err(|_| anyhow!("{what}: {x:?} is not a number"))
        })
        .collect()
}

fn parse_args() -> Result<Option<Args>> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let mut a = Args {
        tokenwatch: exe.with_file_name("tokenwatch"),
        sizes: vec![50_000, 200_000],
        per_block: 1000,
        gap: 20,
        chunks: vec![
            Some(1000),
            Some(2000),
            Some(5000),
            Some(10_000),
            Some(50_000),
            None,
        ],
        concurrency: vec![1, 2, 4, 8],
        raw_repeats: 3,
        raw_json: false,
        tuned_range: 100,
        engine_repeats: 3,
        samples: 250,
        poll_ms: 20,
        work: None,
        out: None,
        serve: false,
        holders: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .with_context(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "--tokenwatch" => a.tokenwatch = PathBuf::from(value()?),
            "--sizes" => a.sizes = parse_list(&value()?, "--sizes")?,
            "--events-per-block" => a.per_block = value()?.parse()?,
            "--block-gap" => a.gap = value()?.parse()?,
            "--chunks" => {
                a.chunks = value()?
                    .split(',')
                    .map(|x| match x.trim() {
                        "all" => Ok(None),
                        n => n.parse().map(Some).map_err(|_| anyhow!("--chunks: {n:?}")),
                    })
                    .collect::<Result<_>>()?
            }
            "--concurrency" => a.concurrency = parse_list(&value()?, "--concurrency")?,
            "--raw-repeats" => a.raw_repeats = value()?.parse()?,
            "--raw-parse" => {
                a.raw_json = match value()?.as_str() {
                    "json" => true,
                    "count" => false,
                    other => bail!("--raw-parse: {other:?} is neither count nor json"),
                }
            }
            "--tuned-range" => a.tuned_range = value()?.parse()?,
            "--engine-repeats" => a.engine_repeats = value()?.parse()?,
            "--latency-samples" => a.samples = value()?.parse()?,
            "--poll-ms" => a.poll_ms = value()?.parse()?,
            "--work" => a.work = Some(PathBuf::from(value()?)),
            "--out" => a.out = Some(PathBuf::from(value()?)),
            "--serve" => a.serve = true,
            "--holders" => a.holders = Some(value()?.parse()?),
            "--quick" => {
                a.sizes = vec![20_000];
                a.raw_repeats = 1;
                a.engine_repeats = 1;
                a.samples = 40;
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if a.sizes.is_empty() || a.sizes.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--sizes must be ascending");
    }
    if a.per_block == 0 || a.gap == 0 || a.sizes.iter().any(|s| s % a.per_block != 0) {
        bail!("every size must be a multiple of --events-per-block (and both > 0)");
    }
    if a.raw_repeats == 0 || a.engine_repeats == 0 || a.concurrency.contains(&0) {
        bail!("repeats and concurrency must be at least 1");
    }
    if !a.tokenwatch.is_file() {
        bail!(
            "{} not found (build it: cargo build --release -p tokenwatch-cli)",
            a.tokenwatch.display()
        );
    }
    Ok(Some(a))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The chain being benchmarked: one EventSpammer, events in blocks `first..=last`.
struct Chain {
    anvil: Anvil,
    spammer: Contract,
    /// Recipients the transfers rotate over.
    to: Vec<String>,
    first: u64,
    last: u64,
    events: u64,
}

async fn run(args: Args) -> Result<()> {
    let work = match &args.work {
        Some(w) => w.clone(),
        None => std::env::temp_dir().join(format!("tokenwatch-bench-{}", std::process::id())),
    };
    fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let started = Instant::now();
    let mut out = json!({
        "date": utc_now(),
        "machine": machine(),
        "versions": versions(&args.tokenwatch),
        "params": {
            "sizes": args.sizes, "events_per_block": args.per_block, "block_gap": args.gap, "holders": args.holders,
            "chunks_events": args.chunks.iter().map(|c| c.map_or(json!("all"), |n| json!(n))).collect::<Vec<_>>(),
            "concurrency": args.concurrency, "raw_repeats": args.raw_repeats,
            "engine_repeats": args.engine_repeats, "latency_samples": args.samples,
            "raw_parse": if args.raw_json { "json" } else { "count" },
            "tuned_max_block_range": args.tuned_range,
            "poll_interval_ms": args.poll_ms,
        },
        "load_before": loadavg(),
    });
    println!("work dir: {}", work.display());

    // --gas-limit: room for a few spam txs of 5000 in one block if anyone asks for it.
    // (The harness itself sets --state-interval to a year: anvil's default periodic dump of
    // the whole chain every 60 s stalled RPC for seconds at 200k events.)
    let anvil = Anvil::start_with(AnvilOptions {
        extra_args: vec!["--gas-limit".into(), "100000000".into()],
        ..AnvilOptions::default()
    })
    .await
    .context("starting anvil")?;
    let spammer = anvil.deploy("EventSpammer", &[]).await?;
    let to = anvil
        .accounts()
        .await?
        .iter()
        .map(|a| a.to_string())
        .collect();
    let first = anvil.block_number().await? + 1;
    let mut chain = Chain {
        anvil,
        spammer,
        to,
        first,
        last: first.saturating_sub(1),
        events: 0,
    };

    if args.serve {
        let size = *args.sizes.last().unwrap_or(&0);
        grow(&mut chain, size, &args).await?;
        let config = work.join("bench.toml");
        write_config(&config, &chain, &[chain.anvil.url()], args.poll_ms, None)?;
        println!(
            "{size} events in blocks {}..={} on {}; config {}\nCtrl-C stops the node",
            chain.first,
            chain.last,
            chain.anvil.url(),
            config.display()
        );
        tokio::signal::ctrl_c().await?;
        return Ok(());
    }

    let mut sizes = Vec::new();
    let mut last_db = None;
    for &size in &args.sizes {
        let t = Instant::now();
        grow(&mut chain, size, &args).await?;
        println!(
            "\n== {size} events in blocks {}..={} (chain built in {:.1}s)",
            chain.first,
            chain.last,
            t.elapsed().as_secs_f64()
        );
        let raw = raw_sweep(&chain, &args).await?;
        let best = raw_best(&raw);
        let tuned = format!("max_block_range={}", args.tuned_range);
        let pairing = Pairing::new(&chain, &args, &best);
        let mut engine = Vec::new();
        for (label, range) in [("default", None), (tuned.as_str(), Some(args.tuned_range))] {
            let (summary, db) =
                engine_runs(&chain, &args, &work, size, (label, range), pairing.as_ref()).await?;
            engine.push(summary);
            last_db = Some(db);
        }
        let raw_rate = best["logs_per_s_median"].as_f64().unwrap_or(f64::NAN);
        let ratios: Vec<Value> = engine
            .iter()
            .map(|e| {
                json!({
                    "config": e["config"],
                    "ratio_b_over_a": e["events_per_s_median"].as_f64().unwrap_or(0.0) / raw_rate,
                    "ratio_paired_median": e["ratio_paired_median"],
                })
            })
            .collect();
        sizes.push(json!({
            "events": size, "first_block": chain.first, "last_block": chain.last,
            "raw": raw, "raw_best": best, "engine": engine, "ratios": ratios,
        }));
    }
    out["sizes"] = json!(sizes);

    let db = last_db.context("no database from the backfill runs")?;
    let mut latency = Vec::new();
    let anvil_url = chain.anvil.url();
    let ws_url = chain.anvil.ws_url();
    for (label, rpc) in [
        ("http polling", vec![anvil_url.clone()]),
        (
            "http + ws newHeads",
            vec![anvil_url.clone(), ws_url.clone()],
        ),
    ] {
        latency.push(live_latency(&chain, &args, &work, &db, label, &rpc).await?);
    }
    out["latency"] = json!(latency);
    out["load_after"] = loadavg();
    out["total_secs"] = json!(started.elapsed().as_secs_f64());

    print_summary(&out);
    if let Some(path) = &args.out {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, serde_json::to_string_pretty(&out)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("\nresults: {}", path.display());
    }
    if args.work.is_none() {
        let _ = fs::remove_dir_all(&work);
    }
    Ok(())
}

/// Adds event blocks until the chain holds `size` events: one spam tx per block (automine),
/// then `gap - 1` empty blocks.
async fn grow(chain: &mut Chain, size: u64, args: &Args) -> Result<()> {
    let n = args.per_block.to_string();
    while chain.events < size {
        let r = match args.holders {
            Some(h) => {
                let seed = (chain.events + 1).to_string();
                (chain.spammer)
                    .send("scatter", &[&seed, &h.to_string(), &n])
                    .await?
            }
            None => {
                let to = &chain.to[(chain.events / args.per_block) as usize % chain.to.len()];
                chain.spammer.send("spam", &[to, &n]).await?
            }
        };
        if r.logs.len() as u64 != args.per_block {
            bail!(
                "spam emitted {} logs, expected {}",
                r.logs.len(),
                args.per_block
            );
        }
        chain.events += args.per_block;
        if args.gap > 1 {
            chain.anvil.mine(args.gap - 1).await?;
        }
    }
    chain.last = chain.anvil.block_number().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (a) the raw client

#[derive(Deserialize)]
struct RawAnswer<'a> {
    #[serde(borrow)]
    result: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

/// One timed pass over the whole span: `conc` workers take the next chunk in turn.
async fn raw_pass(
    url: &str,
    filter_tail: &str,
    ranges: &[(u64, u64)],
    conc: usize,
    json: bool,
) -> Result<(f64, u64, u64)> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .timeout(Duration::from_secs(120))
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let logs = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let ranges = Arc::new(ranges.to_vec());
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..conc {
        let (client, next, logs, bytes, ranges) = (
            client.clone(),
            next.clone(),
            logs.clone(),
            bytes.clone(),
            ranges.clone(),
        );
        let url = url.to_string();
        let tail = filter_tail.to_string();
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(lo, hi)) = ranges.get(i) else {
                    return Ok::<_, anyhow::Error>(());
                };
                let body = format!(
                    r#"{{"jsonrpc":"2.0","id":{i},"method":"eth_getLogs","params":[{{"fromBlock":"{lo:#x}","toBlock":"{hi:#x}",{tail}}}]}}"#
                );
                let resp = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let body = resp.bytes().await?;
                let n = if json {
                    let answer: RawAnswer = serde_json::from_slice(&body)?;
                    match (answer.result, answer.error) {
                        (Some(r), None) => r.len(),
                        (_, e) => bail!("eth_getLogs {lo}..={hi}: {}", e.map_or("no result", |e| e.get())),
                    }
                } else {
                    let text = std::str::from_utf8(&body)?;
                    let head = &text[..text.len().min(64)];
                    if !head.contains("\"result\":[") {
                        bail!("eth_getLogs {lo}..={hi}: {}", &text[..text.len().min(300)]);
                    }
                    text.matches("\"logIndex\"").count()
                };
                logs.fetch_add(n as u64, Ordering::Relaxed);
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok((
        start.elapsed().as_secs_f64(),
        logs.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
    ))
}

fn split(from: u64, to: u64, size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut lo = from;
    while lo <= to {
        let hi = lo.saturating_add(size.max(1) - 1).min(to);
        out.push((lo, hi));
        lo = hi + 1;
    }
    out
}

/// The raw client's filter: the spammer's Transfers, as the engine's listener asks.
fn raw_filter(chain: &Chain) -> String {
    format!(
        r#""address":["{}"],"topics":[["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"]]"#,
        chain.spammer.address()
    )
}

/// One raw pass at the best request size and concurrency, right before an engine run: the
/// two see the same machine, whose speed drifts by a third within minutes.
struct Pairing {
    url: String,
    tail: String,
    ranges: Vec<(u64, u64)>,
    conc: usize,
    json: bool,
    events: u64,
}

impl Pairing {
    fn new(chain: &Chain, args: &Args, best: &Value) -> Option<Self> {
        let blocks = best["chunk_blocks"].as_u64()?;
        Some(Self {
            url: chain.anvil.url(),
            tail: raw_filter(chain),
            ranges: split(chain.first, chain.last, blocks),
            conc: usize::try_from(best["concurrency"].as_u64()?).ok()?,
            json: args.raw_json,
            events: chain.events,
        })
    }

    /// Logs per second of one pass.
    async fn rate(&self) -> Result<f64> {
        let (secs, logs, _) =
            raw_pass(&self.url, &self.tail, &self.ranges, self.conc, self.json).await?;
        if logs != self.events {
            bail!("raw client got {logs} logs, expected {}", self.events);
        }
        Ok(logs as f64 / secs)
    }
}

async fn raw_sweep(chain: &Chain, args: &Args) -> Result<Vec<Value>> {
    let url = chain.anvil.url();
    let tail = raw_filter(chain);
    let span = chain.last - chain.first + 1;
    // A request of E events spans E / events_per_block event blocks, each `gap` blocks long.
    let mut sizes: Vec<u64> = args
        .chunks
        .iter()
        .map(|c| match c {
            Some(e) => (e.div_ceil(args.per_block) * args.gap).min(span),
            None => span,
        })
        .collect();
    sizes.dedup();
    // Warm-up (page in the node's log storage), not counted.
    raw_pass(
        &url,
        &tail,
        &split(chain.first, chain.last, span),
        1,
        args.raw_json,
    )
    .await?;
    let mut out = Vec::new();
    for &blocks in &sizes {
        let ranges = split(chain.first, chain.last, blocks);
        for &conc in &args.concurrency {
            if conc > ranges.len() && conc > 1 {
                continue; // more workers than requests measures nothing new
            }
            let mut secs = Vec::new();
            let mut anvil_cpu = Vec::new();
            let mut client_cpu = Vec::new();
            let mut bytes = 0;
            for _ in 0..args.raw_repeats {
                let cpu0 = cpu_secs(chain.anvil.pid());
                let own0 = cpu_secs(Some(std::process::id()));
                let (s, logs, b) = raw_pass(&url, &tail, &ranges, conc, args.raw_json).await?;
                anvil_cpu.push(cpu_secs(chain.anvil.pid()) - cpu0);
                client_cpu.push(cpu_secs(Some(std::process::id())) - own0);
                if logs != chain.events {
                    bail!("raw client got {logs} logs, expected {}", chain.events);
                }
                secs.push(s);
                bytes = b;
            }
            let med = median(&secs);
            let best = secs.iter().copied().fold(f64::INFINITY, f64::min);
            let per_req = chain.events as f64 / ranges.len() as f64;
            println!(
                "raw  {blocks:>6} blocks/request (~{per_req:>6.0} events) x{conc}: {:>9.0} logs/s median, {:>9.0} best ({:.1} MB, cpu anvil {:.2}s client {:.2}s)",
                chain.events as f64 / med,
                chain.events as f64 / best,
                bytes as f64 / 1e6,
                median(&anvil_cpu),
                median(&client_cpu)
            );
            out.push(json!({
                "chunk_blocks": blocks, "requests": ranges.len(), "events_per_request": per_req,
                "concurrency": conc, "secs": secs, "bytes": bytes, "anvil_cpu_s": anvil_cpu, "client_cpu_s": client_cpu,
                "logs_per_s_median": chain.events as f64 / med,
                "logs_per_s_best": chain.events as f64 / best,
            }));
        }
    }
    Ok(out)
}

fn raw_best(raw: &[Value]) -> Value {
    raw.iter()
        .max_by(|a, b| {
            let f = |v: &Value| v["logs_per_s_median"].as_f64().unwrap_or(0.0);
            f(a).total_cmp(&f(b))
        })
        .cloned()
        .unwrap_or(Value::Null)
}

// ---------------------------------------------------------------------------------------
// (b) tokenwatch run --until-head

fn write_config(
    path: &Path,
    chain: &Chain,
    rpc: &[String],
    poll_ms: u64,
    max_block_range: Option<u64>,
) -> Result<()> {
    let rpc: Vec<String> = rpc.iter().map(|u| format!("{u:?}")).collect();
    let mut text = format!(
        "[[networks]]\nname = \"bench\"\nchain_id = {}\nrpc = [{}]\nconfirmations = 0\npoll_interval_ms = {poll_ms}\n",
        chain.anvil.chain_id(),
        rpc.join(", ")
    );
    if let Some(n) = max_block_range {
        text.push_str(&format!("max_block_range = {n}\n"));
    }
    text.push_str(&format!(
        "\n[[listeners]]\nname = \"transfers\"\nnetwork = \"bench\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
        chain.spammer.address()
    ));
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// A child process reaped with `wait4`, so its CPU time is known. Its peak RSS is read from
/// `VmHWM` in `/proc/<pid>/status`, polled every few ms: `ru_maxrss` cannot be used, since
/// Linux carries the RSS of the forked copy of this (much larger) process over the exec.
struct Proc {
    child: Option<Child>,
    hwm_kib: Arc<AtomicU64>,
}

struct Usage {
    status: i32,
    maxrss_kib: u64,
    user_s: f64,
    sys_s: f64,
}

impl Proc {
    fn spawn(cmd: &mut Command) -> Result<Self> {
        die_with_parent(cmd);
        let child = cmd.spawn().context("spawning tokenwatch")?;
        let hwm_kib = Arc::new(AtomicU64::new(0));
        let (pid, hwm) = (child.id(), hwm_kib.clone());
        // Until the process is reaped, /proc/<pid> is its own (a zombie has no VmHWM line).
        std::thread::spawn(move || {
            let path = format!("/proc/{pid}/status");
            while let Ok(status) = fs::read_to_string(&path) {
                let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|r| r.split_whitespace().next()?.parse::<u64>().ok())
                else {
                    break;
                };
                hwm.fetch_max(kib, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        Ok(Self {
            child: Some(child),
            hwm_kib,
        })
    }

    fn pid(&self) -> i32 {
        self.child.as_ref().map_or(0, |c| c.id() as i32)
    }

    fn signal(&self, sig: i32) {
        if self.child.is_some() {
            // SAFETY: kill(2) on our own child, not reaped yet.
            unsafe { libc::kill(self.pid(), sig) };
        }
    }

    /// Waits for the process to exit (blocking thread) and returns its usage.
    async fn wait(mut self) -> Result<Usage> {
        let pid = self.pid();
        let child = self.child.take();
        let hwm = self.hwm_kib.clone();
        tokio::task::spawn_blocking(move || {
            let _child = child; // not dropped (nor reaped by std) before wait4 returns
            let mut status = 0;
            // SAFETY: a zeroed rusage is a valid out-parameter.
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            loop {
                // SAFETY: wait4 on our own child with valid out-pointers.
                let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
                if r == pid {
                    break;
                }
                let e = std::io::Error::last_os_error();
                if e.kind() != std::io::ErrorKind::Interrupted {
                    return Err(anyhow!("wait4: {e}"));
                }
            }
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            let code = if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                128 + libc::WTERMSIG(status)
            };
            Ok(Usage {
                status: code,
                maxrss_kib: hwm.load(Ordering::Relaxed),
                user_s: secs(ru.ru_utime),
                sys_s: secs(ru.ru_stime),
            })
        })
        .await?
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[cfg(target_os = "linux")]
fn die_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// CPU seconds (user + system) used so far by process `pid`.
fn cpu_secs(pid: Option<u32>) -> f64 {
    let Some(pid) = pid else { return f64::NAN };
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return f64::NAN;
    };
    // Fields after the command name (which may contain spaces) start at field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks(11) + ticks(12)) / hz // utime, stime (fields 14, 15)
}

/// Sum of `events=` over the engine's `committed` lines, and the number of such lines.
fn committed_totals(log: &str) -> (u64, u64) {
    let mut events = 0;
    let mut commits = 0;
    for line in log.lines() {
        if let Some(c) = parse_committed(line) {
            events += c.2;
            commits += 1;
        }
    }
    (events, commits)
}

/// `(from, to, events)` of a `committed` debug line.
fn parse_committed(line: &str) -> Option<(u64, u64, u64)> {
    let line = strip_ansi(line);
    if !line.contains(" committed") {
        return None;
    }
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("from=")?, field("to=")?, field("events=")?))
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn engine_command(
    args: &Args,
    config: &Path,
    db: &Path,
    log_dir: &Path,
    until_head: bool,
) -> Command {
    let mut cmd = Command::new(&args.tokenwatch);
    cmd.arg("run")
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .arg("--log-dir")
        .arg(log_dir);
    if until_head {
        cmd.arg("--until-head");
    }
    cmd.env("TOKENWATCH_LOG", "info,tokenwatch_engine::sync=debug")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

async fn engine_runs(
    chain: &Chain,
    args: &Args,
    work: &Path,
    size: u64,
    (label, max_block_range): (&str, Option<u64>),
    pairing: Option<&Pairing>,
) -> Result<(Value, PathBuf)> {
    let dir = work.join(format!(
        "engine-{size}-{}",
        max_block_range.map_or("default".to_string(), |n| format!("range{n}"))
    ));
    fs::create_dir_all(&dir)?;
    let config = dir.join("bench.toml");
    write_config(
        &config,
        chain,
        &[chain.anvil.url()],
        args.poll_ms,
        max_block_range,
    )?;
    let mut runs = Vec::new();
    let mut db = dir.join("db.sqlite");
    for i in 0..args.engine_repeats {
        db = dir.join(format!("run{i}.sqlite"));
        for ext in ["", "-wal", "-shm", ".lock"] {
            let _ = fs::remove_file(format!("{}{ext}", db.display()));
        }
        let stderr_path = dir.join(format!("run{i}.stderr"));
        let mut cmd = engine_command(args, &config, &db, &dir.join("logs"), true);
        cmd.stderr(File::create(&stderr_path)?);
        let raw_before = match pairing {
            Some(p) => Some(p.rate().await?),
            None => None,
        };
        let anvil_cpu0 = cpu_secs(chain.anvil.pid());
        let start = Instant::now();
        let proc = Proc::spawn(&mut cmd)?;
        let usage = proc.wait().await?;
        let wall = start.elapsed().as_secs_f64();
        let anvil_cpu = cpu_secs(chain.anvil.pid()) - anvil_cpu0;
        let log = fs::read_to_string(&stderr_path).unwrap_or_default();
        if usage.status != 0 {
            bail!(
                "tokenwatch exited with {} ({}):\n{}",
                usage.status,
                stderr_path.display(),
                tail(&log, 30)
            );
        }
        let (events, commits) = committed_totals(&log);
        if events != size {
            bail!(
                "tokenwatch committed {events} events, expected {size} ({})",
                stderr_path.display()
            );
        }
        let rate = size as f64 / wall;
        let paired = raw_before.map(|a| rate / a);
        println!(
            "run  {label:<32} {wall:>6.2}s {rate:>9.0} events/s  peak RSS {:>5.0} MiB  cpu engine {:.2}s + anvil {:.2}s  ({commits} commits){}",
            usage.maxrss_kib as f64 / 1024.0,
            usage.user_s + usage.sys_s,
            anvil_cpu,
            match (raw_before, paired) {
                (Some(a), Some(r)) => format!("  raw just before {a:.0} logs/s, ratio {r:.2}"),
                _ => String::new(),
            }
        );
        runs.push(json!({
            "wall_s": wall, "events_per_s": rate, "maxrss_kib": usage.maxrss_kib,
            "user_s": usage.user_s, "sys_s": usage.sys_s, "anvil_cpu_s": anvil_cpu,
            "commits": commits, "raw_logs_per_s_before": raw_before, "ratio_to_raw_before": paired,
        }));
    }
    // Cross-check the database itself on the last run.
    let exported = export_count(args, &db).await?;
    if exported != size {
        bail!("the database holds {exported} events, expected {size}");
    }
    let walls: Vec<f64> = runs.iter().filter_map(|r| r["wall_s"].as_f64()).collect();
    let rss: Vec<f64> = runs
        .iter()
        .filter_map(|r| r["maxrss_kib"].as_f64())
        .collect();
    let med = median(&walls);
    let paired: Vec<f64> = runs
        .iter()
        .filter_map(|r| r["ratio_to_raw_before"].as_f64())
        .collect();
    Ok((
        json!({
            "config": label, "max_block_range": max_block_range, "events": size,
            "ratio_paired_median": (!paired.is_empty()).then(|| median(&paired)),
            "runs": runs,
            "wall_s_median": med, "events_per_s_median": size as f64 / med,
            "events_per_s_best": size as f64 / walls.iter().copied().fold(f64::INFINITY, f64::min),
            "maxrss_mib_max": rss.iter().copied().fold(0.0, f64::max) / 1024.0,
            "exported_rows": exported,
        }),
        db,
    ))
}

async fn export_count(args: &Args, db: &Path) -> Result<u64> {
    let out = tokio::process::Command::new(&args.tokenwatch)
        .arg("export")
        .arg("--db")
        .arg(db)
        .arg("--out")
        .arg("/dev/null")
        .output()
        .await?;
    let err = String::from_utf8_lossy(&out.stderr);
    err.split_whitespace()
        .skip_while(|w| *w != "exported")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("tokenwatch export: {err}"))
}

// ---------------------------------------------------------------------------------------
// (c) live latency

async fn live_latency(
    chain: &Chain,
    args: &Args,
    work: &Path,
    backfilled: &Path,
    label: &str,
    rpc: &[String],
) -> Result<Value> {
    let dir = work.join(format!("live-{}", label.replace([' ', '+'], "")));
    fs::create_dir_all(&dir)?;
    // Start from a copy of a backfilled database, so the engine works on a full one.
    let db = dir.join("db.sqlite");
    fs::copy(backfilled, &db).context("copying the backfilled database")?;
    let config = dir.join("bench.toml");
    write_config(&config, chain, rpc, args.poll_ms, None)?;
    let mut cmd = engine_command(args, &config, &db, &dir.join("logs"), false);
    cmd.stderr(Stdio::piped());
    let spawned = Instant::now();
    let mut proc = Proc::spawn(&mut cmd)?;
    let stderr = proc
        .child
        .as_mut()
        .and_then(|c| c.stderr.take())
        .context("no stderr pipe")?;
    // A thread reads the engine's stderr and timestamps each `committed` line as it arrives.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, u64, u64, u64)>();
    let log_path = dir.join("engine.stderr");
    let reader = std::thread::spawn(move || {
        let mut file = File::create(log_path).ok();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let now = Instant::now();
            if let Some((from, to, events)) = parse_committed(&line) {
                let _ = tx.send((now, from, to, events));
            }
            if let Some(f) = file.as_mut() {
                let _ = writeln!(f, "{line}");
            }
        }
    });

    let result = sample_latency(chain, args, &mut rx).await;
    let was_automine = chain.anvil.set_automine(true).await;
    proc.signal(libc::SIGTERM);
    let pid = proc.pid();
    let mut waiting = tokio::spawn(proc.wait());
    let usage = match tokio::time::timeout(Duration::from_secs(20), &mut waiting).await {
        Ok(r) => r?,
        Err(_) => {
            // SAFETY: kill(2) on our own child, which the waiting thread has not reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let _ = waiting.await;
            Err(anyhow!(
                "tokenwatch did not stop within 20s of SIGTERM; killed it"
            ))
        }
    };
    let wall = spawned.elapsed().as_secs_f64();
    let _ = reader.join();
    was_automine?;
    let samples = result?;
    let usage = usage?;
    let cpu_share = (usage.user_s + usage.sys_s) / wall;
    let stats = |xs: &[f64]| {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        json!({
            "p50_ms": percentile(&v, 50.0), "p90_ms": percentile(&v, 90.0),
            "p99_ms": percentile(&v, 99.0), "max_ms": percentile(&v, 100.0),
            "min_ms": percentile(&v, 0.0), "mean_ms": v.iter().sum::<f64>() / v.len().max(1) as f64,
        })
    };
    let head = stats(&samples.from_head);
    let answer = stats(&samples.from_answer);
    let request = stats(&samples.from_request);
    let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    println!(
        "live {label:<20} n={} from newHeads: p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms | from evm_mine answer p50 {:.1} p99 {:.1} | from evm_mine request p50 {:.1} p99 {:.1} | peak RSS {:.0} MiB  engine cpu {:.0}% of a core",
        samples.from_head.len(),
        f(&head, "p50_ms"),
        f(&head, "p90_ms"),
        f(&head, "p99_ms"),
        f(&head, "max_ms"),
        f(&answer, "p50_ms"),
        f(&answer, "p99_ms"),
        f(&request, "p50_ms"),
        f(&request, "p99_ms"),
        usage.maxrss_kib as f64 / 1024.0,
        cpu_share * 100.0
    );
    let mut out = json!({
        "config": label, "rpc": rpc, "poll_interval_ms": args.poll_ms,
        "samples": samples.from_head.len(), "committed_before_head_seen": samples.early,
        "from_mine_answer": answer, "from_mine_request": request,
        "maxrss_kib": usage.maxrss_kib, "wall_s": wall, "cpu_s": usage.user_s + usage.sys_s,
        "cpu_share_of_one_core": cpu_share,
        "latencies_from_head_ms": samples.from_head,
        "latencies_from_mine_answer_ms": samples.from_answer,
        "latencies_from_mine_request_ms": samples.from_request,
    });
    for (k, v) in head.as_object().into_iter().flatten() {
        out[k] = v.clone();
    }
    Ok(out)
}

/// Latency samples in ms, measured from three starting points: when this process got the
/// node's `newHeads` notification for the block (the headline: the moment any client can
/// know of the block), when `evm_mine` answered, and when it was sent (an upper bound).
#[derive(Default)]
struct Samples {
    from_head: Vec<f64>,
    from_answer: Vec<f64>,
    from_request: Vec<f64>,
    /// Commits seen before the head notification reached us (counted as 0 ms).
    early: usize,
}

/// Mines one single-event block at a time and waits for the engine to commit it.
async fn sample_latency(
    chain: &Chain,
    args: &Args,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(Instant, u64, u64, u64)>,
) -> Result<Samples> {
    let (head_tx, mut heads) = tokio::sync::mpsc::unbounded_channel();
    let watcher = tokio::spawn(watch_heads(chain.anvil.port(), head_tx));
    let result = async {
        chain.anvil.set_automine(false).await?;
        let warmup = 10;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64);
        let mut out = Samples::default();
        let opts = TxOptions {
            gas: Some(100_000),
            ..TxOptions::default()
        };
        for i in 0..warmup + args.samples {
            let to = &chain.to[i % chain.to.len()];
            chain.spammer.submit(&opts, "spam", &[to, "1"]).await?;
            // A random pause so blocks land at random points of the engine's poll cycle.
            let pause = 5 + rng.next_u64() % (2 * args.poll_ms.max(50) + 20);
            tokio::time::sleep(Duration::from_millis(pause)).await;
            while rx.try_recv().is_ok() {}
            while heads.try_recv().is_ok() {}
            let block = chain.anvil.block_number().await? + 1;
            let before = Instant::now();
            chain.anvil.rpc("evm_mine", json!([])).await?;
            let answered = Instant::now();
            let head = loop {
                match tokio::time::timeout(Duration::from_secs(10), heads.recv()).await {
                    Ok(Some((at, n))) if n == block => break at,
                    Ok(Some((_, n))) if n > block => bail!("newHeads skipped block {block}"),
                    Ok(Some(_)) => {}
                    Ok(None) => bail!("the newHeads subscription of the benchmark ended"),
                    Err(_) => bail!("no newHeads notification for block {block} within 10s"),
                }
            };
            // The first sample also waits for the engine to start and catch up.
            let limit = if i == 0 { 120 } else { 10 };
            let deadline = answered + Duration::from_secs(limit);
            let committed = loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, rx.recv()).await {
                    Ok(Some((at, from, to, events)))
                        if from <= block && block <= to && events > 0 =>
                    {
                        break at
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => bail!("tokenwatch exited during the latency run"),
                    Err(_) => bail!("block {block} not committed within {limit}s"),
                }
            };
            if i >= warmup {
                let ms =
                    |from: Instant| committed.saturating_duration_since(from).as_secs_f64() * 1e3;
                if committed < head {
                    out.early += 1;
                }
                out.from_head.push(ms(head));
                out.from_answer.push(ms(answered));
                out.from_request.push(ms(before));
            }
        }
        Ok(out)
    }
    .await;
    watcher.abort();
    result
}

/// Subscribes to `newHeads` on anvil's WebSocket port and sends `(arrival, block number)` for
/// each head. A minimal RFC 6455 client (the harness has no WebSocket dependency): one text
/// request, then unmasked server frames; pings are answered.
async fn watch_heads(
    port: u16,
    tx: tokio::sync::mpsc::UnboundedSender<(Instant, u64)>,
) -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    sock.set_nodelay(true)?;
    sock.write_all(
        format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if sock.read(&mut byte).await? == 0 {
            bail!("WebSocket handshake: connection closed");
        }
        buf.push(byte[0]);
    }
    if !buf.starts_with(b"HTTP/1.1 101") {
        bail!(
            "WebSocket handshake refused: {}",
            String::from_utf8_lossy(&buf)
        );
    }
    async fn send(sock: &mut tokio::net::TcpStream, opcode: u8, payload: &[u8]) -> Result<()> {
        // Client frames must be masked; a zero mask leaves the payload as it is.
        let mut frame = vec![0x80 | opcode];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
        }
        frame.extend_from_slice(&[0, 0, 0, 0]);
        frame.extend_from_slice(payload);
        sock.write_all(&frame).await?;
        Ok(())
    }
    send(
        &mut sock,
        0x1,
        br#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#,
    )
    .await?;
    let mut message = Vec::new();
    loop {
        let mut head = [0u8; 2];
        sock.read_exact(&mut head).await?;
        let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0f);
        let len = match head[1] & 0x7f {
            126 => u64::from(sock.read_u16().await?),
            127 => sock.read_u64().await?,
            n => u64::from(n),
        };
        let mut mask = [0u8; 4];
        if head[1] & 0x80 != 0 {
            sock.read_exact(&mut mask).await?;
        }
        let mut payload = vec![0u8; usize::try_from(len)?];
        sock.read_exact(&mut payload).await?;
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
        match opcode {
            0x8 => bail!("the node closed the WebSocket"),
            0x9 => send(&mut sock, 0xA, &payload).await?,
            0x0..=0x2 => {
                message.extend_from_slice(&payload);
                if fin {
                    let at = Instant::now();
                    let v: Value = serde_json::from_slice(&message).unwrap_or(Value::Null);
                    let number = v["params"]["result"]["number"]
                        .as_str()
                        .and_then(|n| u64::from_str_radix(n.trim_start_matches("0x"), 16).ok());
                    if let Some(n) = number {
                        let _ = tx.send((at, n));
                    }
                    message.clear();
                }
            }
            _ => {}
        }
    }
}

fn print_summary(out: &Value) {
    println!("\n== summary");
    for s in out["sizes"].as_array().into_iter().flatten() {
        let best = &s["raw_best"];
        println!(
            "{} events: (a) raw ceiling {:.0} logs/s ({} blocks/request, x{})",
            s["events"],
            best["logs_per_s_median"].as_f64().unwrap_or(0.0),
            best["chunk_blocks"],
            best["concurrency"]
        );
        for (e, r) in s["engine"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(s["ratios"].as_array().into_iter().flatten())
        {
            println!(
                "  (b) {:<32} {:>9.0} events/s  (b)/(a) = {:.2}, paired {}   (d) peak RSS {:.0} MiB",
                e["config"].as_str().unwrap_or(""),
                e["events_per_s_median"].as_f64().unwrap_or(0.0),
                r["ratio_b_over_a"].as_f64().unwrap_or(0.0),
                r["ratio_paired_median"]
                    .as_f64()
                    .map_or("-".to_string(), |p| format!("{p:.2}")),
                e["maxrss_mib_max"].as_f64().unwrap_or(0.0)
            );
        }
    }
    for l in out["latency"].as_array().into_iter().flatten() {
        println!(
            "(c) {:<20} p50 {:.1} ms  p99 {:.1} ms from newHeads (from the evm_mine request: p50 {:.1} p99 {:.1}; n={}, poll_interval_ms={})  peak RSS {:.0} MiB",
            l["config"].as_str().unwrap_or(""),
            l["p50_ms"].as_f64().unwrap_or(0.0),
            l["p99_ms"].as_f64().unwrap_or(0.0),
            l["from_mine_request"]["p50_ms"].as_f64().unwrap_or(0.0),
            l["from_mine_request"]["p99_ms"].as_f64().unwrap_or(0.0),
            l["samples"],
            l["poll_interval_ms"],
            l["maxrss_kib"].as_f64().unwrap_or(0.0) / 1024.0
        );
    }
}

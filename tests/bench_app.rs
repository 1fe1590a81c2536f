//! Desktop benchmark (issue 4), not a test: run by `scripts/bench.sh history` with a
//! database of a million events (`TOKENWATCH_BENCH_DB`). In the real app under Xvfb it
//! measures app start to first screen, then the time from a user action (open History,
//! scroll, filter, sort) to its rows being drawn, on the page's own clock (polled every few
//! ms through WebDriver, so each figure may be a poll late), the CSV export, and the
//! resident memory of the app and its web process. Figures are printed, not asserted.

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use support::desktop::Desktop;
use support::webdriver::Session;

/// Performs an action and notes when (in-page clock) and what History showed before.
const ACT: &str = r#"
const [action, arg] = [arguments[0], arguments[1]];
const ids = () => [...document.querySelectorAll('[data-testid=history-row]')].map(r => r.dataset.id).join(',');
window.__bench = { action, before: ids(), count: document.querySelector('[data-testid=history-count]')?.textContent ?? '' };
window.__bench.t0 = performance.now();
if (action === 'open') document.querySelector('nav [data-screen=history]').click();
if (action === 'scroll') { const s = document.querySelector('[data-testid=history-table] .vt-scroll'); s.scrollTop = arg * (s.scrollHeight - s.clientHeight); }
if (action === 'sort') document.querySelector(`[data-sort=${arg}]`).click();
if (action === 'filter' || action === 'clear') {
  for (const [name, value] of Object.entries(arg)) {
    const input = document.querySelector(`[data-testid=history] [name=${name}]`);
    input.value = value; input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  document.querySelector('[data-testid=history-apply]').click();
}
"#;

/// The milliseconds since the action once History shows loaded rows that differ from
/// before (and, for a filter, a new count without "counting"), else null. Also returns
/// what it sees, to explain a timeout.
const READY: &str = r#"
const b = window.__bench;
const t = document.querySelector('[data-testid=history-table]');
const ids = [...document.querySelectorAll('[data-testid=history-row]')].map(r => r.dataset.id).join(',');
const count = document.querySelector('[data-testid=history-count]')?.textContent ?? '';
const loading = t ? t.querySelectorAll('.vt-row.loading').length : -1;
const visible = t != null && t.offsetParent !== null;
const filtering = b.action === 'filter' || b.action === 'clear';
let ok = visible && loading === 0 && ids !== '' && (b.action === 'open' || filtering || ids !== b.before);
if (filtering && count === b.count) ok = false;
if (count.includes('counting')) ok = false;
return { ms: ok ? performance.now() - b.t0 : null, seen: `${visible ? 'visible' : 'hidden'}, ${loading} loading, count "${count}", rows ${ids.slice(0, 60)}` };
"#;

fn percentiles(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| xs[((xs.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.95))
}

async fn measure(app: &Session, action: &str, arg: Value) -> Result<f64> {
    app.script(ACT, json!([action, arg])).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = app.script(READY, json!([])).await?;
        if let Some(ms) = r["ms"].as_f64() {
            return Ok(ms);
        }
        ensure!(
            Instant::now() < deadline,
            "{action} {arg}: rows not drawn within 60 s; {}",
            r["seen"]
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Resident memory (MiB) of processes whose command name starts with `name`.
fn rss_mib(name: &str) -> f64 {
    let mut kib = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        let comm = status
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("Name:")
            .trim();
        if !comm.starts_with(name) {
            continue;
        }
        if let Some(l) = status.lines().find(|l| l.starts_with("VmRSS:")) {
            kib += l
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    kib as f64 / 1024.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench.sh history runs it with a million-event database"]
async fn history_with_a_million_events() -> Result<()> {
    let db = PathBuf::from(std::env::var("TOKENWATCH_BENCH_DB").context("TOKENWATCH_BENCH_DB")?);
    let repeats: usize = std::env::var("TOKENWATCH_BENCH_REPEATS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    std::fs::write(&config, "")?;
    let export = dir.join("export.csv");
    let desktop = Desktop::start_with(&config, &[("TOKENWATCH_EXPORT_PATH", &export)])?;
    std::fs::copy(&db, desktop.data_dir().join("tokenwatch.db")).context("copying the database")?;

    let started = Instant::now();
    let app = desktop.open_app().await?;
    let session = started.elapsed();
    app.wait_text(
        "[data-testid=engine-status]",
        Duration::from_secs(60),
        |t| !t.is_empty(),
    )
    .await?;
    let first_screen = started.elapsed();
    println!(
        "app start: window {:.0} ms, first screen with status {:.0} ms",
        session.as_secs_f64() * 1e3,
        first_screen.as_secs_f64() * 1e3
    );

    let mut report = Vec::new();
    let open = measure(&app, "open", json!(null)).await?;
    report.push((
        "open History (count + first rows drawn)".to_string(),
        vec![open],
    ));
    let mut scrolls = Vec::new();
    for i in 0..repeats {
        scrolls.push(measure(&app, "scroll", json!(((i * 7919) % 997 + 1) as f64 / 998.0)).await?);
    }
    report.push(("scroll to a random place".into(), scrolls));
    let filters = [
        json!({"listener": "weth-approvals"}),
        json!({"listener": ""}),
        json!({"event": "Approval"}),
        json!({"event": ""}),
        json!({"contract": "0xc0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"}),
        json!({"contract": ""}),
        json!({"status": "pending"}),
        json!({"status": ""}),
    ];
    let mut filtered = Vec::new();
    for i in 0..repeats {
        let f = &filters[i % filters.len()];
        let action = if f.as_object().is_some_and(|o| o.values().all(|v| v == "")) {
            "clear"
        } else {
            "filter"
        };
        filtered.push(measure(&app, action, f.clone()).await?);
    }
    report.push(("apply a filter (count + rows)".into(), filtered));
    let mut sorted = Vec::new();
    for i in 0..repeats {
        sorted.push(
            measure(
                &app,
                "sort",
                json!(if i % 2 == 0 { "amount" } else { "time" }),
            )
            .await?,
        );
    }
    report.push(("sort (amount / time)".into(), sorted));
    for (name, xs) in &report {
        let (p50, p95) = percentiles(xs.clone());
        println!(
            "{name:<40} p50 {p50:>7.1} ms  p95 {p95:>7.1} ms  (n={})",
            xs.len()
        );
    }
    println!(
        "resident memory: app {:.0} MiB, web process {:.0} MiB",
        rss_mib("tokenwatch-app"),
        rss_mib("WebKitWebProces")
    );

    let t = Instant::now();
    app.click("[data-testid=history-export]").await?;
    let done = app
        .wait_text("[data-testid=export-done]", Duration::from_secs(600), |t| {
            t.contains("Exported")
        })
        .await?;
    println!(
        "export: {done} in {:.2} s (click to done, polled every 250 ms)",
        t.elapsed().as_secs_f64()
    );
    println!(
        "resident memory after export: app {:.0} MiB",
        rss_mib("tokenwatch-app")
    );
    let _ = app.close().await;
    Ok(())
}

//! Desktop benchmark (issue 4), not a test: run by `scripts/bench.sh history` with a
//! database of a million events (`TOKENWATCH_BENCH_DB`). In the real app under Xvfb it
//! measures app start to first screen, then the time from a user action (open History,
//! scroll, filter, sort) to its rows being drawn, on the page's own clock (polled every few
//! ms through WebDriver, so each figure may be a poll late), the CSV export, and the
//! resident memory of the app and its web process. Figures are printed, not asserted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use serde_json::{json, Value};
use support::desktop::Desktop;
use support::webdriver::Session;

/// Performs an action and watches History on the page itself: a MutationObserver notes
/// the first moment its rows (loaded, and different from before unless opening or
/// filtering) and its count (final, not "counting") are in the document, and the next
/// animation frame after the rows, when they are painted.
const ACT: &str = r#"
const [action, arg] = [arguments[0], arguments[1]];
const ids = () => [...document.querySelectorAll('[data-testid=history-row]')].map(r => r.dataset.id).join(',');
const countText = () => document.querySelector('[data-testid=history-count]')?.textContent ?? '';
window.__bench?.observer?.disconnect();
const b = window.__bench = { action, before: ids(), count: countText(), rows: null, painted: null, counted: null, };
window.__tokenwatchIpcTrace = [];
const filtering = action === 'filter' || action === 'clear';
const check = () => {
  const now = performance.now() - b.t0;
  const t = document.querySelector('[data-testid=history-table]');
  if (b.rows == null) {
    const loading = t ? t.querySelectorAll('.vt-row.loading').length : -1;
    const visible = t != null && t.offsetParent !== null;
    const seen = ids();
    const changed = action === 'open' || filtering || seen !== b.before;
    if (visible && loading === 0 && seen !== '' && changed && (!filtering || seen !== b.before || countText() !== b.count)) {
      b.rows = now;
      requestAnimationFrame(() => { b.painted = performance.now() - b.t0; });
    }
  }
  const c = countText();
  if (b.counted == null && !c.includes('counting') && c !== '' && (!filtering || c !== b.count)) b.counted = now;
};
b.observer = new MutationObserver(check);
b.observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
b.t0 = performance.now();
if (action === 'open') document.querySelector('nav [data-screen=history]').click();
if (action === 'scroll') { const s = document.querySelector('[data-testid=history-table] .vt-scroll'); s.scrollTop = arg * (s.scrollHeight - s.clientHeight); }
if (action === 'sort') document.querySelector(`[data-sort=${arg}]`).click();
if (filtering) {
  for (const [name, value] of Object.entries(arg)) {
    const input = document.querySelector(`[data-testid=history] [name=${name}]`);
    input.value = value; input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  document.querySelector('[data-testid=history-apply]').click();
}
"#;

/// Once the rows are painted and the count is final: the milliseconds since the action
/// to each, and the IPC calls made meanwhile; else null. Also says what it sees, to
/// explain a timeout.
const READY: &str = r#"
const b = window.__bench;
const t = document.querySelector('[data-testid=history-table]');
const loading = t ? t.querySelectorAll('.vt-row.loading').length : -1;
const count = document.querySelector('[data-testid=history-count]')?.textContent ?? '';
const seen = `${loading} loading, count "${count}", rows ${b.rows}, painted ${b.painted}, counted ${b.counted}`;
if (b.painted == null || b.counted == null) return { done: false, seen };
b.observer.disconnect();
const calls = window.__tokenwatchIpcTrace.filter(c => c.start >= b.t0).map(c => ({ cmd: c.cmd, ms: c.ms }));
return { done: true, rows: b.rows, painted: b.painted, counted: b.counted, calls, seen };
"#;

/// What one action took, in milliseconds from the action.
struct Timing {
    /// The rows were in the document ...
    rows: f64,
    /// ... and painted (the next animation frame).
    painted: f64,
    /// The final count was shown.
    counted: f64,
    /// `(command, ms)` of each IPC call made meanwhile.
    calls: Vec<(String, f64)>,
}

fn percentiles(mut xs: Vec<f64>) -> (f64, f64) {
    xs.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| xs[((xs.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.95))
}

async fn measure(app: &Session, action: &str, arg: Value) -> Result<Timing> {
    app.script(ACT, json!([action, arg]))
        .await
        .with_context(|| format!("{action}: the action"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = app
            .script(READY, json!([]))
            .await
            .with_context(|| format!("{action}: reading the times"))?;
        if r["done"] == json!(true) {
            let ms = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
            let calls = r["calls"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    (
                        c["cmd"].as_str().unwrap_or_default().to_string(),
                        c["ms"].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect();
            return Ok(Timing {
                rows: ms("rows"),
                painted: ms("painted"),
                counted: ms("counted"),
                calls,
            });
        }
        ensure!(
            Instant::now() < deadline,
            "{action} {arg}: rows not drawn within 60 s; {}",
            r["seen"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Prints p50 and p95 of the rows painted, the count shown and each IPC command.
fn report_line(name: &str, timings: &[Timing]) {
    let line = |what: &str, xs: Vec<f64>| {
        if xs.is_empty() {
            return;
        }
        let n = xs.len();
        let (p50, p95) = percentiles(xs);
        println!("{name:<28} {what:<22} p50 {p50:>7.1} ms  p95 {p95:>7.1} ms  (n={n})");
    };
    line("rows in document", timings.iter().map(|t| t.rows).collect());
    line("rows painted", timings.iter().map(|t| t.painted).collect());
    line("count shown", timings.iter().map(|t| t.counted).collect());
    let mut cmds: Vec<&str> = timings
        .iter()
        .flat_map(|t| t.calls.iter().map(|(c, _)| c.as_str()))
        .collect();
    cmds.sort_unstable();
    cmds.dedup();
    for cmd in cmds {
        let xs = timings
            .iter()
            .flat_map(|t| t.calls.iter().filter(|(c, _)| c == cmd).map(|(_, ms)| *ms))
            .collect();
        line(&format!("ipc {cmd}"), xs);
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
    // Right after the first screen the app is still loading the dashboard and the feed,
    // and History has not been loaded ahead of time yet.
    let open = measure(&app, "open", json!(null)).await?;
    report.push(("open History at start", vec![open]));
    let mut opens = Vec::new();
    for _ in 0..repeats {
        app.click("nav [data-screen=dashboard]").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        opens.push(measure(&app, "open", json!(null)).await?);
    }
    report.push(("open History again", opens));
    let mut scrolls = Vec::new();
    for i in 0..repeats {
        scrolls.push(measure(&app, "scroll", json!(((i * 7919) % 997 + 1) as f64 / 998.0)).await?);
    }
    report.push(("scroll to a random place", scrolls));
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
    report.push(("apply a filter", filtered));
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
    report.push(("sort (amount / time)", sorted));
    for (name, timings) in &report {
        report_line(name, timings);
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
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

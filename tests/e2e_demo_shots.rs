//! README pictures from the demo chain: the Tokens screen on DemoUSD and the Address book
//! with a few demo accounts labelled, taken in the real window. Ignored by the default run:
//! `scripts/screenshots.sh` builds the demo and runs it (it writes the pictures to the cache,
//! or to docs/screenshots with --update-docs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use serde_json::json;
use support::desktop::Desktop;
use support::webdriver::Session;

const WAIT: Duration = Duration::from_secs(60);

/// Demo accounts (anvil's) and the labels the pictures show.
const LABELS: &[(&str, &str)] = &[
    (
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "DemoUSD issuer",
    ),
    ("0xa0ee7a142d267c1f36714e4a8f75612f20a79720", "Market maker"),
    (
        "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
        "Exchange hot wallet",
    ),
    ("0x14dc79964da2c08b23698b3d3cc7ca32193d9955", "Custody desk"),
];

/// The demo chain, stopped when dropped.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// `tokenwatch-demo` beside this test's binary (target/debug), or `TOKENWATCH_DEMO_BIN`.
fn demo_binary() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("TOKENWATCH_DEMO_BIN") {
        return Ok(p.into());
    }
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("tokenwatch-demo"))
        .context("no target directory")?;
    ensure!(
        bin.exists(),
        "{} is missing: cargo build --bin tokenwatch-demo",
        bin.display()
    );
    Ok(bin)
}

/// Starts the demo chain on a free port, its config written to `config`.
fn start_demo(config: &Path) -> Result<Demo> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(demo_binary()?)
        .args(["--port", &port.to_string(), "--config-out"])
        .arg(config)
        .env(
            "TOKENWATCH_ANVIL",
            std::env::var_os("TOKENWATCH_ANVIL").unwrap_or_default(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting tokenwatch-demo")?;
    let out = child.stdout.take().context("no demo output")?;
    let demo = Demo(child);
    for line in BufReader::new(out).lines() {
        if line?.starts_with("demo chain ready") {
            return Ok(demo);
        }
    }
    bail!("the demo chain stopped before it was ready")
}

async fn shot(app: &Session, dir: &Path, name: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), app.screenshot().await?)?;
    eprintln!("wrote {}", dir.join(name).display());
    Ok(())
}

/// Waits until the text content of the first element matching `css` passes `ok` (WebDriver's
/// visible text is empty below the fold of a scrolled pane).
async fn wait_content(app: &Session, css: &str, ok: impl Fn(&str) -> bool) -> Result<()> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = app
            .script(
                "const e = document.querySelector(arguments[0]); return e == null ? null : e.textContent.trim();",
                json!([css]),
            )
            .await?;
        if v.as_str().is_some_and(&ok) {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{css}: not seen within {WAIT:?}; last: {v}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits for the label dialog to be open (or closed).
async fn dialog_open(app: &Session, open: bool) -> Result<()> {
    let deadline = std::time::Instant::now() + WAIT;
    while app
        .script(
            "return document.querySelector('[data-testid=label-dialog]').open;",
            json!([]),
        )
        .await?
        != json!(open)
    {
        if std::time::Instant::now() > deadline {
            let inside = app
                .script(
                    "return document.querySelector('[data-testid=label-dialog]').innerText;",
                    json!([]),
                )
                .await?;
            bail!(
                "the label dialog is not {}: {inside}",
                if open { "open" } else { "closed" }
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

async fn label_accounts(app: &Session) -> Result<()> {
    app.screen("addresses").await?;
    for (address, label) in LABELS {
        app.type_into("[data-screen-id=addresses] [name=address]", address)
            .await?;
        app.click("[data-testid=labels-add]").await?;
        dialog_open(app, true).await?;
        app.type_into("[data-testid=label-dialog] [name=label]", label)
            .await?;
        app.click("[data-testid=label-save]").await?;
        dialog_open(app, false).await?;
        wait_content(
            app,
            &format!("[data-screen-id=addresses] tr[data-address='{address}' i] [data-testid=label-text]"),
            |t| t == *label,
        )
        .await?;
    }
    app.script(
        "document.querySelector('[data-screen-id=addresses] [name=address]').value = '';",
        json!([]),
    )
    .await?;
    Ok(())
}

async fn open_demo_usd(app: &Session) -> Result<()> {
    app.screen("tokens").await?;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let clicked = app
            .script(
                "const b = [...document.querySelectorAll('[data-screen-id=tokens] .token-item')]
                   .find((b) => b.textContent.includes('DUSD'));
                 if (b) b.click();
                 return b != null;",
                json!([]),
            )
            .await?;
        if clicked == json!(true) {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "DemoUSD is not listed"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    wait_content(
        app,
        "[data-screen-id=tokens] [data-testid=token-top] tbody tr [data-testid=holder-share]",
        |t| !t.is_empty(),
    )
    .await?;
    // The supply chart and the register draw after the holders.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "pictures for README: run by scripts/screenshots.sh"]
async fn demo_pictures_of_tokens_and_the_address_book() -> Result<()> {
    let out = PathBuf::from(
        std::env::var_os("TOKENWATCH_SCREENSHOT_DIR").context("set TOKENWATCH_SCREENSHOT_DIR")?,
    );
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let _demo = start_demo(&config)?;
    // WebKitWebDriver's screenshot hangs when WebKit paints without compositing.
    let mut desktop = Desktop::start_with(
        &config,
        &[("WEBKIT_DISABLE_COMPOSITING_MODE", Path::new("0"))],
    )?;
    // A notification service, as on a desktop: Deliveries shows pop-ups going out.
    support::notifications::start(&mut desktop)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        app.wait_text("[data-testid=events-stored]", WAIT, |t| {
            t.replace(',', "").parse::<u64>().is_ok_and(|n| n >= 40)
        })
        .await?;
        label_accounts(&app).await?;
        shot(&app, &out, "address-book.png").await?;
        open_demo_usd(&app).await?;
        shot(&app, &out, "tokens.png").await?;
        app.screen("deliveries").await?;
        wait_content(&app, "[data-screen-id=deliveries]", |t| {
            t.contains("Targets")
        })
        .await?;
        shot(&app, &out, "deliveries.png").await?;
        anyhow::Ok(())
    }
    .await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

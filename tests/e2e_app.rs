//! End to end: a user sets Tokenwatch up through the window alone (adds a network, then a
//! listener with the event picker), sends transactions on a real anvil, sees them in the
//! live feed and in History, opens one, and exports History to CSV; the file's rows are
//! checked against the chain. With `TOKENWATCH_SCREENSHOT_DIR` set, a screenshot of each
//! screen is written there (the README's pictures come from this run).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_testkit::Anvil;

const WAIT: Duration = Duration::from_secs(60);

/// Saves a screenshot of the window as `<name>.png` when screenshots are asked for.
async fn shot(app: &Session, name: &str) -> Result<()> {
    if let Some(dir) = std::env::var_os("TOKENWATCH_SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir)?;
        let png = app.screenshot().await?;
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png)?;
    }
    Ok(())
}

/// Waits until the element's `disabled` property is false.
async fn enabled(app: &Session, css: &str) -> Result<()> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = app
            .script(
                "const e = document.querySelector(arguments[0]); return e != null && !e.disabled;",
                serde_json::json!([css]),
            )
            .await?;
        if v == serde_json::Value::Bool(true) {
            return Ok(());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{css} stayed disabled"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_sets_up_a_listener_in_the_window_and_exports_its_history() -> Result<()> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    let mut receipts = vec![
        token
            .send("mint", &[&accounts[0].to_string(), "5000000000"])
            .await?,
    ];

    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let export = dir.join("history.csv");
    let mut env: Vec<(&str, &Path)> = vec![("TOKENWATCH_EXPORT_PATH", &export)];
    if std::env::var_os("TOKENWATCH_SCREENSHOT_DIR").is_some() {
        // WebKitWebDriver's screenshot hangs when WebKit paints without compositing (what
        // the app chooses without a GPU): keep compositing on for the pictures.
        env.push(("WEBKIT_DISABLE_COMPOSITING_MODE", Path::new("0")));
    }
    let desktop = Desktop::start_with(&config, &env)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => anyhow::bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        // A network, through the Networks screen: "Test connection" detects the chain id.
        app.screen("networks").await?;
        app.click("[data-testid=network-add]").await?;
        app.type_into("[data-testid=network-form] [name=name]", "Local anvil")
            .await?;
        app.type_into("[data-testid=network-form] [name=rpc]", &anvil.url())
            .await?;
        app.type_into("[data-testid=network-form] [name=confirmation_blocks]", "0")
            .await?;
        app.click("[data-testid=network-test]").await?;
        app.wait_text("[data-testid=network-probe]", WAIT, |t| t.contains("31337"))
            .await?;
        shot(&app, "network-editor").await?;
        app.click("[data-testid=network-save]").await?;
        app.wait_text(
            "[data-network='Local anvil'] [data-testid=network-head]",
            WAIT,
            |t| t.replace(',', "").parse::<u64>().is_ok(),
        )
        .await?;
        let saved = std::fs::read_to_string(&config).context("the app wrote its config")?;
        ensure!(
            saved.contains("chain_id = 31337"),
            "chain id detected and saved:\n{saved}"
        );
        shot(&app, "networks").await?;

        // A listener, through the guided editor: the token's ERC-20 transfers from block 0.
        app.screen("listeners").await?;
        app.click("[data-testid=listener-add]").await?;
        app.type_into("[data-testid=listener-form] [name=name]", "TUSD transfers")
            .await?;
        app.click("[data-testid=listener-form] [name=scope][value=contracts]")
            .await?;
        app.type_into(
            "[data-testid=listener-form] [name=contracts]",
            &token.address().to_string(),
        )
        .await?;
        app.click("[data-testid=listener-form] [data-event='erc20:Transfer']")
            .await?;
        app.type_into("[data-testid=listener-form] [name=from_block]", "0")
            .await?;
        enabled(&app, "[data-testid=listener-save]").await?;
        shot(&app, "listener-editor").await?;
        app.click("[data-testid=listener-save]").await?;
        app.wait_text("[data-testid=events-stored]", WAIT, |t| t == "1")
            .await?;

        // Transactions while the app runs reach the feed and History.
        for (i, to) in accounts[1..=3].iter().enumerate() {
            let amount = ((i + 1) * 1_250_000).to_string();
            receipts.push(token.send("transfer", &[&to.to_string(), &amount]).await?);
        }
        app.wait_text("[data-testid=events-stored]", WAIT, |t| t == "4")
            .await?;
        shot(&app, "listeners").await?;
        app.screen("feed").await?;
        ensure!(
            app.count("[data-testid=feed-row]").await? == 4,
            "the feed lists the four events"
        );
        shot(&app, "live-feed").await?;
        app.screen("dashboard").await?;
        app.wait_text("[data-testid=dashboard-chart]", WAIT, |t| {
            t.contains("TUSD transfers")
        })
        .await?;
        shot(&app, "dashboard").await?;

        app.screen("history").await?;
        app.wait_text("[data-testid=history-count]", WAIT, |t| t.starts_with('4'))
            .await?;
        ensure!(
            app.count("[data-testid=history-row]").await? == 4,
            "History shows four rows"
        );
        shot(&app, "history").await?;
        let last = &receipts[3];
        app.click("[data-testid=history-row]").await?;
        let status = app
            .wait_text("[data-testid=detail-status]", WAIT, |t| !t.is_empty())
            .await?;
        ensure!(
            status == "confirmed",
            "confirmations = 0: the newest event is confirmed, got {status}"
        );
        let body = app
            .text("[data-testid=event-detail]")
            .await?
            .unwrap_or_default();
        ensure!(
            body.contains(&last.transaction_hash.to_string()),
            "the detail shows the tx hash:\n{body}"
        );
        ensure!(
            body.contains("3.75 TUSD"),
            "the amount in token units, with the token's symbol:\n{body}"
        );
        let raw = app
            .script(
                "return document.querySelector('[data-testid=detail-raw]')?.textContent ?? '';",
                serde_json::json!([]),
            )
            .await?;
        let transfer_topic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
        ensure!(
            raw.as_str().is_some_and(|t| t.contains(transfer_topic)),
            "the raw log shows topic0: {raw}"
        );
        let history = app
            .wait_text("[data-testid=detail-status-history]", WAIT, |t| {
                t.contains("stored as")
            })
            .await?;
        ensure!(
            history.contains("stored as confirmed") && !history.contains("removed"),
            "confirmations = 0: stored confirmed and never changed since: {history}"
        );
        shot(&app, "event-detail").await?;
        app.click("[data-testid=detail-close]").await?;

        // Export through the app (the save dialog answered by TOKENWATCH_EXPORT_PATH).
        app.click("[data-testid=history-export]").await?;
        app.wait_text("[data-testid=export-done]", WAIT, |t| {
            t.contains("Exported 4 rows")
        })
        .await?;
        app.screen("deliveries").await?;
        shot(&app, "deliveries").await?;
        app.screen("settings").await?;
        let config_shown = config.display().to_string();
        app.wait_text("[data-testid=settings]", WAIT, |t| {
            t.contains(&config_shown)
        })
        .await?;
        shot(&app, "settings").await?;
        // Starting with the system is off until the user turns it on: an autostart entry.
        let autostart = desktop.dir.join("home/.config/autostart");
        let entries = || {
            std::fs::read_dir(&autostart)
                .map(|d| d.count())
                .unwrap_or(0)
        };
        ensure!(entries() == 0, "no autostart entry by default");
        app.click("[data-testid=settings] [name=autostart]").await?;
        let deadline = std::time::Instant::now() + WAIT;
        while entries() == 0 {
            ensure!(
                std::time::Instant::now() < deadline,
                "no autostart entry in {}",
                autostart.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.click("[data-testid=settings] [name=autostart]").await?;
        while entries() != 0 {
            ensure!(
                std::time::Instant::now() < deadline,
                "the autostart entry stayed after turning it off"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = shot(&app, "failure").await;
    }
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;

    // The file's rows are the chain's Transfer logs in the table's order: newest first.
    let mut csv = csv_rows(&std::fs::read_to_string(&export)?)?;
    let header = csv.remove(0);
    ensure!(
        header[..14].join(",") == "network,chain_id,block_number,block_hash,block_time,tx_hash,log_index,contract,event,signature,listeners,status,token_symbol,token_decimals",
        "columns as `tokenwatch export`: {header:?}"
    );
    ensure!(
        header[14..] == ["from", "to", "value", "value_units"],
        "one column per argument, the amount also in token units: {header:?}"
    );
    ensure!(
        csv.len() == receipts.len(),
        "{} rows for {} transactions",
        csv.len(),
        receipts.len()
    );
    for (row, receipt) in csv.iter().zip(receipts.iter().rev()) {
        let log = &receipt.logs[0];
        ensure!(
            row[5] == receipt.transaction_hash.to_string(),
            "tx order: {row:?}"
        );
        ensure!(
            row[2] == receipt.block_number.to_string() && row[3] == receipt.block_hash.to_string()
        );
        ensure!(row[6] == log.log_index.to_string(), "log index: {row:?}");
        ensure!(
            row[7].eq_ignore_ascii_case(&token.address().to_string()),
            "contract: {row:?}"
        );
        let value = alloy_primitives::U256::from_be_slice(&log.data);
        ensure!(
            row[16] == value.to_string(),
            "value {} on chain: {row:?}",
            value
        );
        ensure!(
            row[17] == tokenwatch_engine::units::exact(&row[16], 6).unwrap_or_default()
                && row[12] == "TUSD"
                && row[13] == "6",
            "the value in token units: {row:?}"
        );
        ensure!(
            row[11] == "confirmed" && row[10] == "TUSD transfers",
            "{row:?}"
        );
    }
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

/// The CSV file's records, header first.
fn csv_rows(text: &str) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record?.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

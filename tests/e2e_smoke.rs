//! End to end: the real desktop app, under its own Xvfb and D-Bus session, driven through
//! WebDriver, follows a real anvil node and shows the engine's status and the events.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::time::Duration;

use anyhow::Result;
use support::desktop::Desktop;
use tokenwatch_testkit::Anvil;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn window_shows_engine_status_and_events() -> Result<()> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    token
        .send("mint", &[&accounts[0].to_string(), "1000000000"])
        .await?;
    for (i, to) in accounts[1..=3].iter().enumerate() {
        let amount = ((i + 1) * 100).to_string();
        token.send("transfer", &[&to.to_string(), &amount]).await?;
    }
    let head = anvil.block_number().await?;

    let dir = std::env::temp_dir().join(format!("tokenwatch-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[networks]]
name = "Local anvil"
chain_id = {chain}
rpc = ["{url}"]
confirmations = 0
poll_interval_ms = 200

[[listeners]]
name = "TUSD transfers"
network = "Local anvil"
contracts = ["{token}"]
events = ["erc20:Transfer"]
from_block = 0
"#,
            chain = anvil.chain_id(),
            url = anvil.url(),
            token = token.address(),
        ),
    )?;

    let desktop = Desktop::start(&config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => anyhow::bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        let wait = Duration::from_secs(60);
        app.wait_text("[data-testid=engine-status]", wait, |t| t == "Running")
            .await?;
        eprintln!("status: Running");
        app.screen("networks").await?;
        let shown_head = app
            .wait_text(
                "[data-network='Local anvil'] [data-testid=network-head]",
                wait,
                |t| t.parse::<u64>().is_ok_and(|h| h >= head),
            )
            .await?;
        eprintln!("head shown: {shown_head}");
        // Mint + three transfers were emitted before the app started.
        app.wait_text("[data-testid=events-stored]", wait, |t| t == "4")
            .await?;
        assert!(
            app.count("[data-testid=feed-row]").await? >= 4,
            "the live feed lists the stored events"
        );
        // An event sent while the app runs reaches the window.
        token
            .send("transfer", &[&accounts[4].to_string(), "7"])
            .await?;
        app.wait_text("[data-testid=events-stored]", wait, |t| t == "5")
            .await?;
        if let Some(dir) = std::env::var_os("TOKENWATCH_SCREENSHOT_DIR") {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(
                std::path::Path::new(&dir).join("main-window.png"),
                app.screenshot().await?,
            )?;
        }
        anyhow::Ok(shown_head)
    }
    .await;
    let _ = app.close().await;
    let shown_head = outcome
        .map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    assert!(shown_head.parse::<u64>()? >= head);
    // The app wrote its database into the test's own data directory, nowhere else.
    assert!(desktop.data_dir().join("tokenwatch.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

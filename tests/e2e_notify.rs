//! End to end: desktop notifications of the real app on a private D-Bus session. With the
//! real notification-daemon running, a new transfer pops up with the app icon (recorded on
//! the bus), a click on it opens the event in the window, and past the burst limit the
//! Deliveries screen says why pop-ups wait; without any notification service the app
//! keeps storing events and says why nothing pops up.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use support::desktop::Desktop;
use support::notifications;
use tokenwatch_testkit::{Anvil, Contract};

async fn chain_with_token() -> Result<(Anvil, Contract, Vec<tokenwatch_testkit::Address>)> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    token
        .send("mint", &[&accounts[0].to_string(), "1000000000"])
        .await?;
    Ok((anvil, token, accounts))
}

/// Waits until `n` pop-ups were sent.
async fn wait_for_popups(desktop: &Desktop, n: usize, wait: Duration) -> Result<()> {
    let deadline = Instant::now() + wait;
    while notifications::sent(desktop).len() < n {
        if Instant::now() > deadline {
            bail!(
                "{n} pop-ups expected; sent: {:?}",
                notifications::sent(desktop)
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

fn write_config(anvil: &Anvil, token: &Contract, name: &str) -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("tokenwatch-{name}-{}", std::process::id()));
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
poll_interval_ms = 200

[notifications]
burst = 3
burst_window_s = 600

[[listeners]]
name = "TUSD transfers"
network = "Local anvil"
contracts = ["{token}"]
events = ["erc20:Transfer"]
from_block = 0
notify = true
"#,
            chain = anvil.chain_id(),
            url = anvil.url(),
            token = token.address(),
        ),
    )?;
    Ok(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_transfer_pops_up_and_a_click_opens_it() -> Result<()> {
    let (anvil, token, accounts) = chain_with_token().await?;
    let config = write_config(&anvil, &token, "notify")?;
    let mut desktop = Desktop::start(&config)?;
    notifications::start(&mut desktop)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        let wait = Duration::from_secs(60);
        // The mint is history (stored before the listener's first run ended): no pop-up.
        app.wait_text("[data-testid=events-stored]", wait, |t| t == "1")
            .await?;
        let receipt = token
            .send("transfer", &[&accounts[2].to_string(), "1250000"])
            .await?;
        let tx = format!("{:#x}", receipt.transaction_hash);
        let deadline = Instant::now() + wait;
        let shown = loop {
            let sent = notifications::sent(&desktop);
            if let Some(n) = sent.iter().find(|n| n.id.is_some()) {
                break n.clone();
            }
            if Instant::now() > deadline {
                bail!("no notification on the bus; sent: {sent:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(shown.app, "Tokenwatch");
        // The app icon, as a file the notification service can read.
        let icon = std::fs::read(&shown.icon)
            .map_err(|e| anyhow::anyhow!("pop-up icon {:?}: {e}", shown.icon))?;
        assert!(icon.starts_with(b"\x89PNG"), "{:?} is no PNG", shown.icon);
        // TUSD has 6 decimals: 1,250,000 base units read as 1.25 TUSD.
        assert_eq!(shown.summary, "New Transfer of 1.25 TUSD on Local anvil");
        assert!(shown.body.starts_with("from 0x"), "{}", shown.body);
        assert_eq!(
            notifications::sent(&desktop).len(),
            1,
            "history did not pop up"
        );

        notifications::click(&desktop, shown.id.unwrap_or_default())?;
        let field = app
            .wait_text(
                "[data-testid=event-detail] [data-field=Transaction]",
                wait,
                |t| t.contains(&tx),
            )
            .await?;
        let status = app.text("[data-testid=detail-status]").await?;

        // Two more fill the limit (3 per 10 minutes), one at a time; the next one waits,
        // and Deliveries says why and when it goes out.
        for n in 2..=3 {
            token
                .send("transfer", &[&accounts[3].to_string(), "1"])
                .await?;
            wait_for_popups(&desktop, n, wait).await?;
        }
        token
            .send("transfer", &[&accounts[3].to_string(), "2"])
            .await?;
        app.script(
            "document.querySelector('[data-testid=event-detail]').close()",
            serde_json::json!([]),
        )
        .await?;
        app.screen("deliveries").await?;
        app.wait_text(
            "[data-target=desktop] [data-testid=target-summary]",
            wait,
            |t| t.starts_with("1 waiting for the pop-up limit"),
        )
        .await?;
        let held = app
            .text("[data-target=desktop] [data-testid=target-held]")
            .await?;
        assert_eq!(notifications::sent(&desktop).len(), 3, "the fourth waits");
        anyhow::Ok((field, status, held))
    }
    .await;
    let _ = app.close().await;
    let (field, status, held) = outcome
        .map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    assert!(field.contains("0x"));
    assert!(matches!(status.as_deref(), Some("pending" | "confirmed")));
    let held = held.unwrap_or_default();
    assert!(
        held.starts_with(
            "At most 3 pop-ups per 10 minutes, then one summary for the rest: the next go out in "
        ),
        "{held}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_notification_service_the_app_says_why() -> Result<()> {
    let (anvil, token, accounts) = chain_with_token().await?;
    let config = write_config(&anvil, &token, "nonotify")?;
    let mut desktop = Desktop::start(&config)?;
    notifications::monitor(&mut desktop)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        let wait = Duration::from_secs(60);
        app.wait_text("[data-testid=events-stored]", wait, |t| t == "1")
            .await?;
        token
            .send("transfer", &[&accounts[2].to_string(), "5"])
            .await?;
        // The engine keeps going ...
        app.wait_text("[data-testid=events-stored]", wait, |t| t == "2")
            .await?;
        // ... and the Deliveries screen says why nothing popped up.
        app.screen("deliveries").await?;
        app.wait_text(
            "[data-target=desktop] [data-testid=target-error]",
            wait,
            |t| t.contains("No notification service is running"),
        )
        .await
    }
    .await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    Ok(())
}

//! End to end, in the real window from an empty configuration: every screen that stays empty
//! without a network says so with an "Add a network" button; "Add listener" with no network
//! adds the network first and comes back to the listener, which starts from named contracts
//! and tells what watching every contract on the network costs, measured on a real anvil.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Result};
use serde_json::json;
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_testkit::Anvil;

const WAIT: Duration = Duration::from_secs(30);

/// Runs `check` on the app started with `config` (a file that does not exist yet).
async fn with_app<F, Fut>(config: &Path, check: F) -> Result<()>
where
    F: FnOnce(Session) -> Fut,
    Fut: Future<Output = Result<Session>>,
{
    let desktop = Desktop::start(config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => anyhow::bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    match check(app).await {
        Ok(app) => {
            let _ = app.close().await;
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!(
            "{e}\n--- driver log ---\n{}",
            desktop.driver_log()
        )),
    }
}

/// The next-step button of one screen, once it says `text`.
async fn step_button(app: &Session, screen: &str, text: &str) -> Result<()> {
    app.screen(screen).await?;
    app.wait_text(
        &format!("[data-screen-id={screen}] [data-testid=next-step-button]"),
        WAIT,
        |t| t == text,
    )
    .await?;
    Ok(())
}

async fn visible(app: &Session, css: &str) -> Result<bool> {
    let shown = app
        .script(
            "const e = document.querySelector(arguments[0]); return e != null && e.getClientRects().length > 0;",
            json!([css]),
        )
        .await?;
    Ok(shown == json!(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_screens_lead_to_adding_a_network() -> Result<()> {
    let dir = support::desktop::tempdir()?;
    with_app(&dir.join("config.toml"), |app| async move {
        for screen in ["dashboard", "feed", "history", "tokens", "listeners"] {
            step_button(&app, screen, "Add a network").await?;
            let prompt = app
                .text(&format!(
                    "[data-screen-id={screen}] [data-testid=next-step] p"
                ))
                .await?;
            ensure!(
                prompt.is_some_and(|p| p.starts_with("Tokenwatch has no network to watch yet.")),
                "{screen} says what is missing"
            );
        }
        step_button(&app, "dashboard", "Add a network").await?;
        app.click("[data-screen-id=dashboard] [data-testid=next-step-button]")
            .await?;
        ensure!(
            visible(&app, "[data-screen-id=networks] [data-testid=network-form]").await?,
            "the button opens the network editor on the Networks screen"
        );
        Ok(app)
    })
    .await?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_listener_without_a_network_adds_one_first_then_offers_every_contract_with_its_cost(
) -> Result<()> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    token
        .send("mint", &[&accounts[0].to_string(), "1000000"])
        .await?;
    for to in &accounts[1..=3] {
        token.send("transfer", &[&to.to_string(), "5"]).await?;
    }
    // Blocks 0 (genesis) to 5: the deployment, then 4 Transfer logs (the mint and 3 transfers).
    ensure!(
        anvil.block_number().await? == 5,
        "one block per transaction"
    );
    let dir = support::desktop::tempdir()?;
    let url = anvil.url();
    with_app(&dir.join("config.toml"), |app| async move {
        let net = "[data-testid=network-form]";
        let form = "[data-testid=listener-form]";
        // Once the screen has settled (its prompt for a network shown above the list).
        step_button(&app, "listeners", "Add a network").await?;
        app.click("[data-testid=listener-add]").await?;
        // No network yet: the network editor opens first.
        app.wait_text(&format!("{net} .editor-title"), WAIT, |t| {
            t == "Add a network"
        })
        .await?;
        app.type_into(&format!("{net} [name=name]"), "Local anvil")
            .await?;
        ensure!(
            visible(&app, &format!("[data-screen-id=networks] {net}")).await?,
            "the network editor is on the Networks screen"
        );
        app.type_into(&format!("{net} [name=rpc]"), &url).await?;
        app.click("[data-testid=network-test]").await?;
        app.wait_text("[data-testid=network-probe]", WAIT, |t| t.contains("31337"))
            .await?;
        app.click("[data-testid=network-save]").await?;
        // Saved: back to the listener, on the new network.
        app.wait_text(&format!("{form} .editor-title"), WAIT, |t| {
            t == "Add a listener"
        })
        .await?;
        ensure!(
            visible(&app, &format!("[data-screen-id=listeners] {form}")).await?,
            "the listener editor is open on the Listeners screen"
        );
        let chosen = app
            .script(
                "const f = document.querySelector('[data-testid=listener-form]');
                 return [f.querySelector('[name=network]').value,
                         f.querySelector('[name=scope]:checked').value];",
                json!([]),
            )
            .await?;
        ensure!(
            chosen == json!(["Local anvil", "contracts"]),
            "a new listener starts on the new network from named contracts: {chosen}"
        );
        // Every contract on the network, offered with what it costs on this chain.
        app.click(&format!("{form} [name=scope][value=network]"))
            .await?;
        app.click(&format!("{form} [data-event='erc20:Transfer']"))
            .await?;
        let cost = app
            .wait_text("[data-testid=whole-network-cost]", WAIT, |t| {
                t.starts_with("About ")
            })
            .await?;
        ensure!(
            cost.starts_with(
                "About 0.7 events per block on Local anvil, measured from the last 6 blocks (4 events"
            ),
            "{cost}"
        );
        // The dashboard now asks for the listener.
        step_button(&app, "dashboard", "Add a listener").await?;
        Ok(app)
    })
    .await?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

//! End to end, the real app on a real anvil: the configuration file edited while the app
//! runs is applied (a webhook added to it delivers) and announced, a broken edit is shown
//! and the previous configuration keeps running; Save checks a network's chain id; the
//! condition builder's clause for one of several events saves.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Result};
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_testkit::{Anvil, Receiver};

const WAIT: Duration = Duration::from_secs(60);

/// Runs `steps` on the app opened on `config`; a failure carries the driver's log.
async fn with_app<F, Fut>(config: &Path, steps: F) -> Result<()>
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = (Session, Result<()>)>,
{
    let desktop = Desktop::start(config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => anyhow::bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let (app, outcome) = steps(app).await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))
}

fn network(anvil: &Anvil) -> String {
    format!(
        "[[networks]]\nname = \"Local anvil\"\nchain_id = 31337\nrpc = [\"{}\"]\nconfirmations = 0\npoll_interval_ms = 200\n",
        anvil.url()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_edited_while_the_app_runs_is_applied_and_announced() -> Result<()> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    token
        .send("mint", &[&accounts[0].to_string(), "5000000000"])
        .await?;
    let receiver = Receiver::start().await?;
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let listener = |webhooks: &str| {
        format!(
            "\n[[listeners]]\nname = \"TUSD transfers\"\nnetwork = \"Local anvil\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\nwebhooks = [{webhooks}]\n",
            token.address()
        )
    };
    let hook = format!(
        "\n[[webhooks]]\nname = \"ops\"\nurl = \"{}\"\n",
        receiver.url()
    );
    std::fs::write(&config, network(&anvil) + &listener(""))?;

    with_app(&config, |app| async {
        let outcome = async {
            app.wait_text("[data-testid=events-stored]", WAIT, |t| t == "1")
                .await?;
            // Edited by hand: a webhook, named on the listener.
            std::fs::write(&config, network(&anvil) + &listener("\"ops\"") + &hook)?;
            let note = app
                .wait_text(
                    "[data-testid=note-banner][data-source=config_reload] .banner-message",
                    WAIT,
                    |t| !t.is_empty(),
                )
                .await?;
            ensure!(
                note == "Configuration file reloaded: 1 listener changed (TUSD transfers), 1 target added (webhook:ops).",
                "the window says what was applied: {note}"
            );
            let sent = token
                .send("transfer", &[&accounts[1].to_string(), "1250000"])
                .await?;
            let got = receiver.wait_for(1, WAIT).await?;
            let tx = format!("{:#x}", sent.transaction_hash);
            ensure!(
                String::from_utf8_lossy(&got[0].body).contains(&tx),
                "the new transfer was delivered to the webhook: {:?}",
                got[0].json()
            );

            // A broken edit is shown plainly; the previous configuration keeps running.
            std::fs::write(&config, network(&anvil) + &listener("\"opz\"") + &hook)?;
            let error = app
                .wait_text(
                    "[data-testid=error-banner][data-source=config_reload] .banner-message",
                    WAIT,
                    |t| !t.is_empty(),
                )
                .await?;
            ensure!(
                error.starts_with("The configuration file was changed but has problems, so the previous configuration keeps running: ")
                    && error.contains("unknown webhook \"opz\""),
                "{error}"
            );
            let again = token
                .send("transfer", &[&accounts[2].to_string(), "5"])
                .await?;
            let got = receiver.wait_for(2, WAIT).await?;
            let tx = format!("{:#x}", again.transaction_hash);
            ensure!(
                String::from_utf8_lossy(&got[1].body).contains(&tx),
                "still delivered with the previous configuration"
            );
            anyhow::Ok(())
        }
        .await;
        (app, outcome)
    })
    .await?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_checks_a_networks_chain_id_against_its_endpoint() -> Result<()> {
    let anvil = Anvil::start().await?;
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let closed = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port()
    );
    let written = || std::fs::read_to_string(&config).unwrap_or_default();

    with_app(&config, |app| async {
        let outcome = async {
            let form = "[data-testid=network-form]";
            app.screen("networks").await?;
            app.click("[data-testid=network-add]").await?;
            app.type_into(&format!("{form} [name=name]"), "Local anvil")
                .await?;
            app.type_into(&format!("{form} [name=rpc]"), &anvil.url())
                .await?;
            app.type_into(&format!("{form} [name=chain_id]"), "5")
                .await?;
            app.type_into(&format!("{form} [name=confirmation_blocks]"), "0")
                .await?;
            // Saved without pressing Test connection: refused, naming both ids.
            app.click("[data-testid=network-save]").await?;
            let refused = app
                .wait_text("[data-testid=network-error]", WAIT, |t| !t.is_empty())
                .await?;
            ensure!(
                refused.contains(&format!(
                    "The endpoint {} answers chain id 31337, not 5: check the endpoint URL or the chain id.",
                    anvil.url()
                )),
                "{refused}"
            );
            ensure!(!written().contains("Local anvil"), "not written:\n{}", written());

            // An endpoint that does not answer: saved, with a note on its card.
            app.type_into(&format!("{form} [name=rpc]"), &closed).await?;
            app.click("[data-testid=network-save]").await?;
            let note = app
                .wait_text(
                    "[data-network='Local anvil'] [data-testid=network-save-warning]",
                    WAIT,
                    |t| !t.is_empty(),
                )
                .await?;
            ensure!(
                note.starts_with(&format!(
                    "Saved without checking the chain id: no endpoint answered ({closed}: "
                )),
                "{note}"
            );
            ensure!(written().contains("chain_id = 5"), "{}", written());

            // Pointed at the anvil with its chain id: saved, the note goes once it connects.
            app.click("[data-network='Local anvil'] [data-testid=network-edit]")
                .await?;
            app.type_into(&format!("{form} [name=rpc]"), &anvil.url())
                .await?;
            app.type_into(&format!("{form} [name=chain_id]"), "31337")
                .await?;
            app.click("[data-testid=network-save]").await?;
            app.wait_text(
                "[data-network='Local anvil'] [data-testid=network-head]",
                WAIT,
                |t| t.replace(',', "").parse::<u64>().is_ok(),
            )
            .await?;
            ensure!(
                app.text("[data-network='Local anvil'] [data-testid=network-save-warning]")
                    .await?
                    .unwrap_or_default()
                    .is_empty(),
                "no note once checked"
            );
            ensure!(written().contains("chain_id = 31337"), "{}", written());
            anyhow::Ok(())
        }
        .await;
        (app, outcome)
    })
    .await?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_condition_builders_clause_for_one_of_several_events_saves() -> Result<()> {
    let anvil = Anvil::start().await?;
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    std::fs::write(&config, network(&anvil))?;
    let wallet = "0x70997970C51812dc3A010C3efE8bE8DCAF5A7B8e";

    with_app(&config, |app| async {
        let outcome = async {
            let form = "[data-testid=listener-form]";
            app.screen("listeners").await?;
            app.click("[data-testid=listener-add]").await?;
            app.type_into(&format!("{form} [name=name]"), "bond").await?;
            app.click(&format!("{form} [name=scope][value=network]"))
                .await?;
            // The events: three ERC-3643 events without `to`, and Transfer.
            for event in ["AddressFrozen", "TokensFrozen", "RecoverySuccess", "Transfer"] {
                app.script(
                    "document.querySelector(`[data-event='erc3643:${arguments[0]}']`).click();",
                    serde_json::json!([event]),
                )
                .await?;
            }
            let picked = app
                .script(
                    "const s = document.querySelector('[data-testid=cond-field]');
                     const o = [...s.options].find((o) => o.textContent === arguments[0]);
                     if (o == null) return [...s.options].map((o) => o.textContent);
                     s.value = o.value;
                     s.dispatchEvent(new Event('change', { bubbles: true }));
                     return true;",
                    serde_json::json!(["to (address) · only Transfer"]),
                )
                .await?;
            ensure!(picked == serde_json::json!(true), "offered: {picked}");
            app.type_into(&format!("{form} [name=cond_value]"), wallet)
                .await?;
            // By script: in the default window the sticky Save bar covers the button.
            app.script(
                "document.querySelector('[data-testid=condition-add]').click();",
                serde_json::json!([]),
            )
            .await?;
            let clause = app
                .script(
                    "return document.querySelector('[data-testid=listener-form] [name=where]').value;",
                    serde_json::json!([]),
                )
                .await?;
            ensure!(
                clause == serde_json::json!(format!("Transfer(to == {wallet})")),
                "{clause}"
            );
            // The engine checks it as typed: Save turns on, and saving writes it.
            enabled(&app, "[data-testid=listener-save]").await?;
            app.click("[data-testid=listener-save]").await?;
            app.wait_text("[data-listener=bond]", WAIT, |t| !t.is_empty())
                .await?;
            let saved = std::fs::read_to_string(&config)?;
            ensure!(
                saved.contains(&format!("where = \"Transfer(to == {wallet})\"")),
                "{saved}"
            );
            // The window's own save is no edit from outside: no reload note.
            tokio::time::sleep(Duration::from_secs(3)).await;
            ensure!(
                app.count("[data-testid=note-banner]").await? == 0,
                "a reload note after the window's own save"
            );
            anyhow::Ok(())
        }
        .await;
        (app, outcome)
    })
    .await?;
    support::desktop::remove_test_dir(&dir);
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

//! End to end, the real app on a real anvil: a test token with mints, a transfer and a burn;
//! the Tokens screen shows its supply, holders (now and over time) and the top holder's share;
//! a label set on that holder shows in the holders list and in History (and History's address
//! filter finds it by label); the holder register exported from the screen carries it, checked
//! in the CSV.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Result};
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_testkit::Anvil;

const WAIT: Duration = Duration::from_secs(60);
const TOKENS: &str = "[data-screen-id=tokens]";

/// Waits until the text content of the first element matching `css` passes `ok` (also below
/// the fold of its scrolled pane, where WebDriver's visible text is empty); returns it.
async fn wait_content(app: &Session, css: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = app
            .script(
                "const e = document.querySelector(arguments[0]); return e == null ? null : e.textContent.trim();",
                serde_json::json!([css]),
            )
            .await?;
        let text = v.as_str().map(str::to_string);
        if let Some(t) = text.as_deref().filter(|t| ok(t)) {
            return Ok(t.to_string());
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{css}: expected text not seen within {WAIT:?}; last text: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_is_summed_up_labelled_and_its_register_exported() -> Result<()> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    let (issuer, fund, investor) = (accounts[0], accounts[1], accounts[2]);
    token
        .send("mint", &[&issuer.to_string(), "3000000000"])
        .await?;
    token
        .send("mint", &[&fund.to_string(), "1000000000"])
        .await?;
    token
        .send("transfer", &[&investor.to_string(), "500000000"])
        .await?;
    token.send_from(fund, "burn", &["200000000"]).await?;
    // Issuer 2,500, fund 800, investor 500: 3,800 TUSD among three holders.

    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let export = dir.join("holders.csv");
    std::fs::write(
        &config,
        format!(
            "[[networks]]\nname = \"local\"\nchain_id = 31337\nrpc = [\"{}\"]\nconfirmations = 0\npoll_interval_ms = 200\n\n[[listeners]]\nname = \"TUSD transfers\"\nnetwork = \"local\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
            anvil.url(),
            token.address()
        ),
    )?;
    let env: Vec<(&str, &Path)> = vec![("TOKENWATCH_EXPORT_PATH", &export)];
    let desktop = Desktop::start_with(&config, &env)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => anyhow::bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        app.wait_text("[data-testid=events-stored]", WAIT, |t| t == "4")
            .await?;
        app.screen("tokens").await?;
        let at = |css: &str| format!("{TOKENS} {css}");
        app.wait_text(&at("[data-testid=token-supply]"), WAIT, |t| t == "3,800 TUSD")
            .await?;
        let complete = app.text(&at("[data-testid=token-completeness]")).await?;
        ensure!(
            complete.as_deref().is_some_and(|t| t.starts_with("Complete")),
            "stored from block 0: {complete:?}"
        );
        let holders = app.text(&at("[data-testid=token-holders]")).await?;
        ensure!(holders.as_deref() == Some("3"), "holders: {holders:?}");
        let burned = app.text(&at("[data-testid=token-burned]")).await?;
        ensure!(burned.as_deref() == Some("200 TUSD"), "burned: {burned:?}");
        let top = at("[data-testid=token-top] tbody tr:first-child");
        let share = wait_content(&app, &format!("{top} [data-testid=holder-share]"), |t| {
            !t.is_empty()
        })
        .await?;
        ensure!(share == "65.79 %", "the issuer holds 2,500 of 3,800: {share}");
        wait_content(&app, &at("[data-testid=supply-note]"), |t| {
            t == "2 mints and 1 burns stored"
        })
        .await?;
        // Holders over time: one, two, then three (the burn leaves the fund some).
        wait_content(&app, &at("[data-testid=holder-note]"), |t| {
            t == "3 holders at block 5; at most 3"
        })
        .await?;

        // A label on the top holder, from its row.
        app.click(&format!("{top} [data-testid=holder-label]")).await?;
        app.type_into("[data-testid=label-dialog] [name=label]", "Issuer treasury")
            .await?;
        app.click("[data-testid=label-save]").await?;
        let short = format!("{issuer}");
        let short = format!("{}…{}", &short[..6], &short[short.len() - 4..]);
        wait_content(&app, &format!("{top} [data-testid=holder-address]"), |t| {
            t == format!("Issuer treasury {short}")
        })
        .await?;

        // The register at the newest block, exported with the label.
        app.click(&at("[data-testid=register-export]")).await?;
        wait_content(&app, &at("[data-testid=register-note]"), |t| {
            t.starts_with("Exported 3 holders")
        })
        .await?;
        let csv = std::fs::read_to_string(&export)?;
        let lines: Vec<&str> = csv.lines().collect();
        ensure!(
            lines.first() == Some(&"network,chain_id,token,symbol,decimals,block_number,holder,label,balance,balance_units,share"),
            "{csv}"
        );
        let first: Vec<&str> = lines.get(1).map(|l| l.split(',').collect()).unwrap_or_default();
        ensure!(
            first.get(6) == Some(&issuer.to_checksum(None).as_str())
                && first[7] == "Issuer treasury"
                && first[8] == "2500000000"
                && first[9] == "2500"
                && first[10].starts_with("0.657894"),
            "the issuer's row: {csv}"
        );
        ensure!(lines.len() == 4, "three holders: {csv}");

        // History: rows name the label, and the address filter takes it.
        app.screen("history").await?;
        app.type_into("[data-screen-id=history] [name=address]", "issuer treasury")
            .await?;
        app.click("[data-testid=history-apply]").await?;
        app.wait_text("[data-testid=history-count]", WAIT, |t| t == "2 events")
            .await?;
        wait_content(&app, "[data-testid=history-table] .vt-row .hc-args", |t| {
            t.contains(&format!("Issuer treasury {short}"))
        })
        .await?;
        Ok(())
    }
    .await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))
}

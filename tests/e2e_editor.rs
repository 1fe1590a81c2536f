//! End to end, in the real window (WebKit): tabbing to a listener-editor field that sits
//! under the sticky Save bar scrolls it above the bar instead of leaving it hidden.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use anyhow::{bail, ensure, Result};
use serde_json::{json, Value};
use support::desktop::Desktop;

/// Scrolls the editor so that the control named `arguments[0]` is inside the window but
/// under the Save bar, and focuses the control before it (without scrolling).
const SET_UP: &str = r#"
const screens = document.querySelector('.screens');
const bar = document.querySelector('[data-testid=listener-form] .editor-actions');
const form = document.querySelector('[data-testid=listener-form]');
const el = form.querySelector(`[name="${arguments[0]}"]`);
const controls = [...form.querySelectorAll('input, select, textarea, button, summary')]
  .filter((c) => !c.disabled && c.getClientRects().length > 0);
const previous = controls[controls.indexOf(el) - 1];
previous.focus({ preventScroll: true });
screens.scrollTop += el.getBoundingClientRect().bottom - (screens.getBoundingClientRect().bottom - 12);
return el.getBoundingClientRect().bottom > bar.getBoundingClientRect().top;
"#;

/// Where the focused control ends up against the bar.
const MEASURE: &str = r#"
const bar = document.querySelector('[data-testid=listener-form] .editor-actions');
const el = document.activeElement;
return { name: el.name, bottom: el.getBoundingClientRect().bottom, barTop: bar.getBoundingClientRect().top };
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_tabbed_to_under_the_save_bar_scrolls_above_it() -> Result<()> {
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[[networks]]\nname = \"Local\"\nchain_id = 31337\nrpc = [\"http://127.0.0.1:9\"]\n",
    )?;
    let desktop = Desktop::start(&config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        app.screen("listeners").await?;
        app.click("[data-testid=listener-add]").await?;
        // The editor opens once the configuration and presets are read: wait for it.
        app.wait_text(
            "[data-testid=listener-form] .editor-actions",
            std::time::Duration::from_secs(15),
            |_| true,
        )
        .await?;
        let mut seen: Vec<Value> = Vec::new();
        for name in ["from_block", "notify", "announce_history"] {
            let under = app.script(SET_UP, json!([name])).await?;
            ensure!(
                under == json!(true),
                "{name} is not under the bar to start with"
            );
            app.press("\u{E004}").await?;
            seen.push(app.script(MEASURE, json!([])).await?);
        }
        anyhow::Ok(seen)
    }
    .await;
    let _ = app.close().await;
    let seen = outcome
        .map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    for (f, name) in seen
        .iter()
        .zip(["from_block", "notify", "announce_history"])
    {
        ensure!(f["name"] == name, "Tab went to {f} instead of {name}");
        let (bottom, bar) = (f["bottom"].as_f64().unwrap(), f["barTop"].as_f64().unwrap());
        ensure!(
            bottom <= bar,
            "{name} ends at {bottom}, under the Save bar at {bar}"
        );
    }
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

//! End to end, the real app on a real anvil with a real keyring: a signed webhook target
//! made on the Deliveries screen sends a test message to a real receiver and shows its
//! answer and the signature sent; its secret goes to the keychain, not the file; a listener
//! routed to it then delivers a matching transfer without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_app::keychain::OsKeychain;
use tokenwatch_engine::config::decode_secret;
use tokenwatch_engine::deliver::webhook::sign;
use tokenwatch_testkit::{Anvil, Receiver};

const WAIT: Duration = Duration::from_secs(60);
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// An unlocked gnome-keyring on the desktop's bus (its files in the test directory).
struct Keyring(Child);

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keyring(desktop: &Desktop) -> Result<Keyring> {
    use std::io::Write;
    use std::os::unix::process::CommandExt;
    let home = desktop.dir.join("keyring");
    std::fs::create_dir_all(&home)?;
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--components=secrets", "--unlock"])
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.dbus_address)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .context("starting gnome-keyring-daemon (apt package gnome-keyring)")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"test-password")?;
    }
    let keyring = Keyring(child);
    // This test process asks the same bus whether the keyring answers.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &desktop.dbus_address);
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Err(e) = OsKeychain.check() {
        if Instant::now() > deadline {
            bail!("the keyring did not come up: {e}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(keyring)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_made_in_the_window_answers_a_test_and_then_takes_deliveries() -> Result<()> {
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
    std::fs::write(
        &config,
        format!(
            "[[networks]]\nname = \"Local anvil\"\nchain_id = 31337\nrpc = [\"{}\"]\nconfirmations = 0\npoll_interval_ms = 200\n\n[[listeners]]\nname = \"TUSD transfers\"\nnetwork = \"Local anvil\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
            anvil.url(),
            token.address()
        ),
    )?;
    let desktop = Desktop::start(&config)?;
    let _keyring = keyring(&desktop)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = steps(&app, &receiver, &config, &token, &accounts).await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    support::desktop::remove_test_dir(&dir);
    Ok(())
}

async fn steps(
    app: &Session,
    receiver: &Receiver,
    config: &std::path::Path,
    token: &tokenwatch_testkit::Contract,
    accounts: &[tokenwatch_testkit::Address],
) -> Result<()> {
    app.wait_text("[data-testid=events-stored]", WAIT, |t| t == "1")
        .await?;
    let form = "[data-testid=target-form]";
    app.screen("deliveries").await?;
    app.click("[data-testid=target-add-webhook]").await?;
    app.type_into(&format!("{form} [name=name]"), "ops").await?;
    app.type_into(&format!("{form} [name=url]"), &receiver.url())
        .await?;
    app.type_into(&format!("{form} [name=secret]"), SECRET)
        .await?;

    // The test message: the receiver's answer and the signature sent are shown.
    app.click("[data-testid=target-test]").await?;
    let headline = app
        .wait_text("[data-testid=target-test-headline]", WAIT, |t| {
            !t.is_empty()
        })
        .await?;
    ensure!(
        headline == "The receiver took the test message: HTTP 200 OK.",
        "{headline}"
    );
    let body = app.text("[data-testid=target-test-body]").await?;
    ensure!(body.as_deref() == Some("ok"), "{body:?}");
    let headers = app
        .text("[data-testid=target-test-headers]")
        .await?
        .unwrap_or_default();
    let got = receiver.wait_for(1, WAIT).await?;
    ensure!(
        got[0].json()["data"]["event"] == "Test",
        "{:?}",
        got[0].json()
    );
    let signature = got[0].header("webhook-signature").unwrap_or_default();
    ensure!(
        headers.contains(&format!("webhook-signature: {signature}"))
            && signature.starts_with("v1,"),
        "the shown signature is the one received: {headers} / {signature}"
    );
    ensure!(
        std::fs::read_to_string(config)?
            .find("[[webhooks]]")
            .is_none(),
        "a test send saves nothing"
    );
    let stored = app.text("[data-testid=events-stored]").await?;
    ensure!(
        stored.as_deref() == Some("1"),
        "the test message is no event: {stored:?}"
    );

    // Saved: the secret is in the keychain, the file names it.
    app.click("[data-testid=target-save]").await?;
    let line = app
        .wait_text(
            "[data-target='webhook:ops'] [data-testid=target-line]",
            WAIT,
            |t| !t.is_empty(),
        )
        .await?;
    ensure!(
        line == format!(
            "Standard signed JSON · signed (secret in the system keychain) · {}",
            receiver.url()
        ),
        "{line}"
    );
    let written = std::fs::read_to_string(config)?;
    ensure!(
        !written.contains("MfKQ9r8"),
        "the secret is not in the file:\n{written}"
    );
    ensure!(
        written.contains("secret_keychain = \"webhook-ops-secret\""),
        "{written}"
    );
    let stored = OsKeychain
        .find("webhook-ops-secret")
        .map_err(anyhow::Error::msg)?;
    ensure!(
        stored.as_deref() == Some(SECRET),
        "in the keychain: {stored:?}"
    );

    // A listener routed to it: a matching transfer reaches the receiver, signed.
    app.screen("listeners").await?;
    app.click("[data-listener='TUSD transfers'] [data-testid=listener-edit]")
        .await?;
    // The editor opens once it has read the configuration: the new target is offered by name.
    let ops = "[data-testid=listener-form] input[name=webhooks][value=ops]";
    let deadline = Instant::now() + WAIT;
    while app.count(ops).await? == 0 {
        ensure!(
            Instant::now() < deadline,
            "the listener editor does not offer ops"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.script(
        "document.querySelector('[data-testid=listener-form] input[name=webhooks][value=ops]').click();",
        serde_json::json!([]),
    )
    .await?;
    app.script(
        "document.querySelector('[data-testid=listener-save]').click();",
        serde_json::json!([]),
    )
    .await?;
    let deadline = Instant::now() + WAIT;
    while !std::fs::read_to_string(config)?.contains("webhooks = [\"ops\"]") {
        ensure!(
            Instant::now() < deadline,
            "the listener was not routed to ops"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sent = token
        .send("transfer", &[&accounts[1].to_string(), "1250000"])
        .await?;
    let tx = format!("{:#x}", sent.transaction_hash);
    let deadline = Instant::now() + WAIT;
    let delivered = loop {
        if let Some(r) = receiver
            .received()
            .into_iter()
            .find(|r| String::from_utf8_lossy(&r.body).contains(&tx))
        {
            break r;
        }
        ensure!(
            Instant::now() < deadline,
            "the transfer {tx} did not reach the receiver"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let id = delivered.header("webhook-id").unwrap_or_default();
    let ts: i64 = delivered
        .header("webhook-timestamp")
        .unwrap_or_default()
        .parse()?;
    let key = decode_secret(SECRET)?;
    ensure!(
        delivered.header("webhook-signature") == Some(sign(&key, id, ts, &delivered.body).as_str()),
        "the delivery is signed with the secret from the keychain"
    );
    Ok(())
}

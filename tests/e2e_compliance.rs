//! End to end, the real app on the real demo chain (`tokenwatch-demo --still`: its setup and its
//! fixed compliance scene, then no more transactions): DemoBond's Compliance section shows what
//! the scene did: the frozen wallet, the frozen amount, the recovery, the agents after the agent
//! changes, and the identities with their countries (the removed one gone, the one whose country
//! no event set said so); an entry's history opens on click.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use support::desktop::Desktop;
use support::webdriver::Session;
use tokenwatch_testkit::{Address, Rpc};

const WAIT: Duration = Duration::from_secs(90);
const SECTION: &str = "[data-screen-id=tokens] [data-testid=token-compliance]";

/// The demo chain, stopped (SIGTERM, so it stops its anvil) on drop.
struct DemoChain(Child);

impl Drop for DemoChain {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds and starts `tokenwatch-demo --still` writing its config to `config`; returns once ready.
fn start_demo(dir: &Path, config: &Path) -> Result<DemoChain> {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--locked",
            "-p",
            "tokenwatch-tools",
            "--bin",
            "tokenwatch-demo",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .context("building tokenwatch-demo")?;
    ensure!(status.success(), "building tokenwatch-demo failed");
    let bin: PathBuf =
        Path::new(env!("CARGO_BIN_EXE_tokenwatch-app")).with_file_name("tokenwatch-demo");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = dir.join("demo.log");
    let out = std::fs::File::create(&log)?;
    let child = Command::new(&bin)
        .args(["--port", &port.to_string(), "--still", "--config-out"])
        .arg(config)
        .stdout(Stdio::from(out.try_clone()?))
        .stderr(Stdio::from(out))
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let mut demo = DemoChain(child);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("demo chain ready") {
            return Ok(demo);
        }
        if demo.0.try_wait()?.is_some() || Instant::now() > deadline {
            bail!("the demo chain did not get ready:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The demo config's RPC URL and DemoBond's address (the first contract of its listener).
fn demo_parts(config: &str) -> Result<(String, Address)> {
    let quoted = |line: &str| line.split('"').nth(1).map(str::to_string);
    let rpc = config
        .lines()
        .find(|l| l.starts_with("rpc = "))
        .and_then(quoted)
        .context("no rpc in the demo config")?;
    let bond = config
        .split("name = \"DemoBond compliance\"")
        .nth(1)
        .and_then(|rest| rest.lines().find(|l| l.starts_with("contracts = ")))
        .and_then(quoted)
        .context("no DemoBond listener in the demo config")?;
    Ok((rpc, bond.parse()?))
}

/// Every entry of the section as (register, [who, value/identity, country or since]) texts.
async fn entries(app: &Session) -> Result<Vec<(String, Vec<String>)>> {
    let v = app
        .script(
            "const s = document.querySelector(arguments[0]); if (s == null) return [];
             return [...s.querySelectorAll('[data-register] [data-testid=compliance-entry]')].map((e) => {
               const t = (id) => { const c = e.querySelector(`[data-testid=${id}]`); return c == null ? '' : c.textContent.trim(); };
               const reg = e.closest('[data-register]').dataset.register;
               return [reg, [t('compliance-who'), reg === 'identity' ? t('identity-id') : t('compliance-value'),
                             reg === 'identity' ? t('identity-country') : t('compliance-since')]];
             });",
            serde_json::json!([SECTION]),
        )
        .await?;
    Ok(serde_json::from_value::<Vec<(String, Vec<String>)>>(v).unwrap_or_default())
}

/// Clicks the first element matching `css` from the page (also one scrolled out of view).
async fn js_click(app: &Session, css: &str) -> Result<()> {
    let done = app
        .script(
            "const e = document.querySelector(arguments[0]); if (e == null) return false; e.scrollIntoView(); e.click(); return true;",
            serde_json::json!([css]),
        )
        .await?;
    ensure!(done.as_bool() == Some(true), "nothing to click at {css}");
    Ok(())
}

fn short(a: &Address) -> String {
    let s = a.to_checksum(None);
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}

fn of<'a>(all: &'a [(String, Vec<String>)], register: &str) -> Vec<&'a Vec<String>> {
    all.iter()
        .filter(|(r, _)| r == register)
        .map(|(_, e)| e)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_bonds_compliance_section_shows_the_scene_and_the_identities_with_countries(
) -> Result<()> {
    let dir = support::desktop::tempdir()?;
    let config = dir.join("config.toml");
    let _demo = start_demo(&dir, &config)?;
    let (rpc, bond) = demo_parts(&std::fs::read_to_string(&config)?)?;
    let a = Rpc::new(rpc)?.accounts().await?;
    let id = |n: u8| {
        let mut b = [0u8; 20];
        b[0] = 0x1d;
        b[19] = n;
        Address::from(b)
    };

    let desktop = Desktop::start(&config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let outcome = async {
        app.screen("tokens").await?;
        let item = format!("[data-screen-id=tokens] [data-token=\"Demo chain:{bond}\"]");
        let deadline = Instant::now() + WAIT;
        while app.count(&item).await? == 0 {
            ensure!(Instant::now() < deadline, "DemoBond is not on the Tokens screen");
            app.screen("dashboard").await?;
            app.screen("tokens").await?;
        }
        js_click(&app, &item).await?;

        // The scene's last event (#1's identity replaced) is in: the section is complete.
        let deadline = Instant::now() + WAIT;
        let all = loop {
            let all = entries(&app).await?;
            if of(&all, "identity").iter().any(|e| e[1] == short(&id(11))) {
                break all;
            }
            ensure!(Instant::now() < deadline, "the identities never showed: {all:?}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        let row = |who: &Address, value: &str, third: &str| vec![short(who), value.to_string(), third.to_string()];
        let since = |e: &[&Vec<String>]| e.iter().map(|e| e[2].clone()).collect::<Vec<_>>();
        let frozen = of(&all, "frozen_wallet");
        ensure!(frozen.len() == 1 && frozen[0][..2] == row(&a[4], "frozen", "")[..2], "frozen wallets: {frozen:?}");
        let amounts = of(&all, "frozen_amount");
        ensure!(amounts.len() == 1 && amounts[0][..2] == row(&a[2], "100 DBOND", "")[..2], "frozen amounts: {amounts:?}");
        let recovery = of(&all, "recovery");
        ensure!(
            recovery.len() == 1 && recovery[0][..2] == row(&a[3], &format!("recovered to {}", short(&a[6])), "")[..2],
            "recoveries: {recovery:?}"
        );
        ensure!(since(&recovery)[0].starts_with("at block "), "{recovery:?}");
        let mut agents: Vec<String> = of(&all, "agent").iter().map(|e| e[0].clone()).collect();
        agents.sort();
        let mut expected = vec![short(&a[0]), short(&a[9])];
        expected.sort();
        ensure!(agents == expected, "agents after #8 was added and removed: {agents:?}");

        let mut identities: Vec<Vec<String>> = of(&all, "identity").into_iter().cloned().collect();
        identities.sort();
        let mut expected = vec![
            row(&a[1], &short(&id(11)), "France (250)"),
            row(&a[2], &short(&id(2)), "Germany (276)"),
            row(&a[4], &short(&id(4)), "United Kingdom (826)"),
            row(&a[5], &short(&id(5)), "not set by an event"),
            row(&a[6], &short(&id(3)), "Switzerland (756)"),
        ];
        expected.sort();
        ensure!(identities == expected, "identities (#3 moved to #6): {identities:?}");

        // #1's history: registered, its country, its identity replaced.
        let first = format!("{SECTION} [data-register=identity] [data-address=\"{}\"] button", a[1].to_checksum(None));
        js_click(&app, &first).await?;
        let lines = app
            .script(
                "return [...document.querySelectorAll(arguments[0])].map((l) => l.textContent.trim());",
                serde_json::json!([format!("{SECTION} [data-register=identity] [data-testid=compliance-history] li")]),
            )
            .await?;
        let lines: Vec<String> = serde_json::from_value(lines.clone()).unwrap_or_default();
        ensure!(
            lines.len() == 3
                && lines[0].ends_with(&format!("IdentityRegistered {}", short(&id(1))))
                && lines[1].ends_with("CountryUpdated France (250)")
                && lines[2].ends_with(&format!("IdentityUpdated {}", short(&id(11)))),
            "#1's history: {lines:?}"
        );
        let source = app.script(
            "const e = document.querySelector(arguments[0]); return e == null ? null : e.textContent;",
            serde_json::json!([format!("{SECTION} [data-testid=identity-source]")]),
        ).await?;
        ensure!(
            source.as_str().is_some_and(|s| s.starts_with("Identity registry 0x")),
            "the registry is named: {source:?}"
        );
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))
}

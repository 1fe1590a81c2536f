//! End to end: one app per user. A second launch hands over to the running instance (which
//! shows its window) and exits instead of starting a second engine on the same database;
//! the first keeps watching. (Closing the window hides it; WebDriver's "close window"
//! destroys the window outright, so that path is not driven here.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use support::desktop::Desktop;
use tokenwatch_engine::store::Store;
use tokenwatch_testkit::{Address, Anvil, Contract};

async fn stored_reaches(db: &std::path::Path, n: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let count = Store::open_reader(db)
            .and_then(|s| s.event_count())
            .unwrap_or(0);
        if count >= n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{count} events stored, expected {n}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A node with a TUSD token that has minted once, and a config watching it.
struct Chain {
    anvil: Anvil,
    accounts: Vec<Address>,
    token: Contract,
    dir: PathBuf,
    config: PathBuf,
}

async fn chain(tag: &str) -> Result<Chain> {
    let anvil = Anvil::start().await?;
    let accounts = anvil.accounts().await?;
    let token = anvil
        .deploy("TestERC20", &["Test USD", "TUSD", "6"])
        .await?;
    token
        .send("mint", &[&accounts[0].to_string(), "1000"])
        .await?;
    let dir = std::env::temp_dir().join(format!("tokenwatch-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[networks]]\nname = \"Local anvil\"\nchain_id = {}\nrpc = [\"{}\"]\npoll_interval_ms = 200\n\n[[listeners]]\nname = \"TUSD\"\nnetwork = \"Local anvil\"\ncontracts = [\"{}\"]\nevents = [\"erc20:Transfer\"]\nfrom_block = 0\n",
            anvil.chain_id(),
            anvil.url(),
            token.address()
        ),
    )?;
    Ok(Chain {
        anvil,
        accounts,
        token,
        dir,
        config,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_hands_over_to_the_running_instance() -> Result<()> {
    // The node lives as long as `_anvil`.
    let Chain {
        anvil: _anvil,
        accounts,
        token,
        dir,
        config,
    } = chain("bg").await?;
    let desktop = Desktop::start(&config)?;
    let app = match desktop.open_app().await {
        Ok(app) => app,
        Err(e) => bail!("{e}\n--- driver log ---\n{}", desktop.driver_log()),
    };
    let db = desktop.data_dir().join("tokenwatch.db");
    let outcome = async {
        app.wait_text(
            "[data-testid=events-stored]",
            Duration::from_secs(60),
            |t| t == "1",
        )
        .await?;
        // A second launch finds the first and exits at once.
        let started = Instant::now();
        let mut second = desktop.app_command(&config).spawn()?;
        let status = loop {
            if let Some(s) = second.try_wait()? {
                break s;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = second.kill();
                bail!("the second launch kept running");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(status.success(), "second launch: {status}");
        // The first instance still watches, and its window shows it.
        token
            .send("transfer", &[&accounts[2].to_string(), "6"])
            .await?;
        stored_reaches(&db, 2).await?;
        app.wait_text(
            "[data-testid=events-stored]",
            Duration::from_secs(60),
            |t| t == "2",
        )
        .await
        .map(|_| ())
    }
    .await;
    let _ = app.close().await;
    outcome.map_err(|e| anyhow::anyhow!("{e}\n--- driver log ---\n{}", desktop.driver_log()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// SIGTERM (a logout, `kill`) quits like the tray's Quit: the engine stops and closes its
/// database before the app exits, so the database's log file is folded in and removed. (Cut
/// off without that, the `-wal` file is left behind.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_engine_before_the_app_exits() -> Result<()> {
    // The node lives as long as `chain`; only its files are needed here.
    let chain = chain("quit").await?;
    let (dir, config) = (&chain.dir, &chain.config);
    let desktop = Desktop::start(config)?;
    let db = desktop.data_dir().join("tokenwatch.db");
    // Not on the test's own output: WebKit's helper processes outlive the app by a moment.
    let mut app = desktop
        .app_command(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let outcome = async {
        stored_reaches(&db, 1).await?;
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        let wal = std::path::PathBuf::from(wal);
        if !wal.exists() {
            bail!("the running engine has no log file to fold in");
        }
        std::process::Command::new("kill")
            .args(["-TERM", &app.id().to_string()])
            .status()?;
        let started = Instant::now();
        let status = loop {
            if let Some(s) = app.try_wait()? {
                break s;
            }
            if started.elapsed() > Duration::from_secs(20) {
                bail!("the app kept running after SIGTERM");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        if !status.success() {
            bail!("the app quit with {status}");
        }
        if wal.exists() {
            bail!("the database was not closed: its -wal file is left");
        }
        Ok(())
    }
    .await;
    let _ = app.kill();
    let _ = app.wait();
    let _ = std::fs::remove_dir_all(dir);
    outcome
}

//! `tokenwatch-demo`: a local demo chain for Tokenwatch. Starts anvil on a fixed port, deploys
//! DemoUSD (ERC-20), DemoNFT (ERC-721) and DemoBond (ERC-3643-style security token), writes a
//! Tokenwatch config watching them, then keeps transactions flowing until SIGINT/SIGTERM.
//!
//! Usage: `tokenwatch-demo [--port 18545] --config-out PATH [--block-time SECS] [--still]`

#[path = "demo/activity.rs"]
mod activity;
#[path = "demo/config.rs"]
mod config;
#[path = "demo/scene.rs"]
mod scene;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use tokenwatch_testkit::{Anvil, AnvilOptions};

const USAGE: &str =
    "usage: tokenwatch-demo [--port 18545] --config-out PATH [--block-time SECS] [--still]

  --port PORT         port for the demo chain (default 18545)
  --config-out PATH   where to write the Tokenwatch config for the demo contracts
  --block-time SECS   mine a block every SECS (whole) seconds once set up
                      (default: one block per transaction)
  --still             set up, then no more transactions (for tests)";

struct Args {
    port: u16,
    config_out: PathBuf,
    /// Whole seconds between blocks; `None` = automine.
    block_time: Option<u64>,
    /// No activity after the setup.
    still: bool,
}

/// Parses the command line; `Ok(None)` means help was printed.
fn parse_args() -> Result<Option<Args>> {
    let mut port = 18545;
    let mut config_out = None;
    let mut block_time = None;
    let mut still = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        if flag == "--still" {
            still = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .with_context(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => port = value()?.parse().context("--port: not a port number")?,
            "--config-out" => config_out = Some(PathBuf::from(value()?)),
            "--block-time" => {
                let secs: u64 = value()?
                    .parse()
                    .context("--block-time: not a whole number")?;
                if secs == 0 {
                    bail!("--block-time must be at least 1");
                }
                block_time = Some(secs);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let config_out = config_out.with_context(|| format!("--config-out is required\n\n{USAGE}"))?;
    Ok(Some(Args {
        port,
        config_out,
        block_time,
        still,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tokenwatch-demo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let Some(args) = parse_args()? else {
        return Ok(());
    };
    // Listen for signals from the start, so Ctrl-C during setup also stops anvil cleanly.
    let mut shutdown = Shutdown::install()?;
    // Setup runs with automine (fast: ~20 transactions); interval mining starts afterwards.
    let opts = AnvilOptions {
        port: Some(args.port),
        ..AnvilOptions::default()
    };
    let mut anvil = tokio::select! {
        anvil = Anvil::start_with(opts) => {
            anvil.with_context(|| format!("starting anvil on port {}", args.port))?
        }
        () = shutdown.recv() => return Ok(()),
    };
    let demo = tokio::select! {
        demo = activity::Demo::setup(&anvil) => demo.context("setting up the demo contracts")?,
        () = shutdown.recv() => return anvil.stop().await,
    };
    if let Some(secs) = args.block_time {
        anvil.set_interval_mining(secs).await?;
    }
    let cfg = config::DemoConfig {
        rpc_url: anvil.url(),
        chain_id: anvil.chain_id(),
        usd: demo.usd.address(),
        nft: demo.nft.address(),
        bond: demo.bond.address(),
        registry: demo.registry.address(),
    };
    config::write(&args.config_out, &cfg)?;
    println!("config written to {}", args.config_out.display());
    if args.still {
        // Blocks after the last transaction, so the config's confirmations confirm it all.
        anvil.mine(config::CONFIRMATIONS).await?;
    }
    println!("demo chain ready: {}", anvil.url());

    if args.still {
        shutdown.recv().await;
    } else {
        demo.run_until(shutdown.recv()).await;
    }
    println!("stopping the demo chain");
    anvil.stop().await
}

/// SIGINT (Ctrl-C) and SIGTERM.
struct Shutdown {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Shutdown {
    #[cfg(unix)]
    fn install() -> Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            int: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
            term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
        })
    }

    #[cfg(not(unix))]
    fn install() -> Result<Self> {
        Ok(Self {})
    }

    /// Resolves when a signal arrives.
    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

//! `tokenwatch`: the headless engine. `check` a config, `run` it, `export` what it stored,
//! read the `holders` of a token, the `tokens` it knows and a token's compliance `registers`.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

mod deliveries;
mod registers;
mod tokens;

use clap::{Parser, Subcommand};
use std::sync::Arc;

use tokenwatch_engine::config::NoKeychain;
use tokenwatch_engine::export::{export_csv_with, export_to_file, ExportError};
use tokenwatch_engine::reload::{ConfigWatch, POLL};
use tokenwatch_engine::store::{
    DeliveryCounts, Direction, EventFilter, HistorySort, Store, StoreError,
};
use tokenwatch_engine::{Config, Engine, EngineError, RunOptions};

#[derive(Parser)]
#[command(
    name = "tokenwatch",
    version,
    about = "Local-first on-chain event monitor (headless)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a configuration file.
    Check {
        #[arg(long)]
        config: PathBuf,
    },
    /// Follow the configured networks and store matching events.
    Run {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        db: PathBuf,
        /// Backfill up to the head less the confirmation depth, then exit.
        #[arg(long)]
        until_head: bool,
        /// Directory for the log file (default: next to the database).
        #[arg(long)]
        log_dir: Option<PathBuf>,
    },
    /// Write stored events as CSV.
    Export {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        listener: Option<String>,
        #[arg(long)]
        network: Option<String>,
        #[arg(long)]
        event: Option<String>,
        #[arg(long)]
        from_block: Option<u64>,
        #[arg(long)]
        to_block: Option<u64>,
        /// The emitting contract: an address, a token symbol or name, or an address-book label.
        #[arg(long)]
        contract: Option<String>,
        /// An address (or address-book label) in any argument, or only as `--direction`.
        #[arg(long)]
        address: Option<String>,
        /// With `--address`: only where it is the sender (`from`) or the receiver (`to`).
        #[arg(long, value_enum, requires = "address")]
        direction: Option<DirectionArg>,
        /// Smallest amount, in token units (`1,000`, `2.5`).
        #[arg(long)]
        min_amount: Option<String>,
        /// Largest amount, in token units.
        #[arg(long)]
        max_amount: Option<String>,
        /// Row order.
        #[arg(long, value_enum, default_value = "oldest")]
        sort: SortArg,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the holders of a token and their balances at a block as CSV.
    Holders {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        network: String,
        /// The token's address.
        #[arg(long)]
        token: String,
        /// The register after this block (default: the newest block synced).
        #[arg(long, conflicts_with = "at_time")]
        at_block: Option<u64>,
        /// The register at this UTC time (`2024-05-01` or `2024-05-01T12:00:00Z`).
        #[arg(long)]
        at_time: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a token's registers as CSV: ERC-3643 frozen wallets and amounts, agents, pause,
    /// recoveries and identities (with country); ERC-1400 balances per partition.
    Registers {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        network: String,
        /// The token's address.
        #[arg(long)]
        token: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write every token with stored transfers, its supply and holders, as CSV.
    Tokens {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List parked deliveries and those held behind them (or all recent ones with --all).
    Deliveries {
        #[arg(long)]
        db: PathBuf,
        /// Every state, not only parked and held.
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Send parked deliveries again.
    Redeliver {
        #[arg(long)]
        db: PathBuf,
        /// Configuration with the targets (default: the one the last `run` used).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only this target (`ops` or `webhook:ops`).
        #[arg(long)]
        target: Option<String>,
    },
}

/// `--direction` of `export`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DirectionArg {
    From,
    To,
}

/// `--sort` of `export`: History's orders.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Oldest,
    Newest,
    AmountDesc,
    AmountAsc,
}

impl From<SortArg> for HistorySort {
    fn from(s: SortArg) -> Self {
        match s {
            SortArg::Oldest => HistorySort::Oldest,
            SortArg::Newest => HistorySort::Newest,
            SortArg::AmountDesc => HistorySort::AmountDesc,
            SortArg::AmountAsc => HistorySort::AmountAsc,
        }
    }
}

/// Exit codes: 0 success, 1 runtime failure, 2 bad input.
const BAD_INPUT: u8 = 2;
const FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { BAD_INPUT } else { 0 });
        }
    };
    match cli.command {
        Command::Check { config } => check(&config),
        Command::Run {
            config,
            db,
            until_head,
            log_dir,
        } => run(config, db, until_head, log_dir),
        Command::Export {
            db,
            listener,
            network,
            event,
            from_block,
            to_block,
            contract,
            address,
            direction,
            min_amount,
            max_amount,
            sort,
            out,
        } => {
            let filter = EventFilter {
                listener,
                network,
                event,
                from_block,
                to_block,
                contract,
                address,
                direction: direction.map(|d| match d {
                    DirectionArg::From => Direction::From,
                    DirectionArg::To => Direction::To,
                }),
                min_amount,
                max_amount,
                ..EventFilter::default()
            };
            export(&db, &filter, sort.into(), out)
        }
        Command::Holders {
            db,
            network,
            token,
            at_block,
            at_time,
            out,
        } => {
            let at = match (at_block, at_time) {
                (Some(b), _) => tokens::At::Block(b),
                (None, Some(t)) => tokens::At::Time(t),
                (None, None) => tokens::At::Head,
            };
            tokens::holders(&db, &network, &token, at, out)
        }
        Command::Tokens { db, out } => tokens::tokens(&db, out),
        Command::Registers {
            db,
            network,
            token,
            out,
        } => registers::registers(&db, &network, &token, out),
        Command::Deliveries { db, all, limit } => deliveries::list(&db, all, limit),
        Command::Redeliver { db, config, target } => {
            deliveries::redeliver(&db, config, target.as_deref())
        }
    }
}

fn check(path: &std::path::Path) -> ExitCode {
    match Config::load(path) {
        Ok(c) => {
            for w in &c.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "{}: OK ({} networks, {} listeners)",
                path.display(),
                c.networks.len(),
                c.listeners.len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("{}: {} problem(s)", path.display(), problems.len());
            for p in problems {
                eprintln!("  - {p}");
            }
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn run(config_path: PathBuf, db: PathBuf, until_head: bool, log_dir: Option<PathBuf>) -> ExitCode {
    let config = match Config::load(&config_path) {
        Ok(c) => c,
        Err(problems) => {
            eprintln!("{}: {} problem(s)", config_path.display(), problems.len());
            for p in problems {
                eprintln!("  - {p}");
            }
            return ExitCode::from(BAD_INPUT);
        }
    };
    let log_dir = log_dir.or_else(|| db.parent().map(|p| p.join("logs")));
    let _guard = tokenwatch_engine::logging::init(log_dir.as_deref(), "info");
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(FAILURE);
        }
    };
    let config_path = std::path::absolute(&config_path).unwrap_or(config_path);
    match rt.block_on(run_engine(config, db.clone(), until_head, config_path)) {
        Ok(()) => {
            if until_head {
                tokens::summarize_checks(&db);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(match e {
                EngineError::Config(_)
                | EngineError::ChainMismatch { .. }
                | EngineError::Target { .. } => BAD_INPUT,
                EngineError::Store(e) if e.is_bad_input() => BAD_INPUT,
                _ => FAILURE,
            })
        }
    }
}

async fn run_engine(
    config: Config,
    db: PathBuf,
    until_head: bool,
    config_path: PathBuf,
) -> Result<(), EngineError> {
    let opts = RunOptions {
        until_head,
        config_path: Some(config_path.clone()),
        ..RunOptions::default()
    };
    let mut engine = Engine::start(config, &db, opts).await?;
    let mut watch = ConfigWatch::new(config_path, Arc::new(NoKeychain));
    let stop = stop_signal();
    tokio::pin!(stop);
    let finished = loop {
        // Following (not --until-head): the run ends on a signal or a failure only.
        let ends = until_head || engine.network_count() > 0;
        tokio::select! {
            r = async {
                engine.wait().await?;
                // Caught up: every delivery made goes out (or is parked) before exiting.
                engine.drain_deliveries().await
            }, if ends => {
                if until_head || r.is_err() {
                    break Some(r);
                }
            }
            _ = &mut stop => break None,
            _ = tokio::time::sleep(POLL), if !until_head => {
                if let Some(Ok(config)) = watch.changed() {
                    let changes = engine.apply(config).await;
                    tracing::info!("configuration applied: {changes}");
                }
            }
        }
    };
    match finished {
        // With --until-head: caught up and delivered. Otherwise a network failed for good.
        Some(Ok(())) => {
            match engine.delivery_counts() {
                Ok(c) => summarize(&c),
                Err(e) => tracing::warn!(error = %e, "cannot count this run's deliveries"),
            }
            engine.shutdown().await
        }
        Some(Err(e)) => Err(e),
        None => {
            tracing::info!("stopping");
            let stopped = engine.shutdown().await;
            if until_head {
                // Scripts must not take an interrupted run for a complete one.
                return Err(EngineError::Task(
                    "interrupted before everything was stored and delivered; run again to continue from the checkpoint".into(),
                ));
            }
            stopped
        }
    }
}

/// `--until-head`: what became of the deliveries this run made (nothing when it made none).
fn summarize(c: &DeliveryCounts) {
    let total = c.queued + c.delivered + c.parked + c.held + c.dropped;
    if total == 0 {
        return;
    }
    let mut text = format!(
        "caught up; this run made {total} deliveries: {} delivered",
        c.delivered
    );
    if c.parked + c.held > 0 {
        text += &format!(", {} parked", c.parked);
    }
    if c.held > 0 {
        text += &format!(", {} held behind parked ones", c.held);
    }
    if c.dropped > 0 {
        text += &format!(
            ", {} dropped (their events were removed by a reorg)",
            c.dropped
        );
    }
    if c.queued > 0 {
        text += &format!(", {} still queued", c.queued);
    }
    if c.parked + c.held > 0 {
        text += "; `tokenwatch redeliver` sends the parked ones, then the held ones, in order";
    }
    println!("{text}");
}

async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn export(
    db: &std::path::Path,
    filter: &EventFilter,
    sort: HistorySort,
    out: Option<PathBuf>,
) -> ExitCode {
    let store = match Store::open_reader(db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let result = match &out {
        Some(path) => export_to_file(&store, filter, sort, path, db, &mut |_| {}),
        None => export_csv_with(&store, filter, sort, std::io::stdout().lock(), &mut |_| {}),
    };
    match result {
        Ok(n) => {
            eprintln!("exported {n} rows");
            ExitCode::SUCCESS
        }
        Err(e @ ExportError::Target(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(BAD_INPUT)
        }
        // A filter value that is not one (an address, an amount, a symbol): named.
        Err(ExportError::Store(e @ (StoreError::BadFilter(_) | StoreError::BadLabel(_)))) => {
            eprintln!("error: {e}");
            ExitCode::from(BAD_INPUT)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(FAILURE)
        }
    }
}

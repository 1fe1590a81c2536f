//! `tokenwatch deliveries` and `tokenwatch redeliver`: the parked deliveries, and the ones
//! held behind them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tokenwatch_engine::deliver::{Outbox, Target};
use tokenwatch_engine::store::{Db, DeliveryState, Readers, Store, StoreError, Writer};
use tokenwatch_engine::Config;

use super::{BAD_INPUT, FAILURE};

pub fn list(db: &Path, all: bool, limit: u32) -> ExitCode {
    let store = match Store::open_reader(db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let rows = if all {
        store.deliveries(None, limit)
    } else {
        store.waiting_deliveries(limit)
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(FAILURE);
        }
    };
    println!("id\ttarget\tlistener\tkey\tevent\tstatus\tstate\tattempts\tlast_error");
    for d in &rows {
        let state = match d.state {
            DeliveryState::Held => format!("held behind {} parked", d.parked_ahead),
            other => other.as_str().to_string(),
        };
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            d.id,
            d.target,
            d.listener,
            d.key,
            d.event,
            d.status.as_str(),
            state,
            d.attempts,
            d.last_error.as_deref().unwrap_or("")
        );
    }
    if all {
        eprintln!("{} deliveries", rows.len());
        return ExitCode::SUCCESS;
    }
    match (total(&store, DeliveryState::Parked), total(&store, DeliveryState::Held)) {
        (Ok(parked), Ok(0)) => eprintln!("{parked} parked deliveries"),
        (Ok(parked), Ok(held)) => eprintln!(
            "{parked} parked deliveries, {held} held behind them (`tokenwatch redeliver` sends them all in order)"
        ),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(FAILURE);
        }
    }
    ExitCode::SUCCESS
}

/// Deliveries in a state, all targets together.
fn total(store: &Store, state: DeliveryState) -> Result<u64, StoreError> {
    Ok(store.count_per_target(state)?.iter().map(|(_, n)| n).sum())
}

pub fn redeliver(db: &Path, config: Option<PathBuf>, target: Option<&str>) -> ExitCode {
    match try_redeliver(db, config, target) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, message }) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

/// Why `redeliver` stopped, with its exit code: bad input (2) or a failure while working (1).
struct Failure {
    code: u8,
    message: String,
}

/// The database, configuration or target named is wrong.
fn bad(e: impl std::fmt::Display) -> Failure {
    Failure {
        code: BAD_INPUT,
        message: e.to_string(),
    }
}

/// Something failed while working (the database, the runtime).
fn failed(e: impl std::fmt::Display) -> Failure {
    Failure {
        code: FAILURE,
        message: e.to_string(),
    }
}

fn try_redeliver(db: &Path, config: Option<PathBuf>, target: Option<&str>) -> Result<(), Failure> {
    let store = match Store::open(db) {
        Ok(s) => s,
        Err(StoreError::Locked { .. }) => {
            // A running engine owns the database: requeue, and its workers send them.
            let reader = Store::open_reader(db).map_err(bad)?;
            let key = target_key(&reader, target)?;
            let n = reader.requeue_parked(key.as_deref()).map_err(failed)?;
            println!("requeued {n} deliveries; the running tokenwatch sends them");
            return Ok(());
        }
        Err(e) => return Err(bad(e)),
    };
    let key = target_key(&store, target)?;
    let n = store.requeue_parked(key.as_deref()).map_err(failed)?;
    if n == 0 {
        println!("no parked deliveries");
        return Ok(());
    }
    let config_path = match config {
        Some(p) => Some(p),
        None => store.meta("config").map_err(failed)?.map(PathBuf::from),
    };
    let Some(config_path) = config_path else {
        println!("requeued {n} deliveries; they go out on the next `tokenwatch run`");
        return Ok(());
    };
    let config = Config::load(&config_path).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        bad(format!("{}:\n{}", config_path.display(), lines.join("\n")))
    })?;
    let instance = store.instance_id().map_err(failed)?;
    let mut targets = Vec::new();
    for spec in &config.targets {
        if key.as_ref().is_none_or(|k| k == &spec.key) {
            targets.push(Target::build(spec, &instance).map_err(bad)?);
        }
    }
    let (writer, thread) = Writer::start(store).map_err(failed)?;
    let readers = Readers::new(db);
    let rt = tokio::runtime::Runtime::new().map_err(failed)?;
    rt.block_on(async {
        let mut outbox = Outbox::new(Db {
            writer,
            readers: readers.clone(),
        });
        outbox.set_targets(targets);
        let drained = outbox.drain().await;
        outbox.shutdown().await;
        drained
    })
    .map_err(failed)?;
    drop(rt);
    thread.join();
    let (parked, held) = readers
        .run_blocking(|s| {
            Ok((
                total(s, DeliveryState::Parked)?,
                total(s, DeliveryState::Held)?,
            ))
        })
        .map_err(failed)?;
    match held {
        0 => println!("redelivered {n} deliveries; {parked} parked again"),
        _ => println!("redelivered {n} deliveries; {parked} parked again, {held} held behind them"),
    }
    Ok(())
}

/// `ops` or `webhook:ops` -> the stored target key; refuses names with no deliveries.
fn target_key(store: &Store, target: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(t) = target else {
        return Ok(None);
    };
    let parked = store
        .count_per_target(DeliveryState::Parked)
        .map_err(failed)?;
    let keys: Vec<&str> = parked.iter().map(|(t, _)| t.as_str()).collect();
    keys.iter()
        .find(|k| **k == t || k.split_once(':').is_some_and(|(_, name)| name == t))
        .map(|k| Some(k.to_string()))
        .ok_or_else(|| {
            bad(format!(
                "no parked deliveries for target \"{t}\" (parked targets: {})",
                if keys.is_empty() {
                    "none".into()
                } else {
                    keys.join(", ")
                }
            ))
        })
}

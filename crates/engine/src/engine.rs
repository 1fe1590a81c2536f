//! The engine's async API: start it on a configuration and a database, watch its notices
//! and status, read what it stored, stop it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch};
use tokio::task::JoinSet;

use crate::config::{Config, ConfigProblem};
use crate::event::StoredEvent;
use crate::hub::{Hub, Notice};
use crate::model::{ListenerSpec, NetworkSpec, StartBlock};
use crate::source::{BlockTag, RpcError, Source};
use crate::status::{EngineStatus, ListenerPhase, ListenerStatus, NetworkStatus};
use crate::store::{Store, StoreError};
use crate::sync::NetworkSync;

/// Errors of the engine layer, each naming what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid configuration:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Config(Vec<ConfigProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("network \"{network}\": {source}")]
    Rpc { network: String, source: RpcError },
    #[error("network \"{network}\" is configured with chain id {configured} but its RPC endpoint serves chain id {actual}")]
    ChainMismatch { network: String, configured: u64, actual: u64 },
    #[error("a sync task failed: {0}")]
    Task(String),
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop once everything up to the head less the confirmation depth is stored.
    pub until_head: bool,
}

/// A running engine.
pub struct Engine {
    hub: Arc<Hub>,
    db: PathBuf,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<Result<(), StoreError>>,
}

impl Engine {
    /// Opens the database, checks every network's chain id, registers the listeners and
    /// starts one sync task per network.
    pub async fn start(config: Config, db: &Path, opts: RunOptions) -> Result<Engine, EngineError> {
        let store = Store::open(db)?;
        let hub = Hub::new(db.display().to_string());
        let store = Arc::new(Mutex::new(store));
        let (shutdown, rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for net in &config.networks {
            let listeners: Vec<&ListenerSpec> = config.listeners.iter().filter(|l| l.network == net.name).collect();
            let sync = prepare(net, &listeners, &store, &hub, opts.until_head).await?;
            tasks.spawn(sync.run(rx.clone()));
        }
        Ok(Engine { hub, db: db.to_path_buf(), shutdown, tasks })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.hub.subscribe()
    }

    pub fn status(&self) -> EngineStatus {
        self.hub.status()
    }

    /// The newest stored events, newest first (read through a separate connection).
    pub fn recent_events(&self, limit: u32) -> Result<Vec<StoredEvent>, EngineError> {
        Ok(Store::open_reader(&self.db)?.recent_events(limit)?)
    }

    /// Waits for every sync task to end (with `until_head`: caught up).
    pub async fn wait(mut self) -> Result<(), EngineError> {
        let result = join_all(&mut self.tasks).await;
        self.hub.update(|b| b.running = false);
        result
    }

    /// Asks every task to stop after its current commit and waits for them.
    pub async fn shutdown(mut self) -> Result<(), EngineError> {
        let _ = self.shutdown.send(true);
        let result = join_all(&mut self.tasks).await;
        self.hub.update(|b| b.running = false);
        result
    }
}

async fn join_all(tasks: &mut JoinSet<Result<(), StoreError>>) -> Result<(), EngineError> {
    let mut first_err = None;
    while let Some(r) = tasks.join_next().await {
        let err = match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(EngineError::Store(e)),
            Err(e) => Some(EngineError::Task(e.to_string())),
        };
        if first_err.is_none() {
            first_err = err;
        }
    }
    first_err.map_or(Ok(()), Err)
}

/// Connects to a network, checks its chain id and registers its listeners.
async fn prepare(
    net: &NetworkSpec,
    listeners: &[&ListenerSpec],
    store: &Arc<Mutex<Store>>,
    hub: &Arc<Hub>,
    until_head: bool,
) -> Result<NetworkSync, EngineError> {
    let rpc_err = |source| EngineError::Rpc { network: net.name.clone(), source };
    let source = Source::new(&net.rpc, Duration::from_secs(20)).map_err(rpc_err)?;
    let actual = retry(|| source.chain_id()).await.map_err(rpc_err)?;
    if actual != net.chain_id {
        return Err(EngineError::ChainMismatch { network: net.name.clone(), configured: net.chain_id, actual });
    }
    let head = retry(|| source.block_number()).await.map_err(rpc_err)?;
    let network_id = crate::sync::lock(store).upsert_network(&net.name, net.chain_id)?;
    let mut records = Vec::new();
    for l in listeners {
        let from = resolve_start(&source, store, l, head).await.map_err(rpc_err)?;
        let rec = crate::sync::lock(store).upsert_listener(&l.name, network_id, &l.spec_hash, from, head)?;
        records.push((rec, (*l).clone()));
    }
    hub.update(|b| {
        b.networks.push(NetworkStatus {
            name: net.name.clone(),
            chain_id: net.chain_id,
            head: Some(head),
            synced_to: None,
            lag: None,
            endpoints: source.endpoint_status(),
            error: None,
        });
        for (rec, spec) in &records {
            b.listeners.push(ListenerStatus {
                name: rec.name.clone(),
                network: net.name.clone(),
                phase: if spec.paused { ListenerPhase::Paused } else { ListenerPhase::Starting },
                from_block: rec.from_block,
                covered_to: None,
                events: 0,
                undecodable: 0,
            });
        }
    });
    Ok(NetworkSync {
        spec: net.clone(),
        network_id,
        source: Arc::new(source),
        listeners: records,
        store: store.clone(),
        hub: hub.clone(),
        until_head,
    })
}

/// The listener's first block. `latest` keeps the block chosen when it was first stored.
async fn resolve_start(
    source: &Source,
    store: &Arc<Mutex<Store>>,
    l: &ListenerSpec,
    head: u64,
) -> Result<u64, RpcError> {
    match l.start {
        StartBlock::Number(n) => Ok(n),
        StartBlock::Latest => {
            let known = crate::sync::lock(store).stored_from_block(&l.name, &l.spec_hash).ok().flatten();
            Ok(known.unwrap_or(head))
        }
        StartBlock::Time(t) => block_at_time(source, t, head).await,
    }
}

/// The first block whose timestamp is at or after `t` (binary search over headers).
async fn block_at_time(source: &Source, t: i64, head: u64) -> Result<u64, RpcError> {
    let (mut lo, mut hi) = (0u64, head);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let time = source.header(BlockTag::Number(mid)).await?.map_or(i64::MAX, |h| h.timestamp.to::<u64>() as i64);
        if time < t {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

/// Start-up calls retry a few times before giving up with the last error.
async fn retry<T, F, Fut>(mut f: F) -> Result<T, RpcError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RpcError>>,
{
    let mut delay = Duration::from_millis(200);
    let mut attempt = 0;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt >= 4 || !e.is_endpoint_problem() => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "start-up request failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
        }
    }
}

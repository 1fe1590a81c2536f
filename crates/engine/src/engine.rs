//! The engine's async API: start it on a configuration and a database, watch its notices
//! and status, read what it stored, stop it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::select_all;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::config::{Config, ConfigProblem};
use crate::deliver::{Outbox, Target, TargetSpec};
use crate::hub::{Hub, Notice};
use crate::model::{ListenerSpec, NetworkSpec, TargetKey};
use crate::reload::{self, ConfigChanges};
use crate::source::RpcError;
use crate::status::{EngineStatus, ListenerPhase, ListenerStatus, NetworkStatus};
use crate::store::{Db, DeliveryCounts, Readers, Store, StoreError, Writer, WriterThread};
pub use crate::sync::TokenCheckHandle;
use crate::sync::{Start, StartError, SyncError};
use crate::team::{Team, TeamError, TeamParts};

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
    ChainMismatch {
        network: String,
        configured: u64,
        actual: u64,
    },
    #[error("network \"{network}\" stopped: {message}")]
    Stopped { network: String, message: String },
    #[error("{0}")]
    Team(String),
    #[error("subscription \"{name}\": {message}")]
    Subscription { name: String, message: String },
    #[error("a sync task failed: {0}")]
    Task(String),
    #[error("delivery target \"{target}\": {message}")]
    Target { target: String, message: String },
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Stop once everything up to the head less the confirmation depth is stored.
    pub until_head: bool,
    /// Targets the host provides besides the configured ones (the app's notifications).
    pub host_targets: Vec<Target>,
    /// The configuration file, remembered so `redeliver` can find the targets.
    pub config_path: Option<PathBuf>,
    /// Problems the host works around, shown with the engine's status (logs that cannot
    /// be written to a file).
    pub warnings: Vec<String>,
}

/// A running engine.
pub struct Engine {
    hub: Arc<Hub>,
    store: Db,
    /// Closes the database once every handle to the writer is gone.
    writer_thread: Option<WriterThread>,
    opts: RunOptions,
    networks: Vec<Running>,
    outbox: Outbox,
    targets: Vec<TargetSpec>,
    /// Makes delivery message ids unique across databases.
    instance: String,
    /// The newest delivery before this run: the ones after it are this run's.
    delivery_mark: i64,
    /// Asks the networks to check their tokens against the chain now.
    check_tokens: watch::Sender<u64>,
    /// Team streams published to and subscriptions mirrored.
    team: Option<Team>,
}

/// One network's task and what it was started with.
struct Running {
    spec: NetworkSpec,
    listeners: Vec<ListenerSpec>,
    stop: watch::Sender<bool>,
    task: JoinHandle<Result<(), EngineError>>,
}

impl Engine {
    /// Opens the database and starts one task per network. Each task connects (waiting
    /// with backoff while its node is unreachable), checks the chain id, registers its
    /// listeners and follows the chain.
    pub async fn start(config: Config, db: &Path, opts: RunOptions) -> Result<Engine, EngineError> {
        let store = Store::open(db)?;
        let instance = store.instance_id()?;
        let stored = store.event_count()?;
        let delivery_mark = store.last_delivery_id()?;
        if let Some(p) = &opts.config_path {
            store.set_meta("config", &p.display().to_string())?;
        }
        let (writer, writer_thread) = Writer::start(store)?;
        let store = Db {
            writer,
            readers: Readers::new(db),
        };
        let hub = Hub::new(db.display().to_string());
        hub.update(|b| {
            b.events_stored = stored;
            b.warnings = opts.warnings.clone();
        });
        let mut engine = Engine {
            hub: hub.clone(),
            outbox: Outbox::new(store.clone()).with_hub(hub.clone()),
            store,
            writer_thread: Some(writer_thread),
            opts,
            networks: Vec::new(),
            targets: Vec::new(),
            instance,
            delivery_mark,
            check_tokens: watch::channel(0).0,
            team: None,
        };
        engine.check_names(&config)?;
        engine.set_targets(&config.targets)?;
        engine.apply(config).await;
        Ok(engine)
    }

    /// Starts the delivery workers of these targets (and the host's).
    fn set_targets(&mut self, specs: &[TargetSpec]) -> Result<(), EngineError> {
        let mut targets = self.opts.host_targets.clone();
        for spec in specs {
            let t = Target::build(spec, &self.instance).map_err(|e| EngineError::Target {
                target: spec.key.to_string(),
                message: e.to_string(),
            })?;
            targets.push(t);
        }
        self.outbox.set_targets(targets);
        self.targets = specs.to_vec();
        Ok(())
    }

    /// Target key -> whether it takes a listener's first backfill by default.
    fn routes(&self) -> Arc<Vec<(TargetKey, bool)>> {
        let mut out: Vec<(TargetKey, bool)> = self
            .opts
            .host_targets
            .iter()
            .map(|t| (t.key.clone(), t.sink.takes_history()))
            .collect();
        for spec in &self.targets {
            out.push((spec.key.clone(), spec.kind.takes_history()));
        }
        Arc::new(out)
    }

    /// Changes networks and listeners while running: networks whose definition or
    /// listeners changed restart from their checkpoints; the others are not touched.
    /// Removed listeners stop; their stored events stay.
    /// Answers with what changed, by name.
    pub async fn apply(&mut self, config: Config) -> ConfigChanges {
        let running = self.networks.iter().map(|r| (&r.spec, &r.listeners[..]));
        let changes = reload::changes(running, &self.targets, &config);
        let targets_changed = config.targets != self.targets;
        if targets_changed {
            if let Err(e) = self.set_targets(&config.targets) {
                tracing::error!(error = %e, "delivery targets not changed");
            }
        }
        let wanted = |name: &str| -> Option<(NetworkSpec, Vec<ListenerSpec>)> {
            let spec = config.networks.iter().find(|n| n.name == name)?.clone();
            let listeners = config
                .listeners
                .iter()
                .filter(|l| l.network == name)
                .cloned()
                .collect();
            Some((spec, listeners))
        };
        let mut keep = Vec::new();
        for run in std::mem::take(&mut self.networks) {
            match wanted(&run.spec.name) {
                Some((spec, listeners))
                    if spec == run.spec && listeners == run.listeners && !targets_changed =>
                {
                    keep.push(run)
                }
                _ => {
                    let _ = run.stop.send(true);
                    if let Ok(Err(e)) = run.task.await {
                        tracing::warn!(network = %run.spec.name, error = %e, "stopped network had failed");
                    }
                }
            }
        }
        self.networks = keep;
        self.set_team(&config).await;
        self.hub.update(|b| {
            b.networks
                .retain(|n| config.networks.iter().any(|c| c.name == n.name));
            b.listeners.retain(|l| {
                config
                    .listeners
                    .iter()
                    .any(|c| c.name == l.name && c.network == l.network)
            });
        });
        for net in &config.networks {
            if self.networks.iter().any(|r| r.spec.name == net.name) {
                continue;
            }
            let listeners: Vec<ListenerSpec> = config
                .listeners
                .iter()
                .filter(|l| l.network == net.name)
                .cloned()
                .collect();
            self.spawn(net.clone(), listeners);
        }
        changes
    }

    /// Runs the configured team streams and subscriptions, restarting them when changed.
    async fn set_team(&mut self, config: &Config) {
        if self
            .team
            .as_ref()
            .is_some_and(|t| t.runs(&config.streams, &config.subscriptions))
        {
            return;
        }
        if let Some(team) = self.team.take() {
            team.stop().await;
        }
        if config.streams.is_empty() && config.subscriptions.is_empty() {
            return;
        }
        let parts = TeamParts {
            db: self.store.clone(),
            hub: self.hub.clone(),
            instance: self.instance.clone(),
            commits: self.outbox.commits(),
            waker: self.outbox.waker(),
            desktop: (self.opts.host_targets.iter()).any(|t| t.key == TargetKey::Desktop),
        };
        self.team = Some(Team::start(&config.streams, &config.subscriptions, &parts));
    }

    /// Refuses local networks named like one a subscription brought.
    fn check_names(&self, config: &Config) -> Result<(), EngineError> {
        let taken = self
            .store
            .readers
            .run_blocking(|s| s.subscribed_networks())?;
        let problems: Vec<ConfigProblem> = (config.networks.iter().enumerate())
            .filter_map(|(i, n)| {
                let (_, sub) = taken.iter().find(|(name, _)| name == &n.name)?;
                Some(ConfigProblem {
                    at: format!("networks[{i}] (\"{}\")", n.name),
                    message: format!("subscription \"{sub}\" brought a network of this name into this database; give this one another name"),
                })
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(EngineError::Config(problems))
        }
    }

    fn spawn(&mut self, spec: NetworkSpec, listeners: Vec<ListenerSpec>) {
        announce(&self.hub, &spec, &listeners);
        let (stop, mut rx) = watch::channel(false);
        let (net, ls) = (spec.clone(), listeners.clone());
        let start = Start {
            store: self.store.clone(),
            hub: self.hub.clone(),
            until_head: self.opts.until_head,
            routes: self.routes(),
            waker: self.outbox.waker(),
            check_tokens: self.check_tokens.subscribe(),
        };
        let task = tokio::spawn(async move {
            let prepared = tokio::select! {
                p = start.prepare(&net, &ls) => p.map_err(|e| start_error(&net, e))?,
                _ = rx.changed() => return Ok(()),
            };
            prepared.run(rx).await.map_err(|e| match e {
                SyncError::Store(e) => EngineError::Store(e),
                other => EngineError::Stopped {
                    network: net.name.clone(),
                    message: other.to_string(),
                },
            })
        });
        self.networks.push(Running {
            spec,
            listeners,
            stop,
            task,
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.hub.subscribe()
    }

    pub fn status(&self) -> EngineStatus {
        self.hub.status()
    }

    /// The database's writer and readers, for the host's own reads and writes (they go
    /// through the same owner as the engine's).
    pub fn db(&self) -> Db {
        self.store.clone()
    }

    /// A handle that asks every network to check its tokens against the chain at its next
    /// caught-up step (the host's "check now").
    pub fn token_check(&self) -> TokenCheckHandle {
        TokenCheckHandle::new(self.check_tokens.clone())
    }

    /// Networks being followed.
    pub fn network_count(&self) -> usize {
        self.networks.len()
    }

    /// Waits for every network task to end (with `until_head`: caught up). Returns the
    /// first error as soon as a task fails.
    pub async fn wait(&mut self) -> Result<(), EngineError> {
        while !self.networks.is_empty() {
            let (result, idx, rest) =
                select_all(self.networks.iter_mut().map(|r| &mut r.task)).await;
            drop(rest);
            self.networks.remove(idx);
            let result = result.unwrap_or_else(|e| Err(EngineError::Task(e.to_string())));
            if let Err(e) = result {
                self.hub.update(|b| b.error = Some(e.to_string()));
                return Err(e);
            }
        }
        self.hub.update(|b| b.running = false);
        Ok(())
    }

    /// Waits until every queued delivery was delivered, parked or held behind a parked one.
    /// Team streams first publish what is stored, and subscriptions read their streams to
    /// the end.
    pub async fn drain_deliveries(&self) -> Result<(), EngineError> {
        if let Some(team) = &self.team {
            team.drain(&self.store, &self.hub)
                .await
                .map_err(|e| match e {
                    TeamError::Store(e) => EngineError::Store(e),
                    other => EngineError::Team(other.to_string()),
                })?;
            self.subscriptions_caught_up().await?;
        }
        Ok(self.outbox.drain().await?)
    }

    /// Waits until every subscription has read its stream to the end; one that fails
    /// (no broker, a name taken) ends the wait with its reason.
    async fn subscriptions_caught_up(&self) -> Result<(), EngineError> {
        loop {
            let subs = self.hub.status().subscriptions;
            if let Some(s) = subs.iter().find(|s| s.error.is_some() && !s.caught_up) {
                return Err(EngineError::Subscription {
                    name: s.name.clone(),
                    message: s.error.clone().unwrap_or_default(),
                });
            }
            if subs.iter().all(|s| s.caught_up) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How the deliveries this run made stand.
    pub fn delivery_counts(&self) -> Result<DeliveryCounts, EngineError> {
        let mark = self.delivery_mark;
        Ok(self.store.readers.run_blocking(|s| s.counts_since(mark))?)
    }

    /// Asks every task to stop after its current commit and waits for them.
    pub async fn shutdown(mut self) -> Result<(), EngineError> {
        for r in &self.networks {
            let _ = r.stop.send(true);
        }
        let result = self.wait().await;
        if let Some(team) = self.team.take() {
            team.stop().await;
        }
        self.outbox.shutdown().await;
        self.hub.update(|b| b.running = false);
        // The database closes (its log folded in) after what was queued before.
        self.store.readers.close();
        self.store.writer.close().await;
        if let Some(t) = self.writer_thread.take() {
            let joined = tokio::task::spawn_blocking(move || t.join_within(CLOSE_GRACE));
            if !matches!(joined.await, Ok(true)) {
                tracing::warn!("the database was not closed within {CLOSE_GRACE:?}");
            }
        }
        result
    }
}

impl Drop for Engine {
    /// An engine dropped without [`Engine::shutdown`] still closes its database before
    /// the drop returns (briefly waiting for the write in flight), so it can be opened
    /// again at once.
    fn drop(&mut self) {
        let Some(thread) = self.writer_thread.take() else {
            return;
        };
        self.store.readers.close();
        self.store.writer.close_soon();
        if !thread.join_within(CLOSE_GRACE) {
            tracing::warn!("the database was not closed within {CLOSE_GRACE:?}");
        }
    }
}

/// How long a stop waits for the database to be closed.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// Puts a network and its listeners on the status board before it connects.
fn announce(hub: &Hub, net: &NetworkSpec, listeners: &[ListenerSpec]) {
    hub.update(|b| {
        b.running = true;
        b.networks.retain(|n| n.name != net.name);
        b.networks.push(NetworkStatus {
            name: net.name.clone(),
            chain_id: net.chain_id,
            head: None,
            synced_to: None,
            lag: None,
            endpoints: Vec::new(),
            error: None,
        });
        b.listeners.retain(|l| l.network != net.name);
        for l in listeners {
            b.listeners.push(ListenerStatus {
                name: l.name.clone(),
                network: l.network.clone(),
                phase: if l.paused {
                    ListenerPhase::Paused
                } else {
                    ListenerPhase::Starting
                },
                from_block: 0,
                covered_to: None,
                events: 0,
                undecodable: 0,
            });
        }
    });
}

/// A start-up failure as the engine reports it.
fn start_error(net: &NetworkSpec, e: StartError) -> EngineError {
    match e {
        StartError::Rpc(source) => EngineError::Rpc {
            network: net.name.clone(),
            source,
        },
        StartError::Store(e) => EngineError::Store(e),
        StartError::ChainMismatch {
            network,
            configured,
            actual,
        } => EngineError::ChainMismatch {
            network,
            configured,
            actual,
        },
    }
}

//! Delivery: the last step of the pipeline. Matched events are queued in the store's
//! outbox in the transaction that stores them; one worker per target sends them in order
//! per listener, retries with exponential backoff and jitter, and parks a delivery after
//! the target's last attempt so it never blocks the others; the rest of its lane is held
//! behind it until a redelivery (or, with `on_park = "skip"`, goes on).

pub mod answer;
pub mod chat;
pub mod desktop;
pub mod message;
pub mod probe;
pub mod rabbitmq;
pub mod text;
pub mod webhook;
mod worker;

#[cfg(test)]
mod fixtures;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::hub::Hub;
use crate::status::{HoldReason, TargetStatus};
use crate::store::{Db, OutboxStore, Queued, StoreError};

pub use crate::model::targets::{
    OnPark, RabbitSpec, RetryPolicy, TargetKey, TargetKind, TargetSpec, WebhookFormat, WebhookSpec,
};

/// Messages taken from one lane per round.
const BATCH: u32 = 200;

/// How long a stop waits for a message in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// What one attempt to send one message gave.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub ok: bool,
    /// HTTP status, when there was one.
    pub code: Option<u16>,
    pub latency: Duration,
    pub error: Option<String>,
    /// Not an attempt: the target asks to be asked again later (quiet hours, a full burst
    /// window). Later messages of the lane wait too.
    pub defer: Option<Defer>,
}

/// A target holding its messages back on purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Defer {
    /// Ask again after this long (a policy edited meanwhile applies then).
    pub wait: Duration,
    pub reason: HoldReason,
    /// How long until the next message goes out (for the status board).
    pub until: Duration,
}

impl Outcome {
    pub fn deferred(defer: Defer) -> Self {
        Self {
            ok: false,
            code: None,
            latency: Duration::ZERO,
            error: None,
            defer: Some(defer),
        }
    }
}

/// Something that takes messages: a webhook, a broker, the desktop's notifications.
pub trait Sink: Send + Sync {
    /// Sends the messages in order and stops at the first failure; returns one outcome
    /// per message tried.
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>>;
    /// Whether, by default, it also takes events of a listener's first backfill (data
    /// integrations do; things people read do not).
    fn takes_history(&self) -> bool;
}

/// A target ready to send.
#[derive(Clone)]
pub struct Target {
    pub key: TargetKey,
    pub sink: Arc<dyn Sink>,
    pub retry: RetryPolicy,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("key", &self.key).finish()
    }
}

impl Target {
    pub fn build(spec: &TargetSpec, instance: &str) -> Result<Target, webhook::SetupError> {
        let sink: Arc<dyn Sink> = match &spec.kind {
            TargetKind::Webhook(w) => {
                Arc::new(webhook::WebhookSink::new(w.clone(), instance.to_string())?)
            }
            TargetKind::RabbitMq(r) => {
                Arc::new(rabbitmq::RabbitSink::new(r.clone(), instance.to_string()))
            }
        };
        Ok(Target {
            key: spec.key.clone(),
            sink,
            retry: spec.retry.clone(),
        })
    }
}

/// The id of one message, the same on every attempt: `msg_<database>_<delivery>`.
pub fn message_id(instance: &str, delivery_id: i64) -> String {
    format!("msg_{instance}_{delivery_id}")
}

/// The running workers, one per target.
pub struct Outbox {
    store: Db,
    hub: Option<Arc<Hub>>,
    wake: watch::Sender<u64>,
    stop: watch::Sender<bool>,
    workers: HashMap<String, JoinHandle<()>>,
}

impl Outbox {
    pub fn new(store: Db) -> Self {
        Self {
            store,
            hub: None,
            wake: watch::channel(0).0,
            stop: watch::channel(false).0,
            workers: HashMap::new(),
        }
    }

    /// Reports each target's queue and health on the engine's status board.
    pub fn with_hub(mut self, hub: Arc<Hub>) -> Self {
        self.hub = Some(hub);
        self
    }

    /// Changes on every commit that queued deliveries or stored events (team streams
    /// follow it).
    pub fn commits(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// A handle that tells the workers new deliveries are queued.
    pub fn waker(&self) -> Waker {
        Waker(self.wake.clone())
    }

    /// Runs exactly these targets: every worker is started afresh, so a changed URL,
    /// secret or retry policy applies at once. (A message cut off mid-send goes again:
    /// at least once.)
    pub fn set_targets(&mut self, targets: Vec<Target>) {
        for (_, task) in self.workers.drain() {
            task.abort();
        }
        if let Some(hub) = &self.hub {
            hub.update(|b| {
                b.targets
                    .retain(|s| targets.iter().any(|t| t.key == s.target))
            });
        }
        for t in targets {
            let key = t.key.to_string();
            if let Some(hub) = &self.hub {
                let key = key.clone();
                hub.update(|b| {
                    b.targets.retain(|s| s.target != key);
                    b.targets.push(TargetStatus {
                        target: key,
                        ..TargetStatus::default()
                    });
                });
            }
            let task = tokio::spawn(worker::run_worker(
                t,
                self.store.clone(),
                self.hub.clone(),
                self.wake.subscribe(),
                self.stop.subscribe(),
            ));
            self.workers.insert(key, task);
        }
    }

    pub fn target_keys(&self) -> Vec<String> {
        self.workers.keys().cloned().collect()
    }

    /// Waits until no delivery of a running target is queued (all delivered, parked, or
    /// held behind a parked one).
    pub async fn drain(&self) -> Result<(), StoreError> {
        let keys = self.target_keys();
        if keys.is_empty() {
            return Ok(());
        }
        loop {
            let queued = self.store.queued_count(keys.clone()).await?;
            if queued == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops every worker after its current message, or cuts that message off after
    /// [`SHUTDOWN_GRACE`] (a receiver that does not answer must not hold up a stop). A
    /// message cut off is still queued and goes again on the next run: at least once.
    pub async fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        // One grace for all: every worker was told at once.
        let deadline = tokio::time::Instant::now() + SHUTDOWN_GRACE;
        for (key, mut task) in self.workers.drain() {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                tracing::warn!(target = %key, "a delivery in flight was cut off by the stop; it goes again next run");
                task.abort();
                let _ = task.await;
            }
        }
    }
}

/// Wakes the delivery workers.
#[derive(Clone)]
pub struct Waker(watch::Sender<u64>);

impl Waker {
    pub fn wake(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let p = RetryPolicy {
            max_attempts: 5,
            initial: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            on_park: OnPark::Hold,
        };
        for seed in [0, 200, 400, 12345] {
            let b1 = p.backoff(1, seed).as_millis();
            let b3 = p.backoff(3, seed).as_millis();
            let b9 = p.backoff(9, seed).as_millis();
            assert!((80..=120).contains(&b1), "{b1}");
            assert!((320..=480).contains(&b3), "{b3}");
            assert!((800..=1200).contains(&b9), "{b9}");
        }
    }
}

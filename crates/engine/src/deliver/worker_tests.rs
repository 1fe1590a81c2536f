//! The worker's rules against an outbox in memory (where SQLite is not the point): order
//! within a lane, retries, a park that holds the lane behind it, `on_park = "skip"`, and
//! what the status board says of messages a target holds back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;

use super::round;
use crate::deliver::{fixtures, Defer, OnPark, Outcome, RetryPolicy, Sink, Target, TargetKey};
use crate::event::{EventStatus, StoredEvent};
use crate::hub::Hub;
use crate::status::{HoldReason, TargetStatus};
use crate::store::{now_ms, AttemptRecord, Lane, NextStep, OutboxStore, Queued, StoreError};

const QUEUED: u8 = 0;
const DELIVERED: u8 = 1;
const PARKED: u8 = 2;
const HELD: u8 = 4;

#[derive(Clone, Copy, Debug)]
struct Row {
    id: i64,
    state: u8,
    attempts: u32,
    next_at: i64,
}

/// One lane (listener 1) of one target, in memory.
#[derive(Clone, Default)]
struct Mem(Arc<Mutex<Vec<Row>>>);

impl Mem {
    fn with(ids: &[i64]) -> Self {
        let rows = ids
            .iter()
            .map(|&id| Row {
                id,
                state: QUEUED,
                attempts: 0,
                next_at: 0,
            })
            .collect();
        Self(Arc::new(Mutex::new(rows)))
    }

    fn rows(&self) -> std::sync::MutexGuard<'_, Vec<Row>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn states(&self) -> Vec<(i64, u8)> {
        self.rows().iter().map(|r| (r.id, r.state)).collect()
    }

    fn queued(&self) -> Vec<Row> {
        self.rows()
            .iter()
            .filter(|r| r.state == QUEUED)
            .copied()
            .collect()
    }
}

type Answer<T> = Result<T, StoreError>;

impl OutboxStore for Mem {
    async fn lanes(&self, _target: String) -> Answer<Vec<Lane>> {
        let queued = self.queued();
        let parked = self
            .rows()
            .iter()
            .any(|r| r.state == PARKED && r.attempts > 0);
        Ok(queued.first().map_or(Vec::new(), |head| {
            vec![Lane {
                listener_id: 1,
                next_at: head.next_at,
                behind_parked: parked,
            }]
        }))
    }

    async fn lane_batch(&self, _t: String, _l: i64, limit: u32) -> Answer<Vec<Queued>> {
        Ok(self
            .queued()
            .iter()
            .take(limit as usize)
            .map(|r| queued(r.id, r.attempts))
            .collect())
    }

    async fn target_counts(&self, _target: String) -> Answer<(u64, u64, u64)> {
        let count = |s| self.rows().iter().filter(|r| r.state == s).count() as u64;
        Ok((count(QUEUED), count(PARKED), count(HELD)))
    }

    async fn queued_count(&self, _targets: Vec<String>) -> Answer<u64> {
        Ok(self.queued().len() as u64)
    }

    async fn hold_lane(&self, _target: String, _listener: i64) -> Answer<usize> {
        Ok(self.set_queued(HELD))
    }

    async fn release_held(&self, _target: String) -> Answer<usize> {
        let mut rows = self.rows();
        let held = rows.iter_mut().filter(|r| r.state == HELD);
        Ok(held.map(|r| r.state = QUEUED).count())
    }

    async fn record_attempts(
        &self,
        records: Vec<AttemptRecord>,
        on_park: OnPark,
    ) -> Answer<Vec<AttemptRecord>> {
        for rec in &records {
            let parked = {
                let mut rows = self.rows();
                let Some(row) = rows.iter_mut().find(|r| r.id == rec.delivery_id) else {
                    continue;
                };
                match rec.next {
                    NextStep::Done => row.state = DELIVERED,
                    NextStep::RetryAt(t) => (row.attempts, row.next_at) = (row.attempts + 1, t),
                    NextStep::Defer(t) => row.next_at = t,
                    NextStep::Park => (row.attempts, row.state) = (row.attempts + 1, PARKED),
                }
                rec.next == NextStep::Park
            };
            if parked {
                self.set_queued(if on_park == OnPark::Hold {
                    HELD
                } else {
                    PARKED
                });
            }
        }
        Ok(records)
    }
}

impl Mem {
    fn set_queued(&self, state: u8) -> usize {
        let mut rows = self.rows();
        let queued = rows.iter_mut().filter(|r| r.state == QUEUED);
        queued.map(|r| r.state = state).count()
    }
}

fn queued(id: i64, attempts: u32) -> Queued {
    let event = StoredEvent {
        id,
        network: "local".into(),
        chain_id: 31337,
        block_number: id as u64,
        listener: "t".into(),
        listeners: vec!["t".into()],
        status: EventStatus::Confirmed,
        ..fixtures::stored("Transfer", "Transfer(address,address,uint256)")
    };
    Queued {
        attempts,
        ..fixtures::queued(id, EventStatus::Confirmed, event)
    }
}

/// A receiver that refuses the messages in `refused` and notes what it got.
#[derive(Default)]
struct Receiver {
    refused: Vec<i64>,
    got: Mutex<Vec<i64>>,
}

impl Sink for Receiver {
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for q in batch {
                self.got
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(q.id);
                let ok = !self.refused.contains(&q.id);
                out.push(Outcome {
                    ok,
                    code: Some(if ok { 200 } else { 500 }),
                    latency: Duration::ZERO,
                    error: (!ok).then(|| "HTTP 500".into()),
                    defer: None,
                });
                if !ok {
                    break;
                }
            }
            out
        })
    }

    fn takes_history(&self) -> bool {
        true
    }
}

fn target(receiver: Arc<Receiver>, on_park: OnPark) -> Target {
    Target {
        key: TargetKey::Webhook("ops".into()),
        sink: receiver,
        retry: RetryPolicy {
            max_attempts: 2,
            initial: Duration::from_millis(1),
            max: Duration::from_millis(1),
            on_park,
        },
    }
}

/// Rounds until nothing is due for a while.
async fn work(target: &Target, store: &Mem) {
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    for _ in 0..50 {
        if let Ok(Some(wait)) = round(target, store, None, &stop).await {
            if wait >= Duration::from_millis(500) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
}

#[tokio::test]
async fn a_lane_goes_in_order_and_a_park_holds_what_comes_behind() {
    let receiver = Arc::new(Receiver {
        refused: vec![2],
        ..Receiver::default()
    });
    let store = Mem::with(&[1, 2, 3, 4]);
    work(&target(receiver.clone(), OnPark::Hold), &store).await;
    let got = receiver.got.lock().map(|g| g.clone()).unwrap_or_default();
    assert_eq!(
        got,
        vec![1, 2, 2],
        "1 once, 2 tried twice, nothing after it"
    );
    assert_eq!(
        store.states(),
        vec![(1, DELIVERED), (2, PARKED), (3, HELD), (4, HELD)]
    );
    // A message queued after the park waits behind it too.
    store.rows().push(Row {
        id: 5,
        state: QUEUED,
        attempts: 0,
        next_at: 0,
    });
    work(&target(receiver.clone(), OnPark::Hold), &store).await;
    assert_eq!(store.states().last(), Some(&(5, HELD)));
    assert_eq!(receiver.got.lock().map(|g| g.len()).unwrap_or(0), 3);
}

#[tokio::test]
async fn skip_parks_the_queue_with_it_and_lets_later_messages_go() {
    let receiver = Arc::new(Receiver {
        refused: vec![2],
        ..Receiver::default()
    });
    let store = Mem::with(&[1, 2, 3]);
    let skip = target(receiver.clone(), OnPark::Skip);
    work(&skip, &store).await;
    assert_eq!(
        store.states(),
        vec![(1, DELIVERED), (2, PARKED), (3, PARKED)]
    );
    store.rows().push(Row {
        id: 4,
        state: QUEUED,
        attempts: 0,
        next_at: 0,
    });
    work(&skip, &store).await;
    assert_eq!(store.states().last(), Some(&(4, DELIVERED)));
}

/// Holds everything back for the burst limit while `full`, then takes it all.
struct Limited {
    full: std::sync::atomic::AtomicBool,
}

impl Sink for Limited {
    fn send<'a>(&'a self, batch: &'a [Queued]) -> BoxFuture<'a, Vec<Outcome>> {
        Box::pin(async move {
            if self.full.load(std::sync::atomic::Ordering::SeqCst) {
                return vec![Outcome::deferred(Defer {
                    wait: Duration::from_millis(1),
                    reason: HoldReason::BurstLimit {
                        burst: 3,
                        seconds: 60,
                    },
                    until: Duration::from_secs(40),
                })];
            }
            batch
                .iter()
                .map(|_| Outcome {
                    ok: true,
                    code: None,
                    latency: Duration::ZERO,
                    error: None,
                    defer: None,
                })
                .collect()
        })
    }

    fn takes_history(&self) -> bool {
        false
    }
}

#[tokio::test]
async fn the_status_board_says_why_messages_are_held_back_and_until_when() {
    let sink = Arc::new(Limited { full: true.into() });
    let target = Target {
        key: TargetKey::Desktop,
        sink: sink.clone(),
        retry: RetryPolicy::default(),
    };
    let hub = Hub::new("mem".into());
    hub.update(|b| {
        b.targets.push(TargetStatus {
            target: target.key.to_string(),
            ..TargetStatus::default()
        })
    });
    let store = Mem::with(&[1, 2, 3]);
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let before = now_ms();
    round(&target, &store, Some(&hub), &stop).await.unwrap();
    let status = hub.status().targets[0].clone();
    assert_eq!(status.queued, 3);
    let held = status.held_back.expect("held back");
    assert_eq!(
        held.reason,
        HoldReason::BurstLimit {
            burst: 3,
            seconds: 60
        }
    );
    assert!(
        (before + 40_000..=now_ms() + 40_000).contains(&held.until_ms),
        "in 40 s: {held:?}"
    );

    // Room again: they go out, and nothing is held back any more.
    sink.full.store(false, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(5)).await;
    round(&target, &store, Some(&hub), &stop).await.unwrap();
    let status = hub.status().targets[0].clone();
    assert_eq!((status.queued, status.held_back), (0, None));
    assert_eq!(
        store.states(),
        vec![(1, DELIVERED), (2, DELIVERED), (3, DELIVERED)]
    );
}

//! One target's worker: sends each due lane's batch in order, records what became of each
//! attempt, holds the lanes behind a park, and keeps the status board's counts.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{OnPark, Outcome, Target, BATCH};
use crate::hub::Hub;
use crate::status::HeldBack;
use crate::store::{now_ms, AttemptRecord, NextStep, OutboxStore, Queued, StoreError};

/// Runs until told to stop, sending whenever woken or a retry is due.
pub(super) async fn run_worker<S: OutboxStore>(
    target: Target,
    store: S,
    hub: Option<Arc<Hub>>,
    mut wake: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    if let Err(e) = start_worker(&target, &store, hub.as_deref()).await {
        tracing::error!(target = %target.key, error = %e, "cannot read or release held deliveries");
    }
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match round(&target, &store, hub.as_deref(), &stop).await {
            Ok(None) => continue,
            Ok(Some(wait)) => wait,
            Err(e) => {
                tracing::error!(target = %target.key, error = %e, "cannot read or record deliveries; retrying");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.changed() => {}
            _ = stop.changed() => {}
        }
    }
}

/// Before the first round: a target that no longer holds order lets its held messages go
/// on, and what waits from earlier runs (parked, held) shows on the status board.
async fn start_worker<S: OutboxStore>(
    target: &Target,
    store: &S,
    hub: Option<&Hub>,
) -> Result<(), StoreError> {
    if target.retry.on_park == OnPark::Skip {
        let n = store.release_held(target.key.to_string()).await?;
        if n > 0 {
            tracing::info!(target = %target.key, released = n, "held deliveries go on (on_park = \"skip\")");
        }
    }
    if let Some(hub) = hub {
        report(hub, target, store, &[], &[]).await?;
    }
    Ok(())
}

/// Sends one batch from every due lane. Returns how long to wait when nothing was due.
async fn round<S: OutboxStore>(
    target: &Target,
    store: &S,
    hub: Option<&Hub>,
    stop: &watch::Receiver<bool>,
) -> Result<Option<Duration>, StoreError> {
    let key = target.key.to_string();
    let lanes = store.lanes(key.clone()).await?;
    let now = now_ms();
    let mut next_due: Option<i64> = None;
    let mut sent = false;
    let mut held = 0;
    for lane in lanes {
        if *stop.borrow() {
            return Ok(None);
        }
        if lane.behind_parked && target.retry.on_park == OnPark::Hold {
            // Queued after a park: they wait behind it for a redelivery.
            held += store.hold_lane(key.clone(), lane.listener_id).await?;
            continue;
        }
        if lane.next_at > now {
            next_due = Some(next_due.map_or(lane.next_at, |t| t.min(lane.next_at)));
            continue;
        }
        let batch = store
            .lane_batch(key.clone(), lane.listener_id, BATCH)
            .await?;
        if batch.is_empty() {
            continue;
        }
        let outcomes = target.sink.send(&batch).await;
        let records: Vec<AttemptRecord> = batch
            .iter()
            .zip(&outcomes)
            .map(|(q, o)| decide(target, q, o))
            .collect();
        let records = store.record_attempts(records, target.retry.on_park).await?;
        sent |= !records.is_empty();
        if let Some(hub) = hub {
            report(hub, target, store, &records, &outcomes).await?;
        }
    }
    if held > 0 {
        if let Some(hub) = hub {
            report(hub, target, store, &[], &[]).await?;
        }
    }
    if sent {
        return Ok(None);
    }
    let wait = next_due.map_or(1000, |t| (t - now).clamp(5, 1000));
    Ok(Some(Duration::from_millis(wait as u64)))
}

/// Puts the target's queue and last outcome on the status board, and whether it holds
/// messages back on purpose (why, until when): a batch's deferral says so, a delivery or a
/// failure ends it, and with nothing queued nothing is held back.
async fn report<S: OutboxStore>(
    hub: &Hub,
    target: &Target,
    store: &S,
    records: &[AttemptRecord],
    outcomes: &[Outcome],
) -> Result<(), StoreError> {
    let (queued, parked, held) = store.target_counts(target.key.to_string()).await?;
    let last = records
        .iter()
        .rev()
        .find(|r| !matches!(r.next, NextStep::Defer(_)));
    let held_back = outcomes
        .iter()
        .find_map(|o| o.defer.as_ref())
        .map(|d| HeldBack {
            reason: d.reason.clone(),
            until_ms: now_ms() + d.until.as_millis() as i64,
        });
    hub.update(|b| {
        if let Some(s) = b.targets.iter_mut().find(|s| s.target == target.key) {
            s.queued = queued;
            s.parked = parked;
            s.held = held;
            if let Some(r) = last {
                if r.ok {
                    s.last_error = None;
                    s.last_ok_ms = Some(r.at_ms);
                } else {
                    s.last_error = r.error.clone();
                }
            }
            if held_back.is_some() {
                s.held_back = held_back;
            } else if last.is_some() || queued == 0 {
                s.held_back = None;
            }
        }
    });
    Ok(())
}

/// Records an outcome and decides what follows: done, retry later, or park.
fn decide(target: &Target, q: &Queued, o: &Outcome) -> AttemptRecord {
    let at_ms = now_ms();
    let attempt = q.attempts + 1;
    let next = if let Some(d) = &o.defer {
        NextStep::Defer(at_ms + d.wait.as_millis() as i64)
    } else if o.ok {
        NextStep::Done
    } else if attempt >= target.retry.max_attempts {
        NextStep::Park
    } else {
        let wait = target.retry.backoff(
            attempt,
            (q.id as u64).wrapping_mul(2654435761) ^ at_ms as u64,
        );
        NextStep::RetryAt(at_ms + wait.as_millis() as i64)
    };
    let latency_ms = o.latency.as_millis() as i64;
    match next {
        NextStep::Defer(t) => {
            tracing::debug!(target = %target.key, delivery = q.id, wait_ms = t - at_ms, "deferred by the target")
        }
        NextStep::Done => {
            tracing::debug!(target = %target.key, delivery = q.id, attempt, code = ?o.code, latency_ms, "delivered")
        }
        NextStep::RetryAt(t) => {
            tracing::warn!(target = %target.key, delivery = q.id, attempt, code = ?o.code, latency_ms, error = ?o.error, retry_in_ms = t - at_ms, "delivery failed")
        }
        NextStep::Park => {
            tracing::error!(target = %target.key, delivery = q.id, attempt, code = ?o.code, latency_ms, error = ?o.error, "delivery parked after its last attempt")
        }
    }
    AttemptRecord {
        delivery_id: q.id,
        at_ms,
        ok: o.ok,
        code: o.code,
        latency_ms,
        error: o.error.clone(),
        next,
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;

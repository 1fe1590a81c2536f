//! Order after a park, on real SQLite files: held messages, their redelivery in order, a
//! reorg that drops the parked message, and the outbox queries' plans on a long queue.

use super::tests::{attempt, commit, event, outbox, routed_to_a};
use super::*;
use crate::event::EventStatus;

/// (block, announced status, state) of every delivery, oldest first.
fn lane(store: &Store) -> Vec<(u64, EventStatus, DeliveryState)> {
    let mut rows: Vec<_> = store
        .deliveries(None, 100)
        .expect("deliveries")
        .into_iter()
        .map(|d| (d.block_number, d.status, d.state))
        .collect();
    rows.reverse();
    rows
}

/// Parks the head of lane `l` of `webhook:a` after its attempts.
fn park_head(store: &mut Store, l: i64, on_park: OnPark) {
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    store
        .record_attempts(&[attempt(batch[0].id, NextStep::Park)], on_park)
        .expect("record");
}

#[test]
fn a_park_holds_its_lane_until_a_redelivery_sends_everything_in_order() {
    let (_d, mut store, net, l, _c) = routed_to_a(&[12, 13]);
    park_head(&mut store, l, OnPark::Hold);
    use DeliveryState::{Held, Parked, Queued};
    use EventStatus::Pending;
    assert_eq!(
        lane(&store),
        vec![(12, Pending, Parked), (13, Pending, Held)]
    );
    assert!(store.lanes("webhook:a").expect("lanes").is_empty());

    // A message queued after the park: its lane says a parked message holds it.
    let later = Commit {
        routed: vec![l],
        ..commit(net, (21, 30), vec![l], vec![event(25, 0, 25, vec![l])])
    };
    store.commit(&later).expect("commit");
    let lanes = store.lanes("webhook:a").expect("lanes");
    assert_eq!(lanes.len(), 1);
    assert!(lanes[0].behind_parked);
    assert_eq!(store.hold_lane("webhook:a", l).expect("hold"), 1);
    assert_eq!(store.target_counts("webhook:a").expect("counts"), (0, 1, 2));
    let waiting = store.waiting_deliveries(10).expect("waiting");
    let shown: Vec<(u64, DeliveryState, u64)> = waiting
        .iter()
        .map(|d| (d.block_number, d.state, d.parked_ahead))
        .collect();
    assert_eq!(shown, vec![(25, Held, 1), (13, Held, 1), (12, Parked, 0)]);

    // The redelivery queues all three; the lane sends the parked one first.
    assert_eq!(store.requeue_parked(None).expect("requeue"), 3);
    assert_eq!(
        lane(&store),
        vec![
            (12, Pending, Queued),
            (13, Pending, Queued),
            (25, Pending, Queued)
        ]
    );
    let lanes = store.lanes("webhook:a").expect("lanes");
    assert!(!lanes[0].behind_parked);
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    let blocks: Vec<u64> = batch.iter().map(|q| q.event.block_number).collect();
    assert_eq!(blocks, vec![12, 13, 25]);
    assert_eq!(store.hold_lane("webhook:a", l).expect("hold"), 0);
}

#[test]
fn with_skip_the_queued_rest_is_parked_and_later_messages_are_not_held() {
    let (_d, mut store, net, l, _c) = routed_to_a(&[12, 13]);
    park_head(&mut store, l, OnPark::Skip);
    let later = Commit {
        routed: vec![l],
        ..commit(net, (21, 30), vec![l], vec![event(25, 0, 25, vec![l])])
    };
    store.commit(&later).expect("commit");
    use DeliveryState::{Parked, Queued};
    use EventStatus::Pending;
    assert_eq!(
        lane(&store),
        vec![
            (12, Pending, Parked),
            (13, Pending, Parked),
            (25, Pending, Queued)
        ]
    );
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    assert_eq!(batch.len(), 1, "the later message goes on");
}

#[test]
fn held_messages_go_on_when_a_target_switches_to_skip() {
    let (_d, mut store, _net, l, _c) = routed_to_a(&[12, 13, 14]);
    park_head(&mut store, l, OnPark::Hold);
    assert_eq!(store.release_held("webhook:a").expect("release"), 2);
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    let blocks: Vec<u64> = batch.iter().map(|q| q.event.block_number).collect();
    assert_eq!(blocks, vec![13, 14]);
}

#[test]
fn an_unreadable_message_parks_without_holding_its_lane() {
    let (_d, store, _net, l, _c) = routed_to_a(&[12, 13]);
    store
        .conn
        .execute("UPDATE events SET data = x'01' WHERE block_number = 12", [])
        .expect("damage");
    assert_eq!(
        store.lane_batch("webhook:a", l, 10).expect("batch").len(),
        1
    );
    let lanes = store.lanes("webhook:a").expect("lanes");
    assert!(!lanes[0].behind_parked, "it was never tried: {lanes:?}");
    assert_eq!(store.hold_lane("webhook:a", l).expect("hold"), 0);
}

#[test]
fn a_reorg_that_drops_the_parked_message_lets_the_held_ones_go() {
    // Block 15's message is parked; then block 12 is stored (a slower chunk), and its
    // message is held behind the parked one.
    let (_d, mut store, net, l, _c) = routed_to_a(&[15]);
    park_head(&mut store, l, OnPark::Hold);
    let late = Commit {
        routed: vec![l],
        ..commit(net, (11, 12), vec![l], vec![event(12, 0, 12, vec![l])])
    };
    store.commit(&late).expect("commit");
    assert_eq!(store.hold_lane("webhook:a", l).expect("hold"), 1);

    // A reorg removes block 15: its parked message is dropped (and retracted, since the
    // receiver may have kept it); block 12's message goes, then the retraction.
    store.rollback_to(net, 13).expect("rollback");
    use DeliveryState::{Dropped, Queued};
    use EventStatus::{Pending, Removed};
    assert_eq!(
        lane(&store),
        vec![
            (15, Pending, Dropped),
            (12, Pending, Queued),
            (15, Removed, Queued),
        ]
    );
    let lanes = store.lanes("webhook:a").expect("lanes");
    assert!(!lanes[0].behind_parked, "{lanes:?}");
    assert!(store.waiting_deliveries(10).expect("waiting").is_empty());
    assert_eq!(outbox(&store).len(), 3);
}

#[test]
fn a_held_message_whose_event_a_reorg_removes_is_dropped_unsent() {
    let (_d, mut store, net, l, _c) = routed_to_a(&[12, 13]);
    park_head(&mut store, l, OnPark::Hold);
    store.rollback_to(net, 10).expect("rollback");
    use DeliveryState::{Dropped, Queued};
    use EventStatus::{Pending, Removed};
    assert_eq!(
        lane(&store),
        vec![
            (12, Pending, Dropped),
            (13, Pending, Dropped),
            (12, Removed, Queued)
        ],
        "only the message that was tried is retracted"
    );
}

/// The detail lines of `EXPLAIN QUERY PLAN sql`.
fn plan(store: &Store, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
    let mut stmt = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .expect("explain");
    let rows = stmt
        .query_map(params, |r| r.get::<_, String>(3))
        .expect("plan");
    rows.collect::<Result<_, _>>().expect("plan rows")
}

#[test]
fn the_outbox_queries_use_indexes_on_a_long_queue() {
    let (_d, store, _net, l, _c) = routed_to_a(&[12]);
    // 100k queued messages in one lane, 1k parked in another.
    store
        .conn
        .execute_batch(&format!(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)
             INSERT INTO deliveries (target, listener_id, event_id, status, created_at)
             SELECT 'webhook:a', {l}, (SELECT min(id) FROM events), 0, 0 FROM c;
             WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
             INSERT INTO deliveries (target, listener_id, event_id, status, state, attempts, created_at)
             SELECT 'webhook:a', {l} + 1, (SELECT min(id) FROM events), 0, 2, 3, 0 FROM c;"
        ))
        .expect("fill");
    let full_scan = |p: &[String]| {
        p.iter()
            .any(|d| d.starts_with("SCAN") && !d.contains("USING"))
    };
    let batch = plan(
        &store,
        &outbox::lane_batch_sql(),
        rusqlite::params!["webhook:a", l, 200],
    );
    assert!(
        batch
            .iter()
            .any(|d| d.starts_with("SEARCH d USING") && d.contains("deliveries_queue")),
        "{batch:?}"
    );
    assert!(!full_scan(&batch), "{batch:?}");
    // Whether a lane is held is one probe of the small index of parked lanes.
    for (sql, lines) in [
        (outbox::LANES, plan(&store, outbox::LANES, ["webhook:a"])),
        (
            hold::HOLD_LANE,
            plan(&store, hold::HOLD_LANE, rusqlite::params!["webhook:a", l]),
        ),
    ] {
        assert!(!full_scan(&lines), "{sql}: {lines:?}");
        assert!(
            lines.iter().any(|d| d.contains("deliveries_parked")),
            "{sql}: {lines:?}"
        );
    }
    let rest = plan(&store, hold::HOLD_REST, [1]);
    assert!(!full_scan(&rest), "{rest:?}");
    assert_eq!(
        store.lane_batch("webhook:a", l, 200).expect("batch").len(),
        200
    );
    assert_eq!(store.lanes("webhook:a").expect("lanes").len(), 1);
}

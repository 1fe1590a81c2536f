//! Store tests on real SQLite files.

use alloy_primitives::{Address, B256, U256};

use super::*;
use crate::event::EventStatus;

pub(super) fn event(block: u64, log_index: u64, hash: u8, listeners: Vec<i64>) -> NewEvent {
    NewEvent {
        block_number: block,
        block_hash: B256::repeat_byte(hash),
        block_time: Some(1_700_000_000 + block as i64),
        tx_hash: B256::repeat_byte(0xee),
        log_index,
        contract: Address::repeat_byte(0x11),
        amount: Some(U256::from(5)),
        status: EventStatus::Pending,
        listeners,
        ..transfer_log(0x0a, 0x0b, 5)
    }
}

/// The ERC-20 `Transfer` definition, shared like the matcher shares it.
fn transfer_def() -> std::sync::Arc<crate::abi::EventDef> {
    use std::sync::{Arc, OnceLock};
    static DEF: OnceLock<Arc<crate::abi::EventDef>> = OnceLock::new();
    DEF.get_or_init(|| {
        let defs = crate::abi::resolve_event_spec(
            "event Transfer(address indexed from, address indexed to, uint256 value)",
        )
        .expect("Transfer");
        Arc::new(defs[0].clone())
    })
    .clone()
}

/// A log of a transfer from `from` to `to` of `value`, both addresses as indexed topics.
fn transfer_log(from: u8, to: u8, value: u64) -> NewEvent {
    let def = transfer_def();
    let topic = |b: u8| B256::left_padding_from(Address::repeat_byte(b).as_slice());
    NewEvent {
        block_number: 0,
        block_hash: B256::ZERO,
        block_time: None,
        tx_hash: B256::ZERO,
        log_index: 0,
        contract: Address::ZERO,
        topics: vec![def.topic0, topic(from), topic(to)],
        data: U256::from(value).to_be_bytes::<32>().to_vec(),
        def,
        amount: Some(U256::from(value)),
        status: EventStatus::Pending,
        listeners: Vec::new(),
    }
}

/// A commit of `events` covering blocks `from..=to` for `listeners`.
pub(super) fn commit(
    network_id: i64,
    (from_block, to_block): (u64, u64),
    listeners: Vec<i64>,
    events: Vec<NewEvent>,
) -> Commit {
    Commit {
        network_id,
        from_block,
        to_block,
        listeners,
        events,
        ..Commit::default()
    }
}

pub(super) fn setup() -> (tempfile::TempDir, Store, i64, i64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("t.db")).expect("open");
    let net = store.upsert_network("local", 31337).expect("network");
    let l = store
        .upsert_listener("l", net, "h", 0, 10)
        .expect("listener")
        .id;
    (dir, store, net, l)
}

/// [`setup`] with the listener routed to `webhook:a`, and its events in `blocks` (one each)
/// committed: the commit is returned to be committed again (the blocks back after a reorg).
pub(super) fn routed_to_a(blocks: &[u64]) -> (tempfile::TempDir, Store, i64, i64, Commit) {
    let (dir, mut store, net, l) = setup();
    store
        .set_routes(l, &[("webhook:a".into(), true)])
        .expect("routes");
    let events = blocks
        .iter()
        .map(|b| event(*b, 0, *b as u8, vec![l]))
        .collect();
    let c = Commit {
        routed: vec![l],
        ..commit(net, (0, 20), vec![l], events)
    };
    store.commit(&c).expect("commit");
    (dir, store, net, l, c)
}

#[test]
fn a_log_is_stored_once_and_coverage_merges() {
    let (_d, mut store, net, l) = setup();
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![event(5, 0, 5, vec![l]), event(5, 1, 5, vec![l])],
    );
    let first = store.commit(&c).expect("commit");
    assert_eq!(first.fresh.len(), 2);
    assert_eq!((first.inserted, first.matched.get(&l)), (2, Some(&2)));
    // The same range again (a resume after a crash) adds nothing.
    assert_eq!(store.commit(&c).expect("commit"), Default::default());
    assert_eq!(store.event_count().expect("count"), 2);
    let c2 = Commit {
        from_block: 10,
        to_block: 20,
        events: vec![],
        ..c
    };
    store.commit(&c2).expect("commit");
    assert_eq!(store.coverage(l).expect("coverage"), vec![(0, 20)]);
    assert_eq!(store.covered_to(l, 0).expect("covered"), Some(20));
}

#[test]
fn appended_and_checked_commits_store_the_same_rows() {
    // Forty events over twenty blocks (two full multi-row groups and a rest), every other
    // one matched by a second listener too.
    let events = |from: u64| -> Vec<NewEvent> {
        (0..40u64)
            .map(|i| {
                let mut e = event(from + i / 2, i % 2, (from + i / 2) as u8, vec![1]);
                if i % 2 == 1 {
                    e.listeners.push(2);
                }
                e.amount = Some(U256::from(1000 + i));
                e
            })
            .collect()
    };
    let rows = |store: &Store| -> Vec<(i64, i64, i64, String, String)> {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT e.block_number, e.log_index, e.status, e.amount,
                        concat_ws(',', e.listener_id, (SELECT group_concat(a.listener_id) FROM also_matched a WHERE a.event_id = e.id))
                 FROM events e ORDER BY e.id",
            )
            .expect("query");
        let got = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows");
        got
    };
    let mut stored = Vec::new();
    for appended in [true, false] {
        let (_d, mut store, net, l) = setup();
        let l2 = store
            .upsert_listener("l2", net, "h2", 0, 10)
            .expect("listener")
            .id;
        assert_eq!((l, l2), (1, 2));
        if !appended {
            // A stored event above the range sends the commit down the checked path.
            let above = commit(net, (500, 500), vec![l], vec![event(500, 0, 0xfe, vec![l])]);
            store.commit(&above).expect("commit");
        }
        let c = commit(net, (100, 119), vec![l, l2], events(100));
        let done = store.commit(&c).expect("commit");
        assert_eq!(done.inserted, 40);
        assert_eq!((done.matched[&l], done.matched[&l2]), (40, 20));
        // The ids handed back are the stored rows', in order.
        let back: Vec<(u64, u64)> = store
            .events_by_ids(&done.fresh)
            .expect("by ids")
            .iter()
            .filter(|e| e.listener == "l")
            .map(|e| (e.block_number, e.log_index))
            .collect();
        let sent: Vec<(u64, u64)> = c
            .events
            .iter()
            .map(|e| (e.block_number, e.log_index))
            .collect();
        assert_eq!(back, sent);
        let mut got = rows(&store);
        got.retain(|r| r.0 != 500);
        stored.push(got);
    }
    assert_eq!(stored[0].len(), 40);
    assert_eq!(
        stored[0], stored[1],
        "both paths store the same rows and matches"
    );
}

#[test]
fn rollback_marks_removed_and_truncates_coverage() {
    let (_d, mut store, net, l) = setup();
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![event(3, 0, 3, vec![l]), event(8, 0, 8, vec![l])],
    );
    store.commit(&c).expect("commit");
    let removed = store.rollback_to(net, 5).expect("rollback");
    assert_eq!(removed.len(), 1);
    assert_eq!(store.covered_to(l, 0).expect("covered"), Some(5));
    let confirmed = store.confirm_up_to(net, 9).expect("confirm");
    assert_eq!(confirmed.len(), 1, "removed events are not confirmed");
    let statuses: Vec<EventStatus> = store
        .recent_events(10)
        .expect("recent")
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, vec![EventStatus::Removed, EventStatus::Confirmed]);
}

#[test]
fn the_detail_tells_each_status_an_event_took_in_order() {
    let (_d, mut store, net, l) = setup();
    let c = commit(net, (0, 9), vec![l], vec![event(8, 0, 8, vec![l])]);
    let before = now_ms();
    let id = store.commit(&c).expect("commit").fresh[0];
    store.confirm_up_to(net, 9).expect("confirm");
    store.rollback_to(net, 5).expect("rollback");
    // The block comes back: stored again as confirmed.
    let mut again = event(8, 0, 8, vec![l]);
    again.status = EventStatus::Confirmed;
    store
        .commit(&Commit {
            events: vec![again],
            ..c
        })
        .expect("commit");
    let history = store
        .event_detail(id)
        .expect("detail")
        .expect("found")
        .status_history;
    let statuses: Vec<EventStatus> = history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        vec![
            EventStatus::Pending,
            EventStatus::Confirmed,
            EventStatus::Removed,
            EventStatus::Confirmed
        ]
    );
    let times: Vec<i64> = history.iter().map(|h| h.at_ms.expect("a time")).collect();
    assert!(
        times[0] >= before && times.windows(2).all(|w| w[0] <= w[1]),
        "{times:?}"
    );
}

#[test]
fn a_second_writer_is_refused() {
    let (d, _store, _, _) = setup();
    match Store::open(&d.path().join("t.db")) {
        Err(StoreError::Locked { .. }) => {}
        other => panic!("expected Locked, got {:?}", other.map(|_| ())),
    }
    assert!(
        Store::open_reader(&d.path().join("t.db")).is_ok(),
        "readers are welcome"
    );
}

#[test]
fn changing_a_listener_resets_its_coverage_only() {
    let (_d, mut store, net, l) = setup();
    let c = commit(net, (0, 9), vec![l], vec![event(1, 0, 1, vec![l])]);
    store.commit(&c).expect("commit");
    let again = store.upsert_listener("l", net, "h", 0, 50).expect("same");
    assert_eq!(again.id, l);
    assert_eq!(store.covered_to(l, 0).expect("covered"), Some(9));
    store
        .upsert_listener("l", net, "other", 0, 50)
        .expect("changed");
    assert_eq!(store.covered_to(l, 0).expect("covered"), None);
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .expect("rows");
    assert_eq!(rows, 1, "stored events stay");
    assert_eq!(
        store.event_count().expect("count"),
        0,
        "out of History until the listener matches them again"
    );
    store.commit(&c).expect("matched again");
    assert_eq!(store.event_count().expect("count"), 1);
    let page = store
        .history_page(&EventFilter::default(), HistorySort::Newest, 0, 5)
        .expect("page");
    assert_eq!(page[0].listeners, ["l"]);
}

#[test]
fn a_network_cannot_change_chain() {
    let (_d, store, _, _) = setup();
    let err = store
        .upsert_network("local", 1)
        .expect_err("chain id changed");
    assert!(err.to_string().contains("chain id 31337"), "{err}");
}

/// (target, status, state) of every delivery, oldest first.
pub(super) fn outbox(store: &Store) -> Vec<(String, EventStatus, DeliveryState)> {
    let mut rows: Vec<_> = store
        .deliveries(None, 100)
        .expect("deliveries")
        .into_iter()
        .map(|d| (d.target, d.status, d.state))
        .collect();
    rows.reverse();
    rows
}

pub(super) fn attempt(id: i64, next: NextStep) -> AttemptRecord {
    AttemptRecord {
        delivery_id: id,
        at_ms: 1,
        ok: next == NextStep::Done,
        code: None,
        latency_ms: 0,
        error: None,
        next,
    }
}

#[test]
fn a_reorg_retracts_what_may_have_been_announced_and_drops_what_never_was() {
    let (_d, mut store, net, l) = setup();
    store
        .set_routes(l, &[("webhook:a".into(), true), ("webhook:b".into(), true)])
        .expect("routes");
    let c = Commit {
        routed: vec![l],
        ..commit(net, (0, 20), vec![l], vec![event(15, 0, 5, vec![l])])
    };
    store.commit(&c).expect("commit");
    let queued = store.deliveries(None, 10).expect("deliveries");
    assert!(queued.iter().all(|d| d.event == "Transfer"), "{queued:?}");
    let ids: Vec<i64> = queued.iter().map(|d| d.id).collect();
    // Target b delivered it; target a parked it after an attempt (its receiver may have
    // kept it and answered too late).
    let (b, a) = (ids[0], ids[1]);
    store
        .record_attempts(
            &[attempt(b, NextStep::Done), attempt(a, NextStep::Park)],
            OnPark::Hold,
        )
        .expect("record");
    let attempts = store.recent_attempts(10).expect("attempts");
    assert!(
        attempts.iter().all(|a| a.event == "Transfer"),
        "{attempts:?}"
    );
    store.rollback_to(net, 10).expect("rollback");
    let rows = outbox(&store);
    assert_eq!(
        rows,
        vec![
            (
                "webhook:a".into(),
                EventStatus::Pending,
                DeliveryState::Dropped
            ),
            (
                "webhook:b".into(),
                EventStatus::Pending,
                DeliveryState::Delivered
            ),
            (
                "webhook:a".into(),
                EventStatus::Removed,
                DeliveryState::Queued
            ),
            (
                "webhook:b".into(),
                EventStatus::Removed,
                DeliveryState::Queued
            ),
        ],
        "a retraction wherever the event may have been announced"
    );
    assert_eq!(
        store.requeue_parked(None).expect("requeue"),
        0,
        "a dropped one stays"
    );
    // The block comes back: both targets hear of the event again.
    store.commit(&c).expect("the block again");
    let rows = outbox(&store);
    assert_eq!(
        rows[4..].to_vec(),
        vec![
            (
                "webhook:a".into(),
                EventStatus::Pending,
                DeliveryState::Queued
            ),
            (
                "webhook:b".into(),
                EventStatus::Pending,
                DeliveryState::Queued
            ),
        ],
        "{rows:?}"
    );
}

#[test]
fn a_message_whose_event_cannot_be_read_is_parked_and_the_lane_goes_on() {
    let (_d, store, _net, l, _c) = routed_to_a(&[12, 13, 14]);
    // Damage the middle event's row: its data is too short for the `uint256` it holds.
    store
        .conn
        .execute("UPDATE events SET data = x'01' WHERE block_number = 13", [])
        .expect("damage");
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    let blocks: Vec<u64> = batch.iter().map(|q| q.event.block_number).collect();
    assert_eq!(blocks, vec![12, 14], "the readable messages still go");
    let parked = store
        .deliveries(None, 10)
        .expect("deliveries")
        .into_iter()
        .filter(|d| d.state == DeliveryState::Parked)
        .collect::<Vec<_>>();
    assert_eq!(parked.len(), 1, "{parked:?}");
    let reason = parked[0].last_error.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("the stored event cannot be read: "),
        "{reason}"
    );
    // The next batch does not meet it again.
    assert_eq!(
        store.lane_batch("webhook:a", l, 10).expect("batch").len(),
        2
    );
}

#[test]
fn an_event_back_after_a_reorg_is_announced_where_its_message_had_been_dropped() {
    let (_d, mut store, net, l, c) = routed_to_a(&[12, 13]);
    // The first message is parked after an attempt; the second, behind it in its lane, is
    // held untried. A reorg drops both, and retracts the first.
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    store
        .record_attempts(&[attempt(batch[0].id, NextStep::Park)], OnPark::Hold)
        .expect("record");
    store.rollback_to(net, 10).expect("rollback");
    // Both blocks come back: both events are announced again.
    store.commit(&c).expect("the blocks again");
    let queued: Vec<(EventStatus, DeliveryState)> = outbox(&store)
        .into_iter()
        .filter(|(_, _, state)| *state == DeliveryState::Queued)
        .map(|(_, status, state)| (status, state))
        .collect();
    assert_eq!(
        queued,
        vec![
            (EventStatus::Removed, DeliveryState::Queued),
            (EventStatus::Pending, DeliveryState::Queued),
            (EventStatus::Pending, DeliveryState::Queued),
        ],
        "the first event's retraction, then both events again"
    );
}

#[test]
fn a_parked_retraction_of_an_event_that_came_back_is_not_sent_after_it() {
    let (_d, mut store, net, l, c) = routed_to_a(&[15]);
    let done = |store: &mut Store, next: NextStep| {
        let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
        store
            .record_attempts(&[attempt(batch[0].id, next)], OnPark::Hold)
            .expect("record");
    };
    // Announced; removed by a reorg (the retraction is parked); back, and announced again.
    done(&mut store, NextStep::Done);
    store.rollback_to(net, 10).expect("rollback");
    done(&mut store, NextStep::Park);
    store.commit(&c).expect("the block again");
    done(&mut store, NextStep::Done);
    assert_eq!(store.requeue_parked(None).expect("requeue"), 0);
    assert_eq!(
        outbox(&store),
        vec![
            (
                "webhook:a".into(),
                EventStatus::Pending,
                DeliveryState::Delivered
            ),
            (
                "webhook:a".into(),
                EventStatus::Removed,
                DeliveryState::Dropped
            ),
            (
                "webhook:a".into(),
                EventStatus::Pending,
                DeliveryState::Delivered
            ),
        ],
        "the stale retraction is dropped, not sent after the event's return"
    );
}

#[test]
fn a_parked_message_parks_the_rest_of_its_lane_and_a_rematch_is_not_announced_twice() {
    let (_d, mut store, net, l, c) = routed_to_a(&[12, 13]);
    let first = store.lanes("webhook:a").expect("lanes");
    assert_eq!(first.len(), 1);
    let batch = store.lane_batch("webhook:a", l, 10).expect("batch");
    assert_eq!(batch.len(), 2);
    store
        .record_attempts(&[attempt(batch[0].id, NextStep::Park)], OnPark::Skip)
        .expect("record");
    assert!(
        store.lanes("webhook:a").expect("lanes").is_empty(),
        "both parked"
    );
    assert_eq!(store.requeue_parked(Some("webhook:a")).expect("requeue"), 2);

    // The listener is redefined: its matches go and come back; no second announcement.
    store
        .upsert_listener("l", net, "h2", 0, 30)
        .expect("redefine");
    store.commit(&c).expect("commit again");
    assert_eq!(store.deliveries(None, 10).expect("deliveries").len(), 2);
}

/// A transfer from `from` to `to` of `value`, with both addresses as indexed topics.
pub(super) fn transfer(block: u64, from: u8, to: u8, value: u64, listeners: Vec<i64>) -> NewEvent {
    let log = transfer_log(from, to, value);
    NewEvent {
        topics: log.topics,
        data: log.data,
        tx_hash: B256::repeat_byte(block as u8),
        amount: Some(U256::from(value)),
        ..event(block, 0, block as u8, listeners)
    }
}

#[test]
fn history_filters_sorts_pages_and_counts() {
    let (_d, mut store, net, l) = setup();
    let l2 = store
        .upsert_listener("other", net, "h2", 0, 10)
        .expect("listener")
        .id;
    let events = vec![
        transfer(1, 0xa1, 0xb1, 700, vec![l]),
        transfer(2, 0xa2, 0xb1, 5, vec![l, l2]),
        transfer(3, 0xa1, 0xb2, 90_000, vec![l2]),
    ];
    let c = commit(net, (0, 5), vec![l, l2], events);
    store.commit(&c).expect("commit");
    let all = EventFilter::default();
    assert_eq!(
        store.history_count(&all).expect("count"),
        3,
        "one row per event"
    );
    let newest = store
        .history_page(&all, HistorySort::Newest, 0, 10)
        .expect("page");
    let rows: Vec<(u64, Vec<&str>)> = newest
        .iter()
        .map(|e| {
            (
                e.block_number,
                e.listeners.iter().map(|l| l.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![(3, vec!["other"]), (2, vec!["l", "other"]), (1, vec!["l"])]
    );
    let page2 = store
        .history_page(&all, HistorySort::Oldest, 1, 2)
        .expect("page");
    assert_eq!(
        page2.iter().map(|e| e.block_number).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let of_other = |sort| {
        let f = EventFilter {
            listener: Some("other".into()),
            ..EventFilter::default()
        };
        let n = store.history_count(&f).expect("count");
        let page = store.history_page(&f, sort, 1, 5).expect("page");
        (n, page.iter().map(|e| e.block_number).collect::<Vec<_>>())
    };
    assert_eq!(of_other(HistorySort::Newest), (2, vec![2]), "first or not");
    assert_eq!(of_other(HistorySort::Oldest), (2, vec![3]));
    let by_amount = store
        .history_page(&all, HistorySort::AmountDesc, 0, 1)
        .expect("page");
    assert_eq!(by_amount[0].args["value"], "90000");

    let who = |b: u8| Some(Address::repeat_byte(b).to_string());
    let to_b1 = EventFilter {
        address: who(0xb1),
        ..EventFilter::default()
    };
    assert_eq!(store.history_count(&to_b1).expect("count"), 2);
    let deeper = store
        .history_page(&to_b1, HistorySort::Oldest, 1, 5)
        .expect("page");
    let keys: Vec<(u64, &str)> = deeper
        .iter()
        .map(|e| (e.block_number, e.listener.as_str()))
        .collect();
    assert_eq!(keys, vec![(2, "l")]);
    let newest_deep = store
        .history_page(&all, HistorySort::Newest, 2, 5)
        .expect("page");
    assert_eq!(
        newest_deep
            .iter()
            .map(|e| e.block_number)
            .collect::<Vec<_>>(),
        vec![1]
    );
    let a1_other = EventFilter {
        address: who(0xa1),
        listener: Some("other".into()),
        ..EventFilter::default()
    };
    let rows = store
        .history_page(&a1_other, HistorySort::Newest, 0, 10)
        .expect("page");
    assert_eq!((rows.len(), rows[0].block_number), (1, 3));
    let range = EventFilter {
        from_block: Some(2),
        to_time: Some(1_700_000_002),
        ..EventFilter::default()
    };
    assert_eq!(store.history_count(&range).expect("count"), 1);
    let wrong_contract = EventFilter {
        contract: who(0x99),
        ..EventFilter::default()
    };
    assert_eq!(store.history_count(&wrong_contract).expect("count"), 0);
    let bad = EventFilter {
        address: Some("0x12".into()),
        ..EventFilter::default()
    };
    let err = store.history_count(&bad).expect_err("bad address");
    assert!(err.to_string().contains("address: \"0x12\""), "{err}");
}

#[test]
fn dashboard_buckets_per_listener_and_ranks_addresses() {
    let (_d, mut store, net, l) = setup();
    assert_eq!(store.dashboard(3600, 60).expect("empty").until, None);
    let c = commit(
        net,
        (0, 200),
        vec![l],
        (1..=120)
            .map(|b| transfer(b, 0xa1, if b % 3 == 0 { 0xb2 } else { 0xb1 }, b, vec![l]))
            .collect(),
    );
    store.commit(&c).expect("commit");
    let d = store.dashboard(3600, 60).expect("dashboard");
    assert_eq!(d.until, Some(1_700_000_120));
    let total: u64 = d.series[0].points.iter().map(|p| p.1).sum();
    assert_eq!((d.series[0].listener.as_str(), total), ("l", 120));
    assert_eq!(d.top_contracts[0].count, 120);
    assert_eq!(
        d.top_addresses[0].address,
        Address::repeat_byte(0xa1).to_checksum(None)
    );
    assert_eq!(d.top_addresses[0].count, 120);
    assert_eq!(d.top_addresses[1].count, 80, "b1 receives two of three");
}

#[test]
fn the_dashboard_window_follows_block_times_not_storage_order() {
    let (_d, mut store, net, l) = setup();
    // Today's blocks first; then a listener backfills old blocks, stored after them.
    let live = commit(
        net,
        (1000, 1010),
        vec![l],
        (1000..=1010)
            .map(|b| transfer(b, 0xa1, 0xb1, b, vec![l]))
            .collect(),
    );
    store.commit(&live).expect("live");
    let old = commit(
        net,
        (1, 10),
        vec![l],
        (1..=10)
            .map(|b| transfer(b, 0xa2, 0xb2, b, vec![l]))
            .collect(),
    );
    store.commit(&old).expect("backfill");
    let d = store.dashboard(100, 10).expect("dashboard");
    assert_eq!(
        d.until,
        Some(1_700_001_010),
        "the newest block, not the last stored"
    );
    let total: u64 = d.series.iter().flat_map(|s| &s.points).map(|p| p.1).sum();
    assert_eq!(total, 11, "today's events, none of the backfilled ones");
    assert_eq!(d.top_contracts[0].count, 11);
}

#[test]
fn rows_stored_before_schema_8_read_as_they_were_stored_beside_new_ones() {
    let (_d, mut store, net, l) = setup();
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![
            transfer(1, 0xa1, 0xb1, 700, vec![l]),
            transfer(2, 0xa2, 0xb2, 800, vec![l]),
        ],
    );
    let ids = store.commit(&c).expect("commit").fresh;
    // Event 1 as schema 7 stored it: no definition, the arguments as JSON text.
    store
        .conn
        .execute(
            "UPDATE events SET kind = NULL, event = 'Transfer',
                signature = 'Transfer(address,address,uint256)',
                args = '{\"from\":\"0xOld\",\"to\":\"0xOlder\",\"value\":\"1\"}',
                arg_names = '[\"from\",\"to\",\"value\"]' WHERE id = ?1",
            [ids[0]],
        )
        .expect("old row");
    let events = store.events_by_ids(&ids).expect("read");
    assert_eq!(events[0].args["from"], "0xOld", "old rows keep their text");
    assert_eq!(events[0].signature, "Transfer(address,address,uint256)");
    assert_eq!(
        events[1].args["to"],
        Address::repeat_byte(0xb2).to_checksum(None),
        "new rows are decoded from their log"
    );
    assert_eq!(events[1].args["value"], "800");
    assert_eq!(events[1].arg_names, ["from", "to", "value"]);
    assert_eq!(events[1].event, "Transfer");

    // Both kinds of row answer a filter by event name or signature, and export alike.
    for event in ["Transfer", "Transfer(address,address,uint256)"] {
        let f = EventFilter {
            event: Some(event.into()),
            ..EventFilter::default()
        };
        assert_eq!(store.history_count(&f).expect("count"), 2, "{event}");
    }
    let mut csv = Vec::new();
    crate::export::export_csv(&store, &EventFilter::default(), &mut csv).expect("export");
    let csv = String::from_utf8(csv).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with(",from,to,value"), "{}", lines[0]);
    assert!(lines[1].ends_with(",0xOld,0xOlder,1"), "{}", lines[1]);
    let to = Address::repeat_byte(0xb2).to_checksum(None);
    assert!(lines[2].ends_with(&format!(",{to},800")), "{}", lines[2]);
}

#[test]
fn a_bulk_load_builds_the_amount_index_at_the_end_even_after_a_kill() {
    let (dir, mut store, net, l) = setup();
    let has_index = |s: &Store| s.has_amount_index().expect("schema");
    assert!(has_index(&store));
    store.begin_bulk(net).expect("begin");
    assert!(!has_index(&store), "left out while loading");
    assert!(!store.checks_foreign_keys().expect("pragma"));
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![
            transfer(1, 0xa1, 0xb1, 700, vec![l]),
            transfer(2, 0xa2, 0xb2, 90_000, vec![l]),
            transfer(3, 0xa3, 0xb3, 800, vec![l]),
        ],
    );
    store.commit(&c).expect("commit");
    let all = EventFilter::default();
    let top = |s: &Store| {
        s.history_page(&all, HistorySort::AmountDesc, 0, 1)
            .expect("page")[0]
            .args["value"]
            .clone()
    };
    assert_eq!(top(&store), "90000", "sorting works without the index");
    // Killed while loading: the next writer finds the index missing and builds it when
    // its network catches up.
    drop(store);
    let mut store = Store::open(&dir.path().join("t.db")).expect("reopen");
    assert!(store.checks_foreign_keys().expect("pragma"));
    assert!(!has_index(&store));
    store.end_bulk(net).expect("end");
    assert!(has_index(&store));
    assert_eq!(top(&store), "90000");
    // Two networks: the index comes back when the last one is done.
    store.begin_bulk(1).expect("begin");
    store.begin_bulk(2).expect("begin");
    store.end_bulk(1).expect("end");
    assert!(!has_index(&store));
    assert!(!store.checks_foreign_keys().expect("pragma"));
    store.end_bulk(2).expect("end");
    assert!(has_index(&store));
    assert!(store.checks_foreign_keys().expect("pragma"));
}

#[test]
fn the_export_writes_decoded_arguments_as_the_app_shows_them() {
    let (_d, mut store, net, l) = setup();
    let approval = std::sync::Arc::new(
        crate::abi::resolve_event_spec("erc20:Approval").expect("Approval")[0].clone(),
    );
    let mut approve = transfer(2, 0xa2, 0xb2, 800, vec![l]);
    approve.topics[0] = approval.topic0;
    approve.def = approval;
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![transfer(1, 0xa1, 0xb1, 700, vec![l]), approve],
    );
    let ids = store.commit(&c).expect("commit").fresh;
    let shown = store.events_by_ids(&ids).expect("read");
    assert_eq!(
        shown[1].args["spender"],
        Address::repeat_byte(0xb2).to_checksum(None)
    );
    let mut csv = Vec::new();
    crate::export::export_csv(&store, &EventFilter::default(), &mut csv).expect("export");
    let mut rows = csv::Reader::from_reader(csv.as_slice());
    let args: Vec<String> = rows
        .records()
        .map(|r| r.expect("row")[crate::export::COLUMNS.len()].to_string())
        .collect();
    let expected: Vec<String> = shown.iter().map(|e| e.args.to_string()).collect();
    assert_eq!(args, expected, "two signatures: one JSON args column");
}

#[test]
fn the_address_filter_matches_whole_arguments_not_bytes_inside_them() {
    let (_d, mut store, net, l) = setup();
    // A mint (from the zero address) and a transfer of a small amount: its 32-byte word
    // holds twenty zero bytes, but no argument is the zero address.
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![
            transfer(1, 0x00, 0xb1, 5, vec![l]),
            transfer(2, 0xa1, 0xb1, 7, vec![l]),
        ],
    );
    store.commit(&c).expect("commit");
    let zero = EventFilter {
        address: Some(Address::ZERO.to_string()),
        ..EventFilter::default()
    };
    let rows = store
        .history_page(&zero, HistorySort::Oldest, 0, 10)
        .expect("page");
    assert_eq!(
        rows.iter().map(|e| e.block_number).collect::<Vec<_>>(),
        vec![1]
    );
    assert_eq!(store.history_count(&zero).expect("count"), 1);
    let mut csv = Vec::new();
    crate::export::export_csv(&store, &zero, &mut csv).expect("export");
    assert_eq!(
        csv::Reader::from_reader(csv.as_slice()).records().count(),
        1
    );
}

#[test]
fn one_signature_under_two_sets_of_names_exports_its_arguments_as_json() {
    let (_d, mut store, net, l) = setup();
    // WETH9 names the arguments of the same `Transfer(address,address,uint256)` otherwise.
    let weth = std::sync::Arc::new(
        crate::abi::resolve_event_spec(
            "event Transfer(address indexed src, address indexed dst, uint256 wad)",
        )
        .expect("WETH Transfer")[0]
            .clone(),
    );
    let mut wrapped = transfer(2, 0xa2, 0xb2, 800, vec![l]);
    wrapped.def = weth;
    let c = commit(
        net,
        (0, 9),
        vec![l],
        vec![transfer(1, 0xa1, 0xb1, 700, vec![l]), wrapped],
    );
    store.commit(&c).expect("commit");
    let export = |event: Option<&str>| {
        let filter = EventFilter {
            event: event.map(String::from),
            ..EventFilter::default()
        };
        let mut csv = Vec::new();
        crate::export::export_csv(&store, &filter, &mut csv).expect("export");
        let mut rows = csv::Reader::from_reader(csv.as_slice());
        let header: Vec<String> = rows
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let cells: Vec<Vec<String>> = rows
            .records()
            .map(|r| r.expect("row").iter().map(String::from).collect())
            .collect();
        (header, cells)
    };
    let (header, rows) = export(Some("Transfer"));
    assert_eq!(
        header.last().map(String::as_str),
        Some("args"),
        "{header:?}"
    );
    let args = crate::export::COLUMNS.len();
    assert!(rows[0][args].contains("\"value\":\"700\""), "{:?}", rows[0]);
    assert!(rows[1][args].contains("\"wad\":\"800\""), "{:?}", rows[1]);
    // Each alone keeps its own columns.
    store
        .conn
        .execute(
            "DELETE FROM events WHERE id = (SELECT max(id) FROM events)",
            [],
        )
        .expect("delete");
    let (header, rows) = export(Some("Transfer"));
    assert_eq!(
        header[args..],
        ["from", "to", "value", "value_units"],
        "{header:?}"
    );
    assert_eq!(rows[0][args + 2], "700");
    assert_eq!(rows[0][args + 3], "", "no decimals known: no units");
}

#[test]
fn amounts_stored_as_words_before_schema_9_sort_beside_new_ones() {
    let (dir, mut store, net, l) = setup();
    let old = vec![
        transfer(1, 0xa1, 0xb1, 700, vec![l]),
        transfer(2, 0xa2, 0xb2, 70_000, vec![l]),
    ];
    let ids = store
        .commit(&commit(net, (0, 2), vec![l], old))
        .expect("old")
        .fresh;
    // As schema 8 stored them: 32-byte words.
    for (id, value) in ids.iter().zip([700u64, 70_000]) {
        store
            .conn
            .execute(
                "UPDATE events SET amount = ?2 WHERE id = ?1",
                rusqlite::params![id, U256::from(value).to_be_bytes::<32>().as_slice()],
            )
            .expect("word");
    }
    back_to_schema_10(&store.conn);
    store
        .conn
        .pragma_update(None, "user_version", 8)
        .expect("version");
    drop(store);

    let mut store = Store::open(&dir.path().join("t.db")).expect("reopen");
    let new = vec![
        transfer(3, 0xa3, 0xb3, 5, vec![l]),
        transfer(4, 0xa4, 0xb4, 256, vec![l]),
        transfer(5, 0xa5, 0xb5, u64::MAX, vec![l]),
    ];
    store
        .commit(&commit(net, (3, 5), vec![l], new))
        .expect("new");
    let values = |sort| -> Vec<String> {
        let page = store
            .history_page(&EventFilter::default(), sort, 0, 10)
            .expect("page");
        page.iter().map(|e| e.args["value"].to_string()).collect()
    };
    let max = u64::MAX.to_string();
    assert_eq!(
        values(HistorySort::AmountDesc),
        [max.as_str(), "70000", "700", "256", "5"].map(|v| format!("\"{v}\""))
    );
    assert_eq!(
        values(HistorySort::AmountAsc),
        ["5", "256", "700", "70000", max.as_str()].map(|v| format!("\"{v}\""))
    );
    assert!(store.has_amount_index().expect("schema"), "rebuilt");
}

/// Undoes migrations 19 to 11: no token state, every (listener, event) pair in `matches`.
fn back_to_schema_10(conn: &rusqlite::Connection) {
    conn.execute_batch(
        "DROP TABLE balances; DROP TABLE token_totals; DROP TABLE whole_transfers;
         DELETE FROM meta WHERE key = 'holdings';
         ALTER TABLE also_matched RENAME TO matches;
         DROP INDEX also_matched_event;
         CREATE INDEX matches_event ON matches(event_id);
         INSERT INTO matches SELECT listener_id, id FROM events WHERE listener_id IS NOT NULL;
         DROP INDEX events_listener;
         ALTER TABLE events DROP COLUMN listener_id;
         DROP TABLE stream_cursors; DROP TABLE subscriptions;
         ALTER TABLE networks DROP COLUMN subscription;
         ALTER TABLE listeners DROP COLUMN subscription;
         ALTER TABLE tokens DROP COLUMN name;
         DROP INDEX events_role;
         ALTER TABLE events DROP COLUMN role;",
    )
    .expect("schema 10");
}

#[test]
fn a_redefined_first_listener_hands_its_events_to_the_next() {
    let (_d, mut store, net, l) = setup();
    let l2 = store
        .upsert_listener("other", net, "h2", 0, 10)
        .expect("listener")
        .id;
    let c = commit(
        net,
        (0, 5),
        vec![l, l2],
        vec![transfer(1, 0xa1, 0xb1, 7, vec![l, l2])],
    );
    store.commit(&c).expect("commit");
    store
        .upsert_listener("l", net, "changed", 0, 10)
        .expect("redefine");
    let all = EventFilter::default();
    let page = store
        .history_page(&all, HistorySort::Newest, 0, 5)
        .expect("page");
    assert_eq!(page[0].listeners, ["other"]);
    assert_eq!(store.listener_counts(l).expect("counts").0, 0);
    assert_eq!(store.listener_counts(l2).expect("counts").0, 1);
    // The new definition matches it again: it comes second now.
    store
        .commit(&commit(
            net,
            (0, 5),
            vec![l],
            vec![transfer(1, 0xa1, 0xb1, 7, vec![l])],
        ))
        .expect("again");
    let page = store
        .history_page(&all, HistorySort::Newest, 0, 5)
        .expect("page");
    assert_eq!(page[0].listeners, ["other", "l"]);
    assert_eq!(store.history_count(&all).expect("count"), 1);
}

#[test]
fn the_export_gives_amounts_in_token_units_beside_the_raw_ones() {
    let (_d, mut store, net, l) = setup();
    let mut c = commit(
        net,
        (0, 9),
        vec![l],
        vec![
            transfer(1, 0xa1, 0xb1, 1_250_000, vec![l]),
            transfer(2, 0xa1, 0xb1, 3_000_000_000_000, vec![l]),
        ],
    );
    c.tokens = vec![(
        Address::repeat_byte(0x11),
        TokenInfo {
            decimals: Some(6),
            symbol: Some("=USDC".into()),
            name: None,
        },
    )];
    store.commit(&c).expect("commit");
    let mut csv = Vec::new();
    crate::export::export_csv(&store, &EventFilter::default(), &mut csv).expect("export");
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header = reader.headers().expect("header").clone();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(at("token_symbol"), at("status") + 1);
    assert_eq!(at("token_decimals"), at("status") + 2);
    assert_eq!(at("value_units"), at("value") + 1);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let cells = |r: &csv::StringRecord| {
        [
            r[at("token_symbol")].to_string(),
            r[at("token_decimals")].to_string(),
            r[at("value")].to_string(),
            r[at("value_units")].to_string(),
        ]
    };
    assert_eq!(
        cells(&rows[0]),
        ["'=USDC", "6", "1250000", "1.25"],
        "a symbol is chain text: escaped"
    );
    assert_eq!(cells(&rows[1]), ["'=USDC", "6", "3000000000000", "3000000"]);
}

//! The token state of a deep backfill, folded in later, equals the one written commit by
//! commit: at the end, after a crash before the fold, and through a reorg; meanwhile
//! readers say it is being brought up to date.

use alloy_primitives::{Address, I256};

use super::tests::{commit, setup, transfer};
use super::*;

const A: u8 = 0x11;
const B: u8 = 0x22;

/// Transfers of two tokens among twelve holders (and the zero address: mints and burns)
/// in blocks `from..=to`, a commit per ten blocks.
fn history(net: i64, l: i64, (from, to): (u64, u64)) -> Vec<Commit> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ from;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut out = Vec::new();
    for start in (from..=to).step_by(10) {
        let end = (start + 9).min(to);
        let mut events = Vec::new();
        for block in start..=end {
            for i in 0..4 {
                let holder = |n: u64| if n == 12 { 0 } else { n as u8 + 1 };
                let (who, whom) = (holder(next(13)), holder(next(13)));
                let contract = Address::repeat_byte(if next(3) == 0 { B } else { A });
                events.push(NewEvent {
                    log_index: i,
                    contract,
                    ..transfer(block, who, whom, 1 + next(1_000), vec![l])
                });
            }
        }
        out.push(commit(net, (start, end), vec![l], events));
    }
    out
}

/// A store whose listener keeps every transfer of any contract (the history is complete).
fn store() -> (tempfile::TempDir, Store, i64, i64) {
    let (dir, store, net, l) = setup();
    store.set_whole_transfers(l, Some(&[])).expect("whole");
    (dir, store, net, l)
}

/// Holders with their balances, largest first.
type Holders = Vec<(Address, I256)>;

/// Every token's state and its holders at the head and at block 55.
fn view(store: &Store) -> Vec<(TokenState, Holders, Holders)> {
    let mut out = Vec::new();
    for state in store.token_states().expect("states") {
        let token: Address = state.token.parse().expect("address");
        let at = |b| store.register("local", token, b).expect("register").holders;
        out.push((state.clone(), at(None), at(Some(55))));
    }
    out
}

#[test]
fn a_deep_backfill_folds_its_transfers_in_at_the_end_as_commits_would_have_written_them() {
    let (_d1, mut direct, net, l) = store();
    let (d2, mut deferred, net2, l2) = store();
    for c in history(net, l, (0, 200)) {
        direct.commit(&c).expect("commit");
    }
    deferred.begin_bulk(net2).expect("bulk");
    for c in history(net2, l2, (0, 200)) {
        deferred.commit(&c).expect("commit");
    }

    // Meanwhile the state says it waits, and no register is given from it.
    let reader = Store::open_reader(&d2.path().join("t.db")).expect("reader");
    for s in [&deferred, &reader] {
        let states = s.token_states().expect("states");
        assert_eq!(states.len(), 2);
        assert!(states.iter().all(|t| t.updating), "{states:?}");
        let err = s
            .register("local", Address::repeat_byte(A), None)
            .expect_err("no register while updating");
        assert!(
            err.to_string().contains("being brought up to date")
                && err.to_string().contains("network \"local\""),
            "{err}"
        );
    }

    deferred.end_bulk(net2).expect("end");
    let folded = view(&deferred);
    assert!(folded.iter().all(|(t, ..)| !t.updating));
    assert_eq!(folded, view(&direct));
    assert_eq!(view(&reader), folded, "readers see it folded");
    assert!(folded[0].1.len() > 5, "holders: {:?}", folded[0].1);
}

#[test]
fn another_network_keeps_its_state_commit_by_commit_while_one_backfills() {
    let (_d, mut s, net, l) = store();
    let other = s.upsert_network("other", 5).expect("network");
    let lo = s.upsert_listener("o", other, "h", 0, 10).expect("l").id;
    s.set_whole_transfers(lo, Some(&[])).expect("whole");
    s.begin_deferring(net);
    for c in history(net, l, (0, 50)) {
        s.commit(&c).expect("commit");
    }
    for c in history(other, lo, (0, 50)) {
        s.commit(&c).expect("commit");
    }
    let states = s.token_states().expect("states");
    let updating: Vec<(&str, bool)> = states
        .iter()
        .map(|t| (t.network.as_str(), t.updating))
        .collect();
    assert_eq!(
        updating,
        [
            ("local", true),
            ("local", true),
            ("other", false),
            ("other", false)
        ]
    );
    assert!(s.register("other", Address::repeat_byte(A), None).is_ok());
}

#[test]
fn a_writer_that_stops_before_the_fold_loses_nothing() {
    let (_d1, mut direct, net, l) = store();
    let (d2, mut deferred, net2, l2) = store();
    for c in history(net, l, (0, 120)) {
        direct.commit(&c).expect("commit");
    }
    deferred.begin_bulk(net2).expect("bulk");
    let work = history(net2, l2, (0, 120));
    // Part of it folded (a reorg check folds), the rest only in memory when it stops.
    for c in &work[..5] {
        deferred.commit(c).expect("commit");
    }
    deferred.fold().expect("fold");
    for c in &work[5..] {
        deferred.commit(c).expect("commit");
    }
    drop(deferred);

    let path = d2.path().join("t.db");
    let reader = Store::open_reader(&path).expect("reader");
    assert!(reader.token_states().expect("states")[0].updating);
    drop(reader);
    let reopened = Store::open(&path).expect("reopen");
    assert_eq!(view(&reopened), view(&direct));
    drop(reopened);
    let again = Store::open(&path).expect("open again");
    assert_eq!(view(&again), view(&direct), "folded once, not twice");
}

#[test]
fn a_reorg_during_a_deep_backfill_folds_first_then_takes_back_exactly() {
    let (_d1, mut direct, net, l) = store();
    let (_d2, mut deferred, net2, l2) = store();
    deferred.begin_bulk(net2).expect("bulk");
    for c in history(net, l, (0, 150)) {
        direct.commit(&c).expect("commit");
    }
    for c in history(net2, l2, (0, 150)) {
        deferred.commit(&c).expect("commit");
    }
    direct.rollback_to(net, 120).expect("rollback");
    deferred.rollback_to(net2, 120).expect("rollback");
    assert!(deferred
        .token_states()
        .expect("states")
        .iter()
        .all(|t| !t.updating));
    // The blocks after it come again (another branch's transfers), then the backfill ends.
    for c in history(net, l, (121, 200)) {
        direct.commit(&c).expect("commit");
    }
    for c in history(net2, l2, (121, 200)) {
        deferred.commit(&c).expect("commit");
    }
    deferred.end_bulk(net2).expect("end");
    assert_eq!(view(&deferred), view(&direct));
}

#[test]
fn a_commit_that_fails_while_deferring_leaves_the_sums_to_be_read_back_from_the_events() {
    let (_d1, mut direct, net, l) = store();
    let (_d2, mut deferred, net2, l2) = store();
    let work = history(net2, l2, (0, 60));
    for c in history(net, l, (0, 60)) {
        direct.commit(&c).expect("commit");
    }
    deferred.begin_deferring(net2);
    deferred.commit(&work[0]).expect("commit");
    // A listener that does not exist: the commit fails after its transfers were summed.
    let w = &work[1];
    let bad = commit(
        net2,
        (w.from_block, w.to_block),
        vec![l2, 9_999],
        w.events.clone(),
    );
    deferred.commit(&bad).expect_err("no such listener");
    for c in &work[1..] {
        deferred.commit(c).expect("commit");
    }
    deferred.leave_bulk(net2).expect("stop deferring");
    assert_eq!(view(&deferred), view(&direct));
}

#[test]
fn a_fold_that_fails_is_tried_again_at_the_next_commit_and_loses_nothing() {
    let (_d1, mut direct, net, l) = store();
    let (_d2, mut deferred, net2, l2) = store();
    for c in history(net, l, (0, 100)) {
        direct.commit(&c).expect("commit");
    }
    deferred.begin_bulk(net2).expect("bulk");
    let work = history(net2, l2, (0, 100));
    for c in &work[..9] {
        deferred.commit(c).expect("commit");
    }
    // The fold at the end of the backfill cannot write.
    deferred
        .conn
        .pragma_update(None, "query_only", true)
        .expect("pragma");
    deferred.end_bulk(net2).expect_err("no write");
    deferred
        .conn
        .pragma_update(None, "query_only", false)
        .expect("pragma");
    assert!(deferred.token_states().expect("states")[0].updating);
    // The next commit, no longer deferred, folds what waited.
    deferred.commit(&work[9]).expect("commit");
    assert!(deferred
        .token_states()
        .expect("states")
        .iter()
        .all(|t| !t.updating));
    for c in &work[10..] {
        deferred.commit(c).expect("commit");
    }
    assert_eq!(view(&deferred), view(&direct));
}

//! History filter tests on real SQLite files: contracts by symbol, names in any case,
//! direction, amount ranges in token units, and the export in History's order.

use alloy_primitives::Address;

use super::tests::{commit, setup, transfer};
use super::*;

/// Three transfers: two of token A (6 decimals, "usdc"), one of B (unknown decimals, "DUSD"),
/// and a token C also called "dusd" that emitted nothing.
fn three_transfers() -> (tempfile::TempDir, Store) {
    let (dir, mut store, net, l) = setup();
    let of = |contract: u8, e: NewEvent| NewEvent {
        contract: Address::repeat_byte(contract),
        ..e
    };
    let events = vec![
        of(0xaa, transfer(1, 0xa1, 0xb1, 2_500_000, vec![l])),
        of(0xaa, transfer(2, 0xb1, 0xa1, 1_000_000_000, vec![l])),
        of(0xbb, transfer(3, 0xa1, 0xb2, 7, vec![l])),
    ];
    let mut c = commit(net, (0, 5), vec![l], events);
    let token = |d: Option<u8>, s: &str, name: &str| TokenInfo {
        decimals: d,
        symbol: Some(s.into()),
        name: Some(name.into()),
    };
    c.tokens = vec![
        (
            Address::repeat_byte(0xaa),
            token(Some(6), "usdc", "USD Coin"),
        ),
        (Address::repeat_byte(0xbb), token(None, "DUSD", "Demo USD")),
        (
            Address::repeat_byte(0xcc),
            token(Some(2), "dusd", "Other dollar"),
        ),
    ];
    store.commit(&c).expect("commit");
    (dir, store)
}

fn blocks(store: &Store, f: &EventFilter) -> Vec<u64> {
    let rows = store
        .history_page(f, HistorySort::Oldest, 0, 10)
        .expect("page");
    assert_eq!(store.history_count(f).expect("count"), rows.len() as u64);
    rows.iter().map(|e| e.block_number).collect()
}

#[test]
fn the_contract_filter_takes_a_symbol_in_any_case_and_refuses_a_shared_one() {
    let (_d, store) = three_transfers();
    let by = |c: &str| EventFilter {
        contract: Some(c.into()),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &by("USDC")), vec![1, 2]);
    assert_eq!(blocks(&store, &by("usdc")), vec![1, 2]);
    let err = store.history_count(&by("Dusd")).expect_err("shared symbol");
    let msg = err.to_string();
    assert!(msg.contains("\"Dusd\" names 2 contracts"), "{msg}");
    assert!(
        msg.contains(&Address::repeat_byte(0xbb).to_string()),
        "{msg}"
    );
    assert!(
        msg.contains(&Address::repeat_byte(0xcc).to_string()),
        "{msg}"
    );
    let err = store.history_count(&by("WETH")).expect_err("unknown");
    assert!(
        err.to_string()
            .contains("is not an address (0x and 40 hex digits), a token's symbol or name, nor a label in the address book"),
        "{err}"
    );
}

#[test]
fn the_contract_filter_takes_a_tokens_name_in_any_case() {
    let (_d, store) = three_transfers();
    let by = |c: &str| EventFilter {
        contract: Some(c.into()),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &by("USD Coin")), vec![1, 2]);
    assert_eq!(blocks(&store, &by("demo usd")), vec![3]);
}

#[test]
fn the_contract_filter_takes_an_address_book_label_on_its_network_or_all() {
    let (_d, store) = three_transfers();
    let label = |network: Option<&str>, contract: u8, text: &str| {
        store
            .set_label(network, Address::repeat_byte(contract), text)
            .expect("label");
    };
    label(None, 0xbb, "Payroll token");
    label(Some("other chain"), 0xaa, "Treasury token");
    let by = |c: &str, network: Option<&str>| EventFilter {
        contract: Some(c.into()),
        network: network.map(Into::into),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &by("payroll TOKEN", None)), vec![3]);
    assert_eq!(blocks(&store, &by("Payroll token", Some("local"))), vec![3]);
    // A label another network gives is not this network's.
    let err = store
        .history_count(&by("Treasury token", Some("local")))
        .expect_err("label of another network");
    assert!(
        err.to_string().contains("nor a label in the address book"),
        "{err}"
    );
    assert_eq!(blocks(&store, &by("Treasury token", None)), vec![1, 2]);
}

#[test]
fn event_listener_and_network_names_match_in_any_case() {
    let (_d, store) = three_transfers();
    let f = EventFilter {
        event: Some("TRANSFER".into()),
        listener: Some("L".into()),
        network: Some("LOCAL".into()),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &f), vec![1, 2, 3]);
    let only_listener = EventFilter {
        listener: Some("L".into()),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &only_listener), vec![1, 2, 3]);
    let signature = EventFilter {
        event: Some("transfer(address,address,uint256)".into()),
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &signature), vec![1, 2, 3]);
}

#[test]
fn direction_picks_the_from_or_the_to_side() {
    let (_d, store) = three_transfers();
    let a1 = |direction| EventFilter {
        address: Some(Address::repeat_byte(0xa1).to_string()),
        direction,
        ..EventFilter::default()
    };
    assert_eq!(blocks(&store, &a1(None)), vec![1, 2, 3]);
    assert_eq!(blocks(&store, &a1(Some(Direction::From))), vec![1, 3]);
    assert_eq!(blocks(&store, &a1(Some(Direction::To))), vec![2]);
}

#[test]
fn an_amount_range_is_in_token_units_and_leaves_out_unknown_decimals() {
    let (_d, store) = three_transfers();
    let range = |min: Option<&str>, max: Option<&str>| EventFilter {
        min_amount: min.map(Into::into),
        max_amount: max.map(Into::into),
        ..EventFilter::default()
    };
    // Block 1 is 2.5 usdc, block 2 is 1,000 usdc, block 3 has unknown decimals.
    assert_eq!(blocks(&store, &range(Some("2.5"), None)), vec![1, 2]);
    assert_eq!(blocks(&store, &range(Some("2.6"), None)), vec![2]);
    assert_eq!(blocks(&store, &range(None, Some("1,000"))), vec![1, 2]);
    assert_eq!(blocks(&store, &range(None, Some("999.99"))), vec![1]);
    assert_eq!(blocks(&store, &range(Some("0"), None)), vec![1, 2]);
    let err = store
        .history_count(&range(Some("lots"), None))
        .expect_err("not a number");
    assert!(
        err.to_string().contains("minimum amount: \"lots\""),
        "{err}"
    );
}

#[test]
fn the_export_follows_historys_sort() {
    let (_d, store) = three_transfers();
    let order = |sort| {
        let mut csv = Vec::new();
        crate::export::export_csv_with(
            &store,
            &EventFilter::default(),
            sort,
            &mut csv,
            &mut |_| {},
        )
        .expect("export");
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let at = reader
            .headers()
            .expect("header")
            .iter()
            .position(|h| h == "block_number")
            .expect("block column");
        reader
            .records()
            .map(|r| r.expect("row")[at].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(order(HistorySort::Newest), ["3", "2", "1"]);
    assert_eq!(order(HistorySort::Oldest), ["1", "2", "3"]);
    assert_eq!(order(HistorySort::AmountDesc), ["2", "1", "3"]);
}

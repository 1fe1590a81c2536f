//! The Tokens screen's queries and the address book, on real SQLite files.

use alloy_primitives::{Address, B256, U256};

use super::super::tests::{commit, event, setup};
use crate::store::NewEvent;

const TOKEN: Address = Address::repeat_byte(0x11);

fn who(b: u8) -> Address {
    Address::repeat_byte(b)
}

/// A transfer of the test token at `block` (its own log), `0` the zero address.
fn transfer(block: u64, from: u8, to: u8, value: u64, listener: i64) -> NewEvent {
    let e = event(block, 0, block as u8, vec![listener]);
    let word = |b: u8| B256::left_padding_from(who(b).as_slice());
    NewEvent {
        topics: vec![e.topics[0], word(from), word(to)],
        data: U256::from(value).to_be_bytes::<32>().to_vec(),
        amount: Some(U256::from(value)),
        ..e
    }
}

/// Mints of 600, 300 and 100 to 0xa1, 0xb1, 0xc1 (blocks 1-3), 100 from 0xa1 to 0xb1
/// (block 4), and 0xc1 burns its 100 (block 5).
fn token() -> (tempfile::TempDir, crate::store::Store, i64) {
    let (dir, mut store, net, l) = setup();
    let events = vec![
        transfer(1, 0, 0xa1, 600, l),
        transfer(2, 0, 0xb1, 300, l),
        transfer(3, 0, 0xc1, 100, l),
        transfer(4, 0xa1, 0xb1, 100, l),
        transfer(5, 0xc1, 0, 100, l),
    ];
    store
        .commit(&commit(net, (0, 5), vec![l], events))
        .expect("commit");
    (dir, store, l)
}

#[test]
fn top_holders_come_largest_first_with_their_share_of_the_supply() {
    let (_d, store, _) = token();
    let top = store.top_holders("local", TOKEN, 10).expect("top");
    let rows: Vec<_> = top
        .iter()
        .map(|h| (h.address.clone(), h.balance.as_str(), h.share.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            (who(0xa1).to_checksum(None), "500", Some("0.555555")),
            (who(0xb1).to_checksum(None), "400", Some("0.444444")),
        ],
        "0xc1 burned all it had: no longer a holder"
    );
    assert_eq!(store.top_holders("local", TOKEN, 1).expect("top").len(), 1);
    assert!(store
        .top_holders("other", TOKEN, 5)
        .expect("none")
        .is_empty());
}

#[test]
fn supply_over_time_sums_mints_and_burns_per_bucket() {
    let (_d, store, _) = token();
    // One second per bucket: a bucket per block with a mint or a burn (not block 4).
    let s = store.supply_series("local", TOKEN, 1_000).expect("series");
    assert_eq!(s.bucket_secs, 1);
    let got: Vec<_> = s
        .points
        .iter()
        .map(|p| {
            (
                p.last_block,
                p.minted.as_str(),
                p.burned.as_str(),
                p.supply.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "600", "0", "600"),
            (2, "300", "0", "900"),
            (3, "100", "0", "1000"),
            (5, "0", "100", "900"),
        ]
    );
    // Two buckets of three seconds: the first holds blocks 1 to 3.
    let s = store.supply_series("local", TOKEN, 2).expect("series");
    assert_eq!((s.bucket_secs, s.points.len()), (3, 2));
    assert_eq!(
        (s.points[0].mints, s.points[0].minted.as_str()),
        (3, "1000")
    );
    assert_eq!(
        s.points[1].supply, "900",
        "the last point is today's supply"
    );
    assert_eq!(
        store
            .token_state("local", TOKEN)
            .expect("state")
            .expect("known")
            .supply,
        "900"
    );
}

#[test]
fn supply_over_time_reads_the_mint_and_burn_index_only() {
    let (_d, store, _) = token();
    let plan: String = store
        .conn
        .query_row(
            &["EXPLAIN QUERY PLAN SELECT block_number FROM events
                  WHERE network_id = 1 AND contract = x'00' AND role = ?1"]
            .concat(),
            [crate::store::schema::ROLE_MINT_OR_BURN],
            |r| r.get(3),
        )
        .expect("plan");
    assert!(plan.contains("events_role"), "{plan}");
}

#[test]
fn an_address_balance_over_time_follows_its_transfers() {
    let (_d, store, _) = token();
    let h = store
        .address_history("local", TOKEN, who(0xb1))
        .expect("history");
    let got: Vec<_> = h
        .points
        .iter()
        .map(|p| (p.block, p.change.as_str(), p.balance.as_str()))
        .collect();
    assert_eq!(got, [(2, "300", "300"), (4, "100", "400")]);
    assert_eq!((h.balance.as_str(), h.transfers), ("400", 2));
    let c = store
        .address_history("local", TOKEN, who(0xc1))
        .expect("history");
    assert_eq!(c.points.last().map(|p| p.change.as_str()), Some("-100"));
    assert_eq!(c.balance, "0");
}

#[test]
fn labels_hold_per_network_or_everywhere_and_the_zero_address_is_mint_or_burn() {
    let (_d, store, _) = token();
    let on = |n: &str| store.labels_on(n).expect("labels");
    assert_eq!(
        on("local").get(&Address::ZERO).map(String::as_str),
        Some("mint / burn")
    );
    store
        .set_label(None, who(0xa1), "Treasury")
        .expect("all networks");
    store
        .set_label(Some("local"), who(0xa1), " Issuer hot wallet ")
        .expect("local");
    assert_eq!(
        on("local")[&who(0xa1)],
        "Issuer hot wallet",
        "the network's own wins"
    );
    assert_eq!(on("base")[&who(0xa1)], "Treasury");
    assert_eq!(
        store
            .addresses_labelled("issuer HOT wallet", Some("local"))
            .expect("find"),
        [who(0xa1)]
    );
    assert!(store
        .addresses_labelled("Issuer hot wallet", Some("base"))
        .expect("find")
        .is_empty());
    for (label, why) in [
        ("Two\nlines", "control character"),
        ("Evil\u{202e}name", "reorders text (U+202E)"),
    ] {
        let refused = store.set_label(None, who(0xb1), label);
        assert!(
            matches!(&refused, Err(crate::store::StoreError::BadLabel(m)) if m.contains(why)),
            "{refused:?}"
        );
    }
    store
        .set_label(Some("local"), who(0xa1), "")
        .expect("removed");
    assert_eq!(on("local")[&who(0xa1)], "Treasury");
    assert_eq!(store.labels().expect("all").len(), 2);
}

#[test]
fn an_import_takes_every_row_or_none_and_names_the_bad_line() {
    let (_d, store, _) = token();
    let before = store.labels().expect("labels");
    let cases = [
        ("address,label,network\n0xa1,Short,\n", "line 2: \"0xa1\" is not an address"),
        (
            "address,label,network\n0x1111111111111111111111111111111111111111,Fine,\n0x2222222222222222222222222222222222222222,\"two\nlines\",local\n",
            "line 3: the label has a control character",
        ),
        (
            "address,label,network\n0x1111111111111111111111111111111111111111,One,local\n0x1111111111111111111111111111111111111111,Two,local\n",
            "line 3: 0x1111111111111111111111111111111111111111 on network \"local\" is labelled again (first on line 2)",
        ),
        ("address,name\n", "line 1: the header has no \"label\" column"),
        ("address,label,network\n0x1111111111111111111111111111111111111111,,\n", "line 2: the label is empty"),
    ];
    for (csv, said) in cases {
        let e = store.import_labels(csv).expect_err(csv).to_string();
        assert!(e.starts_with(said), "{csv}: {e}");
        assert_eq!(
            store.labels().expect("labels"),
            before,
            "nothing imported from {csv}"
        );
    }
    let csv = "network,address,label\n,0x1111111111111111111111111111111111111111,Custodian\nlocal,0x1111111111111111111111111111111111111111,Local custodian\n\n,0x0000000000000000000000000000000000000000,'=zero\n";
    assert_eq!(store.import_labels(csv).expect("import"), 3);
    assert_eq!(
        store.labels_on("local").expect("l")[&who(0x11)],
        "Local custodian"
    );
    assert_eq!(store.labels_on("base").expect("b")[&who(0x11)], "Custodian");
    assert_eq!(store.labels_on("base").expect("b")[&Address::ZERO], "=zero");
    let mut out = Vec::new();
    crate::export::labels::write_labels(&store.labels().expect("all"), &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.starts_with("address,label,network\n"), "{text}");
    assert!(
        text.contains("0x0000000000000000000000000000000000000000,'=zero,\n"),
        "{text}"
    );
    assert!(text.contains(",Local custodian,local\n"), "{text}");
    assert_eq!(
        store.import_labels(&text).expect("again"),
        3,
        "an export imports back"
    );
    assert_eq!(store.labels_on("base").expect("b")[&Address::ZERO], "=zero");
}

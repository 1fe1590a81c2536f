//! The identity register, from a token's `IdentityRegistryAdded` and its registry's events
//! committed to a real SQLite file.

use std::sync::Arc;

use alloy_primitives::{Address, B256};

use super::super::tests::{commit, event, setup};
use crate::store::{NewEvent, RegisterKind, Store};

const TOKEN: Address = Address::repeat_byte(0x11);
const REGISTRY: Address = Address::repeat_byte(0x22);
const OTHER: Address = Address::repeat_byte(0x33);

fn word(b: u8) -> B256 {
    B256::left_padding_from(Address::repeat_byte(b).as_slice())
}

fn country(c: u16) -> B256 {
    B256::left_padding_from(&c.to_be_bytes())
}

/// A log of `name(types)` with `topics` after topic0, emitted by `contract`.
fn log(contract: Address, block: u64, spec: &str, topics: Vec<B256>, l: i64) -> NewEvent {
    let defs = crate::abi::resolve_event_spec(spec).expect("spec");
    let def = Arc::new(defs[0].clone());
    NewEvent {
        topics: [vec![def.topic0], topics].concat(),
        data: vec![],
        def,
        amount: None,
        contract,
        ..event(block, 0, block as u8, vec![l])
    }
}

const ADDED: &str = "event IdentityRegistryAdded(address indexed _identityRegistry)";
const REGISTERED: &str =
    "event IdentityRegistered(address indexed _investorAddress, address indexed _identity)";
const REMOVED: &str =
    "event IdentityRemoved(address indexed _investorAddress, address indexed _identity)";
const UPDATED: &str =
    "event IdentityUpdated(address indexed _oldIdentity, address indexed _newIdentity)";
const COUNTRY: &str =
    "event CountryUpdated(address indexed _investorAddress, uint16 indexed _country)";

/// (wallet, identity, country, country name, since block, history values).
type Row = (
    Address,
    Address,
    Option<u16>,
    Option<String>,
    u64,
    Vec<String>,
);

fn identities(store: &Store) -> Vec<Row> {
    let c = store
        .compliance("local", TOKEN)
        .expect("read")
        .expect("known");
    c.entries
        .into_iter()
        .filter(|e| e.register == RegisterKind::Identity)
        .map(|e| {
            let h = e
                .history
                .iter()
                .map(|h| format!("{} {}", h.event, h.value))
                .collect();
            (
                e.address.parse().expect("a"),
                e.value.parse().expect("i"),
                e.country,
                e.country_name,
                e.since_block,
                h,
            )
        })
        .collect()
}

#[test]
fn the_registry_named_by_the_token_gives_each_wallet_its_identity_and_country() {
    let (_d, mut store, net, l) = setup();
    let a = Address::repeat_byte;
    let events = vec![
        // Another contract's registry events are not this token's.
        log(OTHER, 1, REGISTERED, vec![word(0xa9), word(0xb9)], l),
        log(TOKEN, 2, ADDED, vec![word(0x22)], l),
        log(REGISTRY, 3, REGISTERED, vec![word(0xa1), word(0xb1)], l),
        log(REGISTRY, 4, COUNTRY, vec![word(0xa1), country(250)], l),
        log(REGISTRY, 5, REGISTERED, vec![word(0xa2), word(0xb2)], l),
        log(REGISTRY, 6, REGISTERED, vec![word(0xa3), word(0xb3)], l),
        log(REGISTRY, 7, COUNTRY, vec![word(0xa3), country(840)], l),
        log(REGISTRY, 8, UPDATED, vec![word(0xb1), word(0xc1)], l),
        log(REGISTRY, 9, REMOVED, vec![word(0xa3), word(0xb3)], l),
        log(REGISTRY, 10, COUNTRY, vec![word(0xa2), country(999)], l),
    ];
    store
        .commit(&commit(net, (0, 10), vec![l], events))
        .expect("commit");
    let c = store
        .compliance("local", TOKEN)
        .expect("read")
        .expect("known");
    assert_eq!(c.registry, Some(REGISTRY.to_checksum(None)));
    assert_eq!((c.identity_events, c.events), (8, 0));
    let cs = |b: u8| a(b).to_checksum(None);
    assert_eq!(
        identities(&store),
        [
            (
                a(0xa1),
                a(0xc1),
                Some(250),
                Some("France".into()),
                8,
                vec![
                    format!("IdentityRegistered {}", cs(0xb1)),
                    "CountryUpdated France (250)".into(),
                    format!("IdentityUpdated {}", cs(0xc1)),
                ]
            ),
            (
                a(0xa2),
                a(0xb2),
                Some(999),
                None,
                10,
                vec![
                    format!("IdentityRegistered {}", cs(0xb2)),
                    "CountryUpdated code 999".into(),
                ]
            ),
        ],
        "0xa3 was removed; 999 is no country"
    );

    // A reorg takes the update, the removal and the last country away.
    store.rollback_to(net, 7).expect("rollback");
    let now = identities(&store);
    let wallets: Vec<(Address, Address, Option<u16>)> =
        now.iter().map(|r| (r.0, r.1, r.2)).collect();
    assert_eq!(
        wallets,
        [
            (a(0xa1), a(0xb1), Some(250)),
            (a(0xa2), a(0xb2), None),
            (a(0xa3), a(0xb3), Some(840))
        ]
    );
}

#[test]
fn a_token_that_names_no_registry_has_no_identities() {
    let (_d, mut store, net, l) = setup();
    let events = vec![
        log(
            TOKEN,
            1,
            "event AgentAdded(address indexed _agent)",
            vec![word(0xe1)],
            l,
        ),
        log(REGISTRY, 2, REGISTERED, vec![word(0xa1), word(0xb1)], l),
    ];
    store
        .commit(&commit(net, (0, 2), vec![l], events))
        .expect("commit");
    let c = store
        .compliance("local", TOKEN)
        .expect("read")
        .expect("known");
    assert_eq!((c.registry, c.identity_events, c.events), (None, 0, 1));
    assert!(c
        .entries
        .iter()
        .all(|e| e.register != RegisterKind::Identity));
}

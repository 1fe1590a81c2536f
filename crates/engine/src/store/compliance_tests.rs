//! The ERC-3643 registers, from events committed to a real SQLite file.

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};

use super::super::tests::{commit, event, setup};
use super::RegisterKind::{self, *};
use crate::store::{NewEvent, Store};

const TOKEN: Address = Address::repeat_byte(0x11);

fn who(b: u8) -> Address {
    Address::repeat_byte(b)
}

fn word(b: u8) -> B256 {
    B256::left_padding_from(who(b).as_slice())
}

fn amount(v: u64) -> Vec<u8> {
    U256::from(v).to_be_bytes::<32>().to_vec()
}

/// A log of `spec` from the test token at `block`, with these topics after topic0.
fn log(block: u64, index: u64, spec: &str, topics: Vec<B256>, data: Vec<u8>, l: i64) -> NewEvent {
    let defs = crate::abi::resolve_event_spec(spec).expect("spec");
    let def = Arc::new(defs[0].clone());
    let e = event(block, index, block as u8, vec![l]);
    NewEvent {
        topics: [vec![def.topic0], topics].concat(),
        data,
        def,
        amount: None,
        ..e
    }
}

const FROZEN: &str =
    "event AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner)";
const PAUSED: &str = "event Paused(address _userAddress)";
const UNPAUSED: &str = "event Unpaused(address _userAddress)";

/// Wallet 0xa1 frozen then unfrozen, 0xb1 frozen; 100 of 0xc1's tokens frozen and 40 of
/// them unfrozen, 7 of 0xd1's frozen and unfrozen; agents 0xe1 and 0xf1 added, 0xf1
/// removed; paused and unpaused by 0xe1; 0x71 recovered to 0x72.
fn token() -> (tempfile::TempDir, Store, i64) {
    let (dir, mut store, net, l) = setup();
    let on = B256::with_last_byte(1);
    let events = vec![
        log(1, 0, FROZEN, vec![word(0xa1), on, word(0xe1)], vec![], l),
        log(2, 0, FROZEN, vec![word(0xa1), B256::ZERO, word(0xe1)], vec![], l),
        log(3, 0, FROZEN, vec![word(0xb1), on, word(0xe1)], vec![], l),
        log(4, 0, "event TokensFrozen(address indexed _userAddress, uint256 _amount)", vec![word(0xc1)], amount(100), l),
        log(5, 0, "event TokensUnfrozen(address indexed _userAddress, uint256 _amount)", vec![word(0xc1)], amount(40), l),
        log(5, 1, "event TokensFrozen(address indexed _userAddress, uint256 _amount)", vec![word(0xd1)], amount(7), l),
        log(6, 0, "event TokensUnfrozen(address indexed _userAddress, uint256 _amount)", vec![word(0xd1)], amount(7), l),
        log(7, 0, "event AgentAdded(address indexed _agent)", vec![word(0xe1)], vec![], l),
        log(7, 1, "event AgentAdded(address indexed _agent)", vec![word(0xf1)], vec![], l),
        log(8, 0, "event AgentRemoved(address indexed _agent)", vec![word(0xf1)], vec![], l),
        log(9, 0, PAUSED, vec![], word(0xe1).to_vec(), l),
        log(10, 0, UNPAUSED, vec![], word(0xe1).to_vec(), l),
        log(11, 0, "event RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID)", vec![word(0x71), word(0x72), word(0x73)], vec![], l),
    ];
    store
        .commit(&commit(net, (0, 11), vec![l], events))
        .expect("commit");
    (dir, store, net)
}

/// Each entry as (register, address, value, since block, the values of its history).
fn entries(store: &Store) -> Vec<(RegisterKind, Address, String, u64, Vec<String>)> {
    let c = store
        .compliance("local", TOKEN)
        .expect("read")
        .expect("known");
    c.entries
        .into_iter()
        .map(|e| {
            let history = e.history.iter().map(|h| h.value.clone()).collect();
            let address = e.address.parse().expect("address");
            (e.register, address, e.value, e.since_block, history)
        })
        .collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn the_registers_say_what_is_frozen_who_is_an_agent_whether_paused_and_the_recoveries() {
    let (_d, store, _) = token();
    assert_eq!(
        entries(&store),
        [
            (FrozenWallet, who(0xb1), "true".into(), 3, s(&["true"])),
            (FrozenAmount, who(0xc1), "60".into(), 5, s(&["+100", "-40"])),
            (Agent, who(0xe1), "true".into(), 7, s(&["added"])),
            (Paused, who(0xe1), "false".into(), 10, s(&["true", "false"])),
            (
                Recovery,
                who(0x71),
                who(0x72).to_checksum(None),
                11,
                s(&[&who(0x72).to_checksum(None)])
            ),
        ],
        "0xa1 was unfrozen, 0xd1's tokens all unfrozen, 0xf1 removed"
    );
    let c = store
        .compliance("local", TOKEN)
        .expect("read")
        .expect("known");
    assert_eq!((c.events, c.chain_id), (13, 31337));
    let agent = &c.entries[2].history[0];
    assert_eq!((agent.block, agent.time), (7, Some(1_700_000_007)));
    assert_eq!(agent.event, "AgentAdded");
}

#[test]
fn events_removed_by_a_reorg_no_longer_set_the_registers() {
    let (_d, mut store, net) = token();
    store.rollback_to(net, 8).expect("rollback");
    let now = entries(&store);
    assert!(
        now.iter().all(|e| e.0 != Paused && e.0 != Recovery),
        "the pause and the recovery were in blocks 9-11: {now:?}"
    );
    assert_eq!(now.len(), 3);
}

#[test]
fn an_unknown_token_or_network_has_no_registers() {
    let (_d, store, _) = token();
    assert_eq!(store.compliance("local", who(0x99)).expect("read"), None);
    assert_eq!(store.compliance("nowhere", TOKEN).expect("read"), None);
}

//! Clauses for one event, `Transfer(to == 0x…)`: parsed, checked against that event only,
//! left out for the listener's other events.

use super::*;
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::Event;
use alloy_primitives::{Address, U256};

const ALICE: &str = "0x70997970C51812dC3A010C3eFe8BE8DcaF5a7B8E";

fn event(sig: &str) -> Event {
    Event::parse(sig).unwrap()
}

fn transfer() -> Event {
    event("event Transfer(address indexed from, address indexed to, uint256 value)")
}

fn frozen() -> Event {
    event("event AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner)")
}

fn approval() -> Event {
    event("event Approval(address indexed owner, address indexed spender, uint256 value)")
}

fn watched() -> Vec<String> {
    ["Transfer", "AddressFrozen", "Approval"]
        .map(String::from)
        .to_vec()
}

fn parse_for(src: &str, e: &Event) -> Result<Condition, ConditionError> {
    Condition::parse_for(
        src,
        EventScope {
            name: &e.name,
            params: &e.inputs,
            watched: &watched(),
        },
    )
}

fn arg(name: &str, value: DynSolValue) -> DecodedArg {
    DecodedArg {
        name: name.into(),
        ty: String::new(),
        indexed: true,
        hashed: false,
        value,
    }
}

fn alice() -> Address {
    ALICE.parse().unwrap()
}

fn transfer_to(to: Address, value: u64) -> Vec<DecodedArg> {
    vec![
        arg("from", DynSolValue::Address(Address::ZERO)),
        arg("to", DynSolValue::Address(to)),
        arg("value", DynSolValue::Uint(U256::from(value), 256)),
    ]
}

fn frozen_args(frozen: bool) -> Vec<DecodedArg> {
    vec![
        arg("_userAddress", DynSolValue::Address(alice())),
        arg("_isFrozen", DynSolValue::Bool(frozen)),
        arg("_owner", DynSolValue::Address(Address::ZERO)),
    ]
}

fn approval_by(owner: Address, value: u64) -> Vec<DecodedArg> {
    vec![
        arg("owner", DynSolValue::Address(owner)),
        arg("spender", DynSolValue::Address(Address::ZERO)),
        arg("value", DynSolValue::Uint(U256::from(value), 256)),
    ]
}

fn holds(src: &str, e: &Event, args: &[DecodedArg]) -> bool {
    parse_for(src, e)
        .unwrap()
        .eval(args, &EvalContext::default())
        .unwrap()
}

#[test]
fn a_scoped_clause_filters_its_event_and_leaves_the_others_alone() {
    let src = format!("Transfer(to == {ALICE})");
    assert!(holds(&src, &transfer(), &transfer_to(alice(), 1)));
    assert!(!holds(&src, &transfer(), &transfer_to(Address::ZERO, 1)));
    // `to` is no field of AddressFrozen: the clause is left out, every one matches.
    assert!(holds(&src, &frozen(), &frozen_args(true)));
    assert!(holds(&src, &frozen(), &frozen_args(false)));
}

#[test]
fn the_rest_of_the_condition_still_applies_to_the_other_events() {
    let src = format!("Transfer(to == {ALICE}) and value > 5");
    assert!(holds(&src, &transfer(), &transfer_to(alice(), 6)));
    assert!(!holds(&src, &transfer(), &transfer_to(alice(), 5)));
    assert!(holds(&src, &approval(), &approval_by(Address::ZERO, 6)));
    assert!(!holds(&src, &approval(), &approval_by(Address::ZERO, 5)));
}

#[test]
fn or_and_not_read_each_event_without_the_others_clauses() {
    let src = format!("Transfer(to == {ALICE}) or Approval(owner == {ALICE})");
    assert!(holds(&src, &transfer(), &transfer_to(alice(), 1)));
    assert!(!holds(&src, &transfer(), &transfer_to(Address::ZERO, 1)));
    assert!(holds(&src, &approval(), &approval_by(alice(), 1)));
    assert!(!holds(&src, &approval(), &approval_by(Address::ZERO, 1)));
    assert!(holds(&src, &frozen(), &frozen_args(true)));

    let src = format!("not Transfer(to == {ALICE}) and AddressFrozen(_isFrozen)");
    assert!(!holds(&src, &transfer(), &transfer_to(alice(), 1)));
    assert!(holds(&src, &transfer(), &transfer_to(Address::ZERO, 1)));
    assert!(holds(&src, &frozen(), &frozen_args(true)));
    assert!(!holds(&src, &frozen(), &frozen_args(false)));
    assert!(holds(&src, &approval(), &approval_by(Address::ZERO, 1)));
}

#[test]
fn a_scoped_clause_pins_topics_of_its_event_only() {
    let src = format!("Transfer(to == {ALICE})");
    let pinned = parse_for(&src, &transfer()).unwrap().topic_constraints();
    assert_eq!(pinned.keys().copied().collect::<Vec<_>>(), vec![1]);
    assert!(parse_for(&src, &frozen())
        .unwrap()
        .topic_constraints()
        .is_empty());
}

#[test]
fn the_canonical_form_keeps_the_scope_and_parses_back() {
    let src = format!("transfer_ok and Transfer( to=={ALICE} or value>1 )");
    let e = event(
        "event Transfer(address indexed from, address indexed to, uint256 value, bool transfer_ok)",
    );
    let c = parse_for(&src, &e).unwrap();
    let text = c.to_string();
    assert_eq!(
        text,
        format!("transfer_ok and Transfer(to == {ALICE} or value > 1)")
    );
    assert_eq!(parse_for(&text, &e).unwrap().to_string(), text);
    // `not(…)` is still a negation, not an event called `not`.
    assert!(holds(
        "not(value > 1)",
        &transfer(),
        &transfer_to(alice(), 1)
    ));
}

fn error(src: &str, e: &Event) -> (String, String) {
    let err = parse_for(src, e).unwrap_err();
    let at = src[err.offset..err.offset + err.len].to_string();
    (err.message, at)
}

#[test]
fn scope_errors_name_what_is_wrong_and_point_at_it() {
    let (message, at) = error("Transfer(owner == 0x01)", &transfer());
    assert!(message.starts_with("unknown field `owner`"), "{message}");
    assert_eq!(at, "owner");
    let (message, at) = error("Mint(value > 1)", &transfer());
    assert_eq!(
        message,
        "the listener watches no event named `Mint`; it watches Transfer, AddressFrozen, Approval"
    );
    assert_eq!(at, "Mint");
    // Checked for the other events too: a typo is never silently left out.
    assert_eq!(error("Mint(value > 1)", &frozen()).1, "Mint");
    let (message, at) = error("Transfer(Approval(value > 1))", &transfer());
    assert!(message.contains("cannot stand inside"), "{message}");
    assert_eq!(at, "Approval");
    let (message, at) = error("Transfer(value > 1", &transfer());
    assert!(
        message.starts_with("unclosed `(` of `Transfer(`"),
        "{message}"
    );
    assert_eq!(at, "(");
    let err = Condition::parse("Transfer(value > 1)", &transfer().inputs).unwrap_err();
    assert!(err.message.contains("not checked for named events"));
}

#[test]
fn an_unknown_field_is_marked_as_such() {
    let err = parse_for("to == 0x01", &frozen()).unwrap_err();
    assert_eq!(err.unknown_field.as_deref(), Some("to"));
    let err = parse_for("value > true", &transfer()).unwrap_err();
    assert_eq!(err.unknown_field, None);
}

//! Unit tests: human-readable signatures with tuples (named components, `tuple(…)`, arrays,
//! nesting, `indexed`) and the errors for what is really invalid.

use super::*;

fn one(spec: &str) -> EventDef {
    let mut defs = resolve_event_spec(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    assert_eq!(defs.len(), 1, "{spec}");
    defs.remove(0)
}

fn err(spec: &str) -> String {
    resolve_event_spec(spec).unwrap_err().to_string()
}

fn names(components: &[alloy_json_abi::Param]) -> Vec<&str> {
    components.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn named_tuple_components_keep_their_names() {
    let d = one("event Filled((address maker, uint256 amount, bytes32 id) order, uint256[] fills)");
    assert_eq!(d.signature, "Filled((address,uint256,bytes32),uint256[])");
    assert_eq!(d.topic0, keccak256(d.signature.as_bytes()));
    assert_eq!(d.topic0, d.event.selector());
    let order = &d.event.inputs[0];
    assert_eq!((order.name.as_str(), order.ty.as_str()), ("order", "tuple"));
    assert_eq!(names(&order.components), ["maker", "amount", "id"]);
    assert_eq!(
        d.display,
        "Filled((address maker, uint256 amount, bytes32 id) order, uint256[] fills)"
    );
}

#[test]
fn every_tuple_form_gives_the_same_event() {
    let forms = [
        "event Filled((address maker, uint256 amount) order, uint256[] fills)",
        "event Filled(tuple(address maker, uint256 amount) order, uint256[] fills)",
        "event Filled(tuple (address maker, uint amount) order, uint[] fills);",
        "Filled( ( address maker , uint256 amount ) order , uint256 [ ] fills )",
        "  event   Filled((address maker,uint256 amount)order,uint256[]fills)  ",
    ];
    let first = one(forms[0]);
    for f in forms {
        assert_eq!(one(f), first, "{f}");
    }
    // Unnamed components hash the same; only the names differ.
    let unnamed = one("event Filled((address,uint256) order, uint256[] fills)");
    assert_eq!(unnamed.topic0, first.topic0);
    assert_eq!(names(&unnamed.event.inputs[0].components), ["", ""]);
}

#[test]
fn arrays_of_tuples_and_nested_tuples() {
    let d = one("event Orders((address a, uint256 b)[] orders, (uint256,(address,bool)[2])[] x)");
    assert_eq!(
        d.signature,
        "Orders((address,uint256)[],(uint256,(address,bool)[2])[])"
    );
    assert_eq!(d.event.inputs[0].ty, "tuple[]");
    assert_eq!(names(&d.event.inputs[0].components), ["a", "b"]);
    let x = &d.event.inputs[1];
    assert_eq!(x.ty, "tuple[]");
    assert_eq!(x.components[1].ty, "tuple[2]");
    assert_eq!(x.components[1].components.len(), 2);
    let deep = one("event D(tuple(tuple(uint8 v)[2][] inner, string s)[3] outer)");
    assert_eq!(deep.signature, "D(((uint8)[2][],string)[3])");
    assert_eq!(deep.display, "D(((uint8 v)[2][] inner, string s)[3] outer)");
}

#[test]
fn a_tuple_parameter_may_be_indexed() {
    let d = one(
        "event Keyed((address maker, bytes32 id) indexed key, (uint8 a)[] indexed legs, uint256 v)",
    );
    assert_eq!(d.topic_count, 3);
    assert!(d.event.inputs[0].indexed && d.event.inputs[1].indexed);
    assert_eq!(d.signature, "Keyed((address,bytes32),(uint8)[],uint256)");
    assert_eq!(
        d.display,
        "Keyed((address maker, bytes32 id) indexed key, (uint8 a)[] indexed legs, uint256 v)"
    );
    let anon = one("event A((address who) indexed w, uint256 v) anonymous");
    assert!(anon.event.anonymous);
    assert_eq!(anon.topic_count, 1);
}

#[test]
fn the_display_parses_back_to_the_same_event() {
    let specs = [
        "event Filled((address maker, uint256 amount, bytes32 id) order, uint256[] fills)",
        "event N((uint256,(string s,bytes)[])[] a, (bool b,int8 c)[2][] indexed d, string[][] e)",
        "event A((address who) indexed w, uint v) anonymous",
    ];
    for s in specs {
        let d = one(s);
        assert_eq!(one(&d.display), d, "{s} -> {}", d.display);
    }
    // From a JSON ABI too: what the event picker writes into `events` keeps the names.
    let abi = r#"[{"type":"event","name":"Legs","anonymous":false,"inputs":[
        {"name":"legs","type":"tuple[]","indexed":false,"components":[
          {"name":"who","type":"address"},{"name":"amounts","type":"uint256[]"}]}]}]"#;
    let imported = import_json_abi(abi).expect("abi").remove(0);
    assert_eq!(
        imported.display,
        "Legs((address who, uint256[] amounts)[] legs)"
    );
    assert_eq!(one(&imported.display), imported);
}

#[test]
fn invalid_tuples_are_refused_with_a_column() {
    let cases = [
        (
            "event E((address a, uint256 b order)",
            "invalid signature at column 31: expected `,` or `)`",
        ),
        (
            "event E((address indexed a) x)",
            "invalid signature at column 18: a tuple component cannot be `indexed`, only a parameter",
        ),
        (
            "event E(() x)",
            "invalid signature at column 10: a tuple needs at least one component",
        ),
        (
            "event E((address a, ) x)",
            "invalid signature at column 21: expected a type",
        ),
        (
            "event E(tuple x)",
            "parameter 1 `x`: unknown type `tuple` at column 9",
        ),
        (
            "event E((address a, uint257 b) x)",
            "parameter 1 `x`: component 2 `b`: unknown type `uint257` at column 21",
        ),
        (
            "event E((uint8, (bool, foo c)[] inner) x)",
            "parameter 1 `x`: component 2 `inner`: component 2 `c`: unknown type `foo` at column 24",
        ),
        (
            "event E((uint8 a)[0] x)",
            "invalid signature at column 19: an array size must be a whole number from 1",
        ),
        (
            "event E(string memory s)",
            "invalid signature at column 16: `memory` belongs in function signatures, not events",
        ),
        (
            "function f(uint256 a)",
            "invalid signature at column 1: expected an event, not a `function`",
        ),
        (
            "event E(uint256 a) external",
            "invalid signature at column 20: expected the end of the signature",
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(err(spec), format!("`{spec}`: {want}"));
    }
}

#[test]
fn a_struct_name_gets_a_hint_to_write_the_tuple() {
    let e = err("event Filled(Order order, uint256[] fills)");
    assert!(
        e.contains("parameter 1 `order`: unknown type `Order` at column 14; write a struct as the tuple of its fields"),
        "{e}"
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = format!(
        "event E({}uint8{} x)",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let e = err(&deep);
    assert!(
        e.contains("tuples are nested more than 32 deep"),
        "{}",
        &e[e.len() - 80..]
    );
    let ok = format!("event E({}uint8{} x)", "(".repeat(32), ")".repeat(32));
    assert_eq!(one(&ok).topic_count, 1);
    let unclosed = format!("event E({}uint8 x)", "(".repeat(3));
    assert!(
        err(&unclosed).contains("expected `,` or `)`"),
        "{}",
        err(&unclosed)
    );
}

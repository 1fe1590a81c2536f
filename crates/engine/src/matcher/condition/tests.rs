//! Unit tests: each operator, sugar and error, with message and span checks.

use super::*;
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::Event;
use alloy_primitives::{address, Address, B256, I256, U256};

/// Hardhat account #1, EIP-55 checksummed.
const ALICE: &str = "0x70997970C51812dC3A010C3eFe8BE8DcaF5a7B8E";

fn params(sig: &str) -> Vec<EventParam> {
    Event::parse(sig).unwrap().inputs
}

fn transfer() -> Vec<EventParam> {
    params("event Transfer(address indexed from, address indexed to, uint256 value)")
}

/// `(name, type, indexed, tuple components as (name, type))`.
pub(super) type ParamSpec<'a> = (&'a str, &'a str, bool, &'a [(&'a str, &'a str)]);

/// Builds event parameters.
pub(super) fn abi(params: &[ParamSpec<'_>]) -> Vec<EventParam> {
    let component = |(name, ty): &(&str, &str)| alloy_json_abi::Param {
        ty: ty.to_string(),
        name: name.to_string(),
        components: vec![],
        internal_type: None,
    };
    params
        .iter()
        .map(|(name, ty, indexed, comps)| EventParam {
            ty: ty.to_string(),
            name: name.to_string(),
            indexed: *indexed,
            components: comps.iter().map(component).collect(),
            internal_type: None,
        })
        .collect()
}

/// An event with one parameter of every interesting shape.
fn rich() -> Vec<EventParam> {
    abi(&[
        ("delta", "int256", false, &[]),
        ("approved", "bool", false, &[]),
        ("data", "bytes", false, &[]),
        ("tag", "bytes4", false, &[]),
        ("name", "string", false, &[]),
        ("label", "string", true, &[]),
        ("ids", "uint256[]", false, &[]),
        (
            "pair",
            "tuple",
            false,
            &[("amount0", "uint256"), ("amount1", "uint256")],
        ),
        (
            "orders",
            "tuple[2]",
            false,
            &[("who", "address"), ("amount", "uint256")],
        ),
        ("small", "uint8", false, &[]),
    ])
}

fn arg(name: &str, value: DynSolValue) -> DecodedArg {
    DecodedArg {
        name: name.into(),
        ty: String::new(),
        indexed: false,
        hashed: false,
        value,
    }
}

fn uint(v: u64) -> DynSolValue {
    DynSolValue::Uint(U256::from(v), 256)
}

fn transfer_args(to: Address, value: U256) -> Vec<DecodedArg> {
    vec![
        arg("from", DynSolValue::Address(Address::ZERO)),
        arg("to", DynSolValue::Address(to)),
        arg("value", DynSolValue::Uint(value, 256)),
    ]
}

fn rich_args() -> Vec<DecodedArg> {
    let order =
        |who: Address, amount| DynSolValue::Tuple(vec![DynSolValue::Address(who), uint(amount)]);
    let mut label = arg(
        "label",
        DynSolValue::FixedBytes(B256::repeat_byte(0xab), 32),
    );
    label.hashed = true;
    vec![
        arg("delta", DynSolValue::Int(I256::try_from(-7).unwrap(), 256)),
        arg("approved", DynSolValue::Bool(true)),
        arg("data", DynSolValue::Bytes(vec![0x12, 0x34])),
        arg("tag", DynSolValue::FixedBytes(B256::ZERO, 4)),
        arg("name", DynSolValue::String("Bob \"B\"".into())),
        label,
        arg("ids", DynSolValue::Array(vec![uint(7), uint(8)])),
        arg("pair", DynSolValue::Tuple(vec![uint(0), uint(5)])),
        arg(
            "orders",
            DynSolValue::FixedArray(vec![
                order(Address::ZERO, 1),
                order(Address::repeat_byte(1), 2),
            ]),
        ),
        arg("small", uint(3)),
    ]
}

fn ctx(decimals: Option<u8>) -> EvalContext {
    EvalContext { decimals }
}

fn eval_rich(src: &str) -> Result<bool, EvalError> {
    Condition::parse(src, &rich())
        .unwrap()
        .eval(&rich_args(), &ctx(Some(6)))
}

fn eval_transfer(src: &str, value: u64, decimals: Option<u8>) -> Result<bool, EvalError> {
    let args = transfer_args(
        address!("70997970C51812dc3A010C3efE8bE8DCAF5A7B8e"),
        U256::from(value),
    );
    Condition::parse(src, &transfer())
        .unwrap()
        .eval(&args, &ctx(decimals))
}

/// Asserts a parse error whose message contains `needle` and whose span is exactly `at`.
fn assert_err(src: &str, params: &[EventParam], needle: &str, at: &str) -> ConditionError {
    let e = Condition::parse(src, params).unwrap_err();
    assert!(
        e.message.contains(needle),
        "message {:?} lacks {needle:?}",
        e.message
    );
    assert_eq!(
        &src[e.offset..e.offset + e.len],
        at,
        "wrong span for {:?}",
        e.message
    );
    assert_eq!(e.source, src);
    e
}

#[test]
fn address_and_value() {
    let src = format!("to == {ALICE} and value >= 1000");
    assert!(eval_transfer(&src, 1000, None).unwrap());
    assert!(!eval_transfer(&src, 999, None).unwrap());
}

#[test]
fn addresses_compare_case_insensitively() {
    let lower = ALICE.to_lowercase();
    let upper = format!("0x{}", ALICE[2..].to_uppercase());
    assert!(eval_transfer(&format!("to == {lower}"), 0, None).unwrap());
    assert!(eval_transfer(&format!("to == {upper}"), 0, None).unwrap());
    assert!(eval_transfer(&format!("to != {lower} or value == 0"), 0, None).unwrap());
}

#[test]
fn comparison_operators() {
    for (src, expected) in [
        ("value == 10", true),
        ("value != 10", false),
        ("value < 11", true),
        ("value <= 10", true),
        ("value > 10", false),
        ("value >= 10", true),
        ("9 < value", true),
    ] {
        assert_eq!(eval_transfer(src, 10, None).unwrap(), expected, "{src}");
    }
}

#[test]
fn boolean_operators_and_precedence() {
    assert!(eval_transfer("value == 1 or value == 10 and value > 5", 1, None).unwrap());
    assert!(!eval_transfer("(value == 1 or value == 10) and value > 5", 1, None).unwrap());
    assert!(eval_transfer("value == 2 || value == 1 && !(value < 1)", 1, None).unwrap());
    assert!(eval_transfer("not value < 5", 7, None).unwrap());
    assert!(eval_transfer("NOT (value < 5) AND value > 6", 7, None).unwrap());
}

#[test]
fn in_and_not_in() {
    let src = format!("(from in [0xabcabcabcabcabcabcabcabcabcabcabcabcabca, {ALICE}] or to == {ALICE}) and not (value < 5)");
    assert!(eval_transfer(&src, 5, None).unwrap());
    assert!(!eval_transfer(&src, 4, None).unwrap());
    assert!(eval_transfer("value in [1, 2, 3,]", 2, None).unwrap());
    assert!(!eval_transfer("value not in [1, 2, 3]", 2, None).unwrap());
    assert!(eval_transfer("value not in [1, 2, 3]", 4, None).unwrap());
}

#[test]
fn exact_arithmetic() {
    assert!(eval_transfer("value == 1.5 * 10^6", 1_500_000, None).unwrap());
    assert!(eval_transfer("value == 1_000 + 2 * 3", 1006, None).unwrap());
    assert!(eval_transfer("value == 2^3^2", 512, None).unwrap());
    assert!(eval_transfer("value == 2 ** 3 - 10 + 4", 2, None).unwrap());
    assert!(eval_transfer("value == (1 + 2) * 3", 9, None).unwrap());
    assert!(eval_transfer("value == 0.25 * 4 * 0.5 * 20", 10, None).unwrap());
    assert!(eval_transfer("value == 0xff", 255, None).unwrap());
    assert!(eval_rich("delta == -2^2 - 3").unwrap());
    assert!(eval_rich("delta < -5 and delta > -8").unwrap());
}

#[test]
fn full_256_bit_range() {
    let max = "value == 2^256 - 1";
    let args = transfer_args(Address::ZERO, U256::MAX);
    let c = Condition::parse(max, &transfer()).unwrap();
    assert!(c.eval(&args, &ctx(None)).unwrap());
    let big =
        "value > 115792089237316195423570985008687907853269984665640564039457584007913129639934";
    assert!(Condition::parse(big, &transfer())
        .unwrap()
        .eval(&args, &ctx(None))
        .unwrap());
    let near = transfer_args(Address::ZERO, U256::MAX - U256::from(1));
    assert!(!c.eval(&near, &ctx(None)).unwrap());
}

#[test]
fn decimals_identifier() {
    let c = Condition::parse("value >= 1000 * 10^decimals", &transfer()).unwrap();
    assert!(c.uses_decimals());
    assert!(eval_transfer("value >= 1000 * 10^decimals", 1_000_000_000, Some(6)).unwrap());
    assert!(!eval_transfer("value >= 1000 * 10^decimals", 999_999_999, Some(6)).unwrap());
    assert_eq!(
        eval_transfer("value >= 10^decimals", 1, None),
        Err(EvalError::DecimalsUnknown)
    );
    assert!(!Condition::parse("value >= 1000", &transfer())
        .unwrap()
        .uses_decimals());
}

#[test]
fn tokens_unit() {
    assert!(Condition::parse("value >= 1 tokens", &transfer())
        .unwrap()
        .uses_decimals());
    assert!(eval_transfer("value >= 1000 tokens", 1_000_000_000, Some(6)).unwrap());
    assert!(!eval_transfer("value >= 1000 tokens", 999_999_999, Some(6)).unwrap());
    assert!(eval_transfer("value == 1.5 tokens", 1_500_000, Some(6)).unwrap());
    assert!(eval_transfer("value == 2 * 10^2 tokens", 200_000, Some(3)).unwrap());
    assert!(eval_transfer("value in [1 token, 2 tokens]", 20, Some(1)).unwrap());
    // A token without decimals: fractions of it compare exactly.
    assert!(!eval_transfer("value == 1.5 tokens", 1, Some(0)).unwrap());
    assert!(eval_transfer("value < 1.5 tokens", 1, Some(0)).unwrap());
    assert!(!eval_transfer("value < 1.5 tokens", 2, Some(0)).unwrap());
}

#[test]
fn decimals_parameter_wins() {
    let p = params("event Info(uint8 decimals, uint256 value)");
    let c = Condition::parse("decimals == 6", &p).unwrap();
    assert!(!c.uses_decimals());
    let args = vec![arg("decimals", uint(6)), arg("value", uint(0))];
    assert!(c.eval(&args, &ctx(Some(18))).unwrap());
}

#[test]
fn paths_into_tuples_and_arrays() {
    assert!(eval_rich("pair.amount1 > 0 and pair.amount0 == 0").unwrap());
    assert!(eval_rich("pair.1 == 5").unwrap());
    assert!(eval_rich("ids[0] == 7 and ids[1] == 8").unwrap());
    assert!(eval_rich(
        "orders[1].amount == 2 and orders[1].who == 0x0101010101010101010101010101010101010101"
    )
    .unwrap());
    assert!(eval_rich("pair.amount0 + pair.amount1 == 5").unwrap());
    let e = eval_rich("ids[5] == 1").unwrap_err();
    assert_eq!(
        e,
        EvalError::IndexOutOfBounds {
            path: "ids[5]".into(),
            index: 5,
            len: 2
        }
    );
    // An index past the end is unknown, not false: another term can still decide.
    assert!(eval_rich("ids[5] == 1 or ids[0] == 7").unwrap());
    assert!(eval_rich("ids[0] == 7 or ids[5] == 1").unwrap());
    assert!(!eval_rich("ids[5] == 1 and ids[0] == 8").unwrap());
    assert!(
        eval_rich("not (ids[5] == 1)").is_err(),
        "not of unknown is unknown"
    );
    assert!(eval_rich("ids[5] == 1 or ids[0] == 8").is_err());
}

#[test]
fn bytes_bools_strings() {
    assert!(eval_rich("data == 0x1234").unwrap());
    assert!(eval_rich("data != 0x12").unwrap());
    assert!(eval_rich("tag == 0x00000000").unwrap());
    assert!(eval_rich("approved == true").unwrap());
    assert!(eval_rich("approved").unwrap());
    assert!(!eval_rich("!approved").unwrap());
    assert!(eval_rich(r#"name == "Bob \"B\"""#).unwrap());
    assert!(eval_rich(r#"name in ["x", "Bob \"B\""]"#).unwrap());
}

#[test]
fn hashed_parameter_compares_with_hash() {
    let hash = format!("0x{}", "ab".repeat(32));
    assert!(eval_rich(&format!("label == {hash}")).unwrap());
    let src = r#"label == "Bob""#;
    let e = assert_err(src, &rich(), "arrives as a keccak256 hash", "\"Bob\"");
    assert!(e.message.contains("`label`"));
    assert_err("label < 0x12", &rich(), "`label` is an indexed string", "<");
    assert_err("label == 0x1234", &rich(), "32-byte hex value", "0x1234");
    assert_err(
        "label.x == 1",
        &rich(),
        "`label` is an indexed string",
        ".x",
    );
}

#[test]
fn positional_parameters() {
    let p = vec![EventParam {
        ty: "uint256".into(),
        name: String::new(),
        indexed: false,
        components: vec![],
        internal_type: None,
    }];
    let args = vec![arg("arg0", uint(3))];
    for src in ["$0 == 3", "arg0 == 3"] {
        assert!(
            Condition::parse(src, &p)
                .unwrap()
                .eval(&args, &ctx(None))
                .unwrap(),
            "{src}"
        );
    }
    assert!(eval_transfer(
        "$2 == 3 and $1 == 0x70997970c51812dc3a010c3efe8be8dcaf5a7b8e",
        3,
        None
    )
    .unwrap());
    assert_err("arg2 == 3", &transfer(), "unknown field `arg2`", "arg2");
    assert_err("$9 == 3", &transfer(), "no parameter `$9`", "$9");
    assert_err(
        "value == 1 or $0 == 1",
        &p,
        "unknown field `value`; fields are: $0",
        "value",
    );
}

#[test]
fn field_to_field() {
    assert!(!eval_transfer("from == to", 0, None).unwrap());
    assert!(eval_rich("pair.amount0 < pair.amount1 and orders[0].who != orders[1].who").unwrap());
    assert_err(
        "from == value",
        &transfer(),
        "cannot compare address `from` with uint256 `value`",
        "value",
    );
}

#[test]
fn eval_errors() {
    let c = Condition::parse("value > 1", &transfer()).unwrap();
    assert_eq!(
        c.eval(&[], &ctx(None)),
        Err(EvalError::MissingField("value".into()))
    );
    let wrong = vec![
        arg("from", uint(0)),
        arg("to", uint(0)),
        arg("value", DynSolValue::Bool(true)),
    ];
    let e = c.eval(&wrong, &ctx(None)).unwrap_err();
    assert!(
        matches!(e, EvalError::TypeMismatch { ref path, .. } if path == "value"),
        "{e}"
    );
    let c = Condition::parse("value == 10^decimals", &transfer()).unwrap();
    let e = c
        .eval(&transfer_args(Address::ZERO, U256::ZERO), &ctx(Some(200)))
        .unwrap_err();
    assert!(matches!(e, EvalError::Arithmetic { .. }), "{e}");
}

#[test]
fn args_found_by_name_when_reordered() {
    let c = Condition::parse("value == 3", &transfer()).unwrap();
    let args = vec![arg("value", uint(3)), arg("from", uint(0))];
    assert!(c.eval(&args, &ctx(None)).unwrap());
}

#[test]
fn error_unknown_field_lists_fields() {
    let src = format!("too == {ALICE} and value >= 1000");
    let e = assert_err(
        &src,
        &transfer(),
        "unknown field `too`; fields are: from, to, value",
        "too",
    );
    assert_eq!(e.offset, 0);
    let shown = e.to_string();
    let expected = format!("unknown field `too`; fields are: from, to, value\n  {src}\n  ^^^");
    assert_eq!(shown, expected);
    assert_err(
        "pair.amount2 > 0",
        &rich(),
        "unknown field `amount2` in `pair`; fields are: amount0, amount1",
        ".amount2",
    );
}

#[test]
fn error_display_points_into_later_lines() {
    let e = Condition::parse("value > 1\n  and tooo == 2", &transfer()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown field `tooo`; fields are: from, to, value\n    and tooo == 2\n        ^^^^"
    );
}

#[test]
fn error_path_into_non_tuple_or_array() {
    assert_err(
        "value.x > 0",
        &transfer(),
        "`value` is uint256, not a tuple",
        ".x",
    );
    assert_err(
        "value[0] > 0",
        &transfer(),
        "`value` is uint256, not an array",
        "[0]",
    );
    assert_err("ids.x > 0", &rich(), "`ids` is an array", ".x");
    assert_err("pair[0] > 0", &rich(), "`pair` is a tuple", "[0]");
    assert_err(
        "orders[2].amount > 0",
        &rich(),
        "index 2 is out of bounds: `orders`",
        "[2]",
    );
    assert_err("pair == 1", &rich(), "`pair` is a tuple", "pair");
    assert_err("ids == 1", &rich(), "`ids` is an array", "ids");
}

#[test]
fn error_type_mismatches() {
    let max = format!("0x{}", "f".repeat(64));
    assert_err(&format!("delta == {max}"), &rich(), "overflows", &max);
    assert!(Condition::parse("delta == 0x7f", &rich()).is_ok());
    let p = params("event E(bytes4 sel, bytes32 h, bytes raw)");
    assert_err("sel == h", &p, "cannot compare", "h");
    assert!(
        Condition::parse("raw == h", &p).is_ok(),
        "dynamic bytes may hold 32"
    );
    assert_err(
        "to == 5",
        &transfer(),
        "cannot compare address `to` with a number",
        "5",
    );
    assert_err(
        "5 == to",
        &transfer(),
        "cannot compare address `to` with a number",
        "5",
    );
    assert_err(
        "value == \"x\"",
        &transfer(),
        "cannot compare uint256 `value` with a string",
        "\"x\"",
    );
    assert_err(
        "name == 5",
        &rich(),
        "cannot compare string `name` with a number",
        "5",
    );
    assert_err(
        "approved == 1",
        &rich(),
        "cannot compare bool `approved` with a number",
        "1",
    );
    assert_err(
        "tag == 0x1234",
        &rich(),
        "bytes4 `tag` holds 4 bytes",
        "0x1234",
    );
    assert_err(
        "data == 0x123",
        &rich(),
        "even number of hex digits",
        "0x123",
    );
    assert_err(
        "value",
        &transfer(),
        "uint256 `value` is not a condition",
        "value",
    );
    assert_err(
        "value + to > 1",
        &transfer(),
        "address `to` is not a number",
        "to",
    );
    assert_err(
        "\"a\" == 1",
        &transfer(),
        "expected a number, found a string",
        "\"a\"",
    );
}

#[test]
fn error_ordering_on_non_numbers() {
    let a = ALICE.to_lowercase();
    assert_err(
        &format!("to < {a}"),
        &transfer(),
        "`<` cannot order address `to`",
        "<",
    );
    assert_err(
        "approved >= true",
        &rich(),
        "`>=` cannot order bool `approved`",
        ">=",
    );
    assert_err("data > 0x12", &rich(), "`>` cannot order bytes `data`", ">");
    assert_err(
        "name <= \"a\"",
        &rich(),
        "`<=` cannot order string `name`",
        "<=",
    );
    assert_err("\"a\" < \"b\"", &rich(), "`<` needs numbers", "<");
}

#[test]
fn error_malformed_addresses() {
    assert_err(
        "to == 0x1234",
        &transfer(),
        "malformed address `0x1234`: expected 40 hex digits, found 4",
        "0x1234",
    );
    let not_hex = "0x70997970C51812dc3A010C3efE8bE8DCAF5A7Bzz";
    assert_err(
        &format!("to == {not_hex}"),
        &transfer(),
        "`z` is not a hex digit",
        not_hex,
    );
    // As written in the issue's example config: the EIP-55 checksum is wrong. It is
    // accepted (the documented config must work as written) and reported as a warning.
    let bad_sum = "0x70997970C51812dc3A010C3efE8bE8DCAF5A7B8e";
    let src = format!("from == {bad_sum}");
    assert!(Condition::parse(&src, &transfer()).is_ok());
    let warnings = super::address_warnings(&src);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("EIP-55 checksum") && warnings[0].contains(bad_sum));
    assert!(super::address_warnings(&format!("to == {ALICE}")).is_empty());
    assert!(Condition::parse(&format!("to == {ALICE}"), &transfer()).is_ok());
}

#[test]
fn error_numbers() {
    assert_err("value > 2^256", &transfer(), "overflows 256 bits", "2^256");
    let lit = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    assert_err(
        &format!("value > {lit}"),
        &transfer(),
        "overflows 256 bits",
        lit,
    );
    let huge = "9".repeat(200);
    assert_err(
        &format!("value > {huge}"),
        &transfer(),
        "overflows 256 bits",
        &huge,
    );
    assert_err(
        "delta > 2^255",
        &rich(),
        "overflows 256 bits (int256 `delta`",
        "2^255",
    );
    assert!(Condition::parse("delta >= -2^255", &rich()).is_ok());
    assert_err(
        "value > -1",
        &transfer(),
        "negative number compared with unsigned uint256 `value`",
        "-1",
    );
    assert_err("value > 3 - 5", &transfer(), "negative number", "3 - 5");
    assert_err(
        "value > -(1 tokens)",
        &transfer(),
        "negative number",
        "-(1 tokens)",
    );
    assert_err(
        "value > 1.5",
        &transfer(),
        "`1.5` is not a whole number",
        "1.5",
    );
    assert_err("value > 2^-1", &transfer(), "must not be negative", "2^-1");
    assert_err("value > 2^0.5", &transfer(), "whole number", "2^0.5");
    assert_err("value > 1e18", &transfer(), "invalid number `1e18`", "1e18");
    assert_err(
        "value > 0xzz",
        &transfer(),
        "not a valid hex number",
        "0xzz",
    );
}

#[test]
fn error_empty_in_list() {
    assert_err(
        "to in []",
        &transfer(),
        "`in` needs at least one value",
        "[]",
    );
    assert_err(
        "to not in [ ]",
        &transfer(),
        "`in` needs at least one value",
        "[ ]",
    );
}

#[test]
fn error_syntax() {
    assert_err("value > 1 foo", &transfer(), "unexpected `foo`", "foo");
    assert_err("value > 1 == 2", &transfer(), "unexpected `==`", "==");
    assert_err("(value > 1", &transfer(), "unclosed `(`", "(");
    assert_err("value > (1 + 2", &transfer(), "unclosed `(`", "(");
    assert_err("value > 1)", &transfer(), "unbalanced `)`", ")");
    assert_err("value = 1", &transfer(), "did you mean `==`", "=");
    assert_err("value > \"abc", &transfer(), "unterminated string", "\"");
    assert_err(
        "value > ",
        &transfer(),
        "expected a field or a value, found end of input",
        "",
    );
    assert_err("", &transfer(), "expected a field or a value", "");
    assert_err("value in 1", &transfer(), "expected `[` after `in`", "1");
    assert_err("value > 1 and", &transfer(), "found end of input", "");
    assert_err("value € 1", &transfer(), "unexpected character `€`", "€");
}

#[test]
fn error_nesting_limit() {
    let deep = format!("{}value > 1{}", "(".repeat(500), ")".repeat(500));
    assert_err(&deep, &transfer(), "nested too deeply", "(");
    let negs = format!("value > {}1", "-".repeat(500));
    assert!(Condition::parse(&negs, &transfer()).is_err());
    let fine = format!("{}value > 1{}", "(".repeat(20), ")".repeat(20));
    assert!(Condition::parse(&fine, &transfer()).is_ok());
}

#[test]
fn display_is_canonical() {
    let c = Condition::parse(
        "value==1&&(to==0xabc0000000000000000000000000000000000000||!(value<2)) ",
        &transfer(),
    );
    let c = c.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.to_string(),
        "value == 1 and (to == 0xabc0000000000000000000000000000000000000 or not (value < 2))"
    );
    let c = Condition::parse("value >= -(-2)^2 * 1_000.50 TOKENS", &transfer()).unwrap();
    assert_eq!(c.to_string(), "value >= -(-2)^2 * 1000.5 tokens");
    assert_eq!(c.source(), "value >= -(-2)^2 * 1_000.50 TOKENS");
}

#[test]
fn long_lists_and_chains_do_not_recurse_deeply() {
    let items: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
    let list = format!("value in [{}]", items.join(", "));
    assert!(eval_transfer(&list, 19_999, None).unwrap());
    let chain = items
        .iter()
        .map(|i| format!("value == {i}"))
        .collect::<Vec<_>>()
        .join(" or ");
    assert!(eval_transfer(&chain, 19_999, None).unwrap());
    let sum = format!("value == {}", vec!["1"; 60].join(" + "));
    assert!(eval_transfer(&sum, 60, None).unwrap());
    let too_long = format!("value == {}", vec!["1"; 20_000].join(" + "));
    assert_err(&too_long, &transfer(), "too long", "+");
}

//! Unit tests: overflow, refused at check time when the constant part overflows, and a
//! failure at evaluation (counted per listener) when the event's values make it overflow.

use super::*;
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::Event;
use alloy_primitives::U256;

fn transfer() -> Vec<EventParam> {
    Event::parse("event Transfer(address indexed from, address indexed to, uint256 value)")
        .map(|e| e.inputs)
        .unwrap()
}

fn batch() -> Vec<EventParam> {
    Event::parse("event Batch(uint256[] ids, uint256 value)")
        .map(|e| e.inputs)
        .unwrap()
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

fn eval(src: &str, params: &[EventParam], value: U256) -> Result<bool, EvalError> {
    let args = [
        arg("from", DynSolValue::Address(Default::default())),
        arg("to", DynSolValue::Address(Default::default())),
        arg("ids", DynSolValue::Array(vec![])),
        arg("value", DynSolValue::Uint(value, 256)),
    ];
    let c = Condition::parse(src, params).unwrap();
    c.eval(&args, &EvalContext { decimals: None })
}

/// The message and the underlined text of a refused condition.
fn refused(src: &str) -> (String, String) {
    let e = Condition::parse(src, &transfer()).unwrap_err();
    (
        e.message.clone(),
        src[e.offset..e.offset + e.len].to_string(),
    )
}

#[test]
fn a_constant_part_beyond_256_bits_is_refused_with_a_caret() {
    let cases = [
        ("value * 10^70 * 10^70 > 1", "value * 10^70 * 10^70"),
        ("10^70 * (value * 10^70) > 1", "10^70 * (value * 10^70)"),
        ("value * 10^80 > 1", "value * 10^80"),
        ("value + 2^300 > 1", "value + 2^300"),
        ("1 < 2^200 * value * 2^100", "2^200 * value * 2^100"),
    ];
    for (src, at) in cases {
        let (message, underlined) = refused(src);
        assert_eq!(message, "number overflows 256 bits", "{src}");
        assert_eq!(underlined, at, "{src}");
    }
    // Already refused before: a constant alone past 512 bits, or compared with a field.
    assert_eq!(refused("value > 10^80 * 10^80").1, "10^80 * 10^80");
    assert_eq!(refused("value > 10^70 * 10^70").1, "10^70 * 10^70");
}

#[test]
fn constant_parts_within_256_bits_are_kept_and_regrouped_exactly() {
    let two = U256::from(2);
    assert_eq!(
        eval("value * 10^30 * 10^30 == 2 * 10^60", &transfer(), two),
        Ok(true)
    );
    assert_eq!(eval("value * 0.5 * 4 == 4", &transfer(), two), Ok(true));
    assert_eq!(eval("1 + value + 2 == 5", &transfer(), two), Ok(true));
    assert_eq!(eval("value - 1 - 1 == 0", &transfer(), two), Ok(true));
    let c = Condition::parse("value * 10^30 * 10^30 > 1", &transfer()).unwrap();
    assert_eq!(
        c.to_string(),
        "value * 10^30 * 10^30 > 1",
        "shown as written"
    );
}

#[test]
fn an_overflow_at_evaluation_is_a_failure() {
    let cube = "value * value * value > 1";
    assert_eq!(eval(cube, &transfer(), U256::from(5)), Ok(true));
    let e = eval(cube, &transfer(), U256::from(1) << 200).unwrap_err();
    assert!(e.is_failure(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "`value * value * value`: number overflows 256 bits"
    );
    let e = eval("2^value > 1", &transfer(), U256::from(2000)).unwrap_err();
    assert!(e.is_failure() && e.to_string().contains("overflows"), "{e}");
}

#[test]
fn an_unknown_term_is_no_failure_but_an_overflow_beside_it_is() {
    let huge = U256::from(1) << 200;
    let e = eval("ids[5] == 7", &batch(), huge).unwrap_err();
    assert!(!e.is_failure(), "an index past the end does not match: {e}");
    assert!(!EvalError::DecimalsUnknown.is_failure());
    let both = "ids[5] == 7 or value * value * value > 1";
    let e = eval(both, &batch(), huge).unwrap_err();
    assert!(e.is_failure(), "the overflow is reported: {e}");
    let e = eval("value * value * value > 1 and ids[5] == 7", &batch(), huge).unwrap_err();
    assert!(e.is_failure(), "{e}");
    // Another term decides: no error.
    let decided = "value * value * value > 1 or value > 0";
    assert_eq!(eval(decided, &batch(), huge), Ok(true));
}

//! Property tests: the parser never panics, numbers compare exactly as 256-bit integers, and
//! the canonical `Display` form re-parses to the same condition.

use super::*;
use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, I256, U256};
use proptest::prelude::*;

fn params() -> Vec<EventParam> {
    super::tests::abi(&[
        ("from", "address", true, &[]),
        ("value", "uint256", false, &[]),
        ("delta", "int256", false, &[]),
        ("ok", "bool", false, &[]),
        ("data", "bytes", false, &[]),
        ("name", "string", false, &[]),
        ("label", "string", true, &[]),
        ("ids", "uint256[]", false, &[]),
        (
            "pair",
            "tuple",
            false,
            &[("a", "uint256"), ("b", "address")],
        ),
        ("decimals", "uint8", false, &[]),
    ])
}

fn args(value: U256, delta: I256) -> Vec<DecodedArg> {
    let arg = |name: &str, value| DecodedArg {
        name: name.into(),
        ty: String::new(),
        indexed: false,
        hashed: false,
        value,
    };
    vec![
        arg("from", DynSolValue::Address(Address::repeat_byte(0x11))),
        arg("value", DynSolValue::Uint(value, 256)),
        arg("delta", DynSolValue::Int(delta, 256)),
        arg("ok", DynSolValue::Bool(true)),
        arg("data", DynSolValue::Bytes(vec![1, 2])),
        arg("name", DynSolValue::String("bob".into())),
        arg("label", DynSolValue::FixedBytes(Default::default(), 32)),
        arg(
            "ids",
            DynSolValue::Array(vec![DynSolValue::Uint(U256::from(1), 256)]),
        ),
        arg(
            "pair",
            DynSolValue::Tuple(vec![
                DynSolValue::Uint(value, 256),
                DynSolValue::Address(Address::ZERO),
            ]),
        ),
        arg("decimals", DynSolValue::Uint(U256::from(18), 8)),
    ]
}

fn u256() -> impl Strategy<Value = U256> {
    prop_oneof![
        any::<[u64; 4]>().prop_map(U256::from_limbs),
        any::<u64>().prop_map(U256::from),
        Just(U256::ZERO),
        Just(U256::MAX),
    ]
}

fn i256() -> impl Strategy<Value = I256> {
    prop_oneof![
        u256().prop_map(I256::from_raw),
        Just(I256::MIN),
        Just(I256::MAX),
        Just(I256::ZERO)
    ]
}

/// Condition-looking text, to reach deep into the parser more often than random strings do.
fn tokenish() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("value"),
        Just("delta"),
        Just("from"),
        Just("pair.a"),
        Just("pair.b"),
        Just("ids[0]"),
        Just("$1"),
        Just("decimals"),
        Just("ok"),
        Just("data"),
        Just("name"),
        Just("label"),
        Just("1"),
        Just("1.5"),
        Just("-"),
        Just("0x1234"),
        Just("0x1111111111111111111111111111111111111111"),
        Just("\"bob\""),
        Just("true"),
        Just("tokens"),
        Just("=="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just("and"),
        Just("or"),
        Just("not"),
        Just("in"),
        Just("["),
        Just("]"),
        Just(","),
        Just("("),
        Just(")"),
        Just("*"),
        Just("^"),
        Just("+"),
        Just("!"),
        Just("."),
        Just("10^77"),
        Just("2^256"),
    ];
    proptest::collection::vec(atoms, 0..24).prop_map(|v| v.join(" "))
}

fn cmp_op() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">=")
    ]
}

/// Random well-formed conditions over [`params`].
fn condition() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        (1u32..1000, 1u32..7).prop_map(|(n, d)| format!("{n} * 10^{d}")),
        (0u32..100).prop_map(|n| format!("{n}.5 * 2 tokens")),
        (1u32..50).prop_map(|n| format!("({n} + 1) * 10^decimals - {n}")),
    ];
    let leaf = prop_oneof![
        (cmp_op(), number.clone()).prop_map(|(op, n)| format!("value {op} {n}")),
        (cmp_op(), number).prop_map(|(op, n)| format!("pair.a {op} {n}")),
        (cmp_op(), any::<i64>()).prop_map(|(op, n)| format!("delta {op} {n}")),
        Just("from == 0x1111111111111111111111111111111111111111".to_string()),
        Just("name in [\"bob\", \"al\\\"ice\"]".to_string()),
        Just("ok".to_string()),
        Just("data != 0x0102".to_string()),
        Just("ids[0] not in [1, 2]".to_string()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn check_no_panic(src: &str) {
    if let Ok(c) = Condition::parse(src, &params()) {
        for decimals in [None, Some(0), Some(18), Some(255)] {
            let _ = c.eval(&args(U256::MAX, I256::MIN), &EvalContext { decimals });
            let _ = c.eval(&[], &EvalContext { decimals });
        }
        let _ = c.to_string();
    }
}

proptest! {
    #[test]
    fn parser_never_panics(src in any::<String>()) {
        check_no_panic(&src);
    }

    #[test]
    fn parser_never_panics_on_condition_like_text(src in tokenish()) {
        check_no_panic(&src);
    }

    #[test]
    fn uint_comparisons_match_u256(a in u256(), b in u256(), op in cmp_op()) {
        let c = Condition::parse(&format!("value {op} {a}"), &params()).unwrap();
        let got = c.eval(&args(b, I256::ZERO), &EvalContext::default()).unwrap();
        let want = match op { "==" => b == a, "!=" => b != a, "<" => b < a, "<=" => b <= a, ">" => b > a, _ => b >= a };
        prop_assert_eq!(got, want);
    }

    #[test]
    fn value_ge_matches_u256(a in u256(), b in u256()) {
        let c = Condition::parse(&format!("value >= {a}"), &params()).unwrap();
        prop_assert_eq!(c.eval(&args(b, I256::ZERO), &EvalContext::default()).unwrap(), b >= a);
    }

    #[test]
    fn int_comparisons_match_i256(a in i256(), b in i256(), op in cmp_op()) {
        let c = Condition::parse(&format!("delta {op} {a}"), &params()).unwrap();
        let got = c.eval(&args(U256::ZERO, b), &EvalContext::default()).unwrap();
        let want = match op { "==" => b == a, "!=" => b != a, "<" => b < a, "<=" => b <= a, ">" => b > a, _ => b >= a };
        prop_assert_eq!(got, want);
    }

    #[test]
    fn display_round_trips(src in condition(), value in u256(), delta in i256()) {
        let c = Condition::parse(&src, &params()).unwrap();
        let shown = c.to_string();
        let again = Condition::parse(&shown, &params()).unwrap();
        prop_assert_eq!(again.to_string(), shown.clone());
        let ctx = EvalContext { decimals: Some(6) };
        prop_assert_eq!(c.eval(&args(value, delta), &ctx), again.eval(&args(value, delta), &ctx));
    }
}

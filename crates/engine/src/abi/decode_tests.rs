//! Unit tests of `crate::decode` (kept under `abi/` so `cargo test abi` runs them).

use super::*;
use crate::abi::{import_json_abi, resolve_event_spec};
use alloy_primitives::{address, keccak256, Address, I256, U256};
use serde_json::json;
use std::sync::Arc;

fn one(spec: &str) -> EventDef {
    resolve_event_spec(spec).unwrap().remove(0)
}

fn data(values: Vec<DynSolValue>) -> Vec<u8> {
    DynSolValue::Tuple(values).abi_encode_params()
}

const FROM: Address = address!("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
const TO: Address = address!("fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359");

fn transfer_log(token_id_indexed: bool) -> (Vec<B256>, Vec<u8>) {
    let t = one("erc20:Transfer").topic0;
    let amount = U256::from(1234u64);
    if token_id_indexed {
        (
            vec![t, FROM.into_word(), TO.into_word(), amount.into()],
            vec![],
        )
    } else {
        (
            vec![t, FROM.into_word(), TO.into_word()],
            data(vec![DynSolValue::Uint(amount, 256)]),
        )
    }
}

#[test]
fn decodes_erc20_transfer() {
    let def = one("erc20:Transfer");
    let (topics, d) = transfer_log(false);
    let args = decode_log(&def, &topics, &d).unwrap();
    let names: Vec<_> = args
        .iter()
        .map(|a| (a.name.as_str(), a.ty.as_str(), a.indexed))
        .collect();
    assert_eq!(
        names,
        [
            ("from", "address", true),
            ("to", "address", true),
            ("value", "uint256", false)
        ]
    );
    assert!(args.iter().all(|a| !a.hashed));
    assert_eq!(
        args_to_json(&args),
        json!({
            "from": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "to": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "value": "1234"
        })
    );
}

#[test]
fn erc20_vs_erc721_transfer_by_topic_count() {
    let (t20, t721) = (one("erc20:Transfer"), one("erc721:Transfer"));
    let (nft_topics, nft_data) = transfer_log(true);
    assert_eq!(
        decode_log(&t20, &nft_topics, &nft_data),
        Err(DecodeError::TopicCount {
            expected: 3,
            got: 4
        })
    );
    let args = decode_log(&t721, &nft_topics, &nft_data).unwrap();
    assert_eq!(args[2].name, "tokenId");
    assert_eq!(args[2].value, DynSolValue::Uint(U256::from(1234u64), 256));

    let index = EventIndex::new([t20.clone(), t721.clone()]);
    let (ft_topics, _) = transfer_log(false);
    assert_eq!(
        index.lookup(&ft_topics),
        Lookup::Found(&Arc::new(t20.clone()))
    );
    assert_eq!(
        index.lookup(&nft_topics),
        Lookup::Found(&Arc::new(t721.clone()))
    );

    let only20 = EventIndex::new([t20.clone()]);
    let mismatch = Lookup::TopicCountMismatch {
        topic0: t20.topic0,
        got: 4,
    };
    assert_eq!(only20.lookup(&nft_topics), mismatch);
    assert_eq!(only20.lookup(&[B256::ZERO]), Lookup::Unknown);
    assert_eq!(only20.lookup(&[]), Lookup::Unknown);
}

#[test]
fn first_definition_wins_and_candidates_list_all() {
    let a = one("event Ping(uint256 indexed a)");
    let b = one("event Ping(uint256 indexed b)");
    let index = EventIndex::new([a.clone(), b.clone()]);
    let topics = [a.topic0, B256::ZERO];
    assert_eq!(index.lookup(&topics), Lookup::Found(&Arc::new(a.clone())));
    assert_eq!(
        index.candidates(&topics).collect::<Vec<_>>(),
        [&Arc::new(a.clone()), &Arc::new(b.clone())]
    );
    let other = one("event Ping(address indexed a)");
    let index = EventIndex::new([a.clone(), other.clone()]);
    assert_eq!(
        index.lookup(&[other.topic0, B256::ZERO]),
        Lookup::Found(&Arc::new(other.clone()))
    );
}

#[test]
fn signed_ints_and_uint_max() {
    let def = one("event Nums(int8 a, int256 b, uint256 c)");
    let d = data(vec![
        DynSolValue::Int(I256::try_from(-5).unwrap(), 8),
        DynSolValue::Int(I256::MIN, 256),
        DynSolValue::Uint(U256::MAX, 256),
    ]);
    let args = decode_log(&def, &[def.topic0], &d).unwrap();
    let j = args_to_json(&args);
    assert_eq!(j["a"], "-5");
    let min = "-57896044618658097711785492504343953926634992332820282019728792003956564819968";
    assert_eq!(j["b"], min);
    let max = j["c"].as_str().unwrap();
    assert_eq!(max.parse::<U256>().unwrap(), U256::MAX);
    assert_eq!(max, U256::MAX.to_string());
}

#[test]
fn value_json_forms() {
    let cases = [
        (DynSolValue::Bool(true), json!(true)),
        (
            DynSolValue::FixedBytes(B256::repeat_byte(0xab), 4),
            json!("0xabababab"),
        ),
        (DynSolValue::Bytes(vec![1, 2, 255]), json!("0x0102ff")),
        (DynSolValue::Bytes(vec![]), json!("0x")),
        (DynSolValue::String("hé".into()), json!("hé")),
        (
            DynSolValue::Address(FROM),
            json!("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        ),
        (DynSolValue::Uint(U256::ZERO, 8), json!("0")),
    ];
    for (v, want) in cases {
        assert_eq!(value_to_json(&v), want, "{v:?}");
    }
}

#[test]
fn nested_tuple_array_json_shape() {
    let abi = r#"[{"type":"event","name":"Legs","anonymous":false,"inputs":[
      {"name":"legs","type":"tuple[]","indexed":false,"components":[
        {"name":"who","type":"address"},{"name":"amounts","type":"uint256[]"},
        {"name":"inner","type":"tuple","components":[{"name":"","type":"bool"},{"name":"","type":"int8"}]}]},
      {"name":"","type":"string[2]","indexed":false}]}]"#;
    let def = import_json_abi(abi).unwrap().remove(0);
    let leg = |n: u64| {
        DynSolValue::Tuple(vec![
            DynSolValue::Address(TO),
            DynSolValue::Array(vec![DynSolValue::Uint(U256::from(n), 256)]),
            DynSolValue::Tuple(vec![
                DynSolValue::Bool(false),
                DynSolValue::Int(I256::MINUS_ONE, 8),
            ]),
        ])
    };
    let strings = DynSolValue::FixedArray(vec![
        DynSolValue::String("a".into()),
        DynSolValue::String("b".into()),
    ]);
    let d = data(vec![DynSolValue::Array(vec![leg(1), leg(2)]), strings]);
    let args = decode_log(&def, &[def.topic0], &d).unwrap();
    assert_eq!(args[0].ty, "(address,uint256[],(bool,int8))[]");
    assert_eq!(args[1].name, "arg1");
    let to = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
    let named = event_args_to_json(&def, &args);
    assert_eq!(
        named,
        json!({
            "legs": [
                {"who": to, "amounts": ["1"], "inner": [false, "-1"]},
                {"who": to, "amounts": ["2"], "inner": [false, "-1"]}
            ],
            "arg1": ["a", "b"]
        })
    );
    let plain = args_to_json(&args);
    assert_eq!(plain["legs"][1], json!([to, ["2"], [false, "-1"]]));
    assert_eq!(
        serde_json::to_string(&named).unwrap(),
        serde_json::to_string(&named).unwrap()
    );
}

#[test]
fn indexed_dynamic_params_are_hashed() {
    let def = one("erc3643:UpdatedTokenInformation");
    let topics = [
        def.topic0,
        keccak256("Name"),
        keccak256("SYM"),
        FROM.into_word(),
    ];
    let d = data(vec![
        DynSolValue::Uint(U256::from(18u8), 8),
        DynSolValue::String("1.0".into()),
    ]);
    let args = decode_log(&def, &topics, &d).unwrap();
    assert!(args[0].hashed && args[1].hashed && !args[4].hashed);
    assert_eq!(
        args[0].value,
        DynSolValue::FixedBytes(keccak256("Name"), 32)
    );
    assert_eq!(args[0].ty, "string");
    let j = args_to_json(&args);
    assert_eq!(j["_newName"], json!(keccak256("Name").to_string()));
    assert_eq!(j["_newVersion"], "1.0");
    assert_eq!(j["_newDecimals"], "18");
}

#[test]
fn anonymous_events_are_not_keyed_by_topic0() {
    let def = one("event Anon(address indexed a, uint256 b) anonymous");
    let topics = [FROM.into_word()];
    let d = data(vec![DynSolValue::Uint(U256::from(7u8), 256)]);
    let args = decode_log(&def, &topics, &d).unwrap();
    assert_eq!(args[0].value, DynSolValue::Address(FROM));
    let index = EventIndex::new([def.clone(), one("erc20:Transfer")]);
    assert_eq!(index.lookup(&topics), Lookup::Unknown);
    assert_eq!(
        index.anonymous_candidates(&topics).collect::<Vec<_>>(),
        [&Arc::new(def.clone())]
    );
    assert_eq!(index.anonymous_candidates(&[]).count(), 0);
}

#[test]
fn misfits_are_errors() {
    let def = one("erc20:Transfer");
    let (topics, d) = transfer_log(false);
    let e = decode_log(&def, &topics, &d[..31]).unwrap_err();
    assert!(matches!(e, DecodeError::Data(_)), "{e}");
    let mut wrong = topics.clone();
    wrong[0] = B256::ZERO;
    let e = decode_log(&def, &wrong, &d).unwrap_err();
    assert!(matches!(e, DecodeError::Topic0 { .. }), "{e}");
    let e = decode_log(&def, &[], &d).unwrap_err();
    assert_eq!(e.to_string(), "the log has 0 topics, the event expects 3");
    let strings = one("event S(string s)");
    let mut huge = vec![0u8; 64];
    huge[31] = 0x20;
    huge[32..].fill(0xff);
    assert!(matches!(
        decode_log(&strings, &[strings.topic0], &huge),
        Err(DecodeError::Data(_))
    ));
}

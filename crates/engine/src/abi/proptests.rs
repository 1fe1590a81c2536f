//! Property tests: decoding, spec resolution and JSON ABI import never panic.

use super::*;
use crate::decode::{args_to_json, decode_log, event_args_to_json, EventIndex};
use alloy_primitives::{B256, U256};
use proptest::prelude::*;
use serde_json::Value;

/// Every preset event plus nested tuple/array shapes.
fn all_defs() -> Vec<EventDef> {
    let mut defs: Vec<EventDef> = preset_packs()
        .iter()
        .flat_map(|p| preset_defs(p.id).unwrap().to_vec())
        .collect();
    let nested = [
        "event N1((uint256,(string,bytes)[])[] a, (bool,int8)[2][] b, string[][] c, bytes32 indexed d)",
        "event N2(((address,uint8[3])[2],bytes)[] a, (string,uint256) indexed t)",
        "event N3(uint256[][][] a, (bytes,(string[],int256)[])[3] b)",
        "event N4(string a, bytes b, uint256[] indexed c, function f) anonymous",
    ];
    defs.extend(
        nested
            .iter()
            .map(|s| resolve_event_spec(s).unwrap().remove(0)),
    );
    defs
}

/// Words that reach deep decode paths: small offsets/lengths, huge values, random words.
fn word() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        (0u64..300).prop_map(|n| U256::from(n).to_be_bytes::<32>()),
        Just(U256::MAX.to_be_bytes::<32>()),
        (0u64..u64::MAX).prop_map(|n| U256::from(n).to_be_bytes::<32>()),
        any::<[u8; 32]>(),
    ]
}

fn log_data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(word(), 0..24).prop_map(|ws| ws.concat()),
        prop::collection::vec(any::<u8>(), 0..300),
    ]
}

fn check_no_panic(def: &EventDef, topics: &[B256], data: &[u8]) {
    if let Ok(args) = decode_log(def, topics, data) {
        let _ = args_to_json(&args);
        let _ = event_args_to_json(def, &args);
    }
}

proptest! {
    #[test]
    fn decode_never_panics(
        extra in prop::collection::vec(word(), 0..5),
        keep_topic0 in any::<bool>(),
        data in log_data(),
    ) {
        let defs = all_defs();
        for def in &defs {
            let mut topics: Vec<B256> = extra.iter().map(|w| B256::from(*w)).collect();
            if keep_topic0 && !def.event.anonymous {
                topics.insert(0, def.topic0);
                topics.truncate(def.topic_count);
            }
            check_no_panic(def, &topics, &data);
        }
        let index = EventIndex::new(defs);
        let topics: Vec<B256> = extra.iter().map(|w| B256::from(*w)).collect();
        let _ = index.lookup(&topics);
    }

    #[test]
    fn fitting_topics_with_random_data_never_panic(data in log_data(), seed in any::<[u8; 32]>()) {
        for def in &all_defs() {
            let mut topics = vec![B256::from(seed); def.topic_count];
            if !def.event.anonymous {
                topics[0] = def.topic0;
            }
            check_no_panic(def, &topics, &data);
        }
    }

    #[test]
    fn a_log_of_value_words_decodes_whenever_its_data_holds_them(
        data in log_data(),
        seed in any::<[u8; 32]>(),
    ) {
        let mut checked = 0;
        for def in all_defs().iter().filter(|d| d.words.is_some()) {
            let words = def.words.as_ref().unwrap();
            let mut topics = vec![B256::from(seed); def.topic_count];
            if !def.event.anonymous {
                topics[0] = def.topic0;
            }
            let decoded = crate::decode::decode_values(def, &topics, &data);
            if data.len() >= words.data_len {
                checked += 1;
                let values = decoded.expect("the words are there");
                let amount = def.amount_at.map(|i| values[i].as_uint().expect("a uint").0);
                let word = words.amount.map(|w| match w {
                    Word::Topic(i) => U256::from_be_bytes(topics[i].0),
                    Word::Data(o) => U256::from_be_slice(&data[o..o + 32]),
                });
                prop_assert_eq!(amount, word, "{}", def.signature);
            }
        }
        prop_assert!(checked > 0, "events with no data words are always checked");
    }

    #[test]
    fn resolve_spec_never_panics(s in "\\PC{0,80}") {
        let _ = resolve_event_spec(&s);
    }

    #[test]
    fn resolve_signature_like_specs_never_panic(
        name in "[A-Za-z_][A-Za-z0-9_]{0,8}",
        tys in prop::collection::vec("(u?int[0-9]{0,3}|bytes[0-9]{0,2}|address|string|bool|\\(|\\)|,|\\[|\\]|[0-9]| indexed| x){1,8}", 0..5),
    ) {
        let _ = resolve_event_spec(&format!("event {name}({})", tys.join(", ")));
    }

    #[test]
    fn import_arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = import_json_abi(&s);
    }

    #[test]
    fn import_arbitrary_json_never_panics(v in json_value()) {
        let _ = import_json_abi(&v.to_string());
        let _ = import_json_abi(&Value::Array(vec![v.clone()]).to_string());
        let _ = import_json_abi(&serde_json::json!({ "abi": [v] }).to_string());
    }

    #[test]
    fn import_event_like_items_never_panic(
        name in "[A-Za-z_]{0,6}",
        params in prop::collection::vec(param_json(), 0..6),
        anonymous in any::<bool>(),
    ) {
        let item = serde_json::json!({
            "type": "event", "name": name, "inputs": params, "anonymous": anonymous
        });
        let _ = import_json_abi(&Value::Array(vec![item]).to_string());
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("event".to_string()),
            Just("tuple[]".to_string()),
            Just("uint256".to_string()),
            "\\PC{0,12}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("type".to_string()),
            Just("name".to_string()),
            Just("inputs".to_string()),
            Just("components".to_string()),
            Just("indexed".to_string()),
            Just("anonymous".to_string()),
            Just("abi".to_string()),
            "[a-z]{1,6}"
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn param_json() -> impl Strategy<Value = Value> {
    let ty = prop_oneof![
        Just("tuple".to_string()),
        Just("tuple[2][]".to_string()),
        "(u?int[0-9]{0,3}|bytes[0-9]{0,2}|address|string|bool)(\\[[0-9]{0,2}\\]){0,2}",
        "\\PC{0,10}",
    ];
    let leaf = (ty.clone(), any::<bool>())
        .prop_map(|(ty, indexed)| serde_json::json!({"name": "p", "type": ty, "indexed": indexed}));
    leaf.prop_recursive(3, 16, 4, move |inner| {
        (ty.clone(), prop::collection::vec(inner, 0..4), any::<bool>()).prop_map(
            |(ty, components, indexed)| {
                serde_json::json!({"name": "", "type": ty, "indexed": indexed, "components": components})
            },
        )
    })
}

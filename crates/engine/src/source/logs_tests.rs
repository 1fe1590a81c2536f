//! The fast reader of `eth_getLogs` answers agrees with serde: same logs when it reads
//! one, `None` (serde decides) on anything else, never a panic.

use super::*;
use crate::source::http::Typed;
use proptest::prelude::*;

/// What the HTTP endpoint's serde path makes of a body: the logs of a successful answer.
fn by_serde(body: &[u8]) -> Option<Vec<RpcLog>> {
    match serde_json::from_slice::<Typed<Vec<RpcLog>>>(body) {
        Ok(Typed {
            result: Some(logs),
            error: None,
        }) => Some(logs),
        _ => None,
    }
}

const ANVIL: &str = r#"{"jsonrpc":"2.0","id":1,"result":[{"address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266","0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"],"data":"0x00000000000000000000000000000000000000000000000000000000000003e8","blockHash":"0x8f0e1c6b46e0a6e1c7f2a3d2f6c1c0b9a8e7d6c5b4a39281706f5e4d3c2b1a09","blockNumber":"0x2","blockTimestamp":"0x6745c1a0","transactionHash":"0x1d2c3b4a5968778695a4b3c2d1e0f1e2d3c4b5a69788796a5b4c3d2e1f0e1d2c","transactionIndex":"0x0","logIndex":"0x0","removed":false}]}"#;

#[test]
fn reads_a_node_answer_as_serde_does() {
    let fast = parse_logs_answer(ANVIL.as_bytes()).expect("the usual answer is read");
    assert_eq!(fast.len(), 1);
    assert_eq!(fast[0].topics.len(), 3);
    assert_eq!(fast[0].data.len(), 32);
    assert_eq!(fast[0].block_number, Some(U64::from(2)));
    assert_eq!(Some(fast), by_serde(ANVIL.as_bytes()));
    let empty = r#"{"jsonrpc":"2.0","id":7,"result":[]}"#;
    assert_eq!(parse_logs_answer(empty.as_bytes()), Some(Vec::new()));
}

#[test]
fn leaves_everything_unusual_to_serde() {
    let cases = [
        // An error object, however it looks.
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}"#.to_string(),
        r#"{"jsonrpc":"2.0","id":1,"result":[],"error":null}"#.to_string(),
        // No result, or a null one.
        r#"{"jsonrpc":"2.0","id":1}"#.to_string(),
        r#"{"jsonrpc":"2.0","id":1,"result":null}"#.to_string(),
        // A repeated result or field.
        r#"{"result":[],"result":[]}"#.to_string(),
        ANVIL.replace(r#""removed":false"#, r#""removed":false,"data":"0x""#),
        // Missing required fields, wrong types, bad hex.
        ANVIL.replace(r#""address":"0x5fbdb2315678afecb367f032d93f642f64180aa3","#, ""),
        ANVIL.replace(r#""blockNumber":"0x2""#, r#""blockNumber":2"#),
        ANVIL.replace(r#""blockNumber":"0x2""#, r#""blockNumber":"0x+2""#),
        ANVIL.replace(r#""blockNumber":"0x2""#, r#""blockNumber":"0x""#),
        ANVIL.replace(r#""data":"0x"#, r#""data":"0x0x"#),
        ANVIL.replace(r#""data":"0x"#, r#""data":"0x0"#),
        ANVIL.replace(r#""removed":false"#, r#""removed":null"#),
        ANVIL.replace("0x5fbdb2315678afecb367f032d93f642f64180aa3", "0x5fbdb2315678afecb367f032d93f642f64180aa"),
        // Escapes, trailing bytes, a truncated body.
        ANVIL.replace(r#""jsonrpc":"2.0""#, r#""jsonrpc":"2\u002e0""#),
        format!("{ANVIL} x"),
        ANVIL[..ANVIL.len() - 3].to_string(),
        // Not an object at all.
        "[]".to_string(),
        String::new(),
    ];
    for body in &cases {
        assert_eq!(parse_logs_answer(body.as_bytes()), None, "{body}");
    }
}

/// One log written out with formatting choices a node could make.
#[derive(Clone, Debug)]
struct Shape {
    log: RpcLog,
    upper: bool,
    /// Leading zeros on quantities.
    zeros: usize,
    /// Extra keys with plain values.
    extra: Vec<(String, String)>,
    order: Vec<usize>,
    space: &'static str,
    /// Optional fields written as null instead of left out.
    nulls: bool,
}

fn hex_of(bytes: &[u8], upper: bool) -> String {
    let h = hex::encode(bytes);
    format!("0x{}", if upper { h.to_uppercase() } else { h })
}

fn render(s: &Shape) -> String {
    let q = |v: Option<U64>| match v {
        Some(n) => format!("\"0x{}{:x}\"", "0".repeat(s.zeros), n.to::<u64>()),
        None => "null".into(),
    };
    let h = |v: Option<B256>| {
        v.map_or("null".into(), |b| {
            format!("\"{}\"", hex_of(b.as_slice(), s.upper))
        })
    };
    let l = &s.log;
    let topics: Vec<String> = l
        .topics
        .iter()
        .map(|t| format!("\"{}\"", hex_of(t.as_slice(), s.upper)))
        .collect();
    let mut fields = vec![
        (
            "address".to_string(),
            format!("\"{}\"", hex_of(l.address.as_slice(), s.upper)),
        ),
        (
            "topics".into(),
            format!("[{}]", topics.join(&format!(",{}", s.space))),
        ),
        ("data".into(), format!("\"{}\"", hex_of(&l.data, s.upper))),
        ("removed".into(), l.removed.to_string()),
    ];
    let optional = [
        ("blockNumber", q(l.block_number)),
        ("blockHash", h(l.block_hash)),
        ("transactionHash", h(l.transaction_hash)),
        ("logIndex", q(l.log_index)),
        ("blockTimestamp", q(l.block_timestamp)),
    ];
    for (k, v) in optional {
        if v != "null" || s.nulls {
            fields.push((k.into(), v));
        }
    }
    fields.extend(s.extra.iter().cloned());
    let sp = s.space;
    let body: Vec<String> = s
        .order
        .iter()
        .filter_map(|&i| fields.get(i % fields.len().max(1)))
        .chain(fields.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .fold(Vec::<(String, String)>::new(), |mut acc, kv| {
            if !acc.iter().any(|(k, _)| *k == kv.0) {
                acc.push(kv);
            }
            acc
        })
        .into_iter()
        .map(|(k, v)| format!("{sp}\"{k}\"{sp}:{sp}{v}"))
        .collect();
    format!("{{{}{sp}}}", body.join(","))
}

fn quantity() -> impl Strategy<Value = Option<U64>> {
    prop_oneof![
        Just(None),
        any::<u64>().prop_map(|n| Some(U64::from(n))),
        (0u64..20).prop_map(|n| Some(U64::from(n)))
    ]
}

fn plain_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ._-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("[1, -2.5e3, {\"a\": []}]".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("{}".to_string()),
    ]
}

fn shape() -> impl Strategy<Value = Shape> {
    let log = (
        any::<[u8; 20]>(),
        prop::collection::vec(any::<[u8; 32]>(), 0..5),
        prop::collection::vec(any::<u8>(), 0..100),
        quantity(),
        prop::option::of(any::<[u8; 32]>()),
        prop::option::of(any::<[u8; 32]>()),
        quantity(),
        any::<bool>(),
        quantity(),
    )
        .prop_map(|(a, t, d, bn, bh, th, li, removed, ts)| RpcLog {
            address: Address::from(a),
            topics: t.into_iter().map(B256::from).collect(),
            data: Bytes::from(d),
            block_number: bn,
            block_hash: bh.map(B256::from),
            transaction_hash: th.map(B256::from),
            log_index: li,
            removed,
            block_timestamp: ts,
        });
    (
        log,
        any::<bool>(),
        0usize..3,
        prop::collection::vec(("[a-zA-Z]{1,8}", plain_value()), 0..3),
        prop::collection::vec(0usize..12, 0..12),
        prop_oneof![Just(""), Just(" "), Just("\n  "), Just("\t")],
        any::<bool>(),
    )
        .prop_map(|(log, upper, zeros, extra, order, space, nulls)| Shape {
            log,
            upper,
            zeros,
            extra,
            order,
            space,
            nulls,
        })
}

fn answer(shapes: &[Shape]) -> String {
    let logs: Vec<String> = shapes.iter().map(render).collect();
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"result":[{}]}}"#,
        logs.join(",")
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn agrees_with_serde_on_what_nodes_send(shapes in prop::collection::vec(shape(), 0..4)) {
        let body = answer(&shapes);
        let fast = parse_logs_answer(body.as_bytes());
        let slow = by_serde(body.as_bytes());
        prop_assert!(slow.is_some(), "serde reads it: {}", body);
        // Extra keys named like a field are repeats: serde refuses, and so does the reader.
        prop_assert_eq!(fast, slow, "{}", body);
    }

    #[test]
    fn a_damaged_answer_is_never_read_differently(
        shapes in prop::collection::vec(shape(), 1..3),
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![Just(b'"'), Just(b','), Just(b'}'), Just(b'\\'), Just(b'0'), Just(b'x'), Just(b' '), any::<u8>()],
        cut in any::<bool>(),
    ) {
        let mut body = answer(&shapes).into_bytes();
        let i = at.index(body.len());
        if cut {
            body.truncate(i);
        } else {
            body[i] = byte;
        }
        if let Some(logs) = parse_logs_answer(&body) {
            prop_assert_eq!(Some(logs), by_serde(&body), "{}", String::from_utf8_lossy(&body));
        }
    }
}

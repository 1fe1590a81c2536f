//! Human-readable signatures with tuples, end to end on anvil: named components, the
//! `tuple(…)` keyword, arrays of tuples, nested tuples, an indexed tuple, with and without
//! the `event` keyword; the stored args and conditions on tuple fields.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tokenwatch_engine::StoredEvent;
use tokenwatch_testkit::system::*;
use tokenwatch_testkit::{keccak256, Address, Anvil, Contract, B256, U256};

const A11: &str = "0x0000000000000000000000000000000000000a11";
const B0B: &str = "0x0000000000000000000000000000000000000b0b";

fn cs(hex: &str) -> String {
    hex.parse::<Address>().expect("address").to_checksum(None)
}

fn id(n: &str) -> B256 {
    keccak256(n)
}

/// An EventZoo with two `Filled` and one `Batched` log, and the `emitAll` shapes.
async fn zoo(anvil: &Anvil) -> Contract {
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    zoo.send("emitAll", &[]).await.expect("emitAll");
    let one = format!("({A11},7,{:#x})", id("one"));
    zoo.send("emitFilled", &[&one, "[1,2]"])
        .await
        .expect("emitFilled");
    let two = format!("({B0B},12,{:#x})", id("two"));
    zoo.send("emitFilled", &[&two, "[3]"])
        .await
        .expect("emitFilled");
    let batches = format!("[(1,[({A11},true),({B0B},false)]),(2,[({B0B},true),({A11},false)])]");
    zoo.send("emitBatched", &[&batches, &one])
        .await
        .expect("emitBatched");
    zoo
}

/// keccak256 of an `Order`'s in-place encoding: what an indexed `Order` topic holds.
fn order_hash(maker: &str, amount: u64, order_id: B256) -> String {
    let mut enc = [0u8; 96];
    enc[12..32].copy_from_slice(maker.parse::<Address>().expect("address").as_slice());
    enc[32..64].copy_from_slice(&U256::from(amount).to_be_bytes::<32>());
    enc[64..].copy_from_slice(order_id.as_slice());
    format!("{:#x}", keccak256(enc))
}

/// Runs `listeners` to the head into `db`; none counts an undecodable log.
async fn run(anvil: &Anvil, listeners: &[String], db: &Path) -> PathBuf {
    let text = format!("{}{}", network(anvil, 0), listeners.concat());
    let status = run_until_head(parse_config(&text), db).await;
    for l in &status.listeners {
        assert_eq!(l.undecodable, 0, "{l:?}");
    }
    db.to_path_buf()
}

fn args_of(rows: &[StoredEvent], event: &str) -> Vec<Value> {
    rows.iter()
        .filter(|e| e.event == event)
        .map(|e| e.args.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tuple_signatures_decode_real_logs_with_component_names() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = zoo(&anvil).await;
    let c = [zoo.address().to_string()];
    let hash = order_hash(A11, 7, id("one"));
    let listeners = [
        listener(
            "named",
            &c,
            &[
                "event Filled((address maker, uint256 amount, bytes32 id) order, uint256[] fills)",
                "event Batched((uint256 n, (address to, bool done)[2] legs)[] batches, (address maker, uint256 amount, bytes32 id) indexed order)",
            ],
            "from_block = 0",
        ),
        listener(
            "keyword",
            &c,
            &["Filled(tuple(address maker, uint256 amount, bytes32 id) order, uint256[] fills)"],
            &format!("from_block = 0\nwhere = \"order.maker == {B0B} && order.amount > 10 && fills[0] == 3\""),
        ),
        listener(
            "by_hash",
            &c,
            &["event Batched((uint256 n, (address to, bool done)[2] legs)[] batches, tuple(address maker, uint256 amount, bytes32 id) indexed order)"],
            &format!("from_block = 0\nwhere = \"order == {hash} && batches[1].legs[0].to == {B0B}\""),
        ),
        listener(
            "zoo",
            &c,
            &[
                "event ArrayEvent(uint256[] values, address[2] pair, (uint256 x, int256 y, address who, string label)[] points)",
                "event Nested(tuple(uint64 id, tuple(uint256 x, int256 y, address who, string label)[] points, bytes extra) o)",
                "event IndexedDynamic(string indexed name, bytes indexed blob, (uint256 x, int256 y, address who, string label) indexed point, uint256 plain)",
            ],
            "from_block = 0",
        ),
        listener(
            "nested_where",
            &c,
            &["Nested((uint64 id, (uint256 x, int256 y, address who, string label)[] points, bytes extra) o)"],
            &format!("from_block = 0\nwhere = \"o.id == 5 && o.points[0].who == {A11} && o.points[0].y < 0\""),
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let db = run(&anvil, &listeners, &dir.path().join("t.db")).await;

    let order = |maker: &str, amount: &str, n: &str| json!({"maker": cs(maker), "amount": amount, "id": format!("{:#x}", id(n))});
    let named = stored_rows(&db, Some("named"));
    assert_eq!(
        args_of(&named, "Filled"),
        [
            json!({"order": order(A11, "7", "one"), "fills": ["1", "2"]}),
            json!({"order": order(B0B, "12", "two"), "fills": ["3"]}),
        ]
    );
    let leg = |to: &str, done: bool| json!({"to": cs(to), "done": done});
    assert_eq!(
        args_of(&named, "Batched"),
        [json!({
            "batches": [
                {"n": "1", "legs": [leg(A11, true), leg(B0B, false)]},
                {"n": "2", "legs": [leg(B0B, true), leg(A11, false)]},
            ],
            "order": hash,
        })]
    );

    let keyword = stored_rows(&db, Some("keyword"));
    assert_eq!(
        args_of(&keyword, "Filled"),
        [json!({"order": order(B0B, "12", "two"), "fills": ["3"]})],
        "the condition on tuple fields picks the second fill"
    );

    // Unnamed components: tuples stay arrays; unnamed parameters are `arg{i}`. (A log is
    // stored under the first taking listener's definition: this one runs alone.)
    let unnamed = [listener(
        "unnamed",
        &c,
        &[
            "Filled((address,uint256,bytes32),uint256[])",
            "event Batched((uint256,(address,bool)[2])[] x, (address,uint256,bytes32) indexed)",
        ],
        "from_block = 0",
    )];
    let unnamed = stored_rows(&run(&anvil, &unnamed, &dir.path().join("u.db")).await, None);
    assert_eq!(
        args_of(&unnamed, "Filled")[0],
        json!({"arg0": [cs(A11), "7", format!("{:#x}", id("one"))], "arg1": ["1", "2"]})
    );
    assert_eq!(
        args_of(&unnamed, "Batched"),
        [json!({
            "x": [["1", [[cs(A11), true], [cs(B0B), false]]], ["2", [[cs(B0B), true], [cs(A11), false]]]],
            "arg1": hash,
        })]
    );

    assert_eq!(
        args_of(&stored_rows(&db, Some("by_hash")), "Batched").len(),
        1
    );

    let point = |x: &str, y: &str, who: &str, label: &str| json!({"x": x, "y": y, "who": cs(who), "label": label});
    let zoo_rows = stored_rows(&db, Some("zoo"));
    assert_eq!(
        args_of(&zoo_rows, "ArrayEvent")[0]["points"],
        json!([point("1", "-1", A11, "a"), point("2", "-2", B0B, "b")])
    );
    assert_eq!(
        args_of(&zoo_rows, "Nested"),
        [json!({"o": {"id": "5", "points": [point("1", "-1", A11, "a")], "extra": "0xbeef"}})]
    );
    let indexed = args_of(&zoo_rows, "IndexedDynamic");
    assert_eq!(indexed.len(), 1);
    assert_eq!(indexed[0]["plain"], "42");
    assert!(
        indexed[0]["point"].as_str().is_some_and(|h| h.len() == 66),
        "an indexed tuple is its hash: {indexed:?}"
    );
    assert_eq!(
        args_of(&stored_rows(&db, Some("nested_where")), "Nested").len(),
        1
    );
}

/// An indexed tuple is a hash on chain: a condition on one of its fields is refused when
/// the configuration is read, naming the parameter.
#[test]
fn a_condition_on_a_field_of_an_indexed_tuple_is_refused() {
    let text = format!(
        "[[networks]]\nname = \"local\"\nchain_id = 31337\nrpc = [\"http://127.0.0.1:1\"]\n{}",
        listener(
            "l",
            &[],
            &["event Batched((uint256 n)[] batches, (address maker, uint256 amount) indexed order)"],
            &format!("where = \"order.maker == {A11}\""),
        )
    );
    let problems =
        tokenwatch_engine::Config::parse(&text, std::path::Path::new(".")).expect_err("refused");
    let text = format!("{problems:?}");
    assert!(
        text.contains("`order` is an indexed (address,uint256), so it arrives as a keccak256 hash; its parts cannot be read"),
        "{text}"
    );
}

//! Decoding real logs end to end: ERC-20 vs ERC-721 `Transfer` (same topic0, other topic
//! count), every shape of the EventZoo contract through an imported JSON ABI, ERC-1155 arrays
//! and conditions on array elements, and formula escaping in the CSV export.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code fails loudly

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::{json, Value};
use tokenwatch_engine::StoredEvent;
use tokenwatch_testkit::{keccak256, repo_root, Address, Anvil, Contract, B256, U256};

fn checksum(hex: &str) -> String {
    hex.parse::<Address>().expect("address").to_checksum(None)
}

fn a11() -> String {
    checksum("0x0000000000000000000000000000000000000a11")
}

fn b0b() -> String {
    checksum("0x0000000000000000000000000000000000000b0b")
}

fn hex32(b: B256) -> String {
    format!("{b:#x}")
}

/// Exported rows as maps from header to cell, with the header.
fn export_maps(
    db: &std::path::Path,
    extra: &[&str],
) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut args = vec!["export", "--db", db.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    let out = tokenwatch(&args);
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

async fn zoo_with_events(anvil: &Anvil) -> Contract {
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    zoo.send("emitAll", &[]).await.expect("emitAll");
    zoo.send("emitInts", &["-5", "-5", "0", "0"])
        .await
        .expect("emitInts");
    zoo.send("emitPing", &[&U256::MAX.to_string()])
        .await
        .expect("emitPing");
    zoo
}

fn zoo_abi_path() -> String {
    repo_root()
        .expect("repo root")
        .join("build/contracts/EventZoo.json")
        .display()
        .to_string()
}

/// ERC-20 and ERC-721 `Transfer` share topic0 and differ in topic count. A network-wide
/// `erc20:Transfer` listener stores the ERC-20 transfers and counts the ERC-721 ones as
/// undecodable (they are not silently dropped); an `erc721:Transfer` listener stores those.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erc721_transfers_are_undecodable_for_erc20_and_stored_for_erc721() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let t20 = anvil
        .deploy("TestERC20", &["T", "T", "18"])
        .await
        .expect("deploy");
    let t721 = anvil.deploy("TestERC721", &[]).await.expect("deploy");
    t20.send("mint", &[&accounts[0].to_string(), "1000"])
        .await
        .expect("mint");
    t721.send("mint", &[&accounts[0].to_string(), "1"])
        .await
        .expect("mint 721");
    t20.send("transfer", &[&accounts[1].to_string(), "10"])
        .await
        .expect("transfer");
    t721.send("mint", &[&accounts[1].to_string(), "2"])
        .await
        .expect("mint 721");
    t721.send(
        "transferFrom",
        &[&accounts[0].to_string(), &accounts[2].to_string(), "1"],
    )
    .await
    .expect("transfer 721");
    t20.send("transfer", &[&accounts[2].to_string(), "20"])
        .await
        .expect("transfer");
    let chain20 = chain_logs(&anvil, &t20.address().to_string()).await;
    let chain721 = chain_logs(&anvil, &t721.address().to_string()).await;
    assert_eq!((chain20.len(), chain721.len()), (3, 3));

    // The ERC-20 listener alone on its network.
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener("e20", &[], &["erc20:Transfer"], "from_block = 0")
    );
    let status = run_until_head(parse_config(&text), &db).await;
    assert_eq!(live_keys(&stored_rows(&db, Some("e20"))), chain20);
    let s = listener_status(&status, "e20");
    assert_eq!(s.undecodable, 3, "every ERC-721 transfer counted: {s:?}");
    assert_eq!(s.events, 3);

    // The ERC-721 listener stores its transfers with the token id decoded from topic 3.
    let db = dir.path().join("b.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener("e721", &[], &["erc721:Transfer"], "from_block = 0")
    );
    let status = run_until_head(parse_config(&text), &db).await;
    let rows = stored_rows(&db, Some("e721"));
    assert_eq!(live_keys(&rows), chain721);
    assert_eq!(listener_status(&status, "e721").undecodable, 3);
    let ids: Vec<&str> = rows
        .iter()
        .map(|e| e.args["tokenId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "1"]);
    assert_eq!(rows[2].args["to"], json!(accounts[2].to_checksum(None)));
}

/// The undecodable count is per listener: an `erc20:Transfer` listener counts the ERC-721
/// transfers it cannot decode whether or not another listener on the same network watches
/// `erc721:Transfer` (and decodes them for itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_count_does_not_depend_on_other_listeners() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let t20 = anvil
        .deploy("TestERC20", &["T", "T", "18"])
        .await
        .expect("deploy");
    let t721 = anvil.deploy("TestERC721", &[]).await.expect("deploy");
    t20.send("mint", &[&accounts[0].to_string(), "1000"])
        .await
        .expect("mint");
    for id in 1..=2 {
        t721.send("mint", &[&accounts[1].to_string(), &id.to_string()])
            .await
            .expect("mint 721");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}{}",
        network(&anvil, 0),
        listener("e20", &[], &["erc20:Transfer"], "from_block = 0"),
        listener("e721", &[], &["erc721:Transfer"], "from_block = 0")
    );
    let status = run_until_head(parse_config(&text), &db).await;
    assert_eq!(stored_rows(&db, Some("e20")).len(), 1);
    assert_eq!(stored_rows(&db, Some("e721")).len(), 2);
    assert_eq!(listener_status(&status, "e721").undecodable, 1);
    assert_eq!(
        listener_status(&status, "e20").undecodable,
        2,
        "the ERC-721 transfers are undecodable for the ERC-20 listener"
    );
}

/// Every EventZoo shape through the listener's `abi = "path"` import: struct args as objects
/// keyed by component name (also inside arrays and nested), negative ints and uint256 max as
/// decimal strings, bytes as hex, indexed string/bytes/struct as their keccak hashes, the two
/// overloaded `Ping`s as distinct signatures, the ERC-721-shaped `Transfer` with 4 topics.
/// Checked in `StoredEvent.args` and in the CSV export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_zoo_args_decode_to_the_documented_json_and_csv() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = zoo_with_events(&anvil).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "zoo",
            &[zoo.address().to_string()],
            &[],
            &format!("from_block = 0\nabi = \"{}\"", zoo_abi_path())
        )
    );
    let status = run_until_head(parse_config(&text), &db).await;
    assert_eq!(listener_status(&status, "zoo").undecodable, 0);
    let rows = stored_rows(&db, Some("zoo"));
    let by_sig =
        |sig: &str| -> Vec<&StoredEvent> { rows.iter().filter(|e| e.signature == sig).collect() };
    let one = |sig: &str| -> &Value {
        let found = by_sig(sig);
        assert_eq!(found.len(), 1, "{sig}: {found:?}");
        &found[0].args
    };

    let point = |x: &str, y: &str, who: &str, label: &str| json!({"x": x, "y": y, "who": who, "label": label});
    assert_eq!(
        *one("StructEvent((uint256,int256,address,string))"),
        json!({"p": point("7", "-7", &a11(), "zoo")})
    );
    assert_eq!(
        *one("ArrayEvent(uint256[],address[2],(uint256,int256,address,string)[])"),
        json!({
            "values": ["1", "2", "3"],
            "pair": [a11(), b0b()],
            "points": [point("1", "-1", &a11(), "a"), point("2", "-2", &b0b(), "b")]
        })
    );
    assert_eq!(
        *one("BytesString(bytes,string)"),
        json!({"data": "0xdeadbeef", "text": "hello, zoo"})
    );
    let ints = by_sig("Ints(int8,int256,uint8,uint24)");
    assert_eq!(ints.len(), 2);
    assert_eq!(
        ints[0].args,
        json!({"small": "-128", "big": "-1000000000000000000000000000000", "u8": "255", "u24": "16777215"})
    );
    assert_eq!(
        ints[1].args,
        json!({"small": "-5", "big": "-5", "u8": "0", "u24": "0"})
    );
    assert_eq!(
        *one("FixedBytes(bytes4,bytes32,bool)"),
        json!({"selector": "0xa9059cbb", "hash": hex32(keccak256("zoo")), "flag": true})
    );
    // Indexed dynamic values: the hashes, as the chain carries them.
    let mut point_enc = Vec::new();
    point_enc.extend_from_slice(&U256::from(7).to_be_bytes::<32>());
    point_enc.extend_from_slice(&(U256::ZERO - U256::from(7)).to_be_bytes::<32>());
    point_enc.extend_from_slice(&U256::from(0xA11).to_be_bytes::<32>());
    let mut label = [0u8; 32];
    label[..3].copy_from_slice(b"zoo");
    point_enc.extend_from_slice(&label);
    let indexed = one("IndexedDynamic(string,bytes,(uint256,int256,address,string),uint256)");
    assert_eq!(
        *indexed,
        json!({
            "name": hex32(keccak256("zoo")),
            "blob": hex32(keccak256([0xde, 0xad, 0xbe, 0xef])),
            "point": hex32(keccak256(&point_enc)),
            "plain": "42"
        })
    );
    let pings = by_sig("Ping(uint256)");
    assert_eq!(pings.len(), 2);
    assert_eq!(pings[0].args, json!({"n": "1"}));
    assert_eq!(
        pings[1].args,
        json!({"n": "115792089237316195423570985008687907853269984665640564039457584007913129639935"})
    );
    assert_eq!(
        *one("Ping(address,string)"),
        json!({"from": a11(), "note": "pong"})
    );
    assert!(by_sig("Ping(uint256)").iter().all(|e| e.event == "Ping"));
    assert_eq!(
        *one("Transfer(address,address,uint256)"),
        json!({"from": checksum("0x0000000000000000000000000000000000000000"), "to": a11(), "tokenId": "1"})
    );
    assert_eq!(
        *one("Nested((uint64,(uint256,int256,address,string)[],bytes))"),
        json!({"o": {"id": "5", "points": [point("1", "-1", &a11(), "a")], "extra": "0xbeef"}})
    );
    // The 11 events of emitAll (the anonymous one too: the listener names the contract),
    // Ints(-5, ..) and Ping(max).
    assert_eq!(
        *one("Anon(address,uint256)"),
        json!({"who": a11(), "value": "99"})
    );
    assert_eq!(
        rows.len(),
        13,
        "{:?}",
        rows.iter().map(|e| &e.signature).collect::<Vec<_>>()
    );

    // The CSV: all rows with a JSON args column; one signature gives one column per argument.
    let (header, all) = export_maps(&db, &["--listener", "zoo"]);
    assert_eq!(header.last().map(String::as_str), Some("args"));
    assert_eq!(all.len(), 13);
    for (csv, stored) in all.iter().zip(&rows) {
        assert_eq!(csv["signature"], stored.signature);
        let args: Value = serde_json::from_str(&csv["args"]).expect("args column is JSON");
        assert_eq!(args, stored.args);
    }
    let (_, pings) = export_maps(&db, &["--listener", "zoo", "--event", "Ping(uint256)"]);
    let n: Vec<&str> = pings.iter().map(|r| r["n"].as_str()).collect();
    assert_eq!(n, ["1", &U256::MAX.to_string()]);
    let (_, ints) = export_maps(&db, &["--listener", "zoo", "--event", "Ints"]);
    assert_eq!(ints.len(), 2);
    assert_eq!(ints[0]["small"], "-128");
    assert_eq!(ints[0]["big"], "-1000000000000000000000000000000");
    assert_eq!(ints[1]["small"], "-5", "a negative number is not escaped");
    let (_, structs) = export_maps(&db, &["--listener", "zoo", "--event", "StructEvent"]);
    let p: Value = serde_json::from_str(&structs[0]["p"]).expect("struct cell is JSON");
    assert_eq!(p, point("7", "-7", &a11(), "zoo"));
}

/// With one signature exported, the argument columns follow the event's ABI order
/// (`small, big, u8, u24`), as `export.rs` documents — not alphabetical order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_argument_columns_follow_abi_order() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = zoo_with_events(&anvil).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "ints",
            &[zoo.address().to_string()],
            &["event Ints(int8 small, int256 big, uint8 u8, uint24 u24)"],
            "from_block = 0"
        )
    );
    run_until_head(parse_config(&text), &db).await;
    let (header, rows) = export_maps(&db, &["--listener", "ints"]);
    assert_eq!(rows.len(), 2);
    // The first unsigned argument not indexed is read as an amount: `u8_units` (empty here,
    // the contract has no decimals) follows it.
    assert_eq!(header[14..], ["small", "big", "u8", "u8_units", "u24"]);
}

/// An anonymous event named explicitly by a listener restricted to the emitting contract is
/// stored (as `abi/mod.rs` and `decode.rs` document): `Anon(address indexed who, uint256 value)`
/// carries no topic0, only `who`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]

async fn explicitly_named_anonymous_event_on_a_contract_is_stored() {
    let anvil = Anvil::start().await.expect("anvil");
    let zoo = anvil.deploy("EventZoo", &[]).await.expect("deploy zoo");
    let receipt = zoo
        .send("emitAnon", &[&a11(), "99"])
        .await
        .expect("emitAnon");
    assert_eq!(receipt.logs.len(), 1);
    assert_eq!(receipt.logs[0].topics.len(), 1, "no topic0");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "anon",
            &[zoo.address().to_string()],
            &["event Anon(address indexed who, uint256 value) anonymous"],
            "from_block = 0"
        )
    );
    run_until_head(parse_config(&text), &db).await;
    let rows = stored_rows(&db, Some("anon"));
    assert_eq!(rows.len(), 1, "the anonymous event is stored");
    assert_eq!(rows[0].args, json!({"who": a11(), "value": "99"}));
}

/// ERC-1155 with the `erc1155` preset: single and batch transfers (arrays of ids and values)
/// and `URI` are stored with their arguments; a listener on `TransferBatch` with
/// `ids[0] == 7` stores exactly the batches whose first id is 7.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erc1155_arrays_decode_and_conditions_on_array_elements_match() {
    let anvil = Anvil::start().await.expect("anvil");
    let accounts = anvil.accounts().await.expect("accounts");
    let (a1, a2) = (accounts[1].to_string(), accounts[2].to_string());
    let mt = anvil.deploy("TestERC1155", &[]).await.expect("deploy");
    mt.send("mint", &[&a1, "7", "10"]).await.expect("mint");
    let first7 = mt
        .send("mintBatch", &[&a1, "[7,8]", "[1,2]"])
        .await
        .expect("mintBatch");
    mt.send("mintBatch", &[&a1, "[9,7]", "[3,4]"])
        .await
        .expect("mintBatch");
    let second7 = mt
        .send_from(
            accounts[1],
            "safeBatchTransferFrom",
            &[&a1, &a2, "[7,9]", "[1,1]", "0x"],
        )
        .await
        .expect("safeBatchTransferFrom");
    mt.send("setURI", &["7", "ipfs://seven"])
        .await
        .expect("setURI");
    let address = mt.address().to_string();
    let chain = chain_logs(&anvil, &address).await;
    assert_eq!(chain.len(), 5);

    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let c = [address.clone()];
    let text = format!(
        "{}{}{}",
        network(&anvil, 0),
        listener("all", &c, &["erc1155"], "from_block = 0"),
        listener(
            "seven",
            &c,
            &["erc1155:TransferBatch"],
            "from_block = 0\nwhere = \"ids[0] == 7\""
        )
    );
    run_until_head(parse_config(&text), &db).await;
    let all = stored_rows(&db, Some("all"));
    assert_eq!(live_keys(&all), chain);
    let cs = |a: &Address| a.to_checksum(None);
    let zero = checksum("0x0000000000000000000000000000000000000000");
    let args: Vec<(&str, &Value)> = all.iter().map(|e| (e.event.as_str(), &e.args)).collect();
    assert_eq!(
        args,
        [
            (
                "TransferSingle",
                &json!({"operator": cs(&accounts[0]), "from": zero, "to": cs(&accounts[1]), "id": "7", "value": "10"})
            ),
            (
                "TransferBatch",
                &json!({"operator": cs(&accounts[0]), "from": zero, "to": cs(&accounts[1]), "ids": ["7", "8"], "values": ["1", "2"]})
            ),
            (
                "TransferBatch",
                &json!({"operator": cs(&accounts[0]), "from": zero, "to": cs(&accounts[1]), "ids": ["9", "7"], "values": ["3", "4"]})
            ),
            (
                "TransferBatch",
                &json!({"operator": cs(&accounts[1]), "from": cs(&accounts[1]), "to": cs(&accounts[2]), "ids": ["7", "9"], "values": ["1", "1"]})
            ),
            ("URI", &json!({"value": "ipfs://seven", "id": "7"})),
        ]
    );
    let seven: Vec<String> = stored_rows(&db, Some("seven"))
        .iter()
        .map(|e| e.tx_hash.clone())
        .collect();
    assert_eq!(
        seven,
        [
            format!("{:#x}", first7.transaction_hash),
            format!("{:#x}", second7.transaction_hash)
        ]
    );

    // The same condition on the whole pack is refused: TransferSingle has no `ids`.
    let bad = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "bad",
            &c,
            &["erc1155"],
            "from_block = 0\nwhere = \"ids[0] == 7\""
        )
    );
    let problems =
        tokenwatch_engine::Config::parse(&bad, std::path::Path::new(".")).expect_err("refused");
    let text = format!("{problems:?}");
    assert!(text.contains("where") && text.contains("ids"), "{text}");
}

/// Strings a spreadsheet would run as a formula get a leading `'` in the CSV (here the
/// `value` of ERC-1155 `URI` events), negative numbers and plain text do not; the stored
/// value itself is unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_export_escapes_formula_cells() {
    let anvil = Anvil::start().await.expect("anvil");
    let mt = anvil.deploy("TestERC1155", &[]).await.expect("deploy");
    let cases = [
        (
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "'=HYPERLINK(\"http://evil.example\",\"click\")",
        ),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("@cmd", "'@cmd"),
        ("-2+3", "'-2+3"),
        ("-5", "-5"),
        ("ipfs://plain", "ipfs://plain"),
    ];
    for (i, (value, _)) in cases.iter().enumerate() {
        let receipt = mt
            .send("setURI", &[&i.to_string(), value])
            .await
            .expect("setURI");
        // What the chain holds is the raw string (the harness did not alter it).
        let data = &receipt.logs[0].data;
        let decoded = tokenwatch_testkit::DynSolType::String
            .abi_decode(data)
            .expect("string data");
        assert_eq!(decoded.as_str(), Some(*value));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("e.db");
    let text = format!(
        "{}{}",
        network(&anvil, 0),
        listener(
            "uri",
            &[mt.address().to_string()],
            &["erc1155:URI"],
            "from_block = 0"
        )
    );
    run_until_head(parse_config(&text), &db).await;
    let (header, rows) = export_maps(&db, &["--listener", "uri"]);
    assert!(header.contains(&"value".to_string()), "{header:?}");
    assert_eq!(rows.len(), cases.len());
    for (row, (_, expected)) in rows.iter().zip(&cases) {
        assert_eq!(row["value"], *expected);
    }
    let stored = stored_rows(&db, Some("uri"));
    for (e, (value, _)) in stored.iter().zip(&cases) {
        assert_eq!(e.args["value"], json!(value), "stored unescaped");
    }
}

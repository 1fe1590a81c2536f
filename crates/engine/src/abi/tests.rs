//! Unit tests: presets, spec resolution, signatures and JSON ABI import.

use super::*;
use alloy_primitives::b256;

fn one(spec: &str) -> EventDef {
    let mut defs = resolve_event_spec(spec).unwrap();
    assert_eq!(defs.len(), 1, "{spec}");
    defs.remove(0)
}

fn err(spec: &str) -> String {
    resolve_event_spec(spec).unwrap_err().to_string()
}

#[test]
fn every_preset_parses_and_hashes_its_canonical_signature() {
    for pack in preset_packs() {
        let defs = preset_defs(pack.id).unwrap();
        assert_eq!(defs.len(), pack.events.len(), "{}", pack.id);
        for (def, text) in defs.iter().zip(pack.events) {
            assert_eq!(def.display, *text, "display reproduces the reference text");
            assert_eq!(def.topic0, keccak256(def.signature.as_bytes()));
            assert_eq!(def.topic0, def.event.selector());
            assert_eq!(def.signature, def.event.signature());
            assert_eq!(def.topic_count, def.event.num_topics());
            assert!(!def.event.anonymous);
        }
    }
}

#[test]
fn preset_signatures_are_unique_within_a_pack() {
    for pack in preset_packs() {
        let defs = preset_defs(pack.id).unwrap();
        for (i, d) in defs.iter().enumerate() {
            assert!(
                defs[..i].iter().all(|e| e.signature != d.signature),
                "{}",
                d.signature
            );
        }
    }
    let ids: Vec<_> = preset_packs().iter().map(|p| p.id).collect();
    let want = [
        "erc20", "erc721", "erc1155", "ownable", "access", "pausable", "proxy",
    ];
    assert_eq!(&ids[..7], &want);
    assert_eq!(&ids[7..], &["erc3643", "erc1400"]);
}

#[test]
fn known_topic0_values() {
    let cases = [
        (
            "erc20:Transfer",
            b256!("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"),
        ),
        (
            "erc20:Approval",
            b256!("8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"),
        ),
        (
            "erc721:ApprovalForAll",
            b256!("17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31"),
        ),
        (
            "erc1155:TransferSingle",
            b256!("c3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62"),
        ),
        (
            "erc1155:TransferBatch",
            b256!("4a39dc06d4c0dbc64b70af90fd698a233a518aa5d07e595d983b8c0526c8f7fb"),
        ),
        (
            "ownable:OwnershipTransferred",
            b256!("8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0"),
        ),
        (
            "access:RoleGranted",
            b256!("2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d"),
        ),
        (
            "proxy:Upgraded",
            b256!("bc7cd75a20ee27fd9adebab32041f755214dbc6bffa90cc0225b39da2e5c2d3b"),
        ),
        (
            "pausable:Paused",
            b256!("62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258"),
        ),
    ];
    for (spec, topic0) in cases {
        assert_eq!(one(spec).topic0, topic0, "{spec}");
    }
}

#[test]
fn erc20_and_erc721_transfer_share_topic0_not_topic_count() {
    let (t20, t721) = (one("erc20:Transfer"), one("erc721:Transfer"));
    assert_eq!(t20.topic0, t721.topic0);
    assert_eq!(t20.signature, "Transfer(address,address,uint256)");
    assert_eq!((t20.topic_count, t721.topic_count), (3, 4));
    // ERC-3643 reuses the ERC-20 definitions.
    let t3643 = one("erc3643:Transfer");
    assert_eq!(t3643, t20);
}

#[test]
fn pack_specs() {
    assert_eq!(resolve_event_spec("erc20").unwrap().len(), 2);
    assert_eq!(resolve_event_spec(" erc20:* ").unwrap().len(), 2);
    assert_eq!(resolve_event_spec("ERC20:Approval").unwrap().len(), 1);
    assert_eq!(resolve_event_spec("erc3643").unwrap().len(), 26);
    assert_eq!(resolve_event_spec("erc1400").unwrap().len(), 14);
    let by_sig = one("erc721:Transfer(address,address,uint256)");
    assert_eq!(by_sig.topic_count, 4);
    let by_named_sig = one("erc20:Transfer(address from, address to, uint value)");
    assert_eq!(by_named_sig.topic_count, 3);
}

#[test]
fn pack_spec_errors_list_what_exists() {
    let e = err("erc9999:Transfer");
    assert!(
        e.contains("`erc9999:Transfer`") && e.contains("unknown preset pack `erc9999`"),
        "{e}"
    );
    assert!(e.contains("erc20, erc721, erc1155, ownable"), "{e}");
    let e = err("Transfer");
    assert!(e.contains("unknown preset pack `Transfer`"), "{e}");
    let e = err("erc20:Mint");
    assert!(
        e.contains("pack `erc20` has no event `Mint` (its events: Transfer, Approval)"),
        "{e}"
    );
    let e = err("erc20:Transfer(address,uint256)");
    assert!(
        e.contains("Transfer(address,address,uint256), Approval("),
        "{e}"
    );
    assert_eq!(resolve_event_spec("  "), Err(AbiError::EmptySpec));
}

#[test]
fn human_readable_signatures() {
    let with_kw = one("event Transfer(address indexed from, address indexed to, uint256 value)");
    let without = one("Transfer(address indexed from, address indexed to, uint256 value);");
    assert_eq!(with_kw, without);
    assert_eq!(with_kw, one("erc20:Transfer"));
    let alias = one("event Foo(uint a, int indexed b)");
    assert_eq!(alias.signature, "Foo(uint256,int256)");
    assert_eq!(alias.display, "Foo(uint256 a, int256 indexed b)");
    assert_eq!(alias.event.selector(), alias.topic0);
}

#[test]
fn tuple_params_get_canonical_signatures() {
    let d = one("event Order((address,uint)[] legs, (uint8,string) indexed meta, bytes32[2] x)");
    assert_eq!(
        d.signature,
        "Order((address,uint256)[],(uint8,string),bytes32[2])"
    );
    assert_eq!(d.event.selector(), d.topic0);
    assert_eq!(d.topic_count, 2);
    assert_eq!(
        d.display,
        "Order((address,uint256)[] legs, (uint8,string) indexed meta, bytes32[2] x)"
    );
}

#[test]
fn a_one_field_struct_hashes_as_solidity_writes_it() {
    // Solidity's canonical form has no trailing comma: `(uint256)`, not `(uint256,)`.
    let d = one("event Settled((uint256) s, (address)[] who)");
    assert_eq!(d.signature, "Settled((uint256),(address)[])");
    assert_eq!(d.topic0, keccak256("Settled((uint256),(address)[])"));
    assert_eq!(d.display, "Settled((uint256) s, (address)[] who)");
    let abi = r#"[{"type":"event","name":"Settled","anonymous":false,"inputs":[
        {"name":"s","type":"tuple","indexed":false,"components":[{"name":"v","type":"uint256"}]},
        {"name":"who","type":"tuple[]","indexed":false,"components":[{"name":"a","type":"address"}]}]}]"#;
    let imported = import_json_abi(abi).expect("abi");
    assert_eq!(imported[0].topic0, d.topic0);
}

#[test]
fn types_nested_without_bound_are_refused() {
    let deep = format!("event E(uint256{} x)", "[]".repeat(200_000));
    assert!(
        err(&deep).contains("more than 32 array dimensions"),
        "{}",
        err(&deep).chars().take(200).collect::<String>()
    );
    let abi = format!(
        r#"[{{"type":"event","name":"E","anonymous":false,"inputs":[{{"name":"x","type":"uint256{}","indexed":false}}]}}]"#,
        "[]".repeat(200_000)
    );
    let e = import_json_abi(&abi).unwrap_err().to_string();
    assert!(
        e.contains("more than 32 array dimensions"),
        "{}",
        e.chars().take(200).collect::<String>()
    );
    // 32 are fine.
    one(&format!("event E(uint256{} x)", "[]".repeat(32)));
}

#[test]
fn anonymous_events() {
    let d = one("event Anon(address indexed a, bytes32 indexed b, uint256 c) anonymous");
    assert!(d.event.anonymous);
    assert_eq!(d.topic_count, 2);
    assert_eq!(d.topic0, keccak256("Anon(address,bytes32,uint256)"));
    assert!(d.display.ends_with(" anonymous"));
    let four =
        "event A(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d) anonymous";
    assert_eq!(one(four).topic_count, 4);
    let e = err("event A(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d)");
    assert!(e.contains("4 indexed parameters, at most 3"), "{e}");
}

#[test]
fn overloaded_events_are_distinct() {
    let (a, b) = (
        one("event Ping(uint256 a)"),
        one("event Ping(address a, uint256 b)"),
    );
    assert_eq!(a.name(), b.name());
    assert_ne!(a.signature, b.signature);
    assert_ne!(a.topic0, b.topic0);
}

#[test]
fn bad_types_give_columns() {
    let e = err("event Foo(address a, uint257 x)");
    assert_eq!(
        e,
        "`event Foo(address a, uint257 x)`: parameter 2 `x`: unknown type `uint257` at column 22"
    );
    let e = err("event Foo(Bar x)");
    assert!(e.contains("unknown type `Bar` at column 11"), "{e}");
    let e = err("event Foo(address[ x)");
    assert!(
        e.contains("`event Foo(address[ x)`: invalid signature"),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
    let e = err("erc20:Transfer(address,uint257)");
    assert!(e.contains("unknown type `uint257` at column 24"), "{e}");
    let e = err("function foo()");
    assert!(e.contains("invalid signature"), "{e}");
}

#[test]
fn parser_errors_point_at_a_column() {
    let e = err("event Foo(address x,, uint256 y)");
    assert!(e.contains("invalid signature at column 21"), "{e}");
    let e = err(" erc20:Transfer(address[,uint)");
    assert!(
        e.contains("invalid signature at column 25: expected `]`"),
        "{e}"
    );
    let e = err("Transfer(address indexed from");
    assert!(
        e.contains("invalid signature at column 30: expected `,` or `)`"),
        "{e}"
    );
}

const ABI: &str = r#"[
  {"type":"function","name":"transfer","inputs":[{"name":"to","type":"address"}],"outputs":[],"stateMutability":"nonpayable"},
  {"type":"event","name":"Transfer","anonymous":false,"inputs":[
    {"name":"from","type":"address","indexed":true},
    {"name":"to","type":"address","indexed":true},
    {"name":"value","type":"uint256","indexed":false}]},
  {"type":"event","name":"Legs","inputs":[
    {"name":"legs","type":"tuple[]","indexed":false,"components":[
      {"name":"who","type":"address"},{"name":"amounts","type":"uint256[]"}]}]},
  {"type":"error","name":"Nope","inputs":[]}
]"#;

#[test]
fn import_plain_abi_and_artifacts() {
    let defs = import_json_abi(ABI).unwrap();
    assert_eq!(defs.len(), 2);
    assert_eq!(defs[0], one("erc20:Transfer"));
    assert_eq!(defs[1].signature, "Legs((address,uint256[])[])");
    assert_eq!(
        defs[1].display,
        "Legs((address who, uint256[] amounts)[] legs)"
    );
    let artifact = format!(r#"{{"contractName":"T","abi":{ABI},"bytecode":"0x"}}"#);
    assert_eq!(import_json_abi(&artifact).unwrap(), defs);
    let etherscan = serde_json::json!({ "abi": ABI }).to_string();
    assert_eq!(import_json_abi(&etherscan).unwrap(), defs);
}

#[test]
fn import_dedups_identical_events() {
    let ev = r#"{"type":"event","name":"Ping","inputs":[{"name":"a","type":"uint256","indexed":false}],"anonymous":false}"#;
    let ping2 = r#"{"type":"event","name":"Ping","inputs":[{"name":"a","type":"address","indexed":false}]}"#;
    let defs = import_json_abi(&format!("[{ev},{ev},{ping2}]")).unwrap();
    assert_eq!(defs.len(), 2, "identical dropped, overload kept");
    assert_ne!(defs[0].topic0, defs[1].topic0);
}

#[test]
fn import_errors_name_the_item() {
    let e = import_json_abi("[{\"type\":\"event\",\n \"name\": }]").unwrap_err();
    assert!(matches!(e, AbiError::Json { line: 2, .. }), "{e}");
    assert!(
        e.to_string().starts_with("invalid JSON at line 2, column"),
        "{e}"
    );
    let bad = |ty: &str| {
        let json = format!(
            r#"[{{"type":"function","name":"f","inputs":[],"outputs":[]}},
               {{"type":"event","name":"Foo","inputs":[{{"name":"x","type":"{ty}","indexed":false}}],"anonymous":false}}]"#
        );
        import_json_abi(&json).unwrap_err().to_string()
    };
    assert_eq!(
        bad("uint257"),
        "item 1: event `Foo`, parameter 1 `x`: unknown type `uint257`"
    );
    assert_eq!(
        bad("address["),
        "item 1: event `Foo`, parameter 1 `x`: unknown type `address[`"
    );
    let e = import_json_abi("[1]").unwrap_err().to_string();
    assert_eq!(e, "item 0: expected an object, found a number");
    let e = import_json_abi("42").unwrap_err().to_string();
    assert!(
        e.starts_with("not a JSON ABI: expected an ABI array"),
        "{e}"
    );
    let e = import_json_abi(r#"{"bytecode":"0x"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no `abi` field"), "{e}");
    let e = import_json_abi(r#"[{"type":"event","name":"Foo","inputs":7}]"#).unwrap_err();
    assert!(e.to_string().starts_with("item 0: event `Foo`: "), "{e}");
    let tuple = r#"[{"type":"event","name":"T","inputs":[{"name":"t","type":"tuple","indexed":false,
        "components":[{"name":"a","type":"uint257"}]}]}]"#;
    let e = import_json_abi(tuple).unwrap_err().to_string();
    assert!(
        e.contains("item 0: event `T`, parameter 1 `t`: component 1 `a`: unknown type `uint257`"),
        "{e}"
    );
}

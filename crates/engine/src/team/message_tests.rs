use super::*;
use crate::store::JournalEvent;

fn transfer_abi() -> String {
    let defs = crate::abi::preset_defs("erc20").expect("preset");
    let def = defs
        .iter()
        .find(|d| d.signature == "Transfer(address,address,uint256)")
        .expect("Transfer");
    serde_json::to_string(&def.event).expect("abi json")
}

fn stored(listeners: &[&str]) -> JournalEvent {
    let mut topics = Vec::new();
    topics.extend_from_slice(crate::model::ERC20_TRANSFER.as_slice());
    topics.extend_from_slice(&[0u8; 32]);
    topics.extend_from_slice(&[7u8; 32]);
    let mut data = vec![0u8; 32];
    data[31] = 250;
    JournalEvent {
        id: 9,
        network: "local".into(),
        chain_id: 31337,
        listeners: listeners.iter().map(|s| s.to_string()).collect(),
        block_number: 12,
        block_hash: vec![1; 32],
        block_time: Some(1_700_000_000),
        tx_hash: vec![2; 32],
        log_index: 3,
        contract: vec![5; 20],
        abi: Some(transfer_abi()),
        topics,
        data,
        status: EventStatus::Pending,
        decimals: Some(6),
        symbol: Some("<b>DUSD</b>".into()),
        token_name: Some("Demo Dollar".into()),
    }
}

#[test]
fn an_event_reads_back_as_it_was_stored_with_only_the_carried_listeners() {
    let mut w = Writer::default();
    let body = w
        .event(&stored(&["transfers", "big"]), |l| l == "big")
        .expect("json")
        .expect("carried");
    let MirrorItem::Event(m) = Reader::default().read(&body).expect("read") else {
        panic!("not an event");
    };
    assert_eq!(m.network, "local");
    assert_eq!(m.listeners, ["big"]);
    assert_eq!(m.event.block_number, 12);
    assert_eq!(m.event.log_index, 3);
    assert_eq!(m.event.topics.len(), 3);
    assert_eq!(m.event.amount, Some(alloy_primitives::U256::from(250)));
    assert_eq!(m.event.def.signature, "Transfer(address,address,uint256)");
    assert_eq!(m.event.status, EventStatus::Pending);
    let token = m.token.expect("token facts");
    assert_eq!(token.symbol.as_deref(), Some("<b>DUSD</b>"));
    assert_eq!(token.name.as_deref(), Some("Demo Dollar"));
    assert!(w
        .event(&stored(&["transfers"]), |l| l == "big")
        .expect("json")
        .is_none());
}

#[test]
fn bad_messages_are_errors_that_say_what_is_wrong() {
    let mut r = Reader::default();
    let big = vec![b'x'; MAX_ENTRY + 1];
    assert!(matches!(r.read(&big), Err(MessageError::EntryTooLarge(_))));
    let huge = vec![b' '; MAX_MESSAGE + 1];
    assert!(matches!(
        r.read_all(&huge)[..],
        [Err(MessageError::TooLarge(_))]
    ));
    assert!(matches!(
        r.read(b"{\"kind\":\"event\"}"),
        Err(MessageError::Json(_))
    ));
    let mut w = Writer::default();
    let body = w
        .event(&stored(&["a"]), |_| true)
        .expect("json")
        .expect("body");
    let text = String::from_utf8(body).expect("utf-8");
    let v2 = text.replace("\"v\":1", "\"v\":2");
    assert!(matches!(
        r.read(v2.as_bytes()),
        Err(MessageError::Version(2))
    ));
    let control = text.replace("\"local\"", "\"lo\\ncal\"");
    assert!(matches!(
        r.read(control.as_bytes()),
        Err(MessageError::BadName)
    ));
    let short = text.replace(&format!("0x{}", "05".repeat(20)), "0x0505");
    let err = r.read(short.as_bytes()).expect_err("short contract");
    assert!(err.to_string().contains("contract"), "{err}");
}

#[test]
fn entries_pack_into_messages_and_read_back_in_order() {
    let mut w = Writer::default();
    let mut entries = Vec::new();
    for i in 0..1200u64 {
        let mut e = stored(&["a"]);
        e.log_index = i;
        entries.push(w.event(&e, |_| true).expect("json").expect("body"));
    }
    let messages = pack(entries);
    assert_eq!(messages.len(), 3, "500 entries per message");
    let mut r = Reader::default();
    let read: Vec<u64> = (messages.iter())
        .flat_map(|m| r.read_all(m))
        .map(|item| match item.expect("entry") {
            MirrorItem::Event(e) => e.event.log_index,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(read, (0..1200).collect::<Vec<_>>());
    let bad = [messages[2].clone(), b"\nnot json".to_vec()].concat();
    let items = r.read_all(&bad);
    assert_eq!(items.len(), 201);
    assert!(items[200].is_err(), "one bad line is one skipped entry");
}

#[test]
fn a_reversed_or_out_of_range_coverage_from_a_peer_is_refused() {
    use crate::store::ListenerState;
    let state = |ranges| ListenerState {
        network: "local".into(),
        chain_id: 31337,
        name: "l".into(),
        ranges,
        whole: None,
    };
    let read = |ranges| {
        super::super::state::read(
            &super::super::state::listener_entry(&state(ranges)).expect("entry"),
        )
    };
    assert!(read(vec![(0, 9), (12, 12)]).is_ok());
    for bad in [vec![(9, 3)], vec![(0, u64::MAX)]] {
        let err = read(bad).expect_err("refused");
        assert!(err.to_string().contains("covered block range"), "{err}");
    }
}

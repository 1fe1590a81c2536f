//! What a delivery says: the documented JSON payload, the idempotency key, and a
//! one-line text for people (chat webhooks, notifications).

use serde_json::{json, Value};

use crate::event::{EventStatus, StoredEvent};
use crate::store::Queued;

/// `chain_id:tx_hash:log_index`: the same for every message about one log.
pub fn idempotency_key(e: &StoredEvent) -> String {
    format!("{}:{}:{}", e.chain_id, e.tx_hash, e.log_index)
}

/// The message type: `event.pending`, `event.confirmed` or `event.removed` (a retraction).
pub fn message_type(status: EventStatus) -> String {
    format!("event.{}", status.as_str())
}

/// The JSON body of a standard webhook or a broker message (documented in the README).
pub fn payload(q: &Queued, timestamp: &str) -> Value {
    let e = &q.event;
    json!({
        "type": message_type(q.status),
        "timestamp": timestamp,
        "data": {
            "idempotency_key": idempotency_key(e),
            "status": q.status.as_str(),
            "network": e.network,
            "chain_id": e.chain_id,
            "listener": e.listener,
            "block_number": e.block_number,
            "block_hash": e.block_hash,
            "block_time": e.block_time,
            "tx_hash": e.tx_hash,
            "log_index": e.log_index,
            "contract": e.contract,
            "event": e.event,
            "signature": e.signature,
            "args": e.args,
            "arg_names": e.arg_names,
        }
    })
}

/// One line a person understands, e.g.
/// `Transfer on local (transfers): from 0xf39F…2266, to 0x7099…79C8, value 1250000 — block 12`.
pub fn describe(q: &Queued) -> String {
    let e = &q.event;
    let args: Vec<String> = e
        .arg_names
        .iter()
        .take(4)
        .map(|k| format!("{k} {}", short_value(e.args.get(k).unwrap_or(&Value::Null))))
        .collect();
    let prefix = match q.status {
        EventStatus::Removed => "Retracted (chain reorganised): ",
        _ => "",
    };
    let mut line = format!("{prefix}{} on {} ({})", e.event, e.network, e.listener);
    if !args.is_empty() {
        line.push_str(": ");
        line.push_str(&args.join(", "));
    }
    line.push_str(&format!(
        " — block {}, tx {}",
        e.block_number,
        short(&e.tx_hash)
    ));
    line
}

/// Addresses and hashes as `0xab12…cd34`; other values as written.
pub fn short_value(v: &Value) -> String {
    match v {
        Value::String(s) => short(s),
        Value::Null => "?".into(),
        other => {
            let s = other.to_string();
            if s.len() > 40 {
                format!(
                    "{}…",
                    &s[..s.char_indices().nth(39).map_or(s.len(), |(i, _)| i)]
                )
            } else {
                s
            }
        }
    }
}

/// `0x` + at least 40 hex digits shortened to `0xab12…cd34`.
pub fn short(s: &str) -> String {
    let hexlike =
        s.len() >= 42 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit());
    if hexlike {
        format!("{}…{}", &s[..6], &s[s.len() - 4..])
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(status: EventStatus) -> Queued {
        Queued {
            id: 7,
            status,
            attempts: 0,
            event: StoredEvent {
                id: 3,
                network: "local".into(),
                chain_id: 31337,
                block_number: 12,
                block_hash: format!("0x{}", "ab".repeat(32)),
                block_time: Some(1_700_000_000),
                tx_hash: format!("0x{}", "cd".repeat(32)),
                log_index: 4,
                contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3".into(),
                event: "Transfer".into(),
                signature: "Transfer(address,address,uint256)".into(),
                listener: "transfers".into(),
                status: EventStatus::Confirmed,
                args: json!({"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": "1250000"}),
                arg_names: vec!["from".into(), "to".into(), "value".into()],
            },
        }
    }

    #[test]
    fn payload_carries_key_status_and_arguments() {
        let p = payload(&queued(EventStatus::Removed), "2024-05-01T12:00:00Z");
        assert_eq!(p["type"], "event.removed");
        assert_eq!(
            p["data"]["idempotency_key"],
            format!("31337:0x{}:4", "cd".repeat(32))
        );
        assert_eq!(p["data"]["status"], "removed");
        assert_eq!(p["data"]["args"]["value"], "1250000");
        assert_eq!(p["data"]["block_number"], 12);
    }

    #[test]
    fn description_is_short_and_names_retractions() {
        let d = describe(&queued(EventStatus::Pending));
        assert!(
            d.starts_with(
                "Transfer on local (transfers): from 0xf39F…2266, to 0x7099…79C8, value 1250000"
            ),
            "{d}"
        );
        assert!(describe(&queued(EventStatus::Removed)).starts_with("Retracted"));
    }
}

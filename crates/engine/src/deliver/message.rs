//! What a delivery says: the documented JSON payload, the idempotency key, and a
//! one-line text for people (chat webhooks, notifications).

use serde_json::{json, Value};

use super::text::{fit, inert, Medium, NAME_CAP, VALUE_CAP};
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
            "token": (e.decimals.is_some() || e.symbol.is_some())
                .then(|| json!({ "decimals": e.decimals, "symbol": e.symbol })),
        }
    })
}

/// The event's amount in token units, e.g. `("value", "1,250.00 DUSD")`, when its
/// contract's decimals are known and it has a `value` or `amount` argument.
pub fn amount(e: &StoredEvent) -> Option<(&str, String)> {
    let decimals = e.decimals?;
    let key = e.arg_names.iter().find(|k| {
        matches!(
            k.to_ascii_lowercase().as_str(),
            "value" | "amount" | "_value" | "_amount"
        )
    })?;
    let raw = e.args.get(key)?.as_str()?;
    let units = format_units(raw, decimals)?;
    Some(match &e.symbol {
        Some(s) => (key.as_str(), format!("{units} {s}")),
        None => (key.as_str(), units),
    })
}

/// `1250000` with 6 decimals -> `1.25`; `1250000000` -> `1,250.00`: thousands grouped,
/// at least two and at most six decimals (cut, not rounded).
pub fn format_units(raw: &str, decimals: u8) -> Option<String> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = usize::from(decimals);
    let padded = format!("{raw:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if int == "0" && frac.chars().take(6).all(|c| c == '0') && raw.bytes().any(|b| b != b'0') {
        return Some("< 0.000001".into());
    }
    let mut frac: String = frac.chars().take(6).collect();
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    while frac.len() < 2 && d > 0 {
        frac.push('0');
    }
    Some(if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    })
}

/// One line a person understands, e.g.
/// `Transfer on local (transfers): from 0xf39F…2266, to 0x7099…79C8, value 1250000 — block 12`,
/// written for `medium`: every name and value inert there and capped, the whole line at
/// most `max` characters.
pub fn describe(q: &Queued, medium: Medium, max: usize) -> String {
    let e = &q.event;
    let name = |s: &str| inert(medium, s, NAME_CAP);
    let value = |s: &str| inert(medium, s, VALUE_CAP);
    let amount = amount(e);
    let args: Vec<String> = e
        .arg_names
        .iter()
        .take(4)
        .map(|k| {
            let v = match &amount {
                Some((key, units)) if key == k => units.clone(),
                _ => short_value(e.args.get(k).unwrap_or(&Value::Null)),
            };
            format!("{} {}", name(k), value(&v))
        })
        .collect();
    let prefix = match q.status {
        EventStatus::Removed => "Retracted (chain reorganised): ",
        _ => "",
    };
    let mut line = format!(
        "{prefix}{} on {} ({})",
        name(&e.event),
        name(&e.network),
        name(&e.listener)
    );
    if !args.is_empty() {
        line.push_str(": ");
        line.push_str(&args.join(", "));
    }
    line.push_str(&format!(
        " — block {}, tx {}",
        e.block_number,
        value(&short(&e.tx_hash))
    ));
    fit(line, max)
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
                listeners: vec!["transfers".into()],
                status: EventStatus::Confirmed,
                args: json!({"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "value": "1250000"}),
                arg_names: vec!["from".into(), "to".into(), "value".into()],
                decimals: None,
                symbol: None,
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
    fn amounts_read_in_token_units() {
        assert_eq!(format_units("1250000000", 6).as_deref(), Some("1,250.00"));
        assert_eq!(format_units("1", 6).as_deref(), Some("0.000001"));
        assert_eq!(format_units("1234567891", 9).as_deref(), Some("1.234567"));
        assert_eq!(format_units("5", 0).as_deref(), Some("5"));
        assert_eq!(format_units("1", 18).as_deref(), Some("< 0.000001"));
        assert_eq!(format_units("0", 18).as_deref(), Some("0.00"));
        assert_eq!(
            format_units("1000000000000000000000000", 18).as_deref(),
            Some("1,000,000.00")
        );
        assert_eq!(format_units("-5", 6), None);
        let mut q = queued(EventStatus::Pending);
        q.event.decimals = Some(3);
        q.event.symbol = Some("DUSD".into());
        assert_eq!(
            amount(&q.event),
            Some(("value", "1,250.00 DUSD".to_string()))
        );
        assert!(
            describe(&q, Medium::Plain, 500).contains("value 1,250.00 DUSD"),
            "{}",
            describe(&q, Medium::Plain, 500)
        );
        assert_eq!(payload(&q, "t")["data"]["token"]["symbol"], "DUSD");
        q.event.decimals = None;
        assert_eq!(amount(&q.event), None);
        assert!(
            payload(&q, "t")["data"]["token"].is_object(),
            "symbol alone is still said"
        );
    }

    #[test]
    fn description_is_short_and_names_retractions() {
        let d = describe(&queued(EventStatus::Pending), Medium::Plain, 500);
        assert!(
            d.starts_with(
                "Transfer on local (transfers): from 0xf39F…2266, to 0x7099…79C8, value 1250000"
            ),
            "{d}"
        );
        assert!(
            describe(&queued(EventStatus::Removed), Medium::Plain, 500).starts_with("Retracted")
        );
    }
}

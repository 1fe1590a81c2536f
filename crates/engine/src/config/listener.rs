//! A listener's TOML entry into the model: contracts, events (presets, signatures, an ABI
//! file), its condition checked against each event, its start and its targets.

use std::path::Path;

use alloy_primitives::{keccak256, Address};

use super::{parse_start, problem, ConfigProblem, ListenerEntry};
use crate::abi::{import_json_abi, resolve_event_spec, EventDef};

use crate::model::{ListenerSpec, StartBlock, TargetKey};

pub(super) fn validate_listener(
    l: &ListenerEntry,
    base: &Path,
) -> Result<ListenerSpec, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    let mut contracts = Vec::new();
    for (i, c) in l.contracts.iter().enumerate() {
        match parse_address(c) {
            Ok(a) => contracts.push(a),
            Err(m) => problems.push(problem(&format!("contracts[{i}]"), &m)),
        }
    }
    let mut defs: Vec<EventDef> = Vec::new();
    for (i, spec) in l.events.iter().enumerate() {
        match resolve_event_spec(spec) {
            Ok(d) => defs.extend(d),
            Err(e) => problems.push(problem(&format!("events[{i}]"), &e.to_string())),
        }
    }
    if let Some(abi) = &l.abi {
        let path = base.join(abi);
        match std::fs::read_to_string(&path) {
            Ok(text) => match import_json_abi(&text) {
                Ok(d) => defs.extend(d),
                Err(e) => problems.push(problem("abi", &format!("{}: {e}", path.display()))),
            },
            Err(e) => problems.push(problem(
                "abi",
                &format!("cannot read {}: {e}", path.display()),
            )),
        }
    }
    defs.dedup_by(|a, b| a.signature == b.signature && a.topic_count == b.topic_count);
    if defs.is_empty() && problems.is_empty() {
        problems.push(problem("events", "name at least one event (a preset like \"erc20:Transfer\", a signature, or an abi file)"));
    }
    if contracts.is_empty() {
        for d in defs.iter().filter(|d| d.event.anonymous) {
            problems.push(problem(
                "events",
                &format!(
                    "anonymous event {} carries no topic0: name the contracts that emit it",
                    d.display
                ),
            ));
        }
    }
    // Checked here for its problems; the matcher compiles it again for each event.
    if let Some(src) = &l.condition {
        super::where_clause::parse_conditions(src, &defs, &mut problems);
    }
    let events = defs;
    let start = parse_start(l.from_block.as_ref()).unwrap_or_else(|m| {
        problems.push(problem("from_block", &m));
        StartBlock::Latest
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let spec_hash = spec_hash(&contracts, &events, l.condition.as_deref());
    Ok(ListenerSpec {
        name: l.name.clone(),
        network: l.network.clone(),
        contracts,
        events,
        condition: l.condition.clone(),
        start,
        paused: l.paused,
        spec_hash,
        targets: l
            .webhooks
            .iter()
            .map(|w| TargetKey::Webhook(w.clone()))
            .chain(l.rabbitmq.iter().map(|r| TargetKey::RabbitMq(r.clone())))
            .chain(l.notify.then_some(TargetKey::Desktop))
            .collect(),
        announce_history: l.announce_history,
    })
}

fn spec_hash(contracts: &[Address], events: &[EventDef], condition: Option<&str>) -> String {
    let mut text = String::new();
    for c in contracts {
        text.push_str(&c.to_string());
        text.push(',');
    }
    for e in events {
        text.push_str(&e.display);
        text.push(';');
    }
    text.push_str(condition.unwrap_or(""));
    keccak256(text.as_bytes()).to_string()
}

/// Parses an address; a mixed-case address must carry a valid EIP-55 checksum.
pub fn parse_address(s: &str) -> Result<Address, String> {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or_else(|| format!("\"{s}\" is not an address: it must start with 0x"))?;
    if hex.len() != 40 {
        return Err(format!(
            "\"{s}\" is not an address: it has {} hex digits instead of 40",
            hex.len()
        ));
    }
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "\"{s}\" is not an address: it contains characters that are not hex digits"
        ));
    }
    let mixed =
        hex.chars().any(|c| c.is_ascii_lowercase()) && hex.chars().any(|c| c.is_ascii_uppercase());
    if mixed {
        Address::parse_checksummed(s, None).map_err(|_| format!("\"{s}\" has a wrong EIP-55 checksum (mistyped?); write it all lower-case to skip the check"))
    } else {
        s.parse::<Address>()
            .map_err(|e| format!("\"{s}\" is not an address: {e}"))
    }
}

/// `2024-05-01`, `2024-05-01T12:00:00Z` or with `+hh:mm` offset -> seconds since the epoch (UTC).
pub fn parse_date(s: &str) -> Option<i64> {
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(y, m, day) * 86_400;
    if let Some(t) = time {
        let (clock, offset) = split_offset(t)?;
        let mut parts = clock.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let min: i64 = parts.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = parts.next().unwrap_or("0").parse().ok()?;
        if h > 23 || min > 59 || !(0.0..61.0).contains(&sec) {
            return None;
        }
        secs += h * 3600 + min * 60 + sec as i64 - offset;
    }
    Some(secs)
}

fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(c) = t.strip_suffix('Z') {
        return Some((c, 0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (c, off) = t.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let (h, m) = off[1..].split_once(':')?;
            Some((
                c,
                sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
            ))
        }
        None => Some((t, 0)),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_utc_seconds() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-05-01"), Some(1_714_521_600));
        assert_eq!(parse_date("2024-05-01T12:00:00Z"), Some(1_714_564_800));
        assert_eq!(parse_date("2024-05-01T14:00:00+02:00"), Some(1_714_564_800));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn a_listener_name_with_a_control_character_is_refused() {
        let text = "[[networks]]\nname = \"n\"\nchain_id = 1\nrpc = [\"http://127.0.0.1:1\"]\n\
                    [[listeners]]\nname = \"a\\u001fb\"\nnetwork = \"n\"\nevents = [\"erc20:Transfer\"]\n";
        let problems = crate::Config::parse(text, std::path::Path::new(".")).expect_err("refused");
        let text = format!("{problems:?}");
        assert!(
            text.contains("listeners[0]") && text.contains("control characters"),
            "{text}"
        );
    }

    #[test]
    fn addresses_name_their_problem() {
        assert!(parse_address("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").is_ok());
        assert!(parse_address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8").is_ok());
        assert!(parse_address("0x70997970C51812dc3A010C7d01b50e0d17dc79c8")
            .unwrap_err()
            .contains("checksum"));
        assert!(parse_address("0x1234")
            .unwrap_err()
            .contains("4 hex digits"));
        assert!(parse_address("0xZZ997970C51812dc3A010C3efE8bE8DCAF5A7B8e")
            .unwrap_err()
            .contains("not hex"));
        assert!(parse_address("70997970C51812dc3A010C3efE8bE8DCAF5A7B8e")
            .unwrap_err()
            .contains("0x"));
    }
}

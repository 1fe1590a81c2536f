//! Resolution of one entry of a listener's `events` list into event definitions.

use super::presets::{find_pack, pack_ids, preset_defs};
use super::signature::{parse_signature, parse_signature_at};
use super::{AbiError, EventDef};

/// Resolves one entry of a listener's `events` list:
/// - `erc20:Transfer`: the pack's events of that name (all overloads);
/// - `erc20` or `erc20:*`: the whole pack;
/// - `erc20:Transfer(address,address,uint256)`: the pack's events with that canonical signature;
/// - `[event] Transfer(address indexed from, address indexed to, uint256 value) [anonymous]`:
///   a human-readable signature (the `event` keyword is optional).
///
/// Pack ids are case-insensitive, event names are not. Errors name the entry and what is
/// wrong (unknown pack: the known packs; unknown event: the pack's events; bad type: column).
pub fn resolve_event_spec(spec: &str) -> Result<Vec<EventDef>, AbiError> {
    if spec.trim().is_empty() {
        return Err(AbiError::EmptySpec);
    }
    match split_pack(spec) {
        Some((pack, event_start)) => resolve_in_pack(spec, pack, event_start),
        None => Ok(vec![parse_signature(spec)?]),
    }
}

/// `pack[:event]` -> (pack id, byte offset of the event part or `None` for the whole pack).
fn split_pack(spec: &str) -> Option<(&str, Option<usize>)> {
    let paren = spec.find('(');
    match spec.find(':') {
        Some(colon) if paren.is_none_or(|p| colon < p) => {
            Some((spec[..colon].trim(), Some(colon + 1)))
        }
        Some(_) => None,
        None if paren.is_none() && !spec.trim().contains(char::is_whitespace) => {
            Some((spec.trim(), None))
        }
        None => None,
    }
}

fn resolve_in_pack(
    spec: &str,
    pack: &str,
    event_start: Option<usize>,
) -> Result<Vec<EventDef>, AbiError> {
    let Some((_, preset)) = find_pack(pack) else {
        return Err(AbiError::UnknownPack {
            spec: spec.trim().to_string(),
            pack: pack.to_string(),
            known: pack_ids(),
        });
    };
    let defs = preset_defs(preset.id)?;
    let event = event_start
        .and_then(|s| spec.get(s..))
        .unwrap_or("*")
        .trim();
    if event.is_empty() || event == "*" {
        return Ok(defs.to_vec());
    }
    let (found, known): (Vec<EventDef>, Vec<&str>) = if event.contains('(') {
        let wanted = parse_signature_at(spec, event_start.unwrap_or(0))?.signature;
        let found = defs
            .iter()
            .filter(|d| d.signature == wanted)
            .cloned()
            .collect();
        (found, defs.iter().map(|d| d.signature.as_str()).collect())
    } else {
        let found = defs.iter().filter(|d| d.name() == event).cloned().collect();
        (found, defs.iter().map(EventDef::name).collect())
    };
    if found.is_empty() {
        return Err(AbiError::UnknownEvent {
            spec: spec.trim().to_string(),
            pack: preset.id.to_string(),
            event: event.to_string(),
            known: known.join(", "),
        });
    }
    Ok(found)
}

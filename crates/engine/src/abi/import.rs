//! Import of the events of a JSON ABI: a plain ABI array, or a Hardhat/Foundry artifact
//! object with an `abi` field (an array, or a string holding one, as Etherscan returns).

use super::{error::one_line, AbiError, EventDef};
use alloy_dyn_abi::DynSolType;
use alloy_json_abi::Event;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Imports the events of a JSON ABI; other items (functions, errors, ...) are skipped.
///
/// Identical definitions are returned once, in ABI order. Errors say what is wrong and
/// where: line/column for invalid JSON, the 0-based item index for an invalid event
/// (`item 12: event `Foo`, parameter 2 `x`: unknown type `uint257``).
pub fn import_json_abi(json: &str) -> Result<Vec<EventDef>, AbiError> {
    let value: Value = serde_json::from_str(json).map_err(json_error)?;
    let items = abi_items(&value)?;
    let mut defs: Vec<EventDef> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let def = import_item(item).map_err(|message| AbiError::Item { index, message })?;
        if let Some(def) = def.filter(|d| !defs.contains(d)) {
            defs.push(def);
        }
    }
    Ok(defs)
}

fn json_error(e: serde_json::Error) -> AbiError {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
    AbiError::Json {
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// The ABI array inside `value`.
fn abi_items(value: &Value) -> Result<Cow<'_, [Value]>, AbiError> {
    match value {
        Value::Array(items) => Ok(Cow::Borrowed(items)),
        Value::Object(map) => match map.get("abi") {
            Some(Value::Array(items)) => Ok(Cow::Borrowed(items)),
            Some(Value::String(inner)) => match serde_json::from_str(inner) {
                Ok(Value::Array(items)) => Ok(Cow::Owned(items)),
                _ => Err(not_abi(
                    "the `abi` field is a string that does not hold an ABI array",
                )),
            },
            Some(other) => Err(not_abi(&format!("the `abi` field is {}", kind(other)))),
            None => Err(not_abi("the object has no `abi` field")),
        },
        other => Err(not_abi(&format!(
            "expected an ABI array or an artifact object with an `abi` field, found {}",
            kind(other)
        ))),
    }
}

fn not_abi(message: &str) -> AbiError {
    AbiError::NotAnAbi(message.to_string())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `Ok(None)` for items that are not events.
fn import_item(item: &Value) -> Result<Option<EventDef>, String> {
    let Value::Object(map) = item else {
        return Err(format!("expected an object, found {}", kind(item)));
    };
    match map.get("type") {
        Some(Value::String(t)) if t == "event" => {}
        None | Some(Value::String(_)) => return Ok(None),
        Some(other) => return Err(format!("`type` is {}, expected a string", kind(other))),
    }
    let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
    check_param_types(name, map)?;
    let event: Event = serde_json::from_value(Value::Object(with_defaults(map)))
        .map_err(|e| format!("event `{name}`: {}", one_line(&e.to_string())))?;
    EventDef::from_event(event)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Fills fields some hand-written ABIs omit: `anonymous`, `inputs`, inputs' `indexed`.
fn with_defaults(map: &Map<String, Value>) -> Map<String, Value> {
    let mut map = map.clone();
    map.entry("anonymous").or_insert(Value::Bool(false));
    let inputs = map
        .entry("inputs")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(inputs) = inputs {
        for input in inputs.iter_mut().filter_map(Value::as_object_mut) {
            input.entry("indexed").or_insert(Value::Bool(false));
        }
    }
    map
}

/// Reports the first parameter whose (non-tuple) type does not resolve, by position.
fn check_param_types(event: &str, map: &Map<String, Value>) -> Result<(), String> {
    let Some(Value::Array(inputs)) = map.get("inputs") else {
        return Ok(());
    };
    for (i, input) in inputs.iter().enumerate() {
        let has_components = input
            .get("components")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty());
        let Some(ty) = input.get("type").and_then(Value::as_str) else {
            continue;
        };
        let problem = match super::signature::check_dimensions(ty) {
            Err(message) => Some(message),
            Ok(()) if !has_components && DynSolType::parse(ty).is_err() => {
                Some(format!("unknown type `{ty}`"))
            }
            Ok(()) => None,
        };
        if let Some(message) = problem {
            let name = input
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return Err(AbiError::BadParam {
                event: event.to_string(),
                index: i + 1,
                name: name.to_string(),
                message,
            }
            .to_string());
        }
    }
    Ok(())
}

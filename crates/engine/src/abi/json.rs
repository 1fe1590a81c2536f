//! JSON form of decoded values, for storage, the UI and CSV (re-exported by `crate::decode`).
//!
//! Deterministic and lossless: uint/int as decimal strings, addresses EIP-55 checksummed,
//! bytes and fixed bytes as 0x-hex, arrays as arrays, tuples as arrays (or, when the ABI
//! names every component, objects keyed by component name).

use super::EventDef;
use crate::value::DecodedArg;
use alloy_dyn_abi::DynSolValue;
use alloy_json_abi::Param;
use alloy_primitives::hex;
use serde_json::{Map, Value};

/// JSON form of one value; tuples become arrays (a value carries no component names).
pub fn value_to_json(v: &DynSolValue) -> Value {
    match v {
        DynSolValue::Bool(b) => Value::Bool(*b),
        DynSolValue::Int(i, _) => Value::String(i.to_string()),
        DynSolValue::Uint(u, _) => Value::String(u.to_string()),
        DynSolValue::FixedBytes(word, size) => hex_string(&word[..(*size).min(32)]),
        DynSolValue::Address(a) => Value::String(with_checksum(a, str::to_string)),
        DynSolValue::Function(f) => hex_string(f.as_slice()),
        DynSolValue::Bytes(b) => hex_string(b),
        DynSolValue::String(s) => Value::String(s.clone()),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) | DynSolValue::Tuple(items) => {
            Value::Array(items.iter().map(value_to_json).collect())
        }
        #[allow(unreachable_patterns)] // variants behind optional alloy features
        other => match other.as_fixed_seq() {
            Some(items) => Value::Array(items.iter().map(value_to_json).collect()),
            None => Value::Null,
        },
    }
}

/// The EIP-55 form of an address, remembered per thread: a history holds few distinct
/// addresses and many rows, and each checksum costs a keccak.
pub(crate) fn with_checksum<T>(a: &alloy_primitives::Address, f: impl FnOnce(&str) -> T) -> T {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KNOWN: RefCell<HashMap<alloy_primitives::Address, String>> =
            RefCell::new(HashMap::new());
    }
    KNOWN.with_borrow_mut(|known| {
        if known.len() >= 16_384 && !known.contains_key(a) {
            known.clear();
        }
        f(known.entry(*a).or_insert_with(|| a.to_checksum(None)))
    })
}

/// Appends the JSON text of [`value_to_json_named`]`(v, components)`; the common scalar
/// types without building a value (the CSV export writes a million of them).
pub fn write_value_json(out: &mut String, v: &DynSolValue, components: &[Param]) {
    use std::fmt::Write as _;
    match v {
        DynSolValue::Address(a) => with_checksum(a, |s| {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }),
        DynSolValue::Uint(u, _) => {
            let _ = write!(out, "\"{u}\"");
        }
        DynSolValue::Int(i, _) => {
            let _ = write!(out, "\"{i}\"");
        }
        DynSolValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DynSolValue::FixedBytes(word, size) => {
            out.push_str("\"0x");
            out.push_str(&hex::encode(&word[..(*size).min(32)]));
            out.push('"');
        }
        other => {
            let _ = write!(out, "{}", value_to_json_named(other, components));
        }
    }
}

fn hex_string(bytes: &[u8]) -> Value {
    Value::String(hex::encode_prefixed(bytes))
}

/// Like [`value_to_json`], naming tuple components after `components` (the ABI's
/// components of this value's type, or of its array elements). Tuples whose components
/// are not all named (or not unique) stay arrays.
pub fn value_to_json_named(v: &DynSolValue, components: &[Param]) -> Value {
    match v {
        DynSolValue::Tuple(items) if !components.is_empty() && items.len() == components.len() => {
            let pairs = items.iter().zip(components);
            if names_usable(components) {
                let map = pairs
                    .map(|(item, c)| (c.name.clone(), named(item, c)))
                    .collect();
                Value::Object(map)
            } else {
                Value::Array(pairs.map(|(item, c)| named(item, c)).collect())
            }
        }
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) if !components.is_empty() => {
            Value::Array(
                items
                    .iter()
                    .map(|i| value_to_json_named(i, components))
                    .collect(),
            )
        }
        _ => value_to_json(v),
    }
}

fn named(v: &DynSolValue, c: &Param) -> Value {
    value_to_json_named(v, &c.components)
}

fn names_usable(components: &[Param]) -> bool {
    components
        .iter()
        .enumerate()
        .all(|(i, c)| !c.name.is_empty() && components[..i].iter().all(|d| d.name != c.name))
}

/// Decoded args as a JSON object keyed by arg name (`{"from": "0x..", "value": "1"}`),
/// tuples as arrays. A JSON object does not keep ABI order (keys come out sorted): show
/// args in the order of the `EventDef`'s inputs (or of the `DecodedArg`s). A repeated
/// name gets a `_{position}` suffix (1-based) so no value is lost.
pub fn args_to_json(args: &[DecodedArg]) -> Value {
    collect(args.iter().map(|a| (a, value_to_json(&a.value))))
}

/// Like [`args_to_json`], naming tuple components after `def`'s ABI.
pub fn event_args_to_json(def: &EventDef, args: &[DecodedArg]) -> Value {
    collect(
        args.iter()
            .enumerate()
            .map(|(i, a)| (a, arg_json(def, args, i))),
    )
}

/// The JSON value of argument `i` of [`event_args_to_json`] (`Null` past the end).
pub fn arg_json(def: &EventDef, args: &[DecodedArg], i: usize) -> Value {
    let Some(a) = args.get(i) else {
        return Value::Null;
    };
    match def.event.inputs.get(i) {
        Some(p) if !a.hashed => value_to_json_named(&a.value, &p.components),
        _ => value_to_json(&a.value),
    }
}

/// The keys of [`event_args_to_json`] for `def`'s events, from its ABI alone.
pub fn def_keys(def: &EventDef) -> Vec<String> {
    let names: Vec<String> = (def.event.inputs.iter().enumerate())
        .map(|(i, p)| arg_name(i, &p.name))
        .collect();
    keys_of(names.iter().map(String::as_str))
}

/// The name of parameter `i` (0-based) as decoded arguments carry it: `arg{i}` if unnamed.
pub fn arg_name(i: usize, name: &str) -> String {
    if name.is_empty() {
        format!("arg{i}")
    } else {
        name.to_string()
    }
}

fn keys_of<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for (i, name) in names.enumerate() {
        let key = if keys.iter().any(|k| k == name) {
            format!("{name}_{}", i + 1)
        } else {
            name.to_string()
        };
        keys.push(key);
    }
    keys
}

fn collect<'a>(pairs: impl Iterator<Item = (&'a DecodedArg, Value)>) -> Value {
    let (args, values): (Vec<&DecodedArg>, Vec<Value>) = pairs.unzip();
    let keys = keys_of(args.iter().map(|a| a.name.as_str()));
    Value::Object(keys.into_iter().zip(values).collect::<Map<String, Value>>())
}

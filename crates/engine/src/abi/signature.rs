//! Canonical types, signatures and display forms, and the entry point turning a human-readable
//! event signature into an [`EventDef`] (the parsing itself is in `signature_parser`).

use super::signature_parser::parse_event;
use super::{AbiError, EventDef};
use alloy_dyn_abi::DynSolType;
use alloy_json_abi::{Event, Param};

/// Checks that `name` is a Solidity identifier.
pub(crate) fn check_name(name: &str) -> Result<(), AbiError> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return Ok(());
    }
    Err(AbiError::BadEvent {
        event: name.to_string(),
        message: "the event name is not a valid identifier".to_string(),
    })
}

/// Resolves every input's type, rewriting its type string to canonical form
/// (`uint` -> `uint256`); tuple inputs keep `tuple[..]` with normalized components.
pub(crate) fn normalize_inputs(e: &mut Event) -> Result<Vec<DynSolType>, AbiError> {
    let event = e.name.clone();
    let mut types = Vec::with_capacity(e.inputs.len());
    for (i, p) in e.inputs.iter_mut().enumerate() {
        match normalize(&mut p.ty, &mut p.components) {
            Ok(t) => types.push(t),
            Err(message) => {
                let (index, name) = (i + 1, p.name.clone());
                return Err(AbiError::BadParam {
                    event,
                    index,
                    name,
                    message,
                });
            }
        }
    }
    Ok(types)
}

/// Array dimensions a type may have: far beyond any contract, and a bound on the
/// recursion over the parsed type (its parser takes `uint256[][]…` of any depth).
pub(crate) const MAX_DIMENSIONS: usize = 32;

/// Refuses a type string with more array dimensions than [`MAX_DIMENSIONS`].
pub(crate) fn check_dimensions(ty: &str) -> Result<(), String> {
    if ty.matches('[').count() > MAX_DIMENSIONS {
        let start: String = ty.chars().take(24).collect();
        return Err(format!(
            "type `{start}…` has more than {MAX_DIMENSIONS} array dimensions"
        ));
    }
    Ok(())
}

fn normalize(ty: &mut String, components: &mut [Param]) -> Result<DynSolType, String> {
    check_dimensions(ty)?;
    if components.is_empty() {
        let resolved = DynSolType::parse(ty).map_err(|_| format!("unknown type `{ty}`"))?;
        *ty = type_name(&resolved);
        return Ok(resolved);
    }
    let mut inner = Vec::with_capacity(components.len());
    for (i, c) in components.iter_mut().enumerate() {
        let t = normalize(&mut c.ty, &mut c.components)
            .map_err(|m| format!("component {}{}: {m}", i + 1, quoted(&c.name)))?;
        inner.push(t);
    }
    let Some(sizes) = ty.strip_prefix("tuple") else {
        return Err(format!(
            "type `{ty}` has components but is not a `tuple` type"
        ));
    };
    let shape =
        DynSolType::parse(&format!("bool{sizes}")).map_err(|_| format!("unknown type `{ty}`"))?;
    Ok(with_base(shape, DynSolType::Tuple(inner)))
}

/// Replaces the innermost element type of an (array) type with `base`.
fn with_base(shape: DynSolType, base: DynSolType) -> DynSolType {
    match shape {
        DynSolType::Array(t) => DynSolType::Array(Box::new(with_base(*t, base))),
        DynSolType::FixedArray(t, n) => DynSolType::FixedArray(Box::new(with_base(*t, base)), n),
        _ => base,
    }
}

fn quoted(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" `{name}`")
    }
}

/// `Name(type1,type2)` with canonical type names.
pub(crate) fn canonical_signature(name: &str, types: &[DynSolType]) -> String {
    let types: Vec<_> = types.iter().map(type_name).collect();
    format!("{name}({})", types.join(","))
}

/// A type's canonical Solidity name, as hashed into topic0: `(uint256)[]` for a one-field
/// struct array. (alloy's `sol_type_name` writes a one-field tuple Rust's way, `(uint256,)`,
/// which hashes to another topic0.)
pub(crate) fn type_name(t: &DynSolType) -> String {
    let mut out = String::new();
    push_type_name(t, &mut out);
    out
}

fn push_type_name(t: &DynSolType, out: &mut String) {
    match t {
        DynSolType::Tuple(fields) => {
            out.push('(');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_type_name(f, out);
            }
            out.push(')');
        }
        DynSolType::Array(inner) => {
            push_type_name(inner, out);
            out.push_str("[]");
        }
        DynSolType::FixedArray(inner, n) => {
            push_type_name(inner, out);
            out.push('[');
            out.push_str(&n.to_string());
            out.push(']');
        }
        simple => out.push_str(&simple.sol_type_name()),
    }
}

/// `Name(type1 indexed name1, (type2 a, type3 b)[] name2)[ anonymous]` with canonical type
/// names and tuple component names: it parses back to the same event.
pub(crate) fn display(e: &Event, types: &[DynSolType]) -> String {
    let params: Vec<String> = e
        .inputs
        .iter()
        .zip(types)
        .map(|(p, t)| {
            let mut s = String::new();
            push_named_type(t, &p.components, &mut s);
            if p.indexed {
                s.push_str(" indexed");
            }
            if !p.name.is_empty() {
                s.push(' ');
                s.push_str(&p.name);
            }
            s
        })
        .collect();
    let anonymous = if e.anonymous { " anonymous" } else { "" };
    format!("{}({}){anonymous}", e.name, params.join(", "))
}

/// Writes `t` as [`type_name`] does, with the names of its tuple `components` (the ABI's,
/// for this type or its array elements).
fn push_named_type(t: &DynSolType, components: &[Param], out: &mut String) {
    match t {
        DynSolType::Tuple(fields) if fields.len() == components.len() => {
            let named = components.iter().any(|c| !c.name.is_empty());
            out.push('(');
            for (i, (f, c)) in fields.iter().zip(components).enumerate() {
                if i > 0 {
                    out.push_str(if named { ", " } else { "," });
                }
                push_named_type(f, &c.components, out);
                if !c.name.is_empty() {
                    out.push(' ');
                    out.push_str(&c.name);
                }
            }
            out.push(')');
        }
        DynSolType::Array(inner) => {
            push_named_type(inner, components, out);
            out.push_str("[]");
        }
        DynSolType::FixedArray(inner, n) => {
            push_named_type(inner, components, out);
            out.push('[');
            out.push_str(&n.to_string());
            out.push(']');
        }
        other => push_type_name(other, out),
    }
}

/// Parses `[event] Name(type [indexed] [name], ...) [anonymous]` (a trailing `;` is allowed).
pub(crate) fn parse_signature(spec: &str) -> Result<EventDef, AbiError> {
    parse_signature_at(spec, 0)
}

/// Parses the signature `full[start..]`; errors quote `full` and give columns within it.
pub(crate) fn parse_signature_at(full: &str, start: usize) -> Result<EventDef, AbiError> {
    let bad = |message: String| AbiError::BadSignature {
        spec: full.to_string(),
        message,
    };
    let event = parse_event(full, start).map_err(bad)?;
    EventDef::from_event(event).map_err(|e| match e {
        AbiError::BadParam {
            index,
            name,
            message,
            ..
        } => {
            let column = param_column(full, index);
            bad(format!(
                "parameter {index}{}: {message} at column {column}",
                quoted(&name)
            ))
        }
        other => bad(other.to_string()),
    })
}

/// 1-based character column where parameter `index` (1-based) starts in `spec`.
pub(crate) fn param_column(spec: &str, index: usize) -> usize {
    let mut depth = 0usize;
    let mut seen = 0usize;
    let mut waiting = false;
    for (col, c) in spec.chars().enumerate() {
        if waiting && !c.is_whitespace() {
            if seen == index {
                return col + 1;
            }
            waiting = false;
        }
        match c {
            '(' => {
                depth += 1;
                if depth == 1 {
                    seen += 1;
                    waiting = true;
                }
            }
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => {
                seen += 1;
                waiting = true;
            }
            _ => {}
        }
    }
    1
}

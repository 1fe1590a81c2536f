//! Canonical types, signatures and display forms, and parsing of human-readable event
//! signatures (`event Transfer(address indexed from, address indexed to, uint256 value)`).

use super::{error::one_line, AbiError, EventDef};
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

/// `Name(type1 indexed name1, type2 name2)[ anonymous]` with canonical type names.
pub(crate) fn display(e: &Event, types: &[DynSolType]) -> String {
    let params: Vec<String> = e
        .inputs
        .iter()
        .zip(types)
        .map(|(p, t)| {
            let mut s = type_name(t);
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

/// Parses `[event] Name(type [indexed] [name], ...) [anonymous]` (a trailing `;` is allowed).
pub(crate) fn parse_signature(spec: &str) -> Result<EventDef, AbiError> {
    parse_signature_at(spec, 0)
}

/// Parses the signature `full[start..]`; errors quote `full` and give columns within it.
pub(crate) fn parse_signature_at(full: &str, start: usize) -> Result<EventDef, AbiError> {
    let part = full.get(start..).unwrap_or_default();
    let sig = part.trim().trim_end_matches(';').trim_end();
    // The parser reports columns after the optional `event` keyword.
    let body = match sig.strip_prefix("event") {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => sig,
    };
    let skipped = part.len() - part.trim_start().len() + sig.len() - body.len();
    let lead = full[..start].chars().count() + part[..skipped].chars().count();
    let bad = |message: String| AbiError::BadSignature {
        spec: full.to_string(),
        message,
    };
    let event = Event::parse(sig).map_err(|e| bad(parser_message(&e.to_string(), lead)))?;
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

/// Condenses a parser error into one line, pointing at the column the parser stopped at
/// (`lead` characters precede the parsed text in the quoted spec).
fn parser_message(raw: &str, lead: usize) -> String {
    let lines: Vec<&str> = raw.lines().collect();
    let caret = lines.iter().position(|l| l.trim() == "^");
    match caret {
        Some(i) if i > 0 => {
            let column = lead + lines[i].chars().take_while(|c| *c == ' ').count() + 1;
            let rest = one_line(&lines[i + 1..].join(" "));
            let detail = if rest.is_empty() {
                String::new()
            } else {
                format!(": {rest}")
            };
            format!("invalid signature at column {column}{detail}")
        }
        _ => format!(
            "invalid signature: {}",
            one_line(raw.trim_start_matches("parser error:"))
        ),
    }
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

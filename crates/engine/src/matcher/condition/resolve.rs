//! Resolution of field paths (`pair.amount0`, `ids[1]`, `$0`, `arg0`) against event parameters.

use super::ast::{Access, FieldRef};
use super::lexer::Span;
use super::syntax::{Head, PathSyn, Step};
use super::types::{Kind, ParamInfo, Ty};
use super::Diag;

/// What a path names.
pub(crate) enum Resolved {
    Field(FieldRef),
    /// The emitting token's decimals (no parameter of that name).
    Decimals,
}

/// Resolves `path` against `params`.
pub(crate) fn resolve(path: &PathSyn, params: &[ParamInfo]) -> Result<Resolved, Diag> {
    let Some((index, param)) = head(path, params)? else {
        if let Some((_, span)) = path.steps.first() {
            return Err(Diag::new(
                "`decimals` (the token's decimals) is a number and has no fields",
                *span,
            ));
        }
        return Ok(Resolved::Decimals);
    };
    let mut field = FieldRef {
        param: index,
        param_name: param.name.clone(),
        steps: Vec::new(),
        path: head_text(&path.head),
        ty: param.ty.to_string(),
        kind: if param.hashed {
            Kind::Hash
        } else {
            Kind::of(&param.ty)
        },
    };
    if param.hashed {
        if let Some((_, span)) = path.steps.first() {
            let msg = format!(
                "{}; its parts cannot be read",
                hashed_note(&field.path, &param.ty)
            );
            return Err(Diag::new(msg, *span));
        }
    }
    let mut ty = &param.ty;
    for (step, span) in &path.steps {
        ty = walk(&mut field, ty, step, *span)?;
    }
    if let Ty::Unsupported(name) = ty {
        let msg = format!(
            "`{}` has type `{name}`, which conditions do not support",
            field.path
        );
        return Err(Diag::new(msg, path.head_span));
    }
    if !param.hashed {
        field.kind = Kind::of(ty);
        field.ty = ty.to_string();
    }
    Ok(Resolved::Field(field))
}

/// "`name` is an indexed string, so the log holds only its keccak256 hash".
pub(crate) fn hashed_note(path: &str, ty: &impl std::fmt::Display) -> String {
    format!("`{path}` is an indexed {ty}, so it arrives as a keccak256 hash")
}

fn head_text(head: &Head) -> String {
    match head {
        Head::Name(n) => n.clone(),
        Head::Pos(i) => format!("${i}"),
    }
}

/// Finds the parameter a path starts at; `None` means the built-in `decimals`.
fn head<'p>(
    path: &PathSyn,
    params: &'p [ParamInfo],
) -> Result<Option<(usize, &'p ParamInfo)>, Diag> {
    let name = match &path.head {
        Head::Pos(i) => {
            let msg = format!(
                "no parameter `${i}`: the event has {} parameters",
                params.len()
            );
            return params
                .get(*i)
                .map(|p| Some((*i, p)))
                .ok_or_else(|| Diag::new(msg, path.head_span));
        }
        Head::Name(name) => name,
    };
    if let Some(found) = params.iter().enumerate().find(|(_, p)| &p.name == name) {
        return Ok(Some(found));
    }
    if name == "decimals" {
        return Ok(None);
    }
    let positional = name
        .strip_prefix("arg")
        .and_then(|n| n.parse::<usize>().ok());
    if let Some(found) = positional.and_then(|i| params.get(i).map(|p| (i, p))) {
        if found.1.name.is_empty() {
            return Ok(Some(found));
        }
    }
    let msg = format!(
        "unknown field `{name}`; fields are: {}",
        param_names(params)
    );
    Err(Diag::unknown_field(msg, path.head_span, name))
}

fn param_names(params: &[ParamInfo]) -> String {
    let names: Vec<String> = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if p.name.is_empty() {
                format!("${i}")
            } else {
                p.name.clone()
            }
        })
        .collect();
    if names.is_empty() {
        return "(none: the event has no parameters)".to_string();
    }
    names.join(", ")
}

/// Applies one step, extending `field`; returns the type reached.
fn walk<'t>(field: &mut FieldRef, ty: &'t Ty, step: &Step, span: Span) -> Result<&'t Ty, Diag> {
    let (access, next, text) = match (step, ty) {
        (Step::Member(name), Ty::Tuple(fields)) => {
            let Some((i, (_, t))) = fields.iter().enumerate().find(|(_, (n, _))| n == name) else {
                let msg = format!(
                    "unknown field `{name}` in `{}`; fields are: {}",
                    field.path,
                    member_names(fields)
                );
                return Err(Diag::new(msg, span));
            };
            (Access::Member(i), t, format!(".{name}"))
        }
        (Step::MemberPos(i), Ty::Tuple(fields)) => {
            let Some((_, t)) = fields.get(*i) else {
                let msg = format!("`{}` has only {} fields", field.path, fields.len());
                return Err(Diag::new(msg, span));
            };
            (Access::Member(*i), t, format!(".{i}"))
        }
        (Step::Index(i), Ty::Array(t)) => (Access::Index(*i), &**t, format!("[{i}]")),
        (Step::Index(i), Ty::FixedArray(t, n)) => {
            if i >= n {
                let msg = format!("index {i} is out of bounds: `{}` is {ty}", field.path);
                return Err(Diag::new(msg, span));
            }
            (Access::Index(*i), &**t, format!("[{i}]"))
        }
        _ => return Err(Diag::new(bad_step(&field.path, ty, step), span)),
    };
    field.steps.push(access);
    field.path.push_str(&text);
    Ok(next)
}

fn member_names(fields: &[(String, Ty)]) -> String {
    let names: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, (n, _))| {
            if n.is_empty() {
                format!(".{i}")
            } else {
                n.clone()
            }
        })
        .collect();
    names.join(", ")
}

fn bad_step(path: &str, ty: &Ty, step: &Step) -> String {
    match (step, ty) {
        (Step::Index(_), Ty::Tuple(_)) => {
            format!("`{path}` is a tuple {ty}, not an array; use `.field`")
        }
        (Step::Index(_), _) => format!("`{path}` is {ty}, not an array; it cannot be indexed"),
        (_, Ty::Array(_) | Ty::FixedArray(..)) => {
            format!("`{path}` is an array ({ty}), not a tuple; use an index like `{path}[0]`")
        }
        _ => format!("`{path}` is {ty}, not a tuple; it has no fields"),
    }
}

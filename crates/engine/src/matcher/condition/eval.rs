//! Evaluation of a checked condition against decoded event arguments. Never panics: every
//! unexpected shape of the decoded data is reported as an [`EvalError`].

use super::ast::{Access, Expr, FieldRef, NumExpr, Operand};
use super::check::apply;
use super::num::Dec;
use super::syntax::CmpOp;
use super::types::Kind;
use super::{EvalContext, EvalError};
use crate::value::DecodedArg;
use alloy_dyn_abi::DynSolValue;
use alloy_primitives::Address;
use std::cmp::Ordering;

/// A runtime value, borrowing from the decoded arguments or the condition.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Num(Dec),
    Address(Address),
    Bool(bool),
    Bytes(&'a [u8]),
    Str(&'a str),
}

struct Env<'a> {
    args: &'a [DecodedArg],
    ctx: &'a EvalContext,
}

pub(crate) fn eval(expr: &Expr, args: &[DecodedArg], ctx: &EvalContext) -> Result<bool, EvalError> {
    Env { args, ctx }.expr(expr)
}

impl<'a> Env<'a> {
    fn expr(&self, expr: &'a Expr) -> Result<bool, EvalError> {
        Ok(match expr {
            Expr::Or(items) => self.any(items)?,
            Expr::And(items) => !self.any_false(items)?,
            Expr::Not(inner) => !self.expr(inner)?,
            Expr::Cmp(op, l, r) => compare(*op, &self.operand(l)?, &self.operand(r)?)?,
            Expr::Truthy(o) => match self.operand(o)? {
                Value::Bool(b) => b,
                other => return Err(mismatch(o, "bool", &other)),
            },
        })
    }

    /// Whether an item is true. An item that cannot be decided (an index past the end of
    /// this event's array) is unknown, not false: a later true item still decides the
    /// `or`; otherwise the `or` is unknown too (the error), as `not` of it is.
    fn any(&self, items: &'a [Expr]) -> Result<bool, EvalError> {
        self.any_is(items, true)
    }

    /// Whether an item is false; unknown items as in [`Self::any`].
    fn any_false(&self, items: &'a [Expr]) -> Result<bool, EvalError> {
        self.any_is(items, false)
    }

    fn any_is(&self, items: &'a [Expr], wanted: bool) -> Result<bool, EvalError> {
        let mut unknown: Option<EvalError> = None;
        for item in items {
            match self.expr(item) {
                Ok(v) if v == wanted => return Ok(true),
                Ok(_) => {}
                // A failure (an overflow) wins over an unknown term: it is counted.
                Err(e)
                    if unknown
                        .as_ref()
                        .is_none_or(|u| !u.is_failure() && e.is_failure()) =>
                {
                    unknown = Some(e);
                }
                Err(_) => {}
            }
        }
        unknown.map_or(Ok(false), Err)
    }

    fn operand(&self, op: &'a Operand) -> Result<Value<'a>, EvalError> {
        Ok(match op {
            Operand::Field(f) => self.field(f)?,
            // Compared exactly: `value < 1.5 tokens` of a token without decimals is `value <= 1`.
            Operand::Num(e, text) => Value::Num(self.num(e, text)?),
            Operand::Address(a) => Value::Address(*a),
            Operand::Bytes(b) => Value::Bytes(b),
            Operand::Bool(b) => Value::Bool(*b),
            Operand::Str(s) => Value::Str(s),
        })
    }

    fn num(&self, e: &'a NumExpr, text: &str) -> Result<Dec, EvalError> {
        let arith = |e: super::num::NumError| EvalError::Arithmetic {
            expr: text.to_string(),
            message: e.message().into(),
        };
        match e {
            NumExpr::Const(d) => Ok(*d),
            NumExpr::Decimals => self.decimals(),
            NumExpr::Field(f) => match self.field(f)? {
                Value::Num(d) => Ok(d),
                other => Err(EvalError::TypeMismatch {
                    path: f.path.clone(),
                    expected: f.ty.clone(),
                    found: kind_of(&other),
                }),
            },
            NumExpr::Neg(x) => Ok(self.num(x, text)?.neg()),
            NumExpr::Bin(op, l, r) => {
                apply(*op, self.num(l, text)?, self.num(r, text)?).map_err(arith)
            }
            NumExpr::Tokens(x) => {
                let scale = Dec::from_u64(10).pow(self.decimals()?).map_err(arith)?;
                self.num(x, text)?.mul(scale).map_err(arith)
            }
        }
    }

    fn decimals(&self) -> Result<Dec, EvalError> {
        self.ctx
            .decimals
            .map(|d| Dec::from_u64(d.into()))
            .ok_or(EvalError::DecimalsUnknown)
    }

    fn field(&self, f: &FieldRef) -> Result<Value<'a>, EvalError> {
        let v = self.lookup(f)?;
        convert(v, f.kind).ok_or_else(|| EvalError::TypeMismatch {
            path: f.path.clone(),
            expected: f.ty.clone(),
            found: v
                .as_type()
                .map_or_else(|| "an unknown value".to_string(), |t| t.to_string()),
        })
    }

    fn lookup(&self, f: &FieldRef) -> Result<&'a DynSolValue, EvalError> {
        let named = |a: &&DecodedArg| f.param_name.is_empty() || a.name == f.param_name;
        let by_name = || {
            self.args
                .iter()
                .find(|a| !f.param_name.is_empty() && a.name == f.param_name)
        };
        let arg = self.args.get(f.param).filter(named).or_else(by_name);
        let arg = arg.ok_or_else(|| EvalError::MissingField(f.path.clone()))?;
        f.steps
            .iter()
            .try_fold(&arg.value, |v, step| descend(v, *step, f))
    }
}

fn descend<'v>(
    v: &'v DynSolValue,
    step: Access,
    f: &FieldRef,
) -> Result<&'v DynSolValue, EvalError> {
    let missing = || EvalError::MissingField(f.path.clone());
    match step {
        Access::Member(i) => v.as_fixed_seq().and_then(|s| s.get(i)).ok_or_else(missing),
        Access::Index(i) => {
            let seq = v
                .as_array()
                .or_else(|| v.as_fixed_seq())
                .ok_or_else(missing)?;
            seq.get(i).ok_or(EvalError::IndexOutOfBounds {
                path: f.path.clone(),
                index: i,
                len: seq.len(),
            })
        }
    }
}

/// Reads a decoded value as the kind the condition expects; `None` if it does not fit.
fn convert(v: &DynSolValue, kind: Kind) -> Option<Value<'_>> {
    match kind {
        Kind::Num { .. } => match (v.as_uint(), v.as_int()) {
            (Some((u, _)), _) => Some(Value::Num(Dec::from_u256(u))),
            (_, Some((i, _))) => Some(Value::Num(Dec::from_i256(i))),
            _ => None,
        },
        Kind::Address => v.as_address().map(Value::Address),
        Kind::Bool => v.as_bool().map(Value::Bool),
        Kind::Str => v.as_str().map(Value::Str),
        Kind::Bytes(_) | Kind::Hash => byte_view(v).map(Value::Bytes),
        Kind::Composite => None,
    }
}

fn byte_view(v: &DynSolValue) -> Option<&[u8]> {
    if let Some((word, size)) = v.as_fixed_bytes() {
        return Some(word.get(..size).unwrap_or(word));
    }
    match v {
        DynSolValue::Function(func) => Some(func.as_slice()),
        _ => v.as_bytes(),
    }
}

fn compare(op: CmpOp, l: &Value<'_>, r: &Value<'_>) -> Result<bool, EvalError> {
    let ord = match (l, r) {
        (Value::Num(a), Value::Num(b)) => a.cmp_exact(b),
        _ if op.is_ordering() => return Err(value_mismatch(l, r)),
        (Value::Address(a), Value::Address(b)) => eq_ord(a == b),
        (Value::Bool(a), Value::Bool(b)) => eq_ord(a == b),
        (Value::Bytes(a), Value::Bytes(b)) => eq_ord(a == b),
        (Value::Str(a), Value::Str(b)) => eq_ord(a == b),
        _ => return Err(value_mismatch(l, r)),
    };
    Ok(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

fn eq_ord(equal: bool) -> Ordering {
    if equal {
        Ordering::Equal
    } else {
        Ordering::Less
    }
}

fn kind_of(v: &Value<'_>) -> String {
    match v {
        Value::Num(_) => "a number",
        Value::Address(_) => "an address",
        Value::Bool(_) => "a bool",
        Value::Bytes(_) => "bytes",
        Value::Str(_) => "a string",
    }
    .to_string()
}

fn value_mismatch(l: &Value<'_>, r: &Value<'_>) -> EvalError {
    EvalError::TypeMismatch {
        path: String::new(),
        expected: kind_of(l),
        found: kind_of(r),
    }
}

fn mismatch(o: &Operand, expected: &str, found: &Value<'_>) -> EvalError {
    let path = match o {
        Operand::Field(f) => f.path.clone(),
        _ => String::new(),
    };
    EvalError::TypeMismatch {
        path,
        expected: expected.to_string(),
        found: kind_of(found),
    }
}

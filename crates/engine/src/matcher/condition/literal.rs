//! Typing of comparison operands: literal conversion (addresses, bytes, numbers) and the
//! compatibility rules between a field and what it is compared with.

use super::ast::{FieldRef, NumExpr, Operand};
use super::lexer::Span;
use super::num::Dec;
use super::resolve::hashed_note;
use super::syntax::CmpOp;
use super::types::Kind;
use super::Diag;
use alloy_primitives::{hex, Address};

/// One typed side of a comparison, before lowering to an [`Operand`].
pub(crate) enum Side {
    Field(FieldRef, Span),
    /// Numeric expression, its source text.
    Num(NumExpr, String, Span),
    /// Hex digits after `0x`.
    Hex(String, Span),
    Str(String, Span),
    Bool(bool, Span),
}

impl Side {
    pub(crate) fn describe(&self) -> String {
        match self {
            Side::Field(f, _) => f.describe(),
            Side::Num(..) => "a number".to_string(),
            Side::Hex(..) => "a hex value".to_string(),
            Side::Str(..) => "a string".to_string(),
            Side::Bool(..) => "true/false".to_string(),
        }
    }

    fn span(&self) -> Span {
        match self {
            Side::Field(_, s)
            | Side::Num(_, _, s)
            | Side::Hex(_, s)
            | Side::Str(_, s)
            | Side::Bool(_, s) => *s,
        }
    }
}

fn mismatch(what: &str, other: &Side) -> Diag {
    Diag::new(
        format!("cannot compare {what} with {}", other.describe()),
        other.span(),
    )
}

fn compatible(a: Kind, b: Kind) -> bool {
    match (a, b) {
        (Kind::Num { .. }, Kind::Num { .. }) => true,
        (Kind::Hash, Kind::Hash | Kind::Bytes(Some(32))) | (Kind::Bytes(Some(32)), Kind::Hash) => {
            true
        }
        // `bytes4` never equals a `bytes32`; dynamic `bytes` may equal either.
        (Kind::Bytes(a), Kind::Bytes(b)) => a == b || a.is_none() || b.is_none(),
        (Kind::Composite, _) | (_, Kind::Composite) => false,
        (a, b) => a == b,
    }
}

/// Lowers `other` for comparison with the field `f` (operator checks already done).
pub(crate) fn coerce(f: &FieldRef, other: Side) -> Result<Operand, Diag> {
    match (f.kind, other) {
        (_, Side::Field(g, span)) if !compatible(f.kind, g.kind) => {
            Err(mismatch(&f.describe(), &Side::Field(g, span)))
        }
        (_, Side::Field(g, _)) => Ok(Operand::Field(g)),
        (Kind::Num { signed }, Side::Num(e, text, span)) => {
            check_num(&e, Some((signed, f)), span)?;
            Ok(Operand::Num(e, text))
        }
        (Kind::Num { signed }, Side::Hex(h, span)) => {
            // A hex number is unsigned: for an `int` field it must fit as written.
            let e = NumExpr::Const(hex_number(&h, span)?);
            check_num(&e, Some((signed, f)), span)?;
            Ok(Operand::Num(e, format!("0x{h}")))
        }
        (Kind::Address, Side::Hex(h, span)) => Ok(Operand::Address(address(&h, span)?)),
        (Kind::Bool, Side::Bool(b, _)) => Ok(Operand::Bool(b)),
        (Kind::Str, Side::Str(s, _)) => Ok(Operand::Str(s)),
        (Kind::Bytes(n), Side::Hex(h, span)) => Ok(Operand::Bytes(bytes(&h, n, f, span)?)),
        (Kind::Hash, Side::Hex(h, span)) if h.len() == 64 => {
            Ok(Operand::Bytes(bytes(&h, Some(32), f, span)?))
        }
        (Kind::Hash, other) => {
            let msg = format!(
                "{}; compare it with a 32-byte hex value (0x + 64 hex digits)",
                hashed_note(&f.path, &f.ty)
            );
            Err(Diag::new(msg, other.span()))
        }
        (_, other) => Err(mismatch(&f.describe(), &other)),
    }
}

/// Lowers a comparison between two non-field sides.
pub(crate) fn pair(op: CmpOp, op_span: Span, l: Side, r: Side) -> Result<(Operand, Operand), Diag> {
    let numeric = |s: Side| -> Result<Operand, Diag> {
        match s {
            Side::Num(e, text, span) => check_num(&e, None, span).map(|()| Operand::Num(e, text)),
            Side::Hex(h, span) => Ok(Operand::Num(
                NumExpr::Const(hex_number(&h, span)?),
                format!("0x{h}"),
            )),
            other => Err(Diag::new(
                format!("expected a number, found {}", other.describe()),
                other.span(),
            )),
        }
    };
    if matches!((&l, &r), (Side::Num(..), _) | (_, Side::Num(..))) {
        return Ok((numeric(l)?, numeric(r)?));
    }
    if op.is_ordering() {
        return Err(Diag::new(
            format!("`{}` needs numbers on both sides", op.symbol()),
            op_span,
        ));
    }
    match (l, r) {
        (Side::Hex(a, sa), Side::Hex(b, sb)) => Ok((
            Operand::Bytes(raw_bytes(&a, sa)?),
            Operand::Bytes(raw_bytes(&b, sb)?),
        )),
        (Side::Str(a, _), Side::Str(b, _)) => Ok((Operand::Str(a), Operand::Str(b))),
        (Side::Bool(a, _), Side::Bool(b, _)) => Ok((Operand::Bool(a), Operand::Bool(b))),
        (l, r) => Err(mismatch(&l.describe(), &r)),
    }
}

/// Checks a numeric operand against the field it is compared with, if any.
fn check_num(e: &NumExpr, field: Option<(bool, &FieldRef)>, span: Span) -> Result<(), Diag> {
    let Some(d) = e.as_const() else {
        return match (e, field) {
            (NumExpr::Neg(inner), Some((false, f))) if !has_field(inner) => Err(negative(f, span)),
            _ => Ok(()),
        };
    };
    if !d.is_integer() {
        let msg =
            format!("`{d}` is not a whole number; scale it, e.g. `{d} * 10^6` or `{d} tokens`");
        return Err(Diag::new(msg, span));
    }
    let msg = match field {
        Some((false, f)) if d.is_negative() => return Err(negative(f, span)),
        Some((false, f)) if !d.fits_u256() => format!(
            "number overflows 256 bits ({} is at most 2^256-1)",
            f.describe()
        ),
        Some((true, f)) if !d.fits_i256() => {
            format!(
                "number overflows 256 bits ({} is between -2^255 and 2^255-1)",
                f.describe()
            )
        }
        None if !d.fits_256() => "number overflows 256 bits".to_string(),
        _ => return Ok(()),
    };
    Err(Diag::new(msg, span))
}

fn negative(f: &FieldRef, span: Span) -> Diag {
    Diag::new(
        format!("negative number compared with unsigned {}", f.describe()),
        span,
    )
}

fn has_field(e: &NumExpr) -> bool {
    match e {
        NumExpr::Field(_) => true,
        NumExpr::Const(_) | NumExpr::Decimals => false,
        NumExpr::Neg(x) | NumExpr::Tokens(x) => has_field(x),
        NumExpr::Bin(_, l, r) => has_field(l) || has_field(r),
    }
}

fn bad_hex_digit(h: &str) -> Option<char> {
    h.chars().find(|c| !c.is_ascii_hexdigit())
}

/// `0x…` used as a number (at most 256 bits).
pub(crate) fn hex_number(h: &str, span: Span) -> Result<Dec, Diag> {
    if h.is_empty() || bad_hex_digit(h).is_some() {
        return Err(Diag::new(
            format!("`0x{h}` is not a valid hex number"),
            span,
        ));
    }
    Dec::from_hex(h).ok_or_else(|| Diag::new("number overflows 256 bits", span))
}

/// `0x…` as an address: 40 hex digits. A mixed-case address with a wrong EIP-55 checksum
/// is accepted here and reported by [`super::address_warnings`].
fn address(h: &str, span: Span) -> Result<Address, Diag> {
    let text = format!("0x{h}");
    let bad = |why: String| Diag::new(format!("malformed address `{text}`: {why}"), span);
    if let Some(c) = bad_hex_digit(h) {
        return Err(bad(format!("`{c}` is not a hex digit")));
    }
    if h.len() != 40 {
        return Err(bad(format!("expected 40 hex digits, found {}", h.len())));
    }
    text.to_ascii_lowercase()
        .parse::<Address>()
        .map_err(|e| bad(e.to_string()))
}

/// `0x…` as bytes for the field `f`; `len` is its fixed size, if any.
fn bytes(h: &str, len: Option<usize>, f: &FieldRef, span: Span) -> Result<Vec<u8>, Diag> {
    let b = raw_bytes(h, span)?;
    match len {
        Some(n) if b.len() != n => {
            let msg = format!(
                "{} holds {n} bytes (0x + {} hex digits), found {} bytes",
                f.describe(),
                n * 2,
                b.len()
            );
            Err(Diag::new(msg, span))
        }
        _ => Ok(b),
    }
}

fn raw_bytes(h: &str, span: Span) -> Result<Vec<u8>, Diag> {
    if bad_hex_digit(h).is_some() || !h.len().is_multiple_of(2) {
        let msg =
            format!("`0x{h}` is not valid hex bytes (an even number of hex digits is needed)");
        return Err(Diag::new(msg, span));
    }
    hex::decode(h).map_err(|e| Diag::new(format!("`0x{h}`: {e}"), span))
}

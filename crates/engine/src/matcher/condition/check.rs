//! Type checking: lowers the syntax tree to the typed [`Expr`], reporting errors at spans.

use super::ast::{Expr, FieldRef, NumExpr, Operand};
use super::lexer::Span;
use super::literal::{self, Side};
use super::num::{Dec, NumError};
use super::resolve::{hashed_note, resolve, Resolved};
use super::syntax::{ArithOp, CmpOp, Syn, Term, TermKind};
use super::types::{Kind, ParamInfo};
use super::Diag;

pub(crate) struct Checker<'a> {
    pub src: &'a str,
    pub params: &'a [ParamInfo],
    /// The event checked for, and every event the listener watches: a clause scoped to
    /// another of them is left out; one scoped to an event not watched is an error.
    pub event: &'a str,
    pub watched: &'a [String],
    pub uses_decimals: bool,
}

impl Checker<'_> {
    /// The typed condition for this event; `None` when every clause is for other events.
    pub(crate) fn check(&mut self, syn: &Syn) -> Result<Option<Expr>, Diag> {
        Ok(Some(match syn {
            Syn::Or(items) => return self.kept(items, Expr::Or),
            Syn::And(items) => return self.kept(items, Expr::And),
            Syn::Not(inner) => match self.check(inner)? {
                Some(e) => Expr::Not(Box::new(e)),
                None => return Ok(None),
            },
            Syn::Scoped {
                event,
                event_span,
                body,
            } => return self.scoped(event, *event_span, body),
            Syn::Cmp {
                op,
                op_span,
                lhs,
                rhs,
            } => self.cmp(*op, *op_span, lhs, rhs)?,
            Syn::In {
                lhs,
                list,
                negated,
                list_span,
            } => self.in_list(lhs, list, *negated, *list_span)?,
            Syn::Bare(term) => self.bare(term)?,
        }))
    }

    /// The items that apply to this event, joined by `make` (one stands for itself).
    fn kept(&mut self, items: &[Syn], make: fn(Vec<Expr>) -> Expr) -> Result<Option<Expr>, Diag> {
        let mut kept = Vec::new();
        for item in items {
            kept.extend(self.check(item)?);
        }
        Ok(match kept.len() {
            0 => None,
            1 => kept.pop(),
            _ => Some(make(kept)),
        })
    }

    /// `Event(body)`: the body for that event, nothing for the listener's other events.
    fn scoped(&mut self, event: &str, span: Span, body: &Syn) -> Result<Option<Expr>, Diag> {
        if event == self.event {
            return self.check(body);
        }
        if self.watched.iter().any(|w| w == event) {
            return Ok(None);
        }
        let message = if self.watched.is_empty() {
            format!("`{event}( … )` applies a clause to one event, but this condition is not checked for named events")
        } else {
            let mut names: Vec<&str> = Vec::new();
            for w in self.watched {
                if !names.contains(&w.as_str()) {
                    names.push(w);
                }
            }
            format!(
                "the listener watches no event named `{event}`; it watches {}",
                names.join(", ")
            )
        };
        Err(Diag::new(message, span))
    }

    fn text(&self, span: Span) -> String {
        self.src
            .get(span.start..span.end())
            .unwrap_or_default()
            .to_string()
    }

    /// `x in [a, b]` becomes `x == a or x == b`.
    fn in_list(
        &mut self,
        lhs: &Term,
        list: &[Term],
        negated: bool,
        list_span: Span,
    ) -> Result<Expr, Diag> {
        if list.is_empty() {
            return Err(Diag::new(
                "`in` needs at least one value in the list",
                list_span,
            ));
        }
        let items = list
            .iter()
            .map(|item| self.cmp(CmpOp::Eq, list_span, lhs, item));
        let expr = Expr::Or(items.collect::<Result<_, _>>()?);
        Ok(if negated {
            Expr::Not(Box::new(expr))
        } else {
            expr
        })
    }

    fn bare(&mut self, term: &Term) -> Result<Expr, Diag> {
        match self.side(term)? {
            Side::Bool(b, _) => Ok(Expr::Truthy(Operand::Bool(b))),
            Side::Field(f, _) if f.kind == Kind::Bool => Ok(Expr::Truthy(Operand::Field(f))),
            Side::Field(f, span) => {
                let msg = format!(
                    "{} is not a condition; compare it, e.g. `{} == …`",
                    f.describe(),
                    f.path
                );
                Err(Diag::new(msg, span))
            }
            other => Err(Diag::new(
                format!("{} is not a condition", other.describe()),
                term.span,
            )),
        }
    }

    fn cmp(&mut self, op: CmpOp, op_span: Span, lhs: &Term, rhs: &Term) -> Result<Expr, Diag> {
        let l = self.side(lhs)?;
        let r = self.side(rhs)?;
        let (l, r) = match (l, r) {
            (Side::Field(f, span), other) => {
                let other = self.against_field(op, op_span, &f, span, other)?;
                (Operand::Field(f), other)
            }
            (other, Side::Field(f, span)) => (
                self.against_field(op, op_span, &f, span, other)?,
                Operand::Field(f),
            ),
            (l, r) => literal::pair(op, op_span, l, r)?,
        };
        Ok(Expr::Cmp(op, l, r))
    }

    /// Types one side of a comparison.
    fn side(&mut self, term: &Term) -> Result<Side, Diag> {
        let span = term.span;
        Ok(match &term.kind {
            TermKind::Path(p) => match resolve(p, self.params)? {
                Resolved::Field(f) => Side::Field(f, span),
                Resolved::Decimals => self.numeric(term)?,
            },
            TermKind::Hex(h) => Side::Hex(h.clone(), span),
            TermKind::Str(s) => Side::Str(s.clone(), span),
            TermKind::Bool(b) => Side::Bool(*b, span),
            TermKind::Num(_) | TermKind::Neg(_) | TermKind::Arith(..) | TermKind::Tokens(_) => {
                self.numeric(term)?
            }
        })
    }

    fn numeric(&mut self, term: &Term) -> Result<Side, Diag> {
        Ok(Side::Num(self.num(term)?, self.text(term.span), term.span))
    }

    /// Lowers an arithmetic term, folding constant parts.
    fn num(&mut self, term: &Term) -> Result<NumExpr, Diag> {
        let expr = match &term.kind {
            TermKind::Num(d) => NumExpr::Const(*d),
            TermKind::Hex(h) => NumExpr::Const(literal::hex_number(h, term.span)?),
            TermKind::Path(p) => self.num_path(p, term.span)?,
            TermKind::Neg(x) => NumExpr::Neg(Box::new(self.num(x)?)),
            TermKind::Arith(op, l, r) => {
                NumExpr::Bin(*op, Box::new(self.num(l)?), Box::new(self.num(r)?))
            }
            TermKind::Tokens(x) => {
                self.uses_decimals = true;
                NumExpr::Tokens(Box::new(self.num(x)?))
            }
            TermKind::Str(_) => {
                return Err(Diag::new("expected a number, found a string", term.span))
            }
            TermKind::Bool(_) => {
                return Err(Diag::new("expected a number, found true/false", term.span))
            }
        };
        fold(expr).map_err(|e| Diag::new(e.message(), term.span))
    }

    fn num_path(&mut self, p: &super::syntax::PathSyn, span: Span) -> Result<NumExpr, Diag> {
        match resolve(p, self.params)? {
            Resolved::Decimals => {
                self.uses_decimals = true;
                Ok(NumExpr::Decimals)
            }
            Resolved::Field(f) if matches!(f.kind, Kind::Num { .. }) => Ok(NumExpr::Field(f)),
            Resolved::Field(f) => Err(Diag::new(format!("{} is not a number", f.describe()), span)),
        }
    }

    /// Lowers `other` so it can be compared with the field `f`.
    fn against_field(
        &mut self,
        op: CmpOp,
        op_span: Span,
        f: &FieldRef,
        f_span: Span,
        other: Side,
    ) -> Result<Operand, Diag> {
        match f.kind {
            Kind::Composite => return Err(Diag::new(composite_msg(f), f_span)),
            Kind::Hash if op.is_ordering() => {
                let msg = format!(
                    "{}; it can only be compared with `==`, `!=` or `in`",
                    hashed_note(&f.path, &f.ty)
                );
                return Err(Diag::new(msg, op_span));
            }
            Kind::Num { .. } => {}
            _ if op.is_ordering() => {
                let msg = format!(
                    "`{}` cannot order {}; use `==`, `!=` or `in`",
                    op.symbol(),
                    f.describe()
                );
                return Err(Diag::new(msg, op_span));
            }
            _ => {}
        }
        literal::coerce(f, other)
    }
}

fn composite_msg(f: &FieldRef) -> String {
    if f.ty.ends_with(']') {
        return format!(
            "`{}` is an array ({}); compare one element, e.g. `{}[0]`",
            f.path, f.ty, f.path
        );
    }
    format!(
        "`{}` is a tuple {}; compare one of its fields, e.g. `{}.0`",
        f.path, f.ty, f.path
    )
}

/// Folds an operation whose operands are all constants, and the constants of a chain of
/// `*` (or `+`): `value * 10^70 * 10^70` is `value * 10^140`. A constant beyond 256 bits
/// next to a field is refused: the result would overflow for all but the smallest values.
fn fold(expr: NumExpr) -> Result<NumExpr, NumError> {
    let expr = match expr {
        NumExpr::Bin(op, l, r) => regroup(op, *l, *r)?,
        other => other,
    };
    if let NumExpr::Bin(_, l, r) = &expr {
        let huge = |c: &NumExpr, other: &NumExpr| {
            c.as_const().is_some_and(|d| d.exceeds_256_bits()) && other.as_const().is_none()
        };
        if huge(l, r) || huge(r, l) {
            return Err(NumError::Overflow);
        }
    }
    let value = match &expr {
        NumExpr::Neg(x) => x.as_const().map(|d| Ok(d.neg())),
        NumExpr::Bin(op, l, r) => match (l.as_const(), r.as_const()) {
            (Some(l), Some(r)) => Some(apply(*op, l, r)),
            _ => None,
        },
        _ => None,
    };
    match value {
        Some(v) => v.map(NumExpr::Const),
        None => Ok(expr),
    }
}

/// `x ∘ c1 ∘ c2` (or `c2 ∘ (x ∘ c1)`) as `x ∘ (c1 ∘ c2)` for `∘` in `+`, `*`: exact arithmetic
/// makes it the same number.
fn regroup(op: ArithOp, l: NumExpr, r: NumExpr) -> Result<NumExpr, NumError> {
    if matches!(op, ArithOp::Add | ArithOp::Mul) {
        let parts = match (l.as_const(), r.as_const()) {
            (None, Some(c2)) => split_const(&l, op).map(|(x, c1)| (x, c1, c2)),
            (Some(c2), None) => split_const(&r, op).map(|(x, c1)| (x, c1, c2)),
            _ => None,
        };
        if let Some((x, c1, c2)) = parts {
            let c = NumExpr::Const(apply(op, c1, c2)?);
            return Ok(NumExpr::Bin(op, Box::new(x), Box::new(c)));
        }
    }
    Ok(NumExpr::Bin(op, Box::new(l), Box::new(r)))
}

/// `x ∘ c` or `c ∘ x` as `(x, c)`.
fn split_const(e: &NumExpr, op: ArithOp) -> Option<(NumExpr, Dec)> {
    let NumExpr::Bin(o, a, b) = e else {
        return None;
    };
    match (*o == op, a.as_const(), b.as_const()) {
        (true, None, Some(c)) => Some(((**a).clone(), c)),
        (true, Some(c), None) => Some(((**b).clone(), c)),
        _ => None,
    }
}

/// Applies an arithmetic operator.
pub(crate) fn apply(op: ArithOp, l: Dec, r: Dec) -> Result<Dec, NumError> {
    match op {
        ArithOp::Add => l.add(r),
        ArithOp::Sub => l.sub(r),
        ArithOp::Mul => l.mul(r),
        ArithOp::Pow => l.pow(r),
    }
}

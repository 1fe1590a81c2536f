//! Canonical pretty-printing of the syntax tree; the output parses back to the same tree.

use super::syntax::{ArithOp, Head, PathSyn, Step, Syn, Term, TermKind};
use std::fmt::{self, Display, Formatter};

fn syn_prec(syn: &Syn) -> u8 {
    match syn {
        Syn::Or(..) => 1,
        Syn::And(..) => 2,
        Syn::Not(_) => 3,
        Syn::Cmp { .. } | Syn::In { .. } => 4,
        Syn::Bare(_) | Syn::Scoped { .. } => 5,
    }
}

fn write_syn(f: &mut Formatter<'_>, syn: &Syn, min: u8) -> fmt::Result {
    if syn_prec(syn) < min {
        write!(f, "(")?;
        write_syn(f, syn, 0)?;
        return write!(f, ")");
    }
    match syn {
        Syn::Or(items) => join_syn(f, items, " or ", 2),
        Syn::And(items) => join_syn(f, items, " and ", 3),
        Syn::Not(inner) => {
            write!(f, "not ")?;
            write_syn(f, inner, 5)
        }
        Syn::Cmp { op, lhs, rhs, .. } => write!(f, "{lhs} {} {rhs}", op.symbol()),
        Syn::In {
            lhs, list, negated, ..
        } => write_in(f, lhs, list, *negated),
        Syn::Bare(term) => write!(f, "{term}"),
        Syn::Scoped { event, body, .. } => {
            write!(f, "{event}(")?;
            write_syn(f, body, 0)?;
            write!(f, ")")
        }
    }
}

fn join_syn(f: &mut Formatter<'_>, items: &[Syn], op: &str, min: u8) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            write!(f, "{op}")?;
        }
        write_syn(f, item, min)?;
    }
    Ok(())
}

fn write_in(f: &mut Formatter<'_>, lhs: &Term, list: &[Term], negated: bool) -> fmt::Result {
    write!(f, "{lhs} {}in [", if negated { "not " } else { "" })?;
    for (i, item) in list.iter().enumerate() {
        write!(f, "{}{item}", if i == 0 { "" } else { ", " })?;
    }
    write!(f, "]")
}

impl Display for Syn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_syn(f, self, 0)
    }
}

fn term_prec(kind: &TermKind) -> u8 {
    match kind {
        TermKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 1,
        TermKind::Arith(ArithOp::Mul, ..) => 2,
        TermKind::Neg(_) => 3,
        TermKind::Tokens(_) => 4,
        TermKind::Arith(ArithOp::Pow, ..) => 5,
        _ => 6,
    }
}

fn write_term(f: &mut Formatter<'_>, term: &Term, min: u8) -> fmt::Result {
    if term_prec(&term.kind) < min {
        write!(f, "(")?;
        write_term(f, term, 0)?;
        return write!(f, ")");
    }
    match &term.kind {
        TermKind::Arith(op, l, r) => write_arith(f, *op, l, r),
        TermKind::Neg(inner) => {
            write!(f, "-")?;
            write_term(f, inner, 3)
        }
        TermKind::Tokens(inner) => {
            write_term(f, inner, 5)?;
            write!(f, " tokens")
        }
        TermKind::Num(n) => write!(f, "{n}"),
        TermKind::Hex(h) => write!(f, "0x{h}"),
        TermKind::Str(s) => write_str(f, s),
        TermKind::Bool(b) => write!(f, "{b}"),
        TermKind::Path(p) => write!(f, "{p}"),
    }
}

fn write_arith(f: &mut Formatter<'_>, op: ArithOp, l: &Term, r: &Term) -> fmt::Result {
    let (sym, lmin, rmin) = match op {
        ArithOp::Add => (" + ", 1, 2),
        ArithOp::Sub => (" - ", 1, 2),
        ArithOp::Mul => (" * ", 2, 3),
        ArithOp::Pow => ("^", 6, 5),
    };
    write_term(f, l, lmin)?;
    write!(f, "{sym}")?;
    write_term(f, r, rmin)
}

fn write_str(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "\"")?;
    for c in s.chars() {
        match c {
            '"' => write!(f, "\\\"")?,
            '\\' => write!(f, "\\\\")?,
            '\n' => write!(f, "\\n")?,
            '\t' => write!(f, "\\t")?,
            '\r' => write!(f, "\\r")?,
            '\0' => write!(f, "\\0")?,
            c => write!(f, "{c}")?,
        }
    }
    write!(f, "\"")
}

impl Display for Term {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_term(f, self, 0)
    }
}

impl Display for PathSyn {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.head {
            Head::Name(n) => write!(f, "{n}")?,
            Head::Pos(i) => write!(f, "${i}")?,
        }
        for (step, _) in &self.steps {
            match step {
                Step::Member(m) => write!(f, ".{m}")?,
                Step::MemberPos(i) => write!(f, ".{i}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

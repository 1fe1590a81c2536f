//! The untyped syntax tree produced by [`super::parser`], with source spans.

use super::lexer::Span;
use super::num::Dec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Pow,
}

/// Boolean-level syntax.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Syn {
    /// Two or more alternatives.
    Or(Vec<Syn>),
    /// Two or more conjuncts.
    And(Vec<Syn>),
    Not(Box<Syn>),
    Cmp {
        op: CmpOp,
        op_span: Span,
        lhs: Term,
        rhs: Term,
    },
    In {
        lhs: Term,
        list: Vec<Term>,
        negated: bool,
        list_span: Span,
    },
    /// A term used as a boolean on its own, e.g. `approved`.
    Bare(Term),
    /// `Event(cond)`: a clause for one event only, left out when checking the others.
    Scoped {
        event: String,
        event_span: Span,
        body: Box<Syn>,
    },
}

/// Value-level syntax with its source span.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    pub kind: TermKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TermKind {
    Path(PathSyn),
    Num(Dec),
    Hex(String),
    Str(String),
    Bool(bool),
    Neg(Box<Term>),
    Arith(ArithOp, Box<Term>, Box<Term>),
    /// `x tokens` = `x * 10^decimals`.
    Tokens(Box<Term>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathSyn {
    pub head: Head,
    pub head_span: Span,
    pub steps: Vec<(Step, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Head {
    Name(String),
    /// `$N`.
    Pos(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// `.name`
    Member(String),
    /// `.N`
    MemberPos(usize),
    /// `[N]`
    Index(usize),
}

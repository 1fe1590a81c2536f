//! The typed, checked condition tree that [`super::eval`] runs.

use super::num::Dec;
use super::syntax::{ArithOp, CmpOp};
use super::types::Kind;
use alloy_primitives::Address;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(CmpOp, Operand, Operand),
    /// A boolean field or literal on its own.
    Truthy(Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Field(FieldRef),
    /// A numeric expression and its source text (for error messages).
    Num(NumExpr, String),
    Address(Address),
    Bytes(Vec<u8>),
    Bool(bool),
    Str(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NumExpr {
    Const(Dec),
    /// The emitting token's decimals, from the evaluation context.
    Decimals,
    Field(FieldRef),
    Neg(Box<NumExpr>),
    Bin(ArithOp, Box<NumExpr>, Box<NumExpr>),
    /// `x tokens` = `x * 10^decimals`.
    Tokens(Box<NumExpr>),
}

/// A resolved field path: parameter index plus tuple-member / array-index steps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldRef {
    pub param: usize,
    /// The ABI name of the parameter (empty when unnamed).
    pub param_name: String,
    pub steps: Vec<Access>,
    /// The path as written, for messages.
    pub path: String,
    /// Declared Solidity type of the addressed value, for messages.
    pub ty: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Member(usize),
    Index(usize),
}

impl FieldRef {
    /// "uint256 `value`", as used in messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} `{}`", self.ty, self.path)
    }
}

impl NumExpr {
    pub(crate) fn as_const(&self) -> Option<Dec> {
        match self {
            NumExpr::Const(d) => Some(*d),
            _ => None,
        }
    }
}

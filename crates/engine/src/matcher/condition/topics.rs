//! What a condition says about indexed parameters, as `eth_getLogs` topic filters: a
//! network-level listener ("every transfer to my wallets") then asks the node only for the
//! logs that can match, instead of every transfer on the chain.

use std::collections::BTreeMap;

use alloy_primitives::B256;

use super::ast::{Expr, FieldRef, NumExpr, Operand};
use super::syntax::CmpOp;
use super::types::Kind;
use super::Condition;

impl Condition {
    /// For each indexed parameter the condition pins down (in its top-level `and`), the
    /// topic values one of which it must equal. Keys are parameter indices. Anything the
    /// condition does not pin is absent; the matcher still evaluates the whole condition.
    pub fn topic_constraints(&self) -> BTreeMap<usize, Vec<B256>> {
        let mut out = BTreeMap::new();
        let conjuncts: Vec<&Expr> = match &self.expr {
            Expr::And(items) => items.iter().collect(),
            other => vec![other],
        };
        for c in conjuncts {
            if let Some((param, values)) = pinned(c) {
                out.entry(param)
                    .and_modify(|v: &mut Vec<B256>| v.retain(|x| values.contains(x)))
                    .or_insert(values);
            }
        }
        out
    }
}

/// `field == literal` or an `or` of those on one field (`field in [..]`).
fn pinned(e: &Expr) -> Option<(usize, Vec<B256>)> {
    match e {
        Expr::Cmp(CmpOp::Eq, a, b) => {
            let (f, lit) = match (a, b) {
                (Operand::Field(f), lit) => (f, lit),
                (lit, Operand::Field(f)) => (f, lit),
                _ => return None,
            };
            Some((plain(f)?, vec![word(f, lit)?]))
        }
        Expr::Or(items) => {
            let mut param = None;
            let mut values = Vec::new();
            for item in items {
                let (p, mut v) = pinned(item)?;
                if param.is_some_and(|q| q != p) {
                    return None;
                }
                param = Some(p);
                values.append(&mut v);
            }
            Some((param?, values))
        }
        _ => None,
    }
}

/// A whole parameter (not a path into it).
fn plain(f: &FieldRef) -> Option<usize> {
    f.steps.is_empty().then_some(f.param)
}

/// The topic word a literal stands for in this field's topic.
fn word(f: &FieldRef, lit: &Operand) -> Option<B256> {
    let bytes: [u8; 32] = match (&f.kind, lit) {
        (Kind::Address, Operand::Address(a)) => a.into_word().0,
        (Kind::Num { .. }, Operand::Num(NumExpr::Const(d), _)) => d.to_word()?,
        (Kind::Bool, Operand::Bool(b)) => B256::with_last_byte(u8::from(*b)).0,
        (Kind::Bytes(Some(n)), Operand::Bytes(b)) if b.len() == *n && *n <= 32 => {
            let mut w = [0u8; 32];
            w[..b.len()].copy_from_slice(b);
            w
        }
        (Kind::Hash, Operand::Bytes(b)) if b.len() == 32 => B256::from_slice(b).0,
        _ => return None,
    };
    Some(B256::from(bytes))
}

//! The parameter type model used for type checking: Solidity types with tuple component names.

use alloy_dyn_abi::DynSolType;
use alloy_json_abi::{EventParam, Param};
use std::fmt;

/// A Solidity type, keeping tuple component names (which `DynSolType` drops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Int(usize),
    Uint(usize),
    Address,
    FixedBytes(usize),
    Bytes,
    String,
    Function,
    Array(Box<Ty>),
    FixedArray(Box<Ty>, usize),
    Tuple(Vec<(String, Ty)>),
    /// A type string this module cannot read.
    Unsupported(String),
}

/// What a value of some type can be compared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Num {
        signed: bool,
    },
    Address,
    Bool,
    /// `Some(n)` for `bytesN` / `function` (24 bytes).
    Bytes(Option<usize>),
    Str,
    /// An indexed dynamic parameter: only its 32-byte keccak hash is in the log.
    Hash,
    Composite,
}

impl Kind {
    pub(crate) fn of(ty: &Ty) -> Kind {
        match ty {
            Ty::Bool => Kind::Bool,
            Ty::Int(_) => Kind::Num { signed: true },
            Ty::Uint(_) => Kind::Num { signed: false },
            Ty::Address => Kind::Address,
            Ty::FixedBytes(n) => Kind::Bytes(Some(*n)),
            Ty::Function => Kind::Bytes(Some(24)),
            Ty::Bytes => Kind::Bytes(None),
            Ty::String => Kind::Str,
            _ => Kind::Composite,
        }
    }
}

/// One event parameter as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamInfo {
    pub name: String,
    pub ty: Ty,
    pub hashed: bool,
}

impl ParamInfo {
    pub(crate) fn new(p: &EventParam) -> Self {
        let ty = resolve(&p.ty, &p.components);
        let hashed = p.indexed && ty.is_reference();
        ParamInfo {
            name: p.name.clone(),
            ty,
            hashed,
        }
    }
}

impl Ty {
    /// Reference types are stored as their keccak hash when indexed.
    fn is_reference(&self) -> bool {
        matches!(
            self,
            Ty::Bytes | Ty::String | Ty::Array(_) | Ty::FixedArray(..) | Ty::Tuple(_)
        )
    }
}

/// Resolves a JSON-ABI type string (`tuple[]` with components, `uint256`, …).
fn resolve(ty: &str, components: &[Param]) -> Ty {
    let Some(dims) = ty.strip_prefix("tuple") else {
        return DynSolType::parse(ty)
            .map_or_else(|_| Ty::Unsupported(ty.to_string()), |t| from_dyn(&t));
    };
    let fields = components
        .iter()
        .map(|c| (c.name.clone(), resolve(&c.ty, &c.components)))
        .collect();
    wrap_dims(Ty::Tuple(fields), dims).unwrap_or_else(|| Ty::Unsupported(ty.to_string()))
}

/// Applies array suffixes like `[2][]` (innermost first).
fn wrap_dims(mut ty: Ty, mut dims: &str) -> Option<Ty> {
    while !dims.is_empty() {
        let close = dims.find(']')?;
        let size = dims.get(1..close)?;
        if !dims.starts_with('[') {
            return None;
        }
        ty = if size.is_empty() {
            Ty::Array(Box::new(ty))
        } else {
            Ty::FixedArray(Box::new(ty), size.parse().ok()?)
        };
        dims = dims.get(close + 1..)?;
    }
    Some(ty)
}

#[allow(unreachable_patterns)] // `CustomStruct` exists only with alloy's `eip712` feature.
fn from_dyn(ty: &DynSolType) -> Ty {
    match ty {
        DynSolType::Bool => Ty::Bool,
        DynSolType::Int(n) => Ty::Int(*n),
        DynSolType::Uint(n) => Ty::Uint(*n),
        DynSolType::FixedBytes(n) => Ty::FixedBytes(*n),
        DynSolType::Address => Ty::Address,
        DynSolType::Function => Ty::Function,
        DynSolType::Bytes => Ty::Bytes,
        DynSolType::String => Ty::String,
        DynSolType::Array(t) => Ty::Array(Box::new(from_dyn(t))),
        DynSolType::FixedArray(t, n) => Ty::FixedArray(Box::new(from_dyn(t)), *n),
        DynSolType::Tuple(ts) => {
            Ty::Tuple(ts.iter().map(|t| (String::new(), from_dyn(t))).collect())
        }
        other => Ty::Unsupported(other.to_string()),
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => write!(f, "bool"),
            Ty::Int(n) => write!(f, "int{n}"),
            Ty::Uint(n) => write!(f, "uint{n}"),
            Ty::Address => write!(f, "address"),
            Ty::FixedBytes(n) => write!(f, "bytes{n}"),
            Ty::Bytes => write!(f, "bytes"),
            Ty::String => write!(f, "string"),
            Ty::Function => write!(f, "function"),
            Ty::Array(t) => write!(f, "{t}[]"),
            Ty::FixedArray(t, n) => write!(f, "{t}[{n}]"),
            Ty::Tuple(fields) => write_tuple(f, fields),
            Ty::Unsupported(s) => write!(f, "{s}"),
        }
    }
}

fn write_tuple(f: &mut fmt::Formatter<'_>, fields: &[(String, Ty)]) -> fmt::Result {
    write!(f, "(")?;
    for (i, (_, ty)) in fields.iter().enumerate() {
        write!(f, "{}{ty}", if i == 0 { "" } else { "," })?;
    }
    write!(f, ")")
}

//! Listener conditions: a small boolean language over an event's decoded parameters.
//!
//! ```text
//! to == 0x70997970C51812dc3A010C3efE8bE8DCAF5A7B8e and value >= 1000 tokens
//! (from in [0xabc…, 0xdef…] or to == 0x…) and not (value < 5)
//! pair.amount0 > 0 && ids[0] == 7 && data == 0x1234 && approved && name == "Bob"
//! ```
//!
//! # Grammar
//!
//! ```text
//! cond    = and { ("or" | "||") and } ;
//! and     = not { ("and" | "&&") not } ;
//! not     = ("not" | "!") not | scoped | "(" cond ")" | compare ;
//! scoped  = ident "(" cond ")" ;          (* ident: an event name; no scoped inside *)
//! compare = term [ ("==" | "!=" | "<" | "<=" | ">" | ">=") term
//!                | ["not"] "in" "[" term { "," term } [","] "]" ] ;  (* bare term: a bool *)
//! term    = product { ("+" | "-") product } ;
//! product = neg { "*" neg } ;
//! neg     = "-" neg | unit ;
//! unit    = power [ "tokens" | "token" ] ;
//! power   = atom [ ("^" | "**") expo ] ;                   (* right-associative *)
//! expo    = "-" expo | power ;
//! atom    = number | hex | string | "true" | "false" | path | "(" term ")" ;
//! path    = (ident | "$" digits) { "." (ident | digits) | "[" digits "]" } ;
//! number  = digit { digit | "_" } [ "." digit { digit | "_" } ] ;
//! hex     = "0x" hexdigit { hexdigit } ;
//! string  = '"' { char | '\"' | '\\' | '\n' | '\t' | '\r' | '\0' } '"' ;
//! ```
//!
//! Keywords (`and or not in true false tokens token`) may also be written in capitals.
//!
//! # Meaning
//!
//! * Fields are the event's parameters: `name`, `name.member`, `name.0` (tuple member by
//!   position), `name[3]`; `$0` is the first parameter, and `arg0` names parameter 0 when the
//!   ABI leaves it unnamed.
//! * Numbers are exact: arithmetic uses exact decimals (`1.5 * 10^6` = `1500000`), comparisons
//!   compare exactly (uint fields as `U256`, int fields as `I256`). A constant that is not
//!   whole (`value > 1.5`) is refused; an amount in token units may be a fraction of one
//!   (`value < 1.5 tokens` of a token without decimals is `value <= 1`). `0x…` compared with a
//!   number field is an unsigned number that must fit the field.
//! * `decimals` is the emitting token's decimals, supplied at evaluation time — unless the event
//!   has a parameter called `decimals`, which then wins.
//! * **Unit sugar**: `N tokens` (or `N token`) means `N * 10^decimals`, i.e. whole-token amounts
//!   in the token's own units: `value >= 1000 tokens`, `value < 0.5 tokens`. It binds tighter
//!   than `*` and looser than `^`, and always uses the token's decimals.
//! * Addresses are 40 hex digits, compared by value (case does not matter); a mixed-case
//!   address must have a valid EIP-55 checksum. `bytesN` fields take exactly N bytes of hex,
//!   `bytes` any length. Strings, bools, bytes and addresses support `==`, `!=` and `in` only.
//! * Indexed `string`, `bytes`, array and tuple parameters arrive as their keccak256 hash and
//!   can only be compared (`==`, `!=`, `in`) with a 32-byte hex value.
//! * `x in [a, b]` is `x == a or x == b`; `x not in [...]` is its negation.
//! * **One event's clause.** `Transfer(to == 0x…)` applies only to the listener's events
//!   named `Transfer`, and may use fields only they have. For its other events the clause
//!   is left out, as if not written: `Transfer(to == 0x…) and value > 5` checks an
//!   `Approval` by `value > 5` alone; a condition with nothing left for an event matches
//!   every such event. Naming an event the listener does not watch is an error.
//! * A term that cannot be decided for an event (`ids[5]` of a shorter array, token units of
//!   a contract without `decimals()`) is unknown: `or` is true if another term is true, `and`
//!   false if another term is false; otherwise the condition does not match.
//! * **Overflow.** Arithmetic is exact up to 512 bits. A constant part that overflows is
//!   refused when the condition is checked, with a caret: a constant beyond 256 bits
//!   (`value > 10^70 * 10^70`, `value * 10^70 * 10^70 > 1`: constant factors of a product,
//!   or terms of a sum, are combined first). Values that overflow only with the event's
//!   numbers (`value * value * value` of a large `value`, `2^value`) fail at evaluation: the
//!   log does not match, and is counted for the listener with the logs that could not be
//!   decoded (the status board's count), with one WARN line per listener and chunk of
//!   blocks naming the first such log and the error. An unknown term (above) is no failure.
//! * Each listener's condition reads the event through its own definition: two ABIs may name
//!   the arguments of one signature differently (`value` / `wad`).
//!
//! Everything is type-checked by [`Condition::parse`]; errors carry the span to underline.
//! [`Condition::eval`] never panics; problems with the decoded data are [`EvalError`]s.

mod ast;
mod check;
mod display;
mod eval;
mod lexer;
mod literal;
mod num;
mod parser;
mod resolve;
mod syntax;
mod topics;
mod types;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_overflow;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_scope;

use crate::value::DecodedArg;
use alloy_json_abi::EventParam;
use lexer::Span;
use std::fmt;

/// A parsed, type-checked condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    syntax: syntax::Syn,
    expr: ast::Expr,
    uses_decimals: bool,
}

/// The event a condition is checked for, and the names of every event its listener
/// watches: a clause scoped to another of them (`Approval(…)`) is left out for this one.
#[derive(Debug, Clone, Copy)]
pub struct EventScope<'a> {
    pub name: &'a str,
    pub params: &'a [EventParam],
    pub watched: &'a [String],
}

impl Condition {
    /// Parses and type-checks `src` against an event's parameters (no scoped clauses).
    pub fn parse(src: &str, params: &[EventParam]) -> Result<Condition, ConditionError> {
        Self::parse_for(
            src,
            EventScope {
                name: "",
                params,
                watched: &[],
            },
        )
    }

    /// Parses and type-checks `src` for one of a listener's events.
    pub fn parse_for(src: &str, scope: EventScope<'_>) -> Result<Condition, ConditionError> {
        let err = |d: Diag| d.into_error(src);
        let syntax = parser::parse(lexer::lex(src).map_err(err)?).map_err(err)?;
        let infos: Vec<types::ParamInfo> = scope.params.iter().map(types::ParamInfo::new).collect();
        let mut checker = check::Checker {
            src,
            params: &infos,
            event: scope.name,
            watched: scope.watched,
            uses_decimals: false,
        };
        // Nothing left for this event (every clause is another's): it always matches.
        let expr = checker
            .check(&syntax)
            .map_err(err)?
            .unwrap_or(ast::Expr::And(Vec::new()));
        let uses_decimals = checker.uses_decimals;
        Ok(Condition {
            source: src.to_string(),
            syntax,
            expr,
            uses_decimals,
        })
    }

    /// Whether evaluation needs [`EvalContext::decimals`] (`decimals` or the `tokens` unit).
    pub fn uses_decimals(&self) -> bool {
        self.uses_decimals
    }

    /// Evaluates against an event's decoded arguments (in ABI order).
    pub fn eval(&self, args: &[DecodedArg], ctx: &EvalContext) -> Result<bool, EvalError> {
        eval::eval(&self.expr, args, ctx)
    }

    /// The source text the condition was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Canonical form: normalised spacing, keywords and parentheses; parses back to the same condition.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.syntax.fmt(f)
    }
}

/// What evaluation needs besides the event itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalContext {
    /// The emitting token's decimals, when known.
    pub decimals: Option<u8>,
}

/// Why a condition could not be evaluated against an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error("the condition uses `decimals`, but the token's decimals are unknown")]
    DecimalsUnknown,
    #[error("field `{0}` is missing from the decoded event")]
    MissingField(String),
    #[error("`{path}`: index {index} is out of bounds (the array has {len} elements)")]
    IndexOutOfBounds {
        path: String,
        index: usize,
        len: usize,
    },
    #[error("`{path}`: expected {expected}, found {found}")]
    TypeMismatch {
        path: String,
        expected: String,
        found: String,
    },
    #[error("`{expr}`: {message}")]
    Arithmetic { expr: String, message: String },
}

impl EvalError {
    /// The condition failed on this event (an overflow, a value of another type): counted
    /// per listener. Otherwise a term is only unknown for it (`ids[5]` of a shorter array,
    /// a token without `decimals()`), which does not match.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Self::DecimalsUnknown | Self::IndexOutOfBounds { .. })
    }
}

/// Warnings about a condition's text that do not stop it: mixed-case addresses whose
/// EIP-55 checksum is wrong (often a typo, so the listener may never match).
pub fn address_warnings(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while let Some(pos) = src[i..].find("0x") {
        let start = i + pos;
        let digits = src[start + 2..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let end = start + 2 + digits;
        let word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let text = &src[start..end];
        let mixed = text[2..].bytes().any(|c| c.is_ascii_uppercase())
            && text[2..].bytes().any(|c| c.is_ascii_lowercase());
        if word_start
            && digits == 40
            && mixed
            && alloy_primitives::Address::parse_checksummed(text, None).is_err()
        {
            out.push(format!(
                "address {text} has a wrong EIP-55 checksum (mistyped?); it is used as written, compared case-insensitively"
            ));
        }
        i = end.max(start + 2);
    }
    out
}

/// A parse or type error, pointing at a span of the source.
///
/// `Display` prints the message, then the offending source line with a caret line under the span.
/// (`std::error::Error` is implemented by hand: `thiserror` would treat the `source` field as
/// the error's cause.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionError {
    pub message: String,
    /// Byte offset of the span in `source`.
    pub offset: usize,
    /// Byte length of the span.
    pub len: usize,
    /// The whole condition source.
    pub source: String,
    /// Set when the error is that the event has no field of this name.
    pub unknown_field: Option<String>,
}

impl std::error::Error for ConditionError {}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col, width) = caret(&self.source, self.offset, self.len);
        writeln!(f, "{}", self.message)?;
        writeln!(f, "  {line}")?;
        write!(f, "  {}{}", " ".repeat(col), "^".repeat(width))
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The line holding `offset`, the caret column and the caret width (in characters).
fn caret(src: &str, offset: usize, len: usize) -> (String, usize, usize) {
    let start = floor_boundary(src, offset);
    let (before, after) = src.split_at(start);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = after.find('\n').map_or(src.len(), |i| start + i);
    let end = floor_boundary(src, start.saturating_add(len).min(line_end));
    let line = src
        .get(line_start..line_end)
        .unwrap_or_default()
        .replace(['\t', '\r'], " ");
    let col = src.get(line_start..start).map_or(0, |s| s.chars().count());
    let width = src.get(start..end).map_or(0, |s| s.chars().count()).max(1);
    (line, col, width)
}

/// An internal error: message and span; becomes a [`ConditionError`] once the source is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diag {
    pub message: String,
    pub span: Span,
    /// The event has no field of this name.
    pub unknown_field: Option<String>,
}

impl Diag {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        Diag {
            message: message.into(),
            span,
            unknown_field: None,
        }
    }

    /// The event has no field `name`.
    pub(crate) fn unknown_field(message: String, span: Span, name: &str) -> Self {
        Diag {
            unknown_field: Some(name.to_string()),
            ..Diag::new(message, span)
        }
    }

    fn into_error(self, src: &str) -> ConditionError {
        ConditionError {
            message: self.message,
            offset: self.span.start,
            len: self.span.len,
            source: src.to_string(),
            unknown_field: self.unknown_field,
        }
    }
}

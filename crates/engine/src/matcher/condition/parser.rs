//! Recursive-descent parser from tokens to the untyped syntax tree ([`Syn`]).
//!
//! Types are not known here; [`super::check`] resolves fields and lowers the tree.

use super::lexer::{Span, Tok, Token};
use super::syntax::{CmpOp, Syn, Term};
use super::Diag;

/// Maximum nesting of parentheses / unary operators plus the length of arithmetic chains, so
/// hostile input cannot blow the stack of the recursive passes.
const MAX_DEPTH: usize = 64;

#[path = "parser_terms.rs"]
mod terms;

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Inside `Event( … )`: another event's clause cannot open here.
    scoped: bool,
}

fn keyword(tok: &Tok, word: &str) -> bool {
    let upper = |s: &str| s.eq_ignore_ascii_case(word) && s.bytes().all(|c| c.is_ascii_uppercase());
    matches!(tok, Tok::Ident(s) if s == word || upper(s))
}

/// Parses a whole condition.
pub(crate) fn parse(toks: Vec<Token>) -> Result<Syn, Diag> {
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        scoped: false,
    };
    let syn = p.or()?;
    match p.peek() {
        Tok::Eof => Ok(syn),
        Tok::RParen => Err(p.err_here("unbalanced `)`: no matching `(`")),
        tok => Err(p.err_here(&format!(
            "unexpected {}; expected `and`, `or` or the end",
            tok.describe()
        ))),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.toks
            .get(self.pos + n)
            .or(self.toks.last())
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    fn span(&self) -> Span {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(Span::default(), |t| t.span)
    }

    fn prev_span(&self) -> Span {
        self.toks
            .get(self.pos.wrapping_sub(1))
            .map_or(Span::default(), |t| t.span)
    }

    fn bump(&mut self) -> Span {
        let span = self.span();
        self.pos = (self.pos + 1).min(self.toks.len());
        span
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let hit = self.peek() == tok;
        if hit {
            self.bump();
        }
        hit
    }

    fn eat_kw(&mut self, word: &str) -> bool {
        let hit = keyword(self.peek(), word);
        if hit {
            self.bump();
        }
        hit
    }

    fn err_here(&self, message: &str) -> Diag {
        Diag::new(message.to_string(), self.span())
    }

    fn expected(&self, what: &str) -> Diag {
        self.err_here(&format!(
            "expected {what}, found {}",
            self.peek().describe()
        ))
    }

    fn enter(&mut self) -> Result<(), Diag> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self
                .err_here("condition is nested too deeply (or an arithmetic chain is too long)"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Syn, Diag> {
        let mut items = vec![self.and()?];
        while self.eat_kw("or") || self.eat(&Tok::OrOr) {
            items.push(self.and()?);
        }
        Ok(collapse(items, Syn::Or))
    }

    fn and(&mut self) -> Result<Syn, Diag> {
        let mut items = vec![self.not()?];
        while self.eat_kw("and") || self.eat(&Tok::AndAnd) {
            items.push(self.not()?);
        }
        Ok(collapse(items, Syn::And))
    }

    fn not(&mut self) -> Result<Syn, Diag> {
        self.enter()?;
        let syn = if self.eat_kw("not") || self.eat(&Tok::Bang) {
            Syn::Not(Box::new(self.not()?))
        } else {
            self.primary()?
        };
        self.depth -= 1;
        Ok(syn)
    }

    /// `( cond )` or a comparison; a leading `(` may also open an arithmetic group, so the
    /// comparison reading is tried first and abandoned if no comparison operator follows.
    fn primary(&mut self) -> Result<Syn, Diag> {
        if let (Tok::Ident(name), Tok::LParen) = (self.peek(), self.peek_at(1)) {
            if !KEYWORDS.iter().any(|k| keyword(self.peek(), k)) {
                let name = name.clone();
                return self.scoped(name);
            }
        }
        if self.peek() != &Tok::LParen {
            return self.comparison();
        }
        let (start, depth) = (self.pos, self.depth);
        if let Ok(term) = self.term() {
            if self.at_comparison() {
                return self.comparison_rest(term);
            }
        }
        (self.pos, self.depth) = (start, depth);
        let open = self.bump();
        let inner = self.or()?;
        if !self.eat(&Tok::RParen) {
            let found = self.peek().describe();
            return Err(Diag::new(
                format!("unclosed `(`: expected `)`, found {found}"),
                open,
            ));
        }
        Ok(inner)
    }

    /// `Event( cond )`: a clause that applies to one event.
    fn scoped(&mut self, event: String) -> Result<Syn, Diag> {
        let event_span = self.bump();
        if self.scoped {
            return Err(Diag::new(
                format!("`{event}( … )` cannot stand inside another event's clause; write them side by side, e.g. `Transfer(…) and Approval(…)`"),
                event_span,
            ));
        }
        let open = self.bump();
        self.enter()?;
        self.scoped = true;
        let body = self.or()?;
        self.scoped = false;
        self.depth -= 1;
        if !self.eat(&Tok::RParen) {
            let found = self.peek().describe();
            return Err(Diag::new(
                format!("unclosed `(` of `{event}(`: expected `)`, found {found}"),
                open,
            ));
        }
        Ok(Syn::Scoped {
            event,
            event_span,
            body: Box::new(body),
        })
    }

    fn at_comparison(&self) -> bool {
        let tok = self.peek();
        cmp_op(tok).is_some()
            || keyword(tok, "in")
            || (keyword(tok, "not") && keyword(self.peek_at(1), "in"))
    }

    fn comparison(&mut self) -> Result<Syn, Diag> {
        let lhs = self.term()?;
        self.comparison_rest(lhs)
    }

    fn comparison_rest(&mut self, lhs: Term) -> Result<Syn, Diag> {
        if let Some(op) = cmp_op(self.peek()) {
            let op_span = self.bump();
            let rhs = self.term()?;
            return Ok(Syn::Cmp {
                op,
                op_span,
                lhs,
                rhs,
            });
        }
        let negated = keyword(self.peek(), "not") && keyword(self.peek_at(1), "in");
        if negated {
            self.bump();
        }
        if self.eat_kw("in") {
            let (list, list_span) = self.list()?;
            return Ok(Syn::In {
                lhs,
                list,
                negated,
                list_span,
            });
        }
        Ok(Syn::Bare(lhs))
    }

    fn list(&mut self) -> Result<(Vec<Term>, Span), Diag> {
        let open = self.span();
        if !self.eat(&Tok::LBracket) {
            return Err(self.expected("`[` after `in`"));
        }
        let mut items = Vec::new();
        while self.peek() != &Tok::RBracket {
            items.push(self.term()?);
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        if !self.eat(&Tok::RBracket) {
            return Err(self.expected("`,` or `]`"));
        }
        Ok((items, open.to(self.prev_span())))
    }
}

/// A single item stands for itself; more become `make(items)`.
fn collapse(mut items: Vec<Syn>, make: fn(Vec<Syn>) -> Syn) -> Syn {
    if items.len() == 1 {
        if let Some(only) = items.pop() {
            return only;
        }
    }
    make(items)
}

/// Words that never name an event before `(`.
const KEYWORDS: &[&str] = &["and", "or", "not", "in", "true", "false", "tokens", "token"];

fn cmp_op(tok: &Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

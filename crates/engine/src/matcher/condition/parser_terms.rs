//! Value-level parsing (arithmetic, units, literals, field paths) for [`super::Parser`].

use super::super::lexer::{Span, Tok};
use super::super::num::Dec;
use super::super::syntax::{ArithOp, Head, PathSyn, Step, Term, TermKind};
use super::super::Diag;
use super::Parser;

impl Parser {
    /// Each operator of a chain deepens the (left-leaning) tree, so it counts towards the depth.
    pub(super) fn term(&mut self) -> Result<Term, Diag> {
        let depth = self.depth;
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => break,
            };
            self.enter()?;
            self.bump();
            lhs = arith(op, lhs, self.product()?);
        }
        self.depth = depth;
        Ok(lhs)
    }

    fn product(&mut self) -> Result<Term, Diag> {
        let depth = self.depth;
        let mut lhs = self.unary()?;
        while self.peek() == &Tok::Star {
            self.enter()?;
            self.bump();
            lhs = arith(ArithOp::Mul, lhs, self.unary()?);
        }
        self.depth = depth;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Term, Diag> {
        if self.peek() != &Tok::Minus {
            return self.unit();
        }
        self.enter()?;
        let minus = self.bump();
        let inner = self.unary()?;
        self.depth -= 1;
        Ok(Term {
            span: minus.to(inner.span),
            kind: TermKind::Neg(Box::new(inner)),
        })
    }

    fn unit(&mut self) -> Result<Term, Diag> {
        let inner = self.power()?;
        if self.eat_kw("tokens") || self.eat_kw("token") {
            let span = inner.span.to(self.prev_span());
            return Ok(Term {
                kind: TermKind::Tokens(Box::new(inner)),
                span,
            });
        }
        Ok(inner)
    }

    fn power(&mut self) -> Result<Term, Diag> {
        let base = self.atom()?;
        if !self.eat(&Tok::Caret) {
            return Ok(base);
        }
        self.enter()?;
        let exp = self.exponent()?;
        self.depth -= 1;
        Ok(arith(ArithOp::Pow, base, exp))
    }

    fn exponent(&mut self) -> Result<Term, Diag> {
        if self.peek() != &Tok::Minus {
            return self.power();
        }
        self.enter()?;
        let minus = self.bump();
        let inner = self.exponent()?;
        self.depth -= 1;
        Ok(Term {
            span: minus.to(inner.span),
            kind: TermKind::Neg(Box::new(inner)),
        })
    }

    fn atom(&mut self) -> Result<Term, Diag> {
        let span = self.span();
        let kind = match self.peek().clone() {
            Tok::Num(text) => {
                TermKind::Num(Dec::parse(&text).map_err(|e| self.err_here(e.message()))?)
            }
            Tok::Hex(digits) => TermKind::Hex(digits),
            Tok::Str(s) => TermKind::Str(s),
            Tok::LParen => return self.paren_term(),
            Tok::Ident(_) | Tok::Dollar(_) => return self.path(),
            _ => return Err(self.expected("a field or a value")),
        };
        self.bump();
        Ok(Term { kind, span })
    }

    fn paren_term(&mut self) -> Result<Term, Diag> {
        self.enter()?;
        let open = self.bump();
        let inner = self.term()?;
        if !self.eat(&Tok::RParen) {
            let found = self.peek().describe();
            return Err(Diag::new(
                format!("unclosed `(`: expected `)`, found {found}"),
                open,
            ));
        }
        self.depth -= 1;
        Ok(Term {
            kind: inner.kind,
            span: open.to(self.prev_span()),
        })
    }

    fn path(&mut self) -> Result<Term, Diag> {
        let head_span = self.span();
        let head = match self.peek().clone() {
            Tok::Dollar(d) => Head::Pos(
                d.parse()
                    .map_err(|_| self.err_here("parameter position too large"))?,
            ),
            Tok::Ident(name) => match reserved(&name) {
                Some(kind) => {
                    self.bump();
                    return Ok(Term {
                        kind,
                        span: head_span,
                    });
                }
                None => Head::Name(name),
            },
            _ => return Err(self.expected("a field")),
        };
        self.bump();
        let mut steps = Vec::new();
        while let Some(step) = self.step()? {
            steps.push(step);
        }
        let span = head_span.to(self.prev_span());
        Ok(Term {
            kind: TermKind::Path(PathSyn {
                head,
                head_span,
                steps,
            }),
            span,
        })
    }

    fn step(&mut self) -> Result<Option<(Step, Span)>, Diag> {
        let start = self.span();
        let step = match self.peek() {
            Tok::Dot => {
                self.bump();
                match self.peek().clone() {
                    Tok::Ident(name) => Step::Member(name),
                    Tok::Num(n) => Step::MemberPos(self.index(&n)?),
                    _ => return Err(self.expected("a field name after `.`")),
                }
            }
            Tok::LBracket => {
                self.bump();
                let Tok::Num(n) = self.peek().clone() else {
                    return Err(self.expected("an index like `[0]`"));
                };
                let i = self.index(&n)?;
                self.bump();
                if self.peek() != &Tok::RBracket {
                    return Err(self.expected("`]`"));
                }
                Step::Index(i)
            }
            _ => return Ok(None),
        };
        self.bump();
        Ok(Some((step, start.to(self.prev_span()))))
    }

    fn index(&self, text: &str) -> Result<usize, Diag> {
        text.parse()
            .map_err(|_| self.err_here("expected a whole number index"))
    }
}

fn reserved(word: &str) -> Option<TermKind> {
    match word {
        "true" => Some(TermKind::Bool(true)),
        "false" => Some(TermKind::Bool(false)),
        _ => None,
    }
}

fn arith(op: ArithOp, lhs: Term, rhs: Term) -> Term {
    let span = lhs.span.to(rhs.span);
    Term {
        kind: TermKind::Arith(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}

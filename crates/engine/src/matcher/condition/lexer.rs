//! Tokenizer for condition source text. Spans are byte offsets into the source.

use super::Diag;

/// A byte range of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: usize,
    pub len: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            len: end.saturating_sub(start),
        }
    }

    pub(crate) fn end(self) -> usize {
        self.start + self.len
    }

    /// The smallest span covering both.
    pub(crate) fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end().max(other.end()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    /// `$N`: positional parameter.
    Dollar(String),
    /// Decimal number text, `_` separators kept.
    Num(String),
    /// Hex digits after `0x` (not validated yet).
    Hex(String),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Star,
    Caret,
    Plus,
    Minus,
    Bang,
    AndAnd,
    OrOr,
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Dollar(d) => format!("`${d}`"),
            Tok::Num(n) => format!("number `{n}`"),
            Tok::Hex(h) => format!("`0x{h}`"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Eof => "end of input".to_string(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Star => "*",
            Tok::Caret => "^",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Bang => "!",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            _ => "?",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, Diag> {
    let mut lx = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
    };
    while let Some(c) = lx.peek() {
        if c.is_whitespace() {
            lx.pos += c.len_utf8();
            continue;
        }
        let start = lx.pos;
        let tok = lx.token(c)?;
        lx.out.push(Token {
            tok,
            span: Span::new(start, lx.pos),
        });
    }
    lx.out.push(Token {
        tok: Tok::Eof,
        span: Span::new(src.len(), src.len()),
    });
    Ok(lx.out)
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn peek2(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().nth(1))
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &str {
        let start = self.pos;
        while let Some(c) = self.peek().filter(|&c| f(c)) {
            self.pos += c.len_utf8();
        }
        self.src.get(start..self.pos).unwrap_or_default()
    }

    fn error(&self, message: String, start: usize) -> Diag {
        let end = self.pos.max(start + self.peek().map_or(0, char::len_utf8));
        Diag::new(message, Span::new(start, end))
    }

    fn after_dot(&self) -> bool {
        matches!(self.out.last(), Some(Token { tok: Tok::Dot, .. }))
    }

    fn token(&mut self, c: char) -> Result<Tok, Diag> {
        let start = self.pos;
        if c.is_ascii_digit() {
            return self.number(start);
        }
        if c.is_ascii_alphabetic() || c == '_' {
            return Ok(Tok::Ident(self.take_while(is_word).to_string()));
        }
        match c {
            '"' => self.string(start),
            '$' => self.dollar(start),
            _ => self.punct(c, start),
        }
    }

    fn number(&mut self, start: usize) -> Result<Tok, Diag> {
        if self.peek() == Some('0') && matches!(self.peek2(), Some('x' | 'X')) {
            self.pos += 2;
            return Ok(Tok::Hex(self.take_while(is_word).to_string()));
        }
        if self.after_dot() {
            return Ok(Tok::Num(
                self.take_while(|c| c.is_ascii_digit()).to_string(),
            ));
        }
        self.take_while(|c| c.is_ascii_digit() || c == '_');
        if self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            self.take_while(|c| c.is_ascii_digit() || c == '_');
        }
        if self.peek().is_some_and(is_word) {
            self.take_while(is_word);
            let text = self.src.get(start..self.pos).unwrap_or_default();
            return Err(self.error(format!("invalid number `{text}`"), start));
        }
        Ok(Tok::Num(
            self.src
                .get(start..self.pos)
                .unwrap_or_default()
                .to_string(),
        ))
    }

    fn dollar(&mut self, start: usize) -> Result<Tok, Diag> {
        self.pos += 1;
        let digits = self.take_while(|c| c.is_ascii_digit()).to_string();
        if digits.is_empty() {
            return Err(self.error(
                "`$` must be followed by a parameter position, e.g. `$0`".into(),
                start,
            ));
        }
        Ok(Tok::Dollar(digits))
    }

    fn string(&mut self, start: usize) -> Result<Tok, Diag> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(Diag::new(
                    "unterminated string",
                    Span::new(start, start + 1),
                ));
            };
            self.pos += c.len_utf8();
            match c {
                '"' => return Ok(Tok::Str(out)),
                '\\' => out.push(self.escape()?),
                _ => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, Diag> {
        let start = self.pos - 1;
        let c = self.peek();
        self.pos += c.map_or(0, char::len_utf8);
        match c {
            Some('"') => Ok('"'),
            Some('\\') => Ok('\\'),
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('0') => Ok('\0'),
            _ => Err(Diag::new(
                "unknown escape; use \\\" \\\\ \\n \\t \\r or \\0",
                Span::new(start, self.pos),
            )),
        }
    }

    fn punct(&mut self, c: char, start: usize) -> Result<Tok, Diag> {
        let next = self.peek2();
        let (tok, width) = match (c, next) {
            ('=', Some('=')) => (Tok::Eq, 2),
            ('!', Some('=')) => (Tok::Ne, 2),
            ('<', Some('=')) => (Tok::Le, 2),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('&', Some('&')) => (Tok::AndAnd, 2),
            ('|', Some('|')) => (Tok::OrOr, 2),
            ('*', Some('*')) => (Tok::Caret, 2),
            ('<', _) => (Tok::Lt, 1),
            ('>', _) => (Tok::Gt, 1),
            ('!', _) => (Tok::Bang, 1),
            ('*', _) => (Tok::Star, 1),
            ('^', _) => (Tok::Caret, 1),
            ('+', _) => (Tok::Plus, 1),
            ('-', _) => (Tok::Minus, 1),
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            (',', _) => (Tok::Comma, 1),
            ('.', _) => (Tok::Dot, 1),
            _ => return Err(self.error(punct_error(c), start)),
        };
        self.pos += width;
        Ok(tok)
    }
}

fn punct_error(c: char) -> String {
    match c {
        '=' => "unexpected `=`; did you mean `==`?".to_string(),
        '&' => "unexpected `&`; did you mean `&&` or `and`?".to_string(),
        '|' => "unexpected `|`; did you mean `||` or `or`?".to_string(),
        '\'' => "strings use double quotes: \"…\"".to_string(),
        _ => format!("unexpected character `{c}`"),
    }
}

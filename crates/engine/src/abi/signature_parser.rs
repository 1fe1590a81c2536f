//! Parser of human-readable event signatures, tuples included (`(address maker, uint256 id)[] orders`).
//!
//! Grammar (whitespace between tokens is free):
//! `[event] Name ( [param {, param}] ) [anonymous]`, where
//! `param = type [indexed] [name]`, `type = (elementary | tuple) {[ [size] ]}` and
//! `tuple = [tuple] ( component {, component} )` with `component = type [name]`.

use alloy_dyn_abi::DynSolType;
use alloy_json_abi::{Event, EventParam, Param};

use super::signature::MAX_DIMENSIONS;

/// Deepest nesting of tuples in one type (a bound on the parser's recursion).
pub(crate) const MAX_NESTING: usize = 32;

/// Words that start another kind of signature.
const OTHER_KINDS: &[&str] = &[
    "function",
    "error",
    "struct",
    "constructor",
    "fallback",
    "receive",
    "modifier",
];

/// Data locations: in function signatures only.
const LOCATIONS: &[&str] = &["memory", "calldata", "storage"];

/// A parse failure, as the text after the quoted spec.
pub(crate) type SigError = String;

/// The first unknown elementary type in a type, reported once the parameter's name is
/// known (`parameter 2 `x`: unknown type …`).
struct Unknown {
    column: usize,
    message: String,
    /// Set for a capitalized name, likely a struct.
    struct_hint: bool,
}

/// A parsed type: its JSON-ABI form (`tuple[2]` with components, `uint`).
struct Typed {
    ty: String,
    components: Vec<Param>,
    unknown: Option<Unknown>,
}

/// Parses the signature in `full[start..]` (trailing `;` allowed); columns count in `full`.
pub(crate) fn parse_event(full: &str, start: usize) -> Result<Event, SigError> {
    let part = full.get(start..).unwrap_or_default();
    let end = start + part.trim_end().trim_end_matches(';').trim_end().len();
    let mut p = Parser {
        full,
        pos: start,
        end,
    };
    p.event()
}

struct Parser<'a> {
    full: &'a str,
    pos: usize,
    end: usize,
}

impl<'a> Parser<'a> {
    fn event(&mut self) -> Result<Event, SigError> {
        let (mut word, mut at) = self
            .word()
            .ok_or_else(|| self.syntax("expected the event name"))?;
        if OTHER_KINDS.contains(&word) && self.peek().is_some_and(char::is_whitespace) {
            return Err(self.syntax_at(at, &format!("expected an event, not a `{word}`")));
        }
        if word == "event" && self.peek().is_some_and(char::is_whitespace) {
            (word, at) = self
                .word()
                .ok_or_else(|| self.syntax("expected the event name"))?;
        }
        if word.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(self.syntax_at(at, "expected the event name"));
        }
        self.expect('(')?;
        let mut inputs = Vec::new();
        if !self.eat(')') {
            loop {
                inputs.push(self.param(inputs.len() + 1)?);
                if self.eat(')') {
                    break;
                }
                self.expect_comma()?;
            }
        }
        let anonymous = self.peek_word() == Some("anonymous");
        if anonymous {
            self.word();
        }
        self.skip_ws();
        if self.pos < self.end {
            return Err(self.syntax("expected the end of the signature"));
        }
        Ok(Event {
            name: word.to_string(),
            inputs,
            anonymous,
        })
    }

    /// One event parameter: `type [indexed] [name]`.
    fn param(&mut self, index: usize) -> Result<EventParam, SigError> {
        let typed = self.ty(0)?;
        let indexed = self.peek_word() == Some("indexed");
        if indexed {
            self.word();
        }
        let name = self.name()?;
        if let Some(u) = typed.unknown {
            let hint = if u.struct_hint {
                "; write a struct as the tuple of its fields, like `(address maker, uint256 amount) order`"
            } else {
                ""
            };
            return Err(format!(
                "parameter {index}{}: {} at column {}{hint}",
                quoted(name),
                u.message,
                u.column
            ));
        }
        Ok(EventParam {
            ty: typed.ty,
            name: name.to_string(),
            indexed,
            components: typed.components,
            internal_type: None,
        })
    }

    /// One tuple component: `type [name]`.
    fn component(
        &mut self,
        index: usize,
        depth: usize,
    ) -> Result<(Param, Option<Unknown>), SigError> {
        let typed = self.ty(depth)?;
        if self.peek_word() == Some("indexed") {
            return Err(self.syntax("a tuple component cannot be `indexed`, only a parameter"));
        }
        let name = self.name()?;
        let unknown = typed.unknown.map(|u| Unknown {
            message: format!("component {index}{}: {}", quoted(name), u.message),
            ..u
        });
        let param = Param {
            ty: typed.ty,
            name: name.to_string(),
            components: typed.components,
            internal_type: None,
        };
        Ok((param, unknown))
    }

    /// An optional parameter or component name.
    fn name(&mut self) -> Result<&'a str, SigError> {
        let before = self.pos;
        let Some((name, at)) = self.word() else {
            self.pos = before;
            return Ok("");
        };
        if LOCATIONS.contains(&name) {
            return Err(self.syntax_at(
                at,
                &format!("`{name}` belongs in function signatures, not events"),
            ));
        }
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(self.syntax_at(at, "expected a name"));
        }
        Ok(name)
    }

    /// A type with its array suffixes; `depth` counts the tuples around it.
    fn ty(&mut self, depth: usize) -> Result<Typed, SigError> {
        self.skip_ws();
        let at = self.pos;
        let mut typed = if self.peek() == Some('(') {
            self.tuple(depth)?
        } else {
            let Some((word, _)) = self.word() else {
                return Err(self.syntax("expected a type"));
            };
            if word == "tuple" && self.peek_non_ws() == Some('(') {
                self.tuple(depth)?
            } else {
                let unknown = DynSolType::parse(word).is_err().then(|| Unknown {
                    column: self.column(at),
                    message: format!("unknown type `{word}`"),
                    struct_hint: word.starts_with(|c: char| c.is_ascii_uppercase()),
                });
                Typed {
                    ty: word.to_string(),
                    components: Vec::new(),
                    unknown,
                }
            }
        };
        let mut dims = 0;
        while self.eat('[') {
            dims += 1;
            if dims > MAX_DIMENSIONS {
                let message = format!("a type has more than {MAX_DIMENSIONS} array dimensions");
                return Err(self.syntax_at(at, &message));
            }
            typed.ty.push('[');
            self.skip_ws();
            let digits = self.take_while(|c| c.is_ascii_digit());
            if !digits.is_empty() {
                match digits.parse::<usize>() {
                    Ok(n) if n > 0 => typed.ty.push_str(&n.to_string()),
                    _ => {
                        let at = self.pos - digits.len();
                        return Err(
                            self.syntax_at(at, "an array size must be a whole number from 1")
                        );
                    }
                }
            }
            self.expect(']')?;
            typed.ty.push(']');
        }
        Ok(typed)
    }

    /// `( component {, component} )`, at the `(`.
    fn tuple(&mut self, depth: usize) -> Result<Typed, SigError> {
        if depth >= MAX_NESTING {
            return Err(self.syntax(&format!("tuples are nested more than {MAX_NESTING} deep")));
        }
        self.expect('(')?;
        if self.eat(')') {
            return Err(self.syntax_at(self.pos - 1, "a tuple needs at least one component"));
        }
        let mut components = Vec::new();
        let mut unknown = None;
        loop {
            let (c, u) = self.component(components.len() + 1, depth + 1)?;
            components.push(c);
            unknown = unknown.or(u);
            if self.eat(')') {
                break;
            }
            self.expect_comma()?;
        }
        Ok(Typed {
            ty: "tuple".to_string(),
            components,
            unknown,
        })
    }

    fn rest(&self) -> &'a str {
        self.full.get(self.pos..self.end).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_non_ws(&self) -> Option<char> {
        self.rest().trim_start().chars().next()
    }

    fn skip_ws(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c| !f(c)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    /// The next word (`[A-Za-z0-9_$]+`) after whitespace, with its byte offset.
    fn word(&mut self) -> Option<(&'a str, usize)> {
        self.skip_ws();
        let at = self.pos;
        let w = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
        (!w.is_empty()).then_some((w, at))
    }

    fn peek_word(&self) -> Option<&'a str> {
        let rest = self.rest().trim_start();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        (len > 0).then(|| &rest[..len])
    }

    /// Skips whitespace and `c` if it comes next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        let found = self.peek() == Some(c);
        if found {
            self.pos += c.len_utf8();
        }
        found
    }

    fn expect(&mut self, c: char) -> Result<(), SigError> {
        if self.eat(c) {
            return Ok(());
        }
        Err(self.syntax(&format!("expected `{c}`")))
    }

    fn expect_comma(&mut self) -> Result<(), SigError> {
        if self.eat(',') {
            return Ok(());
        }
        Err(self.syntax("expected `,` or `)`"))
    }

    /// 1-based character column of byte offset `at` in the whole spec.
    fn column(&self, at: usize) -> usize {
        self.full.get(..at).unwrap_or_default().chars().count() + 1
    }

    fn syntax(&mut self, message: &str) -> SigError {
        self.skip_ws();
        self.syntax_at(self.pos, message)
    }

    fn syntax_at(&self, at: usize, message: &str) -> SigError {
        format!("invalid signature at column {}: {message}", self.column(at))
    }
}

fn quoted(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" `{name}`")
    }
}

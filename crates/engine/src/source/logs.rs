//! The one large answer, read fast: an `eth_getLogs` response body parsed straight from
//! its bytes into [`RpcLog`]s, without serde's per-field machinery.
//!
//! It takes only the shape nodes send: hex strings, the known keys in any order, any
//! whitespace, other keys with plain values skipped. On anything else (an error object, a
//! missing or repeated field, an escape, a number where a hex string belongs) it returns
//! `None` and the body goes through serde as before, which decides. Whenever it returns
//! logs, they are the ones serde would return (a property test compares the two).

use alloy_primitives::{hex, Address, Bytes, B256, U64};

use super::types::RpcLog;

/// Nesting this deep in a skipped value is left to serde.
const MAX_DEPTH: usize = 32;

/// The logs of a successful `eth_getLogs` response, or `None` to let serde decide.
pub fn parse_logs_answer(body: &[u8]) -> Option<Vec<RpcLog>> {
    let mut p = Reader { b: body, i: 0 };
    let mut result = None;
    p.object(|p, key| match key {
        b"result" if result.is_none() => {
            result = Some(p.logs()?);
            Some(())
        }
        // An error object, or a second result: serde reports it.
        b"result" | b"error" => None,
        _ => p.skip(0),
    })?;
    p.ws();
    (p.i == body.len()).then_some(())?;
    result
}

/// A cursor over the body.
struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// Skips whitespace, then takes `c`.
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// Skips whitespace, then reports whether `c` comes next (without taking it).
    fn peek(&mut self, c: u8) -> bool {
        self.ws();
        self.b.get(self.i) == Some(&c)
    }

    /// An object: `field` is called with each key, positioned at its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek(b'}') {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = self.plain_string()?;
            self.eat(b':')?;
            field(self, key)?;
            if self.peek(b',') {
                self.i += 1;
            } else {
                return self.eat(b'}');
            }
        }
    }

    /// An array: `item` is called positioned at each element.
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek(b']') {
            self.i += 1;
            return Some(());
        }
        loop {
            item(self)?;
            if self.peek(b',') {
                self.i += 1;
            } else {
                return self.eat(b']');
            }
        }
    }

    /// A string of printable ASCII without escapes (all keys and hex values are), at the
    /// cursor; returns its contents.
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        (self.b.get(self.i) == Some(&b'"')).then_some(())?;
        let start = self.i + 1;
        let len = self.b.get(start..)?.iter().position(|&c| c == b'"')?;
        let s = &self.b[start..start + len];
        s.iter()
            .all(|&c| (0x20..0x7f).contains(&c) && c != b'\\')
            .then_some(())?;
        self.i = start + len + 1;
        Some(s)
    }

    /// A `0x` hex string value; returns the digits (checked by the hex decoder, which
    /// refuses quotes and escapes).
    fn hex_digits(&mut self) -> Option<&'a [u8]> {
        self.ws();
        let rest = self.b.get(self.i..)?.strip_prefix(b"\"0x")?;
        let digits = &rest[..memchr::memchr(b'"', rest)?];
        self.i += digits.len() + 4;
        // The hex decoder would take a second prefix; serde's would not.
        (!matches!(digits, [b'0', b'x' | b'X', ..])).then_some(digits)
    }

    /// A `0x` hex string of exactly `N` bytes.
    fn fixed<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.ws();
        let s = self.b.get(self.i..self.i + 2 * N + 4)?;
        (s.starts_with(b"\"0x") && s[2 * N + 3] == b'"').then_some(())?;
        let mut out = [0u8; N];
        // A second `0x` would leave too few digits for `N` bytes: refused too.
        hex::decode_to_slice(&s[3..2 * N + 3], &mut out).ok()?;
        self.i += 2 * N + 4;
        Some(out)
    }

    fn quantity(&mut self) -> Option<U64> {
        let digits = self.hex_digits()?;
        let zeros = digits.iter().take_while(|&&c| c == b'0').count();
        (!digits.is_empty() && digits.len() - zeros <= 16).then_some(())?;
        digits[zeros..]
            .iter()
            .try_fold(0u64, |n, &c| Some(n << 4 | u64::from(hex_value(c)?)))
            .map(U64::from)
    }

    /// `null`, or what `value` reads.
    fn nullable<T>(&mut self, value: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            return Some(None);
        }
        value(self).map(Some)
    }

    fn logs(&mut self) -> Option<Vec<RpcLog>> {
        // Nodes send 500-800 bytes per log: one allocation for most answers.
        let mut logs = Vec::with_capacity(self.b.len() / 512 + 1);
        self.array(|p| {
            logs.push(p.log()?);
            Some(())
        })?;
        Some(logs)
    }

    fn log(&mut self) -> Option<RpcLog> {
        let mut address = None;
        let mut topics = None;
        let mut data = None;
        let mut block_number = None;
        let mut block_hash = None;
        let mut transaction_hash = None;
        let mut log_index = None;
        let mut removed = None;
        let mut block_timestamp = None;
        /// Sets a field seen for the first time; a repeated one is left to serde.
        fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
            (slot.is_none()).then_some(())?;
            *slot = Some(value?);
            Some(())
        }
        self.object(|p, key| match key {
            b"address" => once(&mut address, p.fixed::<20>().map(Address::from)),
            b"topics" => {
                let mut t = Vec::with_capacity(4);
                let read = p.array(|p| {
                    t.push(B256::from(p.fixed::<32>()?));
                    Some(())
                });
                once(&mut topics, read.map(|()| t))
            }
            b"data" => {
                let d = p.hex_digits().and_then(|d| hex::decode(d).ok());
                once(&mut data, d.map(Bytes::from))
            }
            b"blockNumber" => once(&mut block_number, p.nullable(Self::quantity)),
            b"blockHash" => once(
                &mut block_hash,
                p.nullable(|p| p.fixed::<32>().map(B256::from)),
            ),
            b"transactionHash" => once(
                &mut transaction_hash,
                p.nullable(|p| p.fixed::<32>().map(B256::from)),
            ),
            b"logIndex" => once(&mut log_index, p.nullable(Self::quantity)),
            b"blockTimestamp" => once(&mut block_timestamp, p.nullable(Self::quantity)),
            b"removed" => once(&mut removed, p.boolean()),
            _ => p.skip(0),
        })?;
        Some(RpcLog {
            address: address?,
            topics: topics?,
            data: data?,
            block_number: block_number.flatten(),
            block_hash: block_hash.flatten(),
            transaction_hash: transaction_hash.flatten(),
            log_index: log_index.flatten(),
            removed: removed.unwrap_or(false),
            block_timestamp: block_timestamp.flatten(),
        })
    }

    fn boolean(&mut self) -> Option<bool> {
        self.ws();
        let rest = &self.b[self.i..];
        let (value, len) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        self.i += len;
        Some(value)
    }

    /// Skips a value of a key the engine does not read: plain strings, JSON numbers,
    /// literals, and arrays and objects of those.
    fn skip(&mut self, depth: usize) -> Option<()> {
        (depth < MAX_DEPTH).then_some(())?;
        self.ws();
        match *self.b.get(self.i)? {
            b'"' => self.plain_string().map(drop),
            b'{' => self.object(|p, _| p.skip(depth + 1)),
            b'[' => self.array(|p| p.skip(depth + 1)),
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.nullable(|_| None::<()>).map(drop),
            _ => self.number(),
        }
    }

    /// A JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let digits = |p: &mut Self| {
            let start = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            (p.i > start).then_some(())
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        if self.b.get(self.i) == Some(&b'0') {
            self.i += 1;
        } else {
            digits(self)?;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            digits(self)?;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            digits(self)?;
        }
        Some(())
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
#[path = "logs_tests.rs"]
mod tests;

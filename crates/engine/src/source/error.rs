//! RPC failures, classified by what the engine should do about them.

use std::time::Duration;

/// Why a request failed. None of these ever means "no logs".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RpcError {
    #[error("cannot reach {endpoint}: {message}")]
    Transport { endpoint: String, message: String },
    #[error("{endpoint} did not answer within {0:?}", .timeout)]
    Timeout { endpoint: String, timeout: Duration },
    #[error("{endpoint} is rate limiting: {message}")]
    RateLimited { endpoint: String, message: String },
    #[error("{endpoint} answered HTTP {status}: {body}")]
    Http {
        endpoint: String,
        status: u16,
        body: String,
    },
    #[error("{endpoint} refused the block range: {message}")]
    RangeTooLarge {
        endpoint: String,
        message: String,
        hint: RangeHint,
    },
    #[error("{endpoint} answered with error {code}: {message}")]
    Rpc {
        endpoint: String,
        code: i64,
        message: String,
    },
    #[error("{endpoint} sent an answer larger than {limit_mb} MB (max_response_mb)")]
    TooLarge { endpoint: String, limit_mb: u64 },
    #[error("{endpoint} answered an impossible {field}: {message}")]
    Implausible {
        endpoint: String,
        field: &'static str,
        message: String,
    },
    #[error("{endpoint} sent an answer that is not valid JSON-RPC: {message}")]
    Garbage { endpoint: String, message: String },
}

/// What a "range too large" error suggests for the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeHint {
    /// The provider named a range that works: `[from, to]`.
    Range(u64, u64),
    /// The provider named a maximum number of blocks.
    MaxBlocks(u64),
    /// No hint: halve.
    Halve,
}

impl RpcError {
    /// Worth another endpoint or a later retry (as opposed to a request to change).
    pub fn is_endpoint_problem(&self) -> bool {
        !matches!(
            self,
            RpcError::RangeTooLarge { .. } | RpcError::Rpc { .. } | RpcError::TooLarge { .. }
        )
    }
}

/// Classifies a JSON-RPC or HTTP error text from a provider (see
/// `shared/reference/rpc-provider-limits.md`).
pub fn classify(endpoint: &str, code: i64, message: &str) -> RpcError {
    let lower = message.to_ascii_lowercase();
    let endpoint = endpoint.to_string();
    let message = message.to_string();
    if code == -32005 && !lower.contains("range") && !lower.contains("10000")
        || code == 429
        || lower.contains("rate limit")
        || lower.contains("too many requests")
        || lower.contains("request limit")
        || lower.contains("compute units")
    {
        return RpcError::RateLimited { endpoint, message };
    }
    if let Some(hint) = range_hint(&lower) {
        return RpcError::RangeTooLarge {
            endpoint,
            message,
            hint,
        };
    }
    RpcError::Rpc {
        endpoint,
        code,
        message,
    }
}

fn range_hint(lower: &str) -> Option<RangeHint> {
    if lower.contains("this block range should work") || lower.contains("try with this block range")
    {
        return Some(named_range(lower).map_or(RangeHint::Halve, |(a, b)| RangeHint::Range(a, b)));
    }
    if let Some(n) = limited_to(lower) {
        return Some(RangeHint::MaxBlocks(n));
    }
    if lower.contains("block range is too wide") {
        return Some(RangeHint::MaxBlocks(3000));
    }
    if lower.contains("block range too large") {
        return Some(RangeHint::MaxBlocks(2000));
    }
    const HALVE: &[&str] = &[
        "more than 10000 results",
        "response is too big",
        "response size exceeded",
        "error decoding response body",
        "query timeout",
        "exceed maximum block range",
        "range too large",
        "too many logs",
    ];
    HALVE
        .iter()
        .any(|s| lower.contains(s))
        .then_some(RangeHint::Halve)
}

/// `[0x1, 0x2]` or `[1, 2]` after the hint text.
fn named_range(lower: &str) -> Option<(u64, u64)> {
    let open = lower.find('[')?;
    let close = open + lower[open..].find(']')?;
    let mut parts = lower[open + 1..close]
        .split(',')
        .map(|s| parse_num(s.trim()));
    let a = parts.next()??;
    let b = parts.next()??;
    (a <= b).then_some((a, b))
}

/// "limited to a 10,000 range" / "limited to a 10000 block range".
fn limited_to(lower: &str) -> Option<u64> {
    let at = lower.find("limited to a ")? + "limited to a ".len();
    let digits: String = lower[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.parse().ok().filter(|n| *n > 0)
}

fn parse_num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(msg: &str) -> Option<RangeHint> {
        match classify("e", -32000, msg) {
            RpcError::RangeTooLarge { hint, .. } => Some(hint),
            _ => None,
        }
    }

    #[test]
    fn provider_texts_give_hints() {
        assert_eq!(
            hint("Log response size exceeded. this block range should work: [0x10, 0x1f]"),
            Some(RangeHint::Range(16, 31))
        );
        assert_eq!(
            hint("query exceeds max results, try with this block range [0x64, 0xc8]."),
            Some(RangeHint::Range(100, 200))
        );
        assert_eq!(
            hint("query returned more than 10000 results"),
            Some(RangeHint::Halve)
        );
        assert_eq!(
            hint("block range is too wide"),
            Some(RangeHint::MaxBlocks(3000))
        );
        assert_eq!(
            hint("eth_getLogs is limited to a 10,000 range"),
            Some(RangeHint::MaxBlocks(10000))
        );
        assert_eq!(
            hint("block range too large"),
            Some(RangeHint::MaxBlocks(2000))
        );
        assert_eq!(hint("Log response size exceeded"), Some(RangeHint::Halve));
        assert_eq!(hint("execution reverted"), None);
    }

    #[test]
    fn rate_limits_are_recognised() {
        assert!(matches!(
            classify("e", -32005, "request rate exceeded"),
            RpcError::RateLimited { .. }
        ));
        assert!(matches!(
            classify("e", -32000, "Too Many Requests"),
            RpcError::RateLimited { .. }
        ));
        assert!(matches!(
            classify("e", -32005, "query returned more than 10000 results"),
            RpcError::RangeTooLarge { .. }
        ));
        assert!(matches!(
            classify(
                "e",
                429,
                "Your app has exceeded its compute units per second capacity"
            ),
            RpcError::RateLimited { .. }
        ));
        assert!(matches!(
            classify(
                "e",
                -32007,
                "100/second request limit reached - reduce calls per second"
            ),
            RpcError::RateLimited { .. }
        ));
        assert!(matches!(
            classify("e", 3, "execution reverted"),
            RpcError::Rpc { .. }
        ));
    }
}

//! Filter values that need more than a parse: a contract named by its token's symbol or
//! name or by an address-book label, the
//! address's direction, and amount bounds in token units turned into stored amount keys.

use alloy_primitives::U256;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::amount::AmountKey;
use super::filter::{address, Direction, EventFilter};
use super::query::checksummed;
use super::StoreError;

/// A key above every stored one (they start with "00" to "20"): the bound of an amount too
/// large for 256 bits.
const ABOVE_ALL: &str = "21";

/// The contract as an address, or the one contract the text names (any case, on the
/// filter's network if it has one): a token's symbol or name, or an address-book label.
/// A text that names several contracts is refused, naming them.
pub(super) fn contract(conn: &Connection, f: &EventFilter) -> Result<Value, StoreError> {
    let typed = f.contract.as_deref().map(str::trim).unwrap_or_default();
    if typed.is_empty() || typed.starts_with("0x") {
        return address("contract", &f.contract);
    }
    let network = f
        .network
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut stmt = conn.prepare_cached(
        "SELECT t.address FROM tokens t JOIN networks n ON n.id = t.network_id
          WHERE (t.symbol = ?1 COLLATE NOCASE OR t.name = ?1 COLLATE NOCASE)
            AND (?2 IS NULL OR n.name = ?2 COLLATE NOCASE)
         UNION
         SELECT b.address FROM labels b
          WHERE b.label = ?1 COLLATE NOCASE
            AND (?2 IS NULL OR b.network = '' OR b.network = ?2 COLLATE NOCASE)
         ORDER BY 1",
    )?;
    let found: Vec<Vec<u8>> = stmt
        .query_map(rusqlite::params![typed, network], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    match found.as_slice() {
        [one] => Ok(Value::Blob(one.clone())),
        [] => Err(StoreError::BadFilter(format!(
            "contract: \"{typed}\" is not an address (0x and 40 hex digits), a token's symbol or name, nor a label in the address book"
        ))),
        many => Err(StoreError::BadFilter(format!(
            "contract: \"{typed}\" names {} contracts ({}); type the one you mean",
            many.len(),
            many.iter()
                .map(|a| checksummed(a))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `:direction`: 1 for from, 2 for to, NULL for any argument.
pub(super) fn direction(f: &EventFilter) -> Value {
    match f.direction {
        Some(Direction::From) => Value::Integer(1),
        Some(Direction::To) => Value::Integer(2),
        None => Value::Null,
    }
}

/// An amount in token units as typed ("1,000", "2.5"), without its grouping; refused when
/// it is not a plain non-negative number.
pub(super) fn units(field: &str, v: &Option<String>) -> Result<Value, StoreError> {
    let typed = v.as_deref().map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        return Ok(Value::Null);
    }
    let plain: String = typed
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(StoreError::BadFilter(format!(
            "{field}: \"{typed}\" is not an amount (like 1,000 or 2.5)"
        )));
    }
    Ok(Value::Text(plain))
}

/// The stored key of `units` (from [`units`]) of a token with `decimals`: a bound that falls
/// between two raw amounts rounds up for a minimum (`round_up`), down for a maximum.
/// Registered on every connection as `tw_amount_key`; NULL when the decimals are unknown.
pub(super) fn amount_key(units: &str, decimals: Option<i64>, round_up: bool) -> Option<String> {
    let decimals = usize::try_from(decimals?).ok()?;
    let (int, frac) = units.split_once('.').unwrap_or((units, ""));
    let kept = &frac[..frac.len().min(decimals)];
    let cut = frac[kept.len()..].bytes().any(|b| b != b'0');
    let mut digits = [int, kept].concat();
    digits.extend(std::iter::repeat_n('0', decimals - kept.len()));
    let trimmed = digits.trim_start_matches('0');
    let value = if trimmed.is_empty() {
        Some(U256::ZERO)
    } else {
        U256::from_str_radix(trimmed, 10).ok()
    };
    let value = match value {
        Some(v) if round_up && cut => v.checked_add(U256::from(1)),
        other => other,
    };
    Some(value.map_or(ABOVE_ALL.to_string(), |v| {
        AmountKey::new(v).as_str().to_string()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_in_token_units_become_keys_of_raw_amounts() {
        let key = |u: &str, d: i64, up: bool| amount_key(u, Some(d), up);
        // 1,000 units of an 18-decimal token.
        assert_eq!(
            key("1000", 18, false).as_deref(),
            Some("093635c9adc5dea00000")
        );
        assert_eq!(key("2.5", 1, false).as_deref(), Some("0119"), "25");
        assert_eq!(
            key("2.55", 1, false).as_deref(),
            Some("0119"),
            "a maximum rounds down"
        );
        assert_eq!(
            key("2.55", 1, true).as_deref(),
            Some("011a"),
            "a minimum rounds up"
        );
        assert_eq!(key("0", 6, true).as_deref(), Some("00"));
        assert_eq!(key(&"9".repeat(90), 0, true).as_deref(), Some(ABOVE_ALL));
        assert_eq!(amount_key("1", None, true), None, "unknown decimals");
    }

    #[test]
    fn amounts_are_read_as_typed_with_grouping() {
        let u = |s: &str| units("minimum amount", &Some(s.into()));
        assert_eq!(u("1,000").expect("grouped"), Value::Text("1000".into()));
        assert_eq!(u(" 2.5 ").expect("decimal"), Value::Text("2.5".into()));
        let err = u("-3").expect_err("negative");
        assert!(err.to_string().contains("\"-3\" is not an amount"), "{err}");
        assert!(u("1.2.3").is_err() && u(".").is_err() && u("abc").is_err());
    }
}

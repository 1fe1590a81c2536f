//! Token amounts in token units, exactly: a raw integer and the token's decimals give the
//! decimal number a person reads (`1250000` with 6 decimals is `1.25`), with no float in
//! between and no rounding.

/// `raw` (decimal digits, an optional leading `-`) shifted `decimals` places: trailing
/// zeros of the fraction dropped, no thousands separators. `None` when `raw` is not an
/// integer.
pub fn exact(raw: &str, decimals: u8) -> Option<String> {
    let (sign, digits) = match raw.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", raw),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    let d = usize::from(decimals);
    let padded = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    let frac = frac.trim_end_matches('0');
    let sign = if digits.is_empty() { "" } else { sign };
    Some(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

/// `part / whole` as a decimal fraction with `places` digits after the point (cut, not
/// rounded): the share of a holder in the supply. `None` when `whole` is zero.
pub fn fraction(
    part: alloy_primitives::U256,
    whole: alloy_primitives::U256,
    places: u8,
) -> Option<String> {
    if whole.is_zero() {
        return None;
    }
    let scale = alloy_primitives::U256::from(10u64).pow(alloy_primitives::U256::from(places));
    let scaled = part
        .checked_mul(scale)
        .map(|p| p / whole)
        .unwrap_or_else(|| part / (whole / scale));
    exact(&scaled.to_string(), places)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    #[test]
    fn raw_amounts_read_in_token_units() {
        assert_eq!(exact("1250000", 6).as_deref(), Some("1.25"));
        assert_eq!(exact("1000000", 6).as_deref(), Some("1"));
        assert_eq!(exact("5", 6).as_deref(), Some("0.000005"));
        assert_eq!(exact("0", 18).as_deref(), Some("0"));
        assert_eq!(exact("000120", 2).as_deref(), Some("1.2"));
        assert_eq!(exact("42", 0).as_deref(), Some("42"));
        assert_eq!(exact("-1500", 3).as_deref(), Some("-1.5"));
        assert_eq!(exact("-0", 3).as_deref(), Some("0"));
        let max = U256::MAX.to_string();
        assert_eq!(
            exact(&max, 18).as_deref(),
            Some("115792089237316195423570985008687907853269984665640564039457.584007913129639935")
        );
        assert_eq!(exact("1.5", 2), None);
        assert_eq!(exact("", 2), None);
        assert_eq!(exact("-", 2), None);
    }

    #[test]
    fn shares_are_cut_decimal_fractions() {
        let u = U256::from;
        assert_eq!(fraction(u(1), u(3), 6).as_deref(), Some("0.333333"));
        assert_eq!(fraction(u(3), u(3), 6).as_deref(), Some("1"));
        assert_eq!(fraction(u(1), u(8), 6).as_deref(), Some("0.125"));
        assert_eq!(fraction(u(0), u(8), 6).as_deref(), Some("0"));
        assert_eq!(fraction(u(1), u(0), 6), None);
        assert_eq!(fraction(U256::MAX, U256::MAX, 6).as_deref(), Some("1"));
    }
}

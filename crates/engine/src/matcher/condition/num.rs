//! Exact decimal arithmetic for conditions: `±mag / 10^scale` with a 512-bit magnitude.
//!
//! Literals such as `1.5` are kept exact so that `1.5 * 10^6` is exactly `1500000`; a value that
//! ends up with a fractional part is rejected by the caller. 512 bits leave room for products of
//! two 256-bit values; anything larger is an overflow.

use alloy_primitives::{I256, U256, U512};
use std::cmp::Ordering;
use std::fmt;

/// Largest exponent accepted by `^` for bases other than 0 and ±1 (anything above overflows).
const MAX_EXPONENT: u64 = 1024;

/// An exact decimal number, always normalised (no trailing zeros in `mag` while `scale > 0`,
/// zero is never negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec {
    neg: bool,
    mag: U512,
    scale: u32,
}

/// Why an arithmetic operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumError {
    Overflow,
    NegativeExponent,
    FractionalExponent,
}

impl NumError {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Overflow => "number overflows 256 bits",
            Self::NegativeExponent => "the exponent of `^` must not be negative",
            Self::FractionalExponent => "the exponent of `^` must be a whole number",
        }
    }
}

fn ten() -> U512 {
    U512::from(10u8)
}

fn pow10(n: u32) -> Result<U512, NumError> {
    ten().checked_pow(U512::from(n)).ok_or(NumError::Overflow)
}

impl Dec {
    pub(crate) const ZERO: Dec = Dec {
        neg: false,
        mag: U512::ZERO,
        scale: 0,
    };

    fn new(neg: bool, mut mag: U512, mut scale: u32) -> Self {
        while scale > 0 && mag.checked_rem(ten()) == Some(U512::ZERO) && !mag.is_zero() {
            mag /= ten();
            scale -= 1;
        }
        if mag.is_zero() {
            return Self::ZERO;
        }
        Dec { neg, mag, scale }
    }

    pub(crate) fn from_u256(v: U256) -> Self {
        Self::new(false, U512::saturating_from(v), 0)
    }

    pub(crate) fn from_i256(v: I256) -> Self {
        Self::new(v.is_negative(), U512::saturating_from(v.unsigned_abs()), 0)
    }

    pub(crate) fn from_u64(v: u64) -> Self {
        Self::new(false, U512::from(v), 0)
    }

    /// Parses `digits[.digits]`, `_` separators allowed.
    pub(crate) fn parse(text: &str) -> Result<Self, NumError> {
        let mut mag = U512::ZERO;
        let mut scale = 0u32;
        let mut in_fraction = false;
        for c in text.chars() {
            match c {
                '_' => {}
                '.' => in_fraction = true,
                _ => {
                    let digit = c.to_digit(10).ok_or(NumError::Overflow)?;
                    mag = mag
                        .checked_mul(ten())
                        .and_then(|m| m.checked_add(U512::from(digit)))
                        .ok_or(NumError::Overflow)?;
                    scale += u32::from(in_fraction);
                }
            }
        }
        Ok(Self::new(false, mag, scale))
    }

    /// Parses a big-endian hex string (no `0x`) as an unsigned number of at most 256 bits.
    pub(crate) fn from_hex(digits: &str) -> Option<Self> {
        U256::from_str_radix(digits, 16).ok().map(Self::from_u256)
    }

    pub(crate) fn is_integer(&self) -> bool {
        self.scale == 0
    }

    pub(crate) fn is_negative(&self) -> bool {
        self.neg
    }

    pub(crate) fn neg(self) -> Self {
        Self::new(!self.neg, self.mag, self.scale)
    }

    /// Fits in `uint256`.
    pub(crate) fn fits_u256(&self) -> bool {
        self.is_integer() && !self.neg && self.mag <= U512::saturating_from(U256::MAX)
    }

    /// Fits in `int256`.
    pub(crate) fn fits_i256(&self) -> bool {
        let min_abs = U512::saturating_from(I256::MIN.unsigned_abs());
        self.is_integer() && (self.mag < min_abs || (self.neg && self.mag == min_abs))
    }

    /// Its size is beyond `2^256 - 1` (the sign aside).
    pub(crate) fn exceeds_256_bits(&self) -> bool {
        let abs = Dec {
            neg: false,
            ..*self
        };
        abs.cmp_exact(&Self::from_u256(U256::MAX)) == Ordering::Greater
    }

    /// Fits in either `uint256` or `int256`.
    pub(crate) fn fits_256(&self) -> bool {
        self.fits_u256() || self.fits_i256()
    }

    fn aligned(self, rhs: Self) -> Result<(U512, U512, u32), NumError> {
        let scale = self.scale.max(rhs.scale);
        let l = self.mag.checked_mul(pow10(scale - self.scale)?);
        let r = rhs.mag.checked_mul(pow10(scale - rhs.scale)?);
        Ok((
            l.ok_or(NumError::Overflow)?,
            r.ok_or(NumError::Overflow)?,
            scale,
        ))
    }

    pub(crate) fn add(self, rhs: Self) -> Result<Self, NumError> {
        let (l, r, scale) = self.aligned(rhs)?;
        if self.neg == rhs.neg {
            let mag = l.checked_add(r).ok_or(NumError::Overflow)?;
            return Ok(Self::new(self.neg, mag, scale));
        }
        Ok(match l.cmp(&r) {
            Ordering::Less => Self::new(rhs.neg, r - l, scale),
            _ => Self::new(self.neg, l - r, scale),
        })
    }

    pub(crate) fn sub(self, rhs: Self) -> Result<Self, NumError> {
        self.add(rhs.neg())
    }

    pub(crate) fn mul(self, rhs: Self) -> Result<Self, NumError> {
        let mag = self.mag.checked_mul(rhs.mag).ok_or(NumError::Overflow)?;
        let scale = self
            .scale
            .checked_add(rhs.scale)
            .ok_or(NumError::Overflow)?;
        Ok(Self::new(self.neg != rhs.neg, mag, scale))
    }

    pub(crate) fn pow(self, exp: Self) -> Result<Self, NumError> {
        if exp.neg {
            return Err(NumError::NegativeExponent);
        }
        if !exp.is_integer() {
            return Err(NumError::FractionalExponent);
        }
        let odd = exp.mag.bit(0);
        if self.mag.is_zero() || (self.mag == U512::from(1u8) && self.scale == 0) {
            let one = Self::new(self.neg && odd, U512::from(1u8), 0);
            return Ok(if exp.mag.is_zero() {
                one
            } else {
                Self::new(self.neg && odd, self.mag, 0)
            });
        }
        if exp.mag > U512::from(MAX_EXPONENT) {
            return Err(NumError::Overflow);
        }
        let e = exp.mag.saturating_to::<u32>();
        let mag = self.mag.checked_pow(exp.mag).ok_or(NumError::Overflow)?;
        let scale = self.scale.checked_mul(e).ok_or(NumError::Overflow)?;
        Ok(Self::new(self.neg && odd, mag, scale))
    }

    /// Exact numeric ordering.
    pub(crate) fn cmp_exact(&self, other: &Self) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }

    fn cmp_abs(&self, other: &Self) -> Ordering {
        match self.aligned(*other) {
            Ok((l, r, _)) => l.cmp(&r),
            // Scaling up overflowed 512 bits: the side with the smaller scale is the larger one.
            Err(_) => other.scale.cmp(&self.scale),
        }
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mag.to_string();
        let scale = usize::try_from(self.scale).unwrap_or(usize::MAX);
        let sign = if self.neg { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        if scale > 4096 {
            return write!(f, "{sign}{digits}e-{scale}");
        }
        let padded = format!("{digits:0>width$}", width = scale.saturating_add(1));
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

impl Dec {
    /// The value as an ABI word (two's complement for negatives), when it is an integer
    /// that fits 256 bits.
    pub(crate) fn to_word(self) -> Option<[u8; 32]> {
        if !self.fits_256() {
            return None;
        }
        let mag = U256::saturating_from(self.mag);
        let v = if self.neg { mag.wrapping_neg() } else { mag };
        Some(v.to_be_bytes::<32>())
    }
}

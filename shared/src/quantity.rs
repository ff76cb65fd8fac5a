//! Kubernetes resource quantities (`250m`, `1.5Gi`, `1e3`, `128974848`), parsed exactly.
//!
//! The grammar is the one of `k8s.io/apimachinery/pkg/api/resource`. Values are kept as an
//! exact decimal (digits × 10^exp × 1024^pow) so conversions round the way Kubernetes does:
//! `MilliValue()` and friends round up, which is what `kubectl top` prints.

use std::fmt;
use std::str::FromStr;

/// Why a quantity string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string is empty.
    #[error("empty quantity")]
    Empty,
    /// The string does not follow the quantity grammar.
    #[error("invalid quantity {0:?}")]
    Invalid(String),
    /// The value does not fit the integer it is converted to.
    #[error("quantity {0:?} is out of range")]
    OutOfRange(String),
    /// A negative value where only non-negative ones make sense.
    #[error("quantity {0:?} is negative")]
    Negative(String),
}

/// Most significant digits kept exactly; Kubernetes itself caps precision far below this.
const MAX_DIGITS: usize = 36;
/// Largest decimal exponent accepted (`1e400` is not a resource anyone has).
const MAX_EXPONENT: i32 = 400;

/// An exact Kubernetes quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    negative: bool,
    digits: u128,
    exp10: i32,
    pow1024: u32,
}

impl Quantity {
    /// The value in units of 10^`scale` (e.g. -3 for milli), rounded up like Kubernetes'
    /// `ScaledValue`.
    pub fn scaled_ceil(&self, scale: i32) -> Option<i128> {
        if self.digits == 0 {
            return Some(0);
        }
        let mut n = self.digits;
        for _ in 0..self.pow1024 {
            n = n.checked_mul(1024)?;
        }
        let shift = self.exp10 - scale;
        let magnitude: u128 = if shift >= 0 {
            n.checked_mul(10u128.checked_pow(shift.unsigned_abs())?)?
        } else {
            match 10u128.checked_pow(shift.unsigned_abs()) {
                // Rounding up (away from zero for positives, toward zero for negatives below).
                Some(div) => n.div_ceil(div),
                // The divisor exceeds any u128, so the exact value is in (0, 1).
                None => 1,
            }
        };
        let magnitude = i128::try_from(magnitude).ok()?;
        if self.negative {
            // ceil(-x) = -floor(x): recompute with floor for negative values.
            let floor = if shift >= 0 {
                magnitude
            } else {
                match 10u128.checked_pow(shift.unsigned_abs()) {
                    Some(div) => i128::try_from(n / div).ok()?,
                    None => 0,
                }
            };
            Some(-floor)
        } else {
            Some(magnitude)
        }
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.negative && self.digits != 0
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_negative() { "-" } else { "" };
        let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
            .get(self.pow1024 as usize)
            .copied()
            .unwrap_or("");
        write!(f, "{sign}{}e{}{suffix}", self.digits, self.exp10)
    }
}

fn invalid(s: &str) -> QuantityError {
    QuantityError::Invalid(s.to_owned())
}

/// Parses a quantity string.
pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
    if s.is_empty() {
        return Err(QuantityError::Empty);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    if let Some(&c) = bytes.first()
        && (c == b'+' || c == b'-')
    {
        negative = c == b'-';
        i = 1;
    }
    let (digits, mut exp10, consumed) = parse_decimal(&bytes[i..]).ok_or_else(|| invalid(s))?;
    i += consumed;
    let (extra_exp, pow1024) = parse_suffix(&bytes[i..]).ok_or_else(|| invalid(s))?;
    exp10 = exp10
        .checked_add(extra_exp)
        .filter(|e| e.abs() <= MAX_EXPONENT + MAX_DIGITS as i32)
        .ok_or_else(|| QuantityError::OutOfRange(s.to_owned()))?;
    Ok(Quantity {
        negative,
        digits,
        exp10,
        pow1024,
    })
}

/// Reads `digits[.digits]`, returning the significant digits, the decimal exponent that
/// places them, and how many bytes were consumed.
fn parse_decimal(b: &[u8]) -> Option<(u128, i32, usize)> {
    let mut digits: u128 = 0;
    let mut significant = 0usize;
    let mut exp10: i32 = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                seen_digit = true;
                if digits == 0 && c == b'0' {
                    // Leading zeros carry no precision.
                    if seen_dot {
                        exp10 -= 1;
                    }
                } else if significant < MAX_DIGITS {
                    digits = digits * 10 + u128::from(c - b'0');
                    significant += 1;
                    if seen_dot {
                        exp10 -= 1;
                    }
                } else if c != b'0' {
                    // Precision beyond what we keep exactly is not a real resource value.
                    return None;
                } else if !seen_dot {
                    exp10 += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        i += 1;
    }
    seen_digit.then_some((digits, exp10, i))
}

/// Reads the suffix: a decimal SI prefix, a binary SI prefix, or `e`/`E` with an exponent.
fn parse_suffix(b: &[u8]) -> Option<(i32, u32)> {
    let found = match b {
        b"" => (0, 0),
        b"n" => (-9, 0),
        b"u" => (-6, 0),
        b"m" => (-3, 0),
        b"k" => (3, 0),
        b"M" => (6, 0),
        b"G" => (9, 0),
        b"T" => (12, 0),
        b"P" => (15, 0),
        b"E" => (18, 0),
        b"Ki" => (0, 1),
        b"Mi" => (0, 2),
        b"Gi" => (0, 3),
        b"Ti" => (0, 4),
        b"Pi" => (0, 5),
        b"Ei" => (0, 6),
        [b'e' | b'E', rest @ ..] => (parse_exponent(rest)?, 0),
        _ => return None,
    };
    Some(found)
}

fn parse_exponent(b: &[u8]) -> Option<i32> {
    let (negative, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i32, |acc, d| acc * 10 + i32::from(d - b'0'));
    (value <= MAX_EXPONENT).then_some(if negative { -value } else { value })
}

fn non_negative(s: &str, scale: i32) -> Result<u64, QuantityError> {
    let q = parse(s)?;
    if q.is_negative() {
        return Err(QuantityError::Negative(s.to_owned()));
    }
    q.scaled_ceil(scale)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| QuantityError::OutOfRange(s.to_owned()))
}

/// A CPU quantity in nanocores (`250m` → 250 000 000), rounded up.
pub fn cpu_nanos(s: &str) -> Result<u64, QuantityError> {
    non_negative(s, -9)
}

/// A quantity in base units (bytes for memory, a count for pods), rounded up.
pub fn units(s: &str) -> Result<u64, QuantityError> {
    non_negative(s, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_si_suffixes() {
        assert_eq!(cpu_nanos("250m"), Ok(250_000_000));
        assert_eq!(cpu_nanos("1"), Ok(1_000_000_000));
        assert_eq!(cpu_nanos("0.5"), Ok(500_000_000));
        assert_eq!(cpu_nanos("123456789n"), Ok(123_456_789));
        assert_eq!(cpu_nanos("1500u"), Ok(1_500_000));
        assert_eq!(units("1k"), Ok(1000));
        assert_eq!(units("2M"), Ok(2_000_000));
        assert_eq!(units("3G"), Ok(3_000_000_000));
        assert_eq!(units("1T"), Ok(1_000_000_000_000));
        assert_eq!(units("1P"), Ok(1_000_000_000_000_000));
        assert_eq!(units("1E"), Ok(1_000_000_000_000_000_000));
    }

    #[test]
    fn binary_si_suffixes() {
        assert_eq!(units("1Ki"), Ok(1024));
        assert_eq!(units("128Mi"), Ok(128 << 20));
        assert_eq!(units("1.5Gi"), Ok(3 << 29));
        assert_eq!(units("2Ti"), Ok(2 << 40));
        assert_eq!(units("1Pi"), Ok(1 << 50));
        assert_eq!(units("7Ei"), Ok(7 << 60));
        assert_eq!(units("16Ei"), Err(QuantityError::OutOfRange("16Ei".into())));
    }

    #[test]
    fn exponents_and_decimals() {
        assert_eq!(units("1e3"), Ok(1000));
        assert_eq!(units("1E3"), Ok(1000));
        assert_eq!(units("12e-1"), Ok(2), "1.2 rounds up");
        assert_eq!(cpu_nanos("1e-9"), Ok(1));
        assert_eq!(
            cpu_nanos("1e-12"),
            Ok(1),
            "tiny positive values round up to one unit"
        );
        assert_eq!(units(".5"), Ok(1));
        assert_eq!(units("5."), Ok(5));
        assert_eq!(units("+5"), Ok(5));
        assert_eq!(units("0.000"), Ok(0));
        assert_eq!(units("00012"), Ok(12));
        assert_eq!(
            units("1.0000000000000000000000000000000000000000Ki"),
            Ok(1024)
        );
    }

    #[test]
    fn rounding_matches_kubernetes_milli_value() {
        // kubectl top shows MilliValue(), which rounds up.
        let q: Quantity = "1234567n".parse().expect("valid");
        assert_eq!(q.scaled_ceil(-3), Some(2));
        let q: Quantity = "-1.5".parse().expect("valid");
        assert_eq!(q.scaled_ceil(0), Some(-1), "ceil(-1.5) is -1");
        assert!(q.is_negative());
    }

    #[test]
    fn malformed_inputs_are_errors() {
        for bad in [
            "", "m", "-", "+", ".", "1..2", "1.2.3", "1x", "1Kb", "1 Ki", " 1", "1e", "1e+",
            "1e99999", "1ee3", "Ki", "1i", "--1", "1m1", "0x10", "∞", "1e3Ki", "NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(units("-1"), Err(QuantityError::Negative("-1".into())));
        assert_eq!(
            units("1e400"),
            Err(QuantityError::OutOfRange("1e400".into()))
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = parse(&s);
            let _ = units(&s);
            let _ = cpu_nanos(&s);
        }

        #[test]
        fn never_panics_on_quantity_like_strings(s in "[-+]?[0-9]{0,40}(\\.[0-9]{0,40})?([numkMGTPE]|[KMGTPE]i|[eE][-+]?[0-9]{1,5})?") {
            let _ = parse(&s).map(|q| q.scaled_ceil(-9));
        }

        #[test]
        fn millis_round_trip(n in 0u64..1_000_000_000) {
            prop_assert_eq!(cpu_nanos(&format!("{n}m")), Ok(n * 1_000_000));
        }

        #[test]
        fn binary_suffixes_multiply(n in 0u64..1_000_000, p in 0usize..4) {
            let suffix = ["", "Ki", "Mi", "Gi"][p];
            prop_assert_eq!(units(&format!("{n}{suffix}")), Ok(n << (10 * p)));
        }

        #[test]
        fn decimals_round_up(whole in 0u64..1_000_000, frac in 0u32..1000) {
            let expected = whole + u64::from(frac > 0);
            prop_assert_eq!(units(&format!("{whole}.{frac:03}")), Ok(expected));
        }

        #[test]
        fn exponent_equals_suffix(n in 0u64..1_000_000) {
            prop_assert_eq!(units(&format!("{n}e3")), units(&format!("{n}k")));
            prop_assert_eq!(cpu_nanos(&format!("{n}e-3")), cpu_nanos(&format!("{n}m")));
        }
    }
}

//! Go `time.Duration` strings (`15.009s`, `1m0s`, `250ms`), as metrics-server writes `window`.

use std::time::Duration;

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not of the form `[-+]?(number unit)+` or `0`.
    #[error("invalid duration {0:?}")]
    Invalid(String),
    /// Negative durations have no meaning for a sampling window.
    #[error("duration {0:?} is negative")]
    Negative(String),
    /// Larger than Go's own limit (about 290 years).
    #[error("duration {0:?} is out of range")]
    OutOfRange(String),
}

/// Go's limit: an int64 count of nanoseconds.
const MAX_NANOS: u128 = i64::MAX as u128;

fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a Go duration string into a non-negative [`Duration`].
pub fn parse_go_duration(s: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid(s.to_owned());
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(number_len);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = unit_nanos(unit).ok_or_else(invalid)?;
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(invalid());
        }
        let out_of_range = || DurationError::OutOfRange(s.to_owned());
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| out_of_range())?
        };
        let mut nanos = whole.checked_mul(scale).ok_or_else(out_of_range)?;
        // Fractions are exact to the nanosecond, truncated as Go does.
        let mut place = scale;
        for d in frac.bytes() {
            place /= 10;
            if place == 0 {
                break;
            }
            nanos += u128::from(d - b'0') * place;
        }
        total = total.checked_add(nanos).ok_or_else(out_of_range)?;
        if total > MAX_NANOS {
            return Err(out_of_range());
        }
        rest = tail;
    }
    if negative && total > 0 {
        return Err(DurationError::Negative(s.to_owned()));
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| invalid())?;
    let nanos = u32::try_from(total % 1_000_000_000).map_err(|_| invalid())?;
    Ok(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn metrics_server_windows() {
        assert_eq!(
            parse_go_duration("15.009s"),
            Ok(Duration::from_millis(15_009))
        );
        assert_eq!(parse_go_duration("1m0s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_go_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_go_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn every_unit_and_combinations() {
        assert_eq!(parse_go_duration("1h2m3s"), Ok(Duration::from_secs(3723)));
        assert_eq!(parse_go_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("5us"), Ok(Duration::from_micros(5)));
        assert_eq!(parse_go_duration("5µs"), Ok(Duration::from_micros(5)));
        assert_eq!(parse_go_duration("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse_go_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration(".5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("+2s"), Ok(Duration::from_secs(2)));
        assert_eq!(
            parse_go_duration("1.0000000001s"),
            Ok(Duration::from_secs(1))
        );
    }

    #[test]
    fn malformed_and_negative() {
        for bad in [
            "", "s", "1", "1x", "1.2.3s", ".s", "1s2", "--1s", "1 s", "ms", "-",
        ] {
            assert!(
                parse_go_duration(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(
            parse_go_duration("-1s"),
            Err(DurationError::Negative("-1s".into()))
        );
        assert_eq!(parse_go_duration("-0s"), Ok(Duration::ZERO));
        assert!(matches!(
            parse_go_duration("9999999999h"),
            Err(DurationError::OutOfRange(_))
        ));
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = parse_go_duration(&s);
        }

        #[test]
        fn go_formatted_round_trip(ms in 0u64..86_400_000) {
            // Go prints e.g. 1h2m3.456s; rebuild that form and parse it back.
            let (h, rem) = (ms / 3_600_000, ms % 3_600_000);
            let (m, rem) = (rem / 60_000, rem % 60_000);
            let text = if h > 0 {
                format!("{h}h{m}m{}.{:03}s", rem / 1000, rem % 1000)
            } else if m > 0 {
                format!("{m}m{}.{:03}s", rem / 1000, rem % 1000)
            } else {
                format!("{}.{:03}s", rem / 1000, rem % 1000)
            };
            prop_assert_eq!(parse_go_duration(&text), Ok(Duration::from_millis(ms)));
        }
    }
}

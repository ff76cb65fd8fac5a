//! Human formatting in the style of `kubectl top`: `250m`, `1.5`, `512Mi`, `1.2Gi`, `42%`.

/// Nanocores per millicore.
pub const NANOS_PER_MILLI: u64 = 1_000_000;

/// Millicores as `kubectl top` computes them from nanocores: rounded up.
pub fn cpu_millis(nanos: u64) -> u64 {
    nanos.div_ceil(NANOS_PER_MILLI)
}

/// Mebibytes as `kubectl top` computes them from bytes: rounded down.
pub fn mem_mebibytes(bytes: u64) -> u64 {
    bytes >> 20
}

/// CPU: millicores below one core (`250m`), cores above (`1.5`, `16`).
pub fn format_cpu(nanos: u64) -> String {
    let millis = cpu_millis(nanos);
    if millis < 1000 {
        format!("{millis}m")
    } else {
        trim_decimals(fixed(millis as f64 / 1000.0, 2))
    }
}

/// Bytes in binary units: one decimal below 10 (`1.2Gi`), none above (`512Mi`).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = if value < 10.0 {
        trim_decimals(fixed(value, 1))
    } else {
        fixed(value, 0)
    };
    format!("{text}{}", UNITS[unit])
}

/// `part` as a whole percentage of `whole` (`42%`); `None` when there is no whole to compare to.
pub fn format_percent(part: u64, whole: u64) -> Option<String> {
    percent(part, whole).map(|p| format!("{}%", fixed(p, 0)))
}

/// `part` as a percentage of `whole`; `None` when `whole` is zero.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// Age like kubectl: `45s`, `12m`, `5h`, `3d`.
pub fn format_age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// `value` with exactly `decimals` digits after the point, rounded half away from zero
/// (`fixed(2.345, 1)` is `2.3`, `fixed(0.05, 1)` is `0.1`); non-finite values give `0`.
///
/// Done with integers: float formatting is the largest single function a wasm build gets
/// from `core`, and the browser app needs only this.
pub fn fixed(value: f64, decimals: u32) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let scale = 10u64.pow(decimals.min(9));
    let scaled = (value.abs() * scale as f64).round() as u64;
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    let (whole, fraction) = (scaled / scale, scaled % scale);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        let width = decimals.min(9) as usize;
        format!("{sign}{whole}.{fraction:0width$}")
    }
}

/// Drops trailing zeros after a decimal point (`1.50` → `1.5`, `2.00` → `2`).
pub fn trim_decimals(text: String) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fixed_point_text() {
        let cases = [
            (2.345, 1, "2.3"),
            (0.05, 1, "0.1"),
            (1.0, 2, "1.00"),
            (99.996, 2, "100.00"),
            (-0.04, 1, "0.0"),
            (-1.26, 1, "-1.3"),
            (812.5, 0, "813"),
            (f64::NAN, 1, "0"),
        ];
        for (value, decimals, text) in cases {
            assert_eq!(fixed(value, decimals), text, "{value} {decimals}");
        }
    }

    proptest! {
        #[test]
        fn fixed_agrees_with_std_away_from_ties(v in -1.0e6f64..1.0e6, d in 0u32..4) {
            let std = format!("{v:.prec$}", prec = d as usize);
            // std keeps the sign of a negative value that rounds to zero ("-0.0").
            let std = match std.strip_prefix('-') {
                Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
                _ => std,
            };
            let scaled = v.abs() * 10f64.powi(d as i32);
            // Exact halves may round differently (std rounds the binary value to even).
            if (scaled.fract() - 0.5).abs() > 1e-6 {
                prop_assert_eq!(fixed(v, d), std);
            }
        }
    }

    #[test]
    fn cpu_like_kubectl_top() {
        assert_eq!(format_cpu(250_000_000), "250m");
        assert_eq!(format_cpu(1), "1m", "rounded up like MilliValue");
        assert_eq!(format_cpu(0), "0m");
        assert_eq!(format_cpu(1_500_000_000), "1.5");
        assert_eq!(format_cpu(16_000_000_000), "16");
        assert_eq!(format_cpu(1_234_000_000), "1.23");
        assert_eq!(cpu_millis(1_000_001), 2);
    }

    #[test]
    fn bytes_in_binary_units() {
        assert_eq!(format_bytes(512), "512B");
        assert_eq!(format_bytes(1024), "1Ki");
        assert_eq!(format_bytes(512 << 20), "512Mi");
        assert_eq!(format_bytes((12 << 30) / 10), "1.2Gi");
        assert_eq!(format_bytes(16 << 30), "16Gi");
        assert_eq!(format_bytes(u64::MAX), "16Ei");
        assert_eq!(mem_mebibytes((3 << 20) - 1), 2);
    }

    #[test]
    fn percent_and_age() {
        assert_eq!(format_percent(1, 4), Some("25%".into()));
        assert_eq!(format_percent(3, 0), None);
        assert_eq!(format_percent(150, 100), Some("150%".into()));
        assert_eq!(format_age(59), "59s");
        assert_eq!(format_age(3599), "59m");
        assert_eq!(format_age(7200), "2h");
        assert_eq!(format_age(3 * 86_400 + 5), "3d");
        assert_eq!(format_age(-5), "0s");
    }

    proptest! {
        #[test]
        fn formatted_quantities_parse_back_close(bytes in 1024u64..(1u64 << 60)) {
            // What we print is a valid Kubernetes quantity within 5% of the value.
            let text = format_bytes(bytes);
            let parsed = crate::quantity::units(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let ratio = parsed as f64 / bytes as f64;
            prop_assert!((0.95..=1.05).contains(&ratio), "{} -> {} ({})", bytes, text, parsed);
        }
    }
}

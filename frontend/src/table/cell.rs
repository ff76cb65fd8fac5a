//! Table cells: every cell names its column in `data-col`; numeric cells also carry the raw
//! base-unit number in `data-value` (absent when the value is, shown as "—").

use ktop_web_shared::format::{format_age, format_bytes, format_cpu, format_percent, percent};

use crate::threshold::Level;
use crate::throughput::format_rate;
use ktop_web_shared::format::{fixed, trim_decimals};

/// Shown for values that are not known (no metrics, no request set, …).
pub const DASH: &str = "—";

/// What a numeric cell shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CellValue {
    /// Exact number in base units (nanocores, bytes, bytes per second, percent, count,
    /// seconds).
    pub raw: Option<String>,
    /// Formatted text.
    pub text: String,
    /// Threshold colouring.
    pub level: Level,
}

impl Default for CellValue {
    fn default() -> Self {
        CellValue {
            raw: None,
            text: DASH.to_owned(),
            level: Level::Normal,
        }
    }
}

impl CellValue {
    /// Plain text.
    pub fn text(text: String) -> CellValue {
        CellValue {
            raw: None,
            text,
            level: Level::Normal,
        }
    }

    /// CPU in nanocores, shown like `kubectl top`.
    pub fn cpu(nanos: Option<u64>) -> CellValue {
        Self::formatted(nanos, format_cpu)
    }

    /// Memory in bytes, shown in binary units.
    pub fn bytes(bytes: Option<u64>) -> CellValue {
        Self::formatted(bytes, format_bytes)
    }

    /// Throughput in bytes per second.
    pub fn rate(bytes_per_s: Option<u64>) -> CellValue {
        Self::formatted(bytes_per_s, format_rate)
    }

    /// `part` as a percentage of `whole`; absent when either is.
    pub fn percent_of(part: Option<u64>, whole: Option<u64>) -> CellValue {
        let (Some(part), Some(whole)) = (part, whole) else {
            return CellValue::default();
        };
        match (percent(part, whole), format_percent(part, whole)) {
            (Some(p), Some(text)) => CellValue {
                raw: Some(raw_percent(p)),
                text,
                level: Level::Normal,
            },
            _ => CellValue::default(),
        }
    }

    /// Usage as a percentage of what it may use, coloured by how close it is to full.
    /// (Requests and limits are plans, not pressure, so they stay uncoloured.)
    pub fn usage_percent(usage: Option<u64>, whole: Option<u64>) -> CellValue {
        let cell = CellValue::percent_of(usage, whole);
        let level = Level::of_percent(usage.zip(whole).and_then(|(u, w)| percent(u, w)));
        CellValue { level, ..cell }
    }

    /// A count with its own text (such as `12/110`).
    pub fn count(count: u64, text: String) -> CellValue {
        CellValue {
            raw: Some(count.to_string()),
            text,
            level: Level::Normal,
        }
    }

    /// An age in seconds, shown like kubectl.
    pub fn age(seconds: i64) -> CellValue {
        CellValue {
            raw: Some(seconds.to_string()),
            text: format_age(seconds),
            level: Level::Normal,
        }
    }

    fn formatted(value: Option<u64>, format: fn(u64) -> String) -> CellValue {
        value.map_or_else(CellValue::default, |v| CellValue {
            raw: Some(v.to_string()),
            text: format(v),
            level: Level::Normal,
        })
    }
}

/// A percentage with two decimals at most (`42.86`, `25`): plenty for comparing.
fn raw_percent(p: f64) -> String {
    trim_decimals(fixed(p, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_exact_base_units() {
        let c = CellValue::cpu(Some(1_234_567));
        assert_eq!(c.raw.as_deref(), Some("1234567"));
        assert_eq!(c.text, "2m");
        let m = CellValue::bytes(Some(512 << 20));
        assert_eq!(m.raw.as_deref(), Some("536870912"));
        assert_eq!(m.text, "512Mi");
    }

    #[test]
    fn absent_values_show_a_dash() {
        assert_eq!(CellValue::cpu(None), CellValue::default());
        assert_eq!(CellValue::default().text, DASH);
        assert_eq!(CellValue::percent_of(Some(5), None).raw, None);
        assert_eq!(CellValue::percent_of(Some(5), Some(0)).text, DASH);
    }

    #[test]
    fn percentages_carry_threshold_levels() {
        let p = CellValue::usage_percent(Some(95), Some(100));
        assert_eq!(p.text, "95%");
        assert_eq!(p.raw.as_deref(), Some("95"));
        assert_eq!(p.level, Level::Critical);
        assert_eq!(
            CellValue::percent_of(Some(95), Some(100)).level,
            Level::Normal
        );
        assert_eq!(
            CellValue::usage_percent(None, Some(100)).level,
            Level::Normal
        );
        let third = CellValue::percent_of(Some(1), Some(3));
        assert_eq!(third.raw.as_deref(), Some("33.33"));
        assert_eq!(third.level, Level::Normal);
        assert_eq!(
            CellValue::percent_of(Some(0), Some(3)).raw.as_deref(),
            Some("0")
        );
    }
}

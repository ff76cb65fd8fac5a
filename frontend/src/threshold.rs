//! Threshold colouring: how alarming a usage percentage is.

/// Usage at or above this percentage is shown as a warning.
pub const WARNING_PERCENT: f64 = 70.0;
/// Usage at or above this percentage is shown as critical.
pub const CRITICAL_PERCENT: f64 = 90.0;

/// How alarming a value is; maps to a CSS class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Level {
    /// Nothing to see.
    #[default]
    Normal,
    /// Getting full.
    Warning,
    /// Full or nearly so.
    Critical,
}

impl Level {
    /// The level of a usage percentage; no percentage is normal.
    pub fn of_percent(percent: Option<f64>) -> Level {
        match percent {
            Some(p) if p >= CRITICAL_PERCENT => Level::Critical,
            Some(p) if p >= WARNING_PERCENT => Level::Warning,
            _ => Level::Normal,
        }
    }

    /// The CSS class for this level (empty when normal).
    pub fn class(self) -> &'static str {
        match self {
            Level::Normal => "",
            Level::Warning => "warn",
            Level::Critical => "crit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_inclusive() {
        assert_eq!(Level::of_percent(None), Level::Normal);
        assert_eq!(Level::of_percent(Some(69.9)), Level::Normal);
        assert_eq!(Level::of_percent(Some(70.0)), Level::Warning);
        assert_eq!(Level::of_percent(Some(89.99)), Level::Warning);
        assert_eq!(Level::of_percent(Some(90.0)), Level::Critical);
        assert_eq!(Level::of_percent(Some(250.0)), Level::Critical);
    }
}

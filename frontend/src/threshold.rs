//! Threshold colouring: how alarming a usage percentage is. The thresholds are part of the
//! view (`?warn=70&crit=90`), so a bookmark or an embed keeps its own.

use leptos::prelude::*;

use crate::route::url_codec::Query;

/// Warning and critical percentages, whole numbers; usage at or above them is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Usage at or above this percentage is a warning.
    pub warning: u16,
    /// Usage at or above this percentage is critical.
    pub critical: u16,
}

/// Highest threshold accepted: usage may exceed requests many times over.
pub const MAX_PERCENT: u16 = 1000;

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            warning: 70,
            critical: 90,
        }
    }
}

impl Thresholds {
    /// `warn` and `crit` from the query. Each one absent or not a whole percentage in
    /// `1..=1000` takes its default; a pair with warning above critical is not used at all.
    pub fn from_query(query: &Query) -> Thresholds {
        let default = Thresholds::default();
        let read = |key: &str, fallback: u16| {
            query
                .get(key)
                .and_then(|v| v.parse::<u16>().ok())
                .filter(|p| (1..=MAX_PERCENT).contains(p))
                .unwrap_or(fallback)
        };
        let t = Thresholds {
            warning: read("warn", default.warning),
            critical: read("crit", default.critical),
        };
        if t.warning <= t.critical { t } else { default }
    }

    /// The query values for these thresholds: absent where they are the defaults, so plain
    /// views keep plain URLs.
    pub fn query_values(self) -> [(&'static str, Option<String>); 2] {
        let default = Thresholds::default();
        let value = |v: u16, d: u16| (v != d).then(|| v.to_string());
        [
            ("warn", value(self.warning, default.warning)),
            ("crit", value(self.critical, default.critical)),
        ]
    }

    /// The level of a usage percentage; no percentage is normal.
    pub fn level(self, percent: Option<f64>) -> Level {
        match percent {
            Some(p) if p >= f64::from(self.critical) => Level::Critical,
            Some(p) if p >= f64::from(self.warning) => Level::Warning,
            _ => Level::Normal,
        }
    }
}

thread_local! {
    /// The page's thresholds. A signal, so coloured cells follow a change at once; reference
    /// counted rather than owned, so no component's cleanup can dispose of it.
    static CURRENT: ArcRwSignal<Thresholds> = ArcRwSignal::new(Thresholds::default());
}

/// The thresholds in use (tracked: a reactive reader reruns when they change).
pub fn current() -> Thresholds {
    CURRENT.with(|t| t.get())
}

/// Keeps the thresholds in use equal to the query's.
pub fn follow(query: Memo<Query>) {
    Effect::new(move |_| {
        let wanted = query.with(Thresholds::from_query);
        CURRENT.with(|t| {
            if t.get_untracked() != wanted {
                t.set(wanted);
            }
        });
    });
}

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
    /// The level of a usage percentage under the thresholds in use.
    pub fn of_percent(percent: Option<f64>) -> Level {
        current().level(percent)
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
        let t = Thresholds::default();
        assert_eq!(t.level(None), Level::Normal);
        assert_eq!(t.level(Some(69.9)), Level::Normal);
        assert_eq!(t.level(Some(70.0)), Level::Warning);
        assert_eq!(t.level(Some(89.99)), Level::Warning);
        assert_eq!(t.level(Some(90.0)), Level::Critical);
        assert_eq!(t.level(Some(250.0)), Level::Critical);
    }

    #[test]
    fn read_from_the_query() {
        let t = |q: &str| Thresholds::from_query(&Query::parse(q));
        let pair = |warning, critical| Thresholds { warning, critical };
        assert_eq!(t(""), Thresholds::default());
        assert_eq!(t("?warn=50&crit=80"), pair(50, 80));
        assert_eq!(t("?crit=200"), pair(70, 200));
        assert_eq!(t("?warn=85"), pair(85, 90));
        assert_eq!(t("?warn=60&crit=60"), pair(60, 60));
        assert_eq!(
            t("?warn=95"),
            Thresholds::default(),
            "warning above critical"
        );
        for bad in [
            "?warn=0",
            "?warn=1001",
            "?warn=7.5",
            "?warn=-3",
            "?warn=lots",
        ] {
            assert_eq!(t(bad), Thresholds::default(), "{bad}");
        }
        assert_eq!(pair(50, 120).level(Some(100.0)), Level::Warning);
    }

    #[test]
    fn defaults_stay_out_of_the_url() {
        assert_eq!(
            Thresholds::default().query_values(),
            [("warn", None), ("crit", None)]
        );
        let values = Thresholds {
            warning: 50,
            critical: 90,
        }
        .query_values();
        assert_eq!(values, [("warn", Some("50".into())), ("crit", None)]);
        let round = Query::parse("").with(&values);
        assert_eq!(
            Thresholds::from_query(&round),
            Thresholds {
                warning: 50,
                critical: 90
            }
        );
    }
}

//! Per-second rates from cumulative counters (CPU seconds, bytes received, bytes read)
//! between two scrapes of the same series, as Prometheus' `rate()` does for two points.

use std::collections::HashMap;
use std::hash::Hash;

/// The last value of every counter series, and which scrape saw it.
#[derive(Debug)]
pub struct CounterRates<K> {
    last: HashMap<K, Point>,
    scrape: u64,
}

#[derive(Debug, Clone, Copy)]
struct Point {
    value: f64,
    at_ms: i64,
    scrape: u64,
}

impl<K> Default for CounterRates<K> {
    fn default() -> Self {
        Self {
            last: HashMap::new(),
            scrape: 0,
        }
    }
}

impl<K: Hash + Eq> CounterRates<K> {
    /// Starts a scrape: series not updated until [`CounterRates::end_scrape`] are forgotten.
    pub fn begin_scrape(&mut self) {
        self.scrape += 1;
    }

    /// Records `value` at `at_ms` and returns the rate per second since the series' previous
    /// value. `None` the first time a series is seen, or when time did not advance. A value
    /// below the previous one means the counter restarted (a container restart), so the
    /// increase is the new value itself, counted from zero.
    pub fn update(&mut self, key: K, value: f64, at_ms: i64) -> Option<f64> {
        self.step(key, value, at_ms, true)
    }

    /// Like [`CounterRates::update`] for a sum of counters (interfaces, devices): a drop
    /// means a part went away (a pod's interface on the node), not that all restarted, so it
    /// gives no rate and the series goes on from the new value.
    pub fn update_sum(&mut self, key: K, value: f64, at_ms: i64) -> Option<f64> {
        self.step(key, value, at_ms, false)
    }

    fn step(&mut self, key: K, value: f64, at_ms: i64, drop_is_restart: bool) -> Option<f64> {
        if !value.is_finite() || value < 0.0 {
            return None;
        }
        let now = Point {
            value,
            at_ms,
            scrape: self.scrape,
        };
        let before = self.last.insert(key, now)?;
        // Saturating: a hostile timestamp must not overflow.
        let seconds = at_ms.saturating_sub(before.at_ms) as f64 / 1000.0;
        if seconds <= 0.0 {
            return None;
        }
        let increase = if value >= before.value {
            value - before.value
        } else if drop_is_restart {
            value
        } else {
            return None;
        };
        Some(increase / seconds)
    }

    /// Forgets every series the current scrape did not update: containers and pods that are
    /// gone, so a name reused later starts afresh.
    pub fn end_scrape(&mut self) {
        let scrape = self.scrape;
        self.last.retain(|_, p| p.scrape == scrape);
    }

    /// Series remembered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.last.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_between_scrapes() {
        let mut r = CounterRates::default();
        r.begin_scrape();
        assert_eq!(r.update("a", 10.0, 1_000), None, "first sight");
        r.begin_scrape();
        assert_eq!(r.update("a", 25.0, 6_000), Some(3.0));
        assert_eq!(r.update("a", 25.0, 6_000), None, "same time");
    }

    #[test]
    fn a_reset_counts_from_zero() {
        let mut r = CounterRates::default();
        r.update("a", 100.0, 0);
        assert_eq!(r.update("a", 4.0, 2_000), Some(2.0));
        assert_eq!(r.update("a", 10.0, 4_000), Some(3.0));
    }

    #[test]
    fn a_shrinking_sum_gives_no_rate_then_goes_on() {
        let mut r = CounterRates::default();
        r.update_sum("node rx", 1e12, 0);
        assert_eq!(
            r.update_sum("node rx", 1e12 + 5_000.0, 1_000),
            Some(5_000.0)
        );
        // A pod's interface (and its bytes) left the sum: not a node-wide restart.
        assert_eq!(r.update_sum("node rx", 9e11, 2_000), None);
        assert_eq!(
            r.update_sum("node rx", 9e11 + 3_000.0, 3_000),
            Some(3_000.0)
        );
    }

    #[test]
    fn hostile_timestamps_do_not_overflow() {
        let mut r = CounterRates::default();
        r.update("a", 1.0, i64::MIN);
        assert_eq!(r.update("a", 2.0, i64::MAX).map(f64::is_finite), Some(true));
        assert_eq!(r.update("a", 3.0, i64::MIN), None);
    }

    #[test]
    fn gone_series_are_forgotten() {
        let mut r = CounterRates::default();
        r.begin_scrape();
        r.update("a", 1.0, 0);
        r.update("b", 1.0, 0);
        r.end_scrape();
        assert_eq!(r.len(), 2);
        r.begin_scrape();
        r.update("a", 2.0, 1_000);
        r.end_scrape();
        assert_eq!(r.len(), 1);
        r.begin_scrape();
        assert_eq!(r.update("b", 50.0, 2_000), None, "b starts afresh");
    }

    #[test]
    fn nonsense_values_are_ignored() {
        let mut r = CounterRates::default();
        r.update("a", 1.0, 0);
        assert_eq!(r.update("a", f64::NAN, 1_000), None);
        assert_eq!(r.update("a", -1.0, 1_000), None);
        assert_eq!(
            r.update("a", 3.0, 1_000),
            Some(2.0),
            "the last good point is kept"
        );
    }
}

//! The instants a range is read at, and the source's samples placed on them in the wire's
//! units. Pure: the clock is an argument.

use ktop_web_shared::history::{HistoryMetric, HistoryRange, MAX_POINTS, MIN_POINTS};

/// Shortest window a rate is taken over: four scrapes at the common one-minute interval, so a
/// short step still finds two samples of each counter.
pub const MIN_RATE_WINDOW_S: i64 = 240;

/// Most points of a per-pod series: they feed table trend lines a few dozen pixels wide, and
/// 200 pods × 2 metrics × this stays a few megabytes.
pub const MAX_PER_POD_POINTS: u32 = 500;

/// A range read at `points` instants, `step_s` apart, the last at `end_s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// The first instant, Unix seconds.
    pub start_s: i64,
    /// The last instant, Unix seconds: a multiple of `step_s`, so a reload within one step
    /// asks the same instants.
    pub end_s: i64,
    /// Seconds between instants.
    pub step_s: i64,
    /// Instants from `start_s` to `end_s`.
    pub points: u32,
}

impl Grid {
    /// The grid of `range` ending at or before `now_s`, with at most `wanted` points (clamped
    /// to [`MIN_POINTS`]..=[`MAX_POINTS`]); `None` for the live range.
    pub fn new(range: HistoryRange, wanted: u32, now_s: i64) -> Option<Grid> {
        let span = range.seconds()?;
        let wanted = i64::from(wanted.clamp(MIN_POINTS, MAX_POINTS));
        let step_s = (span + wanted - 2) / (wanted - 1);
        let step_s = step_s.max(1);
        let intervals = span / step_s;
        let end_s = now_s - now_s.rem_euclid(step_s);
        Some(Grid {
            start_s: end_s - intervals * step_s,
            end_s,
            step_s,
            points: u32::try_from(intervals + 1).unwrap_or(MAX_POINTS),
        })
    }

    /// The window rates are taken over: a step, so consecutive points cover the range without
    /// gaps, and never under [`MIN_RATE_WINDOW_S`].
    pub fn rate_window_s(&self) -> i64 {
        self.step_s.max(MIN_RATE_WINDOW_S)
    }

    /// `samples` (Unix seconds, value in the source's unit) on this grid, in the wire's unit;
    /// `None` at instants without a sample, and for values that are not finite or negative.
    /// Samples between instants (a source answering another step) are dropped.
    pub fn place(&self, metric: HistoryMetric, samples: &[(f64, f64)]) -> Vec<Option<u64>> {
        let mut values = vec![None; self.points as usize];
        for &(t, v) in samples {
            let offset = t - self.start_s as f64;
            let index = offset / self.step_s as f64;
            if index < 0.0 || index.fract() != 0.0 {
                continue;
            }
            let Some(slot) = values.get_mut(index as usize) else {
                continue;
            };
            *slot = wire_value(metric, v);
        }
        values
    }
}

/// A source value in the wire's unit: cores to nanocores; bytes and bytes per second as they
/// are; rounded to the nearest integer.
fn wire_value(metric: HistoryMetric, v: f64) -> Option<u64> {
    let scaled = match metric {
        HistoryMetric::Cpu => v * 1e9,
        _ => v,
    };
    // `as` saturates at u64::MAX, which no real value reaches.
    (scaled.is_finite() && scaled >= 0.0).then(|| scaled.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_at_600_points_is_a_144_second_step_aligned_to_it() {
        let now = 1_700_000_123;
        let grid = Grid::new(HistoryRange::Day, 601, now).expect("not live");
        assert_eq!(grid.step_s, 144);
        assert_eq!(grid.end_s % 144, 0);
        assert!(grid.end_s <= now && now - grid.end_s < 144);
        assert_eq!(grid.points, 601);
        assert_eq!(grid.end_s - grid.start_s, 86_400);
        assert_eq!(grid.rate_window_s(), 240);
    }

    #[test]
    fn points_stay_within_bounds() {
        for wanted in [0, 1, 2, 3, 599, 11_000, 11_001, u32::MAX] {
            for range in [HistoryRange::Hour, HistoryRange::Week] {
                let grid = Grid::new(range, wanted, 1_700_000_000).expect("not live");
                assert!(
                    (MIN_POINTS..=MAX_POINTS).contains(&grid.points),
                    "{range:?} {wanted}: {grid:?}"
                );
                assert!(grid.step_s >= 1);
                assert!(grid.end_s - grid.start_s <= range.seconds().expect("a span"));
            }
        }
        assert_eq!(Grid::new(HistoryRange::Live, 600, 0), None);
        let week = Grid::new(HistoryRange::Week, 11_000, 1_700_000_000).expect("not live");
        assert_eq!(week.rate_window_s(), week.step_s.max(MIN_RATE_WINDOW_S));
    }

    #[test]
    fn samples_land_on_their_instants_in_wire_units() {
        let grid = Grid {
            start_s: 1_000,
            end_s: 1_300,
            step_s: 100,
            points: 4,
        };
        let cpu = grid.place(
            HistoryMetric::Cpu,
            &[
                (1_000.0, 0.25),
                (1_150.0, 9.0),
                (1_300.0, 1.5),
                (2_000.0, 1.0),
            ],
        );
        assert_eq!(
            cpu,
            vec![Some(250_000_000), None, None, Some(1_500_000_000)]
        );
        let memory = grid.place(
            HistoryMetric::Memory,
            &[
                (1_100.0, 1_048_576.4),
                (1_200.0, f64::NAN),
                (900.0, 1.0),
                (1_000.0, -1.0),
            ],
        );
        assert_eq!(memory, vec![None, Some(1_048_576), None, None]);
    }
}

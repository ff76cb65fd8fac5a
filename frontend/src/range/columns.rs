//! A chart's lines over a range, from the history source's answer: the measured series,
//! then flat lines for the references, exact integers as the wire has them.

use ktop_web_shared::history::{History, HistoryMetric};

/// What a chart shows of a range: the grid of instants and one column per line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RangeColumns {
    /// The first instant, Unix milliseconds.
    pub start_ms: i64,
    /// Between instants, milliseconds.
    pub step_ms: i64,
    /// Instants on the grid; 0 while nothing has arrived.
    pub points: u32,
    /// One value per instant per line; `None` is a gap.
    pub columns: Vec<Vec<Option<u64>>>,
}

impl RangeColumns {
    /// The lines of `metrics` from `history` (gaps where the source had none), then one flat
    /// line per reference. Empty while `history` is `None` (loading or failed).
    pub fn of(
        history: Option<&History>,
        metrics: &[HistoryMetric],
        references: &[Option<u64>],
    ) -> RangeColumns {
        let Some(h) = history else {
            return RangeColumns::default();
        };
        let n = h.points as usize;
        let mut columns: Vec<Vec<Option<u64>>> = metrics
            .iter()
            .map(|&m| {
                let mut values = h.series(m).map(|s| s.values.clone()).unwrap_or_default();
                values.resize(n, None);
                values
            })
            .collect();
        columns.extend(references.iter().map(|&r| vec![r; n]));
        RangeColumns {
            start_ms: h.start_ms,
            step_ms: h.step_ms,
            points: h.points,
            columns,
        }
    }

    /// The instants, oldest first.
    pub fn times(&self) -> Vec<i64> {
        (0..i64::from(self.points))
            .map(|i| self.start_ms + self.step_ms * i)
            .collect()
    }

    /// The columns as a chart draws them: `NaN` for gaps.
    pub fn values(&self) -> Vec<Vec<f32>> {
        self.columns
            .iter()
            .map(|c| c.iter().map(|v| v.map_or(f32::NAN, |v| v as f32)).collect())
            .collect()
    }

    /// A grid attribute's value, absent until an answer arrives.
    pub fn grid(&self, value: i64) -> Option<i64> {
        (self.points > 0).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::history::HistorySeries;

    fn answer() -> History {
        History {
            source: "Prometheus".into(),
            start_ms: 60_000,
            step_ms: 30_000,
            points: 3,
            series: vec![
                HistorySeries {
                    metric: HistoryMetric::Cpu,
                    pod: None,
                    values: vec![Some(1_234_567_891), None, Some(7)],
                },
                HistorySeries {
                    metric: HistoryMetric::Memory,
                    pod: Some("a/b".into()),
                    values: vec![Some(1); 3],
                },
            ],
            ..History::default()
        }
    }

    #[test]
    fn series_then_flat_references() {
        let c = RangeColumns::of(
            Some(&answer()),
            &[HistoryMetric::Cpu, HistoryMetric::Memory],
            &[Some(5), None],
        );
        assert_eq!(c.columns[0], [Some(1_234_567_891), None, Some(7)]);
        assert_eq!(
            c.columns[1], [None; 3],
            "a per-pod series is not the subject's"
        );
        assert_eq!(c.columns[2], [Some(5); 3]);
        assert_eq!(c.columns[3], [None; 3]);
        assert_eq!(c.times(), [60_000, 90_000, 120_000]);
        assert_eq!(c.grid(c.step_ms), Some(30_000));
        let drawn = c.values();
        assert_eq!(drawn[0][2], 7.0);
        assert!(drawn[0][1].is_nan());
    }

    #[test]
    fn short_series_are_padded_with_gaps() {
        let mut h = answer();
        h.series[0].values.truncate(1);
        let c = RangeColumns::of(Some(&h), &[HistoryMetric::Cpu], &[]);
        assert_eq!(c.columns, [vec![Some(1_234_567_891), None, None]]);
    }

    #[test]
    fn nothing_before_an_answer() {
        let c = RangeColumns::of(None, &[HistoryMetric::Cpu], &[Some(1)]);
        assert_eq!(c, RangeColumns::default());
        assert!(c.times().is_empty());
        assert_eq!(c.grid(5), None);
    }
}

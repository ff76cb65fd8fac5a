//! A table's trend lines over the page's range: one request for the pods of the page's
//! subject, shared by every row, instead of the ring buffers.

use ktop_web_shared::history::{HistoryMetric, HistoryRange};
use leptos::prelude::*;

use super::fetch::{RangeHistory, Subject};

/// The per-pod history rows draw their trend lines from while a range is shown.
#[derive(Clone, Copy)]
pub struct RangeTrends(RangeHistory);

impl RangeTrends {
    /// Reads the pods of `subject` (one series each) while a range is shown, for the tables
    /// below.
    pub fn provide(subject: Subject) {
        provide_context(RangeTrends(RangeHistory::new(Subject {
            per_pod: true,
            ..subject
        })));
    }

    /// True while a range is shown (tracked).
    pub fn shown(self) -> bool {
        self.0.range() != HistoryRange::Live
    }

    /// `metric` of `pod` (`namespace/name`) over the range, `NaN` for gaps (tracked);
    /// `None` while live.
    pub fn values(self, pod: &str, metric: HistoryMetric) -> Option<Vec<f32>> {
        self.shown().then(|| {
            self.0
                .answer()
                .and_then(Result::ok)
                .and_then(|h| {
                    h.series
                        .into_iter()
                        .find(|s| s.metric == metric && s.pod.as_deref() == Some(pod))
                })
                .map(|s| {
                    s.values
                        .iter()
                        .map(|v| v.map_or(f32::NAN, |v| v as f32))
                        .collect()
                })
                .unwrap_or_default()
        })
    }
}

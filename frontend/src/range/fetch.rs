//! Reads a page's range from the server while it is shown, again every minute.

use std::time::Duration;

use ktop_web_shared::history::{History, HistoryMetric, HistoryQuery, HistoryRange};
use leptos::prelude::*;

use super::columns::RangeColumns;
use super::param::{TREND_POINTS, points_for, range_param};
use crate::api_client::{FetchError, history_path};
use crate::detail::fetched::{Fetched, use_fetched};
use crate::route::location::use_location;
use crate::state::use_app_state;

/// How often a shown range is read again: its newest minute moves on.
const RANGE_REFRESH: Duration = Duration::from_secs(60);

/// What a range's history is about; unset names are not part of the subject (none at all:
/// the cluster).
#[derive(Clone, Copy, Default)]
pub struct Subject {
    /// A node's name.
    pub node: Option<Signal<String>>,
    /// A pod's namespace.
    pub namespace: Option<Signal<String>>,
    /// A pod's name.
    pub pod: Option<Signal<String>>,
    /// A container's name.
    pub container: Option<Signal<String>>,
    /// One series per pod (table trend lines) instead of the subject's totals.
    pub per_pod: bool,
}

/// The page's range and the history source's answer for it; cheap to copy.
#[derive(Clone, Copy)]
pub struct RangeHistory {
    /// The answer, decoded where it is shown.
    answer: Fetched<History>,
}

impl RangeHistory {
    /// None: a page whose charts are live only, whatever the URL says.
    pub fn live_only() -> RangeHistory {
        RangeHistory {
            answer: use_fetched(Memo::new(|_| None), Signal::stored(None)),
        }
    }

    /// Starts reading `subject`'s history whenever `?range=` names a range.
    pub fn new(subject: Subject) -> RangeHistory {
        let state = use_app_state();
        let location = use_location();
        // Read once: a wider window later should not drop the lines shown and read again.
        let points = if subject.per_pod {
            TREND_POINTS
        } else {
            points_for(
                window()
                    .inner_width()
                    .ok()
                    .and_then(|w| w.as_f64())
                    .unwrap_or_default(),
            )
        };
        let path = Memo::new(move |_| {
            let range = location.query.with(range_param);
            range.seconds()?;
            let name = |s: Option<Signal<String>>| s.map(|s| s.get());
            let query = HistoryQuery {
                range,
                points,
                node: name(subject.node),
                namespace: name(subject.namespace),
                pod: name(subject.pod),
                container: name(subject.container),
                per_pod: subject.per_pod,
                ..HistoryQuery::default()
            };
            Some(history_path(&state.context.get()?, &query))
        });
        let every = Signal::stored(Some(RANGE_REFRESH));
        RangeHistory {
            answer: use_fetched(path, every),
        }
    }

    /// The range shown (tracked).
    pub fn range(self) -> HistoryRange {
        use_location().query.with(range_param)
    }

    /// The answer (tracked): `None` while live or while the first request runs.
    pub fn answer(self) -> Option<Result<History, FetchError>> {
        self.answer.get()
    }

    /// A chart's columns (tracked): `metrics` from the answer, then flat `references`;
    /// `None` while live, empty while nothing has arrived.
    pub fn columns(
        self,
        metrics: &[HistoryMetric],
        references: &[Option<u64>],
    ) -> Option<RangeColumns> {
        (self.range() != HistoryRange::Live).then(|| {
            let answer = self.answer().and_then(Result::ok);
            RangeColumns::of(answer.as_ref(), metrics, references)
        })
    }
}

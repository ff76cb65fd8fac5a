//! A node's or pod's network and disk charts, shown while the live source measures them.

use leptos::prelude::*;

use crate::charts::chart_panel::ChartPanel;
use crate::charts::geometry::binary_ceiling;
use crate::charts::line_chart::LineChart;
use crate::range::fetch::RangeHistory;
use crate::state::use_app_state;
use crate::store::{History, IoSeries};
use crate::throughput::{Throughput, format_rate};

/// The network chart (rx, tx) and the disk chart (read, write) of the object `key` names.
#[component]
pub fn ThroughputCharts(
    /// History key: node name or `namespace/name`.
    #[prop(into)]
    key: Signal<String>,
    /// Finds the object's throughput in the history.
    find: for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h IoSeries>,
    /// Shown instead of the ring buffers while a range is chosen.
    range: RangeHistory,
) -> impl IntoView {
    let state = use_app_state();
    let times = Signal::derive(move || state.history.with(|h| h.times().to_vec()));
    let slots = Signal::derive(move || state.history.with(History::samples));
    let chart = move |kind: Throughput| {
        let values = Signal::derive(move || {
            key.with(|k| {
                state
                    .history
                    .with(|h| find(h, k).map(|s| kind.series(s)).unwrap_or_default())
            })
        });
        view! {
            <ChartPanel metric=kind.id() title=kind.title()>
                <LineChart
                    label=kind.title()
                    styles=kind.styles()
                    values=values
                    times=times
                    slots=slots
                    format=|v| format_rate(v.max(0.0) as u64)
                    ceiling=binary_ceiling
                    range=range
                    metrics=kind.metrics()
                    references=Signal::derive(Vec::new)
                />
            </ChartPanel>
        }
    };
    move || {
        state
            .caps()
            .io
            .then(|| view! { {chart(Throughput::Network)} {chart(Throughput::Disk)} })
    }
}

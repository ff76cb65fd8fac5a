//! The trend cells that end every table's row: CPU, memory, network and disk history.

use std::sync::Arc;

use ktop_web_shared::history::HistoryMetric;
use leptos::prelude::*;

use crate::charts::sparkline::sparkline_html;
use crate::range::param::TREND_POINTS;
use crate::range::trends::RangeTrends;
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History, IoSeries};
use crate::threshold::Level;
use crate::throughput::Throughput;

/// The sparkline cells of a row whose history `find` and `find_io` look up: CPU, memory,
/// then network and disk (each direction summed) where the table has them.
#[component]
pub fn SparkCells(
    /// History key: node name or `namespace/name`.
    key: Arc<str>,
    /// Finds the row's usage series in the history.
    find: for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h CpuMemSeries>,
    /// Finds the row's throughput series in the history; without, no network and disk
    /// cells.
    find_io: Option<for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h IoSeries>>,
    /// Threshold colouring of the CPU line.
    cpu_level: Signal<Level>,
    /// Threshold colouring of the memory line.
    mem_level: Signal<Level>,
) -> impl IntoView {
    let state = use_app_state();
    // Over a range, the page's per-pod history replaces the ring buffers (CPU and memory;
    // network and disk have no range trend and stay empty rather than mix in live data).
    let trends = use_context::<RangeTrends>();
    let in_range = move || trends.is_some_and(RangeTrends::shown);
    let usage = {
        let key = key.clone();
        move |pick: fn(&CpuMemSeries) -> Vec<f32>, metric: HistoryMetric| {
            let key = key.clone();
            Signal::derive(move || {
                if let Some(values) = trends.and_then(|t| t.values(&key, metric)) {
                    return values;
                }
                state
                    .history
                    .with(|h| find(h, &key).map(pick).unwrap_or_default())
            })
        }
    };
    let io = move |kind: Throughput| {
        let key = key.clone();
        Signal::derive(move || {
            if in_range() {
                return Vec::new();
            }
            state.history.with(|h| {
                find_io
                    .and_then(|find| find(h, &key))
                    .map(|s| kind.total_series(s))
                    .unwrap_or_default()
            })
        })
    };
    let slots = Signal::derive(move || {
        if in_range() {
            TREND_POINTS as usize
        } else {
            state.history.with(History::samples)
        }
    });
    let cell = move |col: &'static str, values: Signal<Vec<f32>>, level: Signal<Level>, label| {
        let html = move || values.with(|v| sparkline_html(v, slots.get(), level.get(), label));
        view! {
            <td
                data-col=col
                class="spark"
                data-range-spark=move || in_range().then_some("")
                inner_html=html
            ></td>
        }
    };
    // Throughput has no capacity to be a share of, so no threshold colouring.
    let normal = Signal::default();
    view! {
        {cell("cpu-spark", usage(|s| s.cpu().to_vec(), HistoryMetric::Cpu), cpu_level, "CPU history")}
        {cell("mem-spark", usage(|s| s.mem().to_vec(), HistoryMetric::Memory), mem_level, "Memory history")}
        {find_io.map(|_| {
            (
                cell("net-spark", io(Throughput::Network), normal, "Network history"),
                cell("disk-spark", io(Throughput::Disk), normal, "Disk history"),
            )
        })}
    }
}

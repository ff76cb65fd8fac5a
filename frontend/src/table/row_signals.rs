//! Per-cell signals of one table row, shared by the nodes and pods tables: the row looks its
//! view model up once per refresh and every cell follows only the part it shows.

use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;

use ktop_web_shared::history::HistoryMetric;
use leptos::prelude::*;

use crate::charts::sparkline::Sparkline;
use crate::range::param::TREND_POINTS;
use crate::range::trends::RangeTrends;
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History, IoSeries};
use crate::table::cell::CellValue;
use crate::table::column::Column;
use crate::threshold::Level;
use crate::throughput::Throughput;

/// A row's view model of any table, compared by value. Boxed behind a trait object so that
/// every table's rows share one memo type in the wasm.
struct AnyRow(Box<dyn RowModel>);

/// What a view model must do to be held in an [`AnyRow`].
trait RowModel: Any + Send + Sync {
    /// True when `other` is a view model of the same type and equal to this one.
    fn same_as(&self, other: &dyn Any) -> bool;

    /// The view model, to be read back as its type.
    fn as_any(&self) -> &dyn Any;
}

impl<V: PartialEq + Send + Sync + 'static> RowModel for V {
    fn same_as(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<V>() == Some(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl PartialEq for AnyRow {
    fn eq(&self, other: &AnyRow) -> bool {
        self.0.same_as(other.0.as_any())
    }
}

/// The row's current view model (`None` once it left the data) and its cell accessors.
pub struct RowSignals<V> {
    row: Memo<Option<AnyRow>>,
    model: PhantomData<fn() -> V>,
}

impl<V> Clone for RowSignals<V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for RowSignals<V> {}

impl<V: PartialEq + Send + Sync + 'static> RowSignals<V> {
    /// Follows the view model that `lookup` finds in the current data (a cheap copy: the
    /// parts of a row that change only with its object are shared).
    pub fn new(lookup: impl Fn() -> Option<V> + Send + Sync + 'static) -> Self {
        Self {
            row: Memo::new(move |_| lookup().map(|v| AnyRow(Box::new(v)))),
            model: PhantomData,
        }
    }

    /// What the row shows in `column` (see [`Column::cell`]).
    pub fn cell<C: Column<Row = V>>(self, column: C) -> Signal<CellValue> {
        Signal::derive(move || self.with(|r| r.and_then(|r| column.cell(r)).unwrap_or_default()))
    }

    /// The text the row shows in `column`.
    pub fn cell_text<C: Column<Row = V>>(self, column: C) -> Signal<String> {
        Signal::derive(move || {
            self.with(|r| {
                r.and_then(|r| column.cell(r))
                    .map(|c| c.text)
                    .unwrap_or_default()
            })
        })
    }

    /// A link built from the row and the context being shown.
    pub fn link(
        self,
        context: RwSignal<Option<String>>,
        f: fn(Option<&str>, &V) -> String,
    ) -> Signal<String> {
        Signal::derive(move || {
            context.with(|c| self.with(|r| r.map(|r| f(c.as_deref(), r)).unwrap_or_default()))
        })
    }

    /// Threshold level of a percentage.
    pub fn level(self, f: fn(&V) -> Option<f64>) -> Signal<Level> {
        Signal::derive(move || Level::of_percent(self.with(|r| r.and_then(f))))
    }

    /// A CSS class picked from the row.
    pub fn class(self, f: fn(&V) -> &'static str) -> Signal<&'static str> {
        Signal::derive(move || self.with(|r| r.map_or("", f)))
    }

    /// Any other read of the row.
    pub fn with<T>(self, f: impl FnOnce(Option<&V>) -> T) -> T {
        self.row
            .with(|r| f(r.as_ref().and_then(|r| r.0.as_any().downcast_ref::<V>())))
    }
}

/// The sparkline cells of a row whose history `find` and `find_io` look up: CPU, memory,
/// then network and disk (each direction summed).
#[component]
pub fn SparkCells(
    /// History key: node name or `namespace/name`.
    key: Arc<str>,
    /// Finds the row's usage series in the history.
    find: for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h CpuMemSeries>,
    /// Finds the row's throughput series in the history.
    find_io: for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h IoSeries>,
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
                find_io(h, &key)
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
    let cell = move |col: &'static str, values, level: Signal<Level>, label| {
        view! {
            <td data-col=col class="spark" data-range-spark=move || in_range().then_some("")>
                <Sparkline values=values slots=slots level=level label=label />
            </td>
        }
    };
    // Throughput has no capacity to be a share of, so no threshold colouring.
    let normal = Signal::default();
    view! {
        {cell("cpu-spark", usage(|s| s.cpu().to_vec(), HistoryMetric::Cpu), cpu_level, "CPU history")}
        {cell("mem-spark", usage(|s| s.mem().to_vec(), HistoryMetric::Memory), mem_level, "Memory history")}
        {cell("net-spark", io(Throughput::Network), normal, "Network history")}
        {cell("disk-spark", io(Throughput::Disk), normal, "Disk history")}
    }
}

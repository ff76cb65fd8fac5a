//! A time-series chart with value-axis labels, several series and a hover readout.

use ktop_web_shared::format::fixed;
use ktop_web_shared::history::HistoryMetric;
use leptos::ev::PointerEvent;
use leptos::html::Div;
use leptos::prelude::*;

use super::geometry::{Plot, y_max};
use super::history_csv::{history_csv, whole_units};
use crate::clock::{iso, time_of_day};
use crate::download::download;
use crate::range::columns::RangeColumns;
use crate::range::fetch::RangeHistory;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
// The same numbers as attribute text; attributes stay strings so the chart adds no float
// formatting of its own.
const SVG_WIDTH: &str = "600";
const SVG_HEIGHT: &str = "160";
const SVG_MID: &str = "80";
const VIEW_BOX: &str = "0 0 600 160";

/// How one line of a chart is named and drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesStyle {
    /// Legend and readout name.
    pub name: &'static str,
    /// CSS class giving the line its colour and dash.
    pub class: &'static str,
}

/// Lines over the history window, zero at the bottom, a round value above the largest point
/// at the top. Hovering shows `.chart-hover` with the time and each series' value there.
#[component]
pub fn LineChart(
    /// Accessible name.
    label: &'static str,
    /// One style per line.
    styles: &'static [SeriesStyle],
    /// One series per style, oldest point first, aligned with `times`; `NaN` are gaps.
    #[prop(into)]
    values: Signal<Vec<Vec<f32>>>,
    /// Sample times (Unix milliseconds), oldest first.
    #[prop(into)]
    times: Signal<Vec<i64>>,
    /// Positions across the width: the samples so far, up to the history capacity.
    #[prop(into)]
    slots: Signal<usize>,
    /// Formats an axis or readout value given in base units.
    format: fn(f64) -> String,
    /// Rounds the axis top up to a value that reads well.
    ceiling: fn(f64) -> f64,
    /// The page's range: while one is chosen, its lines replace `values` and `times`.
    range: RangeHistory,
    /// The range's series of the first lines, in `styles` order.
    metrics: &'static [HistoryMetric],
    /// Flat lines after `metrics` in a range, in `styles` order.
    references: Signal<Vec<Option<u64>>>,
) -> impl IntoView {
    // Not a memo: a signal of a new type would cost the wasm more than recomputing.
    let range = move || range.columns(metrics, &references.get());
    let values =
        Signal::derive(move || range().map(|c| c.values()).unwrap_or_else(|| values.get()));
    let times = Signal::derive(move || range().map(|c| c.times()).unwrap_or_else(|| times.get()));
    let slots = Signal::derive(move || {
        range()
            .map(|c| c.points as usize)
            .unwrap_or_else(|| slots.get())
    });
    let grid = move |field: fn(&RangeColumns) -> i64| range().and_then(|c| c.grid(field(&c)));
    let plot = Memo::new(move |_| Plot {
        width: WIDTH,
        height: HEIGHT,
        slots: slots.get(),
        y_max: ceiling(values.with(|v| y_max(v.iter().map(Vec::as_slice)))),
    });
    let hover = RwSignal::new(None::<f64>);
    let plot_area = NodeRef::<Div>::new();
    let on_move = move |ev: PointerEvent| {
        if let Some(el) = plot_area.get_untracked() {
            let rect = el.get_bounding_client_rect();
            if rect.width() > 0.0 {
                hover.set(Some(
                    (f64::from(ev.client_x()) - rect.left()) / rect.width(),
                ));
            }
        }
    };
    // The hovered sample: its index and horizontal position in percent. Not a memo: a memo
    // of its own type costs the wasm more than the three readers recomputing it.
    let hovered = move || {
        let fraction = hover.get()?;
        let len = times.with(Vec::len);
        let p = plot.get();
        let index = p.index_at(fraction, len)?;
        Some((index, p.x(p.slots.max(len) - len + index) / WIDTH * 100.0))
    };

    let lines = styles
        .iter()
        .enumerate()
        .map(|(i, style)| {
            let d = move || {
                let p = plot.get();
                values.with(|v| v.get(i).map(|v| p.trace(v).path_data()))
            };
            view! { <path class=format!("chart-line {}", style.class) d=d /> }
        })
        .collect_view();
    let guide_x = move || hovered().map(|(_, x)| fixed(x / 100.0 * WIDTH, 1));
    let readout = move || {
        let (index, x) = hovered()?;
        let time = times.with(|t| t.get(index).copied()).map(time_of_day)?;
        let rows = values.with(|all| {
            styles
                .iter()
                .zip(all)
                .map(|(style, series)| {
                    let value = series
                        .get(index)
                        .filter(|v| v.is_finite())
                        .map_or_else(|| "—".to_owned(), |&v| format(f64::from(v)));
                    view! {
                        <span class=style.class>
                            <i class="swatch"></i>
                            {format!("{} {value}", style.name)}
                        </span>
                    }
                })
                .collect_view()
        });
        let right = x > 50.0;
        Some(view! {
            <div
                class="chart-hover"
                style:left=(!right).then(|| format!("{}%", fixed(x, 1)))
                style:right=right.then(|| format!("{}%", fixed(100.0 - x, 1)))
            >
                <time>{time}</time>
                {rows}
            </div>
        })
    };
    let time_label = move |newest: bool| {
        times.with(|t| {
            let ms = if newest { t.last() } else { t.first() };
            ms.copied().map(time_of_day).unwrap_or_default()
        })
    };
    let legend = styles
        .iter()
        .map(|style| {
            view! {
                <span class=style.class>
                    <i class="swatch"></i>
                    {style.name}
                </span>
            }
        })
        .collect_view();
    let export = move |_| {
        // A range's columns are the wire's integers, exact; live lines are rounded floats.
        let csv = match untrack(range) {
            Some(c) => history_csv(styles, &c.times(), &c.columns, iso),
            None => times.with_untracked(|t| {
                values.with_untracked(|v| history_csv(styles, t, &whole_units(v), iso))
            }),
        };
        let file = format!("{}-history.csv", label.to_ascii_lowercase());
        download(&file, "text/csv;charset=utf-8", &csv);
    };

    view! {
        <figure
            class="line-chart"
            aria-label=label
            data-range-start-ms=move || grid(|c| c.start_ms)
            data-range-step-ms=move || grid(|c| c.step_ms)
            data-range-points=move || grid(|c| i64::from(c.points))
        >
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">
                    <span class="chart-y-max">{move || format(plot.get().y_max)}</span>
                    <span class="chart-y-min">"0"</span>
                </div>
                <div
                    class="chart-plot"
                    node_ref=plot_area
                    on:pointermove=on_move
                    on:pointerleave=move |_| hover.set(None)
                >
                    <svg viewBox=VIEW_BOX preserveAspectRatio="none">
                        <line class="chart-grid" x1="0" x2=SVG_WIDTH y1="0" y2="0" />
                        <line class="chart-grid" x1="0" x2=SVG_WIDTH y1=SVG_MID y2=SVG_MID />
                        <line class="chart-grid" x1="0" x2=SVG_WIDTH y1=SVG_HEIGHT y2=SVG_HEIGHT />
                        {lines}
                        <line
                            class="chart-guide"
                            x1=guide_x
                            x2=guide_x
                            y1="0"
                            y2=SVG_HEIGHT
                            visibility=move || if hovered().is_some() { "visible" } else { "hidden" }
                        />
                    </svg>
                    {readout}
                </div>
            </div>
            <div class="chart-x" aria-hidden="true">
                <span>{move || time_label(false)}</span>
                <span>{move || time_label(true)}</span>
            </div>
            <figcaption class="chart-legend">
                {legend}
                <button type="button" class="chart-csv" title="This chart's history as CSV" on:click=export>
                    "CSV"
                </button>
            </figcaption>
        </figure>
    }
}

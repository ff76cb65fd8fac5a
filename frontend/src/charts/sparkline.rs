//! A small inline chart of one series, for table rows.

use leptos::prelude::*;

use super::geometry::{Plot, y_max};
use crate::threshold::Level;

const WIDTH: f64 = 64.0;
const HEIGHT: f64 = 16.0;
/// `WIDTH` and `HEIGHT` as attribute text (see line_chart.rs for why it is not formatted).
const VIEW_BOX: &str = "0 0 64 16";

/// `<svg class="sparkline" data-points="N">`: the series scaled to its own maximum, newest
/// point at the right; `N` is the number of points drawn. One `<path>` whose `d` changes each
/// refresh, not a polyline per run: rows in view then update an attribute instead of
/// replacing elements.
#[component]
pub fn Sparkline(
    /// Points, oldest first; `NaN` are gaps.
    #[prop(into)]
    values: Signal<Vec<f32>>,
    /// Positions across the width: the samples so far, up to the history capacity.
    #[prop(into)]
    slots: Signal<usize>,
    /// Threshold colouring.
    #[prop(into, optional)]
    level: Signal<Level>,
    /// Accessible name, such as "CPU history".
    label: &'static str,
) -> impl IntoView {
    // Not a memo: tracing a row's few points twice costs less than a memo type in the wasm.
    let trace = move || {
        values.with(|v| {
            Plot {
                width: WIDTH,
                height: HEIGHT,
                slots: slots.get(),
                y_max: y_max([v.as_slice()]),
            }
            .trace(v)
        })
    };
    view! {
        <svg
            class=move || format!("sparkline {}", level.get().class())
            viewBox=VIEW_BOX
            preserveAspectRatio="none"
            role="img"
            aria-label=label
            data-points=move || trace().points
        >
            <path d=move || trace().path_data() />
        </svg>
    }
}

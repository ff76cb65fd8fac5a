//! A chart under the heading that selects its metric, as the detail pages show each one.

use leptos::prelude::*;

use super::chart_heading::ChartHeading;
use super::line_chart::{LineChart, SeriesStyle};

/// `<section data-chart=metric>`: heading and chart.
#[component]
pub fn ChartPanel(
    /// The metric's name (`cpu`, `mem`, `net`, `disk`).
    metric: &'static str,
    /// Heading and accessible name.
    title: &'static str,
    /// One style per line.
    styles: &'static [SeriesStyle],
    /// One series per style, oldest first, aligned with `times`.
    #[prop(into)]
    values: Signal<Vec<Vec<f32>>>,
    /// Sample times.
    #[prop(into)]
    times: Signal<Vec<i64>>,
    /// Positions across the width.
    #[prop(into)]
    slots: Signal<usize>,
    /// Formats an axis or readout value given in base units.
    format: fn(f64) -> String,
    /// Rounds the axis top up to a value that reads well.
    ceiling: fn(f64) -> f64,
) -> impl IntoView {
    view! {
        <section class="panel chart-panel" data-chart=metric>
            <ChartHeading metric=metric title=title />
            <LineChart label=title styles=styles values=values times=times slots=slots format=format ceiling=ceiling />
        </section>
    }
}

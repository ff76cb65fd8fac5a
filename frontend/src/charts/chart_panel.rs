//! A chart under the heading that selects its metric, as the detail pages show each one.

use leptos::prelude::*;

use super::chart_heading::ChartHeading;

/// `<section data-chart=metric>`: the heading, then the chart given as children.
#[component]
pub fn ChartPanel(
    /// The metric's name (`cpu`, `mem`, `net`, `disk`).
    metric: &'static str,
    /// Heading.
    title: &'static str,
    /// The chart.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="panel chart-panel" data-chart=metric>
            <ChartHeading metric=metric title=title />
            {children()}
        </section>
    }
}

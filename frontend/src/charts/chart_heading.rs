//! A chart's heading, which also selects the metric: clicking it shows only this metric's
//! charts (`?metric=cpu`), clicking again shows all. The page's `data-metric` attribute and
//! the stylesheet do the hiding, so no chart is rebuilt.

use leptos::prelude::*;

use crate::route::location::use_location;

/// Every metric a chart shows: CPU, memory, network and disk.
const METRICS: [&str; 4] = ["cpu", "mem", "net", "disk"];

/// `?metric=`, when it names a metric.
pub fn selected_metric(metric: Option<&str>) -> Option<&'static str> {
    METRICS.into_iter().find(|m| Some(*m) == metric)
}

/// `<h2>` with a button that selects or clears `metric` as the page's metric.
#[component]
pub fn ChartHeading(
    /// The metric's name, one of [`METRICS`].
    metric: &'static str,
    /// Heading text.
    title: &'static str,
) -> impl IntoView {
    let location = use_location();
    let selected =
        move || location.query.with(|q| selected_metric(q.get("metric"))) == Some(metric);
    let toggle = move |_| {
        let next = (!selected()).then(|| metric.to_owned());
        location.push_query(&[("metric", next)]);
    };
    view! {
        <h2>
            <button
                type="button"
                class="chart-focus"
                data-metric=metric
                aria-pressed=move || selected().to_string()
                title=move || if selected() { "Show every chart" } else { "Show only this metric" }
                on:click=toggle
            >
                {title}
            </button>
        </h2>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::resource::Resource;
    use crate::throughput::Throughput;

    #[test]
    fn metric_names_are_the_chart_ids() {
        for id in [
            Resource::Cpu.id(),
            Resource::Memory.id(),
            Throughput::Network.id(),
            Throughput::Disk.id(),
        ] {
            assert_eq!(selected_metric(Some(id)), Some(id));
        }
        assert_eq!(selected_metric(Some("gpu")), None);
        assert_eq!(selected_metric(None), None);
    }
}

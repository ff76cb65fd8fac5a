//! A chart's heading, which also selects the metric: clicking it shows only this metric's
//! charts (`?metric=cpu`), clicking again shows all. The page's `data-metric` attribute and
//! the stylesheet do the hiding, so no chart is rebuilt.

use leptos::prelude::*;

use crate::overview::resource::Resource;
use crate::route::location::use_location;

/// `?metric=` as a resource, when it names one.
pub fn selected_metric(metric: Option<&str>) -> Option<Resource> {
    [Resource::Cpu, Resource::Memory]
        .into_iter()
        .find(|r| Some(r.id()) == metric)
}

/// `<h2>` with a button that selects or clears `resource` as the page's metric.
#[component]
pub fn ChartHeading(
    /// CPU or memory.
    resource: Resource,
) -> impl IntoView {
    let location = use_location();
    let selected =
        move || location.query.with(|q| selected_metric(q.get("metric"))) == Some(resource);
    let toggle = move |_| {
        let next = (!selected()).then(|| resource.id().to_owned());
        location.push_query(&[("metric", next)]);
    };
    view! {
        <h2>
            <button
                type="button"
                class="chart-focus"
                data-metric=resource.id()
                aria-pressed=move || selected().to_string()
                title=move || if selected() { "Show every chart" } else { "Show only this metric" }
                on:click=toggle
            >
                {resource.title()}
            </button>
        </h2>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_are_the_resource_ids() {
        assert_eq!(selected_metric(Some("cpu")), Some(Resource::Cpu));
        assert_eq!(selected_metric(Some("mem")), Some(Resource::Memory));
        assert_eq!(selected_metric(Some("disk")), None);
        assert_eq!(selected_metric(None), None);
    }
}

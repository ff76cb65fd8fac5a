//! The overview's CPU or memory panel: usage against allocatable and requests, as figures,
//! a meter and a chart over the history window.

use ktop_web_shared::format::fixed;
use ktop_web_shared::format::percent;
use leptos::prelude::*;

use crate::charts::chart_heading::ChartHeading;
use crate::charts::line_chart::{LineChart, SeriesStyle};
use crate::range::fetch::RangeHistory;
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::CellValue;

use super::resource::Resource;
use super::stat::Stat;

/// The chart's lines: usage against the two references that give it meaning.
const SERIES: [SeriesStyle; 3] = [
    SeriesStyle {
        name: "usage",
        class: "series-usage",
    },
    SeriesStyle {
        name: "requests",
        class: "series-requests",
    },
    SeriesStyle {
        name: "allocatable",
        class: "series-allocatable",
    },
];

/// Figures and chart for one resource.
#[component]
pub fn ResourcePanel(
    /// CPU or memory.
    resource: Resource,
    /// Shown instead of the ring buffers while a range is chosen.
    range: RangeHistory,
) -> impl IntoView {
    let state = use_app_state();
    let summary = state.summary();
    let usage = move || summary().and_then(|s| s.usage).map(|u| resource.pick(u));
    let requests = move || summary().map(|s| resource.pick(s.requests));
    let limits = move || summary().map(|s| resource.pick(s.limits));
    let allocatable = move || summary().map(|s| resource.pick(s.allocatable));
    let usage_pct = Signal::derive(move || CellValue::usage_percent(usage(), allocatable()));
    let requests_pct = Signal::derive(move || CellValue::percent_of(requests(), allocatable()));
    // A CSS length along the meter: the share of allocatable, kept inside the bar.
    let meter_share = |part: Option<u64>, whole: Option<u64>| {
        let share = part.zip(whole).and_then(|(p, w)| percent(p, w));
        format!("{}%", fixed(share.unwrap_or(0.0).clamp(0.0, 100.0), 1))
    };

    let values = Signal::derive(move || {
        state.history.with(|h| {
            vec![
                resource.series(h.cluster_usage()),
                resource.series(h.cluster_requests()),
                resource.series(h.cluster_allocatable()),
            ]
        })
    });
    let times = Signal::derive(move || state.history.with(|h| h.times().to_vec()));
    let slots = Signal::derive(move || state.history.with(History::samples));
    let id = resource.id();
    let ids = move |suffix: &str| format!("{id}-{suffix}");

    view! {
        <section class="panel resource-panel" id=format!("{id}-panel") data-chart=id>
            <ChartHeading metric=id title=resource.title() />
            <div class="meter" role="presentation">
                <div
                    class=move || format!("meter-usage {}", usage_pct.get().level.class())
                    style:width=move || meter_share(usage(), allocatable())
                ></div>
                <div
                    class="meter-requests"
                    title="requests"
                    style:left=move || meter_share(requests(), allocatable())
                ></div>
            </div>
            <dl class="stats">
                <Stat id=ids("usage") label="Usage" value=Signal::derive(move || resource.cell(usage())) />
                <Stat id=ids("allocatable") label="Allocatable" value=Signal::derive(move || resource.cell(allocatable())) />
                <Stat id=ids("usage-pct") label="Usage / allocatable" value=usage_pct />
                <Stat id=ids("requests") label="Requests" value=Signal::derive(move || resource.cell(requests())) />
                <Stat id=ids("requests-pct") label="Requests / allocatable" value=requests_pct />
                <Stat
                    id=ids("usage-req-pct")
                    label="Usage / requests"
                    value=Signal::derive(move || CellValue::percent_of(usage(), requests()))
                />
                <Stat id=ids("limits") label="Limits" value=Signal::derive(move || resource.cell(limits())) />
            </dl>
            <LineChart
                label=resource.title()
                styles=&SERIES
                values=values
                times=times
                slots=slots
                format=resource.format_axis()
                ceiling=resource.axis_ceiling()
                range=range
                metrics=resource.metric()
                references=Signal::derive(move || vec![requests(), allocatable()])
            />
        </section>
    }
}

//! One object's CPU or memory over the history window, with flat lines for what it is
//! measured against (requests, limits, allocatable).

use leptos::prelude::*;

use crate::charts::chart_panel::ChartPanel;
use crate::charts::line_chart::{LineChart, SeriesStyle};
use crate::overview::resource::Resource;
use crate::range::fetch::RangeHistory;

const USAGE: SeriesStyle = SeriesStyle {
    name: "usage",
    class: "series-usage",
};
const REQUESTS: SeriesStyle = SeriesStyle {
    name: "requests",
    class: "series-requests",
};
const LIMITS: SeriesStyle = SeriesStyle {
    name: "limits",
    class: "series-limits",
};
const ALLOCATABLE: SeriesStyle = SeriesStyle {
    name: "allocatable",
    class: "series-allocatable",
};

/// Lines of a node's chart: usage, then the three references.
pub const NODE_LINES: [SeriesStyle; 4] = [USAGE, REQUESTS, LIMITS, ALLOCATABLE];
/// Lines of a pod's or container's chart: usage, requests, limits.
pub const POD_LINES: [SeriesStyle; 3] = [USAGE, REQUESTS, LIMITS];

/// The values a chart draws: the usage series, then one flat line per reference (a gap
/// where the reference is unset).
pub fn chart_values(usage: Vec<f32>, references: &[Option<u64>]) -> Vec<Vec<f32>> {
    let n = usage.len();
    let mut values = vec![usage];
    values.extend(
        references
            .iter()
            .map(|r| vec![r.map_or(f32::NAN, |v| v as f32); n]),
    );
    values
}

/// A usage chart.
#[component]
pub fn UsageChart(
    /// CPU or memory.
    resource: Resource,
    /// Lines: usage first, then one per reference.
    styles: &'static [SeriesStyle],
    /// Usage, oldest first, aligned with `times`.
    #[prop(into)]
    usage: Signal<Vec<f32>>,
    /// The references, in `styles` order after usage.
    #[prop(into)]
    references: Signal<Vec<Option<u64>>>,
    /// Sample times.
    #[prop(into)]
    times: Signal<Vec<i64>>,
    /// Positions across the width.
    #[prop(into)]
    slots: Signal<usize>,
    /// Shown instead of `usage` and `times` while a range is chosen.
    range: RangeHistory,
) -> impl IntoView {
    let values = Signal::derive(move || chart_values(usage.get(), &references.get()));
    view! {
        <ChartPanel metric=resource.id() title=resource.title()>
            <LineChart
                label=resource.title()
                styles=styles
                values=values
                times=times
                slots=slots
                format=resource.format_axis()
                ceiling=resource.axis_ceiling()
                range=range
                metrics=resource.metric()
                references=references
            />
        </ChartPanel>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_flat_lines_and_gaps() {
        let v = chart_values(vec![1.0, 2.0], &[Some(5), None]);
        assert_eq!(v.len(), 3);
        assert_eq!(v[1], [5.0, 5.0]);
        assert!(v[2].iter().all(|x| x.is_nan()));
    }
}

//! One `<tr data-node="…">` of the nodes table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::charts::sparkline::Sparkline;
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History};
use crate::table::cell::{CellValue, NumCell, TextCell};
use crate::threshold::Level;

use super::row::NodeView;

/// A node's row; it looks its data up by name on every refresh, so it is built once and
/// updated in place for as long as it stays in view.
#[component]
pub fn NodeTableRow(
    /// Node name.
    name: Arc<str>,
) -> impl IntoView {
    let state = use_app_state();
    let attr = name.clone();
    let lookup = name.clone();
    let row = Memo::new(move |_| {
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.node(&lookup).cloned()))
    });
    let num = move |f: fn(&NodeView) -> CellValue| {
        Signal::from(Memo::new(move |_| {
            row.with(|r| r.as_deref().map(f).unwrap_or_default())
        }))
    };
    let text = move |f: fn(&NodeView) -> String| {
        Signal::derive(move || row.with(|r| r.as_deref().map(f).unwrap_or_default()))
    };
    let level = move |f: fn(&NodeView) -> Option<f64>| {
        Signal::derive(move || Level::of_percent(row.with(|r| r.as_deref().and_then(f))))
    };
    let series = move |pick: fn(&CpuMemSeries) -> Vec<f32>| {
        let name = name.clone();
        Signal::derive(move || {
            state
                .history
                .with(|h| h.node(&name).map(pick).unwrap_or_default())
        })
    };
    let slots = Signal::derive(move || state.history.with(History::samples));
    let status_class =
        Signal::derive(move || row.with(|r| r.as_deref().map_or("", NodeView::status_class)));
    let status_title = move || row.with(|r| r.as_ref().map(|r| r.problems.clone()));

    view! {
        <tr class="row" data-node=attr>
            <TextCell col="name" text=text(|n| n.name.clone()) />
            <td data-col="status" class=move || status_class.get() title=status_title>
                {move || row.with(|r| r.as_ref().map(|r| r.status.clone()))}
            </td>
            <TextCell col="roles" text=text(|n| n.roles.clone()) />
            <NumCell col="cpu" value=num(|n| CellValue::cpu(n.cpu())) />
            <NumCell col="cpu-alloc" value=num(|n| CellValue::cpu(Some(n.allocatable.cpu))) />
            <NumCell col="cpu-pct" value=num(|n| CellValue::usage_percent(n.cpu(), Some(n.allocatable.cpu))) />
            <NumCell col="mem" value=num(|n| CellValue::bytes(n.mem())) />
            <NumCell col="mem-alloc" value=num(|n| CellValue::bytes(Some(n.allocatable.mem))) />
            <NumCell col="mem-pct" value=num(|n| CellValue::usage_percent(n.mem(), Some(n.allocatable.mem))) />
            <NumCell col="req-cpu-pct" value=num(|n| CellValue::percent_of(Some(n.requests.cpu), Some(n.allocatable.cpu))) />
            <NumCell col="req-mem-pct" value=num(|n| CellValue::percent_of(Some(n.requests.mem), Some(n.allocatable.mem))) />
            <NumCell col="lim-cpu-pct" value=num(|n| CellValue::percent_of(Some(n.limits.cpu), Some(n.allocatable.cpu))) />
            <NumCell col="lim-mem-pct" value=num(|n| CellValue::percent_of(Some(n.limits.mem), Some(n.allocatable.mem))) />
            <NumCell
                col="pods"
                value=num(|n| CellValue::count(u64::from(n.pods), format!("{}/{}", n.pods, n.pod_capacity)))
            />
            <NumCell col="age" value=num(|n| CellValue::age(n.age_s)) />
            <td data-col="cpu-spark" class="spark">
                <Sparkline
                    values=series(|s| s.cpu.to_vec())
                    slots=slots
                    level=level(NodeView::cpu_pct)
                    label="CPU history"
                />
            </td>
            <td data-col="mem-spark" class="spark">
                <Sparkline
                    values=series(|s| s.mem.to_vec())
                    slots=slots
                    level=level(NodeView::mem_pct)
                    label="Memory history"
                />
            </td>
        </tr>
    }
}

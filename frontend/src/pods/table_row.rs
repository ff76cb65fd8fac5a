//! One `<tr data-pod="ns/name">` of the pods table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::charts::sparkline::Sparkline;
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History};
use crate::table::cell::{CellValue, NumCell, TextCell};
use crate::threshold::Level;

use super::row::PodView;

/// A pod's row; it looks its data up by key on every refresh, so it is built once and
/// updated in place for as long as it stays in view.
#[component]
pub fn PodTableRow(
    /// `namespace/name`.
    pod_key: Arc<str>,
) -> impl IntoView {
    let state = use_app_state();
    let attr = pod_key.clone();
    let lookup = pod_key.clone();
    let row = Memo::new(move |_| {
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.pod(&lookup).cloned()))
    });
    let num = move |f: fn(&PodView) -> CellValue| {
        Signal::from(Memo::new(move |_| {
            row.with(|r| r.as_deref().map(f).unwrap_or_default())
        }))
    };
    let text = move |f: fn(&PodView) -> String| {
        Signal::derive(move || row.with(|r| r.as_deref().map(f).unwrap_or_default()))
    };
    // Sparklines warn as usage nears the limit, where throttling or OOM kills start.
    let level = move |f: fn(&PodView) -> Option<f64>| {
        Signal::derive(move || Level::of_percent(row.with(|r| r.as_deref().and_then(f))))
    };
    let series = move |pick: fn(&CpuMemSeries) -> Vec<f32>| {
        let key = pod_key.clone();
        Signal::derive(move || {
            state
                .history
                .with(|h| h.pod(&key).map(pick).unwrap_or_default())
        })
    };
    let slots = Signal::derive(move || state.history.with(History::samples));
    let status_class =
        Signal::derive(move || row.with(|r| r.as_deref().map_or("", PodView::status_class)));

    view! {
        <tr class="row" data-pod=attr>
            <TextCell col="ns" text=text(|p| p.ns.clone()) />
            <TextCell col="name" text=text(|p| p.name.clone()) />
            <TextCell col="status" text=text(|p| p.status.clone()) class=status_class />
            <NumCell
                col="restarts"
                value=num(|p| CellValue::count(u64::from(p.restarts), p.restarts.to_string()))
            />
            <TextCell col="node" text=text(|p| p.node.clone().unwrap_or_default()) />
            <NumCell col="cpu" value=num(|p| CellValue::cpu(p.cpu())) />
            <NumCell col="mem" value=num(|p| CellValue::bytes(p.mem())) />
            <NumCell col="cpu-req-pct" value=num(|p| CellValue::percent_of(p.cpu(), p.requests.cpu)) />
            <NumCell col="mem-req-pct" value=num(|p| CellValue::percent_of(p.mem(), p.requests.mem)) />
            <NumCell col="cpu-lim-pct" value=num(|p| CellValue::usage_percent(p.cpu(), p.limits.cpu)) />
            <NumCell col="mem-lim-pct" value=num(|p| CellValue::usage_percent(p.mem(), p.limits.mem)) />
            <td data-col="cpu-spark" class="spark">
                <Sparkline
                    values=series(|s| s.cpu.to_vec())
                    slots=slots
                    level=level(PodView::cpu_lim_pct)
                    label="CPU history"
                />
            </td>
            <td data-col="mem-spark" class="spark">
                <Sparkline
                    values=series(|s| s.mem.to_vec())
                    slots=slots
                    level=level(PodView::mem_lim_pct)
                    label="Memory history"
                />
            </td>
        </tr>
    }
}

//! One `<tr data-pod="ns/name">` of the pods table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::page_route::{node_href, pod_href};
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::{CellValue, LinkCell, NumCell, TextCell};
use crate::table::row_signals::{RowSignals, SparkCells};

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
    let key = pod_key.clone();
    let row = RowSignals::new(move || {
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.pod(&key).cloned()))
    });
    let status_class = row.class(PodView::status_class);

    view! {
        <tr class="row" data-pod=attr>
            <TextCell col="ns" text=row.text(|p| p.ns.clone()) />
            <LinkCell col="name" text=row.text(|p| p.name.clone()) href=row.link(state.context, |c, p| pod_href(c, &p.ns, &p.name)) />
            <TextCell col="status" text=row.text(|p| p.status.clone()) class=status_class />
            <NumCell
                col="restarts"
                value=row.num(|p| CellValue::count(u64::from(p.restarts), p.restarts.to_string()))
            />
            <LinkCell
                col="node"
                text=row.text(|p| p.node.clone().unwrap_or_default())
                href=row.link(state.context, |c, p| p.node.as_deref().map(|n| node_href(c, n)).unwrap_or_default())
            />
            <NumCell col="cpu" value=row.num(|p| CellValue::cpu(p.cpu())) />
            <NumCell col="mem" value=row.num(|p| CellValue::bytes(p.mem())) />
            <NumCell col="cpu-req-pct" value=row.num(|p| CellValue::percent_of(p.cpu(), p.requests.cpu)) />
            <NumCell col="mem-req-pct" value=row.num(|p| CellValue::percent_of(p.mem(), p.requests.mem)) />
            <NumCell col="cpu-lim-pct" value=row.num(|p| CellValue::usage_percent(p.cpu(), p.limits.cpu)) />
            <NumCell col="mem-lim-pct" value=row.num(|p| CellValue::usage_percent(p.mem(), p.limits.mem)) />
            <SparkCells key=pod_key find=History::pod cpu_level=row.level(PodView::cpu_lim_pct) mem_level=row.level(PodView::mem_lim_pct) />
        </tr>
    }
}

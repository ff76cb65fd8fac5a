//! One `<tr data-node="…">` of the nodes table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::page_route::node_href;
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::{CellValue, LinkCell, NumCell, TextCell};
use crate::table::row_signals::{RowSignals, SparkCells};

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
    let key = name.clone();
    let row = RowSignals::new(move || {
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.node(&key).cloned()))
    });
    let status_class = row.class(NodeView::status_class);
    let status_title = move || row.with(|r| r.map(|r| r.problems.clone()));

    view! {
        <tr class="row" data-node=attr>
            <LinkCell col="name" text=row.text(|n| n.name.clone()) href=row.link(state.context, |c, n| node_href(c, &n.name)) />
            <td data-col="status" class=move || status_class.get() title=status_title>
                {move || row.with(|r| r.map(|r| r.status.clone()))}
            </td>
            <TextCell col="roles" text=row.text(|n| n.roles.clone()) />
            <NumCell col="cpu" value=row.num(|n| CellValue::cpu(n.cpu())) />
            <NumCell col="cpu-alloc" value=row.num(|n| CellValue::cpu(Some(n.allocatable.cpu))) />
            <NumCell col="cpu-pct" value=row.num(|n| CellValue::usage_percent(n.cpu(), Some(n.allocatable.cpu))) />
            <NumCell col="mem" value=row.num(|n| CellValue::bytes(n.mem())) />
            <NumCell col="mem-alloc" value=row.num(|n| CellValue::bytes(Some(n.allocatable.mem))) />
            <NumCell col="mem-pct" value=row.num(|n| CellValue::usage_percent(n.mem(), Some(n.allocatable.mem))) />
            <NumCell col="req-cpu-pct" value=row.num(|n| CellValue::percent_of(Some(n.requests.cpu), Some(n.allocatable.cpu))) />
            <NumCell col="req-mem-pct" value=row.num(|n| CellValue::percent_of(Some(n.requests.mem), Some(n.allocatable.mem))) />
            <NumCell col="lim-cpu-pct" value=row.num(|n| CellValue::percent_of(Some(n.limits.cpu), Some(n.allocatable.cpu))) />
            <NumCell col="lim-mem-pct" value=row.num(|n| CellValue::percent_of(Some(n.limits.mem), Some(n.allocatable.mem))) />
            <NumCell
                col="pods"
                value=row.num(|n| CellValue::count(u64::from(n.pods), format!("{}/{}", n.pods, n.pod_capacity)))
            />
            <NumCell col="age" value=row.num(|n| CellValue::age(n.age_s)) />
            <SparkCells key=name find=History::node cpu_level=row.level(NodeView::cpu_pct) mem_level=row.level(NodeView::mem_pct) />
        </tr>
    }
}

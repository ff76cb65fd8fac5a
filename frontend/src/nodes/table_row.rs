//! One `<tr data-node="…">` of the nodes table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::page_route::node_href;
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::{LinkCell, NumCell, TextCell};
use crate::table::io_column::IoColumn;
use crate::table::row_signals::{RowSignals, SparkCells};
use crate::table::stall_column::StallColumn;

use super::column::NodeColumn;
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
            <LinkCell col="name" text=row.cell_text(NodeColumn::Name) href=row.link(state.context, |c, n| node_href(c, &n.name)) />
            <td data-col="status" class=move || status_class.get() title=status_title>
                {move || row.with(|r| r.map(|r| r.status.clone()))}
            </td>
            <TextCell col="pressure" text=row.cell_text(NodeColumn::Pressure) />
            <TextCell col="roles" text=row.cell_text(NodeColumn::Roles) />
            <NumCell col="cpu" value=row.cell(NodeColumn::Cpu) />
            <NumCell col="cpu-alloc" value=row.cell(NodeColumn::CpuAlloc) />
            <NumCell col="cpu-pct" value=row.cell(NodeColumn::CpuPct) />
            <NumCell col="mem" value=row.cell(NodeColumn::Mem) />
            <NumCell col="mem-alloc" value=row.cell(NodeColumn::MemAlloc) />
            <NumCell col="mem-pct" value=row.cell(NodeColumn::MemPct) />
            <NumCell col="req-cpu-pct" value=row.cell(NodeColumn::ReqCpuPct) />
            <NumCell col="req-mem-pct" value=row.cell(NodeColumn::ReqMemPct) />
            <NumCell col="lim-cpu-pct" value=row.cell(NodeColumn::LimCpuPct) />
            <NumCell col="lim-mem-pct" value=row.cell(NodeColumn::LimMemPct) />
            <NumCell col="gpu" value=row.cell(NodeColumn::Gpu) />
            <NumCell col="pods" value=row.cell(NodeColumn::Pods) />
            <NumCell col="age" value=row.cell(NodeColumn::Age) />
            <NumCell col="net-rx" value=row.cell(NodeColumn::Io(IoColumn::NetRx)) />
            <NumCell col="net-tx" value=row.cell(NodeColumn::Io(IoColumn::NetTx)) />
            <NumCell col="disk-read" value=row.cell(NodeColumn::Io(IoColumn::DiskRead)) />
            <NumCell col="disk-write" value=row.cell(NodeColumn::Io(IoColumn::DiskWrite)) />
            <NumCell col="cpu-stall" value=row.cell(NodeColumn::Stall(StallColumn::Cpu)) />
            <NumCell col="mem-stall" value=row.cell(NodeColumn::Stall(StallColumn::Memory)) />
            <NumCell col="io-stall" value=row.cell(NodeColumn::Stall(StallColumn::Io)) />
            <SparkCells
                key=name
                find=History::node
                find_io=History::node_io
                cpu_level=row.level(NodeView::cpu_pct)
                mem_level=row.level(NodeView::mem_pct)
            />
        </tr>
    }
}

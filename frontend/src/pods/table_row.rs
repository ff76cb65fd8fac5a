//! One `<tr data-pod="ns/name">` of the pods table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::page_route::{node_href, pod_href, workload_href};
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::{LinkCell, NumCell, TextCell};
use crate::table::io_column::IoColumn;
use crate::table::row_signals::{RowSignals, SparkCells};
use crate::table::stall_column::StallColumn;

use super::column::PodColumn;
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
    let status_class = row.class(|p| p.status_class());

    view! {
        <tr class="row" data-pod=attr>
            <TextCell col="ns" text=row.cell_text(PodColumn::Ns) />
            <LinkCell col="name" text=row.cell_text(PodColumn::Name) href=row.link(state.context, |c, p| pod_href(c, &p.ns, &p.name)) />
            <TextCell col="status" text=row.cell_text(PodColumn::Status) class=status_class />
            <NumCell col="restarts" value=row.cell(PodColumn::Restarts) />
            <LinkCell
                col="node"
                text=row.cell_text(PodColumn::Node)
                href=row.link(state.context, |c, p| p.node.as_deref().map(|n| node_href(c, n)).unwrap_or_default())
            />
            <LinkCell
                col="workload"
                text=row.cell_text(PodColumn::Workload)
                href=row.link(state.context, |c, p| workload_href(c, &p.workload))
            />
            <NumCell col="cpu" value=row.cell(PodColumn::Cpu) />
            <NumCell col="mem" value=row.cell(PodColumn::Mem) />
            <NumCell col="cpu-req-pct" value=row.cell(PodColumn::CpuReqPct) />
            <NumCell col="mem-req-pct" value=row.cell(PodColumn::MemReqPct) />
            <NumCell col="cpu-lim-pct" value=row.cell(PodColumn::CpuLimPct) />
            <NumCell col="mem-lim-pct" value=row.cell(PodColumn::MemLimPct) />
            <NumCell col="gpu" value=row.cell(PodColumn::Gpu) />
            <NumCell col="net-rx" value=row.cell(PodColumn::Io(IoColumn::NetRx)) />
            <NumCell col="net-tx" value=row.cell(PodColumn::Io(IoColumn::NetTx)) />
            <NumCell col="disk-read" value=row.cell(PodColumn::Io(IoColumn::DiskRead)) />
            <NumCell col="disk-write" value=row.cell(PodColumn::Io(IoColumn::DiskWrite)) />
            <NumCell col="cpu-stall" value=row.cell(PodColumn::Stall(StallColumn::Cpu)) />
            <NumCell col="mem-stall" value=row.cell(PodColumn::Stall(StallColumn::Memory)) />
            <NumCell col="io-stall" value=row.cell(PodColumn::Stall(StallColumn::Io)) />
            <SparkCells
                key=pod_key
                find=History::pod
                find_io=History::pod_io
                cpu_level=row.level(PodView::cpu_lim_pct)
                mem_level=row.level(PodView::mem_lim_pct)
            />
        </tr>
    }
}

//! The nodes view: `/nodes?sort=mem&dir=desc`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::route::location::use_location;
use crate::state::use_app_state;
use crate::table::cell::CellValue;
use crate::table::column::{Column, cell_at};
use crate::table::column_picker::ColumnPicker;
use crate::table::export_buttons::ExportButtons;
use crate::table::sort::{SortSpec, sort_indices};
use crate::table::virtual_table::VirtualTable;

use super::column::NodeColumn;
use super::table_row::NodeTableRow;

fn node_row(name: Arc<str>) -> AnyView {
    view! { <NodeTableRow name=name /> }.into_any()
}

fn node_key_at(data: &Dataset, position: u32) -> Option<Arc<str>> {
    Some(data.nodes.get(position as usize)?.name.clone())
}

fn node_cell(data: &Dataset, position: u32, column: usize) -> Option<CellValue> {
    cell_at::<NodeColumn>(&data.nodes, position, column)
}

/// Every node with usage, allocatable, requests and limits, sortable on every column.
#[component]
pub fn NodesPage() -> impl IntoView {
    let state = use_app_state();
    let location = use_location();
    let order = Memo::new(move |_| {
        let spec = location
            .query
            .with(|q| SortSpec::from_params(NodeColumn::INFO, q.get("sort"), q.get("dir")));
        state.data.with(|d| {
            let rows = d.as_deref().map_or(&[][..], |d| &d.nodes);
            let mut order: Vec<u32> = (0..rows.len() as u32).collect();
            if let Some(spec) = spec {
                sort_indices::<NodeColumn>(rows, &mut order, spec);
            }
            Arc::new(order)
        })
    });
    let count = move || {
        state.data.with(|d| {
            d.as_ref().map(|d| {
                let ready = d.summary.nodes_ready;
                format!("{} nodes, {ready} ready", d.summary.nodes_total)
            })
        })
    };
    let empty_text = Signal::derive(move || {
        if state.data.with(Option::is_none) {
            "Waiting for the first snapshot…".to_owned()
        } else {
            "No nodes.".to_owned()
        }
    });

    view! {
        <section class="page table-page">
            <div class="toolbar">
                <h1>"Nodes"</h1>
                <span id="nodes-count" class="count">{count}</span>
                <ColumnPicker id="nodes-columns" columns=NodeColumn::INFO />
                <ExportButtons file="nodes" columns=NodeColumn::INFO order=order cell=node_cell />
            </div>
            <VirtualTable
                id="nodes-table"
                columns=NodeColumn::INFO
                order=order
                key_at=node_key_at
                row=node_row
                empty_text=empty_text
            />
        </section>
    }
}

//! The nodes view: `/nodes?sort=mem&dir=desc`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;
use crate::table::column::Column;
use crate::table::column_picker::ColumnPicker;
use crate::table::export_buttons::ExportButtons;
use crate::table::sort::{SortSpec, sort_indices};
use crate::table::virtual_table::{VirtualTable, pick};
use crate::table::visible_columns::hidden_keys;

use super::column::NodeColumn;
use super::table_row::NodeTableRow;

fn node_row(name: Arc<str>) -> impl IntoView {
    view! { <NodeTableRow name=name /> }
}

/// Every node with usage, allocatable, requests and limits, sortable on every column.
#[component]
pub fn NodesPage() -> impl IntoView {
    let state = use_app_state();
    let location = use_location();
    let sort = Memo::new(move |_| {
        location
            .query
            .with(|q| SortSpec::<NodeColumn>::from_params(q.get("sort"), q.get("dir")))
    });
    let hidden = Signal::derive(move || {
        location
            .query
            .with(|q| hidden_keys::<NodeColumn>(q.get("cols"), state.io.get()))
    });
    let on_sort = Callback::new(move |column: NodeColumn| {
        let next = SortSpec::after_click(sort.get_untracked(), column);
        location.push_query(&[
            ("sort", Some(next.column.key().to_owned())),
            ("dir", Some(next.dir.key().to_owned())),
        ]);
    });
    let order = Memo::new(move |_| {
        let spec = sort.get();
        state.data.with(|d| {
            let rows = d.as_deref().map_or(&[][..], |d| &d.nodes);
            let mut order: Vec<u32> = (0..rows.len() as u32).collect();
            if let Some(spec) = spec {
                sort_indices(rows, &mut order, spec);
            }
            Arc::new(order)
        })
    });
    let shown_rows = Callback::new(move |()| {
        let d = state.data.get_untracked();
        d.map(|d| pick(&d.nodes, &order.get_untracked()))
            .unwrap_or_default()
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
                <ColumnPicker id="nodes-columns" columns=NodeColumn::ALL />
                <ExportButtons file="nodes" columns=NodeColumn::ALL rows=shown_rows />
            </div>
            <VirtualTable
                id="nodes-table"
                order=order
                key_at=move |i| state.data.with(|d| Some(d.as_ref()?.nodes.get(i as usize)?.name.clone()))
                sort=sort
                on_sort=on_sort
                row=node_row
                empty_text=empty_text
                hidden=hidden
            />
        </section>
    }
}

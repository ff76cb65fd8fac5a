//! The nodes view: `/nodes?sort=mem&dir=desc`.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;
use crate::table::column::Column;
use crate::table::sort::{SortSpec, sort_indices};
use crate::table::table_page::TablePage;

use super::column::NodeColumn;
use super::table_row::NODE_ROWS;

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
    let count = Signal::derive(move || {
        state.data.with(|d| {
            d.as_ref().map_or_else(String::new, |d| {
                let ready = d.summary.nodes_ready;
                format!("{} nodes, {ready} ready", d.summary.nodes_total)
            })
        })
    });
    let empty_text = Signal::derive(move || {
        if state.data.with(Option::is_none) {
            "Waiting for the first snapshot…".to_owned()
        } else {
            "No nodes.".to_owned()
        }
    });

    view! {
        <TablePage
            title="Nodes".to_owned()
            name="nodes"
            spec=&NODE_ROWS
            order=order
            count=count
            empty_text=empty_text
        />
    }
}

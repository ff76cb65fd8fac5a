//! "CSV" and "JSON" buttons that download what a table shows: its rows after filtering and
//! sorting, in its visible columns.

use std::sync::Arc;

use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::download::download;
use crate::route::location::use_location;
use crate::state::use_app_state;

use super::cell::CellValue;
use super::column::ColumnInfo;
use super::export::Sheet;
use super::visible_columns::visible;

/// Download buttons for a table over the current data.
#[component]
pub fn ExportButtons(
    /// File name without extension.
    file: &'static str,
    /// The table's columns; the URL's `cols` picks the visible ones.
    columns: &'static [ColumnInfo],
    /// Positions in the data of the rows the table shows, in display order.
    #[prop(into)]
    order: Signal<Arc<Vec<u32>>>,
    /// The cell of the row at a position in a column (by its index in `columns`).
    cell: fn(&Dataset, u32, usize) -> Option<CellValue>,
) -> impl IntoView {
    let location = use_location();
    let state = use_app_state();
    let export = move |json: bool| {
        let shown = location
            .query
            .with_untracked(|q| visible(columns, q.get("cols"), untrack(|| state.caps())));
        let order = order.get_untracked();
        let text = state.data.with_untracked(|d| {
            let rows = if d.is_some() { order.len() } else { 0 };
            let read = |r: usize, c: usize| cell(d.as_deref()?, *order.get(r)?, c);
            let sheet = Sheet::new(columns, &shown, rows, &read);
            if json {
                sheet.to_json()
            } else {
                sheet.to_csv()
            }
        });
        let (kind, ext) = if json {
            ("application/json", "json")
        } else {
            ("text/csv;charset=utf-8", "csv")
        };
        download(&format!("{file}.{ext}"), kind, &text);
    };
    view! {
        <span class="export">
            <button type="button" id=format!("{file}-csv") on:click=move |_| export(false)>"CSV"</button>
            <button type="button" id=format!("{file}-json") on:click=move |_| export(true)>"JSON"</button>
        </span>
    }
}

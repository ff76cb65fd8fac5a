//! "CSV" and "JSON" buttons that download what a table shows: its rows after filtering and
//! sorting, in its visible columns.

use std::sync::Arc;

use leptos::prelude::*;

use crate::download::download;
use crate::route::location::use_location;
use crate::state::use_app_state;

use super::column::Column;
use super::export::Sheet;
use super::visible_columns::visible;

/// Download buttons for a table whose rows `rows` returns in display order.
#[component]
pub fn ExportButtons<C: Column>(
    /// File name without extension.
    file: &'static str,
    /// The table's columns (`C::ALL`); the URL's `cols` picks the visible ones.
    columns: &'static [C],
    /// The rows as the table shows them.
    rows: Callback<(), Vec<C::Row>>,
) -> impl IntoView
where
    C::Row: Send + Sync + 'static,
{
    let location = use_location();
    let io = use_app_state().io;
    let text = move |json: bool| {
        let shown = location
            .query
            .with_untracked(|q| visible::<C>(q.get("cols"), io.get_untracked()));
        let shown: Vec<C> = columns
            .iter()
            .copied()
            .filter(|c| shown.contains(c))
            .collect();
        let rows = rows.run(());
        let sheet = Sheet::new(&shown, &rows);
        if json {
            sheet.to_json()
        } else {
            sheet.to_csv()
        }
    };
    buttons(file, Arc::new(text))
}

/// The buttons, once in the wasm whatever the table: `text(json)` writes the file.
fn buttons(file: &'static str, text: Arc<dyn Fn(bool) -> String + Send + Sync>) -> impl IntoView {
    let export = move |json: bool| {
        let (kind, ext) = if json {
            ("application/json", "json")
        } else {
            ("text/csv;charset=utf-8", "csv")
        };
        download(&format!("{file}.{ext}"), kind, &text(json));
    };
    let csv = export.clone();
    view! {
        <span class="export">
            <button type="button" id=format!("{file}-csv") on:click=move |_| csv(false)>"CSV"</button>
            <button type="button" id=format!("{file}-json") on:click=move |_| export(true)>"JSON"</button>
        </span>
    }
}

//! The "Columns" menu: a checkbox per column, kept in the URL's `cols`. Columns that need a
//! capability (throughput, stalls, GPUs) are offered only while it holds.

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;

use super::column::ColumnInfo;
use super::visible_columns::{toggled, visible};

/// A drop-down of checkboxes, one per column.
#[component]
pub fn ColumnPicker(
    /// Id of the `<details>` element.
    #[prop(into)]
    id: String,
    /// The table's columns.
    columns: &'static [ColumnInfo],
) -> impl IntoView {
    let location = use_location();
    let state = use_app_state();
    let boxes = columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let on_change = move |_| {
                let next = location
                    .query
                    .with_untracked(|q| toggled(columns, q.get("cols"), index));
                location.push_query(&[("cols", next)]);
            };
            // Not a memo: a few checkboxes reading the query again cost less than a memo type.
            let checked = move || {
                location
                    .query
                    .with(|q| visible(columns, q.get("cols"), state.caps()).contains(&index))
            };
            let needs = column.needs;
            view! {
                <label class:unavailable=move || !state.caps().fill(needs)>
                    <input type="checkbox" data-col=column.key prop:checked=checked on:change=on_change />
                    {column.title}
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="column-picker" id=id>
            <summary>"Columns"</summary>
            <div class="column-list">{boxes}</div>
        </details>
    }
}

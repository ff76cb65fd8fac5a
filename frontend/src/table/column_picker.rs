//! The "Columns" menu: a checkbox per column, kept in the URL's `cols`. Throughput columns
//! are offered only while the live source measures throughput.

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;

use super::column::Column;
use super::visible_columns::{toggled, visible};

/// A drop-down of checkboxes, one per column of `C`.
#[component]
pub fn ColumnPicker<C: Column>(
    /// Id of the `<details>` element.
    id: &'static str,
    /// The table's columns (`C::ALL`).
    columns: &'static [C],
) -> impl IntoView {
    let location = use_location();
    let io = use_app_state().io;
    let shown = Memo::new(move |_| {
        location
            .query
            .with(|q| visible::<C>(q.get("cols"), io.get()))
    });
    let boxes = columns
        .iter()
        .map(|&column| {
            let toggle = move |_| {
                let next = location
                    .query
                    .with_untracked(|q| toggled(q.get("cols"), column));
                location.push_query(&[("cols", next)]);
            };
            view! {
                <label class:unavailable=move || column.io().is_some() && !io.get()>
                    <input
                        type="checkbox"
                        data-col=column.key()
                        prop:checked=move || shown.with(|s| s.contains(&column))
                        on:change=toggle
                    />
                    {column.title()}
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

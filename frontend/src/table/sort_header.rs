//! Clickable column headers that sort a table by the URL's `sort` and `dir`.

use leptos::prelude::*;

use crate::route::location::use_location;

use super::column::ColumnInfo;
use super::sort::{SortDir, SortSpec};

/// The header row: one button per column; clicking sorts, clicking again flips direction.
/// Each click is a step back can undo.
#[component]
pub fn SortHeaders(
    /// The table's columns.
    columns: &'static [ColumnInfo],
) -> impl IntoView {
    let location = use_location();
    // Not a memo: parsing two parameters again costs less than a memo type in the wasm.
    let sort = move || {
        location
            .query
            .with(|q| SortSpec::from_params(columns, q.get("sort"), q.get("dir")))
    };
    let on_sort = move |column: usize| {
        let next = SortSpec::after_click(columns, untrack(sort), column);
        location.push_query(&SortSpec::to_params(Some(next), columns));
    };
    columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let active = move || sort().filter(|s| s.column == index);
            view! {
                <th
                    data-col=column.key
                    class:num=column.numeric
                    aria-sort=move || active().map_or("none", |s| s.dir.aria())
                >
                    <button type="button" on:click=move |_| on_sort(index)>
                        {column.title}
                        <span class="sort-mark" aria-hidden="true">
                            {move || match active() {
                                Some(s) if s.dir == SortDir::Asc => "▲",
                                Some(_) => "▼",
                                None => "",
                            }}
                        </span>
                    </button>
                </th>
            }
        })
        .collect_view()
}

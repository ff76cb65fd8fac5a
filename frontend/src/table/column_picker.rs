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
    let boxes = columns
        .iter()
        .map(|&c| (c.key(), c.title(), c.io().is_some()))
        .collect();
    picker(
        id,
        boxes,
        |cols, io| visible::<C>(cols, io).into_iter().map(C::key).collect(),
        |cols, key| C::from_key(key).and_then(|c| toggled(cols, c)),
    )
}

/// Each column's key, title and whether it is a throughput column.
type Boxes = Vec<(&'static str, &'static str, bool)>;

/// The picker, once in the wasm whatever the table: columns by key. `shown(cols, io)` are
/// the keys shown; `toggle(cols, key)` is `cols` with one column switched.
fn picker(
    id: &'static str,
    boxes: Boxes,
    shown: fn(Option<&str>, bool) -> Vec<&'static str>,
    toggle: fn(Option<&str>, &'static str) -> Option<String>,
) -> impl IntoView {
    let location = use_location();
    let io = use_app_state().io;
    let boxes = boxes
        .into_iter()
        .map(|(key, title, throughput)| {
            let on_change = move |_| {
                let next = location
                    .query
                    .with_untracked(|q| toggle(q.get("cols"), key));
                location.push_query(&[("cols", next)]);
            };
            // Not a memo: a few checkboxes reading the query again cost less than a memo type.
            let checked = move || {
                location
                    .query
                    .with(|q| shown(q.get("cols"), io.get()).contains(&key))
            };
            view! {
                <label class:unavailable=move || throughput && !io.get()>
                    <input type="checkbox" data-col=key prop:checked=checked on:change=on_change />
                    {title}
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

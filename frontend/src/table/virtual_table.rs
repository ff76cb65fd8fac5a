//! A table that renders only the rows in and near view; spacer rows stand in for the rest, so
//! the scroll bar is true to the full length and 30 000 rows scroll smoothly.

use ktop_web_shared::format::fixed;
use std::sync::Arc;

use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;

use super::sort_header::SortHeaders;
use super::table_row::{RowSpec, TableRow};
use super::viewport::RowWindow;
use super::visible_columns::hidden_keys;

/// Used until the scroll container has been measured.
const INITIAL_VIEWPORT_PX: f64 = 800.0;

/// Sortable, virtually scrolled table. It follows the URL: the caller orders the rows by
/// `sort` and `dir`, the headers change them, and `cols` picks the columns shown. Rows are
/// keyed, so re-sorting moves existing row DOM instead of rebuilding it, and a row that
/// stays in view is only updated in place.
///
/// The order is of positions in the data, not of keys: making and comparing 30,000 keys each
/// refresh touched every key's memory; only the rows in view look their keys up.
///
/// Nothing here depends on the table's row type, so it exists once in the wasm.
#[component]
pub fn VirtualTable(
    /// `id` of the `<table>`.
    #[prop(into)]
    id: String,
    /// The table's rows and columns.
    spec: &'static RowSpec,
    /// Positions in the data of all rows after filtering and sorting, in display order.
    #[prop(into)]
    order: Signal<Arc<Vec<u32>>>,
    /// Shown instead of rows when there are none.
    #[prop(into)]
    empty_text: Signal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let data = state.data;
    let columns = spec.columns;
    let key_at = spec.key_at;
    let location = use_location();
    // The columns the URL's `cols` and the source leave out, for the stylesheet to hide.
    let hidden = move || {
        location
            .query
            .with(|q| hidden_keys(columns, q.get("cols"), state.caps()))
    };
    let scroller = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(INITIAL_VIEWPORT_PX);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(f64::from(el.client_height()));
            scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    // Not a memo: a few sums are cheaper than a memo type in the wasm.
    let window = move || RowWindow::at(scroll_top.get(), viewport.get(), order.with(|o| o.len()));
    let visible = move || {
        let w = window();
        order.with(|o| {
            let shown = o.get(w.start..w.end).unwrap_or_default();
            data.with(|d| {
                let Some(d) = d.as_deref() else {
                    return Vec::new();
                };
                shown
                    .iter()
                    .filter_map(|&i| key_at(d, i))
                    .collect::<Vec<_>>()
            })
        })
    };
    let span = columns.len();

    view! {
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| measure()>
            <table id=id data-rows=move || order.with(|o| o.len()) data-hide=hidden>
                <thead>
                    <tr>
                        <SortHeaders columns=columns />
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true">
                        <td
                            colspan=span
                            style:height=move || format!("{}px", fixed(window().space_above_px(), 0))
                        ></td>
                    </tr>
                    <For each=visible key=Arc::clone let(key)>
                        <TableRow row_key=key spec=spec />
                    </For>
                    <tr class="spacer" aria-hidden="true">
                        <td
                            colspan=span
                            style:height=move || format!("{}px", fixed(window().space_below_px(), 0))
                        ></td>
                    </tr>
                </tbody>
            </table>
            {move || {
                order.with(|o| o.is_empty())
                    .then(|| view! { <p class="table-empty">{empty_text}</p> })
            }}
        </div>
    }
}

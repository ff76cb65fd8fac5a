//! A table that renders only the rows in and near view; spacer rows stand in for the rest, so
//! the scroll bar is true to the full length and 30 000 rows scroll smoothly.

use ktop_web_shared::format::fixed;
use std::sync::Arc;

use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;

use super::column::Column;
use super::sort::SortSpec;
use super::sort_header::SortHeaders;
use super::viewport::RowWindow;

/// Used until the scroll container has been measured.
const INITIAL_VIEWPORT_PX: f64 = 800.0;

/// Sortable, virtually scrolled table. Rows are keyed, so re-sorting moves existing row DOM
/// instead of rebuilding it, and a row that stays in view is only updated in place.
///
/// The order is of positions in the data, not of keys: making and comparing 30,000 keys each
/// refresh touched every key's memory; only the rows in view look their keys up.
#[component]
pub fn VirtualTable<C, K, R, V>(
    /// `id` of the `<table>`.
    id: &'static str,
    /// Positions in the data of all rows after filtering and sorting, in display order.
    #[prop(into)]
    order: Signal<Arc<Vec<u32>>>,
    /// The key of the row at a position in the current data (read tracked, so the rows in
    /// view follow the data).
    key_at: K,
    /// The current sort.
    #[prop(into)]
    sort: Signal<Option<SortSpec<C>>>,
    /// Called when a header is clicked.
    on_sort: Callback<C>,
    /// Renders the `<tr>` of one row from its key.
    row: R,
    /// Shown instead of rows when there are none.
    #[prop(into)]
    empty_text: Signal<String>,
    /// Keys of the columns to hide (space-separated), for the stylesheet.
    #[prop(into)]
    hidden: Signal<String>,
) -> impl IntoView
where
    C: Column,
    K: Fn(u32) -> Option<Arc<str>> + Send + Sync + 'static,
    R: Fn(Arc<str>) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
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
            shown.iter().filter_map(|&i| key_at(i)).collect::<Vec<_>>()
        })
    };
    let columns = C::ALL.len();

    view! {
        <div class="table-scroll" node_ref=scroller on:scroll=move |_| measure()>
            <table id=id data-rows=move || order.with(|o| o.len()) data-hide=hidden>
                <thead>
                    <tr>
                        <SortHeaders sort=sort on_sort=on_sort />
                    </tr>
                </thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true">
                        <td
                            colspan=columns
                            style:height=move || format!("{}px", fixed(window().space_above_px(), 0))
                        ></td>
                    </tr>
                    <For each=visible key=Arc::clone children=row />
                    <tr class="spacer" aria-hidden="true">
                        <td
                            colspan=columns
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

/// The rows at `positions`, in that order: what a table shows, for export.
pub fn pick<T: Clone>(rows: &[T], positions: &[u32]) -> Vec<T> {
    let mut picked = Vec::with_capacity(positions.len());
    for &i in positions {
        picked.extend(rows.get(i as usize).cloned());
    }
    picked
}

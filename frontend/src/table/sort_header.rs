//! Clickable column headers that sort a table.

use leptos::prelude::*;

use super::column::Column;
use super::sort::SortSpec;

/// The header row: one button per column; clicking sorts, clicking again flips direction.
#[component]
pub fn SortHeaders<C: Column>(
    /// The current sort, if any.
    #[prop(into)]
    sort: Signal<Option<SortSpec<C>>>,
    /// Called with the clicked column.
    on_sort: Callback<C>,
) -> impl IntoView {
    C::ALL
        .iter()
        .map(|&column| {
            let active = move || sort.get().filter(|s| s.column == column);
            view! {
                <th
                    data-col=column.key()
                    class:num=column.numeric()
                    aria-sort=move || active().map_or("none", |s| s.dir.aria())
                >
                    <button type="button" on:click=move |_| on_sort.run(column)>
                        {column.title()}
                        <span class="sort-mark" aria-hidden="true">
                            {move || match active() {
                                Some(s) if s.dir == super::sort::SortDir::Asc => "▲",
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

//! The page around a table: a toolbar (title, the page's own fields, column picker, export,
//! count), then the table. The nodes, pods, workloads and namespaces views differ only in
//! what they pass, so the page's markup exists once in the wasm.

use std::sync::Arc;

use leptos::prelude::*;

use crate::route::location::use_location;

use super::column_picker::ColumnPicker;
use super::export_buttons::ExportButtons;
use super::table_row::RowSpec;
use super::virtual_table::VirtualTable;

/// A table view: `name` makes the ids (`{name}-table`, `{name}-columns`, `{name}-count`)
/// and the export's file name.
#[component]
pub fn TablePage(
    /// Heading.
    title: String,
    /// `pods`, `nodes`, `workloads`, `namespaces`.
    name: &'static str,
    /// The table.
    spec: &'static RowSpec,
    /// Positions in the data of the rows shown, in display order.
    order: Memo<Arc<Vec<u32>>>,
    /// What the toolbar counts, such as "12 of 300 pods".
    count: Signal<String>,
    /// Shown instead of rows when there are none.
    empty_text: Signal<String>,
    /// The page's own fields, after the title.
    #[prop(optional)]
    tools: Option<AnyView>,
    /// Shown between the toolbar and the table.
    #[prop(optional)]
    above: Option<AnyView>,
    /// Shown under the table.
    #[prop(optional)]
    below: Option<AnyView>,
) -> impl IntoView {
    view! {
        <section class="page table-page">
            <div class="toolbar">
                <h1>{title}</h1>
                {tools}
                <ColumnPicker id=format!("{name}-columns") columns=spec.columns />
                <ExportButtons file=name columns=spec.columns order=order cell=spec.cell_at />
                <span id=format!("{name}-count") class="count">{count}</span>
            </div>
            {above}
            <VirtualTable id=format!("{name}-table") spec=spec order=order empty_text=empty_text />
            {below}
        </section>
    }
}

/// What a table's toolbar counts: "12 pods", or "3 of 12 pods" when a filter leaves some out.
pub fn count_text(shown: usize, total: usize, noun: &str) -> String {
    if shown == total {
        format!("{total} {noun}")
    } else {
        format!("{shown} of {total} {noun}")
    }
}

/// The text filter of a table, held in the URL as `?q=`; typing rewrites the URL in place
/// rather than add a back step per key.
#[component]
pub fn FilterField(
    /// What the filter matches, as a hint.
    placeholder: &'static str,
) -> impl IntoView {
    let location = use_location();
    view! {
        <label class="field grow">
            <span>"Filter"</span>
            <input
                id="filter"
                type="search"
                placeholder=placeholder
                autocomplete="off"
                spellcheck="false"
                prop:value=move || location.query.with(|q| q.get("q").unwrap_or_default().to_owned())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    location.set_query(&[("q", Some(text).filter(|t| !t.is_empty()))]);
                }
            />
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_what_a_filter_leaves_out() {
        assert_eq!(count_text(12, 12, "pods"), "12 pods");
        assert_eq!(count_text(3, 12, "workloads"), "3 of 12 workloads");
    }
}

//! A labelled figure of the overview, carrying its raw value like a table cell.

use leptos::prelude::*;

use crate::table::cell::CellValue;

/// `<div class="stat"><dt>label</dt><dd id="…" data-value="…">text</dd></div>`.
#[component]
pub fn Stat(
    /// `id` of the value element, for tests and links.
    #[prop(into)]
    id: String,
    /// What the figure is.
    label: &'static str,
    /// The figure.
    #[prop(into)]
    value: Signal<CellValue>,
) -> impl IntoView {
    view! {
        <div class="stat">
            <dt>{label}</dt>
            <dd
                id=id
                data-value=move || value.with(|v| v.raw.clone())
                class=move || value.with(|v| v.level.class())
            >
                {move || value.with(|v| v.text.clone())}
            </dd>
        </div>
    }
}

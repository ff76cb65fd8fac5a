//! The badge naming the live metrics source.

use ktop_web_shared::api::SourceKind;
use leptos::prelude::*;

use crate::state::use_app_state;

/// `<span id="source-badge" data-live-source="metrics-server">metrics-server</span>`.
#[component]
pub fn SourceBadge() -> impl IntoView {
    let state = use_app_state();
    let live = move || state.data.with(|d| d.as_ref().map(|d| d.source.live));
    view! {
        <span
            id="source-badge"
            class=move || format!("badge source-{}", live().map_or("", SourceKind::key))
            data-live-source=move || live().map(SourceKind::key)
            title="Metrics source"
        >
            {move || live().map_or("connecting…", SourceKind::label)}
        </span>
    }
}

//! The badge naming the live metrics source.

use ktop_web_shared::api::SourceKind;
use leptos::prelude::*;

use crate::state::use_app_state;

/// The kebab-case name of a source, as on the wire (`metrics-server`, `none`, …).
pub fn source_key(kind: SourceKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `<span id="source-badge" data-live-source="metrics-server">metrics-server</span>`.
#[component]
pub fn SourceBadge() -> impl IntoView {
    let state = use_app_state();
    let live = Memo::new(move |_| state.data.with(|d| d.as_ref().map(|d| d.source.live)));
    view! {
        <span
            id="source-badge"
            class=move || format!("badge source-{}", live.get().map(source_key).unwrap_or_default())
            data-live-source=move || live.get().map(source_key)
            title="Metrics source"
        >
            {move || live.get().map_or("connecting…", SourceKind::label)}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_wire() {
        assert_eq!(source_key(SourceKind::MetricsServer), "metrics-server");
        assert_eq!(source_key(SourceKind::Prometheus), "prometheus");
        assert_eq!(source_key(SourceKind::None), "none");
        assert_eq!(source_key(SourceKind::Demo), "demo");
    }
}

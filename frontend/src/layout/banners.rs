//! Banners under the header: why a preferred metrics source is not in use, and why the last
//! refresh failed.

use ktop_web_shared::api::Fallback;
use leptos::prelude::*;

use crate::clock::time_of_day;
use crate::state::use_app_state;

/// `#fallback`: each skipped source's message and hint, as the server words them.
#[component]
pub fn FallbackBanner() -> impl IntoView {
    let state = use_app_state();
    let fallbacks = Memo::new(move |_| {
        state.data.with(|d| {
            d.as_ref()
                .map(|d| d.source.fallbacks.clone())
                .unwrap_or_default()
        })
    });
    view! {
        {move || {
            let items = fallbacks.get();
            (!items.is_empty())
                .then(|| {
                    view! {
                        <section id="fallback" class="banner banner-fallback" role="status">
                            {items.into_iter().map(fallback_item).collect_view()}
                        </section>
                    }
                })
        }}
    }
}

fn fallback_item(fallback: Fallback) -> impl IntoView {
    let retry = fallback
        .retry_at_ms
        .map(|ms| format!(" Retrying at {}.", time_of_day(ms)));
    view! {
        <p class="fallback-item" data-source=fallback.source.key()>
            <strong class="message">{fallback.message}</strong>
            " "
            <span class="hint">{fallback.hint}</span>
            <span class="retry">{retry}</span>
        </p>
    }
}

/// `#error`: the last request's failure; the data shown stays that of the last success.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = use_app_state();
    let stale_since = move || {
        state.data.with(|d| {
            d.as_ref()
                .map(|d| format!(" Showing data from {}.", time_of_day(d.taken_at_ms)))
        })
    };
    view! {
        {move || {
            state
                .error
                .get()
                .map(|error| {
                    view! {
                        <section id="error" class="banner banner-error" role="alert">
                            <strong class="message">{error.message()}</strong>
                            " "
                            <span class="hint">{error.hint()}</span>
                            <span class="stale">{stale_since}</span>
                        </section>
                    }
                })
        }}
    }
}

//! Banners under the header: what on screen is stale, why a preferred metrics source is not
//! in use, and why the last refresh failed.

use ktop_web_shared::api::Fallback;
use ktop_web_shared::format::format_age;
use leptos::prelude::*;

use crate::clock::time_of_day;
use crate::embed::sign_in_button;
use crate::staleness::StaleNote;
use crate::state::use_app_state;

/// `#stale`: each part of the data that is not current, how old it is and why. It goes away
/// by itself once fresh data arrives.
#[component]
pub fn StaleBanner() -> impl IntoView {
    let state = use_app_state();
    view! {
        {move || {
            let notes = state.stale();
            (!notes.is_empty())
                .then(|| {
                    view! {
                        <section id="stale" class="banner banner-stale" role="status">
                            {notes.into_iter().map(stale_item).collect_view()}
                            <p class="hint">
                                "The numbers shown are not live. ktop-web keeps retrying and this goes away by itself once fresh data arrives."
                            </p>
                        </section>
                    }
                })
        }}
    }
}

fn stale_item(note: StaleNote) -> impl IntoView {
    view! {
        <p class="stale-item" data-part=note.part.key() data-age-ms=note.age_ms>
            <strong class="message">
                {format!("Stale: {} {} old", note.part.label(), format_age(note.age_ms / 1000))}
            </strong>
            " — "
            <span class="reason">{note.reason}</span>
        </p>
    }
}

/// `#fallback`: each skipped source's message and hint, as the server words them.
#[component]
pub fn FallbackBanner() -> impl IntoView {
    let state = use_app_state();
    // Not a memo: one more memo type costs the wasm budget more than this costs a refresh
    // (a few items, and unchanged text is not written to the page again).
    let fallbacks = move || {
        state.data.with(|d| {
            d.as_ref()
                .map(|d| d.source.fallbacks.clone())
                .unwrap_or_default()
        })
    };
    view! {
        {move || {
            let items = fallbacks();
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
                            {sign_in_button(&error)}
                        </section>
                    }
                })
        }}
    }
}

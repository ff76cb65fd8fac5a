//! The range picker, where the shown range came from, and why it could not be read.

use ktop_web_shared::history::HistoryRange;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::fetch::RangeHistory;
use super::param::range_value;
use crate::api_client::FetchError;
use crate::route::location::use_location;

/// The picker's buttons, `current` pressed. Plain markup under one listener: five
/// reactive buttons cost the wasm several times this.
fn buttons_html(current: HistoryRange) -> String {
    HistoryRange::ALL
        .iter()
        .map(|&r| {
            let label = if r == HistoryRange::Live {
                "Live"
            } else {
                r.as_str()
            };
            format!(
                r#"<button type="button" data-range="{}" aria-pressed="{}">{label}</button>"#,
                r.as_str(),
                r == current
            )
        })
        .collect()
}

/// What the banner says: the status, the server's message and its hint.
fn banner_text(error: &FetchError) -> String {
    let status = match error {
        FetchError::Server { status, .. } => format!("HTTP {status}: "),
        _ => String::new(),
    };
    let hint = error.hint().map(|h| format!(" {h}")).unwrap_or_default();
    format!("History unavailable ({status}{}).{hint}", error.message())
}

/// `#range-picker` (a button per range, the shown one pressed), `#history-source` (hidden
/// while live) and, when the range could not be read, `#history-banner`.
#[component]
pub fn RangeBar(
    /// The page's range.
    history: RangeHistory,
) -> impl IntoView {
    let location = use_location();
    let pick = move |ev: web_sys::MouseEvent| {
        let picked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.get_attribute("data-range"))
            .and_then(|r| HistoryRange::parse(&r));
        if let Some(r) = picked.filter(|&r| r != history.range()) {
            location.push_query(&[("range", range_value(r))]);
        }
    };
    // One text, not a hint element of its own: each reactive text costs the wasm.
    let source = move || match history.answer() {
        Some(Ok(h)) => match h.pin_hint {
            Some(hint) => format!("History: {} ({hint})", h.source),
            None => format!("History: {}", h.source),
        },
        _ => String::new(),
    };
    let banner = move || {
        let error = history.answer()?.err()?;
        Some(view! {
            <section id="history-banner" class="banner banner-error" role="alert">
                {banner_text(&error)}
            </section>
        })
    };
    view! {
        <div class="range-bar">
            <div
                id="range-picker"
                class="range-picker"
                role="group"
                aria-label="History range"
                inner_html=move || buttons_html(history.range())
                on:click=pick
            ></div>
            <p
                id="history-source"
                prop:hidden=move || history.range() == HistoryRange::Live
                prop:textContent=source
            ></p>
        </div>
        {banner}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_says_status_message_and_hint() {
        let error = FetchError::Server {
            status: 503,
            message: "no source".into(),
            hint: Some("Pin one.".into()),
        };
        assert_eq!(
            banner_text(&error),
            "History unavailable (HTTP 503: no source). Pin one."
        );
    }

    #[test]
    fn one_button_per_range_the_shown_one_pressed() {
        let html = buttons_html(HistoryRange::Day);
        assert_eq!(html.matches("<button").count(), 5);
        assert!(html.starts_with(
            r#"<button type="button" data-range="live" aria-pressed="false">Live</button>"#
        ));
        assert!(html.contains(r#"data-range="24h" aria-pressed="true">24h<"#));
        assert_eq!(html.matches(r#"aria-pressed="true""#).count(), 1);
    }
}

//! Embedding in a portal: `?embed=1` shows one panel without the app's chrome, and a token
//! in the URL fragment (`#token=…`) is sent as a Bearer header, so an embed works where
//! third-party cookies are blocked. A fragment never reaches a server or its logs.
//!
//! A portal page without a token signs its frame in instead: the frame opens ktop-web's
//! `/signin` in a popup, which hands back a short-lived credential by `postMessage`
//! addressed to ktop-web's own origin; it is used like the fragment's token.

use std::cell::{Cell, RefCell};

use leptos::ev;
use leptos::prelude::*;

use crate::api_client::FetchError;
use crate::route::url_codec::Query;

thread_local! {
    static BEARER: RefCell<Option<String>> = const { RefCell::new(None) };
    static EMBEDDED: Cell<bool> = const { Cell::new(false) };
}

/// Keeps a `#token=…` from the address for API requests and removes it from the address
/// bar, so it is not copied along with the URL; an embed also listens for sign-in.
pub fn take_fragment_token() {
    let location = window().location();
    if is_embed(&Query::parse(&location.search().unwrap_or_default())) {
        EMBEDDED.with(|e| e.set(true));
        _ = window_event_listener(ev::message, take_credential);
    }
    let hash = location.hash().unwrap_or_default();
    let Some(token) = token_in_fragment(&hash) else {
        return;
    };
    BEARER.with(|b| *b.borrow_mut() = Some(token.to_owned()));
    let bare = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window().history() {
        _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
    }
}

/// The token taken from the fragment, or the credential from sign-in, if any.
pub fn bearer() -> Option<String> {
    BEARER.with(|b| b.borrow().clone())
}

/// In an embed refused for want of a token (401), the button that signs the frame in.
pub fn sign_in_button(error: &FetchError) -> Option<impl IntoView + use<>> {
    let refused = matches!(error, FetchError::Server { status: 401, .. });
    (refused && EMBEDDED.with(Cell::get)).then(|| {
        view! {
            <button type="button" id="signin" on:click=|_| open_sign_in()>
                "Sign in to your ktop-web"
            </button>
        }
    })
}

/// `/signin` in a popup: a top-level window on ktop-web's origin, so it has the cookie the
/// startup link set even where third-party cookies are blocked.
fn open_sign_in() {
    _ = window().open_with_url_and_target_and_features(
        "/signin",
        "ktop-web-signin",
        "popup,width=480,height=240",
    );
}

/// Keeps the credential `/signin` posts. Only a page of ktop-web's own origin can send a
/// message with that origin; the next API request (the poller retries) uses it.
fn take_credential(event: web_sys::MessageEvent) {
    if Ok(event.origin()) != window().location().origin() {
        return;
    }
    let credential = js_sys::Reflect::get(&event.data(), &"ktopWebCredential".into())
        .ok()
        .and_then(|v| v.as_string())
        .filter(|c| plain(c));
    if let Some(credential) = credential {
        BEARER.with(|b| *b.borrow_mut() = Some(credential));
    }
}

/// Whether the page is an embed (`?embed=1`).
pub fn is_embed(query: &Query) -> bool {
    query.get("embed") == Some("1")
}

/// The token in `#token=…`; only letters and digits are taken, so nothing odd ever ends up
/// in a header.
fn token_in_fragment(hash: &str) -> Option<&str> {
    hash.strip_prefix("#token=").filter(|t| plain(t))
}

/// Letters and digits, at most 128 of them: safe in a header.
fn plain(token: &str) -> bool {
    !token.is_empty() && token.len() <= 128 && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_only_a_plain_token_from_the_fragment() {
        assert_eq!(token_in_fragment("#token=ab12"), Some("ab12"));
        for bad in [
            "",
            "#",
            "#token=",
            "#tok=ab",
            "#token=a b",
            "#token=a\r\nX: y",
            "token=ab",
        ] {
            assert_eq!(token_in_fragment(bad), None, "{bad:?}");
        }
        assert_eq!(
            token_in_fragment(&format!("#token={}", "a".repeat(129))),
            None
        );
    }

    #[test]
    fn embed_is_an_explicit_flag() {
        assert!(is_embed(&Query::parse("?embed=1&sort=cpu")));
        assert!(!is_embed(&Query::parse("?embed=0")));
        assert!(!is_embed(&Query::parse("")));
    }
}

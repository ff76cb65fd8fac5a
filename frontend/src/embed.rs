//! Embedding in a portal: `?embed=1` shows one panel without the app's chrome, and a token
//! in the URL fragment (`#token=…`) is sent as a Bearer header, so an embed works where
//! third-party cookies are blocked. A fragment never reaches a server or its logs.

use std::cell::RefCell;

use leptos::prelude::window;

use crate::route::url_codec::Query;

thread_local! {
    static BEARER: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps a `#token=…` from the address for API requests and removes it from the address
/// bar, so it is not copied along with the URL.
pub fn take_fragment_token() {
    let location = window().location();
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

/// The token taken from the fragment, if any.
pub fn bearer() -> Option<String> {
    BEARER.with(|b| b.borrow().clone())
}

/// Whether the page is an embed (`?embed=1`).
pub fn is_embed(query: &Query) -> bool {
    query.get("embed") == Some("1")
}

/// The token in `#token=…`; only letters and digits are taken, so nothing odd ever ends up
/// in a header.
fn token_in_fragment(hash: &str) -> Option<&str> {
    let token = hash.strip_prefix("#token=")?;
    (!token.is_empty() && token.len() <= 128 && token.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(token)
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

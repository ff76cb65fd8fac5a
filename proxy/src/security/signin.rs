//! `/signin`: how a frame in a portal page that holds no token signs in. The frame opens
//! this page in a popup, a top-level window on ktop-web's own origin, where the cookie from
//! the startup link is sent even though third-party cookies are blocked. The page carries a
//! fresh frame credential and `/signin.js` hands it to `window.opener`, addressed to
//! ktop-web's own origin, so only a ktop-web frame can receive it.
//!
//! Only a browser signed in by the cookie gets one, and only when ktop-web's own page opened
//! this one (`Sec-Fetch-Site: same-origin`): another site, or another port of this host,
//! gets nothing to hand on.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::frame_credential::FrameCredentials;

/// The page that hands a frame its credential.
pub const PAGE_PATH: &str = "/signin";
/// Its script, which holds nothing secret.
pub const SCRIPT_PATH: &str = "/signin.js";

const SCRIPT: &str = include_str!("signin.js");

/// What `/signin` answers.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Mint a credential into the page.
    Mint,
    /// Not signed in: the usual page on how to get in.
    SignedOut,
    /// Signed in, but opened by something other than ktop-web's own page.
    Refused,
}

/// The decision on whether the browser holds the cookie and who opened the page.
pub fn decide(signed_in: bool, headers: &HeaderMap) -> Decision {
    if !signed_in {
        return Decision::SignedOut;
    }
    let mut site = headers.get_all("sec-fetch-site").iter();
    match (site.next().map(|v| v.as_bytes()), site.next()) {
        (Some(b"same-origin"), None) => Decision::Mint,
        _ => Decision::Refused,
    }
}

/// The page for [`Decision::Mint`] (a fresh credential in it) or [`Decision::Refused`].
pub fn page(decision: Decision, credentials: &FrameCredentials) -> Response {
    let (status, credential) = match decision {
        Decision::Mint => {
            tracing::info!(
                valid_for_s = super::frame_credential::LIFETIME.as_secs(),
                "a frame credential was issued"
            );
            (StatusCode::OK, Some(credentials.mint()))
        }
        Decision::Refused | Decision::SignedOut => (StatusCode::FORBIDDEN, None),
    };
    let (head, text) = match credential {
        Some(c) => (
            format!(
                "<meta name=\"ktop-web-credential\" content=\"{c}\">\n\
                 <script src=\"{SCRIPT_PATH}\" defer></script>"
            ),
            "Signing the embedded ktop-web in…",
        ),
        None => (
            String::new(),
            "Sign-in is handed only to ktop-web's own frames: use the \"Sign in to your ktop-web\" button of an embedded view.",
        ),
    };
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>ktop-web: sign in</title>\n\
         {head}\n</head>\n<body>\n<p id=\"signin\">{text}</p>\n</body>\n</html>\n"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `/signin.js`.
pub fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_a_signed_in_browser_opened_by_ktop_web_itself_gets_a_credential() {
        let own = headers(&[("sec-fetch-site", "same-origin")]);
        assert_eq!(decide(true, &own), Decision::Mint);
        assert_eq!(decide(false, &own), Decision::SignedOut);
        for pairs in [
            &[][..],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "none")],
            &[("sec-fetch-site", "Same-Origin")],
            &[
                ("sec-fetch-site", "same-origin"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            assert_eq!(
                decide(true, &headers(pairs)),
                Decision::Refused,
                "{pairs:?}"
            );
            assert_eq!(decide(false, &headers(pairs)), Decision::SignedOut);
        }
    }

    #[tokio::test]
    async fn the_page_carries_a_working_credential_only_when_minted() {
        let store = FrameCredentials::default();
        let response = page(Decision::Mint, &store);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let html = crate::http::body_text(response).await;
        let credential = html
            .split_once(r#"<meta name="ktop-web-credential" content=""#)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(c, _)| c.to_owned())
            .expect("a credential in the page");
        assert!(store.matches(&credential));
        assert!(html.contains(r#"<script src="/signin.js" defer></script>"#));
        assert!(!html.contains("<script>"), "no inline script: {html}");

        let response = page(Decision::Refused, &store);
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let html = crate::http::body_text(response).await;
        assert!(
            !html.contains("ktop-web-credential") && !html.contains("<script"),
            "{html}"
        );
    }

    #[tokio::test]
    async fn the_script_posts_to_its_own_origin_only() {
        let response = script();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let js = crate::http::body_text(response).await;
        assert!(
            js.contains(
                "window.opener.postMessage({ ktopWebCredential: credential }, location.origin)"
            ),
            "{js}"
        );
        assert!(!js.contains("'*'") && !js.contains("\"*\""), "{js}");
    }
}

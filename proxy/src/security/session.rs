//! Who may see data: requests carrying the access token, as a cookie (set once from the
//! startup URL's `?token=`) or an `Authorization: Bearer` header, or a frame's short-lived
//! credential from `/signin` as a Bearer header.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Policy, is_api, signin};
use crate::http::error;

/// One body for a missing and a wrong token, so the answer tells an attacker nothing.
const UNAUTHORIZED: &str = "Missing or invalid ktop-web access token.";
const UNAUTHORIZED_HINT: &str = "Open the link ktop-web printed when it started (it ends in ?token=…), or run `ktop-web --print-url` to see it again.";

/// Lets authenticated requests through, swaps a valid `?token=` for a cookie, serves the
/// built app's static files to anyone (they hold no data), and explains how to get in
/// otherwise. An embed page (`?embed=1`) gets the app without a cookie: inside a portal's
/// frame cookies may be blocked, and the embed brings its token in the URL fragment, which
/// the app sends as a Bearer header, or signs in through `/signin`; the page itself holds no
/// data.
pub async fn require_token(
    State(policy): State<Arc<Policy>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if super::is_probe(path) {
        return next.run(request).await;
    }
    let api = is_api(path);
    if !api && let Some((presented, rest)) = split_token(request.uri().query()) {
        if !policy.token.matches(presented) {
            return login_page();
        }
        return swap_for_cookie(&policy, path, &rest);
    }
    if path == signin::SCRIPT_PATH {
        return signin::script();
    }
    if path == signin::PAGE_PATH {
        // Only the cookie counts: it is what a top-level window that the startup link
        // signed in sends, and a frame credential must not renew itself.
        return match signin::decide(has_cookie(request.headers(), &policy), request.headers()) {
            signin::Decision::SignedOut => login_page(),
            decision => signin::page(decision, &policy.frame_credentials),
        };
    }
    if presents_token(request.headers(), &policy) {
        return next.run(request).await;
    }
    if api {
        return error(
            StatusCode::UNAUTHORIZED,
            UNAUTHORIZED,
            Some(UNAUTHORIZED_HINT),
        );
    }
    if is_static_file(path) || is_embed(request.uri().query()) {
        return next.run(request).await;
    }
    login_page()
}

/// The cookie name carries the port: cookies ignore ports, and two ktop-webs on one machine
/// must not overwrite each other's.
pub fn cookie_name(port: u16) -> String {
    format!("ktop_web_token_{port}")
}

fn presents_token(headers: &HeaderMap, policy: &Policy) -> bool {
    let mut auth = headers.get_all(header::AUTHORIZATION).iter();
    if let Some(first) = auth.next() {
        // An Authorization header that is present but wrong (or repeated) fails, even with a
        // good cookie.
        return auth.next().is_none()
            && first
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .is_some_and(|t| policy.token.matches(t) || policy.frame_credentials.matches(t));
    }
    has_cookie(headers, policy)
}

/// The access token's cookie, as the startup link set it.
fn has_cookie(headers: &HeaderMap, policy: &Policy) -> bool {
    let name = cookie_name(policy.port);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && policy.token.matches(v))
}

/// Finds `token=…` in a raw query and returns it with the rest of the query, untouched.
fn split_token(query: Option<&str>) -> Option<(&str, String)> {
    let query = query?;
    let mut token = None;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("token=") {
            Some(t) if token.is_none() => token = Some(t),
            _ if pair == "token" || pair.starts_with("token=") => return Some(("", String::new())),
            _ => rest.push(pair),
        }
    }
    token.map(|t| (t, rest.join("&")))
}

fn swap_for_cookie(policy: &Policy, path: &str, rest: &str) -> Response {
    // The path passed the path guard, so it does not start with `//` and stays on this host.
    let location = if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{rest}")
    };
    let cookie = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000",
        cookie_name(policy.port),
        policy.token.reveal()
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let h = response.headers_mut();
    if let (Ok(location), Ok(cookie)) = (
        HeaderValue::from_str(&location),
        HeaderValue::from_str(&cookie),
    ) {
        h.insert(header::LOCATION, location);
        h.insert(header::SET_COOKIE, cookie);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `embed=1` among the query parameters.
fn is_embed(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|pair| pair == "embed=1"))
}

/// Built assets (`.js`, `.wasm`, `.css`, icons); HTML pages are app routes and need the token.
fn is_static_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.contains('.') && !last.ends_with(".html")
}

fn login_page() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LOGIN_PAGE,
    )
        .into_response()
}

const LOGIN_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>ktop-web: access token needed</title>
</head>
<body>
<main id="token-needed">
<h1>This ktop-web needs its access token</h1>
<p>ktop-web shows cluster data only to browsers that opened the link it printed when it
started. That link ends in <code>?token=…</code>; opening it once keeps this browser signed
in, and bookmarks like this one work from then on.</p>
<ol>
<li>In the terminal where ktop-web runs, find the line
<code>ktop-web: … → open http://127.0.0.1:…/?token=…</code> and open that link.</li>
<li>Lost it? Run <code>ktop-web --print-url</code> as the same user on the same machine.</li>
<li>Then open this bookmark again.</li>
</ol>
<p>If the token was replaced with <code>--rotate-token</code>, links and cookies with the old
one stop working; use the new link.</p>
</main>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_cut_from_the_query_and_the_rest_kept_verbatim() {
        assert_eq!(split_token(None), None);
        assert_eq!(split_token(Some("ns=shop")), None);
        assert_eq!(split_token(Some("token=abc")), Some(("abc", String::new())));
        assert_eq!(
            split_token(Some("ns=shop&token=abc&q=a%20b+c")),
            Some(("abc", "ns=shop&q=a%20b+c".to_owned()))
        );
        // Two tokens, or a bare `token`, never pick one silently.
        assert_eq!(
            split_token(Some("token=a&token=b")),
            Some(("", String::new()))
        );
        assert_eq!(split_token(Some("token")), Some(("", String::new())));
        assert_eq!(split_token(Some("tokens=x")), None);
    }

    #[test]
    fn embed_pages_are_named_by_an_exact_parameter() {
        assert!(is_embed(Some("embed=1")));
        assert!(is_embed(Some("sort=cpu&embed=1")));
        for other in [
            None,
            Some(""),
            Some("embed=0"),
            Some("xembed=1"),
            Some("embed=10"),
        ] {
            assert!(!is_embed(other), "{other:?}");
        }
    }

    #[test]
    fn static_files_versus_pages() {
        assert!(is_static_file("/ktop-web-frontend-4f2a_bg.wasm"));
        assert!(is_static_file("/style-9a.css"));
        assert!(!is_static_file("/"));
        assert!(!is_static_file("/pods"));
        assert!(!is_static_file("/index.html"));
    }
}

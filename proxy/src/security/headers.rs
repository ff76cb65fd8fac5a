//! Security headers on every response, rejections included.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{Policy, is_api};

/// The Content-Security-Policy: our own scripts and wasm only, framed by nobody or exactly
/// the `--embed-origin` list.
pub fn content_security_policy(embed_origins: &[String]) -> String {
    let ancestors = if embed_origins.is_empty() {
        "'none'".to_owned()
    } else {
        embed_origins.join(" ")
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
    )
}

/// Adds CSP, nosniff, no-referrer, resource and framing policy; `no-store` on the API.
pub async fn add(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&policy.csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if policy.embed_origins.is_empty() {
        // For browsers that predate frame-ancestors; it cannot express an allowlist.
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Checks an `--embed-origin` value: exactly `http(s)://host[:port]`, no wildcard, no path.
pub fn parse_embed_origin(s: &str) -> Result<String, String> {
    let refuse = |why: &str| {
        Err(format!(
            "--embed-origin {s:?} {why}: give one exact origin such as https://portal.example.com"
        ))
    };
    if s.contains('*') {
        return refuse("contains a wildcard");
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return refuse("has no scheme");
    };
    if scheme != "http" && scheme != "https" {
        return refuse("must use http or https");
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return refuse("names no host");
    }
    if rest.contains(['/', '?', '#', '@', ' ', '\'', ';', ',']) {
        return refuse("must not have a path, query, user or separators");
    }
    match super::host::parse_allowed_host(rest) {
        Ok(host) => Ok(format!("{scheme}://{host}")),
        Err(_) => refuse("names no valid host"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_frames_nobody_by_default_and_exactly_the_list_otherwise() {
        let none = content_security_policy(&[]);
        assert!(none.contains("frame-ancestors 'none'"), "{none}");
        assert!(none.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"));
        let some =
            content_security_policy(&["https://a.example".into(), "http://b.example:8080".into()]);
        assert!(
            some.ends_with("frame-ancestors https://a.example http://b.example:8080"),
            "{some}"
        );
    }

    #[test]
    fn embed_origins_are_exact() {
        assert_eq!(
            parse_embed_origin("https://Portal.Example.com/"),
            Ok("https://portal.example.com".into())
        );
        assert_eq!(
            parse_embed_origin("http://127.0.0.1:8080"),
            Ok("http://127.0.0.1:8080".into())
        );
        for bad in [
            "*",
            "https://*",
            "https://*.example.com",
            "https:",
            "https://",
            "portal.example.com",
            "ftp://x.example",
            "https://x.example/path",
            "https://u@x.example",
            "https://x.example?q",
            "https://a.example https://b.example",
            "data:",
            "'self'",
            "https://x.example;script-src",
        ] {
            assert!(parse_embed_origin(bad).is_err(), "{bad}");
        }
    }
}

//! Identity headers a browser never sends. ktop-web builds every upstream request itself, so
//! they could not reach the API server anyway; refusing them makes probing visible.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::reject;

/// Header name prefixes that carry identity to a Kubernetes API server.
const REFUSED_PREFIXES: [&str; 2] = ["impersonate-", "x-remote-"];

/// Refuses requests carrying `Impersonate-*` or `X-Remote-*` headers with 400.
pub async fn refuse_identity_headers(request: Request, next: Next) -> Response {
    if carries_identity(request.headers()) {
        return reject(
            request.uri().path(),
            StatusCode::BAD_REQUEST,
            "Impersonate-* and X-Remote-* headers are not accepted.",
        );
    }
    next.run(request).await
}

fn carries_identity(headers: &HeaderMap) -> bool {
    headers
        .keys()
        .any(|k| REFUSED_PREFIXES.iter().any(|p| k.as_str().starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn impersonation_and_remote_user_headers_are_spotted() {
        for name in [
            "impersonate-user",
            "impersonate-group",
            "impersonate-extra-scopes",
            "x-remote-user",
            "x-remote-group",
        ] {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_static("system:admin"));
            assert!(carries_identity(&h), "{name}");
        }
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        h.insert("accept", HeaderValue::from_static("application/json"));
        assert!(!carries_identity(&h));
    }
}

//! Cross-origin reads of `/api/*`: only this server's own pages may make them. Cookies are
//! SameSite=Strict, but "site" ignores ports, so another localhost port would still send
//! them; this check is what stops it. An `--embed-origin` portal only frames ktop-web: the
//! framed page's fetches are same-origin, so the portal's own origin is refused here too.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{is_api, reject};

/// Refuses `/api/*` requests from other origins.
pub async fn same_origin_api(request: Request, next: Next) -> Response {
    if is_api(request.uri().path()) && !allowed(request.headers()) {
        return reject(
            request.uri().path(),
            StatusCode::FORBIDDEN,
            "Cross-origin requests to the ktop-web API are refused.",
        );
    }
    next.run(request).await
}

/// The decision, on headers alone (the Host header has already been checked).
pub fn allowed(headers: &HeaderMap) -> bool {
    let Some(host) = single(headers, header::HOST) else {
        return false;
    };
    let origin = match headers.get_all(header::ORIGIN).iter().count() {
        0 => None,
        1 => match single(headers, header::ORIGIN) {
            Some(o) => Some(o),
            None => return false,
        },
        _ => return false,
    };
    // TLS may be terminated in front of an --allowed-host, so both schemes are "own".
    let own = |o: &str| o == format!("http://{host}") || o == format!("https://{host}");
    let origin_ok = origin.is_none_or(own);
    let site_ok = match headers.get_all("sec-fetch-site").iter().count() {
        0 => true,
        1 => matches!(
            single(headers, "sec-fetch-site"),
            Some("same-origin" | "none")
        ),
        _ => false,
    };
    origin_ok && site_ok
}

fn single(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(pairs: &[(&'static str, &'static str)]) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("localhost:7301"));
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        allowed(&h)
    }

    #[test]
    fn own_pages_pass() {
        assert!(check(&[]));
        assert!(check(&[("sec-fetch-site", "same-origin")]));
        assert!(check(&[("sec-fetch-site", "none")]));
        assert!(check(&[("origin", "http://localhost:7301")]));
        assert!(check(&[("origin", "https://localhost:7301")]));
    }

    #[test]
    fn other_origins_and_sites_fail() {
        for pairs in [
            &[("origin", "http://localhost:8080")][..],
            &[("origin", "http://127.0.0.1:7301")],
            &[("origin", "null")],
            &[("origin", "https://portal.corp.example")],
            &[
                ("origin", "https://portal.corp.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            &[
                ("origin", "http://localhost:7301"),
                ("origin", "http://localhost:7301"),
            ],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
            &[
                ("origin", "http://localhost:7301"),
                ("sec-fetch-site", "cross-site"),
            ],
            &[
                ("sec-fetch-site", "same-origin"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            assert!(!check(pairs), "{pairs:?}");
        }
    }
}

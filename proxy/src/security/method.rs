//! Read-only by construction: every method but GET and HEAD is refused before routing.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::reject;

/// Passes GET and HEAD; anything else gets 405 with `Allow: GET, HEAD`. No CORS preflight is
/// ever needed: embedded views fetch from their own (ktop-web's) origin.
pub async fn read_only(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let mut response = reject(
        request.uri().path(),
        StatusCode::METHOD_NOT_ALLOWED,
        "ktop-web is read-only: only GET and HEAD are served.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
    response.into_response()
}

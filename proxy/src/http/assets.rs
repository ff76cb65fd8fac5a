//! The frontend, embedded in the binary at build time (see build.rs), so the binary alone
//! serves everything from any directory.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$KTOP_WEB_ASSETS"]
struct Assets;

/// Serves a file, or `index.html` for app routes such as `/pods`.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        // Trunk names assets by content hash, so they never change under the same name.
        let cache = if path.ends_with(".html") {
            "no-cache"
        } else {
            "public, max-age=31536000, immutable"
        };
        return (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
            file.data,
        )
            .into_response();
    }
    // A path with an extension is a file that does not exist; anything else is an app route.
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Assets::get("index.html") {
        Some(index) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            index.data,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "the web UI was not built into this binary",
        )
            .into_response(),
    }
}

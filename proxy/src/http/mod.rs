//! The HTTP server: the JSON API under `/api/v1` and the embedded single-page app.

mod api;
mod assets;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;

use crate::cluster_view::ClusterView;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The context served when a URL names none.
    pub current: String,
    /// Served clusters by context name.
    pub clusters: Arc<BTreeMap<String, Arc<ClusterView>>>,
}

/// All routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::routes())
        .fallback(assets::serve)
        .with_state(state)
        // Snapshots of large clusters are megabytes of repetitive JSON; gzip takes ~10x off.
        .layer(CompressionLayer::new())
}

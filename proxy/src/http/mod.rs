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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::ObjectCache;
    use crate::source::{DemoCluster, MetricsSource, SourceSelector};
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use ktop_web_shared::api::{ApiError, ClusterInfo, ContextList, Snapshot, SourceMode};
    use std::time::Duration;
    use tower::ServiceExt;

    fn app() -> Router {
        let demo = DemoCluster::new(1_800_000_000);
        let (nodes, pods) = demo.objects();
        let source: Arc<dyn MetricsSource> = Arc::new(demo);
        let info = ClusterInfo {
            context: "demo".into(),
            server: "simulated".into(),
            user: "demo".into(),
            namespace: None,
            refresh_ms: 5000,
            history: 120,
            demo: true,
        };
        let selector =
            SourceSelector::new(SourceMode::Demo, None, Some(source), Duration::from_secs(5));
        let view = ClusterView::new(info, ObjectCache::with_rows(nodes, pods), selector, vec![]);
        router(AppState {
            current: "demo".into(),
            clusters: Arc::new(BTreeMap::from([("demo".to_owned(), Arc::new(view))])),
        })
    }

    async fn get(
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = app()
            .oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    #[tokio::test]
    async fn lists_contexts() {
        let (status, headers, body) = get("/api/v1/contexts", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let list: ContextList = serde_json::from_slice(&body).expect("json");
        assert_eq!(list.current, "demo");
        assert_eq!(list.contexts, vec!["demo"]);
    }

    #[tokio::test]
    async fn serves_snapshots_gzipped_on_request() {
        let (status, headers, body) = get("/api/v1/contexts/demo/snapshot", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let snap: Snapshot = serde_json::from_slice(&body).expect("json");
        assert_eq!(snap.nodes.len(), 5);
        let (_, headers, zipped) = get(
            "/api/v1/contexts/demo/snapshot",
            &[("accept-encoding", "gzip")],
        )
        .await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert!(
            zipped.len() * 4 < body.len(),
            "{} vs {}",
            zipped.len(),
            body.len()
        );
    }

    #[tokio::test]
    async fn unknown_context_and_route_are_json_404s() {
        for path in ["/api/v1/contexts/prod/snapshot", "/api/v1/secrets"] {
            let (status, _, body) = get(path, &[]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            let err: ApiError = serde_json::from_slice(&body).expect("json error body");
            assert!(!err.message.is_empty());
        }
    }

    #[tokio::test]
    async fn app_routes_get_the_page_and_missing_files_404() {
        let (status, headers, body) = get("/pods", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html")
        );
        assert!(
            String::from_utf8_lossy(&body)
                .to_lowercase()
                .contains("<html")
                || !body.is_empty()
        );
        let (status, _, _) = get("/missing.wasm", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = get("/healthz", &[]).await;
        assert_eq!(
            (status, body.as_slice()),
            (StatusCode::OK, b"ok".as_slice())
        );
    }
}

//! `/api/v1`: contexts and snapshots, as JSON in the shared wire types.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ktop_web_shared::api::{ApiError, ContextList};

use super::AppState;
use crate::cluster_view::SnapshotError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contexts", get(contexts))
        .route("/contexts/{context}/snapshot", get(snapshot))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "No such API route.", None) })
}

/// A JSON error body with a status.
pub fn error(status: StatusCode, message: &str, hint: Option<&str>) -> Response {
    let body = ApiError {
        message: message.to_owned(),
        hint: hint.map(str::to_owned),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn contexts(State(state): State<AppState>) -> Response {
    let list = ContextList {
        current: state.current.clone(),
        contexts: state.clusters.keys().cloned().collect(),
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(list)).into_response()
}

async fn snapshot(State(state): State<AppState>, Path(context): Path<String>) -> Response {
    let Some(view) = state.clusters.get(&context) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("Context {context:?} is not served by this ktop-web."),
            Some("Start ktop-web with --context to choose the context."),
        );
    };
    match view.snapshot_json().await {
        Ok(json) => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json,
        )
            .into_response(),
        Err(SnapshotError::NotSynced(message)) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            &message,
            Some(
                "ktop-web retries on its own; check RBAC for get/list/watch on nodes and pods if this persists.",
            ),
        ),
        Err(e @ SnapshotError::Encode(_)) => {
            tracing::error!(error = %e, "snapshot failed");
            error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), None)
        }
    }
}

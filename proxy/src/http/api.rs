//! `/api/v1`: contexts, snapshots and the drill-down reads (node, pod, events, logs), as JSON
//! in the shared wire types; and frames, the compact form of snapshots.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ktop_web_shared::api::{
    ApiError, ContextList, FRAME_CONTENT_TYPE, FRAME_TAKEN_HEADER, ViewerAccess,
};
use ktop_web_shared::history::HistoryQuery;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use super::AppState;
use crate::clock::unix_ms;
use crate::cluster_view::{AccessError, ClusterView, SelectionError, SnapshotError};
use crate::clusters::ClusterError;
use crate::frames::{Position, Reply};
use crate::history::HistoryError;
use crate::reads::{EventQuery, LogQuery, LogRequest, ReadError, Reads};
use crate::security::Viewer;

/// The API routes; each names the query parameters it accepts, and refuses others. Paths
/// none of them takes fall through to the router's fallback, which answers [`not_found`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contexts", get(contexts))
        .route("/contexts/{context}/snapshot", get(snapshot))
        .route("/contexts/{context}/frames", get(frames))
        .route("/contexts/{context}/history", get(history))
        .route("/contexts/{context}/nodes/{name}", get(node))
        .route("/contexts/{context}/pods", get(selected_pods))
        .route("/contexts/{context}/quotas", get(quotas))
        .route(
            "/contexts/{context}/namespaces/{namespace}/pods/{pod}",
            get(pod),
        )
        .route(
            "/contexts/{context}/namespaces/{namespace}/events",
            get(events),
        )
        .route(
            "/contexts/{context}/namespaces/{namespace}/pods/{pod}/log",
            get(pod_log),
        )
}

/// The answer to any path under `/api` that no route takes.
pub fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "No such API route.", None)
}

/// A JSON error body with a status.
pub fn error(status: StatusCode, message: &str, hint: Option<&str>) -> Response {
    let body = ApiError {
        message: message.to_owned(),
        hint: hint.map(str::to_owned),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// A handler's refusal, answered as [`error`].
struct Refusal {
    status: StatusCode,
    message: String,
    hint: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>, hint: Option<&'static str>) -> Self {
        Self {
            status,
            message: message.into(),
            hint,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error(self.status, &self.message, self.hint)
    }
}

impl From<ReadError> for Refusal {
    fn from(e: ReadError) -> Self {
        let (status, hint) = match &e {
            ReadError::BadRequest(_) => (StatusCode::BAD_REQUEST, None),
            ReadError::NotFound(_) => (StatusCode::NOT_FOUND, None),
            ReadError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                Some(
                    "Check RBAC: ktop-web needs get on nodes, pods, pods/log and list on events (see the README).",
                ),
            ),
            ReadError::Timeout => (
                StatusCode::GATEWAY_TIMEOUT,
                Some(
                    "Check the API server and your credentials (`kubectl get --raw /version`); if a credential plugin is waiting for a login, finish it.",
                ),
            ),
            ReadError::Upstream(_) => (StatusCode::BAD_GATEWAY, None),
        };
        Refusal::new(status, e.to_string(), hint)
    }
}

impl From<HistoryError> for Refusal {
    fn from(e: HistoryError) -> Self {
        let (status, hint) = match &e {
            HistoryError::BadRequest(_) => (StatusCode::BAD_REQUEST, None),
            HistoryError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                Some(
                    "Ask your cluster admin for the rights named above; the live view does not need them.",
                ),
            ),
            HistoryError::NoSource(_) => (
                StatusCode::NOT_FOUND,
                Some(
                    "Start ktop-web with --history-source URL (Prometheus, Thanos, Mimir's /prometheus, VictoriaMetrics) or --history-source service:NAMESPACE/NAME:PORT; the live view works without it.",
                ),
            ),
            HistoryError::Unreachable(_) | HistoryError::Answer(_) => (
                StatusCode::BAD_GATEWAY,
                Some(
                    "Check that the history source runs and that --history-source names its query API; the live view keeps working.",
                ),
            ),
            HistoryError::Slow { .. } => (
                StatusCode::GATEWAY_TIMEOUT,
                Some(
                    "The history source is slow; try a shorter range. The live view keeps working.",
                ),
            ),
        };
        Refusal::new(status, e.to_string(), hint)
    }
}

/// For routes that take no query parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// Parses the query into `T`, refusing unknown or repeated parameters.
fn strict_query<T: DeserializeOwned>(uri: &Uri) -> Result<T, Refusal> {
    serde_urlencoded::from_str(uri.query().unwrap_or_default()).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("Bad query parameters: {e}."),
            None,
        )
    })
}

async fn cluster(state: &AppState, context: &str) -> Result<Arc<ClusterView>, Refusal> {
    state.clusters.get(context).await.map_err(|e| match e {
        ClusterError::Unknown(_) => Refusal::new(
            StatusCode::NOT_FOUND,
            format!("Context {context:?} is not served by this ktop-web."),
            Some("Pick one of the kubeconfig's contexts (the context switcher lists them)."),
        ),
        ClusterError::Unavailable { .. } => Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.to_string(),
            Some(
                "Check the context with kubectl (kubectl --context NAME get nodes); ktop-web tries again in 15 s.",
            ),
        ),
    })
}

async fn contexts(State(state): State<AppState>, uri: Uri) -> Result<Response, Refusal> {
    strict_query::<NoParams>(&uri)?;
    let list = ContextList {
        current: state.clusters.current().to_owned(),
        contexts: state.clusters.names(),
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(list)).into_response())
}

async fn snapshot(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(context): Path<String>,
    uri: Uri,
) -> Result<Response, Refusal> {
    strict_query::<NoParams>(&uri)?;
    let view = cluster(&state, &context).await?;
    let access = access(&view, viewer).await?;
    match view.snapshot_json(access.as_ref()).await {
        Ok(json) => Ok((
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json,
        )
            .into_response()),
        Err(e) => Err(not_synced(e)),
    }
}

/// `?after=EPOCH.SEQ`: the frame the viewer holds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FramesQuery {
    after: Option<String>,
}

/// `GET …/frames[?after=EPOCH.SEQ]`: the frame that brings a viewer up to date (see
/// `ktop_web_shared::frame`), waiting up to a refresh interval when it already holds the
/// newest; 204 when none came meanwhile. Sent gzipped as made, to every viewer alike.
async fn frames(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(context): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Refusal> {
    let arrived = tokio::time::Instant::now();
    let query = strict_query::<FramesQuery>(&uri)?;
    let after = query.after.as_deref().map(parse_position).transpose()?;
    let view = cluster(&state, &context).await?;
    let access = access(&view, viewer).await?;
    let frame = match view
        .frames(after, access.as_ref())
        .await
        .map_err(not_synced)?
    {
        Reply::NothingNew => {
            return Ok((
                StatusCode::NO_CONTENT,
                [(header::CACHE_CONTROL, "no-store")],
            )
                .into_response());
        }
        Reply::Frame(frame) => frame,
    };
    let gzip_ok = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|e| e.trim().split(';').next() == Some("gzip"))
        });
    let (body, encoding) = match (&frame.gzip, gzip_ok) {
        (Some(gz), true) => (gz.clone(), Some("gzip")),
        _ => (frame.raw.clone(), None),
    };
    let mut response = (
        [
            (
                FRAME_TAKEN_HEADER,
                taken_offset_ms(arrived, frame.taken).to_string(),
            ),
            (header::CONTENT_TYPE.as_str(), FRAME_CONTENT_TYPE.to_owned()),
            (header::CACHE_CONTROL.as_str(), "no-store".to_owned()),
            (header::VARY.as_str(), "accept-encoding".to_owned()),
        ],
        body,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    Ok(response)
}

/// How many milliseconds after `arrived` a snapshot was `taken` (negative: before).
fn taken_offset_ms(arrived: tokio::time::Instant, taken: tokio::time::Instant) -> i64 {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    if taken >= arrived {
        ms(taken - arrived)
    } else {
        -ms(arrived - taken)
    }
}

/// `EPOCH.SEQ`, two whole numbers.
fn parse_position(text: &str) -> Result<Position, Refusal> {
    text.split_once('.')
        .and_then(|(e, s)| Some((e.parse().ok()?, s.parse().ok()?)))
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("Bad after={text:?}: expected EPOCH.SEQ, two whole numbers."),
                None,
            )
        })
}

/// No snapshot: the objects are not listed yet (503), or it could not be encoded (500).
fn not_synced(e: SnapshotError) -> Refusal {
    match e {
        SnapshotError::NotSynced(message) => Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            message,
            Some(
                "ktop-web retries on its own; check RBAC for get/list/watch on nodes and pods if this persists.",
            ),
        ),
        SnapshotError::Encode(_) | SnapshotError::Frame(_) => {
            tracing::error!(error = %e, "snapshot failed");
            Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), None)
        }
    }
}

/// `GET …/quotas`: the ResourceQuotas of the namespaces the viewer sees, as watched.
async fn quotas(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(context): Path<String>,
    uri: Uri,
) -> Result<Response, Refusal> {
    strict_query::<NoParams>(&uri)?;
    let view = cluster(&state, &context).await?;
    let access = access(&view, viewer).await?;
    let list = view.quotas(access.as_ref()).map_err(|e| {
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.to_string(),
            Some(
                "ktop-web needs list and watch on resourcequotas for this (see the README); the other views do not.",
            ),
        )
    })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(list)).into_response())
}

/// A range of history (`?range=24h&points=600&namespace=…&pod=…`, see [`HistoryQuery`]).
async fn history(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(context): Path<String>,
    uri: Uri,
) -> Result<Response, Refusal> {
    let query: HistoryQuery = strict_query(&uri)?;
    let view = cluster(&state, &context).await?;
    let reader = view.history().ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "This cluster has no history source.",
            None,
        )
    })?;
    let access = within_scope(
        access(&view, viewer.clone()).await?,
        view.info().namespace.as_deref(),
    );
    let own = view.reads();
    let as_viewer = match own {
        Some(reads) => Some(reads.for_viewer(viewer.as_deref()).await?),
        None => None,
    };
    let history = reader
        .read(
            &query,
            access.as_ref(),
            own,
            as_viewer.as_ref(),
            unix_ms() / 1000,
        )
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(history)).into_response())
}

/// `access` narrowed to `scope`, the one namespace ktop-web serves with `-n`: the live view
/// shows its pods only, and so does history.
fn within_scope(access: Option<ViewerAccess>, scope: Option<&str>) -> Option<ViewerAccess> {
    let Some(scope) = scope else {
        return access;
    };
    let access = access.unwrap_or(ViewerAccess {
        nodes: true,
        namespaces: None,
    });
    let sees_scope = access
        .namespaces
        .as_ref()
        .is_none_or(|list| list.iter().any(|ns| ns == scope));
    Some(ViewerAccess {
        nodes: access.nodes,
        namespaces: Some(if sees_scope {
            vec![scope.to_owned()]
        } else {
            Vec::new()
        }),
    })
}

/// What `viewer` may see of `view` (see [`ClusterView::access`]).
async fn access(
    view: &ClusterView,
    viewer: Option<Extension<Viewer>>,
) -> Result<Option<ViewerAccess>, Refusal> {
    view.access(viewer.as_deref()).await.map_err(|e| match e {
        AccessError::NotSynced(e) => not_synced(e),
        AccessError::Read(e) => e.into(),
    })
}

/// The context's on-demand reads (the demo has none), made for `viewer` (see
/// [`Reads::for_viewer`]).
async fn reads(
    state: &AppState,
    context: &str,
    viewer: Option<Extension<Viewer>>,
) -> Result<Reads, Refusal> {
    let view = cluster(state, context).await?;
    let reads = view.reads().ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "This cluster has no details, events or logs.",
            None,
        )
    })?;
    Ok(reads.for_viewer(viewer.as_deref()).await?)
}

async fn node(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path((context, name)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, Refusal> {
    strict_query::<NoParams>(&uri)?;
    let detail = reads(&state, &context, viewer).await?.node(&name).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(detail)).into_response())
}

async fn pod(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path((context, namespace, pod)): Path<(String, String, String)>,
    uri: Uri,
) -> Result<Response, Refusal> {
    strict_query::<NoParams>(&uri)?;
    let detail = reads(&state, &context, viewer)
        .await?
        .pod(&namespace, &pod)
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(detail)).into_response())
}

/// `?selector=app%3Dcart`; anything else is refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectorQuery {
    selector: String,
}

async fn selected_pods(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(context): Path<String>,
    uri: Uri,
) -> Result<Response, Refusal> {
    let query = strict_query::<SelectorQuery>(&uri)?;
    let view = cluster(&state, &context).await?;
    let access = access(&view, viewer).await?;
    match view.selected_pods(query.selector.trim(), access.as_ref()) {
        Ok(selected) => Ok(([(header::CACHE_CONTROL, "no-store")], Json(selected)).into_response()),
        Err(SelectionError::Selector(e)) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            e.to_string(),
            Some(
                "Label selectors are written as kubectl takes them: app=cart,tier in (front,edge),!canary",
            ),
        )),
        Err(SelectionError::NotSynced(e)) => Err(not_synced(e)),
    }
}

async fn events(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path((context, namespace)): Path<(String, String)>,
    uri: Uri,
) -> Result<Response, Refusal> {
    let query = strict_query::<EventQuery>(&uri)?;
    let list = reads(&state, &context, viewer)
        .await?
        .events(&namespace, &query)
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(list)).into_response())
}

async fn pod_log(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path((context, namespace, pod)): Path<(String, String, String)>,
    uri: Uri,
) -> Result<Response, Refusal> {
    // Names and parameters first: a malformed request is a 400 whatever the context.
    let request = LogRequest::new(&namespace, &pod, &strict_query::<LogQuery>(&uri)?)?;
    let text = reads(&state, &context, viewer)
        .await?
        .logs(&request)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_with_n_covers_that_namespace_only() {
        let everything = within_scope(None, Some("shop")).expect("narrowed");
        assert_eq!(everything.namespaces, Some(vec!["shop".to_owned()]));
        assert!(everything.nodes);
        let alice = ViewerAccess {
            nodes: false,
            namespaces: Some(vec!["ops".into()]),
        };
        let none = within_scope(Some(alice.clone()), Some("shop")).expect("narrowed");
        assert_eq!(none.namespaces, Some(Vec::new()));
        assert_eq!(within_scope(Some(alice.clone()), None), Some(alice));
        assert_eq!(within_scope(None, None), None);
    }
}

//! Reads made on demand for the drill-down views (node, pod, events, logs), each built from
//! validated names, bounded, and under one deadline that includes kube's own retries.

mod events;
mod logs;
mod node_detail;
mod pod_detail;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::AsyncReadExt;
use k8s_openapi::api::core::v1::{Event, Node, Pod, Service};
use ktop_web_shared::detail::{EventList, NodeDetail, PodDetail};
use kube::Api;
use kube::api::ListParams;

pub use events::EventQuery;
use events::EventRequest;
pub use logs::{LogQuery, LogRequest};

use crate::clock::unix_ms;
use crate::kube_clients::Clients;
use crate::kube_error::{describe, status_code};
use crate::security::{Viewer, names};
use crate::source::{DemoCluster, Refusal};
use crate::viewer_clients::ViewerClients;

/// Longest an on-demand read may take, kube's retries included.
pub const READ_DEADLINE: Duration = Duration::from_secs(10);

/// Why a read gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A name or parameter is malformed; nothing was sent upstream.
    #[error("{0}")]
    BadRequest(String),
    /// Outside the namespace this ktop-web serves, or no such object.
    #[error("{0}")]
    NotFound(String),
    /// RBAC denies the read.
    #[error("{0}")]
    Forbidden(String),
    /// The API server did not answer in time.
    #[error("the API server did not answer within {}s", READ_DEADLINE.as_secs())]
    Timeout,
    /// Anything else upstream.
    #[error("{0}")]
    Upstream(String),
}

/// A node or pod condition for the wire; empty reasons and messages are left out. A macro
/// because `NodeCondition` and `PodCondition` share their fields but no trait.
macro_rules! condition_detail {
    ($c:expr) => {{
        let c = $c;
        let text = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        ktop_web_shared::detail::ConditionDetail {
            kind: c.type_.clone(),
            status: c.status.clone(),
            reason: text(&c.reason),
            message: text(&c.message),
            since_ms: c
                .last_transition_time
                .as_ref()
                .map(|t| t.0.as_millisecond()),
        }
    }};
}
use condition_detail;

impl From<names::InvalidName> for ReadError {
    fn from(e: names::InvalidName) -> Self {
        ReadError::BadRequest(e.to_string())
    }
}

/// The demo refuses as an API server would, and is classified as one is.
impl From<Refusal> for ReadError {
    fn from(e: Refusal) -> Self {
        match e {
            Refusal::NotFound(_) => ReadError::NotFound(e.to_string()),
            Refusal::BadRequest(_) => ReadError::BadRequest(e.to_string()),
        }
    }
}

/// On-demand reads for one cluster; cheap to clone.
#[derive(Clone)]
pub struct Reads {
    /// Set when ktop-web serves one namespace only.
    scope: Option<String>,
    /// Where the reads are answered.
    backend: Backend,
}

/// Where reads are answered: names and the scope are checked before either is asked, and
/// both answer with the same objects, reduced by the same code.
#[derive(Clone)]
enum Backend {
    /// A cluster's API server.
    Kube {
        /// ktop-web's own clients.
        clients: Arc<Clients>,
        /// With `--auth proxy`: clients acting as each viewer, for their reads.
        viewers: Option<Arc<ViewerClients>>,
    },
    /// The demo's simulated cluster (`--demo`).
    Demo(Arc<DemoCluster>),
}

impl Reads {
    /// Reads through `clients`, limited to `scope` when set.
    pub fn new(clients: Arc<Clients>, scope: Option<String>) -> Self {
        Self {
            scope,
            backend: Backend::Kube {
                clients,
                viewers: None,
            },
        }
    }

    /// Reads of the demo's simulated cluster, which serves every namespace.
    pub fn demo(cluster: Arc<DemoCluster>) -> Self {
        Self {
            scope: None,
            backend: Backend::Demo(cluster),
        }
    }

    /// The same reads, made on each viewer's behalf through `viewers` (see
    /// [`Reads::for_viewer`]). The demo has no one to act as, and stays as it is.
    pub fn acting_as_viewers(mut self, viewers: ViewerClients) -> Self {
        if let Backend::Kube { viewers: v, .. } = &mut self.backend {
            *v = Some(Arc::new(viewers));
        }
        self
    }

    /// The reads to make for `viewer`: as them when viewers are impersonated, so their RBAC
    /// applies and the audit log names them; ktop-web's own otherwise. With impersonation, a
    /// request without a viewer is refused rather than read with ktop-web's own rights.
    pub async fn for_viewer(&self, viewer: Option<&Viewer>) -> Result<Reads, ReadError> {
        let Backend::Kube {
            viewers: Some(viewers),
            ..
        } = &self.backend
        else {
            return Ok(self.clone());
        };
        let Some(viewer) = viewer else {
            return Err(ReadError::Forbidden(
                "no viewer to read for: requests come through the authenticating proxy".into(),
            ));
        };
        let clients = viewers.get(viewer).await.map_err(|e| {
            ReadError::Upstream(format!(
                "cannot make clients acting as {}: {e}",
                viewer.user
            ))
        })?;
        Ok(Reads {
            scope: self.scope.clone(),
            backend: Backend::Kube {
                clients,
                viewers: None,
            },
        })
    }

    /// A node's details.
    pub async fn node(&self, name: &str) -> Result<NodeDetail, ReadError> {
        names::subdomain("node", name)?;
        let node = match &self.backend {
            Backend::Kube { clients, .. } => {
                run(clients, |client| async move {
                    Api::<Node>::all(client).get(name).await
                })
                .await?
            }
            Backend::Demo(cluster) => cluster.node(name)?.clone(),
        };
        Ok(node_detail::node_detail(&node))
    }

    /// A pod's details.
    pub async fn pod(&self, namespace: &str, name: &str) -> Result<PodDetail, ReadError> {
        names::label("namespace", namespace)?;
        names::subdomain("pod", name)?;
        check_scope(self.scope.as_deref(), namespace)?;
        let pod = match &self.backend {
            Backend::Kube { clients, .. } => {
                run(clients, |client| async move {
                    Api::<Pod>::namespaced(client, namespace).get(name).await
                })
                .await?
            }
            Backend::Demo(cluster) => cluster.pod(namespace, name)?.clone(),
        };
        Ok(pod_detail::pod_detail(&pod))
    }

    /// Events about one object, newest first, in the scope only (see [`EventRequest::new`]):
    /// every page is read, up to [`events::MAX_EVENTS_READ`] events, since storage order is
    /// not time order.
    pub async fn events(
        &self,
        namespace: &str,
        query: &EventQuery,
    ) -> Result<EventList, ReadError> {
        let EventRequest {
            namespace,
            mut params,
        } = EventRequest::new(self.scope.as_deref(), namespace, query)?;
        let namespace = namespace.as_str();
        let clients = match &self.backend {
            Backend::Kube { clients, .. } => clients,
            Backend::Demo(cluster) => {
                let listed = cluster.events(namespace, query.kind.as_str(), &query.name, unix_ms());
                return Ok(EventList {
                    events: events::newest(Vec::new(), listed),
                });
            }
        };
        // One deadline for all pages, so a long list cannot stretch the wait.
        within_deadline(async {
            let (mut read, mut rows) = (0, Vec::new());
            loop {
                let page = clients
                    .read_retrying(|client| {
                        let params = params.clone();
                        async move {
                            Api::<Event>::namespaced(client, namespace)
                                .list(&params)
                                .await
                        }
                    })
                    .await?;
                read += page.items.len();
                rows = events::newest(rows, page.items);
                match events::next_page(params, read, page.metadata.continue_) {
                    Some(next) => params = next,
                    None => return Ok(EventList { events: rows }),
                }
            }
        })
        .await
    }

    /// A container's log, as text even where its bytes are not UTF-8 (see [`logs::log_text`]).
    pub async fn logs(&self, request: &LogRequest) -> Result<String, ReadError> {
        let LogRequest {
            namespace,
            pod,
            params,
        } = request;
        let (namespace, pod) = (namespace.as_str(), pod.as_str());
        check_scope(self.scope.as_deref(), namespace)?;
        let clients = match &self.backend {
            Backend::Kube { clients, .. } => clients,
            Backend::Demo(cluster) => {
                let bytes = cluster.log(namespace, pod, params, unix_ms())?;
                return Ok(logs::log_text(&bytes));
            }
        };
        // Bytes, not kube's `logs`, which refuses the whole log for one byte that is not UTF-8.
        let bytes = run(clients, |client| {
            let params = params.clone();
            async move {
                let mut body = Api::<Pod>::namespaced(client, namespace)
                    .log_stream(pod, &params)
                    .await?;
                let mut bytes = Vec::new();
                body.read_to_end(&mut bytes)
                    .await
                    .map_err(|e| kube::Error::Service(e.into()))?;
                Ok(bytes)
            }
        })
        .await?;
        Ok(logs::log_text(&bytes))
    }

    /// Whether these reads' user may list pods in `namespace` (every namespace when `None`).
    /// Asked with a list of one pod's metadata: RBAC answers it as it would the whole list,
    /// and ktop-web stays with read requests (no access review, which is a create).
    pub async fn may_list_pods(&self, namespace: Option<&str>) -> Result<bool, ReadError> {
        let Some(clients) = self.kube() else {
            return Ok(true);
        };
        let params = ListParams::default().limit(1);
        allowed(
            run(clients, |client| {
                let api = match namespace {
                    Some(ns) => Api::<Pod>::namespaced(client, ns),
                    None => Api::<Pod>::all(client),
                };
                let params = params.clone();
                async move { api.list_metadata(&params).await }
            })
            .await,
        )
    }

    /// Whether these reads' user may list nodes (asked as [`Reads::may_list_pods`] asks).
    pub async fn may_list_nodes(&self) -> Result<bool, ReadError> {
        let Some(clients) = self.kube() else {
            return Ok(true);
        };
        let params = ListParams::default().limit(1);
        allowed(
            run(clients, |client| {
                let params = params.clone();
                async move { Api::<Node>::all(client).list_metadata(&params).await }
            })
            .await,
        )
    }

    /// Whether the Service `namespace/name` exists (looking for a history source). Only its
    /// metadata is read.
    pub async fn has_service(&self, namespace: &str, name: &str) -> Result<bool, ReadError> {
        names::label("namespace", namespace)?;
        names::label("service", name)?;
        let Some(clients) = self.kube() else {
            return Ok(false);
        };
        let found = run(clients, |client| async move {
            Api::<Service>::namespaced(client, namespace)
                .get_metadata(name)
                .await
        })
        .await;
        match found {
            Ok(_) => Ok(true),
            Err(ReadError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A `GET` of `path_and_query` on a service through the API server's service proxy
    /// (history queries), under `deadline`. The caller builds the path from a checked
    /// [`crate::history::ServiceRef`]; nothing from a request goes into it but checked names.
    pub async fn through_service_proxy(
        &self,
        path_and_query: &str,
        deadline: Duration,
    ) -> Result<String, ReadError> {
        let Some(clients) = self.kube() else {
            return Err(ReadError::NotFound(
                "the demo cluster has no services".into(),
            ));
        };
        within(
            deadline,
            clients.read_retrying(|client| async move {
                let request = http::Request::get(path_and_query)
                    .body(Vec::new())
                    .map_err(kube::Error::HttpError)?;
                client.request_text(request).await
            }),
        )
        .await
    }

    /// True when reads are made as each viewer (`--auth proxy`).
    pub fn impersonates(&self) -> bool {
        matches!(
            self.backend,
            Backend::Kube {
                viewers: Some(_),
                ..
            }
        )
    }

    /// The API server's clients; `None` for the demo.
    fn kube(&self) -> Option<&Arc<Clients>> {
        match &self.backend {
            Backend::Kube { clients, .. } => Some(clients),
            Backend::Demo(_) => None,
        }
    }
}

/// One read through `clients` with the 401 retry, under [`READ_DEADLINE`], with errors
/// classified.
async fn run<T, F, Fut>(clients: &Clients, op: F) -> Result<T, ReadError>
where
    F: Fn(kube::Client) -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    within_deadline(clients.read_retrying(op)).await
}

/// A listing's answer as a right: refused is "no", any other failure stays an error.
fn allowed<T>(listed: Result<T, ReadError>) -> Result<bool, ReadError> {
    match listed {
        Ok(_) => Ok(true),
        Err(ReadError::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Refuses `namespace` when this ktop-web serves only `scope`.
fn check_scope(scope: Option<&str>, namespace: &str) -> Result<(), ReadError> {
    match scope {
        Some(s) if s != namespace => Err(ReadError::NotFound(format!(
            "namespace {namespace:?} is outside {s:?}, the only namespace this ktop-web serves"
        ))),
        _ => Ok(()),
    }
}

/// `work` under [`READ_DEADLINE`], with its errors classified.
async fn within_deadline<T>(
    work: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, ReadError> {
    within(READ_DEADLINE, work).await
}

/// `work` under `deadline`, with its errors classified.
async fn within<T>(
    deadline: Duration,
    work: impl Future<Output = Result<T, kube::Error>>,
) -> Result<T, ReadError> {
    match tokio::time::timeout(deadline, work).await {
        Err(_) => Err(ReadError::Timeout),
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(match status_code(&e) {
            Some(400) => ReadError::BadRequest(describe(&e)),
            Some(404) => ReadError::NotFound(describe(&e)),
            Some(401 | 403) => ReadError::Forbidden(describe(&e)),
            _ => ReadError::Upstream(describe(&e)),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    use http::{Request, Response};
    use kube::client::Body;
    use tower_test::mock;

    /// Reads limited to `scope`, whose API server answers each request with `answer`; the
    /// second value collects the requests' URIs.
    async fn reads(
        scope: Option<&str>,
        answer: impl Fn(&http::Uri) -> Response<Body> + Send + 'static,
    ) -> (Reads, Arc<Mutex<Vec<http::Uri>>>) {
        let (service, mut handle) = mock::pair::<Request<Body>, Response<Body>>();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        tokio::spawn(async move {
            while let Some((request, send)) = handle.next_request().await {
                let response = answer(request.uri());
                log.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(request.uri().clone());
                send.send_response(response);
            }
        });
        let clients = crate::kube_clients::mocked(service).await;
        (Reads::new(clients, scope.map(str::to_owned)), asked)
    }

    fn ok(body: Vec<u8>) -> Response<Body> {
        Response::builder()
            .status(200)
            .body(Body::from(body))
            .expect("response")
    }

    fn query(uri: &http::Uri) -> HashMap<String, String> {
        serde_urlencoded::from_str(uri.query().unwrap_or_default()).expect("query")
    }

    fn node_events(name: &str) -> EventQuery {
        EventQuery {
            kind: events::EventKind::Node,
            name: name.into(),
        }
    }

    /// An API server holding `total` events about one node, stored oldest first (as names
    /// sort), that serves at most 50 per page whatever `limit` asks, as it may.
    fn event_pages(total: usize) -> impl Fn(&http::Uri) -> Response<Body> {
        move |uri| {
            let q = query(uri);
            let limit: usize = q.get("limit").map_or(total, |l| l.parse().expect("limit"));
            let from: usize = q.get("continue").map_or(0, |c| c.parse().expect("token"));
            let to = total.min(from + limit.min(50));
            let items: Vec<_> = (from + 1..=to)
                .map(|i| {
                    serde_json::json!({
                        "metadata": {"name": format!("ev-{i:03}"), "namespace": "default"},
                        "involvedObject": {"kind": "Node", "name": "n1"},
                        "reason": format!("#{i}"),
                        "lastTimestamp": format!("2026-01-01T{:02}:{:02}:00Z", i / 60, i % 60),
                    })
                })
                .collect();
            let mut metadata = serde_json::json!({"resourceVersion": "7"});
            if to < total {
                metadata["continue"] = to.to_string().into();
            }
            let list = serde_json::json!({"kind": "EventList", "apiVersion": "v1",
                "metadata": metadata, "items": items});
            ok(serde_json::to_vec(&list).expect("json"))
        }
    }

    #[tokio::test]
    async fn events_are_the_newest_of_all_pages() {
        let (reads, asked) = reads(None, event_pages(120)).await;
        let list = reads
            .events("default", &node_events("n1"))
            .await
            .expect("events");
        let reasons: Vec<&str> = list.events.iter().map(|e| e.reason.as_str()).collect();
        let newest: Vec<String> = (21..=120).rev().map(|i| format!("#{i}")).collect();
        assert_eq!(reasons, newest);
        let asked = asked.lock().expect("requests");
        assert_eq!(asked.len(), 3, "all three pages read: {asked:?}");
        for uri in asked.iter() {
            assert_eq!(uri.path(), "/api/v1/namespaces/default/events");
            assert_eq!(
                query(uri).get("fieldSelector").map(String::as_str),
                Some("involvedObject.kind=Node,involvedObject.name=n1")
            );
        }
    }

    #[tokio::test]
    async fn a_log_with_bad_bytes_is_still_read() {
        // An invalid byte mid-line, and a euro sign cut after two of its three bytes where
        // limitBytes stopped the read.
        let body = b"one\nt\xffo\nthree \xe2\x82".to_vec();
        let (reads, _) = reads(None, move |_| ok(body.clone())).await;
        let request = LogRequest::new("shop", "web-0", &LogQuery::default()).expect("valid");
        let text = reads.logs(&request).await.expect("a log");
        assert_eq!(text, "one\nt\u{FFFD}o\nthree ");
    }

    #[tokio::test]
    async fn a_scoped_ktop_reads_node_events_in_its_namespace_only() {
        let (reads, asked) = reads(Some("shop"), event_pages(3)).await;
        let err = reads
            .events("default", &node_events("n1"))
            .await
            .expect_err("default is outside shop");
        assert!(
            matches!(&err, ReadError::NotFound(m) if m.contains("node events") && m.contains("\"shop\"")),
            "{err:?}"
        );
        assert!(asked.lock().expect("requests").is_empty(), "nothing sent");
        reads
            .events("shop", &node_events("n1"))
            .await
            .expect("its own namespace");
        let asked = asked.lock().expect("requests");
        assert_eq!(
            asked.iter().map(http::Uri::path).collect::<Vec<_>>(),
            ["/api/v1/namespaces/shop/events"]
        );
    }

    #[tokio::test]
    async fn the_demo_answers_as_an_api_server_would() {
        let demo = Arc::new(DemoCluster::new(unix_ms() / 1000));
        let cart = demo
            .object_cache()
            .pods()
            .rows
            .values()
            .find(|p| p.row.ns == "shop" && p.labels.get("app").is_some_and(|a| a == "cart"))
            .map(|p| p.row.name.clone())
            .expect("a cart pod");
        let reads = Reads::demo(demo);
        let node = reads.node("demo-gpu-1").await.expect("a node");
        assert!(!node.system.kernel_version.is_empty());
        assert!(node.taints.iter().any(|t| t.key == "nvidia.com/gpu"));
        assert!(
            node.conditions
                .iter()
                .any(|c| c.kind == "Ready" && c.status == "True")
        );
        assert!(
            matches!(reads.node("nope").await, Err(ReadError::NotFound(m)) if m.contains("nodes \"nope\" not found"))
        );
        assert!(matches!(
            reads.node("Not A Name").await,
            Err(ReadError::BadRequest(_))
        ));

        let pod = reads.pod("shop", &cart).await.expect("a pod");
        let owner = pod.owner.expect("an owner");
        assert_eq!(owner.kind, "ReplicaSet");
        assert!(
            cart.starts_with(&format!("{}-", owner.name)),
            "{cart} of {}",
            owner.name
        );
        assert_eq!(pod.containers.len(), 2);
        assert_eq!(pod.qos_class.as_deref(), Some("Burstable"));

        let events = reads
            .events("default", &node_events("demo-worker-2"))
            .await
            .expect("events");
        assert_eq!(
            events.events[0].reason, "EvictionThresholdMet",
            "newest first"
        );
        assert_eq!(events.events[0].kind, "Warning");
        assert!(
            events
                .events
                .windows(2)
                .all(|w| w[0].last_ms >= w[1].last_ms)
        );

        let which = LogRequest::new("shop", &cart, &LogQuery::default()).expect("valid");
        assert!(
            matches!(reads.logs(&which).await, Err(ReadError::BadRequest(m)) if m.contains("choose one of"))
        );
        let app = LogQuery {
            container: Some("app".into()),
            tail_lines: Some(3),
            ..LogQuery::default()
        };
        let log = reads
            .logs(&LogRequest::new("shop", &cart, &app).expect("valid"))
            .await
            .expect("a log");
        assert_eq!(log.lines().count(), 3);

        assert!(reads.may_list_pods(None).await.expect("an answer"));
        assert!(reads.may_list_nodes().await.expect("an answer"));
        assert!(
            !reads
                .has_service("monitoring", "prometheus-operated")
                .await
                .expect("an answer")
        );
        assert!(!reads.impersonates());
    }
}

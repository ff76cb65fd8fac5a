//! Reads made on demand for the drill-down views (node, pod, events, logs), each built from
//! validated names, bounded, and under one deadline that includes kube's own retries.

mod events;
mod logs;
mod node_detail;
mod pod_detail;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use ktop_web_shared::detail::{EventList, NodeDetail, PodDetail};
use kube::Api;
use kube::api::ListParams;

pub use events::EventQuery;
pub use logs::{LogQuery, LogRequest};

use crate::kube_clients::Clients;
use crate::kube_error::{describe, status_code};
use crate::security::names;

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

/// On-demand reads for one cluster; cheap to clone.
#[derive(Clone)]
pub struct Reads {
    clients: Arc<Clients>,
    /// Set when ktop-web serves one namespace only.
    scope: Option<String>,
}

impl Reads {
    /// Reads through `clients`, limited to `scope` when set.
    pub fn new(clients: Arc<Clients>, scope: Option<String>) -> Self {
        Self { clients, scope }
    }

    /// A node's details.
    pub async fn node(&self, name: &str) -> Result<NodeDetail, ReadError> {
        names::subdomain("node", name)?;
        let node = self
            .run(|client| async move { Api::<Node>::all(client).get(name).await })
            .await?;
        Ok(node_detail::node_detail(&node))
    }

    /// A pod's details.
    pub async fn pod(&self, namespace: &str, name: &str) -> Result<PodDetail, ReadError> {
        names::label("namespace", namespace)?;
        names::subdomain("pod", name)?;
        self.check_scope(namespace)?;
        let pod = self
            .run(|client| async move { Api::<Pod>::namespaced(client, namespace).get(name).await })
            .await?;
        Ok(pod_detail::pod_detail(&pod))
    }

    /// Events about one object, newest first (node events live in `default`).
    pub async fn events(
        &self,
        namespace: &str,
        query: &EventQuery,
    ) -> Result<EventList, ReadError> {
        names::label("namespace", namespace)?;
        let selector = query.field_selector()?;
        if query.kind != events::EventKind::Node {
            self.check_scope(namespace)?;
        }
        let params = ListParams::default()
            .fields(&selector)
            .limit(events::MAX_EVENTS);
        let list = self
            .run(|client| {
                let params = params.clone();
                async move {
                    Api::<Event>::namespaced(client, namespace)
                        .list(&params)
                        .await
                }
            })
            .await?;
        Ok(events::event_list(list.items))
    }

    /// A container's log.
    pub async fn logs(&self, request: &LogRequest) -> Result<String, ReadError> {
        let LogRequest {
            namespace,
            pod,
            params,
        } = request;
        let (namespace, pod) = (namespace.as_str(), pod.as_str());
        self.check_scope(namespace)?;
        self.run(|client| {
            let params = params.clone();
            async move {
                Api::<Pod>::namespaced(client, namespace)
                    .logs(pod, &params)
                    .await
            }
        })
        .await
    }

    fn check_scope(&self, namespace: &str) -> Result<(), ReadError> {
        match &self.scope {
            Some(s) if s != namespace => Err(ReadError::NotFound(format!(
                "namespace {namespace:?} is outside the one this ktop-web serves"
            ))),
            _ => Ok(()),
        }
    }

    /// One read with the 401 retry, under [`READ_DEADLINE`], with errors classified.
    async fn run<T, F, Fut>(&self, op: F) -> Result<T, ReadError>
    where
        F: Fn(kube::Client) -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        match tokio::time::timeout(READ_DEADLINE, self.clients.read_retrying(op)).await {
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
}

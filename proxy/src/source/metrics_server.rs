//! `metrics.k8s.io` (metrics-server): node and pod usage, as `kubectl top` reads it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroup, Time};
use ktop_web_shared::api::{CpuMem, SampleTime, SourceKind, Usage};
use ktop_web_shared::duration::parse_go_duration;
use ktop_web_shared::quantity;
use serde::Deserialize;

use super::{MetricsSource, PodUsage, SourceError, UsageSample, lock};
use crate::kube_clients::Clients;

const GROUP_PATH: &str = "/apis/metrics.k8s.io";

/// Reads `metrics.k8s.io` through the API server.
pub struct MetricsServer {
    clients: Arc<Clients>,
    namespace: Option<String>,
    /// The served version, found by discovery and forgotten on failure so a reinstall is seen.
    version: Mutex<Option<String>>,
}

impl MetricsServer {
    /// A source for all namespaces, or one.
    pub fn new(clients: Arc<Clients>, namespace: Option<String>) -> Self {
        Self {
            clients,
            namespace,
            version: Mutex::new(None),
        }
    }

    /// `v1` when discovery lists it, else `v1beta1`.
    async fn version(&self) -> Result<String, SourceError> {
        if let Some(v) = self.cached_version() {
            return Ok(v);
        }
        let group: APIGroup = self.get(GROUP_PATH).await?;
        let version = if group.versions.iter().any(|v| v.version == "v1") {
            "v1"
        } else if group.versions.iter().any(|v| v.version == "v1beta1") {
            "v1beta1"
        } else {
            return Err(SourceError::NotInstalled(
                "metrics.k8s.io serves neither v1 nor v1beta1".into(),
            ));
        };
        *lock(&self.version) = Some(version.to_owned());
        Ok(version.to_owned())
    }

    fn cached_version(&self) -> Option<String> {
        lock(&self.version).clone()
    }

    /// Reads `path` as `T`. The text is parsed here rather than by kube, which logs a whole
    /// answer it cannot parse: at 30,000 pods, a 13 MB log line.
    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, SourceError> {
        let uri: http::Uri = path
            .parse()
            .map_err(|e: http::uri::InvalidUri| SourceError::Other(e.to_string()))?;
        let text = self
            .clients
            .read_retrying(|client| {
                // `Request::new` is a GET.
                let mut request = http::Request::new(Vec::new());
                *request.uri_mut() = uri.clone();
                async move { client.request_text(request).await }
            })
            .await
            .map_err(|e| SourceError::from_kube(&e))?;
        serde_json::from_str(&text)
            .map_err(|e| SourceError::Other(format!("an unreadable answer from {path}: {e}")))
    }

    async fn read(&self) -> Result<UsageSample, SourceError> {
        let v = self.version().await?;
        let pods_path = match &self.namespace {
            Some(ns) => format!("{GROUP_PATH}/{v}/namespaces/{ns}/pods"),
            None => format!("{GROUP_PATH}/{v}/pods"),
        };
        let nodes_path = format!("{GROUP_PATH}/{v}/nodes");
        let (nodes, pods) = tokio::join!(
            self.get::<List<NodeMetrics>>(&nodes_path),
            self.get::<List<PodMetrics>>(&pods_path)
        );
        Ok(UsageSample {
            nodes: nodes?.items.iter().filter_map(node_usage).collect(),
            pods: pods?.items.iter().filter_map(pod_usage).collect(),
            measured_at_ms: crate::clock::unix_ms(),
            ..UsageSample::default()
        })
    }
}

#[async_trait]
impl MetricsSource for MetricsServer {
    fn kind(&self) -> SourceKind {
        SourceKind::MetricsServer
    }

    async fn sample(&self) -> Result<UsageSample, SourceError> {
        let result = self.read().await;
        if result.is_err() {
            *lock(&self.version) = None;
        }
        result
    }
}

#[derive(Deserialize)]
struct List<T> {
    items: Vec<T>,
}

#[derive(Deserialize)]
struct Meta {
    name: String,
    #[serde(default)]
    namespace: String,
}

/// Missing quantities make an item unreadable, which skips it (see [`NodeMetrics`]).
#[derive(Deserialize)]
struct RawUsage {
    cpu: Option<String>,
    memory: Option<String>,
}

/// Times are optional: metrics-server has answered an item with `"timestamp": null` (on the
/// 30,000-pod test cluster), and one undated item must not cost the whole sample: it is
/// skipped.
#[derive(Deserialize)]
struct NodeMetrics {
    metadata: Meta,
    timestamp: Option<Time>,
    window: String,
    usage: RawUsage,
}

#[derive(Deserialize)]
struct ContainerMetrics {
    name: String,
    usage: RawUsage,
}

#[derive(Deserialize)]
struct PodMetrics {
    metadata: Meta,
    timestamp: Option<Time>,
    window: String,
    containers: Option<Vec<ContainerMetrics>>,
}

fn cpu_mem(u: &RawUsage) -> Option<CpuMem> {
    Some(CpuMem {
        cpu: quantity::cpu_nanos(u.cpu.as_deref()?).ok()?,
        mem: quantity::units(u.memory.as_deref()?).ok()?,
    })
}

fn sample_time(ts: &Time, window: &str) -> SampleTime {
    SampleTime {
        ts_ms: ts.0.as_millisecond(),
        window_ms: parse_go_duration(window)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0),
    }
}

/// One node's usage; a malformed item is skipped rather than failing the whole sample.
fn node_usage(m: &NodeMetrics) -> Option<(String, Usage)> {
    let t = sample_time(m.timestamp.as_ref()?, &m.window);
    let value = cpu_mem(&m.usage).or_else(|| {
        tracing::debug!(node = %m.metadata.name, "skipping node metrics with bad quantities");
        None
    })?;
    Some((
        m.metadata.name.clone(),
        Usage {
            value,
            ts_ms: t.ts_ms,
            window_ms: t.window_ms,
        },
    ))
}

fn pod_usage(m: &PodMetrics) -> Option<(String, PodUsage)> {
    let ts = m.timestamp.as_ref()?;
    let containers = m
        .containers
        .as_ref()?
        .iter()
        .map(|c| Some((c.name.clone(), cpu_mem(&c.usage)?)))
        .collect::<Option<HashMap<_, _>>>()?;
    Some((
        format!("{}/{}", m.metadata.namespace, m.metadata.name),
        PodUsage {
            sample: sample_time(ts, &m.window),
            containers,
            io: None,
            stall: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{Request, Response};
    use kube::client::Body;
    use tower_test::mock;

    type Handle = mock::Handle<Request<Body>, Response<Body>>;

    async fn source(namespace: Option<&str>) -> (MetricsServer, Handle) {
        let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
        (
            MetricsServer::new(
                crate::kube_clients::mocked(service).await,
                namespace.map(str::to_owned),
            ),
            handle,
        )
    }

    fn reply(status: u16, body: serde_json::Value) -> Response<Body> {
        Response::builder()
            .status(status)
            .body(Body::from(serde_json::to_vec(&body).expect("json")))
            .expect("response")
    }

    fn group(versions: &[&str]) -> serde_json::Value {
        serde_json::json!({
            "name": "metrics.k8s.io",
            "versions": versions.iter().map(|v| serde_json::json!({"groupVersion": format!("metrics.k8s.io/{v}"), "version": v})).collect::<Vec<_>>()
        })
    }

    /// Serves requests in order, asserting each path.
    async fn serve(mut handle: Handle, script: Vec<(&'static str, Response<Body>)>) {
        for (path, response) in script {
            let (request, send) = handle.next_request().await.expect("a request");
            assert_eq!(request.method(), http::Method::GET);
            assert_eq!(request.uri().path(), path);
            send.send_response(response);
        }
    }

    #[tokio::test]
    async fn reads_nodes_and_pods_exactly() {
        let (src, handle) = source(None).await;
        let nodes = serde_json::json!({"items": [{
            "metadata": {"name": "n1"}, "timestamp": "2026-01-01T00:00:00Z", "window": "20.05s",
            "usage": {"cpu": "123456789n", "memory": "1024Ki"}},
            {"metadata": {"name": "n2"}, "timestamp": null, "window": "20s",
            "usage": {"cpu": "1n", "memory": "1Ki"}}]});
        let pods = serde_json::json!({"items": [{
            "metadata": {"name": "web", "namespace": "shop"}, "timestamp": "2026-01-01T00:00:01Z", "window": "15s",
            "containers": [{"name": "app", "usage": {"cpu": "5m", "memory": "10Mi"}},
                           {"name": "bad", "usage": {"cpu": "??", "memory": "1"}}]},
            {"metadata": {"name": "db", "namespace": "data"}, "timestamp": "2026-01-01T00:00:01Z", "window": "15s",
            "containers": [{"name": "pg", "usage": {"cpu": "1", "memory": "1Gi"}}]},
            {"metadata": {"name": "leaving", "namespace": "data"}, "timestamp": null, "window": "15s",
            "containers": [{"name": "pg", "usage": {"cpu": "1", "memory": "1Gi"}}]},
            {"metadata": {"name": "empty", "namespace": "data"}, "timestamp": "2026-01-01T00:00:01Z", "window": "15s",
            "containers": null},
            {"metadata": {"name": "partial", "namespace": "data"}, "timestamp": "2026-01-01T00:00:01Z", "window": "15s",
            "containers": [{"name": "pg", "usage": {}}]}]});
        let server = tokio::spawn(serve(
            handle,
            vec![
                (GROUP_PATH, reply(200, group(&["v1beta1"]))),
                ("/apis/metrics.k8s.io/v1beta1/nodes", reply(200, nodes)),
                ("/apis/metrics.k8s.io/v1beta1/pods", reply(200, pods)),
            ],
        ));
        let sample = src.sample().await.expect("sample");
        server.await.expect("server");
        let n1 = sample.nodes["n1"];
        assert_eq!(
            n1.value,
            CpuMem {
                cpu: 123_456_789,
                mem: 1 << 20
            }
        );
        assert_eq!(n1.ts_ms, 1_767_225_600_000);
        assert_eq!(n1.window_ms, 20_050);
        assert!(
            !sample.pods.contains_key("shop/web"),
            "a malformed container drops its pod"
        );
        let db = &sample.pods["data/db"];
        assert_eq!(
            db.containers["pg"],
            CpuMem {
                cpu: 1_000_000_000,
                mem: 1 << 30
            }
        );
        assert_eq!(db.sample.window_ms, 15_000);
        assert!(
            !sample.nodes.contains_key("n2") && !sample.pods.contains_key("data/leaving"),
            "undated items are skipped, the rest is read"
        );
        assert!(
            !sample.pods.contains_key("data/empty") && !sample.pods.contains_key("data/partial"),
            "so are items without containers or quantities"
        );
    }

    #[tokio::test]
    async fn a_401_rebuilds_the_client_and_retries_once() {
        let (src, handle) = source(None).await;
        let empty = serde_json::json!({"items": []});
        let unauthorized = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": "Unauthorized", "reason": "Unauthorized", "code": 401});
        let server = tokio::spawn(serve(
            handle,
            vec![
                (GROUP_PATH, reply(401, unauthorized.clone())),
                (GROUP_PATH, reply(200, group(&["v1"]))),
                ("/apis/metrics.k8s.io/v1/nodes", reply(200, empty.clone())),
                ("/apis/metrics.k8s.io/v1/pods", reply(200, empty)),
            ],
        ));
        src.sample().await.expect("the retry succeeds");
        server.await.expect("server");
    }

    #[tokio::test]
    async fn prefers_v1_and_scopes_pods_to_the_namespace() {
        let (src, handle) = source(Some("shop")).await;
        let empty = serde_json::json!({"items": []});
        let server = tokio::spawn(serve(
            handle,
            vec![
                (GROUP_PATH, reply(200, group(&["v1", "v1beta1"]))),
                ("/apis/metrics.k8s.io/v1/nodes", reply(200, empty.clone())),
                (
                    "/apis/metrics.k8s.io/v1/namespaces/shop/pods",
                    reply(200, empty),
                ),
            ],
        ));
        src.sample().await.expect("sample");
        server.await.expect("server");
    }

    #[tokio::test]
    async fn classifies_404_403_503() {
        for (code, expected) in [
            (404, ktop_web_shared::api::FallbackReason::NotInstalled),
            (403, ktop_web_shared::api::FallbackReason::Forbidden),
            (503, ktop_web_shared::api::FallbackReason::Unavailable),
            (500, ktop_web_shared::api::FallbackReason::Error),
        ] {
            let (src, handle) = source(None).await;
            let status = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "message": "the server could not find the requested resource", "code": code});
            let server = tokio::spawn(serve(handle, vec![(GROUP_PATH, reply(code, status))]));
            let err = src.sample().await.expect_err("fails");
            server.await.expect("server");
            assert_eq!(err.reason(), expected, "HTTP {code}");
        }
    }

    #[tokio::test]
    async fn an_unreadable_answer_is_an_error_that_does_not_quote_it() {
        let (src, handle) = source(None).await;
        let secret = "a-pod-name-that-must-not-be-logged";
        let garbled = serde_json::json!({"items": [{"metadata": {"name": secret}}]});
        let server = tokio::spawn(serve(
            handle,
            vec![
                (GROUP_PATH, reply(200, group(&["v1"]))),
                ("/apis/metrics.k8s.io/v1/nodes", reply(200, garbled.clone())),
                ("/apis/metrics.k8s.io/v1/pods", reply(200, garbled)),
            ],
        ));
        let err = src.sample().await.expect_err("fails");
        server.await.expect("server");
        let text = err.to_string();
        assert!(text.contains("/apis/metrics.k8s.io/v1/"), "{text}");
        assert!(!text.contains(secret), "{text}");
    }

    #[tokio::test]
    async fn plain_text_503_from_the_aggregator_is_unavailable() {
        let (src, handle) = source(None).await;
        let response = Response::builder()
            .status(503)
            .body(Body::from("service unavailable\n".as_bytes().to_vec()))
            .expect("response");
        let server = tokio::spawn(serve(handle, vec![(GROUP_PATH, response)]));
        let err = src.sample().await.expect_err("fails");
        server.await.expect("server");
        assert!(
            matches!(err, SourceError::Unavailable(ref m) if m.contains("service unavailable")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn forgets_the_version_after_a_failure() {
        let (src, handle) = source(None).await;
        let empty = serde_json::json!({"items": []});
        let server = tokio::spawn(serve(
            handle,
            vec![
                (GROUP_PATH, reply(200, group(&["v1beta1"]))),
                (
                    "/apis/metrics.k8s.io/v1beta1/nodes",
                    reply(503, serde_json::json!({"code": 503, "message": "down"})),
                ),
                (
                    "/apis/metrics.k8s.io/v1beta1/pods",
                    reply(200, empty.clone()),
                ),
                // Rediscovered: the reinstalled API now serves v1.
                (GROUP_PATH, reply(200, group(&["v1"]))),
                ("/apis/metrics.k8s.io/v1/nodes", reply(200, empty.clone())),
                ("/apis/metrics.k8s.io/v1/pods", reply(200, empty)),
            ],
        ));
        assert!(src.sample().await.is_err());
        src.sample().await.expect("recovers");
        server.await.expect("server");
    }
}

//! History beyond the browser's ring buffers, read from the cluster's Prometheus-compatible
//! store: `--history-source` names it, or it is looked for among well-known services. Only
//! `GET …/api/v1/query_range` is sent, with PromQL built from checked names.

mod demo;
mod discovery;
mod grid;
mod prom_json;
mod promql;
mod source_flag;

use std::sync::Arc;
use std::time::Duration;

use futures::future::try_join_all;
use ktop_web_shared::api::ViewerAccess;
use ktop_web_shared::history::{History, HistoryMetric, HistoryQuery, HistorySeries, MAX_PODS};
use tokio::sync::Mutex;
use tokio::time::Instant;

pub use source_flag::{HistorySource, ServiceRef, parse_history_source};

use crate::reads::{ReadError, Reads};
use crate::security::names;
use crate::source::DemoCluster;
use discovery::Found;
use grid::{Grid, MAX_PER_POD_POINTS};
use prom_json::{AnswerError, Series, matrix};
use promql::Subject;

/// Longest one history read may take, all its queries together: a week of a busy pod is
/// seconds of work for a large Prometheus.
pub const QUERY_DEADLINE: Duration = Duration::from_secs(20);

/// How long what discovery found (or did not) is believed: a source installed meanwhile is
/// found within this.
const DISCOVERY_FRESH_FOR: Duration = Duration::from_secs(300);

/// Largest answer read from a source given by URL; the grid bounds what a sane answer holds
/// (6 series × 11,000 points, or 200 pods × 2 × 500) well below it.
const MAX_ANSWER_BYTES: usize = 32 << 20;

/// Why a history read gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The query is malformed; nothing was sent.
    #[error("{0}")]
    BadRequest(String),
    /// The viewer may not see the subject, or the source refused ktop-web or the viewer.
    #[error("{0}")]
    Forbidden(String),
    /// No source is named and none was found.
    #[error("{0}")]
    NoSource(String),
    /// The source could not be reached or failed.
    #[error("{0}")]
    Unreachable(String),
    /// The source did not answer within the deadline ([`QUERY_DEADLINE`]).
    #[error("the history source {which} did not answer within {within_s}s")]
    Slow {
        /// The source, as `--history-source` would name it.
        which: String,
        /// The deadline, in seconds.
        within_s: u64,
    },
    /// The source answered, but not with series.
    #[error(transparent)]
    Answer(AnswerError),
}

impl From<names::InvalidName> for HistoryError {
    fn from(e: names::InvalidName) -> Self {
        HistoryError::BadRequest(e.to_string())
    }
}

/// Where one cluster's history comes from.
enum Origin {
    /// Named by `--history-source`.
    Named(HistorySource),
    /// Looked for on first use; the answer and when it was had.
    Discovered(Mutex<Option<(Instant, Found)>>),
    /// The demo's own model.
    Demo(Arc<DemoCluster>),
}

/// One cluster's history reads; shared by every viewer.
pub struct HistoryReader {
    origin: Origin,
    /// For sources given by URL.
    http: reqwest::Client,
    /// Longest one read may take ([`QUERY_DEADLINE`]).
    deadline: Duration,
}

impl HistoryReader {
    /// Reads from `source`, or looks for one when `None`.
    pub fn new(source: Option<HistorySource>) -> HistoryReader {
        let origin = match source {
            Some(source) => Origin::Named(source),
            None => Origin::Discovered(Mutex::new(None)),
        };
        HistoryReader {
            origin,
            http: http_client(),
            deadline: QUERY_DEADLINE,
        }
    }

    /// The demo's history, from the same model as its live usage.
    pub fn demo(cluster: Arc<DemoCluster>) -> HistoryReader {
        HistoryReader {
            origin: Origin::Demo(cluster),
            http: http_client(),
            deadline: QUERY_DEADLINE,
        }
    }

    /// Answers `query` for a viewer who may see `access` (everything when `None`). `own` are
    /// ktop-web's own reads (to look for the source), `viewer` the viewer's (to query a
    /// service through the API server as them); the demo has neither.
    pub async fn read(
        &self,
        query: &HistoryQuery,
        access: Option<&ViewerAccess>,
        own: Option<&Reads>,
        viewer: Option<&Reads>,
        now_s: i64,
    ) -> Result<History, HistoryError> {
        let subject = subject(query)?;
        let subject = visible(subject, access)?;
        let points = if subject.per_pod() {
            query.points.min(MAX_PER_POD_POINTS)
        } else {
            query.points
        };
        let grid = Grid::new(query.range, points, now_s).ok_or_else(|| {
            HistoryError::BadRequest(
                "range=live is the browser's own; ask for 1h, 6h, 24h or 7d".into(),
            )
        })?;
        let (source, pin_hint) = match &self.origin {
            Origin::Demo(cluster) => return Ok(demo::history(cluster, &subject, &grid)),
            Origin::Named(source) => (source.clone(), None),
            Origin::Discovered(found) => {
                let service = self.discovered(found, own).await?;
                let pin = format!(
                    "Found by looking for well-known services; pin it with --history-source {service}"
                );
                (HistorySource::Service(service), Some(pin))
            }
        };
        let window = grid.rate_window_s();
        let asked = subject.metrics().iter().map(|&metric| {
            let source = &source;
            let grid = &grid;
            let subject = &subject;
            async move {
                let promql = promql::query(subject, metric, window).ok_or_else(|| {
                    HistoryError::BadRequest("a name is not a Kubernetes name".into())
                })?;
                let body = self.query_range(source, viewer, &promql, grid).await?;
                Ok::<_, HistoryError>((
                    metric,
                    matrix(body.as_bytes()).map_err(HistoryError::Answer)?,
                ))
            }
        });
        let answers = tokio::time::timeout(self.deadline, try_join_all(asked))
            .await
            .map_err(|_| HistoryError::Slow {
                which: source.to_string(),
                within_s: self.deadline.as_secs(),
            })??;
        let mut series = Vec::new();
        for (metric, found) in answers {
            series.extend(place(&subject, access, metric, &grid, found));
        }
        Ok(History {
            source: format!("Prometheus API at {source}"),
            pin_hint,
            start_ms: grid.start_s * 1000,
            step_ms: grid.step_s * 1000,
            points: grid.points,
            series,
        })
    }

    /// The service discovery found, looking again once the last answer is stale.
    async fn discovered(
        &self,
        found: &Mutex<Option<(Instant, Found)>>,
        own: Option<&Reads>,
    ) -> Result<ServiceRef, HistoryError> {
        let mut found = found.lock().await;
        let fresh = found
            .as_ref()
            .filter(|(at, _)| at.elapsed() < DISCOVERY_FRESH_FOR)
            .map(|(_, f)| f.clone());
        let answer = match fresh {
            Some(answer) => answer,
            None => {
                let own =
                    own.ok_or_else(|| HistoryError::NoSource("no cluster to look in".into()))?;
                let answer = discovery::discover(own).await.map_err(|e| {
                    HistoryError::Unreachable(format!("cannot look for a history source: {e}"))
                })?;
                match &answer {
                    Found::Service(s) => {
                        tracing::info!(source = %s, "found a history source; pin it with --history-source")
                    }
                    Found::Nothing | Found::Refused(_) => {
                        tracing::info!(looked_for = %discovery::looked_for(), "no history source found")
                    }
                }
                *found = Some((Instant::now(), answer.clone()));
                answer
            }
        };
        match answer {
            Found::Service(service) => Ok(service),
            Found::Nothing => Err(HistoryError::NoSource(format!(
                "No history source: --history-source names none, and none of the well-known services exists (looked for {}).",
                discovery::looked_for()
            ))),
            Found::Refused(why) => Err(HistoryError::NoSource(format!(
                "No history source: --history-source names none, and ktop-web may not get services to look for one ({why})."
            ))),
        }
    }

    /// One `query_range` on `source`, as the viewer when through the service proxy.
    async fn query_range(
        &self,
        source: &HistorySource,
        viewer: Option<&Reads>,
        promql: &str,
        grid: &Grid,
    ) -> Result<String, HistoryError> {
        let params = serde_urlencoded::to_string([
            ("query", promql.to_owned()),
            ("start", grid.start_s.to_string()),
            ("end", grid.end_s.to_string()),
            ("step", grid.step_s.to_string()),
        ])
        .map_err(|e| HistoryError::BadRequest(e.to_string()))?;
        match source {
            HistorySource::Service(service) => {
                let viewer = viewer.ok_or_else(|| {
                    HistoryError::Unreachable("no cluster to reach the service through".into())
                })?;
                let path = format!("{}?{params}", service.proxy_path("/api/v1/query_range"));
                viewer
                    .through_service_proxy(&path, self.deadline)
                    .await
                    .map_err(|e| service_error(service, e, self.deadline))
            }
            HistorySource::Url(base) => self.get_url(base, &params).await,
        }
    }

    /// `GET {base}/api/v1/query_range?{params}` on a source given by URL.
    async fn get_url(&self, base: &reqwest::Url, params: &str) -> Result<String, HistoryError> {
        let url = format!(
            "{}/api/v1/query_range?{params}",
            base.as_str().trim_end_matches('/')
        );
        let shown = base.as_str().trim_end_matches('/');
        let unreachable = |e: reqwest::Error| {
            HistoryError::Unreachable(format!(
                "cannot reach the history source at {shown}: {}",
                without_url(&e)
            ))
        };
        let mut response = self.http.get(&url).send().await.map_err(unreachable)?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(HistoryError::Unreachable(format!(
                    "the history source at {shown} answered more than {} MiB",
                    MAX_ANSWER_BYTES >> 20
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        match status.as_u16() {
            200..=299 => Ok(text),
            401 | 403 => Err(HistoryError::Forbidden(format!(
                "the history source at {shown} refused ktop-web (HTTP {status})"
            ))),
            // Prometheus explains a bad query in its JSON.
            _ => Err(match matrix(text.as_bytes()) {
                Err(refused @ AnswerError::Refused { .. }) => HistoryError::Answer(refused),
                _ => HistoryError::Unreachable(format!(
                    "the history source at {shown} answered HTTP {status}"
                )),
            }),
        }
    }
}

/// The client for sources given by URL: no redirects (a source has no reason to send
/// ktop-web elsewhere), and a connect timeout well inside [`QUERY_DEADLINE`].
fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("ktop-web/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// What went wrong, from reqwest's causes: its own message ends with the URL, which holds
/// the whole query.
fn without_url(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

/// A service-proxy failure, said in terms of the history source.
fn service_error(service: &ServiceRef, e: ReadError, deadline: Duration) -> HistoryError {
    match e {
        ReadError::Forbidden(why) => HistoryError::Forbidden(format!(
            "You may not read the history source {service}: reading it needs `get` on `services/proxy` named `{}:{}` in namespace `{}` ({why}).",
            service.name, service.port, service.namespace
        )),
        ReadError::Timeout => HistoryError::Slow {
            which: service.to_string(),
            within_s: deadline.as_secs(),
        },
        ReadError::NotFound(why) => HistoryError::Unreachable(format!(
            "the history source {service} does not exist or has no such port ({why})"
        )),
        ReadError::BadRequest(why) | ReadError::Upstream(why) => {
            HistoryError::Unreachable(format!("the history source {service} failed: {why}"))
        }
    }
}

/// The subject of `query`, every name checked.
fn subject(query: &HistoryQuery) -> Result<Subject, HistoryError> {
    let HistoryQuery {
        node,
        namespace,
        pod,
        container,
        pods,
        per_pod,
        ..
    } = query;
    let named = |what, name: &String| names::subdomain(what, name).map(str::to_owned);
    let label = |what, name: &String| names::label(what, name).map(str::to_owned);
    Ok(match (node, namespace, pod, container, pods, per_pod) {
        (None, None, None, None, None, false) => Subject::Cluster,
        (Some(node), None, None, None, None, false) => Subject::Node(named("node", node)?),
        (Some(node), None, None, None, None, true) => Subject::NodePods(named("node", node)?),
        (None, Some(ns), Some(pod), None, None, false) => Subject::Pod {
            namespace: label("namespace", ns)?,
            pod: named("pod", pod)?,
        },
        (None, Some(ns), Some(pod), Some(container), None, false) => Subject::Container {
            namespace: label("namespace", ns)?,
            pod: named("pod", pod)?,
            container: label("container", container)?,
        },
        (None, None, None, None, Some(list), true) => {
            let mut pods = Vec::new();
            for item in list.split(',') {
                let (ns, pod) = item.split_once('/').ok_or_else(|| {
                    HistoryError::BadRequest(format!(
                        "pods= lists namespace/name pairs: {:?}",
                        names::printable(item)
                    ))
                })?;
                pods.push((
                    names::label("namespace", ns)?.to_owned(),
                    names::subdomain("pod", pod)?.to_owned(),
                ));
            }
            if pods.len() > MAX_PODS {
                return Err(HistoryError::BadRequest(format!(
                    "pods= lists {} pods; at most {MAX_PODS}",
                    pods.len()
                )));
            }
            Subject::Pods(pods)
        }
        _ => {
            return Err(HistoryError::BadRequest(
                "ask about the cluster (no names), node, node with per_pod, namespace and pod (and container), or pods with per_pod".into(),
            ));
        }
    })
}

/// `subject` as far as `access` shows it: a pod only in a namespace the viewer may list pods
/// in, a node and the cluster only to who may list nodes. Listed pods are narrowed instead.
fn visible(subject: Subject, access: Option<&ViewerAccess>) -> Result<Subject, HistoryError> {
    let Some(access) = access else {
        return Ok(subject);
    };
    let sees_namespace = |ns: &str| {
        access
            .namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|n| n == ns))
    };
    let refused = |what: String| {
        HistoryError::Forbidden(format!(
            "ktop-web shows you no history of {what}: your account may not list them, or ktop-web serves another namespace (-n)."
        ))
    };
    match subject {
        Subject::Cluster | Subject::Node(_) | Subject::NodePods(_) if !access.nodes => {
            Err(refused("nodes".into()))
        }
        Subject::Pod { ref namespace, .. } | Subject::Container { ref namespace, .. }
            if !sees_namespace(namespace) =>
        {
            Err(refused(format!("pods in namespace {namespace}")))
        }
        Subject::Pods(pods) => {
            let pods: Vec<_> = pods
                .into_iter()
                .filter(|(ns, _)| sees_namespace(ns))
                .collect();
            if pods.is_empty() {
                Err(refused("pods in these namespaces".into()))
            } else {
                Ok(Subject::Pods(pods))
            }
        }
        subject => Ok(subject),
    }
}

/// The answer's series on the grid: the subject's one series, or one per pod the viewer may
/// see (and, for listed pods, only those listed: the regex matches names across namespaces).
fn place(
    subject: &Subject,
    access: Option<&ViewerAccess>,
    metric: HistoryMetric,
    grid: &Grid,
    found: Vec<Series>,
) -> Vec<HistorySeries> {
    if !subject.per_pod() {
        return found
            .into_iter()
            .next()
            .map(|s| HistorySeries {
                metric,
                pod: None,
                values: grid.place(metric, &s.samples),
            })
            .into_iter()
            .collect();
    }
    let listed = |key: &str| match subject {
        Subject::Pods(pods) => pods
            .iter()
            .any(|(ns, pod)| key.split_once('/') == Some((ns.as_str(), pod.as_str()))),
        _ => true,
    };
    let shown = |key: &str| {
        access.is_none_or(|a| {
            key.split_once('/').is_some_and(|(ns, _)| {
                a.namespaces
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|n| n == ns))
            })
        })
    };
    let mut series: Vec<HistorySeries> = found
        .into_iter()
        .filter_map(|s| {
            let pod = promql::pod_of(&s.labels)?;
            (listed(&pod) && shown(&pod)).then(|| HistorySeries {
                metric,
                values: grid.place(metric, &s.samples),
                pod: Some(pod),
            })
        })
        .collect();
    series.sort_by(|a, b| a.pod.cmp(&b.pod));
    // Both conventions of one pod (an `or` keeps both label sets): the first wins.
    series.dedup_by(|a, b| a.pod == b.pod);
    series
}

#[cfg(test)]
mod tests;

//! `prometheus`: kubelet and cAdvisor metrics read through the API server's node proxy
//! (`/api/v1/nodes/{node}/proxy/metrics/{resource,cadvisor}`), as ktop reads them with no
//! Prometheus server installed. Gives CPU and memory per container plus network and disk
//! throughput, as rates between two scrapes.
//!
//! Scrapes run in the background at their own interval (15 s by default, like a kubelet's
//! housekeeping), started by the first sample request after the interval has passed. A
//! snapshot therefore never waits for 1,000 nodes to answer, except for the very first
//! scrape, which the selector bounds with its deadline.

mod counter_rates;
mod fan_out;
mod node_scrape;
mod scrape_paths;
mod text_format;
mod usage_builder;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use std::panic::AssertUnwindSafe;

use futures::{FutureExt, StreamExt};
use ktop_web_shared::api::SourceKind;
use tokio::time::Instant;

use super::{MetricsSource, SourceError, UsageSample, lock};
use crate::kube_clients::Clients;
use crate::objects::ObjectCache;
use usage_builder::UsageBuilder;

use scrape_paths::scrape_paths;

/// Shortest scrape interval accepted: the kubelet refreshes its stats about every 10 s, so
/// scraping faster only repeats values.
pub const MIN_INTERVAL: Duration = Duration::from_secs(5);

/// Scrapes that must succeed in a row before the source is live: a rate takes two points of
/// a counter. After them it is live with whatever they measured, even nothing (no nodes, or
/// counters whose time did not move).
const SCRAPES_TO_START: u32 = 2;

/// Which kubelet endpoints are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Components {
    /// `/metrics/resource`: CPU and memory per container and for the node.
    pub kubelet: bool,
    /// `/metrics/cadvisor`: network and disk counters.
    pub cadvisor: bool,
}

/// How the source scrapes.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Time between scrapes (at least [`MIN_INTERVAL`]).
    pub interval: Duration,
    /// Endpoints read.
    pub components: Components,
}

/// The latest scrape and whether one is running.
#[derive(Default)]
struct Latest {
    result: Option<Result<UsageSample, SourceError>>,
    started: Option<Instant>,
    running: bool,
    /// Scrapes that succeeded in a row; a failed one forgets every counter, so counting
    /// starts over.
    completed: u32,
    /// How long the last scrape took: at scale it can outlast the interval.
    took: Duration,
    /// The stored failure has been answered as itself once. The selector backs off on it,
    /// so the next call comes after the backoff and may start the retry; without this, a
    /// failing scrape slower than [`MIN_INTERVAL`] would be retried back to back.
    reported: bool,
}

impl Latest {
    /// Fewer than [`SCRAPES_TO_START`] scrapes: the next one comes after [`MIN_INTERVAL`]
    /// rather than the full interval, and the source says it is starting.
    fn starting(&self) -> bool {
        self.completed < SCRAPES_TO_START
    }
}

struct Scraper {
    clients: Arc<Clients>,
    objects: ObjectCache,
    namespace: Option<String>,
    settings: Settings,
    builder: tokio::sync::Mutex<UsageBuilder>,
}

/// Kubelet scraping through the API server's node proxy.
pub struct Prometheus {
    scraper: Arc<Scraper>,
    latest: Arc<Mutex<Latest>>,
}

impl Prometheus {
    /// A source over the nodes `objects` watches; `namespace` limits pods to one namespace.
    pub fn new(
        clients: Arc<Clients>,
        objects: ObjectCache,
        namespace: Option<String>,
        settings: Settings,
    ) -> Self {
        Self {
            scraper: Arc::new(Scraper {
                clients,
                objects,
                namespace,
                settings,
                builder: tokio::sync::Mutex::new(UsageBuilder::default()),
            }),
            latest: Arc::new(Mutex::new(Latest::default())),
        }
    }

    /// Starts a scrape in the background when one is due and none is running.
    fn start_if_due(&self, latest: &mut Latest) {
        let interval = if latest.starting() {
            MIN_INTERVAL
        } else {
            self.scraper.settings.interval
        };
        let due = latest.started.is_none_or(|at| at.elapsed() >= interval);
        if latest.running || !due {
            return;
        }
        latest.running = true;
        latest.started = Some(Instant::now());
        let (scraper, shared) = (self.scraper.clone(), self.latest.clone());
        tokio::spawn(async move {
            // A first scrape has no rates (one point per counter); until the source is live
            // the next follows on its own after the shortest interval, so numbers appear
            // without waiting for a request to find it due.
            loop {
                // A bug must not leave `running` set, which would stop scraping for good.
                let result = AssertUnwindSafe(scraper.scrape())
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| {
                        Err(SourceError::Other(
                            "the scrape failed (a bug; see the log)".into(),
                        ))
                    });
                let again = {
                    let mut latest = lock(&shared);
                    latest.completed = if result.is_ok() {
                        latest.completed.saturating_add(1)
                    } else {
                        0
                    };
                    let again = result.is_ok() && latest.starting();
                    latest.took = latest.started.map_or(Duration::ZERO, |s| s.elapsed());
                    latest.result = Some(result);
                    latest.reported = false;
                    latest.running = again;
                    again
                };
                if !again {
                    break;
                }
                tokio::time::sleep(MIN_INTERVAL).await;
                lock(&shared).started = Some(Instant::now());
            }
        });
    }
}

#[async_trait]
impl MetricsSource for Prometheus {
    fn kind(&self) -> SourceKind {
        SourceKind::Prometheus
    }

    /// The scrape interval, or the last scrape's duration when that was longer: a scrape
    /// starts only once the previous one has ended.
    fn interval(&self) -> Option<Duration> {
        Some(self.scraper.settings.interval.max(lock(&self.latest).took))
    }

    /// The latest scrape, never waiting for one: until two scrapes in a row have succeeded
    /// the source says it is starting, and the selector shows the next source meanwhile.
    async fn sample(&self) -> Result<UsageSample, SourceError> {
        let mut latest = lock(&self.latest);
        let failed = matches!(latest.result, Some(Err(_))) && !latest.running;
        if failed && !latest.reported {
            // Answered as itself once, so that the selector backs off.
            latest.reported = true;
        } else {
            self.start_if_due(&mut latest);
        }
        match &latest.result {
            // The scrape after a failure's backoff is running: without this the selector
            // would back off once more before seeing its result.
            Some(Err(last)) if latest.running => Err(SourceError::Retrying(Box::new(last.clone()))),
            Some(Ok(_)) if latest.starting() => Err(SourceError::Starting(
                "a rate needs two scrapes of the kubelets' counters; the first numbers come about 5 s after the first".into(),
            )),
            Some(result) => result.clone(),
            None => Err(SourceError::Starting(format!(
                "the first scrape of {} nodes is running",
                self.scraper.objects.nodes().rows.len()
            ))),
        }
    }
}

impl Scraper {
    /// One scrape of every node. Fails only when no node could be read; a 403 before any
    /// node answered stops it at once, since every other node would answer the same.
    async fn scrape(&self) -> Result<UsageSample, SourceError> {
        let started = Instant::now();
        let targets: Vec<fan_out::Target> = self
            .objects
            .nodes()
            .rows
            .values()
            .map(|n| {
                let paths = scrape_paths(&n.row.name, n.resource_metrics_path.as_deref())
                    .map_err(|e| SourceError::Other(e.to_string()));
                (n.row.name.clone(), paths)
            })
            .collect();
        let total = targets.len();
        let window_ms = u64::try_from(self.settings.interval.as_millis()).unwrap_or(u64::MAX);
        let mut builder = self.builder.lock().await;
        let mut scrape = builder.begin(
            self.namespace.as_deref(),
            window_ms,
            self.settings.components.cadvisor,
        );
        let (mut read, mut bad_lines) = (0usize, 0usize);
        let mut first_error: Option<SourceError> = None;
        let mut failed = 0usize;
        let mut nodes = std::pin::pin!(fan_out::scrape_all(
            &self.clients,
            targets,
            self.settings.components
        ));
        while let Some(result) = nodes.next().await {
            match result.scrape {
                Ok(node) => {
                    read += 1;
                    bad_lines += node.bad_lines;
                    scrape.add(&result.node, result.at_ms, node);
                }
                Err(e) => {
                    failed += 1;
                    tracing::debug!(node = result.node, error = %e, "node scrape failed");
                    // A denial before any node answered is the user's permission, which every
                    // node shares: stop. Later ones are that node's own.
                    let denied = read == 0 && matches!(e, SourceError::Forbidden(_));
                    first_error.get_or_insert(e);
                    if denied {
                        break;
                    }
                }
            }
        }
        let mut sample = scrape.finish();
        sample.measured_at_ms = crate::clock::unix_ms();
        tracing::debug!(
            nodes = total,
            read,
            failed,
            bad_lines,
            pods = sample.pods.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "prometheus scrape"
        );
        match first_error {
            Some(e) if read == 0 => Err(e),
            Some(e) => {
                tracing::warn!(failed, of = total, error = %e, "some nodes could not be scraped; their usage is missing");
                Ok(sample)
            }
            None => Ok(sample),
        }
    }
}

/// Plain words for a failed scrape, with the fix: `(message, hint)`.
pub fn explain(e: &SourceError) -> (String, String) {
    const OTHERWISE: &str = "or pass --metrics-source metrics-server";
    match e {
        SourceError::Forbidden(detail) => (
            format!("Not allowed to read kubelet metrics through the node proxy. ({detail})"),
            format!("Grant get on nodes/proxy (see the ClusterRole in the README), {OTHERWISE}."),
        ),
        SourceError::NotInstalled(detail) => (
            format!("The kubelets do not serve /metrics/resource or /metrics/cadvisor. ({detail})"),
            format!(
                "Check `kubectl get --raw /api/v1/nodes/NODE/proxy/metrics/resource`, {OTHERWISE}."
            ),
        ),
        SourceError::Unavailable(detail) => (
            format!("The API server could not reach the kubelets. ({detail})"),
            format!(
                "The API server dials each node's kubelet port; check `kubectl get --raw /api/v1/nodes/NODE/proxy/healthz`, {OTHERWISE}. ktop-web keeps retrying."
            ),
        ),
        SourceError::Timeout(secs) => (
            format!("The kubelets' scrape did not finish within {secs}s."),
            format!(
                "Slow or unreachable nodes, or very many: the scrape goes on in the background and is used once done; {OTHERWISE}."
            ),
        ),
        SourceError::Starting(detail) => (
            format!("Measuring: {detail}."),
            "Nothing to do: the numbers follow within seconds.".to_owned(),
        ),
        // A retry under way is explained by the failure it retries.
        SourceError::Retrying(last) => explain(last),
        SourceError::Other(detail) => (
            format!("Scraping the kubelets failed. ({detail})"),
            "ktop-web keeps retrying; run with --log-level debug for details.".to_owned(),
        ),
    }
}

/// Reads one node's endpoints, for an explicit `--metrics-source prometheus` to fail at
/// startup with the reason and the fix ([`explain`]) rather than fall back quietly. A
/// cluster without nodes has nothing to check.
pub async fn probe(clients: &Clients, components: Components) -> Result<(), SourceError> {
    let first = clients
        .read_retrying(|client| async move {
            kube::Api::<k8s_openapi::api::core::v1::Node>::all(client)
                .list_metadata(&kube::api::ListParams::default().limit(1))
                .await
        })
        .await
        .map_err(|e| SourceError::from_kube(&e))?;
    let Some(node) = first.items.first() else {
        return Ok(());
    };
    let name = node.metadata.name.clone().unwrap_or_default();
    let annotated = node
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::objects::RESOURCE_METRICS_PATH));
    let paths = scrape_paths(&name, annotated.map(String::as_str))
        .map_err(|e| SourceError::Other(e.to_string()))?;
    tokio::time::timeout(
        fan_out::NODE_TIMEOUT,
        fan_out::scrape_node(clients, &paths, components),
    )
    .await
    .unwrap_or(Err(SourceError::Timeout(fan_out::NODE_TIMEOUT.as_secs())))
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::NodeEntry;
    use http::{Request, Response};
    use ktop_web_shared::api::NodeRow;
    use kube::client::Body;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower_test::mock;

    fn status(code: u16) -> Response<Body> {
        let body = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": format!("nodes/proxy says {code}"), "reason": "Forbidden", "code": code});
        Response::builder()
            .status(code)
            .body(Body::from(serde_json::to_vec(&body).expect("json")))
            .expect("response")
    }

    fn text(body: impl AsRef<[u8]>) -> Response<Body> {
        Response::builder()
            .status(200)
            .body(Body::from(body.as_ref().to_vec()))
            .expect("response")
    }

    /// A source over `nodes` nodes whose API server answers each request with `answer`.
    async fn source(
        nodes: usize,
        answer: impl Fn(&str) -> Response<Body> + Send + 'static,
    ) -> (Prometheus, Arc<AtomicUsize>) {
        slow_source(nodes, Duration::ZERO, answer).await
    }

    /// [`source`] whose API server takes `delay` for each answer.
    async fn slow_source(
        nodes: usize,
        delay: Duration,
        answer: impl Fn(&str) -> Response<Body> + Send + 'static,
    ) -> (Prometheus, Arc<AtomicUsize>) {
        let (service, mut handle) = mock::pair::<Request<Body>, Response<Body>>();
        let asked = Arc::new(AtomicUsize::new(0));
        let count = asked.clone();
        tokio::spawn(async move {
            while let Some((request, send)) = handle.next_request().await {
                count.fetch_add(1, Ordering::SeqCst);
                let response = answer(request.uri().path());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    send.send_response(response);
                });
            }
        });
        let rows = (0..nodes)
            .map(|i| {
                NodeEntry::from(NodeRow {
                    name: format!("n{i}"),
                    ..NodeRow::default()
                })
            })
            .collect();
        let settings = Settings {
            interval: MIN_INTERVAL,
            components: Components {
                kubelet: true,
                cadvisor: true,
            },
        };
        let objects = ObjectCache::with_rows(rows, vec![]);
        let clients = crate::kube_clients::mocked(service).await;
        (Prometheus::new(clients, objects, None, settings), asked)
    }

    /// The first answer that is not "starting" (the scrapes run in the background); a retry
    /// under way answers with the failure it retries.
    async fn settled(src: &Prometheus) -> Result<UsageSample, SourceError> {
        loop {
            match src.sample().await {
                Err(SourceError::Starting(_)) => tokio::time::sleep(Duration::from_secs(1)).await,
                Err(SourceError::Retrying(last)) => return Err(*last),
                other => return other,
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_scrape_longer_than_the_interval_sets_the_pace() {
        // Each answer takes 8 s; a scrape reads both endpoints of a node one after the other.
        let (src, _) = slow_source(1, Duration::from_secs(8), |_| status(503)).await;
        assert_eq!(src.interval(), Some(MIN_INTERVAL), "before any scrape");
        let _ = settled(&src).await;
        let pace = src.interval().expect("an interval");
        assert!(pace >= Duration::from_secs(8), "{pace:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_403_stops_the_scrape_at_once() {
        let (src, asked) = source(1_000, |_| status(403)).await;
        let err = settled(&src).await.expect_err("forbidden");
        assert!(matches!(err, SourceError::Forbidden(_)), "{err:?}");
        let (message, hint) = explain(&err);
        assert!(message.contains("node proxy") && hint.contains("nodes/proxy"));
        let asked = asked.load(Ordering::SeqCst);
        assert!(
            asked <= fan_out::CONCURRENCY,
            "{asked} requests for a permission every node shares"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failing_nodes_are_left_out_not_fatal() {
        // Odd nodes' kubelets are unreachable (503 from the node proxy); even ones answer
        // with a newer timestamp each time.
        let tick = AtomicUsize::new(1);
        let (src, asked) = source(10, move |path| {
            let node: usize = path
                .trim_start_matches("/api/v1/nodes/n")
                .split('/')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a node path");
            if node % 2 == 1 {
                status(503)
            } else if path.ends_with("/metrics/resource") {
                let ts = tick.fetch_add(1, Ordering::SeqCst) * 1000;
                text(format!(
                    "node_memory_working_set_bytes 1e9 {ts}\nnode_cpu_usage_seconds_total 1 {ts}\n"
                ))
            } else {
                text("# nothing from cadvisor\n")
            }
        })
        .await;
        // The first scrape has no rates, so the source says it is starting until the
        // second, which follows on its own.
        assert!(matches!(src.sample().await, Err(SourceError::Starting(_))));
        let sample = settled(&src).await.expect("half the nodes answered");
        assert!(sample.io);
        let mut nodes: Vec<&String> = sample.nodes.keys().collect();
        nodes.sort();
        assert_eq!(nodes, ["n0", "n2", "n4", "n6", "n8"]);
        // Each scrape: every readable node took both endpoints, each unreachable one only
        // the first.
        assert_eq!(asked.load(Ordering::SeqCst), 2 * (5 * 2 + 5));

        let (src, _) = source(3, |_| status(503)).await;
        assert!(matches!(
            settled(&src).await,
            Err(SourceError::Unavailable(_))
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn the_scrape_after_a_failure_is_said_to_be_under_way() {
        use std::sync::atomic::AtomicBool;
        let broken = Arc::new(AtomicBool::new(true));
        let still_broken = broken.clone();
        let tick = AtomicUsize::new(1);
        let (src, _) = slow_source(1, Duration::from_secs(1), move |path| {
            if still_broken.load(Ordering::SeqCst) {
                status(503)
            } else if path.ends_with("/metrics/resource") {
                let ts = tick.fetch_add(1, Ordering::SeqCst) * 1000;
                text(format!("node_cpu_usage_seconds_total 1 {ts}\n"))
            } else {
                text("")
            }
        })
        .await;
        assert!(matches!(
            settled(&src).await,
            Err(SourceError::Unavailable(_))
        ));
        broken.store(false, Ordering::SeqCst);
        tokio::time::sleep(MIN_INTERVAL).await;
        // This call starts the retry; its answer says so, with the failure it retries, so
        // the selector asks again at the next refresh instead of backing off once more.
        match src.sample().await {
            Err(SourceError::Retrying(last)) => {
                assert!(matches!(*last, SourceError::Unavailable(_)), "{last:?}");
                let (message, _) = explain(&SourceError::Retrying(last));
                assert!(message.contains("could not reach"), "{message}");
            }
            other => panic!("expected a retry under way, got {other:?}"),
        }
        // Live again after the two scrapes a rate needs (the counters were forgotten).
        for _ in 0..20 {
            if src.sample().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        panic!("not live again within 20 s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_failing_scrape_is_retried_after_backoffs_not_back_to_back() {
        use crate::source::{SourceSelector, Sources};
        use ktop_web_shared::api::SourceMode;
        // Each answer takes 8 s, longer than the 5 s between scrapes while starting.
        let (src, asked) = slow_source(1, Duration::from_secs(8), |_| status(503)).await;
        let sources = Sources {
            prometheus: Some(Arc::new(src)),
            ..Sources::default()
        };
        let selector =
            SourceSelector::new(SourceMode::Prometheus, sources, Duration::from_secs(10));
        for _ in 0..24 {
            let _ = selector.select().await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        // Two minutes: back to back would be about 15 scrapes; with backoffs of 15 s and
        // then 30 s, five at most.
        let scrapes = asked.load(Ordering::SeqCst);
        assert!(
            (2..=5).contains(&scrapes),
            "{scrapes} scrapes in two minutes"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_line_that_is_not_utf8_costs_only_itself() {
        let tick = AtomicUsize::new(1);
        let (src, _) = source(1, move |path| {
            if path.ends_with("/metrics/resource") {
                let ts = tick.fetch_add(1, Ordering::SeqCst) * 1000;
                let mut body = format!("node_cpu_usage_seconds_total 1 {ts}\n").into_bytes();
                body.extend_from_slice(b"# HELP caf\xe9 in Latin-1\n");
                body.extend_from_slice(
                    format!("node_memory_working_set_bytes 1e9 {ts}\n").as_bytes(),
                );
                text(body)
            } else {
                text("")
            }
        })
        .await;
        let sample = settled(&src)
            .await
            .expect("the node's other lines are read");
        assert_eq!(sample.nodes["n0"].value.mem, 1_000_000_000);
    }

    #[tokio::test(start_paused = true)]
    async fn live_after_two_scrapes_even_without_rates() {
        // No nodes at all; and one node whose one counter does not move in time, so no rate
        // can be taken.
        for nodes in [0, 1] {
            let (src, _) = source(nodes, |path| {
                if path.ends_with("/metrics/cadvisor") {
                    text(r#"container_network_receive_bytes_total{container="",id="/",image="",interface="eth0",name="",namespace="",pod=""} 1000 1700000000000"#)
                } else {
                    text("")
                }
            })
            .await;
            assert!(matches!(src.sample().await, Err(SourceError::Starting(_))));
            // The second scrape follows on its own after the shortest interval.
            tokio::time::sleep(MIN_INTERVAL + Duration::from_secs(1)).await;
            let sample = src.sample().await.expect("live after two scrapes");
            assert!(
                sample.nodes.is_empty() && sample.pods.is_empty(),
                "{nodes} nodes"
            );
        }
    }
}

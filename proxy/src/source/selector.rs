//! Picks the live source: tries each preferred source in order, falls back on failure, backs
//! off before trying a failed source again, and switches back once it recovers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ktop_web_shared::api::{Fallback, SourceKind, SourceMode, SourceStatus};
use tokio::time::Instant;

use super::{MetricsSource, SourceError, UsageSample, lock};

/// First wait before retrying a failed source; never shorter, so a broken API is not hammered.
pub const MIN_BACKOFF: Duration = Duration::from_secs(15);
/// Longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The outcome of one refresh: usage (if any source delivered) and the status to show.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Usage from the live source; `None` when showing requests/limits only.
    pub usage: Option<UsageSample>,
    /// Which source is live and why others are not.
    pub status: SourceStatus,
    /// How often the live source measures on its own schedule, if not at every refresh.
    pub interval: Option<Duration>,
}

struct Candidate {
    source: Arc<dyn MetricsSource>,
    state: Mutex<Backoff>,
}

#[derive(Default)]
struct Backoff {
    /// The last failure, shown while the source is skipped.
    failure: Option<Fallback>,
    retry_at: Option<Instant>,
    delay: Option<Duration>,
}

/// The fallback chain for one cluster.
pub struct SourceSelector {
    mode: SourceMode,
    chain: Vec<Candidate>,
    deadline: Duration,
}

/// The sources a cluster can offer; the mode picks from them.
#[derive(Default)]
pub struct Sources {
    /// Kubelet scraping through the node proxy.
    pub prometheus: Option<Arc<dyn MetricsSource>>,
    /// `metrics.k8s.io`.
    pub metrics_server: Option<Arc<dyn MetricsSource>>,
    /// The simulated cluster.
    pub demo: Option<Arc<dyn MetricsSource>>,
}

impl Sources {
    /// Only the simulated cluster.
    pub fn demo(source: Arc<dyn MetricsSource>) -> Self {
        Self {
            demo: Some(source),
            ..Self::default()
        }
    }
}

impl SourceSelector {
    /// Builds the chain for `mode`: auto is prometheus, then metrics-server; an explicit
    /// source has no other to fall back to but requests/limits.
    pub fn new(mode: SourceMode, sources: Sources, deadline: Duration) -> Self {
        let chain: Vec<Arc<dyn MetricsSource>> = match mode {
            SourceMode::Auto => [sources.prometheus, sources.metrics_server]
                .into_iter()
                .flatten()
                .collect(),
            SourceMode::Prometheus => sources.prometheus.into_iter().collect(),
            SourceMode::MetricsServer => sources.metrics_server.into_iter().collect(),
            SourceMode::Demo => sources.demo.into_iter().collect(),
            SourceMode::None => Vec::new(),
        };
        let chain = chain
            .into_iter()
            .map(|source| Candidate {
                source,
                state: Mutex::new(Backoff::default()),
            })
            .collect();
        Self {
            mode,
            chain,
            deadline,
        }
    }

    /// Samples the first source that answers.
    pub async fn select(&self) -> Selection {
        let mut fallbacks = Vec::new();
        for candidate in &self.chain {
            let kind = candidate.source.kind();
            let skipped = {
                let state = lock(&candidate.state);
                match (state.retry_at, &state.failure) {
                    (Some(at), Some(failure)) if Instant::now() < at => Some(failure.clone()),
                    _ => None,
                }
            };
            if let Some(failure) = skipped {
                fallbacks.push(failure);
                continue;
            }
            let result = tokio::time::timeout(self.deadline, candidate.source.sample())
                .await
                .unwrap_or(Err(SourceError::Timeout(self.deadline.as_secs())));
            let mut state = lock(&candidate.state);
            match result {
                Ok(usage) => {
                    if state.failure.take().is_some() {
                        tracing::info!(source = kind.label(), "metrics source recovered");
                    }
                    *state = Backoff::default();
                    let last_sample_ms = newest(&usage);
                    let (io, psi) = (usage.io, usage.psi);
                    return Selection {
                        interval: candidate.source.interval(),
                        usage: Some(usage),
                        status: SourceStatus {
                            mode: self.mode,
                            live: kind,
                            fallbacks,
                            last_sample_ms,
                            io,
                            psi,
                        },
                    };
                }
                Err(e) => {
                    // A source about to have its first numbers, or retrying right now, is
                    // asked again at the next refresh, which paces it. Every other failure
                    // backs off, so a broken or unreachable API is not asked every refresh.
                    let delay = if e.under_way() {
                        Duration::ZERO
                    } else {
                        state
                            .delay
                            .map_or(MIN_BACKOFF, |d| (d * 2).min(MAX_BACKOFF))
                    };
                    let retry_at = Instant::now() + delay;
                    let failure = explain(kind, &e, unix_ms_after(delay));
                    if e.under_way() {
                        tracing::debug!(source = kind.label(), error = %e, "metrics source starting or retrying");
                    } else if state.failure.as_ref().map(|f| f.reason) != Some(failure.reason) {
                        tracing::warn!(source = kind.label(), error = %e, retry_in_s = delay.as_secs(), "metrics source failed; falling back");
                    }
                    // A retry under way keeps the backoff it earned, so a source failing
                    // for good still backs off longer each time.
                    let delay_kept = if delay.is_zero() {
                        state.delay
                    } else {
                        Some(delay)
                    };
                    *state = Backoff {
                        failure: Some(failure.clone()),
                        retry_at: Some(retry_at),
                        delay: delay_kept,
                    };
                    fallbacks.push(failure);
                }
            }
        }
        Selection {
            interval: None,
            usage: None,
            status: SourceStatus {
                mode: self.mode,
                live: SourceKind::None,
                fallbacks,
                last_sample_ms: None,
                io: false,
                psi: false,
            },
        }
    }
}

fn newest(usage: &UsageSample) -> Option<i64> {
    let nodes = usage.nodes.values().map(|u| u.ts_ms);
    let pods = usage.pods.values().map(|p| p.sample.ts_ms);
    nodes.chain(pods).max()
}

fn unix_ms_after(delay: Duration) -> Option<i64> {
    crate::clock::unix_ms().checked_add(i64::try_from(delay.as_millis()).ok()?)
}

/// Plain words for a failure, with the fix.
fn explain(kind: SourceKind, e: &SourceError, retry_at_ms: Option<i64>) -> Fallback {
    let name = kind.label();
    let (message, hint) = match (kind, e) {
        (SourceKind::Prometheus, _) => super::prometheus::explain(e),
        (_, e) => explain_metrics_api(name, e),
    };
    Fallback {
        source: kind,
        reason: e.reason(),
        message,
        hint,
        retry_at_ms,
    }
}

/// Plain words for a `metrics.k8s.io` failure.
fn explain_metrics_api(name: &str, e: &SourceError) -> (String, String) {
    match e {
        SourceError::NotInstalled(_) => (
            "Metrics API not installed — showing requests/limits.".to_owned(),
            "Install metrics-server: kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml".to_owned(),
        ),
        SourceError::Unavailable(detail) => (
            format!("Metrics API unavailable — showing requests/limits. ({detail})"),
            "metrics-server is registered but not answering: check `kubectl -n kube-system get pods -l k8s-app=metrics-server` and `kubectl get apiservice v1beta1.metrics.k8s.io`.".to_owned(),
        ),
        SourceError::Forbidden(detail) => (
            format!("Not allowed to read {name} metrics — showing requests/limits. ({detail})"),
            "Grant get/list on metrics.k8s.io nodes and pods (see the ClusterRole in the README).".to_owned(),
        ),
        SourceError::Timeout(secs) => (
            format!("{name} did not answer within {secs}s — showing requests/limits."),
            "The API server or metrics-server is overloaded or unreachable, or your credential plugin is waiting for a login (run `kubectl get nodes` to see it); ktop-web keeps retrying.".to_owned(),
        ),
        // A retry under way is explained by the failure it retries.
        SourceError::Retrying(last) => explain_metrics_api(name, last),
        SourceError::Other(detail) | SourceError::Starting(detail) => (
            format!("{name} failed — showing requests/limits. ({detail})"),
            "ktop-web keeps retrying; run with --log-level debug for details.".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_trait::async_trait;
    use ktop_web_shared::api::FallbackReason;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A source that replays scripted results and counts calls.
    struct Scripted {
        kind: SourceKind,
        results: Mutex<Vec<Result<UsageSample, SourceError>>>,
        calls: AtomicUsize,
    }

    #[async_trait]
    impl MetricsSource for Scripted {
        fn kind(&self) -> SourceKind {
            self.kind
        }
        async fn sample(&self) -> Result<UsageSample, SourceError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            lock(&self.results).remove(0)
        }
    }

    fn scripted(results: Vec<Result<UsageSample, SourceError>>) -> Arc<Scripted> {
        scripted_as(SourceKind::MetricsServer, results)
    }

    fn scripted_as(
        kind: SourceKind,
        results: Vec<Result<UsageSample, SourceError>>,
    ) -> Arc<Scripted> {
        Arc::new(Scripted {
            kind,
            results: Mutex::new(results),
            calls: AtomicUsize::new(0),
        })
    }

    fn selector(mode: SourceMode, src: Arc<Scripted>) -> SourceSelector {
        let sources = Sources {
            metrics_server: Some(src),
            ..Sources::default()
        };
        SourceSelector::new(mode, sources, Duration::from_secs(10))
    }

    #[tokio::test(start_paused = true)]
    async fn falls_back_backs_off_and_recovers() {
        let src = scripted(vec![
            Err(SourceError::Unavailable("503".into())),
            Err(SourceError::Unavailable("503".into())),
            Ok(UsageSample::default()),
        ]);
        let sel = selector(SourceMode::MetricsServer, src.clone());

        let s = sel.select().await;
        assert!(s.usage.is_none());
        assert_eq!(s.status.live, SourceKind::None);
        assert_eq!(s.status.fallbacks.len(), 1);
        assert_eq!(s.status.fallbacks[0].reason, FallbackReason::Unavailable);
        assert!(s.status.fallbacks[0].message.contains("unavailable"));

        // Within the backoff the source is not called again, and the reason stays visible.
        tokio::time::advance(MIN_BACKOFF - Duration::from_secs(1)).await;
        let s = sel.select().await;
        assert_eq!(src.calls.load(Ordering::SeqCst), 1);
        assert_eq!(s.status.fallbacks[0].reason, FallbackReason::Unavailable);

        // After it, one retry fails and the backoff doubles.
        tokio::time::advance(Duration::from_secs(1)).await;
        sel.select().await;
        assert_eq!(src.calls.load(Ordering::SeqCst), 2);
        tokio::time::advance(MIN_BACKOFF).await;
        sel.select().await;
        assert_eq!(
            src.calls.load(Ordering::SeqCst),
            2,
            "second backoff is longer than the first"
        );

        tokio::time::advance(MAX_BACKOFF).await;
        let s = sel.select().await;
        assert_eq!(src.calls.load(Ordering::SeqCst), 3);
        assert!(s.usage.is_some());
        assert_eq!(s.status.live, SourceKind::MetricsServer);
        assert!(s.status.fallbacks.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn every_failure_but_starting_backs_off() {
        for err in [
            SourceError::NotInstalled("404".into()),
            SourceError::Unavailable("503".into()),
            SourceError::Forbidden("403".into()),
            SourceError::Timeout(10),
            SourceError::Other("connection refused".into()),
        ] {
            let src = scripted(vec![Err(err.clone()), Ok(UsageSample::default())]);
            let sel = selector(SourceMode::MetricsServer, src.clone());
            sel.select().await;
            tokio::time::advance(MIN_BACKOFF - Duration::from_millis(1)).await;
            let s = sel.select().await;
            assert_eq!(src.calls.load(Ordering::SeqCst), 1, "{err:?} asked again");
            assert_eq!(s.status.fallbacks[0].reason, err.reason());
            tokio::time::advance(Duration::from_millis(1)).await;
            assert_eq!(sel.select().await.status.live, SourceKind::MetricsServer);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_failure_kind_is_explained() {
        for (err, reason) in [
            (
                SourceError::NotInstalled("404".into()),
                FallbackReason::NotInstalled,
            ),
            (
                SourceError::Forbidden("403".into()),
                FallbackReason::Forbidden,
            ),
            (SourceError::Other("boom".into()), FallbackReason::Error),
        ] {
            let sel = selector(SourceMode::MetricsServer, scripted(vec![Err(err)]));
            let s = sel.select().await;
            let f = &s.status.fallbacks[0];
            assert_eq!(f.reason, reason);
            assert!(!f.hint.is_empty());
            assert!(f.retry_at_ms.is_some());
        }
        let sel = selector(
            SourceMode::MetricsServer,
            scripted(vec![Err(SourceError::NotInstalled("404".into()))]),
        );
        assert!(
            sel.select().await.status.fallbacks[0]
                .hint
                .contains("Install metrics-server")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_api_server_that_never_answers_times_out() {
        // A tower-test mock of the API server that accepts the request and never replies.
        let (service, mut handle) = tower_test::mock::pair::<
            http::Request<kube::client::Body>,
            http::Response<kube::client::Body>,
        >();
        let silent = tokio::spawn(async move {
            let _pending = handle.next_request().await;
            std::future::pending::<()>().await;
        });
        let source = Arc::new(super::super::MetricsServer::new(
            crate::kube_clients::mocked(service).await,
            None,
        ));
        let sources = Sources {
            metrics_server: Some(source),
            ..Sources::default()
        };
        let sel = SourceSelector::new(SourceMode::MetricsServer, sources, Duration::from_secs(3));
        let s = sel.select().await;
        assert_eq!(s.status.fallbacks[0].reason, FallbackReason::Timeout);
        assert!(s.status.fallbacks[0].message.contains("within 3s"));
        assert_eq!(s.status.live, SourceKind::None);
        silent.abort();
    }

    fn both(
        mode: SourceMode,
        prometheus: Arc<Scripted>,
        metrics_server: Arc<Scripted>,
    ) -> SourceSelector {
        let sources = Sources {
            prometheus: Some(prometheus),
            metrics_server: Some(metrics_server),
            demo: None,
        };
        SourceSelector::new(mode, sources, Duration::from_secs(10))
    }

    #[tokio::test(start_paused = true)]
    async fn auto_prefers_prometheus_and_says_why_it_falls_back() {
        let io = UsageSample {
            io: true,
            ..UsageSample::default()
        };
        let prom = scripted_as(
            SourceKind::Prometheus,
            vec![
                Ok(io.clone()),
                Err(SourceError::Forbidden("nodes \"n1\" is forbidden".into())),
                Ok(io),
            ],
        );
        let ms = scripted(vec![Ok(UsageSample::default())]);
        let sel = both(SourceMode::Auto, prom.clone(), ms.clone());

        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::Prometheus);
        assert!(s.status.io, "prometheus measures network and disk");
        assert!(s.status.fallbacks.is_empty());
        assert_eq!(ms.calls.load(Ordering::SeqCst), 0);

        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::MetricsServer);
        assert!(!s.status.io);
        let f = &s.status.fallbacks[0];
        assert_eq!(
            (f.source, f.reason),
            (SourceKind::Prometheus, FallbackReason::Forbidden)
        );
        assert!(f.hint.contains("nodes/proxy"), "{}", f.hint);

        // Back to prometheus once its backoff has passed and it answers.
        tokio::time::advance(MAX_BACKOFF).await;
        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::Prometheus);
        assert_eq!(prom.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_starting_source_is_asked_again_at_the_next_refresh() {
        let prom = scripted_as(
            SourceKind::Prometheus,
            vec![
                Err(SourceError::Starting("one scrape so far".into())),
                Ok(UsageSample::default()),
            ],
        );
        let ms = scripted(vec![Ok(UsageSample::default())]);
        let sel = both(SourceMode::Auto, prom.clone(), ms);
        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::MetricsServer);
        assert_eq!(s.status.fallbacks[0].reason, FallbackReason::Starting);
        assert!(s.status.fallbacks[0].message.contains("one scrape so far"));
        // No backoff: the very next refresh asks it again.
        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::Prometheus);
        assert_eq!(prom.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_under_way_is_asked_again_at_the_next_refresh_and_keeps_its_reason() {
        let unavailable = || SourceError::Unavailable("503".into());
        let src = scripted(vec![
            Err(unavailable()),
            Err(SourceError::Retrying(Box::new(unavailable()))),
            Err(unavailable()),
            Err(SourceError::Retrying(Box::new(unavailable()))),
            Ok(UsageSample::default()),
        ]);
        let sel = selector(SourceMode::MetricsServer, src.clone());
        let retry_in = |s: &Selection| {
            let at = s.status.fallbacks[0].retry_at_ms.expect("a retry time");
            at - crate::clock::unix_ms()
        };
        let s = sel.select().await;
        assert!(retry_in(&s) > 10_000, "the first failure backs off");
        tokio::time::advance(MIN_BACKOFF).await;
        // The retry is running: shown with the failure it retries, asked again next refresh.
        let s = sel.select().await;
        let f = &s.status.fallbacks[0];
        assert_eq!(f.reason, FallbackReason::Unavailable);
        assert!(f.message.contains("unavailable"), "{}", f.message);
        assert!(retry_in(&s) < 1_000, "no backoff while retrying");
        // It failed again: the backoff goes on growing, not back to its start.
        let s = sel.select().await;
        assert!(retry_in(&s) > MIN_BACKOFF.as_millis() as i64 + 5_000);
        tokio::time::advance(MAX_BACKOFF).await;
        let _ = sel.select().await;
        // Recovered at the refresh after the retry began.
        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::MetricsServer);
        assert_eq!(src.calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn explicit_prometheus_does_not_fall_back_to_metrics_server() {
        let prom = scripted_as(
            SourceKind::Prometheus,
            vec![Err(SourceError::Forbidden("403".into()))],
        );
        let ms = scripted(vec![Ok(UsageSample::default())]);
        let s = both(SourceMode::Prometheus, prom, ms.clone())
            .select()
            .await;
        assert_eq!(s.status.live, SourceKind::None);
        assert_eq!(s.status.fallbacks[0].source, SourceKind::Prometheus);
        assert_eq!(ms.calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn none_mode_never_samples() {
        let src = scripted(vec![]);
        let sel = selector(SourceMode::None, src.clone());
        let s = sel.select().await;
        assert_eq!(s.status.live, SourceKind::None);
        assert!(s.status.fallbacks.is_empty());
        assert_eq!(src.calls.load(Ordering::SeqCst), 0);
    }
}

//! History ranges from a real Prometheus with days of backfilled samples of known values
//! (`scripts/test-cluster prometheus up`): by URL, behind a path prefix, found by discovery
//! and reached through the API server's service proxy, in both cAdvisor label conventions.
// The cluster lock is held across awaits on purpose: one test at a time owns the cluster.
#![allow(clippy::await_holding_lock)]

mod support;

use std::time::Duration;

use ktop_web_shared::history::{History, HistoryMetric};
use support::audit::{ktop_requests, outside_allowlist};
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::{Ktop, free_port};
use support::prometheus::{
    NODE_SCALE, Prometheus, close, expected_cpu, expected_memory, expected_net_rx, query_range,
    steady_at,
};

const WAIT: Duration = Duration::from_secs(60);

/// Points asked for a day: a 300 s step, so each instant is a multiple of five minutes.
const DAY_POINTS: u32 = 289;
const DAY_STEP: i64 = 300;
/// The rate window ktop-web uses at that step: the step, but at least four minutes.
const WINDOW: i64 = 300;

/// A pod of the backfilled history and the label naming pods in its series.
struct HistoryPod {
    name: &'static str,
    pod_label: &'static str,
    container_label: &'static str,
}

const NEW: HistoryPod = HistoryPod {
    name: "steady-new",
    pod_label: "pod",
    container_label: "container",
};

const OLD: HistoryPod = HistoryPod {
    name: "steady-old",
    pod_label: "pod_name",
    container_label: "container_name",
};

impl HistoryPod {
    /// The plain query of the pod's CPU, as anyone would write it for this convention.
    fn cpu(&self) -> String {
        self.cpu_over(WINDOW)
    }

    fn cpu_over(&self, window: i64) -> String {
        format!(
            "sum(rate(container_cpu_usage_seconds_total{{namespace=\"history\",{}=\"{}\",{c}!=\"\",{c}!=\"POD\"}}[{window}s]))",
            self.pod_label,
            self.name,
            c = self.container_label
        )
    }

    fn memory(&self) -> String {
        format!(
            "sum(container_memory_working_set_bytes{{namespace=\"history\",{}=\"{}\",{c}!=\"\",{c}!=\"POD\"}})",
            self.pod_label,
            self.name,
            c = self.container_label
        )
    }

    fn network_in(&self) -> String {
        format!(
            "sum(rate(container_network_receive_bytes_total{{namespace=\"history\",{}=\"{}\",{}=\"POD\"}}[{WINDOW}s]))",
            self.pod_label, self.name, self.container_label
        )
    }

    fn history_path(&self, context: &str) -> String {
        format!(
            "api/v1/contexts/{context}/history?range=24h&points={DAY_POINTS}&namespace=history&pod={}",
            self.name
        )
    }
}

/// Three instants of `history` inside the backfill, spread over the day, where a rate window
/// lies in one hour (so the formula holds exactly too).
fn chosen_instants(history: &History, end: i64) -> Vec<(usize, i64)> {
    spread_instants(
        (0..history.points as usize).map(|i| (i, history.time_ms(i) / 1000)),
        end,
        WINDOW,
    )
}

/// Three of `instants` up to `end`, spread out, where a rate over `window` lies in one hour.
fn spread_instants(
    instants: impl Iterator<Item = (usize, i64)>,
    end: i64,
    window: i64,
) -> Vec<(usize, i64)> {
    let instants: Vec<(usize, i64)> = instants
        .filter(|(_, t)| *t <= end && steady_at(*t, window))
        .collect();
    assert!(instants.len() > 30, "{} steady instants", instants.len());
    let n = instants.len();
    vec![instants[n / 10], instants[n / 2], instants[n * 9 / 10]]
}

/// `metric` of `history` at point `i`, in the source's unit (cores, bytes, bytes per second).
fn value_at(history: &History, metric: HistoryMetric, i: usize) -> f64 {
    let series = history
        .series(metric)
        .unwrap_or_else(|| panic!("no {metric:?} series in {:?}", history.source));
    let value = series.values[i].unwrap_or_else(|| panic!("no {metric:?} at point {i}"));
    match metric {
        HistoryMetric::Cpu => value as f64 / 1e9,
        _ => value as f64,
    }
}

/// Equal within the wire's rounding to whole nanocores, bytes and bytes per second.
fn same_on_the_wire(ours: f64, theirs: f64, metric: HistoryMetric) -> bool {
    let unit = match metric {
        HistoryMetric::Cpu => 1e-9,
        _ => 1.0,
    };
    (ours - theirs).abs() <= unit / 2.0 + 1e-9 * theirs.abs()
}

/// `pod`'s day from ktop-web equals Prometheus's own answer to the plain query at three
/// instants, and the formula the data was generated from.
async fn check_pod_day(ktop: &Ktop, prometheus: &Prometheus, base: &str, pod: &HistoryPod) {
    let history: History = ktop.get_json(&pod.history_path(&ktop.context())).await;
    assert_eq!(history.step_ms, DAY_STEP * 1000, "{}", pod.name);
    assert_eq!(history.points, DAY_POINTS);
    let start = history.start_ms / 1000;
    let end = history.time_ms(history.points as usize - 1) / 1000;
    for (metric, promql, expected) in [
        (
            HistoryMetric::Cpu,
            pod.cpu(),
            expected_cpu as fn(i64) -> f64,
        ),
        (HistoryMetric::Memory, pod.memory(), expected_memory),
        (HistoryMetric::Rx, pod.network_in(), expected_net_rx),
    ] {
        let direct = query_range(base, &promql, start, end, DAY_STEP).await;
        for (i, t) in chosen_instants(&history, prometheus.end) {
            let ours = value_at(&history, metric, i);
            let theirs = direct
                .iter()
                .find(|(at, _)| *at == t)
                .map(|(_, v)| *v)
                .unwrap_or_else(|| panic!("Prometheus has no {metric:?} at {t} for {}", pod.name));
            assert!(
                same_on_the_wire(ours, theirs, metric),
                "{} {metric:?} at {t}: ktop-web {ours}, Prometheus {theirs} ({promql})",
                pod.name
            );
            assert!(
                close(theirs, expected(t)),
                "{} {metric:?} at {t}: Prometheus {theirs}, generated {}",
                pod.name,
                expected(t)
            );
        }
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Prometheus): scripts/test runs it"]
async fn a_day_of_history_equals_prometheus_in_both_label_conventions() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let prometheus = Prometheus::up();
    let kubeconfig = c.kubeconfig.display().to_string();
    let env = [("KUBECONFIG", kubeconfig.as_str())];

    // By URL, at the server's root and behind a /prometheus prefix (Mimir's layout).
    for base in [&prometheus.url, &prometheus.prefixed_url] {
        let ktop = Ktop::start(&["--history-source", base], &env);
        for pod in [&NEW, &OLD] {
            check_pod_day(&ktop, &prometheus, base, pod).await;
        }
        // The node's totals are its root cgroup: four times a pod's.
        let node_path = format!(
            "api/v1/contexts/{}/history?range=24h&points={DAY_POINTS}&node={}",
            ktop.context(),
            prometheus.node
        );
        let node: History = ktop.get_json(&node_path).await;
        for (i, t) in chosen_instants(&node, prometheus.end) {
            let cpu = value_at(&node, HistoryMetric::Cpu, i);
            assert!(
                same_on_the_wire(cpu, NODE_SCALE * expected_cpu(t), HistoryMetric::Cpu),
                "node CPU at {t}: {cpu}"
            );
        }
        // One container, and its pod's containers per pod on the node.
        let container: History = ktop
            .get_json(&format!(
                "{}&container=app",
                OLD.history_path(&ktop.context())
            ))
            .await;
        let (i, t) = chosen_instants(&container, prometheus.end)[1];
        assert!(same_on_the_wire(
            value_at(&container, HistoryMetric::Memory, i),
            expected_memory(t),
            HistoryMetric::Memory
        ));
        let per_pod: History = ktop.get_json(&format!("{node_path}&per_pod=true")).await;
        let pods: Vec<&str> = per_pod
            .series
            .iter()
            .filter(|s| s.metric == HistoryMetric::Cpu)
            .filter_map(|s| s.pod.as_deref())
            .collect();
        for pod in ["history/steady-new", "history/steady-old"] {
            assert!(pods.contains(&pod), "{pod} among the node's pods: {pods:?}");
        }
        assert!(history_source_named(&per_pod, base), "{}", per_pod.source);
    }
}

fn history_source_named(history: &History, base: &str) -> bool {
    history.source.contains(base.trim_end_matches('/'))
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Prometheus): scripts/test runs it"]
async fn without_the_flag_the_well_known_service_is_found_named_and_read_through_the_api_server() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let prometheus = Prometheus::up();
    let kubeconfig = c.kubeconfig.display().to_string();
    let offset = c.audit_offset();
    let ktop = Ktop::start(&[], &[("KUBECONFIG", kubeconfig.as_str())]);
    let history: History = ktop.get_json(&NEW.history_path(&ktop.context())).await;
    let pin = history.pin_hint.clone().unwrap_or_default();
    assert!(
        pin.contains(&format!("--history-source {}", prometheus.service)),
        "says how to pin what it found: {pin:?}"
    );
    assert!(
        history.source.contains(&prometheus.service),
        "{}",
        history.source
    );
    check_pod_day(&ktop, &prometheus, &prometheus.url, &OLD).await;

    tokio::time::sleep(Duration::from_secs(3)).await;
    let events = c.audit_since(offset);
    let outside = outside_allowlist(&events);
    assert!(outside.is_empty(), "outside the allowlist: {outside:#?}");
    let through_proxy = ktop_requests(&events)
        .iter()
        .filter_map(|e| e["requestURI"].as_str())
        .filter(|u| {
            u.starts_with(
                "/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy/api/v1/query_range?",
            )
        })
        .count();
    assert!(
        through_proxy >= 6,
        "{through_proxy} queries through the service proxy"
    );
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Prometheus): scripts/test runs it"]
async fn an_unreachable_source_is_explained_and_the_live_view_keeps_working() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let kubeconfig = c.kubeconfig.display().to_string();
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let ktop = Ktop::start(
        &["--history-source", &nowhere],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let (status, body) = ktop.get(&NEW.history_path(&ktop.context())).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("cannot reach the history source"), "{body}");
    assert!(body.contains("\"hint\""), "says what to do: {body}");
    assert!(!body.contains("query="), "no PromQL in the message: {body}");
    let snapshot = format!("api/v1/contexts/{}/snapshot", ktop.context());
    let mut status = 0;
    for _ in 0..30 {
        status = ktop.get(&snapshot).await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(
        status, 200,
        "the live view does not depend on the history source"
    );
}

/// hana may read pods and nodes, and `get` the history service's proxy, and nothing else of
/// services; ivan only the first.
const VIEWERS_RBAC: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ktop-history-viewer
rules:
- apiGroups: [""]
  resources: ["nodes", "pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["metrics.k8s.io"]
  resources: ["nodes", "pods"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ktop-history-viewers
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ktop-history-viewer
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: hana
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: ivan
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ktop-history-source
  namespace: monitoring
rules:
- apiGroups: [""]
  resources: ["services/proxy"]
  # The service proxy's name for it: NAME:PORT.
  resourceNames: ["prometheus-operated:9090"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ktop-history-source
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ktop-history-source
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: User
  name: hana
"#;

/// The admin kubeconfig acting as `user` (kubectl's `as:`), written into `dir`.
fn kubeconfig_as(c: &TestCluster, dir: &std::path::Path, user: &str) -> String {
    let admin = std::fs::read_to_string(&c.kubeconfig).expect("the admin kubeconfig");
    assert!(admin.contains("\n  user:\n"), "one user entry: {admin}");
    let text = admin.replacen("\n  user:\n", &format!("\n  user:\n    as: {user}\n"), 1);
    let path = dir.join(format!("{user}.kubeconfig"));
    std::fs::write(&path, text).expect("write the kubeconfig");
    path.display().to_string()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Prometheus): scripts/test runs it"]
async fn through_the_service_proxy_only_a_viewer_who_may_get_it_reads_history() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let prometheus = Prometheus::up();
    let _rbac = c.apply(VIEWERS_RBAC);
    let dir = tempfile::tempdir().expect("a temp dir");
    let source = ["--history-source", prometheus.service.as_str()];

    let hana = Ktop::start(
        &source,
        &[("KUBECONFIG", &kubeconfig_as(c, dir.path(), "hana"))],
    );
    check_pod_day(&hana, &prometheus, &prometheus.url, &NEW).await;

    let ivan = Ktop::start(
        &source,
        &[("KUBECONFIG", &kubeconfig_as(c, dir.path(), "ivan"))],
    );
    let (status, body) = ivan.get(&NEW.history_path(&ivan.context())).await;
    assert_eq!(status, 403, "{body}");
    for needed in ["services/proxy", "`prometheus-operated:9090`", "ivan"] {
        assert!(body.contains(needed), "names {needed}: {body}");
    }
}

/// A chart's CSV as (Unix seconds, the `column` value) rows: the same export the chart's CSV
/// button downloads.
async fn chart_csv(b: &Browser, chart: &str, column: &str) -> Vec<(i64, Option<f64>)> {
    b.capture_download().await;
    b.click(&format!("{chart} .chart-csv"), WAIT).await;
    let csv = b.downloaded(WAIT).await;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(header.first(), Some(&"time"), "{csv}");
    let at = header
        .iter()
        .position(|h| *h == column)
        .unwrap_or_else(|| panic!("no {column} column: {header:?}"));
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let time: jiff::Timestamp = fields[0]
                .parse()
                .unwrap_or_else(|e| panic!("time {:?}: {e}", fields[0]));
            (time.as_second(), fields[at].parse().ok())
        })
        .collect()
}

/// The pod page of `pod` with a day of history, as a bookmark opens it: the picker says
/// 24h, the CPU chart is the range's, and its values at three instants equal Prometheus's
/// own answer for the chart's step (and the generating formula).
async fn check_pod_page_day(b: &Browser, ktop: &Ktop, prometheus: &Prometheus, pod: &HistoryPod) {
    let context = ktop.context();
    b.goto(&ktop.signed(&format!("/c/{context}/pods/history/{}?range=24h", pod.name)))
        .await;
    b.wait_for(
        "#range-picker [data-range=\"24h\"][aria-pressed=\"true\"]",
        WAIT,
    )
    .await;
    let chart = "section[data-chart=\"cpu\"]";
    b.wait_for(&format!("{chart} [data-range-points]"), WAIT)
        .await;
    let attr = |name: &'static str| async move {
        b.attr(&format!("{chart} [data-range-points]"), name)
            .await
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or_else(|| panic!("{name} on the range chart"))
    };
    let step = attr("data-range-step-ms").await / 1000;
    let start = attr("data-range-start-ms").await / 1000;
    let points = attr("data-range-points").await;
    let end = start + (points - 1) * step;
    assert!(
        (100..=11_000).contains(&points),
        "a chart-wide day: {points} points"
    );
    let window = step.max(240);
    let rows = chart_csv(b, chart, "usage").await;
    assert_eq!(rows.len() as i64, points, "one CSV row per point");
    let direct = query_range(&prometheus.url, &pod.cpu_over(window), start, end, step).await;
    let chosen = spread_instants(
        rows.iter().enumerate().map(|(i, (t, _))| (i, *t)),
        prometheus.end,
        window,
    );
    for (i, t) in chosen {
        let ours = rows[i].1.unwrap_or_else(|| panic!("no usage at {t}")) / 1e9;
        let theirs = direct
            .iter()
            .find(|(at, _)| *at == t)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("Prometheus has no CPU at {t}"));
        assert!(
            same_on_the_wire(ours, theirs, HistoryMetric::Cpu),
            "{} at {t}: the page {ours}, Prometheus {theirs}",
            pod.name
        );
        assert!(
            close(theirs, expected_cpu(t)),
            "{} at {t}: {theirs}",
            pod.name
        );
    }
    let source = b.text("#history-source").await.unwrap_or_default();
    assert!(source.contains("Prometheus"), "names the source: {source}");
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Prometheus, Chromium): scripts/test runs it"]
async fn a_bookmarked_pod_page_draws_the_day_prometheus_has() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let prometheus = Prometheus::up();
    let kubeconfig = c.kubeconfig.display().to_string();
    let env = [("KUBECONFIG", kubeconfig.as_str())];
    let ktop = Ktop::start(&["--history-source", &prometheus.url], &env);
    let b = Browser::start().await;
    for pod in [&NEW, &OLD] {
        check_pod_page_day(&b, &ktop, &prometheus, pod).await;
    }
    b.screenshot("history-pod-24h").await;

    // The node's page over the day: its pods' trend lines are the range's, one request for
    // all of them; the day's CPU of steady-new is drawn across the whole line.
    b.goto(&ktop.signed(&format!(
        "/c/{}/nodes/{}?range=24h",
        ktop.context(),
        prometheus.node
    )))
    .await;
    let spark = "#pods-table tr[data-pod=\"history/steady-new\"] td[data-col=\"cpu-spark\"][data-range-spark] svg";
    let points: usize = b
        .eventually("the range's trend line", WAIT, || async {
            b.attr(spark, "data-points")
                .await
                .and_then(|p| p.parse().ok())
                .filter(|p: &usize| *p > 0)
        })
        .await;
    assert!(points >= 60, "a day of points across the line: {points}");
    b.screenshot("history-node-24h").await;

    // Back to live: the ring buffers' chart, and the URL no longer names a range.
    b.click("#range-picker [data-range=\"live\"]", WAIT).await;
    b.eventually("the live chart", WAIT, || async {
        b.all("section[data-chart=\"cpu\"] [data-range-points]")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    let url = b.client.current_url().await.expect("the URL");
    assert!(!url.as_str().contains("range="), "{url}");

    // A source that does not answer: a banner with the reason and the fix, and the rest of
    // the page (the containers of the pod) keeps working.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let broken = Ktop::start(&["--history-source", &nowhere], &env);
    b.goto(&broken.signed(&format!(
        "/c/{}/pods/history/steady-new?range=24h",
        broken.context()
    )))
    .await;
    let banner = b.wait_for("#history-banner", WAIT).await;
    let text = banner.text().await.unwrap_or_default();
    assert!(text.contains("cannot reach the history source"), "{text}");
    assert!(
        text.contains("--history-source"),
        "says how to fix it: {text}"
    );
    b.wait_for("#containers-table tbody tr", WAIT).await;
    b.close().await;
}

//! ktop-web against the real test control plane (kube-apiserver, etcd, kwok nodes,
//! metrics-server) in headless Chromium.

// Each tokio test has its own runtime and thread; the std lock only keeps tests that change
// the shared cluster from overlapping, so holding it across awaits is intended.
#![allow(clippy::await_holding_lock)]

mod support;

use std::time::Duration;

use ktop_web_shared::api::{FallbackReason, Snapshot, SourceKind};
use support::audit::{is_metrics_nodes_read, ktop_requests};
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;
use support::top::{api_top, dom_top, kubectl_top};

const WAIT: Duration = Duration::from_secs(60);

fn start_ktop(c: &TestCluster, args: &[&str]) -> Ktop {
    let kubeconfig = c.kubeconfig.display().to_string();
    Ktop::start(args, &[("KUBECONFIG", kubeconfig.as_str())])
}

async fn snapshot(ktop: &Ktop) -> Snapshot {
    let contexts: ktop_web_shared::api::ContextList = ktop.get_json("api/v1/contexts").await;
    for _ in 0..120 {
        let (status, body) = ktop
            .get(&format!("api/v1/contexts/{}/snapshot", contexts.current))
            .await;
        if status == 200 {
            return serde_json::from_str(&body).expect("snapshot JSON");
        }
        assert_eq!(status, 503, "{body}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no snapshot within 60 s");
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn usage_in_api_and_browser_equals_kubectl_top() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let ktop = start_ktop(
        c,
        &["--refresh", "1s", "--metrics-source", "metrics-server"],
    );
    snapshot(&ktop).await;

    // API: kubectl before and after an uncached snapshot; equal kubectl outputs bracket one
    // metrics-server sample, which the snapshot must then show exactly.
    let mut compared = false;
    for _ in 0..15 {
        let before = kubectl_top(c);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let snap = snapshot(&ktop).await;
        let after = kubectl_top(c);
        if before != after || before.0.is_empty() {
            continue;
        }
        assert_eq!(snap.source.live, SourceKind::MetricsServer);
        let api = api_top(&snap);
        assert_eq!(api.0, before.0, "node usage: API vs kubectl top nodes");
        assert_eq!(api.1, before.1, "pod usage: API vs kubectl top pods -A");
        assert!(api.1.len() >= 40, "pods with usage: {}", api.1.len());
        compared = true;
        break;
    }
    assert!(
        compared,
        "kubectl top never held still long enough to compare"
    );

    // Browser: the same bracket around reading the rendered cells.
    let b = Browser::start().await;
    for (path, row_attr, top_index) in [("nodes", "data-node", 0), ("pods", "data-pod", 1)] {
        b.goto(&ktop.signed(path)).await;
        b.wait_for(
            &format!("tr[{row_attr}] td[data-col='cpu'][data-value]"),
            WAIT,
        )
        .await;
        let mut compared = 0;
        for _ in 0..15 {
            let before = kubectl_top(c);
            tokio::time::sleep(Duration::from_millis(2500)).await;
            let dom = dom_top(&b, row_attr).await;
            let after = kubectl_top(c);
            if before != after || dom.is_empty() {
                continue;
            }
            let expected = if top_index == 0 { &before.0 } else { &before.1 };
            for (key, value) in &dom {
                assert_eq!(
                    Some(value),
                    expected.get(key),
                    "{path}: {key} in the browser vs kubectl top"
                );
            }
            compared = dom.len();
            break;
        }
        assert!(compared >= 5, "{path}: compared only {compared} rows");
        b.screenshot(&format!("cluster-{path}")).await;
    }
    b.close().await;
}

/// Starts metrics-server again even if the test fails half-way.
struct RestartMetricsServer;

impl Drop for RestartMetricsServer {
    fn drop(&mut self) {
        let _ =
            std::process::Command::new(support::cluster::repo_root().join("scripts/test-cluster"))
                .args(["metrics-server", "start"])
                .status();
    }
}

async fn live_source(b: &Browser) -> Option<String> {
    b.attr("#source-badge", "data-live-source").await
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn falls_back_to_requests_and_limits_while_metrics_server_is_down() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let ktop = start_ktop(
        c,
        &["--refresh", "2s", "--metrics-source", "metrics-server"],
    );
    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    b.eventually("metrics-server live", WAIT, || async {
        live_source(&b).await.filter(|s| s == "metrics-server")
    })
    .await;

    let _restart = RestartMetricsServer;
    c.script(&["metrics-server", "stop"]);
    b.eventually("the fallback", WAIT, || async {
        live_source(&b).await.filter(|s| s == "none")
    })
    .await;
    let banner = b
        .eventually("the fallback reason", WAIT, || async {
            b.text("#fallback")
                .await
                .filter(|t| t.contains("unavailable"))
        })
        .await;
    assert!(banner.contains("requests/limits"), "banner: {banner}");
    let snap = snapshot(&ktop).await;
    let reason = snap
        .source
        .fallbacks
        .iter()
        .find(|f| f.source == SourceKind::MetricsServer)
        .map(|f| f.reason);
    assert_eq!(reason, Some(FallbackReason::Unavailable));
    assert!(
        snap.nodes.iter().all(|n| n.usage.is_none()),
        "no stale usage while down"
    );
    assert!(
        snap.nodes.iter().any(|n| n.requests.cpu > 0),
        "requests are still shown"
    );
    let cell = b
        .text("tr[data-node] td[data-col='cpu']")
        .await
        .unwrap_or_default();
    assert_eq!(
        cell.trim(),
        "—",
        "usage cells show a dash while metrics are down"
    );
    b.screenshot("cluster-fallback").await;

    c.script(&["metrics-server", "start"]);
    b.eventually(
        "usage back after metrics-server restarts",
        Duration::from_secs(180),
        || async { live_source(&b).await.filter(|s| s == "metrics-server") },
    )
    .await;
    b.wait_for("tr[data-node] td[data-col='cpu'][data-value]", WAIT)
        .await;
    b.close().await;
}

/// `/apis/metrics.k8s.io/*/nodes` list requests completed after `offset` bytes of the log.
fn metrics_reads_since(c: &TestCluster, offset: usize) -> usize {
    let events = c.audit_since(offset);
    ktop_requests(&events)
        .into_iter()
        .filter(|e| is_metrics_nodes_read(e))
        .count()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn three_tabs_share_one_metrics_read_per_refresh() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let refresh = Duration::from_secs(5);
    let ktop = start_ktop(
        c,
        &["--refresh", "5s", "--metrics-source", "metrics-server"],
    );
    snapshot(&ktop).await;
    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    for _ in 0..2 {
        let w = b.client.new_window(false).await.expect("new window");
        b.client.switch_to_window(w.handle).await.expect("switch");
        b.goto(&ktop.signed("pods")).await;
    }
    for handle in b.client.windows().await.expect("windows") {
        b.client.switch_to_window(handle).await.expect("switch");
        b.wait_for("#source-badge[data-live-source='metrics-server']", WAIT)
            .await;
    }
    let offset = c.audit_offset();
    let window = Duration::from_secs(30);
    tokio::time::sleep(window).await;
    let reads = metrics_reads_since(c, offset);
    let intervals = (window.as_secs() / refresh.as_secs()) as usize;
    // Three tabs polling each interval would give ~3 reads per interval without sharing.
    assert!(
        reads >= intervals / 2,
        "the tabs kept polling: {reads} reads in {window:?}"
    );
    assert!(
        reads <= intervals + 1,
        "{reads} metrics reads in {window:?} with 3 tabs; at most one per {refresh:?} expected"
    );
    b.close().await;
}

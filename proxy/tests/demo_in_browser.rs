//! `ktop-web --demo` end to end: the real binary, its embedded web UI, headless Chromium.

mod support;

use std::time::Duration;

use ktop_web_shared::api::{ContextList, PodPhase, Snapshot, SourceKind};
use ktop_web_shared::detail::{EventList, NodeDetail, PodDetail};
use support::browser::Browser;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_api_serves_a_simulated_cluster() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    assert!(ktop.startup_line.contains("DEMO"), "{}", ktop.startup_line);
    let contexts: ContextList = ktop.get_json("api/v1/contexts").await;
    assert_eq!(contexts.current, "demo");
    let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
    assert!(snap.cluster.demo);
    assert_eq!(snap.source.live, SourceKind::Demo);
    assert_eq!(snap.nodes.len(), 5);
    assert!(snap.pods.len() >= 50);
    assert!(snap.nodes.iter().all(|n| n.usage.is_some()));
    let (status, body) = ktop.get("api/v1/contexts/prod/snapshot").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not served"), "{body}");
    // App routes fall back to the page; unknown files do not.
    let (status, body) = ktop.get("pods").await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<html") || body.contains("<!DOCTYPE") || body.contains("<!doctype"),
        "{body}"
    );
    assert_eq!(ktop.get("nope.js").await.0, 404);
}

/// A running pod of the demo's `frontend` Deployment: its name.
fn frontend_pod(snap: &Snapshot) -> String {
    snap.pods
        .iter()
        .find(|p| p.ns == "shop" && p.name.starts_with("frontend-") && p.phase == PodPhase::Running)
        .map(|p| p.name.clone())
        .expect("a running frontend pod")
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_api_answers_details_events_and_growing_logs() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let node: NodeDetail = ktop
        .get_json("api/v1/contexts/demo/nodes/demo-worker-2")
        .await;
    assert!(
        node.system
            .kernel_version
            .starts_with(|c: char| c.is_ascii_digit()),
        "kernel version {:?}",
        node.system.kernel_version
    );
    assert!(
        node.conditions
            .iter()
            .any(|c| c.kind == "MemoryPressure" && c.status == "True"),
        "{:?}",
        node.conditions
    );
    let events: EventList = ktop
        .get_json("api/v1/contexts/demo/namespaces/default/events?kind=Node&name=demo-worker-2")
        .await;
    assert!(
        events
            .events
            .iter()
            .any(|e| e.kind == "Warning" && e.reason == "NodeHasInsufficientMemory"),
        "{:?}",
        events.events
    );
    let (status, body) = ktop.get("api/v1/contexts/demo/nodes/nope").await;
    assert_eq!(status, 404, "{body}");

    let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
    let pod = frontend_pod(&snap);
    let detail: PodDetail = ktop
        .get_json(&format!("api/v1/contexts/demo/namespaces/shop/pods/{pod}"))
        .await;
    assert_eq!(detail.owner.map(|o| o.kind).as_deref(), Some("ReplicaSet"));
    assert_eq!(detail.containers.len(), 1);

    // The log grows by a line every two seconds.
    let log = format!(
        "api/v1/contexts/demo/namespaces/shop/pods/{pod}/log?container=web&tailLines=10000"
    );
    let lines = || async {
        let (status, body) = ktop.get(&log).await;
        assert_eq!(status, 200, "{body}");
        body.lines().count()
    };
    let first = lines().await;
    assert!(first > 0);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = lines().await;
        if now > first {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the log stayed at {first} lines (now {now})"
        );
    }
    let (status, body) = ktop
        .get(&format!(
            "api/v1/contexts/demo/namespaces/shop/pods/{pod}/log?container=web&previous=true"
        ))
        .await;
    assert_eq!(status, 400, "no previous run: {body}");
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_node_and_container_pages_show_details_events_and_logs() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
    let pod = frontend_pod(&snap);
    let b = Browser::start().await;

    b.goto(&ktop.signed("nodes/demo-worker-2")).await;
    b.wait_for("#node-detail[data-node='demo-worker-2']", WAIT)
        .await;
    let kernel = b
        .eventually("the node's kernel version", WAIT, || async {
            b.text("#node-facts [data-fact='Kernel'] dd")
                .await
                .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        })
        .await;
    assert!(kernel.contains('.'), "kernel {kernel:?}");
    b.wait_for("#node-conditions tr[data-condition='MemoryPressure']", WAIT)
        .await;
    let events = b
        .eventually("the node's events", WAIT, || async {
            let rows = b.all("#events-table tbody tr").await.len();
            (rows > 0).then_some(rows)
        })
        .await;
    assert!(events > 0);
    b.screenshot("demo-node-detail").await;

    b.goto(&ktop.signed(&format!("pods/shop/{pod}"))).await;
    b.wait_for(&format!("#pod-detail[data-pod='shop/{pod}']"), WAIT)
        .await;
    b.wait_for("#containers-table tr[data-container='web']", WAIT)
        .await;
    b.eventually("the pod's events", WAIT, || async {
        let rows = b.all("#events-table tbody tr").await.len();
        (rows > 0).then_some(rows)
    })
    .await;

    b.goto(&ktop.signed(&format!("pods/shop/{pod}/web"))).await;
    b.wait_for("#container-detail[data-container='web']", WAIT)
        .await;
    let shown = b
        .eventually("log lines", WAIT, || async {
            b.attr("#log-lines", "data-count")
                .await?
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
        })
        .await;
    assert!(
        shown <= 500,
        "the page asks for the last 500 lines: {shown}"
    );
    let text = b.text("#log-lines").await.unwrap_or_default();
    assert!(text.contains("level="), "{text}");
    b.screenshot("demo-container-logs").await;
    b.close().await;
}

/// Number of points in a node's CPU sparkline, if the row is on screen.
async fn cpu_points(b: &Browser, node: &str) -> Option<usize> {
    let css = format!("tr[data-node='{node}'] td[data-col='cpu-spark'] svg.sparkline");
    b.attr(&css, "data-points").await?.parse().ok()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_nodes_table_shows_numbers_and_growing_sparklines() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    b.wait_for("#nodes-table tr[data-node]", WAIT).await;
    assert_eq!(b.all("#nodes-table tr[data-node]").await.len(), 5);

    let node = "demo-worker-1";
    let cpu_cell = format!("tr[data-node='{node}'] td[data-col='cpu']");
    let cpu: u64 = b
        .eventually("a CPU number", WAIT, || async {
            b.attr(&cpu_cell, "data-value").await?.parse().ok()
        })
        .await;
    assert!(cpu > 0);
    let text = b.text(&cpu_cell).await.unwrap_or_default();
    assert!(
        text.ends_with('m') || text.parse::<f64>().is_ok(),
        "CPU cell reads {text:?}"
    );
    let mem_text = b
        .text(&format!("tr[data-node='{node}'] td[data-col='mem']"))
        .await
        .unwrap_or_default();
    assert!(
        mem_text.ends_with("Gi") || mem_text.ends_with("Mi"),
        "memory cell reads {mem_text:?}"
    );

    let first = b
        .eventually("a sparkline", WAIT, || async {
            cpu_points(&b, node).await.filter(|&n| n >= 1)
        })
        .await;
    // One point per refresh: after a few refreshes the line has grown by at least two.
    let grown = b
        .eventually("the sparkline to grow", WAIT, || async {
            cpu_points(&b, node).await.filter(|&n| n >= first + 2)
        })
        .await;
    assert!(grown > first);
    let badge = b.text(".demo-badge").await.unwrap_or_default();
    assert!(badge.contains("DEMO"), "badge reads {badge:?}");
    assert_eq!(
        b.attr("#source-badge", "data-live-source").await.as_deref(),
        Some("demo")
    );
    b.screenshot("demo-nodes").await;

    b.goto(&ktop.signed("")).await;
    b.wait_for("#nodes-ready", WAIT).await;
    let ready = b
        .eventually("nodes ready", WAIT, || async {
            b.text("#nodes-ready").await.filter(|t| t.contains('/'))
        })
        .await;
    assert_eq!(ready.trim(), "5/5");
    b.screenshot("demo-overview").await;
    b.close().await;
}

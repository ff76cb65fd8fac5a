//! `ktop-web --demo` end to end: the real binary, its embedded web UI, headless Chromium.

mod support;

use std::time::Duration;

use ktop_web_shared::api::{ContextList, Snapshot, SourceKind};
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

//! `ktop-web --demo` end to end: the real binary, its embedded web UI, headless Chromium.

mod support;

use std::time::Duration;

use ktop_web_shared::api::{ContextList, PodPhase, Snapshot, SourceKind};
use ktop_web_shared::detail::{EventList, NodeDetail, PodDetail};
use ktop_web_shared::quota::QuotaList;
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

/// `data-value` of each entry of an overview list, in order.
async fn list_values(b: &Browser, list: &str) -> Vec<u64> {
    let mut values = Vec::new();
    for li in b.all(&format!("{list} li[data-value]")).await {
        if let Some(v) = li.attr("data-value").await.ok().flatten() {
            values.extend(v.parse::<u64>().ok());
        }
    }
    values
}

/// Link texts of an overview list's entries, in order.
async fn list_labels(b: &Browser, list: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for a in b.all(&format!("{list} li a")).await {
        labels.extend(a.text().await.ok());
    }
    labels
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_overview_shows_who_is_heavy() {
    use ktop_web_shared::frame::{cpu_from_wire, cpu_to_wire};

    let ktop = Ktop::start(&["--demo", "--refresh", "2s"], &[]);
    let b = Browser::start().await;
    b.goto(&ktop.signed("")).await;
    let values = b
        .eventually("ten pods by CPU", WAIT, || async {
            let values = list_values(&b, "#top-pods-cpu").await;
            (values.len() == 10).then_some(values)
        })
        .await;
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    // The busiest pod of the snapshot read right after the list, at the wire's precision
    // (millicores); a refresh may land in between, so this is retried.
    b.eventually(
        "the first pod to be the snapshot's busiest",
        WAIT,
        || async {
            let first = *list_values(&b, "#top-pods-cpu").await.first()?;
            let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
            let busiest = snap
                .pods
                .iter()
                .filter_map(|p| p.usage())
                .map(|u| cpu_from_wire(cpu_to_wire(u.cpu)))
                .max()?;
            (first == busiest).then_some(())
        },
    )
    .await;
    let href = b
        .attr("#top-pods-cpu li a", "href")
        .await
        .unwrap_or_default();
    assert!(href.starts_with("/c/demo/pods/"), "{href}");

    let workloads = list_labels(&b, "#top-workloads-cpu").await;
    assert_eq!(workloads.len(), 10, "{workloads:?}");
    let kinds: Vec<&str> = workloads
        .iter()
        .filter_map(|w| w.split_once('/').map(|(kind, _)| kind))
        .collect();
    assert_eq!(kinds.len(), workloads.len(), "Kind/name: {workloads:?}");
    for kind in ["Deployment", "StatefulSet"] {
        assert!(kinds.contains(&kind), "no {kind} in {workloads:?}");
    }
    assert!(
        !kinds.contains(&"ReplicaSet"),
        "Deployments, not their ReplicaSets: {workloads:?}"
    );

    let shares = list_values(&b, "#top-namespaces").await;
    assert!(!shares.is_empty());
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{shares:?}");
    assert!(shares.iter().sum::<u64>() <= 10_000 + 10, "{shares:?}");
    let ns_href = b
        .attr("#top-namespaces li a", "href")
        .await
        .unwrap_or_default();
    assert!(ns_href.starts_with("/c/demo/pods?ns="), "{ns_href}");
    for list in ["#top-pods-mem", "#top-workloads-mem", "#top-namespaces-mem"] {
        assert!(!list_values(&b, list).await.is_empty(), "{list}");
    }
    assert_eq!(list_values(&b, "#top-nodes-cpu").await.len(), 5);
    assert_eq!(list_values(&b, "#top-nodes-mem").await.len(), 5);

    assert_eq!(list_labels(&b, "#pressure-nodes").await, ["demo-worker-2"]);
    assert_eq!(
        b.attr("#pressure-nodes li a", "href").await.as_deref(),
        Some("/c/demo/nodes/demo-worker-2")
    );
    b.screenshot("demo-overview-top").await;

    // Its links lead to the pages they name.
    b.click("#pressure-nodes li a", WAIT).await;
    b.wait_for("#node-detail[data-node='demo-worker-2']", WAIT)
        .await;
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_workload_page_sums_its_pods_and_lists_them() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
    let pods: Vec<String> = snap
        .pods
        .iter()
        .filter(|p| {
            p.ns == "ml"
                && p.owner
                    .as_ref()
                    .is_some_and(|o| o.kind == "StatefulSet" && o.name == "trainer")
        })
        .map(|p| p.key())
        .collect();
    assert!(pods.len() >= 2, "the demo's trainer pods: {pods:?}");
    let b = Browser::start().await;
    b.goto(&ktop.signed("workloads/ml/StatefulSet/trainer"))
        .await;
    let ready: String = b
        .eventually("the workload's facts", WAIT, || async {
            // The facts are there before the first snapshot, with dashes.
            let facts = b.text("#workload-facts").await?;
            facts.contains("StatefulSet").then_some(facts)
        })
        .await;
    assert!(
        ready.contains(&format!("/{}", pods.len())),
        "ready of its {} pods: {ready}",
        pods.len()
    );
    let listed: Vec<String> = b
        .eventually("its pods", WAIT, || async {
            let mut keys = Vec::new();
            for row in b.all("#pods-table tr.row[data-pod]").await {
                keys.push(row.attr("data-pod").await.ok()??);
            }
            (keys.len() == pods.len()).then_some(keys)
        })
        .await;
    let mut want = pods.clone();
    want.sort();
    let mut got = listed;
    got.sort();
    assert_eq!(got, want, "only the workload's pods");
    b.wait_for("#workload-summary section[data-chart='cpu']", WAIT)
        .await;
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn demo_lists_its_workloads_namespaces_and_quotas() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let snap: Snapshot = ktop.get_json("api/v1/contexts/demo/snapshot").await;
    let quotas: QuotaList = ktop.get_json("api/v1/contexts/demo/quotas").await;
    // Every workload of the snapshot, as the page keys it: `namespace/Kind/name`.
    let mut workloads: Vec<String> = snap
        .pods
        .iter()
        .map(|p| match &p.owner {
            Some(o) => format!("{}/{}/{}", p.ns, o.kind, o.name),
            None => format!("{}/Pod/{}", p.ns, p.name),
        })
        .collect();
    workloads.sort();
    workloads.dedup();
    let mut namespaces: Vec<String> = snap.pods.iter().map(|p| p.ns.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    let b = Browser::start().await;
    for (path, want) in [("workloads", &workloads), ("namespaces", &namespaces)] {
        b.goto(&ktop.signed(path)).await;
        let mut got: Vec<String> = b
            .eventually(&format!("the {path} table"), WAIT, || async {
                let mut keys = Vec::new();
                for row in b.all(&format!("#{path}-table tr.row[data-group]")).await {
                    keys.push(row.attr("data-group").await.ok()??);
                }
                (keys.len() == want.len()).then_some(keys)
            })
            .await;
        got.sort();
        assert_eq!(&got, want, "{path}: one row per group");
    }
    // The namespaces page lists each quota's resources as the API serves them.
    assert!(!quotas.quotas.is_empty(), "the demo has quotas");
    for q in &quotas.quotas {
        for r in &q.resources {
            let row = format!(
                "#quotas-table tr[data-quota='{}/{}'][data-resource='{}']",
                q.namespace, q.name, r.resource
            );
            let hard: String = b
                .eventually(&format!("{row} on the page"), WAIT, || async {
                    b.text(&format!("{row} td[data-col='hard']")).await
                })
                .await;
            assert_eq!(hard, r.hard, "{row}");
        }
    }
    b.close().await;
}

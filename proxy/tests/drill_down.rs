//! Drilling down in headless Chromium against the real test cluster: overview → node → pod →
//! container, where the container's log lines are the ones the cluster serves and the filter
//! narrows them.

mod support;

use std::time::Duration;

use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn overview_to_node_to_pod_to_container_logs() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["--refresh", "2s"], &[("KUBECONFIG", kubeconfig.as_str())]);
    // A running pod with logs, the node it runs on and its first container.
    let (pod, node, containers) = c.running_pod("shop");
    let (pod, node, container) = (pod.as_str(), node.as_str(), containers[0].as_str());

    let b = Browser::start().await;
    b.goto(&ktop.signed("")).await;
    b.wait_for("#source-badge[data-live-source]", WAIT).await;
    b.wait_for(".resource-panel", WAIT).await;
    b.screenshot("overview").await;
    b.click("nav a[href$='/nodes']", WAIT).await;
    b.click(
        &format!("tr.row[data-node='{node}'] td[data-col='name'] a"),
        WAIT,
    )
    .await;
    b.wait_for(&format!("#node-detail[data-node='{node}']"), WAIT)
        .await;
    let kubelet = b
        .eventually("the node's kubelet version", WAIT, || async {
            b.text("#node-facts [data-fact='Kubelet'] dd")
                .await
                .filter(|t| t.starts_with('v'))
        })
        .await;
    let want = c.kubectl_ok(&[
        "get",
        "node",
        node,
        "-o",
        "jsonpath={.status.nodeInfo.kubeletVersion}",
    ]);
    assert_eq!(kubelet, want.trim());
    b.wait_for("#node-conditions tr[data-condition='Ready']", WAIT)
        .await;
    // The node's pods table lists exactly the pods the cluster places there.
    let on_node = c.kubectl_ok(&[
        "get",
        "pods",
        "-A",
        "--no-headers",
        "--field-selector",
        &format!("spec.nodeName={node}"),
    ]);
    let want_rows = on_node.lines().filter(|l| !l.trim().is_empty()).count();
    let rows = b
        .eventually("the node's pods", WAIT, || async {
            let n = b.all("#pods-table tr.row").await.len();
            (n == want_rows).then_some(n)
        })
        .await;
    assert!(rows > 0, "kubectl lists no pods on {node}");
    b.wait_for("[data-chart='cpu'] svg", WAIT).await;
    b.screenshot("node-detail").await;

    b.click(
        &format!("#pods-table tr.row[data-pod='shop/{pod}'] td[data-col='name'] a"),
        WAIT,
    )
    .await;
    b.wait_for(&format!("#pod-detail[data-pod='shop/{pod}']"), WAIT)
        .await;
    let node_link = b.text("#node-link").await;
    assert_eq!(node_link.as_deref(), Some(node));
    b.wait_for(
        &format!("#containers-table tr[data-container='{container}']"),
        WAIT,
    )
    .await;
    b.screenshot("pod-detail").await;

    b.click(
        &format!("#containers-table tr[data-container='{container}'] a"),
        WAIT,
    )
    .await;
    b.wait_for(
        &format!("#container-detail[data-container='{container}']"),
        WAIT,
    )
    .await;
    // Stop following, so the text holds still while it is compared.
    b.wait_for("#log-lines", WAIT).await;
    b.click("#log-follow", WAIT).await;
    let shown = b
        .eventually("the log to hold still", WAIT, || async {
            let before = b.text("#log-lines").await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            let after = b.text("#log-lines").await?;
            (before == after && !after.is_empty()).then_some(after)
        })
        .await;
    let lines: Vec<&str> = shown.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log lines shown");
    let served = c.kubectl_ok(&["logs", "-n", "shop", pod, "-c", container, "--tail=5000"]);
    let missing: Vec<&&str> = lines
        .iter()
        .filter(|l| !served.contains(l.trim()))
        .collect();
    assert!(
        missing.len() * 10 <= lines.len(),
        "{} of {} shown lines are not in the container's log, e.g. {:?}",
        missing.len(),
        lines.len(),
        missing.first()
    );
    b.screenshot("container-logs").await;

    // The filter narrows to exactly the matching lines.
    let needle = lines
        .iter()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("level=")))
        .unwrap_or("msg")
        .to_owned();
    let expected = lines
        .iter()
        .filter(|l| l.to_lowercase().contains(&needle.to_lowercase()))
        .count();
    let filter = b.wait_for("#log-filter", WAIT).await;
    filter.send_keys(&needle).await.expect("type the filter");
    let count = b
        .eventually("the filter to apply", WAIT, || async {
            b.attr("#log-lines", "data-count")
                .await
                .and_then(|c| c.parse::<usize>().ok())
                .filter(|&n| n == expected)
        })
        .await;
    assert!(
        count < lines.len() || expected == lines.len(),
        "{count} of {}",
        lines.len()
    );
    let filtered = b.text("#log-lines").await.unwrap_or_default();
    assert!(
        filtered
            .lines()
            .all(|l| l.to_lowercase().contains(&needle.to_lowercase())),
        "{filtered}"
    );
    eprintln!("{} log lines, {count} with {needle:?}", lines.len());

    // Back goes to the pod again.
    b.client.back().await.expect("back");
    b.wait_for(&format!("#pod-detail[data-pod='shop/{pod}']"), WAIT)
        .await;
    b.close().await;
}

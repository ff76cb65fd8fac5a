//! The GPU and workload columns against the real test control plane in headless Chromium:
//! the GPU node's cell equals what kubectl says it has and its pods request, each GPU pod's
//! cell its request, and the workload cell links to the pod's StatefulSet.

mod support;

use std::time::Duration;

use ktop_web_shared::api::ContextList;
use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(60);

/// The test cluster's node with GPUs.
const GPU_NODE: &str = "kwok-node-4";
const GPU: &str = "nvidia.com/gpu";

/// kubectl's JSON of `kind` in every namespace.
fn items(c: &TestCluster, args: &[&str]) -> Vec<Value> {
    let json: Value = serde_json::from_str(&c.kubectl_ok(args)).expect("kubectl JSON");
    json["items"].as_array().cloned().unwrap_or_default()
}

/// A whole-number quantity such as `"8"`.
fn count(quantity: &Value) -> u64 {
    quantity.as_str().map_or(0, |q| q.parse().expect("a count"))
}

/// The GPUs a pod's containers request (Kubernetes sets the request from the limit when only
/// the limit is given).
fn gpu_request(pod: &Value) -> u64 {
    let containers = pod["spec"]["containers"].as_array().cloned();
    containers
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let r = &c["resources"];
            count(if r["requests"][GPU].is_null() {
                &r["limits"][GPU]
            } else {
                &r["requests"][GPU]
            })
        })
        .sum()
}

/// A path segment encoded as the app encodes it.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn gpu_cells_equal_kubectl_and_workloads_link_to_their_page() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["--refresh", "1s"], &[("KUBECONFIG", kubeconfig.as_str())]);
    let context = ktop
        .get_json::<ContextList>("api/v1/contexts")
        .await
        .current;

    let node: Value = serde_json::from_str(&c.kubectl_ok(&["get", "node", GPU_NODE, "-o", "json"]))
        .expect("node JSON");
    let allocatable = count(&node["status"]["allocatable"][GPU]);
    assert_eq!(allocatable, 8, "{GPU_NODE} advertises its GPUs");
    let pods = items(c, &["get", "pods", "-A", "-o", "json"]);
    let running =
        |p: &&Value| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
    let requested: u64 = pods
        .iter()
        .filter(|p| p["spec"]["nodeName"] == GPU_NODE)
        .filter(running)
        .map(gpu_request)
        .sum();
    let trainers: Vec<(String, u64)> = pods
        .iter()
        .filter(|p| p["metadata"]["namespace"] == "ml")
        .filter(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("trainer-"))
        })
        .filter(running)
        .map(|p| {
            (
                p["metadata"]["name"].as_str().unwrap_or("").to_owned(),
                gpu_request(p),
            )
        })
        .collect();
    assert!(
        !trainers.is_empty() && trainers.iter().all(|(_, gpus)| *gpus == 1),
        "trainer pods request a GPU each: {trainers:?}"
    );

    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    let cell = format!("#nodes-table tr.row[data-node='{GPU_NODE}'] td[data-col='gpu']");
    let want = format!("{requested}/{allocatable}");
    b.eventually(&format!("{GPU_NODE}'s GPUs {want}"), WAIT, || async {
        let hidden = b.attr("#nodes-table", "data-hide").await?;
        let value = b.attr(&cell, "data-value").await?;
        let text = b.text(&cell).await?;
        (!hidden.split(' ').any(|k| k == "gpu")
            && value == requested.to_string()
            && text.trim() == want)
            .then_some(())
    })
    .await;

    b.goto(&ktop.signed("pods?ns=ml")).await;
    for (name, gpus) in &trainers {
        let cell = format!("#pods-table tr.row[data-pod='ml/{name}'] td[data-col='gpu']");
        b.eventually(&format!("{name}'s GPU request"), WAIT, || async {
            let value = b.attr(&cell, "data-value").await?;
            let text = b.text(&cell).await?;
            (value == gpus.to_string() && text.trim() == value).then_some(())
        })
        .await;
    }
    let (name, _) = &trainers[0];
    let link = format!("#pods-table tr.row[data-pod='ml/{name}'] td[data-col='workload'] a");
    let want = format!("/c/{}/workloads/ml/StatefulSet/trainer", encode(&context));
    b.eventually(&format!("{name}'s workload link"), WAIT, || async {
        let text = b.text(&link).await?;
        let href = b.attr(&link, "href").await?;
        // WebDriver may resolve the link against the page.
        let path = url::Url::parse(&href).map_or(href.clone(), |u| u.path().to_owned());
        (text.trim() == "StatefulSet/trainer" && path == want).then_some(())
    })
    .await;
    b.screenshot("gpu-columns").await;
    b.close().await;
}

//! The drill-down reads through the real binary on the real test cluster: a node's and a
//! pod's details, events and a container's log say what kubectl says.

mod support;

use ktop_web_shared::detail::{ContainerPhase, EventList, NodeDetail, PodDetail};
use std::time::{SystemTime, UNIX_EPOCH};

use support::cluster::TestCluster;
use support::ktop::Ktop;

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn details_and_logs_match_kubectl() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&[], &[("KUBECONFIG", kubeconfig.as_str())]);
    let context = ktop.context();
    let (pod, node, containers) = c.running_pod("shop");
    let (pod, node) = (pod.as_str(), node.as_str());
    let detail: NodeDetail = ktop
        .get_json(&format!("api/v1/contexts/{context}/nodes/{node}"))
        .await;
    let kubelet = c.kubectl_ok(&[
        "get",
        "node",
        node,
        "-o",
        "jsonpath={.status.nodeInfo.kubeletVersion}",
    ]);
    assert_eq!(detail.name, *node);
    assert_eq!(detail.system.kubelet_version, kubelet.trim());
    assert!(detail.conditions.iter().any(|c| c.kind == "Ready"));
    let addresses = c.kubectl_ok(&[
        "get",
        "node",
        node,
        "-o",
        "jsonpath={.status.addresses[*].address}",
    ]);
    let ours: Vec<&str> = detail
        .addresses
        .iter()
        .map(|a| a.address.as_str())
        .collect();
    assert_eq!(ours.join(" "), addresses.trim());

    let detail: PodDetail = ktop
        .get_json(&format!(
            "api/v1/contexts/{context}/namespaces/shop/pods/{pod}"
        ))
        .await;
    let app: Vec<&str> = detail
        .containers
        .iter()
        .filter(|c| !c.init)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(app, containers);
    assert!(
        detail
            .containers
            .iter()
            .filter(|c| !c.init)
            .all(|c| c.state.phase == ContainerPhase::Running)
    );
    let restarts = c.kubectl_ok(&[
        "get",
        "pod",
        "-n",
        "shop",
        pod,
        "-o",
        "jsonpath={.status.containerStatuses[0].restartCount}",
    ]);
    let first = detail
        .containers
        .iter()
        .find(|c| !c.init)
        .expect("a container");
    assert_eq!(first.restarts.to_string(), restarts.trim());

    let events: EventList = ktop
        .get_json(&format!(
            "api/v1/contexts/{context}/namespaces/shop/events?kind=Pod&name={pod}"
        ))
        .await;
    let listed = c.kubectl_ok(&[
        "get",
        "events",
        "-n",
        "shop",
        &format!("--field-selector=involvedObject.kind=Pod,involvedObject.name={pod}"),
        "-o",
        "name",
    ]);
    assert_eq!(events.events.len(), listed.lines().count().min(100));

    let (status, log) = ktop
        .get(&format!(
            "api/v1/contexts/{context}/namespaces/shop/pods/{pod}/log?container={}&tailLines=20",
            containers[0]
        ))
        .await;
    assert_eq!(status, 200, "{log}");
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        !lines.is_empty() && lines.len() <= 20,
        "{} lines",
        lines.len()
    );
    let served = c.kubectl_ok(&[
        "logs",
        "-n",
        "shop",
        pod,
        "-c",
        &containers[0],
        "--tail=2000",
    ]);
    assert!(
        lines.iter().all(|l| served.contains(l)),
        "log lines the cluster does not serve"
    );
}

/// Events recorded about a node that does not exist, removed when dropped.
struct NodeEvents<'a> {
    cluster: &'a TestCluster,
    node: String,
}

impl<'a> NodeEvents<'a> {
    /// `count` events about a node of its own, numbered #1… in time order (a second apart)
    /// and named so that storage order is time order too.
    fn create(cluster: &'a TestCluster, count: u32) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .subsec_nanos();
        let node = format!("events-{}-{nanos}", std::process::id());
        let items: Vec<_> = (1..=count)
            .map(|i| {
                let at = format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60);
                serde_json::json!({
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": {"name": format!("{node}.{i:04}"), "namespace": "default"},
                    "involvedObject": {"apiVersion": "v1", "kind": "Node", "name": node},
                    "reason": "Numbered", "message": format!("#{i}"), "type": "Normal",
                    "source": {"component": "drill-down-test"},
                    "firstTimestamp": at, "lastTimestamp": at, "count": 1,
                })
            })
            .collect();
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
        let file = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(file.path(), list.to_string()).expect("write events");
        let path = file.path().display().to_string();
        cluster.kubectl_ok(&["create", "-f", &path]);
        NodeEvents { cluster, node }
    }
}

impl Drop for NodeEvents<'_> {
    fn drop(&mut self) {
        let selector = format!("--field-selector=involvedObject.name={}", self.node);
        let _ = self
            .cluster
            .kubectl(&["delete", "events", "-n", "default", &selector]);
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn node_events_are_the_newest() {
    let c = TestCluster::shared();
    let events = NodeEvents::create(c, 120);
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&[], &[("KUBECONFIG", kubeconfig.as_str())]);
    let list: EventList = ktop
        .get_json(&format!(
            "api/v1/contexts/{}/namespaces/default/events?kind=Node&name={}",
            ktop.context(),
            events.node
        ))
        .await;
    let messages: Vec<&str> = list.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.first(), Some(&"#120"), "newest first");
    for old in 1..=20 {
        let old = format!("#{old}");
        assert!(
            !messages.contains(&old.as_str()),
            "{old} is among the oldest"
        );
    }
    let newest: Vec<String> = (21..=120).rev().map(|i| format!("#{i}")).collect();
    assert_eq!(messages, newest);
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_scoped_ktop_reads_node_events_in_its_namespace_only() {
    let c = TestCluster::shared();
    let events = NodeEvents::create(c, 1);
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["-n", "shop"], &[("KUBECONFIG", kubeconfig.as_str())]);
    let path = |ns: &str| {
        format!(
            "api/v1/contexts/{}/namespaces/{ns}/events?kind=Node&name={}",
            ktop.context(),
            events.node
        )
    };
    // The node page asks in `default`, where the event is: refused, saying why.
    let (status, body) = ktop.get(&path("default")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("node events are not shown"), "{body}");
    let list: EventList = ktop.get_json(&path("shop")).await;
    assert!(list.events.is_empty(), "none kept in shop: {list:?}");
}

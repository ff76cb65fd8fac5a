//! The drill-down reads through the real binary on the real test cluster: a node's and a
//! pod's details and a container's log say what kubectl says.

mod support;

use ktop_web_shared::detail::{ContainerPhase, EventList, NodeDetail, PodDetail};
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

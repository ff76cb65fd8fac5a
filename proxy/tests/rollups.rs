//! What the rollups are built from, against the real test control plane: each pod's workload
//! (its controller followed through ReplicaSets and Jobs), extended resources, and quotas,
//! compared with what kubectl reads from the same objects.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use ktop_web_shared::api::{ContextList, Snapshot};
use ktop_web_shared::quota::QuotaList;
use serde_json::Value;
use support::cluster::TestCluster;
use support::ktop::Ktop;

/// A pod's workload as kubectl's objects say: kind, name, desired replicas.
type Owner = Option<(String, String, Option<u32>)>;

fn kubectl_json(c: &TestCluster, args: &[&str]) -> Value {
    let text = c.kubectl_ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("kubectl {args:?}: {e}"))
}

fn items(list: &Value) -> &[Value] {
    list["items"].as_array().map_or(&[], Vec::as_slice)
}

fn key(o: &Value) -> String {
    format!(
        "{}/{}",
        o["metadata"]["namespace"].as_str().unwrap_or_default(),
        o["metadata"]["name"].as_str().unwrap_or_default()
    )
}

fn controller(o: &Value) -> Option<(String, String)> {
    o["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|r| r["controller"] == true)
        .map(|r| {
            (
                r["kind"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
}

/// Every pod's workload, from `kubectl get pods,rs,jobs -o json` alone.
fn kubectl_owners(c: &TestCluster) -> BTreeMap<String, Owner> {
    let by_key = |list: &Value| -> BTreeMap<String, Value> {
        items(list).iter().map(|o| (key(o), o.clone())).collect()
    };
    let replica_sets = by_key(&kubectl_json(c, &["get", "rs", "-A", "-o", "json"]));
    let jobs = by_key(&kubectl_json(c, &["get", "jobs", "-A", "-o", "json"]));
    let pods = kubectl_json(c, &["get", "pods", "-A", "-o", "json"]);
    items(&pods)
        .iter()
        .map(|p| {
            let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
            let owner = controller(p)
                .filter(|(kind, _)| kind != "Node")
                .map(|(kind, name)| {
                    let parent = match kind.as_str() {
                        "ReplicaSet" => replica_sets.get(&format!("{ns}/{name}")),
                        "Job" => jobs.get(&format!("{ns}/{name}")),
                        _ => None,
                    };
                    let desired = parent.and_then(|o| {
                        o["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"]
                            .as_str()?
                            .parse()
                            .ok()
                    });
                    match parent.and_then(controller) {
                        Some((k, n)) => (k, n, desired),
                        None => (kind, name, desired),
                    }
                });
            (key(p), owner)
        })
        .collect()
}

/// Extended resources of a resource list (`nvidia.com/gpu`, …), as whole numbers.
fn extended(list: &Value) -> BTreeMap<String, u64> {
    list.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| {
            k.split_once('/')
                .is_some_and(|(d, _)| d != "kubernetes.io" && !d.ends_with(".kubernetes.io"))
        })
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("0").parse().unwrap_or(0)))
        .collect()
}

async fn current_context(ktop: &Ktop) -> String {
    let contexts: ContextList = ktop.get_json("api/v1/contexts").await;
    contexts.current
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn workloads_extended_resources_and_quotas_equal_the_objects() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &["--refresh", "1s", "--metrics-source", "none"],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let context = current_context(&ktop).await;

    // Workloads: the snapshot's owners equal kubectl's, once the ReplicaSets and Jobs are
    // listed (they load beside the pods, not before them).
    let expected = kubectl_owners(c);
    let kinds: std::collections::BTreeSet<&str> = expected
        .values()
        .flatten()
        .map(|(k, _, _)| k.as_str())
        .collect();
    for kind in ["CronJob", "DaemonSet", "Deployment", "StatefulSet"] {
        assert!(
            kinds.contains(kind),
            "the population has a {kind}: {kinds:?}"
        );
    }
    assert!(
        expected.values().any(Option::is_none),
        "the population has a bare pod"
    );
    let mut snap = Snapshot::default();
    let mut got = BTreeMap::new();
    for _ in 0..120 {
        let (status, body) = ktop
            .get(&format!("api/v1/contexts/{context}/snapshot"))
            .await;
        if status == 200 {
            snap = serde_json::from_str(&body).expect("snapshot JSON");
            got = snap
                .pods
                .iter()
                .map(|p| {
                    let owner = p
                        .owner
                        .as_ref()
                        .map(|o| (o.kind.clone(), o.name.clone(), o.desired));
                    (p.key(), owner)
                })
                .collect();
            if got == expected {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(got, expected, "every pod's workload");
    assert!(snap.freshness.stale.is_empty(), "{:?}", snap.freshness);

    // Extended resources: per pod (app containers' requests) and per node (allocatable, and
    // the sum over its pods that have not finished).
    let pods = kubectl_json(c, &["get", "pods", "-A", "-o", "json"]);
    let mut per_node: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut gpu_pods = 0;
    for p in items(&pods) {
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for container in p["spec"]["containers"].as_array().into_iter().flatten() {
            for (name, n) in extended(&container["resources"]["requests"]) {
                *want.entry(name).or_default() += n;
            }
        }
        let row = snap
            .pods
            .iter()
            .find(|r| r.key() == key(p))
            .expect("every pod has a row");
        let have: BTreeMap<String, u64> = row
            .extended
            .iter()
            .map(|e| (e.name.clone(), e.amount))
            .collect();
        assert_eq!(have, want, "{}", key(p));
        gpu_pods += usize::from(want.contains_key("nvidia.com/gpu"));
        let finished = matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
        if let (Some(node), false) = (p["spec"]["nodeName"].as_str(), finished) {
            let sums = per_node.entry(node.to_owned()).or_default();
            for (name, n) in want {
                *sums.entry(name).or_default() += n;
            }
        }
    }
    assert!(gpu_pods > 0, "the population has pods requesting GPUs");
    let nodes = kubectl_json(c, &["get", "nodes", "-o", "json"]);
    let mut gpu_nodes = 0;
    for n in items(&nodes) {
        let name = n["metadata"]["name"].as_str().unwrap_or_default();
        let row = snap
            .nodes
            .iter()
            .find(|r| r.name == name)
            .expect("every node has a row");
        let allocatable: BTreeMap<String, u64> = row
            .extended_allocatable
            .iter()
            .map(|e| (e.name.clone(), e.amount))
            .collect();
        assert_eq!(allocatable, extended(&n["status"]["allocatable"]), "{name}");
        gpu_nodes += usize::from(allocatable.contains_key("nvidia.com/gpu"));
        let requested: BTreeMap<String, u64> = row
            .extended_requests
            .iter()
            .map(|e| (e.name.clone(), e.amount))
            .collect();
        assert_eq!(
            requested,
            per_node.remove(name).unwrap_or_default(),
            "{name}"
        );
    }
    assert!(gpu_nodes > 0, "the population has a GPU node");

    // Quotas: used and hard as the API server wrote them (what `kubectl describe quota`
    // prints), for every quota.
    let quotas: QuotaList = ktop
        .get_json(&format!("api/v1/contexts/{context}/quotas"))
        .await;
    let want: BTreeMap<String, BTreeMap<String, (Option<String>, String)>> = items(&kubectl_json(
        c,
        &["get", "resourcequotas", "-A", "-o", "json"],
    ))
    .iter()
    .map(|q| {
        let status = &q["status"];
        let resources = status["hard"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(r, hard)| {
                let used = status["used"][r].as_str().map(str::to_owned);
                (
                    r.clone(),
                    (used, hard.as_str().unwrap_or_default().to_owned()),
                )
            })
            .collect();
        (key(q), resources)
    })
    .collect();
    let have: BTreeMap<String, BTreeMap<String, (Option<String>, String)>> = quotas
        .quotas
        .iter()
        .map(|q| {
            let resources = q
                .resources
                .iter()
                .map(|r| (r.resource.clone(), (r.used.clone(), r.hard.clone())))
                .collect();
            (format!("{}/{}", q.namespace, q.name), resources)
        })
        .collect();
    assert!(
        want.values()
            .any(|r| r.contains_key("requests.nvidia.com/gpu")),
        "the population has a GPU quota: {want:?}"
    );
    assert_eq!(have, want);
}

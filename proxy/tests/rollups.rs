//! What the rollups are built from, against the real test control plane: each pod's workload
//! (its controller followed through ReplicaSets and Jobs), extended resources, and quotas,
//! compared with what kubectl reads from the same objects; then the workloads and namespaces
//! pages in Chromium, against `kubectl top` summed by those owners.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::Locator;
use ktop_web_shared::api::{ContextList, Snapshot};
use ktop_web_shared::quota::QuotaList;
use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;
use support::top::{Top, dom_top, kubectl_top};

const WAIT: Duration = Duration::from_secs(60);

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

/// The group key the page gives a pod's workload (`namespace/Kind/name`; a bare pod is its
/// own, of kind `Pod`) or namespace.
fn group_of(pod: &str, owner: &Owner, by_namespace: bool) -> String {
    let (ns, name) = pod.split_once('/').unwrap_or_default();
    match (by_namespace, owner) {
        (true, _) => ns.to_owned(),
        (false, Some((kind, owner, _))) => format!("{ns}/{kind}/{owner}"),
        (false, None) => format!("{ns}/Pod/{name}"),
    }
}

/// `kubectl top pods` summed per group, with how many pods each sum has.
fn summed(
    pods: &Top,
    owners: &BTreeMap<String, Owner>,
    by_namespace: bool,
) -> BTreeMap<String, (u64, u64, u64)> {
    let mut sums: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for (pod, (cpu, mem)) in pods {
        let owner = owners
            .get(pod)
            .unwrap_or_else(|| panic!("{pod} has no object"));
        let sum = sums.entry(group_of(pod, owner, by_namespace)).or_default();
        *sum = (sum.0 + cpu, sum.1 + mem, sum.2 + 1);
    }
    sums
}

/// GPUs requested by the pods that have not finished, summed per group, from kubectl's pods.
fn gpus_per_group(
    pods: &Value,
    owners: &BTreeMap<String, Owner>,
    by_namespace: bool,
) -> BTreeMap<String, u64> {
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    for p in items(pods) {
        if matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
            continue;
        }
        let gpus: u64 = p["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                extended(&c["resources"]["requests"])
                    .get("nvidia.com/gpu")
                    .copied()
            })
            .sum();
        if gpus > 0 {
            let owner = owners.get(&key(p)).cloned().flatten();
            *sums
                .entry(group_of(&key(p), &owner, by_namespace))
                .or_default() += gpus;
        }
    }
    sums
}

/// Which rows a group table shows, in order, and which of its columns.
async fn shown(b: &Browser, table: &str) -> Option<(Vec<String>, Vec<String>)> {
    let js = format!(
        r#"
        const table = document.querySelector('#{table}');
        if (!table) return null;
        const rows = [...table.querySelectorAll('tr.row')].map(r => r.dataset.group);
        const columns = [...table.querySelectorAll('th')]
            .filter(th => getComputedStyle(th).display !== 'none')
            .map(th => th.dataset.col);
        return [rows, columns];
    "#
    );
    let v = b.client.execute(&js, vec![]).await.ok()?;
    let list = |i: usize| -> Option<Vec<String>> {
        v.get(i)?
            .as_array()?
            .iter()
            .map(|x| x.as_str().map(str::to_owned))
            .collect()
    };
    Some((list(0)?, list(1)?))
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn workload_and_namespace_sums_equal_kubectl_top_grouped_by_owner() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &["--refresh", "1s", "--metrics-source", "metrics-server"],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let owners = kubectl_owners(c);
    let pods = kubectl_json(c, &["get", "pods", "-A", "-o", "json"]);
    let b = Browser::start().await;
    for (path, by_namespace) in [("workloads", false), ("namespaces", true)] {
        b.goto(&ktop.signed(path)).await;
        b.wait_for("tr[data-group] td[data-col='cpu'][data-value]", WAIT)
            .await;
        let mut compared = 0;
        for _ in 0..15 {
            // Equal kubectl outputs either side bracket one metrics-server sample, which the
            // page must then show summed.
            let before = kubectl_top(c).1;
            tokio::time::sleep(Duration::from_millis(2500)).await;
            let dom = dom_top(&b, "data-group").await;
            let after = kubectl_top(c).1;
            if before != after || dom.is_empty() {
                continue;
            }
            let sums = summed(&before, &owners, by_namespace);
            for (group, (cpu, mem)) in &dom {
                let (want_cpu, want_mem, pods) = sums
                    .get(group)
                    .copied()
                    .unwrap_or_else(|| panic!("{path}: {group} is not a group kubectl knows"));
                assert_eq!(
                    *cpu, want_cpu,
                    "{path}: {group} CPU (m) vs kubectl top summed"
                );
                // Each pod's memory travels in KiB, which kubectl prints floored to MiB: a
                // sum may exceed the sum of floors by less than a MiB per pod.
                assert!(
                    (want_mem..want_mem + pods).contains(mem),
                    "{path}: {group} memory {mem} Mi vs kubectl top summed {want_mem} Mi over {pods} pods"
                );
            }
            compared = dom.len();
            break;
        }
        assert!(compared >= 5, "{path}: compared only {compared} rows");

        // GPUs requested, summed per group as the pods' specs have them.
        let gpus = gpus_per_group(&pods, &owners, by_namespace);
        assert!(!gpus.is_empty(), "the population requests GPUs");
        for (group, want) in &gpus {
            let cell = format!("tr[data-group='{group}'] td[data-col='gpu']");
            let have: String = b
                .eventually(&format!("{path}: {group}'s GPUs"), WAIT, || async {
                    b.attr(&cell, "data-value").await
                })
                .await;
            assert_eq!(have, want.to_string(), "{path}: {group} GPUs");
        }
        b.screenshot(&format!("rollups-{path}")).await;
    }

    // The namespaces page lists each quota's resources as `kubectl describe quota` does.
    let quotas = kubectl_json(c, &["get", "resourcequotas", "-A", "-o", "json"]);
    let mut lines = 0;
    for q in items(&quotas) {
        let at = key(q);
        for (resource, hard) in q["status"]["hard"].as_object().into_iter().flatten() {
            let row = format!("#quotas-table tr[data-quota='{at}'][data-resource='{resource}']");
            let used = q["status"]["used"][resource].as_str().unwrap_or_default();
            let shown: (String, String) = b
                .eventually(&format!("{at} {resource} on the page"), WAIT, || async {
                    let used = b.text(&format!("{row} td[data-col='used']")).await?;
                    let hard = b.text(&format!("{row} td[data-col='hard']")).await?;
                    Some((used, hard))
                })
                .await;
            assert_eq!(
                shown,
                (
                    used.to_owned(),
                    hard.as_str().unwrap_or_default().to_owned()
                )
            );
            lines += 1;
        }
    }
    assert!(lines >= 6, "quota lines compared: {lines}");

    // A bookmarked workloads view with a filter, a sort and columns opens as it was saved.
    let bookmark = "workloads?q=shop&sort=cpu&dir=desc&cols=ns,kind,name,ready,cpu,mem";
    b.goto(&ktop.signed(bookmark)).await;
    let (rows, columns) = b
        .eventually("the bookmarked workloads view", WAIT, || async {
            shown(&b, "workloads-table")
                .await
                .filter(|(rows, _)| rows.len() >= 3)
        })
        .await;
    assert_eq!(columns, ["ns", "kind", "name", "ready", "cpu", "mem"]);
    assert!(
        rows.iter().all(|r| r.contains("shop")),
        "only rows matching the filter: {rows:?}"
    );
    let filter: String = b
        .eventually("the filter box", WAIT, || async {
            let el = b.client.find(Locator::Css("#filter")).await.ok()?;
            el.prop("value").await.ok().flatten()
        })
        .await;
    assert_eq!(filter, "shop");
    // Sorted by CPU, largest first: the rows and their CPU read at one instant.
    let js = r#"
        return [...document.querySelectorAll('#workloads-table tr.row td[data-col="cpu"]')]
            .map(td => Number(td.dataset.value ?? -1));
    "#;
    let values: Vec<i64> = b
        .eventually("CPU cells", WAIT, || async {
            let v = b.client.execute(js, vec![]).await.ok()?;
            let list: Vec<i64> = v.as_array()?.iter().filter_map(Value::as_i64).collect();
            (list.len() >= 3).then_some(list)
        })
        .await;
    let known: Vec<i64> = values.iter().copied().filter(|&v| v >= 0).collect();
    assert!(
        known.windows(2).all(|w| w[0] >= w[1])
            && values.ends_with(&vec![-1; values.len() - known.len()]),
        "sorted by CPU, largest first, unknown last: {values:?}"
    );
    assert_eq!(
        b.attr("#workloads-table th[data-col='cpu']", "aria-sort")
            .await
            .as_deref(),
        Some("descending"),
        "the CPU header says so"
    );
    b.close().await;
}

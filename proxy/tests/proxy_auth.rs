//! `--auth proxy` over real sockets, against the real test cluster: identity headers count
//! only from a trusted proxy's address. A client bound to 127.0.0.2 plays the proxy and
//! 127.0.0.1 anyone else.

mod support;

use std::time::Duration;

use ktop_web_shared::api::Snapshot;
use ktop_web_shared::frame::Live;
use support::cluster::TestCluster;
use support::ktop::{Ktop, http_get_bytes_from, run_to_exit};

const PROXY: &str = "127.0.0.2";

/// A GET from `source` with `headers`: the status and the body.
async fn get_from(source: &str, port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let (status, body) = get_bytes_from(source, port, path, headers).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The same, with the body as bytes.
async fn get_bytes_from(
    source: &str,
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<u8>) {
    let from = source.parse().expect("a source address");
    let url = format!("http://127.0.0.1:{port}{path}");
    let mut all = vec![("sec-fetch-site", "same-origin")];
    all.extend_from_slice(headers);
    let (status, _, body) = http_get_bytes_from(Some(from), &url, &all).await;
    (status, body)
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn identity_headers_count_only_from_the_trusted_proxy() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &["--auth", "proxy", "--trusted-proxy", &format!("{PROXY}/32")],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    assert!(
        !ktop.startup_line.contains("token="),
        "no token to hand out: {}",
        ktop.startup_line
    );
    let alice = [
        ("X-Forwarded-User", "alice"),
        ("X-Forwarded-Groups", "shop-devs"),
    ];
    let port = ktop.port;

    let (status, body) = get_from(PROXY, port, "/api/v1/contexts", &alice).await;
    assert_eq!(status, 200, "through the proxy: {body}");
    assert!(body.contains("\"current\""), "{body}");

    let (status, body) = get_from("127.0.0.1", port, "/api/v1/contexts", &alice).await;
    assert_eq!(status, 403, "the same headers from elsewhere: {body}");
    assert!(body.contains("authenticating proxy"), "{body}");
    assert!(
        !body.contains("alice"),
        "no echo of the forged identity: {body}"
    );

    let (status, body) = get_from(PROXY, port, "/api/v1/contexts", &[]).await;
    assert_eq!(status, 401, "the proxy named nobody: {body}");

    // Probes come from the kubelet, not the proxy.
    let (status, body) = get_from("127.0.0.1", port, "/healthz", &[]).await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let mut ready = (0, String::new());
    // At 30,000 pods the first list takes a while.
    for _ in 0..240 {
        ready = get_from("127.0.0.1", port, "/readyz", &[]).await;
        if ready.0 == 200 {
            break;
        }
        assert_eq!(ready.0, 503, "not ready yet: {}", ready.1);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(ready, (200, "ready".to_owned()), "nodes and pods listed");
}

/// ktop-web with `--auth proxy`, trusting [`PROXY`], on the test cluster's admin credentials.
fn behind_the_proxy(c: &TestCluster) -> Ktop {
    let kubeconfig = c.kubeconfig.display().to_string();
    Ktop::start(
        &["--auth", "proxy", "--trusted-proxy", PROXY],
        &[("KUBECONFIG", kubeconfig.as_str())],
    )
}

/// A viewer who may read pods, their logs and events in `shop` only.
const ALICE: &str = "ktop-test-alice";

fn alice_rbac() -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {ALICE}, namespace: shop}}
rules:
- apiGroups: ['']
  resources: [pods, pods/log, events]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {ALICE}, namespace: shop}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {ALICE}}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: {ALICE}}}
"
    )
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn a_viewers_reads_are_made_as_them() {
    let c = TestCluster::shared();
    let _rbac = c.apply(&alice_rbac());
    let ktop = behind_the_proxy(c);
    let (port, context) = (ktop.port, ktop.context());
    let (shop_pod, node, containers) = c.running_pod("shop");
    let (system_pod, _, _) = c.running_pod("kube-system");
    let as_alice = [
        ("X-Forwarded-User", ALICE),
        ("X-Forwarded-Groups", "shop-devs"),
    ];
    let base = format!("/api/v1/contexts/{context}");
    let offset = c.audit_offset();

    let path = format!("{base}/namespaces/shop/pods/{shop_pod}");
    let (status, body) = get_from(PROXY, port, &path, &as_alice).await;
    assert_eq!(status, 200, "alice reads a shop pod: {body}");
    let log = format!("{path}/log?container={}&tailLines=5", containers[0]);
    let (status, body) = get_from(PROXY, port, &log, &as_alice).await;
    assert_eq!(status, 200, "and its log: {body}");

    let path = format!("{base}/namespaces/kube-system/pods/{system_pod}");
    let (status, body) = get_from(PROXY, port, &path, &as_alice).await;
    assert_eq!(status, 403, "a kube-system pod is refused to alice: {body}");
    assert!(body.contains(ALICE) || body.contains("forbidden"), "{body}");
    let (status, body) = get_from(PROXY, port, &format!("{base}/nodes/{node}"), &as_alice).await;
    assert_eq!(status, 403, "so is a node: {body}");

    // The API server saw alice, through ktop-web's own credentials.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events = c.audit_since(offset);
    let as_her: Vec<(String, i64)> = events
        .iter()
        .filter(|e| e["impersonatedUser"]["username"] == ALICE)
        .filter(|e| e["stage"] == "ResponseComplete")
        .map(|e| {
            let uri = e["requestURI"].as_str().unwrap_or_default().to_owned();
            (uri, e["responseStatus"]["code"].as_i64().unwrap_or(0))
        })
        .collect();
    let saw = |part: &str, code: i64| as_her.iter().any(|(u, c)| u.contains(part) && *c == code);
    assert!(
        saw(&format!("/namespaces/shop/pods/{shop_pod}"), 200),
        "{as_her:?}"
    );
    assert!(saw(&format!("/pods/{shop_pod}/log"), 200), "{as_her:?}");
    assert!(
        saw(&format!("/namespaces/kube-system/pods/{system_pod}"), 403),
        "{as_her:?}"
    );
    assert!(saw(&format!("/nodes/{node}"), 403), "{as_her:?}");
    let groups = events
        .iter()
        .find(|e| e["impersonatedUser"]["username"] == ALICE)
        .map(|e| e["impersonatedUser"]["groups"].to_string())
        .unwrap_or_default();
    assert!(groups.contains("shop-devs"), "groups passed on: {groups}");
}

/// A viewer who may list pods and nodes everywhere.
const BOB: &str = "ktop-test-bob";
/// A viewer with no rights at all.
const NOBODY: &str = "ktop-test-nobody";

fn bob_rbac() -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {BOB}}}
rules:
- apiGroups: ['']
  resources: [pods, nodes]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {BOB}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {BOB}}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: {BOB}}}
"
    )
}

/// The snapshot a viewer gets: its pods' namespaces, its node count and its access.
async fn seen_by(port: u16, context: &str, user: &str) -> (Vec<String>, usize, serde_json::Value) {
    let path = format!("/api/v1/contexts/{context}/snapshot");
    let (status, body) = get_from(PROXY, port, &path, &[("X-Forwarded-User", user)]).await;
    assert_eq!(status, 200, "{user}'s snapshot: {body}");
    let snapshot: Snapshot = serde_json::from_str(&body).expect("a snapshot");
    let mut namespaces: Vec<String> = snapshot.pods.iter().map(|p| p.ns.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    let access = serde_json::to_value(&snapshot.viewer).expect("json");
    (namespaces, snapshot.nodes.len(), access)
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn each_viewer_sees_only_what_their_rbac_lets_them_list() {
    let c = TestCluster::shared();
    let _rbac = c.apply(&format!("{}---\n{}", alice_rbac(), bob_rbac()));
    let ktop = behind_the_proxy(c);
    let (port, context) = (ktop.port, ktop.context());
    let offset = c.audit_offset();
    let all: Vec<String> = {
        let mut ns: Vec<String> = c
            .kubectl_ok(&[
                "get",
                "pods",
                "-A",
                "-o",
                "jsonpath={.items[*].metadata.namespace}",
            ])
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        ns.sort();
        ns.dedup();
        ns
    };
    assert!(all.len() > 1 && all.contains(&"shop".to_owned()), "{all:?}");

    let (namespaces, nodes, access) = seen_by(port, &context, ALICE).await;
    assert_eq!(namespaces, ["shop"], "alice sees shop only");
    assert_eq!(nodes, 0, "and no nodes");
    assert_eq!(
        access,
        serde_json::json!({"nodes": false, "namespaces": ["shop"]})
    );

    let (namespaces, nodes, access) = seen_by(port, &context, BOB).await;
    assert_eq!(namespaces, all, "bob sees every namespace");
    assert!(nodes > 0, "and the nodes");
    assert_eq!(access, serde_json::json!({"nodes": true}));

    let (namespaces, nodes, access) = seen_by(port, &context, NOBODY).await;
    assert_eq!((namespaces.len(), nodes), (0, 0), "nobody sees nothing");
    assert_eq!(
        access,
        serde_json::json!({"nodes": false, "namespaces": []})
    );

    // Frames follow the same rights: alice's hold shop's pods only.
    let path = format!("/api/v1/contexts/{context}/frames");
    let (status, frame) = get_bytes_from(PROXY, port, &path, &[("X-Forwarded-User", ALICE)]).await;
    assert_eq!(status, 200);
    let mut live = Live::default();
    live.apply(&frame).expect("a frame");
    let held: Vec<String> = (0..live.pod_slots())
        .filter_map(|s| live.pod(s))
        .map(|p| p.ns)
        .collect();
    assert!(
        !held.is_empty() && held.iter().all(|ns| ns == "shop"),
        "{held:?}"
    );
    assert_eq!(live.node_slots(), 0);

    // The API server was asked as each of them, by listing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let asked = |user: &str, part: &str, code: i64| {
        c.audit_since(offset).iter().any(|e| {
            e["impersonatedUser"]["username"] == user
                && e["stage"] == "ResponseComplete"
                && e["verb"] == "list"
                && e["requestURI"].as_str().unwrap_or_default().contains(part)
                && e["responseStatus"]["code"] == code
        })
    };
    assert!(asked(ALICE, "/namespaces/shop/pods?&limit=1", 200));
    assert!(asked(ALICE, "/api/v1/pods?&limit=1", 403));
    assert!(asked(ALICE, "/api/v1/nodes?&limit=1", 403));
    assert!(asked(BOB, "/api/v1/pods?&limit=1", 200));
}

#[test]
fn proxy_mode_without_trusted_proxies_refuses_to_start() {
    let out = run_to_exit(&["--auth", "proxy"], &[], Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--trusted-proxy"), "{stderr}");
}

//! `--auth proxy` over real sockets, against the real test cluster: identity headers count
//! only from a trusted proxy's address. Linux routes all of 127.0.0.0/8 to the loopback
//! interface, so a client bound to 127.0.0.2 plays the proxy and 127.0.0.1 anyone else.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use support::cluster::TestCluster;
use support::ktop::{Ktop, run_to_exit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const PROXY: &str = "127.0.0.2";

/// A GET from `source` with `headers`: the status and the body.
async fn get_from(source: &str, port: u16, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let socket = TcpSocket::new_v4().expect("socket");
    let from: SocketAddr = format!("{source}:0").parse().expect("source address");
    socket.bind(from).expect("bind the source address");
    let to: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let mut stream = socket.connect(to).await.expect("connect");
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nSec-Fetch-Site: same-origin\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut answer))
        .await
        .expect("an answer within 30 s")
        .expect("read the answer");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
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
    let dir = tempfile::tempdir().expect("temp dir");
    let rbac = dir.path().join("alice.yaml");
    std::fs::write(&rbac, alice_rbac()).expect("write the RBAC");
    let rbac = rbac.display().to_string();
    c.kubectl_ok(&["apply", "-f", &rbac]);
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &["--auth", "proxy", "--trusted-proxy", PROXY],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
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

    c.kubectl_ok(&["delete", "-f", &rbac]);
}

#[test]
fn proxy_mode_without_trusted_proxies_refuses_to_start() {
    let out = run_to_exit(&["--auth", "proxy"], &[], Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--trusted-proxy"), "{stderr}");
}

//! ktop-web as a team shares it: run in-cluster on its service account's token (mounted
//! where a pod has it), behind oauth2-proxy, which signs people in at an OpenID Connect
//! issuer; all of it started by `scripts/test-cluster portal up`. Tests choose who signs in
//! next at the issuer, sign in with headless Chromium, and read the API server's audit log
//! to see as whom each per-object read was made.

mod support;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::browser::Browser;
use support::cluster::{TestCluster, repo_root};
use support::ktop::http_get_bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const WAIT: Duration = Duration::from_secs(60);
/// The context ktop-web names its cluster when it runs in-cluster.
const CONTEXT: &str = "in-cluster";
/// Who ktop-web is to the API server: the service account `portal up` made for it.
const SERVICE_ACCOUNT: &str = "system:serviceaccount:ktop-portal:ktop-web";

/// A running portal, stopped when dropped (a failed test included).
struct Portal {
    /// oauth2-proxy, where people open ktop-web (ends in `/`).
    url: String,
    /// The test issuer's base URL.
    issuer: String,
    /// ktop-web itself, behind oauth2-proxy.
    ktop: SocketAddr,
    // Dropped in this order: the portal is down before the next test may start one.
    _down: PortalDown,
    _one_at_a_time: MutexGuard<'static, ()>,
}

/// Runs `portal down` when dropped, whatever `portal up` got to.
struct PortalDown;

fn script() -> PathBuf {
    repo_root().join("scripts").join("test-cluster")
}

impl Portal {
    fn up() -> Portal {
        // Tests of this file share the one portal the script runs.
        static LOCK: Mutex<()> = Mutex::new(());
        let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let down = PortalDown;
        let out = Command::new(script())
            .args(["portal", "up"])
            .env("KTOP_WEB_BIN", env!("CARGO_BIN_EXE_ktop-web"))
            .output()
            .expect("run scripts/test-cluster portal up");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "portal up failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let export = |name: &str| {
            let prefix = format!("export {name}=");
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(&prefix))
                .unwrap_or_else(|| panic!("portal up printed no {name}:\n{stdout}"))
                .to_owned()
        };
        let ktop = export("KTOP_PORTAL_KTOP_URL");
        let ktop = ktop
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("ktop-web's address {ktop}: {e}"));
        Portal {
            url: export("KTOP_PORTAL_URL"),
            issuer: export("KTOP_PORTAL_ISSUER_URL"),
            ktop,
            _down: down,
            _one_at_a_time: lock,
        }
    }

    /// Makes `user` (in `groups`) the next one to sign in at the issuer.
    async fn queue(&self, user: &str, groups: &str) {
        let issuer: SocketAddr = self
            .issuer
            .trim_start_matches("http://")
            .parse()
            .expect("the issuer's address");
        let path = format!("/queue?user={user}&groups={groups}");
        let (status, body) = request("127.0.0.1", issuer, "POST", &path, &[]).await;
        assert_eq!(status, 204, "queue {user} at the issuer: {body}");
    }

    /// A fresh browser signed in as `user`, on ktop-web's start page.
    async fn sign_in(&self, user: &str, groups: &str) -> Browser {
        self.queue(user, groups).await;
        let b = Browser::start().await;
        // oauth2-proxy sends the browser to the issuer, which signs the queued user in at
        // once and sends it back; the page then loads from ktop-web with a session cookie.
        b.goto(&self.url).await;
        b.wait_for("#source-badge[data-live-source]", WAIT).await;
        let at = b.client.current_url().await.expect("the current URL");
        assert!(
            at.as_str().starts_with(&self.url),
            "{user} is back at the portal after signing in: {at}"
        );
        b
    }

    fn pod_page(&self, ns: &str, pod: &str) -> String {
        format!("{}c/{CONTEXT}/pods/{ns}/{pod}", self.url)
    }
}

impl Drop for PortalDown {
    fn drop(&mut self) {
        match Command::new(script()).args(["portal", "down"]).output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => eprintln!(
                "portal down failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("cannot run portal down: {e}"),
        }
    }
}

/// One HTTP/1.1 request from the local address `source` to `to`: status and body.
async fn request(
    source: &str,
    to: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let socket = TcpSocket::new_v4().expect("socket");
    let from: SocketAddr = format!("{source}:0").parse().expect("source address");
    socket.bind(from).expect("bind the source address");
    let mut stream = socket.connect(to).await.expect("connect");
    let mut text = format!(
        "{method} {path} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\nContent-Length: 0\r\nSec-Fetch-Site: same-origin\r\n"
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream
        .write_all(text.as_bytes())
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
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_owned())
}

/// A GET the page itself makes (its session cookie included) with extra `headers`: the
/// status and the body.
async fn fetch_in_page(b: &Browser, path: &str, headers: Value) -> (u16, String) {
    let js = r#"
        const [path, headers, done] = arguments;
        fetch(path, { headers })
            .then(async r => done([r.status, await r.text()]))
            .catch(e => done([0, String(e)]));
    "#;
    let answer = b
        .client
        .execute_async(js, vec![json!(path), headers])
        .await
        .unwrap_or_else(|e| panic!("fetch {path} in the page: {e}"));
    let status = answer[0].as_u64().unwrap_or(0) as u16;
    (status, answer[1].as_str().unwrap_or_default().to_owned())
}

/// The completed `GET` of `/api/v1/namespaces/{ns}/pods/{pod}` logged after `offset`,
/// waited for (the audit log is written in batches).
async fn pod_read(c: &TestCluster, offset: usize, ns: &str, pod: &str) -> Value {
    let path = format!("/api/v1/namespaces/{ns}/pods/{pod}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = c.audit_since(offset).into_iter().find(|e| {
            e["stage"] == "ResponseComplete"
                && e["verb"] == "get"
                && e["requestURI"].as_str().and_then(|u| u.split('?').next()) == Some(&path)
        });
        if let Some(e) = found {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "no read of {path} in the audit log"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Who made a read, as whom, and how it ended: `(user, impersonated user, groups, code)`.
fn read_by(e: &Value) -> (String, String, Vec<String>, i64) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let groups = e["impersonatedUser"]["groups"]
        .as_array()
        .map(|g| g.iter().map(text).collect())
        .unwrap_or_default();
    (
        text(&e["user"]["username"]),
        text(&e["impersonatedUser"]["username"]),
        groups,
        e["responseStatus"]["code"].as_i64().unwrap_or(0),
    )
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn alice_signs_in_and_her_reads_are_made_as_her() {
    let c = TestCluster::shared();
    let portal = Portal::up();
    let (pod, _, containers) = c.running_pod("shop");

    // Nobody signed in: oauth2-proxy sends the browser to the issuer, not to ktop-web.
    let contexts = format!("{}api/v1/contexts", portal.url);
    let (status, headers, body) = http_get_bytes(&contexts, &[]).await;
    let location = headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        status,
        302,
        "no session, no data: {}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        location.starts_with(&format!("{}/oidc/authorize?", portal.issuer)),
        "to the issuer: {location}"
    );

    let b = portal.sign_in("alice", "shop-devs").await;
    b.wait_for(".resource-panel", WAIT).await;
    // Her tables and exports hold the namespaces her RBAC lets her list, and say so.
    b.goto(&format!("{}c/{CONTEXT}/pods", portal.url)).await;
    b.wait_for(&format!("tr.row[data-pod='shop/{pod}']"), WAIT)
        .await;
    b.screenshot("portal-alice-pods").await;
    let mut shown = Vec::new();
    for row in b.all("tr.row[data-pod]").await {
        shown.push(
            row.attr("data-pod")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
    }
    assert!(
        shown.len() > 1 && shown.iter().all(|k| k.starts_with("shop/")),
        "alice's pods table: {shown:?}"
    );
    let note = b.text("#access").await.unwrap_or_default();
    assert!(
        note.contains("pods in shop") && note.contains("not the nodes"),
        "{note}"
    );
    b.capture_download().await;
    b.click("#pods-csv", WAIT).await;
    let csv = b.downloaded(WAIT).await;
    let namespaces: Vec<&str> = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split(',').next())
        .collect();
    assert!(
        !namespaces.is_empty() && namespaces.iter().all(|ns| *ns == "shop"),
        "alice's export: {csv}"
    );

    let offset = c.audit_offset();
    b.goto(&portal.pod_page("shop", &pod)).await;
    b.wait_for(
        &format!("#containers-table tr[data-container='{}']", containers[0]),
        WAIT,
    )
    .await;
    assert!(
        b.all("#detail-error").await.is_empty(),
        "alice may read a shop pod: {:?}",
        b.text("#detail-error").await
    );
    let (user, as_whom, groups, code) = read_by(&pod_read(c, offset, "shop", &pod).await);
    assert_eq!(
        (user.as_str(), as_whom.as_str(), code),
        (SERVICE_ACCOUNT, "alice", 200),
        "the pod is read with ktop-web's service account, as alice"
    );
    assert!(
        groups.iter().any(|g| g == "shop-devs"),
        "with her groups from the issuer: {groups:?}"
    );
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn identity_headers_sent_through_the_proxy_are_replaced() {
    let c = TestCluster::shared();
    let portal = Portal::up();
    let (shop_pod, _, _) = c.running_pod("shop");
    let (system_pod, _, _) = c.running_pod("kube-system");
    let b = portal.sign_in("alice", "shop-devs").await;
    let api = format!("/api/v1/contexts/{CONTEXT}/namespaces");

    let offset = c.audit_offset();
    let (status, body) = fetch_in_page(
        &b,
        &format!("{api}/shop/pods/{shop_pod}"),
        json!({
            "X-Forwarded-User": "mallory",
            "X-Forwarded-Groups": "mallory-admins",
            "X-Forwarded-Email": "mallory@example.com",
        }),
    )
    .await;
    assert_eq!(status, 200, "alice's own read: {body}");
    let (_, as_whom, groups, _) = read_by(&pod_read(c, offset, "shop", &shop_pod).await);
    assert_eq!(as_whom, "alice", "the session's user, not the header's");
    assert!(
        !groups.iter().any(|g| g.contains("mallory")),
        "nor the header's groups: {groups:?}"
    );
    let named = c
        .audit_since(offset)
        .iter()
        .filter(|e| e.to_string().contains("mallory"))
        .count();
    assert_eq!(named, 0, "the API server never heard of mallory");

    // Claiming to be bob, who may read kube-system, gets alice's refusal.
    let (status, body) = fetch_in_page(
        &b,
        &format!("{api}/kube-system/pods/{system_pod}"),
        json!({ "X-Forwarded-User": "bob" }),
    )
    .await;
    assert_eq!(status, 403, "still alice: {body}");
    let refusal: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let message = refusal["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("User \"alice\""),
        "refused as alice: {body}"
    );
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn identity_headers_straight_to_ktop_web_are_refused() {
    let c = TestCluster::shared();
    let portal = Portal::up();
    let (pod, _, _) = c.running_pod("shop");
    let path = format!("/api/v1/contexts/{CONTEXT}/namespaces/shop/pods/{pod}");
    let alice = [
        ("X-Forwarded-User", "alice"),
        ("X-Forwarded-Groups", "shop-devs"),
    ];

    // ktop-web trusts oauth2-proxy's address, 127.0.0.1; 127.0.0.2 is anyone else on the
    // machine (Linux routes all of 127.0.0.0/8 to the loopback interface).
    let (status, body) = request("127.0.0.2", portal.ktop, "GET", &path, &alice).await;
    assert_eq!(status, 403, "identity headers from elsewhere: {body}");
    assert!(body.contains("authenticating proxy"), "{body}");
    assert!(
        !body.contains("alice"),
        "no echo of the claimed user: {body}"
    );

    // The same request from the proxy's address is believed: the address is what decides.
    let (status, body) = request("127.0.0.1", portal.ktop, "GET", &path, &alice).await;
    assert_eq!(status, 200, "from the trusted address: {body}");
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn bob_opens_a_kube_system_pod_that_alice_may_not() {
    let c = TestCluster::shared();
    let portal = Portal::up();
    let (pod, _, containers) = c.running_pod("kube-system");
    let page = portal.pod_page("kube-system", &pod);

    let offset = c.audit_offset();
    let bob = portal.sign_in("bob", "ops").await;
    bob.goto(&page).await;
    bob.wait_for(
        &format!("#containers-table tr[data-container='{}']", containers[0]),
        WAIT,
    )
    .await;
    assert!(
        bob.all("#detail-error").await.is_empty(),
        "bob may read kube-system: {:?}",
        bob.text("#detail-error").await
    );
    bob.screenshot("portal-bob-kube-system-pod").await;
    let (_, as_whom, _, code) = read_by(&pod_read(c, offset, "kube-system", &pod).await);
    assert_eq!((as_whom.as_str(), code), ("bob", 200));
    // His tables hold every namespace, with no note about his access.
    bob.goto(&format!("{}c/{CONTEXT}/pods?ns=kube-system", portal.url))
        .await;
    bob.wait_for(&format!("tr.row[data-pod='kube-system/{pod}']"), WAIT)
        .await;
    assert!(bob.all("#access").await.is_empty(), "bob sees everything");
    bob.close().await;

    let offset = c.audit_offset();
    let alice = portal.sign_in("alice", "shop-devs").await;
    alice.goto(&page).await;
    let error = alice
        .eventually("alice's refusal", WAIT, || async {
            alice.text("#detail-error").await.filter(|t| !t.is_empty())
        })
        .await;
    alice.screenshot("portal-alice-kube-system-pod").await;
    assert!(
        error.contains("forbidden") && error.contains("\"alice\""),
        "the page says alice may not: {error}"
    );
    assert!(
        alice
            .all("#containers-table tr[data-container]")
            .await
            .is_empty(),
        "and shows none of the pod"
    );
    let (_, as_whom, _, code) = read_by(&pod_read(c, offset, "kube-system", &pod).await);
    assert_eq!((as_whom.as_str(), code), ("alice", 403));
    alice.close().await;
}

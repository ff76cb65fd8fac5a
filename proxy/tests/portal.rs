//! ktop-web as a team shares it: run in-cluster on its service account's token (mounted
//! where a pod has it), behind oauth2-proxy, which signs people in at an OpenID Connect
//! issuer; all of it started by `scripts/test-cluster portal up`. Tests choose who signs in
//! next at the issuer, sign in with headless Chromium, and read the API server's audit log
//! to see as whom each per-object read was made, and how often the shared metrics are read.
//! A portal page on the same site may frame ktop-web when `portal up` is told its origin.

mod support;

use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use support::browser::Browser;
use support::cluster::{DownOnDrop, TestCluster, script_exports};
use support::ktop::http_get_bytes;
use support::page::PageServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const WAIT: Duration = Duration::from_secs(60);
/// The context ktop-web names its cluster when it runs in-cluster.
const CONTEXT: &str = "in-cluster";
/// Who ktop-web is to the API server: the service account `portal up` made for it.
const SERVICE_ACCOUNT: &str = "system:serviceaccount:ktop-portal:ktop-web";
/// The refresh interval `portal up` gives ktop-web (`--refresh 2s`).
const REFRESH: Duration = Duration::from_secs(2);

/// A running portal, stopped when dropped (a failed test included).
struct Portal {
    /// oauth2-proxy, where people open ktop-web (ends in `/`).
    url: String,
    /// The test issuer's base URL.
    issuer: String,
    /// ktop-web itself, behind oauth2-proxy.
    ktop: SocketAddr,
    // Dropped in this order: the portal is down before the next test may start one.
    _down: DownOnDrop,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl Portal {
    fn up() -> Portal {
        Self::up_framed_by(None)
    }

    /// A portal whose ktop-web may be framed by `embed_origin` alone, if given.
    fn up_framed_by(embed_origin: Option<&str>) -> Portal {
        // Tests of this file share the one portal the script runs.
        static LOCK: Mutex<()> = Mutex::new(());
        let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        let down = DownOnDrop(&["portal", "down"]);
        let exports = script_exports(&["portal", "up"], |up| {
            up.env("KTOP_WEB_BIN", env!("CARGO_BIN_EXE_ktop-web"));
            match embed_origin {
                Some(origin) => up.env("KTOP_PORTAL_EMBED_ORIGIN", origin),
                None => up.env_remove("KTOP_PORTAL_EMBED_ORIGIN"),
            };
        });
        let ktop = exports.get("KTOP_PORTAL_KTOP_URL");
        let ktop = ktop
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| panic!("ktop-web's address {ktop}: {e}"));
        Portal {
            url: exports.get("KTOP_PORTAL_URL"),
            issuer: exports.get("KTOP_PORTAL_ISSUER_URL"),
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

    fn pods_page(&self) -> String {
        format!("{}c/{CONTEXT}/pods", self.url)
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
    read_of(c, offset, &format!("/api/v1/namespaces/{ns}/pods/{pod}")).await
}

/// The completed `GET` of `path` logged after `offset`, waited for.
async fn read_of(c: &TestCluster, offset: usize, path: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = c.audit_since(offset).into_iter().find(|e| {
            e["stage"] == "ResponseComplete"
                && e["verb"] == "get"
                && e["requestURI"].as_str().and_then(|u| u.split('?').next()) == Some(path)
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

    // Nor its log: refused by the API server, as her, in words that name her.
    let offset = c.audit_offset();
    let log = format!(
        "/api/v1/contexts/{CONTEXT}/namespaces/kube-system/pods/{pod}/log?container={}",
        containers[0]
    );
    let (status, body) = fetch_in_page(&alice, &log, json!({})).await;
    assert_eq!(status, 403, "alice's kube-system log: {body}");
    let refusal: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let message = refusal["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("User \"alice\"") && message.contains("pods/log"),
        "the refusal says alice may not read the log: {body}"
    );
    let read = read_of(
        c,
        offset,
        &format!("/api/v1/namespaces/kube-system/pods/{pod}/log"),
    )
    .await;
    let (user, as_whom, _, code) = read_by(&read);
    assert_eq!(
        (user.as_str(), as_whom.as_str(), code),
        (SERVICE_ACCOUNT, "alice", 403),
        "the log is asked for as alice and refused"
    );
    alice.close().await;
}

/// The `data-pod` keys (`namespace/name`) of the rows the current window shows.
async fn shown_pods(b: &Browser) -> Vec<String> {
    let mut keys = Vec::new();
    for row in b.all("tr.row[data-pod]").await {
        if let Ok(Some(key)) = row.attr("data-pod").await {
            keys.push(key);
        }
    }
    keys
}

/// Opens `url` in `n` windows of `b` (the first is the one already open) and waits for rows
/// in each; returns the windows.
async fn open_windows(b: &Browser, url: &str, n: usize) -> Vec<fantoccini::wd::WindowHandle> {
    let mut windows = vec![b.client.window().await.expect("the first window")];
    while windows.len() < n {
        let w = b.client.new_window(false).await.expect("a new window");
        windows.push(w.handle);
    }
    for w in &windows {
        b.client.switch_to_window(w.clone()).await.expect("switch");
        b.goto(url).await;
        b.wait_for("tr.row[data-pod]", WAIT).await;
    }
    windows
}

/// Seconds since the Unix epoch of an audit timestamp (`2006-01-02T15:04:05.999999Z`).
fn audit_time(ts: &str) -> f64 {
    parse_audit_time(ts).unwrap_or_else(|| panic!("an audit timestamp: {ts:?}"))
}

fn parse_audit_time(ts: &str) -> Option<f64> {
    let (date, time) = ts.strip_suffix('Z')?.split_once('T')?;
    let ymd: Vec<i64> = date
        .split('-')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let hms: Vec<f64> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [y, m, d] = ymd[..] else { return None };
    let [h, min, sec] = hms[..] else { return None };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + sec)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn six_tabs_of_two_people_cost_one_metrics_read_per_interval() {
    let c = TestCluster::shared();
    let portal = Portal::up();
    let alice = portal.sign_in("alice", "shop-devs").await;
    let bob = portal.sign_in("bob", "ops").await;
    let pods = portal.pods_page();
    let alice_tabs = open_windows(&alice, &pods, 3).await;
    let bob_tabs = open_windows(&bob, &pods, 3).await;

    // Every tab follows the pods for four intervals.
    let offset = c.audit_offset();
    let from = unix_now();
    tokio::time::sleep(REFRESH * 4).await;
    let to = unix_now();

    for (who, b, tabs) in [("alice", &alice, &alice_tabs), ("bob", &bob, &bob_tabs)] {
        for (i, w) in tabs.iter().enumerate() {
            b.client.switch_to_window(w.clone()).await.expect("switch");
            let keys = shown_pods(b).await;
            let shop = keys.iter().filter(|k| k.starts_with("shop/")).count();
            if who == "alice" {
                assert!(
                    shop > 0 && shop == keys.len(),
                    "alice's tab {i} shows her shop pods only: {keys:?}"
                );
            } else {
                assert!(
                    shop > 0 && keys.len() > shop,
                    "bob's tab {i} shows more than the shop: {keys:?}"
                );
            }
        }
    }
    alice.screenshot("portal-alice-third-tab").await;

    // The audit log is written in batches: give the last reads of the window time to land.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let metrics: Vec<f64> = c
        .audit_since(offset)
        .iter()
        .filter(|e| {
            let path = e["requestURI"].as_str().unwrap_or_default();
            let path = path.split('?').next().unwrap_or_default();
            e["stage"] == "ResponseComplete"
                && e["user"]["username"] == SERVICE_ACCOUNT
                && path.starts_with("/apis/metrics.k8s.io/")
                && path.ends_with("/pods")
        })
        .map(|e| audit_time(e["requestReceivedTimestamp"].as_str().unwrap_or_default()))
        .filter(|t| (from..=to).contains(t))
        .collect();
    // ktop-web builds a new snapshot for a poll up to a tenth of an interval early (timer
    // jitter), so reads come at least 0.9 intervals apart: one per interval, give or take
    // that tenth and the window's edges.
    let spacing = REFRESH.as_secs_f64() * 0.9;
    let most = ((to - from) / spacing).floor() as usize + 1;
    assert!(
        metrics.len() >= 2 && metrics.len() <= most,
        "{} metrics reads of pods in {:.1} s, six tabs open: want 2..={most}: {metrics:?}",
        metrics.len(),
        to - from
    );
    let mut sorted = metrics.clone();
    sorted.sort_by(f64::total_cmp);
    let closest = sorted
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    assert!(
        closest >= REFRESH.as_secs_f64() * 0.8,
        "two metrics reads {closest:.2} s apart: {sorted:?}"
    );
    alice.close().await;
    bob.close().await;
}

/// What the portal page's frame shows, read from inside it.
async fn in_frame(b: &Browser) -> Option<Value> {
    let js = r#"
        return {
            href: location.href,
            pods: [...document.querySelectorAll('#pods-table tr.row[data-pod]')]
                .map(r => r.dataset.pod),
            total: Number(document.querySelector('#pods-table')?.dataset.rows ?? 0),
        };
    "#;
    b.run_in_frame(js).await
}

fn rows_in(v: &Value) -> usize {
    v["pods"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_portal_page_on_the_same_site_frames_the_pods_view() {
    let c = TestCluster::shared();
    // Both pages are on 127.0.0.1, the same site as oauth2-proxy (ports do not make another
    // site), so its session cookie goes into their frames; only the first may frame.
    let allowed = PageServer::start(String::new()).await;
    let other = PageServer::start(String::new()).await;
    let allowed_origin = format!("http://127.0.0.1:{}", allowed.port());
    let portal = Portal::up_framed_by(Some(&allowed_origin));
    let b = portal.sign_in("alice", "shop-devs").await;
    let embed = format!("{}c/{CONTEXT}/pods?embed=1&ns=shop", portal.url);

    // ktop-web's framing policy reaches the browser through oauth2-proxy.
    let js = r#"
        const [path, done] = arguments;
        fetch(path)
            .then(r => done([r.status, r.headers.get('content-security-policy'),
                             r.headers.get('x-frame-options')]))
            .catch(e => done([0, String(e), null]));
    "#;
    let answer = b
        .client
        .execute_async(js, vec![json!(embed)])
        .await
        .expect("fetch the embed page");
    let csp = answer[1].as_str().unwrap_or_default();
    assert_eq!(answer[0], 200, "{answer}");
    assert!(
        csp.ends_with(&format!("frame-ancestors {allowed_origin}")),
        "{csp}"
    );
    assert!(answer[2].is_null(), "no X-Frame-Options: {answer}");

    let page = format!(
        "<!doctype html><title>portal</title><h1>Portal</h1>\
         <iframe width=1000 height=420 src=\"{embed}\"></iframe>"
    );
    allowed.set(page.clone());
    other.set(page);
    let started = Instant::now();
    b.goto(&format!("{allowed_origin}/")).await;
    let shown = b
        .eventually("the framed pods view", WAIT, || async {
            in_frame(&b).await.filter(|v| rows_in(v) > 0)
        })
        .await;
    let took = started.elapsed();
    b.screenshot("portal-framed").await;
    let want = c
        .kubectl_ok(&["get", "pods", "-n", "shop", "--no-headers"])
        .lines()
        .count();
    assert_eq!(shown["total"].as_u64(), Some(want as u64), "{shown}");
    let pods = shown["pods"].as_array().cloned().unwrap_or_default();
    assert!(
        pods.iter()
            .all(|p| p.as_str().is_some_and(|p| p.starts_with("shop/"))),
        "alice's shop pods: {shown}"
    );

    // Another origin is refused: on the same site the session cookie goes along and
    // ktop-web answers, but its frame-ancestors names only the portal's origin; from another
    // site (localhost) the Lax cookie stays behind and oauth2-proxy lets nobody in. Each gets
    // twice the time the allowed page needed to show rows.
    for (origin, name) in [
        (format!("http://127.0.0.1:{}", other.port()), "same-site"),
        (format!("http://localhost:{}", other.port()), "cross-site"),
    ] {
        b.goto(&format!("{origin}/")).await;
        tokio::time::sleep((took * 2).max(Duration::from_secs(5))).await;
        let framed = in_frame(&b).await;
        b.screenshot(&format!("portal-framed-refused-{name}")).await;
        assert_eq!(
            framed.as_ref().map_or(0, rows_in),
            0,
            "{origin} framed ktop-web: {framed:?}"
        );
    }
    b.close().await;
}

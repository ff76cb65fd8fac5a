//! A hostile corpus against the real binary on the real test cluster: forged Host headers,
//! foreign origins, writes, encoded traversal, unknown parameters and identity headers each
//! get their 4xx, and the API server's audit log shows ktop-web asked for nothing outside its
//! read-only allowlist.

// The cluster lock is held across awaits on purpose: tests in one binary run one at a time.
#![allow(clippy::await_holding_lock)]

mod support;

use std::time::Duration;

use support::audit::{allowed_upstream, ktop_requests, outside_allowlist};
use support::cluster::TestCluster;
use support::ktop::Ktop;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const EMBED: &str = "http://portal.test:8080";

/// One request: method, request target, headers (besides Connection), expected status.
struct Case {
    name: String,
    method: &'static str,
    target: String,
    headers: Vec<(String, String)>,
    want: u16,
}

/// Sends raw bytes (so nothing normalizes the request) and returns the status and body.
async fn raw(port: u16, request: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    stream.write_all(request).await.expect("write");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut response))
        .await
        .expect("an answer within 15 s")
        .expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn render(case: &Case) -> Vec<u8> {
    let mut out = format!("{} {} HTTP/1.1\r\n", case.method, case.target);
    for (k, v) in &case.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

fn corpus(port: u16, token: &str, context: &str, pod: (&str, &str)) -> Vec<Case> {
    let host = || ("Host".to_owned(), format!("127.0.0.1:{port}"));
    let auth = || ("Authorization".to_owned(), format!("Bearer {token}"));
    let ok_headers = || vec![host(), auth()];
    let api = "/api/v1/contexts".to_owned();
    let snapshot = format!("/api/v1/contexts/{context}/snapshot");
    let frames = format!("/api/v1/contexts/{context}/frames");
    let log = |ns: &str, name: &str| {
        format!("/api/v1/contexts/{context}/namespaces/{ns}/pods/{name}/log")
    };
    let good_log = format!("{}?container={}", log("shop", pod.0), pod.1);
    let mut cases = Vec::new();
    let mut add = |name: String,
                   method: &'static str,
                   target: String,
                   headers: Vec<(String, String)>,
                   want: u16| {
        cases.push(Case {
            name,
            method,
            target,
            headers,
            want,
        });
    };

    // Host headers (DNS rebinding), on the API, the app and the health check.
    for bad in [
        "localhost.evil.com:{p}",
        "127.0.0.2:{p}",
        "0.0.0.0:{p}",
        "user@localhost:{p}",
        "[::1]x:{p}",
        "localhost:{q}",
        "localhost",
        "127.0.0.1",
        "evil.com",
        "evil.com:{p}",
        "127.0.0.1:{p}.evil.com",
        "localhost.:{p}",
        "127.1:{p}",
        "2130706433:{p}",
        "[::ffff:127.0.0.1]:{p}",
        "localhost:{p}@evil.com",
        "%6cocalhost:{p}",
        "localhost:{p}, evil.com",
        "localhost:0{p}",
        "[::1]:{q}",
    ] {
        let value = bad
            .replace("{p}", &port.to_string())
            .replace("{q}", &(port + 1).to_string());
        // Not the probes: they answer any Host (the kubelet names a pod by its address).
        for path in [api.as_str(), "/"] {
            add(
                format!("Host {value} on {path}"),
                "GET",
                path.to_owned(),
                vec![("Host".into(), value.clone()), auth()],
                403,
            );
        }
    }
    add("missing Host".into(), "GET", api.clone(), vec![auth()], 403);
    add(
        "empty Host".into(),
        "GET",
        api.clone(),
        vec![("Host".into(), String::new()), auth()],
        403,
    );
    add(
        "duplicate Host".into(),
        "GET",
        api.clone(),
        vec![host(), host(), auth()],
        403,
    );
    add(
        "absolute-form target".into(),
        "GET",
        format!("http://evil.com{api}"),
        ok_headers(),
        403,
    );

    // Origins and fetch metadata.
    for origin in [
        format!("http://localhost:{}", port + 1),
        "http://evil.com".into(),
        "null".into(),
        format!("http://127.0.0.1:{port}.evil.com"),
        "https://portal.test:8080".into(),
        "http://portal.test:8081".into(),
        "http://portal.test:8080.evil.com".into(),
        "http://PORTAL.test:8080".into(),
        format!("http://localhost:{port}/"),
        // The portal only frames ktop-web; the framed page's own fetches are same-origin.
        EMBED.into(),
    ] {
        let mut h = ok_headers();
        h.push(("Origin".into(), origin.clone()));
        add(format!("Origin {origin}"), "GET", snapshot.clone(), h, 403);
    }
    for (site, origin) in [
        ("cross-site", None),
        ("same-site", None),
        ("cross-site", Some(format!("http://127.0.0.1:{port}"))),
    ] {
        let mut h = ok_headers();
        h.push(("Sec-Fetch-Site".into(), site.into()));
        if let Some(o) = &origin {
            h.push(("Origin".into(), o.clone()));
        }
        add(
            format!("Sec-Fetch-Site {site} origin {origin:?}"),
            "GET",
            snapshot.clone(),
            h,
            403,
        );
    }

    // Anything but GET/HEAD, on every kind of route, authenticated or not.
    for method in [
        "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND",
    ] {
        for path in [api.as_str(), snapshot.as_str(), good_log.as_str(), "/"] {
            add(
                format!("{method} {path}"),
                method,
                path.to_owned(),
                ok_headers(),
                405,
            );
        }
    }
    let mut preflight = ok_headers();
    preflight.push(("Origin".into(), EMBED.into()));
    preflight.push(("Access-Control-Request-Method".into(), "GET".into()));
    add(
        "CORS preflight from the embed origin".into(),
        "OPTIONS",
        snapshot.clone(),
        preflight,
        405,
    );

    // Encoded traversal and malformed names.
    for (what, target) in [
        ("dot segments", "/api/v1/../v1/contexts".to_owned()),
        ("encoded dots in namespace", log("%2e%2e", "x")),
        ("upper-case encoded dots", log("%2E%2E", "x")),
        ("double-encoded dots", log("%252e%252e", "x")),
        (
            "encoded slash in namespace",
            log("kube-system%2Fsecrets", "x"),
        ),
        ("encoded slash in pod", log("shop", "x%2F..%2F..%2Fsecrets")),
        (
            "traversal in context",
            "/api/v1/contexts/..%2f..%2fsecrets/snapshot".to_owned(),
        ),
        ("NUL in pod", log("shop", "x%00")),
        ("CRLF in pod", log("shop", "x%0d%0aSet-Cookie:a")),
        ("backslash traversal", log("shop", "x%5c..%5c")),
        ("overlong UTF-8 dots", log("shop", "%c0%ae%c0%ae")),
        ("bad escape", log("shop", "%zz")),
        ("upper-case namespace", log("SHOP", "x")),
        ("leading dash namespace", log("-shop", "x")),
        ("semicolon dots", log("shop", "..;")),
        ("dots inside a name", log("shop", "a..b")),
        ("over-long pod name", log("shop", &"a".repeat(254))),
        (
            "trailing traversal",
            format!("{}/../../../../secrets", log("shop", pod.0)),
        ),
        ("protocol-relative", "//evil.com/api/v1/contexts".to_owned()),
        ("unicode namespace", log("sh%C3%B6p", "x")),
    ] {
        add(format!("path: {what}"), "GET", target, ok_headers(), 400);
    }
    // Routes that do not exist are not passed through anywhere.
    for target in [
        format!("/api/v1/contexts/{context}/namespaces/shop/secrets/x"),
        format!(
            "/api/v1/contexts/{context}/namespaces/shop/pods/{}/exec",
            pod.0
        ),
        format!(
            "/api/v1/contexts/{context}/namespaces/shop/pods/{}/attach",
            pod.0
        ),
        format!(
            "/api/v1/contexts/{context}/namespaces/shop/pods/{}/portforward",
            pod.0
        ),
        format!("/api/v1/contexts/{context}/proxy/api/v1/secrets"),
        "/api/v1/namespaces/kube-system/secrets".into(),
        "/api/v1/nodes/kwok-node-0/proxy/metrics".into(),
        // No route reaches a node's proxy: the prometheus source builds those paths itself
        // from the watched nodes, never from a request.
        format!("/api/v1/contexts/{context}/nodes/kwok-node-0/proxy/metrics/resource"),
        format!("/api/v1/contexts/{context}/nodes/kwok-node-0/proxy/metrics/cadvisor"),
        format!("/api/v1/contexts/{context}/nodes/kwok-node-0/proxy/configz"),
        format!("/api/v1/contexts/{context}/nodes/kwok-node-0/metrics/cadvisor"),
        format!("/api/v1/contexts/{context}/nodes/kwok-node-0/proxy/run/kube-system/x/y"),
        "/api/v1/nodes/kwok-node-0/proxy/metrics/cadvisor".into(),
        format!(
            "/api/v1/contexts/not-a-context/namespaces/shop/pods/{}/log",
            pod.0
        ),
        // Under /api but outside /api/v1: JSON 404s, not the app's page.
        "/api/v2/contexts".into(),
        "/api//v1/contexts".into(),
        "/api/v1/nope".into(),
    ] {
        add(
            format!("unknown route {target}"),
            "GET",
            target,
            ok_headers(),
            404,
        );
    }

    // The drill-down reads: names and event queries are validated the same way.
    let detail = |rest: &str| format!("/api/v1/contexts/{context}/{rest}");
    for (what, target) in [
        ("node name with traversal", detail("nodes/..%2fsecrets")),
        (
            "traversal towards a node proxy",
            detail("nodes/..%2f..%2fsecrets/proxy/metrics/resource"),
        ),
        ("upper-case node name", detail("nodes/Node_1")),
        ("NUL in node name", detail("nodes/a%00")),
        ("bad pod name", detail("namespaces/shop/pods/X_Y")),
        ("bad namespace for a pod", detail("namespaces/a%2Fb/pods/x")),
        (
            "events of another kind",
            detail("namespaces/shop/events?kind=Secret&name=x"),
        ),
        (
            "field selector smuggled in a name",
            detail("namespaces/shop/events?kind=Pod&name=x%2CinvolvedObject.kind%3DSecret"),
        ),
        (
            "events without a name",
            detail("namespaces/shop/events?kind=Pod"),
        ),
        (
            "extra field selector",
            detail("namespaces/shop/events?kind=Pod&name=x&fieldSelector=a"),
        ),
        (
            "query on node detail",
            detail("nodes/kwok-node-0?watch=true"),
        ),
        ("pods without a selector", detail("pods")),
        ("empty selector", detail("pods?selector=%20")),
        (
            "overlong selector",
            detail(&format!("pods?selector={}", "a".repeat(1025))),
        ),
        ("raw labelSelector", detail("pods?labelSelector=app")),
        (
            "selector with watch",
            detail("pods?selector=app&watch=true"),
        ),
        (
            "repeated selector",
            detail("pods?selector=app&selector=tier"),
        ),
        // Refused by ktop-web's selector parser, which never asks upstream.
        (
            "malformed selector",
            detail("pods?selector=app%3D%3D%3Dcart"),
        ),
    ] {
        add(format!("detail: {what}"), "GET", target, ok_headers(), 400);
    }

    // Only known query parameters.
    for (what, target) in [
        ("watch on contexts", format!("{api}?watch=true")),
        (
            "field selector on snapshot",
            format!("{snapshot}?fieldSelector=metadata.name%3Dx"),
        ),
        (
            "label selector on snapshot",
            format!("{snapshot}?labelSelector=a"),
        ),
        (
            "namespace on snapshot",
            format!("{snapshot}?namespace=kube-system"),
        ),
        ("dryRun", format!("{snapshot}?dryRun=All")),
        (
            "namespace on quotas",
            detail("quotas?namespace=kube-system"),
        ),
        ("watch on quotas", detail("quotas?watch=true")),
        ("watch on frames", format!("{frames}?watch=true")),
        (
            "selector on frames",
            format!("{frames}?after=1.2&labelSelector=a"),
        ),
        ("traversal in a position", format!("{frames}?after=..%2f..")),
        (
            "position overflow",
            format!("{frames}?after=99999999999999999999999.1"),
        ),
        ("repeated position", format!("{frames}?after=1.2&after=1.3")),
        ("follow", format!("{good_log}&follow=true")),
        ("repeated container", format!("{good_log}&container=other")),
        ("negative tail", format!("{good_log}&tailLines=-1")),
        ("huge tail", format!("{good_log}&tailLines=99999999")),
        ("zero limit", format!("{good_log}&limitBytes=0")),
        (
            "traversal container",
            format!("{}?container=..%2fx", log("shop", pod.0)),
        ),
        (
            "insecure backend",
            format!("{good_log}&insecureSkipTLSVerifyBackend=true"),
        ),
        ("not a bool", format!("{good_log}&previous=maybe")),
        (
            "sinceTime",
            format!("{good_log}&sinceTime=2020-01-01T00:00:00Z"),
        ),
    ] {
        add(format!("query: {what}"), "GET", target, ok_headers(), 400);
    }

    // Credentials: missing, wrong, in the wrong place, and identity headers.
    add(
        "no token".into(),
        "GET",
        snapshot.clone(),
        vec![host()],
        401,
    );
    add(
        "wrong token".into(),
        "GET",
        snapshot.clone(),
        vec![host(), ("Authorization".into(), "Bearer 00".into())],
        401,
    );
    add(
        "basic auth".into(),
        "GET",
        snapshot.clone(),
        vec![host(), ("Authorization".into(), format!("Basic {token}"))],
        401,
    );
    add(
        "two Authorization headers".into(),
        "GET",
        snapshot.clone(),
        vec![host(), auth(), ("Authorization".into(), "Bearer 00".into())],
        401,
    );
    add(
        "token in the API URL".into(),
        "GET",
        format!("{api}?token={token}"),
        vec![host()],
        401,
    );
    add(
        "cookie for another port".into(),
        "GET",
        snapshot.clone(),
        vec![
            host(),
            (
                "Cookie".into(),
                format!("ktop_web_token_{}={token}", port + 1),
            ),
        ],
        401,
    );
    add(
        "wrong token in ?token".into(),
        "GET",
        "/nodes?token=00".into(),
        vec![host()],
        401,
    );
    add(
        "no token on the app".into(),
        "GET",
        "/nodes".into(),
        vec![host()],
        401,
    );
    // An embed page is served without a cookie, but its data still needs the token.
    add(
        "embed flag on the API".into(),
        "GET",
        format!("{api}?embed=1"),
        vec![host()],
        401,
    );
    add(
        "embed flag with a wrong Bearer".into(),
        "GET",
        snapshot.clone(),
        vec![
            host(),
            ("Authorization".into(), "Bearer embed".into()),
            ("Referer".into(), "/pods?embed=1".into()),
        ],
        401,
    );
    for (k, v) in [
        ("Impersonate-User", "system:admin"),
        ("Impersonate-Group", "system:masters"),
        ("Impersonate-Uid", "1"),
        ("Impersonate-Extra-Scopes", "all"),
        ("X-Remote-User", "admin"),
        ("X-Remote-Group", "system:masters"),
    ] {
        let mut h = ok_headers();
        h.push((k.into(), v.into()));
        add(
            format!("identity header {k}"),
            "GET",
            good_log.clone(),
            h,
            400,
        );
    }
    // History: only checked names go into PromQL, and no request can name another source,
    // service or path.
    let history = format!("/api/v1/contexts/{context}/history");
    for query in [
        "range=24h&points=600&namespace=shop&pod=a%22%7D%20or%20vector(1)%20or%20%7Bx%3D%22",
        "range=24h&points=600&namespace=shop&pod=a%22%7D%5B1h%5D",
        "range=24h&points=600&namespace=shop&pod=.%2A",
        "range=24h&points=600&namespace=shop&pod=a&container=.%2A",
        "range=24h&points=600&node=a%7Cb",
        "range=24h&points=600&node=..",
        "range=24h&points=600&namespace=..&pod=a",
        "range=24h&points=600&pods=..%2Fkube-system%2Fa&per_pod=true",
        "range=24h&points=600&pods=shop%2Fa%7C.%2A&per_pod=true",
        "range=24h&points=600&pods=shop&per_pod=true",
        "range=24h&points=600&service=kube-system%2Fkube-dns%3A53",
        "range=24h&points=600&source=http%3A%2F%2F169.254.169.254%2F",
        "range=24h&points=600&path=..%2F..%2Fsecrets",
        "range=24h&points=600&query=up",
        "range=24h&points=600&namespace=shop&pod=a&pod=b",
        "range=live&points=600",
        "range=1y&points=600",
        "range=24h&points=-1",
        "range=24h&points=99999999999",
        "range=24h",
        "points=600",
    ] {
        add(
            format!("history ?{query}"),
            "GET",
            format!("{history}?{query}"),
            ok_headers(),
            400,
        );
    }
    cases
}

#[test]
fn the_allowlist_admits_only_the_two_metrics_endpoints_of_a_node() {
    for uri in [
        "/api/v1/nodes/n1/proxy/metrics/resource",
        "/api/v1/nodes/n1/proxy/metrics/cadvisor",
        "/api/v1/nodes/n1/proxy/metrics/nodes/n1/metrics/resource",
        "/api/v1/nodes/n1/proxy/metrics/nodes/n1/metrics/cadvisor",
    ] {
        assert!(allowed_upstream("get", uri), "{uri}");
        assert!(!allowed_upstream("create", uri), "{uri}");
    }
    for uri in [
        "/api/v1/nodes/n1/proxy/metrics",
        "/api/v1/nodes/n1/proxy/metrics/probes",
        "/api/v1/nodes/n1/proxy/configz",
        "/api/v1/nodes/n1/proxy/logs/",
        "/api/v1/nodes/n1/proxy/run/ns/pod/c",
        "/api/v1/nodes/n1/proxy/metrics/nodes/n2/metrics/resource",
        "/api/v1/nodes/n1/proxy/metrics/resource?x=1",
        "/api/v1/nodes/N1/proxy/metrics/resource",
        "/api/v1/nodes/n1/proxy/metrics/../../configz",
    ] {
        assert!(!allowed_upstream("get", uri), "{uri}");
    }
}

#[test]
fn the_allowlist_admits_only_a_services_query_api_through_its_proxy() {
    let proxy = "/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy";
    for uri in [
        "/api/v1/namespaces/monitoring/services/prometheus-operated".to_owned(),
        format!("{proxy}/api/v1/query_range?query=up&start=1&end=2&step=1"),
        format!("{proxy}/api/v1/query?query=up"),
        format!("{proxy}/prometheus/api/v1/query_range"),
    ] {
        assert!(allowed_upstream("get", &uri), "{uri}");
        assert!(!allowed_upstream("create", &uri), "{uri}");
    }
    for uri in [
        "/api/v1/namespaces/monitoring/services".to_owned(),
        format!("{proxy}/api/v1/admin/tsdb/delete_series"),
        format!("{proxy}/api/v1/series"),
        format!("{proxy}/../../../../secrets/x/api/v1/query"),
        format!("{proxy}/a/../api/v1/query_range"),
        format!("{proxy}/"),
        "/api/v1/namespaces/kube-system/services/kube-dns:53/proxy/".to_owned(),
        "/api/v1/namespaces/monitoring/services/prometheus-operated/proxy/api/v1/query".to_owned(),
        "/api/v1/namespaces/Monitoring/services/p:9090/proxy/api/v1/query".to_owned(),
    ] {
        assert!(!allowed_upstream("get", &uri), "{uri}");
    }
}

#[test]
fn the_allowlist_admits_workload_and_quota_lists_and_watches_only() {
    for uri in [
        "/apis/apps/v1/replicasets?watch=true&resourceVersion=1",
        "/apis/apps/v1/namespaces/shop/replicasets",
        "/apis/batch/v1/jobs",
        "/apis/batch/v1/namespaces/data/jobs?watch=true",
        "/api/v1/resourcequotas",
        "/api/v1/namespaces/ml/resourcequotas",
    ] {
        assert!(allowed_upstream("list", uri), "{uri}");
        assert!(allowed_upstream("watch", uri), "{uri}");
        assert!(!allowed_upstream("get", uri), "{uri}");
        assert!(!allowed_upstream("delete", uri), "{uri}");
    }
    for uri in [
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/namespaces/shop/replicasets/web-abc",
        "/apis/apps/v1/namespaces/shop/replicasets/web-abc/scale",
        "/apis/batch/v1/cronjobs",
        "/api/v1/namespaces/ml/resourcequotas/ml-quota",
        "/api/v1/namespaces/../resourcequotas",
    ] {
        assert!(!allowed_upstream("list", uri), "{uri}");
        assert!(!allowed_upstream("get", uri), "{uri}");
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn hostile_requests_get_4xx_and_reach_nothing_upstream() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let kubeconfig = c.kubeconfig.display().to_string();
    let offset = c.audit_offset();
    let ktop = Ktop::start(
        &["--embed-origin", EMBED],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let context = ktop.context();
    let (pod_name, _, containers) = c.running_pod("shop");
    let (pod_name, container) = (pod_name.as_str(), containers[0].as_str());

    // The allowed requests work, so the refusals below are decisions, not breakage.
    let port = ktop.port;
    let host = format!("127.0.0.1:{port}");
    let bearer = format!("Bearer {}", ktop.token);
    let good_log = format!(
        "/api/v1/contexts/{context}/namespaces/shop/pods/{pod_name}/log?container={container}&tailLines=5"
    );
    for (target, extra) in [
        (format!("/api/v1/contexts/{context}/snapshot"), None),
        (good_log.clone(), None),
        (
            format!("/api/v1/contexts/{context}/snapshot"),
            Some(("Sec-Fetch-Site", "same-origin")),
        ),
        (
            format!("/api/v1/contexts/{context}/nodes/kwok-node-0"),
            None,
        ),
        (
            format!("/api/v1/contexts/{context}/namespaces/shop/pods/{pod_name}"),
            None,
        ),
        (
            format!("/api/v1/contexts/{context}/namespaces/shop/events?kind=Pod&name={pod_name}"),
            None,
        ),
        (
            format!("/api/v1/contexts/{context}/pods?selector=app%20in%20(cart)"),
            None,
        ),
    ] {
        let mut headers = vec![
            ("Host".to_owned(), host.clone()),
            ("Authorization".to_owned(), bearer.clone()),
        ];
        if let Some((k, v)) = extra {
            headers.push((k.to_owned(), v.to_owned()));
        }
        let case = Case {
            name: "allowed".into(),
            method: "GET",
            target: target.clone(),
            headers,
            want: 200,
        };
        let mut status = 0;
        for _ in 0..30 {
            status = raw(port, &render(&case)).await.0;
            if status == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        assert_eq!(status, 200, "{target} {extra:?}");
    }
    let (_, lines) = raw(
        port,
        &render(&Case {
            name: String::new(),
            method: "GET",
            target: good_log,
            headers: vec![
                ("Host".into(), host.clone()),
                ("Authorization".into(), bearer.clone()),
            ],
            want: 200,
        }),
    )
    .await;
    assert!(
        lines.contains("msg="),
        "log lines from the cluster: {lines}"
    );

    let cases = corpus(port, &ktop.token, &context, (pod_name, container));
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (status, body) = raw(port, &render(case)).await;
        if status != case.want {
            failures.push(format!(
                "{}: {} {} → {status}, want {} ({})",
                case.name,
                case.method,
                case.target,
                case.want,
                body.chars().take(120).collect::<String>()
            ));
        }
        assert!(
            !body.contains(&ktop.token),
            "{} echoed the token",
            case.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    // Let the audit log catch up, then check everything ktop-web asked the API server.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let events = c.audit_since(offset);
    let ours = ktop_requests(&events);
    assert!(
        ours.len() >= 5,
        "ktop-web's own requests are in the audit log ({})",
        ours.len()
    );
    let outside = outside_allowlist(&events);
    assert!(
        outside.is_empty(),
        "requests outside the allowlist: {outside:#?}"
    );
    // The prometheus source (auto mode's first choice) did scrape, only through the allowed
    // paths checked above.
    let scrapes = ours
        .iter()
        .filter_map(|e| e["requestURI"].as_str())
        .filter(|u| u.contains("/proxy/"))
        .count();
    assert!(scrapes > 0, "no node-proxy scrape in the audit log");
    let logs: Vec<&str> = ours
        .iter()
        .filter_map(|e| e["requestURI"].as_str())
        .filter(|u| u.contains("/log"))
        .collect();
    assert!(
        logs.iter()
            .all(|u| u.starts_with(&format!("/api/v1/namespaces/shop/pods/{pod_name}/log?"))),
        "only the valid log read went upstream: {logs:?}"
    );
    eprintln!(
        "{} hostile cases refused; {} upstream requests, all allowlisted",
        cases.len(),
        ours.len()
    );
}

//! The test cluster behind the end-to-end tests is a real API server with
//! real aggregation, RBAC, token auth and auditing: these tests prove it, so
//! later e2e failures can be trusted to be about ktop-web.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ktop_web_shared::{format, quantity};
use support::cluster::TestCluster;

const NODE_METRICS: &str = "/apis/metrics.k8s.io/v1beta1/nodes";

#[derive(Debug, PartialEq, Eq, Clone)]
struct NodeSample {
    timestamp: String,
    /// kubectl's rounding: ceil(nanocores / 1e6) millicores.
    cpu_milli: u128,
    /// kubectl's rounding: floor(bytes / 2^20) Mi.
    mem_mi: u128,
}

fn node_samples(list: &serde_json::Value) -> BTreeMap<String, NodeSample> {
    let items = list["items"].as_array().expect("NodeMetricsList.items");
    items
        .iter()
        .map(|item| {
            let name = item["metadata"]["name"].as_str().expect("name").to_owned();
            let cpu = item["usage"]["cpu"].as_str().expect("usage.cpu");
            let mem = item["usage"]["memory"].as_str().expect("usage.memory");
            let nanocores = quantity::cpu_nanos(cpu).expect("valid CPU quantity");
            let bytes = quantity::units(mem).expect("valid memory quantity");
            let sample = NodeSample {
                timestamp: item["timestamp"].as_str().expect("timestamp").to_owned(),
                cpu_milli: u128::from(format::cpu_millis(nanocores)),
                mem_mi: u128::from(format::mem_mebibytes(bytes)),
            };
            (name, sample)
        })
        .collect()
}

/// `kubectl top nodes --no-headers`: name -> (millicores, Mi).
fn top_nodes(cluster: &TestCluster) -> BTreeMap<String, (u128, u128)> {
    let out = cluster.kubectl_ok(&["top", "nodes", "--no-headers"]);
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert!(
                cols.len() >= 4,
                "unexpected `kubectl top nodes` line: {l:?}"
            );
            let cpu = cols[1]
                .strip_suffix('m')
                .unwrap_or_else(|| panic!("CPU column not in millicores: {l:?}"));
            let mem = cols[3]
                .strip_suffix("Mi")
                .unwrap_or_else(|| panic!("memory column not in Mi: {l:?}"));
            (
                cols[0].to_owned(),
                (cpu.parse().expect("cpu"), mem.parse().expect("memory")),
            )
        })
        .collect()
}

fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{tag}-{}-{nanos}", std::process::id())
}

fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Puts the cluster back the way it was even if an assertion fails midway.
struct Restore(&'static [&'static str]);

impl Drop for Restore {
    fn drop(&mut self) {
        let out =
            std::process::Command::new(support::cluster::repo_root().join("scripts/test-cluster"))
                .args(self.0)
                .output();
        if let Ok(out) = out
            && !out.status.success()
        {
            eprintln!(
                "restoring with `{}` failed: {}",
                self.0.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn kubectl_top_matches_the_metrics_api() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();

    // Sample raw, top, raw; when both raw samples carry the same timestamps,
    // kubectl saw that same sample too.
    let (raw, top) = wait_until("a stable metrics sample", Duration::from_secs(90), || {
        let before = node_samples(&cluster.get_raw(NODE_METRICS).ok()?);
        let top = top_nodes(cluster);
        let after = node_samples(&cluster.get_raw(NODE_METRICS).ok()?);
        (before == after && !before.is_empty()).then_some((before, top))
    });

    let nodes = cluster.kubectl_ok(&["get", "nodes", "-o", "name"]);
    assert_eq!(
        raw.len(),
        nodes.lines().count(),
        "every node has metrics: {raw:?} vs {nodes}"
    );
    assert_eq!(
        raw.keys().collect::<Vec<_>>(),
        top.keys().collect::<Vec<_>>(),
        "same nodes"
    );
    for (name, sample) in &raw {
        let (cpu, mem) = top[name];
        assert_eq!(
            (cpu, mem),
            (sample.cpu_milli, sample.mem_mi),
            "kubectl top vs metrics API for {name} at {}",
            sample.timestamp
        );
        assert!(sample.cpu_milli > 0, "{name} has CPU usage");
        assert!(sample.mem_mi > 100, "{name} has memory usage");
    }

    // Simulated usage moves: a later sample differs somewhere.
    let first_ts: Vec<String> = raw.values().map(|s| s.timestamp.clone()).collect();
    let later = wait_until("a newer metrics sample", Duration::from_secs(60), || {
        let s = node_samples(&cluster.get_raw(NODE_METRICS).ok()?);
        let ts: Vec<String> = s.values().map(|s| s.timestamp.clone()).collect();
        (ts != first_ts).then_some(s)
    });
    assert!(
        raw.iter().any(|(n, s)| later
            .get(n)
            .is_some_and(|l| (l.cpu_milli, l.mem_mi) != (s.cpu_milli, s.mem_mi))),
        "usage changed between samples: {raw:?} then {later:?}"
    );

    // Pods have metrics too, across several namespaces.
    let pods = cluster.kubectl_ok(&["top", "pods", "-A", "--no-headers"]);
    let namespaces: std::collections::BTreeSet<&str> = pods
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for ns in ["shop", "data", "monitoring", "kube-system"] {
        assert!(namespaces.contains(ns), "pod metrics in {ns}: {pods}");
    }
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn restricted_user_can_read_metrics_only() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();
    let kubeconfig = PathBuf::from(cluster.script(&["kubeconfig", "restricted"]).trim());

    let nodes = cluster.kubectl_as(&kubeconfig, &["get", "--raw", "/api/v1/nodes"]);
    assert!(!nodes.status.success(), "restricted user listed nodes");
    let err = String::from_utf8_lossy(&nodes.stderr);
    assert!(err.contains("(Forbidden)"), "403 for nodes, got: {err}");

    let pods = cluster.kubectl_as(&kubeconfig, &["get", "pods", "-A"]);
    let err = String::from_utf8_lossy(&pods.stderr);
    assert!(
        !pods.status.success() && err.contains("(Forbidden)"),
        "403 for pods, got: {err}"
    );

    let metrics = cluster.kubectl_as(&kubeconfig, &["get", "--raw", NODE_METRICS]);
    assert!(
        metrics.status.success(),
        "restricted user lists node metrics: {}",
        String::from_utf8_lossy(&metrics.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&metrics.stdout).expect("json");
    assert!(!node_samples(&list).is_empty(), "node metrics are listed");

    let pod_metrics = cluster.kubectl_as(
        &kubeconfig,
        &["get", "--raw", "/apis/metrics.k8s.io/v1beta1/pods"],
    );
    assert!(
        pod_metrics.status.success(),
        "restricted user lists pod metrics"
    );
}

/// Breaks the metrics API with one scenario verb, expects `error` from it within 30 s, then
/// restores it and expects metrics back.
fn outage_then_recovery(
    cluster: &TestCluster,
    break_with: &'static [&'static str],
    restore_with: &'static [&'static str],
    error: &str,
) -> String {
    assert!(
        cluster.get_raw(NODE_METRICS).is_ok(),
        "metrics available before"
    );
    cluster.script(break_with);
    let _restore = Restore(restore_with);
    let err = wait_until(error, Duration::from_secs(30), || {
        cluster.get_raw(NODE_METRICS).err()
    });
    assert!(err.contains(error), "expected {error}, got: {err}");
    let discovery = cluster.get_raw("/apis").expect("discovery").to_string();
    cluster.script(restore_with);
    let list = wait_until("metrics to come back", Duration::from_secs(60), || {
        cluster.get_raw(NODE_METRICS).ok()
    });
    assert!(!node_samples(&list).is_empty());
    discovery
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn metrics_server_outage_gives_503_then_recovers() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();
    outage_then_recovery(
        cluster,
        &["metrics-server", "stop"],
        &["metrics-server", "start"],
        "(ServiceUnavailable)",
    );
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn deleted_apiservice_gives_404_then_recovers() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();
    let discovery = outage_then_recovery(
        cluster,
        &["apiservice", "delete"],
        &["apiservice", "restore"],
        "(NotFound)",
    );
    assert!(
        !discovery.contains("metrics.k8s.io"),
        "metrics.k8s.io left discovery"
    );
}

fn invocations(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn exec_plugin_tokens_expire_and_are_refreshed() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();

    // kubectl through the default (60 s) exec kubeconfig: the webhook maps
    // the token to its own user.
    let kubeconfig = PathBuf::from(cluster.script(&["kubeconfig", "exec"]).trim());
    let dir = kubeconfig.parent().expect("exec dir").to_path_buf();
    let log = dir.join("invocations.log");
    let plugin = dir.join("ktop-exec-credential");
    let before = invocations(&log);
    let whoami = cluster.kubectl_as(
        &kubeconfig,
        &[
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ],
    );
    assert!(
        whoami.status.success(),
        "{}",
        String::from_utf8_lossy(&whoami.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&whoami.stdout), "ktop-exec-user");
    assert!(invocations(&log) > before, "kubectl ran the plugin");

    // Expiry is enforced by the server: a 3 s token works, then stops. The
    // API server caches successful token reviews for 10 s (a fixed
    // kube-apiserver setting), so "stops" is checked 12 s after its last use.
    let out = std::process::Command::new(&plugin)
        .env("KTOP_EXEC_TTL", "3")
        .output()
        .expect("run plugin");
    assert!(out.status.success());
    let cred: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ExecCredential JSON");
    assert_eq!(cred["apiVersion"], "client.authentication.k8s.io/v1");
    assert!(cred["status"]["expirationTimestamp"].is_string());
    let token = cred["status"]["token"].as_str().expect("token").to_owned();
    let server = cluster.kubectl_ok(&[
        "config",
        "view",
        "--minify",
        "-o",
        "jsonpath={.clusters[0].cluster.server}",
    ]);
    let with_token = |args: &[&str]| {
        let mut full = vec![
            "--kubeconfig",
            "/dev/null",
            "--server",
            server.as_str(),
            "--insecure-skip-tls-verify",
            "--token",
            token.as_str(),
        ];
        full.extend(args);
        cluster.kubectl(&full)
    };
    let ok = with_token(&["get", "namespaces"]);
    assert!(
        ok.status.success(),
        "fresh token accepted: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    std::thread::sleep(Duration::from_secs(12));
    let expired = with_token(&["get", "namespaces"]);
    assert!(!expired.status.success(), "expired token must be rejected");
    let err = String::from_utf8_lossy(&expired.stderr);
    assert!(
        err.contains("Unauthorized"),
        "401 for an expired token, got: {err}"
    );

    // A long-lived kube-rs client re-runs the plugin once its token expires
    // and keeps working.
    let short = PathBuf::from(
        cluster
            .script(&["kubeconfig", "exec", "--ttl", "15"])
            .trim(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use k8s_openapi::api::core::v1::Namespace;
        use kube::api::{Api, ListParams};
        let kc = kube::config::Kubeconfig::read_from(&short).expect("read kubeconfig");
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        let api: Api<Namespace> = Api::all(client);
        let first = invocations(&log);
        let list = api
            .list(&ListParams::default())
            .await
            .expect("first request");
        assert!(
            list.items
                .iter()
                .any(|n| n.metadata.name.as_deref() == Some("kube-system"))
        );
        let after_first = invocations(&log);
        assert!(after_first > first, "kube-rs ran the plugin");

        tokio::time::sleep(Duration::from_secs(17)).await;
        let list = api
            .list(&ListParams::default())
            .await
            .expect("request after the token expired");
        assert!(!list.items.is_empty());
        assert!(
            invocations(&log) > after_first,
            "token was refreshed after expiry"
        );
    });
}

#[test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
fn audit_log_records_our_requests() {
    let cluster = TestCluster::shared();
    let _guard = cluster.exclusive();
    let marker = unique("ktop-audit-probe");
    let selector = format!("ktop-audit-probe={marker}");
    cluster.kubectl_ok(&["get", "pods", "-A", "-l", &selector]);

    let event = wait_until(
        "the request in the audit log",
        Duration::from_secs(15),
        || {
            let text = std::fs::read_to_string(&cluster.audit_log).ok()?;
            text.lines()
                .filter(|l| l.contains(&marker))
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .find(|e| e["stage"] == "ResponseComplete")
        },
    );
    assert_eq!(event["verb"], "list");
    assert_eq!(event["level"], "Metadata");
    assert_eq!(event["objectRef"]["resource"], "pods");
    assert_eq!(event["user"]["username"], "kubernetes-admin");
    assert_eq!(event["responseStatus"]["code"], 200);
    assert!(
        event["requestURI"]
            .as_str()
            .is_some_and(|u| u.contains(&marker)),
        "requestURI carries the selector: {event}"
    );
}

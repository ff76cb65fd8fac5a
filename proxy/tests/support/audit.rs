//! Reading the API server's audit log: which requests ktop-web made, whether each is on the
//! read-only allowlist, and which of its watches are open.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// ktop-web's own requests among `events` (by its user agent).
pub fn ktop_requests(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|ua| ua.starts_with("ktop-web/"))
        })
        .collect()
}

/// A completed read of `metrics.k8s.io` nodes (one per metrics-server sample).
pub fn is_metrics_nodes_read(e: &Value) -> bool {
    let uri = e["requestURI"].as_str().unwrap_or_default();
    e["stage"] == "ResponseComplete"
        && uri.starts_with("/apis/metrics.k8s.io/")
        && uri
            .split('?')
            .next()
            .unwrap_or_default()
            .ends_with("/nodes")
}

/// `verb requestURI` of each of ktop-web's requests that the allowlist does not admit, or
/// that impersonates anyone.
pub fn outside_allowlist(events: &[Value]) -> Vec<String> {
    ktop_requests(events)
        .into_iter()
        .filter(|e| {
            !allowed_upstream(
                e["verb"].as_str().unwrap_or_default(),
                e["requestURI"].as_str().unwrap_or_default(),
            ) || !e["impersonatedUser"].is_null()
        })
        .map(|e| format!("{} {}", e["verb"], e["requestURI"]))
        .collect()
}

/// The resources ktop-web watches, one watch each, when its rights allow them all.
const WATCHED: [&str; 5] = ["jobs", "nodes", "pods", "replicasets", "resourcequotas"];

/// One open watch per resource in [`WATCHED`], as [`open_watches`] counts them.
pub fn one_watch_each() -> BTreeMap<String, usize> {
    WATCHED.iter().map(|r| ((*r).to_owned(), 1)).collect()
}

/// ktop-web's watches still open at the end of `events`, by resource: started (the
/// `ResponseStarted` stage) and not completed. Only watches received at or after
/// `server_started` (the running API server's start, in the audit log's time format) count:
/// an API server that was killed never logs the end of its watches.
pub fn open_watches(events: &[Value], server_started: &str) -> BTreeMap<String, usize> {
    let watches: Vec<&Value> = ktop_requests(events)
        .into_iter()
        .filter(|e| e["verb"] == "watch")
        .collect();
    let done: BTreeSet<&str> = watches
        .iter()
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter_map(|e| e["auditID"].as_str())
        .collect();
    let mut open = BTreeMap::new();
    for e in watches {
        let received = e["requestReceivedTimestamp"].as_str().unwrap_or_default();
        let id = e["auditID"].as_str().unwrap_or_default();
        if e["stage"] == "ResponseStarted" && received >= server_started && !done.contains(id) {
            let resource = e["objectRef"]["resource"].as_str().unwrap_or("?");
            *open.entry(resource.to_owned()).or_insert(0) += 1;
        }
    }
    open
}

/// Paths ktop-web may request upstream (GET only): discovery, version, the watched and
/// listed nodes, pods, ReplicaSets, Jobs and ResourceQuotas, metrics.k8s.io nodes and pods,
/// pods/log, and a history source's query API through its service proxy.
pub fn allowed_upstream(verb: &str, uri: &str) -> bool {
    let path = uri.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let read = matches!(verb, "get" | "list" | "watch");
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !s.contains("..")
    };
    let shape = match parts.as_slice() {
        ["version"] | ["apis", "metrics.k8s.io"] => true,
        ["api", "v1", "nodes" | "pods"] => true,
        ["api", "v1", "namespaces", ns, "pods"] => name_ok(ns),
        // Workloads (ReplicaSets and Jobs, metadata only) and quotas: lists and watches.
        ["apis", "apps", "v1", "replicasets"]
        | ["apis", "batch", "v1", "jobs"]
        | ["api", "v1", "resourcequotas"] => verb != "get",
        ["apis", "apps", "v1", "namespaces", ns, "replicasets"]
        | ["apis", "batch", "v1", "namespaces", ns, "jobs"]
        | ["api", "v1", "namespaces", ns, "resourcequotas"] => verb != "get" && name_ok(ns),
        ["apis", "metrics.k8s.io", "v1" | "v1beta1", "nodes" | "pods"] => true,
        [
            "apis",
            "metrics.k8s.io",
            "v1" | "v1beta1",
            "namespaces",
            ns,
            "pods",
        ] => name_ok(ns),
        ["api", "v1", "namespaces", ns, "pods", pod, "log"] => name_ok(ns) && name_ok(pod),
        ["api", "v1", "nodes", node] => name_ok(node) && verb == "get",
        // The prometheus source: exactly the kubelet's two metrics endpoints of a node, at the
        // default path or next to its resource-metrics-path annotation (the simulated nodes').
        ["api", "v1", "nodes", node, "proxy", "metrics", rest @ ..] => {
            name_ok(node)
                && verb == "get"
                && uri == path
                && match rest {
                    ["resource" | "cadvisor"] => true,
                    ["nodes", n, "metrics", "resource" | "cadvisor"] => n == node,
                    _ => false,
                }
        }
        ["api", "v1", "namespaces", ns, "pods", pod] => {
            name_ok(ns) && name_ok(pod) && verb == "get"
        }
        // Looking for a history source: a well-known service, by name.
        ["api", "v1", "namespaces", ns, "services", name] => {
            name_ok(ns) && name_ok(name) && verb == "get"
        }
        // History: only the query API of one service, through its service proxy, under a
        // plain path prefix.
        [
            "api",
            "v1",
            "namespaces",
            ns,
            "services",
            service,
            "proxy",
            rest @ ..,
        ] => {
            let (name, port) = service.split_once(':').unwrap_or_default();
            let plain = |s: &&str| {
                !s.is_empty()
                    && *s != "."
                    && *s != ".."
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            };
            name_ok(ns)
                && name_ok(name)
                && name_ok(port)
                && verb == "get"
                && rest.iter().all(plain)
                && (rest.ends_with(&["api", "v1", "query_range"])
                    || rest.ends_with(&["api", "v1", "query"]))
        }
        ["api", "v1", "namespaces", ns, "events"] => {
            name_ok(ns) && verb == "list" && uri.contains("fieldSelector=involvedObject.kind")
        }
        _ => false,
    };
    read && shape
}

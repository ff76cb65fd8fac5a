//! Real Prometheus servers with days of history of known values, started by
//! `scripts/test-cluster prometheus up` (which needs the test cluster, and brings nothing
//! else up).
//!
//! The history is backfilled by `scripts/cluster/prometheus/cmd/ktop-history-data`: samples
//! 60 s apart from `end - 7d - 1h` to `end` inclusive ([`Prometheus::end`], now rounded down
//! to the minute less 5 minutes, so live scrapes never overlap it). With `t` a sample's time
//! in unix seconds and `h = t / 3600` its hour ([`hour`]):
//!
//! | what | series | value |
//! | --- | --- | --- |
//! | CPU | counter `container_cpu_usage_seconds_total` | [`expected_cpu`] = 0.1 × (1 + h mod 4) cores |
//! | memory | gauge `container_memory_working_set_bytes` | [`expected_memory`] = (100 + 10 × (h mod 5)) MiB |
//! | network in | counter `container_network_receive_bytes_total` | [`expected_net_rx`] = 1000 × (1 + h mod 3) B/s |
//! | network out | counter `container_network_transmit_bytes_total` | [`expected_net_tx`] = 500 × (1 + h mod 3) B/s |
//! | disk reads | counter `container_fs_reads_bytes_total` | [`expected_fs_read`] = 2000 × (1 + h mod 2) B/s |
//! | disk writes | counter `container_fs_writes_bytes_total` | [`expected_fs_write`] = 3000 × (1 + h mod 2) B/s |
//!
//! Counters start at 0 at the first sample and grow by 60 × rate from the previous sample to
//! the sample at `t`, at the rate of `t`'s hour: `rate(…[w])` at `t` is exactly the formula
//! for `t` when the whole window lies in one hour ([`steady_at`]); near an hour boundary it
//! is a mix of two hours. The memory gauge at `t` is the formula at the last sample at or
//! before `t`.
//!
//! Series, all on node [`Prometheus::node`] (the cluster's first node):
//! - new convention, pod `history/steady-new`: `namespace="history", pod="steady-new",
//!   container="app", node=NODE, id="/kubepods/steady-new/app"`; network counters on the
//!   pod sandbox: `container="POD", interface="eth0", id="/kubepods/steady-new"`;
//! - old convention, pod `history/steady-old`: `namespace="history", pod_name="steady-old",
//!   container_name="app", instance=NODE, id="/kubepods/steady-old/app"`; network with
//!   `container_name="POD", interface="eth0"`;
//! - the node's root cgroup, `id="/", node=NODE` (network also `interface="eth0"`), every
//!   value [`NODE_SCALE`] times the formula; and the same in the old convention for a node
//!   that does not exist, `id="/", instance="history-old-node"` ([`OLD_NODE`]).
//!
//! Both pods exist in the cluster (kwok runs them, steady). Server A ([`Prometheus::url`])
//! also scrapes every node's simulated kubelet (`job="kubelet-cadvisor"` and
//! `job="kubelet-resource"`, with `node` and `instance` set to the node's name) every 15 s
//! from `up` on: after `end` it holds live series too, the pods' included (kwok's cadvisor
//! has no CPU or memory; those come from the resource endpoint, without `id`). It is the
//! endpoint of the selector-less service `monitoring/prometheus-operated` (port 9090, named
//! `web`; the API server proxies only to pods, so pod `monitoring/prometheus-k8s-0` on the
//! history node carries A's address); through the API server its API is at
//! `/api/v1/namespaces/monitoring/services/prometheus-operated:9090/proxy/api/v1/…` (`:web`
//! and `http:…:9090` work too, the bare service name does not). Server B
//! ([`Prometheus::prefixed_url`]) holds the same history, scrapes nothing and serves its API
//! under `/prometheus`.

use std::sync::{Mutex, MutexGuard};

use super::cluster::{DownOnDrop, TestCluster, script_exports};
use super::ktop::http_get;

/// The scale of the root cgroup's series (`id="/"`) against the pods' formulas.
pub const NODE_SCALE: f64 = 4.0;
/// The node of the old-convention root cgroup series (not a node of the cluster).
pub const OLD_NODE: &str = "history-old-node";
/// Seconds between backfilled samples.
pub const STEP: i64 = 60;
/// How far the backfilled history reaches back from [`Prometheus::end`].
pub const SPAN: i64 = 7 * 24 * 3600 + 3600;

/// Running Prometheus servers with the backfilled history; `prometheus down` when dropped
/// (a failed test included). One at a time within a test process.
pub struct Prometheus {
    /// Server A: `http://IP:PORT` (the machine's own address, not loopback).
    pub url: String,
    /// Server B, API under a path prefix: `http://IP:PORT/prometheus`.
    pub prefixed_url: String,
    /// Server A through the API server's service proxy, as `--history-source` takes it:
    /// `service:monitoring/prometheus-operated:9090`.
    pub service: String,
    /// Unix seconds of the last backfilled sample (a multiple of 60).
    pub end: i64,
    /// The node the history's pods (and its root cgroup series) are on.
    pub node: String,
    // Dropped in this order: down before the next test may bring it up.
    _down: DownOnDrop,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl Prometheus {
    /// Brings the test cluster (if need be) and both servers up; reuses running servers.
    pub fn up() -> Prometheus {
        static LOCK: Mutex<()> = Mutex::new(());
        let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
        TestCluster::shared();
        let down = DownOnDrop(&["prometheus", "down"]);
        let exports = script_exports(&["prometheus", "up"], |_| {});
        let end = exports.get("KTOP_HISTORY_END");
        Prometheus {
            url: exports.get("KTOP_PROMETHEUS_URL"),
            prefixed_url: exports.get("KTOP_PROMETHEUS_PREFIXED_URL"),
            service: exports.get("KTOP_PROMETHEUS_SERVICE"),
            end: end
                .parse()
                .unwrap_or_else(|e| panic!("KTOP_HISTORY_END {end:?}: {e}")),
            node: exports.get("KTOP_HISTORY_NODE"),
            _down: down,
            _one_at_a_time: lock,
        }
    }

    /// Unix seconds of the first backfilled sample.
    pub fn start(&self) -> i64 {
        self.end - SPAN
    }
}

/// The hour index of unix time `t`: `floor(t / 3600)`.
pub fn hour(t: i64) -> i64 {
    t.div_euclid(3600)
}

/// `1 + h mod n` for `t`'s hour `h`, as a float.
fn cycle(t: i64, n: i64) -> f64 {
    (1 + hour(t).rem_euclid(n)) as f64
}

/// CPU of the pods' `app` containers at `t`, in cores: `0.1 * (1 + h mod 4)`.
pub fn expected_cpu(t: i64) -> f64 {
    // Divided rather than multiplied by 0.1, so 0.3 is the double nearest 0.3.
    cycle(t, 4) / 10.0
}

/// Working set of the pods' `app` containers at `t`, in bytes:
/// `(100 + 10 * (h mod 5)) * 1048576`.
pub fn expected_memory(t: i64) -> f64 {
    ((100 + 10 * hour(t).rem_euclid(5)) * 1_048_576) as f64
}

/// Network receive rate of the pods at `t`, bytes/s: `1000 * (1 + h mod 3)`.
pub fn expected_net_rx(t: i64) -> f64 {
    1000.0 * cycle(t, 3)
}

/// Network transmit rate of the pods at `t`, bytes/s: `500 * (1 + h mod 3)`.
pub fn expected_net_tx(t: i64) -> f64 {
    500.0 * cycle(t, 3)
}

/// Disk read rate of the pods' `app` containers at `t`, bytes/s: `2000 * (1 + h mod 2)`.
pub fn expected_fs_read(t: i64) -> f64 {
    2000.0 * cycle(t, 2)
}

/// Disk write rate of the pods' `app` containers at `t`, bytes/s: `3000 * (1 + h mod 2)`.
pub fn expected_fs_write(t: i64) -> f64 {
    3000.0 * cycle(t, 2)
}

/// Whether a rate over the `window` seconds ending at `t` reads exactly the formula for `t`:
/// the window lies in a single hour.
pub fn steady_at(t: i64, window: i64) -> bool {
    hour(t - window) == hour(t)
}

/// Equal up to float rounding (relative 1e-9).
pub fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0)
}

/// `promql` over `[start, end]` every `step` seconds, asked of the Prometheus-compatible API
/// at `base_url` (`…/api/v1/query_range` is appended); the first series' points as
/// (unix seconds, value). Panics with the server's answer on any error or an empty result.
pub async fn query_range(
    base_url: &str,
    promql: &str,
    start: i64,
    end: i64,
    step: i64,
) -> Vec<(i64, f64)> {
    let url = url::Url::parse_with_params(
        &format!("{}/api/v1/query_range", base_url.trim_end_matches('/')),
        [
            ("query", promql),
            ("start", &start.to_string()),
            ("end", &end.to_string()),
            ("step", &step.to_string()),
        ],
    )
    .unwrap_or_else(|e| panic!("query URL from {base_url}: {e}"));
    let (status, body) = http_get(url.as_str()).await;
    assert_eq!(status, 200, "GET {url}: {body}");
    let answer: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}"));
    assert_eq!(answer["status"], "success", "GET {url}: {body}");
    let values = answer["data"]["result"][0]["values"]
        .as_array()
        .unwrap_or_else(|| panic!("no series for {promql} in [{start}, {end}]: {body}"));
    values
        .iter()
        .map(|point| {
            let t = point[0]
                .as_f64()
                .unwrap_or_else(|| panic!("bad point {point} in {body}"));
            let v = point[1]
                .as_str()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("bad point {point} in {body}"));
            (t as i64, v)
        })
        .collect()
}

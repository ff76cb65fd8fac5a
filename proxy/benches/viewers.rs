//! Team benchmark: one ktop-web with `--auth proxy`, as a team deployment runs it, followed
//! by 1, 10 and 50 concurrent viewers, each reading frames as the page does and named by a
//! trusted proxy (a client bound to 127.0.0.2). Half the viewers may see everything, half
//! only the `shop` namespace, each under a name of their own, so every viewer's access is
//! asked and the two kinds of access each share one encoding. Prints the proxy's CPU per
//! refresh, its resident memory, and the metrics reads per snapshot built that the API
//! server's audit log shows. Run on the test cluster as `scripts/bench --viewers` scales it.
//!
//! `cargo bench -p ktop-web --bench viewers -- [--refreshes 6]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use ktop_web_shared::frame::Live;
use support::cluster::TestCluster;
use support::ktop::{Ktop, http_get_bytes_from};

const REFRESH: Duration = Duration::from_secs(5);
/// The address that plays the authenticating proxy.
const PROXY: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
/// Viewer counts measured, one after the other.
const VIEWERS: [usize; 3] = [1, 10, 50];
/// The groups viewers are in: every other viewer sees everything, the rest `shop` only.
const GROUPS: [&str; 2] = ["ktop-bench-everything", "ktop-bench-shop"];

const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ktop-bench-everything}
rules:
- apiGroups: ['']
  resources: [pods, nodes]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ktop-bench-everything}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ktop-bench-everything}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ktop-bench-everything}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ktop-bench-shop, namespace: shop}
rules:
- apiGroups: ['']
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ktop-bench-shop, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ktop-bench-shop}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: ktop-bench-shop}
";

fn refreshes() -> usize {
    let mut refreshes = 6;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--refreshes" => {
                refreshes = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("--refreshes takes a whole number"));
            }
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the file's header"),
        }
    }
    refreshes.max(2)
}

/// One viewer: their name, group and the frames they hold.
struct Viewer {
    user: String,
    group: &'static str,
    live: Live,
}

impl Viewer {
    fn new(i: usize) -> Viewer {
        Viewer {
            user: format!("ktop-bench-viewer-{i}"),
            group: GROUPS[i % GROUPS.len()],
            live: Live::default(),
        }
    }

    /// Asks for the next frame as the page does (a long poll) and applies it; true when one
    /// came.
    async fn follow(&mut self, port: u16, context: &str) -> bool {
        let after = self
            .live
            .position()
            .map_or(String::new(), |(e, s)| format!("?after={e}.{s}"));
        let url = format!("http://127.0.0.1:{port}/api/v1/contexts/{context}/frames{after}");
        let headers = [
            ("x-forwarded-user", self.user.as_str()),
            ("x-forwarded-groups", self.group),
            ("sec-fetch-site", "same-origin"),
        ];
        let (status, _, body) = http_get_bytes_from(Some(PROXY), &url, &headers).await;
        match status {
            200 => {
                if self.live.apply(&body).is_err() {
                    self.live = Live::default();
                }
                true
            }
            204 => false,
            // Still loading at scale.
            503 => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                false
            }
            other => panic!(
                "{} got {other}: {}",
                self.user,
                String::from_utf8_lossy(&body)
            ),
        }
    }

    /// Follows until `frames` more frames came.
    async fn frames(&mut self, port: u16, context: &str, frames: usize) {
        let mut got = 0;
        while got < frames {
            got += usize::from(self.follow(port, context).await);
        }
    }
}

/// What `viewers` concurrent viewers cost over `refreshes` refreshes.
struct Cost {
    cpu_ms_per_refresh: f64,
    rss_mb: f64,
    /// Reads of pod metrics for each snapshot built: a poll may find the last one due at
    /// nine tenths of the interval, so snapshots come every 4.5 to 5 s.
    metrics_reads_per_snapshot: f64,
}

async fn measure(c: &TestCluster, ktop: &Ktop, viewers: usize, refreshes: usize) -> Cost {
    let context = ktop.context();
    let mut all: Vec<Viewer> = (0..viewers).map(Viewer::new).collect();
    // Each viewer's first frame (and their access) first: a steady team, not a crowd arriving.
    futures::future::join_all(all.iter_mut().map(|v| v.frames(ktop.port, &context, 1))).await;
    let seq = |v: &Viewer| v.live.position().map_or(0, |(_, seq)| seq);
    let first_seq = seq(&all[0]);
    let (cpu, offset, started) = (ktop.cpu_ms(), c.audit_offset(), Instant::now());
    futures::future::join_all(
        all.iter_mut()
            .map(|v| v.frames(ktop.port, &context, refreshes)),
    )
    .await;
    let intervals = started.elapsed().as_secs_f64() / REFRESH.as_secs_f64();
    // Each snapshot built is one more frame for every encoding.
    let snapshots = seq(&all[0]).saturating_sub(first_seq).max(1);
    let metrics_reads = c
        .audit_since(offset)
        .iter()
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["requestURI"]
                .as_str()
                .is_some_and(|u| u.starts_with("/apis/metrics.k8s.io/v1beta1/pods"))
        })
        .count();
    Cost {
        cpu_ms_per_refresh: (ktop.cpu_ms() - cpu) / intervals,
        rss_mb: ktop.rss_mb(),
        metrics_reads_per_snapshot: metrics_reads as f64 / snapshots as f64,
    }
}

#[tokio::main]
async fn main() {
    let refreshes = refreshes();
    let c = TestCluster::shared();
    let _rbac = c.apply(RBAC);
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &[
            "--auth",
            "proxy",
            "--trusted-proxy",
            "127.0.0.2/32",
            "--refresh",
            "5s",
            "--metrics-source",
            "metrics-server",
        ],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let pods = c
        .kubectl_ok(&["get", "pods", "-A", "--no-headers"])
        .lines()
        .count();
    eprintln!("viewers bench: {pods} pods");
    let mut rows = Vec::new();
    for viewers in VIEWERS {
        eprintln!("viewers bench: {viewers} viewers");
        rows.push((viewers, measure(c, &ktop, viewers, refreshes).await));
    }

    println!("\n{pods} pods, refresh 5 s, {refreshes} refreshes per row, --auth proxy\n");
    println!(
        "| concurrent viewers | proxy CPU per refresh | share of one core | proxy RSS | metrics reads per snapshot |"
    );
    println!("| --- | --- | --- | --- | --- |");
    for (viewers, cost) in rows {
        println!(
            "| {viewers} | {:.0} ms | {:.1} % | {:.0} MB | {:.2} |",
            cost.cpu_ms_per_refresh,
            cost.cpu_ms_per_refresh / REFRESH.as_millis() as f64 * 100.0,
            cost.rss_mb,
            cost.metrics_reads_per_snapshot
        );
    }
}

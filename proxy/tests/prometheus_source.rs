//! The prometheus source on the real test cluster: kubelet `/metrics/resource` and
//! `/metrics/cadvisor` (served by kwok in the kubelet's format) read through the API server's
//! node proxy. Its CPU and memory agree with metrics-server's for the same simulated usage,
//! its network and disk rates equal the rates the simulation integrates into the counters,
//! and a user without `nodes/proxy` falls back (auto) or is refused at startup (explicit).

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ktop_web_shared::api::{FallbackReason, Io, Snapshot, SourceKind};
use ktop_web_shared::quantity;
use support::browser::Browser;
use support::cluster::{TestCluster, repo_root};
use support::ktop::{Ktop, run_to_exit};

const WAIT: Duration = Duration::from_secs(90);

/// What the simulation was told for one pod (from its `ktop.test/…` annotations).
#[derive(Debug, Default)]
struct Simulated {
    steady: bool,
    /// CPU nanocores and memory bytes per container.
    containers: BTreeMap<String, (u64, u64)>,
    /// Bytes per second summed over containers: rx, tx, read, write.
    io: [u64; 4],
    /// Stall seconds per second of the pod's cgroup, in basis points: CPU, memory, I/O.
    psi: [u64; 3],
}

const IO_KEYS: [&str; 4] = ["net-rx", "net-tx", "fs-read", "fs-write"];
const PSI_KEYS: [&str; 3] = ["psi-cpu", "psi-memory", "psi-io"];

/// A stall rate as a quantity of seconds per second ("250m") in basis points (2,500).
fn basis_points(q: &str) -> u64 {
    quantity::cpu_nanos(q).map_or(0, |nanos| nanos / 100_000)
}

/// Every running pod's simulated usage, by `namespace/name`.
fn simulated(c: &TestCluster) -> BTreeMap<String, Simulated> {
    let list: serde_json::Value = serde_json::from_str(&c.kubectl_ok(&[
        "get",
        "pods",
        "-A",
        "--field-selector=status.phase=Running",
        "-o",
        "json",
    ]))
    .expect("pod list");
    let mut out = BTreeMap::new();
    for pod in list["items"].as_array().expect("items") {
        let meta = &pod["metadata"];
        let key = format!(
            "{}/{}",
            meta["namespace"].as_str().expect("namespace"),
            meta["name"].as_str().expect("name")
        );
        let ann = meta["annotations"].as_object().cloned().unwrap_or_default();
        let get = |k: String| ann.get(&k).and_then(|v| v.as_str()).map(str::to_owned);
        let mut sim = Simulated {
            steady: ann.contains_key("ktop.test/steady"),
            ..Simulated::default()
        };
        for container in pod["spec"]["containers"].as_array().expect("containers") {
            let name = container["name"].as_str().expect("container name");
            let cpu = get(format!("ktop.test/cpu.{name}"))
                .and_then(|q| quantity::cpu_nanos(&q).ok())
                .unwrap_or(0);
            let mem = get(format!("ktop.test/memory.{name}"))
                .and_then(|q| quantity::units(&q).ok())
                .unwrap_or(0);
            sim.containers.insert(name.to_owned(), (cpu, mem));
            for (slot, k) in sim.io.iter_mut().zip(IO_KEYS) {
                *slot += get(format!("ktop.test/{k}.{name}"))
                    .and_then(|q| quantity::units(&q).ok())
                    .unwrap_or(0);
            }
            for (slot, k) in sim.psi.iter_mut().zip(PSI_KEYS) {
                *slot += get(format!("ktop.test/{k}.{name}")).map_or(0, |q| basis_points(&q));
            }
        }
        out.insert(key, sim);
    }
    out
}

/// The node-level byte rates the simulated cAdvisor's root cgroup grows at, read from the
/// kwok configuration: `(metric name, bytes per second)`.
fn simulated_node_rates() -> BTreeMap<String, f64> {
    let yaml = std::fs::read_to_string(repo_root().join("scripts/cluster/kwok/ktop.yaml"))
        .expect("kwok config");
    let mut rates = BTreeMap::new();
    let mut name = None;
    let mut node_dimension = false;
    for raw in yaml.lines() {
        let line = raw.trim();
        // Metrics are list items at two spaces; their labels' names are deeper.
        if let Some(n) = raw.strip_prefix("  - name: ") {
            name = Some(n.to_owned());
            node_dimension = false;
        } else if line == "dimension: node" {
            node_dimension = true;
        } else if let Some(rate) = line
            .strip_prefix("value: 'node.SinceSecond() * ")
            .and_then(|r| r.strip_suffix('\''))
            && node_dimension
            && let Some(n) = name.take()
        {
            rates.insert(n, rate.parse().expect("rate"));
        }
    }
    rates
}

/// Polls the snapshot until `ready` holds (a 503 while the first lists load is awaited too).
async fn snapshot_when(ktop: &Ktop, what: &str, ready: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let path = format!("api/v1/contexts/{}/snapshot", ktop.context());
    let started = Instant::now();
    loop {
        let (status, body) = ktop.get(&path).await;
        let snap = (status == 200)
            .then(|| serde_json::from_str::<Snapshot>(&body).expect("a snapshot"))
            .filter(&ready);
        if let Some(snap) = snap {
            return snap;
        }
        assert!(
            started.elapsed() < WAIT,
            "{what} within {WAIT:?}; last answer: {status} {}",
            body.chars().take(600).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `|a - b| <= tolerance * b`.
fn close(a: u64, b: u64, tolerance: f64) -> bool {
    (a as f64 - b as f64).abs() <= tolerance * b as f64
}

fn directions(io: &Io) -> [Option<u64>; 4] {
    [io.rx, io.tx, io.read, io.write]
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn prometheus_agrees_with_metrics_server_and_the_simulated_counters() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let env = [("KUBECONFIG", kubeconfig.as_str())];
    let prom = Ktop::start(
        &[
            "--metrics-source",
            "prometheus",
            "--prometheus-scrape-interval",
            "5s",
            "--refresh",
            "1s",
        ],
        &env,
    );
    let ms = Ktop::start(
        &["--metrics-source", "metrics-server", "--refresh", "1s"],
        &env,
    );
    let sim = simulated(c);
    let steady: Vec<&String> = sim
        .iter()
        .filter(|(_, s)| s.steady)
        .map(|(k, _)| k)
        .collect();
    assert!(
        steady.len() >= 3,
        "steady pods in the test cluster: {steady:?}"
    );

    let all_sampled = |s: &Snapshot| {
        let pods: BTreeMap<String, _> = s.pods.iter().map(|p| (p.key(), p)).collect();
        steady
            .iter()
            .all(|k| pods.get(*k).is_some_and(|p| p.usage().is_some()))
            && s.nodes.iter().all(|n| n.usage.is_some())
    };
    let p = snapshot_when(&prom, "prometheus usage for every steady pod", |s| {
        all_sampled(s) && s.pods.iter().any(|p| p.io.is_some())
    })
    .await;
    let m = snapshot_when(
        &ms,
        "metrics-server usage for every steady pod",
        all_sampled,
    )
    .await;

    assert_eq!(p.source.live, SourceKind::Prometheus);
    assert!(p.source.io, "prometheus measures network and disk");
    assert!(p.source.fallbacks.is_empty(), "{:?}", p.source.fallbacks);
    assert_eq!(m.source.live, SourceKind::MetricsServer);
    assert!(!m.source.io);
    assert!(
        m.pods.iter().all(|p| p.io.is_none()) && m.nodes.iter().all(|n| n.io.is_none()),
        "metrics-server has no network or disk: nothing is sent, not zero"
    );

    // CPU and memory: the same simulated usage, read two ways.
    let by_key = |s: &Snapshot| -> BTreeMap<String, ktop_web_shared::api::PodRow> {
        s.pods.iter().map(|p| (p.key(), p.clone())).collect()
    };
    let (pp, mp) = (by_key(&p), by_key(&m));
    for key in &steady {
        let (a, b) = (&pp[*key], &mp[*key]);
        for (ca, cb) in a.containers.iter().zip(&b.containers) {
            let (ua, ub) = (
                ca.usage.expect("prometheus"),
                cb.usage.expect("metrics-server"),
            );
            let (cpu, mem) = sim[*key].containers[&ca.name];
            assert_eq!(ua.mem, ub.mem, "{key}/{}: memory", ca.name);
            assert_eq!(ua.mem, mem, "{key}/{}: memory as simulated", ca.name);
            assert!(
                close(ua.cpu, ub.cpu, 0.02) && close(ub.cpu, cpu, 0.02),
                "{key}/{}: CPU prometheus {} metrics-server {} simulated {cpu}",
                ca.name,
                ua.cpu,
                ub.cpu
            );
        }
    }

    // Network and disk: the rate of every simulated counter, per pod and per node.
    let mut checked = 0;
    for (key, s) in &sim {
        let Some(io) = pp.get(key).and_then(|r| r.io) else {
            continue;
        };
        for (got, want) in directions(&io).into_iter().zip(s.io) {
            let got = got.unwrap_or_else(|| panic!("{key}: a direction is unknown: {io:?}"));
            assert!(
                close(got, want, 0.03),
                "{key}: {io:?} against simulated {:?}",
                s.io
            );
        }
        checked += usize::from(s.io.iter().any(|&b| b > 0));
    }
    assert!(checked >= 10, "pods with traffic checked: {checked}");
    let rates = simulated_node_rates();
    let node_wants = [
        "container_network_receive_bytes_total",
        "container_network_transmit_bytes_total",
        "container_fs_reads_bytes_total",
        "container_fs_writes_bytes_total",
    ]
    .map(|name| rates[name] as u64);
    for n in &p.nodes {
        let io = n.io.unwrap_or_else(|| panic!("{}: no node I/O", n.name));
        for (got, want) in directions(&io).into_iter().zip(node_wants) {
            assert!(
                got.is_some_and(|g| close(g, want, 0.03)),
                "{}: {io:?} against the root cgroup's {node_wants:?}",
                n.name
            );
        }
    }
    eprintln!(
        "{} steady pods agree; {checked} pods' and {} nodes' I/O equal the simulated rates",
        steady.len(),
        p.nodes.len()
    );

    // Pressure stalls: the share of time the simulated PSI counters grow at, per pod and per
    // node (annotated on the node), and none under metrics-server.
    assert!(p.source.psi, "the simulated cAdvisor has PSI series");
    assert!(!m.source.psi && m.pods.iter().all(|p| p.stall.is_none()));
    let stalls = |s: &ktop_web_shared::api::Stall| [s.cpu, s.memory, s.io];
    let near =
        |got: Option<u64>, want: u64| got.is_some_and(|g| g.abs_diff(want) <= 1 + want * 3 / 100);
    let mut stalled = 0;
    for key in &steady {
        let want = sim[*key].psi;
        let got = pp[*key].stall.unwrap_or_else(|| panic!("{key}: no stall"));
        assert!(
            stalls(&got).into_iter().zip(want).all(|(g, w)| near(g, w)),
            "{key}: stall {got:?} against simulated {want:?} basis points"
        );
        stalled += usize::from(want.iter().any(|&w| w > 0));
    }
    assert!(stalled >= 2, "steady pods with stalls checked: {stalled}");
    let nodes: serde_json::Value =
        serde_json::from_str(&c.kubectl_ok(&["get", "nodes", "-o", "json"])).expect("nodes");
    for n in nodes["items"].as_array().expect("items") {
        let name = n["metadata"]["name"].as_str().expect("name");
        let want = PSI_KEYS.map(|k| {
            n["metadata"]["annotations"][format!("ktop.test/{k}")]
                .as_str()
                .map_or(0, basis_points)
        });
        let row = p.nodes.iter().find(|r| r.name == name).expect("a row");
        let got = row.stall.unwrap_or_else(|| panic!("{name}: no stall"));
        assert!(
            stalls(&got).into_iter().zip(want).all(|(g, w)| near(g, w)),
            "{name}: stall {got:?} against simulated {want:?} basis points"
        );
    }

    // The page shows throughput and stalls where the live source measures them, and hides
    // them otherwise.
    let node = &p.nodes[0].name;
    let b = Browser::start().await;
    b.goto(&prom.signed("nodes")).await;
    let rx_cell = format!("#nodes-table tr.row[data-node='{node}'] td[data-col='net-rx']");
    let shown_rx: u64 = b
        .eventually("the node's Net rx cell", WAIT, || async {
            let hidden = b.attr("#nodes-table", "data-hide").await?;
            if hidden.split(' ').any(|k| k == "net-rx" || k == "net-tx") {
                return None;
            }
            b.attr(&rx_cell, "data-value").await?.parse().ok()
        })
        .await;
    assert!(
        close(shown_rx, node_wants[0], 0.03),
        "{node}: Net rx {shown_rx} B/s on the page, simulated {}",
        node_wants[0]
    );
    // And its pressure stalls, in basis points as the API has them.
    let want_stall = p.nodes[0]
        .stall
        .and_then(|s| s.cpu)
        .expect("the node's CPU stall");
    let stall_cell = format!("#nodes-table tr.row[data-node='{node}'] td[data-col='cpu-stall']");
    let shown_stall: u64 = b
        .eventually("the node's CPU stall cell", WAIT, || async {
            let hidden = b.attr("#nodes-table", "data-hide").await?;
            if hidden.split(' ').any(|k| k == "cpu-stall") {
                return None;
            }
            b.attr(&stall_cell, "data-value").await?.parse().ok()
        })
        .await;
    assert!(
        near(Some(shown_stall), want_stall),
        "{node}: CPU stall {shown_stall} bp on the page, {want_stall} in the API"
    );
    b.goto(&prom.signed(&format!("nodes/{node}"))).await;
    b.wait_for("section[data-chart='net']", WAIT).await;
    b.wait_for("section[data-chart='disk']", WAIT).await;
    b.screenshot("prometheus-node").await;

    b.goto(&ms.signed("nodes")).await;
    b.eventually(
        "throughput and stall columns hidden under metrics-server",
        WAIT,
        || async {
            let hidden = b.attr("#nodes-table", "data-hide").await?;
            let rows = b.all("#nodes-table tr.row[data-node]").await.len();
            (rows > 0
                && IO_COLUMNS
                    .iter()
                    .chain(&STALL_COLUMNS)
                    .all(|c| hidden.split(' ').any(|k| k == *c)))
            .then_some(())
        },
    )
    .await;
    b.goto(&ms.signed(&format!("nodes/{node}"))).await;
    b.wait_for("section[data-chart='cpu']", WAIT).await;
    assert!(
        b.all("section[data-chart='net'], section[data-chart='disk']")
            .await
            .is_empty(),
        "no throughput charts without a source for them"
    );
    b.close().await;
}

/// The pressure stall columns of both tables.
const STALL_COLUMNS: [&str; 3] = ["cpu-stall", "mem-stall", "io-stall"];

/// The throughput columns of both tables.
const IO_COLUMNS: [&str; 6] = [
    "net-rx",
    "net-tx",
    "disk-read",
    "disk-write",
    "net-spark",
    "disk-spark",
];

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn without_node_proxy_auto_falls_back_and_explicit_prometheus_refuses() {
    let c = TestCluster::shared();
    let kubeconfig = c.script(&["kubeconfig", "no-node-proxy"]);
    let env = [("KUBECONFIG", kubeconfig.trim())];

    let ktop = Ktop::start(&["--refresh", "1s"], &env);
    // Prometheus first says it is starting (its first scrape runs in the background), then
    // why it cannot be used.
    let snap = snapshot_when(
        &ktop,
        "metrics-server live after prometheus is refused",
        |s| {
            s.source.live == SourceKind::MetricsServer
                && s.source.fallbacks.iter().any(|f| {
                    f.source == SourceKind::Prometheus && f.reason == FallbackReason::Forbidden
                })
        },
    )
    .await;
    let fallback = snap
        .source
        .fallbacks
        .iter()
        .find(|f| f.source == SourceKind::Prometheus)
        .expect("the prometheus fallback is reported");
    assert_eq!(fallback.reason, FallbackReason::Forbidden);
    assert!(fallback.hint.contains("nodes/proxy"), "{}", fallback.hint);
    assert!(!snap.source.io);

    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    b.wait_for("#source-badge[data-live-source='metrics-server']", WAIT)
        .await;
    let shown = b
        .eventually("the fallback banner names nodes/proxy", WAIT, || async {
            b.text("#fallback .fallback-item[data-source='prometheus']")
                .await
                .filter(|t| t.contains("nodes/proxy"))
        })
        .await;
    eprintln!("banner: {shown}");
    b.close().await;
    drop(ktop);

    let out = run_to_exit(
        &["--metrics-source", "prometheus"],
        &env,
        Duration::from_secs(60),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "explicit prometheus must not start");
    assert!(
        err.contains("nodes/proxy") && err.contains("forbidden"),
        "an actionable error: {err}"
    );
}

//! `--demo`: a simulated cluster (5 nodes, about 60 pods) with plausible changing usage. It
//! fills the same object cache and answers through the same source trait as a real cluster,
//! so the browser takes exactly the same path.

use std::collections::HashMap;
use std::f64::consts::TAU;

use async_trait::async_trait;
use ktop_web_shared::api::{
    ContainerRow, CpuMem, Io, NodeRow, PodPhase, PodRow, Readiness, Resources, SampleTime,
    SourceKind, Usage,
};

use super::{MetricsSource, PodUsage, SourceError, UsageSample};
use crate::objects::{NodeEntry, ObjectCache, PodEntry};

const MI: u64 = 1 << 20;
const GI: u64 = 1 << 30;
const MILLI: u64 = 1_000_000;
/// Reported sampling window, like metrics-server's.
const WINDOW_MS: u64 = 15_000;

/// The simulated cluster: its objects and a usage model over time.
pub struct DemoCluster {
    nodes: Vec<NodeRow>,
    pods: Vec<PodRow>,
}

/// (name, cpu millicores, memory GiB, roles)
const NODES: [(&str, u64, u64, &str); 5] = [
    ("demo-control-plane", 4, 16, "control-plane"),
    ("demo-worker-1", 8, 32, "worker"),
    ("demo-worker-2", 8, 32, "worker"),
    ("demo-worker-3", 16, 64, "worker"),
    ("demo-worker-4", 16, 64, "worker"),
];

/// (namespace, workload, replicas, containers as (name, cpu request m, mem request Mi, limits?))
type Spec = (
    &'static str,
    &'static str,
    usize,
    &'static [(&'static str, u64, u64, bool)],
);
const WORKLOADS: [Spec; 13] = [
    ("kube-system", "coredns", 2, &[("coredns", 100, 70, true)]),
    (
        "kube-system",
        "metrics-server",
        1,
        &[("metrics-server", 100, 200, false)],
    ),
    ("shop", "frontend", 12, &[("web", 250, 256, true)]),
    (
        "shop",
        "cart",
        8,
        &[("app", 200, 512, true), ("envoy", 50, 64, true)],
    ),
    ("shop", "checkout", 5, &[("app", 500, 1024, true)]),
    (
        "shop",
        "payments",
        3,
        &[("app", 300, 384, false), ("envoy", 50, 64, true)],
    ),
    ("shop", "search", 6, &[("app", 0, 0, false)]),
    (
        "data",
        "postgres",
        3,
        &[("postgres", 1000, 4096, true), ("exporter", 20, 32, true)],
    ),
    ("data", "redis", 6, &[("redis", 250, 1024, true)]),
    ("data", "kafka", 3, &[("kafka", 1500, 6144, true)]),
    (
        "monitoring",
        "prometheus",
        1,
        &[
            ("prometheus", 1000, 8192, true),
            ("config-reloader", 10, 32, true),
        ],
    ),
    ("monitoring", "grafana", 1, &[("grafana", 100, 256, false)]),
    (
        "monitoring",
        "node-exporter",
        5,
        &[("node-exporter", 50, 64, true)],
    ),
];

impl DemoCluster {
    /// Builds the simulated objects, created `now_s` minus a few days ago.
    pub fn new(now_s: i64) -> Self {
        let nodes: Vec<NodeRow> = NODES
            .iter()
            .enumerate()
            .map(|(i, &(name, cores, gib, role))| {
                let capacity = CpuMem {
                    cpu: cores * 1000 * MILLI,
                    mem: gib * GI,
                };
                NodeRow {
                    name: name.into(),
                    roles: vec![role.into()],
                    ready: Readiness::Ready,
                    unschedulable: false,
                    conditions: vec![],
                    kubelet_version: "v1.35.4".into(),
                    created_s: now_s - 86_400 * (30 - i as i64),
                    capacity,
                    allocatable: CpuMem {
                        cpu: capacity.cpu - 100 * MILLI,
                        mem: capacity.mem - GI / 2,
                    },
                    pod_capacity: 110,
                    pods: 0,
                    requests: CpuMem::default(),
                    limits: CpuMem::default(),
                    usage: None,
                    io: None,
                }
            })
            .collect();
        let mut pods = Vec::new();
        for (w, &(ns, workload, replicas, containers)) in WORKLOADS.iter().enumerate() {
            for r in 0..replicas {
                let node = if workload == "node-exporter" {
                    NODES[r % NODES.len()].0
                } else {
                    NODES[1 + (w + r) % (NODES.len() - 1)].0
                };
                let name = if matches!(workload, "postgres" | "kafka" | "prometheus") {
                    format!("{workload}-{r}")
                } else {
                    format!(
                        "{workload}-{:05x}",
                        hash(&format!("{workload}{r}")) & 0xfffff
                    )
                };
                let containers: Vec<ContainerRow> = containers
                    .iter()
                    .map(|&(c, cpu_m, mem_mi, limited)| {
                        let requests = Resources {
                            cpu: (cpu_m > 0).then_some(cpu_m * MILLI),
                            mem: (mem_mi > 0).then_some(mem_mi * MI),
                        };
                        let limits = if limited {
                            Resources {
                                cpu: Some(cpu_m * 2 * MILLI),
                                mem: Some(mem_mi * 2 * MI),
                            }
                        } else {
                            Resources::default()
                        };
                        ContainerRow {
                            name: c.into(),
                            requests,
                            limits,
                            usage: None,
                        }
                    })
                    .collect();
                let requests = containers.iter().map(|c| c.requests).sum();
                let limits = if containers.iter().all(|c| c.limits.cpu.is_some()) {
                    containers.iter().map(|c| c.limits).sum()
                } else {
                    Resources::default()
                };
                pods.push(PodRow {
                    ns: ns.into(),
                    name,
                    node: Some(node.into()),
                    phase: PodPhase::Running,
                    reason: None,
                    restarts: 0,
                    created_s: now_s - 3600 * (1 + (hash(workload) % 200) as i64),
                    containers,
                    requests,
                    limits,
                    sample: None,
                    io: None,
                });
            }
        }
        // A crash-looping pod and one that cannot be scheduled, as real clusters have.
        if let Some(p) = pods.iter_mut().find(|p| p.name.starts_with("payments-")) {
            p.reason = Some("CrashLoopBackOff".into());
            p.restarts = 17;
        }
        pods.push(PodRow {
            ns: "data".into(),
            name: "report-28834120-x7k2p".into(),
            node: None,
            phase: PodPhase::Pending,
            reason: Some("Unschedulable".into()),
            restarts: 0,
            created_s: now_s - 240,
            containers: vec![ContainerRow {
                name: "report".into(),
                requests: Resources {
                    cpu: Some(32_000 * MILLI),
                    mem: Some(128 * GI),
                },
                limits: Resources::default(),
                usage: None,
            }],
            requests: Resources {
                cpu: Some(32_000 * MILLI),
                mem: Some(128 * GI),
            },
            limits: Resources::default(),
            sample: None,
            io: None,
        });
        Self { nodes, pods }
    }

    /// The simulated nodes and pods as a filled object cache. Each pod has an `app` label
    /// (its name without the last part, as a workload's pods have), so label selectors work
    /// in the demo too.
    pub fn object_cache(&self) -> ObjectCache {
        let pods = self
            .pods
            .iter()
            .map(|row| {
                let app = row.name.rsplit_once('-').map_or(&*row.name, |(app, _)| app);
                PodEntry {
                    labels: [("app".to_owned(), app.to_owned())].into(),
                    row: row.clone(),
                }
            })
            .collect();
        let nodes = self.nodes.iter().cloned().map(NodeEntry::from).collect();
        ObjectCache::with_rows(nodes, pods)
    }

    /// The node a pod (`namespace/name`) runs on.
    pub fn node_of(&self, pod: &str) -> Option<&str> {
        self.pods
            .iter()
            .find(|p| p.key() == pod)
            .and_then(|p| p.node.as_deref())
    }

    /// Usage of every running container at `t_ms`, and of nodes as their pods' sum plus
    /// system overhead.
    pub fn usage_at(&self, t_ms: i64) -> UsageSample {
        let t = t_ms as f64 / 1000.0;
        let sample = SampleTime {
            ts_ms: t_ms,
            window_ms: WINDOW_MS,
        };
        let mut node_totals: HashMap<&str, CpuMem> = HashMap::new();
        let mut node_io: HashMap<String, Io> = HashMap::new();
        let mut pods = HashMap::new();
        for pod in self.pods.iter().filter(|p| p.phase == PodPhase::Running) {
            let containers: HashMap<String, CpuMem> = pod
                .containers
                .iter()
                .map(|c| {
                    let seed = hash(&format!("{}/{}/{}", pod.ns, pod.name, c.name));
                    let usage = model(c, seed, t);
                    (c.name.clone(), usage)
                })
                .collect();
            let io = io_model(hash(&pod.key()), t);
            if let Some(node) = &pod.node {
                let total = node_totals.entry(node.as_str()).or_default();
                *total = containers.values().fold(*total, |a, b| a + *b);
                let total = node_io.entry(node.clone()).or_default();
                *total = *total + io;
            }
            pods.insert(
                pod.key(),
                PodUsage {
                    sample,
                    containers,
                    io: Some(io),
                },
            );
        }
        let nodes = self
            .nodes
            .iter()
            .map(|n| {
                let system = CpuMem {
                    cpu: 150 * MILLI,
                    mem: 900 * MI,
                };
                let pods = node_totals
                    .get(n.name.as_str())
                    .copied()
                    .unwrap_or_default();
                let value = system + pods;
                (
                    n.name.clone(),
                    Usage {
                        value,
                        ts_ms: t_ms,
                        window_ms: WINDOW_MS,
                    },
                )
            })
            .collect();
        UsageSample {
            nodes,
            pods,
            node_io,
            io: true,
            measured_at_ms: t_ms,
        }
    }
}

/// A pod's network and disk throughput: a base rate of its own, in a wave, in bursts.
fn io_model(seed: u64, t: f64) -> Io {
    let base = 2_000.0 + (seed % 400) as f64 * 500.0;
    let wave = 1.0 + 0.6 * (TAU * t / (90.0 + (seed % 120) as f64)).sin();
    let burst = if hash(&format!("{seed}:{}", (t / 10.0) as i64)).is_multiple_of(7) {
        4.0
    } else {
        1.0
    };
    let rate = |share: f64| Some((base * share * wave * burst) as u64);
    Io {
        rx: rate(1.0),
        tx: rate(0.4),
        read: rate(0.2),
        write: rate(0.7),
    }
}

/// A container's usage: a slow wave around a base share of its request, plus jitter that
/// changes every few seconds.
fn model(c: &ContainerRow, seed: u64, t: f64) -> CpuMem {
    let base_cpu = c.requests.cpu.unwrap_or(100 * MILLI) as f64;
    let base_mem = c.requests.mem.unwrap_or(128 * MI) as f64;
    let share = 0.3 + (seed % 60) as f64 / 100.0;
    let period = 60.0 + (seed % 240) as f64;
    let phase = (seed % 1000) as f64 / 1000.0 * TAU;
    let wave = (TAU * t / period + phase).sin();
    let jitter = (hash(&format!("{seed}:{}", (t / 5.0) as i64)) % 1000) as f64 / 1000.0 - 0.5;
    let cpu = base_cpu * share * (1.0 + 0.45 * wave + 0.25 * jitter);
    let mem =
        base_mem * (0.55 + share / 2.0) * (1.0 + 0.05 * (TAU * t / (period * 4.0) + phase).sin());
    CpuMem {
        cpu: cpu.max(1.0) as u64,
        mem: mem.max(1.0) as u64,
    }
}

/// FNV-1a: stable across runs, so the demo looks the same every time.
fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[async_trait]
impl MetricsSource for DemoCluster {
    fn kind(&self) -> SourceKind {
        SourceKind::Demo
    }

    async fn sample(&self) -> Result<UsageSample, SourceError> {
        Ok(self.usage_at(crate::clock::unix_ms()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_sixty_pods_on_five_nodes_in_several_namespaces() {
        let demo = DemoCluster::new(1_800_000_000);
        let (nodes, pods) = (&demo.nodes, &demo.pods);
        assert_eq!(nodes.len(), 5);
        assert!((50..=70).contains(&pods.len()), "{} pods", pods.len());
        let namespaces: std::collections::BTreeSet<_> =
            pods.iter().map(|p| p.ns.as_str()).collect();
        assert!(namespaces.len() >= 3);
        assert!(
            pods.iter()
                .any(|p| p.phase == PodPhase::Pending && p.node.is_none())
        );
        assert!(pods.iter().any(|p| p.restarts > 0));
        let keys: std::collections::HashSet<_> = pods.iter().map(PodRow::key).collect();
        assert_eq!(keys.len(), pods.len(), "pod names are unique");
    }

    #[test]
    fn usage_changes_over_time_and_adds_up() {
        let demo = DemoCluster::new(1_800_000_000);
        let a = demo.usage_at(1_800_000_000_000);
        let b = demo.usage_at(1_800_000_030_000);
        assert_ne!(
            a.nodes["demo-worker-1"].value,
            b.nodes["demo-worker-1"].value
        );
        let pods = &demo.pods;
        let on_node: CpuMem = pods
            .iter()
            .filter(|p| p.node.as_deref() == Some("demo-worker-1"))
            .filter_map(|p| a.pods.get(&p.key()))
            .flat_map(|u| u.containers.values().copied())
            .sum();
        let node = a.nodes["demo-worker-1"].value;
        assert_eq!(
            node.cpu - on_node.cpu,
            150 * MILLI,
            "node = pods + system overhead"
        );
        assert!(
            !a.pods.contains_key("data/report-28834120-x7k2p"),
            "pending pods have no usage"
        );
    }
}

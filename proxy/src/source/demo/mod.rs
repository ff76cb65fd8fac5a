//! `--demo`: a simulated cluster (5 nodes, about 60 pods) with plausible changing usage. It
//! fills the same object cache and answers through the same source trait as a real cluster,
//! and its objects, events and logs are read through the same reducers as a real API
//! server's, so the browser takes exactly the same path.

mod details;
mod events;
mod logs;
mod model;
mod quotas;

use std::collections::{BTreeMap, HashMap};
use std::f64::consts::TAU;

use async_trait::async_trait;
use k8s_openapi::api::core::v1::Node;
use ktop_web_shared::api::{
    ContainerRow, CpuMem, Io, NodeRow, PodPhase, PodRow, SampleTime, SourceKind, Stall, Usage,
};

pub use details::Refusal;
use model::DemoPod;

use super::{MetricsSource, PodUsage, SourceError, UsageSample};
use crate::objects::{NodeEntry, ObjectCache, OwnerEntry, PodEntry, node_row, pod_row};

const MI: u64 = 1 << 20;
const MILLI: u64 = 1_000_000;
/// Reported sampling window, like metrics-server's.
const WINDOW_MS: u64 = 15_000;

/// The simulated cluster: its objects and a usage model over time.
pub struct DemoCluster {
    /// The Node objects.
    nodes: Vec<Node>,
    /// The Pod objects and their owners.
    pods: Vec<DemoPod>,
    /// The nodes' rows, as the real watches reduce them.
    node_rows: Vec<NodeRow>,
    /// The pods' rows, likewise.
    pod_rows: Vec<PodRow>,
}

impl DemoCluster {
    /// Builds the simulated objects, created `now_s` minus a few days ago.
    pub fn new(now_s: i64) -> Self {
        let nodes = model::nodes(now_s);
        let (pods, pod_rows) = model::pods(now_s)
            .into_iter()
            .filter_map(|p| pod_row(&p.object).map(|row| (p, row)))
            .unzip();
        Self {
            node_rows: nodes.iter().filter_map(node_row).collect(),
            nodes,
            pods,
            pod_rows,
        }
    }

    /// The simulated nodes and pods as a filled object cache, with each pod's labels (`app`
    /// names its workload), so label selectors work in the demo too, and the ReplicaSets and
    /// Jobs that lead its pods to their Deployments and CronJob.
    pub fn object_cache(&self) -> ObjectCache {
        let pods = self
            .pods
            .iter()
            .zip(&self.pod_rows)
            .map(|(pod, row)| PodEntry {
                labels: pod.object.metadata.labels.clone().unwrap_or_default(),
                row: row.clone(),
            })
            .collect();
        let nodes = self
            .node_rows
            .iter()
            .cloned()
            .map(NodeEntry::from)
            .collect();
        let cache = ObjectCache::with_rows(nodes, pods);
        cache.replace_owners_and_quotas(
            self.owners("ReplicaSet"),
            self.owners("Job"),
            quotas::quotas(&self.pod_rows),
        );
        cache
    }

    /// The `kind` objects (ReplicaSet or Job) that own pods, by `namespace/name`, each with
    /// the workload above it and, for a ReplicaSet, the replicas its Deployment wants.
    fn owners(&self, kind: &str) -> Vec<(String, OwnerEntry)> {
        let mut owners: BTreeMap<String, OwnerEntry> = BTreeMap::new();
        for pod in &self.pods {
            let (Some(controller), Some(workload)) = (&pod.controller, &pod.workload) else {
                continue;
            };
            if controller.kind != kind {
                continue;
            }
            let ns = pod.object.metadata.namespace.as_deref().unwrap_or_default();
            let entry = owners
                .entry(format!("{ns}/{}", controller.name))
                .or_insert_with(|| OwnerEntry {
                    controller: Some((workload.kind.clone(), workload.name.clone())),
                    desired: (kind == "ReplicaSet").then_some(0),
                });
            if let Some(desired) = entry.desired.as_mut() {
                *desired += 1;
            }
        }
        owners.into_iter().collect()
    }

    /// The node a pod (`namespace/name`) runs on.
    pub fn node_of(&self, pod: &str) -> Option<&str> {
        self.pod_rows
            .iter()
            .find(|p| p.key() == pod)
            .and_then(|p| p.node.as_deref())
    }

    /// The first pod whose name starts with `prefix`: (namespace, name). For tests.
    #[cfg(test)]
    pub fn pod_named(&self, prefix: &str) -> (String, String) {
        self.pods
            .iter()
            .map(|p| &p.object.metadata)
            .find(|m| m.name.as_deref().is_some_and(|n| n.starts_with(prefix)))
            .and_then(|m| Some((m.namespace.clone()?, m.name.clone()?)))
            .unwrap_or_else(|| panic!("no demo pod named {prefix}…"))
    }

    /// Usage of every running container at `t_ms`, and of nodes as their pods' sum plus
    /// system overhead.
    pub fn usage_at(&self, t_ms: i64) -> UsageSample {
        let t = t_ms as f64 / 1000.0;
        let sample = SampleTime {
            ts_ms: t_ms,
            window_ms: WINDOW_MS,
        };
        let under_pressure: Vec<String> = self
            .node_rows
            .iter()
            .filter(|n| n.conditions.iter().any(|c| c.kind == "MemoryPressure"))
            .map(|n| n.name.clone())
            .collect();
        let mut node_totals: HashMap<&str, CpuMem> = HashMap::new();
        let mut node_io: HashMap<String, Io> = HashMap::new();
        let mut pods = HashMap::new();
        for pod in self
            .pod_rows
            .iter()
            .filter(|p| p.phase == PodPhase::Running)
        {
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
            let pressed = pod
                .node
                .as_ref()
                .is_some_and(|n| under_pressure.contains(n));
            let stall = stall_model(hash(&pod.key()), t, pressed);
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
                    stall: Some(stall),
                },
            );
        }
        let node_stall = self
            .node_rows
            .iter()
            .map(|n| {
                let stall = stall_model(hash(&n.name), t, under_pressure.contains(&n.name));
                (n.name.clone(), stall)
            })
            .collect();
        let nodes = self
            .node_rows
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
            node_stall,
            psi: true,
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

/// A pod's or node's pressure stalls, in basis points: a little CPU waiting everywhere, and
/// memory stalls on the node under memory pressure.
fn stall_model(seed: u64, t: f64, memory_pressure: bool) -> Stall {
    let wave = 1.0 + 0.5 * (TAU * t / (120.0 + (seed % 180) as f64)).sin();
    let cpu = (20.0 + (seed % 300) as f64) * wave;
    let memory = if memory_pressure {
        1_500.0 * wave
    } else {
        (seed % 20) as f64
    };
    Stall {
        cpu: Some(cpu as u64),
        memory: Some(memory as u64),
        io: Some((seed / 7) % 120),
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
        let (nodes, pods) = (&demo.node_rows, &demo.pod_rows);
        assert_eq!(nodes.len(), 5);
        assert_eq!(demo.pods.len(), pods.len(), "every pod has a row");
        assert!((50..=70).contains(&pods.len()), "{} pods", pods.len());
        let namespaces: std::collections::BTreeSet<_> =
            pods.iter().map(|p| p.ns.as_str()).collect();
        assert!(namespaces.len() >= 3);
        assert!(
            pods.iter()
                .any(|p| p.phase == PodPhase::Pending && p.node.is_none())
        );
        let crashing: Vec<&PodRow> = pods.iter().filter(|p| p.restarts > 0).collect();
        assert_eq!(crashing.len(), 1);
        assert_eq!(crashing[0].reason.as_deref(), Some("CrashLoopBackOff"));
        let keys: std::collections::HashSet<_> = pods.iter().map(PodRow::key).collect();
        assert_eq!(keys.len(), pods.len(), "pod names are unique");
        let pressed: Vec<&str> = nodes
            .iter()
            .filter(|n| {
                n.conditions
                    .iter()
                    .any(|c| c.kind == "MemoryPressure" && c.status == "True")
            })
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(pressed, ["demo-worker-2"]);
    }

    #[test]
    fn pods_have_realistic_owners() {
        let demo = DemoCluster::new(1_800_000_000);
        let owned_by = |kind: &str, name: &str| -> Vec<&DemoPod> {
            demo.pods
                .iter()
                .filter(|p| {
                    p.workload
                        .as_ref()
                        .is_some_and(|o| o.kind == kind && o.name == name)
                })
                .collect()
        };
        let cart = owned_by("Deployment", "cart");
        assert_eq!(cart.len(), 8);
        for pod in &cart {
            let rs = pod
                .controller
                .as_ref()
                .filter(|o| o.kind == "ReplicaSet")
                .map(|o| o.name.as_str())
                .expect("a ReplicaSet");
            let name = pod.object.metadata.name.as_deref().unwrap_or_default();
            let suffix = name
                .strip_prefix(&format!("{rs}-"))
                .expect("named after its ReplicaSet");
            assert_eq!(suffix.len(), 5, "{name}");
            assert!(
                rs.starts_with("cart-") && rs.len() == "cart-".len() + 10,
                "{rs}"
            );
        }
        let postgres: Vec<&str> = owned_by("StatefulSet", "postgres")
            .iter()
            .filter_map(|p| p.object.metadata.name.as_deref())
            .collect();
        assert_eq!(postgres, ["postgres-0", "postgres-1", "postgres-2"]);
        assert_eq!(owned_by("StatefulSet", "kafka").len(), 3);
        let exporters = owned_by("DaemonSet", "node-exporter");
        let on: std::collections::BTreeSet<_> = exporters
            .iter()
            .filter_map(|p| p.object.spec.as_ref()?.node_name.as_deref())
            .collect();
        assert_eq!(on.len(), demo.node_rows.len(), "one on every node");
        let report = owned_by("CronJob", "report");
        assert_eq!(report.len(), 1);
        assert_eq!(
            report[0]
                .controller
                .as_ref()
                .map(|o| (o.kind.as_str(), o.name.as_str())),
            Some(("Job", "report-28834120"))
        );
        let bare: Vec<&DemoPod> = demo.pods.iter().filter(|p| p.workload.is_none()).collect();
        assert_eq!(bare.len(), 1);
        assert!(bare[0].controller.is_none());
        assert!(bare[0].object.metadata.owner_references.is_none());
        let trainers = owned_by("StatefulSet", "trainer");
        assert_eq!(trainers.len(), 3);
        for t in trainers {
            assert_eq!(t.object.metadata.namespace.as_deref(), Some("ml"));
            let spec = t.object.spec.as_ref().expect("spec");
            assert_eq!(spec.node_name.as_deref(), Some("demo-gpu-1"));
            let requests = spec.containers[0]
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref());
            assert_eq!(
                requests
                    .and_then(|r| r.get(model::GPU))
                    .map(|q| q.0.as_str()),
                Some("1")
            );
        }
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
        let pods = &demo.pod_rows;
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
        let pending = pods
            .iter()
            .find(|p| p.node.is_none())
            .expect("a pending pod");
        assert!(
            !a.pods.contains_key(&pending.key()),
            "pending pods have no usage"
        );
    }
}

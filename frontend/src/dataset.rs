//! One refresh, prepared for the views: rows indexed by key, so table rows can look
//! themselves up without rescanning 30 000 pods.

use std::sync::{Arc, OnceLock};

use ktop_web_shared::api::{ClusterInfo, FrameMeta, Freshness, SourceStatus, ViewerAccess};

use crate::cluster_summary::ClusterSummary;
use crate::fast_hash::FastMap;
use crate::groups::row::{GroupView, namespaces, workloads};
use crate::nodes::row::NodeView;
use crate::pods::row::{PodInfo, PodView};
use crate::store::ClusterPoint;
use crate::table::sort::natural_cmp;

/// Where each pod is in [`Dataset::pods`], the namespaces that have pods, and each pod's
/// workload. It changes only when pods come, go or change owner, so refreshes share it rather
/// than rebuild it.
#[derive(Debug, Default, PartialEq)]
pub struct PodIndex {
    positions: FastMap<Arc<str>, usize>,
    namespaces: Vec<String>,
    /// The workload of the pod at each position, as a number in first-seen order.
    workload_of: Vec<u32>,
    workloads: usize,
}

impl PodIndex {
    /// Indexes pods given in display order (grouped by namespace).
    pub fn new<'a>(pods: impl Iterator<Item = &'a PodInfo>) -> PodIndex {
        let mut index = PodIndex::default();
        let mut workloads: FastMap<Arc<str>, u32> = FastMap::default();
        for (i, pod) in pods.enumerate() {
            index.positions.insert(pod.key.clone(), i);
            // Pods come grouped by namespace, so this is one comparison per pod.
            if index.namespaces.last() != Some(&pod.ns) {
                index.namespaces.push(pod.ns.clone());
            }
            let next = workloads.len() as u32;
            let w = *workloads.entry(pod.workload.clone()).or_insert(next);
            index.workload_of.push(w);
        }
        index.workloads = workloads.len();
        index
    }
}

/// Everything the views show for one refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Cluster and server settings.
    pub cluster: ClusterInfo,
    /// Live metrics source and fallbacks.
    pub source: SourceStatus,
    /// When the server assembled the snapshot (Unix milliseconds).
    pub taken_at_ms: i64,
    /// How current the objects and the usage are, as the server judges it.
    pub freshness: Freshness,
    /// What the signed-in viewer may see, when each viewer sees their own rights.
    pub viewer: Option<ViewerAccess>,
    /// Totals for the overview.
    pub summary: ClusterSummary,
    /// Nodes by name (naturally: `node-2` before `node-10`).
    pub nodes: Vec<NodeView>,
    /// Pods by namespace, then name (naturally: `pod-2` before `pod-10`).
    pub pods: Vec<PodView>,
    /// Pods summed by workload and namespace, made the first time a view asks: the Pods
    /// and Nodes views, which show none, do not pay for them at every refresh.
    groups: OnceLock<Groups>,
    pod_index: Arc<PodIndex>,
}

/// Pods summed by workload and by namespace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Groups {
    /// By workload, in the order their first pods come.
    pub workloads: Vec<GroupView>,
    /// By namespace, in the pods' order.
    pub namespaces: Vec<GroupView>,
    /// Where each group is: in `workloads`, or past their end in `namespaces`.
    positions: FastMap<Arc<str>, usize>,
}

impl Dataset {
    /// A refresh's rows: `nodes` by name (naturally), `pods` in the order `pod_index` was
    /// made from.
    pub fn new(
        meta: FrameMeta,
        nodes: Vec<NodeView>,
        pods: Vec<PodView>,
        pod_index: Arc<PodIndex>,
    ) -> Dataset {
        Dataset {
            cluster: meta.cluster,
            source: meta.source,
            taken_at_ms: meta.taken_at_ms,
            freshness: meta.freshness,
            viewer: meta.viewer,
            summary: ClusterSummary::new(&nodes, &pods),
            groups: OnceLock::new(),
            nodes,
            pods,
            pod_index,
        }
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&NodeView> {
        let at = self
            .nodes
            .binary_search_by(|n| natural_cmp(&n.name, name))
            .ok()?;
        self.nodes.get(at)
    }

    /// A pod by `namespace/name`.
    pub fn pod(&self, key: &str) -> Option<&PodView> {
        self.pods.get(*self.pod_index.positions.get(key)?)
    }

    /// Pods summed by workload and namespace (made on the first call).
    pub fn groups(&self) -> &Groups {
        self.groups.get_or_init(|| {
            let index = &self.pod_index;
            let workloads = workloads(&self.pods, &index.workload_of, index.workloads);
            let namespaces = namespaces(&self.pods);
            let positions = workloads
                .iter()
                .chain(&namespaces)
                .enumerate()
                .map(|(i, g)| (g.key.clone(), i))
                .collect();
            Groups {
                workloads,
                namespaces,
                positions,
            }
        })
    }

    /// True once a view has asked for [`Dataset::groups`].
    pub fn has_groups(&self) -> bool {
        self.groups.get().is_some()
    }

    /// A workload (`namespace/Kind/name`) or a namespace by key.
    pub fn group(&self, key: &str) -> Option<&GroupView> {
        let g = self.groups();
        let at = *g.positions.get(key)?;
        g.workloads
            .get(at)
            .or_else(|| g.namespaces.get(at - g.workloads.len()))
    }

    /// Namespaces that have pods, in the pods' order.
    pub fn namespaces(&self) -> &[String] {
        &self.pod_index.namespaces
    }

    /// The cluster-wide point this refresh adds to the history.
    pub fn cluster_point(&self) -> ClusterPoint {
        ClusterPoint {
            usage: self.summary.usage,
            requests: self.summary.requests,
            allocatable: self.summary.allocatable,
        }
    }

    /// The rows a snapshot becomes on its way through a frame, for tests.
    #[cfg(test)]
    pub fn of_snapshot(snapshot: &ktop_web_shared::api::Snapshot) -> Dataset {
        let (_, frame) = ktop_web_shared::frame::Encoder::new(1).encode(snapshot);
        crate::frame_store::FrameStore::default()
            .apply(&frame)
            .expect("a frame")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::tests::pod;
    use ktop_web_shared::api::{NodeRow, Snapshot, SourceKind, SourceMode};

    #[test]
    fn indexes_rows_by_key() {
        let snapshot = Snapshot {
            cluster: ClusterInfo {
                context: "demo".into(),
                server: "https://demo".into(),
                user: "demo".into(),
                namespace: None,
                refresh_ms: 2000,
                history: 120,
                demo: true,
            },
            source: SourceStatus {
                mode: SourceMode::Demo,
                live: SourceKind::Demo,
                fallbacks: vec![],
                last_sample_ms: None,
                ..SourceStatus::default()
            },
            taken_at_ms: 10_000,
            nodes: vec![],
            pods: vec![
                pod("b", "p1", Some((1_000_000, 1024))),
                pod("a", "p2", None),
                pod("b", "p3", None),
            ],
            freshness: Default::default(),
            viewer: None,
        };
        let d = Dataset::of_snapshot(&snapshot);
        assert_eq!(d.pod("a/p2").map(|p| p.name.as_str()), Some("p2"));
        assert!(d.pod("a/p1").is_none());
        assert!(d.node("x").is_none());
        assert_eq!(d.namespaces(), ["a", "b"]);
        let names: Vec<&str> = d.pods.iter().map(|p| &*p.key).collect();
        assert_eq!(names, ["a/p2", "b/p1", "b/p3"], "by namespace, then name");
        assert_eq!(d.pods[0].age_s, 10);
        assert_eq!(d.summary.pods_total, 3);
        assert_eq!(d.taken_at_ms, 10_000);
    }

    #[test]
    fn finds_nodes_in_their_natural_order() {
        let node = |name: &str| NodeRow {
            name: name.into(),
            ..NodeRow::default()
        };
        let snapshot = Snapshot {
            nodes: ["node-10", "node-2", "node-1", "edge"].map(node).to_vec(),
            ..Snapshot::default()
        };
        let d = Dataset::of_snapshot(&snapshot);
        let names: Vec<&str> = d.nodes.iter().map(|n| &*n.name).collect();
        assert_eq!(names, ["edge", "node-1", "node-2", "node-10"]);
        for name in names {
            assert_eq!(d.node(name).map(|n| &*n.name), Some(name));
        }
        assert!(d.node("node-3").is_none());
        assert!(d.node("node-01").is_none(), "not the same name as node-1");
    }
}

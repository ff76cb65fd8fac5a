//! One snapshot, prepared for the views: rows derived once per refresh and indexed by key, so
//! table rows can look themselves up without rescanning 30 000 pods.

use std::sync::Arc;

use ktop_web_shared::api::{ClusterInfo, Freshness, Snapshot, SourceStatus};

use crate::cluster_summary::ClusterSummary;
use crate::fast_hash::FastMap;
use crate::nodes::row::NodeView;
use crate::pods::row::PodView;
use crate::store::ClusterPoint;

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
    /// Totals for the overview.
    pub summary: ClusterSummary,
    /// Nodes in server order (by name).
    pub nodes: Vec<Arc<NodeView>>,
    /// Pods in server order (by namespace, then name).
    pub pods: Vec<Arc<PodView>>,
    /// Namespaces that have pods, sorted.
    pub namespaces: Vec<String>,
    node_index: FastMap<String, usize>,
    pod_index: FastMap<Arc<str>, usize>,
}

impl Dataset {
    /// Derives the rows of a snapshot.
    pub fn new(snapshot: Snapshot) -> Dataset {
        let now_s = snapshot.taken_at_ms.div_euclid(1000);
        let pods: Vec<Arc<PodView>> = snapshot
            .pods
            .iter()
            .map(|p| Arc::new(PodView::new(p, now_s)))
            .collect();
        let nodes: Vec<Arc<NodeView>> = snapshot
            .nodes
            .into_iter()
            .map(|n| Arc::new(NodeView::new(n, now_s)))
            .collect();
        let mut namespaces: Vec<String> = Vec::new();
        for pod in &pods {
            // Pods arrive grouped by namespace, so the search runs once per namespace.
            if namespaces.last() != Some(&pod.ns)
                && let Err(at) = namespaces.binary_search(&pod.ns)
            {
                namespaces.insert(at, pod.ns.clone());
            }
        }
        let node_index = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let pod_index = pods
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.clone(), i))
            .collect();
        Dataset {
            cluster: snapshot.cluster,
            source: snapshot.source,
            taken_at_ms: snapshot.taken_at_ms,
            freshness: snapshot.freshness,
            summary: ClusterSummary::new(&nodes, &pods),
            nodes,
            pods,
            namespaces,
            node_index,
            pod_index,
        }
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&Arc<NodeView>> {
        self.nodes.get(*self.node_index.get(name)?)
    }

    /// A pod by `namespace/name`.
    pub fn pod(&self, key: &str) -> Option<&Arc<PodView>> {
        self.pods.get(*self.pod_index.get(key)?)
    }

    /// The cluster-wide point this refresh adds to the history.
    pub fn cluster_point(&self) -> ClusterPoint {
        ClusterPoint {
            usage: self.summary.usage,
            requests: self.summary.requests,
            allocatable: self.summary.allocatable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::api::{SourceKind, SourceMode};

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
                io: false,
            },
            taken_at_ms: 10_000,
            nodes: vec![],
            pods: vec![
                crate::pods::row::tests::pod("b", "p1", Some((1, 1))),
                crate::pods::row::tests::pod("a", "p2", None),
                crate::pods::row::tests::pod("b", "p3", None),
            ],
            freshness: Default::default(),
        };
        let d = Dataset::new(snapshot);
        assert_eq!(d.pod("a/p2").map(|p| p.name.as_str()), Some("p2"));
        assert!(d.pod("a/p1").is_none());
        assert!(d.node("x").is_none());
        assert_eq!(d.namespaces, ["a", "b"]);
        assert_eq!(d.pods[0].age_s, 10);
        assert_eq!(d.summary.pods_total, 3);
    }
}

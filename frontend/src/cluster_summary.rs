//! Cluster-wide totals for the overview.

use ktop_web_shared::api::{CpuMem, PodPhase, Readiness};

use crate::nodes::row::NodeView;
use crate::pods::row::PodView;

/// Totals over all nodes and pods of one snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ClusterSummary {
    /// Nodes in the cluster.
    pub nodes_total: usize,
    /// Nodes whose `Ready` condition is true.
    pub nodes_ready: usize,
    /// Pods in scope.
    pub pods_total: usize,
    /// Pods in phase `Running`.
    pub pods_running: usize,
    /// Summed node usage (or pod usage where nodes report none); `None` without metrics.
    pub usage: Option<CpuMem>,
    /// Summed requests of the pods on nodes.
    pub requests: CpuMem,
    /// Summed limits of the pods on nodes.
    pub limits: CpuMem,
    /// Summed node allocatable.
    pub allocatable: CpuMem,
}

impl ClusterSummary {
    /// Adds up a snapshot's rows.
    pub fn new(nodes: &[NodeView], pods: &[PodView]) -> ClusterSummary {
        let node_usage = sum_some(nodes.iter().map(|n| n.usage));
        ClusterSummary {
            nodes_total: nodes.len(),
            nodes_ready: nodes.iter().filter(|n| n.ready == Readiness::Ready).count(),
            pods_total: pods.len(),
            pods_running: pods.iter().filter(|p| p.phase == PodPhase::Running).count(),
            usage: node_usage.or_else(|| sum_some(pods.iter().map(|p| p.usage))),
            requests: nodes.iter().map(|n| n.requests).sum(),
            limits: nodes.iter().map(|n| n.limits).sum(),
            allocatable: nodes.iter().map(|n| n.allocatable).sum(),
        }
    }
}

/// The sum of the values present; `None` when none is.
fn sum_some(values: impl Iterator<Item = Option<CpuMem>>) -> Option<CpuMem> {
    values
        .flatten()
        .fold(None, |acc, v| Some(acc.unwrap_or_default() + v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_present_values_only() {
        let a = CpuMem { cpu: 1, mem: 2 };
        assert_eq!(sum_some([None, Some(a), Some(a)].into_iter()), Some(a + a));
        assert_eq!(sum_some([None, None].into_iter()), None);
    }

    #[test]
    fn falls_back_to_pod_usage() {
        let pods: Vec<PodView> = [
            crate::pods::row::tests::pod("a", "p1", Some((5, 6))),
            crate::pods::row::tests::pod("a", "p2", None),
        ]
        .iter()
        .map(|p| PodView::from_row(p, 0))
        .collect();
        let s = ClusterSummary::new(&[], &pods);
        assert_eq!(s.usage, Some(CpuMem { cpu: 5, mem: 6 }));
        assert_eq!((s.pods_running, s.pods_total), (2, 2));
        assert_eq!((s.nodes_ready, s.nodes_total), (0, 0));
    }
}

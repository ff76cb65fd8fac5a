//! Metric history: one ring buffer per series, fed one point per successful refresh.
//!
//! Series of nodes and pods that leave the cluster are dropped on the refresh they
//! disappear in, so memory follows the cluster's current size.

mod objects;
mod saved_text;
mod series;

use ktop_web_shared::RingBuffer;
use ktop_web_shared::api::CpuMem;

pub use objects::ObjectPoint;
use objects::Objects;
pub use series::{CpuMemSeries, IoSeries};

/// Points kept per series until the server says otherwise.
pub const DEFAULT_CAPACITY: usize = 120;

/// Upper bound for `?history=N` and the server's `--history`.
pub const MAX_CAPACITY: usize = ktop_web_shared::api::MAX_HISTORY as usize;

/// Cluster-wide totals of one refresh.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterPoint {
    /// Summed usage, when any was measured.
    pub usage: Option<CpuMem>,
    /// Summed pod requests.
    pub requests: CpuMem,
    /// Summed node allocatable.
    pub allocatable: CpuMem,
}

/// The history of everything the views chart.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    capacity: usize,
    context: Option<String>,
    /// Counts refreshes; series not touched by the latest one are pruned.
    refresh: u64,
    times: RingBuffer<i64>,
    cluster_usage: CpuMemSeries,
    cluster_requests: CpuMemSeries,
    cluster_allocatable: CpuMemSeries,
    nodes: Objects,
    pods: Objects,
    /// Workloads and namespaces: their pods summed.
    groups: Objects,
    /// The refresh `groups` last had a point for.
    groups_refresh: u64,
}

impl History {
    /// Empty history keeping `capacity` points per series.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.clamp(1, MAX_CAPACITY);
        Self {
            capacity,
            context: None,
            refresh: 0,
            times: RingBuffer::new(capacity),
            cluster_usage: CpuMemSeries::new(capacity),
            cluster_requests: CpuMemSeries::new(capacity),
            cluster_allocatable: CpuMemSeries::new(capacity),
            nodes: Objects::default(),
            pods: Objects::default(),
            groups: Objects::default(),
            groups_refresh: 0,
        }
    }

    /// Points kept per series.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Changes the points kept per series, keeping the newest.
    pub fn set_capacity(&mut self, capacity: usize) {
        let capacity = capacity.clamp(1, MAX_CAPACITY);
        if capacity == self.capacity {
            return;
        }
        self.capacity = capacity;
        self.times.resize(capacity);
        for series in [
            &mut self.cluster_usage,
            &mut self.cluster_requests,
            &mut self.cluster_allocatable,
        ] {
            series.resize(capacity);
        }
        self.nodes.resize(capacity);
        self.pods.resize(capacity);
        self.groups.resize(capacity);
    }

    /// The context this history belongs to.
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }

    /// Forgets everything and starts over for another context.
    pub fn reset(&mut self, context: &str) {
        *self = History::new(self.capacity);
        self.context = Some(context.to_owned());
    }

    /// Appends one refresh: a point to every series, dropping series of objects that are gone.
    pub fn record<'a>(
        &mut self,
        taken_at_ms: i64,
        cluster: ClusterPoint,
        nodes: impl IntoIterator<Item = ObjectPoint<'a>>,
        pods: impl IntoIterator<Item = ObjectPoint<'a>>,
    ) {
        self.refresh += 1;
        self.times.push(taken_at_ms);
        self.cluster_usage.push(cluster.usage);
        self.cluster_requests.push(Some(cluster.requests));
        self.cluster_allocatable.push(Some(cluster.allocatable));
        let (capacity, refresh) = (self.capacity, self.refresh);
        self.nodes.record(capacity, refresh, nodes);
        self.pods.record(capacity, refresh, pods);
    }

    /// Adds the refresh [`History::record`] just appended to the workloads' and namespaces'
    /// series. Apart, as saved history keeps no groups: they are sums, made again from pods.
    /// Groups are recorded only while a view shows them: after a pause their series start
    /// afresh, as points missed in between would shift every later one out of step.
    pub fn record_groups<'a>(&mut self, groups: impl IntoIterator<Item = ObjectPoint<'a>>) {
        if self.groups_refresh + 1 != self.refresh {
            self.groups = Objects::default();
        }
        self.groups_refresh = self.refresh;
        self.groups.record(self.capacity, self.refresh, groups);
    }

    /// Refreshes recorded and still in the window (at most the capacity).
    pub fn samples(&self) -> usize {
        self.times.len()
    }

    /// Sample times (Unix milliseconds), oldest first.
    pub fn times(&self) -> &RingBuffer<i64> {
        &self.times
    }

    /// Summed usage over time.
    pub fn cluster_usage(&self) -> &CpuMemSeries {
        &self.cluster_usage
    }

    /// Summed requests over time.
    pub fn cluster_requests(&self) -> &CpuMemSeries {
        &self.cluster_requests
    }

    /// Summed allocatable over time.
    pub fn cluster_allocatable(&self) -> &CpuMemSeries {
        &self.cluster_allocatable
    }

    /// A node's series by name.
    pub fn node(&self, name: &str) -> Option<&CpuMemSeries> {
        self.nodes.get(name)?.usage.as_ref()
    }

    /// A pod's series by `namespace/name`.
    pub fn pod(&self, key: &str) -> Option<&CpuMemSeries> {
        self.pods.get(key)?.usage.as_ref()
    }

    /// A workload's (`namespace/Kind/name`) or namespace's summed series.
    pub fn group(&self, key: &str) -> Option<&CpuMemSeries> {
        self.groups.get(key)?.usage.as_ref()
    }

    /// A node's throughput by name, once the source has measured it.
    pub fn node_io(&self, name: &str) -> Option<&IoSeries> {
        self.nodes.get(name)?.io.as_ref()
    }

    /// A pod's throughput by `namespace/name`, once the source has measured it.
    pub fn pod_io(&self, key: &str) -> Option<&IoSeries> {
        self.pods.get(key)?.io.as_ref()
    }

    /// How many pods have a series.
    #[cfg(test)]
    pub fn pod_count(&self) -> usize {
        self.pods.len()
    }

    /// How many nodes have a series.
    #[cfg(test)]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// A key shared for the rest of a test, as the views' rows share theirs.
#[cfg(test)]
fn key(text: &str) -> &'static std::sync::Arc<str> {
    Box::leak(Box::new(std::sync::Arc::from(text)))
}

#[cfg(test)]
mod tests {
    use super::series::Point;
    use super::*;
    use ktop_web_shared::api::Io;

    fn cm(cpu: u64, mem: u64) -> Option<CpuMem> {
        Some(CpuMem { cpu, mem })
    }

    /// Each key in a slot of its own, as frames give them.
    fn at(name: &str, usage: Option<CpuMem>) -> ObjectPoint<'static> {
        (slot(name), key(name), usage, None)
    }

    fn slot(key: &str) -> u32 {
        key.bytes().map(u32::from).sum()
    }

    fn cluster() -> ClusterPoint {
        ClusterPoint {
            usage: cm(1, 2),
            requests: CpuMem { cpu: 3, mem: 4 },
            allocatable: CpuMem { cpu: 5, mem: 6 },
        }
    }

    fn finite(values: &RingBuffer<Point>) -> Vec<Point> {
        values.iter().copied().filter(|v| v.is_finite()).collect()
    }

    #[test]
    fn one_point_per_refresh_and_pruning() {
        let mut h = History::new(3);
        h.record(
            1,
            cluster(),
            [at("n1", cm(10, 20))],
            [at("a/p1", cm(1, 1)), at("a/p2", None)],
        );
        assert!(h.pod("a/p2").is_none(), "no series before the first sample");
        h.record(
            2,
            cluster(),
            [at("n1", cm(11, 21))],
            [at("a/p1", cm(2, 2)), at("a/p2", cm(5, 5))],
        );
        h.record(
            3,
            cluster(),
            [at("n1", cm(12, 22))],
            [at("a/p1", None), at("a/p2", cm(6, 6))],
        );
        assert_eq!(h.times().to_vec(), vec![1, 2, 3]);
        let p1 = h.pod("a/p1").expect("p1");
        assert_eq!(p1.cpu().len(), 3, "a missed sample keeps its slot");
        assert_eq!(finite(p1.cpu()), vec![1.0, 2.0]);
        assert_eq!(finite(h.pod("a/p2").expect("p2").cpu()), vec![5.0, 6.0]);

        h.record(4, cluster(), [at("n2", cm(1, 1))], [at("a/p2", cm(7, 7))]);
        assert!(h.pod("a/p1").is_none(), "gone pods are dropped");
        assert!(h.node("n1").is_none(), "gone nodes are dropped");
        assert_eq!(h.pod_count(), 1);
        assert_eq!(h.node_count(), 1);
        assert_eq!(h.node("n2").expect("n2").mem().len(), 1);

        h.record(5, cluster(), [], [at("a/p2", cm(8, 8))]);
        assert_eq!(
            finite(h.pod("a/p2").expect("p2").cpu()),
            vec![6.0, 7.0, 8.0]
        );
        assert_eq!(h.times().to_vec(), vec![3, 4, 5]);
        assert_eq!(h.cluster_usage().mem().to_vec(), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn capacity_changes_keep_newest() {
        let mut h = History::new(4);
        for t in 0..4 {
            h.record(t, cluster(), [], [at("a/p", cm(t as u64, 0))]);
        }
        h.set_capacity(2);
        assert_eq!(h.capacity(), 2);
        assert_eq!(h.pod("a/p").expect("p").cpu().to_vec(), vec![2.0, 3.0]);
        assert_eq!(h.times().to_vec(), vec![2, 3]);
        assert_eq!(History::new(0).capacity(), 1);
        assert_eq!(History::new(usize::MAX).capacity(), MAX_CAPACITY);
    }

    #[test]
    fn reset_switches_context() {
        let mut h = History::new(5);
        h.reset("a");
        h.record(1, cluster(), [at("n", cm(1, 1))], []);
        h.reset("b");
        assert_eq!(h.context(), Some("b"));
        assert!(h.times().is_empty());
        assert!(h.node("n").is_none());
        assert_eq!(h.capacity(), 5);
    }

    #[test]
    fn throughput_series_start_with_the_first_measurement() {
        let io = |rx: u64| Io {
            rx: Some(rx),
            ..Io::default()
        };
        let mut h = History::new(3);
        h.record(
            1,
            cluster(),
            [(0, key("n"), cm(1, 1), None)],
            [(0, key("a/p"), None, None)],
        );
        assert!(h.node_io("n").is_none(), "no series without throughput");
        h.record(2, cluster(), [(0, key("n"), None, Some(io(5)))], []);
        h.record(3, cluster(), [(0, key("n"), None, None)], []);
        let n = h.node_io("n").expect("n");
        assert_eq!(n.lines[0].len(), 2, "a missed sample keeps its slot");
        assert_eq!(finite(&n.lines[0]), vec![5.0]);
        assert!(
            finite(&n.lines[1]).is_empty(),
            "an unknown direction is a gap"
        );
        h.set_capacity(1);
        assert_eq!(h.node_io("n").expect("n").lines[0].len(), 1);
        h.record(4, cluster(), [], [(0, key("a/p"), None, Some(io(1)))]);
        assert!(h.node_io("n").is_none(), "gone nodes are dropped");
        assert!(h.pod_io("a/p").is_some());
    }

    #[test]
    fn thirty_thousand_pods_stay_in_tens_of_megabytes() {
        // 30 000 pods × 2 series × 120 f32 points is 28.8 MB of samples; a source that
        // measures throughput adds 4 series more (57.6 MB).
        let per_line = DEFAULT_CAPACITY * std::mem::size_of::<Point>();
        assert!(30_000 * 2 * per_line < 40_000_000);
        assert!(30_000 * 6 * per_line < 100_000_000);
    }

    #[test]
    fn groups_recorded_after_a_pause_start_afresh() {
        let mut h = History::new(10);
        let len = |h: &History| h.group("shop/Deployment/web").map(|s| s.cpu().len());
        for t in 1..=3 {
            h.record(t, cluster(), [], []);
            h.record_groups([at("shop/Deployment/web", cm(t as u64, 1))]);
        }
        assert_eq!(len(&h), Some(3));
        // Two refreshes nobody looked at the groups: their points would be out of step.
        h.record(4, cluster(), [], []);
        h.record(5, cluster(), [], []);
        h.record(6, cluster(), [], []);
        h.record_groups([at("shop/Deployment/web", cm(6, 1))]);
        assert_eq!(len(&h), Some(1));
    }
}

//! Metric history: one ring buffer per series, fed one point per successful refresh.
//!
//! Series of nodes and pods that leave the cluster are dropped on the refresh they
//! disappear in, so memory follows the cluster's current size.

mod saved_text;
mod series;

use ktop_web_shared::RingBuffer;
use ktop_web_shared::api::{CpuMem, Io};

use crate::fast_hash::FastMap;

pub use series::{CpuMemSeries, IoSeries};
use series::{Sample, Series};

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

/// One node's or pod's measurements in a refresh: its key, usage and throughput.
pub type ObjectPoint<'a> = (&'a str, Option<CpuMem>, Option<Io>);

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
    nodes: FastMap<String, CpuMemSeries>,
    pods: FastMap<String, CpuMemSeries>,
    // Apart from usage, so objects of a source without throughput pay nothing for it.
    node_io: FastMap<String, IoSeries>,
    pod_io: FastMap<String, IoSeries>,
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
            nodes: FastMap::default(),
            pods: FastMap::default(),
            node_io: FastMap::default(),
            pod_io: FastMap::default(),
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
        for series in self.all_series_mut() {
            series.resize(capacity);
        }
        for series in self.node_io.values_mut().chain(self.pod_io.values_mut()) {
            series.resize(capacity);
        }
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
        nodes: impl IntoIterator<Item = ObjectPoint<'a>> + Clone,
        pods: impl IntoIterator<Item = ObjectPoint<'a>> + Clone,
    ) {
        self.refresh += 1;
        self.times.push(taken_at_ms);
        self.cluster_usage.push(cluster.usage);
        self.cluster_requests.push(Some(cluster.requests));
        self.cluster_allocatable.push(Some(cluster.allocatable));
        let (capacity, refresh) = (self.capacity, self.refresh);
        record_objects(&mut self.nodes, &mut self.node_io, capacity, refresh, nodes);
        record_objects(&mut self.pods, &mut self.pod_io, capacity, refresh, pods);
    }

    /// Snapshots recorded so far (not capped by the capacity).
    pub fn refreshes(&self) -> u64 {
        self.refresh
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
        self.nodes.get(name)
    }

    /// A pod's series by `namespace/name`.
    pub fn pod(&self, key: &str) -> Option<&CpuMemSeries> {
        self.pods.get(key)
    }

    /// A node's throughput by name, once the source has measured it.
    pub fn node_io(&self, name: &str) -> Option<&IoSeries> {
        self.node_io.get(name)
    }

    /// A pod's throughput by `namespace/name`, once the source has measured it.
    pub fn pod_io(&self, key: &str) -> Option<&IoSeries> {
        self.pod_io.get(key)
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

    fn all_series_mut(&mut self) -> impl Iterator<Item = &mut CpuMemSeries> {
        [
            &mut self.cluster_usage,
            &mut self.cluster_requests,
            &mut self.cluster_allocatable,
        ]
        .into_iter()
        .chain(self.nodes.values_mut())
        .chain(self.pods.values_mut())
    }
}

/// Records the usage and the throughput of one kind of object.
fn record_objects<'a>(
    usage: &mut FastMap<String, CpuMemSeries>,
    io: &mut FastMap<String, IoSeries>,
    capacity: usize,
    refresh: u64,
    objects: impl IntoIterator<Item = ObjectPoint<'a>> + Clone,
) {
    let usage_points = objects.clone().into_iter().map(|(k, u, _)| (k, u));
    let io_points = objects.into_iter().map(|(k, _, i)| (k, i));
    record_series(usage, capacity, refresh, usage_points);
    record_series(io, capacity, refresh, io_points);
}

/// Pushes a point per object and drops the series of objects not seen. A series starts with
/// an object's first sample, so a cluster without metrics keeps no history per object.
fn record_series<'a, const N: usize, S: Sample<N>>(
    map: &mut FastMap<String, Series<N>>,
    capacity: usize,
    refresh: u64,
    objects: impl IntoIterator<Item = (&'a str, Option<S>)>,
) {
    for (key, sample) in objects {
        let series = match map.get_mut(key) {
            Some(series) => series,
            None if sample.is_none() => continue,
            None => map
                .entry(key.to_owned())
                .or_insert_with(|| Series::new(capacity)),
        };
        series.push(sample);
        series.seen = refresh;
    }
    let before = map.len();
    map.retain(|_, series| series.seen == refresh);
    // Give memory back after a large scale-down rather than keeping the peak forever.
    if map.len() < before && map.len() < map.capacity() / 4 {
        map.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::series::Point;
    use super::*;

    fn cm(cpu: u64, mem: u64) -> Option<CpuMem> {
        Some(CpuMem { cpu, mem })
    }

    fn at(key: &str, usage: Option<CpuMem>) -> ObjectPoint<'_> {
        (key, usage, None)
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
        h.record(1, cluster(), [("n", cm(1, 1), None)], [("a/p", None, None)]);
        assert!(h.node_io("n").is_none(), "no series without throughput");
        h.record(2, cluster(), [("n", None, Some(io(5)))], []);
        h.record(3, cluster(), [("n", None, None)], []);
        let n = h.node_io("n").expect("n");
        assert_eq!(n.lines[0].len(), 2, "a missed sample keeps its slot");
        assert_eq!(finite(&n.lines[0]), vec![5.0]);
        assert!(
            finite(&n.lines[1]).is_empty(),
            "an unknown direction is a gap"
        );
        h.set_capacity(1);
        assert_eq!(h.node_io("n").expect("n").lines[0].len(), 1);
        h.record(4, cluster(), [], [("a/p", None, Some(io(1)))]);
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
}

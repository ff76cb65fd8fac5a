//! One cluster as the browser sees it: its objects, its metrics sources, and the snapshot
//! built from them at most once per refresh interval however many tabs ask.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use ktop_web_shared::api::{
    ClusterInfo, CpuMem, NodeRow, PodPhase, PodRow, SelectedPods, Snapshot,
};
use kube::core::SelectorExt;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::objects::{ObjectCache, label_selector};
use crate::reads::Reads;
#[cfg(test)]
use crate::source::Sources;
use crate::source::{Selection, SourceSelector};

/// Why there is no snapshot yet.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The first list of nodes or pods has not arrived (or keeps failing).
    #[error("{0}")]
    NotSynced(String),
    /// Serialization failed (a bug).
    #[error("cannot encode the snapshot: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Why a label selection gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    /// The selector does not parse.
    #[error(transparent)]
    Selector(#[from] label_selector::SelectorError),
    /// The pods are not listed yet.
    #[error(transparent)]
    NotSynced(#[from] SnapshotError),
}

struct Cached {
    at: Instant,
    json: Bytes,
}

/// A served cluster.
pub struct ClusterView {
    info: ClusterInfo,
    objects: ObjectCache,
    selector: SourceSelector,
    refresh: Duration,
    /// Held while a snapshot is built, so concurrent requests wait for it instead of reading
    /// the metrics API again.
    cached: tokio::sync::Mutex<Option<Cached>>,
    watches: Vec<JoinHandle<()>>,
    reads: Option<Reads>,
}

impl Drop for ClusterView {
    fn drop(&mut self) {
        for w in &self.watches {
            w.abort();
        }
    }
}

impl ClusterView {
    /// Wires a view; `watches` are the tasks filling `objects`, stopped with the view.
    pub fn new(
        info: ClusterInfo,
        objects: ObjectCache,
        selector: SourceSelector,
        watches: Vec<JoinHandle<()>>,
    ) -> Self {
        let refresh = Duration::from_millis(info.refresh_ms);
        Self {
            info,
            objects,
            selector,
            refresh,
            cached: tokio::sync::Mutex::new(None),
            watches,
            reads: None,
        }
    }

    /// Serves details, events and logs through `reads` (real clusters only).
    pub fn with_reads(mut self, reads: Reads) -> Self {
        self.reads = Some(reads);
        self
    }

    /// On-demand reads, when this cluster has them.
    pub fn reads(&self) -> Option<&Reads> {
        self.reads.as_ref()
    }

    /// Static facts about the cluster.
    pub fn info(&self) -> &ClusterInfo {
        &self.info
    }

    /// The snapshot as JSON, rebuilt when the cached one is a refresh interval old.
    pub async fn snapshot_json(&self) -> Result<Bytes, SnapshotError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref().filter(|c| c.at.elapsed() < self.refresh) {
            return Ok(c.json.clone());
        }
        self.check_synced()?;
        let selection = self.selector.select().await;
        let snapshot = assemble(&self.info, &self.objects, selection, unix_ms());
        let json = Bytes::from(serde_json::to_vec(&snapshot)?);
        *cached = Some(Cached {
            at: Instant::now(),
            json: json.clone(),
        });
        Ok(json)
    }

    /// The pods `selector` matches, by key, from the watched labels: no upstream request.
    /// An empty selector is refused: it would list every pod for nothing.
    pub fn selected_pods(&self, selector: &str) -> Result<SelectedPods, SelectionError> {
        let parsed = label_selector::parse(selector)?;
        if parsed.selects_all() {
            return Err(label_selector::SelectorError::empty().into());
        }
        self.check_synced()?;
        let pods = self
            .objects
            .pods()
            .rows
            .iter()
            .filter(|(_, p)| parsed.matches(&p.labels))
            .map(|(key, _)| key.clone())
            .collect();
        Ok(SelectedPods {
            selector: selector.to_owned(),
            pods,
        })
    }

    fn check_synced(&self) -> Result<(), SnapshotError> {
        let nodes = self.objects.nodes();
        let pods = self.objects.pods();
        if nodes.synced && pods.synced {
            return Ok(());
        }
        let errors: Vec<&str> = [&nodes.error, &pods.error]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        Err(SnapshotError::NotSynced(if errors.is_empty() {
            "Still loading nodes and pods from the API server…".into()
        } else {
            errors.join("; ")
        }))
    }
}

/// Now, in Unix milliseconds.
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Joins objects and usage into rows: per-node pod counts and request/limit sums, usage
/// where the source has it.
pub fn assemble(
    info: &ClusterInfo,
    objects: &ObjectCache,
    selection: Selection,
    taken_at_ms: i64,
) -> Snapshot {
    let usage = selection.usage.unwrap_or_default();
    let pods: Vec<PodRow> = objects
        .pods()
        .rows
        .values()
        .map(|p| {
            let mut row = p.row.clone();
            if let Some(u) = usage.pods.get(&row.key()) {
                row.sample = Some(u.sample);
                row.io = u.io;
                for c in &mut row.containers {
                    c.usage = u.containers.get(&c.name).copied();
                }
            }
            row
        })
        .collect();
    let mut per_node: std::collections::HashMap<&str, (u32, CpuMem, CpuMem)> = Default::default();
    for p in pods
        .iter()
        .filter(|p| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
    {
        if let Some(node) = &p.node {
            let e = per_node.entry(node.as_str()).or_default();
            e.0 += 1;
            e.1 = e.1 + p.requests.or_zero();
            e.2 = e.2 + p.containers.iter().map(|c| c.limits.or_zero()).sum();
        }
    }
    let nodes: Vec<NodeRow> = objects
        .nodes()
        .rows
        .values()
        .map(|n| {
            let mut row = n.row.clone();
            if let Some(&(count, requests, limits)) = per_node.get(row.name.as_str()) {
                row.pods = count;
                row.requests = requests;
                row.limits = limits;
            }
            row.usage = usage.nodes.get(&row.name).copied();
            row.io = usage.node_io.get(&row.name).copied();
            row
        })
        .collect();
    Snapshot {
        cluster: info.clone(),
        source: selection.status,
        taken_at_ms,
        nodes,
        pods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{DemoCluster, MetricsSource};
    use ktop_web_shared::api::{SourceKind, SourceMode};
    use std::sync::Arc;

    fn info() -> ClusterInfo {
        ClusterInfo {
            context: "demo".into(),
            server: "demo".into(),
            user: "demo".into(),
            namespace: None,
            refresh_ms: 5000,
            history: 120,
            demo: true,
        }
    }

    fn demo_view() -> ClusterView {
        let demo = DemoCluster::new(1_800_000_000);
        let objects = demo.object_cache();
        let source: Arc<dyn MetricsSource> = Arc::new(demo);
        let selector = SourceSelector::new(
            SourceMode::Demo,
            Sources::demo(source),
            Duration::from_secs(5),
        );
        ClusterView::new(info(), objects, selector, vec![])
    }

    #[tokio::test]
    async fn label_selections_come_from_the_watched_labels() {
        let view = demo_view();
        assert!(matches!(
            view.selected_pods(" "),
            Err(SelectionError::Selector(_))
        ));
        let all = view
            .selected_pods("app")
            .expect("every demo pod has an app");
        assert!(all.pods.len() > 50, "{}", all.pods.len());
        let postgres = view.selected_pods("app=postgres").expect("selects");
        assert!(!postgres.pods.is_empty());
        assert!(
            postgres.pods.iter().all(|k| k.contains("/postgres-")),
            "{postgres:?}"
        );
        let rest = view.selected_pods("app notin (postgres)").expect("selects");
        assert_eq!(rest.pods.len() + postgres.pods.len(), all.pods.len());
        assert_eq!(rest.selector, "app notin (postgres)");
        assert!(matches!(
            view.selected_pods("app==="),
            Err(SelectionError::Selector(_))
        ));
    }

    #[tokio::test]
    async fn snapshot_joins_usage_and_sums_per_node() {
        let view = demo_view();
        let json = view.snapshot_json().await.expect("snapshot");
        let s: Snapshot = serde_json::from_slice(&json).expect("valid json");
        assert_eq!(s.source.live, SourceKind::Demo);
        assert_eq!(s.nodes.len(), 5);
        let worker = s
            .nodes
            .iter()
            .find(|n| n.name == "demo-worker-1")
            .expect("worker");
        let on_worker: Vec<&PodRow> = s
            .pods
            .iter()
            .filter(|p| p.node.as_deref() == Some("demo-worker-1"))
            .collect();
        assert_eq!(worker.pods as usize, on_worker.len());
        let requested: CpuMem = on_worker.iter().map(|p| p.requests.or_zero()).sum();
        assert_eq!(worker.requests, requested);
        assert!(worker.usage.is_some());
        let pending = s
            .pods
            .iter()
            .find(|p| p.node.is_none())
            .expect("pending pod");
        assert!(pending.usage().is_none(), "no sample for a pending pod");
        let running = s
            .pods
            .iter()
            .find(|p| p.phase == PodPhase::Running)
            .expect("running pod");
        assert!(running.usage().is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn one_build_per_refresh_interval() {
        let view = demo_view();
        let a = view.snapshot_json().await.expect("first");
        let b = view.snapshot_json().await.expect("second");
        assert!(
            std::ptr::eq(a.as_ptr(), b.as_ptr()),
            "served from the cache"
        );
        tokio::time::advance(Duration::from_millis(5000)).await;
        let c = view.snapshot_json().await.expect("third");
        assert!(
            !std::ptr::eq(a.as_ptr(), c.as_ptr()),
            "rebuilt after the interval"
        );
    }

    #[tokio::test]
    async fn unsynced_objects_explain_themselves() {
        let selector =
            SourceSelector::new(SourceMode::None, Sources::default(), Duration::from_secs(5));
        let view = ClusterView::new(info(), ObjectCache::default(), selector, vec![]);
        let err = view.snapshot_json().await.expect_err("not synced");
        assert!(err.to_string().contains("Still loading"), "{err}");
    }
}

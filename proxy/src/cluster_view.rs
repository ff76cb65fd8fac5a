//! One cluster as the browser sees it: its objects, its metrics sources, and the snapshot
//! built from them at most once per refresh interval however many tabs ask.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use ktop_web_shared::api::{
    ClusterInfo, CpuMem, ExtendedResource, Freshness, NodeRow, PodPhase, PodRow, SelectedPods,
    Snapshot, StalePart, Staleness, ViewerAccess, add_extended,
};
use ktop_web_shared::quota::QuotaList;
use kube::core::SelectorExt;
use tokio::time::Instant;

use crate::clock::unix_ms;
use crate::frames::{FrameFailure, Frames, Position, Reply};
use crate::history::HistoryReader;
use crate::make_room::make_room;
use crate::objects::{ObjectCache, OwnerTables, Watches, label_selector, resolve};
use crate::reads::{ReadError, Reads};
use crate::security::Viewer;
#[cfg(test)]
use crate::source::Sources;
use crate::source::{Selection, SourceSelector};
use crate::viewer_access::ViewerAccesses;

/// Why there is no snapshot yet.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The first list of nodes or pods has not arrived (or keeps failing).
    #[error("{0}")]
    NotSynced(String),
    /// Serialization failed (a bug).
    #[error("cannot encode the snapshot: {0}")]
    Encode(#[from] serde_json::Error),
    /// A frame could not be made (a bug).
    #[error(transparent)]
    Frame(#[from] FrameFailure),
}

/// Why a viewer's access is not known.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// There is no snapshot to ask about yet.
    #[error(transparent)]
    NotSynced(#[from] SnapshotError),
    /// The API server refused or failed to answer for the viewer.
    #[error(transparent)]
    Read(#[from] ReadError),
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

/// A poll that arrives this share of a refresh interval early (timer jitter) still gets a new
/// snapshot, so a tab polling once per interval never gets the same one twice.
const EARLY_POLL_DIVISOR: u32 = 10;

/// The snapshot of one refresh, shared by every viewer.
#[derive(Clone)]
struct Publication {
    /// When its build started: a tab polling every interval must find it expired.
    at: Instant,
    snapshot: Arc<Snapshot>,
    /// The snapshot as JSON, made for the first script that asks: the page reads frames, and
    /// 30,000 pods are megabytes of JSON no one may want.
    json: Arc<tokio::sync::OnceCell<Bytes>>,
    /// The namespaces that have pods, sorted: what a viewer's access is asked about.
    namespaces: Arc<Vec<String>>,
}

/// Most encodings kept at once, one per access that viewers have (all alike in token mode);
/// beyond it the least recently used is dropped, and its viewers get a full frame.
const MAX_ENCODINGS: usize = 64;

/// A served cluster.
pub struct ClusterView {
    info: ClusterInfo,
    objects: ObjectCache,
    selector: SourceSelector,
    refresh: Duration,
    /// Held while a snapshot is built, so concurrent requests wait for it instead of reading
    /// the metrics API again.
    cached: tokio::sync::Mutex<Option<Publication>>,
    /// The frames for each access viewers have (`None`: everything, for every viewer).
    frames: std::sync::Mutex<HashMap<Option<ViewerAccess>, (Frames, Instant)>>,
    /// What each viewer may see, with `--auth proxy`.
    accesses: ViewerAccesses,
    /// Held only to stop the watches with the view.
    _watches: Watches,
    reads: Option<Reads>,
    history: Option<Arc<HistoryReader>>,
}

impl ClusterView {
    /// Wires a view; `watches` are the tasks filling `objects`, stopped with the view.
    pub fn new(
        info: ClusterInfo,
        objects: ObjectCache,
        selector: SourceSelector,
        watches: Watches,
    ) -> Self {
        let refresh = Duration::from_millis(info.refresh_ms);
        Self {
            info,
            objects,
            selector,
            refresh,
            cached: tokio::sync::Mutex::new(None),
            frames: std::sync::Mutex::default(),
            accesses: ViewerAccesses::default(),
            _watches: watches,
            reads: None,
            history: None,
        }
    }

    /// Serves ranges of history through `history`.
    pub fn with_history(mut self, history: HistoryReader) -> Self {
        self.history = Some(Arc::new(history));
        self
    }

    /// Where ranges of history are read, when this cluster has them.
    pub fn history(&self) -> Option<&HistoryReader> {
        self.history.as_deref()
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

    /// What `viewer` may see, when this view serves each viewer by their own rights
    /// (`--auth proxy`); `None` when every viewer sees everything.
    pub async fn access(
        &self,
        viewer: Option<&Viewer>,
    ) -> Result<Option<ViewerAccess>, AccessError> {
        let Some(reads) = self.reads.as_ref().filter(|r| r.impersonates()) else {
            return Ok(None);
        };
        // Refuses a request without a viewer.
        let as_viewer = reads.for_viewer(viewer).await?;
        let Some(viewer) = viewer else {
            return Err(ReadError::Forbidden("no viewer".into()).into());
        };
        let publication = self.publication().await?;
        let access = self
            .accesses
            .of(viewer, &as_viewer, &publication.namespaces)
            .await?;
        Ok(Some(access))
    }

    /// The snapshot as JSON, rebuilt when the cached one is (about) a refresh interval old;
    /// only what `access` shows, when given.
    pub async fn snapshot_json(
        &self,
        access: Option<&ViewerAccess>,
    ) -> Result<Bytes, SnapshotError> {
        let publication = self.publication().await?;
        let Some(access) = access else {
            let json = publication
                .json
                .get_or_try_init(|| to_json(publication.snapshot.clone()))
                .await?;
            return Ok(json.clone());
        };
        let full = &publication.snapshot;
        let scoped = Snapshot {
            nodes: access.nodes_of(&full.nodes).to_vec(),
            pods: access.pods_of(&full.pods).into_iter().cloned().collect(),
            viewer: Some(access.clone()),
            cluster: full.cluster.clone(),
            source: full.source.clone(),
            taken_at_ms: full.taken_at_ms,
            freshness: full.freshness.clone(),
        };
        to_json(Arc::new(scoped)).await
    }

    /// The frame that brings a viewer at `after` up to date, of what `access` shows when
    /// given. A viewer that holds the frame of the newest snapshot waits (at most a refresh
    /// interval) for the next one to be due.
    pub async fn frames(
        &self,
        after: Option<Position>,
        access: Option<&ViewerAccess>,
    ) -> Result<Reply, SnapshotError> {
        let frames = self.frames_for(access);
        if let (Some(after), Some((newest, built))) = (after, frames.position().await)
            && after == newest
        {
            let due = self
                .cached
                .lock()
                .await
                .as_ref()
                .filter(|p| p.at == built)
                .map(|p| p.at + self.fresh_for());
            if let Some(due) = due {
                tokio::time::sleep_until(due).await;
            }
        }
        let publication = self.publication().await?;
        Ok(frames
            .reply(publication.at, &publication.snapshot, after)
            .await?)
    }

    /// The frames of viewers with `access`, made for the first of them.
    fn frames_for(&self, access: Option<&ViewerAccess>) -> Frames {
        let mut all = self.frames.lock().unwrap_or_else(PoisonError::into_inner);
        let key = access.cloned();
        if let Some((frames, used)) = all.get_mut(&key) {
            *used = Instant::now();
            return frames.clone();
        }
        make_room(&mut all, MAX_ENCODINGS, |(_, used)| *used);
        let frames = access.cloned().map_or_else(Frames::default, Frames::scoped);
        all.insert(key, (frames.clone(), Instant::now()));
        frames
    }

    /// How long a snapshot is served before the next is built.
    fn fresh_for(&self) -> Duration {
        self.refresh - self.refresh / EARLY_POLL_DIVISOR
    }

    /// The current snapshot, built when the cached one is (about) a refresh interval old.
    async fn publication(&self) -> Result<Publication, SnapshotError> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached
            .as_ref()
            .filter(|c| c.at.elapsed() < self.fresh_for())
        {
            return Ok(c.clone());
        }
        let started = Instant::now();
        self.synced()?;
        let selection = self.selector.select().await;
        let measured_before = cached.as_ref().and_then(|c| c.snapshot.freshness.usage_ms);
        let snapshot = Arc::new(assemble(
            &self.info,
            &self.objects,
            selection,
            Timing {
                now_ms: unix_ms(),
                refresh: self.refresh,
                measured_before,
            },
        ));
        let publication = Publication {
            at: started,
            namespaces: Arc::new(namespaces(&snapshot.pods)),
            snapshot,
            json: Arc::default(),
        };
        *cached = Some(publication.clone());
        Ok(publication)
    }

    /// The pods `selector` matches, by key, from the watched labels: no upstream request.
    /// An empty selector is refused: it would list every pod for nothing.
    /// Only pods `access` shows, when given.
    pub fn selected_pods(
        &self,
        selector: &str,
        access: Option<&ViewerAccess>,
    ) -> Result<SelectedPods, SelectionError> {
        let parsed = label_selector::parse(selector)?;
        if parsed.selects_all() {
            return Err(label_selector::SelectorError::empty().into());
        }
        self.synced()?;
        let pods = self
            .objects
            .pods()
            .rows
            .iter()
            .filter(|(_, p)| parsed.matches(&p.labels))
            .filter(|(_, p)| {
                access
                    .and_then(|a| a.namespaces.as_ref())
                    .is_none_or(|allowed| allowed.binary_search(&p.row.ns).is_ok())
            })
            .map(|(key, _)| key.clone())
            .collect();
        Ok(SelectedPods {
            selector: selector.to_owned(),
            pods,
        })
    }

    /// The quotas of the namespaces `access` shows (all, when not given), from the watch: no
    /// upstream request. Refused until the first list of quotas has arrived, with why.
    pub fn quotas(&self, access: Option<&ViewerAccess>) -> Result<QuotaList, SnapshotError> {
        let table = self.objects.quotas();
        if !table.synced {
            return Err(SnapshotError::NotSynced(
                table.failure.as_ref().map_or_else(
                    || "Still loading ResourceQuotas from the API server…".to_owned(),
                    |f| f.message.clone(),
                ),
            ));
        }
        let quotas = table
            .rows
            .values()
            .filter(|q| {
                access
                    .and_then(|a| a.namespaces.as_ref())
                    .is_none_or(|allowed| allowed.binary_search(&q.namespace).is_ok())
            })
            .cloned()
            .collect();
        Ok(QuotaList { quotas })
    }

    /// Whether the first lists of nodes and pods have arrived; if not, why (still loading,
    /// or the failures that keep them from loading).
    pub fn synced(&self) -> Result<(), SnapshotError> {
        let nodes = self.objects.nodes();
        let pods = self.objects.pods();
        if nodes.synced && pods.synced {
            return Ok(());
        }
        let errors: Vec<&str> = [&nodes.failure, &pods.failure]
            .into_iter()
            .flatten()
            .map(|f| f.message.as_str())
            .collect();
        Err(SnapshotError::NotSynced(if errors.is_empty() {
            "Still loading nodes and pods from the API server…".into()
        } else {
            errors.join("; ")
        }))
    }
}

/// `snapshot` as JSON, made off the async workers (megabytes at scale).
async fn to_json(snapshot: Arc<Snapshot>) -> Result<Bytes, SnapshotError> {
    let json = tokio::task::spawn_blocking(move || serde_json::to_vec(&*snapshot))
        .await
        .map_err(FrameFailure::from)??;
    Ok(Bytes::from(json))
}

/// The namespaces of `pods`, sorted, each once.
fn namespaces(pods: &[PodRow]) -> Vec<String> {
    let mut namespaces: Vec<String> = Vec::new();
    for p in pods {
        // Pods come grouped by namespace: mostly one comparison per pod.
        if namespaces.last() != Some(&p.ns) {
            namespaces.push(p.ns.clone());
        }
    }
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

/// When a snapshot is assembled, and what its freshness is judged against.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The snapshot's time (Unix milliseconds).
    pub now_ms: i64,
    /// The refresh interval.
    pub refresh: Duration,
    /// When usage was last measured before this snapshot, if ever.
    pub measured_before: Option<i64>,
}

/// Joins objects and usage into rows: per-node pod counts and request/limit sums, usage
/// where the source has it, and how current each part is.
pub fn assemble(
    info: &ClusterInfo,
    objects: &ObjectCache,
    selection: Selection,
    timing: Timing,
) -> Snapshot {
    let taken_at_ms = timing.now_ms;
    let freshness = freshness(objects, &selection, timing);
    let usage = selection.usage.unwrap_or_default();
    let replica_sets = objects.replica_sets();
    let jobs = objects.jobs();
    let owners = OwnerTables {
        replica_sets: &replica_sets,
        jobs: &jobs,
    };
    let mut owner_key = String::new();
    let pods: Vec<PodRow> = objects
        .pods()
        .rows
        .values()
        .map(|p| {
            let mut row = p.row.clone();
            if let Some(direct) = &row.owner {
                row.owner = Some(resolve(&row.ns, direct, &owners, &mut owner_key));
            }
            if let Some(u) = usage.pods.get(&row.key()) {
                row.sample = Some(u.sample);
                row.io = u.io;
                row.stall = u.stall;
                for c in &mut row.containers {
                    c.usage = u.containers.get(&c.name).copied();
                }
            }
            row
        })
        .collect();
    drop((replica_sets, jobs));
    let mut per_node: std::collections::HashMap<&str, NodeSums> = Default::default();
    for p in pods
        .iter()
        .filter(|p| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
    {
        if let Some(node) = &p.node {
            let e = per_node.entry(node.as_str()).or_default();
            e.pods += 1;
            e.requests = e.requests + p.requests.or_zero();
            e.limits = e.limits + p.containers.iter().map(|c| c.limits.or_zero()).sum();
            for x in &p.extended {
                add_extended(&mut e.extended, &x.name, x.amount);
            }
        }
    }
    let nodes: Vec<NodeRow> = objects
        .nodes()
        .rows
        .values()
        .map(|n| {
            let mut row = n.row.clone();
            if let Some(sums) = per_node.get_mut(row.name.as_str()) {
                row.pods = sums.pods;
                row.requests = sums.requests;
                row.limits = sums.limits;
                row.extended_requests = std::mem::take(&mut sums.extended);
            }
            row.usage = usage.nodes.get(&row.name).copied();
            row.io = usage.node_io.get(&row.name).copied();
            row.stall = usage.node_stall.get(&row.name).copied();
            row
        })
        .collect();
    Snapshot {
        cluster: info.clone(),
        source: selection.status,
        taken_at_ms,
        nodes,
        pods,
        freshness,
        viewer: None,
    }
}

/// What a node's non-terminated pods add up to.
#[derive(Default)]
struct NodeSums {
    pods: u32,
    requests: CpuMem,
    limits: CpuMem,
    extended: Vec<ExtendedResource>,
}

/// Objects are stale while a watch is failing; usage when its measurement is older than two
/// of its source's intervals (two refreshes for a source read at every refresh), or when
/// usage was measured before and no source measures it now.
fn freshness(objects: &ObjectCache, selection: &Selection, timing: Timing) -> Freshness {
    let Timing {
        now_ms,
        refresh,
        measured_before,
    } = timing;
    let mut stale = Vec::new();
    let failures = [
        objects.nodes().failure.clone(),
        objects.pods().failure.clone(),
    ];
    let oldest = failures.into_iter().flatten().min_by_key(|f| f.since_ms);
    if let Some(failure) = &oldest {
        stale.push(Staleness {
            part: StalePart::Objects,
            since_ms: failure.since_ms,
            reason: failure.message.clone(),
        });
    }
    // Pods whose ReplicaSet or Job cannot be read still show, under that owner instead of
    // its Deployment or CronJob: the rollups are what is stale, not the pods.
    let owner_failures = [
        objects.replica_sets().failure.clone(),
        objects.jobs().failure.clone(),
    ];
    if let Some(failure) = owner_failures
        .into_iter()
        .flatten()
        .min_by_key(|f| f.since_ms)
    {
        stale.push(Staleness {
            part: StalePart::Owners,
            since_ms: failure.since_ms,
            reason: failure.message,
        });
    }
    let measured_now = selection.usage.as_ref().map(|u| u.measured_at_ms);
    let usage_ms = measured_now.or(measured_before);
    match (measured_now, measured_before) {
        (Some(measured), _) => {
            let interval = selection.interval.unwrap_or(refresh).max(refresh);
            let limit = i64::try_from((interval * 2).as_millis()).unwrap_or(i64::MAX);
            let age = now_ms.saturating_sub(measured);
            if age > limit {
                stale.push(Staleness {
                    part: StalePart::Usage,
                    since_ms: measured,
                    reason: format!(
                        "{} has not measured for {} s (it measures every {} s)",
                        selection.status.live.label(),
                        age / 1000,
                        interval.as_secs()
                    ),
                });
            }
        }
        (None, Some(before)) => stale.push(Staleness {
            part: StalePart::Usage,
            since_ms: before,
            reason: selection.status.fallbacks.first().map_or_else(
                || "no metrics source measures usage now".to_owned(),
                |f| f.message.clone(),
            ),
        }),
        (None, None) => {}
    }
    Freshness {
        objects_ms: oldest.map_or(now_ms, |f| f.since_ms),
        usage_ms,
        stale,
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
        ClusterView::new(info(), objects, selector, Watches::default())
    }

    async fn frame(view: &ClusterView, after: Option<Position>) -> crate::frames::Encoded {
        match view.frames(after, None).await.expect("frames") {
            Reply::Frame(f) => f,
            Reply::NothingNew => panic!("no frame"),
        }
    }

    #[tokio::test]
    async fn viewers_with_the_same_access_share_one_encoding() {
        use ktop_web_shared::frame::Live;
        let view = demo_view();
        let everything = frame(&view, None).await;
        let all = {
            let json = view.snapshot_json(None).await.expect("snapshot");
            let snap: Snapshot = serde_json::from_slice(&json).expect("json");
            namespaces(&snap.pods)
        };
        assert!(all.len() > 1, "{all:?}");
        let one = ViewerAccess {
            nodes: false,
            namespaces: Some(vec![all[0].clone()]),
        };
        let scoped = |access: &ViewerAccess| {
            let access = access.clone();
            let view = &view;
            async move {
                match view.frames(None, Some(&access)).await.expect("frames") {
                    Reply::Frame(f) => f,
                    Reply::NothingNew => panic!("no frame"),
                }
            }
        };
        let first = scoped(&one).await;
        let second = scoped(&one.clone()).await;
        assert_eq!(first.raw.as_ptr(), second.raw.as_ptr(), "made once");
        assert_ne!(first.raw.as_ptr(), everything.raw.as_ptr());

        let mut live = Live::default();
        live.apply(&first.raw).expect("a frame");
        assert_eq!(live.meta().viewer.as_ref(), Some(&one));
        assert_eq!(live.node_slots(), 0, "no nodes without the right");
        let held: Vec<String> = (0..live.pod_slots())
            .filter_map(|s| live.pod(s))
            .map(|p| p.ns)
            .collect();
        assert!(
            !held.is_empty() && held.iter().all(|ns| *ns == all[0]),
            "{held:?}"
        );

        // The same for scripts reading JSON, and for label selections.
        let json = view.snapshot_json(Some(&one)).await.expect("snapshot");
        let snap: Snapshot = serde_json::from_slice(&json).expect("json");
        assert_eq!(namespaces(&snap.pods), [all[0].clone()]);
        assert!(snap.nodes.is_empty());
        let every = view.selected_pods("app", None).expect("selects");
        let mine = view.selected_pods("app", Some(&one)).expect("selects");
        assert!(mine.pods.len() < every.pods.len());
        let prefix = format!("{}/", all[0]);
        assert!(
            mine.pods.iter().all(|k| k.starts_with(&prefix)),
            "{:?}",
            mine.pods
        );
    }

    /// `live` holds the rows of the snapshot the view serves as JSON now.
    async fn holds_the_snapshot(view: &ClusterView, live: &ktop_web_shared::frame::Live) {
        use ktop_web_shared::frame::{cpu_from_wire, cpu_to_wire, mem_from_wire, mem_to_wire};
        let json = view.snapshot_json(None).await.expect("snapshot");
        let snap: Snapshot = serde_json::from_slice(&json).expect("json");
        let pods: std::collections::HashMap<String, Option<CpuMem>> = (0..live.pod_slots())
            .filter_map(|s| Some((live.pod(s)?.key(), live.pod_usage(s))))
            .collect();
        assert_eq!(pods.len(), snap.pods.len());
        for p in &snap.pods {
            let want = p.usage().map(|u| CpuMem {
                cpu: cpu_from_wire(cpu_to_wire(u.cpu)),
                mem: mem_from_wire(mem_to_wire(u.mem)),
            });
            assert_eq!(pods.get(&p.key()), Some(&want), "{}", p.key());
        }
        let nodes: Vec<NodeRow> = (0..live.node_slots())
            .filter_map(|s| live.node(s))
            .collect();
        assert_eq!(nodes.len(), snap.nodes.len());
        for n in &snap.nodes {
            assert!(nodes.contains(n), "{}", n.name);
        }
        assert_eq!(live.meta(), &ktop_web_shared::api::FrameMeta::of(&snap));
    }

    #[tokio::test(start_paused = true)]
    async fn viewers_share_frames_that_follow_the_snapshots() {
        use ktop_web_shared::frame::{FrameKind, Live};
        use std::io::Read;
        let view = demo_view();
        let first = frame(&view, None).await;
        assert_eq!(first.kind, FrameKind::Full);
        let mut live = Live::default();
        live.apply(&first.raw).expect("a full frame applies");
        holds_the_snapshot(&view, &live).await;
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&first.gzip.clone().expect("gzipped")[..])
            .read_to_end(&mut unzipped)
            .expect("gzip");
        assert_eq!(unzipped, first.raw);

        // Made once: a second viewer gets the very same bytes.
        let joiner = frame(&view, None).await;
        assert_eq!(joiner.raw.as_ptr(), first.raw.as_ptr());

        // A viewer with the newest frame waits for the next refresh, then gets the delta.
        let asked = Instant::now();
        let next = frame(&view, Some(first.position)).await;
        assert!(asked.elapsed() >= view.fresh_for(), "{:?}", asked.elapsed());
        assert_eq!(next.kind, FrameKind::Delta);
        live.apply(&next.raw).expect("the delta follows");
        assert_eq!(live.position(), Some(next.position));
        holds_the_snapshot(&view, &live).await;
        assert!(
            next.raw.len() < first.raw.len() / 2,
            "{} vs {}",
            next.raw.len(),
            first.raw.len()
        );

        // A snapshot built for a JSON reader is news to a frame viewer: no wait.
        tokio::time::sleep(view.fresh_for()).await;
        view.snapshot_json(None).await.expect("a new snapshot");
        let asked = Instant::now();
        let newer = frame(&view, Some(next.position)).await;
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "{:?}",
            asked.elapsed()
        );
        assert_eq!(newer.kind, FrameKind::Delta);
        live.apply(&newer.raw).expect("the delta follows");
        holds_the_snapshot(&view, &live).await;
        let next = newer;

        // A viewer that fell behind, or holds another epoch, gets the full frame.
        let (epoch, seq) = next.position;
        for lost in [(epoch, seq - 2), (epoch + 1, seq - 1)] {
            let caught_up = frame(&view, Some(lost)).await;
            assert_eq!(caught_up.kind, FrameKind::Full);
            let mut fresh = Live::default();
            fresh.apply(&caught_up.raw).expect("full");
            assert_eq!(fresh.position(), live.position());
        }
    }

    #[tokio::test]
    async fn label_selections_come_from_the_watched_labels() {
        let view = demo_view();
        assert!(matches!(
            view.selected_pods(" ", None),
            Err(SelectionError::Selector(_))
        ));
        let all = view
            .selected_pods("app", None)
            .expect("every demo pod has an app");
        assert!(all.pods.len() > 50, "{}", all.pods.len());
        let postgres = view.selected_pods("app=postgres", None).expect("selects");
        assert!(!postgres.pods.is_empty());
        assert!(
            postgres.pods.iter().all(|k| k.contains("/postgres-")),
            "{postgres:?}"
        );
        let rest = view
            .selected_pods("app notin (postgres)", None)
            .expect("selects");
        assert_eq!(rest.pods.len() + postgres.pods.len(), all.pods.len());
        assert_eq!(rest.selector, "app notin (postgres)");
        assert!(matches!(
            view.selected_pods("app===", None),
            Err(SelectionError::Selector(_))
        ));
    }

    #[tokio::test]
    async fn snapshot_joins_usage_and_sums_per_node() {
        let view = demo_view();
        let json = view.snapshot_json(None).await.expect("snapshot");
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
        let a = view.snapshot_json(None).await.expect("first");
        let b = view.snapshot_json(None).await.expect("second");
        assert!(
            std::ptr::eq(a.as_ptr(), b.as_ptr()),
            "served from the cache"
        );
        tokio::time::advance(Duration::from_millis(5000)).await;
        let c = view.snapshot_json(None).await.expect("third");
        assert!(
            !std::ptr::eq(a.as_ptr(), c.as_ptr()),
            "rebuilt after the interval"
        );
    }

    /// A metrics-server stand-in that answers (after `delay`) or is unavailable, as told.
    #[derive(Default)]
    struct Switch(std::sync::atomic::AtomicBool, Duration);

    impl Switch {
        fn answer(&self, yes: bool) {
            self.0.store(yes, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[async_trait::async_trait]
    impl MetricsSource for Switch {
        fn kind(&self) -> SourceKind {
            SourceKind::MetricsServer
        }
        async fn sample(&self) -> Result<crate::source::UsageSample, crate::source::SourceError> {
            if self.0.load(std::sync::atomic::Ordering::SeqCst) {
                tokio::time::sleep(self.1).await;
                Ok(crate::source::UsageSample {
                    measured_at_ms: unix_ms(),
                    ..Default::default()
                })
            } else {
                Err(crate::source::SourceError::Unavailable("503".into()))
            }
        }
    }

    fn scripted_view(delay: Duration) -> (ClusterView, Arc<Switch>) {
        let switch = Arc::new(Switch(Default::default(), delay));
        let sources = Sources {
            metrics_server: Some(switch.clone()),
            ..Sources::default()
        };
        let selector =
            SourceSelector::new(SourceMode::MetricsServer, sources, Duration::from_secs(5));
        let objects = DemoCluster::new(1_800_000_000).object_cache();
        let view = ClusterView::new(info(), objects, selector, Watches::default());
        (view, switch)
    }

    async fn snapshot(view: &ClusterView) -> Snapshot {
        let json = view.snapshot_json(None).await.expect("snapshot");
        serde_json::from_slice(&json).expect("valid json")
    }

    fn selection(measured_at_ms: Option<i64>, interval: Option<Duration>) -> Selection {
        Selection {
            usage: measured_at_ms.map(|measured_at_ms| crate::source::UsageSample {
                measured_at_ms,
                ..Default::default()
            }),
            status: Default::default(),
            interval,
        }
    }

    /// Pods of a Deployment (through its ReplicaSet), of a CronJob (through its Job), of a
    /// ReplicaSet nobody mirrors, and a bare pod; a GPU node; quotas in two namespaces.
    fn owned_cluster() -> ObjectCache {
        use crate::objects::{NodeEntry, OwnerEntry, PodEntry};
        use ktop_web_shared::api::{Workload, add_extended};
        use ktop_web_shared::quota::Quota;
        let mut gpu = NodeRow {
            name: "gpu-1".into(),
            ..NodeRow::default()
        };
        add_extended(&mut gpu.extended_allocatable, "nvidia.com/gpu", 8);
        let pod = |ns: &str, name: &str, owner: Option<(&str, &str)>, gpus: u64| {
            let mut row = PodRow {
                ns: ns.into(),
                name: name.into(),
                node: Some("gpu-1".into()),
                phase: PodPhase::Running,
                owner: owner.map(|(kind, name)| Workload {
                    kind: kind.into(),
                    name: name.into(),
                    desired: None,
                }),
                ..PodRow::default()
            };
            if gpus > 0 {
                add_extended(&mut row.extended, "nvidia.com/gpu", gpus);
            }
            PodEntry {
                row,
                labels: Default::default(),
            }
        };
        let objects = ObjectCache::with_rows(
            vec![NodeEntry::from(gpu)],
            vec![
                pod("shop", "web-abc-1", Some(("ReplicaSet", "web-abc")), 0),
                pod("shop", "orphan-1", Some(("ReplicaSet", "orphan")), 0),
                pod("data", "etl-29-x", Some(("Job", "etl-29")), 0),
                pod("ml", "trainer-0", Some(("StatefulSet", "trainer")), 2),
                pod("ml", "debug", None, 1),
            ],
        );
        let entry = |kind: &str, name: &str, desired| OwnerEntry {
            controller: Some((kind.into(), name.into())),
            desired,
        };
        let quota = |ns: &str| Quota {
            namespace: ns.into(),
            name: format!("{ns}-quota"),
            resources: Vec::new(),
        };
        objects.replace_owners_and_quotas(
            vec![("shop/web-abc".into(), entry("Deployment", "web", Some(3)))],
            vec![("data/etl-29".into(), entry("CronJob", "etl", None))],
            vec![quota("ml"), quota("shop")],
        );
        objects
    }

    #[test]
    fn pods_name_their_workload_and_nodes_sum_extended_requests() {
        let objects = owned_cluster();
        let timing = Timing {
            now_ms: 1_800_000_000_000,
            refresh: Duration::from_secs(5),
            measured_before: None,
        };
        let s = assemble(&info(), &objects, selection(None, None), timing);
        type Named<'a> = (&'a str, Option<(&'a str, &'a str, Option<u32>)>);
        let owners: Vec<Named> = s
            .pods
            .iter()
            .map(|p| {
                let owner = p
                    .owner
                    .as_ref()
                    .map(|o| (o.kind.as_str(), o.name.as_str(), o.desired));
                (p.name.as_str(), owner)
            })
            .collect();
        assert_eq!(
            owners,
            [
                ("etl-29-x", Some(("CronJob", "etl", None))),
                ("debug", None),
                ("trainer-0", Some(("StatefulSet", "trainer", None))),
                ("orphan-1", Some(("ReplicaSet", "orphan", None))),
                ("web-abc-1", Some(("Deployment", "web", Some(3)))),
            ]
        );
        let node = &s.nodes[0];
        assert_eq!(node.extended_allocatable[0].amount, 8);
        assert_eq!(
            (
                node.extended_requests[0].name.as_str(),
                node.extended_requests[0].amount
            ),
            ("nvidia.com/gpu", 3)
        );
        assert!(s.freshness.stale.is_empty(), "{:?}", s.freshness);

        // A ReplicaSet watch that fails (RBAC taken away) says so; pods keep their rows.
        objects.fail_replica_sets("cannot watch ReplicaSets: 403 forbidden", 7);
        let s = assemble(&info(), &objects, selection(None, None), timing);
        assert_eq!(s.pods.len(), 5);
        let stale: Vec<(StalePart, i64)> = s
            .freshness
            .stale
            .iter()
            .map(|p| (p.part, p.since_ms))
            .collect();
        assert_eq!(stale, [(StalePart::Owners, 7)]);
        assert_eq!(
            s.freshness.objects_ms, timing.now_ms,
            "the objects are current"
        );
    }

    #[test]
    fn quotas_are_those_of_the_namespaces_a_viewer_sees() {
        let view_of = |objects| {
            let selector =
                SourceSelector::new(SourceMode::None, Sources::default(), Duration::from_secs(5));
            ClusterView::new(info(), objects, selector, Watches::default())
        };
        assert!(
            view_of(ObjectCache::default()).quotas(None).is_err(),
            "not listed yet: an error, not an empty list"
        );
        let view = view_of(owned_cluster());
        let names = |access: Option<&ViewerAccess>| -> Vec<String> {
            view.quotas(access)
                .expect("listed")
                .quotas
                .into_iter()
                .map(|q| q.name)
                .collect()
        };
        assert_eq!(names(None), ["ml-quota", "shop-quota"]);
        let ml_only = ViewerAccess {
            nodes: false,
            namespaces: Some(vec!["ml".into()]),
        };
        assert_eq!(names(Some(&ml_only)), ["ml-quota"]);
        let none = ViewerAccess {
            nodes: true,
            namespaces: Some(Vec::new()),
        };
        assert!(names(Some(&none)).is_empty());
    }

    #[test]
    fn usage_older_than_two_intervals_is_stale() {
        let objects = ObjectCache::default();
        let now = 1_800_000_000_000;
        let at = |measured_before| Timing {
            now_ms: now,
            refresh: Duration::from_secs(5),
            measured_before,
        };
        let fresh = freshness(&objects, &selection(Some(now - 10_000), None), at(None));
        assert_eq!(fresh.usage_ms, Some(now - 10_000));
        assert!(fresh.stale.is_empty(), "{fresh:?}");
        assert_eq!(fresh.objects_ms, now, "open watches are current now");
        let stale = freshness(&objects, &selection(Some(now - 10_001), None), at(None));
        assert_eq!(stale.stale.len(), 1, "{stale:?}");
        assert_eq!(stale.stale[0].part, StalePart::Usage);
        assert_eq!(stale.stale[0].since_ms, now - 10_001);
        // A source on its own 15 s schedule is judged by that.
        let scraped = selection(Some(now - 29_000), Some(Duration::from_secs(15)));
        assert!(freshness(&objects, &scraped, at(None)).stale.is_empty());
        let scraped = selection(Some(now - 31_000), Some(Duration::from_secs(15)));
        assert_eq!(freshness(&objects, &scraped, at(None)).stale.len(), 1);
        // A cluster that never had usage is not stale: the fallback banner says why.
        let never = freshness(&objects, &selection(None, None), at(None));
        assert_eq!((never.usage_ms, never.stale.len()), (None, 0));
        // Usage that was measured and now is not: stale since the last measurement.
        let lost = freshness(&objects, &selection(None, None), at(Some(now - 3_000)));
        assert_eq!(lost.usage_ms, Some(now - 3_000));
        assert_eq!(lost.stale.len(), 1, "{lost:?}");
        assert_eq!(lost.stale[0].since_ms, now - 3_000);
        // Measured again: current.
        let back = freshness(
            &objects,
            &selection(Some(now), None),
            at(Some(now - 60_000)),
        );
        assert!(back.stale.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_tab_polling_every_interval_gets_a_new_snapshot_every_time() {
        // A build that takes a while, and polls that come a little early.
        let (view, source) = scripted_view(Duration::from_millis(700));
        source.answer(true);
        let mut builds = Vec::new();
        for _ in 0..4 {
            let started = tokio::time::Instant::now();
            // Kept, so no later build can reuse its memory and pass for it.
            builds.push(view.snapshot_json(None).await.expect("snapshot"));
            tokio::time::sleep_until(started + Duration::from_millis(5000 - 200)).await;
        }
        let mut distinct: Vec<*const u8> = builds.iter().map(|b| b.as_ptr()).collect();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "the same snapshot twice: {distinct:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn usage_that_stops_is_stale_until_it_returns() {
        let (view, source) = scripted_view(Duration::ZERO);
        source.answer(true);
        let first = snapshot(&view).await;
        assert!(first.freshness.stale.is_empty(), "{:?}", first.freshness);
        source.answer(false);
        tokio::time::advance(Duration::from_secs(5)).await;
        let lost = snapshot(&view).await;
        assert_eq!(lost.source.live, SourceKind::None);
        assert_eq!(lost.freshness.usage_ms, first.freshness.usage_ms);
        let parts: Vec<StalePart> = lost.freshness.stale.iter().map(|s| s.part).collect();
        assert_eq!(parts, [StalePart::Usage]);
        assert!(
            lost.freshness.stale[0].reason.contains("unavailable"),
            "{:?}",
            lost.freshness
        );
        source.answer(true);
        tokio::time::advance(crate::source::MAX_BACKOFF).await;
        let back = snapshot(&view).await;
        assert_eq!(back.source.live, SourceKind::MetricsServer);
        assert!(back.freshness.stale.is_empty(), "{:?}", back.freshness);
    }

    #[tokio::test]
    async fn a_failing_watch_makes_the_objects_stale() {
        let view = demo_view();
        view.objects
            .fail_nodes("cannot watch Nodes: connection refused", 1_000);
        view.objects
            .fail_nodes("cannot watch Nodes: 403 forbidden", 2_000);
        let json = view
            .snapshot_json(None)
            .await
            .expect("rows are still served");
        let s: Snapshot = serde_json::from_slice(&json).expect("valid json");
        assert!(!s.nodes.is_empty(), "the last rows stay on screen");
        assert_eq!(s.freshness.objects_ms, 1_000, "since the first failure");
        let objects: Vec<_> = s
            .freshness
            .stale
            .iter()
            .filter(|p| p.part == StalePart::Objects)
            .collect();
        assert_eq!(objects.len(), 1, "{:?}", s.freshness);
        assert_eq!(objects[0].since_ms, 1_000);
        assert!(objects[0].reason.contains("403"), "the latest reason");
    }

    #[tokio::test]
    async fn unsynced_objects_explain_themselves() {
        let selector =
            SourceSelector::new(SourceMode::None, Sources::default(), Duration::from_secs(5));
        let view = ClusterView::new(info(), ObjectCache::default(), selector, Watches::default());
        let err = view.snapshot_json(None).await.expect_err("not synced");
        assert!(err.to_string().contains("Still loading"), "{err}");
    }
}

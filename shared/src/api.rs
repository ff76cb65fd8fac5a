//! The HTTP API's wire types: what `/api/v1/...` returns and the frontend reads.
//!
//! CPU is in nanocores and memory in bytes, as integers, so both sides agree exactly and the
//! frontend rounds only for display. Rows are flat and compact because a cluster can have
//! 30 000 pods; optional values are left out of the JSON when absent.

use serde::{Deserialize, Serialize};

/// Path prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";

/// The media type of a frame (`GET …/frames`, see [`crate::frame`]).
pub const FRAME_CONTENT_TYPE: &str = "application/vnd.ktop-web.frame";

/// The response header of a frame that says how many milliseconds after the request's
/// arrival its snapshot was built (negative: before). A long poll is answered with a
/// snapshot built while it waited; a page that counted the data's age from its request would
/// call it seconds older than it is.
pub const FRAME_TAKEN_HEADER: &str = "ktop-taken-after-request-ms";

/// Most samples kept per series: the upper bound of the server's `--history` and of the
/// browser's `?history=`, so a typo cannot exhaust the browser's memory with 30 000 pods.
pub const MAX_HISTORY: u32 = 3600;

/// `GET /api/v1/contexts`: the kubeconfig contexts this server can show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContextList {
    /// The context served when the URL names none.
    pub current: String,
    /// Every context the server serves.
    pub contexts: Vec<String>,
}

/// `GET /api/v1/contexts/{context}/snapshot`: everything a view needs for one refresh.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Which cluster and how it is read.
    pub cluster: ClusterInfo,
    /// The metrics source now in use and why.
    pub source: SourceStatus,
    /// When the proxy assembled this snapshot (Unix milliseconds).
    pub taken_at_ms: i64,
    /// Every node, sorted by name.
    pub nodes: Vec<NodeRow>,
    /// Every pod in scope, sorted by namespace and name.
    pub pods: Vec<PodRow>,
    /// How current the objects and the usage are, and what is stale.
    #[serde(default)]
    pub freshness: Freshness,
    /// What the signed-in viewer may see, when ktop-web serves each viewer by their own
    /// rights (`--auth proxy`); absent when it shows what its own credentials may read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<ViewerAccess>,
}

/// One viewer's rights over the snapshot, as the API server's RBAC answered for them: the
/// snapshot they get holds only these namespaces' pods, and nodes only if they may list them.
/// It names no one, so viewers with the same rights share one encoding.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ViewerAccess {
    /// Whether the viewer may list nodes.
    pub nodes: bool,
    /// Namespaces where the viewer may list pods, sorted (searched by [`Self::pods_of`]);
    /// `None` for every namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<Vec<String>>,
}

impl ViewerAccess {
    /// True when the viewer may see nothing at all: no nodes and no pods anywhere.
    pub fn sees_nothing(&self) -> bool {
        !self.nodes && self.namespaces.as_ref().is_some_and(Vec::is_empty)
    }

    /// The nodes of a snapshot this viewer may see.
    pub fn nodes_of<'a>(&self, nodes: &'a [NodeRow]) -> &'a [NodeRow] {
        if self.nodes { nodes } else { &[] }
    }

    /// The pods of a snapshot this viewer may see.
    pub fn pods_of<'a>(&self, pods: &'a [PodRow]) -> Vec<&'a PodRow> {
        match &self.namespaces {
            None => pods.iter().collect(),
            Some(namespaces) => pods
                .iter()
                .filter(|p| namespaces.binary_search(&p.ns).is_ok())
                .collect(),
        }
    }
}

/// What a frame carries besides its rows: the snapshot's other fields, as JSON (small, and
/// read with the same decoders as the snapshot).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameMeta {
    /// Which cluster and how it is read.
    pub cluster: ClusterInfo,
    /// The metrics source now in use and why.
    pub source: SourceStatus,
    /// When the proxy assembled the snapshot (Unix milliseconds).
    pub taken_at_ms: i64,
    /// How current the objects and the usage are, and what is stale.
    pub freshness: Freshness,
    /// What the signed-in viewer may see (see [`Snapshot::viewer`]).
    pub viewer: Option<ViewerAccess>,
}

impl FrameMeta {
    /// The fields of `s` that are not rows.
    pub fn of(s: &Snapshot) -> Self {
        Self {
            cluster: s.cluster.clone(),
            source: s.source.clone(),
            taken_at_ms: s.taken_at_ms,
            freshness: s.freshness.clone(),
            viewer: s.viewer.clone(),
        }
    }
}

/// How old each part of a snapshot is. The proxy judges it, since only it knows whether its
/// watches are open and how often its source measures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Freshness {
    /// Until when the nodes and pods are known to be current (Unix milliseconds): the
    /// snapshot's time while every watch is open, else when the first watch failed.
    pub objects_ms: i64,
    /// When usage was last measured (Unix milliseconds), kept while no source measures it
    /// now; `None` when it never was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_ms: Option<i64>,
    /// The parts that are stale; empty when everything is current.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<Staleness>,
}

/// One part of a snapshot that is not current, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Staleness {
    /// Which part.
    pub part: StalePart,
    /// The newest moment this part is known to be current (Unix milliseconds).
    pub since_ms: i64,
    /// What went wrong, for people.
    pub reason: String,
}

/// The parts of a snapshot whose age is tracked.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StalePart {
    /// Nodes and pods (the watches).
    #[default]
    Objects,
    /// CPU, memory and throughput (the metrics source).
    Usage,
    /// The ReplicaSets and Jobs that lead a pod to its workload.
    Owners,
}

/// The cluster and the settings the server runs with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    /// Kubeconfig context name (`demo` in demo mode).
    pub context: String,
    /// API server URL.
    pub server: String,
    /// Kubeconfig user (`in-cluster` or `demo` where there is none).
    pub user: String,
    /// The one namespace in scope; `None` for all namespaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// How often the proxy samples, in milliseconds.
    pub refresh_ms: u64,
    /// Samples kept per series by default.
    pub history: u32,
    /// True when the data is simulated (`--demo`).
    pub demo: bool,
}

/// A metrics source, as configured or as live.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// `metrics.k8s.io` served by metrics-server.
    MetricsServer,
    /// Kubelet and cAdvisor metrics through the API server's node proxy.
    Prometheus,
    /// No usage: requests and limits only.
    #[default]
    None,
    /// The simulated in-process cluster.
    Demo,
}

impl SourceKind {
    /// The kebab-case name, as on the wire (`metrics-server`, `none`, …); spelled out so the
    /// browser needs no serializer to get it.
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::MetricsServer => "metrics-server",
            SourceKind::Prometheus => "prometheus",
            SourceKind::None => "none",
            SourceKind::Demo => "demo",
        }
    }

    /// Name as shown to users and accepted by `--metrics-source`.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::MetricsServer => "metrics-server",
            SourceKind::Prometheus => "prometheus",
            SourceKind::None => "requests/limits only",
            SourceKind::Demo => "DEMO",
        }
    }
}

/// What the user asked for with `--metrics-source`.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceMode {
    /// Best available: prometheus → metrics-server → requests/limits.
    #[default]
    Auto,
    /// metrics-server, falling back to requests/limits while it is unavailable.
    MetricsServer,
    /// Kubelet scraping.
    Prometheus,
    /// Requests and limits only.
    None,
    /// Simulated data.
    Demo,
}

/// Which source is live and, when it is not the preferred one, why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// The mode requested on the command line.
    pub mode: SourceMode,
    /// The source whose numbers this snapshot shows.
    pub live: SourceKind,
    /// Set while a preferred source is skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<Fallback>,
    /// Time of the newest usage sample (Unix milliseconds), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sample_ms: Option<i64>,
    /// True when the live source measures network and disk throughput (prometheus with its
    /// cadvisor component); the UI shows those columns only then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub io: bool,
    /// True when the live source measures pressure stalls (PSI: the kubelet's cAdvisor on
    /// Kubernetes 1.34+ with the feature on); the UI shows the stall columns only then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub psi: bool,
}

/// A preferred source that is not live, with the reason in plain words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fallback {
    /// The source that was skipped.
    pub source: SourceKind,
    /// The kind of failure.
    pub reason: FallbackReason,
    /// What happened, for people.
    pub message: String,
    /// What to do about it.
    pub hint: String,
    /// When the source is tried again (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at_ms: Option<i64>,
}

/// Why a source is not live.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FallbackReason {
    /// The API is not registered (404 or absent from discovery).
    NotInstalled,
    /// The API is registered but its backend does not answer (503).
    Unavailable,
    /// RBAC denies the read (403).
    Forbidden,
    /// The read did not finish within its deadline.
    Timeout,
    /// The source answers but has no numbers yet (rates need a second scrape).
    Starting,
    /// Anything else; the message says what.
    #[default]
    Error,
}

/// CPU and memory together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuMem {
    /// Nanocores.
    pub cpu: u64,
    /// Bytes.
    pub mem: u64,
}

impl std::ops::Add for CpuMem {
    type Output = CpuMem;
    fn add(self, o: CpuMem) -> CpuMem {
        CpuMem {
            cpu: self.cpu.saturating_add(o.cpu),
            mem: self.mem.saturating_add(o.mem),
        }
    }
}

impl std::iter::Sum for CpuMem {
    fn sum<I: Iterator<Item = CpuMem>>(iter: I) -> CpuMem {
        iter.fold(CpuMem::default(), |a, b| a + b)
    }
}

/// A measured usage with the time and window metrics-server reports.
///
/// On the wire its fields are flat (`{"cpu":…,"mem":…,"ts_ms":…,"window_ms":…}`). That goes
/// through [`FlatUsage`] rather than `#[serde(flatten)]`, which buffers every field, and the
/// browser's decoder reads the same `FlatUsage`.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "FlatUsage", into = "FlatUsage")]
pub struct Usage {
    /// Nanocores and bytes.
    pub value: CpuMem,
    /// End of the sampling window (Unix milliseconds).
    pub ts_ms: i64,
    /// Length of the sampling window in milliseconds.
    pub window_ms: u64,
}

/// [`Usage`] as it travels.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct FlatUsage {
    pub(crate) cpu: u64,
    pub(crate) mem: u64,
    pub(crate) ts_ms: i64,
    pub(crate) window_ms: u64,
}

impl From<FlatUsage> for Usage {
    fn from(f: FlatUsage) -> Usage {
        Usage {
            value: CpuMem {
                cpu: f.cpu,
                mem: f.mem,
            },
            ts_ms: f.ts_ms,
            window_ms: f.window_ms,
        }
    }
}

impl From<Usage> for FlatUsage {
    fn from(u: Usage) -> FlatUsage {
        FlatUsage {
            cpu: u.value.cpu,
            mem: u.value.mem,
            ts_ms: u.ts_ms,
            window_ms: u.window_ms,
        }
    }
}

/// Node readiness from its `Ready` condition.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Readiness {
    /// `Ready=True`.
    Ready,
    /// `Ready=False`.
    NotReady,
    /// No `Ready` condition or `Ready=Unknown`.
    #[default]
    Unknown,
}

/// A node condition that is not in its healthy state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// e.g. `MemoryPressure`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Short machine reason, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One node, compact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeRow {
    /// Node name.
    pub name: String,
    /// From `node-role.kubernetes.io/<role>` labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Ready condition.
    pub ready: Readiness,
    /// Cordoned.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unschedulable: bool,
    /// Conditions that are not in their healthy state (pressure, network unavailable …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet_version: String,
    /// Creation time (Unix seconds).
    pub created_s: i64,
    /// Total resources.
    pub capacity: CpuMem,
    /// Resources available to pods.
    pub allocatable: CpuMem,
    /// Pod slots (`allocatable.pods`).
    pub pod_capacity: u32,
    /// Non-terminated pods bound to the node.
    pub pods: u32,
    /// Sum of those pods' requests.
    pub requests: CpuMem,
    /// Sum of those pods' limits (containers without a limit count as zero, as kubectl does).
    pub limits: CpuMem,
    /// Measured usage; absent without a metrics source or before the first sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Network and disk throughput of the whole node (root cgroup), where the source has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<Io>,
    /// Extended resources the node offers to pods (`nvidia.com/gpu`, …), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extended_allocatable: Vec<ExtendedResource>,
    /// Extended resources its non-terminated pods request, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extended_requests: Vec<ExtendedResource>,
    /// How much of the time tasks waited for CPU, memory or I/O (the root cgroup's PSI),
    /// where the source measures it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall: Option<Stall>,
}

/// Pressure stall information over the sample's window: the share of time at least one task
/// waited for a resource ("some" in the kernel's words), in basis points (10,000 = always).
/// A resource is absent where the source has no series for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stall {
    /// Waiting for CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u64>,
    /// Waiting for memory (reclaim, swap-in, refaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Waiting for block I/O.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<u64>,
}

/// An amount of an extended resource (`nvidia.com/gpu`, `amd.com/gpu`, …): a device or other
/// resource a plugin advertises. Kubernetes allows only whole numbers of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedResource {
    /// Its fully qualified name.
    pub name: String,
    /// How many.
    pub amount: u64,
}

/// Adds `amount` of `name` to a list kept sorted by name.
pub fn add_extended(list: &mut Vec<ExtendedResource>, name: &str, amount: u64) {
    match list.binary_search_by(|e| e.name.as_str().cmp(name)) {
        Ok(i) => list[i].amount = list[i].amount.saturating_add(amount),
        Err(i) => list.insert(
            i,
            ExtendedResource {
                name: name.to_owned(),
                amount,
            },
        ),
    }
}

/// The workload a pod belongs to: its controller followed up to the top (a Deployment through
/// its ReplicaSet, a CronJob through its Job), so pods of one workload group together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, `ReplicaSet`, or the kind of
    /// any other controller.
    pub kind: String,
    /// Its name, in the pod's namespace.
    pub name: String,
    /// The pods it wants, where its metadata says (a Deployment's ReplicaSet does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<u32>,
}

/// Network and disk throughput in bytes per second, as rates between two scrapes of the
/// kubelet's cumulative counters. A direction is absent where the source has no series for it
/// (a host-network pod has no network of its own), which the UI shows as unknown, not zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Io {
    /// Network bytes received per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rx: Option<u64>,
    /// Network bytes transmitted per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<u64>,
    /// Filesystem bytes read per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<u64>,
    /// Filesystem bytes written per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<u64>,
}

impl std::ops::Add for Io {
    type Output = Io;
    /// Sums each direction that either side knows; unknown stays unknown only on both sides.
    fn add(self, o: Io) -> Io {
        let sum = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            (a, b) => a.or(b),
        };
        Io {
            rx: sum(self.rx, o.rx),
            tx: sum(self.tx, o.tx),
            read: sum(self.read, o.read),
            write: sum(self.write, o.write),
        }
    }
}

/// Pod lifecycle phase.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PodPhase {
    /// Accepted, not all containers running.
    Pending,
    /// Bound and at least one container running.
    Running,
    /// All containers exited successfully.
    Succeeded,
    /// All containers exited, at least one failed.
    Failed,
    /// State could not be obtained.
    #[default]
    Unknown,
}

/// One container of a pod.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerRow {
    /// Container name.
    pub name: String,
    /// Requests; absent fields mean no request.
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub requests: Resources,
    /// Limits; absent fields mean unlimited.
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub limits: Resources,
    /// Measured usage, when the source has a sample for this container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<CpuMem>,
}

/// Requests or limits, where each resource may be unset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// Nanocores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u64>,
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<u64>,
}

impl Resources {
    /// True when neither resource is set.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.mem.is_none()
    }

    /// Unset resources as zero, the way node totals count them.
    pub fn or_zero(&self) -> CpuMem {
        CpuMem {
            cpu: self.cpu.unwrap_or(0),
            mem: self.mem.unwrap_or(0),
        }
    }
}

/// Adds per resource; a resource stays unset only when it is unset on both sides.
impl std::ops::Add for Resources {
    type Output = Resources;
    fn add(self, o: Resources) -> Resources {
        let add = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        Resources {
            cpu: add(self.cpu, o.cpu),
            mem: add(self.mem, o.mem),
        }
    }
}

impl std::iter::Sum for Resources {
    fn sum<I: Iterator<Item = Resources>>(iter: I) -> Resources {
        iter.fold(Resources::default(), |a, b| a + b)
    }
}

/// One pod, compact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PodRow {
    /// Namespace.
    pub ns: String,
    /// Pod name.
    pub name: String,
    /// Node it is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Phase.
    pub phase: PodPhase,
    /// Why it is in that state (`CrashLoopBackOff`, `Unschedulable`, …), kubectl-style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Sum of container restart counts.
    pub restarts: u32,
    /// Creation time (Unix seconds).
    pub created_s: i64,
    /// App containers in spec order.
    pub containers: Vec<ContainerRow>,
    /// Effective pod requests (max of init containers and the sum of app containers, plus
    /// overhead), as the scheduler counts them.
    pub requests: Resources,
    /// Effective pod limits, each set only when every container sets it.
    #[serde(default, skip_serializing_if = "Resources::is_empty")]
    pub limits: Resources,
    /// Time and window of the pod's usage sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<SampleTime>,
    /// Network (the pod sandbox's) and disk (summed over containers) throughput, where the
    /// source has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io: Option<Io>,
    /// Its workload; `None` for a pod no controller owns (or a node's static pod).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Workload>,
    /// The pod's `Ready` condition is `True`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ready: bool,
    /// Extended resources the pod requests (`nvidia.com/gpu`, …), sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extended: Vec<ExtendedResource>,
    /// How much of the time the pod's tasks waited (its cgroup's PSI), where the source
    /// measures it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall: Option<Stall>,
}

/// When a usage sample was taken.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleTime {
    /// End of the window (Unix milliseconds).
    pub ts_ms: i64,
    /// Window length in milliseconds.
    pub window_ms: u64,
}

impl PodRow {
    /// Summed container usage; `None` until the pod has a sample.
    pub fn usage(&self) -> Option<CpuMem> {
        self.sample?;
        self.containers.iter().map(|c| c.usage).sum()
    }

    /// `namespace/name`, unique within a cluster.
    pub fn key(&self) -> String {
        format!("{}/{}", self.ns, self.name)
    }

    /// Text for the status column: the reason when there is one, else the phase.
    pub fn status(&self) -> &str {
        match (&self.reason, self.phase) {
            (Some(reason), _) => reason,
            (None, PodPhase::Pending) => "Pending",
            (None, PodPhase::Running) => "Running",
            (None, PodPhase::Succeeded) => "Succeeded",
            (None, PodPhase::Failed) => "Failed",
            (None, PodPhase::Unknown) => "Unknown",
        }
    }
}

/// `GET /api/v1/contexts/{context}/pods?selector=…`: the pods a label selector matches, by
/// key (`namespace/name`). Keys only: the rows and their history are in the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SelectedPods {
    /// The selector, as asked; the browser drops answers to a selector no longer shown.
    pub selector: String,
    /// Matching pods, sorted.
    pub pods: Vec<String>,
}

/// Body of every API error response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, for people.
    pub message: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_keys_are_the_wire_names() {
        for kind in [
            SourceKind::MetricsServer,
            SourceKind::Prometheus,
            SourceKind::None,
            SourceKind::Demo,
        ] {
            let wire = serde_json::to_string(&kind).expect("serializes");
            assert_eq!(wire, format!("\"{}\"", kind.key()));
        }
    }

    #[test]
    fn usage_travels_flat() {
        let usage = Usage {
            value: CpuMem {
                cpu: 250,
                mem: 1024,
            },
            ts_ms: 1_700_000_000_000,
            window_ms: 15_000,
        };
        let json = serde_json::to_string(&usage).expect("serializes");
        assert_eq!(
            json,
            r#"{"cpu":250,"mem":1024,"ts_ms":1700000000000,"window_ms":15000}"#
        );
        assert_eq!(serde_json::from_str::<Usage>(&json).expect("parses"), usage);
        assert!(serde_json::from_str::<Usage>(r#"{"cpu":1,"mem":2,"ts_ms":3}"#).is_err());
    }

    fn pod(usages: &[Option<CpuMem>], sampled: bool) -> PodRow {
        PodRow {
            ns: "shop".into(),
            name: "cart-1".into(),
            node: Some("node-1".into()),
            phase: PodPhase::Running,
            reason: None,
            restarts: 0,
            created_s: 0,
            containers: usages
                .iter()
                .enumerate()
                .map(|(i, u)| ContainerRow {
                    name: format!("c{i}"),
                    requests: Resources::default(),
                    limits: Resources::default(),
                    usage: *u,
                })
                .collect(),
            requests: Resources::default(),
            limits: Resources::default(),
            sample: sampled.then_some(SampleTime {
                ts_ms: 1,
                window_ms: 15_000,
            }),
            ..PodRow::default()
        }
    }

    #[test]
    fn pod_usage_sums_containers_once_sampled() {
        let a = CpuMem { cpu: 5, mem: 7 };
        let b = CpuMem { cpu: 1, mem: 2 };
        assert_eq!(
            pod(&[Some(a), Some(b)], true).usage(),
            Some(CpuMem { cpu: 6, mem: 9 })
        );
        assert_eq!(pod(&[Some(a)], false).usage(), None, "no sample yet");
        assert_eq!(pod(&[Some(a), None], true).usage(), None, "partial sample");
    }

    #[test]
    fn resources_add_keeps_unset_only_when_both_are() {
        let cpu = Resources {
            cpu: Some(5),
            mem: None,
        };
        let mem = Resources {
            cpu: None,
            mem: Some(7),
        };
        assert_eq!(
            cpu + mem,
            Resources {
                cpu: Some(5),
                mem: Some(7)
            }
        );
        assert_eq!(
            Resources::default() + Resources::default(),
            Resources::default()
        );
        assert_eq!(
            [cpu, cpu].into_iter().sum::<Resources>(),
            Resources {
                cpu: Some(10),
                mem: None
            }
        );
    }

    #[test]
    fn status_prefers_reason() {
        let mut p = pod(&[], false);
        assert_eq!(p.status(), "Running");
        p.reason = Some("CrashLoopBackOff".into());
        assert_eq!(p.status(), "CrashLoopBackOff");
        assert_eq!(p.key(), "shop/cart-1");
    }

    #[test]
    fn absent_values_stay_out_of_the_json() {
        let json = serde_json::to_string(&pod(&[None], false)).expect("serializes");
        assert!(!json.contains("usage"), "{json}");
        assert!(!json.contains("limits"), "{json}");
        assert!(!json.contains("sample"), "{json}");
        let back: PodRow = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, pod(&[None], false));
    }

    #[test]
    fn enums_use_kebab_case() {
        let s = serde_json::to_string(&SourceKind::MetricsServer).expect("serializes");
        assert_eq!(s, "\"metrics-server\"");
        let r: FallbackReason = serde_json::from_str("\"not-installed\"").expect("parses");
        assert_eq!(r, FallbackReason::NotInstalled);
    }
}

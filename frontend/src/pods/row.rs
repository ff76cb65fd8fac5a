//! A pod as the pods table shows it: what changes only with the pod, derived once when its
//! object arrives, and each refresh's usage beside it.

use std::ops::Deref;
use std::sync::Arc;

use ktop_web_shared::api::{ContainerRow, CpuMem, Io, PodPhase, PodRow, Stall};

/// What the table shows of a pod that changes only when the pod does: the pod's object as
/// the frames brought it (shared with the frame decoder, not copied) and what is derived
/// from it.
#[derive(Debug, Clone)]
pub struct PodInfo {
    row: Arc<PodRow>,
    /// The slot its frames give the pod: stable while the pod stays.
    pub slot: u32,
    /// `namespace/name`; shared, as the table's row keys are clones of it.
    pub key: Arc<str>,
    /// Its workload's key, `namespace/Kind/name` (a bare pod is its own workload, of kind
    /// `Pod`).
    pub workload: Arc<str>,
    /// Status text (reason or phase).
    pub status: String,
    /// Lower-cased namespace, name, node and status, for the text filter.
    haystack: String,
}

/// The object's fields (`ns`, `name`, `node`, `requests`, …) read through the info.
impl Deref for PodInfo {
    type Target = PodRow;

    fn deref(&self) -> &PodRow {
        &self.row
    }
}

impl PodInfo {
    /// Derives what the table needs from a pod's object in `slot` (its usage, if any, is not
    /// read).
    pub fn new(row: Arc<PodRow>, slot: u32) -> PodInfo {
        let status = row.status().to_owned();
        // Separators no query contains keep matches inside one field. Kubernetes names are
        // ASCII, so ASCII case folding is enough.
        let haystack = format!(
            "{}\n{}\n{}\n{}",
            row.ns,
            row.name,
            row.node.as_deref().unwrap_or(""),
            status
        )
        .to_ascii_lowercase();
        let workload = match &row.owner {
            Some(o) => format!("{}/{}/{}", row.ns, o.kind, o.name),
            None => format!("{}/Pod/{}", row.ns, row.name),
        };
        PodInfo {
            slot,
            key: Arc::from(row.key()),
            workload: Arc::from(workload),
            row,
            status,
            haystack,
        }
    }

    /// True when namespace, name, node or status contains `needle` (already ASCII lower-case).
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty() || self.haystack.contains(needle)
    }

    /// The status text's colour class.
    pub fn status_class(&self) -> &'static str {
        match (self.phase, self.status.as_str()) {
            (PodPhase::Running, "Running") => "status-ok",
            (PodPhase::Succeeded, _) | (_, "Completed") => "status-done",
            (_, "Terminating")
            | (PodPhase::Pending, "Pending" | "ContainerCreating" | "PodInitializing") => {
                "status-warn"
            }
            (PodPhase::Running, _) | (PodPhase::Pending, _) => "status-bad",
            (PodPhase::Failed | PodPhase::Unknown, _) => "status-bad",
        }
    }
}

/// One row of the pods table: the pod, shared between refreshes, and this refresh's numbers.
/// Making one allocates nothing per pod but the row itself.
#[derive(Debug, Clone)]
pub struct PodView {
    info: Arc<PodInfo>,
    /// Summed usage; `None` until the pod has a sample.
    pub usage: Option<CpuMem>,
    /// Network and disk throughput.
    pub io: Option<Io>,
    /// Pressure stalls of the pod's cgroup.
    pub stall: Option<Stall>,
    /// Seconds since creation.
    pub age_s: i64,
    /// Usage per container, for pods with more than one.
    container_usage: Option<Arc<[Option<CpuMem>]>>,
}

/// Rows are equal when they share their pod (a changed pod is derived anew) and have the
/// same numbers: comparing shared parts field by field would cost every visible row a walk
/// over its strings each refresh.
impl PartialEq for PodView {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.info, &other.info)
            && self.usage == other.usage
            && self.io == other.io
            && self.stall == other.stall
            && self.age_s == other.age_s
            && self.container_usage == other.container_usage
    }
}

impl Deref for PodView {
    type Target = PodInfo;

    fn deref(&self) -> &PodInfo {
        &self.info
    }
}

impl PodView {
    /// The row of `info` in a refresh taken at `now_s`; `container_usage` is read only for
    /// pods with more than one container.
    pub fn new(
        info: Arc<PodInfo>,
        (usage, io, stall): (Option<CpuMem>, Option<Io>, Option<Stall>),
        container_usage: impl FnOnce() -> Arc<[Option<CpuMem>]>,
        now_s: i64,
    ) -> PodView {
        let container_usage = (info.containers.len() > 1).then(container_usage);
        PodView {
            age_s: now_s.saturating_sub(info.created_s),
            info,
            usage,
            io,
            stall,
            container_usage,
        }
    }

    /// The pod's shared part.
    #[cfg(test)]
    pub fn info(&self) -> &Arc<PodInfo> {
        &self.info
    }

    /// Containers with their requests, limits and usage, for the pod page.
    pub fn containers(&self) -> Vec<ContainerRow> {
        let mut containers = self.info.containers.clone();
        match (containers.as_mut_slice(), &self.container_usage) {
            ([only], _) => only.usage = self.usage,
            (many, Some(usage)) => {
                for (c, u) in many.iter_mut().zip(usage.iter()) {
                    c.usage = *u;
                }
            }
            _ => {}
        }
        containers
    }

    /// CPU usage in nanocores.
    pub fn cpu(&self) -> Option<u64> {
        self.usage.map(|u| u.cpu)
    }

    /// Memory usage in bytes.
    pub fn mem(&self) -> Option<u64> {
        self.usage.map(|u| u.mem)
    }

    /// CPU usage as a percentage of the CPU request.
    pub fn cpu_req_pct(&self) -> Option<f64> {
        pct(self.cpu(), self.requests.cpu)
    }

    /// Memory usage as a percentage of the memory request.
    pub fn mem_req_pct(&self) -> Option<f64> {
        pct(self.mem(), self.requests.mem)
    }

    /// CPU usage as a percentage of the CPU limit.
    pub fn cpu_lim_pct(&self) -> Option<f64> {
        pct(self.cpu(), self.limits.cpu)
    }

    /// Memory usage as a percentage of the memory limit.
    pub fn mem_lim_pct(&self) -> Option<f64> {
        pct(self.mem(), self.limits.mem)
    }

    /// The row of a pod as a snapshot has it, for tests.
    #[cfg(test)]
    pub fn from_row(row: &PodRow, now_s: i64) -> PodView {
        let each = || row.containers.iter().map(|c| c.usage).collect();
        PodView::new(
            Arc::new(PodInfo::new(Arc::new(row.clone()), 0)),
            (row.usage(), row.io, row.stall),
            each,
            now_s,
        )
    }
}

fn pct(part: Option<u64>, whole: Option<u64>) -> Option<f64> {
    ktop_web_shared::format::percent(part?, whole?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ktop_web_shared::api::{ContainerRow, Resources, SampleTime};

    /// A running pod using `cpu` nanocores and `mem` bytes (no sample when `None`).
    pub(crate) fn pod(ns: &str, name: &str, usage: Option<(u64, u64)>) -> PodRow {
        PodRow {
            ns: ns.into(),
            name: name.into(),
            node: Some("node-1".into()),
            phase: PodPhase::Running,
            reason: None,
            restarts: 0,
            created_s: 0,
            containers: vec![ContainerRow {
                name: "main".into(),
                requests: Resources::default(),
                limits: Resources::default(),
                usage: usage.map(|(cpu, mem)| CpuMem { cpu, mem }),
            }],
            requests: Resources {
                cpu: Some(100_000_000),
                mem: None,
            },
            limits: Resources {
                cpu: Some(200_000_000),
                mem: Some(256 << 20),
            },
            sample: usage.map(|_| SampleTime {
                ts_ms: 0,
                window_ms: 15_000,
            }),
            ..PodRow::default()
        }
    }

    #[test]
    fn percentages_of_requests_and_limits() {
        let v = PodView::from_row(&pod("shop", "cart-1", Some((50_000_000, 128 << 20))), 30);
        assert_eq!(&*v.key, "shop/cart-1");
        assert_eq!(v.cpu_req_pct(), Some(50.0));
        assert_eq!(v.cpu_lim_pct(), Some(25.0));
        assert_eq!(v.mem_req_pct(), None, "no memory request");
        assert_eq!(v.mem_lim_pct(), Some(50.0));
        assert_eq!(v.age_s, 30);
        let fresh = PodView::from_row(&pod("shop", "cart-2", None), 0);
        assert_eq!(fresh.cpu(), None, "no sample yet");
        assert_eq!(fresh.cpu_req_pct(), None);
    }

    #[test]
    fn filter_matches_fields_case_insensitively() {
        let v = PodView::from_row(&pod("Shop", "cart-1", None), 0);
        assert!(v.matches("shop"));
        assert!(v.matches("art-"));
        assert!(v.matches("node-1"));
        assert!(v.matches("running"));
        assert!(v.matches(""));
        assert!(!v.matches("shopcart"), "no match across fields");
        assert!(!v.matches("nothing"));
    }

    #[test]
    fn status_colours() {
        let mut row = pod("a", "b", None);
        assert_eq!(PodView::from_row(&row, 0).status_class(), "status-ok");
        row.reason = Some("CrashLoopBackOff".into());
        assert_eq!(PodView::from_row(&row, 0).status_class(), "status-bad");
        row.reason = None;
        row.phase = PodPhase::Pending;
        assert_eq!(PodView::from_row(&row, 0).status_class(), "status-warn");
        row.phase = PodPhase::Succeeded;
        assert_eq!(PodView::from_row(&row, 0).status_class(), "status-done");
    }
}

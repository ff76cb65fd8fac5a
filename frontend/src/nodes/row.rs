//! A node as the nodes table shows it, derived once per refresh.

use std::sync::Arc;

use ktop_web_shared::api::{Condition, CpuMem, Io, NodeRow, Readiness, Stall};
use ktop_web_shared::format::percent;

use crate::table::gpus::gpus;

/// One row of the nodes table.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    /// The slot its frames give the node: stable while the node stays.
    pub slot: u32,
    /// Node name; shared, as the table's row keys are clones of it.
    pub name: Arc<str>,
    /// kubectl-style status: `Ready`, `NotReady` or `Unknown`, plus `,SchedulingDisabled`.
    pub status: String,
    /// Ready condition.
    pub ready: Readiness,
    /// Roles joined with commas, `<none>` without any (as kubectl prints).
    pub roles: String,
    /// Unhealthy conditions in words, for the status tooltip.
    pub problems: String,
    /// The resources the node is short of, as its true pressure conditions say:
    /// `Memory,Disk,PID`, empty when none.
    pub pressure: String,
    /// Kubelet version.
    pub kubelet_version: String,
    /// Measured usage.
    pub usage: Option<CpuMem>,
    /// Network and disk throughput of the whole node.
    pub io: Option<Io>,
    /// Pressure stalls of the whole node.
    pub stall: Option<Stall>,
    /// Resources available to pods.
    pub allocatable: CpuMem,
    /// Summed pod requests.
    pub requests: CpuMem,
    /// Summed pod limits.
    pub limits: CpuMem,
    /// GPUs its pods request and GPUs it has; `None` when it has none and none are asked of it.
    pub gpus: Option<(u64, u64)>,
    /// True when it has extended resources or its pods request some.
    pub extended: bool,
    /// Pods on the node.
    pub pods: u32,
    /// Pod slots.
    pub pod_capacity: u32,
    /// Seconds since creation.
    pub age_s: i64,
}

/// The pressure conditions that are `True`, in kubelet order, named by their resource.
fn pressure(conditions: &[Condition]) -> String {
    ["Memory", "Disk", "PID"]
        .into_iter()
        .filter(|resource| {
            conditions
                .iter()
                .any(|c| c.status == "True" && c.kind.strip_suffix("Pressure") == Some(resource))
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl NodeView {
    /// Derives the row of a node's object in `slot` with its usage and throughput; `now_s`
    /// is the snapshot time for the age.
    pub fn new(
        row: &NodeRow,
        slot: u32,
        (usage, io, stall): (Option<CpuMem>, Option<Io>, Option<Stall>),
        now_s: i64,
    ) -> NodeView {
        let mut status = match row.ready {
            Readiness::Ready => "Ready",
            Readiness::NotReady => "NotReady",
            Readiness::Unknown => "Unknown",
        }
        .to_owned();
        if row.unschedulable {
            status.push_str(",SchedulingDisabled");
        }
        let roles = if row.roles.is_empty() {
            "<none>".to_owned()
        } else {
            row.roles.join(",")
        };
        let problems = row
            .conditions
            .iter()
            .map(|c| match &c.reason {
                Some(reason) => format!("{}={} ({reason})", c.kind, c.status),
                None => format!("{}={}", c.kind, c.status),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let gpus = (
            gpus(&row.extended_requests),
            gpus(&row.extended_allocatable),
        );
        NodeView {
            slot,
            pressure: pressure(&row.conditions),
            name: Arc::from(row.name.as_str()),
            status,
            ready: row.ready,
            roles,
            problems,
            kubelet_version: row.kubelet_version.clone(),
            usage,
            io,
            stall,
            allocatable: row.allocatable,
            requests: row.requests,
            limits: row.limits,
            gpus: (gpus != (0, 0)).then_some(gpus),
            extended: !(row.extended_allocatable.is_empty() && row.extended_requests.is_empty()),
            pods: row.pods,
            pod_capacity: row.pod_capacity,
            age_s: now_s.saturating_sub(row.created_s),
        }
    }

    /// The row of a node as a snapshot has it, for tests.
    #[cfg(test)]
    pub fn from_row(row: &NodeRow, now_s: i64) -> NodeView {
        NodeView::new(
            row,
            0,
            (row.usage.map(|u| u.value), row.io, row.stall),
            now_s,
        )
    }

    /// CPU usage in nanocores.
    pub fn cpu(&self) -> Option<u64> {
        self.usage.map(|u| u.cpu)
    }

    /// Memory usage in bytes.
    pub fn mem(&self) -> Option<u64> {
        self.usage.map(|u| u.mem)
    }

    /// CPU usage as a percentage of allocatable.
    pub fn cpu_pct(&self) -> Option<f64> {
        percent(self.cpu()?, self.allocatable.cpu)
    }

    /// Memory usage as a percentage of allocatable.
    pub fn mem_pct(&self) -> Option<f64> {
        percent(self.mem()?, self.allocatable.mem)
    }

    /// The status text's colour class.
    pub fn status_class(&self) -> &'static str {
        match self.ready {
            Readiness::Ready if self.problems.is_empty() => "status-ok",
            Readiness::Ready => "status-warn",
            Readiness::NotReady | Readiness::Unknown => "status-bad",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::api::Usage;

    fn row() -> NodeRow {
        NodeRow {
            name: "node-1".into(),
            roles: vec![],
            ready: Readiness::Ready,
            unschedulable: false,
            conditions: vec![],
            kubelet_version: "v1.31.0".into(),
            created_s: 1_000,
            capacity: CpuMem {
                cpu: 4_000_000_000,
                mem: 8 << 30,
            },
            allocatable: CpuMem {
                cpu: 4_000_000_000,
                mem: 8 << 30,
            },
            pod_capacity: 110,
            pods: 12,
            requests: CpuMem::default(),
            limits: CpuMem::default(),
            ..NodeRow::default()
        }
    }

    #[test]
    fn status_and_roles_like_kubectl() {
        let mut r = row();
        assert_eq!(NodeView::from_row(&r, 1_060).status, "Ready");
        assert_eq!(NodeView::from_row(&r, 1_060).roles, "<none>");
        assert_eq!(NodeView::from_row(&r, 1_060).age_s, 60);
        r.unschedulable = true;
        r.ready = Readiness::NotReady;
        r.roles = vec!["control-plane".into(), "worker".into()];
        let v = NodeView::from_row(&r, 0);
        assert_eq!(v.status, "NotReady,SchedulingDisabled");
        assert_eq!(v.roles, "control-plane,worker");
        assert_eq!(v.status_class(), "status-bad");
    }

    #[test]
    fn usage_percent_of_allocatable() {
        let mut r = row();
        assert_eq!(NodeView::from_row(&r, 0).cpu_pct(), None);
        r.usage = Some(Usage {
            value: CpuMem {
                cpu: 1_000_000_000,
                mem: 2 << 30,
            },
            ts_ms: 0,
            window_ms: 0,
        });
        r.conditions = vec![Condition {
            kind: "MemoryPressure".into(),
            status: "True".into(),
            reason: None,
        }];
        let v = NodeView::from_row(&r, 0);
        assert_eq!(v.cpu_pct(), Some(25.0));
        assert_eq!(v.mem_pct(), Some(25.0));
        assert_eq!(v.problems, "MemoryPressure=True");
        assert_eq!(v.status_class(), "status-warn");
    }

    #[test]
    fn gpus_requested_of_allocatable() {
        let gpu = |amount| {
            vec![ktop_web_shared::api::ExtendedResource {
                name: "nvidia.com/gpu".into(),
                amount,
            }]
        };
        let mut r = row();
        let v = NodeView::from_row(&r, 0);
        assert_eq!((v.gpus, v.extended), (None, false));
        r.extended_allocatable = gpu(8);
        assert_eq!(NodeView::from_row(&r, 0).gpus, Some((0, 8)));
        r.extended_requests = gpu(3);
        let v = NodeView::from_row(&r, 0);
        assert_eq!((v.gpus, v.extended), (Some((3, 8)), true));
    }

    #[test]
    fn pressure_names_the_true_pressure_conditions() {
        let condition = |kind: &str, status: &str| Condition {
            kind: kind.into(),
            status: status.into(),
            reason: None,
        };
        let mut r = row();
        assert_eq!(NodeView::from_row(&r, 0).pressure, "");
        r.conditions = vec![
            condition("PIDPressure", "True"),
            condition("NetworkUnavailable", "True"),
            condition("DiskPressure", "Unknown"),
            condition("MemoryPressure", "True"),
        ];
        let v = NodeView::from_row(&r, 0);
        assert_eq!(v.pressure, "Memory,PID", "true ones, in kubelet order");
        r.conditions.push(condition("DiskPressure", "True"));
        assert_eq!(NodeView::from_row(&r, 0).pressure, "Memory,Disk,PID");
    }
}

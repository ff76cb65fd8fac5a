//! A Node object reduced to the compact row the UI needs.

use k8s_openapi::api::core::v1::Node;
use ktop_web_shared::api::{Condition, CpuMem, NodeRow, Readiness};

use super::resources::{cpu_of, extended_of, mem_of, pods_of};

/// Conditions whose healthy status is `False`.
const PRESSURE_CONDITIONS: [&str; 4] = [
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// Builds the node's row; pod counts, sums and usage are filled in per snapshot.
pub fn node_row(node: &Node) -> Option<NodeRow> {
    let name = node.metadata.name.clone()?;
    let status = node.status.as_ref();
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let ready = match conditions.iter().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => Readiness::Ready,
        Some(c) if c.status == "False" => Readiness::NotReady,
        _ => Readiness::Unknown,
    };
    let unhealthy = conditions
        .iter()
        .filter(|c| PRESSURE_CONDITIONS.contains(&c.type_.as_str()) && c.status != "False")
        .map(|c| Condition {
            kind: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
        })
        .collect();
    let capacity = status.and_then(|s| s.capacity.as_ref());
    let allocatable = status.and_then(|s| s.allocatable.as_ref());
    let labels = node.metadata.labels.as_ref();
    let mut roles: Vec<String> = labels
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            k.strip_prefix("node-role.kubernetes.io/")
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .or_else(|| (k == "kubernetes.io/role").then(|| v.clone()))
        })
        .collect();
    roles.sort();
    roles.dedup();
    Some(NodeRow {
        name,
        roles,
        ready,
        unschedulable: node
            .spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false),
        conditions: unhealthy,
        kubelet_version: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
        created_s: node
            .metadata
            .creation_timestamp
            .as_ref()
            .map_or(0, |t| t.0.as_second()),
        capacity: CpuMem {
            cpu: cpu_of(capacity),
            mem: mem_of(capacity),
        },
        allocatable: CpuMem {
            cpu: cpu_of(allocatable),
            mem: mem_of(allocatable),
        },
        pod_capacity: u32::try_from(pods_of(allocatable)).unwrap_or(u32::MAX),
        pods: 0,
        requests: CpuMem::default(),
        limits: CpuMem::default(),
        usage: None,
        io: None,
        extended_allocatable: extended_of(allocatable),
        extended_requests: Vec::new(),
        stall: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: serde_json::Value) -> Node {
        serde_json::from_value(json).expect("valid node")
    }

    #[test]
    fn reduces_a_node() {
        let n = node(serde_json::json!({
            "metadata": {"name": "n1", "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "true"},
                "managedFields": [{"manager": "kubelet"}]},
            "spec": {"unschedulable": true},
            "status": {
                "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                "allocatable": {"cpu": "3800m", "memory": "15Gi", "pods": "110", "nvidia.com/gpu": "8"},
                "nodeInfo": {"kubeletVersion": "v1.35.4", "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "", "kernelVersion": "", "kubeProxyVersion": "", "machineID": "", "operatingSystem": "linux", "osImage": "", "systemUUID": ""},
                "conditions": [
                    {"type": "Ready", "status": "True"},
                    {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure"},
                    {"type": "MemoryPressure", "status": "False"}
                ]
            }
        }));
        let row = node_row(&n).expect("has a name");
        assert_eq!(row.name, "n1");
        assert_eq!(row.roles, vec!["control-plane", "worker"]);
        assert_eq!(row.ready, Readiness::Ready);
        assert!(row.unschedulable);
        assert_eq!(row.conditions.len(), 1);
        assert_eq!(row.conditions[0].kind, "DiskPressure");
        assert_eq!(
            row.capacity,
            CpuMem {
                cpu: 4_000_000_000,
                mem: 16 << 30
            }
        );
        assert_eq!(
            row.allocatable,
            CpuMem {
                cpu: 3_800_000_000,
                mem: 15 << 30
            }
        );
        assert_eq!(row.pod_capacity, 110);
        assert_eq!(
            (
                row.extended_allocatable[0].name.as_str(),
                row.extended_allocatable[0].amount
            ),
            ("nvidia.com/gpu", 8)
        );
        assert_eq!(row.kubelet_version, "v1.35.4");
        assert_eq!(row.created_s, 1_767_225_600);
    }

    #[test]
    fn missing_status_is_unknown_not_a_panic() {
        let row = node_row(&node(serde_json::json!({"metadata": {"name": "bare"}}))).expect("row");
        assert_eq!(row.ready, Readiness::Unknown);
        assert_eq!(row.allocatable, CpuMem::default());
        assert!(node_row(&node(serde_json::json!({"metadata": {}}))).is_none());
    }
}

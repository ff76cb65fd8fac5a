//! A Node object reduced to what the node page shows beyond its snapshot row.

use k8s_openapi::api::core::v1::Node;
use ktop_web_shared::detail::{NodeAddress, NodeDetail, NodeSystem, Taint};

use super::condition_detail;

/// The node page's details.
pub fn node_detail(node: &Node) -> NodeDetail {
    let status = node.status.as_ref();
    let info = status.and_then(|s| s.node_info.as_ref());
    let text = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &String| {
        info.map(|i| f(i).clone()).unwrap_or_default()
    };
    NodeDetail {
        name: node.metadata.name.clone().unwrap_or_default(),
        system: NodeSystem {
            kubelet_version: text(|i| &i.kubelet_version),
            os_image: text(|i| &i.os_image),
            kernel_version: text(|i| &i.kernel_version),
            container_runtime: text(|i| &i.container_runtime_version),
            operating_system: text(|i| &i.operating_system),
            architecture: text(|i| &i.architecture),
        },
        addresses: status
            .and_then(|s| s.addresses.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|a| NodeAddress {
                kind: a.type_.clone(),
                address: a.address.clone(),
            })
            .collect(),
        taints: node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|t| Taint {
                key: t.key.clone(),
                value: t.value.clone().filter(|v| !v.is_empty()),
                effect: t.effect.clone(),
            })
            .collect(),
        conditions: status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|c| condition_detail!(c))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_system_addresses_taints_and_conditions() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "n1", "labels": {"kubernetes.io/arch": "amd64"}},
            "spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                                {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]},
            "status": {
                "nodeInfo": {"kubeletVersion": "v1.35.4", "osImage": "Ubuntu", "kernelVersion": "6.8",
                    "containerRuntimeVersion": "containerd://2.0", "operatingSystem": "linux",
                    "architecture": "amd64", "machineID": "", "systemUUID": "", "bootID": "",
                    "kubeProxyVersion": ""},
                "addresses": [{"type": "InternalIP", "address": "10.0.0.5"}],
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                    "message": "kubelet is posting ready status", "lastTransitionTime": "2026-01-01T00:00:00Z"}]
            }
        }))
        .expect("node");
        let d = node_detail(&node);
        assert_eq!(d.system.container_runtime, "containerd://2.0");
        assert_eq!(d.addresses[0].address, "10.0.0.5");
        assert_eq!(d.taints[0].value.as_deref(), Some("gpu"));
        assert_eq!(d.taints[1].value, None);
        assert_eq!(d.conditions[0].since_ms, Some(1_767_225_600_000));
    }
}

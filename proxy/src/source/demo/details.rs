//! The simulated cluster's objects read one at a time, as a `get` on the API server reads
//! them, refused in its words when there is no such object.

use k8s_openapi::api::core::v1::{Node, Pod};

use super::DemoCluster;

/// Why the simulated API server refuses a read, in the words of a real one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such object (404).
    #[error("{0} (HTTP 404)")]
    NotFound(String),
    /// The object cannot answer this request (400).
    #[error("{0} (HTTP 400)")]
    BadRequest(String),
}

impl DemoCluster {
    /// Node `name`.
    pub fn node(&self, name: &str) -> Result<&Node, Refusal> {
        self.nodes
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
            .ok_or_else(|| Refusal::NotFound(format!("nodes {name:?} not found")))
    }

    /// Pod `namespace/name`.
    pub fn pod(&self, namespace: &str, name: &str) -> Result<&Pod, Refusal> {
        self.pods
            .iter()
            .map(|p| &p.object)
            .find(|p| {
                p.metadata.namespace.as_deref() == Some(namespace)
                    && p.metadata.name.as_deref() == Some(name)
            })
            .ok_or_else(|| Refusal::NotFound(format!("pods {name:?} not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_system_info_addresses_taints_and_pressure() {
        let demo = DemoCluster::new(1_800_000_000);
        let node = demo.node("demo-worker-2").expect("a node");
        let status = node.status.as_ref().expect("status");
        let info = status.node_info.as_ref().expect("node info");
        assert!(
            info.kernel_version.starts_with("6."),
            "{}",
            info.kernel_version
        );
        assert_eq!(info.kubelet_version, "v1.35.4");
        let pressure = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "MemoryPressure")
            .expect("a MemoryPressure condition");
        assert_eq!(pressure.status, "True");
        let gpu = demo.node("demo-gpu-1").expect("the GPU node");
        let status = gpu.status.as_ref().expect("status");
        for amounts in [&status.capacity, &status.allocatable] {
            let gpus = amounts
                .as_ref()
                .and_then(|a| a.get(super::super::model::GPU));
            assert_eq!(gpus.map(|q| q.0.as_str()), Some("4"));
        }
        assert_eq!(
            demo.node("nope").expect_err("no such node"),
            Refusal::NotFound("nodes \"nope\" not found".into())
        );
        assert!(
            demo.pod("kube-system", "postgres-0").is_err(),
            "wrong namespace"
        );
        assert!(demo.pod("data", "postgres-0").is_ok());
    }
}

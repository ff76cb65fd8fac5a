//! Wire types of the drill-down views: what a node, pod or container page shows beyond the
//! compact rows of the snapshot (which the browser joins in by name).

use serde::{Deserialize, Serialize};

/// `GET /api/v1/contexts/{context}/nodes/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeDetail {
    /// Node name.
    pub name: String,
    /// `status.nodeInfo`.
    pub system: NodeSystem,
    /// `status.addresses`, e.g. `InternalIP 10.0.0.5`.
    #[serde(default)]
    pub addresses: Vec<NodeAddress>,
    /// `spec.taints`.
    #[serde(default)]
    pub taints: Vec<Taint>,
    /// Every condition, healthy or not.
    #[serde(default)]
    pub conditions: Vec<ConditionDetail>,
}

/// A node's software and platform.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeSystem {
    /// e.g. `v1.35.4`.
    pub kubelet_version: String,
    /// e.g. `Ubuntu 24.04 LTS`.
    pub os_image: String,
    /// e.g. `6.8.0-1015-aws`.
    pub kernel_version: String,
    /// e.g. `containerd://2.0.0`.
    pub container_runtime: String,
    /// e.g. `linux`.
    pub operating_system: String,
    /// e.g. `amd64`.
    pub architecture: String,
}

/// One node address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeAddress {
    /// `InternalIP`, `ExternalIP`, `Hostname`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The address.
    pub address: String,
}

/// One taint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// A condition with its explanation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionDetail {
    /// e.g. `Ready`, `MemoryPressure`, `PodScheduled`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Short machine reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Last transition (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<i64>,
}

/// `GET /api/v1/contexts/{context}/namespaces/{namespace}/pods/{name}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PodDetail {
    /// Namespace.
    pub ns: String,
    /// Pod name.
    pub name: String,
    /// The controlling owner, e.g. `ReplicaSet web-7d4f9`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Pod IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    /// `Guaranteed`, `Burstable` or `BestEffort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<String>,
    /// Pod conditions.
    #[serde(default)]
    pub conditions: Vec<ConditionDetail>,
    /// Init containers (first) and app containers, in spec order.
    pub containers: Vec<ContainerDetail>,
}

/// A pod's controlling owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// e.g. `ReplicaSet`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// One container: spec summary and status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerDetail {
    /// Container name.
    pub name: String,
    /// Init container (sidecars included).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub init: bool,
    /// Image reference.
    pub image: String,
    /// Current state.
    pub state: ContainerState,
    /// Ready.
    pub ready: bool,
    /// Restarts.
    pub restarts: u32,
    /// How the previous instance ended, e.g. `OOMKilled (exit 137)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_termination: Option<String>,
    /// Requests.
    #[serde(default)]
    pub requests: crate::api::Resources,
    /// Limits.
    #[serde(default)]
    pub limits: crate::api::Resources,
    /// Ports, e.g. `8080/TCP (http)`.
    #[serde(default)]
    pub ports: Vec<String>,
    /// Probes, e.g. `liveness: HTTP GET :8080/healthz every 10s`.
    #[serde(default)]
    pub probes: Vec<String>,
}

/// Which state a container is in.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerPhase {
    /// Running.
    Running,
    /// Waiting, e.g. in `CrashLoopBackOff`.
    Waiting,
    /// Exited.
    Terminated,
    /// No status reported yet.
    #[default]
    Unknown,
}

/// A container's state. Flat rather than an enum with data: the browser's decoder
/// ([`crate::decode`]) reads plain objects and unit enums only, which keeps the wasm small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    /// Which state.
    pub phase: ContainerPhase,
    /// Why (waiting or terminated), e.g. `CrashLoopBackOff`, `OOMKilled`, `Completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Exit code (terminated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Since when (running: start time, Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<i64>,
}

impl ContainerState {
    /// A state with only its phase set.
    pub fn of(phase: ContainerPhase) -> Self {
        Self {
            phase,
            reason: None,
            exit_code: None,
            since_ms: None,
        }
    }
}

/// `GET …/events?kind=Pod&name=…`: events about one object, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventList {
    /// The events.
    pub events: Vec<EventRow>,
}

/// One event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub kind: String,
    /// e.g. `BackOff`.
    pub reason: String,
    /// What happened.
    pub message: String,
    /// How many times.
    pub count: u32,
    /// Last seen (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ms: Option<i64>,
    /// Reporting component, e.g. `kubelet`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_state_is_flat() {
        let state = ContainerState {
            reason: Some("OOMKilled".into()),
            exit_code: Some(137),
            ..ContainerState::of(ContainerPhase::Terminated)
        };
        let s = serde_json::to_string(&state).expect("json");
        assert_eq!(
            s,
            r#"{"phase":"terminated","reason":"OOMKilled","exit_code":137}"#
        );
        let back: ContainerState = serde_json::from_str(r#"{"phase":"running"}"#).expect("parse");
        assert_eq!(back, ContainerState::of(ContainerPhase::Running));
    }

    #[test]
    fn pod_detail_round_trips() {
        let pod = PodDetail {
            ns: "shop".into(),
            name: "web-0".into(),
            owner: Some(Owner {
                kind: "StatefulSet".into(),
                name: "web".into(),
            }),
            containers: vec![ContainerDetail {
                name: "app".into(),
                init: false,
                image: "nginx:1.27".into(),
                state: ContainerState {
                    reason: Some("CrashLoopBackOff".into()),
                    ..ContainerState::of(ContainerPhase::Waiting)
                },
                ready: false,
                restarts: 7,
                last_termination: Some("Error (exit 1)".into()),
                requests: crate::api::Resources {
                    cpu: Some(100_000_000),
                    mem: None,
                },
                limits: crate::api::Resources::default(),
                ports: vec!["8080/TCP (http)".into()],
                probes: vec![],
            }],
            ..PodDetail::default()
        };
        let json = serde_json::to_string(&pod).expect("json");
        assert_eq!(
            serde_json::from_str::<PodDetail>(&json).expect("parse"),
            pod
        );
    }
}

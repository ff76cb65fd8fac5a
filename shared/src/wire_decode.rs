//! How the browser reads each JSON wire type (the live view comes in frames instead, see
//! `frame`): its JSON keys, which fields may be absent, and the strings of its enums,
//! mirroring the serde attributes on the types. The tests below hold the two to each other
//! by decoding what serde encodes.

use crate::api::{ApiError, ContextList, Resources, SelectedPods};
use crate::decode::{decode_enum, decode_struct};
use crate::detail::{
    ConditionDetail, ContainerDetail, ContainerPhase, ContainerState, EventList, EventRow,
    NodeAddress, NodeDetail, NodeSystem, Owner, PodDetail, Taint,
};
use crate::history::{History, HistoryMetric, HistorySeries};
use crate::quota::{Quota, QuotaList, QuotaResource};

decode_struct!(ContextList {
    current: "current",
    contexts: "contexts"
});

decode_struct!(Resources {
    cpu: "cpu" or default,
    mem: "mem" or default,
});

decode_struct!(SelectedPods {
    selector: "selector",
    pods: "pods",
});

decode_struct!(ApiError {
    message: "message",
    hint: "hint" or default,
});

decode_struct!(NodeDetail {
    name: "name",
    system: "system",
    addresses: "addresses" or default,
    taints: "taints" or default,
    conditions: "conditions" or default,
});

decode_struct!(NodeSystem {
    kubelet_version: "kubelet_version",
    os_image: "os_image",
    kernel_version: "kernel_version",
    container_runtime: "container_runtime",
    operating_system: "operating_system",
    architecture: "architecture",
});

decode_struct!(NodeAddress {
    kind: "type",
    address: "address"
});

decode_struct!(Taint {
    key: "key",
    value: "value" or default,
    effect: "effect"
});

decode_struct!(ConditionDetail {
    kind: "type",
    status: "status",
    reason: "reason" or default,
    message: "message" or default,
    since_ms: "since_ms" or default,
});

decode_struct!(PodDetail {
    ns: "ns",
    name: "name",
    owner: "owner" or default,
    pod_ip: "pod_ip" or default,
    qos_class: "qos_class" or default,
    conditions: "conditions" or default,
    containers: "containers",
});

decode_struct!(Owner {
    kind: "kind",
    name: "name"
});

decode_struct!(ContainerDetail {
    name: "name",
    init: "init" or default,
    image: "image",
    state: "state",
    ready: "ready",
    restarts: "restarts",
    last_termination: "last_termination" or default,
    requests: "requests" or default,
    limits: "limits" or default,
    ports: "ports" or default,
    probes: "probes" or default,
});

decode_enum!(ContainerPhase {
    Running = "running",
    Waiting = "waiting",
    Terminated = "terminated",
    Unknown = "unknown",
});

decode_struct!(ContainerState {
    phase: "phase",
    reason: "reason" or default,
    exit_code: "exit_code" or default,
    since_ms: "since_ms" or default,
});

decode_struct!(EventList { events: "events" });

decode_struct!(EventRow {
    kind: "type",
    reason: "reason",
    message: "message",
    count: "count",
    last_ms: "last_ms" or default,
    source: "source" or default,
});

decode_struct!(History {
    source: "source",
    pin_hint: "pin_hint" or default,
    start_ms: "start_ms",
    step_ms: "step_ms",
    points: "points",
    series: "series",
});

decode_struct!(HistorySeries {
    metric: "metric",
    pod: "pod" or default,
    values: "values",
});

decode_enum!(HistoryMetric {
    Cpu = "cpu",
    Memory = "memory",
    Rx = "rx",
    Tx = "tx",
    Read = "read",
    Write = "write",
});

decode_struct!(QuotaList { quotas: "quotas" });

decode_struct!(Quota {
    namespace: "namespace",
    name: "name",
    resources: "resources",
});

decode_struct!(QuotaResource {
    resource: "resource",
    used: "used" or default,
    hard: "hard",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Decode, DecodeError, from_json};
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    /// `sample` (every optional field set) decodes from serde's JSON; and with any one field
    /// removed, or an unknown one added, this decoder and serde's agree.
    fn agrees_with_serde<T>(sample: &T)
    where
        T: Decode + Serialize + DeserializeOwned + PartialEq + Debug,
    {
        let name = std::any::type_name::<T>();
        let json = serde_json::to_string(sample).expect("serializes");
        assert_eq!(
            from_json::<T>(json.as_bytes()).as_ref(),
            Ok(sample),
            "{name}"
        );
        let serde_json::Value::Object(fields) = serde_json::to_value(sample).expect("value") else {
            panic!("{name} is not an object");
        };
        let mut variants: Vec<serde_json::Map<_, _>> = fields
            .keys()
            .map(|key| {
                let mut fewer = fields.clone();
                fewer.remove(key);
                fewer
            })
            .collect();
        let mut more = fields.clone();
        more.insert(
            "added_later".into(),
            serde_json::json!({"a": [1, -2.5e3, null, "x"], "b": {"c": true}}),
        );
        variants.push(more);
        for variant in variants {
            let text = serde_json::Value::Object(variant).to_string();
            let theirs = serde_json::from_str::<T>(&text).ok();
            let ours = from_json::<T>(text.as_bytes()).ok();
            assert_eq!(ours, theirs, "{name}: {text}");
        }
    }

    fn enum_agrees<T>(variants: &[T])
    where
        T: Decode + Serialize + PartialEq + Debug,
    {
        for v in variants {
            let json = serde_json::to_string(v).expect("serializes");
            assert_eq!(from_json::<T>(json.as_bytes()).as_ref(), Ok(v));
        }
        assert_eq!(
            from_json::<T>(br#""no-such-value""#),
            Err(DecodeError::Unknown("no-such-value".into()))
        );
    }

    fn pod_detail() -> PodDetail {
        let condition = ConditionDetail {
            kind: "Ready".into(),
            status: "False".into(),
            reason: Some("ContainersNotReady".into()),
            message: Some("containers with unready status: [app]".into()),
            since_ms: Some(1_700_000_000_000),
        };
        PodDetail {
            ns: "shop".into(),
            name: "web-0".into(),
            owner: Some(Owner {
                kind: "StatefulSet".into(),
                name: "web".into(),
            }),
            pod_ip: Some("10.0.0.7".into()),
            qos_class: Some("Burstable".into()),
            conditions: vec![condition],
            containers: vec![ContainerDetail {
                name: "app".into(),
                init: true,
                image: "nginx:1.27".into(),
                state: ContainerState {
                    phase: ContainerPhase::Terminated,
                    reason: Some("OOMKilled".into()),
                    exit_code: Some(-137),
                    since_ms: Some(1_700_000_000_000),
                },
                ready: true,
                restarts: 3,
                last_termination: Some("Error (exit 1)".into()),
                requests: Resources {
                    cpu: Some(1),
                    mem: Some(2),
                },
                limits: Resources {
                    cpu: Some(3),
                    mem: Some(4),
                },
                ports: vec!["8080/TCP (http)".into()],
                probes: vec!["liveness: HTTP GET :8080/healthz every 10s".into()],
            }],
        }
    }

    fn node_detail() -> NodeDetail {
        NodeDetail {
            name: "node-1".into(),
            system: NodeSystem {
                kubelet_version: "v1.35.0".into(),
                os_image: "Ubuntu 24.04 LTS".into(),
                kernel_version: "6.8.0".into(),
                container_runtime: "containerd://2.0.0".into(),
                operating_system: "linux".into(),
                architecture: "amd64".into(),
            },
            addresses: vec![NodeAddress {
                kind: "InternalIP".into(),
                address: "10.0.0.5".into(),
            }],
            taints: vec![Taint {
                key: "dedicated".into(),
                value: Some("gpu".into()),
                effect: "NoSchedule".into(),
            }],
            conditions: pod_detail().conditions,
        }
    }

    #[test]
    fn list_types_agree_with_serde() {
        agrees_with_serde(&ContextList {
            current: "a".into(),
            contexts: vec!["a".into(), "b/c".into()],
        });
        agrees_with_serde(&SelectedPods {
            selector: "app=cart,tier notin (db)".into(),
            pods: vec!["shop/cart-1".into(), "shop/cart-2".into()],
        });
        agrees_with_serde(&ApiError {
            message: "context \"x\" is not served".into(),
            hint: Some("Pick one of: a, b".into()),
        });
    }

    #[test]
    fn detail_types_agree_with_serde() {
        let pod = pod_detail();
        let node = node_detail();
        agrees_with_serde(&pod);
        agrees_with_serde(pod.owner.as_ref().expect("owned"));
        agrees_with_serde(&pod.conditions[0]);
        agrees_with_serde(&pod.containers[0]);
        agrees_with_serde(&pod.containers[0].state);
        agrees_with_serde(&node);
        agrees_with_serde(&node.system);
        agrees_with_serde(&node.addresses[0]);
        agrees_with_serde(&node.taints[0]);
        let event = EventRow {
            kind: "Warning".into(),
            reason: "BackOff".into(),
            message: "Back-off restarting failed container".into(),
            count: 4,
            last_ms: Some(1_700_000_000_000),
            source: "kubelet".into(),
        };
        agrees_with_serde(&event);
        agrees_with_serde(&EventList {
            events: vec![event],
        });
    }

    #[test]
    fn quotas_agree_with_serde() {
        let resource = QuotaResource {
            resource: "requests.nvidia.com/gpu".into(),
            used: Some("2".into()),
            hard: "8".into(),
        };
        let quota = Quota {
            namespace: "ml".into(),
            name: "ml-quota".into(),
            resources: vec![resource.clone()],
        };
        agrees_with_serde(&resource);
        agrees_with_serde(&quota);
        agrees_with_serde(&QuotaList {
            quotas: vec![quota],
        });
    }

    #[test]
    fn enums_agree_with_serde() {
        use ContainerPhase as C;
        enum_agrees(&[C::Running, C::Waiting, C::Terminated, C::Unknown]);
        enum_agrees(&HistoryMetric::ALL);
    }

    #[test]
    fn history_agrees_with_serde() {
        let series = HistorySeries {
            metric: HistoryMetric::Cpu,
            pod: Some("shop/cart-1".into()),
            values: vec![Some(250_000_000), None, Some(0)],
        };
        agrees_with_serde(&series);
        agrees_with_serde(&History {
            source: "Prometheus at http://prometheus:9090".into(),
            pin_hint: Some("--history-source service:monitoring/prometheus:9090".into()),
            start_ms: 1_700_000_000_000,
            step_ms: 60_000,
            points: 3,
            series: vec![series],
        });
    }

    #[test]
    fn a_missing_field_is_named() {
        assert_eq!(
            from_json::<Owner>(br#"{"kind":"ReplicaSet"}"#),
            Err(DecodeError::Missing("name"))
        );
    }
}

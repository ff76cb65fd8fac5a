//! A Pod object reduced to the compact row the UI needs.

use k8s_openapi::api::core::v1::{Container, Pod, PodStatus};
use ktop_web_shared::api::{
    ContainerRow, ExtendedResource, PodPhase, PodRow, Resources, add_extended,
};

use super::owners::pod_controller;
use super::resources::{extended_of, resources_of};

/// Builds the pod's row; usage is filled in per snapshot.
pub fn pod_row(pod: &Pod) -> Option<PodRow> {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers: Vec<ContainerRow> = spec
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| ContainerRow {
            name: c.name.clone(),
            requests: resources_of(c.resources.as_ref().and_then(|r| r.requests.as_ref())),
            limits: resources_of(c.resources.as_ref().and_then(|r| r.limits.as_ref())),
            usage: None,
        })
        .collect();
    let init = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default();
    let overhead = resources_of(spec.and_then(|s| s.overhead.as_ref()));
    let phase = match status.and_then(|s| s.phase.as_deref()) {
        Some("Pending") => PodPhase::Pending,
        Some("Running") => PodPhase::Running,
        Some("Succeeded") => PodPhase::Succeeded,
        Some("Failed") => PodPhase::Failed,
        _ => PodPhase::Unknown,
    };
    Some(PodRow {
        ns: meta.namespace.clone()?,
        name: meta.name.clone()?,
        node: spec.and_then(|s| s.node_name.clone()),
        phase,
        reason: reason(status, meta.deletion_timestamp.is_some()),
        restarts: status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|c| u32::try_from(c.restart_count).unwrap_or(0))
            .sum(),
        created_s: meta
            .creation_timestamp
            .as_ref()
            .map_or(0, |t| t.0.as_second()),
        requests: effective(
            &containers,
            init,
            overhead,
            |r| r.requests.as_ref(),
            |c| c.requests,
        ),
        limits: pod_limits(&containers, init, overhead),
        extended: extended_requests(
            spec.map(|s| s.containers.as_slice()).unwrap_or_default(),
            init,
        ),
        containers,
        sample: None,
        io: None,
        owner: pod_controller(meta),
        ready: status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True"),
        stall: None,
    })
}

/// Extended resources the pod holds, counted as the scheduler counts them: app containers
/// and sidecars together, or the largest single init container if that is more.
fn extended_requests(containers: &[Container], init: &[Container]) -> Vec<ExtendedResource> {
    let of = |c: &Container| extended_of(c.resources.as_ref().and_then(|r| r.requests.as_ref()));
    let mut total = Vec::new();
    for c in containers
        .iter()
        .chain(init.iter().filter(|c| is_sidecar(c)))
    {
        for e in of(c) {
            add_extended(&mut total, &e.name, e.amount);
        }
    }
    for c in init.iter().filter(|c| !is_sidecar(c)) {
        for e in of(c) {
            match total.iter_mut().find(|t| t.name == e.name) {
                Some(t) => t.amount = t.amount.max(e.amount),
                None => add_extended(&mut total, &e.name, e.amount),
            }
        }
    }
    total
}

/// kubectl's STATUS column, simplified: a terminating pod, the pod's own reason, or the first
/// waiting/terminated container reason; `None` when the phase says it all.
fn reason(status: Option<&PodStatus>, deleting: bool) -> Option<String> {
    if deleting {
        return Some("Terminating".into());
    }
    let status = status?;
    if let Some(r) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        return Some(r.clone());
    }
    let init_waiting = status
        .init_container_statuses
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
        .find(|r| r != "PodInitializing")
        .map(|r| format!("Init:{r}"));
    if init_waiting.is_some() {
        return init_waiting;
    }
    status
        .container_statuses
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find_map(|c| {
            let state = c.state.as_ref()?;
            state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .or_else(|| state.terminated.as_ref().and_then(|t| t.reason.clone()))
        })
        .filter(|r| r != "Completed" || status.phase.as_deref() != Some("Succeeded"))
}

fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

/// The scheduler's view: max(app containers + sidecars, each init container + the sidecars
/// started before it) + overhead, per resource.
fn effective(
    containers: &[ContainerRow],
    init: &[Container],
    overhead: Resources,
    pick: fn(
        &k8s_openapi::api::core::v1::ResourceRequirements,
    ) -> Option<
        &std::collections::BTreeMap<
            String,
            k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        >,
    >,
    app: fn(&ContainerRow) -> Resources,
) -> Resources {
    let of = |c: &Container| resources_of(c.resources.as_ref().and_then(pick));
    let max = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).max(b.unwrap_or(0))),
    };
    let app_total: Resources = containers.iter().map(app).sum();
    let mut sidecars = Resources::default();
    let mut init_peak = Resources::default();
    for c in init {
        let r = of(c);
        if is_sidecar(c) {
            sidecars = sidecars + r;
        } else {
            let running = sidecars + r;
            init_peak = Resources {
                cpu: max(init_peak.cpu, running.cpu),
                mem: max(init_peak.mem, running.mem),
            };
        }
    }
    let total = app_total + sidecars;
    let peak = Resources {
        cpu: max(total.cpu, init_peak.cpu),
        mem: max(total.mem, init_peak.mem),
    };
    Resources {
        cpu: peak
            .cpu
            .map(|v| v.saturating_add(overhead.cpu.unwrap_or(0))),
        mem: peak
            .mem
            .map(|v| v.saturating_add(overhead.mem.unwrap_or(0))),
    }
}

/// A pod is limited in a resource only if every app container is.
fn pod_limits(containers: &[ContainerRow], init: &[Container], overhead: Resources) -> Resources {
    let all_limited = |f: fn(&Resources) -> Option<u64>| {
        !containers.is_empty() && containers.iter().all(|c| f(&c.limits).is_some())
    };
    let sum = effective(
        containers,
        init,
        overhead,
        |r| r.limits.as_ref(),
        |c| c.limits,
    );
    Resources {
        cpu: sum.cpu.filter(|_| all_limited(|r| r.cpu)),
        mem: sum.mem.filter(|_| all_limited(|r| r.mem)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(v).expect("valid pod")
    }

    #[test]
    fn reads_the_controller_readiness_and_extended_resources() {
        let p = pod(json!({
            "metadata": {"name": "trainer-0", "namespace": "ml", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "trainer", "uid": "u", "controller": true}
            ]},
            "spec": {
                "initContainers": [
                    {"name": "warm", "resources": {"requests": {"nvidia.com/gpu": "3"}, "limits": {"nvidia.com/gpu": "3"}}},
                    {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"example.com/nic": "1"}, "limits": {"example.com/nic": "1"}}}
                ],
                "containers": [
                    {"name": "a", "resources": {"requests": {"cpu": "1", "nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}},
                    {"name": "b", "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": "1"}}}
                ]
            },
            "status": {"phase": "Running", "conditions": [
                {"type": "PodScheduled", "status": "True"},
                {"type": "Ready", "status": "True"}
            ]}
        }));
        let row = pod_row(&p).expect("row");
        let owner = row.owner.expect("owned");
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str()),
            ("StatefulSet", "trainer")
        );
        assert!(row.ready);
        let extended: Vec<(&str, u64)> = row
            .extended
            .iter()
            .map(|e| (e.name.as_str(), e.amount))
            .collect();
        // Two app containers hold 2 GPUs, the init container alone 3: the pod holds 3.
        assert_eq!(extended, [("example.com/nic", 1), ("nvidia.com/gpu", 3)]);
    }

    #[test]
    fn sums_requests_and_limits() {
        let p = pod(json!({
            "metadata": {"name": "web-1", "namespace": "shop", "creationTimestamp": "2026-01-01T00:00:10Z"},
            "spec": {"nodeName": "n1", "containers": [
                {"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}},
                {"name": "proxy", "resources": {"requests": {"cpu": "50m"}, "limits": {"memory": "64Mi"}}}
            ]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "restartCount": 3, "ready": true, "image": "", "imageID": ""},
                {"name": "proxy", "restartCount": 1, "ready": true, "image": "", "imageID": ""}
            ]}
        }));
        let row = pod_row(&p).expect("row");
        assert_eq!(row.key(), "shop/web-1");
        assert!(!row.ready && row.owner.is_none() && row.extended.is_empty());
        assert_eq!(row.node.as_deref(), Some("n1"));
        assert_eq!(row.phase, PodPhase::Running);
        assert_eq!(row.restarts, 4);
        assert_eq!(row.created_s, 1_767_225_610);
        assert_eq!(
            row.requests,
            Resources {
                cpu: Some(300_000_000),
                mem: Some(128 << 20)
            }
        );
        // CPU is unlimited because "proxy" has no CPU limit; memory is limited by both.
        assert_eq!(
            row.limits,
            Resources {
                cpu: None,
                mem: Some(320 << 20)
            }
        );
        assert_eq!(row.containers[1].limits.cpu, None);
    }

    #[test]
    fn init_containers_and_overhead_count_like_the_scheduler() {
        let p = pod(json!({
            "metadata": {"name": "db-0", "namespace": "data"},
            "spec": {
                "overhead": {"cpu": "10m"},
                "initContainers": [
                    {"name": "migrate", "resources": {"requests": {"cpu": "2"}}},
                    {"name": "mesh", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}}
                ],
                "containers": [{"name": "db", "resources": {"requests": {"cpu": "500m"}}}]
            }
        }));
        let row = pod_row(&p).expect("row");
        // max(500m + 100m sidecar, 2000m init) + 10m overhead
        assert_eq!(row.requests.cpu, Some(2_010_000_000));
        assert_eq!(row.requests.mem, None);
        assert_eq!(row.phase, PodPhase::Unknown);
    }

    #[test]
    fn status_reasons_like_kubectl() {
        let p = pod(json!({
            "metadata": {"name": "api", "namespace": "shop"},
            "spec": {"containers": [{"name": "api"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "api", "restartCount": 7, "ready": false, "image": "", "imageID": "",
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        }));
        assert_eq!(pod_row(&p).expect("row").status(), "CrashLoopBackOff");

        let p = pod(json!({
            "metadata": {"name": "old", "namespace": "shop", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running"}
        }));
        assert_eq!(pod_row(&p).expect("row").status(), "Terminating");

        let p = pod(json!({
            "metadata": {"name": "evicted", "namespace": "shop"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Failed", "reason": "Evicted"}
        }));
        assert_eq!(pod_row(&p).expect("row").status(), "Evicted");

        let p = pod(json!({
            "metadata": {"name": "job", "namespace": "shop"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Succeeded", "containerStatuses": [
                {"name": "c", "restartCount": 0, "ready": false, "image": "", "imageID": "",
                 "state": {"terminated": {"reason": "Completed", "exitCode": 0}}}
            ]}
        }));
        assert_eq!(pod_row(&p).expect("row").status(), "Succeeded");
    }
}

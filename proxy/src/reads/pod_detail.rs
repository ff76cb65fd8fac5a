//! A Pod object reduced to what the pod and container pages show beyond its snapshot row.

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, Probe};
use ktop_web_shared::detail::{ContainerDetail, ContainerPhase, ContainerState, Owner, PodDetail};

use super::condition_detail;
use crate::objects::{controller_of, resources_of};

/// The pod page's details.
pub fn pod_detail(pod: &Pod) -> PodDetail {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let statuses = |init: bool| {
        status
            .and_then(|s| {
                if init {
                    s.init_container_statuses.as_deref()
                } else {
                    s.container_statuses.as_deref()
                }
            })
            .unwrap_or_default()
    };
    let containers = |init: bool| {
        let list = spec.and_then(|s| {
            if init {
                s.init_containers.as_deref()
            } else {
                Some(s.containers.as_slice())
            }
        });
        let statuses = statuses(init);
        list.unwrap_or_default()
            .iter()
            .map(move |c| container(c, statuses.iter().find(|s| s.name == c.name), init))
            .collect::<Vec<_>>()
    };
    let mut all = containers(true);
    all.extend(containers(false));
    PodDetail {
        ns: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        owner: controller_of(&pod.metadata).map(|(kind, name)| Owner { kind, name }),
        pod_ip: status.and_then(|s| s.pod_ip.clone()),
        qos_class: status.and_then(|s| s.qos_class.clone()),
        conditions: status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|c| condition_detail!(c))
            .collect(),
        containers: all,
    }
}

fn container(c: &Container, status: Option<&ContainerStatus>, init: bool) -> ContainerDetail {
    let resources = c.resources.as_ref();
    let state = match status.and_then(|s| s.state.as_ref()) {
        Some(s) if s.running.is_some() => ContainerState {
            since_ms: s
                .running
                .as_ref()
                .and_then(|r| r.started_at.as_ref())
                .map(|t| t.0.as_millisecond()),
            ..ContainerState::of(ContainerPhase::Running)
        },
        Some(s) if s.waiting.is_some() => ContainerState {
            reason: s.waiting.as_ref().and_then(|w| w.reason.clone()),
            ..ContainerState::of(ContainerPhase::Waiting)
        },
        Some(s) if s.terminated.is_some() => ContainerState {
            reason: s.terminated.as_ref().and_then(|t| t.reason.clone()),
            exit_code: s.terminated.as_ref().map(|t| t.exit_code),
            ..ContainerState::of(ContainerPhase::Terminated)
        },
        _ => ContainerState::of(ContainerPhase::Unknown),
    };
    let last_termination = status
        .and_then(|s| s.last_state.as_ref())
        .and_then(|s| s.terminated.as_ref())
        .map(|t| {
            format!(
                "{} (exit {})",
                t.reason.as_deref().unwrap_or("Terminated"),
                t.exit_code
            )
        });
    let probes = [
        ("startup", c.startup_probe.as_ref()),
        ("liveness", c.liveness_probe.as_ref()),
        ("readiness", c.readiness_probe.as_ref()),
    ]
    .into_iter()
    .filter_map(|(kind, p)| p.map(|p| format!("{kind}: {}", probe(p))))
    .collect();
    ContainerDetail {
        name: c.name.clone(),
        init,
        image: c.image.clone().unwrap_or_default(),
        state,
        ready: status.is_some_and(|s| s.ready),
        restarts: status.map_or(0, |s| u32::try_from(s.restart_count).unwrap_or(0)),
        last_termination,
        requests: resources_of(resources.and_then(|r| r.requests.as_ref())),
        limits: resources_of(resources.and_then(|r| r.limits.as_ref())),
        ports: c
            .ports
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match &p.name {
                    Some(name) => format!("{}/{proto} ({name})", p.container_port),
                    None => format!("{}/{proto}", p.container_port),
                }
            })
            .collect(),
        probes,
    }
}

/// `HTTP GET :8080/healthz every 10s`, `TCP :5432 every 10s`, `exec pg_isready every 10s`.
fn probe(p: &Probe) -> String {
    let target = if let Some(h) = &p.http_get {
        format!(
            "HTTP GET :{}{}",
            port(&h.port),
            h.path.as_deref().unwrap_or("/")
        )
    } else if let Some(t) = &p.tcp_socket {
        format!("TCP :{}", port(&t.port))
    } else if let Some(g) = &p.grpc {
        format!("gRPC :{}", g.port)
    } else if let Some(e) = &p.exec {
        format!(
            "exec {}",
            e.command.as_deref().unwrap_or_default().join(" ")
        )
    } else {
        "unknown".to_owned()
    };
    format!("{target} every {}s", p.period_seconds.unwrap_or(10))
}

fn port(p: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    match p {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_states_probes_and_owner() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-0", "namespace": "shop",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "uid": "u", "controller": true}]},
            "spec": {
                "initContainers": [{"name": "migrate", "image": "migrate:1"}],
                "containers": [{"name": "app", "image": "web:2",
                    "ports": [{"containerPort": 8080, "name": "http"}],
                    "resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "256Mi"}},
                    "livenessProbe": {"httpGet": {"port": 8080, "path": "/healthz"}, "periodSeconds": 5},
                    "readinessProbe": {"tcpSocket": {"port": "http"}}}]},
            "status": {"podIP": "10.244.0.7", "qosClass": "Burstable",
                "initContainerStatuses": [{"name": "migrate", "image": "migrate:1", "imageID": "", "ready": true, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                "containerStatuses": [{"name": "app", "image": "web:2", "imageID": "", "ready": false, "restartCount": 4,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}
        }))
        .expect("pod");
        let d = pod_detail(&pod);
        assert_eq!(
            d.owner,
            Some(Owner {
                kind: "StatefulSet".into(),
                name: "web".into()
            })
        );
        assert_eq!(d.qos_class.as_deref(), Some("Burstable"));
        let names: Vec<(&str, bool)> = d
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.init))
            .collect();
        assert_eq!(names, [("migrate", true), ("app", false)]);
        let app = &d.containers[1];
        assert_eq!(app.state.phase, ContainerPhase::Waiting);
        assert_eq!(app.state.reason.as_deref(), Some("CrashLoopBackOff"));
        assert_eq!(app.restarts, 4);
        assert_eq!(
            app.last_termination.as_deref(),
            Some("OOMKilled (exit 137)")
        );
        assert_eq!(app.requests.cpu, Some(100_000_000));
        assert_eq!(app.limits.mem, Some(256 << 20));
        assert_eq!(app.ports, ["8080/TCP (http)"]);
        assert_eq!(
            app.probes,
            [
                "liveness: HTTP GET :8080/healthz every 5s",
                "readiness: TCP :http every 10s"
            ]
        );
        assert_eq!(d.containers[0].state.phase, ContainerPhase::Terminated);
        assert_eq!(d.containers[0].state.exit_code, Some(0));
    }
}

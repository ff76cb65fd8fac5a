//! Events about the simulated nodes and pods, derived from their objects and the time: what
//! the kubelet, the scheduler and the node controller report as a node registers and a pod
//! starts, and, repeated until now, what they keep reporting about a node under memory
//! pressure, a crash-looping container and a pod no node has room for.

use k8s_openapi::api::core::v1::{ContainerStatus, Event, EventSource, Node, ObjectReference, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::model::time;
use super::{DemoCluster, hash};

/// How often a warning that holds is reported again.
const REPEAT_S: i64 = 60;
/// How often the kubelet reports a container's back-off again.
const BACK_OFF_REPEAT_S: i64 = 20;

/// One thing that happened, perhaps repeatedly.
struct Happened {
    warning: bool,
    reason: &'static str,
    message: String,
    /// `kubelet`, `default-scheduler`, `node-controller`, …
    component: &'static str,
    /// The container it is about, if any.
    container: Option<String>,
    first_s: i64,
    last_s: i64,
    count: i32,
}

impl Happened {
    /// Happened once, at `at_s`.
    fn once(reason: &'static str, message: String, component: &'static str, at_s: i64) -> Self {
        Self {
            warning: false,
            reason,
            message,
            component,
            container: None,
            first_s: at_s,
            last_s: at_s,
            count: 1,
        }
    }

    /// A warning reported every `every_s` from `since_s` until `now_s`; `None` before it
    /// first happens.
    fn repeated(
        reason: &'static str,
        message: String,
        component: &'static str,
        since_s: i64,
        every_s: i64,
        now_s: i64,
    ) -> Option<Self> {
        if now_s < since_s || every_s <= 0 {
            return None;
        }
        let times = (now_s - since_s) / every_s;
        Some(Self {
            warning: true,
            last_s: since_s + times * every_s,
            count: i32::try_from(times + 1).unwrap_or(i32::MAX),
            ..Self::once(reason, message, component, since_s)
        })
    }

    fn about(self, container: &str) -> Self {
        Self {
            container: Some(container.to_owned()),
            ..self
        }
    }
}

impl DemoCluster {
    /// The events in `namespace` about the object of `kind` (`Node` or `Pod`) named `name`
    /// as they stand at `now_ms`, in no particular order, as the API server lists them.
    /// Node events are kept in `default`, as the kubelet records them.
    pub fn events(&self, namespace: &str, kind: &str, name: &str, now_ms: i64) -> Vec<Event> {
        let now_s = now_ms.div_euclid(1000);
        let (involved, host, happened) = match kind {
            "Node" if namespace == "default" => match self.node(name) {
                Ok(node) => (
                    reference("Node", None, &node.metadata),
                    Some(name.to_owned()),
                    node_events(node, now_s),
                ),
                Err(_) => return Vec::new(),
            },
            "Pod" => match self.pod(namespace, name) {
                Ok(pod) => (
                    reference("Pod", Some(namespace), &pod.metadata),
                    pod.spec.as_ref().and_then(|s| s.node_name.clone()),
                    pod_events(pod, now_s),
                ),
                Err(_) => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        happened
            .into_iter()
            .filter(|h| h.first_s <= now_s)
            .map(|h| event(namespace, &involved, host.as_deref(), h))
            .collect()
    }
}

fn reference(kind: &str, namespace: Option<&str>, meta: &ObjectMeta) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some(kind.into()),
        name: meta.name.clone(),
        namespace: namespace.map(str::to_owned),
        uid: meta.uid.clone(),
        ..ObjectReference::default()
    }
}

fn event(namespace: &str, involved: &ObjectReference, host: Option<&str>, h: Happened) -> Event {
    let object = involved.name.as_deref().unwrap_or_default();
    let mut involved = involved.clone();
    if let Some(c) = &h.container {
        involved.field_path = Some(format!("spec.containers{{{c}}}"));
    }
    let host = (h.component == "kubelet")
        .then(|| host.map(str::to_owned))
        .flatten();
    Event {
        metadata: ObjectMeta {
            name: Some(format!(
                "{object}.{:016x}",
                hash(&format!(
                    "{object}/{}/{:?}/{}",
                    h.reason, h.container, h.first_s
                ))
            )),
            namespace: Some(namespace.into()),
            creation_timestamp: Some(time(h.first_s)),
            ..ObjectMeta::default()
        },
        involved_object: involved,
        type_: Some(if h.warning { "Warning" } else { "Normal" }.into()),
        reason: Some(h.reason.into()),
        message: Some(h.message),
        count: Some(h.count),
        first_timestamp: Some(time(h.first_s)),
        last_timestamp: Some(time(h.last_s)),
        reporting_component: Some(h.component.into()),
        reporting_instance: host.clone(),
        source: Some(EventSource {
            component: Some(h.component.into()),
            host,
        }),
        ..Event::default()
    }
}

/// A node's registration, and the memory pressure it is under.
fn node_events(node: &Node, now_s: i64) -> Vec<Happened> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let created = node
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(0, |t| t.0.as_second());
    let status = |reason: &'static str, after_s: i64| {
        Happened::once(
            reason,
            format!("Node {name} status is now: {reason}"),
            "kubelet",
            created + after_s,
        )
    };
    let mut happened = vec![
        Happened::once("Starting", "Starting kubelet.".into(), "kubelet", created),
        Happened::once(
            "NodeAllocatableEnforced",
            "Updated Node Allocatable limit across pods".into(),
            "kubelet",
            created + 1,
        ),
        status("NodeHasSufficientMemory", 1),
        status("NodeHasNoDiskPressure", 1),
        status("NodeHasSufficientPID", 1),
        Happened::once(
            "RegisteredNode",
            format!("Node {name} event: Registered Node {name} in Controller"),
            "node-controller",
            created + 5,
        ),
        status("NodeReady", 20),
    ];
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_deref());
    let memory_pressure = conditions
        .unwrap_or_default()
        .iter()
        .find(|c| c.type_ == "MemoryPressure" && c.status == "True");
    if let Some(c) = memory_pressure {
        let since = c
            .last_transition_time
            .as_ref()
            .map_or(created, |t| t.0.as_second());
        let reason = "NodeHasInsufficientMemory";
        happened.push(Happened {
            warning: true,
            ..Happened::once(
                reason,
                format!("Node {name} status is now: {reason}"),
                "kubelet",
                since,
            )
        });
        happened.extend(Happened::repeated(
            "EvictionThresholdMet",
            "Attempting to reclaim memory".into(),
            "kubelet",
            since,
            REPEAT_S,
            now_s,
        ));
    }
    happened
}

/// A pod's scheduling (or failure to be scheduled) and its containers' starts, restarts and
/// back-off.
fn pod_events(pod: &Pod, now_s: i64) -> Vec<Happened> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let created = pod
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(0, |t| t.0.as_second());
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let Some(node) = spec.and_then(|s| s.node_name.as_deref()) else {
        let why = status
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default()
            .iter()
            .find(|c| c.type_ == "PodScheduled")
            .and_then(|c| c.message.clone())
            .unwrap_or_default();
        return Happened::repeated(
            "FailedScheduling",
            why,
            "default-scheduler",
            created,
            REPEAT_S,
            now_s,
        )
        .into_iter()
        .collect();
    };
    let mut happened = vec![Happened::once(
        "Scheduled",
        format!("Successfully assigned {ns}/{name} to {node}"),
        "default-scheduler",
        created,
    )];
    let statuses = status.into_iter().flat_map(|s| {
        s.init_container_statuses
            .iter()
            .chain(s.container_statuses.iter())
            .flatten()
    });
    for c in statuses {
        happened.extend(container_events(c, created, now_s, name, ns, pod));
    }
    happened
}

/// The kubelet's events about one container: image, create and start (as often as it
/// started), and while it crash-loops, back-off.
fn container_events(
    c: &ContainerStatus,
    created: i64,
    now_s: i64,
    pod_name: &str,
    ns: &str,
    pod: &Pod,
) -> Vec<Happened> {
    let seconds = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.map(|t| t.0.as_second())
    };
    let state = c.state.as_ref();
    let last_run = c.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    let started = seconds(state.and_then(|s| s.running.as_ref()?.started_at.as_ref()))
        .or_else(|| seconds(state.and_then(|s| s.terminated.as_ref()?.started_at.as_ref())))
        .or_else(|| seconds(last_run.and_then(|t| t.started_at.as_ref())))
        .unwrap_or(created);
    let first = if c.restart_count > 0 {
        created + 3
    } else {
        started
    };
    let count = c.restart_count.saturating_add(1);
    // Each start repeats these, the last time when the current (or last) run started.
    let each_start = |reason: &'static str, message: String, at_s: i64| Happened {
        count,
        last_s: if count > 1 { started } else { at_s },
        ..Happened::once(reason, message, "kubelet", at_s).about(&c.name)
    };
    let mut happened = vec![
        each_start(
            "Pulled",
            format!("Container image {:?} already present on machine", c.image),
            first - 1,
        ),
        each_start("Created", format!("Created container: {}", c.name), first),
        each_start("Started", format!("Started container {}", c.name), first),
    ];
    let backing_off = state
        .and_then(|s| s.waiting.as_ref())
        .is_some_and(|w| w.reason.as_deref() == Some("CrashLoopBackOff"));
    if backing_off {
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        happened.extend(
            Happened::repeated(
                "BackOff",
                format!(
                    "Back-off restarting failed container {} in pod {pod_name}_{ns}({uid})",
                    c.name
                ),
                "kubelet",
                first + 30,
                BACK_OFF_REPEAT_S,
                now_s,
            )
            .map(|h| h.about(&c.name)),
        );
    }
    happened
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_S: i64 = 1_800_000_000;

    fn reasons(events: &[Event]) -> Vec<&str> {
        events.iter().filter_map(|e| e.reason.as_deref()).collect()
    }

    #[test]
    fn a_node_registers_and_one_is_short_of_memory() {
        let demo = DemoCluster::new(NOW_S);
        let now_ms = (NOW_S + 600) * 1000;
        let healthy = demo.events("default", "Node", "demo-worker-1", now_ms);
        let healthy_reasons = reasons(&healthy);
        for reason in ["Starting", "RegisteredNode", "NodeReady"] {
            assert!(healthy_reasons.contains(&reason), "{healthy_reasons:?}");
        }
        assert!(healthy.iter().all(|e| e.type_.as_deref() == Some("Normal")));
        let pressed = demo.events("default", "Node", "demo-worker-2", now_ms);
        let insufficient = pressed
            .iter()
            .find(|e| e.reason.as_deref() == Some("NodeHasInsufficientMemory"))
            .expect("a pressure event");
        assert_eq!(insufficient.type_.as_deref(), Some("Warning"));
        let eviction = pressed
            .iter()
            .find(|e| e.reason.as_deref() == Some("EvictionThresholdMet"))
            .expect("an eviction event");
        // Under pressure since 25 minutes before the start, reported every minute since.
        let later = demo.events("default", "Node", "demo-worker-2", now_ms + 120_000);
        let again = later
            .iter()
            .find(|e| e.reason.as_deref() == Some("EvictionThresholdMet"))
            .expect("still");
        assert_eq!(again.count, eviction.count.map(|c| c + 2));
        assert!(again.last_timestamp.as_ref().map(|t| t.0.as_second()) <= Some(NOW_S + 720));
        // Node events live in `default` only; other kinds and names have none.
        assert!(
            demo.events("shop", "Node", "demo-worker-2", now_ms)
                .is_empty()
        );
        assert!(demo.events("default", "Node", "nope", now_ms).is_empty());
        assert!(
            demo.events("default", "Service", "demo-worker-2", now_ms)
                .is_empty()
        );
    }

    #[test]
    fn pods_start_and_one_backs_off() {
        let demo = DemoCluster::new(NOW_S);
        let now_ms = NOW_S * 1000;
        let (ns, name) = demo.pod_named("postgres-0");
        let events = demo.events(&ns, "Pod", &name, now_ms);
        let seen = reasons(&events);
        assert_eq!(seen[0], "Scheduled");
        // An init container, then two app containers, each pulled, created and started.
        assert_eq!(
            seen.iter().filter(|r| **r == "Started").count(),
            3,
            "{seen:?}"
        );
        let (ns, name) = demo.pod_named("payments-");
        let events = demo.events(&ns, "Pod", &name, now_ms);
        let back_off = events
            .iter()
            .find(|e| e.reason.as_deref() == Some("BackOff"))
            .expect("back-off");
        assert_eq!(back_off.type_.as_deref(), Some("Warning"));
        assert_eq!(
            back_off.involved_object.field_path.as_deref(),
            Some("spec.containers{app}")
        );
        let started = events
            .iter()
            .find(|e| {
                e.reason.as_deref() == Some("Started")
                    && e.involved_object.field_path.as_deref() == Some("spec.containers{app}")
            })
            .expect("started");
        assert_eq!(started.count, Some(18), "once, then 17 restarts");
        let (ns, name) = demo.pod_named("report-");
        let events = demo.events(&ns, "Pod", &name, now_ms);
        assert_eq!(reasons(&events), ["FailedScheduling"]);
        assert!(
            events[0]
                .message
                .as_deref()
                .is_some_and(|m| m.contains("Insufficient cpu"))
        );
        assert!(demo.events("shop", "Pod", "nope", now_ms).is_empty());
    }
}

//! The simulated cluster's objects as an API server would hold them: nodes, and the pods of
//! Deployments (through their ReplicaSets), StatefulSets, a DaemonSet, a CronJob's Job and a
//! bare pod, with the owners that made each pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, ExecAction, HTTPGetAction, Node, NodeAddress,
    NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodCondition, PodSpec, PodStatus,
    Probe, ResourceRequirements, TCPSocketAction, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use ktop_web_shared::detail::Owner;

use super::hash;

/// The extended resource the GPU node offers and the trainers request.
pub const GPU: &str = "nvidia.com/gpu";
/// How long before the demo started the pressure node ran short of memory.
const PRESSURE_FOR_S: i64 = 25 * 60;
/// How long before the demo started the crash-looping container last crashed.
const CRASHED_AGO_S: i64 = 126;
/// How long each run of the crash-looping container lasts.
pub const CRASH_RUN_S: i64 = 24;

/// One node of the simulated cluster.
struct NodeSpecs {
    name: &'static str,
    cores: u64,
    gib: u64,
    role: &'static str,
    gpus: u32,
    memory_pressure: bool,
}

const NODES: [NodeSpecs; 5] = [
    node("demo-control-plane", 4, 16, "control-plane"),
    node("demo-worker-1", 8, 32, "worker"),
    NodeSpecs {
        memory_pressure: true,
        ..node("demo-worker-2", 8, 32, "worker")
    },
    node("demo-worker-3", 16, 64, "worker"),
    NodeSpecs {
        gpus: 4,
        ..node("demo-gpu-1", 32, 256, "worker")
    },
];

const fn node(name: &'static str, cores: u64, gib: u64, role: &'static str) -> NodeSpecs {
    NodeSpecs {
        name,
        cores,
        gib,
        role,
        gpus: 0,
        memory_pressure: false,
    }
}

/// Indices in [`NODES`] of the workers that ordinary workloads spread over.
const WORKERS: [usize; 3] = [1, 2, 3];
/// Index in [`NODES`] of the GPU node.
const GPU_NODE: usize = 4;

/// What made a workload's pods.
#[derive(Clone, Copy)]
enum Kind {
    /// Pods `name-<rs hash>-<suffix>` owned by ReplicaSet `name-<rs hash>`.
    Deployment,
    /// Pods `name-0`, `name-1`, …
    StatefulSet,
    /// One pod per node.
    DaemonSet,
    /// A Job named `job` made at a scheduled time, its pods `job-<suffix>`.
    CronJob { job: &'static str },
    /// A pod nobody owns (`kubectl run`).
    Bare,
}

/// Where a workload's pods run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Spread over the workers.
    Workers,
    /// On the GPU node.
    Gpu,
    /// Nowhere: more than any node has.
    Unschedulable,
}

/// How a container's limits relate to its requests.
#[derive(Clone, Copy)]
enum Limits {
    None,
    Double,
    Equal,
}

/// How a container's readiness is probed.
#[derive(Clone, Copy)]
enum Check {
    None,
    Http(i32, &'static str),
    Tcp(i32),
    Exec(&'static [&'static str]),
}

/// One container of a workload's pod template.
struct ContainerSpecs {
    name: &'static str,
    image: &'static str,
    cpu_m: u64,
    mem_mi: u64,
    limits: Limits,
    gpus: u32,
    port: Option<(i32, &'static str)>,
    check: Check,
}

const fn container(
    name: &'static str,
    image: &'static str,
    cpu_m: u64,
    mem_mi: u64,
    limits: Limits,
) -> ContainerSpecs {
    ContainerSpecs {
        name,
        image,
        cpu_m,
        mem_mi,
        limits,
        gpus: 0,
        port: None,
        check: Check::None,
    }
}

const fn serving(
    c: ContainerSpecs,
    port: i32,
    port_name: &'static str,
    check: Check,
) -> ContainerSpecs {
    ContainerSpecs {
        port: Some((port, port_name)),
        check,
        ..c
    }
}

/// A workload and its pod template.
struct Workload {
    ns: &'static str,
    name: &'static str,
    kind: Kind,
    replicas: usize,
    placement: Placement,
    init: &'static [ContainerSpecs],
    containers: &'static [ContainerSpecs],
}

const fn workload(
    ns: &'static str,
    name: &'static str,
    kind: Kind,
    replicas: usize,
    containers: &'static [ContainerSpecs],
) -> Workload {
    Workload {
        ns,
        name,
        kind,
        replicas,
        placement: Placement::Workers,
        init: &[],
        containers,
    }
}

const ENVOY: ContainerSpecs = serving(
    container("envoy", "envoyproxy/envoy:v1.34.1", 50, 64, Limits::Double),
    9901,
    "admin",
    Check::Http(9901, "/ready"),
);

const WORKLOADS: [Workload; 16] = [
    workload(
        "kube-system",
        "coredns",
        Kind::Deployment,
        2,
        &[serving(
            container(
                "coredns",
                "registry.k8s.io/coredns/coredns:v1.12.0",
                100,
                70,
                Limits::Double,
            ),
            53,
            "dns-tcp",
            Check::Http(8181, "/ready"),
        )],
    ),
    workload(
        "kube-system",
        "metrics-server",
        Kind::Deployment,
        1,
        &[serving(
            container(
                "metrics-server",
                "registry.k8s.io/metrics-server/metrics-server:v0.8.0",
                100,
                200,
                Limits::None,
            ),
            10250,
            "https",
            Check::Tcp(10250),
        )],
    ),
    workload(
        "shop",
        "frontend",
        Kind::Deployment,
        12,
        &[serving(
            container(
                "web",
                "ghcr.io/example/shop-frontend:2.14.1",
                250,
                256,
                Limits::Double,
            ),
            8080,
            "http",
            Check::Http(8080, "/healthz"),
        )],
    ),
    workload(
        "shop",
        "cart",
        Kind::Deployment,
        8,
        &[
            serving(
                container(
                    "app",
                    "ghcr.io/example/shop-cart:1.9.3",
                    200,
                    512,
                    Limits::Double,
                ),
                8080,
                "http",
                Check::Http(8080, "/healthz"),
            ),
            ENVOY,
        ],
    ),
    workload(
        "shop",
        "checkout",
        Kind::Deployment,
        5,
        &[serving(
            container(
                "app",
                "ghcr.io/example/shop-checkout:3.0.2",
                500,
                1024,
                Limits::Double,
            ),
            8080,
            "http",
            Check::Http(8080, "/healthz"),
        )],
    ),
    workload(
        "shop",
        "payments",
        Kind::Deployment,
        3,
        &[
            serving(
                container(
                    "app",
                    "ghcr.io/example/shop-payments:0.9.8",
                    300,
                    384,
                    Limits::None,
                ),
                8080,
                "http",
                Check::Http(8080, "/healthz"),
            ),
            ENVOY,
        ],
    ),
    workload(
        "shop",
        "search",
        Kind::Deployment,
        6,
        &[serving(
            container(
                "app",
                "ghcr.io/example/shop-search:2.3.0",
                0,
                0,
                Limits::None,
            ),
            8080,
            "http",
            Check::Http(8080, "/healthz"),
        )],
    ),
    Workload {
        init: &[container(
            "init-permissions",
            "busybox:1.37",
            10,
            16,
            Limits::Double,
        )],
        ..workload(
            "data",
            "postgres",
            Kind::StatefulSet,
            3,
            &[
                serving(
                    container("postgres", "postgres:17.5", 1000, 4096, Limits::Double),
                    5432,
                    "postgres",
                    Check::Exec(&["pg_isready", "-U", "postgres"]),
                ),
                serving(
                    container(
                        "exporter",
                        "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
                        20,
                        32,
                        Limits::Double,
                    ),
                    9187,
                    "metrics",
                    Check::Http(9187, "/metrics"),
                ),
            ],
        )
    },
    workload(
        "data",
        "redis",
        Kind::Deployment,
        6,
        &[serving(
            container("redis", "redis:8.0.2", 250, 1024, Limits::Double),
            6379,
            "redis",
            Check::Tcp(6379),
        )],
    ),
    workload(
        "data",
        "kafka",
        Kind::StatefulSet,
        3,
        &[serving(
            container("kafka", "apache/kafka:4.0.0", 1500, 6144, Limits::Double),
            9092,
            "kafka",
            Check::Tcp(9092),
        )],
    ),
    workload(
        "monitoring",
        "prometheus",
        Kind::StatefulSet,
        1,
        &[
            serving(
                container(
                    "prometheus",
                    "quay.io/prometheus/prometheus:v3.4.1",
                    1000,
                    8192,
                    Limits::Double,
                ),
                9090,
                "web",
                Check::Http(9090, "/-/ready"),
            ),
            container(
                "config-reloader",
                "quay.io/prometheus-operator/prometheus-config-reloader:v0.83.0",
                10,
                32,
                Limits::Double,
            ),
        ],
    ),
    workload(
        "monitoring",
        "grafana",
        Kind::Deployment,
        1,
        &[serving(
            container("grafana", "grafana/grafana:12.0.1", 100, 256, Limits::None),
            3000,
            "http",
            Check::Http(3000, "/api/health"),
        )],
    ),
    workload(
        "monitoring",
        "node-exporter",
        Kind::DaemonSet,
        NODES.len(),
        &[serving(
            container(
                "node-exporter",
                "quay.io/prometheus/node-exporter:v1.9.1",
                50,
                64,
                Limits::Double,
            ),
            9100,
            "metrics",
            Check::Http(9100, "/"),
        )],
    ),
    Workload {
        placement: Placement::Gpu,
        ..workload(
            "ml",
            "trainer",
            Kind::StatefulSet,
            3,
            &[ContainerSpecs {
                gpus: 1,
                ..container(
                    "trainer",
                    "ghcr.io/example/trainer:0.7.2",
                    4000,
                    16384,
                    Limits::Equal,
                )
            }],
        )
    },
    Workload {
        placement: Placement::Unschedulable,
        ..workload(
            "data",
            "report",
            Kind::CronJob {
                job: "report-28834120",
            },
            1,
            &[container(
                "report",
                "ghcr.io/example/report:1.2.0",
                32_000,
                131_072,
                Limits::None,
            )],
        )
    },
    workload(
        "default",
        "debug",
        Kind::Bare,
        1,
        &[container(
            "debug",
            "nicolaka/netshoot:v0.13",
            0,
            0,
            Limits::None,
        )],
    ),
];

/// One simulated pod: the object and the owners above it.
pub struct DemoPod {
    /// The Pod as the API server holds it.
    pub object: Pod,
    /// The workload at the top of its owners, e.g. `Deployment cart` or `CronJob report`;
    /// `None` for a bare pod.
    pub workload: Option<Owner>,
    /// The object that owns the pod itself (its controller reference), e.g. `ReplicaSet
    /// cart-6d9f7c8b4x`, `StatefulSet postgres` or `Job report-28834120`.
    pub controller: Option<Owner>,
}

/// The simulated nodes, created days before `now_s`.
pub fn nodes(now_s: i64) -> Vec<Node> {
    NODES
        .iter()
        .enumerate()
        .map(|(i, spec)| node_object(i, spec, now_s))
        .collect()
}

/// The simulated pods, as they are at `now_s`.
pub fn pods(now_s: i64) -> Vec<DemoPod> {
    let mut pods = Vec::new();
    for (w, workload) in WORKLOADS.iter().enumerate() {
        for r in 0..workload.replicas {
            let node = match (workload.kind, workload.placement) {
                (Kind::DaemonSet, _) => Some(r % NODES.len()),
                (_, Placement::Workers) => Some(WORKERS[(w + r) % WORKERS.len()]),
                (_, Placement::Gpu) => Some(GPU_NODE),
                (_, Placement::Unschedulable) => None,
            };
            pods.push(pod(workload, r, node, now_s));
        }
    }
    // A crash-looping container, as real clusters have.
    if let Some(p) = pods.iter_mut().find(|p| {
        p.controller
            .as_ref()
            .is_some_and(|o| o.name.starts_with("payments-"))
    }) {
        crash_loop(&mut p.object, "app", now_s);
    }
    pods
}

/// Kubernetes' alphabet for generated names (no vowels, no look-alikes).
fn generated(seed: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h = hash(seed);
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize];
            h /= ALPHABET.len() as u64;
            char::from(c)
        })
        .collect()
}

/// A stable UID for an object.
fn uid(seed: &str) -> String {
    let (a, b) = (hash(seed), hash(&format!("{seed}/uid")));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// An API time from Unix seconds.
pub fn time(s: i64) -> Time {
    Time(jiff::Timestamp::from_second(s).unwrap_or_default())
}

fn quantities<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, Quantity> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Quantity(v)))
        .collect()
}

fn node_object(i: usize, spec: &NodeSpecs, now_s: i64) -> Node {
    let created = now_s - 86_400 * (30 - i as i64);
    let mut capacity = quantities([
        ("cpu", spec.cores.to_string()),
        ("memory", format!("{}Gi", spec.gib)),
        ("pods", "110".into()),
        ("ephemeral-storage", "100Gi".into()),
    ]);
    let mut allocatable = quantities([
        ("cpu", format!("{}m", spec.cores * 1000 - 100)),
        ("memory", format!("{}Mi", spec.gib * 1024 - 512)),
        ("pods", "110".into()),
        ("ephemeral-storage", "95Gi".into()),
    ]);
    let mut labels: BTreeMap<String, String> = [
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/hostname", spec.name),
        ("topology.kubernetes.io/zone", "demo-a"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    labels.insert(
        format!("node-role.kubernetes.io/{}", spec.role),
        String::new(),
    );
    let mut taints = Vec::new();
    if spec.role == "control-plane" {
        taints.push(taint("node-role.kubernetes.io/control-plane", None));
    }
    if spec.gpus > 0 {
        capacity.insert(GPU.into(), Quantity(spec.gpus.to_string()));
        allocatable.insert(GPU.into(), Quantity(spec.gpus.to_string()));
        labels.insert(
            "nvidia.com/gpu.product".into(),
            "NVIDIA-A100-SXM4-80GB".into(),
        );
        taints.push(taint(GPU, Some("present")));
    }
    if spec.memory_pressure {
        taints.push(taint("node.kubernetes.io/memory-pressure", None));
    }
    let condition =
        |kind: &str, healthy: bool, reason: &str, message: &str, since: i64| NodeCondition {
            type_: kind.into(),
            status: if (kind == "Ready") == healthy {
                "True"
            } else {
                "False"
            }
            .into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_heartbeat_time: Some(time(now_s)),
            last_transition_time: Some(time(since)),
        };
    let memory = if spec.memory_pressure {
        condition(
            "MemoryPressure",
            false,
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
            now_s - PRESSURE_FOR_S,
        )
    } else {
        condition(
            "MemoryPressure",
            true,
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            created,
        )
    };
    let seed = |what: &str| format!("{:016x}", hash(&format!("{}/{what}", spec.name)));
    Node {
        metadata: ObjectMeta {
            name: Some(spec.name.into()),
            uid: Some(uid(spec.name)),
            labels: Some(labels),
            creation_timestamp: Some(time(created)),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(format!("10.244.{i}.0/24")),
            provider_id: Some(format!("demo://{}", spec.name)),
            taints: Some(taints),
            ..NodeSpec::default()
        }),
        status: Some(NodeStatus {
            capacity: Some(capacity),
            allocatable: Some(allocatable),
            conditions: Some(vec![
                memory,
                condition(
                    "DiskPressure",
                    true,
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                    created,
                ),
                condition(
                    "PIDPressure",
                    true,
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                    created,
                ),
                condition(
                    "Ready",
                    true,
                    "KubeletReady",
                    "kubelet is posting ready status",
                    created + 20,
                ),
            ]),
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: internal_ip(i),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: spec.name.into(),
                },
            ]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: uid(&seed("boot")),
                container_runtime_version: "containerd://2.0.5".into(),
                kernel_version: "6.8.0-1029-aws".into(),
                kubelet_version: "v1.35.4".into(),
                machine_id: seed("machine") + &seed("id"),
                operating_system: "linux".into(),
                os_image: "Ubuntu 24.04.2 LTS".into(),
                system_uuid: uid(&seed("system")),
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}

fn internal_ip(node: usize) -> String {
    format!("10.0.1.{}", 10 + node)
}

fn taint(key: &str, value: Option<&str>) -> Taint {
    Taint {
        key: key.into(),
        value: value.map(str::to_owned),
        effect: "NoSchedule".into(),
        time_added: None,
    }
}

/// Replica `r` of `workload`, on node index `node` (unscheduled when `None`).
fn pod(workload: &Workload, r: usize, node: Option<usize>, now_s: i64) -> DemoPod {
    let (ns, name) = (workload.ns, workload.name);
    let top = |kind: &str| {
        Some(Owner {
            kind: kind.into(),
            name: name.into(),
        })
    };
    let template_hash = generated(&format!("{ns}/{name}/template"), 10);
    let (pod_name, workload_owner, controller) = match workload.kind {
        Kind::Deployment => {
            let rs = format!("{name}-{template_hash}");
            let pod = format!("{rs}-{}", generated(&format!("{rs}/{r}"), 5));
            let controller = Owner {
                kind: "ReplicaSet".into(),
                name: rs,
            };
            (pod, top("Deployment"), Some(controller))
        }
        Kind::StatefulSet => (
            format!("{name}-{r}"),
            top("StatefulSet"),
            top("StatefulSet"),
        ),
        Kind::DaemonSet => (
            format!("{name}-{}", generated(&format!("{name}/{node:?}"), 5)),
            top("DaemonSet"),
            top("DaemonSet"),
        ),
        Kind::CronJob { job } => {
            let controller = Owner {
                kind: "Job".into(),
                name: job.into(),
            };
            let pod = format!("{job}-{}", generated(&format!("{job}/{r}"), 5));
            (pod, top("CronJob"), Some(controller))
        }
        Kind::Bare => (name.to_owned(), None, None),
    };
    let created = match node {
        None => now_s - 240,
        Some(_) => now_s - 3600 * (1 + (hash(name) % 200) as i64),
    };
    let mut labels = BTreeMap::from([("app".to_owned(), name.to_owned())]);
    if matches!(workload.kind, Kind::Deployment) {
        labels.insert("pod-template-hash".into(), template_hash);
    }
    let owner_references = controller.as_ref().map(|o| {
        let api_version = if o.kind == "Job" {
            "batch/v1"
        } else {
            "apps/v1"
        };
        vec![OwnerReference {
            api_version: api_version.into(),
            kind: o.kind.clone(),
            name: o.name.clone(),
            uid: uid(&format!("{ns}/{}/{}", o.kind, o.name)),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]
    });
    let init: Vec<Container> = workload.init.iter().map(container_object).collect();
    let containers: Vec<Container> = workload.containers.iter().map(container_object).collect();
    let key = format!("{ns}/{pod_name}");
    let status = match node {
        Some(n) => running_status(&key, workload, n, created),
        None => unschedulable_status(workload, created),
    };
    DemoPod {
        object: Pod {
            metadata: ObjectMeta {
                namespace: Some(ns.into()),
                name: Some(pod_name),
                uid: Some(uid(&key)),
                labels: Some(labels),
                owner_references,
                creation_timestamp: Some(time(created)),
                ..ObjectMeta::default()
            },
            spec: Some(PodSpec {
                node_name: node.map(|n| NODES[n].name.to_owned()),
                init_containers: (!init.is_empty()).then_some(init),
                containers,
                restart_policy: Some(
                    if matches!(workload.kind, Kind::CronJob { .. }) {
                        "OnFailure"
                    } else {
                        "Always"
                    }
                    .into(),
                ),
                scheduler_name: Some("default-scheduler".into()),
                ..PodSpec::default()
            }),
            status: Some(status),
        },
        workload: workload_owner,
        controller,
    }
}

fn container_object(c: &ContainerSpecs) -> Container {
    let mut requests = BTreeMap::new();
    if c.cpu_m > 0 {
        requests.insert("cpu".to_owned(), Quantity(format!("{}m", c.cpu_m)));
    }
    if c.mem_mi > 0 {
        requests.insert("memory".to_owned(), Quantity(format!("{}Mi", c.mem_mi)));
    }
    if c.gpus > 0 {
        requests.insert(GPU.to_owned(), Quantity(c.gpus.to_string()));
    }
    let limits = match c.limits {
        Limits::None => BTreeMap::new(),
        Limits::Equal => requests.clone(),
        Limits::Double => quantities([
            ("cpu", format!("{}m", c.cpu_m * 2)),
            ("memory", format!("{}Mi", c.mem_mi * 2)),
        ]),
    };
    let probe = |check: Check| {
        let mut probe = Probe {
            period_seconds: Some(10),
            ..Probe::default()
        };
        match check {
            Check::None => return None,
            Check::Http(port, path) => {
                probe.http_get = Some(HTTPGetAction {
                    port: IntOrString::Int(port),
                    path: Some(path.into()),
                    ..HTTPGetAction::default()
                });
            }
            Check::Tcp(port) => {
                probe.tcp_socket = Some(TCPSocketAction {
                    port: IntOrString::Int(port),
                    host: None,
                });
            }
            Check::Exec(command) => {
                probe.exec = Some(ExecAction {
                    command: Some(command.iter().map(|&s| s.to_owned()).collect()),
                });
            }
        }
        Some(probe)
    };
    Container {
        name: c.name.into(),
        image: Some(c.image.into()),
        ports: c.port.map(|(port, name)| {
            vec![ContainerPort {
                container_port: port,
                name: Some(name.into()),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            }]
        }),
        resources: Some(ResourceRequirements {
            requests: (!requests.is_empty()).then_some(requests),
            limits: (!limits.is_empty()).then_some(limits),
            ..ResourceRequirements::default()
        }),
        readiness_probe: probe(c.check),
        liveness_probe: probe(c.check).map(|p| Probe {
            period_seconds: Some(20),
            ..p
        }),
        ..Container::default()
    }
}

fn pod_condition(kind: &str, status: bool, since: i64) -> PodCondition {
    PodCondition {
        type_: kind.into(),
        status: if status { "True" } else { "False" }.into(),
        last_transition_time: Some(time(since)),
        ..PodCondition::default()
    }
}

/// A scheduled pod whose containers started a few seconds after it was created.
fn running_status(key: &str, workload: &Workload, node: usize, created: i64) -> PodStatus {
    let image_id = |image: &str| {
        format!(
            "{}@sha256:{:016x}{:016x}",
            image.split(':').next().unwrap_or(image),
            hash(image),
            hash(&format!("{image}/digest"))
        )
    };
    let container_id = |name: &str, run: u32| {
        format!(
            "containerd://{:016x}{:016x}",
            hash(&format!("{key}/{name}/{run}")),
            hash(name)
        )
    };
    let started = created + 3 + workload.init.len() as i64 * 4;
    let init_statuses: Vec<ContainerStatus> = workload
        .init
        .iter()
        .enumerate()
        .map(|(i, c)| ContainerStatus {
            name: c.name.into(),
            image: c.image.into(),
            image_id: image_id(c.image),
            container_id: Some(container_id(c.name, 0)),
            ready: true,
            restart_count: 0,
            started: Some(false),
            state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 0,
                    reason: Some("Completed".into()),
                    started_at: Some(time(created + 3 + i as i64 * 4)),
                    finished_at: Some(time(created + 5 + i as i64 * 4)),
                    container_id: Some(container_id(c.name, 0)),
                    ..ContainerStateTerminated::default()
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        })
        .collect();
    let statuses = workload
        .containers
        .iter()
        .map(|c| ContainerStatus {
            name: c.name.into(),
            image: c.image.into(),
            image_id: image_id(c.image),
            container_id: Some(container_id(c.name, 0)),
            ready: true,
            restart_count: 0,
            started: Some(true),
            state: Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(time(started)),
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        })
        .collect();
    let pod_ip = format!("10.244.{node}.{}", 2 + hash(key) % 250);
    PodStatus {
        phase: Some("Running".into()),
        conditions: Some(vec![
            pod_condition("PodReadyToStartContainers", true, created + 2),
            pod_condition("Initialized", true, started - 1),
            pod_condition("Ready", true, started + 5),
            pod_condition("ContainersReady", true, started + 5),
            pod_condition("PodScheduled", true, created),
        ]),
        host_ip: Some(internal_ip(node)),
        pod_ip: Some(pod_ip),
        qos_class: Some(qos(workload).into()),
        start_time: Some(time(created)),
        init_container_statuses: (!init_statuses.is_empty()).then_some(init_statuses),
        container_statuses: Some(statuses),
        ..PodStatus::default()
    }
}

/// A pod no node has room for.
fn unschedulable_status(workload: &Workload, created: i64) -> PodStatus {
    let workers = WORKERS.len();
    let message = format!(
        "0/{} nodes are available: 1 node(s) had untolerated taint {{node-role.kubernetes.io/control-plane: }}, \
         1 node(s) had untolerated taint {{{GPU}: present}}, {workers} Insufficient cpu, {workers} Insufficient memory. \
         preemption: 0/{} nodes are available: 2 Preemption is not helpful for scheduling, {workers} No preemption victims found for incoming pod.",
        NODES.len(),
        NODES.len()
    );
    PodStatus {
        phase: Some("Pending".into()),
        conditions: Some(vec![PodCondition {
            reason: Some("Unschedulable".into()),
            message: Some(message),
            ..pod_condition("PodScheduled", false, created)
        }]),
        qos_class: Some(qos(workload).into()),
        ..PodStatus::default()
    }
}

/// Kubernetes' QoS class of a workload's pods.
fn qos(workload: &Workload) -> &'static str {
    let all = || workload.init.iter().chain(workload.containers);
    if all().all(|c| c.cpu_m == 0 && c.mem_mi == 0 && matches!(c.limits, Limits::None)) {
        "BestEffort"
    } else if all().all(|c| matches!(c.limits, Limits::Equal) && c.cpu_m > 0 && c.mem_mi > 0) {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Puts `container` of `pod` in CrashLoopBackOff: it has crashed again and again, the last
/// time a little before `now_s`, and waits to be restarted.
fn crash_loop(pod: &mut Pod, container: &str, now_s: i64) {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let Some(status) = pod.status.as_mut() else {
        return;
    };
    for c in status.container_statuses.iter_mut().flatten() {
        if c.name != container {
            continue;
        }
        let finished = now_s - CRASHED_AGO_S;
        c.ready = false;
        c.started = Some(false);
        c.restart_count = 17;
        c.last_state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 1,
                reason: Some("Error".into()),
                started_at: Some(time(finished - CRASH_RUN_S)),
                finished_at: Some(time(finished)),
                container_id: c.container_id.clone(),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        });
        c.state = Some(ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some("CrashLoopBackOff".into()),
                message: Some(format!(
                    "back-off 5m0s restarting failed container={container} pod={name}"
                )),
            }),
            ..ContainerState::default()
        });
    }
    for condition in status.conditions.iter_mut().flatten() {
        if matches!(condition.type_.as_str(), "Ready" | "ContainersReady") {
            condition.status = "False".into();
            condition.reason = Some("ContainersNotReady".into());
            condition.message = Some(format!("containers with unready status: [{container}]"));
            condition.last_transition_time = Some(time(now_s - CRASHED_AGO_S));
        }
    }
}

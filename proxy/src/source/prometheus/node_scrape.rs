//! What one node's kubelet scrape holds, reduced to the series ktop-web uses: cumulative
//! counters and gauges per container, per pod (network) and for the node (root cgroup).
//! Everything else on these endpoints (hundreds of series per container) is skipped by name
//! before its labels are parsed.

use std::collections::HashMap;

use super::text_format::{Sample, metric_name, parse_line};

/// A container, by namespace, pod and container name.
pub type ContainerKey = (String, String, String);
/// A pod, by namespace and name.
pub type PodKey = (String, String);

/// The counters and gauges of one scrape of one node.
#[derive(Debug, Default, PartialEq)]
pub struct NodeScrape {
    /// CPU seconds and working set per container.
    pub containers: HashMap<ContainerKey, ContainerCounters>,
    /// Network bytes per pod (the pod sandbox's interfaces, summed).
    pub pods: HashMap<PodKey, Io>,
    /// Pressure stall seconds per pod (the pod's cgroup).
    pub pod_stalls: HashMap<PodKey, StallSeconds>,
    /// The node's totals (root cgroup).
    pub node: NodeCounters,
    /// Lines that did not parse, were not UTF-8 or were too long; counted, not fatal.
    pub bad_lines: usize,
}

/// One container's series.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ContainerCounters {
    /// `container_cpu_usage_seconds_total` and its time (ms), when present.
    pub cpu_seconds: Option<(f64, Option<i64>)>,
    /// `container_memory_working_set_bytes`.
    pub memory_bytes: Option<f64>,
    /// Filesystem bytes read and written (cadvisor), summed over devices.
    pub fs: Io,
}

/// Byte counters in both directions, summed over interfaces or devices.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Io {
    /// Received, or read.
    pub inbound: Option<f64>,
    /// Transmitted, or written.
    pub outbound: Option<f64>,
    /// The newest time (ms) cadvisor gave these values: it refreshes them every 10–15 s, so
    /// a rate must use this, not the time they were fetched.
    pub ts_ms: Option<i64>,
}

impl Io {
    fn add(&mut self, inbound: bool, value: f64, ts_ms: Option<i64>) {
        let slot = if inbound {
            &mut self.inbound
        } else {
            &mut self.outbound
        };
        *slot = Some(slot.unwrap_or(0.0) + value);
        self.ts_ms = self.ts_ms.max(ts_ms);
    }
}

/// The node's own series.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NodeCounters {
    /// `node_cpu_usage_seconds_total` and its time (ms).
    pub cpu_seconds: Option<(f64, Option<i64>)>,
    /// `node_memory_working_set_bytes`.
    pub memory_bytes: Option<f64>,
    /// Network of the root cgroup, summed over interfaces.
    pub network: Io,
    /// Filesystem of the root cgroup, summed over devices.
    pub fs: Io,
    /// Pressure stall seconds of the root cgroup.
    pub stall: StallSeconds,
}

/// A cgroup's PSI counters: seconds during which at least one task waited ("some"), where
/// the kubelet exposes them (Kubernetes 1.34+, `KubeletPSI`, cgroup v2).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct StallSeconds {
    /// `container_pressure_cpu_waiting_seconds_total`.
    pub cpu: Option<f64>,
    /// `container_pressure_memory_waiting_seconds_total`.
    pub memory: Option<f64>,
    /// `container_pressure_io_waiting_seconds_total`.
    pub io: Option<f64>,
    /// The newest time (ms) cadvisor gave these values.
    pub ts_ms: Option<i64>,
}

/// The series read, by name.
const WANTED: [&str; 11] = [
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "node_cpu_usage_seconds_total",
    "node_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "container_fs_reads_bytes_total",
    "container_fs_writes_bytes_total",
    "container_pressure_cpu_waiting_seconds_total",
    "container_pressure_memory_waiting_seconds_total",
    "container_pressure_io_waiting_seconds_total",
];

/// The pod sandbox ("pause") container, which carries the pod's network: `""` with
/// containerd and CRI-O, `POD` with the old dockershim.
fn is_sandbox(container: &str) -> bool {
    container.is_empty() || container == "POD"
}

impl NodeScrape {
    /// Adds the lines of one endpoint's body (`/metrics/resource` or `/metrics/cadvisor`).
    pub fn read<'a>(&mut self, lines: impl IntoIterator<Item = &'a str>) {
        for line in lines {
            let Some(name) = metric_name(line) else {
                continue;
            };
            if !WANTED.contains(&name) {
                continue;
            }
            match parse_line(line) {
                Ok(Some(sample)) => self.add(&sample),
                Ok(None) => {}
                Err(_) => self.bad_lines += 1,
            }
        }
    }

    fn add(&mut self, s: &Sample<'_>) {
        let (ns, pod, container) = (s.label("namespace"), s.label("pod"), s.label("container"));
        // cadvisor's root cgroup is the node; other cgroups without a pod are system slices.
        let root = s.label("id") == "/";
        let value = s.value;
        match s.name {
            "node_cpu_usage_seconds_total" => self.node.cpu_seconds = Some((value, s.timestamp_ms)),
            "node_memory_working_set_bytes" => self.node.memory_bytes = Some(value),
            "container_network_receive_bytes_total" | "container_network_transmit_bytes_total" => {
                let inbound = s.name == "container_network_receive_bytes_total";
                if root {
                    self.node.network.add(inbound, value, s.timestamp_ms);
                } else if !pod.is_empty() && is_sandbox(container) && !s.label("image").is_empty() {
                    // Only the sandbox's own series: a pod-level cgroup repeating it would
                    // count the traffic twice.
                    self.pods
                        .entry((ns.to_owned(), pod.to_owned()))
                        .or_default()
                        .add(inbound, value, s.timestamp_ms);
                }
            }
            "container_fs_reads_bytes_total" | "container_fs_writes_bytes_total" => {
                let inbound = s.name == "container_fs_reads_bytes_total";
                if root {
                    self.node.fs.add(inbound, value, s.timestamp_ms);
                } else if let Some(c) = self.container(ns, pod, container) {
                    c.fs.add(inbound, value, s.timestamp_ms);
                }
            }
            "container_pressure_cpu_waiting_seconds_total"
            | "container_pressure_memory_waiting_seconds_total"
            | "container_pressure_io_waiting_seconds_total" => {
                // The node's root cgroup, or a pod's own cgroup (no container, no image):
                // a pod's stall is not the sum of its containers'.
                let target = if root {
                    Some(&mut self.node.stall)
                } else if !pod.is_empty() && container.is_empty() && s.label("image").is_empty() {
                    Some(
                        self.pod_stalls
                            .entry((ns.to_owned(), pod.to_owned()))
                            .or_default(),
                    )
                } else {
                    None
                };
                if let Some(t) = target {
                    let slot = match s.name {
                        "container_pressure_cpu_waiting_seconds_total" => &mut t.cpu,
                        "container_pressure_memory_waiting_seconds_total" => &mut t.memory,
                        _ => &mut t.io,
                    };
                    *slot = Some(value);
                    t.ts_ms = t.ts_ms.max(s.timestamp_ms);
                }
            }
            // cadvisor repeats CPU and memory; the kubelet's own series (read first) win, and
            // cadvisor's fill in when the kubelet component is off. Its root cgroup is the
            // whole node.
            "container_cpu_usage_seconds_total" | "container_memory_working_set_bytes" => {
                let target = if root {
                    Some((&mut self.node.cpu_seconds, &mut self.node.memory_bytes))
                } else {
                    self.container(ns, pod, container)
                        .map(|c| (&mut c.cpu_seconds, &mut c.memory_bytes))
                };
                match (target, s.name == "container_cpu_usage_seconds_total") {
                    (Some((cpu, _)), true) => {
                        cpu.get_or_insert((value, s.timestamp_ms));
                    }
                    (Some((_, memory)), false) => {
                        memory.get_or_insert(value);
                    }
                    (None, _) => {}
                }
            }
            _ => {}
        }
    }

    /// An app container's entry; the sandbox and cgroups without a pod have none.
    fn container(
        &mut self,
        ns: &str,
        pod: &str,
        container: &str,
    ) -> Option<&mut ContainerCounters> {
        if pod.is_empty() || is_sandbox(container) {
            return None;
        }
        Some(
            self.containers
                .entry((ns.to_owned(), pod.to_owned(), container.to_owned()))
                .or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/metrics/resource` as a kubelet serves it (values, then millisecond timestamps).
    const RESOURCE: &str = r#"# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="app",namespace="shop",pod="cart-0"} 120.5 1700000000000
container_cpu_usage_seconds_total{container="sidecar",namespace="shop",pod="cart-0"} 3.25 1700000000000
# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{container="app",namespace="shop",pod="cart-0"} 2.68435456e+08 1700000000000
# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds
# TYPE container_start_time_seconds gauge
container_start_time_seconds{container="app",namespace="shop",pod="cart-0"} 1.6999e+09
# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total 9876.5 1700000000100
# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes
# TYPE node_memory_working_set_bytes gauge
node_memory_working_set_bytes 4.294967296e+09 1700000000100
# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise
# TYPE resource_scrape_error gauge
resource_scrape_error 0
"#;

    /// `/metrics/cadvisor` lines in the kubelet's label layout: the root cgroup, the pod
    /// sandbox carrying the network, a pod-level cgroup, an app container's disk.
    const CADVISOR: &str = r#"# TYPE container_network_receive_bytes_total counter
container_network_receive_bytes_total{container="",id="/",image="",interface="eth0",name="",namespace="",pod=""} 1.40827091146e+11 1700000000000
container_network_receive_bytes_total{container="",id="/",image="",interface="cni0",name="",namespace="",pod=""} 1000 1700000000000
container_network_receive_bytes_total{container="",id="/kubepods/burstable/pod1a/c0ffee",image="registry.k8s.io/pause:3.10",interface="eth0",name="c0ffee",namespace="shop",pod="cart-0"} 1.2898191e+07 1700000000000
container_network_receive_bytes_total{container="",id="/kubepods/burstable/pod1a",image="",interface="eth0",name="",namespace="shop",pod="cart-0"} 1.2898191e+07 1700000000000
# TYPE container_network_transmit_bytes_total counter
container_network_transmit_bytes_total{container="POD",id="/kubepods/pod2b/d00d",image="k8s.gcr.io/pause:3.1",interface="eth0",name="d00d",namespace="shop",pod="web-0"} 5000 1700000000000
# TYPE container_fs_reads_bytes_total counter
container_fs_reads_bytes_total{container="app",device="/dev/sda",id="/kubepods/burstable/pod1a/beef",image="shop/cart:1",name="beef",namespace="shop",pod="cart-0"} 36864 1700000000000
container_fs_reads_bytes_total{container="app",device="/dev/sdb",id="/kubepods/burstable/pod1a/beef",image="shop/cart:1",name="beef",namespace="shop",pod="cart-0"} 100 1700000000000
container_fs_reads_bytes_total{container="",device="/dev/sda",id="/",image="",name="",namespace="",pod=""} 7e+09 1700000000000
# TYPE container_fs_writes_bytes_total counter
container_fs_writes_bytes_total{container="app",device="/dev/sda",id="/kubepods/burstable/pod1a/beef",image="shop/cart:1",name="beef",namespace="shop",pod="cart-0"} 4096 1700000000000
container_cpu_load_average_10s{container="app",id="/kubepods/burstable/pod1a/beef",image="shop/cart:1",name="beef",namespace="shop",pod="cart-0"} 0
container_cpu_usage_seconds_total{container="",cpu="total",id="/",image="",name="",namespace="",pod=""} 5555 1700000000000
this line is not a sample
container_fs_writes_bytes_total{container="app" 12
"#;

    fn key(ns: &str, pod: &str, c: &str) -> ContainerKey {
        (ns.into(), pod.into(), c.into())
    }

    #[test]
    fn resource_endpoint() {
        let mut s = NodeScrape::default();
        s.read(RESOURCE.lines());
        let app = s.containers[&key("shop", "cart-0", "app")];
        assert_eq!(app.cpu_seconds, Some((120.5, Some(1_700_000_000_000))));
        assert_eq!(app.memory_bytes, Some(268_435_456.0));
        assert_eq!(
            s.containers[&key("shop", "cart-0", "sidecar")].cpu_seconds,
            Some((3.25, Some(1_700_000_000_000)))
        );
        assert_eq!(s.node.cpu_seconds, Some((9876.5, Some(1_700_000_000_100))));
        assert_eq!(s.node.memory_bytes, Some(4_294_967_296.0));
        assert_eq!(s.bad_lines, 0);
    }

    #[test]
    fn the_kubelets_own_series_win_over_cadvisors() {
        let mut s = NodeScrape::default();
        s.read(RESOURCE.lines());
        s.read(CADVISOR.lines());
        s.read(["container_cpu_usage_seconds_total{container=\"app\",id=\"/kubepods/x\",namespace=\"shop\",pod=\"cart-0\"} 1"]);
        assert_eq!(s.node.cpu_seconds, Some((9876.5, Some(1_700_000_000_100))));
        assert_eq!(
            s.containers[&key("shop", "cart-0", "app")].cpu_seconds,
            Some((120.5, Some(1_700_000_000_000)))
        );
        assert_eq!(s.node.fs.inbound, Some(7e9), "and cadvisor adds I/O");
    }

    #[test]
    fn cadvisor_endpoint() {
        let mut s = NodeScrape::default();
        s.read(CADVISOR.lines());
        assert_eq!(
            s.node.network.inbound,
            Some(140_827_092_146.0),
            "root interfaces summed"
        );
        assert_eq!(
            s.pods[&("shop".into(), "cart-0".into())].inbound,
            Some(12_898_191.0),
            "the sandbox's series only, not the pod cgroup's copy"
        );
        assert_eq!(
            s.pods[&("shop".into(), "web-0".into())].outbound,
            Some(5000.0),
            "dockershim's POD container"
        );
        let app = s.containers[&key("shop", "cart-0", "app")];
        assert_eq!(app.fs.inbound, Some(36_964.0), "devices summed");
        assert_eq!(app.fs.outbound, Some(4096.0));
        assert_eq!(app.cpu_seconds, None, "cpu comes from /metrics/resource");
        assert_eq!(s.node.fs.inbound, Some(7e9));
        assert_eq!(
            s.node.cpu_seconds,
            Some((5555.0, Some(1_700_000_000_000))),
            "without the kubelet's series the root cgroup is the node"
        );
        assert_eq!(
            s.bad_lines, 1,
            "the broken wanted line; the prose line is skipped by name"
        );
        assert!(
            !s.containers
                .keys()
                .any(|(_, _, c)| c.is_empty() || c == "POD")
        );
    }
}

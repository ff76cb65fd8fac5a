//! Turns the nodes' counters into a [`UsageSample`]: CPU cores and bytes per second as rates
//! since the previous scrape, memory as read. A series seen for the first time has no rate
//! yet, so its container or direction stays unknown until the next scrape.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use ktop_web_shared::api::{CpuMem, Io, SampleTime, Stall, Usage};

use super::counter_rates::CounterRates;
use super::node_scrape::{ContainerKey, Io as Bytes, NodeScrape, PodKey, StallSeconds};
use crate::source::{PodUsage, UsageSample};

/// Inbound (received, read) or outbound (transmitted, written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dir {
    In,
    Out,
}

/// A resource a task can stall on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Res {
    Cpu,
    Memory,
    Io,
}

/// Every counter series a rate is kept for. Pod and container series name their node too:
/// two kubelets reporting the same pod (one moved, one stale) must not share a counter.
#[derive(Debug, Clone, Copy, Hash)]
enum Series<'a> {
    NodeCpu(&'a str),
    NodeNet(&'a str, Dir),
    NodeFs(&'a str, Dir),
    ContainerCpu(&'a str, &'a ContainerKey),
    ContainerFs(&'a str, &'a ContainerKey, Dir),
    PodNet(&'a str, &'a PodKey, Dir),
    NodeStall(&'a str, Res),
    PodStall(&'a str, &'a PodKey, Res),
}

impl Series<'_> {
    /// The series' key in the rate table: a 64-bit hash rather than its strings, since a
    /// cluster of 1,000 nodes has some 200,000 series (a collision would take billions).
    fn id(self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

/// All of the time, in basis points.
const BASIS_POINTS: f64 = 10_000.0;

/// The counters' previous values across scrapes.
#[derive(Debug, Default)]
pub struct UsageBuilder {
    rates: CounterRates<u64>,
}

/// One scrape being assembled.
pub struct Scrape<'a> {
    rates: &'a mut CounterRates<u64>,
    namespace: Option<&'a str>,
    window_ms: u64,
    io: bool,
    sample: UsageSample,
}

impl UsageBuilder {
    /// Starts a scrape. `namespace` limits pods to one namespace (nodes are whole);
    /// `window_ms` is the scrape interval, reported as the samples' window; `io` says whether
    /// network and disk were read (the cadvisor component).
    pub fn begin<'a>(
        &'a mut self,
        namespace: Option<&'a str>,
        window_ms: u64,
        io: bool,
    ) -> Scrape<'a> {
        self.rates.begin_scrape();
        Scrape {
            rates: &mut self.rates,
            namespace,
            window_ms,
            io,
            sample: UsageSample {
                io,
                ..UsageSample::default()
            },
        }
    }
}

impl Scrape<'_> {
    /// Adds one node's series, read at `at_ms` when they carry no time of their own.
    pub fn add(&mut self, node: &str, at_ms: i64, scrape: NodeScrape) {
        let window_ms = self.window_ms;
        let node_cpu = scrape.node.cpu_seconds.and_then(|(seconds, ts)| {
            self.rates
                .update(Series::NodeCpu(node).id(), seconds, ts.unwrap_or(at_ms))
        });
        if let (Some(cores), Some(mem)) = (node_cpu, scrape.node.memory_bytes) {
            self.sample.nodes.insert(
                node.to_owned(),
                Usage {
                    value: cpu_mem(cores, mem),
                    ts_ms: scrape
                        .node
                        .cpu_seconds
                        .and_then(|(_, ts)| ts)
                        .unwrap_or(at_ms),
                    window_ms,
                },
            );
        }
        if self.io {
            let net = self.io_rates(&scrape.node.network, at_ms, |d| Series::NodeNet(node, d));
            let fs = self.io_rates(&scrape.node.fs, at_ms, |d| Series::NodeFs(node, d));
            let io = network_disk(net, fs);
            if io != Io::default() {
                self.sample.node_io.insert(node.to_owned(), io);
            }
        }
        if let Some(stall) = self.stall(&scrape.node.stall, at_ms, |r| Series::NodeStall(node, r)) {
            self.sample.node_stall.insert(node.to_owned(), stall);
        }
        for (key, seconds) in &scrape.pod_stalls {
            if !self.in_scope(&key.0) {
                continue;
            }
            if let Some(stall) = self.stall(seconds, at_ms, |r| Series::PodStall(node, key, r)) {
                self.pod(key.clone(), at_ms).stall = Some(stall);
            }
        }

        for (key, c) in scrape.containers {
            if !self.in_scope(&key.0) {
                continue;
            }
            let cpu = c.cpu_seconds.and_then(|(seconds, ts)| {
                self.rates.update(
                    Series::ContainerCpu(node, &key).id(),
                    seconds,
                    ts.unwrap_or(at_ms),
                )
            });
            let fs = if self.io {
                Some(self.io_rates(&c.fs, at_ms, |d| Series::ContainerFs(node, &key, d)))
            } else {
                None
            };
            let (ns, pod, container) = key;
            let entry = self.pod((ns, pod), at_ms);
            if let (Some(cores), Some(mem)) = (cpu, c.memory_bytes) {
                entry.containers.insert(container, cpu_mem(cores, mem));
            }
            if let Some(fs) = fs {
                let io = entry.io.get_or_insert_default();
                *io = *io + network_disk((None, None), fs);
            }
        }
        if self.io {
            for (key, net) in scrape.pods {
                if !self.in_scope(&key.0) {
                    continue;
                }
                let net = self.io_rates(&net, at_ms, |d| Series::PodNet(node, &key, d));
                let entry = self.pod(key, at_ms);
                let io = entry.io.get_or_insert_default();
                *io = *io + network_disk(net, (None, None));
            }
        }
    }

    /// The sample, once every node is added; series not seen this time are forgotten.
    pub fn finish(self) -> UsageSample {
        self.rates.end_scrape();
        let mut sample = self.sample;
        // A pod first seen this scrape has neither rates nor complete usage yet.
        sample.pods.retain(|_, p| {
            !p.containers.is_empty()
                || p.io.is_some_and(|io| io != Io::default())
                || p.stall.is_some()
        });
        sample
    }

    fn in_scope(&self, ns: &str) -> bool {
        self.namespace.is_none_or(|only| only == ns)
    }

    fn pod(&mut self, (ns, name): PodKey, at_ms: i64) -> &mut PodUsage {
        let window_ms = self.window_ms;
        self.sample
            .pods
            .entry(format!("{ns}/{name}"))
            .or_insert_with(|| PodUsage {
                sample: SampleTime {
                    ts_ms: at_ms,
                    window_ms,
                },
                containers: HashMap::new(),
                io: None,
                stall: None,
            })
    }

    /// The share of time tasks waited, per resource with a counter and a previous value, in
    /// basis points: waiting seconds per second × 10,000, at most 10,000. Seeing any PSI
    /// series marks the sample as measuring it, so the columns show from the first scrape.
    fn stall<'k>(
        &mut self,
        seconds: &StallSeconds,
        at_ms: i64,
        series: impl Fn(Res) -> Series<'k>,
    ) -> Option<Stall> {
        if *seconds == StallSeconds::default() {
            return None;
        }
        self.sample.psi = true;
        let at_ms = seconds.ts_ms.unwrap_or(at_ms);
        let mut rate = |res, value: Option<f64>| {
            value
                .and_then(|v| self.rates.update(series(res).id(), v, at_ms))
                .map(|r| (r * BASIS_POINTS).round().clamp(0.0, BASIS_POINTS) as u64)
        };
        let stall = Stall {
            cpu: rate(Res::Cpu, seconds.cpu),
            memory: rate(Res::Memory, seconds.memory),
            io: rate(Res::Io, seconds.io),
        };
        (stall != Stall::default()).then_some(stall)
    }

    /// Bytes per second in each direction that has a counter and a previous value, timed by
    /// cadvisor's own timestamp when it gives one. These are sums over interfaces or
    /// devices, so a drop gives no rate rather than a restart's.
    fn io_rates<'k>(
        &mut self,
        bytes: &Bytes,
        at_ms: i64,
        series: impl Fn(Dir) -> Series<'k>,
    ) -> (Option<u64>, Option<u64>) {
        let mut rate = |dir, value: Option<f64>| {
            value
                .and_then(|v| {
                    self.rates
                        .update_sum(series(dir).id(), v, bytes.ts_ms.unwrap_or(at_ms))
                })
                .map(|r| r.round() as u64)
        };
        (rate(Dir::In, bytes.inbound), rate(Dir::Out, bytes.outbound))
    }
}

fn cpu_mem(cores: f64, mem: f64) -> CpuMem {
    CpuMem {
        cpu: (cores * 1e9).round() as u64,
        mem: mem.max(0.0) as u64,
    }
}

fn network_disk(
    (rx, tx): (Option<u64>, Option<u64>),
    (read, write): (Option<u64>, Option<u64>),
) -> Io {
    Io {
        rx,
        tx,
        read,
        write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(cpu_seconds: f64, ts: i64, mem: f64) -> String {
        format!(
            "node_cpu_usage_seconds_total {n} {ts}\n\
             node_memory_working_set_bytes 2e9 {ts}\n\
             container_cpu_usage_seconds_total{{container=\"app\",namespace=\"shop\",pod=\"cart-1\"}} {cpu_seconds} {ts}\n\
             container_memory_working_set_bytes{{container=\"app\",namespace=\"shop\",pod=\"cart-1\"}} {mem} {ts}\n\
             container_cpu_usage_seconds_total{{container=\"app\",namespace=\"data\",pod=\"db-0\"}} {cpu_seconds} {ts}\n\
             container_memory_working_set_bytes{{container=\"app\",namespace=\"data\",pod=\"db-0\"}} {mem} {ts}\n",
            n = cpu_seconds * 4.0
        )
    }

    fn cadvisor(rx: f64, read: f64) -> String {
        format!(
            "container_network_receive_bytes_total{{container=\"\",id=\"/kubepods/pod1\",image=\"pause:3.10\",interface=\"eth0\",namespace=\"shop\",pod=\"cart-1\"}} {rx}\n\
             container_network_transmit_bytes_total{{container=\"\",id=\"/kubepods/pod1\",image=\"pause:3.10\",interface=\"eth0\",namespace=\"shop\",pod=\"cart-1\"}} {tx}\n\
             container_fs_reads_bytes_total{{container=\"app\",device=\"/dev/vda\",id=\"/kubepods/pod1/app\",namespace=\"shop\",pod=\"cart-1\"}} {read}\n\
             container_fs_reads_bytes_total{{container=\"app\",device=\"/dev/vdb\",id=\"/kubepods/pod1/app\",namespace=\"shop\",pod=\"cart-1\"}} {read}\n\
             container_network_receive_bytes_total{{container=\"\",id=\"/\",image=\"\",interface=\"eth0\",namespace=\"\",pod=\"\"}} {root}\n",
            tx = rx / 2.0,
            root = rx * 10.0
        )
    }

    fn node(resource_text: &str, cadvisor_text: &str) -> NodeScrape {
        let mut s = NodeScrape::default();
        s.read(resource_text.lines());
        s.read(cadvisor_text.lines());
        s
    }

    fn run(b: &mut UsageBuilder, ns: Option<&str>, at_ms: i64, scrape: NodeScrape) -> UsageSample {
        let mut s = b.begin(ns, 15_000, true);
        s.add("node-1", at_ms, scrape);
        s.finish()
    }

    #[test]
    fn rates_appear_on_the_second_scrape() {
        let mut b = UsageBuilder::default();
        let first = run(
            &mut b,
            None,
            0,
            node(&resource(10.0, 1_000, 5e8), &cadvisor(1e6, 4e5)),
        );
        assert!(first.pods.is_empty(), "no rate from one point: {first:?}");
        assert!(first.nodes.is_empty());
        assert!(first.node_io.is_empty(), "unknown, not zero");
        assert!(first.io);

        // 15 s later: 3 more CPU seconds (0.2 cores), 150 000 bytes received (10 000 B/s),
        // 30 000 bytes read on each of two devices (4 000 B/s together).
        let second = run(
            &mut b,
            None,
            15_000,
            node(&resource(13.0, 16_000, 6e8), &cadvisor(1.15e6, 4.3e5)),
        );
        let cart = &second.pods["shop/cart-1"];
        assert_eq!(
            cart.containers["app"],
            CpuMem {
                cpu: 200_000_000,
                mem: 600_000_000
            }
        );
        assert_eq!(
            cart.io,
            Some(Io {
                rx: Some(10_000),
                tx: Some(5_000),
                read: Some(4_000),
                write: None,
            })
        );
        // The kubelet's own timestamps time CPU; the node's CPU is 4x the container's.
        assert_eq!(second.nodes["node-1"].value.cpu, 800_000_000);
        assert_eq!(second.nodes["node-1"].value.mem, 2_000_000_000);
        assert_eq!(second.nodes["node-1"].ts_ms, 16_000);
        assert_eq!(second.node_io["node-1"].rx, Some(100_000));
        assert_eq!(second.node_io["node-1"].write, None);
    }

    #[test]
    fn cadvisor_times_its_own_counters() {
        let root = |bytes: f64, ts: i64| {
            format!(
                "container_network_receive_bytes_total{{container=\"\",id=\"/\",interface=\"eth0\"}} {bytes} {ts}\n"
            )
        };
        let mut b = UsageBuilder::default();
        run(&mut b, None, 0, node("", &root(0.0, 1_000)));
        // Fetched 5 s later, but cadvisor has not refreshed: no rate, rather than zero.
        let same = run(&mut b, None, 5_000, node("", &root(0.0, 1_000)));
        assert!(same.node_io.is_empty(), "{:?}", same.node_io);
        // Refreshed 10 s after its previous value: 10 000 bytes in 10 s, whenever fetched.
        let next = run(&mut b, None, 12_000, node("", &root(10_000.0, 11_000)));
        assert_eq!(next.node_io["node-1"].rx, Some(1_000));
    }

    /// PSI as a kubelet 1.34 with `KubeletPSI` serves it: the pod's own cgroup and the root.
    fn psi(pod_cpu: f64, pod_io: f64, root_memory: f64, ts: i64) -> String {
        let pod = "container=\"\",id=\"/kubepods/burstable/podu1\",image=\"\",name=\"\",namespace=\"shop\",pod=\"cart-1\"";
        let root = "container=\"\",id=\"/\",image=\"\",name=\"\",namespace=\"\",pod=\"\"";
        let app = "container=\"app\",id=\"/kubepods/burstable/podu1/c1\",image=\"shop/cart:1\",name=\"c1\",namespace=\"shop\",pod=\"cart-1\"";
        format!(
            "container_pressure_cpu_waiting_seconds_total{{{pod}}} {pod_cpu} {ts}\n\
             container_pressure_cpu_stalled_seconds_total{{{pod}}} 99999 {ts}\n\
             container_pressure_io_waiting_seconds_total{{{pod}}} {pod_io} {ts}\n\
             container_pressure_cpu_waiting_seconds_total{{{app}}} 77777 {ts}\n\
             container_pressure_memory_waiting_seconds_total{{{root}}} {root_memory} {ts}\n"
        )
    }

    #[test]
    fn stalls_are_the_share_of_time_tasks_waited() {
        let mut b = UsageBuilder::default();
        let first = run(&mut b, None, 0, node("", &psi(100.0, 5.0, 40.0, 1_000)));
        assert!(first.psi, "the series are there: the columns show");
        assert!(first.node_stall.is_empty(), "no rate from one point");
        // 20 s later: the pod's CPU waited 5 s (25 %), its I/O 0.2 s (1 %); the node's memory
        // waited 20 s (100 %) and some more (a counter cannot pass 100 %: clamped).
        let second = run(
            &mut b,
            None,
            20_000,
            node("", &psi(105.0, 5.2, 60.5, 21_000)),
        );
        let cart = second.pods["shop/cart-1"].stall.expect("stall");
        assert_eq!(
            (cart.cpu, cart.memory, cart.io),
            (Some(2_500), None, Some(100))
        );
        let root = second.node_stall["node-1"];
        assert_eq!((root.cpu, root.memory, root.io), (None, Some(10_000), None));
        let without = run(&mut b, None, 40_000, node("", ""));
        assert!(
            !without.psi && without.node_stall.is_empty(),
            "absent: hidden"
        );
    }

    #[test]
    fn a_restarted_container_counts_from_zero() {
        let mut b = UsageBuilder::default();
        run(&mut b, None, 0, node(&resource(100.0, 0, 1.0), ""));
        let after = run(&mut b, None, 10_000, node(&resource(2.0, 10_000, 1.0), ""));
        assert_eq!(after.pods["shop/cart-1"].containers["app"].cpu, 200_000_000);
    }

    #[test]
    fn a_namespace_keeps_its_pods_and_every_node() {
        let mut b = UsageBuilder::default();
        run(&mut b, Some("data"), 0, node(&resource(1.0, 0, 1.0), ""));
        let s = run(
            &mut b,
            Some("data"),
            10_000,
            node(&resource(2.0, 10_000, 1.0), ""),
        );
        assert_eq!(s.pods.keys().collect::<Vec<_>>(), ["data/db-0"]);
        assert!(s.nodes.contains_key("node-1"));
    }

    #[test]
    fn without_cadvisor_there_is_no_io() {
        let mut b = UsageBuilder::default();
        for at in [0, 10_000] {
            let mut s = b.begin(None, 10_000, false);
            s.add(
                "node-1",
                at,
                node(&resource(at as f64 / 1e4, at, 1.0), &cadvisor(1.0, 1.0)),
            );
            let sample = s.finish();
            assert!(!sample.io);
            assert!(sample.node_io.is_empty());
            assert!(sample.pods.values().all(|p| p.io.is_none()));
        }
    }

    #[test]
    fn a_vanished_pod_starts_afresh() {
        let mut b = UsageBuilder::default();
        run(&mut b, None, 0, node(&resource(1.0, 0, 1.0), ""));
        run(&mut b, None, 10_000, node("", ""));
        let back = run(&mut b, None, 20_000, node(&resource(50.0, 20_000, 1.0), ""));
        assert!(back.pods.is_empty(), "no rate across a gap: {back:?}");
    }
}

//! The demo's history: its usage model read at each instant of the grid, so a range shows
//! the same cluster the live view does.

use std::collections::BTreeMap;

use ktop_web_shared::api::{CpuMem, Io};
use ktop_web_shared::history::{History, HistoryMetric, HistorySeries};

use super::grid::Grid;
use super::promql::Subject;
use crate::source::{DemoCluster, UsageSample};

/// `subject` over `grid` from the demo's model.
pub fn history(cluster: &DemoCluster, subject: &Subject, grid: &Grid) -> History {
    let samples: Vec<UsageSample> = (0..i64::from(grid.points))
        .map(|i| cluster.usage_at((grid.start_s + i * grid.step_s) * 1000))
        .collect();
    let mut series = Vec::new();
    if subject.per_pod() {
        let mut pods: BTreeMap<&str, ()> = BTreeMap::new();
        for sample in &samples {
            for key in sample.pods.keys() {
                if wanted(cluster, subject, key) {
                    pods.insert(key, ());
                }
            }
        }
        for metric in subject.metrics() {
            for pod in pods.keys() {
                let values = samples
                    .iter()
                    .map(|s| {
                        s.pods.get(*pod).map(|usage| {
                            let total = usage
                                .containers
                                .values()
                                .fold(CpuMem::default(), |a, b| a + *b);
                            cpu_or_memory(*metric, total)
                        })
                    })
                    .collect();
                series.push(HistorySeries {
                    metric: *metric,
                    pod: Some((*pod).to_owned()),
                    values,
                });
            }
        }
    } else {
        for metric in subject.metrics() {
            let values: Vec<Option<u64>> =
                samples.iter().map(|s| value(s, subject, *metric)).collect();
            if values.iter().any(Option::is_some) {
                series.push(HistorySeries {
                    metric: *metric,
                    pod: None,
                    values,
                });
            }
        }
    }
    History {
        source: "the demo's model".into(),
        pin_hint: None,
        start_ms: grid.start_s * 1000,
        step_ms: grid.step_s * 1000,
        points: grid.points,
        series,
    }
}

/// Whether a per-pod `subject` takes the pod `key`.
fn wanted(cluster: &DemoCluster, subject: &Subject, key: &str) -> bool {
    match subject {
        Subject::NodePods(node) => cluster.node_of(key) == Some(node.as_str()),
        Subject::Pods(pods) => pods
            .iter()
            .any(|(ns, pod)| key.split_once('/') == Some((ns.as_str(), pod.as_str()))),
        _ => false,
    }
}

fn cpu_or_memory(metric: HistoryMetric, usage: CpuMem) -> u64 {
    match metric {
        HistoryMetric::Memory => usage.mem,
        _ => usage.cpu,
    }
}

fn io_of(metric: HistoryMetric, io: Io) -> Option<u64> {
    match metric {
        HistoryMetric::Rx => io.rx,
        HistoryMetric::Tx => io.tx,
        HistoryMetric::Read => io.read,
        HistoryMetric::Write => io.write,
        HistoryMetric::Cpu | HistoryMetric::Memory => None,
    }
}

/// The subject's own value of `metric` in one sample.
fn value(sample: &UsageSample, subject: &Subject, metric: HistoryMetric) -> Option<u64> {
    let io_metric = !matches!(metric, HistoryMetric::Cpu | HistoryMetric::Memory);
    match subject {
        Subject::Cluster if io_metric => sample.node_io.values().map(|io| io_of(metric, *io)).sum(),
        Subject::Cluster => Some(
            sample
                .nodes
                .values()
                .map(|u| cpu_or_memory(metric, u.value))
                .sum(),
        ),
        Subject::Node(node) if io_metric => io_of(metric, *sample.node_io.get(node)?),
        Subject::Node(node) => Some(cpu_or_memory(metric, sample.nodes.get(node)?.value)),
        Subject::Pod { namespace, pod } => {
            let usage = sample.pods.get(&format!("{namespace}/{pod}"))?;
            if io_metric {
                io_of(metric, usage.io?)
            } else {
                let total = usage
                    .containers
                    .values()
                    .fold(CpuMem::default(), |a, b| a + *b);
                Some(cpu_or_memory(metric, total))
            }
        }
        Subject::Container {
            namespace,
            pod,
            container,
        } => {
            let usage = sample.pods.get(&format!("{namespace}/{pod}"))?;
            // A container has no network of its own, and the demo no disk per container.
            (!io_metric).then_some(())?;
            Some(cpu_or_memory(metric, *usage.containers.get(container)?))
        }
        Subject::NodePods(_) | Subject::Pods(_) => None,
    }
}

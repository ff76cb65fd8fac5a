//! The PromQL of each history series, from names already checked against the Kubernetes name
//! grammar (so they hold only `[a-z0-9.-]`; [`quoted`] refuses anything else again).
//!
//! Both label conventions of the kubelet's cAdvisor are asked at once with `or`: `pod`,
//! `container` and `node` (Kubernetes 1.16 and later, and the `node` label that
//! kube-prometheus-stack adds), and the older `pod_name`, `container_name` and `instance`. The
//! data decides which one answers; nothing is configured. A node's totals fall back to
//! node-exporter where no root cgroup is scraped.

use ktop_web_shared::history::HistoryMetric;

/// What a history request is about, names checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Every node's root cgroup, summed.
    Cluster,
    /// One node's root cgroup.
    Node(String),
    /// One node's pods, one series each.
    NodePods(String),
    /// One pod, its containers summed.
    Pod { namespace: String, pod: String },
    /// One container.
    Container {
        namespace: String,
        pod: String,
        container: String,
    },
    /// Listed pods (`namespace`, `name`), one series each.
    Pods(Vec<(String, String)>),
}

impl Subject {
    /// True when the answer has one series per pod.
    pub fn per_pod(&self) -> bool {
        matches!(self, Subject::NodePods(_) | Subject::Pods(_))
    }

    /// The metrics asked about it: per pod only CPU and memory (table trend lines).
    pub fn metrics(&self) -> &'static [HistoryMetric] {
        if self.per_pod() {
            &HistoryMetric::ALL[..2]
        } else {
            &HistoryMetric::ALL
        }
    }
}

/// One label convention of cAdvisor's series.
struct Convention {
    pod: &'static str,
    container: &'static str,
    node: &'static str,
}

const CURRENT: Convention = Convention {
    pod: "pod",
    container: "container",
    node: "node",
};

const OLD: Convention = Convention {
    pod: "pod_name",
    container: "container_name",
    node: "instance",
};

/// A PromQL string literal of a checked name. Names never hold a quote or a backslash; this
/// refuses them anyway, so no caller can build a query from other text.
fn quoted(name: &str) -> Option<String> {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        .then(|| format!("\"{name}\""))
}

/// An anchored regular expression (as a PromQL string) matching exactly these names.
fn alternatives<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut parts = Vec::new();
    for name in names {
        quoted(name)?;
        // A dot is the only regex character a name can hold.
        parts.push(name.replace('.', "\\\\."));
    }
    parts.sort();
    parts.dedup();
    Some(format!("\"{}\"", parts.join("|")))
}

/// The cAdvisor counter or gauge of `metric`.
fn cadvisor_name(metric: HistoryMetric) -> &'static str {
    match metric {
        HistoryMetric::Cpu => "container_cpu_usage_seconds_total",
        HistoryMetric::Memory => "container_memory_working_set_bytes",
        HistoryMetric::Rx => "container_network_receive_bytes_total",
        HistoryMetric::Tx => "container_network_transmit_bytes_total",
        HistoryMetric::Read => "container_fs_reads_bytes_total",
        HistoryMetric::Write => "container_fs_writes_bytes_total",
    }
}

/// `rate(…[window])` of counters; gauges as they are.
fn over_time(metric: HistoryMetric, selector: &str, window_s: i64) -> String {
    match metric {
        HistoryMetric::Memory => selector.to_owned(),
        _ => format!("rate({selector}[{window_s}s])"),
    }
}

/// The query for `metric` of `subject`, rates over `window_s` seconds; `None` when a name is
/// not a Kubernetes name (never sent).
pub fn query(subject: &Subject, metric: HistoryMetric, window_s: i64) -> Option<String> {
    let branches: Vec<String> = match subject {
        Subject::Cluster => vec![cluster(metric, window_s)],
        Subject::Node(node) => {
            let node = quoted(node)?;
            let mut branches: Vec<String> = [CURRENT, OLD]
                .iter()
                .map(|c| node_root(metric, c, &node, window_s))
                .collect();
            branches.push(node_exporter(metric, &node, window_s));
            branches
        }
        Subject::NodePods(node) => {
            let node = quoted(node)?;
            [CURRENT, OLD]
                .iter()
                .map(|c| {
                    let filter = format!("{}={node}", c.node);
                    per_pod(metric, c, &filter, window_s)
                })
                .collect()
        }
        Subject::Pod { namespace, pod } => {
            let (namespace, pod) = (quoted(namespace)?, quoted(pod)?);
            [CURRENT, OLD]
                .iter()
                .map(|c| {
                    let filter = format!("namespace={namespace},{}={pod}", c.pod);
                    pod_total(metric, c, &filter, window_s)
                })
                .collect()
        }
        Subject::Container {
            namespace,
            pod,
            container,
        } => {
            let (namespace, pod, container) =
                (quoted(namespace)?, quoted(pod)?, quoted(container)?);
            [CURRENT, OLD]
                .iter()
                .map(|c| {
                    let filter = format!(
                        "namespace={namespace},{}={pod},{}={container}",
                        c.pod, c.container
                    );
                    containers(metric, c, &filter, window_s)
                })
                .collect()
        }
        Subject::Pods(pods) => {
            let namespaces = alternatives(pods.iter().map(|(ns, _)| ns.as_str()))?;
            let names = alternatives(pods.iter().map(|(_, pod)| pod.as_str()))?;
            [CURRENT, OLD]
                .iter()
                .map(|c| {
                    let filter = format!("namespace=~{namespaces},{}=~{names}", c.pod);
                    per_pod(metric, c, &filter, window_s)
                })
                .collect()
        }
    };
    Some(branches.join(" or "))
}

/// The series of app containers matching `filter`: not the pod's sandbox (`POD`) or its
/// cgroup (no container).
fn app_containers(metric: HistoryMetric, c: &Convention, filter: &str) -> String {
    format!(
        "{name}{{{filter},{label}!=\"\",{label}!=\"POD\"}}",
        name = cadvisor_name(metric),
        label = c.container
    )
}

/// Containers (not the pod's sandbox or its cgroup), each once: the kubelet's
/// `/metrics/resource` repeats CPU and memory under the same names, so duplicates are
/// collapsed by `max` before the sum.
fn containers(metric: HistoryMetric, c: &Convention, filter: &str, window_s: i64) -> String {
    let selector = app_containers(metric, c, filter);
    format!(
        "sum(max by ({}) ({}))",
        c.container,
        over_time(metric, &selector, window_s)
    )
}

/// The pod's network (its sandbox's: `container` empty or `POD`, the same interface counted
/// once) or its containers' sum.
fn pod_total(metric: HistoryMetric, c: &Convention, filter: &str, window_s: i64) -> String {
    match metric {
        HistoryMetric::Rx | HistoryMetric::Tx => {
            let selector = format!(
                "{name}{{{filter},{label}=~\"|POD\"}}",
                name = cadvisor_name(metric),
                label = c.container
            );
            format!(
                "sum(max by (interface) ({}))",
                over_time(metric, &selector, window_s)
            )
        }
        _ => containers(metric, c, filter, window_s),
    }
}

/// CPU or memory of each pod matching `filter`, labelled by namespace and pod.
fn per_pod(metric: HistoryMetric, c: &Convention, filter: &str, window_s: i64) -> String {
    let selector = app_containers(metric, c, filter);
    format!(
        "sum by (namespace, {pod}) (max by (namespace, {pod}, {container}) ({}))",
        over_time(metric, &selector, window_s),
        pod = c.pod,
        container = c.container
    )
}

/// A node's root cgroup (`id="/"`).
fn node_root(metric: HistoryMetric, c: &Convention, node: &str, window_s: i64) -> String {
    let selector = format!(
        "{name}{{id=\"/\",{label}={node}}}",
        name = cadvisor_name(metric),
        label = c.node
    );
    format!("sum({})", over_time(metric, &selector, window_s))
}

/// Every node's root cgroup, summed, by node so a node scraped twice counts once.
fn cluster(metric: HistoryMetric, window_s: i64) -> String {
    let selector = format!("{}{{id=\"/\"}}", cadvisor_name(metric));
    format!(
        "sum(max by (node, instance) ({}))",
        over_time(metric, &selector, window_s)
    )
}

/// node-exporter's view of a node, whose `instance` kube-prometheus-stack sets to the node's
/// name.
fn node_exporter(metric: HistoryMetric, node: &str, window_s: i64) -> String {
    let w = window_s;
    match metric {
        HistoryMetric::Cpu => format!(
            "sum(rate(node_cpu_seconds_total{{instance={node},mode!~\"idle|iowait|steal\"}}[{w}s]))"
        ),
        HistoryMetric::Memory => format!(
            "sum(node_memory_MemTotal_bytes{{instance={node}}} - node_memory_MemAvailable_bytes{{instance={node}}})"
        ),
        HistoryMetric::Rx => format!(
            "sum(rate(node_network_receive_bytes_total{{instance={node},device!=\"lo\"}}[{w}s]))"
        ),
        HistoryMetric::Tx => format!(
            "sum(rate(node_network_transmit_bytes_total{{instance={node},device!=\"lo\"}}[{w}s]))"
        ),
        HistoryMetric::Read => {
            format!("sum(rate(node_disk_read_bytes_total{{instance={node}}}[{w}s]))")
        }
        HistoryMetric::Write => {
            format!("sum(rate(node_disk_written_bytes_total{{instance={node}}}[{w}s]))")
        }
    }
}

/// The pod a per-pod result series is about (`namespace/name`), from either convention.
pub fn pod_of(labels: &std::collections::BTreeMap<String, String>) -> Option<String> {
    let namespace = labels.get("namespace")?;
    let pod = labels.get(CURRENT.pod).or_else(|| labels.get(OLD.pod))?;
    Some(format!("{namespace}/{pod}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Subject {
        Subject::Pod {
            namespace: "shop".into(),
            pod: "cart-1".into(),
        }
    }

    #[test]
    fn a_pods_cpu_asks_both_conventions_for_its_containers() {
        let q = query(&pod(), HistoryMetric::Cpu, 240).expect("names are valid");
        assert_eq!(
            q,
            "sum(max by (container) (rate(container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"cart-1\",container!=\"\",container!=\"POD\"}[240s]))) \
             or sum(max by (container_name) (rate(container_cpu_usage_seconds_total{namespace=\"shop\",pod_name=\"cart-1\",container_name!=\"\",container_name!=\"POD\"}[240s])))"
        );
    }

    #[test]
    fn memory_is_a_gauge_and_network_is_the_sandboxs() {
        let q = query(&pod(), HistoryMetric::Memory, 240).expect("valid");
        assert!(q.starts_with("sum(max by (container) (container_memory_working_set_bytes{"));
        assert!(!q.contains("rate("), "{q}");
        let q = query(&pod(), HistoryMetric::Rx, 60).expect("valid");
        assert!(
            q.starts_with("sum(max by (interface) (rate(container_network_receive_bytes_total{namespace=\"shop\",pod=\"cart-1\",container=~\"|POD\"}[60s])))"),
            "{q}"
        );
    }

    #[test]
    fn a_node_falls_back_to_the_old_labels_then_node_exporter() {
        let q = query(&Subject::Node("n1.example".into()), HistoryMetric::Cpu, 300).expect("valid");
        let branches: Vec<&str> = q.split(" or ").collect();
        assert_eq!(branches.len(), 3, "{q}");
        assert!(
            branches[0].contains("{id=\"/\",node=\"n1.example\"}"),
            "{q}"
        );
        assert!(
            branches[1].contains("{id=\"/\",instance=\"n1.example\"}"),
            "{q}"
        );
        assert!(
            branches[2].contains("node_cpu_seconds_total{instance=\"n1.example\""),
            "{q}"
        );
    }

    #[test]
    fn listed_pods_become_anchored_alternatives_with_dots_escaped() {
        let subject = Subject::Pods(vec![
            ("shop".into(), "web.1".into()),
            ("ops".into(), "db-0".into()),
            ("shop".into(), "db-0".into()),
        ]);
        let q = query(&subject, HistoryMetric::Cpu, 240).expect("valid");
        assert!(
            q.contains("namespace=~\"ops|shop\",pod=~\"db-0|web\\\\.1\""),
            "{q}"
        );
        assert!(q.starts_with("sum by (namespace, pod) "), "{q}");
        assert_eq!(subject.metrics(), &HistoryMetric::ALL[..2]);
    }

    #[test]
    fn text_that_is_not_a_name_builds_no_query() {
        for hostile in [
            "a\"} or vector(1) or {x=\"",
            "a\\",
            "A",
            "a b",
            "a{b}",
            "a|b",
            "a=~\".*",
        ] {
            let subject = Subject::Pod {
                namespace: "shop".into(),
                pod: hostile.into(),
            };
            assert_eq!(query(&subject, HistoryMetric::Cpu, 60), None, "{hostile}");
            let subject = Subject::Pods(vec![("shop".into(), hostile.into())]);
            assert_eq!(query(&subject, HistoryMetric::Cpu, 60), None, "{hostile}");
        }
    }

    #[test]
    fn per_pod_series_are_named_in_either_convention() {
        let labels = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(
            pod_of(&labels(&[("namespace", "shop"), ("pod", "a")])),
            Some("shop/a".into())
        );
        assert_eq!(
            pod_of(&labels(&[("namespace", "shop"), ("pod_name", "b")])),
            Some("shop/b".into())
        );
        assert_eq!(pod_of(&labels(&[("pod", "a")])), None);
    }
}

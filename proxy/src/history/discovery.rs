//! Looking for the cluster's Prometheus when `--history-source` names none: a fixed list of
//! the services the common installations create, each asked for by name (a `get`, so no
//! cluster-wide list right is needed). What is found is said, with how to pin it; nothing is
//! guessed silently.

use futures::future::join_all;

use super::source_flag::ServiceRef;
use crate::reads::{ReadError, Reads};

/// Where the common installations put their query API, most specific first.
const CANDIDATES: &[(&str, &str, &str)] = &[
    // prometheus-operator (kube-prometheus-stack, kube-prometheus) makes this one for every
    // Prometheus it runs.
    ("monitoring", "prometheus-operated", "9090"),
    // kube-prometheus-stack installed as `kube-prometheus-stack`.
    ("monitoring", "kube-prometheus-stack-prometheus", "9090"),
    // kube-prometheus (jsonnet).
    ("monitoring", "prometheus-k8s", "9090"),
    // The prometheus-community `prometheus` chart installed as `prometheus`.
    ("monitoring", "prometheus-server", "80"),
    ("prometheus", "prometheus-server", "80"),
    // VictoriaMetrics single (its chart installed as `victoria-metrics-single` or `vmsingle`).
    ("monitoring", "victoria-metrics-single-server", "8428"),
    ("victoria-metrics", "victoria-metrics-single-server", "8428"),
    (
        "monitoring",
        "vmsingle-victoria-metrics-single-server",
        "8428",
    ),
];

/// What looking found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The first candidate that exists.
    Service(ServiceRef),
    /// None exists.
    Nothing,
    /// ktop-web may not get services where it looked.
    Refused(String),
}

/// The candidates, as `namespace/name:port`, for messages.
pub fn looked_for() -> String {
    CANDIDATES
        .iter()
        .map(|(ns, name, port)| format!("{ns}/{name}:{port}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Asks for every candidate at once and takes the first that exists. A refusal counts only
/// when nothing was found: a role may allow one namespace and not another.
pub async fn discover(reads: &Reads) -> Result<Found, ReadError> {
    let answers = join_all(
        CANDIDATES
            .iter()
            .map(|(ns, name, _)| reads.has_service(ns, name)),
    )
    .await;
    let mut refused = None;
    for ((namespace, name, port), answer) in CANDIDATES.iter().zip(answers) {
        match answer {
            Ok(true) => {
                return Ok(Found::Service(ServiceRef {
                    namespace: (*namespace).into(),
                    name: (*name).into(),
                    port: (*port).into(),
                    path: String::new(),
                }));
            }
            Ok(false) => {}
            Err(ReadError::Forbidden(message)) => refused = Some(message),
            Err(e) => return Err(e),
        }
    }
    Ok(refused.map_or(Found::Nothing, Found::Refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_valid_service_refs() {
        for (ns, name, port) in CANDIDATES {
            let text = format!("service:{ns}/{name}:{port}");
            let parsed = super::super::source_flag::parse_history_source(&text);
            assert!(parsed.is_ok(), "{text}: {parsed:?}");
        }
        assert!(looked_for().starts_with("monitoring/prometheus-operated:9090, "));
    }
}

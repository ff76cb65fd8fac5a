//! Metrics sources behind one trait, and the selector that falls back between them.

mod demo;
mod metrics_server;
pub mod prometheus;
mod selector;

use std::collections::HashMap;

use async_trait::async_trait;
use ktop_web_shared::api::{CpuMem, FallbackReason, Io, SampleTime, SourceKind, Stall, Usage};

pub use demo::{DemoCluster, Refusal};
pub use metrics_server::MetricsServer;
pub use prometheus::{
    Components, Prometheus, Settings as PrometheusSettings, explain as explain_prometheus,
    probe as prometheus_probe,
};
#[cfg(test)]
pub use selector::MAX_BACKOFF;
pub use selector::{Selection, SourceSelector, Sources};

/// Usage of every node and pod at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageSample {
    /// By node name.
    pub nodes: HashMap<String, Usage>,
    /// By `namespace/name`.
    pub pods: HashMap<String, PodUsage>,
    /// Network and disk throughput by node name, where the source measures it.
    pub node_io: HashMap<String, Io>,
    /// True when the source measures network and disk at all.
    pub io: bool,
    /// Pressure stalls by node name, where the source measures them.
    pub node_stall: HashMap<String, Stall>,
    /// True when the source measures pressure stalls (PSI) at all.
    pub psi: bool,
    /// When the source measured this (Unix milliseconds): when metrics-server's API was read
    /// (it serves only its latest batch), or when a scrape ended.
    pub measured_at_ms: i64,
}

/// One pod's usage, per container.
#[derive(Debug, Clone, PartialEq)]
pub struct PodUsage {
    /// When it was measured.
    pub sample: SampleTime,
    /// By container name.
    pub containers: HashMap<String, CpuMem>,
    /// Network and disk throughput, where the source measures it.
    pub io: Option<Io>,
    /// Pressure stalls of the pod's cgroup, where the source measures them.
    pub stall: Option<Stall>,
}

/// Why a source gave no sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The API is not served (404, or absent from discovery).
    #[error("not installed: {0}")]
    NotInstalled(String),
    /// The API is registered but does not answer (503).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// RBAC denies the read (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// No answer within the deadline.
    #[error("no answer within {0}s")]
    Timeout(u64),
    /// Answering, but without numbers yet.
    #[error("starting: {0}")]
    Starting(String),
    /// The last attempt failed with this, and a new one is under way: ask again at the next
    /// refresh instead of backing off, or a recovery would wait for one more backoff.
    #[error("{0} (retrying now)")]
    Retrying(Box<SourceError>),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl SourceError {
    /// Classifies a kube client error by its HTTP status.
    pub fn from_kube(e: &kube::Error) -> Self {
        let text = crate::kube_error::describe(e);
        match crate::kube_error::status_code(e) {
            Some(404) => SourceError::NotInstalled(text),
            Some(503) => SourceError::Unavailable(text),
            Some(401 | 403) => SourceError::Forbidden(text),
            _ => SourceError::Other(text),
        }
    }

    /// True when the source should be asked again at the next refresh, without a backoff.
    pub fn under_way(&self) -> bool {
        matches!(self, SourceError::Starting(_) | SourceError::Retrying(_))
    }

    /// The reason shown in the UI.
    pub fn reason(&self) -> FallbackReason {
        match self {
            SourceError::NotInstalled(_) => FallbackReason::NotInstalled,
            SourceError::Unavailable(_) => FallbackReason::Unavailable,
            SourceError::Forbidden(_) => FallbackReason::Forbidden,
            SourceError::Timeout(_) => FallbackReason::Timeout,
            SourceError::Starting(_) => FallbackReason::Starting,
            SourceError::Retrying(last) => last.reason(),
            SourceError::Other(_) => FallbackReason::Error,
        }
    }
}

/// Locks a source's state; a panic while it was held leaves whole values (each write is one
/// assignment), so a poisoned lock is still safe to use.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Something that measures node and pod usage.
#[async_trait]
pub trait MetricsSource: Send + Sync {
    /// Which source this is.
    fn kind(&self) -> SourceKind;
    /// Reads one sample of every node and pod in scope.
    async fn sample(&self) -> Result<UsageSample, SourceError>;
    /// How often the source measures on its own schedule; `None` when it measures at every
    /// refresh. A sample older than two of these (or two refreshes) is stale.
    fn interval(&self) -> Option<std::time::Duration> {
        None
    }
}

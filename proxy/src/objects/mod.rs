//! The proxy's mirror of the cluster's nodes and pods (and what leads pods to workloads, and
//! quotas), kept by watches rather than re-listed per refresh, and stored only as compact rows.

pub mod label_selector;
mod node_row;
mod owners;
mod pod_row;
mod quota_row;
mod resources;
mod watch;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use ktop_web_shared::api::{NodeRow, PodRow};
use ktop_web_shared::quota::Quota;

pub use node_row::node_row;
pub use owners::{OwnerEntry, OwnerTables, controller_of, resolve};
pub use pod_row::pod_row;
pub use resources::resources_of;
pub use watch::{RESOURCE_METRICS_PATH, Watches, spawn_watches};

/// One mirrored kind: rows by key, whether the first full list has arrived, and whether the
/// watch is failing now.
#[derive(Debug)]
pub struct Table<R> {
    /// Rows by name (nodes) or `namespace/name` (pods), sorted.
    pub rows: BTreeMap<String, R>,
    /// True once a complete list has been seen.
    pub synced: bool,
    /// Set while the watch is failing; cleared when a list succeeds again.
    pub failure: Option<WatchFailure>,
}

/// A watch that stopped delivering: since when, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchFailure {
    /// When it first failed (Unix milliseconds); the rows are current up to then.
    pub since_ms: i64,
    /// The latest error, for people.
    pub message: String,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Self {
            rows: BTreeMap::new(),
            synced: false,
            failure: None,
        }
    }
}

impl<R> Table<R> {
    /// Records a failure, keeping the time of the first one of an outage.
    pub fn fail(&mut self, message: String, now_ms: i64) {
        let since_ms = self.failure.as_ref().map_or(now_ms, |f| f.since_ms);
        self.failure = Some(WatchFailure { since_ms, message });
    }
}

/// A pod's row and its labels, which label selectors are matched against here.
#[derive(Debug, Clone)]
pub struct PodEntry {
    /// What the snapshot sends.
    pub row: PodRow,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
}

/// A node's row and where its kubelet serves resource metrics, if not the default.
#[derive(Debug, Clone)]
pub struct NodeEntry {
    /// What the snapshot sends.
    pub row: NodeRow,
    /// The `metrics.k8s.io/resource-metrics-path` annotation, which metrics-server honours
    /// and the prometheus source follows.
    pub resource_metrics_path: Option<String>,
}

impl From<NodeRow> for NodeEntry {
    fn from(row: NodeRow) -> Self {
        Self {
            row,
            resource_metrics_path: None,
        }
    }
}

/// Nodes and pods of one cluster, the ReplicaSets and Jobs between pods and their workloads,
/// and quotas; clones share the same tables.
#[derive(Debug, Default, Clone)]
pub struct ObjectCache {
    nodes: Arc<RwLock<Table<NodeEntry>>>,
    pods: Arc<RwLock<Table<PodEntry>>>,
    replica_sets: Arc<RwLock<Table<OwnerEntry>>>,
    jobs: Arc<RwLock<Table<OwnerEntry>>>,
    quotas: Arc<RwLock<Table<Quota>>>,
}

impl ObjectCache {
    /// A cache already filled with these rows (the demo cluster, tests).
    pub fn with_rows(nodes: Vec<NodeEntry>, pods: Vec<PodEntry>) -> Self {
        let cache = Self::default();
        cache.replace(nodes, pods);
        cache
    }

    /// Replaces every row at once and marks both kinds synced.
    pub fn replace(&self, nodes: Vec<NodeEntry>, pods: Vec<PodEntry>) {
        let mut n = write(&self.nodes);
        n.rows = nodes.into_iter().map(|e| (e.row.name.clone(), e)).collect();
        n.synced = true;
        let mut p = write(&self.pods);
        p.rows = pods.into_iter().map(|e| (e.row.key(), e)).collect();
        p.synced = true;
    }

    /// Marks the node watch failing since `since_ms` (tests of what a failure shows).
    #[cfg(test)]
    pub fn fail_nodes(&self, message: &str, since_ms: i64) {
        write(&self.nodes).fail(message.to_owned(), since_ms);
    }

    /// Read access to the nodes.
    pub fn nodes(&self) -> RwLockReadGuard<'_, Table<NodeEntry>> {
        read(&self.nodes)
    }

    /// Read access to the pods.
    pub fn pods(&self) -> RwLockReadGuard<'_, Table<PodEntry>> {
        read(&self.pods)
    }

    /// Read access to the ReplicaSets.
    pub fn replica_sets(&self) -> RwLockReadGuard<'_, Table<OwnerEntry>> {
        read(&self.replica_sets)
    }

    /// Read access to the Jobs.
    pub fn jobs(&self) -> RwLockReadGuard<'_, Table<OwnerEntry>> {
        read(&self.jobs)
    }

    /// Read access to the quotas.
    pub fn quotas(&self) -> RwLockReadGuard<'_, Table<Quota>> {
        read(&self.quotas)
    }

    /// Replaces the owner and quota tables at once and marks them synced (the demo cluster,
    /// tests).
    pub fn replace_owners_and_quotas(
        &self,
        replica_sets: Vec<(String, OwnerEntry)>,
        jobs: Vec<(String, OwnerEntry)>,
        quotas: Vec<Quota>,
    ) {
        for (lock, rows) in [(&self.replica_sets, replica_sets), (&self.jobs, jobs)] {
            let mut t = write(lock);
            t.rows = rows.into_iter().collect();
            t.synced = true;
        }
        let mut q = write(&self.quotas);
        q.rows = quotas
            .into_iter()
            .map(|q| (format!("{}/{}", q.namespace, q.name), q))
            .collect();
        q.synced = true;
    }

    /// Marks the ReplicaSet watch failing since `since_ms` (tests of what a failure shows).
    #[cfg(test)]
    pub fn fail_replica_sets(&self, message: &str, since_ms: i64) {
        write(&self.replica_sets).fail(message.to_owned(), since_ms);
    }
}

// A panic while holding the lock leaves consistent rows (each write is one insert or swap),
// so a poisoned lock is still safe to use.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

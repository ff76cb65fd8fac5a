//! Watches that keep the [`ObjectCache`] current.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, RwLock};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use super::{NodeEntry, ObjectCache, PodEntry, Table, node_row, pod_row, write};
use crate::kube_clients::Clients;
use crate::kube_error::{describe_watch_error, watch_status_code};

/// The node annotation metrics-server reads for a kubelet's resource metrics path.
pub const RESOURCE_METRICS_PATH: &str = "metrics.k8s.io/resource-metrics-path";

/// Starts the node and pod watches; `namespace` limits pods to one namespace.
pub fn spawn_watches(
    clients: &Arc<Clients>,
    namespace: Option<&str>,
    cache: &ObjectCache,
) -> Vec<JoinHandle<()>> {
    let namespace = namespace.map(str::to_owned);
    let pods = move |client: Client| -> Api<Pod> {
        match &namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    };
    vec![
        tokio::spawn(mirror(
            clients.clone(),
            Api::<Node>::all,
            cache.nodes.clone(),
            |n: &Node| {
                node_row(n).map(|row| {
                    let resource_metrics_path = n
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(RESOURCE_METRICS_PATH))
                        .cloned();
                    let entry = NodeEntry {
                        row,
                        resource_metrics_path,
                    };
                    (entry.row.name.clone(), entry)
                })
            },
        )),
        tokio::spawn(mirror(
            clients.clone(),
            pods,
            cache.pods.clone(),
            |p: &Pod| {
                pod_row(p).map(|row| {
                    let labels = p.metadata.labels.clone().unwrap_or_default();
                    (row.key(), PodEntry { row, labels })
                })
            },
        )),
    ]
}

/// Applies one kind's watch events to its table until the task is dropped; after a 401 it
/// starts over with rebuilt clients.
async fn mirror<K, R>(
    clients: Arc<Clients>,
    api: impl Fn(Client) -> Api<K>,
    table: Arc<RwLock<Table<R>>>,
    row: fn(&K) -> Option<(String, R)>,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    loop {
        let lease = clients.watch();
        let unauthorized = watch_until_unauthorized(api(lease.client.clone()), &table, row).await;
        if unauthorized && !clients.after_unauthorized(&lease).await {
            // Rebuilt recently: give the credentials a moment before trying again.
            tokio::time::sleep(crate::kube_clients::REBUILD_INTERVAL).await;
        }
    }
}

/// Mirrors until the stream ends or the API server answers 401 (then returns true).
async fn watch_until_unauthorized<K, R>(
    api: Api<K>,
    table: &Arc<RwLock<Table<R>>>,
    row: fn(&K) -> Option<(String, R)>,
) -> bool
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let kind = std::any::type_name::<K>()
        .rsplit("::")
        .next()
        .unwrap_or("object");
    let stream = watcher::watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut pending: Option<BTreeMap<String, R>> = None;
    while let Some(event) = stream.next().await {
        match event {
            Ok(Event::Init) => pending = Some(BTreeMap::new()),
            Ok(Event::InitApply(obj)) => {
                if let (Some(rows), Some((key, r))) = (pending.as_mut(), row(&obj)) {
                    rows.insert(key, r);
                }
            }
            Ok(Event::InitDone) => {
                let mut t = write(table);
                t.rows = pending.take().unwrap_or_default();
                t.synced = true;
                t.error = None;
                tracing::debug!(kind, count = t.rows.len(), "listed");
            }
            Ok(Event::Apply(obj)) => {
                if let Some((key, r)) = row(&obj) {
                    write(table).rows.insert(key, r);
                }
            }
            Ok(Event::Delete(obj)) => {
                if let Some((key, _)) = row(&obj) {
                    write(table).rows.remove(&key);
                }
            }
            Err(e) => {
                let message = describe_watch_error(&e);
                tracing::warn!(kind, %message, "watch failed; retrying");
                write(table).error = Some(format!("cannot watch {kind}s: {message}"));
                if watch_status_code(&e) == Some(401) {
                    return true;
                }
            }
        }
    }
    false
}

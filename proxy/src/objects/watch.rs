//! Watches that keep the [`ObjectCache`] current.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod, ResourceQuota};
use kube::core::PartialObjectMeta;
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client, Resource};
use tokio::task::JoinHandle;

use crate::clock::unix_ms;

use super::owners::{OwnerEntry, owner_entry};
use super::quota_row::quota_row;
use super::{NodeEntry, ObjectCache, PodEntry, Table, node_row, pod_row, write};
use crate::kube_clients::Clients;
use crate::kube_error::{describe_watch_error, watch_status_code};

/// The node annotation metrics-server reads for a kubelet's resource metrics path.
pub const RESOURCE_METRICS_PATH: &str = "metrics.k8s.io/resource-metrics-path";

/// First wait before a failed watch starts over; doubled per failure up to [`MAX_RETRY`].
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// Longest wait between two attempts of a failing watch.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// The watch tasks of one cluster; dropping this stops them, so no early return can leave a
/// watch (and its mirror of every pod) running unowned.
#[derive(Debug, Default)]
pub struct Watches(Vec<JoinHandle<()>>);

impl Drop for Watches {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Starts the watches: nodes, pods, the ReplicaSets and Jobs that lead pods to their
/// workloads (metadata only), and ResourceQuotas. `namespace` limits all but nodes to one
/// namespace.
pub fn spawn_watches(
    clients: &Arc<Clients>,
    namespace: Option<&str>,
    cache: &ObjectCache,
) -> Watches {
    let scoped = Scoped(namespace.map(str::to_owned));
    Watches(vec![
        tokio::spawn(mirror(
            clients.clone(),
            "Node",
            |client, config| watcher::watcher(Api::<Node>::all(client), config),
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
            "Pod",
            {
                let scoped = scoped.clone();
                move |client, config| watcher::watcher(scoped.api::<Pod>(client), config)
            },
            cache.pods.clone(),
            |p: &Pod| {
                pod_row(p).map(|row| {
                    let labels = p.metadata.labels.clone().unwrap_or_default();
                    (row.key(), PodEntry { row, labels })
                })
            },
        )),
        tokio::spawn(mirror(
            clients.clone(),
            "ReplicaSet",
            {
                let scoped = scoped.clone();
                // `PartialObjectMeta` makes kube ask for metadata only.
                move |client, config| {
                    watcher::watcher(scoped.api::<PartialObjectMeta<ReplicaSet>>(client), config)
                }
            },
            cache.replica_sets.clone(),
            owner_row::<ReplicaSet>,
        )),
        tokio::spawn(mirror(
            clients.clone(),
            "Job",
            {
                let scoped = scoped.clone();
                move |client, config| {
                    watcher::watcher(scoped.api::<PartialObjectMeta<Job>>(client), config)
                }
            },
            cache.jobs.clone(),
            owner_row::<Job>,
        )),
        tokio::spawn(mirror(
            clients.clone(),
            "ResourceQuota",
            move |client, config| watcher::watcher(scoped.api::<ResourceQuota>(client), config),
            cache.quotas.clone(),
            quota_row,
        )),
    ])
}

/// The namespace every namespaced watch is limited to, if any.
#[derive(Clone)]
struct Scoped(Option<String>);

impl Scoped {
    fn api<K>(&self, client: Client) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        match &self.0 {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }
}

/// A ReplicaSet's or Job's entry from its metadata.
fn owner_row<K>(meta: &PartialObjectMeta<K>) -> Option<(String, OwnerEntry)> {
    owner_entry(&meta.metadata)
}

/// How one watch ended.
enum Ended {
    /// The API server answered 401: the credentials need rebuilding.
    Unauthorized,
    /// Any other failure (or the stream ending, which kube's watcher never does by itself);
    /// `healthy_for` is how long it ran after its list arrived, if one did.
    Failed { healthy_for: Option<Duration> },
}

/// Applies one kind's watch events to its table until the task is dropped. A failed watch
/// starts over with a full list (after a backoff): kube's watcher resumes silently, so only a
/// new list proves the rows current again on a quiet cluster.
async fn mirror<K, R, S>(
    clients: Arc<Clients>,
    kind: &'static str,
    open: impl Fn(Client, watcher::Config) -> S,
    table: Arc<RwLock<Table<R>>>,
    row: fn(&K) -> Option<(String, R)>,
) where
    S: Stream<Item = Result<Event<K>, watcher::Error>>,
{
    let timeout = u32::try_from(crate::kube_clients::WATCH_TIMEOUT.as_secs()).unwrap_or(u32::MAX);
    let mut retry = FIRST_RETRY;
    loop {
        let lease = clients.watch();
        let stream = open(
            lease.client.clone(),
            watcher::Config::default().timeout(timeout),
        );
        match watch_until_failure(stream, kind, &table, row).await {
            Ended::Unauthorized => {
                if !clients.after_unauthorized(&lease).await {
                    // Rebuilt recently: give the credentials a moment before trying again.
                    tokio::time::sleep(crate::kube_clients::REBUILD_INTERVAL).await;
                }
            }
            Ended::Failed { healthy_for } => {
                // Only a watch that held for a while earns a quick retry: one that fails right
                // after every list must not re-list the whole cluster every second.
                if healthy_for.is_some_and(|d| d >= MAX_RETRY) {
                    retry = FIRST_RETRY;
                }
                tokio::time::sleep(retry).await;
                retry = (retry * 2).min(MAX_RETRY);
            }
        }
    }
}

/// Mirrors until the stream fails or ends. After a failure the rows stay (flagged stale)
/// until a new list has named every object again ([`Listing`]).
async fn watch_until_failure<K, R>(
    stream: impl Stream<Item = Result<Event<K>, watcher::Error>>,
    kind: &'static str,
    table: &Arc<RwLock<Table<R>>>,
    row: fn(&K) -> Option<(String, R)>,
) -> Ended {
    let mut stream = std::pin::pin!(stream);
    let mut listing = Listing::default();
    let mut listed_at: Option<tokio::time::Instant> = None;
    while let Some(event) = stream.next().await {
        let change = match event {
            Ok(Event::Init) => Change::ListBegins,
            Ok(Event::InitApply(obj)) => match row(&obj) {
                Some((key, r)) => Change::Listed(key, r),
                None => continue,
            },
            Ok(Event::InitDone) => {
                listed_at = Some(tokio::time::Instant::now());
                Change::ListEnds
            }
            Ok(Event::Apply(obj)) => match row(&obj) {
                Some((key, r)) => Change::Applied(key, r),
                None => continue,
            },
            Ok(Event::Delete(obj)) => match row(&obj) {
                Some((key, _)) => Change::Deleted(key),
                None => continue,
            },
            Err(e) => {
                let message = describe_watch_error(&e);
                tracing::warn!(kind, %message, "watch failed; starting over");
                write(table).fail(format!("cannot watch {kind}s: {message}"), unix_ms());
                return if watch_status_code(&e) == Some(401) {
                    Ended::Unauthorized
                } else {
                    Ended::Failed {
                        healthy_for: listed_at.map(|at| at.elapsed()),
                    }
                };
            }
        };
        listing.apply(table, change, kind);
    }
    write(table).fail(format!("the {kind} watch ended"), unix_ms());
    Ended::Failed {
        healthy_for: listed_at.map(|at| at.elapsed()),
    }
}

/// One change a watch brings to its table.
enum Change<R> {
    /// A full list starts.
    ListBegins,
    /// The list names this object.
    Listed(String, R),
    /// The list is complete.
    ListEnds,
    /// An object was added or changed.
    Applied(String, R),
    /// An object was deleted.
    Deleted(String),
}

/// A full list under way: the keys it has named so far. Listed rows replace the table's in
/// place and the rows the list did not name go when it ends, so a relist of 30,000 pods
/// never holds two copies of the table (a new map built beside the old one did).
#[derive(Default)]
struct Listing(Option<HashSet<String>>);

impl Listing {
    fn apply<R>(&mut self, table: &RwLock<Table<R>>, change: Change<R>, kind: &str) {
        match change {
            Change::ListBegins => self.0 = Some(HashSet::new()),
            Change::Listed(key, r) => {
                if let Some(named) = self.0.as_mut() {
                    named.insert(key.clone());
                }
                write(table).rows.insert(key, r);
            }
            Change::ListEnds => {
                // An end without a start would name nothing and empty the table.
                let Some(named) = self.0.take() else {
                    return;
                };
                let mut t = write(table);
                t.rows.retain(|key, _| named.contains(key));
                t.synced = true;
                if t.failure.take().is_some() {
                    tracing::info!(kind, "watch recovered");
                }
                tracing::debug!(kind, count = t.rows.len(), "listed");
            }
            Change::Applied(key, r) => {
                write(table).rows.insert(key, r);
            }
            Change::Deleted(key) => {
                write(table).rows.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relist_replaces_rows_in_place_and_drops_the_unnamed_at_its_end() {
        let table = RwLock::new(Table::<u32>::default());
        let mut listing = Listing::default();
        for change in [
            Change::ListBegins,
            Change::Listed("a".into(), 1),
            Change::Listed("b".into(), 2),
            Change::ListEnds,
            Change::Applied("c".into(), 3),
        ] {
            listing.apply(&table, change, "test");
        }
        write(&table).fail("the watch broke".into(), 1);
        listing.apply(&table, Change::ListBegins, "test");
        listing.apply(&table, Change::Listed("b".into(), 20), "test");
        {
            let t = table.read().expect("lock");
            // Mid-list: what was there stays, updated where the list got to.
            assert_eq!(t.rows.get("a"), Some(&1));
            assert_eq!(t.rows.get("b"), Some(&20));
            assert!(t.failure.is_some(), "still stale until the list ends");
        }
        listing.apply(&table, Change::Listed("d".into(), 4), "test");
        listing.apply(&table, Change::ListEnds, "test");
        // A stray end of a list that never began changes nothing.
        listing.apply(&table, Change::ListEnds, "test");
        let t = table.read().expect("lock");
        let rows: Vec<(&str, u32)> = t.rows.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(rows, [("b", 20), ("d", 4)]);
        assert!(t.synced && t.failure.is_none());
    }

    /// Every watch's first request, as the API server sees it, answered 403.
    #[tokio::test]
    async fn owners_are_read_as_metadata_only_and_every_namespaced_kind_is_scoped() {
        use http::{Request, Response};
        use kube::client::Body;
        let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let clients = crate::kube_clients::mocked(service).await;
        let cache = ObjectCache::default();
        let _watches = spawn_watches(&clients, Some("shop"), &cache);
        let mut seen = std::collections::BTreeMap::new();
        while seen.len() < 5 {
            let (request, respond) =
                tokio::time::timeout(Duration::from_secs(5), handle.next_request())
                    .await
                    .expect("every watch asks")
                    .expect("a request");
            let path = request.uri().path().to_owned();
            let accept = request
                .headers()
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            seen.insert(path, accept);
            let body = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "message": "forbidden", "reason": "Forbidden", "code": 403});
            respond.send_response(
                Response::builder()
                    .status(403)
                    .body(Body::from(body.to_string().into_bytes()))
                    .expect("response"),
            );
        }
        let paths: Vec<&str> = seen.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "/api/v1/namespaces/shop/pods",
                "/api/v1/namespaces/shop/resourcequotas",
                "/api/v1/nodes",
                "/apis/apps/v1/namespaces/shop/replicasets",
                "/apis/batch/v1/namespaces/shop/jobs",
            ]
        );
        for (path, accept) in &seen {
            let metadata_only = accept.contains("as=PartialObjectMetadataList");
            assert_eq!(
                metadata_only,
                path.ends_with("/replicasets") || path.ends_with("/jobs"),
                "{path}: {accept}"
            );
        }
        // A refused owner watch is a failure of its own table, which says why.
        for _ in 0..100 {
            if cache.replica_sets().failure.is_some() {
                break;
            }
            tokio::task::yield_now().await;
        }
        let failure = cache.replica_sets().failure.clone().expect("failed");
        assert!(
            failure.message.contains("ReplicaSet"),
            "{}",
            failure.message
        );
    }

    #[tokio::test]
    async fn dropping_the_watches_stops_them() {
        let held = Arc::new(());
        let in_task = held.clone();
        let watches = Watches(vec![tokio::spawn(async move {
            let _held = in_task;
            std::future::pending::<()>().await;
        })]);
        tokio::task::yield_now().await;
        assert_eq!(Arc::strong_count(&held), 2, "the task runs");
        drop(watches);
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(Arc::strong_count(&held), 1, "the task was stopped");
    }
}

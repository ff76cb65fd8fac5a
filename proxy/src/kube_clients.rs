//! The kube clients, rebuildable. kube-rs keeps an exec plugin's token until the expiry the
//! plugin stated (forever if it stated none), so after a 401 a fresh client is built, which
//! runs the plugin again. Rebuilds happen at most once per [`REBUILD_INTERVAL`].

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use kube::{Client, Config};
use tokio::time::Instant;

/// Least time between two rebuilds, so a revoked credential does not spawn plugins in a loop.
pub const REBUILD_INTERVAL: Duration = Duration::from_secs(30);

/// How long the API server keeps one watch open before ending it (the watch then resumes
/// where it was, without a new list). Short, so that a connection that died silently (a
/// frozen API server, a middlebox that dropped it) is noticed within about a minute rather
/// than after kube's default of 290 s: the watch client gives up on a connection that stays
/// silent for longer than [`WATCH_SILENCE_LIMIT`].
pub const WATCH_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence the watch client accepts on a connection, counted from the request (a
/// pooled connection's idle time does not count): above [`WATCH_TIMEOUT`], so a quiet but
/// healthy watch is never cut, and far above any list page's first byte.
const WATCH_SILENCE_LIMIT: Duration = Duration::from_secs(40);

/// Builds the pair of clients; blocking (exec plugins run during construction).
type Factory = Arc<dyn Fn() -> Result<Pair, String> + Send + Sync>;

/// The two clients every cluster needs.
#[derive(Clone)]
pub struct Pair {
    /// With kube's retries, for watches.
    pub watch: Client,
    /// Without kube's 503 retries (which would turn "unavailable" into a timeout), for reads
    /// that have their own deadline and backoff.
    pub read: Client,
}

/// Current clients and how to replace them.
pub struct Clients {
    factory: Factory,
    current: RwLock<(Pair, u64)>,
    last_rebuild: tokio::sync::Mutex<Option<Instant>>,
}

/// A client handed out, with the generation it belongs to.
pub struct Lease {
    /// The client.
    pub client: Client,
    generation: u64,
}

impl Clients {
    /// Builds the first pair (off the async threads, since plugins may take a while).
    pub async fn new(
        factory: impl Fn() -> Result<Pair, String> + Send + Sync + 'static,
    ) -> Result<Self, String> {
        let factory: Factory = Arc::new(factory);
        let pair = build(&factory).await?;
        Ok(Self {
            factory,
            current: RwLock::new((pair, 0)),
            last_rebuild: tokio::sync::Mutex::new(None),
        })
    }

    /// Clients for a kube `Config`: one with kube's retries, one without.
    pub fn from_config(config: Config) -> impl Fn() -> Result<Pair, String> + Send + Sync {
        move || {
            let mut no_retry = config.clone();
            no_retry.default_retry = false;
            let mut watch = config.clone();
            watch.read_timeout = Some(WATCH_SILENCE_LIMIT);
            watch.reset_reader_on_write = true;
            Ok(Pair {
                watch: Client::try_from(watch).map_err(|e| e.to_string())?,
                read: Client::try_from(no_retry).map_err(|e| e.to_string())?,
            })
        }
    }

    /// The client for watches.
    pub fn watch(&self) -> Lease {
        self.lease(|p| p.watch.clone())
    }

    /// The client for deadline-bound reads.
    pub fn read(&self) -> Lease {
        self.lease(|p| p.read.clone())
    }

    fn lease(&self, pick: impl Fn(&Pair) -> Client) -> Lease {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        Lease {
            client: pick(&current.0),
            generation: current.1,
        }
    }

    /// Call after `lease` got a 401. Returns true when newer clients exist (built now, or by
    /// someone else since the lease), so the caller should retry once.
    pub async fn after_unauthorized(&self, lease: &Lease) -> bool {
        let mut last = self.last_rebuild.lock().await;
        if self.generation() != lease.generation {
            return true;
        }
        if last.is_some_and(|at| at.elapsed() < REBUILD_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        match build(&self.factory).await {
            Ok(pair) => {
                let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
                *current = (pair, current.1 + 1);
                tracing::info!(
                    "the API server answered 401; rebuilt the kube client (credentials refreshed)"
                );
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the API server answered 401 and new credentials could not be obtained");
                false
            }
        }
    }

    /// Runs a read with the read client; after a 401, once more with rebuilt clients.
    pub async fn read_retrying<T, F, Fut>(&self, op: F) -> Result<T, kube::Error>
    where
        F: Fn(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, kube::Error>>,
    {
        let lease = self.read();
        match op(lease.client.clone()).await {
            Err(e)
                if crate::kube_error::status_code(&e) == Some(401)
                    && self.after_unauthorized(&lease).await =>
            {
                op(self.read().client).await
            }
            other => other,
        }
    }

    fn generation(&self) -> u64 {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
    }
}

/// Clients talking to a tower-test mock of the API server (unit tests).
#[cfg(test)]
pub async fn mocked(
    service: tower_test::mock::Mock<
        http::Request<kube::client::Body>,
        http::Response<kube::client::Body>,
    >,
) -> Arc<Clients> {
    let clients = Clients::new(move || {
        let client = Client::new(service.clone(), "default");
        Ok(Pair {
            watch: client.clone(),
            read: client,
        })
    })
    .await;
    match clients {
        Ok(c) => Arc::new(c),
        Err(e) => panic!("mock clients: {e}"),
    }
}

async fn build(factory: &Factory) -> Result<Pair, String> {
    let factory = factory.clone();
    tokio::task::spawn_blocking(move || factory())
        .await
        .map_err(|e| format!("client construction failed: {e}"))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn mock_pair() -> Pair {
        let (service, _handle) = tower_test::mock::pair::<
            http::Request<kube::client::Body>,
            http::Response<kube::client::Body>,
        >();
        let client = Client::new(service, "default");
        Pair {
            watch: client.clone(),
            read: client,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn rebuilds_at_most_once_per_interval() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = builds.clone();
        let clients = Clients::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(mock_pair())
        })
        .await
        .expect("first build");
        assert_eq!(builds.load(Ordering::SeqCst), 1);

        let stale = clients.read();
        assert!(
            clients.after_unauthorized(&stale).await,
            "first 401 rebuilds"
        );
        assert_eq!(builds.load(Ordering::SeqCst), 2);
        // A lease from before the rebuild retries with the new client without another build.
        assert!(clients.after_unauthorized(&stale).await);
        assert_eq!(builds.load(Ordering::SeqCst), 2);
        // A 401 on the fresh client within 30 s does not rebuild again.
        let fresh = clients.read();
        assert!(!clients.after_unauthorized(&fresh).await);
        assert_eq!(builds.load(Ordering::SeqCst), 2);
        tokio::time::advance(REBUILD_INTERVAL + Duration::from_secs(1)).await;
        assert!(clients.after_unauthorized(&fresh).await);
        assert_eq!(builds.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_rebuild_keeps_the_old_clients() {
        let builds = Arc::new(AtomicUsize::new(0));
        let counter = builds.clone();
        let clients = Clients::new(move || {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                Ok(mock_pair())
            } else {
                Err("plugin failed".into())
            }
        })
        .await
        .expect("first build");
        let lease = clients.watch();
        assert!(!clients.after_unauthorized(&lease).await);
        assert_eq!(clients.generation(), 0);
    }
}

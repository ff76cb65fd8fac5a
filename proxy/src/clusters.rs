//! The kubeconfig's contexts as the server offers them: the startup context is connected at
//! once (so a bad configuration fails loudly), every other one on its first request, each
//! with its own watches and metrics source, and disconnected again when nobody has looked at
//! it for a while.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::cluster_view::ClusterView;

/// A failed connection is retried on a request after this long, not on every request.
const RETRY_AFTER: Duration = Duration::from_secs(15);

/// A context other than the startup one that no request has named for this long is
/// disconnected: its watches stop and its mirror of the cluster is freed.
pub const IDLE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Connects one context by name; the error is a message for the user.
pub type Connector =
    Arc<dyn Fn(String) -> BoxFuture<'static, Result<ClusterView, String>> + Send + Sync>;

/// Why a context cannot be shown.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClusterError {
    /// Not a context of the kubeconfig.
    #[error("context {0:?} is not in the kubeconfig")]
    Unknown(String),
    /// Connecting failed; retried after a while.
    #[error("cannot connect to context {context:?}: {message}")]
    Unavailable {
        /// The context.
        context: String,
        /// What went wrong.
        message: String,
    },
}

enum Slot {
    Idle,
    Ready {
        view: Arc<ClusterView>,
        used: Instant,
    },
    Failed {
        at: Instant,
        message: String,
    },
}

/// Every served context and its cluster view, connected lazily.
pub struct Clusters {
    current: String,
    slots: BTreeMap<String, Mutex<Slot>>,
    connect: Option<Connector>,
}

impl Clusters {
    /// Only `view`'s context (the demo, tests).
    pub fn single(view: ClusterView) -> Clusters {
        let name = view.info().context.clone();
        Clusters {
            current: name.clone(),
            slots: BTreeMap::from([(
                name,
                Mutex::new(Slot::Ready {
                    view: Arc::new(view),
                    used: Instant::now(),
                }),
            )]),
            connect: None,
        }
    }

    /// `view` for the startup context, and `names` (the kubeconfig's contexts) connected by
    /// `connect` when first asked for.
    pub fn lazy(view: ClusterView, names: Vec<String>, connect: Connector) -> Clusters {
        let mut clusters = Clusters::single(view);
        for name in names {
            clusters
                .slots
                .entry(name)
                .or_insert_with(|| Mutex::new(Slot::Idle));
        }
        clusters.connect = Some(connect);
        clusters
    }

    /// The context shown when a URL names none.
    pub fn current(&self) -> &str {
        &self.current
    }

    /// Every context, sorted.
    pub fn names(&self) -> Vec<String> {
        self.slots.keys().cloned().collect()
    }

    /// The cluster view of `context`, connecting it first if this is its first use (other
    /// requests for it wait for that one connection).
    pub async fn get(&self, context: &str) -> Result<Arc<ClusterView>, ClusterError> {
        let slot = self
            .slots
            .get(context)
            .ok_or_else(|| ClusterError::Unknown(context.to_owned()))?;
        let mut slot = slot.lock().await;
        let unavailable = |message: &str| ClusterError::Unavailable {
            context: context.to_owned(),
            message: message.to_owned(),
        };
        match &mut *slot {
            Slot::Ready { view, used } => {
                *used = Instant::now();
                return Ok(view.clone());
            }
            Slot::Failed { at, message } if at.elapsed() < RETRY_AFTER => {
                return Err(unavailable(message));
            }
            Slot::Failed { .. } | Slot::Idle => {}
        }
        let Some(connect) = &self.connect else {
            return Err(unavailable("this ktop-web serves one context only"));
        };
        tracing::info!(context, "connecting to another context");
        match connect(context.to_owned()).await {
            Ok(view) => {
                let view = Arc::new(view);
                *slot = Slot::Ready {
                    view: view.clone(),
                    used: Instant::now(),
                };
                Ok(view)
            }
            Err(message) => {
                tracing::warn!(context, %message, "cannot connect");
                let err = unavailable(&message);
                *slot = Slot::Failed {
                    at: Instant::now(),
                    message,
                };
                Err(err)
            }
        }
    }
}

impl Clusters {
    /// Disconnects every context but the startup one that has not been asked for within
    /// `idle`; the next request connects it again. Returns how many were disconnected.
    pub fn disconnect_idle(&self, idle: Duration) -> usize {
        let mut disconnected = 0;
        for (name, slot) in &self.slots {
            if name == &self.current {
                continue;
            }
            // A slot being connected is in use: skip it rather than wait for a slow login.
            let Ok(mut slot) = slot.try_lock() else {
                continue;
            };
            if matches!(&*slot, Slot::Ready { used, .. } if used.elapsed() >= idle) {
                tracing::info!(context = %name, idle_s = idle.as_secs(), "disconnecting an unused context");
                *slot = Slot::Idle;
                disconnected += 1;
            }
        }
        disconnected
    }
}

/// Disconnects unused contexts every minute, for as long as `clusters` is served.
pub fn spawn_idle_sweeper(clusters: &Arc<Clusters>) {
    let clusters = Arc::downgrade(clusters);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(clusters) = clusters.upgrade() else {
                return;
            };
            clusters.disconnect_idle(IDLE_AFTER);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::ObjectCache;
    use crate::source::{SourceSelector, Sources};
    use ktop_web_shared::api::{ClusterInfo, SourceMode};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn view(context: &str) -> ClusterView {
        let info = ClusterInfo {
            context: context.into(),
            server: "https://example.invalid".into(),
            user: "u".into(),
            namespace: None,
            refresh_ms: 5000,
            history: 120,
            demo: false,
        };
        let selector =
            SourceSelector::new(SourceMode::None, Sources::default(), Duration::from_secs(1));
        ClusterView::new(info, ObjectCache::default(), selector, Default::default())
    }

    fn counting(fail: bool) -> (Connector, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let connect: Connector = Arc::new(move |name: String| {
            seen.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if fail {
                    Err(format!("{name} refused"))
                } else {
                    Ok(view(&name))
                }
            })
        });
        (connect, calls)
    }

    #[tokio::test]
    async fn others_connect_once_on_first_use() {
        let (connect, calls) = counting(false);
        let names = vec!["dev".to_owned(), "prod".to_owned()];
        let clusters = Clusters::lazy(view("dev"), names, connect);
        assert_eq!(clusters.names(), ["dev", "prod"]);
        assert_eq!(clusters.current(), "dev");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "nothing connects before it is asked for"
        );
        let (a, b) = tokio::join!(clusters.get("prod"), clusters.get("prod"));
        assert!(Arc::ptr_eq(&a.expect("prod"), &b.expect("prod")));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one connection for both requests"
        );
        clusters
            .get("dev")
            .await
            .expect("dev is there from the start");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            clusters.get("staging").await.err(),
            Some(ClusterError::Unknown("staging".into()))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unused_contexts_are_disconnected_and_come_back() {
        let (connect, calls) = counting(false);
        let clusters = Clusters::lazy(view("dev"), vec!["prod".into()], connect);
        let prod = Arc::downgrade(&clusters.get("prod").await.expect("prod"));
        tokio::time::advance(IDLE_AFTER / 2).await;
        clusters.get("prod").await.expect("still connected");
        tokio::time::advance(IDLE_AFTER / 2).await;
        assert_eq!(
            clusters.disconnect_idle(IDLE_AFTER),
            0,
            "looked at within the idle time"
        );
        tokio::time::advance(IDLE_AFTER).await;
        assert_eq!(clusters.disconnect_idle(IDLE_AFTER), 1);
        assert!(prod.upgrade().is_none(), "the view (and its watches) freed");
        let dev = clusters.get("dev").await.expect("dev");
        assert_eq!(dev.info().context, "dev", "the startup context stays");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        clusters.get("prod").await.expect("reconnects");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "connected again on the next visit"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn failures_are_remembered_then_retried() {
        let (connect, calls) = counting(true);
        let clusters = Clusters::lazy(view("dev"), vec!["prod".into()], connect);
        let err = clusters.get("prod").await.err().expect("fails");
        assert!(err.to_string().contains("prod refused"), "{err}");
        assert!(clusters.get("prod").await.is_err(), "still failing");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "not retried at once");
        tokio::time::advance(RETRY_AFTER + Duration::from_secs(1)).await;
        assert!(clusters.get("prod").await.is_err(), "fails again");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "retried after a while");
    }
}

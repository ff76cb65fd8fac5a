//! App-wide reactive state, shared through context.

use std::sync::Arc;

use ktop_web_shared::api::ContextList;
use leptos::prelude::*;

use crate::api_client::FetchError;
use crate::clock::now_ms;
use crate::cluster_summary::ClusterSummary;
use crate::dataset::Dataset;
use crate::route::url_codec::Query;
use crate::staleness::{StaleNote, stale_notes, usage_is_stale};
use crate::store::{DEFAULT_CAPACITY, History};
use crate::table::caps::Caps;

/// Signals every view reads; cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// Contexts the server offers, once loaded.
    pub contexts: RwSignal<Option<ContextList>>,
    /// The context being shown.
    pub context: RwSignal<Option<String>>,
    /// The latest successful snapshot; kept while requests fail.
    pub data: RwSignal<Option<Arc<Dataset>>>,
    /// Metric history; survives failed requests.
    pub history: RwSignal<History>,
    /// The latest request failure, cleared by the next success.
    pub error: RwSignal<Option<FetchError>>,
    /// When (this page's clock) the snapshot in `data` was taken, at the earliest the
    /// server's answer allows: ages on the page count from then.
    pub taken_ms: RwSignal<Option<i64>>,
    /// This page's clock, ticking once a second.
    pub now_ms: RwSignal<i64>,
    /// The page URL's query, for `?history=N` (see [`AppState::history_override`]).
    query: Memo<Query>,
    /// What the live source and the cluster can fill (see [`AppState::caps`]).
    caps: Memo<Caps>,
}

impl AppState {
    /// Fresh state for a page whose query is `query`.
    pub fn new(query: Memo<Query>) -> AppState {
        let capacity = query
            .with_untracked(history_param)
            .unwrap_or(DEFAULT_CAPACITY);
        let data = RwSignal::new(None::<Arc<Dataset>>);
        let taken_ms = RwSignal::new(None);
        let now = RwSignal::new(now_ms());
        let state = AppState {
            contexts: RwSignal::new(None),
            context: RwSignal::new(None),
            data,
            history: RwSignal::new(History::new(capacity)),
            error: RwSignal::new(None),
            taken_ms,
            now_ms: now,
            query,
            caps: Memo::new(move |_| data.with(|d| Caps::of(d.as_deref()))),
        };
        // A changed `?history=` resizes the buffers at once; without one the server's
        // default applies from the next snapshot. This runs on any change of the query, so
        // the charts are told only when the length changes.
        Effect::new(move |_| {
            let capacity = state.history_override().or_else(|| {
                state
                    .data
                    .with_untracked(|d| d.as_ref().map(|d| d.cluster.history as usize))
            });
            if let Some(capacity) = capacity
                && state.history.with_untracked(|h| h.capacity() != capacity)
            {
                state.history.update(|h| h.set_capacity(capacity));
            }
        });
        state
    }

    /// What on screen is not current, and why (tracked); empty when everything is. Not a
    /// memo: a memo of its own type costs the wasm more than its two readers recomputing it
    /// once a second.
    pub fn stale(self) -> Vec<StaleNote> {
        self.data
            .with(|d| stale_notes(d.as_deref(), self.taken_ms.get(), self.now_ms.get()))
    }

    /// True while the usage on screen is not current (tracked): its cells are marked.
    pub fn usage_stale(self) -> bool {
        usage_is_stale(&self.stale())
    }

    /// `?history=N` from the page URL (tracked); wins over the server's default. Not a
    /// memo: one more memo type costs the wasm more than reading the query again.
    pub fn history_override(self) -> Option<usize> {
        self.query.with(history_param)
    }

    /// What the live source and the cluster can fill (tracked): columns that need more are
    /// not shown. Read from a memo, so readers do not run with every snapshot.
    pub fn caps(self) -> Caps {
        self.caps.get()
    }

    /// The current totals, read tracked (a closure, not a memo: every memo is code of its own in the wasm).
    pub fn summary(self) -> impl Fn() -> Option<ClusterSummary> + Copy + Send + Sync + 'static {
        move || self.data.with(|d| d.as_ref().map(|d| d.summary))
    }
}

/// The state provided by the app root.
pub fn use_app_state() -> AppState {
    expect_context::<AppState>()
}

/// `history=N` (a positive count) from a query such as `?ns=a&history=60`.
fn history_param(query: &Query) -> Option<usize> {
    query
        .get("history")?
        .parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_history_from_the_query() {
        assert_eq!(history_param(&Query::parse("?history=60")), Some(60));
        assert_eq!(history_param(&Query::parse("?ns=a&history=5&q=x")), Some(5));
        assert_eq!(history_param(&Query::parse("history=7")), Some(7));
        assert_eq!(history_param(&Query::parse("?history=0")), None);
        assert_eq!(history_param(&Query::parse("?history=lots")), None);
        assert_eq!(history_param(&Query::parse("?histories=3")), None);
        assert_eq!(history_param(&Query::parse("")), None);
    }
}

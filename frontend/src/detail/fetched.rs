//! Loads data for a page while it is shown, and again every few seconds: details change
//! slowly, and a page left open should not show a stale state forever.

use std::future::Future;
use std::time::Duration;

use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api_client::FetchError;

/// How often details, events and (when following) logs are read again.
pub const DETAIL_REFRESH: Duration = Duration::from_secs(10);

/// The latest answer for `key`: `None` while the first request runs.
pub type Fetched<T> = RwSignal<Option<Result<T, FetchError>>>;

/// Fetches `fetch(key)` whenever `key` changes and every `every(key)` after that, until the
/// page is left (the signal is disposed) or the key changes.
pub fn use_fetched<K, T, F, Fut>(
    key: Memo<Option<K>>,
    fetch: F,
    every: impl Fn(&K) -> Duration + Copy + 'static,
) -> Fetched<T>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Send + Sync + 'static,
    F: Fn(K) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, FetchError>> + 'static,
{
    let result: Fetched<T> = RwSignal::new(None);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let Some(k) = key.get() else {
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let current = move || generation.try_get_value() == Some(mine);
        result.set(None);
        spawn_local(async move {
            loop {
                let answer = fetch(k.clone()).await;
                if !current() || result.try_set(Some(answer)).is_some() {
                    return;
                }
                sleep(every(&k)).await;
                if !current() {
                    return;
                }
            }
        });
    });
    result
}

//! Loads data for a page while it is shown, and again every few seconds: details change
//! slowly, and a page left open should not show a stale state forever.

use std::time::Duration;

use gloo_timers::future::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api_client::{FetchError, Loading};

/// How often details and events are read again.
pub const DETAIL_REFRESH: Duration = Duration::from_secs(10);

/// The latest answer: `None` while the first request runs.
pub type Fetched<T> = RwSignal<Option<Result<T, FetchError>>>;

/// Loads `fetch(path)` whenever `path` or `every` changes, then again every `every` (or
/// never, when `None`), until the page is left (the signal is disposed) or `path` becomes
/// `None`. A new path clears the answer first, so nothing shows another path's answer.
pub fn use_fetched<T: Send + Sync + 'static>(
    path: Memo<Option<String>>,
    fetch: fn(String) -> Loading<T>,
    every: Signal<Option<Duration>>,
) -> Fetched<T> {
    let result: Fetched<T> = RwSignal::new(None);
    let generation = StoredValue::new(0u64);
    let fetched_path = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let (path, every) = (path.get(), every.get());
        // Any change ends the loop already running.
        generation.update_value(|g| *g += 1);
        if fetched_path.get_value() != path {
            fetched_path.set_value(path.clone());
            if result.with_untracked(Option::is_some) {
                result.set(None);
            }
        }
        let Some(path) = path else {
            return;
        };
        let mine = generation.get_value();
        let current = move || generation.try_get_value() == Some(mine);
        spawn_local(async move {
            loop {
                let answer = fetch(path.clone()).await;
                if !current() || result.try_set(Some(answer)).is_some() {
                    return;
                }
                let Some(every) = every else {
                    return;
                };
                sleep(every).await;
                if !current() {
                    return;
                }
            }
        });
    });
    result
}

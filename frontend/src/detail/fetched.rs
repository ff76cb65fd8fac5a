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
/// never, when `None`), until the page is left (the signal is disposed).
pub fn use_fetched<T: Send + Sync + 'static>(
    path: Memo<Option<String>>,
    fetch: fn(String) -> Loading<T>,
    every: Signal<Option<Duration>>,
) -> Fetched<T> {
    let result: Fetched<T> = RwSignal::new(None);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (Some(path), every) = (path.get(), every.get()) else {
            return;
        };
        generation.update_value(|g| *g += 1);
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

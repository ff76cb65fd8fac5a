//! Loads data for a page while it is shown, and again every few seconds: details change
//! slowly, and a page left open should not show a stale state forever.

use std::marker::PhantomData;
use std::time::Duration;

use gloo_timers::future::sleep;
use ktop_web_shared::decode::{Decode, from_json};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api_client::{FetchError, fetch_body, unreadable};

/// How often details and events are read again.
pub const DETAIL_REFRESH: Duration = Duration::from_secs(10);

/// The latest answer's text: `None` while the first request runs.
pub type Answer = RwSignal<Option<Result<String, FetchError>>>;

/// A JSON answer, kept as text and decoded where it is read: one signal type for every
/// document costs the wasm far less than a signal type per document, and decoding a few
/// kilobytes again costs little.
pub struct Fetched<T> {
    /// The text as it arrived.
    pub answer: Answer,
    decoded: PhantomData<fn() -> T>,
}

impl<T> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetched<T> {}

impl<T: Decode> Fetched<T> {
    /// The answer (tracked): `None` while the first request runs.
    pub fn get(self) -> Option<Result<T, FetchError>> {
        self.answer.with(|a| {
            Some(match a.as_ref()? {
                Ok(text) => from_json(text.as_bytes()).map_err(unreadable),
                Err(e) => Err(e.clone()),
            })
        })
    }

    /// The document (tracked), once one has arrived and while the last request succeeded.
    pub fn loaded(self) -> Option<T> {
        self.get()?.ok()
    }
}

/// Why the last request failed (tracked), in words for people.
pub fn error_message(answer: Answer) -> Option<String> {
    answer.with(|a| a.as_ref()?.as_ref().err().map(FetchError::message))
}

/// Loads the JSON document at `path` whenever `path` or `every` changes, then again every
/// `every` (or never, when `None`), until the page is left (the signal is disposed) or `path`
/// becomes `None`. A new path clears the answer first, so nothing shows another path's answer.
pub fn use_fetched<T>(path: Memo<Option<String>>, every: Signal<Option<Duration>>) -> Fetched<T> {
    Fetched {
        answer: follow(path, every, "application/json"),
        decoded: PhantomData,
    }
}

/// As [`use_fetched`], for text such as a log.
pub fn use_fetched_text(path: Memo<Option<String>>, every: Signal<Option<Duration>>) -> Answer {
    follow(path, every, "text/plain")
}

/// The requests behind [`use_fetched`], once in the wasm whatever is read.
fn follow(
    path: Memo<Option<String>>,
    every: Signal<Option<Duration>>,
    accept: &'static str,
) -> Answer {
    let result: Answer = RwSignal::new(None);
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
                let answer = fetch_body(&path, accept).await;
                let answer = answer.map(|b| String::from_utf8_lossy(&b).into_owned());
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

//! Keeps the metric history in the browser's local storage, one entry per context, so a
//! reload or a reopened bookmark starts with recent charts instead of empty ones.

use leptos::ev;
use leptos::prelude::*;

use crate::local_storage;
use crate::state::AppState;
use crate::store::History;

/// Local storage holds about 5 MB of UTF-16 per origin; stay well inside it.
const BUDGET_BYTES: usize = 2_000_000;

fn key(context: &str) -> String {
    format!("ktop-web.history.{context}")
}

/// The saved history of `context`, if its newest sample is newer than `since_ms` (older
/// history would only draw a gap).
pub fn load(context: &str, capacity: usize, since_ms: i64) -> Option<History> {
    let text = local_storage::get(&key(context))?;
    History::from_saved_text(&text, capacity)
        .filter(|h| h.context() == Some(context))
        .filter(|h| h.times().last().is_some_and(|&t| t > since_ms))
}

/// Saves the history when the page is hidden: another tab, a minimised window, or a reload or
/// navigation (unloading a page hides it first, and on mobile hiding is the last moment a
/// browser promises). Not on refreshes: at 30,000 pods writing it takes tens of milliseconds
/// of the page's main thread.
pub fn save_on_leave(state: AppState) {
    _ = window_event_listener(ev::visibilitychange, move |_| {
        if document().hidden() {
            state.history.with_untracked(save);
        }
    });
}

fn save(history: &History) {
    if let Some(context) = history.context() {
        local_storage::set(&key(context), &history.to_saved_text(BUDGET_BYTES));
    }
}

//! The browser's local storage, for what the page remembers across reloads. Storage may be
//! missing or full (private windows, quotas); that only loses what would have been kept.

use leptos::prelude::window;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The value kept under `key`.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Keeps `value` under `key`, if the browser lets it.
pub fn set(key: &str, value: &str) {
    if let Some(storage) = storage() {
        _ = storage.set_item(key, value);
    }
}

//! The address bar as a signal: the current path and query, updated when the app
//! navigates (links, history) and when the user goes back or forward.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::page_route::{PageRoute, split_context};
use super::url_codec::{Query, encode};

/// Path and query of the page being shown.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    path: String,
    query: Query,
}

impl Address {
    fn current() -> Address {
        let location = window().location();
        Address {
            path: location.pathname().unwrap_or_default(),
            query: Query::parse(&location.search().unwrap_or_default()),
        }
    }
}

/// The current page and query; cheap to copy, provided to the whole app.
#[derive(Clone, Copy)]
pub struct Location {
    address: RwSignal<Address>,
    /// The context the path names (`/c/{context}/…`), if any.
    pub context: Memo<Option<String>>,
    /// The page the path names.
    pub route: Memo<PageRoute>,
    /// The query's parameters.
    pub query: Memo<Query>,
}

impl Location {
    /// Reads the address bar, follows back/forward and takes over same-app link clicks.
    pub fn start() -> Location {
        let address = RwSignal::new(Address::current());
        let location = Location {
            address,
            context: Memo::new(move |_| address.with(|a| split_context(&a.path).0)),
            route: Memo::new(move |_| address.with(|a| PageRoute::parse(split_context(&a.path).1))),
            query: Memo::new(move |_| address.with(|a| a.query.clone())),
        };
        _ = window_event_listener(ev::popstate, move |_| location.sync());
        _ = window_event_listener(ev::click, move |event| {
            if let Some(href) = in_app_link(&event) {
                event.prevent_default();
                location.navigate(&href, false);
                window().scroll_to_with_x_and_y(0.0, 0.0);
            }
        });
        provide_context(location);
        location
    }

    /// Shows `href` (a path with an optional query), adding a history entry or, with
    /// `replace`, rewriting the current one.
    pub fn navigate(&self, href: &str, replace: bool) {
        if let Ok(history) = window().history() {
            let done = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
            if done.is_ok() {
                self.sync();
            }
        }
    }

    /// Rewrites the current query with some parameters changed, in place: typing in a
    /// filter should not add a back step per key.
    pub fn set_query(&self, updates: &[(&str, Option<String>)]) {
        self.change_query(updates, true);
    }

    /// Changes some query parameters as a new history entry, so back undoes the change
    /// (sorting, choosing columns or a namespace).
    pub fn push_query(&self, updates: &[(&str, Option<String>)]) {
        self.change_query(updates, false);
    }

    fn change_query(&self, updates: &[(&str, Option<String>)], replace: bool) {
        let (path, query) = self
            .address
            .with_untracked(|a| (a.path.clone(), a.query.with(updates)));
        self.navigate(&format!("{path}{}", query.to_search()), replace);
    }

    /// The current page and query, shown in `context` instead.
    pub fn in_context(&self, context: &str) -> String {
        self.address.with_untracked(|a| {
            let rest = split_context(&a.path).1;
            let rest = if rest.is_empty() { "/" } else { rest };
            format!("/c/{}{rest}{}", encode(context), a.query.to_search())
        })
    }

    fn sync(&self) {
        let now = Address::current();
        if self.address.with_untracked(|a| *a != now) {
            self.address.set(now);
        }
    }
}

/// The app's [`Location`].
pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// The target of a plain left click on a link within the app, or `None` for anything the
/// browser should handle itself (new tab, download, other origin, API reads).
fn in_app_link(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let anchor = target.closest("a[href]").ok()??;
    if anchor.has_attribute("download") || anchor.has_attribute("target") {
        return None;
    }
    let href = anchor.get_attribute("href")?;
    let in_app = href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/api/");
    in_app.then_some(href)
}

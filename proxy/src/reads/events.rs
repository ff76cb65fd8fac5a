//! Events about one object: the query the events endpoint takes and the rows it returns.

use std::cmp::Reverse;

use k8s_openapi::api::core::v1::Event;
use ktop_web_shared::detail::EventRow;
use kube::api::ListParams;
use serde::Deserialize;

use super::{ReadError, check_scope};
use crate::security::names;

/// Most events returned per object; the newest are what a drill-down needs.
pub const MAX_EVENTS: usize = 100;

/// Most events read about one object, across pages. The API server lists events in storage
/// order, not by time, so finding the newest means reading them all; an object in an event
/// storm can have tens of thousands, and this caps what one view costs the API server and
/// us. Past it, the newest of those read are shown.
pub const MAX_EVENTS_READ: usize = 5_000;

/// Events asked for per page.
const PAGE_SIZE: usize = 500;

/// Which kinds of object events can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EventKind {
    /// A pod (events in the pod's namespace).
    Pod,
    /// A node (events in `default`).
    Node,
}

impl EventKind {
    /// The kind as `involvedObject.kind` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pod => "Pod",
            EventKind::Node => "Node",
        }
    }
}

/// `?kind=Pod&name=web-0`; anything else is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventQuery {
    /// The object's kind.
    pub kind: EventKind,
    /// The object's name.
    pub name: String,
}

impl EventQuery {
    /// `involvedObject.kind=…,involvedObject.name=…`, from a validated name.
    pub fn field_selector(&self) -> Result<String, ReadError> {
        let kind = self.kind.as_str();
        let name = names::subdomain("name", &self.name)?;
        Ok(format!(
            "involvedObject.kind={kind},involvedObject.name={name}"
        ))
    }
}

/// An events read whose names and namespace have been checked.
#[derive(Debug)]
pub struct EventRequest {
    pub(super) namespace: String,
    /// The first page's parameters.
    pub(super) params: ListParams,
}

impl EventRequest {
    /// Events `query` asks for in `namespace`; nothing here reaches the network. A ktop-web
    /// serving only `scope` reads events in `scope` only, node events included: its user
    /// expects nothing read outside their namespace. Node events are kept in `default`, so
    /// with any other scope a node's events are refused with a message saying so, rather
    /// than shown as none.
    pub fn new(
        scope: Option<&str>,
        namespace: &str,
        query: &EventQuery,
    ) -> Result<Self, ReadError> {
        names::label("namespace", namespace)?;
        let selector = query.field_selector()?;
        check_scope(scope, namespace).map_err(|e| match query.kind {
            EventKind::Node => ReadError::NotFound(format!("node events are not shown: {e}")),
            EventKind::Pod => e,
        })?;
        Ok(Self {
            namespace: namespace.to_owned(),
            params: first_page(&selector),
        })
    }
}

/// The first page of the events matching `selector`.
fn first_page(selector: &str) -> ListParams {
    page(ListParams::default().fields(selector), 0)
}

/// The page after `params`, `read` events in, where the last page ended with
/// `continue_token`; `None` once the list is complete or [`MAX_EVENTS_READ`] were read.
pub fn next_page(
    params: ListParams,
    read: usize,
    continue_token: Option<String>,
) -> Option<ListParams> {
    let token = continue_token.filter(|t| !t.is_empty())?;
    if read >= MAX_EVENTS_READ {
        tracing::info!(
            read,
            selector = params.field_selector.as_deref().unwrap_or_default(),
            "more events than are read; showing the newest of those read"
        );
        return None;
    }
    Some(page(params.continue_token(&token), read))
}

/// `params` asking for no more than is left to read.
fn page(params: ListParams, read: usize) -> ListParams {
    let left = MAX_EVENTS_READ.saturating_sub(read).min(PAGE_SIZE);
    // At most PAGE_SIZE, so the conversion cannot fail.
    params.limit(u32::try_from(left).unwrap_or(u32::MAX))
}

/// `kept` and the rows of `page`, newest first, the newest [`MAX_EVENTS`] only.
pub fn newest(mut kept: Vec<EventRow>, page: Vec<Event>) -> Vec<EventRow> {
    kept.extend(page.into_iter().map(event_row));
    kept.sort_by_key(|e| Reverse(e.last_ms));
    kept.truncate(MAX_EVENTS);
    kept
}

fn event_row(e: Event) -> EventRow {
    let last_ms = e
        .last_timestamp
        .map(|t| t.0)
        .or(e.event_time.map(|t| t.0))
        .or(e.first_timestamp.map(|t| t.0))
        .or(e.metadata.creation_timestamp.map(|t| t.0))
        .map(|t| t.as_millisecond());
    let source = e
        .reporting_component
        .filter(|c| !c.is_empty())
        .or(e.source.and_then(|s| s.component))
        .unwrap_or_default();
    EventRow {
        kind: e.type_.unwrap_or_else(|| "Normal".into()),
        reason: e.reason.unwrap_or_default(),
        message: e.message.unwrap_or_default(),
        count: e.count.and_then(|c| u32::try_from(c).ok()).unwrap_or(1),
        last_ms,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_from_valid_names_only() {
        let q = EventQuery {
            kind: EventKind::Pod,
            name: "web-0".into(),
        };
        assert_eq!(
            q.field_selector().expect("valid"),
            "involvedObject.kind=Pod,involvedObject.name=web-0"
        );
        for bad in ["web-0,involvedObject.kind=Secret", "a=b", "../x", ""] {
            let q = EventQuery {
                kind: EventKind::Node,
                name: bad.into(),
            };
            assert!(q.field_selector().is_err(), "{bad}");
        }
    }

    /// An event about node `n1` named `name`, last seen `minute` minutes into 2026.
    fn at(name: &str, minute: u32) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "involvedObject": {"kind": "Node", "name": "n1"},
            "reason": name,
            "lastTimestamp": format!("2026-01-01T{:02}:{:02}:00Z", minute / 60, minute % 60),
        }))
        .expect("event")
    }

    fn reasons(rows: &[EventRow]) -> Vec<&str> {
        rows.iter().map(|e| e.reason.as_str()).collect()
    }

    #[test]
    fn a_scoped_ktop_asks_for_events_in_its_namespace_only() {
        let node = EventQuery {
            kind: EventKind::Node,
            name: "n1".into(),
        };
        let pod = EventQuery {
            kind: EventKind::Pod,
            name: "web-0".into(),
        };
        let asked = |scope, ns, q| {
            EventRequest::new(scope, ns, q).map(|r| (r.namespace, r.params.field_selector))
        };
        let selector = |s: &str| Some(s.to_owned());
        let node_selector = selector("involvedObject.kind=Node,involvedObject.name=n1");
        // Unscoped: node events wherever asked (the page asks in `default`).
        assert_eq!(
            asked(None, "default", &node).expect("unscoped"),
            ("default".to_owned(), node_selector.clone())
        );
        // Scoped: in the scope, for nodes and pods alike.
        assert_eq!(
            asked(Some("shop"), "shop", &node).expect("its own namespace"),
            ("shop".to_owned(), node_selector)
        );
        assert_eq!(
            asked(Some("shop"), "shop", &pod).expect("its own namespace"),
            (
                "shop".to_owned(),
                selector("involvedObject.kind=Pod,involvedObject.name=web-0")
            )
        );
        // Anywhere else refused, saying why for node events.
        for ns in ["default", "kube-system"] {
            let err = asked(Some("shop"), ns, &node).expect_err("outside the scope");
            assert!(
                matches!(&err, ReadError::NotFound(m)
                    if m.starts_with("node events are not shown") && m.contains("\"shop\"")),
                "{err:?}"
            );
        }
        let err = asked(Some("shop"), "default", &pod).expect_err("outside the scope");
        assert!(
            matches!(&err, ReadError::NotFound(m) if !m.contains("node events")),
            "{err:?}"
        );
        // Names are checked before the scope.
        assert!(matches!(
            asked(Some("shop"), "Default", &node),
            Err(ReadError::BadRequest(_))
        ));
    }

    #[test]
    fn pages_merge_into_the_newest() {
        // Storage order is not time order: the newest can come first, last or in between.
        let first: Vec<Event> = (0..80).map(|m| at(&format!("a{m}"), m + 100)).collect();
        let second: Vec<Event> = (0..80).map(|m| at(&format!("b{m}"), m)).collect();
        let third = vec![at("newest", 1000), at("oldest", 0)];
        let kept = newest(Vec::new(), first);
        assert_eq!(kept.len(), 80);
        let kept = newest(kept, second);
        assert_eq!(kept.len(), MAX_EVENTS);
        let kept = newest(kept, third);
        let mut expected = vec!["newest".to_owned()];
        expected.extend((0..80).rev().map(|m| format!("a{m}")));
        expected.extend((61..80).rev().map(|m| format!("b{m}")));
        assert_eq!(reasons(&kept), expected);
    }

    #[test]
    fn pages_follow_the_token_up_to_the_bound() {
        let first = first_page("involvedObject.kind=Node,involvedObject.name=n1");
        assert_eq!(first.limit, Some(500));
        assert_eq!(first.continue_token, None);
        assert!(next_page(first.clone(), 500, None).is_none(), "complete");
        assert!(
            next_page(first.clone(), 500, Some(String::new())).is_none(),
            "an empty token ends the list too"
        );
        let second = next_page(first, 500, Some("t1".into())).expect("a second page");
        assert_eq!(second.continue_token.as_deref(), Some("t1"));
        assert_eq!(second.limit, Some(500));
        assert_eq!(
            second.field_selector.as_deref(),
            Some("involvedObject.kind=Node,involvedObject.name=n1")
        );
        // A short page (the API server may return fewer) leaves the bound exact.
        let last = next_page(second, MAX_EVENTS_READ - 20, Some("t9".into())).expect("last");
        assert_eq!(last.limit, Some(20));
        assert!(next_page(last, MAX_EVENTS_READ, Some("t10".into())).is_none());
    }

    #[test]
    fn rows_newest_first_with_fallback_times() {
        let event = |reason: &str, v: serde_json::Value| -> Event {
            let mut e: Event = serde_json::from_value(v).expect("event");
            e.reason = Some(reason.into());
            e
        };
        let events = newest(
            Vec::new(),
            vec![
                event(
                    "Old",
                    serde_json::json!({"metadata": {}, "involvedObject": {}, "lastTimestamp": "2026-01-01T00:00:00Z", "count": 3, "type": "Warning", "source": {"component": "kubelet"}}),
                ),
                event(
                    "New",
                    serde_json::json!({"metadata": {}, "involvedObject": {}, "eventTime": "2026-01-02T00:00:00.000000Z", "reportingComponent": "scheduler"}),
                ),
            ],
        );
        assert_eq!(reasons(&events), ["New", "Old"]);
        assert_eq!(events[1].count, 3);
        assert_eq!(events[1].kind, "Warning");
        assert_eq!(events[1].source, "kubelet");
        assert_eq!(events[0].source, "scheduler");
        assert_eq!(events[0].kind, "Normal");
    }
}

//! Events about one object: the query the events endpoint takes and the rows it returns.

use k8s_openapi::api::core::v1::Event;
use ktop_web_shared::detail::{EventList, EventRow};
use serde::Deserialize;

use super::ReadError;
use crate::security::names;

/// Most events read per object; the newest are what a drill-down needs.
pub const MAX_EVENTS: u32 = 100;

/// Which kinds of object events can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum EventKind {
    /// A pod (events in the pod's namespace).
    Pod,
    /// A node (events in `default`).
    Node,
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
        let kind = match self.kind {
            EventKind::Pod => "Pod",
            EventKind::Node => "Node",
        };
        let name = names::subdomain("name", &self.name)?;
        Ok(format!(
            "involvedObject.kind={kind},involvedObject.name={name}"
        ))
    }
}

/// Rows, newest first.
pub fn event_list(items: Vec<Event>) -> EventList {
    let mut events: Vec<EventRow> = items.into_iter().map(event_row).collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.last_ms));
    EventList { events }
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

    #[test]
    fn rows_newest_first_with_fallback_times() {
        let event = |reason: &str, v: serde_json::Value| -> Event {
            let mut e: Event = serde_json::from_value(v).expect("event");
            e.reason = Some(reason.into());
            e
        };
        let list = event_list(vec![
            event(
                "Old",
                serde_json::json!({"metadata": {}, "involvedObject": {}, "lastTimestamp": "2026-01-01T00:00:00Z", "count": 3, "type": "Warning", "source": {"component": "kubelet"}}),
            ),
            event(
                "New",
                serde_json::json!({"metadata": {}, "involvedObject": {}, "eventTime": "2026-01-02T00:00:00.000000Z", "reportingComponent": "scheduler"}),
            ),
        ]);
        let reasons: Vec<&str> = list.events.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(reasons, ["New", "Old"]);
        assert_eq!(list.events[1].count, 3);
        assert_eq!(list.events[1].kind, "Warning");
        assert_eq!(list.events[1].source, "kubelet");
        assert_eq!(list.events[0].source, "scheduler");
        assert_eq!(list.events[0].kind, "Normal");
    }
}

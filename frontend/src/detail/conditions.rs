//! The conditions of a node or pod, unhealthy ones marked.

use ktop_web_shared::detail::ConditionDetail;
use leptos::prelude::*;

use std::fmt::Write;

use crate::clock::time_of_day;
use crate::markup::escape;

/// Whether a condition is in its healthy state: pressure conditions are healthy when
/// `False`, everything else when `True`.
pub fn healthy(c: &ConditionDetail) -> bool {
    let inverted = matches!(
        c.kind.as_str(),
        "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable"
    );
    (c.status == "True") != inverted
}

/// `<tr data-condition="kind" class="ok|bad">` per condition, cells escaped.
fn rows_html(conditions: &[ConditionDetail]) -> String {
    let mut html = String::new();
    for c in conditions {
        let class = if healthy(c) { "ok" } else { "bad" };
        let kind = escape(&c.kind);
        _ = write!(
            html,
            r#"<tr data-condition="{kind}" class="{class}"><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&c.status),
            escape(c.reason.as_deref().unwrap_or_default()),
            escape(c.message.as_deref().unwrap_or_default()),
            c.since_ms.map(time_of_day).unwrap_or_default(),
        );
    }
    html
}

/// A table of conditions, written as markup and set as a whole (a reactive view per row
/// cost the wasm several times this).
#[component]
pub fn ConditionsTable(
    /// Element id.
    id: &'static str,
    /// The conditions.
    #[prop(into)]
    conditions: Signal<Vec<ConditionDetail>>,
) -> impl IntoView {
    view! {
        <table class="detail-table" id=id>
            <thead>
                <tr><th>"Condition"</th><th>"Status"</th><th>"Reason"</th><th>"Message"</th><th>"Since"</th></tr>
            </thead>
            <tbody inner_html=move || conditions.with(|c| rows_html(c))></tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(kind: &str, status: &str) -> ConditionDetail {
        ConditionDetail {
            kind: kind.into(),
            status: status.into(),
            reason: None,
            message: None,
            since_ms: None,
        }
    }

    #[test]
    fn pressure_is_healthy_when_false() {
        assert!(healthy(&c("Ready", "True")));
        assert!(!healthy(&c("Ready", "Unknown")));
        assert!(healthy(&c("MemoryPressure", "False")));
        assert!(!healthy(&c("DiskPressure", "True")));
        assert!(!healthy(&c("PodScheduled", "False")));
    }

    #[test]
    fn rows_mark_unhealthy_conditions_and_escape_text() {
        let mut pressure = c("MemoryPressure", "True");
        pressure.message = Some("<low>".into());
        let html = rows_html(&[c("Ready", "True"), pressure]);
        assert!(
            html.starts_with(
                r#"<tr data-condition="Ready" class="ok"><td>Ready</td><td>True</td>"#
            )
        );
        assert!(html.contains(r#"<tr data-condition="MemoryPressure" class="bad">"#));
        assert!(html.contains("<td>&lt;low&gt;</td>") && !html.contains("<low>"));
    }
}

//! The conditions of a node or pod, unhealthy ones marked.

use ktop_web_shared::detail::ConditionDetail;
use leptos::prelude::*;

use crate::clock::time_of_day;

/// Whether a condition is in its healthy state: pressure conditions are healthy when
/// `False`, everything else when `True`.
pub fn healthy(c: &ConditionDetail) -> bool {
    let inverted = matches!(
        c.kind.as_str(),
        "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable"
    );
    (c.status == "True") != inverted
}

/// A table of conditions.
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
            <tbody>
                {move || {
                    conditions
                        .get()
                        .into_iter()
                        .map(|c| {
                            let class = if healthy(&c) { "ok" } else { "bad" };
                            view! {
                                <tr data-condition=c.kind.clone() class=class>
                                    <td>{c.kind.clone()}</td>
                                    <td>{c.status.clone()}</td>
                                    <td>{c.reason.clone().unwrap_or_default()}</td>
                                    <td>{c.message.clone().unwrap_or_default()}</td>
                                    <td>{c.since_ms.map(time_of_day).unwrap_or_default()}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
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
}

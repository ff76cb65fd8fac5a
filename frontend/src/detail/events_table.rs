//! The events of a node or pod, newest first.

use std::fmt::Write;

use ktop_web_shared::detail::EventList;
use leptos::prelude::*;

use super::fetched::Fetched;
use crate::clock::time_of_day;
use crate::markup::escape;

/// `<tr>` per event, warnings marked `bad`, text escaped. Markup set as a whole: a reactive
/// view per row cost the wasm several times this.
fn rows_html(list: &EventList) -> String {
    let mut html = String::new();
    for e in &list.events {
        let class = if e.kind == "Warning" { "bad" } else { "" };
        _ = write!(
            html,
            r#"<tr class="{class}"><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
            e.last_ms.map(time_of_day).unwrap_or_default(),
            escape(&e.kind),
            escape(&e.reason),
            e.count,
            escape(&e.source),
            escape(&e.message),
        );
    }
    html
}

/// Events, or why there are none.
#[component]
pub fn EventsTable(
    /// The loaded events.
    events: Fetched<EventList>,
) -> impl IntoView {
    move || {
        match events.get() {
        None => view! { <p class="muted">"Loading events…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="muted" id="events-error">{e.message()}</p> }.into_any(),
        Some(Ok(list)) if list.events.is_empty() => {
            view! { <p class="muted" id="events-none">"No recent events."</p> }.into_any()
        }
        Some(Ok(list)) => view! {
            <table class="detail-table" id="events-table">
                <thead>
                    <tr><th>"Last seen"</th><th>"Type"</th><th>"Reason"</th><th>"Count"</th><th>"From"</th><th>"Message"</th></tr>
                </thead>
                <tbody inner_html=rows_html(&list)></tbody>
            </table>
        }
        .into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::detail::EventRow;

    #[test]
    fn warnings_are_marked_and_text_escaped() {
        let event = |kind: &str, message: &str| EventRow {
            kind: kind.into(),
            reason: "BackOff".into(),
            message: message.into(),
            count: 3,
            source: "kubelet".into(),
            ..EventRow::default()
        };
        let html = rows_html(&EventList {
            events: vec![event("Warning", "<restarting>"), event("Normal", "ok")],
        });
        assert_eq!(html.matches("<tr ").count(), 2);
        assert!(html.starts_with(r#"<tr class="bad"><td></td><td>Warning</td><td>BackOff</td><td class="num">3</td><td>kubelet</td><td>&lt;restarting&gt;</td></tr>"#));
        assert!(html.contains(r#"<tr class=""><td></td><td>Normal</td>"#));
    }
}

//! The events of a node or pod, newest first.

use ktop_web_shared::detail::EventList;
use leptos::prelude::*;

use super::fetched::Fetched;
use crate::clock::time_of_day;

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
                <tbody>
                    {list
                        .events
                        .into_iter()
                        .map(|e| {
                            let class = if e.kind == "Warning" { "bad" } else { "" };
                            view! {
                                <tr class=class>
                                    <td>{e.last_ms.map(time_of_day).unwrap_or_default()}</td>
                                    <td>{e.kind}</td>
                                    <td>{e.reason}</td>
                                    <td class="num">{e.count}</td>
                                    <td>{e.source}</td>
                                    <td>{e.message}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    }
    }
}

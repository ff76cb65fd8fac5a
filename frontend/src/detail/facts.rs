//! A definition list of facts about an object: `<dl class="facts">`.

use leptos::prelude::*;

/// Label and value pairs; empty values show a dash.
#[component]
pub fn Facts(
    /// Element id, for tests and links.
    id: &'static str,
    /// The facts, in order.
    #[prop(into)]
    facts: Signal<Vec<(&'static str, String)>>,
) -> impl IntoView {
    view! {
        <dl class="facts" id=id>
            {move || {
                facts
                    .get()
                    .into_iter()
                    .map(|(label, value)| {
                        let value = if value.is_empty() { "—".to_owned() } else { value };
                        view! {
                            <div class="fact" data-fact=label>
                                <dt>{label}</dt>
                                <dd>{value}</dd>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </dl>
    }
}

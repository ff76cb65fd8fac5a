//! A definition list of facts about an object: `<dl class="facts">`.
//!
//! Written as markup and set as a whole: a reactive view per fact cost the wasm several
//! times this, and the facts are few.

use std::fmt::Write;

use leptos::prelude::*;

use crate::markup::escape;

/// `<div class="fact" data-fact="label"><dt>label</dt><dd>value</dd></div>` per fact; empty
/// values show a dash.
fn facts_html(facts: &[(&'static str, String)]) -> String {
    let mut html = String::new();
    for (label, value) in facts {
        let value = if value.is_empty() { "—" } else { value };
        _ = write!(
            html,
            r#"<div class="fact" data-fact="{label}"><dt>{label}</dt><dd>{}</dd></div>"#,
            escape(value)
        );
    }
    html
}

/// Label and value pairs; empty values show a dash.
#[component]
pub fn Facts(
    /// Element id, for tests and links.
    id: &'static str,
    /// The facts, in order.
    #[prop(into)]
    facts: Signal<Vec<(&'static str, String)>>,
) -> impl IntoView {
    view! { <dl class="facts" id=id inner_html=move || facts.with(|f| facts_html(f))></dl> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_empty_ones_dashed() {
        let html = facts_html(&[("Node", "<b>".into()), ("IP", String::new())]);
        assert_eq!(
            html,
            r#"<div class="fact" data-fact="Node"><dt>Node</dt><dd>&lt;b&gt;</dd></div><div class="fact" data-fact="IP"><dt>IP</dt><dd>—</dd></div>"#
        );
    }
}

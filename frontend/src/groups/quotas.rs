//! The namespaces' ResourceQuotas under the namespaces table: each resource's used and hard
//! as the API server wrote them (what `kubectl describe quota` prints). Shown as written,
//! not parsed: a quantity parser and float formatting would cost the wasm some 4 KB.
//!
//! The rows are plain markup set as a whole: reactive rows cost the wasm several times
//! this, and the quotas are read only every 15 s.

use std::fmt::Write;
use std::time::Duration;

use ktop_web_shared::quota::QuotaList;
use leptos::prelude::*;

use crate::api_client::quotas_path;
use crate::detail::fetched::{error_message, use_fetched};
use crate::markup::escape;
use crate::state::use_app_state;

use super::query::matches;

/// How often the quotas are read again: they change only as pods come and go.
const EVERY: Duration = Duration::from_secs(15);

/// `<tr data-quota="ns/name" data-resource="…">` per resource of every quota that passes the
/// filter.
fn rows_html(list: &QuotaList, filter: &str) -> String {
    let mut html = String::new();
    for q in &list.quotas {
        if !matches(filter, &[&q.namespace, &q.name]) {
            continue;
        }
        let (ns, name) = (escape(&q.namespace), escape(&q.name));
        for r in &q.resources {
            let resource = escape(&r.resource);
            _ = write!(
                html,
                r#"<tr data-quota="{ns}/{name}" data-resource="{resource}"><td data-col="ns">{ns}</td><td data-col="quota">{name}</td><td data-col="resource">{resource}</td><td data-col="used" class="num">{}</td><td data-col="hard" class="num">{}</td></tr>"#,
                escape(r.used.as_deref().unwrap_or("")),
                escape(&r.hard),
            );
        }
    }
    html
}

/// The quotas of the namespaces that pass `filter`.
#[component]
pub fn QuotaSection(
    /// The page's text filter.
    filter: Signal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let path = Memo::new(move |_| state.context.get().map(|c| quotas_path(&c)));
    let quotas = use_fetched::<QuotaList>(path, Signal::stored(Some(EVERY)));
    let rows = move || {
        let list = quotas.loaded().unwrap_or_default();
        filter.with(|f| rows_html(&list, f))
    };
    view! {
        <section class="quotas">
            <h2>"Quotas"</h2>
            <p id="quotas-error" class="field-error">{move || error_message(quotas.answer)}</p>
            <table id="quotas-table" class="table">
                <thead>
                    <tr>
                        <th>"Namespace"</th>
                        <th>"Quota"</th>
                        <th>"Resource"</th>
                        <th class="num">"Used"</th>
                        <th class="num">"Hard"</th>
                    </tr>
                </thead>
                <tbody inner_html=rows></tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::quota::{Quota, QuotaResource};

    #[test]
    fn rows_follow_the_filter_and_escape_names() {
        let resource = |resource: &str, used: Option<&str>, hard: &str| QuotaResource {
            resource: resource.into(),
            used: used.map(Into::into),
            hard: hard.into(),
        };
        let list = QuotaList {
            quotas: vec![
                Quota {
                    namespace: "ml".into(),
                    name: "ml-quota".into(),
                    resources: vec![
                        resource("requests.cpu", Some("500m"), "8"),
                        resource("requests.nvidia.com/gpu", None, "4"),
                    ],
                },
                Quota {
                    namespace: "sandbox".into(),
                    name: "<q>".into(),
                    resources: vec![resource("pods", Some("3"), "10")],
                },
            ],
        };
        let all = rows_html(&list, "");
        assert_eq!(all.matches("<tr ").count(), 3);
        assert!(all.contains(
            r#"<tr data-quota="ml/ml-quota" data-resource="requests.cpu"><td data-col="ns">ml</td>"#
        ));
        assert!(all.contains(
            r#"<td data-col="used" class="num"></td><td data-col="hard" class="num">4</td>"#
        ));
        assert!(all.contains("&lt;q&gt;") && !all.contains("<q>"));
        let ml = rows_html(&list, "ML");
        assert_eq!(ml.matches("<tr ").count(), 2);
    }
}

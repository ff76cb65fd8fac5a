//! `/pods/:ns/:name/:container`: the container's spec summary and its log.

use leptos::prelude::*;

use super::facts::Facts;
use super::fetched::{DETAIL_REFRESH, use_fetched};
use super::logs_view::LogsView;
use super::pod_page::{resources_text, state_text};
use ktop_web_shared::detail::PodDetail;

use crate::api_client::{fetch_json, pod_path};
use crate::route::page_route::pod_href;
use crate::state::use_app_state;

/// A container's page.
#[component]
pub fn ContainerPage(
    /// The pod's namespace.
    #[prop(into)]
    ns: Signal<String>,
    /// The pod's name.
    #[prop(into)]
    name: Signal<String>,
    /// The container's name.
    #[prop(into)]
    container: Signal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let detail_at = Memo::new(move |_| {
        state
            .context
            .get()
            .map(|c| pod_path(&c, &ns.get(), &name.get()))
    });
    let every = Signal::stored(Some(DETAIL_REFRESH));
    let detail = use_fetched::<PodDetail>(detail_at, fetch_json, every);
    let spec = move || {
        let wanted = container.get();
        detail.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|d| d.containers.iter().find(|c| c.name == wanted).cloned())
        })
    };
    let facts = Signal::derive(move || {
        let c = spec();
        let get = |f: fn(&ktop_web_shared::detail::ContainerDetail) -> String| {
            c.as_ref().map(f).unwrap_or_default()
        };
        vec![
            ("Image", get(|c| c.image.clone())),
            ("State", get(|c| state_text(&c.state))),
            (
                "Ready",
                get(|c| if c.ready { "yes".into() } else { "no".into() }),
            ),
            ("Restarts", get(|c| c.restarts.to_string())),
            (
                "Last termination",
                get(|c| c.last_termination.clone().unwrap_or_default()),
            ),
            (
                "Requests (CPU / memory)",
                get(|c| resources_text(c.requests)),
            ),
            ("Limits (CPU / memory)", get(|c| resources_text(c.limits))),
            ("Ports", get(|c| c.ports.join(", "))),
            ("Probes", get(|c| c.probes.join("; "))),
        ]
    });
    let pod_href = move || {
        state
            .context
            .with(|c| pod_href(c.as_deref(), &ns.get(), &name.get()))
    };

    view! {
        <section class="page detail-page" id="container-detail" data-container=container>
            <div class="toolbar">
                <a href=pod_href class="back" id="pod-link">{name}</a>
                <h1>{container}</h1>
            </div>
            <Facts id="container-facts" facts=facts />
            <LogsView context=state.context ns=ns pod=name container=container />
        </section>
    }
}

//! `/pods/:ns/:name/:container`: the container's spec summary and its log.

use leptos::prelude::*;

use super::facts::Facts;
use super::fetched::{DETAIL_REFRESH, use_fetched};
use super::logs_view::LogsView;
use super::pod_page::{resources_text, state_text};
use super::usage_chart::{POD_LINES, UsageChart};
use ktop_web_shared::detail::PodDetail;

use crate::api_client::pod_path;
use crate::overview::resource::Resource;
use crate::range::fetch::{RangeHistory, Subject};
use crate::range::picker::RangeBar;
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
    let detail = use_fetched::<PodDetail>(detail_at, every);
    let spec = move || {
        let wanted = container.get();
        detail
            .loaded()
            .and_then(|d| d.containers.into_iter().find(|c| c.name == wanted))
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
    // The ring buffers follow pods, not containers: this page charts only a range, and
    // hides its charts while live.
    let range = RangeHistory::new(Subject {
        namespace: Some(ns),
        pod: Some(name),
        container: Some(container),
        ..Subject::default()
    });
    let chart = move |resource: Resource| {
        let references = Signal::derive(move || {
            spec()
                .map(|c| vec![resource.pick_set(c.requests), resource.pick_set(c.limits)])
                .unwrap_or_default()
        });
        view! {
            <UsageChart resource=resource styles=&POD_LINES usage=Vec::new() references=references times=Vec::new() slots=0 range=range />
        }
    };
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
            <RangeBar history=range />
            <Facts id="container-facts" facts=facts />
            <div class="charts" prop:hidden=move || range.range().seconds().is_none()>
                {chart(Resource::Cpu)} {chart(Resource::Memory)}
            </div>
            <LogsView context=state.context ns=ns pod=name container=container />
        </section>
    }
}

//! The app root: state, polling and the page the address bar names.

use leptos::prelude::*;

use crate::charts::chart_heading::selected_metric;
use crate::detail::container_page::ContainerPage;
use crate::detail::node_page::NodeDetailPage;
use crate::detail::pod_page::PodDetailPage;
use crate::embed::is_embed;
use crate::groups::page::GroupsPage;
use crate::keyboard;
use crate::layout::access_banner::AccessBanner;
use crate::layout::banners::{ErrorBanner, FallbackBanner, StaleBanner};
use crate::layout::header::Header;
use crate::nodes::page::NodesPage;
use crate::overview::page::OverviewPage;
use crate::pods::page::PodsPage;
use crate::poller;
use crate::route::location::Location;
use crate::route::page_route::PageRoute;
use crate::state::AppState;
use crate::threshold;

/// The whole app: `/` overview, `/nodes`, `/pods`, and the drill-down pages
/// `/nodes/:name`, `/pods/:ns/:name`, `/pods/:ns/:name/:container`.
#[component]
pub fn App() -> impl IntoView {
    let location = Location::start();
    let state = AppState::new(location.query);
    provide_context(state);
    threshold::follow(location.query);
    // The URL's context wins. Without one the server's current context is shown, and the
    // URL is rewritten to name it, so a copied address shows the same cluster anywhere.
    Effect::new(move |_| match location.context.get() {
        Some(context) => {
            if state
                .context
                .with_untracked(|c| c.as_ref() != Some(&context))
            {
                state.context.set(Some(context));
            }
        }
        None => {
            if let Some(context) = state.context.get() {
                location.navigate(&location.in_context(&context), true);
            }
        }
    });
    poller::start(state);
    keyboard::start();
    let page = move || match location.route.get() {
        PageRoute::Overview => view! { <OverviewPage /> }.into_any(),
        PageRoute::Nodes => view! { <NodesPage /> }.into_any(),
        PageRoute::Pods => view! { <PodsPage /> }.into_any(),
        PageRoute::Workloads => view! { <GroupsPage namespaces=false /> }.into_any(),
        PageRoute::Namespaces => view! { <GroupsPage namespaces=true /> }.into_any(),
        PageRoute::Node { name } => view! { <NodeDetailPage name=name /> }.into_any(),
        PageRoute::Pod { ns, name } => view! { <PodDetailPage ns=ns name=name /> }.into_any(),
        PageRoute::Container {
            ns,
            name,
            container,
        } => view! { <ContainerPage ns=ns name=name container=container /> }.into_any(),
        PageRoute::Workload { ns, kind, name } => {
            let key: std::sync::Arc<str> = format!("{ns}/{kind}/{name}").into();
            view! { <PodsPage workload=key /> }.into_any()
        }
        PageRoute::NotFound => view! { <NotFound /> }.into_any(),
    };
    // An embed is one panel: no navigation bar.
    let embed = location.query.with_untracked(is_embed);
    // `?metric=cpu` shows only that metric's charts; the stylesheet hides the others.
    let metric = move || location.query.with(|q| selected_metric(q.get("metric")));
    view! {
        <div
            class="app"
            class:embed=embed
            class:usage-stale=move || state.usage_stale()
            data-taken-at=move || state.data.with(|d| d.as_ref().map(|d| d.taken_at_ms))
            data-usage-at=move || state.data.with(|d| d.as_ref().and_then(|d| d.freshness.usage_ms))
        >
            {(!embed).then(|| view! { <Header /> })}
            <StaleBanner />
            <FallbackBanner />
            <ErrorBanner />
            <AccessBanner />
            <main data-metric=metric>{page}</main>
        </div>
    }
}

/// Any other path.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="page not-found">
            <h1>"Not found"</h1>
            <p>"This page does not exist. "<a href="/">"Go to the overview"</a>"."</p>
        </section>
    }
}

//! The app root: state, polling and routes.

use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::path;

use crate::detail::container_page::ContainerPage;
use crate::detail::node_page::NodeDetailPage;
use crate::detail::pod_page::PodDetailPage;
use crate::layout::banners::{ErrorBanner, FallbackBanner};
use crate::layout::header::Header;
use crate::nodes::page::NodesPage;
use crate::overview::page::OverviewPage;
use crate::pods::page::PodsPage;
use crate::poller;
use crate::state::AppState;

/// The whole app: `/` overview, `/nodes`, `/pods`, and the drill-down pages
/// `/nodes/:name`, `/pods/:ns/:name`, `/pods/:ns/:name/:container`.
#[component]
pub fn App() -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let state = AppState::new(&search);
    provide_context(state);
    poller::start(state);
    view! {
        <Router>
            <div class="app">
                <Header />
                <FallbackBanner />
                <ErrorBanner />
                <main>
                    <FlatRoutes fallback=NotFound>
                        <Route path=path!("/") view=OverviewPage />
                        <Route path=path!("/nodes") view=NodesPage />
                        <Route path=path!("/pods") view=PodsPage />
                        <Route path=path!("/nodes/:name") view=NodeDetailPage />
                        <Route path=path!("/pods/:ns/:name") view=PodDetailPage />
                        <Route path=path!("/pods/:ns/:name/:container") view=ContainerPage />
                    </FlatRoutes>
                </main>
            </div>
        </Router>
    }
}

/// Any other path.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="page not-found">
            <h1>"Not found"</h1>
            <p>"This page does not exist. "<A href="/">"Go to the overview"</A>"."</p>
        </section>
    }
}

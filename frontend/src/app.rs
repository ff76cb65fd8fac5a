//! The app root: state, polling and routes.

use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::path;

use crate::layout::banners::{ErrorBanner, FallbackBanner};
use crate::layout::header::Header;
use crate::nodes::page::NodesPage;
use crate::overview::page::OverviewPage;
use crate::pods::page::PodsPage;
use crate::poller;
use crate::state::AppState;

/// The whole app: `/` overview, `/nodes`, `/pods`.
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

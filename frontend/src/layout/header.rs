//! The bar on top of every view.

use leptos::prelude::*;

use crate::clock::{iso, time_of_day};
use crate::route::location::use_location;
use crate::route::page_route::{PageRoute, Section};
use crate::state::use_app_state;

use super::context_picker::ContextPicker;
use super::source_badge::SourceBadge;
use super::theme_switch::ThemeSwitch;
use super::view_settings::ViewSettings;

/// App name, navigation, context, source, DEMO badge and the time of the last sample.
#[component]
pub fn Header() -> impl IntoView {
    let state = use_app_state();
    // Closures rather than memos: each memo is code of its own in the wasm, and the views
    // write to the page only what changed anyway.
    let demo = move || {
        state
            .data
            .with(|d| d.as_ref().is_some_and(|d| d.cluster.demo))
    };
    let last_sample = move || {
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.source.last_sample_ms))
    };
    let stale = move || state.usage_stale() || state.error.with(Option::is_some);
    let location = use_location();
    let href = move |page: PageRoute| move || page.href_in(state.context.get().as_deref());
    let current = move |section: Section| {
        move || (location.route.with(|r| r.section()) == section).then_some("page")
    };
    view! {
        <header class="top-bar">
            <a class="app-name" href=href(PageRoute::Overview)>"ktop-web"</a>
            <nav>
                <a href=href(PageRoute::Overview) aria-current=current(Section::Overview)>"Overview"</a>
                <a href=href(PageRoute::Nodes) aria-current=current(Section::Nodes)>"Nodes"</a>
                <a href=href(PageRoute::Workloads) aria-current=current(Section::Workloads)>"Workloads"</a>
                <a href=href(PageRoute::Namespaces) aria-current=current(Section::Namespaces)>"Namespaces"</a>
                <a href=href(PageRoute::Pods) aria-current=current(Section::Pods)>"Pods"</a>
            </nav>
            {move || {
                demo()
                    .then(|| {
                        view! {
                            <span class="badge demo-badge" title="Simulated cluster (--demo)">
                                "DEMO"
                            </span>
                        }
                    })
            }}
            <span class="spacer"></span>
            <ContextPicker />
            <SourceBadge />
            <ViewSettings />
            <ThemeSwitch />
            <span class="last-sample" class:stale=stale title="Time of the newest usage sample">
                "sample "
                <time
                    id="last-sample"
                    datetime=move || last_sample().map(iso)
                    data-value=move || last_sample().map(|ms| ms.to_string())
                >
                    {move || last_sample().map_or_else(|| "—".to_owned(), time_of_day)}
                </time>
            </span>
        </header>
    }
}

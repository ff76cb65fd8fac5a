//! The kubeconfig context being shown, switchable when the server serves several.

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::select_options::select_options;
use crate::state::use_app_state;

/// `#context`: the context name, or a picker when there is a choice.
#[component]
pub fn ContextPicker() -> impl IntoView {
    let state = use_app_state();
    // Not a memo: the list is set once, and a memo type costs more wasm than this costs.
    let choices = move || {
        state
            .contexts
            .with(|c| c.as_ref().map(|c| c.contexts.clone()).unwrap_or_default())
    };
    let current = Signal::derive(move || state.context.get().unwrap_or_default());
    let location = use_location();
    view! {
        <Show
            when=move || state.contexts.with(|c| c.as_ref().is_some_and(|c| c.contexts.len() > 1))
            fallback=move || {
                view! {
                    <span id="context" class="context" title="Kubeconfig context">
                        {current}
                    </span>
                }
            }
        >
            <select
                id="context"
                class="context"
                title="Kubeconfig context"
                prop:value=current
                on:change=move |ev| {
                    location.navigate(&location.in_context(&event_target_value(&ev)), false)
                }
            >
                {move || select_options(choices(), current)}
            </select>
        </Show>
    }
}

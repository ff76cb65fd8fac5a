//! Light, dark, or the system's choice: a header button that cycles through them and is
//! remembered in local storage. The stylesheet does the rest (`data-theme` on `<html>`).

use leptos::prelude::*;

use crate::local_storage;

const KEY: &str = "ktop-web.theme";

/// `system`, `light` or `dark`, in the order the button cycles.
const THEMES: [&str; 3] = ["system", "light", "dark"];

fn apply(theme: &str) {
    if let Some(root) = document().document_element() {
        _ = match theme {
            "light" | "dark" => root.set_attribute("data-theme", theme),
            _ => root.remove_attribute("data-theme"),
        };
    }
}

/// `#theme`: shows the current choice; a click moves to the next.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let saved = local_storage::get(KEY)
        .and_then(|t| THEMES.iter().position(|&x| x == t))
        .unwrap_or(0);
    let index = RwSignal::new(saved);
    apply(THEMES[saved]);
    let next = move |_| {
        let i = (index.get_untracked() + 1) % THEMES.len();
        index.set(i);
        apply(THEMES[i]);
        local_storage::set(KEY, THEMES[i]);
    };
    view! {
        <button type="button" id="theme" class="theme" title="Theme: system, light or dark" on:click=next>
            {move || THEMES[index.get()]}
        </button>
    }
}

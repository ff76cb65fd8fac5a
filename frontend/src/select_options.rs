//! The `<option>` list of a picker, shared by every `<select>` so they share code too.

use leptos::prelude::*;

/// One `<option>` per choice, the one equal to `selected` marked selected.
pub fn select_options(choices: Vec<String>, selected: Signal<String>) -> impl IntoView {
    choices
        .into_iter()
        .map(|choice| {
            let value = choice.clone();
            let compared = choice.clone();
            let is_selected = Signal::derive(move || selected.with(|s| *s == compared));
            view! {
                <option value=value prop:selected=is_selected>
                    {choice}
                </option>
            }
        })
        .collect_view()
}

//! The view's settings that are not a table's own: threshold colours and how much history
//! the charts keep. Each change is a history step in the URL, like sorting.

use leptos::prelude::*;

use crate::route::location::use_location;
use crate::state::use_app_state;
use crate::threshold::{self, MAX_PERCENT, Thresholds};

/// History lengths offered, in samples.
const HISTORY_CHOICES: [usize; 5] = [60, 120, 300, 600, 1800];

/// `#view-settings`: a fold-out with the warning and critical percentages and the history
/// length.
#[component]
pub fn ViewSettings() -> impl IntoView {
    let location = use_location();
    let state = use_app_state();
    // A number out of range or crossing the other threshold is refused (false), and the
    // field shows the threshold in use again. An empty field is left alone: it is being
    // edited.
    let set_threshold = Callback::new(move |(warning, value): (bool, String)| {
        let Ok(value) = value.trim().parse::<u16>() else {
            return true;
        };
        let mut t = threshold::current();
        if warning {
            t.warning = value;
        } else {
            t.critical = value;
        }
        let accepted = (1..=MAX_PERCENT).contains(&value) && t.warning <= t.critical;
        if accepted {
            location.push_query(&t.query_values());
        }
        accepted
    });
    let history = move || state.history.with(|h| h.capacity());
    view! {
        <details id="view-settings" class="view-settings">
            <summary title="Threshold colours and history length">"View"</summary>
            <div class="settings-list">
            <PercentInput id="warn-percent" label="Warning at " warning=true set=set_threshold />
            <PercentInput id="crit-percent" label="Critical at " warning=false set=set_threshold />
            <label>
                "History "
                <select
                    id="history-samples"
                    prop:value=move || history().to_string()
                    on:change=move |ev| {
                        location.push_query(&[("history", Some(event_target_value(&ev)))]);
                    }
                >
                    // The choices, plus a length from the URL or the server that is not one.
                    {move || {
                        let current = history();
                        let mut lengths = HISTORY_CHOICES.to_vec();
                        if !lengths.contains(&current) {
                            lengths.push(current);
                            lengths.sort_unstable();
                        }
                        lengths
                            .into_iter()
                            .map(|n| view! { <option value=n.to_string()>{format!("{n} samples")}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <button
                type="button"
                on:click=move |_| {
                    let mut reset = Thresholds::default().query_values().to_vec();
                    reset.push(("history", None));
                    let changed = location
                        .query
                        .with_untracked(|q| reset.iter().any(|(key, _)| q.get(key).is_some()));
                    if changed {
                        location.push_query(&reset);
                    }
                }
            >
                "Defaults"
            </button>
            </div>
        </details>
    }
}

/// One threshold's number field, showing the threshold in use.
#[component]
fn PercentInput(
    id: &'static str,
    label: &'static str,
    /// The warning threshold, or else the critical one.
    warning: bool,
    /// Called with `(warning, text)` when the field is committed; false when the number is
    /// refused.
    set: Callback<(bool, String), bool>,
) -> impl IntoView {
    let shown = move || {
        let t = threshold::current();
        if warning { t.warning } else { t.critical }
    };
    view! {
        <label>
            {label}
            <input
                id=id
                type="number"
                min="1"
                max=MAX_PERCENT
                prop:value=shown
                on:change=move |ev| {
                    if !set.run((warning, event_target_value(&ev))) {
                        event_target::<web_sys::HtmlInputElement>(&ev)
                            .set_value(&shown().to_string());
                    }
                }
            />
            " %"
        </label>
    }
}

//! The pods view: `/pods?ns=shop&q=cart&sort=cpu&dir=desc`.

use std::sync::Arc;
use std::time::Duration;

use ktop_web_shared::api::SelectedPods;
use leptos::prelude::*;

use crate::api_client::selected_pods_path;
use crate::detail::fetched::{error_message, use_fetched};
use crate::fast_hash::FastSet;
use crate::groups::workload_page::WorkloadSummary;
use crate::poller::refresh_interval;
use crate::route::location::use_location;
use crate::select_options::select_options;
use crate::state::use_app_state;
use crate::table::sort::natural_cmp;
use crate::table::table_page::{FilterField, TablePage, count_text};

use super::query::{PodScope, PodsQuery};
use super::table_row::POD_ROWS;

/// Every pod in scope with usage against requests and limits; filter by namespace and text,
/// sort on every column. With `workload` (`namespace/Kind/name`), that workload's page: its
/// pods summed above the table of its pods.
#[component]
pub fn PodsPage(
    /// Only this workload's pods.
    #[prop(optional)]
    workload: Option<Arc<str>>,
) -> impl IntoView {
    // A workload's page is titled `Kind name`.
    let title = match &workload {
        Some(key) => key
            .split_once('/')
            .map_or_else(String::new, |(_, rest)| rest.replacen('/', " ", 1)),
        None => "Pods".to_owned(),
    };
    let summary = workload
        .clone()
        .map(|key| view! { <WorkloadSummary key=key /> });
    let state = use_app_state();
    let location = use_location();
    // Not a memo: parsing the query again costs less than a memo type in the wasm.
    let query = move || location.query.with(PodsQuery::from_query);
    // Picking a namespace or labels adds a back step (typing a filter does not).
    let push_query = move |q: PodsQuery| location.push_query(&q.to_params());

    // The server matches the label selector against the labels it watches (the snapshot
    // carries none): its answer is read again with every refresh, and kept only while it
    // answers the selector on screen.
    let selector = Memo::new(move |_| query().labels);
    let selection_path = Memo::new(move |_| {
        let context = state.context.get()?;
        selector.with(|s| s.as_deref().map(|s| selected_pods_path(&context, s)))
    });
    // Not a memo (a type of its own in the wasm): each snapshot then starts the next read at
    // once, which is when a selection can have changed.
    let every = Signal::derive(move || {
        state.data.with(|d| {
            d.as_ref()
                .map(|d| Duration::from_millis(refresh_interval(d.cluster.refresh_ms)))
        })
    });
    let selection = use_fetched::<SelectedPods>(selection_path, every);
    let selected = Memo::new(move |_| match selection.get() {
        Some(Ok(answer)) if selector.with(|s| s.as_deref() == Some(&answer.selector)) => {
            Some(Arc::new(answer.pods.into_iter().collect::<FastSet<_>>()))
        }
        _ => None,
    });
    let selection_error = move || {
        selector
            .with(Option::is_some)
            .then(|| error_message(selection.answer))
    };
    let scope_key = workload.clone();
    let order = Memo::new(move |_| {
        let selected = selected.get();
        let q = query();
        state.data.with(|d| {
            let scope = workload
                .as_deref()
                .map_or(PodScope::All, PodScope::Workload);
            let rows = d
                .as_ref()
                .map(|d| q.apply(&d.pods, selected.as_deref(), scope));
            Arc::new(rows.unwrap_or_default())
        })
    });
    // The namespaces in the data, plus the one in the URL so the picker can show it even
    // before (or after) it has pods. A memo, so the options are rebuilt only when the list
    // changes; held one per line (names have no line breaks), as a memo of a `String` is a
    // type the wasm has anyway.
    let namespaces = Memo::new(move |_| {
        let mut list = state.data.with(|d| {
            d.as_ref()
                .map(|d| d.namespaces().to_vec())
                .unwrap_or_default()
        });
        if let Some(ns) = query().ns
            && let Err(at) = list.binary_search_by(|n| natural_cmp(n, &ns))
        {
            list.insert(at, ns);
        }
        list.join("\n")
    });
    let selected_ns = Signal::derive(move || query().ns.unwrap_or_default());
    // A workload's page counts against the workload's pods, not the cluster's.
    let count = Signal::derive(move || {
        let total = state.data.with(|d| {
            d.as_deref().map_or(0, |d| match scope_key.as_deref() {
                Some(key) => d.group(key).map_or(0, |g| g.pods as usize),
                None => d.pods.len(),
            })
        });
        count_text(order.with(|o| o.len()), total, "pods")
    });
    let empty_text = Signal::derive(move || {
        if state.data.with(Option::is_none) {
            "Waiting for the first snapshot…".to_owned()
        } else if selector.with(Option::is_some) && selection.answer.with(Option::is_none) {
            "Selecting pods by label…".to_owned()
        } else {
            "No pods match.".to_owned()
        }
    });

    let tools = view! {
        <label class="field">
            <span>"Namespace"</span>
            <select
                id="namespace"
                prop:value=selected_ns
                on:change=move |ev| {
                    let ns = event_target_value(&ev);
                    let mut q = untrack(query);
                    q.ns = Some(ns).filter(|ns| !ns.is_empty());
                    push_query(q);
                }
            >
                <option value="" prop:selected=move || selected_ns.with(String::is_empty)>
                    "All namespaces"
                </option>
                {move || {
                    let list = namespaces.with(|n| n.lines().map(str::to_owned).collect());
                    select_options(list, selected_ns)
                }}
            </select>
        </label>
        <FilterField placeholder="namespace, name, node or status" />
        <label class="field">
            <span>"Labels"</span>
            <input
                id="labels"
                type="search"
                placeholder="app=cart,tier!=db"
                autocomplete="off"
                spellcheck="false"
                title="A Kubernetes label selector, as kubectl -l takes it"
                prop:value=move || selector.get().unwrap_or_default()
                on:change=move |ev| {
                    let mut q = untrack(query);
                    let labels = event_target_value(&ev);
                    q.labels = Some(labels.trim().to_owned()).filter(|l| !l.is_empty());
                    push_query(q);
                }
            />
        </label>
    }
    .into_any();
    let above = view! {
        {summary}
        {move || {
            selection_error()
                .flatten()
                .map(|message| view! { <p id="labels-error" class="field-error">{message}</p> })
        }}
    }
    .into_any();

    view! {
        <TablePage
            title=title
            name="pods"
            spec=&POD_ROWS
            order=order
            count=count
            empty_text=empty_text
            tools=tools
            above=above
        />
    }
}

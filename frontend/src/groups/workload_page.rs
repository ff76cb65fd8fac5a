//! The top of a workload's page (`/workloads/:ns/:kind/:name`): its pods summed, as facts and
//! live charts. The page below is the Pods view, scoped to the workload's pods.

use std::sync::Arc;

use leptos::prelude::*;

use crate::detail::facts::Facts;
use crate::detail::usage_chart::{POD_LINES, UsageChart};
use crate::overview::resource::Resource;
use crate::range::fetch::RangeHistory;
use crate::state::use_app_state;
use crate::store::History;
use crate::table::cell::CellValue;

/// A workload's sums: facts, and CPU and memory against its summed requests and limits.
#[component]
pub fn WorkloadSummary(
    /// `namespace/Kind/name`.
    key: Arc<str>,
) -> impl IntoView {
    let state = use_app_state();
    // Stored, so every closure below can copy it.
    let key = Signal::stored(key.to_string());
    // Not a memo: the row changes with every snapshot.
    let row = move || {
        key.with(|key| {
            state
                .data
                .with(|d| d.as_ref().and_then(|d| d.group(key).cloned()))
        })
    };
    let facts = Signal::derive(move || {
        let g = row().unwrap_or_default();
        let cpu = |nanos| CellValue::cpu(Some(nanos)).text;
        let bytes = |b| CellValue::bytes(Some(b)).text;
        vec![
            ("Kind", g.kind.clone()),
            ("Namespace", g.ns.clone()),
            ("Ready", g.ready_text()),
            ("Restarts", g.restarts.to_string()),
            ("CPU requests", cpu(g.requests.cpu)),
            ("CPU limits", cpu(g.limits.cpu)),
            ("Memory requests", bytes(g.requests.mem)),
            ("Memory limits", bytes(g.limits.mem)),
        ]
    });
    let range = RangeHistory::live_only();
    let times = Signal::derive(move || state.history.with(|h| h.times().to_vec()));
    let slots = Signal::derive(move || state.history.with(History::samples));
    let chart = move |resource: Resource| {
        let usage = Signal::derive(move || {
            key.with(|key| {
                state
                    .history
                    .with(|h| h.group(key).map(|s| resource.series(s)).unwrap_or_default())
            })
        });
        let references = Signal::derive(move || {
            row()
                .map(|g| {
                    vec![
                        Some(resource.pick(g.requests)),
                        Some(resource.pick(g.limits)),
                    ]
                })
                .unwrap_or_default()
        });
        view! {
            <UsageChart resource=resource styles=&POD_LINES usage=usage references=references times=times slots=slots range=range />
        }
    };
    view! {
        <div id="workload-summary" data-workload=key>
            <Facts id="workload-facts" facts=facts />
            <div class="charts">{chart(Resource::Cpu)} {chart(Resource::Memory)}</div>
        </div>
    }
}

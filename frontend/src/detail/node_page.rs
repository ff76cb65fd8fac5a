//! `/nodes/:name`: a node's facts, conditions, usage charts, its pods and its events.

use std::sync::Arc;

use leptos::prelude::*;

use super::conditions::ConditionsTable;
use super::events_table::EventsTable;
use super::facts::Facts;
use super::fetched::{DETAIL_REFRESH, error_message, use_fetched};
use super::throughput_charts::ThroughputCharts;
use super::usage_chart::{NODE_LINES, UsageChart};
use ktop_web_shared::detail::{EventList, NodeDetail};

use crate::api_client::{EventsOf, events_path, node_path};
use crate::overview::resource::Resource;
use crate::pods::query::{PodScope, PodsQuery};
use crate::pods::table_row::POD_ROWS;
use crate::range::fetch::{RangeHistory, Subject};
use crate::range::picker::RangeBar;
use crate::range::trends::RangeTrends;
use crate::route::location::use_location;
use crate::route::page_route::PageRoute;
use crate::state::use_app_state;
use crate::store::History;
use crate::table::virtual_table::VirtualTable;

/// A node's page.
#[component]
pub fn NodeDetailPage(
    /// The node's name.
    #[prop(into)]
    name: Signal<String>,
) -> impl IntoView {
    let state = use_app_state();
    let every = Signal::stored(Some(DETAIL_REFRESH));
    let detail_at = Memo::new(move |_| state.context.get().map(|c| node_path(&c, &name.get())));
    let events_at = Memo::new(move |_| {
        state
            .context
            .get()
            .map(|c| events_path(&c, EventsOf::Node, "", &name.get()))
    });
    let detail = use_fetched::<NodeDetail>(detail_at, every);
    let events = use_fetched::<EventList>(events_at, every);
    // Not a memo: the row changes with every snapshot (its age does), so a memo would only
    // add a type to the wasm.
    let row = move || {
        let name = name.get();
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.node(&name).cloned()))
    };
    let loaded = move || detail.loaded();

    let facts = Signal::derive(move || {
        let row = row();
        let d = loaded();
        let sys = d.as_ref().map(|d| d.system.clone()).unwrap_or_default();
        vec![
            (
                "Status",
                row.as_ref().map(|r| r.status.clone()).unwrap_or_default(),
            ),
            (
                "Roles",
                row.as_ref().map(|r| r.roles.clone()).unwrap_or_default(),
            ),
            ("Kubelet", sys.kubelet_version),
            ("OS image", sys.os_image),
            ("Kernel", sys.kernel_version),
            ("Runtime", sys.container_runtime),
            (
                "Platform",
                format!("{}/{}", sys.operating_system, sys.architecture)
                    .trim_matches('/')
                    .to_owned(),
            ),
            (
                "Addresses",
                d.as_ref()
                    .map(|d| {
                        d.addresses
                            .iter()
                            .map(|a| format!("{} {}", a.kind, a.address))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            ),
            (
                "Taints",
                d.as_ref()
                    .map(|d| {
                        d.taints
                            .iter()
                            .map(|t| match &t.value {
                                Some(v) => format!("{}={v}:{}", t.key, t.effect),
                                None => format!("{}:{}", t.key, t.effect),
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            ),
            (
                "Pods",
                row.as_ref()
                    .map(|r| format!("{}/{}", r.pods, r.pod_capacity))
                    .unwrap_or_default(),
            ),
        ]
    });
    let conditions = Signal::derive(move || loaded().map(|d| d.conditions).unwrap_or_default());
    let error = move || error_message(detail.answer);

    let range = RangeHistory::new(Subject {
        node: Some(name),
        ..Subject::default()
    });
    RangeTrends::provide(Subject {
        node: Some(name),
        ..Subject::default()
    });
    let times = Signal::derive(move || state.history.with(|h| h.times().to_vec()));
    let slots = Signal::derive(move || state.history.with(History::samples));
    let chart = move |resource: Resource| {
        let usage = Signal::derive(move || {
            let name = name.get();
            state.history.with(|h| {
                h.node(&name)
                    .map(|s| resource.series(s))
                    .unwrap_or_default()
            })
        });
        let references = Signal::derive(move || {
            row()
                .map(|r| {
                    vec![
                        Some(resource.pick(r.requests)),
                        Some(resource.pick(r.limits)),
                        Some(resource.pick(r.allocatable)),
                    ]
                })
                .unwrap_or_default()
        });
        view! {
            <UsageChart resource=resource styles=&NODE_LINES usage=usage references=references times=times slots=slots range=range />
        }
    };

    // The node's pods, in the Pods view's table, sorted by the same URL parameters.
    let location = use_location();
    // The label selector belongs to the pods view; a node shows every pod on it.
    // Not a memo: parsing the query again costs less than a memo type in the wasm.
    let pods_query = move || PodsQuery {
        labels: None,
        ..location.query.with(PodsQuery::from_query)
    };
    let order = Memo::new(move |_| {
        let name = name.get();
        let q = pods_query();
        state.data.with(|d| {
            let rows = d
                .as_ref()
                .map(|d| q.apply(&d.pods, None, PodScope::Node(&name)));
            Arc::new(rows.unwrap_or_default())
        })
    });
    let empty_text = Signal::derive(|| "No pods on this node.".to_owned());

    view! {
        <section class="page detail-page" id="node-detail" data-node=name>
            <div class="toolbar">
                <a href=move || PageRoute::Nodes.href_in(state.context.get().as_deref()) class="back">"Nodes"</a>
                <h1>{name}</h1>
            </div>
            <RangeBar history=range />
            {move || error().map(|e| view! { <p class="banner banner-error" id="detail-error">{e}</p> })}
            <Facts id="node-facts" facts=facts />
            <div class="charts">
                {chart(Resource::Cpu)} {chart(Resource::Memory)}
                <ThroughputCharts key=name find=History::node_io range=range />
            </div>
            <h2>"Conditions"</h2>
            <ConditionsTable id="node-conditions" conditions=conditions />
            <h2>"Pods"</h2>
            <VirtualTable id="pods-table" spec=&POD_ROWS order=order empty_text=empty_text />
            <h2>"Events"</h2>
            <EventsTable events=events />
        </section>
    }
}

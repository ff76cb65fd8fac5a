//! `/pods/:ns/:name`: a pod's facts, conditions, containers with their own usage charts, and
//! its events.

use std::collections::BTreeMap;

use ktop_web_shared::RingBuffer;
use ktop_web_shared::api::Resources;
use ktop_web_shared::detail::{
    ContainerDetail, ContainerPhase, ContainerState, EventList, PodDetail,
};
use ktop_web_shared::format::{format_age, format_bytes, format_cpu};
use leptos::prelude::*;

use super::conditions::ConditionsTable;
use super::events_table::EventsTable;
use super::facts::Facts;
use super::fetched::{DETAIL_REFRESH, error_message, use_fetched};
use super::throughput_charts::ThroughputCharts;
use super::usage_chart::{POD_LINES, UsageChart};
use crate::api_client::{EventsOf, events_path, pod_path};
use crate::markup::escape;
use crate::overview::resource::Resource;
use crate::range::fetch::{RangeHistory, Subject};
use crate::range::picker::RangeBar;
use crate::route::page_route::{PageRoute, node_href};
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History};

/// A container's state in a few words.
pub fn state_text(state: &ContainerState) -> String {
    let reason = state.reason.clone();
    match state.phase {
        ContainerPhase::Running => "Running".to_owned(),
        ContainerPhase::Waiting => reason.unwrap_or_else(|| "Waiting".into()),
        ContainerPhase::Terminated => format!(
            "{} (exit {})",
            reason.as_deref().unwrap_or("Terminated"),
            state.exit_code.unwrap_or_default()
        ),
        ContainerPhase::Unknown => "Unknown".to_owned(),
    }
}

/// `100m / 256Mi`, with dashes for unset resources.
pub fn resources_text(r: Resources) -> String {
    format!(
        "{} / {}",
        r.cpu.map_or_else(|| "—".to_owned(), format_cpu),
        r.mem.map_or_else(|| "—".to_owned(), format_bytes)
    )
}

/// Per-container history, kept while the page is open.
#[derive(Debug, Clone, PartialEq)]
struct ContainerHistory {
    times: RingBuffer<i64>,
    series: BTreeMap<String, CpuMemSeries>,
}

/// A pod's page.
#[component]
pub fn PodDetailPage(
    /// The pod's namespace.
    #[prop(into)]
    ns: Signal<String>,
    /// The pod's name.
    #[prop(into)]
    name: Signal<String>,
) -> impl IntoView {
    let state = use_app_state();
    // Not a memo: a memo of a String would be a type of its own in the wasm.
    let pod_key = Signal::derive(move || format!("{}/{}", ns.get(), name.get()));
    let every = Signal::stored(Some(DETAIL_REFRESH));
    let detail_at = Memo::new(move |_| {
        state
            .context
            .get()
            .map(|c| pod_path(&c, &ns.get(), &name.get()))
    });
    let events_at = Memo::new(move |_| {
        state
            .context
            .get()
            .map(|c| events_path(&c, EventsOf::Pod, &ns.get(), &name.get()))
    });
    let detail = use_fetched::<PodDetail>(detail_at, every);
    let events = use_fetched::<EventList>(events_at, every);
    // Not a memo: the row changes with every snapshot (its age does), so a memo would only
    // add a type to the wasm.
    let row = move || {
        let key = pod_key.get();
        state
            .data
            .with(|d| d.as_ref().and_then(|d| d.pod(&key).cloned()))
    };
    let loaded = move || detail.loaded();
    let error = move || error_message(detail.answer);

    // Container usage over the time this page is open, one point per snapshot.
    let capacity = state.history.with_untracked(|h| h.capacity());
    let history = RwSignal::new(ContainerHistory {
        times: RingBuffer::new(capacity),
        series: BTreeMap::new(),
    });
    Effect::new(move |last: Option<Option<i64>>| {
        let taken = state.data.with(|d| d.as_ref().map(|d| d.taken_at_ms));
        if let Some(taken) = taken
            && last.flatten() != Some(taken)
            && let Some(row) = row()
        {
            history.update(|h| {
                h.times.push(taken);
                for c in row.containers() {
                    h.series
                        .entry(c.name)
                        .or_insert_with(|| CpuMemSeries::new(capacity))
                        .push(c.usage);
                }
            });
        }
        taken
    });

    let facts = Signal::derive(move || {
        let row = row();
        let d = loaded();
        vec![
            (
                "Status",
                row.as_ref().map(|r| r.status.clone()).unwrap_or_default(),
            ),
            ("Namespace", ns.get()),
            (
                "Node",
                row.as_ref()
                    .and_then(|r| r.node.clone())
                    .unwrap_or_default(),
            ),
            (
                "Owner",
                d.as_ref()
                    .and_then(|d| d.owner.clone())
                    .map(|o| format!("{} {}", o.kind, o.name))
                    .unwrap_or_default(),
            ),
            (
                "Pod IP",
                d.as_ref()
                    .and_then(|d| d.pod_ip.clone())
                    .unwrap_or_default(),
            ),
            (
                "QoS",
                d.as_ref()
                    .and_then(|d| d.qos_class.clone())
                    .unwrap_or_default(),
            ),
            (
                "Restarts",
                row.as_ref()
                    .map(|r| r.restarts.to_string())
                    .unwrap_or_default(),
            ),
            (
                "Age",
                row.as_ref()
                    .map(|r| format_age(r.age_s))
                    .unwrap_or_default(),
            ),
            (
                "Requests (CPU / memory)",
                row.as_ref()
                    .map(|r| resources_text(r.requests))
                    .unwrap_or_default(),
            ),
            (
                "Limits (CPU / memory)",
                row.as_ref()
                    .map(|r| resources_text(r.limits))
                    .unwrap_or_default(),
            ),
        ]
    });
    let node_link = move || {
        row().and_then(|r| r.node.clone()).map(|n| {
            view! { <p class="links">"On node "<a id="node-link" href=state.context.with(|c| node_href(c.as_deref(), &n))>{n.clone()}</a></p> }
        })
    };
    let conditions = Signal::derive(move || loaded().map(|d| d.conditions).unwrap_or_default());
    let containers = move || loaded().map(|d| d.containers).unwrap_or_default();
    let usage_of = move |container: &str| {
        row().and_then(|r| {
            r.containers()
                .into_iter()
                .find(|c| c.name == container)
                .and_then(|c| c.usage)
        })
    };
    let container_row = move |c: ContainerDetail| {
        let href = PageRoute::Container {
            ns: ns.get_untracked(),
            name: name.get_untracked(),
            container: c.name.clone(),
        }
        .href_in(state.context.get_untracked().as_deref());
        let usage = usage_of(&c.name);
        let dash = || "—".to_owned();
        let name = escape(&c.name);
        format!(
            r#"<tr data-container="{name}"><td><a href="{}">{name}</a>{}</td><td class="image" title="{image}">{image}</td><td>{}</td><td>{}</td><td class="num">{}</td><td class="num" data-col="cpu">{}</td><td class="num" data-col="mem">{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&href),
            if c.init { " (init)" } else { "" },
            escape(&state_text(&c.state)),
            if c.ready { "yes" } else { "no" },
            c.restarts,
            usage.map_or_else(dash, |u| format_cpu(u.cpu)),
            usage.map_or_else(dash, |u| format_bytes(u.mem)),
            escape(&resources_text(c.requests)),
            escape(&resources_text(c.limits)),
            image = escape(&c.image),
        )
    };
    // Markup set as a whole: a reactive view per row cost the wasm several times this.
    let container_rows = move || {
        containers()
            .into_iter()
            .map(container_row)
            .collect::<String>()
    };
    let range = RangeHistory::new(Subject {
        namespace: Some(ns),
        pod: Some(name),
        ..Subject::default()
    });
    let times = Signal::derive(move || history.with(|h| h.times.to_vec()));
    let slots = Signal::derive(move || history.with(|h| h.times.len()));
    // Rebuilt when the containers change, not with every read of the details: each
    // container's chart keeps its range request running.
    let container_names = Memo::new(move |_| {
        loaded()
            .map(|d| {
                d.containers
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default()
    });
    let container_charts = move || {
        // Read, not only tracked: a memo nobody reads is never computed.
        container_names.with(|_| ());
        untrack(loaded)
            .map(|d| d.containers)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| !c.init)
            .map(|c| {
                // Each container's range is its own request.
                let range = RangeHistory::new(Subject {
                    namespace: Some(ns),
                    pod: Some(name),
                    container: Some(Signal::stored(c.name.clone())),
                    ..Subject::default()
                });
                let chart = move |resource: Resource, c: &ContainerDetail| {
                    let container = c.name.clone();
                    let usage = Signal::derive(move || {
                        history.with(|h| h.series.get(&container).map(|s| resource.series(s)).unwrap_or_default())
                    });
                    let refs = vec![resource.pick_set(c.requests), resource.pick_set(c.limits)];
                    view! {
                        <UsageChart resource=resource styles=&POD_LINES usage=usage references=Signal::derive(move || refs.clone()) times=times slots=slots range=range />
                    }
                };
                view! {
                    <div class="container-charts" data-container=c.name.clone()>
                        <h3>{c.name.clone()}</h3>
                        <div class="charts">{chart(Resource::Cpu, &c)} {chart(Resource::Memory, &c)}</div>
                    </div>
                }
            })
            .collect_view()
    };

    view! {
        <section class="page detail-page" id="pod-detail" data-pod=pod_key>
            <div class="toolbar">
                <a href=move || PageRoute::Pods.href_in(state.context.get().as_deref()) class="back">"Pods"</a>
                <h1>{name}</h1>
            </div>
            <RangeBar history=range />
            {move || error().map(|e| view! { <p class="banner banner-error" id="detail-error">{e}</p> })}
            <Facts id="pod-facts" facts=facts />
            {node_link}
            <div class="charts">
                <ThroughputCharts key=pod_key find=History::pod_io range=range />
            </div>
            <h2>"Containers"</h2>
            <table class="detail-table" id="containers-table">
                <thead>
                    <tr>
                        <th>"Name"</th><th>"Image"</th><th>"State"</th><th>"Ready"</th><th>"Restarts"</th>
                        <th>"CPU"</th><th>"Memory"</th><th>"Requests"</th><th>"Limits"</th>
                    </tr>
                </thead>
                <tbody inner_html=container_rows></tbody>
            </table>
            {container_charts}
            <h2>"Conditions"</h2>
            <ConditionsTable id="pod-conditions" conditions=conditions />
            <h2>"Events"</h2>
            <EventsTable events=events />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_resources_in_words() {
        let waiting = ContainerState {
            reason: Some("CrashLoopBackOff".into()),
            ..ContainerState::of(ContainerPhase::Waiting)
        };
        assert_eq!(state_text(&waiting), "CrashLoopBackOff");
        let exited = ContainerState {
            exit_code: Some(2),
            ..ContainerState::of(ContainerPhase::Terminated)
        };
        assert_eq!(state_text(&exited), "Terminated (exit 2)");
        assert_eq!(
            resources_text(Resources {
                cpu: Some(100_000_000),
                mem: None
            }),
            "100m / —"
        );
    }
}

//! The overview: cluster health at a glance, CPU and memory over time, and who uses most.

use leptos::prelude::*;

use crate::range::fetch::{RangeHistory, Subject};
use crate::range::picker::RangeBar;
use crate::state::use_app_state;
use crate::table::cell::CellValue;
use crate::threshold::Level;

use super::board::Board;
use super::resource::Resource;
use super::resource_panel::ResourcePanel;
use super::stat::Stat;
use super::top_list::lists_html;

/// The "who is heavy" lists, CPU beside memory.
const BOARDS: [Board; 9] = {
    use Resource::{Cpu, Memory};
    [
        Board::Pods(Cpu),
        Board::Pods(Memory),
        Board::Workloads(Cpu),
        Board::Workloads(Memory),
        Board::Nodes(Cpu),
        Board::Nodes(Memory),
        Board::Share(Cpu),
        Board::Share(Memory),
        Board::Pressure,
    ]
};

/// Nodes ready, pods running, the CPU and memory panels, and the heaviest pods, workloads,
/// nodes and namespaces.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let state = use_app_state();
    let summary = state.summary();
    // "ready/total", critical when any node is not ready.
    let ratio = |part: usize, whole: usize| CellValue {
        raw: Some(part.to_string()),
        text: format!("{part}/{whole}"),
        level: if part < whole {
            Level::Critical
        } else {
            Level::Normal
        },
    };
    let nodes_ready = Signal::derive(move || {
        summary()
            .map(|s| ratio(s.nodes_ready, s.nodes_total))
            .unwrap_or_default()
    });
    let pods_running = Signal::derive(move || {
        summary()
            .map(|s| CellValue {
                level: Level::Normal,
                ..ratio(s.pods_running, s.pods_total)
            })
            .unwrap_or_default()
    });
    let namespaces = Signal::derive(move || {
        state.data.with(|d| {
            d.as_ref()
                .map(|d| {
                    let n = d.namespaces().len() as u64;
                    CellValue::count(n, n.to_string())
                })
                .unwrap_or_default()
        })
    });
    let range = RangeHistory::new(Subject::default());
    // Made only while the overview is shown: a few passes over the rows per refresh.
    let top_lists = move || {
        let context = state.context.get();
        state.data.with(|d| {
            d.as_ref()
                .map(|d| lists_html(&BOARDS, d, context.as_deref()))
                .unwrap_or_default()
        })
    };
    let scope = move || {
        state.data.with(|d| {
            d.as_ref().map(|d| match &d.cluster.namespace {
                Some(ns) => format!("namespace {ns}"),
                None => "all namespaces".to_owned(),
            })
        })
    };

    view! {
        <section class="page overview-page">
            <div class="toolbar">
                <h1>"Overview"</h1>
                <span class="count">{scope}</span>
            </div>
            <RangeBar history=range />
            <dl class="stats summary">
                <Stat id="nodes-ready" label="Nodes ready" value=nodes_ready />
                <Stat id="pods-running" label="Pods running" value=pods_running />
                <Stat id="namespaces" label="Namespaces" value=namespaces />
            </dl>
            <div class="panels">
                <ResourcePanel resource=Resource::Cpu range=range />
                <ResourcePanel resource=Resource::Memory range=range />
            </div>
            <div class="top-lists" inner_html=top_lists></div>
        </section>
    }
}

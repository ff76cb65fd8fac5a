//! The workloads view (`/workloads?q=cart&sort=cpu&dir=desc`) and the namespaces view
//! (`/namespaces?sort=cpu&dir=desc`): one page, one table over pods summed per group.

use std::sync::Arc;

use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::route::location::use_location;
use crate::state::use_app_state;
use crate::table::table_page::{FilterField, TablePage, count_text};
use crate::table::table_row::RowSpec;

use super::query::GroupsQuery;
use super::quotas::QuotaSection;
use super::row::GroupView;
use super::table_row::{NAMESPACE_ROWS, WORKLOAD_ROWS};

/// What differs between the two views.
struct Grouping {
    title: &'static str,
    /// Lower-case plural: the page's ids, the count and the export's file name.
    name: &'static str,
    rows: fn(&Dataset) -> &[GroupView],
    spec: &'static RowSpec,
}

const WORKLOADS: Grouping = Grouping {
    title: "Workloads",
    name: "workloads",
    rows: |d| &d.groups().workloads,
    spec: &WORKLOAD_ROWS,
};

const NAMESPACES: Grouping = Grouping {
    title: "Namespaces",
    name: "namespaces",
    rows: |d| &d.groups().namespaces,
    spec: &NAMESPACE_ROWS,
};

/// Pods summed per workload (`namespaces` false) or per namespace, with the namespaces'
/// quotas below; filter by text, sort on every column.
#[component]
pub fn GroupsPage(
    /// Group by namespace rather than by workload.
    namespaces: bool,
) -> impl IntoView {
    let g = if namespaces { &NAMESPACES } else { &WORKLOADS };
    let state = use_app_state();
    let location = use_location();
    let (columns, rows, name) = (g.spec.columns, g.rows, g.name);
    let order = Memo::new(move |_| {
        let q = location.query.with(|q| GroupsQuery::from_query(q, columns));
        state
            .data
            .with(|d| Arc::new(d.as_deref().map(|d| q.apply(rows(d))).unwrap_or_default()))
    });
    let count = Signal::derive(move || {
        let total = state
            .data
            .with(|d| d.as_deref().map_or(0, |d| rows(d).len()));
        count_text(order.with(|o| o.len()), total, name)
    });
    let empty_text = Signal::derive(move || {
        if state.data.with(Option::is_none) {
            "Waiting for the first snapshot…".to_owned()
        } else {
            format!("No {name} match.")
        }
    });
    let filter = Signal::derive(move || {
        location
            .query
            .with(|q| q.get("q").unwrap_or_default().to_owned())
    });

    view! {
        <TablePage
            title=g.title.to_owned()
            name=name
            spec=g.spec
            order=order
            count=count
            empty_text=empty_text
            tools=view! { <FilterField placeholder="namespace, kind or name" /> }.into_any()
            below=if namespaces { view! { <QuotaSection filter=filter /> }.into_any() } else { ().into_any() }
        />
    }
}

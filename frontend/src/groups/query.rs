//! The workloads and namespaces views' state as held in the URL: `?q=cart&sort=cpu&dir=desc`
//! (`cols=` is read by the table itself).

use crate::route::url_codec::Query;
use crate::table::column::ColumnInfo;
use crate::table::sort::{SortSpec, sort_indices};

use super::column::GroupColumn;
use super::row::GroupView;

/// Text filter and sort of a group table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupsQuery {
    /// Substring of namespace, kind or name (`?q=`), any case.
    pub text: String,
    /// Sort column and direction (`?sort=&dir=`); unsorted keeps namespace order.
    pub sort: Option<SortSpec>,
}

/// True when one of `fields` (namespace, kind, name, …) contains `filter`, in any case.
pub fn matches(filter: &str, fields: &[&str]) -> bool {
    let needle = filter.trim().to_ascii_lowercase();
    needle.is_empty()
        || fields
            .iter()
            .any(|f| f.to_ascii_lowercase().contains(&needle))
}

impl GroupsQuery {
    /// Reads the view from the URL query, for a table of `columns`.
    pub fn from_query(query: &Query, columns: &[ColumnInfo]) -> GroupsQuery {
        GroupsQuery {
            text: query.get("q").unwrap_or_default().to_owned(),
            sort: SortSpec::from_params(columns, query.get("sort"), query.get("dir")),
        }
    }

    /// Indices of the rows that pass the filter, in display order.
    pub fn apply(&self, rows: &[GroupView]) -> Vec<u32> {
        let mut order: Vec<u32> = rows
            .iter()
            .enumerate()
            .filter(|(_, g)| matches(&self.text, &[&g.ns, &g.kind, &g.name]))
            .map(|(i, _)| i as u32)
            .collect();
        if let Some(spec) = self.sort {
            sort_indices::<GroupColumn>(rows, &mut order, spec);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::column::Column;
    use ktop_web_shared::api::CpuMem;

    fn group(ns: &str, kind: &str, name: &str, cpu: Option<u64>) -> GroupView {
        GroupView {
            key: format!("{ns}/{kind}/{name}").into(),
            ns: ns.into(),
            kind: kind.into(),
            name: name.into(),
            usage: cpu.map(|cpu| CpuMem { cpu, mem: 0 }),
            ..GroupView::default()
        }
    }

    #[test]
    fn filters_and_sorts_from_the_url() {
        let rows = [
            group("shop", "Deployment", "cart", Some(300)),
            group("shop", "StatefulSet", "db", Some(900)),
            group("data", "Deployment", "cart-sync", None),
            group("data", "CronJob", "etl", Some(100)),
        ];
        let info = GroupColumn::INFO;
        let q = GroupsQuery::from_query(&Query::parse("q=CART&sort=cpu&dir=desc"), info);
        assert_eq!(q.apply(&rows), [0, 2], "no sample sorts last");
        let q = GroupsQuery::from_query(&Query::parse("q=shop&sort=cpu&dir=desc"), info);
        assert_eq!(q.apply(&rows), [1, 0], "namespaces match");
        let q = GroupsQuery::from_query(&Query::parse("q=statefulset"), info);
        assert_eq!(q.apply(&rows), [1], "kinds match too");
        let q = GroupsQuery::from_query(&Query::parse("sort=name&dir=asc"), info);
        assert_eq!(q.apply(&rows), [0, 2, 1, 3]);
        assert!(matches(" Cart ", &["shop", "Deployment", "cart"]));
        assert!(!matches("db", &["shop", "Deployment", "cart"]));
    }
}

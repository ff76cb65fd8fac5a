//! The pods view's state as held in the URL: `?ns=shop&q=cart&labels=app%3Dcart&sort=cpu&dir=desc`.

use crate::fast_hash::FastSet;

use crate::route::url_codec::{ParamUpdate, Query};
use crate::table::column::Column;
use crate::table::sort::{SortSpec, sort_indices};

use super::column::PodColumn;
use super::row::PodView;

/// Which pods a pods table is about: all, a node's, or a workload's (by its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodScope<'a> {
    /// Every pod.
    All,
    /// The pods on this node.
    Node(&'a str),
    /// The pods of the workload with this key (`namespace/Kind/name`).
    Workload(&'a str),
}

impl PodScope<'_> {
    fn holds(self, p: &PodView) -> bool {
        match self {
            PodScope::All => true,
            PodScope::Node(n) => p.node.as_deref() == Some(n),
            PodScope::Workload(w) => &*p.workload == w,
        }
    }
}

/// Namespace filter, text filter and sort of the pods table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodsQuery {
    /// Only this namespace (`?ns=`).
    pub ns: Option<String>,
    /// Substring of namespace, name, node or status (`?q=`).
    pub text: String,
    /// A Kubernetes label selector (`?labels=`), matched by the server.
    pub labels: Option<String>,
    /// Sort column and direction (`?sort=&dir=`); unsorted keeps the server's order
    /// (namespace, then name).
    pub sort: Option<SortSpec>,
}

impl PodsQuery {
    /// Reads the view from the URL query.
    pub fn from_query(query: &Query) -> PodsQuery {
        PodsQuery {
            ns: query
                .get("ns")
                .filter(|ns| !ns.is_empty())
                .map(str::to_owned),
            text: query.get("q").unwrap_or_default().to_owned(),
            labels: query
                .get("labels")
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
            sort: SortSpec::from_params(PodColumn::INFO, query.get("sort"), query.get("dir")),
        }
    }

    /// The URL parameters that represent this query.
    pub fn to_params(&self) -> Vec<ParamUpdate> {
        let mut params = vec![
            ("ns", self.ns.clone()),
            ("q", Some(self.text.clone())),
            ("labels", self.labels.clone()),
        ];
        params.extend(SortSpec::to_params(self.sort, PodColumn::INFO));
        params
    }

    /// Indices of the rows that pass the filters, in display order. With a label selector,
    /// only the pods in `selected` (the server's answer for it) pass; only those in `scope`.
    pub fn apply(
        &self,
        rows: &[PodView],
        selected: Option<&FastSet<String>>,
        scope: PodScope,
    ) -> Vec<u32> {
        let needle = self.text.trim().to_ascii_lowercase();
        let labelled = |p: &PodView| {
            self.labels.is_none() || selected.is_some_and(|keys| keys.contains(&*p.key))
        };
        let mut order: Vec<u32> = rows
            .iter()
            .enumerate()
            .filter(|(_, p)| scope.holds(p))
            .filter(|(_, p)| self.ns.as_ref().is_none_or(|ns| &p.ns == ns))
            .filter(|(_, p)| labelled(p))
            .filter(|(_, p)| p.matches(&needle))
            .map(|(i, _)| i as u32)
            .collect();
        if let Some(spec) = self.sort {
            sort_indices::<PodColumn>(rows, &mut order, spec);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::tests::pod;
    use crate::table::sort::SortDir;

    fn rows() -> Vec<PodView> {
        [
            pod("shop", "cart-1", Some((300, 1))),
            pod("shop", "cart-2", None),
            pod("shop", "web-1", Some((100, 3))),
            pod("kube-system", "dns-1", Some((200, 2))),
        ]
        .iter()
        .map(|p| PodView::from_row(p, 0))
        .collect()
    }

    fn names(q: &PodsQuery) -> Vec<String> {
        names_selected(q, None)
    }

    fn names_selected(q: &PodsQuery, selected: Option<&FastSet<String>>) -> Vec<String> {
        let rows = rows();
        q.apply(&rows, selected, PodScope::All)
            .iter()
            .map(|&i| rows[i as usize].name.clone())
            .collect()
    }

    fn params(search: &str) -> PodsQuery {
        PodsQuery::from_query(&Query::parse(search))
    }

    #[test]
    fn parses_the_url() {
        let q = params("ns=shop&q=cart&sort=cpu&dir=asc");
        assert_eq!(q.ns.as_deref(), Some("shop"));
        assert_eq!(q.text, "cart");
        assert_eq!(
            q.sort,
            Some(SortSpec {
                column: PodColumn::ALL
                    .iter()
                    .position(|&c| c == PodColumn::Cpu)
                    .expect("cpu"),
                dir: SortDir::Asc
            })
        );
        assert_eq!(params("ns=&sort=bogus"), PodsQuery::default());
    }

    #[test]
    fn round_trips_through_params() {
        let q = params("ns=shop&q=cart+x&labels=app+in+(cart%2Cweb)&sort=mem&dir=desc");
        assert_eq!(q.labels.as_deref(), Some("app in (cart,web)"));
        let url = Query::default().with(&q.to_params()).to_search();
        let back = params(&url);
        assert_eq!(back, q);
    }

    #[test]
    fn filters_and_sorts() {
        assert_eq!(
            names(&PodsQuery::default()),
            ["cart-1", "cart-2", "web-1", "dns-1"]
        );
        assert_eq!(names(&params("ns=shop&q=+CART+")), ["cart-1", "cart-2"]);
        assert_eq!(names(&params("q=kube")), ["dns-1"]);
        assert_eq!(
            names(&params("sort=cpu&dir=desc")),
            ["cart-1", "dns-1", "web-1", "cart-2"],
            "no sample sorts last"
        );
        assert_eq!(
            names(&params("sort=cpu&dir=asc")),
            ["web-1", "dns-1", "cart-1", "cart-2"],
            "no sample sorts last both ways"
        );
        assert_eq!(
            names(&params("sort=name")),
            ["cart-1", "cart-2", "dns-1", "web-1"]
        );
        assert!(names(&params("ns=other")).is_empty());
    }

    #[test]
    fn a_label_selector_keeps_the_selected_pods_only() {
        let selected: FastSet<String> = ["shop/cart-2".to_owned(), "kube-system/dns-1".to_owned()]
            .into_iter()
            .collect();
        let q = params("labels=tier%3Dfront");
        assert_eq!(names_selected(&q, Some(&selected)), ["cart-2", "dns-1"]);
        assert!(
            names_selected(&q, None).is_empty(),
            "nothing until the answer"
        );
        assert_eq!(
            names_selected(&params("ns=shop&labels=x"), Some(&selected)),
            ["cart-2"]
        );
        assert_eq!(
            names_selected(&params(""), Some(&selected)).len(),
            4,
            "no selector"
        );
        assert_eq!(params("labels=+").labels, None, "blank is no selector");
    }
}

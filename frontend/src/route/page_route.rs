//! The pages, as the address bar names them. Parsing and building live together so every
//! link the app makes parses back to the page it means.
//!
//! A path may start with `/c/{context}`, the kubeconfig context it shows; the rest names
//! the page. Links the app makes always carry the context, so a copied URL shows the same
//! cluster wherever it is opened.

use super::url_codec::{decode, encode};

/// One page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRoute {
    /// `/`
    Overview,
    /// `/nodes`
    Nodes,
    /// `/pods`
    Pods,
    /// `/nodes/:name`
    Node { name: String },
    /// `/pods/:ns/:name`
    Pod { ns: String, name: String },
    /// `/pods/:ns/:name/:container`
    Container {
        ns: String,
        name: String,
        container: String,
    },
    /// `/workloads`
    Workloads,
    /// `/namespaces`
    Namespaces,
    /// `/workloads/:ns/:kind/:name`
    Workload {
        ns: String,
        kind: String,
        name: String,
    },
    /// Anything else.
    NotFound,
}

impl PageRoute {
    /// The page a path names (empty segments, as from a trailing `/`, are ignored).
    pub fn parse(path: &str) -> PageRoute {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        match segments.as_slice() {
            [] => PageRoute::Overview,
            [nodes] if nodes == "nodes" => PageRoute::Nodes,
            [pods] if pods == "pods" => PageRoute::Pods,
            [w] if w == "workloads" => PageRoute::Workloads,
            [n] if n == "namespaces" => PageRoute::Namespaces,
            [nodes, name] if nodes == "nodes" => PageRoute::Node { name: name.clone() },
            [pods, ns, name] if pods == "pods" => PageRoute::Pod {
                ns: ns.clone(),
                name: name.clone(),
            },
            [pods, ns, name, container] if pods == "pods" => PageRoute::Container {
                ns: ns.clone(),
                name: name.clone(),
                container: container.clone(),
            },
            [w, ns, kind, name] if w == "workloads" => PageRoute::Workload {
                ns: ns.clone(),
                kind: kind.clone(),
                name: name.clone(),
            },
            _ => PageRoute::NotFound,
        }
    }

    /// The path of this page in `context` (when known), segments percent-encoded.
    pub fn href_in(&self, context: Option<&str>) -> String {
        match context {
            Some(context) => format!("/c/{}{}", encode(context), self.href()),
            None => self.href(),
        }
    }

    /// The path of this page without a context.
    fn href(&self) -> String {
        match self {
            PageRoute::Overview | PageRoute::NotFound => "/".to_owned(),
            PageRoute::Nodes => "/nodes".to_owned(),
            PageRoute::Pods => "/pods".to_owned(),
            PageRoute::Workloads => "/workloads".to_owned(),
            PageRoute::Namespaces => "/namespaces".to_owned(),
            PageRoute::Node { name } => format!("/nodes/{}", encode(name)),
            PageRoute::Pod { ns, name } => format!("/pods/{}/{}", encode(ns), encode(name)),
            PageRoute::Container {
                ns,
                name,
                container,
            } => format!(
                "/pods/{}/{}/{}",
                encode(ns),
                encode(name),
                encode(container)
            ),
            PageRoute::Workload { ns, kind, name } => format!(
                "/workloads/{}/{}/{}",
                encode(ns),
                encode(kind),
                encode(name)
            ),
        }
    }

    /// The top-level section the page belongs to, for the navigation bar.
    pub fn section(&self) -> Section {
        match self {
            PageRoute::Overview | PageRoute::NotFound => Section::Overview,
            PageRoute::Nodes | PageRoute::Node { .. } => Section::Nodes,
            PageRoute::Pods | PageRoute::Pod { .. } | PageRoute::Container { .. } => Section::Pods,
            PageRoute::Workloads | PageRoute::Workload { .. } => Section::Workloads,
            PageRoute::Namespaces => Section::Namespaces,
        }
    }
}

/// A navigation bar entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The overview.
    Overview,
    /// Nodes and a node's page.
    Nodes,
    /// Pods, a pod's page and its containers.
    Pods,
    /// Workloads and a workload's page.
    Workloads,
    /// Namespaces and their quotas.
    Namespaces,
}

/// Splits `/c/{context}/rest` into the decoded context and `/rest`; other paths have none.
pub fn split_context(path: &str) -> (Option<String>, &str) {
    let Some(after) = path.strip_prefix("/c/") else {
        return (None, path);
    };
    let (context, rest) = after.find('/').map_or((after, ""), |i| after.split_at(i));
    if context.is_empty() {
        return (None, path);
    }
    (Some(decode(context)), rest)
}

/// Path of a node's page.
pub fn node_href(context: Option<&str>, name: &str) -> String {
    PageRoute::Node {
        name: name.to_owned(),
    }
    .href_in(context)
}

/// Path of a workload's page; its key is `namespace/Kind/name`.
pub fn workload_href(context: Option<&str>, key: &str) -> String {
    let mut parts = key.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(ns), Some(kind), Some(name)) => PageRoute::Workload {
            ns: ns.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
        }
        .href_in(context),
        _ => PageRoute::Pods.href_in(context),
    }
}

/// Path of a pod's page.
pub fn pod_href(context: Option<&str>, ns: &str, name: &str) -> String {
    PageRoute::Pod {
        ns: ns.to_owned(),
        name: name.to_owned(),
    }
    .href_in(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_owned()
    }

    #[test]
    fn every_page_parses_back_from_its_href() {
        let pages = [
            PageRoute::Overview,
            PageRoute::Nodes,
            PageRoute::Pods,
            PageRoute::Node {
                name: s("kwok-node-0.example"),
            },
            PageRoute::Pod {
                ns: s("shop"),
                name: s("cart-7d9"),
            },
            PageRoute::Container {
                ns: s("shop"),
                name: s("cart-7d9"),
                container: s("odd name/ü"),
            },
            PageRoute::Workloads,
            PageRoute::Namespaces,
            PageRoute::Workload {
                ns: s("shop"),
                kind: s("Deployment"),
                name: s("cart"),
            },
        ];
        for page in pages {
            for context in [
                None,
                Some("kind-dev"),
                Some("arn:aws:eks:eu:1:cluster/prod"),
            ] {
                let href = page.href_in(context);
                let (back, rest) = split_context(&href);
                assert_eq!(back.as_deref(), context, "{href}");
                assert_eq!(PageRoute::parse(rest), page, "{href}");
            }
        }
    }

    #[test]
    fn context_prefix_is_optional() {
        assert_eq!(split_context("/nodes"), (None, "/nodes"));
        assert_eq!(split_context("/c/dev"), (Some(s("dev")), ""));
        assert_eq!(split_context("/c/a%2Fb/pods"), (Some(s("a/b")), "/pods"));
        assert_eq!(split_context("/c//pods"), (None, "/c//pods"));
        assert_eq!(
            PageRoute::parse(split_context("/c/dev").1),
            PageRoute::Overview
        );
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in [
            "/node",
            "/nodes/a/b",
            "/pods/ns",
            "/pods/a/b/c/d",
            "/api",
            "/workloads/a",
            "/workloads/a/b",
            "/namespaces/a",
        ] {
            assert_eq!(PageRoute::parse(path), PageRoute::NotFound, "{path}");
        }
        assert_eq!(PageRoute::parse("/nodes/"), PageRoute::Nodes);
        assert_eq!(PageRoute::parse(""), PageRoute::Overview);
    }

    #[test]
    fn sections_group_detail_pages_under_their_list() {
        assert_eq!(PageRoute::parse("/nodes/n1").section(), Section::Nodes);
        assert_eq!(PageRoute::parse("/pods/a/b/c").section(), Section::Pods);
        assert_eq!(PageRoute::NotFound.section(), Section::Overview);
        assert_eq!(
            PageRoute::parse(&workload_href(None, "shop/Deployment/cart")),
            PageRoute::Workload {
                ns: s("shop"),
                kind: s("Deployment"),
                name: s("cart")
            }
        );
        assert_eq!(
            PageRoute::parse("/workloads/a/B/c").section(),
            Section::Workloads
        );
        assert_eq!(
            PageRoute::parse("/namespaces").section(),
            Section::Namespaces
        );
    }
}

//! The pages, as the address bar names them. Parsing and building live together so every
//! link the app makes parses back to the page it means.

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
            _ => PageRoute::NotFound,
        }
    }

    /// The path of this page, segments percent-encoded.
    pub fn href(&self) -> String {
        match self {
            PageRoute::Overview | PageRoute::NotFound => "/".to_owned(),
            PageRoute::Nodes => "/nodes".to_owned(),
            PageRoute::Pods => "/pods".to_owned(),
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
        }
    }

    /// The top-level section the page belongs to, for the navigation bar.
    pub fn section(&self) -> Section {
        match self {
            PageRoute::Overview | PageRoute::NotFound => Section::Overview,
            PageRoute::Nodes | PageRoute::Node { .. } => Section::Nodes,
            PageRoute::Pods | PageRoute::Pod { .. } | PageRoute::Container { .. } => Section::Pods,
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
}

/// Path of a node's page.
pub fn node_href(name: &str) -> String {
    PageRoute::Node {
        name: name.to_owned(),
    }
    .href()
}

/// Path of a pod's page.
pub fn pod_href(ns: &str, name: &str) -> String {
    PageRoute::Pod {
        ns: ns.to_owned(),
        name: name.to_owned(),
    }
    .href()
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
        ];
        for page in pages {
            assert_eq!(PageRoute::parse(&page.href()), page, "{}", page.href());
        }
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in ["/node", "/nodes/a/b", "/pods/ns", "/pods/a/b/c/d", "/api"] {
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
    }
}

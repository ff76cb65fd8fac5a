//! Where a node's kubelet metrics are read: `/api/v1/nodes/{node}/proxy/metrics/resource`
//! and `…/metrics/cadvisor`. A node may name another resource path in the annotation
//! metrics-server honours (`metrics.k8s.io/resource-metrics-path`, used where kubelets share
//! a port, as simulated ones do); cadvisor is then read from the same directory. Node names
//! and annotation paths are checked before they go into a proxy URL, so no other proxy path
//! can be reached.

use crate::objects::RESOURCE_METRICS_PATH;
use crate::security::names;

/// The two proxy paths of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapePaths {
    /// `…/proxy/metrics/resource` (or the annotated path).
    pub resource: String,
    /// `…/proxy/metrics/cadvisor` (or next to the annotated path).
    pub cadvisor: String,
}

/// Why a node cannot be scraped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The node name is not an RFC 1123 subdomain.
    #[error(transparent)]
    Name(#[from] names::InvalidName),
    /// The annotation names a path outside `/metrics/…/metrics/resource`.
    #[error(
        "node {node}: annotation {RESOURCE_METRICS_PATH} {path:?} is not a metrics path ending in /metrics/resource"
    )]
    Annotation {
        /// The node.
        node: String,
        /// The refused path (bounded).
        path: String,
    },
}

/// The node's scrape paths from its name and its resource-metrics-path annotation.
pub fn scrape_paths(node: &str, annotated: Option<&str>) -> Result<ScrapePaths, PathError> {
    let node = names::subdomain("node", node)?;
    let base = format!("/api/v1/nodes/{node}/proxy");
    let Some(path) = annotated else {
        return Ok(ScrapePaths {
            resource: format!("{base}/metrics/resource"),
            cadvisor: format!("{base}/metrics/cadvisor"),
        });
    };
    let dir = path
        .strip_suffix("/metrics/resource")
        .filter(|dir| safe_dir(dir))
        .ok_or_else(|| PathError::Annotation {
            node: node.to_owned(),
            path: path.chars().take(128).collect(),
        })?;
    Ok(ScrapePaths {
        resource: format!("{base}{dir}/metrics/resource"),
        cadvisor: format!("{base}{dir}/metrics/cadvisor"),
    })
}

/// Empty, or `/metrics/…` made of plain segments: no `..`, no encoding, no query.
fn safe_dir(dir: &str) -> bool {
    if dir.is_empty() {
        return true;
    }
    let Some(rest) = dir.strip_prefix("/metrics/") else {
        return false;
    };
    rest.split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_defaults() {
        assert_eq!(
            scrape_paths("node-1", None),
            Ok(ScrapePaths {
                resource: "/api/v1/nodes/node-1/proxy/metrics/resource".into(),
                cadvisor: "/api/v1/nodes/node-1/proxy/metrics/cadvisor".into(),
            })
        );
    }

    #[test]
    fn the_annotation_moves_both() {
        assert_eq!(
            scrape_paths(
                "kwok-node-0",
                Some("/metrics/nodes/kwok-node-0/metrics/resource")
            ),
            Ok(ScrapePaths {
                resource:
                    "/api/v1/nodes/kwok-node-0/proxy/metrics/nodes/kwok-node-0/metrics/resource"
                        .into(),
                cadvisor:
                    "/api/v1/nodes/kwok-node-0/proxy/metrics/nodes/kwok-node-0/metrics/cadvisor"
                        .into(),
            })
        );
        assert!(scrape_paths("n", Some("/metrics/resource")).is_ok());
    }

    #[test]
    fn nothing_else_is_reachable() {
        for path in [
            "/metrics/../../api/v1/secrets/metrics/resource",
            "/metrics/%2e%2e/metrics/resource",
            "/metrics/x?y=z/metrics/resource",
            "/logs/metrics/resource",
            "/metrics/nodes/n/metrics/cadvisor",
            "/metrics/nodes//metrics/resource",
            "metrics/resource",
            "/metrics/a b/metrics/resource",
            "/pods/metrics/resource",
        ] {
            assert!(
                matches!(
                    scrape_paths("n", Some(path)),
                    Err(PathError::Annotation { .. })
                ),
                "{path}"
            );
        }
        assert!(matches!(
            scrape_paths("../secrets", None),
            Err(PathError::Name(_))
        ));
    }
}

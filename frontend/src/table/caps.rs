//! What the live source and the cluster can fill: columns that need a capability are offered
//! and shown only while it holds, whatever the URL asks. Throughput and pressure stalls come
//! with the metrics source; extended resources (GPUs) with a cluster that has any.

use crate::dataset::Dataset;

/// A capability a column can need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// Network and disk throughput.
    Io,
    /// Pressure stalls (PSI).
    Psi,
    /// Extended resources such as GPUs.
    Ext,
}

/// The capabilities the live source and the cluster have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// It measures network and disk throughput.
    pub io: bool,
    /// It measures pressure stalls.
    pub psi: bool,
    /// A node has extended resources or a pod requests some.
    pub ext: bool,
}

impl Caps {
    /// The capabilities of a refresh; none before the first.
    pub fn of(data: Option<&Dataset>) -> Caps {
        data.map_or_else(Caps::default, |d| Caps {
            io: d.source.io,
            psi: d.source.psi,
            // Nodes first: a cluster with GPUs answers at its first node that has any.
            ext: d.nodes.iter().any(|n| n.extended)
                || d.pods.iter().any(|p| !p.extended.is_empty()),
        })
    }

    /// True when the source has `cap`.
    pub fn has(self, cap: Cap) -> bool {
        match cap {
            Cap::Io => self.io,
            Cap::Psi => self.psi,
            Cap::Ext => self.ext,
        }
    }

    /// True when a column that needs `needs` can be filled.
    pub fn fill(self, needs: Option<Cap>) -> bool {
        needs.is_none_or(|cap| self.has(cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::tests::pod;
    use ktop_web_shared::api::{ExtendedResource, NodeRow, Snapshot};

    #[test]
    fn a_column_fills_when_its_capability_is_there() {
        let io = Caps {
            io: true,
            ..Caps::default()
        };
        assert!(io.fill(None) && io.fill(Some(Cap::Io)));
        assert!(!io.fill(Some(Cap::Psi)) && !io.fill(Some(Cap::Ext)));
        assert!(Caps::default().fill(None));
        assert!(!Caps::default().fill(Some(Cap::Io)));
        let psi_ext = Caps {
            psi: true,
            ext: true,
            ..Caps::default()
        };
        assert!(psi_ext.fill(Some(Cap::Psi)) && psi_ext.fill(Some(Cap::Ext)));
    }

    #[test]
    fn a_refresh_has_extended_resources_when_a_node_or_a_pod_has_some() {
        let gpus = || {
            vec![ExtendedResource {
                name: "nvidia.com/gpu".into(),
                amount: 1,
            }]
        };
        let mut snapshot = Snapshot {
            nodes: vec![NodeRow {
                name: "node-1".into(),
                ..NodeRow::default()
            }],
            pods: vec![pod("a", "p1", None)],
            ..Snapshot::default()
        };
        snapshot.source.io = true;
        snapshot.source.psi = true;
        let caps = |s: &Snapshot| Caps::of(Some(&Dataset::of_snapshot(s)));
        assert_eq!(Caps::of(None), Caps::default());
        let measured = Caps {
            io: true,
            psi: true,
            ext: false,
        };
        assert_eq!(caps(&snapshot), measured);
        snapshot.pods[0].extended = gpus();
        assert_eq!(
            caps(&snapshot),
            Caps {
                ext: true,
                ..measured
            },
            "a pod's request"
        );
        snapshot.pods[0].extended.clear();
        snapshot.nodes[0].extended_allocatable = gpus();
        assert_eq!(
            caps(&snapshot),
            Caps {
                ext: true,
                ..measured
            },
            "a node's"
        );
    }
}

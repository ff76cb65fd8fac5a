//! Pods summed by workload or by namespace: one row per group, made again each refresh in
//! one pass over the pods (the pods of a namespace are contiguous; a workload's pods are
//! found through the index, which changes only when pods come, go or change owner).

use std::sync::Arc;

use ktop_web_shared::api::{CpuMem, PodPhase};

use crate::pods::row::PodView;

/// The kind of a namespace's group.
pub const NAMESPACE: &str = "Namespace";

/// A workload's or a namespace's pods, summed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupView {
    /// `namespace/Kind/name` for a workload, the namespace for a namespace.
    pub key: Arc<str>,
    /// Its namespace.
    pub ns: String,
    /// `Deployment`, `StatefulSet`, …, `Pod` for a bare pod; `Namespace` for a namespace.
    pub kind: String,
    /// The workload's name, or the namespace's.
    pub name: String,
    /// Pods in the group.
    pub pods: u32,
    /// Of those, ready.
    pub ready: u32,
    /// The pods the workload wants, where its metadata says.
    pub desired: Option<u32>,
    /// Container restarts, summed.
    pub restarts: u32,
    /// Usage of the pods that have a sample, summed; `None` when none has.
    pub usage: Option<CpuMem>,
    /// Requests of the pods that have not finished, summed (unset counts as zero).
    pub requests: CpuMem,
    /// Container limits of those pods, summed (unset counts as zero, as kubectl sums them).
    pub limits: CpuMem,
    /// GPUs (`*/gpu` extended resources) those pods request.
    pub gpus: u64,
}

impl GroupView {
    /// A group of its first pod, named.
    fn start(key: Arc<str>, kind: &str, name: &str, first: &PodView) -> GroupView {
        GroupView {
            key,
            ns: first.ns.clone(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            desired: first.owner.as_ref().and_then(|o| o.desired),
            ..GroupView::default()
        }
    }

    /// Adds one pod.
    fn add(&mut self, p: &PodView) {
        self.pods += 1;
        self.ready += u32::from(p.ready);
        self.restarts = self.restarts.saturating_add(p.restarts);
        if let Some(u) = p.usage {
            self.usage = Some(self.usage.unwrap_or_default() + u);
        }
        if !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed) {
            self.requests = self.requests + p.requests.or_zero();
            self.limits = self.limits + p.containers.iter().map(|c| c.limits.or_zero()).sum();
            self.gpus += p
                .extended
                .iter()
                .filter(|e| e.name.ends_with("/gpu"))
                .map(|e| e.amount)
                .sum::<u64>();
        }
    }

    /// CPU usage in nanocores.
    pub fn cpu(&self) -> Option<u64> {
        self.usage.map(|u| u.cpu)
    }

    /// Memory usage in bytes.
    pub fn mem(&self) -> Option<u64> {
        self.usage.map(|u| u.mem)
    }

    /// `ready/desired` where the desired count is known, else `ready/pods`.
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.desired.unwrap_or(self.pods))
    }
}

/// Every workload's row, in the order of `workloads` (`workload_of[i]` is the workload of
/// `pods[i]`).
pub fn workloads(pods: &[PodView], workload_of: &[u32], workloads: usize) -> Vec<GroupView> {
    let mut rows: Vec<Option<GroupView>> = vec![None; workloads];
    for (p, &w) in pods.iter().zip(workload_of) {
        let Some(slot) = rows.get_mut(w as usize) else {
            continue;
        };
        let row = slot.get_or_insert_with(|| {
            let (kind, name) = match &p.owner {
                Some(o) => (o.kind.as_str(), o.name.as_str()),
                None => ("Pod", p.name.as_str()),
            };
            GroupView::start(p.workload.clone(), kind, name, p)
        });
        row.add(p);
    }
    rows.into_iter().flatten().collect()
}

/// Every namespace's row; `pods` come grouped by namespace.
pub fn namespaces(pods: &[PodView]) -> Vec<GroupView> {
    let mut rows: Vec<GroupView> = Vec::new();
    for p in pods {
        match rows.last_mut() {
            Some(row) if row.ns == p.ns => row.add(p),
            _ => {
                let mut row = GroupView::start(Arc::from(p.ns.as_str()), NAMESPACE, &p.ns, p);
                row.desired = None;
                row.add(p);
                rows.push(row);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use crate::dataset::Dataset;
    use crate::pods::row::tests::pod;
    use ktop_web_shared::api::{ExtendedResource, PodRow, Snapshot, Workload};

    fn owned(ns: &str, name: &str, owner: Option<(&str, &str)>, cpu: u64) -> PodRow {
        let mut p = pod(ns, name, Some((cpu, 1 << 20)));
        p.owner = owner.map(|(kind, name)| Workload {
            kind: kind.into(),
            name: name.into(),
            desired: Some(3),
        });
        p.ready = cpu > 1_000_000;
        p
    }

    #[test]
    fn workloads_and_namespaces_sum_their_pods() {
        let mut gpu = owned(
            "ml",
            "trainer-0",
            Some(("StatefulSet", "trainer")),
            5_000_000,
        );
        gpu.extended = vec![ExtendedResource {
            name: "nvidia.com/gpu".into(),
            amount: 2,
        }];
        let snap = Snapshot {
            pods: vec![
                owned("shop", "web-a", Some(("Deployment", "web")), 2_000_000),
                owned("shop", "web-b", Some(("Deployment", "web")), 3_000_000),
                owned("shop", "debug", None, 1_000_000),
                owned("data", "web-x", Some(("Deployment", "web")), 7_000_000),
                gpu,
            ],
            ..Snapshot::default()
        };
        let d = Dataset::of_snapshot(&snap);
        let rows: Vec<(&str, u32, Option<u64>, String)> = d
            .groups()
            .workloads
            .iter()
            .map(|g| (&*g.key, g.pods, g.usage.map(|u| u.cpu), g.ready_text()))
            .collect();
        assert_eq!(
            rows,
            [
                ("data/Deployment/web", 1, Some(7_000_000), "1/3".to_owned()),
                (
                    "ml/StatefulSet/trainer",
                    1,
                    Some(5_000_000),
                    "1/3".to_owned()
                ),
                ("shop/Pod/debug", 1, Some(1_000_000), "0/1".to_owned()),
                ("shop/Deployment/web", 2, Some(5_000_000), "2/3".to_owned()),
            ]
        );
        assert_eq!(d.groups().workloads[1].gpus, 2);
        let namespaces: Vec<(&str, u32, Option<u64>, u64)> = d
            .groups()
            .namespaces
            .iter()
            .map(|g| (&*g.key, g.pods, g.usage.map(|u| u.cpu), g.requests.cpu))
            .collect();
        assert_eq!(
            namespaces,
            [
                ("data", 1, Some(7_000_000), 100_000_000),
                ("ml", 1, Some(5_000_000), 100_000_000),
                ("shop", 3, Some(6_000_000), 300_000_000),
            ]
        );
    }
}

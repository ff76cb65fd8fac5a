//! Which workload a pod belongs to. A pod names only its direct controller; a Deployment is
//! reached through its ReplicaSet and a CronJob through its Job, so those two kinds are
//! mirrored (metadata only: their owner and one annotation are all that is read).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use ktop_web_shared::api::Workload;

use super::Table;

/// The annotation a Deployment writes on its ReplicaSets: the replicas it wants.
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";

/// A ReplicaSet or Job as far as workloads need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerEntry {
    /// Its own controller: kind and name.
    pub controller: Option<(String, String)>,
    /// The Deployment's wanted replicas, from [`DESIRED_REPLICAS`].
    pub desired: Option<u32>,
}

/// The object's controlling owner reference (kind and name), if any.
pub fn controller_of(meta: &ObjectMeta) -> Option<(String, String)> {
    meta.owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.clone(), o.name.clone()))
}

/// A pod's workload as far as the pod itself says: its controller, or `None` for a bare pod.
/// A static pod's mirror is "owned" by its Node, which is no workload.
pub fn pod_controller(meta: &ObjectMeta) -> Option<Workload> {
    controller_of(meta)
        .filter(|(kind, _)| kind != "Node")
        .map(|(kind, name)| Workload {
            kind,
            name,
            desired: None,
        })
}

/// The key and entry of a mirrored ReplicaSet or Job.
pub fn owner_entry(meta: &ObjectMeta) -> Option<(String, OwnerEntry)> {
    let key = format!("{}/{}", meta.namespace.as_deref()?, meta.name.as_deref()?);
    let desired = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(DESIRED_REPLICAS))
        .and_then(|v| v.parse().ok());
    Some((
        key,
        OwnerEntry {
            controller: controller_of(meta),
            desired,
        },
    ))
}

/// The mirrored ReplicaSets and Jobs of a cluster, for [`resolve`].
pub struct OwnerTables<'a> {
    /// ReplicaSets by `namespace/name`.
    pub replica_sets: &'a Table<OwnerEntry>,
    /// Jobs by `namespace/name`.
    pub jobs: &'a Table<OwnerEntry>,
}

/// Follows `direct` (a pod's controller in namespace `ns`) up one level where that level is
/// mirrored: a ReplicaSet to its Deployment, a Job to its CronJob. A ReplicaSet or Job that
/// is not (yet) known stays as itself, so a pod is never dropped for want of its owner.
/// `key` is scratch space for the lookup, kept by the caller so that resolving every pod of a
/// refresh allocates no key per pod.
pub fn resolve(ns: &str, direct: &Workload, tables: &OwnerTables, key: &mut String) -> Workload {
    let table = match direct.kind.as_str() {
        "ReplicaSet" => tables.replica_sets,
        "Job" => tables.jobs,
        _ => return direct.clone(),
    };
    key.clear();
    key.push_str(ns);
    key.push('/');
    key.push_str(&direct.name);
    let Some(entry) = table.rows.get(key.as_str()) else {
        return direct.clone();
    };
    match &entry.controller {
        Some((kind, name)) => Workload {
            kind: kind.clone(),
            name: name.clone(),
            desired: entry.desired,
        },
        None => Workload {
            desired: entry.desired,
            ..direct.clone()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(v: serde_json::Value) -> ObjectMeta {
        serde_json::from_value(v).expect("valid metadata")
    }

    fn workload(kind: &str, name: &str, desired: Option<u32>) -> Workload {
        Workload {
            kind: kind.into(),
            name: name.into(),
            desired,
        }
    }

    #[test]
    fn a_pod_names_its_controller_and_a_static_pod_none() {
        let owned = meta(
            json!({"name": "web-abc-1", "namespace": "shop", "ownerReferences": [
                {"apiVersion": "v1", "kind": "ConfigMap", "name": "not-a-controller", "uid": "a"},
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-abc", "uid": "b", "controller": true}
            ]}),
        );
        assert_eq!(
            pod_controller(&owned),
            Some(workload("ReplicaSet", "web-abc", None))
        );
        let mirror = meta(
            json!({"name": "etcd-n1", "namespace": "kube-system", "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "c", "controller": true}
            ]}),
        );
        assert_eq!(pod_controller(&mirror), None);
        assert_eq!(pod_controller(&meta(json!({"name": "bare"}))), None);
    }

    #[test]
    fn replica_sets_lead_to_deployments_and_jobs_to_cron_jobs() {
        let table = |objects: &[serde_json::Value]| {
            let mut t = Table::default();
            for m in objects {
                let (key, entry) = owner_entry(&meta(m.clone())).expect("named");
                t.rows.insert(key, entry);
            }
            t
        };
        let replica_sets = table(&[
            json!({"name": "web-abc", "namespace": "shop",
                "annotations": {DESIRED_REPLICAS: "3"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d", "controller": true}]}),
            json!({"name": "lonely", "namespace": "shop"}),
        ]);
        let jobs = table(&[json!({"name": "etl-29031840", "namespace": "data",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "etl", "uid": "e", "controller": true}]})]);
        let tables = OwnerTables {
            replica_sets: &replica_sets,
            jobs: &jobs,
        };
        let mut key = String::new();
        let mut up = |ns: &str, kind: &str, name: &str| {
            resolve(ns, &workload(kind, name, None), &tables, &mut key)
        };
        assert_eq!(
            up("shop", "ReplicaSet", "web-abc"),
            workload("Deployment", "web", Some(3))
        );
        assert_eq!(
            up("data", "Job", "etl-29031840"),
            workload("CronJob", "etl", None)
        );
        // Known without a controller, unknown, in another namespace, or another kind: as is.
        assert_eq!(
            up("shop", "ReplicaSet", "lonely"),
            workload("ReplicaSet", "lonely", None)
        );
        assert_eq!(
            up("shop", "ReplicaSet", "gone"),
            workload("ReplicaSet", "gone", None)
        );
        assert_eq!(
            up("other", "ReplicaSet", "web-abc"),
            workload("ReplicaSet", "web-abc", None)
        );
        assert_eq!(
            up("data", "StatefulSet", "pg"),
            workload("StatefulSet", "pg", None)
        );
    }

    #[test]
    fn a_malformed_desired_count_is_unknown() {
        let (_, entry) = owner_entry(&meta(json!({"name": "w", "namespace": "n",
            "annotations": {DESIRED_REPLICAS: "lots"}})))
        .expect("named");
        assert_eq!(entry.desired, None);
        assert_eq!(owner_entry(&meta(json!({"name": "no-namespace"}))), None);
    }
}

//! A ResourceQuota reduced to what `kubectl describe quota` prints: per resource, used and
//! hard, as the API server wrote them.

use k8s_openapi::api::core::v1::ResourceQuota;
use ktop_web_shared::quota::{Quota, QuotaResource};

/// The quota's key (`namespace/name`) and row.
pub fn quota_row(q: &ResourceQuota) -> Option<(String, Quota)> {
    let namespace = q.metadata.namespace.clone()?;
    let name = q.metadata.name.clone()?;
    let status = q.status.as_ref();
    let used = status.and_then(|s| s.used.as_ref());
    // The status's hard is what is enforced; before the controller writes it, the spec's.
    let hard = status
        .and_then(|s| s.hard.as_ref())
        .or_else(|| q.spec.as_ref().and_then(|s| s.hard.as_ref()));
    let resources = hard
        .into_iter()
        .flatten()
        .map(|(resource, hard)| QuotaResource {
            resource: resource.clone(),
            used: used.and_then(|u| u.get(resource)).map(|u| u.0.clone()),
            hard: hard.0.clone(),
        })
        .collect();
    Some((
        format!("{namespace}/{name}"),
        Quota {
            namespace,
            name,
            resources,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn used_and_hard_come_as_written_and_sorted_by_resource() {
        let q: ResourceQuota = serde_json::from_value(json!({
            "metadata": {"name": "ml-quota", "namespace": "ml"},
            "spec": {"hard": {"requests.cpu": "99", "pods": "20"}},
            "status": {
                "hard": {"requests.cpu": "8", "pods": "20", "requests.nvidia.com/gpu": "8"},
                "used": {"requests.cpu": "2500m", "pods": "4"}
            }
        }))
        .expect("valid quota");
        let (key, row) = quota_row(&q).expect("named");
        assert_eq!(key, "ml/ml-quota");
        let got: Vec<(&str, Option<&str>, &str)> = row
            .resources
            .iter()
            .map(|r| (r.resource.as_str(), r.used.as_deref(), r.hard.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pods", Some("4"), "20"),
                ("requests.cpu", Some("2500m"), "8"),
                ("requests.nvidia.com/gpu", None, "8"),
            ]
        );
    }

    #[test]
    fn before_any_status_the_spec_says_what_is_hard() {
        let q: ResourceQuota = serde_json::from_value(json!({
            "metadata": {"name": "q", "namespace": "n"},
            "spec": {"hard": {"pods": "5"}}
        }))
        .expect("valid quota");
        let (_, row) = quota_row(&q).expect("named");
        assert_eq!(row.resources[0].hard, "5");
        assert_eq!(row.resources[0].used, None);
    }
}
